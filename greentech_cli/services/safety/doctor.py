"""`doctor`: check that the database file is sound, consistent, current, private and has room."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greentech_cli.db import open_db, transaction
from greentech_cli.errors import GreentechError
from greentech_cli.services.safety.backup import describe
from greentech_cli.store import health, privacy

if TYPE_CHECKING:
    from greentech_cli.db import Database

# Room to work: a VACUUM or a backup needs about the database's size again.
MIN_FREE_BYTES = 100 * 1024 * 1024


@dataclass
class Check:
    """One check and its outcome."""

    name: str
    ok: bool
    detail: str
    fixable: bool = False
    # False for a check about a SQLite file that has no meaning on PostgreSQL (said so).
    applicable: bool = True

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of a check."""
        status = "ok" if self.ok else "problem"
        return {
            "check": self.name,
            "status": status if self.applicable else "not applicable",
            "detail": self.detail,
        }


def _permissions(path: Path) -> Check:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Check(
            "permissions",
            False,
            f"{path} is readable by others (mode {mode:04o}); run 'chmod 600 {path}'",
        )
    return Check("permissions", True, f"owner only ({mode:04o})")


def _free_space(path: Path) -> Check:
    free = shutil.disk_usage(path.parent).free
    size = path.stat().st_size
    needed = max(MIN_FREE_BYTES, 2 * size)
    detail = f"{free / 1024**2:,.0f} MB free, database {size / 1024**2:,.1f} MB"
    if free < needed:
        return Check("free disk", False, f"{detail}; keep at least {needed / 1024**2:,.0f} MB free")
    return Check("free disk", True, detail)


def _schema(db: Database) -> Check:
    from greentech_cli.migrations import known_names

    known = known_names()
    applied = health.applied_migrations(db) or []
    unknown = [n for n in applied if n not in known]
    if unknown:
        return Check("schema", False, f"written by a newer greentech ({unknown[0]})")
    differences = health.schema_problems(db, applied)
    if differences:
        return _changed_outside(len(applied), differences)
    pending = [n for n in known if n not in applied]
    if pending:
        return Check("schema", False, f"{len(pending)} schema step(s) pending ({pending[0]})")
    return Check("schema", True, f"version {len(applied)} (current)")


def _changed_outside(version: int, differences: list[str]) -> Check:
    return Check(
        "schema",
        False,
        f"changed outside greentech: differs from version {version} "
        f"({describe(differences)}); restore a backup",
    )


def _integrity(db: Database) -> Check:
    errors = health.integrity_errors(db)
    if errors:
        more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
        return Check("integrity", False, f"{errors[0]}{more}; restore a backup")
    return Check("integrity", True, "ok")


def _foreign_keys(db: Database) -> Check:
    problems = health.foreign_key_problems(db)
    if problems:
        first = problems[0]
        return Check(
            "foreign keys",
            False,
            f"{len(problems)} row(s) point at missing records "
            f"(e.g. {first['table']} row {first['rowid']} → {first['parent']})",
        )
    return Check("foreign keys", True, "ok")


def _search_index(db: Database) -> Check:
    problems, unchecked = health.fts_problems(db)
    if problems:
        return Check(
            "search index", False, "; ".join(problems) + " (fix: doctor --fix)", fixable=True
        )
    if unchecked:  # an entry for every record; FTS5's own check needs the write lock
        return Check("search index", True, f"ok (FTS5's own check skipped: {unchecked})")
    return Check("search index", True, "ok")


def _run(path: Path, db: Database) -> list[Check]:
    checks: list[Check] = []
    for check in (_integrity, _foreign_keys, _search_index, _schema):
        try:
            checks.append(check(db))
        except sqlite3.DatabaseError as exc:
            name = check.__name__.strip("_").replace("_", " ")
            checks.append(Check(name, False, f"cannot check: {exc}"))
    checks.append(_permissions(path))
    checks.append(_free_space(path))
    return checks


def diagnose(path: Path, *, fix: bool = False, url: str = "") -> list[Check]:
    """Run every check on the database file (or the PostgreSQL database `url`); with fix,
    rebuild the search index if needed.

    The file is never created or migrated here: a doctor looks before it touches.
    """
    if url:
        return _diagnose_postgres(url, fix=fix)
    if not path.exists():
        return [Check("database", False, f"no database at {path}")]
    try:
        db = open_db(path, migrate=False)
    except GreentechError as exc:
        return [Check("database", False, exc.message), _permissions(path), _free_space(path)]
    try:
        if not fix:
            return _run(path, db)
        # Checked and repaired under the write lock: no writer changes the file in between.
        with transaction(db, refuse="doctor --fix"):
            if any(c.fixable and not c.ok for c in _run(path, db)):
                repair_search_index(db)
        compact(db)
        return _run(path, db)
    finally:
        db.close()


def repair_search_index(db: Database) -> None:
    """Rebuild the full-text index from the tables and merge it."""
    with transaction(db, refuse="repairing the search index"):
        health.rebuild_search_index(db)
        health.optimize_fts(db)


def compact(db: Database) -> None:
    """Fold the WAL into the file and rewrite it without free pages or stale bytes."""
    privacy.secure_delete(db)
    health.checkpoint(db)
    health.vacuum(db)
    health.checkpoint(db)


# What the checks about a SQLite file mean on PostgreSQL: the server's business, said so.
_SERVER_CHECKS = (
    ("integrity", "the server guards its own storage (its administrator checks it)"),
    ("foreign keys", "the server enforces them on every write"),
    ("permissions", "the server's roles decide who reads and writes (no file here)"),
    ("free disk", "the disk is the database server's (its administrator watches it)"),
)


def _postgres_schema(db: Database) -> Check:
    from greentech_cli.migrations import known_names
    from greentech_cli.migrations.postgres import applied_names

    known, applied = known_names(), applied_names(db)
    if not applied:
        return Check("schema", False, "no greentech schema in this database")
    unknown = [n for n in applied if n not in known]
    if unknown:
        return Check("schema", False, f"written by a newer greentech ({unknown[0]})")
    missing = [t for t in health.CORE_TABLES if t not in db.table_names()]
    if missing:
        return Check("schema", False, f"the table {missing[0]} is missing; restore a backup")
    pending = [n for n in known if n not in applied]
    if pending:
        return Check("schema", False, f"{len(pending)} schema step(s) pending ({pending[0]})")
    differences = health.postgres_schema_problems(db)
    if differences:
        return _changed_outside(len(applied), differences)
    if differences is None:
        return Check(
            "schema",
            True,
            f"version {len(applied)} (current); its tables and indexes not compared: that "
            "needs a role that may create a schema on a server that takes writes (the "
            "comparison is built in one and rolled back)",
        )
    return Check("schema", True, f"version {len(applied)} (current)")


def _run_postgres(db: Database) -> list[Check]:
    checks = [_postgres_schema(db)]
    if checks[0].ok:
        checks.insert(0, _search_index(db))
    checks += [Check(name, True, why, applicable=False) for name, why in _SERVER_CHECKS]
    return checks


def _diagnose_postgres(url: str, *, fix: bool) -> list[Check]:
    """The checks on a PostgreSQL database: its schema version and its search index; those
    about a SQLite file (integrity, permissions, free disk) are the server's and say so."""
    from greentech_cli.config import scrubbed

    try:
        db = open_db(url, migrate=False)
    except GreentechError as exc:  # the driver's reason may quote the URL: its password unsaid
        return [Check("database", False, scrubbed(exc.message, [url]))]
    try:
        checks = _run_postgres(db)
        if fix and any(c.fixable and not c.ok for c in checks):
            with transaction(db, refuse="doctor --fix"):
                health.rebuild_search_index(db)
            checks = _run_postgres(db)
        return checks
    finally:
        db.close()
