"""Programme files: a delegation with its people, companies and visits as YAML a person can edit.

`dump` writes everything needed to recreate the programme in an empty database; `apply` creates
or updates it idempotently in one transaction, naming the YAML line of anything it refuses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .. import text
from ..db import transaction
from ..errors import Conflict, GreentechError, InvalidData, NotFound, UnreadableFile
from ..models import Company, Contact, Delegation, Member
from ..store import companies as company_store
from ..store import contacts as contact_store
from ..store import delegations as delegation_store
from ..store import members as member_store
from ..store import visits as visit_store
from . import companies as company_service
from . import contacts as contact_service
from . import delegations as delegation_service
from . import visits as visit_service

if TYPE_CHECKING:
    from pathlib import Path

    import yaml

    from ..db import Database

FORMAT = "greentech-programme/1"
MAX_NODES = 100_000  # an expanded document larger than this is an alias bomb, not a programme
MAX_BYTES = 20_000_000

COMPANY_FIELDS = (
    "name", "kind", "legal_form", "sectors", "tags", "street", "postcode", "city", "region",
    "country", "website", "lat", "lon", "vat_id", "notes",
)  # fmt: skip
PERSON_FIELDS = (
    "salutation", "title", "first_name", "last_name", "native_name", "position", "department",
    "company", "email", "phone", "mobile", "country", "languages", "tags", "share_consent",
    "lawful_basis", "notes",
)  # fmt: skip
DELEGATION_FIELDS = (
    "code", "title", "type", "direction", "origin_country", "destination_country", "start_date",
    "end_date", "timezone", "home_timezone", "host", "partner", "sectors", "topic", "status",
    "notes",
)  # fmt: skip
MEMBER_FIELDS = ("person", "role", "status", "notes")
VISIT_FIELDS = (
    "uid", "title", "kind", "start", "end", "duration", "timezone", "company", "location",
    "hosts", "attendees", "notes",
)  # fmt: skip
LIST_FIELDS = ("sectors", "tags", "languages", "hosts", "attendees")
NUMBER_FIELDS = ("lat", "lon")

HEADER = """\
# greentech programme of {code}. Edit it and load it with: greentech programme apply FILE
# Times are wall-clock times in each visit's time zone. People are referred to by email, or by
# "First Last" (with ", Company" added when the name alone is not unique). Quote values that
# YAML would otherwise read as numbers or yes/no: postcodes '01067', times '10:30', country 'NO'.
"""


# --- safe loading with line numbers --------------------------------------------------------


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once every alias is expanded (cycles are refused)."""
    import yaml

    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise InvalidData(
                f"line {node.start_mark.line + 1}: a YAML alias refers to itself; "
                "recursive documents are refused"
            )
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        sizes[key] = min(total, MAX_NODES + 1)
        return sizes[key]

    return size(root)


def _lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    import yaml

    if path in out:
        return  # an alias seen before
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                _lines(value, (*path, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _lines(child, (*path, index), out)


def load(content: str, source: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML safely: no Python tags, no alias bombs; returns the data and each path's line."""
    import yaml

    loader = yaml.SafeLoader(content)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        if _expanded_size(node) > MAX_NODES:
            raise InvalidData(
                f"{source}: the YAML expands to more than {MAX_NODES:,} values "
                "(an alias bomb?); refused"
            )
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "python/" in str(exc) or "constructor for the tag" in str(exc):
            problem = "YAML tags such as !!python/object are not allowed"
        raise InvalidData(f"{source}: {where}malformed YAML: {problem}") from None
    except InvalidData as exc:
        raise InvalidData(f"{source}: {exc.message}") from None
    finally:
        loader.dispose()
    lines: dict[tuple[Any, ...], int] = {}
    _lines(node, (), lines)
    return data, lines


@dataclass
class _Doc:
    """The loaded file, with what is needed to name a place in it in an error."""

    source: str
    lines: dict[tuple[Any, ...], int]

    def where(self, path: tuple[Any, ...]) -> str:
        line = None
        probe = path
        while probe and line is None:
            line = self.lines.get(probe)
            probe = probe[:-1]
        dotted = ""
        for part in path:
            dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else part)
        at = f", line {line}" if line else ""
        return f"{self.source}{at}, {dotted}" if dotted else f"{self.source}{at}"

    def fail(self, path: tuple[Any, ...], message: str) -> InvalidData:
        return InvalidData(f"{self.where(path)}: {message}")

    def mapping(self, value: Any, path: tuple[Any, ...], allowed: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(path, "expected a mapping of fields (key: value)")
        for key in value:
            if key not in allowed:
                raise self.fail(
                    (*path, key), f"unknown field {key!r}; known fields: {', '.join(allowed)}"
                )
        return {key: self.value(value[key], (*path, key), key) for key in value}

    def value(self, value: Any, path: tuple[Any, ...], key: str) -> Any:
        """A field's value with YAML 1.1's surprises caught (01067, NO, 10:30, +49…)."""
        if value is None:
            return None
        if key in LIST_FIELDS:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list):
                raise self.fail(path, "expected a list")
            return [self.value(v, (*path, n), "item") for n, v in enumerate(value)]
        if key in NUMBER_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise self.fail(path, "expected a number")
            return value
        if key in ("start_date", "end_date") and isinstance(value, date):
            return value.isoformat()
        if key in ("start", "end") and isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, bool):
            raise self.fail(
                path, f"YAML read this as {str(value).lower()}; put the value in quotes"
            )
        if isinstance(value, int | float):
            hint = ""
            if key in ("start", "end", "duration"):
                hint = " (YAML reads 10:30 as a number)"
            raise self.fail(path, f"expected text, got the number {value}; put it in quotes{hint}")
        if isinstance(value, date | datetime):
            return value.isoformat()
        if not isinstance(value, str):
            raise self.fail(path, "expected text")
        return value


# --- dump ----------------------------------------------------------------------------------


def _name_of(contact: Contact) -> str:
    return " ".join(p for p in (contact.first_name, contact.last_name) if p) or (
        contact.native_name or ""
    )


def _person_refs(people: list[Contact]) -> dict[int, str]:
    """How the file refers to each person: email, else name, else name and company."""
    counts: dict[str, int] = {}
    for person in people:
        if not person.email:
            key = _name_of(person).casefold()
            counts[key] = counts.get(key, 0) + 1
    refs: dict[int, str] = {}
    for person in people:
        if person.email:
            refs[person.id or 0] = person.email
        elif counts[_name_of(person).casefold()] > 1 and person.company:
            refs[person.id or 0] = f"{_name_of(person)}, {person.company}"
        else:
            refs[person.id or 0] = _name_of(person)
    return refs


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v not in (None, [], {}, "")}


def _local(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def dump(db: Database, delegation_ref: str) -> str:
    """The programme of a delegation as YAML: delegation, companies, people, members, visits."""
    import yaml

    delegation = delegation_store.resolve(db, delegation_ref)
    members = member_store.of_delegation(db, delegation.id or 0)
    visits = visit_store.of_delegation(db, delegation.id or 0)
    person_ids = [m.contact_id for m in members]
    for visit in visits:
        person_ids += [*visit.host_contact_ids, *visit.attendee_ids]
    people = contact_store.get_many(db, list(dict.fromkeys(person_ids)))
    people.sort(key=lambda c: (_name_of(c).casefold(), c.email or "", c.id or 0))
    refs = _person_refs(people)
    company_ids = {delegation.host_id, delegation.partner_id}
    company_ids |= {v.company_id for v in visits} | {p.company_id for p in people}
    companies = [company_store.get(db, i) for i in company_ids if i is not None]
    companies.sort(key=lambda c: (c.name.casefold(), c.id or 0))
    data: dict[str, Any] = {"format": FORMAT}
    record = delegation.to_json()
    data["delegation"] = _compact(
        {key: record.get(key) for key in DELEGATION_FIELDS if key != "notes"}
        | {"notes": delegation.notes}
    )
    data["companies"] = [_company_entry(c) for c in companies]
    data["people"] = [_person_entry(p) for p in people]
    data["members"] = [
        _compact({"person": refs[m.contact_id], "role": m.role, "status": m.status,
                  "notes": m.notes})
        for m in members
    ]  # fmt: skip
    data["visits"] = [
        _compact(
            {
                "uid": v.uid,
                "title": v.title,
                "kind": v.kind,
                "start": _local(v.start),
                "end": _local(v.end),
                "timezone": v.timezone,
                "company": v.company,
                "location": v.location,
                "hosts": [refs[i] for i in v.host_contact_ids if i in refs],
                "attendees": [refs[i] for i in v.attendee_ids if i in refs],
                "notes": v.notes,
            }
        )
        for v in visits
    ]
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100, indent=2)
    return HEADER.format(code=delegation.code) + body


def _company_entry(company: Company) -> dict[str, Any]:
    record = company.to_json()
    entry = {key: record.get(key) for key in COMPANY_FIELDS}
    return _compact(entry)


def _person_entry(person: Contact) -> dict[str, Any]:
    record = person.to_json()
    entry = {key: record.get(key) for key in PERSON_FIELDS}
    if entry.get("share_consent") == "unknown":
        entry["share_consent"] = None
    return _compact(entry)


# --- apply ---------------------------------------------------------------------------------


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


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def read_file(path: Path) -> str:
    """A programme file's text (UTF-8), or a clear error."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UnreadableFile(f"{path} is larger than {MAX_BYTES // 1_000_000} MB")
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFound(f"no file {path}") from None
    except IsADirectoryError:
        raise UnreadableFile(f"{path} is a folder, not a programme file") from None
    except UnicodeDecodeError:
        raise UnreadableFile(f"{path} is not UTF-8 text") from None


def apply(
    db: Database, content: str, source: str, *, dry_run: bool = False, prune: bool = False
) -> ApplyResult:
    """Create or update everything a programme file describes, all or nothing."""
    data, lines = load(content, source)
    doc = _Doc(source, lines)
    if not isinstance(data, dict):
        raise doc.fail((), "a programme file is a mapping with a 'delegation:' section")
    allowed = ("format", "delegation", "companies", "people", "members", "visits")
    for key in data:
        if key not in allowed:
            raise doc.fail((key,), f"unknown section {key!r}; known: {', '.join(allowed)}")
    if data.get("format") not in (None, FORMAT):
        raise doc.fail(("format",), f"unknown format {data.get('format')!r}; expected {FORMAT}")
    if not data.get("delegation"):
        raise doc.fail((), "the file has no 'delegation:' section")
    run = _Apply(db, doc)
    try:
        with transaction(db):
            run.companies(_section(doc, data, "companies"))
            run.people(_section(doc, data, "people"))
            delegation = run.delegation(data["delegation"])
            run.members(delegation, _section(doc, data, "members"), prune)
            run.visits(delegation, _section(doc, data, "visits"), prune)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return ApplyResult(delegation.code, run.changes, dry_run, run.unchanged)


def _section(doc: _Doc, data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise doc.fail((key,), "expected a list of entries (each starting with '- ')")
    return value


_NAME_AND_COMPANY = re.compile(r"^(?P<name>[^,]+),\s*(?P<company>.+)$")


class _Apply:
    """One run of apply: resolves references within the file first, then in the database."""

    def __init__(self, db: Database, doc: _Doc) -> None:
        self.db = db
        self.doc = doc
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
        found = company_store.find_by_name(self.db, text.clean(str(name)) or "")
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
                found = company_store.find_by_name(self.db, text.clean(fields["name"]) or "")
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
        name = _name_of(contact)
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
        if fields.get("email"):
            email = text.normalize_email(fields["email"]) or ""
            found = contact_store.find_by_email(self.db, email)
            if len(found) > 1:
                raise Conflict(f"{len(found)} contacts have the email {email!r}")
            return found[0] if found else None
        ids = member_store.contacts_named(
            self.db,
            text.clean(fields.get("first_name")),
            text.clean(fields.get("last_name")),
            text.clean(fields.get("native_name")),
        )
        candidates = [contact_store.get(self.db, i) for i in ids]
        same = [c for c in candidates if c.company_id == company_id and not c.email]
        if len(same) > 1:
            raise Conflict(
                f"{len(same)} contacts are called {_name_of(same[0])}; give this one an email"
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
                    self._note("create", "contact", _name_of(contact))
                else:
                    if company_ref is not None:
                        fields["company_id"] = company_id
                    contact_service.apply_fields(contact, fields)
                    changes = contact_store.update(self.db, contact)
                    self._note("update" if changes else "unchanged", "contact",
                               _name_of(contact), changes)  # fmt: skip
                self._remember(contact_store.get(self.db, contact.id or 0))

    def person(self, ref: Any, path: tuple[Any, ...]) -> int:
        """A contact id for a reference: email, "First Last" or "First Last, Company"."""
        if not isinstance(ref, str) or not ref.strip():
            raise self.doc.fail(path, "expected a person: an email or a name")
        ref = text.clean(ref) or ""
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
                delegation = delegation_service.new_delegation(self.db, fields)
                delegation_store.insert(self.db, delegation)
                self._note("create", "delegation", delegation.code)
            else:
                delegation = existing
                delegation_service.apply_fields(self.db, delegation, fields)
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
            label = _name_of(contact_store.get(self.db, contact_id))
            with self._guard(path):
                fields = {"role": None, "status": None, "notes": None, **fields}
                member = member_store.find(self.db, delegation.id or 0, contact_id)
                if member is None:
                    member = Member(delegation_id=delegation.id or 0, contact_id=contact_id)
                    delegation_service.apply_member_fields(member, fields)
                    member_store.insert(self.db, member)
                    self._note("create", "member", label)
                else:
                    delegation_service.apply_member_fields(member, fields)
                    changes = member_store.update(self.db, member)
                    self._note("update" if changes else "unchanged", "member", label, changes)
        if prune:
            for member in member_store.of_delegation(self.db, delegation.id or 0):
                if member.contact_id not in seen:
                    member_store.delete(self.db, member)
                    name = _name_of(member.contact) if member.contact else str(member.contact_id)
                    self._note("delete", "member", name)

    # visits --------------------------------------------------------------------------------

    def visits(self, delegation: Delegation, entries: list[Any], prune: bool) -> None:
        seen: set[int] = set()
        for n, raw in enumerate(entries):
            path = ("visits", n)
            fields = self.doc.mapping(raw, path, VISIT_FIELDS)
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
                zone = text.check_timezone(str(zone))
                uid = fields.pop("uid", None)
                if not uid:
                    start = text.parse_datetime(fields["start"]).strftime("%Y-%m-%dT%H:%M")
                    uid = visit_service.derived_uid(delegation.code, fields["title"], start, zone)
                values: dict[str, Any] = {
                    "kind": None, "company": None, "location": None, "notes": None,
                    **fields, "timezone": zone, "host_contacts": hosts, "attendees": attendees,
                }  # fmt: skip
                visit = visit_store.find_by_uid(self.db, uid)
                if visit is not None and visit.delegation_id != delegation.id:
                    raise Conflict(f"the visit UID {uid!r} belongs to another delegation")
                if visit is None:
                    visit = visit_service.new_visit(self.db, delegation, values)
                    visit.uid = uid
                    visit_store.insert(self.db, visit)
                    self._note("create", "visit", visit.title)
                else:
                    if "end" not in values:
                        values["end"] = None
                    visit_service.apply_fields(self.db, visit, delegation, values)
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
