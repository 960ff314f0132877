"""B2B matchmaking: generated sessions solved by CP-SAT and by the greedy baseline (issue 20).

Two seeded sessions: 60 participants × 12 slots × 10 tables with 2 interpreters, and
200 participants × 30 slots × 40 tables with 6 interpreters. Half the participants are delegates
(Russian, Kazakh, some English), half German company contacts (German, some English); each
delegate wishes 3–6 companies, each company 1–3 delegates (so some wishes are mutual), with
priorities 1–3; a quarter of the people are there only part of the block, some have a maximum.
Each case runs as a whole process (`python benchmarks/bench_b2b.py CASE METHOD`, which builds
the session and solves it), and reports wall time, weighted requests met, the proven bound and
the gap, the greedy schedule beside it, and the machine's load average.

Targets: small case optimal (gap 0) in ≤ 2 s; large case ≤ 10 s with gap ≤ 2 % and ≥ 10 % more
weighted requests met than greedy (or greedy within 2 %).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from greentech_cli.services.matchmaking.b2b_problem import (  # noqa: E402
    Interpreter,
    Person,
    Problem,
    Request,
)

CASES: dict[str, dict[str, Any]] = {
    "small": {"people": 60, "slots": 12, "tables": 10, "interpreters": 2, "seed": 1},
    "large": {"people": 200, "slots": 30, "tables": 40, "interpreters": 6, "seed": 2},
    # The large session with three times the wishes (8–14 per delegate, 3–8 per company):
    # no target in the issue, a stress case for the solver.
    "large-dense": {"people": 200, "slots": 30, "tables": 40, "interpreters": 6, "seed": 2,
                    "wishes": (8, 14), "host_wishes": (3, 8)},
}  # fmt: skip
DELEGATE_LANGUAGES = (("ru",), ("ru", "en"), ("kk", "ru"), ("ru",), ("en",), ("kk", "ru", "en"))
HOST_LANGUAGES = (("de",), ("de", "en"), ("de", "en"), ("de", "ru"))
INTERPRETER_PAIRS = (
    ("ru", "de"),
    ("ru", "de"),
    ("kk", "de"),
    ("en", "de"),
    ("ru", "de"),
    ("ru", "en"),
)


def session(
    people: int,
    slots: int,
    tables: int,
    interpreters: int,
    seed: int,
    wishes: tuple[int, int] = (3, 6),
    host_wishes: tuple[int, int] = (1, 3),
) -> Problem:
    """A generated B2B session: delegates 1…n/2, company contacts after them."""
    rng = random.Random(seed)
    half = people // 2
    persons: dict[int, Person] = {}
    for pid in range(1, people + 1):
        languages = rng.choice(DELEGATE_LANGUAGES if pid <= half else HOST_LANGUAGES)
        window = None
        if rng.random() < 0.25:  # there only part of the block
            length = rng.randint(slots // 3, slots - 1)
            first = rng.randint(0, slots - length)
            window = frozenset(range(first, first + length))
        most = rng.choice((None, None, slots // 3, slots // 2))
        persons[pid] = Person(pid, frozenset(languages), window, most)
    delegates, hosts = list(range(1, half + 1)), list(range(half + 1, people + 1))
    requests = []
    for pid in delegates:
        for wanted in rng.sample(hosts, rng.randint(*wishes)):
            requests.append(Request(pid, wanted, rng.choice((1, 2, 2, 3, 3))))
    for pid in hosts:
        for wanted in rng.sample(delegates, rng.randint(*host_wishes)):
            requests.append(Request(pid, wanted, rng.choice((1, 2, 3))))
    helpers = [
        Interpreter(
            10_000 + i, frozenset({frozenset(INTERPRETER_PAIRS[i % len(INTERPRETER_PAIRS)])})
        )
        for i in range(interpreters)
    ]
    return Problem(slots, tables, persons, requests, helpers)


def solve_case(name: str, method: str, time_limit: float) -> dict[str, object]:
    """Build and solve one case in this process; the figures as a dict."""
    from greentech_cli.services.matchmaking.b2b_solve import solve

    problem = session(**CASES[name])  # type: ignore[arg-type]
    solution = solve(problem, time_limit=time_limit, seed=0, method=method)
    return {**solution.figures(), "meetings": len(solution.meetings)}


def load_session(db_path: Path, name: str) -> None:
    """Store a generated session in a database, as an officer would have entered it: contacts,
    a delegation with the delegates as members, a block visit of exactly the session's slots
    (20 minutes, 5-minute breaks, from 09:00), interpreters, participants and requests."""
    from datetime import datetime, timedelta

    from greentech_cli.db import open_db
    from greentech_cli.services.matchmaking import b2b
    from greentech_cli.services.records import contacts, delegations
    from greentech_cli.services.schedule import visits

    problem = session(**CASES[name])  # type: ignore[arg-type]
    db = open_db(db_path, create=True)
    delegations.add(db, {"code": "b2b-bench", "title": "B2B benchmark", "direction": "incoming",
                         "origin_country": "KZ", "destination_country": "DE",
                         "start_date": "2026-11-17", "end_date": "2026-11-19"})  # fmt: skip
    helpers = {i.id: i for i in problem.interpreters}
    ids: dict[int, int] = {}
    for pid in [*problem.people, *helpers]:
        person = problem.people.get(pid)
        languages = (
            sorted(person.languages)
            if person
            else sorted({x for p in helpers[pid].pairs for x in p})
        )
        fields = {"first_name": f"Person{pid}", "last_name": f"Bench{pid}",
                  "email": f"p{pid}@bench.example", "languages": languages}  # fmt: skip
        contact, _ = contacts.add(db, fields)
        ids[pid] = contact.id or 0
    half = len(problem.people) // 2
    for pid in range(1, half + 1):
        delegations.add_member(db, "b2b-bench", str(ids[pid]), {})
    minutes = problem.slot_count * 25 - 5
    visit = visits.add(db, "b2b-bench", {"title": "B2B", "kind": "b2b-meeting",
                                         "start": "2026-11-18 09:00",
                                         "duration": f"{minutes}m"})  # fmt: skip
    ref = str(visit.id)
    pairs = [
        f"{ids[i]}:" + ",".join("-".join(sorted(p)) for p in helpers[i].pairs) for i in helpers
    ]
    b2b.setup(db, ref, slot="20m", break_="5m", tables=problem.tables, interpreters=pairs)
    start = datetime(2026, 11, 18, 9, 0)
    for pid, person in problem.people.items():
        window = None
        if person.slots is not None:
            first, last = min(person.slots), max(person.slots)
            begin = start + timedelta(minutes=25 * first)
            end = start + timedelta(minutes=25 * last + 20)
            window = f"{begin:%H:%M}-{end:%H:%M}"
        b2b.add_participant(db, ref, str(ids[pid]), max_meetings=person.max_meetings,
                            available=window)  # fmt: skip
    for request in problem.requests:
        b2b.add_request(db, ref, str(ids[request.requester]), str(ids[request.wanted]),
                        request.priority)  # fmt: skip
    db.close()


def _run_case(name: str, method: str, time_limit: float) -> tuple[float, dict[str, object]]:
    began = time.perf_counter()
    out = subprocess.run(
        [sys.executable, str(Path(__file__)), name, method, str(time_limit)],
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - began, json.loads(out.stdout)


TARGETS = {"small": (2.0, 0.0), "large": (10.0, 0.02), "large-dense": (None, None)}


def _rows(ctx: object) -> list:
    from run import Row

    rows = []
    for name, (wall_target, gap_target) in TARGETS.items():
        case = CASES[name]
        size = f"{case['people']} people × {case['slots']} slots × {case['tables']} tables"
        greedy_wall, greedy = _run_case(name, "greedy", 8.0)
        for method in ("highs", "cp-sat"):
            load = os.getloadavg()[0]
            wall, best = _run_case(name, method, 8.0)
            gap = float(best["gap"])  # type: ignore[arg-type]
            ours = int(best["objective"])  # type: ignore[call-overload]
            better = (ours / max(1, int(greedy["objective"])) - 1) * 100  # type: ignore[call-overload]
            ok_time = wall_target is None or wall <= wall_target
            ok_gap = gap_target is None or gap <= gap_target + 1e-9
            rows.append(
                Row(
                    "b2b",
                    f"{name} ({size}), {method}, --time-limit 8s, load {load:.1f}",
                    f"{wall:.1f} s; weighted {ours} of ≤ {best['bound']} (gap {gap:.1%}, "
                    f"{best['status']}); {best['requests_met']}/{best['requests_total']} "
                    f"requests, {best['covered']}/{best['coverable']} people met someone; "
                    f"greedy {greedy['objective']} in {greedy_wall:.1f} s (solver +{better:.1f} %)",
                    "" if wall_target is None else f"≤ {wall_target:.0f} s, gap ≤ {gap_target:.0%}",
                    "" if wall_target is None else ("ok" if ok_time and ok_gap else "NO"),
                )
            )
    # The command itself on the large session stored in a database (reading it, solving,
    # storing the grid, writing the JSON).
    db_path = Path(getattr(ctx, "scratch", Path("."))) / "b2b-large.db"
    load_session(db_path, "large")
    load = os.getloadavg()[0]
    wall, cpu, peak = ctx.measure(  # type: ignore[attr-defined]
        [*ctx.greentech(), "--db", str(db_path), "b2b", "schedule", "1",  # type: ignore[attr-defined]
         "--time-limit", "8s", "--format", "json"]
    )  # fmt: skip
    rows.append(
        Row("b2b", f"large: greentech b2b schedule as a whole process, load {load:.1f}",
            f"{wall:.1f} s wall, {cpu:.1f} s CPU, {peak:.0f} MB peak", "≤ 10 s",
            "ok" if wall <= 10 else "SLOWER")
    )  # fmt: skip
    return rows


BENCHMARKS = {"b2b": _rows}


if __name__ == "__main__":
    case, how = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
    print(json.dumps(solve_case(case, how, seconds)))
