"""B2B sessions (issue 20): set up a block visit's grid, its participants and requests, schedule.

A session lives on its block visit (`b2b_sessions.visit_id`): slot length, break, tables and
interpreters. Slots fill the block from its start (slot, break, slot, …); a block whose end is
not reached exactly by the last slot is refused unless the leftover is allowed, and then
reported. People and companies are referred to by id, email or name and must be participants
of the session; a company stands for its one participant there. `schedule` turns the session
into a `b2b_problem.Problem`, solves it (`b2b_solve`), keeps what still fits of the grid before
and stores the new one unless it is a dry run.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from greentech_cli.db import retried, transaction
from greentech_cli.errors import InvalidData, NotFound, UsageError
from greentech_cli.models.b2b import (
    GridMeeting,
    MeetingRequest,
    Participant,
    Session,
    SessionInterpreter,
)
from greentech_cli.models.itinerary import UID_DOMAIN, UID_NAMESPACE
from greentech_cli.models.records import Visit
from greentech_cli.services.matchmaking import b2b_solve
from greentech_cli.services.matchmaking.b2b_problem import (
    PRIORITIES,
    Interpreter,
    Meeting,
    Person,
    Problem,
    Request,
    Solution,
)
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import visits as visit_store
from greentech_cli.store.b2b import meetings as meeting_store
from greentech_cli.store.b2b import requests as request_store
from greentech_cli.store.b2b import sessions as session_store
from greentech_cli.text.company_names import company_key
from greentech_cli.text.dates import parse_duration, parse_time
from greentech_cli.text.names import name_keys

if TYPE_CHECKING:
    from greentech_cli.db import Database
    from greentech_cli.models.records import Contact

# Language names officers write, as the two-letter codes interpreters' pairs use.
LANGUAGE_NAMES = {
    "german": "de", "deutsch": "de", "немецкий": "de", "english": "en", "englisch": "en",
    "английский": "en", "russian": "ru", "russisch": "ru", "русский": "ru", "kazakh": "kk",
    "kasachisch": "kk", "казахский": "kk", "uzbek": "uz", "usbekisch": "uz", "french": "fr",
    "französisch": "fr", "chinese": "zh", "chinesisch": "zh", "turkish": "tr", "türkisch": "tr",
}  # fmt: skip
_PAIR = re.compile(r"^\s*([A-Za-z]{2,3})\s*[-–/>]\s*([A-Za-z]{2,3})\s*$")


def visit_id(ref: str | int) -> int:
    """The id a visit reference stands for (visits are referred to by id)."""
    try:
        return int(str(ref).strip())
    except ValueError:
        raise InvalidData(f"a visit is referred to by its id (a number), not {ref!r}") from None


def language(text: str) -> str:
    """A language as its code: "ru", "Russian", "Russisch" → "ru"."""
    word = text.strip().lower()
    return LANGUAGE_NAMES.get(word, word)


@dataclass
class Block:
    """A session with its visit and the slots its settings cut the block into."""

    visit: Visit
    session: Session
    slots: list[tuple[datetime, datetime]]
    leftover: int  # minutes after the last slot


def cut_slots(
    start: datetime, end: datetime, slot_minutes: int, break_minutes: int
) -> tuple[list[tuple[datetime, datetime]], int]:
    """The slots of a block (slot, break, slot, …) and the minutes left after the last one."""
    slots = []
    at = start
    while at + timedelta(minutes=slot_minutes) <= end:
        slots.append((at, at + timedelta(minutes=slot_minutes)))
        at += timedelta(minutes=slot_minutes + break_minutes)
    last = slots[-1][1] if slots else start
    return slots, int((end - last).total_seconds() // 60)


def _minutes(value: str, what: str, *, zero: bool = False) -> int:
    if zero and value.strip().lower() in ("0", "0m", "0min", "0:00"):
        return 0
    try:
        return int(parse_duration(value).total_seconds() // 60)
    except InvalidData as exc:
        raise InvalidData(f"{what}: {exc}") from None


def block(db: Database, visit_ref: str) -> Block:
    """A visit's B2B session and its slots; NotFound when the visit has none."""
    visit = visit_store.get(db, visit_id(visit_ref))
    session = session_store.get(db, visit.id or 0)
    if session is None:
        raise NotFound(
            f"visit {visit.id} is no B2B session yet: greentech b2b setup {visit.id} --slot 20m "
            "--tables N"
        )
    slots, leftover = cut_slots(visit.start, visit.end, session.slot_minutes, session.break_minutes)
    return Block(visit, session, slots, leftover)


_SEAT = re.compile(
    r"^(?P<who>.+):(?P<pairs>[A-Za-z][^:@]*?)"
    r"(?:@(?P<hours>\d{1,2}:\d{2}\s*[-–]\s*\d{1,2}:\d{2}))?\s*$"
)


def _interpreters(db: Database, refs: list[str], blk: Block) -> list[SessionInterpreter]:
    """`CONTACT:ru-de` (several pairs with commas: `CONTACT:ru-de,kk-de`), there only
    `@HH:MM-HH:MM` if so given, as interpreters."""
    found: dict[int, SessionInterpreter] = {}
    for ref in refs:
        m = _SEAT.match(ref)
        if not m:
            raise UsageError(
                f"--interpreter {ref!r}: write CONTACT:LANG-LANG[@HH:MM-HH:MM], e.g. 12:ru-de or "
                "12:ru-de@09:00-11:00"
            )
        contact = contact_store.resolve(db, m["who"].strip())
        languages = []
        for pair in m["pairs"].split(","):
            lang = _PAIR.match(pair)
            if not lang or language(lang[1]) == language(lang[2]):
                raise InvalidData(f"--interpreter {ref!r}: {pair!r} is no language pair like ru-de")
            languages.append(f"{language(lang[1])}-{language(lang[2])}")
        hours = _window(m["hours"], blk, f"--interpreter {ref!r}") if m["hours"] else None
        seat = found.setdefault(contact.id or 0, SessionInterpreter(contact.id or 0, []))
        if hours is not None:
            if (
                seat.available_from is not None
                and (seat.available_from, seat.available_to) != hours
            ):
                raise InvalidData(f"--interpreter {ref!r}: give one time window per interpreter")
            seat.available_from, seat.available_to = hours
        seat.languages += [p for p in languages if p not in seat.languages]
    return list(found.values())


def _rooms(rooms: list[str] | None) -> list[str]:
    """Room names from `--rooms "Saal A,Saal B"` and repeated `--room NAME`: each once."""
    names: list[str] = []
    for given in rooms or []:
        for name in given.split(","):
            name = " ".join(name.split())
            if not name:
                raise InvalidData(f"--rooms {given!r}: a room needs a name")
            if name.casefold() in {n.casefold() for n in names}:
                raise InvalidData(f"--rooms: {name!r} is named twice")
            names.append(name)
    return names


@retried
def setup(
    db: Database,
    visit_ref: str,
    *,
    slot: str,
    break_: str = "0m",
    tables: int | None = None,
    rooms: list[str] | None = None,
    interpreters: list[str] | None = None,
    allow_leftover: bool = False,
) -> tuple[Block, int]:
    """Make a visit a B2B session (or change its settings): numbered tables or named rooms;
    (block, meetings dropped). Renamed rooms rename the scheduled meetings' rooms."""
    visit = visit_store.get(db, visit_id(visit_ref))
    slot_minutes = _minutes(slot, "--slot")
    break_minutes = _minutes(break_, "--break", zero=True)
    names = _rooms(rooms)
    if names and tables is not None and tables != len(names):
        raise UsageError(f"--tables {tables} and {len(names)} named rooms: give one or the other")
    if tables is None and not names:
        raise UsageError('give --tables N or the rooms\' names (--rooms "Saal A,Saal B")')
    tables = len(names) if names else tables or 0
    if tables < 1:
        raise InvalidData(f"--tables {tables}: a session needs at least one table")
    slots, leftover = cut_slots(visit.start, visit.end, slot_minutes, break_minutes)
    length = int((visit.end - visit.start).total_seconds() // 60)
    if not slots:
        raise InvalidData(f"a {slot_minutes}-minute slot does not fit in the {length}-minute block")
    if leftover and not allow_leftover:
        raise InvalidData(
            f"{slot_minutes}-minute slots with {break_minutes}-minute breaks do not divide the "
            f"{length}-minute block: {len(slots)} slots leave {leftover} minutes at the end; "
            "choose other lengths or pass --allow-leftover"
        )
    seats = _interpreters(db, interpreters or [], Block(visit, Session(0, 0, 0, 0), slots, 0))
    with transaction(db):
        taken = {p.contact_id for p in session_store.participants(db, visit.id or 0)}
        for seat in seats:
            if seat.contact_id in taken:
                raise InvalidData(
                    f"contact {seat.contact_id} is a participant of this session and cannot "
                    "interpret in it too"
                )
        before = session_store.get(db, visit.id or 0)
        session = Session(visit.id or 0, slot_minutes, break_minutes, tables, seats, names)
        session_store.save(db, session)
        blk = Block(visit, session, slots, leftover)
        dropped = 0
        if before is not None and (
            (before.slot_minutes, before.break_minutes) != (slot_minutes, break_minutes)
            or tables < before.tables
        ):
            # The stored grid no longer fits the slots or the tables: schedule again.
            dropped = meeting_store.clear(db, session.visit_id)
        elif before is not None and before.rooms != names:
            grid = meeting_store.of_session(db, session.visit_id)
            meeting_store.replace(db, session.visit_id, grid, slot_visits(db, blk, grid))
    return blk, dropped


def _window(text: str, blk: Block, what: str | None = None) -> tuple[str, str]:
    """`HH:MM-HH:MM` inside the block, as two wall-clock times."""
    what = what or f"--available {text!r}"
    parts = re.split(r"\s*[-–]\s*", text.strip())
    if len(parts) != 2:
        raise InvalidData(f"{what}: write HH:MM-HH:MM, e.g. 09:00-11:30")
    start, end = parse_time(parts[0]), parse_time(parts[1])
    if end <= start:
        raise InvalidData(f"{what}: the end is not after the start")
    window = (start.strftime("%H:%M"), end.strftime("%H:%M"))
    if not _free_slots(blk, window):
        raise InvalidData(f"{what}: no slot of the session lies inside that window")
    return window


def _free_slots(blk: Block, window: tuple[str | None, str | None]) -> frozenset[int] | None:
    """The slots inside a person's window (None: the whole block)."""
    if window[0] is None or window[1] is None:
        return None
    return frozenset(
        n
        for n, (start, end) in enumerate(blk.slots)
        if window[0] <= start.strftime("%H:%M") and end.strftime("%H:%M") <= window[1]
    )


@retried
def add_participant(
    db: Database,
    visit_ref: str,
    contact_ref: str,
    *,
    max_meetings: int | None = None,
    available: str | None = None,
) -> tuple[Contact, bool]:
    """Add a person to a session (or change their maximum and hours); (contact, new)."""
    blk = block(db, visit_ref)
    contact = contact_store.resolve(db, contact_ref)
    if max_meetings is not None and max_meetings < 1:
        raise InvalidData(f"--max {max_meetings}: give at least 1 (or leave it out)")
    if contact.id in {i.contact_id for i in blk.session.interpreters}:
        raise InvalidData(
            f"contact {contact.id} interprets in this session and cannot also be a participant"
        )
    window = _window(available, blk) if available else (None, None)
    with transaction(db):
        new = session_store.save_participant(
            db, blk.session.visit_id, Participant(contact.id or 0, max_meetings, *window)
        )
    return contact, new


@retried
def remove_participant(db: Database, visit_ref: str, contact_ref: str) -> tuple[Contact, int]:
    """Take a person out of a session with their requests and meetings."""
    blk = block(db, visit_ref)
    contact = contact_store.resolve(db, contact_ref)
    if contact.id not in {p.contact_id for p in session_store.participants(db, blk.visit.id or 0)}:
        raise NotFound(f"contact {contact.id} is not a participant of visit {blk.visit.id}")
    with transaction(db):
        gone = session_store.remove_participant(db, blk.visit.id or 0, contact.id or 0)
    return contact, gone


def participant(db: Database, blk: Block, ref: str) -> int:
    """The participant a reference names: a contact (id, email, name) or a company's one person."""
    taken = {p.contact_id for p in session_store.participants(db, blk.visit.id or 0)}
    contact = None
    with contextlib.suppress(NotFound):
        contact = contact_store.resolve(db, ref)
    if contact is not None:
        if contact.id not in taken:
            raise InvalidData(
                f"{ref!r} (contact {contact.id}) is not a participant of the session: "
                f"greentech b2b participant add {blk.visit.id} {contact.id}"
            )
        return contact.id or 0
    people = {cid: contact_store.get(db, cid) for cid in taken}
    # The name matching of duplicate detection: any order, any script, without patronymics.
    wanted = name_keys(ref, None)
    by_name = sorted(
        cid
        for cid, c in people.items()
        if wanted & name_keys(c.first_name, c.last_name, c.native_name)
    )
    if len(by_name) == 1:
        return by_name[0]
    companies = company_store.find_by_name(db, ref.strip())
    if not companies and ref.strip().isdigit():
        companies = [company_store.get(db, int(ref))] if _company_exists(db, int(ref)) else []
    ids = {c.id for c in companies}
    key = company_key(ref)
    staff = sorted(
        cid
        for cid, c in people.items()
        if c.company_id is not None
        and (c.company_id in ids or (key and company_key(_company_name(db, c)) == key))
    )
    if len(staff) == 1:
        return staff[0]
    if len(staff) > 1 or len(by_name) > 1:
        named = ", ".join(str(c) for c in (staff or by_name))
        raise InvalidData(f"{ref!r} names several participants ({named}): give a contact id")
    if companies:
        raise InvalidData(f"company {ref!r} has no participant in the session")
    raise InvalidData(f"{ref!r} is no participant of the session (no such person or company)")


def _company_name(db: Database, contact: Contact) -> str:
    return company_store.get(db, contact.company_id).name if contact.company_id else ""


def _company_exists(db: Database, company_id: int) -> bool:
    try:
        company_store.get(db, company_id)
    except NotFound:
        return False
    return True


def _full_name(contact: Contact) -> str:
    return " ".join(x for x in (contact.first_name, contact.last_name) if x)


@retried
def add_request(
    db: Database,
    visit_ref: str,
    requester: str,
    wanted: str,
    priority: int = 2,
    source: str = "manual",
) -> tuple[MeetingRequest, bool]:
    """ "REQUESTER wants to meet WANTED" (people or companies of the session); (request, new)."""
    blk = block(db, visit_ref)
    if priority not in PRIORITIES:
        raise InvalidData(f"--priority {priority}: use 1, 2 or 3 (3 is the most wanted)")
    who, whom = participant(db, blk, requester), participant(db, blk, wanted)
    if who == whom:
        raise InvalidData(f"{requester!r} and {wanted!r} are the same participant")
    with transaction(db):
        return request_store.save(
            db, blk.visit.id or 0, MeetingRequest(who, whom, priority, source)
        )


@retried
def remove_request(db: Database, visit_ref: str, request_id: int) -> MeetingRequest:
    """Delete a request of a session by its id."""
    blk = block(db, visit_ref)
    with transaction(db):
        return request_store.remove(db, blk.visit.id or 0, request_id)


def names(db: Database, contact_ids: set[int]) -> dict[int, str]:
    """Each contact's name as shown on the grid ("Dana Sadykova (KazWater)")."""
    shown = {}
    for cid in sorted(contact_ids):
        contact = contact_store.get(db, cid)
        company = company_store.get(db, contact.company_id).name if contact.company_id else None
        shown[cid] = _full_name(contact) + (f" ({company})" if company else "")
    return shown


def problem(db: Database, blk: Block) -> Problem:
    """The session as a solver's problem, with the stored grid as the one to keep."""
    visit = blk.visit.id or 0
    people = {}
    for p in session_store.participants(db, visit):
        contact = contact_store.get(db, p.contact_id)
        people[p.contact_id] = Person(
            p.contact_id,
            frozenset(language(x) for x in contact.languages if x.strip()),
            _free_slots(blk, (p.available_from, p.available_to)),
            p.max_meetings,
        )
    interpreters = [
        Interpreter(
            seat.contact_id,
            frozenset(frozenset(pair.split("-")) for pair in seat.languages),
            _free_slots(blk, (seat.available_from, seat.available_to)),
        )
        for seat in blk.session.interpreters
    ]
    requests = [
        Request(r.requester_id, r.wanted_id, r.priority)
        for r in request_store.of_session(db, visit)
    ]
    previous = [
        Meeting(m.slot, m.table, m.a_id, m.b_id, m.interpreter_id)
        for m in meeting_store.of_session(db, visit)
        if m.slot < len(blk.slots)
    ]
    return Problem(len(blk.slots), blk.session.tables, people, requests, interpreters, previous)


def schedule(
    db: Database,
    visit_ref: str,
    *,
    time_limit: float = 10.0,
    dry_run: bool = False,
    method: str = "auto",
    seed: int = 0,
) -> tuple[Block, Solution, dict[str, int] | None]:
    """Solve the session's grid and store it (unless a dry run) as slots of the block; meetings
    that fit stay put. Returns the block, the solution and (stored) how many slot visits were
    added, changed and cancelled."""
    changes = None
    blk = block(db, visit_ref)
    if time_limit <= 0:
        raise InvalidData("--time-limit must be longer than zero")
    solution = b2b_solve.solve(problem(db, blk), time_limit=time_limit, seed=seed, method=method)
    if not dry_run:
        grid = [GridMeeting(m.slot, m.table, m.a, m.b, m.interpreter) for m in solution.meetings]
        with transaction(db):
            changes = meeting_store.replace(db, blk.visit.id or 0, grid, slot_visits(db, blk, grid))
    return blk, solution, changes


# "table 3" in the languages of the itineraries (a named room is shown as named).
TABLE_WORDS = {"en": "table", "de": "Tisch", "ru": "стол"}


def slot_visits(db: Database, blk: Block, grid: list[GridMeeting]) -> list[Visit]:
    """Each meeting as a slot (child visit) of the block: its time, its table or room, the two
    people and the interpreter as its attendees, a UID kept for the pair (so calendars update
    the event when the meeting moves, and cancel it when the pair is dropped)."""
    block_visit = blk.visit
    shown = names(db, {p for m in grid for p in (m.a_id, m.b_id)})
    titles = block_visit.translations.get("title", {})
    found = []
    for m in grid:
        start, end = blk.slots[m.slot]
        room = blk.session.room(m.table)
        pair = f"{shown[m.a_id]} – {shown[m.b_id]}"
        title = {
            lang: f"{titles.get(lang, block_visit.title)}: {pair}, {room or f'{word} {m.table}'}"
            for lang, word in TABLE_WORDS.items()
        }
        key = f"b2b|{block_visit.uid}|{min(m.a_id, m.b_id)}|{max(m.a_id, m.b_id)}"
        found.append(
            Visit(
                delegation_id=block_visit.delegation_id,
                title=title.pop("en"),
                translations={"title": title},
                start=start,
                end=end,
                timezone=block_visit.timezone,
                kind="b2b-meeting",
                room=room,
                attendee_ids=[p for p in (m.a_id, m.b_id, m.interpreter_id) if p is not None],
                parent_id=block_visit.id,
                uid=f"{uuid.uuid5(UID_NAMESPACE, key)}@{UID_DOMAIN}",
            )
        )
    return found
