"""Merging two records of one person (or organisation) into one, in a single transaction.

KEEP survives. Its empty fields are filled from OTHER; where both hold different values KEEP's
value stays and the conflict is listed, unless `--take FIELD=OTHER` takes OTHER's (KEEP's
primary email or phone then stays as a further one); every other spelling of the name becomes
an alias; tags, languages, sectors and register ids are united and notes appended. Everything
that refers to OTHER moves to KEEP — memberships (one per delegation: two become one with the
more advanced status and the more specific role), host-contact and attendee links, import
provenance; for organisations also contacts, delegations' host and partner, and visits. Then
OTHER is removed. `plan_*` shows what `merge_*` will do, without writing. Both records as they
were and what moved are kept in `merge_images`: `services.identity.unmerge` parts them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from greentech_cli.db import retried, transaction
from greentech_cli.errors import InvalidData
from greentech_cli.models.fields import fields_of
from greentech_cli.models.records import Company, Contact
from greentech_cli.services.identity import unmerge
from greentech_cli.store import audit, search
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import dedupe as dedupe_store
from greentech_cli.store import merge as store
from greentech_cli.store.b2b import sessions as b2b_store
from greentech_cli.store.followup import attendance, journal

if TYPE_CHECKING:
    from greentech_cli.db import Database

# Later is more advanced: a cancelled membership gives way to any live one.
STATUS_RANK = {"cancelled": 0, "invited": 1, "registered": 2, "confirmed": 3}
# The more specific role wins over plain "delegate".
ROLE_RANK = {"delegate": 0, "staff": 1, "host": 2, "interpreter": 3, "organiser": 4, "lead": 5}

# Every data field of each record, declared once by its dataclass.
CONTACT_FIELDS = fields_of(Contact)
COMPANY_FIELDS = fields_of(Company)
# Values that mean "not known" and so are filled like empty ones.
_UNKNOWN = {"share_consent": "unknown", "marketing_consent": "unknown"}
_UNITED = ("languages", "tags", "sectors", "websites", "aliases")
# Lists of value objects, united by their value (KEEP's kind and extension stay) or as a whole.
_UNITED_BY_VALUE = ("emails", "phones")
_UNITED_WHOLE = ("addresses",)
_MAPPINGS = ("register_ids", "extra")


# Consent answers: a "no" in either record is the person's latest word against being shared.
CONSENTS = ("share_consent", "marketing_consent")
# What describes the share consent's answer, and so follows a withdrawal.
_CONSENT_DETAILS = ("share_consent_date", "share_consent_source")


@dataclass
class FieldChange:
    """What a merge does with one field: fill (from OTHER), unite, append, withdraw (OTHER's
    "no" to a consent over KEEP's "yes", with its date and source), or a conflict."""

    field: str
    action: str  # fill | union | append | withdraw | take | conflict
    keep: Any
    other: Any
    result: Any

    def to_json(self) -> dict[str, Any]:
        """The field's plan as JSON."""
        return {
            "field": self.field,
            "action": self.action,
            "keep": _plain(self.keep),
            "other": _plain(self.other),
            "result": _plain(self.result),
        }


def _plain(value: Any) -> Any:
    """A field value as JSON: value objects (emails, phones, addresses) as their mappings."""
    if isinstance(value, list):
        return [item.to_json() if hasattr(item, "to_json") else item for item in value]
    return value


@dataclass
class MergePlan:
    """Both records, the field changes and the links that move."""

    entity: str
    keep_id: int
    other_id: int
    keep: dict[str, Any]
    other: dict[str, Any]
    changes: list[FieldChange] = field(default_factory=list)
    links: dict[str, int] = field(default_factory=dict)
    memberships_joined: int = 0

    @property
    def conflicts(self) -> list[FieldChange]:
        """Fields where both records differ; KEEP's value stays."""
        return [c for c in self.changes if c.action == "conflict"]

    @property
    def changed_fields(self) -> list[str]:
        """Fields of KEEP the merge changes."""
        return [c.field for c in self.changes if c.action != "conflict"]

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON."""
        return {
            "entity": self.entity,
            "keep": self.keep_id,
            "other": self.other_id,
            "changes": [c.to_json() for c in self.changes],
            "links": dict(self.links),
            "memberships_joined": self.memberships_joined,
        }


def _empty(name: str, value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or _UNKNOWN.get(name) == value


def field_changes(keep: Any, other: Any, names: tuple[str, ...]) -> list[FieldChange]:
    """Per field: fill KEEP's empty values, unite lists, append notes, list conflicts.

    The rule of `contact merge` and of an import's duplicate fill (OTHER being the file's row).
    A consent is never given by a merge, but it is withdrawn: OTHER's "no" beats KEEP's "yes",
    or the next export would share a person who said no.
    """
    changes: list[FieldChange] = []
    withdrawn = False
    for name in names:
        mine, theirs = getattr(keep, name), getattr(other, name)
        if withdrawn and name in _CONSENT_DETAILS:
            # KEEP's date and source told of the "yes"; the "no" brings its own (or none).
            if mine != theirs:
                changes.append(FieldChange(name, "withdraw", mine, theirs, theirs))
            continue
        if _empty(name, theirs) or mine == theirs:
            continue
        if name in CONSENTS and (mine, theirs) == ("yes", "no"):
            changes.append(FieldChange(name, "withdraw", mine, theirs, theirs))
            withdrawn = withdrawn or name == "share_consent"
        elif name in ("lat", "lon"):
            # A position is one pair: take OTHER's only when KEEP has none at all.
            if keep.lat is None or keep.lon is None:
                changes.append(FieldChange(name, "fill", mine, theirs, theirs))
            else:
                changes.append(FieldChange(name, "conflict", mine, theirs, mine))
        elif _empty(name, mine):
            changes.append(FieldChange(name, "fill", mine, theirs, theirs))
        elif name in _UNITED:
            united = list(dict.fromkeys([*mine, *theirs]))
            if united != mine:
                changes.append(FieldChange(name, "union", mine, theirs, united))
        elif name in _UNITED_BY_VALUE or name in _UNITED_WHOLE:
            # Compared in a list: an Address is a plain (unhashable) dataclass, and few.
            have = [item.value if name in _UNITED_BY_VALUE else item for item in mine]
            added = [
                item
                for item in theirs
                if (item.value if name in _UNITED_BY_VALUE else item) not in have
            ]
            if added:
                changes.append(FieldChange(name, "union", mine, theirs, [*mine, *added]))
        elif name in _MAPPINGS:
            united_ids = {**theirs, **mine}
            if united_ids != mine:
                changes.append(FieldChange(name, "union", mine, theirs, united_ids))
            if any(k in mine and mine[k] != v for k, v in theirs.items()):
                changes.append(FieldChange(name, "conflict", mine, theirs, united_ids))
        elif name == "notes":
            if theirs not in mine:
                changes.append(FieldChange(name, "append", mine, theirs, f"{mine}\n\n{theirs}"))
        elif (
            isinstance(mine, str)
            and isinstance(theirs, str)
            and mine.casefold() == theirs.casefold()
        ):
            continue
        else:
            changes.append(FieldChange(name, "conflict", mine, theirs, mine))
    return changes


def apply_changes(record: Any, changes: list[FieldChange]) -> None:
    """Set the merged values on KEEP (conflicts keep KEEP's value)."""
    for change in changes:
        if change.action != "conflict":
            setattr(record, change.field, change.result)


def _two(db: Database, keep_ref: str, other_ref: str, entity: str) -> tuple[Any, Any]:
    """Resolve both references; refuse the same record twice."""
    if entity == "contact":
        keep: Any = contact_store.resolve(db, keep_ref)
        other: Any = contact_store.resolve(db, other_ref)
    else:
        keep = company_store.resolve(db, keep_ref)
        other = company_store.resolve(db, other_ref)
    if keep.id == other.id:
        raise InvalidData(f"KEEP and OTHER are the same {entity} ({keep.id}); nothing to merge")
    return keep, other


def _contact_view(contact: Contact) -> dict[str, Any]:
    return contact.to_json()


def plan_contacts(
    db: Database, keep_ref: str, other_ref: str, take: dict[str, str] | None = None
) -> MergePlan:
    """What merging contact OTHER into KEEP would do (nothing is written)."""
    keep, other = _two(db, keep_ref, other_ref, "contact")
    return _contact_plan(db, keep, other, take)


def _non_latin(text: str) -> bool:
    """Whether a name is written in another script than Latin (Cyrillic, Greek, …)."""
    return any(ch.isalpha() and ord(ch) > 0x24F for ch in text)


def contact_changes(
    keep: Contact, other: Contact, take: dict[str, str] | None = None
) -> list[FieldChange]:
    """Field changes of a contact merge (and of an import's fill): the rule of `field_changes`,
    the fields `take` names taken from OTHER, OTHER's name in another script as the native name,
    and every other spelling of the name kept as an alias (SEITKALIYEV beside Seitkaliyev, "John
    Richter Doe" beside "John Doe"), so no name is lost."""
    changes = field_changes(keep, other, CONTACT_FIELDS)
    if take:
        changes = _taken(keep, other, changes, take)
    written = " ".join(p for p in (other.first_name, other.last_name) if p)
    mine = " ".join(p for p in (keep.first_name, keep.last_name) if p)
    if (
        not keep.native_name
        and not other.native_name
        and written != mine
        and _non_latin(written)
        and not _non_latin(mine)
    ):
        # "Жанибек Нурланов" merged into "Zhanibek Nurlanov" is kept, not lost as a conflict.
        changes.append(FieldChange("native_name", "fill", None, written, written))
    return _with_aliases(keep, other, changes)


def _full_name(first: str | None, last: str | None) -> str:
    return " ".join(p.strip() for p in (first, last) if p and p.strip())


def _with_aliases(keep: Contact, other: Contact, changes: list[FieldChange]) -> list[FieldChange]:
    """The changes with every spelling of the name that does not stay kept in `aliases`."""
    result = {c.field: c.result for c in changes if c.action != "conflict"}
    first = result.get("first_name", keep.first_name)
    last = result.get("last_name", keep.last_name)
    native = result.get("native_name", keep.native_name)
    staying = {_full_name(first, last), (native or "").strip()}
    aliases = list(result.get("aliases", keep.aliases))
    spellings = [
        _full_name(keep.first_name, keep.last_name),
        _full_name(other.first_name, other.last_name),
        (keep.native_name or "").strip(),
        (other.native_name or "").strip(),
    ]
    added = [s for s in dict.fromkeys(spellings) if s and s not in staying and s not in aliases]
    if not added:
        return changes
    kept = [c for c in changes if c.field != "aliases"]
    # A name of OTHER kept as an alias is no conflict: nothing of it is lost.
    kept = [c for c in kept if not (c.action == "conflict" and c.field in _NAMES)]
    kept.append(FieldChange("aliases", "union", keep.aliases, other.aliases, [*aliases, *added]))
    return kept


_NAMES = ("first_name", "last_name", "native_name")
# What `--take FIELD=OTHER` may name beside the data fields: the primary email, phone, mobile.
TAKE_PRIMARY = {"email": "emails", "phone": "phones", "mobile": "phones"}


def parse_take(values: list[str] | None, entity: str) -> dict[str, str]:
    """`--take FIELD=OTHER` (or FIELD=KEEP) options as {field: "other"|"keep"}; bad ones raise."""
    names = CONTACT_FIELDS + tuple(TAKE_PRIMARY) if entity == "contact" else COMPANY_FIELDS
    taken: dict[str, str] = {}
    for value in values or []:
        name, sep, side = value.partition("=")
        name, side = name.strip().lower().replace("-", "_"), side.strip().lower()
        if not sep or side not in ("other", "keep"):
            raise InvalidData(f"--take {value}: write FIELD=OTHER (or FIELD=KEEP)")
        if name not in names:
            raise InvalidData(
                f"--take {value}: no {entity} field {name!r}; one of {', '.join(names)}"
            )
        taken[name] = side
    return taken


def _taken(
    keep: Any, other: Any, changes: list[FieldChange], take: dict[str, str]
) -> list[FieldChange]:
    """The changes with the fields taken from OTHER (KEEP's is the rule's default anyway)."""
    for name, side in take.items():
        if side != "other":
            continue
        if name in TAKE_PRIMARY:
            listed = TAKE_PRIMARY[name]
            value = getattr(other, name)
            if not value:
                raise InvalidData(f"--take {name}=OTHER: {other.id} has no {name}")
            current = next((c for c in changes if c.field == listed), None)
            items = list(
                current.result
                if current and current.action != "conflict"
                else getattr(keep, listed)
            )
            theirs = next(i for i in getattr(other, listed) if i.value == value)
            items = [theirs, *(i for i in items if i.value != value)]
            changes = [c for c in changes if c.field != listed]
            changes.append(
                FieldChange(listed, "take", getattr(keep, listed), getattr(other, listed), items)
            )
            continue
        value = getattr(other, name)
        if _empty(name, value):
            raise InvalidData(f"--take {name}=OTHER: {other.id} has no {name}")
        changes = [c for c in changes if c.field != name]
        if value != getattr(keep, name):
            changes.append(FieldChange(name, "take", getattr(keep, name), value, value))
    return changes


def _contact_plan(
    db: Database, keep: Contact, other: Contact, take: dict[str, str] | None = None
) -> MergePlan:
    plan = MergePlan(
        "contact",
        keep.id or 0,
        other.id or 0,
        _contact_view(keep),
        _contact_view(other),
        contact_changes(keep, other, take),
        store.contact_links(db, other.id or 0),
    )
    keep_delegations = {m["delegation_id"] for m in store.memberships(db, keep.id or 0)}
    plan.memberships_joined = sum(
        1 for m in store.memberships(db, other.id or 0) if m["delegation_id"] in keep_delegations
    )
    return plan


def _joined_membership(mine: dict[str, Any], theirs: dict[str, Any]) -> tuple[str, str, str | None]:
    """Role, status and notes of two memberships of one person in one delegation."""
    status = max(mine["status"], theirs["status"], key=lambda s: STATUS_RANK.get(s, -1))
    role = max(mine["role"], theirs["role"], key=lambda r: ROLE_RANK.get(r, -1))
    notes = [n for n in (mine["notes"], theirs["notes"]) if n]
    return role, status, "\n\n".join(dict.fromkeys(notes)) or None


def _move_memberships(db: Database, keep_id: int, other_id: int) -> int:
    """Move OTHER's memberships to KEEP, joining those in a delegation KEEP is in; count joined."""
    mine = {m["delegation_id"]: m for m in store.memberships(db, keep_id)}
    joined = 0
    for theirs in store.memberships(db, other_id):
        existing = mine.get(theirs["delegation_id"])
        if existing is None:
            store.move_member(db, theirs["id"], keep_id)
            continue
        role, status, notes = _joined_membership(existing, theirs)
        store.set_member(db, existing["id"], role, status, notes)
        store.delete_member(db, theirs["id"])
        audit.record(db, "member", existing["id"], "merge", {"merged_id": theirs["id"]})
        joined += 1
    return joined


@retried
def merge_contacts(
    db: Database, keep_ref: str, other_ref: str, take: dict[str, str] | None = None
) -> MergePlan:
    """Merge contact OTHER into KEEP and remove OTHER, in one transaction; returns what was done.

    Both records as they were, and what moved, are kept in `merge_images` for `unmerge`.
    """
    with transaction(db):
        keep, other = _two(db, keep_ref, other_ref, "contact")
        keep_id, other_id = keep.id or 0, other.id or 0
        plan = _contact_plan(db, keep, other, take)
        image_id = unmerge.capture_contacts(db, keep_id, other_id)
        # Links first: removing OTHER would cascade its memberships and visit links away.
        plan.memberships_joined = _move_memberships(db, keep_id, other_id)
        store.move_visit_links(db, keep_id, other_id)
        b2b_store.move_contact(db, keep_id, other_id)
        journal.move(db, "contact", keep_id, other_id)
        attendance.move(db, keep_id, other_id)
        store.move_import_changes(db, "contact", keep_id, other_id)
        if keep.created_batch_id is None and other.created_batch_id is not None:
            store.set_created_batch(db, "contacts", keep_id, other.created_batch_id)
        dedupe_store.forget_ignores(db, "contact", other_id)
        # OTHER goes before KEEP takes its values, so nothing unique clashes on the way.
        audit.record(db, "contact", other_id, "merge", {"into": keep_id})
        contact_store.delete(db, other_id)
        apply_changes(keep, plan.changes)
        contact_store.update(db, keep, audited=False)
        audit.record(
            db, "contact", keep_id, "merge", {"merged_id": other_id, "fields": plan.changed_fields}
        )
        search.reindex_contact(db, keep_id)
        unmerge.finish(db, image_id, "contact", keep_id)
    return plan


# --- organisations -------------------------------------------------------------------------------


def plan_companies(
    db: Database, keep_ref: str, other_ref: str, take: dict[str, str] | None = None
) -> MergePlan:
    """What merging organisation OTHER into KEEP would do (nothing is written)."""
    keep, other = _two(db, keep_ref, other_ref, "company")
    return _company_plan(db, keep, other, take)


def _company_plan(
    db: Database, keep: Company, other: Company, take: dict[str, str] | None = None
) -> MergePlan:
    changes = field_changes(keep, other, COMPANY_FIELDS)
    if take:
        changes = _taken(keep, other, changes, take)
    return MergePlan(
        "company",
        keep.id or 0,
        other.id or 0,
        keep.to_json(),
        other.to_json(),
        changes,
        store.company_links(db, other.id or 0),
    )


@retried
def merge_companies(
    db: Database, keep_ref: str, other_ref: str, take: dict[str, str] | None = None
) -> MergePlan:
    """Merge organisation OTHER into KEEP and remove OTHER, in one transaction (both kept in
    `merge_images` for `unmerge`)."""
    with transaction(db):
        keep, other = _two(db, keep_ref, other_ref, "company")
        keep_id, other_id = keep.id or 0, other.id or 0
        plan = _company_plan(db, keep, other, take)
        image_id = unmerge.capture_companies(db, keep_id, other_id)
        moved = store.move_company_references(db, keep_id, other_id)
        journal.move(db, "company", keep_id, other_id)
        store.move_import_changes(db, "company", keep_id, other_id)
        other_batch = store.created_batch(db, "companies", other_id)
        if other_batch is not None:
            store.set_created_batch(db, "companies", keep_id, other_batch)
        dedupe_store.forget_ignores(db, "company", other_id)
        audit.record(db, "company", other_id, "merge", {"into": keep_id})
        company_store.delete(db, other_id)
        apply_changes(keep, plan.changes)
        company_store.update(db, keep, audited=False)
        audit.record(
            db, "company", keep_id, "merge", {"merged_id": other_id, "fields": plan.changed_fields}
        )
        search.index_company(db, company_store.get(db, keep_id))
        for contact_id in moved:
            search.reindex_contact(db, contact_id)
        unmerge.finish(db, image_id, "company", keep_id)
    return plan
