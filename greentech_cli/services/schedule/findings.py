"""What `check` reports and how: findings, the check's settings, the programme it reads, and
the wording of times and durations shared by every check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from greentech_cli.errors import InvalidData
from greentech_cli.models.records import Contact, Delegation, Member, Visit
from greentech_cli.services.schedule import geo

# A hotel spans the nights around the programme: no overlap, no double booking, no travel leg.
STAY_KINDS = ("hotel",)
GROUP = 0  # stands for "the whole group" when a visit has nobody attending yet


@dataclass
class Finding:
    """One problem of a programme: how bad, which kind, the visits and people concerned."""

    severity: str
    code: str
    message: str
    visit_ids: list[int] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of a check finding (SPEC §3)."""
        return {
            "severity": self.severity,
            "code": self.code,
            "visit_ids": list(self.visit_ids),
            "contact_ids": list(self.contact_ids),
            "message": self.message,
        }


@dataclass(frozen=True)
class CheckSettings:
    """Thresholds of the check: travel speed and buffer, the longest acceptable day."""

    speed_kmh: float = geo.DEFAULT_SPEED_KMH
    buffer_minutes: float = geo.DEFAULT_BUFFER_MINUTES
    long_day_hours: float = 10.0


def _number(value: Any, what: str, low: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidData(f"{what} must be a number, not {value!r}") from None
    if number < low:
        raise InvalidData(f"{what} must be at least {low:g}, not {number:g}")
    return number


def settings(
    speed: float | None = None,
    buffer: str | None = None,
    long_day: float | None = None,
    config: dict[str, Any] | None = None,
) -> CheckSettings:
    """Settings from the options, else the config file's keys, else the defaults.

    Config keys: `travel_speed_kmh`, `travel_buffer_minutes`, `long_day_hours`.
    """
    from greentech_cli.text.dates import parse_duration

    config = config or {}
    base = CheckSettings()
    speed_value = speed if speed is not None else config.get("travel_speed_kmh", base.speed_kmh)
    if buffer is not None:
        buffer_value: float = parse_duration(buffer).total_seconds() / 60 if buffer else 0
    else:
        buffer_value = _number(
            config.get("travel_buffer_minutes", base.buffer_minutes), "travel_buffer_minutes", 0
        )
    long_value = long_day if long_day is not None else config.get("long_day_hours", 10.0)
    return CheckSettings(
        speed_kmh=_number(speed_value, "the travel speed", 1),
        buffer_minutes=buffer_value,
        long_day_hours=_number(long_value, "the long-day limit", 1),
    )


# --- wording -------------------------------------------------------------------------------


def when(dt: datetime) -> str:
    return f"{dt:%a %d.%m.} {dt:%H:%M}"


def span(visit: Visit) -> str:
    end = f"{visit.end:%H:%M}" if visit.end.date() == visit.start.date() else when(visit.end)
    return f"{when(visit.start)}–{end}"


def minutes(value: float) -> str:
    total = round(value)
    hours, minutes = divmod(total, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def names(ids: list[int], people: dict[int, Contact], limit: int = 4) -> str:
    names = [people[i].display_name for i in ids if i in people]
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    return ", ".join(names)


def overlaps(a: Visit, b: Visit) -> bool:
    return a.start.timestamp() < b.end.timestamp() and b.start.timestamp() < a.end.timestamp()


@dataclass
class Programme:
    """A delegation's programme as the checks read it: visits, members, who attends what."""

    delegation: Delegation
    visits: list[Visit]
    members: list[Member]
    attendance: dict[int, set[int]]
