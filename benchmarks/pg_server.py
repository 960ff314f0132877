"""A throw-away local PostgreSQL server for the team benchmarks (issue 21).

    with pg_server.running(folder) as url:   # postgresql://greentech@/postgres?host=…&port=…
        ...

Uses the server binaries on the machine (`initdb`, `pg_ctl` on PATH, else Debian's
/usr/lib/postgresql/N/bin). The cluster lives in `folder`, listens only on a Unix socket there and
keeps PostgreSQL's default durability (fsync and synchronous commit on), so the figures compare
with a SQLite file in WAL mode that commits to disk. As root, the cluster belongs to the
`postgres` user (else `nobody`): initdb refuses root. The server is stopped on leaving.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PORT = 54331


def _bin_dir() -> Path:
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    if not versions:
        raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    return versions[-1]


def _owner() -> list[str]:
    """The prefix that runs a server command as an unprivileged user when we are root."""
    if os.geteuid() != 0:
        return []
    for user in ("postgres", "nobody"):
        if subprocess.run(["id", user], capture_output=True, check=False).returncode == 0:
            return ["runuser", "-u", user, "--"]
    raise RuntimeError("running as root with no unprivileged user to own the cluster")


def create_database(url: str, name: str) -> str:
    """A new empty database beside the one `url` names; returns its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.replace("/postgres?", f"/{name}?", 1)


@contextmanager
def running(folder: Path) -> Iterator[str]:
    """Start a cluster in `folder` (made anew) and yield the URL of its `postgres` database."""
    bin_dir, run_as = _bin_dir(), _owner()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    if run_as:
        shutil.chown(folder, user=run_as[2])
    data = folder / "data"
    subprocess.run(
        [*run_as, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "greentech",
         "-E", "UTF8", "--locale=C.UTF-8"],
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-k {folder} -p {PORT} -c listen_addresses='' -c max_connections=100"
    subprocess.run(
        [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
         "-w", "-o", options, "start"],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield f"postgresql://greentech@/postgres?host={folder}&port={PORT}"
    finally:
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
