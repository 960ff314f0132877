"""SQL for contacts: read, resolve references, insert, update, delete, list."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from greentech_cli.db.dialect import DIALECTS, Dialect
from greentech_cli.errors import Conflict
from greentech_cli.models.fields import Address, Email, Phone, fields_of
from greentech_cli.models.records import PRIMARY_KEYS, Contact
from greentech_cli.store import audit, companies, search
from greentech_cli.store.common import (
    NewIds,
    as_id,
    decode_row,
    dumps,
    encode,
    encode_items,
    fetch_all,
    fetch_one,
    given,
    insert_stored_row,
    new_id,
    new_uid,
    new_uids,
    not_found,
    now,
    one_of,
    update_row,
)

if TYPE_CHECKING:
    from greentech_cli.db import Database

# The stored fields: every data field of a Contact and its uid (declared once by the dataclass),
# then the primary email, phone and mobile, kept in their own indexed columns for lookups.
STORED = (*fields_of(Contact), "uid")
COLUMNS = (*STORED, *PRIMARY_KEYS)
# The value objects of the JSON list columns.
_ITEMS: dict[str, type] = {"emails": Email, "phones": Phone, "addresses": Address}
_JSON_LISTS = ("languages", "tags", "websites", "aliases")
# Stored as JSON text, the rest as they are.
_ENCODED = (*_ITEMS, *_JSON_LISTS, "extra")
_SCALARS = tuple(name for name in STORED if name not in _ENCODED)

SELECT = (
    "SELECT contacts.*, companies.name AS company_name FROM contacts "
    "LEFT JOIN companies ON companies.id = contacts.company_id"
)


# A list of values given as one JSON parameter: any length, one prepared statement.
_LISTED = {d.name: f"({d.json_values('?', integer=True)})" for d in DIALECTS}


def from_row(row: dict[str, Any]) -> Contact:
    """A Contact from a `contacts` row joined with its company's name."""
    values = decode_row(row, STORED, _ITEMS, _JSON_LISTS, ("extra",))
    return Contact(
        **values,
        id=row["id"],
        company=row.get("company_name"),
        created_batch_id=row["created_batch_id"],
    )


def to_row(contact: Contact) -> dict[str, Any]:
    """The column values of a Contact (JSON columns encoded, primaries and name key derived)."""
    from greentech_cli.text.names import name_key

    row = {name: getattr(contact, name) for name in _SCALARS}
    for name in _ENCODED:
        row[name] = encode(getattr(contact, name))
    row["email"], row["phone"], row["mobile"] = contact.email, contact.phone, contact.mobile
    row["name_key"] = name_key(contact.first_name, contact.last_name, contact.native_name)
    return row


def get(db: Database, contact_id: int) -> Contact:
    """The contact with this id, or NotFound."""
    row = fetch_one(db, f"{SELECT} WHERE contacts.id = ?", [contact_id])
    if row is None:
        raise not_found("contact with id", contact_id)
    return from_row(row)


def get_many(db: Database, contact_ids: list[int]) -> list[Contact]:
    """Contacts for the given ids, in that order (missing ids skipped)."""
    if not contact_ids:
        return []
    listed = _LISTED[db.engine]
    rows = fetch_all(db, f"{SELECT} WHERE contacts.id IN {listed}", [dumps(contact_ids)])
    by_id = {r["id"]: from_row(r) for r in rows}
    return [by_id[i] for i in contact_ids if i in by_id]


def find_by_email(db: Database, email: str) -> list[Contact]:
    """Contacts with this email address (compared ignoring case)."""
    same = db.dialect.eq_nocase("contacts.email", "?")
    rows = fetch_all(db, f"{SELECT} WHERE {same}", [email.strip()])
    return [from_row(r) for r in rows]


def resolve(db: Database, ref: str | int) -> Contact:
    """A contact by id or email; an email shared by several contacts is a Conflict."""
    contact_id = as_id(ref)
    if contact_id is not None:
        row = fetch_one(db, f"{SELECT} WHERE contacts.id = ?", [contact_id])
        if row is not None:
            return from_row(row)
    matches = find_by_email(db, str(ref)) if "@" in str(ref) else []
    if not matches:
        raise not_found("contact", ref)
    if len(matches) > 1:
        ids = ", ".join(str(c.id) for c in matches)
        raise Conflict(
            f"{len(matches)} contacts have the email {str(ref)!r} (ids {ids}); use the id"
        )
    return matches[0]


def insert(
    db: Database, contact: Contact, *, batch_id: int | None = None, audited: bool = True
) -> Contact:
    """Store a new contact (inside the caller's transaction) and return it with its id."""
    insert_stored(db, contact, batch_id=batch_id)
    if audited:
        audit.record(db, "contact", contact.id or 0, "create", {})
    return contact


def insert_stored(db: Database, contact: Contact, *, batch_id: int | None = None) -> dict[str, Any]:
    """Store and index a new contact (not audited); returns its stored row, every column.

    The stored row is built from the values written (`common.insert_stored_row`), so nothing is
    read back for the index.
    """
    if contact.uid is None:
        contact.uid = new_uid()
    row = to_row(contact)
    stamp = now()
    row.update(id=next_id(db), created_at=stamp, updated_at=stamp, created_batch_id=batch_id)
    stored = insert_stored_row(db, "contacts", row)
    contact.id = stored["id"]
    contact.created_batch_id = batch_id
    company: tuple[str | None, str | None] = (None, None)
    if contact.company_id is not None:
        company = companies.name_city(db, contact.company_id)
    search.index_new_contact(db, stored, *company)
    return stored


def update(db: Database, contact: Contact, *, audited: bool = True) -> dict[str, list[Any]]:
    """Write a changed contact back; returns the changed fields (also written to the audit log)."""
    assert contact.id is not None
    before = get(db, contact.id)
    changes = audit.changed_fields(before.to_json(), contact.to_json())
    changes.pop("company", None)  # derived from company_id
    if not changes:
        return {}
    update_row(db, "contacts", contact.id, {**to_row(contact), "updated_at": now()})
    search.reindex_contact(db, contact.id)
    # The audit keeps which fields changed, not personal values (privacy erase relies on it).
    if audited:
        audit.record(db, "contact", contact.id, "update", {"fields": sorted(changes)})
    return changes


def delete(db: Database, contact_id: int) -> None:
    """Remove a contact; memberships and visit links go with it (ON DELETE CASCADE)."""
    db.execute("DELETE FROM contacts WHERE id = ?", [contact_id])
    search.remove_contact(db, contact_id)
    audit.record(db, "contact", contact_id, "delete", {})


@dataclass
class ContactFilter:
    """Filters of `contact list` and of contact exports.

    Each filter may hold one value or a tuple of values: any of a tuple's values matches (a
    repeated `--role delegate --role lead`), and every filter given must match.
    """

    company_id: int | tuple[int, ...] | None = None
    country: str | tuple[str, ...] | None = None
    tag: str | tuple[str, ...] | None = None
    delegation_id: int | None = None
    role: str | tuple[str, ...] | None = None
    sector: str | tuple[str, ...] | None = None
    share_consent: str | None = None
    # The contacts an import created or changed (its batch id).
    import_batch: int | None = None
    # Only these contacts (a visit's attendees and hosts).
    contact_ids: tuple[int, ...] | None = None


def _where(d: Dialect, flt: ContactFilter) -> tuple[str, list[Any]]:
    where: list[str] = ["1=1"]
    params: list[Any] = []
    if given(flt.company_id):
        where.append(one_of("contacts.company_id", flt.company_id, params))
    if given(flt.country):
        where.append(one_of("contacts.country", flt.country, params))
    if given(flt.tag):
        test = one_of("value", flt.tag, params, fold=d.fold)
        where.append(f"EXISTS ({d.json_values('contacts.tags')} WHERE {test})")
    if flt.delegation_id is not None or given(flt.role):
        member = ["members.contact_id = contacts.id"]
        if flt.delegation_id is not None:
            member.append("members.delegation_id = ?")
            params.append(flt.delegation_id)
        if given(flt.role):
            member.append(one_of("members.role", flt.role, params))
        where.append(f"EXISTS (SELECT 1 FROM members WHERE {' AND '.join(member)})")
    if given(flt.sector):
        test = one_of("value", flt.sector, params)
        where.append(f"EXISTS ({d.json_values('companies.sectors')} WHERE {test})")
    if flt.share_consent:
        where.append("contacts.share_consent = ?")
        params.append(flt.share_consent)
    if flt.import_batch is not None:
        where.append(
            "contacts.id IN (SELECT entity_id FROM import_changes "
            "WHERE batch_id = ? AND entity = 'contact')"
        )
        params.append(flt.import_batch)
    if flt.contact_ids is not None:
        import json

        where.append(f"contacts.id IN ({d.json_values('?', integer=True)})")
        params.append(json.dumps(list(flt.contact_ids)))
    return " AND ".join(where), params


ORDER = {
    d.name: f" ORDER BY {d.order('contacts.last_name', nocase=True)}, "
    f"{d.order('contacts.first_name', nocase=True)}, contacts.id"
    for d in DIALECTS
}


def select(db: Database, flt: ContactFilter, limit: int | None = None) -> list[Contact]:
    """Contacts matching the filter, by last and first name."""
    where, params = _where(db.dialect, flt)
    sql = f"{SELECT} WHERE {where}{ORDER[db.engine]}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [from_row(r) for r in fetch_all(db, sql, params)]


def iterate(db: Database, flt: ContactFilter, limit: int | None = None) -> Iterator[Contact]:
    """Contacts matching the filter, streamed one by one (for large exports and lists)."""
    where, params = _where(db.dialect, flt)
    sql = f"{SELECT} WHERE {where}{ORDER[db.engine]}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield from_row(dict(zip(names, row, strict=True)))


def count_matching(db: Database, flt: ContactFilter) -> int:
    """How many contacts match the filter."""
    where, params = _where(db.dialect, flt)
    sql = (
        "SELECT count(*) FROM contacts LEFT JOIN companies ON companies.id = contacts.company_id "
        f"WHERE {where}"
    )
    return int(db.execute(sql, params).fetchone()[0])


class Keys(NamedTuple):
    """What a duplicate of a contact is looked up by: its email, name keys and phones.

    The name keys count only at the same company (or a contact with none): a common name is
    shared by many people, and the same name elsewhere is not enough to be the same person.
    `phones` holds a contact's E.164 numbers: its phone and its mobile, so at most two. `uid`
    is the uid a file gave the row (greentech's own exports carry it): it finds that contact.
    """

    email: str | None
    name_keys: tuple[str, ...]
    phones: tuple[str, ...]
    company_id: int | None
    uid: str | None = None
    # The contact's other email addresses (beside `email`): each finds a stored primary email.
    emails: tuple[str, ...] = ()


# The contacts sharing a key with rows of a list, as (row index, contact id) pairs. Phone numbers
# come as flat JSON arrays with one entry a row (null for none), so json_each's key is the row
# index; emails, several a row, as [index, email] pairs; name keys as [index, key, company id]
# triples. A name key meets the same key at the same company, or at none: each an index seek on
# (name_key, company_id), so the work stays flat however often a common name repeats (the same
# name at other companies is no candidate for the automatic rule, which needs the company). The
# fixed join keeps the keys outermost: else SQLite walks every contact without a company.
# PostgreSQL looks every key up the same way (`Dialect.lookup_join`).
def _candidate_pairs(d: Dialect) -> str:
    pairs, join = d.json_rows, d.lookup_join
    index, key = d.json_item("j.value", 0, integer=True), d.json_item("j.value", 1)
    value = d.json_scalar("j.value")
    company = d.json_item("j.value", 2, integer=True)
    return (
        f"SELECT {index}, c.id FROM {pairs('?1')} AS j "
        f"{join('contacts', 'c', d.eq_nocase('c.email', key))} "
        f"UNION ALL SELECT {index}, e.contact_id FROM {pairs('?1')} AS j "
        f"{join('contact_emails', 'e', d.eq_nocase('e.email', key))} "
        f"UNION ALL SELECT {index}, c.id FROM {pairs('?2')} AS j "
        f"{join('contacts', 'c', f'c.name_key = {key} AND c.company_id = {company}')} "
        f"UNION ALL SELECT {index}, c.id FROM {pairs('?2')} AS j "
        f"{join('contacts', 'c', f'c.name_key = {key} AND c.company_id IS NULL', fixed=True)} "
        f"UNION ALL SELECT j.key, c.id FROM {pairs('?3')} AS j "
        f"{join('contacts', 'c', f'c.phone = {value}')} "
        f"UNION ALL SELECT j.key, c.id FROM {pairs('?3')} AS j "
        f"{join('contacts', 'c', f'c.mobile = {value}')} "
        f"UNION ALL SELECT j.key, c.id FROM {pairs('?4')} AS j "
        f"{join('contacts', 'c', f'c.phone = {value}')} "
        f"UNION ALL SELECT j.key, c.id FROM {pairs('?4')} AS j "
        f"{join('contacts', 'c', f'c.mobile = {value}')} "
        f"UNION ALL SELECT j.key, c.id FROM {pairs('?5')} AS j "
        f"{join('contacts', 'c', f'c.uid = {value}')}"
    )


_CANDIDATE_PAIRS = {d.name: _candidate_pairs(d) for d in DIALECTS}


def candidates(db: Database, wanted: list[Keys]) -> list[list[Contact]]:
    """Contacts sharing the uid, an email (any of theirs: `contact_emails` holds the further
    ones), a phone number, or a name key at the same (or no) company: the block a duplicate
    hides in, in id order, for each of many contacts at once.

    One query for the whole list: SQLite joins each key with its index and returns only the
    pairs that meet, so a list without duplicates costs one statement and little Python a row.
    """
    emails = [
        [i, email]
        for i, k in enumerate(wanted)
        for email in dict.fromkeys(e for e in (k.email, *k.emails) if e)
    ]
    # A name counts at the contact's company or none.
    names = [[i, key, k.company_id] for i, k in enumerate(wanted) for key in k.name_keys]
    # A contact has at most two numbers (phone and mobile); either may match either column.
    assert all(len(k.phones) <= 2 for k in wanted)
    first = [k.phones[0] if k.phones else None for k in wanted]
    second = [k.phones[1] if len(k.phones) > 1 else None for k in wanted]
    blocks: list[set[int]] = [set() for _ in wanted]
    uids = [k.uid for k in wanted]
    arguments = [dumps(emails), dumps(names), dumps(first), dumps(second), dumps(uids)]
    for index, contact_id in db.execute(_CANDIDATE_PAIRS[db.engine], arguments):
        blocks[index].add(contact_id)
    found = {c.id: c for c in get_many(db, sorted(set().union(*blocks)))}
    return [[found[i] for i in sorted(block) if i in found] for block in blocks]


def same_name_counts(company_id: int | None, other_company_id: int | None) -> bool:
    """Whether a shared name key makes two contacts candidates: same company, or one has none."""
    return company_id is None or other_company_id is None or company_id == other_company_id


# A new contact's row as an import writes it: the values the contact itself gives (`row_values`,
# worked out beside the writer), after the id, company and bookkeeping the writer adds.
VALUE_COLUMNS = (*(c for c in COLUMNS if c != "company_id"), "name_key")
_NEW_COLUMNS = ("id", "company_id", "created_batch_id", "created_at", "updated_at", *VALUE_COLUMNS)
_EMAIL, _POSITION, _TAGS, _UID = (
    VALUE_COLUMNS.index(c) for c in ("email", "position", "tags", "uid")
)


def row_values(row: dict[str, Any]) -> tuple[Any, ...]:
    """The VALUE_COLUMNS values of a `to_row` row, in that order."""
    return tuple(row[name] for name in VALUE_COLUMNS)


# new_values: every VALUE_COLUMNS attribute but the name key read in one call, then the JSON
# columns encoded in place (value objects by `encode_items`, the rest by `encode`).
_VALUE_ATTRIBUTES = attrgetter(*VALUE_COLUMNS[:-1])
_VALUE_ENCODERS = tuple(
    (index, encode_items if name in _ITEMS else encode)
    for index, name in enumerate(VALUE_COLUMNS)
    if name in _ENCODED
)


def new_values(contact: Contact) -> tuple[Any, ...]:
    """`row_values(to_row(contact))`, without the row in between: what an import prepares for
    each new contact (tests/test_import_fastpaths.py checks both give the same)."""
    from greentech_cli.text.names import name_key

    values = list(_VALUE_ATTRIBUTES(contact))
    for index, encoder in _VALUE_ENCODERS:
        values[index] = encoder(values[index])
    values.append(name_key(contact.first_name, contact.last_name, contact.native_name))
    return tuple(values)


class NewContact(NamedTuple):
    """A contact an import creates: its id and company, its `row_values` and `search.name_part`."""

    id: int
    company_id: int | None
    values: tuple[Any, ...]
    names: tuple[str, list[str]]


def insert_many(
    db: Database,
    rows: list[NewContact],
    companies_of: dict[int | None, tuple[str | None, str | None]],
    *,
    batch_id: int | None,
    stamp: str,
) -> None:
    """Store and index new contacts, created by the batch at the time `stamp`.

    `companies_of` holds the stored (name, city) of every company the rows link to (and None: no
    company, no name and city), for the index. One executemany per table: the way a large import
    writes.
    """
    if not rows:
        return
    # A fresh uid where the file gave none.
    db.insert_many(
        "contacts",
        _NEW_COLUMNS,
        [
            (
                r.id,
                r.company_id,
                batch_id,
                stamp,
                stamp,
                *r.values[:_UID],
                uid,
                *r.values[_UID + 1 :],
            )
            if r.values[_UID] is None
            else (r.id, r.company_id, batch_id, stamp, stamp, *r.values)
            for r, uid in zip(rows, new_uids(len(rows)), strict=True)
        ],
    )
    search.index_new_contacts(
        db,
        [
            search.entry(
                r.id,
                r.names,
                r.values[_EMAIL],
                r.values[_POSITION],
                r.values[_TAGS],
                *companies_of[r.company_id],
            )
            for r in rows
        ],
    )


def next_id(db: Database) -> int:
    """A new contact's id, never one a contact had before (`common.NewIds`)."""
    return new_id(db, "contacts")


def new_ids(db: Database) -> NewIds:
    """New contacts' ids, taken one by one as an import decides a row is new (`common.NewIds`:
    on PostgreSQL a block at a time; a dry run takes none from the counter)."""
    return NewIds(db, "contacts")
