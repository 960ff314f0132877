"""Applying a programme file: one run that creates or updates each entry and notes every change.

References are resolved within the file first, then in the database; an error names the entry's
line in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from greentech_cli.errors import Conflict, GreentechError, NotFound
from greentech_cli.models.records import Company, Contact, Delegation, Member
from greentech_cli.services.programme.document import (
    COMPANY_FIELDS,
    DELEGATION_FIELDS,
    MEMBER_FIELDS,
    PERSON_FIELDS,
    VISIT_FIELDS,
    name_of,
)
from greentech_cli.services.records import companies as company_service
from greentech_cli.services.records import contacts as contact_service
from greentech_cli.services.records import delegations as delegation_service
from greentech_cli.services.records import dietary as dietary_service
from greentech_cli.services.schedule import translations
from greentech_cli.services.schedule import visits as visit_service
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import delegations as delegation_store
from greentech_cli.store import members as member_store
from greentech_cli.store import visits as visit_store
from greentech_cli.text.cleaning import clean
from greentech_cli.text.dates import check_timezone, parse_datetime
from greentech_cli.text.emails import normalize_email

if TYPE_CHECKING:
    from greentech_cli.db import Database
    from greentech_cli.services.programme.document import Doc


@dataclass
class Change:
    """One thing apply did (or would do): create, update or delete, with the changed fields."""

    action: str
    entity: str
    label: str
    fields: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The change as a plain mapping."""
        return {
            "action": self.action,
            "entity": self.entity,
            "label": self.label,
            "fields": self.fields,
        }


@dataclass
class ApplyResult:
    """What apply did: the delegation's code, every change, and whether it was a dry run."""

    code: str
    changes: list[Change]
    dry_run: bool
    unchanged: int = 0


_NAME_AND_COMPANY = re.compile(r"^(?P<name>[^,]+),\s*(?P<company>.+)$")


class ApplyRun:
    """One run of apply: resolves references within the file first, then in the database."""

    def __init__(self, db: Database, doc: Doc, *, force: bool = False) -> None:
        self.db = db
        self.doc = doc
        self.force = force  # years outside 1900–2100 are meant
        self.changes: list[Change] = []
        self.unchanged = 0
        self.refs: dict[str, int] = {}  # reference text (folded) → contact id

    def _note(self, action: str, entity: str, label: str, fields: Any = ()) -> None:
        if action == "unchanged":
            self.unchanged += 1
        else:
            self.changes.append(Change(action, entity, label, sorted(fields)))

    def _guard(self, path: tuple[Any, ...]) -> Any:
        doc = self.doc

        class Guard:
            def __enter__(self) -> None:
                return None

            def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
                if isinstance(exc, GreentechError) and not exc.message.startswith(doc.source):
                    raise type(exc)(f"{doc.where(path)}: {exc.message}") from None

        return Guard()

    # companies ---------------------------------------------------------------------------

    def company_id(self, name: Any) -> int | None:
        """A company named in the file: by its exact name (a file never means an id)."""
        if name is None or not str(name).strip():
            return None
        found = company_store.find_by_name(self.db, clean(str(name)) or "")
        if len(found) > 1:
            raise Conflict(f"{len(found)} companies are called {name!r}")
        if not found:
            raise NotFound(f"no company {str(name)!r}")
        return found[0].id

    def companies(self, entries: list[Any]) -> None:
        for n, raw in enumerate(entries):
            path = ("companies", n)
            fields = self.doc.mapping(raw, path, COMPANY_FIELDS)
            if not fields.get("name"):
                raise self.doc.fail(path, "a company needs a name")
            with self._guard(path):
                found = company_store.find_by_name(self.db, clean(fields["name"]) or "")
                if len(found) > 1:
                    raise Conflict(f"{len(found)} companies are called {fields['name']!r}")
                if found:
                    company = found[0]
                    # Found by its name: keep it as stored (and its legal form underived).
                    fields.pop("name")
                    company_service.apply_fields(company, fields)
                    changes = company_store.update(self.db, company)
                    self._note("update" if changes else "unchanged", "company", company.name,
                               changes)  # fmt: skip
                else:
                    company = Company(name="")
                    company_service.apply_fields(company, fields)
                    company_store.insert(self.db, company)
                    self._note("create", "company", company.name)

    # people ------------------------------------------------------------------------------

    def _remember(self, contact: Contact) -> None:
        name = name_of(contact)
        keys = [name]
        if contact.email:
            keys.append(contact.email)
        if contact.company:
            keys.append(f"{name}, {contact.company}")
        for key in keys:
            folded = key.casefold()
            if folded in self.refs and self.refs[folded] != contact.id:
                self.refs[folded] = -1  # ambiguous within the file
            else:
                self.refs[folded] = contact.id or 0

    def _find_person(self, fields: dict[str, Any], company_id: int | None) -> Contact | None:
        # The person's primary email: `email`, else the first of `emails` (as the dump writes
        # a person with several addresses).
        given = fields.get("email") or next(iter(fields.get("emails") or ()), None)
        if isinstance(given, dict):
            given = given.get("value")
        if given:
            email = normalize_email(given) or ""
            found = contact_store.find_by_email(self.db, email)
            if len(found) > 1:
                raise Conflict(f"{len(found)} contacts have the email {email!r}")
            return found[0] if found else None
        ids = member_store.contacts_named(
            self.db,
            clean(fields.get("first_name")),
            clean(fields.get("last_name")),
            clean(fields.get("native_name")),
        )
        candidates = [contact_store.get(self.db, i) for i in ids]
        same = [c for c in candidates if c.company_id == company_id and not c.email]
        if len(same) > 1:
            raise Conflict(
                f"{len(same)} contacts are called {name_of(same[0])}; give this one an email"
            )
        return same[0] if same else None

    def people(self, entries: list[Any]) -> None:
        for n, raw in enumerate(entries):
            path = ("people", n)
            fields = self.doc.mapping(raw, path, PERSON_FIELDS)
            with self._guard(path):
                company_ref = fields.pop("company", None)
                company_id = self.company_id(company_ref)
                contact = self._find_person(fields, company_id)
                if contact is None:
                    contact = Contact()
                    contact_service.apply_fields(contact, {**fields, "company_id": company_id})
                    contact_store.insert(self.db, contact)
                    self._note("create", "contact", name_of(contact))
                else:
                    if company_ref is not None:
                        fields["company_id"] = company_id
                    contact_service.apply_fields(contact, fields)
                    changes = contact_store.update(self.db, contact)
                    self._note("update" if changes else "unchanged", "contact",
                               name_of(contact), changes)  # fmt: skip
                self._remember(contact_store.get(self.db, contact.id or 0))

    def person(self, ref: Any, path: tuple[Any, ...]) -> int:
        """A contact id for a reference: email, "First Last" or "First Last, Company"."""
        if not isinstance(ref, str) or not ref.strip():
            raise self.doc.fail(path, "expected a person: an email or a name")
        ref = clean(ref) or ""
        known = self.refs.get(ref.casefold())
        if known == -1:
            raise self.doc.fail(path, f"{ref!r} matches several people in the file; use the email")
        if known:
            return known
        if "@" in ref:
            found = contact_store.find_by_email(self.db, ref)
            if len(found) == 1:
                return found[0].id or 0
        else:
            match = _NAME_AND_COMPANY.match(ref)
            name, company = (match["name"], match["company"]) if match else (ref, None)
            first, _, last = name.strip().rpartition(" ")
            ids = member_store.contacts_named(self.db, first or None, last or None)
            if not ids and " " not in name.strip():
                ids = member_store.contacts_named(self.db, None, None, name.strip())
            people = [contact_store.get(self.db, i) for i in ids]
            if company:
                people = [p for p in people if (p.company or "").casefold() == company.casefold()]
            if len(people) == 1:
                return people[0].id or 0
            if len(people) > 1:
                raise self.doc.fail(path, f"{ref!r} matches {len(people)} people; use the email")
        raise self.doc.fail(path, f"no person {ref!r} in the file's people or the database")

    # the delegation ------------------------------------------------------------------------

    def delegation(self, raw: Any) -> Delegation:
        path: tuple[Any, ...] = ("delegation",)
        fields = self.doc.mapping(raw, path, DELEGATION_FIELDS)
        if not fields.get("code"):
            raise self.doc.fail(path, "the delegation needs a code")
        with self._guard(path):
            for key in ("host", "partner"):
                if fields.get(key):
                    fields[key] = str(self.company_id(fields[key]))
            existing = delegation_store.find_by_code(self.db, str(fields["code"]))
            if existing is None:
                delegation = delegation_service.new_delegation(self.db, fields, force=self.force)
                delegation_store.insert(self.db, delegation)
                self._note("create", "delegation", delegation.code)
            else:
                delegation = existing
                delegation_service.apply_fields(self.db, delegation, fields, force=self.force)
                changes = delegation_store.update(self.db, delegation)
                self._note("update" if changes else "unchanged", "delegation", delegation.code,
                           changes)  # fmt: skip
        return delegation_store.get(self.db, delegation.id or 0)

    # members -------------------------------------------------------------------------------

    def members(self, delegation: Delegation, entries: list[Any], prune: bool) -> None:
        seen: set[int] = set()
        for n, raw in enumerate(entries):
            path = ("members", n)
            fields = self.doc.mapping(raw, path, MEMBER_FIELDS)
            contact_id = self.person(fields.pop("person", None), (*path, "person"))
            if contact_id in seen:
                raise self.doc.fail(path, "this person is listed twice among the members")
            seen.add(contact_id)
            label = name_of(contact_store.get(self.db, contact_id))
            with self._guard(path):
                needs = [fields.pop(k, None) for k in ("dietary", "dietary_consent",
                                                        "dietary_source")]  # fmt: skip
                fields = {"role": None, "status": None, "notes": None, **fields}
                member = member_store.find(self.db, delegation.id or 0, contact_id)
                if member is None:
                    member = Member(delegation_id=delegation.id or 0, contact_id=contact_id)
                    delegation_service.apply_member_fields(member, fields)
                    member_store.insert(self.db, member)
                    dietary_service.record(self.db, member.id or 0, *needs)
                    self._note("create", "member", label)
                else:
                    delegation_service.apply_member_fields(member, fields)
                    changes = member_store.update(self.db, member)
                    if dietary_service.record(self.db, member.id or 0, *needs):
                        changes = {**changes, "dietary": []}
                    self._note("update" if changes else "unchanged", "member", label, changes)
        if prune:
            for member in member_store.of_delegation(self.db, delegation.id or 0):
                if member.contact_id not in seen:
                    member_store.delete(self.db, member)
                    name = name_of(member.contact) if member.contact else str(member.contact_id)
                    self._note("delete", "member", name)

    # visits --------------------------------------------------------------------------------

    def visits(self, delegation: Delegation, entries: list[Any], prune: bool) -> None:
        seen: set[int] = set()
        # Blocks before their slots: a slot names its block by UID.
        order = sorted(
            range(len(entries)),
            key=lambda n: isinstance(entries[n], dict) and bool(entries[n].get("parent")),
        )
        for n in order:
            raw = entries[n]
            path = ("visits", n)
            fields = self.doc.mapping(raw, path, VISIT_FIELDS)
            with self._guard(path):
                fields = translations.flatten(fields)
            for key in ("title", "start"):
                if not fields.get(key):
                    raise self.doc.fail(path, f"a visit needs a {key}")
            if not fields.get("end") and not fields.get("duration"):
                raise self.doc.fail(path, "a visit needs an end or a duration")
            zone = fields.get("timezone") or delegation.timezone
            if fields.get("end") and re.fullmatch(r"\d{1,2}[:.]\d{2}", fields["end"].strip()):
                # "end: '11:00'" means the same day as the start
                fields["end"] = f"{fields['start'].strip().split()[0]} {fields['end'].strip()}"
            hosts = [
                str(self.person(ref, (*path, "hosts", i)))
                for i, ref in enumerate(fields.pop("hosts", None) or [])
            ]
            attendees = [
                str(self.person(ref, (*path, "attendees", i)))
                for i, ref in enumerate(fields.pop("attendees", None) or [])
            ]
            with self._guard(path):
                if fields.get("company"):
                    fields["company"] = str(self.company_id(fields["company"]))
                if fields.get("parent"):
                    block = visit_store.find_by_uid(self.db, str(fields["parent"]))
                    if block is None or block.delegation_id != delegation.id:
                        raise NotFound(f"no block with the UID {fields['parent']!r}")
                    fields["parent"] = str(block.id)
                zone = check_timezone(str(zone))
                uid = fields.pop("uid", None)
                if not uid:
                    start = parse_datetime(fields["start"]).strftime("%Y-%m-%dT%H:%M")
                    uid = visit_service.derived_uid(delegation.code, fields["title"], start, zone)
                values: dict[str, Any] = {
                    "kind": None, "status": None, "company": None, "location": None, "notes": None,
                    "room": None, "lat": None, "lon": None, "from": None, "to": None,
                    "mode": None, "capacity": None, "parent": None, "internal_notes": None,
                    **dict.fromkeys(translations.KEYS), **fields,
                    "timezone": zone, "host_contacts": hosts, "attendees": attendees,
                }  # fmt: skip
                if values.get("kind") == "flight" and not fields.get("timezone"):
                    values.pop("timezone")  # a flight's zones are its airports
                visit = visit_store.find_by_uid(self.db, uid)
                if visit is not None and visit.delegation_id != delegation.id:
                    raise Conflict(f"the visit UID {uid!r} belongs to another delegation")
                if visit is None:
                    visit = visit_service.new_visit(self.db, delegation, values, force=self.force)
                    visit.uid = uid
                    visit_store.insert(self.db, visit)
                    self._note("create", "visit", visit.title)
                else:
                    if "end" not in values:
                        values["end"] = None
                    visit_service.apply_fields(self.db, visit, delegation, values, force=self.force)
                    changes = visit_store.update(self.db, visit)
                    self._note("update" if changes else "unchanged", "visit", visit.title,
                               changes)  # fmt: skip
                if visit.id in seen:
                    raise Conflict("this visit (same UID) is listed twice")
                seen.add(visit.id or 0)
        if prune:
            for visit in visit_store.of_delegation(self.db, delegation.id or 0):
                if visit.id not in seen:
                    visit_store.delete(self.db, visit.id or 0)
                    self._note("delete", "visit", visit.title)
