"""Programme files: a delegation with its people, companies and visits as YAML a person can edit.

`dump` writes everything needed to recreate the programme in an empty database; `apply` creates
or updates it idempotently in one transaction, naming the YAML line of anything it refuses.
The file format and its safe loading live in `programme.document`, the run that applies each entry
in `programme.apply`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from greentech_cli.db import transaction
from greentech_cli.errors import InvalidData, NotFound, UnreadableFile
from greentech_cli.files import write_private_text
from greentech_cli.models.records import Company, Contact
from greentech_cli.services.programme.apply import ApplyResult, ApplyRun
from greentech_cli.services.programme.document import (
    COMPANY_FIELDS,
    DELEGATION_FIELDS,
    FORMAT,
    PERSON_FIELDS,
    Doc,
    load,
    name_of,
)
from greentech_cli.services.schedule.places import text_of
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import delegations as delegation_store
from greentech_cli.store import members as member_store
from greentech_cli.store import visits as visit_store
from greentech_cli.store.trip import dietary as dietary_store
from greentech_cli.text.dates import wall_time

if TYPE_CHECKING:
    from pathlib import Path

    from greentech_cli.db import Database

MAX_BYTES = 20_000_000

HEADER = """\
# greentech programme of {code}. Edit it and load it with: greentech programme apply FILE
# Times are wall-clock times in each visit's time zone. People are referred to by email, or by
# "First Last" (with ", Company" added when the name alone is not unique). Quote values that
# YAML would otherwise read as numbers or yes/no: postcodes '01067', times '10:30', country 'NO'.
"""


# --- dump ----------------------------------------------------------------------------------


def _person_refs(people: list[Contact]) -> dict[int, str]:
    """How the file refers to each person: email, else name, else name and company."""
    counts: dict[str, int] = {}
    for person in people:
        if not person.email:
            key = name_of(person).casefold()
            counts[key] = counts.get(key, 0) + 1
    refs: dict[int, str] = {}
    for person in people:
        if person.email:
            refs[person.id or 0] = person.email
        elif counts[name_of(person).casefold()] > 1 and person.company:
            refs[person.id or 0] = f"{name_of(person)}, {person.company}"
        else:
            refs[person.id or 0] = name_of(person)
    return refs


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v not in (None, [], {}, "")}


def _local(value: datetime) -> str:
    return wall_time(value)


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
    people.sort(key=lambda c: (name_of(c).casefold(), c.email or "", c.id or 0))
    refs = _person_refs(people)
    company_ids = {delegation.host_id, delegation.partner_id}
    company_ids |= {v.company_id for v in visits} | {p.company_id for p in people}
    company_ids |= {e.company_id for v in visits for e in (v.origin, v.destination) if e}
    uids = {v.id: v.uid for v in visits}
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
    needs = dietary_store.of_delegation(db, delegation.id or 0)
    data["members"] = [
        _compact({"person": refs[m.contact_id], "role": m.role, "status": m.status,
                  "notes": m.notes, **_dietary(needs.get(m.contact_id))})
        for m in members
    ]  # fmt: skip
    data["visits"] = [
        _compact(
            {
                "uid": v.uid,
                "title": v.title,
                "kind": v.kind,
                "status": None if v.status == "planned" else v.status,
                "start": _local(v.start),
                "end": _local(v.end),
                "timezone": v.timezone,
                "company": v.company,
                "location": v.location,
                "room": v.room,
                "lat": v.lat,
                "lon": v.lon,
                "from": text_of(v.origin),
                "to": text_of(v.destination),
                "mode": v.mode,
                "capacity": v.capacity,
                "parent": uids.get(v.parent_id),
                "hosts": [refs[i] for i in v.host_contact_ids if i in refs],
                "attendees": [refs[i] for i in v.attendee_ids if i in refs],
                "notes": v.notes,
                "internal_notes": v.internal_notes,
                **{
                    f"{name}_{lang}": v.translations.get(name, {}).get(lang)
                    for name in ("title", "notes", "location")
                    for lang in ("de", "en", "ru")
                },
            }
        )
        for v in visits
    ]
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100, indent=2)
    return HEADER.format(code=delegation.code) + body


def _dietary(record: dict[str, Any] | None) -> dict[str, Any]:
    """A member's dietary needs as the file writes them, with the consent they were given under."""
    if not record:
        return {}
    return {
        "dietary": record["needs"],
        "dietary_consent": record["consent_date"],
        "dietary_source": record["consent_source"],
    }


def write_file(content: str, path: Path) -> None:
    """Write a dumped programme to a file: owner-only (it names people), complete or not at all."""
    write_private_text(path, content)


def _company_entry(company: Company) -> dict[str, Any]:
    record = company.to_json()
    entry = {key: record.get(key) for key in COMPANY_FIELDS}
    return _compact(entry)


def _person_entry(person: Contact) -> dict[str, Any]:
    record = person.to_json()
    entry = {key: record.get(key) for key in PERSON_FIELDS}
    for consent in ("share_consent", "marketing_consent"):
        if entry.get(consent) == "unknown":
            entry[consent] = None
    # The lists only when they say more than email, phone and mobile do.
    if _primaries_say_all(person):
        entry["emails"] = entry["phones"] = None
    else:
        entry["email"] = entry["phone"] = entry["mobile"] = None
    return _compact(entry)


def _primaries_say_all(person: Contact) -> bool:
    """Whether email, phone and mobile hold every address and number, with their usual kinds."""
    plain = [(p.type, p.extension) for p in person.phones]
    return (
        len(person.emails) <= 1
        and all(e.type == "work" for e in person.emails)
        and plain.count(("work", None)) <= 1
        and plain.count(("mobile", None)) <= 1
        and len(plain) == plain.count(("work", None)) + plain.count(("mobile", None))
    )


# --- apply ---------------------------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def read_file(path: Path) -> str:
    """A programme file's text (UTF-8), or a clear error; a pipe or FIFO is read like a file,
    waiting a while for data, not for ever."""
    from greentech_cli.importers.streams import is_stream, read_stream

    try:
        if is_stream(path):
            return read_stream(path, limit=MAX_BYTES).decode("utf-8-sig")
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
    db: Database,
    content: str,
    source: str,
    *,
    dry_run: bool = False,
    prune: bool = False,
    force: bool = False,
    date_order: str | None = None,
) -> ApplyResult:
    """Create or update everything a programme file describes, all or nothing.

    `force` accepts years outside 1900–2100; `date_order` (dmy or mdy) reads slashed dates.
    """
    try:
        data, lines = load(content, source)
    except RecursionError:
        raise InvalidData(
            f"{source}: the YAML is nested too deeply (thousands of levels) to be a programme"
        ) from None
    doc = Doc(source, lines, date_order)
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
    run = ApplyRun(db, doc, force=force)
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


def _section(doc: Doc, data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise doc.fail((key,), "expected a list of entries (each starting with '- ')")
    return value
