"""Solve a B2B grid: HiGHS (else CP-SAT) when installed, the greedy schedule as the fallback.

`solve(problem)` always returns a valid schedule: the greedy one is built first (it is also the
solver's start and what a plain install uses); the solver's replaces it when it ranks at least
as high (more people with a meeting, then more weight). The bound is the solver's proof — the
smaller of the aggregate program's optimum and the full search's bound — or for greedy alone
the plain sum of every pair that could meet at all (no proof of closeness then). `verify`
re-checks every hard rule on every schedule before it is returned.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from greentech_cli.errors import InvalidData
from greentech_cli.services.matchmaking import b2b_cpsat, b2b_greedy, b2b_highs
from greentech_cli.services.matchmaking.b2b_problem import (
    Meeting,
    Pair,
    Problem,
    Solution,
    linear_model,
    needs_interpreter,
    pairs,
)

METHODS = ("auto", "highs", "cp-sat", "greedy")
SCALE = 1000  # weighted requests dominate; a meeting kept where it was breaks ties
INSTALL = "pip install 'greentech[b2b]'"


def _backend(method: str) -> tuple[str, Any] | None:
    """The solver module to use: HiGHS first (measured best), then CP-SAT; None: greedy only."""
    wanted = ("highs", "cp-sat") if method == "auto" else (method,)
    for name in wanted:
        module = b2b_highs if name == "highs" else b2b_cpsat
        if module.available():
            return name, module
    if method != "auto":
        raise InvalidData(f"the {method} solver is not installed: {INSTALL}")
    return None


def solve(
    problem: Problem, *, time_limit: float = 10.0, seed: int = 0, method: str = "auto"
) -> Solution:
    """The best schedule found within `time_limit` seconds, deterministic for a given seed."""
    if method not in METHODS:
        raise InvalidData(f"unknown solver {method!r}: choose {', '.join(METHODS)}")
    began = time.perf_counter()
    problem.validate()
    pair_list = pairs(problem)
    placed = b2b_greedy.schedule(problem, pair_list)
    objective = _weight(placed, pair_list)
    bound = sum(p.weight for p in pair_list if p.slots and p.interpreters != ())
    solver, status = "greedy", "greedy"
    backend = None if method == "greedy" else _backend(method)
    if backend is None and method != "greedy":
        status = f"fallback: no solver installed ({INSTALL})"
    if backend is not None:
        found = _optimise(problem, pair_list, placed, backend[1], _Clock(time_limit, began), seed)
        # The proven bound holds for schedules meeting the fairness floor (the greedy one
        # does unless the solver found a fairer one).
        if found.bound is not None and _covered(placed) >= found.floor:
            bound = min(bound, max(found.bound, objective))
        if found.placed is None:
            status = "fallback: the solver found no schedule in the time limit"
        elif (_covered(found.placed), found.weight) >= (_covered(placed), objective):
            # Fairness first, then weight: the order the objective ranks schedules in.
            placed, objective = found.placed, found.weight
            bound = found.bound if found.bound is not None else bound
            solver, status = backend[0], "optimal" if found.proven else "feasible"
        else:
            status = "fallback: greedy was better within the time limit"
    meetings = b2b_greedy.assign_tables(placed, problem)
    verify(problem, meetings)
    return _solution(problem, pair_list, meetings, objective, bound, solver, status, began)


@dataclass
class _Found:
    """What a solver backend found: a schedule (None: none in time), its weight, the bound."""

    placed: dict[tuple[int, int], tuple[int, int | None]] | None
    weight: int
    bound: int | None
    proven: bool
    floor: int = 0  # the people with a meeting every schedule the bound covers has


class _Clock:
    """Budgets: deterministic shares of the time limit, and the wall time left to the deadline.

    A CP-SAT search is limited by its deterministic share (the same work on every run) and only
    stopped by the wall time as a safety net; HiGHS has only wall time (see `b2b_highs`).
    """

    def __init__(self, seconds: float, began: float) -> None:
        self.seconds = seconds
        self.deadline = began + seconds

    def share(self, fraction: float) -> tuple[float, float]:
        """(deterministic seconds, wall seconds left) for a step given `fraction` of the limit."""
        left = max(0.1, self.deadline - time.perf_counter())
        return max(0.05, self.seconds * fraction), left


def _optimise(
    problem: Problem,
    pair_list: list[Pair],
    start: dict[tuple[int, int], tuple[int, int | None]],
    backend: Any,
    clock: _Clock,
    seed: int,
) -> _Found:
    """Fairness first, then weight, within the clock's budget."""
    model = linear_model(problem, pair_list)
    if not model.choices:  # no pair can meet at all: nothing to search
        return _Found({}, 0, 0, True)
    hint = model.start(start)
    floor = sum(hint[len(model.choices) :])
    if floor < len(model.covers):
        # Phase 1: as many people with a request as possible get at least one meeting.
        first = backend.maximise(
            model.columns, model.rows, model.coverage(), hint, *clock.share(0.25), seed
        )
        if first.values is not None and round(first.objective) > floor:
            floor, hint = round(first.objective), first.values
    everyone = floor == len(model.covers)
    fair = model.everyone() if everyone else [model.floor(floor)]
    # The aggregate program's optimum bounds the full one (see `linear_model`), in a moment.
    loose = linear_model(problem, pair_list, aggregate=True)
    relaxed = backend.maximise(
        loose.columns,
        [*loose.rows, *(loose.everyone() if everyone else [loose.floor(floor)])],
        loose.weights([], 1),
        [0] * loose.columns,
        *clock.share(0.15),
        seed,
    )
    top = None
    if relaxed.values is not None and math.isfinite(relaxed.bound):
        top = int(relaxed.bound + 1e-6)
    start_weight = model.weight(hint)
    if top is not None and start_weight >= top and not problem.previous:
        return _Found(model.placed(hint), start_weight, top, True, floor)
    result = backend.maximise(
        model.columns, [*model.rows, *fair], model.weights(problem.previous, SCALE), hint,
        *clock.share(0.6), seed,
    )  # fmt: skip
    bounds = [top] if top is not None else []
    if math.isfinite(result.bound):  # a solve cut short before its first LP has none
        bounds.append(int(result.bound + 1e-6) // SCALE)
    bound = min(bounds) if bounds else None
    if result.values is None:
        return _Found(None, 0, bound, False, floor)
    weight = model.weight(result.values)
    bound = max(weight, bound if bound is not None else weight)
    proven = result.proven or (bound <= weight and bool(bounds))
    return _Found(model.placed(result.values), weight, bound, proven, floor)


def _covered(placed: dict[tuple[int, int], tuple[int, int | None]]) -> int:
    return len({person for key in placed for person in key})


def _weight(placed: dict[tuple[int, int], tuple[int, int | None]], pair_list: list[Pair]) -> int:
    return sum(p.weight for p in pair_list if (p.a, p.b) in placed)


def _solution(
    problem: Problem,
    pair_list: list[Pair],
    meetings: list[Meeting],
    objective: int,
    bound: int,
    solver: str,
    status: str,
    began: float,
) -> Solution:
    met = {m.key for m in meetings}
    people = {p for pair in pair_list for p in (pair.a, pair.b)}
    coverable = {
        p for pair in pair_list if pair.slots and pair.interpreters != () for p in (pair.a, pair.b)
    }
    board = b2b_greedy.board_of(problem, meetings)
    unmet = [
        (pair, b2b_greedy.reason(pair, problem, board))
        for pair in pair_list
        if (pair.a, pair.b) not in met
    ]
    return Solution(
        meetings=meetings,
        objective=objective,
        bound=max(bound, objective),
        solver=solver,
        status=status,
        seconds=time.perf_counter() - began,
        requests_met=sum(p.requests for p in pair_list if (p.a, p.b) in met),
        requests_total=sum(p.requests for p in pair_list),
        covered=len({p for key in met for p in key} & people),
        coverable=len(coverable),
        unmet=unmet,
        moved=moves(problem.previous, meetings),
    )


def moves(before: list[Meeting], after: list[Meeting]) -> list[tuple[Meeting, Meeting | None]]:
    """Meetings of the grid before that changed slot or table, or were dropped (None)."""
    now = {m.key: m for m in after}
    changed: list[tuple[Meeting, Meeting | None]] = []
    for meeting in before:
        new = now.get(meeting.key)
        if new is None or (new.slot, new.table) != (meeting.slot, meeting.table):
            changed.append((meeting, new))
    return changed


def verify(problem: Problem, meetings: list[Meeting]) -> None:
    """Raise AssertionError-like InvalidData if any hard rule is broken (a defect if it is)."""
    seen: set[tuple[int, int]] = set()
    tables: set[tuple[int, int]] = set()
    busy: set[tuple[int, int]] = set()
    count: Counter[int] = Counter()
    interpreters = {i.id: i for i in problem.interpreters}
    requested = {(min(r.requester, r.wanted), max(r.requester, r.wanted)) for r in problem.requests}
    for m in meetings:
        broken = _broken(problem, m, requested, interpreters)
        if m.key in seen:
            broken = broken or "the pair meets twice"
        if (m.slot, m.table) in tables or not 1 <= m.table <= problem.tables:
            broken = broken or f"table {m.table} is taken twice or does not exist"
        for who in (m.a, m.b, m.interpreter):
            if who is not None and (who, m.slot) in busy:
                broken = broken or f"contact {who} is in two places at once"
            if who is not None:
                busy.add((who, m.slot))
        if broken:
            raise InvalidData(f"schedule defect in slot {m.slot + 1}: {broken}")
        seen.add(m.key)
        tables.add((m.slot, m.table))
        count.update((m.a, m.b))
    for who, n in count.items():
        most = problem.people[who].max_meetings
        if most is not None and n > most:
            raise InvalidData(f"schedule defect: contact {who} has {n} meetings, at most {most}")


def _broken(
    problem: Problem, m: Meeting, requested: set[tuple[int, int]], interpreters: dict
) -> str | None:
    if m.key not in requested:
        return "a meeting nobody asked for"
    left, right = problem.people[m.a], problem.people[m.b]
    if m.slot not in problem.free_slots(left) or m.slot not in problem.free_slots(right):
        return "a person is not available"
    if needs_interpreter(left, right):
        who = interpreters.get(m.interpreter) if m.interpreter is not None else None
        if who is None or not who.bridges(left.languages, right.languages):
            return "no fitting interpreter"
        if m.slot not in problem.free_slots(who):
            return "the interpreter is not available"
    return None
