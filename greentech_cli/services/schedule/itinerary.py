"""The itinerary of a delegation (or of one member): days of visits with places, hosts and zones."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from greentech_cli.errors import Conflict, NotFound
from greentech_cli.exporters.registry import itinerary_format
from greentech_cli.files import write_private_files, write_private_text
from greentech_cli.models.itinerary import Day, Entry, Itinerary, Person
from greentech_cli.models.records import (
    ATTENDANCE_STATUSES,
    MOVING_KINDS,
    Company,
    Contact,
    Delegation,
    Member,
    Visit,
)
from greentech_cli.services.records import dietary
from greentech_cli.services.schedule.visits import attendee_ids, visit_json
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import delegations as delegation_store
from greentech_cli.store import members as member_store
from greentech_cli.store import visits as visit_store
from greentech_cli.store.followup import attendance as attendance_store
from greentech_cli.text.dates import in_zone
from greentech_cli.text.names import fold, text_readings
from greentech_cli.text.phones import display_phone

if TYPE_CHECKING:
    from greentech_cli.db import Database


def person(contact: Contact, role: str | None = None, *, consent: bool = False) -> Person:
    """A Person for an itinerary from a contact; with `consent`, their email and phone only
    when they agreed to have them shared (share consent `yes`), their name and role always."""
    reach = contact.primary_phone(mobile=True) or contact.primary_phone(mobile=False)
    withheld = consent and contact.share_consent != "yes" and bool(contact.email or reach)
    shown = reach if reach and not withheld else None  # a withheld number is not even formatted
    return Person(
        id=contact.id or 0,
        name=contact.display_name,
        native_name=contact.native_name,
        company=contact.company,
        email=None if withheld else contact.email,
        phone=display_phone(shown.value, shown.extension) if shown else None,
        role=role,
        withheld=withheld,
    )


def _consented_record(record: dict[str, Any], contacts: dict[int, Contact]) -> dict[str, Any]:
    """A visit's JSON record as a reader of the itinerary may see it: hosts' and attendees'
    email and phones only with share consent; attendees who said no to sharing left out."""

    def shared(person: dict[str, Any]) -> bool:
        contact = contacts.get(person["id"])
        return contact is not None and contact.share_consent == "yes"

    def reach(person: dict[str, Any]) -> dict[str, Any]:
        if shared(person):
            return person
        return {**person, **{k: None for k in ("email", "phone", "mobile") if k in person}}

    record["host_contacts"] = [reach(p) for p in record["host_contacts"]]
    record["attendees"] = [
        reach(p)
        for p in record["attendees"]
        if p["id"] not in contacts or contacts[p["id"]].share_consent != "no"
    ]
    return record


def _withheld(entries: list[Entry], contacts: dict[int, Contact], left_out: set[int]) -> list[str]:
    """What consent kept out of the itinerary, for stderr: names, never the values."""
    reach = sorted(
        {p.name for e in entries for p in (*e.hosts, *(e.attendees or [])) if p.withheld}
    )
    notes = []
    if reach:
        notes.append(f"email and phone withheld (no share consent): {', '.join(reach)}")
    if left_out:
        names = sorted(contacts[i].display_name for i in left_out if i in contacts)
        notes.append(f"not listed as attendees (share consent no): {', '.join(names)}")
    return notes


# Who reads an itinerary: the delegates, the officer (everything), the caterer (meals' needs).
AUDIENCES = ("participant", "officer", "caterer")
# Those who see the members' dietary needs (special-category data) summed up at meals.
DIETARY_AUDIENCES = ("officer", "caterer")


def address(company: Company | None, location: str | None, room: str | None = None) -> str | None:
    """Where to go: the visit's own venue (address, room), else the company's street, postcode
    and city (with the room, if one is given)."""
    if location:
        return ", ".join(p for p in (location, room) if p)
    if company is None:
        return room
    town = " ".join(p for p in (company.postcode, company.city) if p)
    parts = [p for p in (company.street, town, room) if p]
    return ", ".join(parts) or None


def route(visit: Visit) -> str | None:
    """A transfer's or flight's way: "IHK Düsseldorf → Lippe Recycling GmbH"."""
    ends = [p.label for p in (visit.origin, visit.destination) if p is not None]
    return " → ".join(ends) or None


def _slot_place(
    visit: Visit, blocks: dict[int | None, Visit], companies: dict[int, Company]
) -> str | None:
    """A slot without a venue of its own is at its block's: "IHK Düsseldorf, Raum 4, Tisch 2"."""
    block = blocks.get(visit.parent_id) if visit.parent_id else None
    if block is None or visit.has_venue:
        return None
    company = companies.get(block.company_id) if block.company_id else None
    return address(company, block.location, ", ".join(r for r in (block.room, visit.room) if r))


def _point(
    visit: Visit, blocks: dict[int | None, Visit], companies: dict[int, Company]
) -> tuple[float, float] | None:
    """Where a visit takes place as a point (GEO, the map link): its own venue's, else (a
    slot) its block's, else its company's; none for a journey or a venue without coordinates."""
    if visit.kind in MOVING_KINDS:
        return None
    block = blocks.get(visit.parent_id) if visit.parent_id else None
    if not visit.has_venue and block is not None:
        visit = block
    if visit.has_venue:
        return (visit.lat, visit.lon) if visit.lat is not None and visit.lon is not None else None
    company = companies.get(visit.company_id) if visit.company_id else None
    if company is not None and company.lat is not None and company.lon is not None:
        return company.lat, company.lon
    return None


def _nights(hotel: Visit) -> list[date]:
    """The dates whose night a hotel stay covers: check-in day up to the day before check-out."""
    first, last = hotel.start.date(), hotel.end.date()
    return [first + timedelta(days=n) for n in range((last - first).days)]


def _attendance(recorded: dict[int, str], contacts: dict[int, Contact]) -> dict[str, list[str]]:
    """Who was present, absent and excused at a visit (names), after the fact."""
    found: dict[str, list[str]] = {status: [] for status in ATTENDANCE_STATUSES}
    for contact_id, status in recorded.items():
        if contact_id in contacts:
            found[status].append(contacts[contact_id].display_name)
    return found


def build(
    db: Database,
    delegation_ref: str,
    member_ref: str | None = None,
    day: date | None = None,
    audience: str = "participant",
) -> Itinerary:
    """The itinerary of a delegation, or of one member (contact id or email), or of one day.

    The officer's and the caterer's itinerary sum up the members' dietary needs at each meal."""
    delegation = delegation_store.resolve(db, delegation_ref)
    members = member_store.of_delegation(db, delegation.id or 0)
    visits = visit_store.of_delegation(db, delegation.id or 0)
    who: Member | None = None
    if member_ref is not None:
        who = find_member(db, delegation, members, member_ref)
        visits = [v for v in visits if who.contact_id in attendee_ids(v, members)]
    blocks = {v.id: v for v in visits}
    stays = [v for v in visits if v.kind == "hotel" and not v.cancelled]
    if day is not None:
        visits = [v for v in visits if v.start.date() == day]
    roles = {m.contact_id: m.role for m in members}
    ids = {i for v in visits for i in (*v.host_contact_ids, *attendee_ids(v, members))}
    recorded = attendance_store.of_visits(db, [v.id or 0 for v in visits])
    ids |= {i for people in recorded.values() for i in people}
    contacts = {c.id or 0: c for c in contact_store.get_many(db, sorted(ids))}
    companies = {
        i: company_store.get(db, i)
        for i in sorted({v.company_id for v in [*visits, *stays, *blocks.values()] if v.company_id})
    }
    home = delegation.home_timezone
    refused = {i for i, c in contacts.items() if c.share_consent == "no"}
    left_out: set[int] = set()
    needs = dietary.of_delegation(db, delegation.id or 0) if audience in DIETARY_AUDIENCES else None
    days: dict[date, list[Entry]] = {}
    hotels: dict[date, Entry] = {}
    people: dict[tuple[int, str | None], Person] = {}

    def made(contact_id: int, role: str | None) -> Person:
        """A contact as a Person, each made once (formatting phones is the costly part)."""
        key = (contact_id, role)
        if key not in people:
            people[key] = person(contacts[contact_id], role, consent=True)
        return replace(people[key])

    for visit in [*visits, *(v for v in stays if v not in visits)]:
        company = companies.get(visit.company_id) if visit.company_id else None
        other_home = home is not None and home != visit.timezone
        home_zone = ZoneInfo(home) if other_home and home else None
        entry = Entry(
            visit=visit,
            company=company,
            place=(route(visit) if visit.kind in MOVING_KINDS else None)
            or _slot_place(visit, blocks, companies)
            or address(company, visit.location, visit.room),
            hosts=[made(i, None) for i in visit.host_contact_ids if i in contacts],
            attendees=[
                made(i, roles.get(i))
                for i in visit.attendee_ids
                if i in contacts and i not in refused
            ]
            if visit.attendee_ids
            else None,
            home_start=in_zone(visit.start, home_zone) if home_zone else None,
            home_end=in_zone(visit.end, home_zone) if home_zone else None,
            zone_differs=visit.timezone != delegation.timezone,
            record=_consented_record(visit_json(visit, delegation, contacts, members), contacts),
            block=blocks[visit.parent_id].title if visit.parent_id in blocks else None,
            dietary=dietary.summary(needs, attendee_ids(visit, members))
            if needs is not None and visit.kind == "meal"
            else None,
            internal_notes=visit.internal_notes if audience == "officer" else None,
            point=_point(visit, blocks, companies),
        )
        entry.record["cancelled"] = visit.cancelled
        if audience != "officer":
            entry.record.pop("internal_notes", None)
        left_out |= refused & set(attendee_ids(visit, members))
        if recorded.get(visit.id or 0):
            entry.record["attendance"] = _attendance(recorded[visit.id or 0], contacts)
        if visit in visits:
            days.setdefault(visit.start.date(), []).append(entry)
        if visit.kind == "hotel":
            for night in _nights(visit):
                if day is None or night == day:
                    hotels.setdefault(night, entry)
                    days.setdefault(night, [])
    member = None
    if who is not None and who.contact is not None:
        member = person(who.contact, who.role)
    cancelled = visit_store.tombstones(db, delegation.id or 0) if day is None else []
    if who is not None and day is None:
        # The visits the member was taken off: their own calendar cancels them.
        kept = {v.uid for v in visits}
        cancelled += [
            gone
            for gone in visit_store.dropouts(db, delegation.id or 0, who.contact_id)
            if gone.uid not in kept
        ]
    entries = [e for d in days.values() for e in d]
    return Itinerary(
        delegation=delegation,
        days=[Day(d, entries, hotels.get(d)) for d, entries in sorted(days.items())],
        member=member,
        audience=audience,
        cancelled=cancelled,
        withheld=_withheld(entries, contacts, left_out),
    )


def _name_words(contact: Contact) -> set[str]:
    texts = (contact.display_name, contact.native_name, contact.first_name, contact.last_name)
    return {
        word
        for text in texts
        if text
        for reading in text_readings(text)
        for word in fold(reading).split()
    }


def find_member(db: Database, delegation: Delegation, members: list[Member], ref: str) -> Member:
    """A member by contact id, email or name in either script ("Нурланов", "zhanibek
    nurlanov"): every word of the name given is a word of the member's name. A name that fits
    several members is a Conflict listing them."""
    contact: Contact | None = None
    try:
        contact = contact_store.resolve(db, ref)
    except NotFound:
        if "@" in ref or ref.strip().isdigit():
            raise
    if contact is not None:
        who = next((m for m in members if m.contact_id == contact.id), None)
        if who is None:
            raise NotFound(f"{contact.display_name} is not a member of {delegation.code}")
        return who
    wanted = fold(ref).split()
    found = [
        m
        for m in members
        if m.contact is not None and wanted and set(wanted) <= _name_words(m.contact)
    ]
    if not found:
        raise NotFound(f"no member of {delegation.code} is called {ref!r}")
    if len(found) > 1:
        names = "; ".join(
            f"{m.contact.display_name} (id {m.contact_id})" for m in found if m.contact
        )
        raise Conflict(
            f"{len(found)} members of {delegation.code} are called {ref!r}: {names}; give the id"
        )
    return found[0]


def pack_name(member: Person) -> str:
    """A member's file name in a pack: id and name, letters and digits only (either script)."""
    words = re.findall(r"\w+", member.name.replace("_", " "))
    return f"{member.id:04d}-{'-'.join(words)[:60] or 'member'}"


def write_pack(
    db: Database, delegation_ref: str, folder: Path, lang: str, audience: str = "participant"
) -> tuple[list[Path], list[str]]:
    """One HTML and one ICS itinerary per member in `folder` (owner-only, each complete or
    absent), plus `index.html` linking them; returns the files and what consent withheld."""
    import html

    delegation = delegation_store.resolve(db, delegation_ref)
    members = [m for m in member_store.of_delegation(db, delegation.id or 0) if m.contact]
    files: list[tuple[str, bytes]] = []
    withheld: list[str] = []
    rows = []
    for member in members:
        plan = build(db, delegation_ref, str(member.contact_id), audience=audience)
        assert plan.member is not None
        stem = pack_name(plan.member)
        files.append((f"{stem}.html", render(plan, "html", lang).encode("utf-8")))
        files.append((f"{stem}.ics", render(plan, "ics", lang).encode("utf-8")))
        withheld += [w for w in plan.withheld if w not in withheld]
        name = html.escape(plan.member.name)
        rows.append(
            f'<li>{name}: <a href="{stem}.html">{stem}.html</a> · '
            f'<a href="{stem}.ics">{stem}.ics</a></li>'
        )
    title = html.escape(f"{delegation.title} ({delegation.code})")
    index = (
        f'<!DOCTYPE html>\n<html lang="{lang.split("+")[0]}">\n<head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<ul>\n"
        + "\n".join(rows)
        + "\n</ul>\n</body>\n</html>\n"
    )
    files.append(("index.html", index.encode("utf-8")))
    if folder.exists() and any((folder / stem).exists() for stem, _ in files):
        taken = [stem for stem, _ in files if (folder / stem).exists()]
        raise Conflict(f"{folder} already holds {', '.join(taken[:3])}; give an empty folder")
    return write_private_files(folder, files, ""), withheld


def render(itinerary: Itinerary, fmt: str, lang: str) -> str:
    """The itinerary as a document in the format called `fmt` (see exporters.registry)."""
    return itinerary_format(fmt).writer()(itinerary, lang)


def write_file(itinerary: Itinerary, fmt: str, lang: str, path: Path) -> None:
    """Write the itinerary to a file: owner-only (it names people), complete or not at all."""
    chosen = itinerary_format(fmt)
    content = chosen.writer()(itinerary, lang)
    write_private_text(path, content, newline="" if chosen.own_line_ends else None)
