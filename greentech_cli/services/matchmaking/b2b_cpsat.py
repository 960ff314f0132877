"""CP-SAT (OR-Tools, installed by hand; the second choice after HiGHS) as a backend: a 0/1 program.

Deterministic: one worker, a fixed seed and a deterministic time limit (CP-SAT's own work
units); the wall-clock time left to the deadline is a safety net for a heavily loaded machine.
`b2b_solve` decides what to maximise; this module only hands the program to CP-SAT.
"""

from __future__ import annotations

from greentech_cli.services.matchmaking.b2b_problem import Result, Row


def available() -> bool:
    """Whether OR-Tools is installed."""
    try:
        import ortools.sat.python.cp_model  # noqa: F401
    except ImportError:
        return False
    return True


def maximise(
    columns: int,
    rows: list[Row],
    objective: list[int],
    hint: list[int],
    seconds: float,
    wall: float,
    seed: int,
) -> Result:
    """Maximise objective·x over 0/1 columns subject to rows (sum coef·x ≤ limit), within
    `seconds` of deterministic work where the solver measures it, and `wall` seconds at most."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(columns)]
    for cols, coefs, limit in rows:
        if limit == 1 and all(c == 1 for c in coefs):
            model.add_at_most_one(x[c] for c in cols)
        else:
            model.add(sum(coef * x[c] for c, coef in zip(cols, coefs, strict=True)) <= limit)
    model.maximize(sum(w * x[i] for i, w in enumerate(objective) if w))
    for var, value in zip(x, hint, strict=True):
        model.add_hint(var, bool(value))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = max(0.05, seconds)
    solver.parameters.max_time_in_seconds = max(0.1, wall)
    solver.parameters.linearization_level = 2  # the LP of the at-most-ones: a tight bound
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Result(None, 0.0, float("inf"), False)
    values = [int(solver.boolean_value(v)) for v in x]
    return Result(
        values, solver.objective_value, solver.best_objective_bound, status == cp_model.OPTIMAL
    )
