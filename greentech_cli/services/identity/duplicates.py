"""Finding the existing record an incoming one duplicates — the import's duplicate check.

Candidates come from indexed columns (any of the row's emails against the stored primary email,
the folded name key at the same company or none, the phones, the uid), so memory and the work per
row stay flat however long the file is and however often a name repeats; rows created earlier in
the same import are found the same way because they are already in the (uncommitted)
transaction. `decide` then keeps the two decisions of `services.identity.matcher` apart: the
contact that is the same person (acted on: fill, update, skip) and those that are possibly the
same (listed in the summary with score and reasons, never acted on) — the rules `greentech
dedupe` uses. A stored contact's further emails are compared once it is a candidate, but do not
make it one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from greentech_cli.models.fields import Address
from greentech_cli.models.records import Company, Contact
from greentech_cli.services.identity import merge
from greentech_cli.services.identity.matcher import THRESHOLD, Candidate, Match, score
from greentech_cli.store import companies, contacts
from greentech_cli.text.company_names import company_key
from greentech_cli.text.names import is_placeholder, name_keys

if TYPE_CHECKING:
    from greentech_cli.db import Database


class DuplicateFinder:
    """Looks up the existing contact or company an incoming record is a duplicate of."""

    def __init__(self, db: Database, target: str) -> None:
        self.db = db
        self.target = target

    def find_contact(self, incoming: Contact) -> int | None:
        """The id of the existing contact that is the same person, or None."""
        return self.find_contacts([incoming])[0]

    def decide(self, incoming: Contact) -> Decision:
        """The contact that is the same person and those that possibly are (`decide`)."""
        found = contacts.candidates(self.db, [keys_of(incoming)])[0]
        return decide(incoming, found)

    def find_contacts(self, incoming: list[Contact]) -> list[int | None]:
        """`find_contact` for many contacts at once, against the database as it is now."""
        blocks = contacts.candidates(self.db, [keys_of(c) for c in incoming])
        return [best_match(c, found) for c, found in zip(incoming, blocks, strict=True)]

    def find_company(self, incoming: Company) -> int | None:
        """The id of the existing company with the same normalised name or VAT id, or None."""
        found = companies.candidates(
            self.db, name_key=company_key(incoming.name), vat_id=incoming.vat_id
        )
        return found[0].id if found else None


def keys_of(incoming: Contact) -> contacts.Keys:
    """What a contact's duplicates are looked up by."""
    keys = name_keys(incoming.first_name, incoming.last_name, incoming.native_name)
    return keys_for(
        incoming.email,
        incoming.phone,
        incoming.mobile,
        keys,
        incoming.company_id,
        incoming.uid,
        tuple(e.value for e in incoming.emails),
    )


def keys_for(
    email: str | None,
    phone: str | None,
    mobile: str | None,
    names: Iterable[str],
    company_id: int | None,
    uid: str | None = None,
    emails: tuple[str, ...] = (),
) -> contacts.Keys:
    """The lookup keys from a contact's values: its emails (the primary first), name keys, E.164
    numbers and uid."""
    phones = tuple(p for p in (phone, mobile) if p and p.startswith("+"))
    others = tuple(e for e in emails if e and e != email)
    return contacts.Keys(email, tuple(sorted(names)), phones, company_id, uid, others)


@dataclass
class Decision:
    """What the matcher says about an incoming row: the contact it is (`same`, acted on by the
    import), and the contacts it may be (`possible`: listed with score and reasons, never acted
    on)."""

    same: int | None = None
    possible: list[Match] = field(default_factory=list)

    def __reduce__(self) -> tuple[type[Decision], tuple[int | None, list[Match]]]:
        # Pickled as its two fields (an import's early matches wait in a file): a fifth of the
        # default's work.
        return Decision, (self.same, self.possible)


def decide(incoming: Contact, found: list[Contact]) -> Decision:
    """The contact among `found` that is the same person as the incoming row, and the ones that
    possibly are (best first).

    The same person needs strong evidence (`matcher.Match.same`: a shared email, or the same
    folded name at the same company with nothing contradicting), or a row whose every identifying
    value is exactly what is stored (the row imported again). A row that carries a uid (greentech's
    own export) is that contact or a new one: rows with different uids are never the same, whatever
    else they share — they may still be listed as possibly the same.
    """
    decision = Decision()
    if not found:
        return decision
    person = Candidate.of(incoming)
    best: tuple[int, int] | None = None
    for existing in found:
        existing_id = existing.id or 0
        if incoming.uid is not None and existing.uid == incoming.uid:
            return Decision(existing_id)
        match = score(person, Candidate.of(existing))
        same = match is not None and match.same and incoming.uid is None
        if not same and incoming.uid is None and _repeats(incoming, existing):
            # The same name and nothing that differs: the row was imported before.
            same, match = True, match or Match(existing_id, THRESHOLD, ["same values"])
        if match is None:
            continue
        if same:
            if best is None or match.score > best[0]:
                best = (match.score, existing_id)
        elif match.score >= THRESHOLD:
            decision.possible.append(Match(existing_id, match.score, match.reasons))
    if best is not None:
        decision.same = best[1]
        decision.possible = [m for m in decision.possible if m.contact_id != best[1]]
    decision.possible.sort(key=lambda m: (-m.score, m.contact_id))
    return decision


def best_match(incoming: Contact, found: list[Contact]) -> int | None:
    """The contact that is the same person as the incoming row (`decide`), or None."""
    return decide(incoming, found).same


REPEAT_FIELDS = (
    "first_name", "last_name", "native_name", "email", "phone", "mobile", "company_id", "position",
    "notes",
)  # fmt: skip


def _repeats(incoming: Contact, existing: Contact) -> bool:
    """Whether every identifying value the incoming row has is exactly what is stored (never for
    a placeholder name: two "N.N." of one company are two people)."""
    if is_placeholder(incoming.first_name, incoming.last_name, incoming.native_name):
        return False
    given = [name for name in REPEAT_FIELDS if getattr(incoming, name)]
    return bool(given) and all(getattr(incoming, n) == getattr(existing, n) for n in given)


class KeySet:
    """The lookup keys of contacts created or changed since a chunk's duplicates were looked up."""

    def __init__(self) -> None:
        self.emails: set[str] = set()
        self.names: dict[str, set[int | None]] = {}
        self.phones: set[str] = set()
        self.uids: set[str] = set()

    def clear(self) -> None:
        self.emails.clear()
        self.names.clear()
        self.phones.clear()
        self.uids.clear()

    def add(self, keys: contacts.Keys) -> None:
        if keys.uid:
            self.uids.add(keys.uid)
        for email in (keys.email, *keys.emails):
            if email:
                self.emails.add(email.casefold())
        for key in keys.name_keys:
            self.names.setdefault(key, set()).add(keys.company_id)
        self.phones.update(keys.phones)

    def meets(self, keys: contacts.Keys) -> bool:
        """Whether one of them could be a candidate for a contact with these keys.

        The rule of `contacts.candidates`, loosened (emails compared casefolded), never tighter.
        """
        if keys.uid and keys.uid in self.uids:
            return True
        if any(e and e.casefold() in self.emails for e in (keys.email, *keys.emails)):
            return True
        for key in keys.name_keys:
            for company_id in self.names.get(key, ()):
                if contacts.same_name_counts(keys.company_id, company_id):
                    return True
        return not self.phones.isdisjoint(keys.phones)


class WrittenKeys:
    """The lookup keys of every contact an import wrote or changed, in a fixed-size bit filter.

    Before the lock the import looks each row up against the database as it was; under the lock
    only a row whose keys may meet a contact the import itself wrote (or changed) is looked up
    again. `meets` follows the rule of `contacts.candidates` (a name at the row's company or at
    none; emails casefolded, so never tighter) and may answer yes wrongly now and then (a
    hash collision: one lookup more), never no wrongly. Memory stays at FILTER_BITS / 8 bytes
    however many rows come.
    """

    FILTER_BITS = 1 << 26

    def __init__(self) -> None:
        self.bits = bytearray(self.FILTER_BITS // 8)

    def add(self, keys: contacts.Keys) -> None:
        bits, mask = self.bits, self.FILTER_BITS - 1
        for item in _filter_items(keys, (keys.company_id,)):
            # Two bits a key, both from its one hash (set where `meets` looks).
            value = hash(item)
            first, second = value & mask, (value >> 26) & mask
            bits[first >> 3] |= 1 << (first & 7)
            bits[second >> 3] |= 1 << (second & 7)

    def meets(self, keys: contacts.Keys) -> bool:
        """Whether a contact added here may be a candidate for a contact with these keys."""
        bits, mask = self.bits, self.FILTER_BITS - 1
        # A name counts at the same company or none.
        companies = (None,) if keys.company_id is None else (None, keys.company_id)
        for item in _filter_items(keys, companies):
            value = hash(item)
            first, second = value & mask, (value >> 26) & mask
            if bits[first >> 3] >> (first & 7) & 1 and bits[second >> 3] >> (second & 7) & 1:
                return True
        return False


def _filter_items(keys: contacts.Keys, companies: tuple[int | None, ...]) -> list[object]:
    """What `WrittenKeys` puts in its filter for a contact's keys (its names at each of
    `companies`): the uid, each email casefolded, each name key with a company, each phone."""
    items: list[object] = [("uid", keys.uid)] if keys.uid else []
    if keys.email:
        items.append(("email", keys.email.casefold()))
    for email in keys.emails:
        if email:
            items.append(("email", email.casefold()))
    for key in keys.name_keys:
        for company_id in companies:
            items.append(("name", key, company_id))
    for phone in keys.phones:
        items.append(("phone", phone))
    return items


EMPTY: tuple[object, ...] = (None, "", [], {}, "unknown")


def overwrite(current: Any, incoming: Any, names: tuple[str, ...]) -> bool:
    """Replace current's fields with incoming's non-empty values (`--on-duplicate update`); True
    when anything changed. A contact's name that the row replaces stays as an alias.

    A list (emails, phones, addresses, tags…) takes the row's values first — its first email is
    the primary now — and keeps the stored ones the row does not name after them; named extra
    values take the row's and keep the others: a row that says nothing of a second email or an
    old number does not remove it."""
    before = _spelling(current) if isinstance(current, Contact) else ""
    changed = False
    for name in names:
        new = getattr(incoming, name)
        if new in EMPTY:
            continue
        old = getattr(current, name)
        if isinstance(new, list):
            new = _file_first(new, old or [])
        elif isinstance(new, dict):
            new = {**(old or {}), **new}
        if old != new:
            setattr(current, name, new)
            changed = True
    if before and before != _spelling(current) and before not in current.aliases:
        current.aliases = [*current.aliases, before]
    return changed


def _file_first(new: list[Any], old: list[Any]) -> list[Any]:
    """The row's items, then the stored items whose value the row does not hold."""
    given = {_item_key(item) for item in new}
    return [*new, *(item for item in old if _item_key(item) not in given)]


def _item_key(item: Any) -> Any:
    """What an item of a list is compared by: its value (casefolded), or a whole postal address
    as written (an Address has no single value and cannot be hashed itself)."""
    if isinstance(item, Address):
        return tuple(getattr(item, name) for name in item.__dataclass_fields__)
    value = getattr(item, "value", item)
    return value.casefold() if isinstance(value, str) else value


def _spelling(contact: Contact) -> str:
    return " ".join(p.strip() for p in (contact.first_name, contact.last_name) if p and p.strip())


def take_row(
    on_duplicate: str,
    entity: str,
    entity_id: int,
    current: Any,
    incoming: Any,
    names: tuple[str, ...],
) -> tuple[bool, list[str]]:
    """Bring a row's values into the stored record it duplicates: whether that changed it, and
    the warnings for the row.

    `update` overwrites with every value the row has. `fill` follows the rule of `contact merge`
    (fill what is empty, unite lists, append notes, honour a withdrawn consent) and says which
    stored values it kept over the file's, so none is dropped unseen.
    """
    if on_duplicate == "update":
        return overwrite(current, incoming, names), []
    if entity == "contact":
        changes = merge.contact_changes(current, incoming)
    else:
        changes = merge.field_changes(current, incoming, names)
    merge.apply_changes(current, changes)
    warnings = [
        f"{_label(change.field)} withdrawn for {entity} {entity_id}: the file says no"
        for change in changes
        if change.action == "withdraw" and change.field in merge.CONSENTS
    ]
    kept = [_label(c.field) for c in changes if c.action == "conflict"]
    if kept:
        warnings.append(
            f"same as {entity} {entity_id}, whose stored {', '.join(kept)} "
            f"{'was' if len(kept) == 1 else 'were'} kept over the file's "
            "(--on-duplicate update takes the file's)"
        )
    return any(change.action != "conflict" for change in changes), warnings


def _label(field: str) -> str:
    """A field as warnings name it: "share consent", "company" (for company_id)."""
    return "company" if field == "company_id" else field.replace("_", " ")
