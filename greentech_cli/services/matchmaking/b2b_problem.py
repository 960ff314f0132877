"""The B2B meeting grid as a pure problem: people, slots, tables, interpreters and requests.

No database and no solver here: the session's records become a `Problem`, its requests become
`Pair`s (one per two people, with the weight the objective gives them), and a `Solution` holds
the meetings with the figures the CLI reports. The solvers (`b2b_greedy`, `b2b_cpsat`) and the
dispatcher (`b2b_solve`) work on these shapes only, so they are tested without a database.

Rules (issue 20): a met request counts its priority (1–3), doubled when both asked for the
meeting; a person without recorded languages shares the meeting's language; a meeting without
a common language needs an interpreter with a fitting language pair, free in that slot.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from greentech_cli.errors import InvalidData

PRIORITIES = (1, 2, 3)


@dataclass(frozen=True)
class Person:
    """A participant: languages (empty: shares the meeting's), free slots, a maximum."""

    id: int
    languages: frozenset[str] = frozenset()
    slots: frozenset[int] | None = None  # None: every slot of the session
    max_meetings: int | None = None


@dataclass(frozen=True)
class Interpreter:
    """An interpreter present at the session, with the language pairs they work in."""

    id: int
    pairs: frozenset[frozenset[str]]
    slots: frozenset[int] | None = None

    def bridges(self, left: frozenset[str], right: frozenset[str]) -> bool:
        """Whether one of the interpreter's pairs joins a language of each side."""
        for pair in self.pairs:
            if len(pair) != 2:
                continue
            x, y = sorted(pair)
            if (x in left and y in right) or (y in left and x in right):
                return True
        return False


@dataclass(frozen=True)
class Request:
    """ "`requester` wants to meet `wanted`", priority 1 (nice) to 3 (most wanted)."""

    requester: int
    wanted: int
    priority: int = 2


@dataclass(frozen=True)
class Meeting:
    """One 1:1 meeting: slot index, table number (from 1), the two people, the interpreter."""

    slot: int
    table: int
    a: int
    b: int
    interpreter: int | None = None

    @property
    def key(self) -> tuple[int, int]:
        """The two people, smaller id first."""
        return (min(self.a, self.b), max(self.a, self.b))


@dataclass
class Problem:
    """Everything a solver needs; slots are numbered 0 … slot_count-1 in time order."""

    slot_count: int
    tables: int
    people: dict[int, Person]
    requests: list[Request]
    interpreters: list[Interpreter] = field(default_factory=list)
    previous: list[Meeting] = field(default_factory=list)  # the grid before, kept where it fits

    def validate(self) -> None:
        """Refuse what no schedule could honour: zero tables, unknown people, self-meetings."""
        if self.slot_count < 1:
            raise InvalidData("the session has no slot: the block is shorter than one slot")
        if self.tables < 1:
            raise InvalidData("the session needs at least one table")
        for request in self.requests:
            for who in (request.requester, request.wanted):
                if who not in self.people:
                    raise InvalidData(f"contact {who} is not a participant of the session")
            if request.requester == request.wanted:
                raise InvalidData(f"contact {request.requester} cannot request a meeting with self")
            if request.priority not in PRIORITIES:
                raise InvalidData(f"priority {request.priority} is not 1, 2 or 3")
        both = {i.id for i in self.interpreters} & set(self.people)
        if both:
            raise InvalidData(
                f"contact {min(both)} is both an interpreter and a participant of the session"
            )

    def free_slots(self, person: Person | Interpreter) -> frozenset[int]:
        """The slots a person or interpreter is there for."""
        every = frozenset(range(self.slot_count))
        return every if person.slots is None else person.slots & every


@dataclass(frozen=True)
class Pair:
    """Two people someone asked to bring together, with what the objective gives for it."""

    a: int
    b: int
    weight: int
    requests: int  # how many requests it answers (2 when mutual)
    mutual: bool
    priority: int  # the highest priority asked
    slots: tuple[int, ...]  # the slots both are there for
    interpreters: tuple[int, ...] | None  # None: a common language; else who could interpret

    @property
    def needs_interpreter(self) -> bool:
        """Whether the two have no language in common."""
        return self.interpreters is not None


def needs_interpreter(left: Person, right: Person) -> bool:
    """No common language (a person without recorded languages shares the meeting's)."""
    return bool(left.languages and right.languages and not left.languages & right.languages)


def pairs(problem: Problem) -> list[Pair]:
    """The requested pairs, in a fixed order (heavier first, then by ids)."""
    asked: dict[tuple[int, int], dict[int, int]] = {}
    for request in problem.requests:
        key = (min(request.requester, request.wanted), max(request.requester, request.wanted))
        by = asked.setdefault(key, {})
        by[request.requester] = max(by.get(request.requester, 0), request.priority)
    found = []
    for (a, b), by in asked.items():
        left, right = problem.people[a], problem.people[b]
        mutual = len(by) == 2
        weight = sum(by.values()) * (2 if mutual else 1)
        common = problem.free_slots(left) & problem.free_slots(right)
        interpreters: tuple[int, ...] | None = None
        if needs_interpreter(left, right):
            interpreters = tuple(
                sorted(
                    i.id
                    for i in problem.interpreters
                    if i.bridges(left.languages, right.languages) and problem.free_slots(i) & common
                )
            )
        found.append(
            Pair(
                a, b, weight, len(by), mutual, max(by.values()), tuple(sorted(common)), interpreters
            )
        )
    found.sort(key=lambda p: (-p.weight, p.a, p.b))
    return found


@dataclass
class Solution:
    """A schedule and the figures reported with it."""

    meetings: list[Meeting]
    objective: int  # the weighted requests met
    bound: int  # no schedule meets more (proven by the solver, or the plain sum for greedy)
    solver: str  # "cp-sat" or "greedy"
    status: str  # "optimal", "feasible", "greedy" (no proof), "fallback: …"
    seconds: float
    requests_met: int
    requests_total: int
    covered: int  # people with a request who got at least one meeting
    coverable: int  # people with a request who could get one at all
    unmet: list[tuple[Pair, str]] = field(default_factory=list)
    moved: list[tuple[Meeting, Meeting | None]] = field(default_factory=list)

    @property
    def gap(self) -> float:
        """How far the objective may be from the best possible, as a fraction of the bound."""
        return 0.0 if self.bound <= 0 else max(0.0, (self.bound - self.objective) / self.bound)

    def figures(self) -> dict[str, Any]:
        """The summary figures of the JSON contract (without the meetings)."""
        return {
            "requests_met": self.requests_met,
            "requests_total": self.requests_total,
            "objective": self.objective,
            "bound": self.bound,
            "gap": round(self.gap, 4),
            "solver": self.solver,
            "status": self.status,
            "seconds": round(self.seconds, 3),
            "covered": self.covered,
            "coverable": self.coverable,
        }


Row = tuple[list[int], list[int], int]  # columns, coefficients, upper limit: sum ≤ limit


@dataclass
class LinearModel:
    """The grid as a 0/1 program both solvers read: columns, `≤` rows, the objective's parts.

    Tables are alike, so a column is a choice of (pair, slot, interpreter group) and the rows
    only count tables per slot; interpreters with the same languages and hours form one group
    with a capacity per slot (fewer alike columns, which both solvers would otherwise explore).
    After the choices come one "covered" column per person with a request (≤ their meetings).
    """

    choices: list[tuple[Pair, int, int | None]]
    covers: list[int]  # the person of each covered column, after the choices
    rows: list[Row]
    groups: list[list[int]]  # interpreter ids of each group

    @property
    def columns(self) -> int:
        """How many 0/1 columns."""
        return len(self.choices) + len(self.covers)

    def weights(self, previous: list[Meeting], scale: int) -> list[int]:
        """Weighted requests × scale, plus one for a meeting that keeps its slot from before."""
        before = {(m.key, m.slot) for m in previous}
        return [
            pair.weight * scale + int(((pair.a, pair.b), slot) in before)
            for pair, slot, _ in self.choices
        ] + [0] * len(self.covers)

    def coverage(self) -> list[int]:
        """The objective that counts people with a meeting."""
        return [0] * len(self.choices) + [1] * len(self.covers)

    def floor(self, covered: int) -> Row:
        """At least `covered` people get a meeting."""
        cols = list(range(len(self.choices), self.columns))
        return cols, [-1] * len(cols), -covered

    def everyone(self) -> list[Row]:
        """Every person with a request gets a meeting (when the greedy schedule shows it can)."""
        return [([col], [-1], -1) for col in range(len(self.choices), self.columns)]

    def start(self, placed: dict[tuple[int, int], tuple[int, int | None]]) -> list[int]:
        """A known schedule as column values (the solvers' hint)."""
        group_of = {who: n for n, members in enumerate(self.groups) for who in members}
        chosen = {
            key: (slot, None if who is None else group_of[who])
            for key, (slot, who) in placed.items()
        }
        values = [int(chosen.get((p.a, p.b)) == (s, g)) for p, s, g in self.choices]
        covered = {person for key in placed for person in key}
        return values + [int(person in covered) for person in self.covers]

    def placed(self, values: list[int]) -> dict[tuple[int, int], tuple[int, int | None]]:
        """Column values back as pair → (slot, interpreter), members of a group given in turn."""
        found: dict[tuple[int, int], tuple[int, int | None]] = {}
        taken: Counter[tuple[int, int]] = Counter()
        for (pair, slot, group), value in zip(self.choices, values, strict=False):
            if not value:
                continue
            who = None
            if group is not None:
                who = self.groups[group][taken[(group, slot)]]
                taken[(group, slot)] += 1
            found[(pair.a, pair.b)] = (slot, who)
        return found

    def weight(self, values: list[int]) -> int:
        """The weighted requests met by column values."""
        return sum(p.weight for (p, _, _), v in zip(self.choices, values, strict=False) if v)


ANY_SLOT = -1  # the slot of a column of the aggregate model


def linear_model(problem: Problem, pair_list: list[Pair], aggregate: bool = False) -> LinearModel:
    """Build the 0/1 program of a problem's pairs.

    With `aggregate`, slots are left out: a column says only that a pair meets (with which
    interpreter group), and the rows cap each person's meetings at their free slots (and
    maximum), each interpreter group's at its members' free slots, all meetings at tables ×
    slots. Every schedule satisfies that smaller program, so its optimum is a valid upper bound
    for the full one, found in a fraction of the time; when a schedule reaches it, it is proven
    optimal without solving the full program.
    """
    alike: dict[tuple[frozenset[frozenset[str]], frozenset[int]], list[int]] = {}
    for i in problem.interpreters:
        alike.setdefault((i.pairs, problem.free_slots(i)), []).append(i.id)
    keys = sorted(alike, key=lambda k: alike[k])
    groups = [alike[k] for k in keys]
    group_of = {who: n for n, members in enumerate(groups) for who in members}
    choices: list[tuple[Pair, int, int | None]] = []
    limits: dict[tuple[Any, ...], tuple[int, list[int]]] = {}

    def count(key: tuple[Any, ...], limit: int, column: int) -> None:
        limits.setdefault(key, (limit, []))[1].append(column)

    for pair in pair_list:
        usable = sorted({group_of[w] for w in pair.interpreters or ()})
        for slot in [ANY_SLOT] if aggregate else pair.slots:
            for group in [None] if pair.interpreters is None else usable:
                if group is not None and slot not in keys[group][1] and not aggregate:
                    continue
                column = len(choices)
                choices.append((pair, slot, group))
                count(("pair", pair.a, pair.b), 1, column)
                if aggregate:
                    _count_aggregate(problem, pair, group, keys, groups, column, count)
                    continue
                count(("slot", slot), problem.tables, column)
                if group is not None:
                    count(("interpreters", group, slot), len(groups[group]), column)
                for person in (pair.a, pair.b):
                    count(("busy", person, slot), 1, column)
                    most = problem.people[person].max_meetings
                    if most is not None:
                        count(("person", person), most, column)
    rows: list[Row] = [(cols, [1] * len(cols), limit) for limit, cols in limits.values()
                       if len(cols) > limit]  # fmt: skip
    people = sorted({p for pair, _, _ in choices for p in (pair.a, pair.b)})
    own: dict[int, list[int]] = {p: [] for p in people}
    for column, (pair, _, _) in enumerate(choices):
        own[pair.a].append(column)
        own[pair.b].append(column)
    for n, person in enumerate(people):
        cover = len(choices) + n
        rows.append(([cover, *own[person]], [1] + [-1] * len(own[person]), 0))
    return LinearModel(choices, people, rows, groups)


def _count_aggregate(
    problem: Problem,
    pair: Pair,
    group: int | None,
    keys: list[tuple[frozenset[frozenset[str]], frozenset[int]]],
    groups: list[list[int]],
    column: int,
    count: Any,
) -> None:
    """The rows of one column of the aggregate model (see `linear_model`)."""
    count(("tables",), problem.tables * problem.slot_count, column)
    if group is not None:
        count(("interpreters", group), len(groups[group]) * len(keys[group][1]), column)
    for person in (pair.a, pair.b):
        free = len(problem.free_slots(problem.people[person]))
        most = problem.people[person].max_meetings
        count(("person", person), free if most is None else min(free, most), column)


@dataclass
class Result:
    """A backend's answer: column values (None: nothing found), objective, bound, proof."""

    values: list[int] | None
    objective: float
    bound: float
    proven: bool
