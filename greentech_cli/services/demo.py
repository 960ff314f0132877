"""The demo: a fictional Kazakh waste-management delegation loaded into its own database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..db import open_db, transaction
from ..store import delegations as delegation_store
from . import programme

DEMO_CODE = "kz-waste-demo"
DEMO_FILE = ("demo", "programme.yaml")


def default_path() -> Path:
    """The dedicated demo database in the user data folder (never the main database)."""
    from ..config import data_dir

    return data_dir() / "demo.db"


@dataclass
class DemoResult:
    """Where the demo lives and whether this run loaded it."""

    path: Path
    code: str
    loaded: bool
    changes: int


def load(path: Path | None = None, *, fresh: bool = False) -> DemoResult:
    """Load the demo programme (through `programme apply`) unless it is there already.

    `fresh` rebuilds it: the dedicated demo database is deleted and recreated; in a database the
    user named only the demo delegation is removed before loading again.
    """
    from ..resources import data_path

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
