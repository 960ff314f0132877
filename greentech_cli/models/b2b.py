"""B2B matchmaking records: a session's settings, its interpreters, participants and requests."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SessionInterpreter:
    """An interpreter present at a session, with language pairs such as "ru-de"."""

    contact_id: int
    languages: list[str] = field(default_factory=list)
    available_from: str | None = None  # HH:MM in the visit's zone; None: the whole block
    available_to: str | None = None


@dataclass
class Session:
    """A block visit run as a B2B session: slot length, break between slots, tables (numbered
    from 1, or named rooms: table n is `rooms[n-1]`)."""

    visit_id: int
    slot_minutes: int
    break_minutes: int
    tables: int
    interpreters: list[SessionInterpreter] = field(default_factory=list)
    rooms: list[str] = field(default_factory=list)

    def room(self, table: int) -> str | None:
        """The name of a table's room, None when tables are numbered."""
        return self.rooms[table - 1] if 0 < table <= len(self.rooms) else None


@dataclass
class Participant:
    """A person taking part in a session: at most `max_meetings`, there between from and to."""

    contact_id: int
    max_meetings: int | None = None
    available_from: str | None = None  # HH:MM in the visit's zone
    available_to: str | None = None


@dataclass
class MeetingRequest:
    """`requester` wants to meet `wanted`; priority 1 (nice to have) to 3 (most wanted)."""

    requester_id: int
    wanted_id: int
    priority: int = 2
    source: str = "manual"  # manual, import or suggest
    id: int | None = None


@dataclass
class GridMeeting:
    """A scheduled meeting as stored: slot index, table number, the two people, interpreter,
    and the slot visit of the block that carries it into the programme."""

    slot: int
    table: int
    a_id: int
    b_id: int
    interpreter_id: int | None = None
    slot_visit_id: int | None = None
