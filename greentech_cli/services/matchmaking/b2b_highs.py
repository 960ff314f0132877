"""HiGHS (`highspy`, the `greentech[b2b]` extra) as a backend: maximise a 0/1 program as a MIP.

The default solver: on the benchmark sessions it proves the optimum where single-worker CP-SAT
does not close the gap in the same time (benchmarks/RESULTS.md). One thread, a fixed seed,
no relative-gap tolerance; HiGHS has no deterministic work limit for a MIP, so the time limit
is wall-clock: a solve that proves its optimum before it is deterministic, one cut short by
the limit may differ from run to run on a loaded machine (the status says "feasible" then).
"""

from __future__ import annotations

from typing import Any

from greentech_cli.services.matchmaking.b2b_problem import Result, Row


def available() -> bool:
    """Whether highspy is installed."""
    try:
        import highspy  # noqa: F401
    except ImportError:
        return False
    return True


def _quiet_highs() -> Any:
    """A Highs instance whose banner does not reach stdout (it would spoil `--format json`).

    The banner is printed by the C++ constructor, so standard output is pointed at /dev/null at
    the descriptor level for that moment and C's buffers are flushed before it is restored.
    """
    import contextlib
    import ctypes
    import os
    import sys

    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        with contextlib.suppress(OSError, TypeError, AttributeError):  # no C library handle
            ctypes.CDLL(None).fflush(None)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    return h


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
    result = _run(columns, rows, objective, hint, max(0.1, min(seconds, wall)), seed, "choose")
    if result.values is not None and _value(objective, result.values) != round(result.objective):
        # Seen with highspy 1.16: when presolve solves the whole program and a start was given,
        # the reported optimum is right but the values handed back are the start's. Solving
        # again without presolve gives values that reach the optimum.
        result = _run(columns, rows, objective, hint, max(0.1, min(seconds, wall)), seed, "off")
        if result.values is not None and _value(objective, result.values) != round(
            result.objective
        ):
            return Result(result.values, _value(objective, result.values), result.bound, False)
    return result


def _value(objective: list[int], values: list[int]) -> int:
    return sum(c * v for c, v in zip(objective, values, strict=True))


def _run(
    columns: int,
    rows: list[Row],
    objective: list[int],
    hint: list[int],
    seconds: float,
    seed: int,
    presolve: str,
) -> Result:
    """One HiGHS solve of the program (see `maximise`)."""
    import highspy
    import numpy as np

    h = _quiet_highs()
    for name, setting in (
        ("threads", 1),
        ("random_seed", seed),
        ("time_limit", seconds),
        ("mip_rel_gap", 0.0),
        ("presolve", presolve),
    ):
        h.setOptionValue(name, setting)
    h.addCols(
        columns,
        np.array(objective, dtype=float),
        np.zeros(columns),
        np.ones(columns),
        0,
        np.array([], dtype=np.int32),
        np.array([], dtype=np.int32),
        np.array([], dtype=float),
    )
    integer = highspy.HighsVarType.kInteger
    h.changeColsIntegrality(
        columns, np.arange(columns, dtype=np.int32), np.array([integer] * columns)
    )
    starts: list[int] = []
    index: list[int] = []
    value: list[int] = []
    for cols, coefs, _ in rows:
        starts.append(len(index))
        index += cols
        value += coefs
    h.addRows(
        len(rows),
        np.full(len(rows), -highspy.kHighsInf),
        np.array([limit for _, _, limit in rows], dtype=float),
        len(index),
        np.array(starts, dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.array(value, dtype=float),
    )
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    start = highspy.HighsSolution()
    start.col_value = [float(v) for v in hint]
    start.value_valid = True
    h.setSolution(start)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        return Result(None, 0.0, float("inf"), False)
    values = [round(v) for v in h.getSolution().col_value]
    return Result(
        values,
        info.objective_function_value,
        info.mip_dual_bound,
        status == highspy.HighsModelStatus.kOptimal,
    )
