"""How long an import holds the write lock (issue 15 item 5), against its whole run.

    python benchmarks/lock_time.py 100000
    python benchmarks/lock_time.py 100000 --again   # into a database holding the same people

Generates N people (benchmarks/generate.py, seed 1), imports them into an empty database (with
--again: into one that holds them already) in a child process, and watches from outside, every
10 ms:
- the holder file (`<db>-writer`), there exactly while the import holds the write lock;
- a probe connection trying `BEGIN IMMEDIATE` without waiting: the longest stretch it could not
  is how long another writer would have waited;
- the import's CPU time (/proc/PID/stat, user + system) when the lock was taken and released, so
  the CPU spent holding the lock is known however loaded the machine is.
Prints the import's wall time, the lock time by both measures, the CPU share under the lock and
the load average.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main(n: int, again: bool = False) -> None:
    sys.path.insert(0, str(HERE))
    from generate import write_people

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        csv = work / "people.csv"
        with csv.open("w", encoding="utf-8", newline="") as out:
            write_people(out, n, 1, 0.0, "csv")
        db = work / "greentech.db"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(work)}
        base = [sys.executable, "-m", "greentech_cli", "--db", str(db)]
        subprocess.run([*base, "init"], check=True, env=env, capture_output=True)
        if again:  # every row of the measured import is then a duplicate to look up and fill
            subprocess.run([*base, "import", str(csv)], check=True, env=env, capture_output=True)
        holder = Path(f"{db}-writer")
        probe = sqlite3.connect(db, timeout=0, isolation_level=None)
        load = os.getloadavg()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)  # the init above
        cpu_before = before.ru_utime + before.ru_stime
        started = time.monotonic()
        child = subprocess.Popen(
            [*base, "import", "file", str(csv)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        held_from = held_to = None
        cpu_from = cpu_to = None
        blocked_from: float | None = None
        longest_block = 0.0
        while child.poll() is None:
            now = time.monotonic()
            if holder.exists():
                if held_from is None:
                    held_from, cpu_from = now, _cpu(child.pid)
                held_to = None
            elif held_from is not None and held_to is None:
                held_to, cpu_to = now, _cpu(child.pid)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                if blocked_from is not None:
                    longest_block = max(longest_block, now - blocked_from)
                    blocked_from = None
            except sqlite3.OperationalError:
                blocked_from = blocked_from or now
            time.sleep(0.01)
        ended = time.monotonic()
        used = resource.getrusage(resource.RUSAGE_CHILDREN)  # the import and its reader
        cpu_total = used.ru_utime + used.ru_stime - cpu_before
        if blocked_from is not None:
            longest_block = max(longest_block, ended - blocked_from)
        held_to = held_to or ended
        probe.close()
        err = child.stderr.read().decode() if child.stderr else ""
        if child.returncode != 0:
            raise SystemExit(f"the import failed: {err}")
        count = sqlite3.connect(db).execute("SELECT count(*) FROM contacts").fetchone()[0]
        held = (held_to - held_from) if held_from is not None else 0.0
        print(f"rows: {n:,}, contacts stored: {count:,}")
        print(f"import wall time: {ended - started:.1f} s")
        print(f"write lock held (holder file): {held:.1f} s")
        print(f"longest wait of another writer (probe): {longest_block:.1f} s")
        if cpu_from is not None and cpu_to is not None:
            under = cpu_to - cpu_from
            print(
                f"CPU of the import: {cpu_total:.1f} s (its reader process included), "
                f"{under:.1f} s of it holding the lock ({under / cpu_total:.0%})"
            )
        print(f"load average before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


def _cpu(pid: int) -> float | None:
    """A running process's CPU time so far (user + system, seconds), from /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a != "--again"]
    main(int(numbers[0]) if numbers else 100_000, again="--again" in sys.argv[1:])
