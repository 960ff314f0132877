"""The demo: a fictional Kazakh waste-management delegation loaded into its own database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from greentech_cli.db import open_db, transaction
from greentech_cli.services.programme import files as programme
from greentech_cli.store import delegations as delegation_store

if TYPE_CHECKING:
    from greentech_cli.models.itinerary import Itinerary
    from greentech_cli.services.schedule.checks import Finding

DEMO_CODE = "kz-waste-demo"
DEMO_FILE = ("demo", "programme.yaml")


def default_path() -> Path:
    """The dedicated demo database in the user data folder (never the main database)."""
    from greentech_cli.config import data_dir

    return data_dir() / "demo.db"


@dataclass
class DemoResult:
    """Where the demo lives and whether this run loaded it."""

    path: Path | str
    code: str
    loaded: bool
    changes: int


def load(path: Path | str | None = None, *, fresh: bool = False) -> DemoResult:
    """Load the demo programme (through `programme apply`) unless it is there already.

    `fresh` rebuilds it: the dedicated demo database is deleted and recreated; in a database the
    user named only the demo delegation is removed before loading again.
    """
    from greentech_cli.resources import data_path

    dedicated = path is None
    target = path or default_path()
    if fresh and dedicated:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    db = open_db(target, create=True)
    try:
        existing = delegation_store.find_by_code(db, DEMO_CODE)
        if existing is not None and not fresh:
            return DemoResult(target, DEMO_CODE, False, 0)
        source = data_path(*DEMO_FILE)
        content = source.read_text(encoding="utf-8")
        with transaction(db):
            if existing is not None:
                delegation_store.delete(db, existing.id or 0)
            result = programme.apply(db, content, "demo programme")
        return DemoResult(target, DEMO_CODE, True, len(result.changes))
    finally:
        db.close()


def overview(path: Path | str) -> tuple[Itinerary, list[Finding]]:
    """The demo's itinerary and the findings of its check."""
    from greentech_cli.services.schedule import checks, itinerary

    db = open_db(path)
    try:
        plan = itinerary.build(db, DEMO_CODE)
        _, findings = checks.check(db, DEMO_CODE)
    finally:
        db.close()
    return plan, findings


def next_steps(path: Path | str, findings: list[Finding]) -> str:
    """What to try after the demo, as commands naming the demo database (a URL without its
    password, which the last line says)."""
    import shlex

    from greentech_cli.config import url_without_password

    given = url_without_password(str(path))
    g = f"greentech --db {shlex.quote(given)}"
    travel = [f for f in findings if f.code == "travel-time"]
    lines = [
        "What next? Try these:",
        f"  {g} check {DEMO_CODE}",
        f"  {g} visit list {DEMO_CODE}",
    ]
    if travel:
        lines.append(
            f'  {g} visit move {travel[0].visit_ids[1]} --start "2026-11-18 13:30"'
            "   # fixes the travel-time error"
        )
    lines += [
        f"  {g} itinerary {DEMO_CODE} --lang de --format html --out programm.html",
        f"  {g} itinerary {DEMO_CODE} --member aigerim.sadykova@aws.example.kz "
        "--format ics --out aigerim.ics",
        f"  {g} member list {DEMO_CODE}",
        f"  {g} programme dump {DEMO_CODE} --out programme.yaml",
        "Your own database is separate: start it with 'greentech init'.",
    ]
    if given != str(path):
        lines.append(
            "The password is left out of --db above: PostgreSQL reads it from ~/.pgpass or "
            "PGPASSWORD."
        )
    return "\n".join(lines) + "\n"
