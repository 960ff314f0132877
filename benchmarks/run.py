"""The benchmark runner: runs bench_*.py modules, prints a table and appends it to RESULTS.md.

Usage: python benchmarks/run.py [NAME ...] [--size N] [--no-record]

Each `benchmarks/bench_*.py` module exposes `BENCHMARKS: dict[str, Callable[[Context], list[Row]]]`.
A benchmark gets a Context (scratch folder, size, helpers) and returns rows of
(what, figure, target, verdict). Whole-process timings use `Context.time_command`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Runs the measured command as its child and reports its exit code, CPU time and peak RSS.
LAUNCHER = """
import json, os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as fh:
    json.dump([os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime,
               usage.ru_maxrss], fh)
"""
RESULTS = HERE / "RESULTS.md"


@dataclass
class Row:
    """One measured figure."""

    benchmark: str
    what: str
    figure: str
    target: str = ""
    verdict: str = ""


@dataclass
class Context:
    """What a benchmark gets: a scratch folder, the size asked for and timing helpers."""

    scratch: Path
    size: int
    env: dict[str, str] = field(default_factory=dict)

    def greentech(self) -> list[str]:
        """The command that runs greentech as a whole process."""
        return [sys.executable, "-m", "greentech_cli"]

    def run(self, cmd: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        """Run a command once (checked), with the benchmark environment."""
        return subprocess.run(list(cmd), check=True, capture_output=True, env=self.env, **kwargs)  # type: ignore[call-overload]

    def time_command(self, cmd: Sequence[str], repeat: int = 7) -> list[float]:
        """Wall-clock seconds of a whole process, repeated."""
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            self.run(cmd)
            times.append(time.perf_counter() - start)
        return times

    def measure(self, cmd: Sequence[str]) -> tuple[float, float, float]:
        """(wall seconds, CPU seconds user+system, peak resident MB) of one whole process.

        A tiny launcher stands between this process and the command: a child started straight
        from a large benchmark process keeps its high-water RSS on Linux, so the command would
        show at least our own size.
        """
        with tempfile.TemporaryDirectory(prefix="measure-") as tmp:
            report = Path(tmp) / "rusage.json"
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", LAUNCHER, str(report), *cmd],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                check=False,
            )
            elapsed = time.perf_counter() - start
            code, cpu, peak_kb = json.loads(report.read_text()) if report.exists() else (-1, 0, 0)
        if proc.returncode != 0 or code != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.decode()[-500:]}")
        return elapsed, float(cpu), peak_kb / 1024

    def peak_memory_mb(self, cmd: Sequence[str]) -> tuple[float, float]:
        """(wall seconds, peak resident MB) of one whole process."""
        elapsed, _, peak = self.measure(cmd)
        return elapsed, peak


def median_ms(times: list[float]) -> float:
    """Median of seconds, in milliseconds."""
    return statistics.median(times) * 1000


def machine() -> str:
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
        f"{mem_gb:.0f} GiB, Python {platform.python_version()}{load}"
    )


def discover() -> dict[str, Callable[[Context], list[Row]]]:
    """Every benchmark of every bench_*.py module, by name."""
    found: dict[str, Callable[[Context], list[Row]]] = {}
    for path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
        found.update(module.BENCHMARKS)
    return found


def render(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = ["| benchmark | what | figure | target | verdict |", "|---|---|---|---|---|"]
    lines += [f"| {r.benchmark} | {r.what} | {r.figure} | {r.target} | {r.verdict} |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks (all by default) and record the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--size", type=int, default=100_000, help="rows or contacts (100000)")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args(argv)
    benchmarks = discover()
    names = args.names or list(benchmarks)
    unknown = [n for n in names if n not in benchmarks]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(benchmarks)}")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="greentech-bench-") as tmp:
        scratch = Path(tmp)
        env = {**os.environ, "HOME": str(scratch / "home"), "NO_COLOR": "1"}
        env.pop("GREENTECH_DB", None)
        ctx = Context(scratch=scratch, size=args.size, env=env)
        for name in names:
            print(f"running {name} …", file=sys.stderr)
            rows += benchmarks[name](ctx)
    table = render(rows)
    print(table)
    if not args.no_record:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write(f"\n## {stamp} — {', '.join(names)}\n\nMachine: {machine()}\n\n{table}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
