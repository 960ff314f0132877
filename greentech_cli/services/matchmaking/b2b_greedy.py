"""The greedy B2B schedule: the baseline, the fallback, and the solver's first hint.

It places the meetings of the grid before first where they still fit (minimal change), then
gives everyone with a request one meeting (fewest options first: fairness), then places the
remaining pairs heaviest first, each in its earliest slot where both people, a table and (when
needed) an interpreter are free. A short repair pass then tries to make room for an unmet pair
by moving one meeting of either person to another slot. Tables are numbered afterwards
(`assign_tables`), keeping each meeting's table from before and each person's table where it can.
The `Board` keeps the resources; `reason` says why a pair was not met.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from greentech_cli.services.matchmaking.b2b_problem import Meeting, Pair, Problem

NO = -1  # `Board.fit`'s answer when a pair cannot meet in a slot


class Board:
    """Who is busy when, how many tables are taken, how many meetings each person has."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        # (person or interpreter, slot) -> the pair meeting then
        self.busy: dict[tuple[int, int], tuple[int, int]] = {}
        self.tables: Counter[int] = Counter()
        self.count: Counter[int] = Counter()
        self.placed: dict[tuple[int, int], tuple[int, int | None]] = {}  # pair -> slot, interp
        self._interpreters = {i.id: problem.free_slots(i) for i in problem.interpreters}

    def full(self, person: int) -> bool:
        """Whether the person has reached their maximum of meetings."""
        most = self.problem.people[person].max_meetings
        return most is not None and self.count[person] >= most

    def fit(self, pair: Pair, slot: int) -> int | None:
        """The interpreter (None: not needed) if the pair can meet in the slot, else NO."""
        if (pair.a, slot) in self.busy or (pair.b, slot) in self.busy:
            return NO
        if self.tables[slot] >= self.problem.tables or self.full(pair.a) or self.full(pair.b):
            return NO
        if pair.interpreters is None:
            return None
        for who in pair.interpreters:
            if slot in self._interpreters[who] and (who, slot) not in self.busy:
                return who
        return NO

    def place(self, pair: Pair, slot: int, interpreter: int | None) -> None:
        """Book the meeting."""
        for who in (pair.a, pair.b, interpreter):
            if who is not None:
                self.busy[(who, slot)] = (pair.a, pair.b)
        self.tables[slot] += 1
        self.count[pair.a] += 1
        self.count[pair.b] += 1
        self.placed[(pair.a, pair.b)] = (slot, interpreter)

    def unplace(self, pair: Pair) -> tuple[int, int | None]:
        """Take a booked meeting off the board; returns where it was."""
        slot, interpreter = self.placed.pop((pair.a, pair.b))
        for who in (pair.a, pair.b, interpreter):
            if who is not None:
                self.busy.pop((who, slot), None)
        self.tables[slot] -= 1
        self.count[pair.a] -= 1
        self.count[pair.b] -= 1
        return slot, interpreter

    def try_place(self, pair: Pair, slots: Iterable[int] | None = None) -> bool:
        """Place the pair in its first slot that fits; False when none does."""
        if (pair.a, pair.b) in self.placed:
            return False
        for slot in pair.slots if slots is None else slots:
            interpreter = self.fit(pair, slot)
            if interpreter != NO:
                self.place(pair, slot, interpreter)
                return True
        return False


def _keep_previous(board: Board, by_key: dict[tuple[int, int], Pair]) -> None:
    """The meetings of the grid before stay in their slot where that still fits."""
    for meeting in sorted(board.problem.previous, key=lambda m: (m.slot, m.table)):
        pair = by_key.get(meeting.key)
        if pair is not None and meeting.slot in pair.slots:
            board.try_place(pair, [meeting.slot])


def _fair_first(board: Board, pair_list: list[Pair], tight: bool) -> None:
    """Everyone with a request gets one meeting first, those with the fewest options first
    (`tight`: counting their free slots first, else their pairs; each wins on some sessions)."""
    options: dict[int, list[Pair]] = {}
    for pair in pair_list:
        if pair.slots and pair.interpreters != ():
            options.setdefault(pair.a, []).append(pair)
            options.setdefault(pair.b, []).append(pair)

    # The most constrained first: fewest free slots among their pairs, then fewest pairs.
    def tightness(person: int) -> tuple[int, int, int]:
        slots = min(len(p.slots) for p in options[person]) if tight else 0
        return (slots, len(options[person]), person)

    for person in sorted(options, key=tightness):
        if board.count[person]:
            continue
        # Prefer partners who have no meeting yet either: one meeting then covers two people.
        for pair in sorted(
            options[person],
            key=lambda p: (_has_one(board, p), len(p.slots) if tight else 0, -p.weight),
        ):
            if board.try_place(pair):
                break


def _has_one(board: Board, pair: Pair) -> int:
    return int(board.count[pair.a] > 0) + int(board.count[pair.b] > 0)


def _repair(board: Board, pair_list: list[Pair], by_key: dict[tuple[int, int], Pair]) -> None:
    """Make room for an unmet pair by moving one meeting of either person elsewhere."""
    for pair in pair_list:
        if (pair.a, pair.b) in board.placed or board.full(pair.a) or board.full(pair.b):
            continue
        for slot in pair.slots:
            if _move_blocker(board, pair, slot, by_key):
                break


def _move_blocker(board: Board, pair: Pair, slot: int, by_key: dict[tuple[int, int], Pair]) -> bool:
    """If exactly one meeting blocks the pair at `slot`, move it to another slot and place."""
    keys = {board.busy.get((pair.a, slot)), board.busy.get((pair.b, slot))} - {None}
    if len(keys) != 1:
        return False
    blocker = by_key[keys.pop()]  # type: ignore[index]
    old_slot, old_interpreter = board.unplace(blocker)
    interpreter = board.fit(pair, slot)
    if interpreter != NO:
        board.place(pair, slot, interpreter)
        if board.try_place(blocker, [s for s in blocker.slots if s != slot]):
            return True
        board.unplace(pair)
    board.place(blocker, old_slot, old_interpreter)
    return False


def schedule(
    problem: Problem, pair_list: list[Pair]
) -> dict[tuple[int, int], tuple[int, int | None]]:
    """The greedy schedule: pair → (slot, interpreter); the better of two fairness orders (more
    people with a meeting, then more weight)."""
    best: tuple[tuple[int, int], dict[tuple[int, int], tuple[int, int | None]]] | None = None
    by_key = {(p.a, p.b): p for p in pair_list}
    ordered = sorted(pair_list, key=lambda p: (-p.weight, len(p.slots), p.a, p.b))
    for tight in (True, False):
        board = Board(problem)
        _keep_previous(board, by_key)
        _fair_first(board, pair_list, tight)
        for pair in ordered:
            board.try_place(pair)
        _repair(board, ordered, by_key)
        people = len({person for key in board.placed for person in key})
        score = (people, sum(by_key[key].weight for key in board.placed))
        if best is None or score > best[0]:
            best = (score, dict(board.placed))
    assert best is not None
    return best[1]


def assign_tables(
    placed: dict[tuple[int, int], tuple[int, int | None]], problem: Problem
) -> list[Meeting]:
    """Number the tables: a meeting keeps its table from before, a person keeps their table."""
    before = {m.key: m for m in problem.previous}
    home: dict[int, int] = {}  # a person's table so far (a company host stays put)
    meetings: list[Meeting] = []
    by_slot: dict[int, list[tuple[int, int]]] = {}
    for key, (slot, _) in placed.items():
        by_slot.setdefault(slot, []).append(key)
    for slot in sorted(by_slot):
        free = set(range(1, problem.tables + 1))
        chosen: dict[tuple[int, int], int] = {}
        # Meetings that stay in their slot choose first: they keep their table.
        keys = sorted(
            by_slot[slot], key=lambda k: (not (k in before and before[k].slot == slot), k)
        )
        for key in keys:
            wish = [before[key].table] if key in before and before[key].slot == slot else []
            wish += [home[p] for p in key if p in home]
            table = next((t for t in wish if t in free), None) or min(free)
            free.discard(table)
            chosen[key] = table
        for key in keys:
            table = chosen[key]
            for person in key:
                home.setdefault(person, table)
            meetings.append(Meeting(slot, table, key[0], key[1], placed[key][1]))
    meetings.sort(key=lambda m: (m.slot, m.table))
    return meetings


def board_of(problem: Problem, meetings: list[Meeting]) -> Board:
    """A board holding a finished schedule (to say why the rest was not met)."""
    board = Board(problem)
    for meeting in meetings:
        key = meeting.key
        board.place(Pair(*key, 0, 1, False, 1, (), None), meeting.slot, meeting.interpreter)
    return board


def reason(pair: Pair, problem: Problem, board: Board) -> str:
    """Why a pair has no meeting in the schedule on the board, in the officer's words."""
    if not pair.slots:
        return "no common free slot (their available times do not overlap)"
    if pair.interpreters == ():
        return "no interpreter for their languages"
    for who in (pair.a, pair.b):
        if board.full(who):
            most = problem.people[who].max_meetings
            return f"over maximum (contact {who} already has {most} meetings)"
    both_free = [
        s for s in pair.slots if (pair.a, s) not in board.busy and (pair.b, s) not in board.busy
    ]
    if not both_free:
        return "no common free slot"
    with_table = [s for s in both_free if board.tables[s] < problem.tables]
    if not with_table:
        return "no free table when both are free"
    if all(board.fit(pair, s) == NO for s in with_table):
        return "no interpreter free when both are free"
    return "left out for heavier requests or to give everyone a meeting"
