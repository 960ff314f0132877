"""Shared fixtures: every test runs with a temporary home, never the user's real one.

The engine: SQLite by default; with GREENTECH_TEST_ENGINE=postgresql and GREENTECH_TEST_PG naming
a server (`.ci/postgres` starts a throw-away one), `db_path` is the URL of a fresh PostgreSQL
database per test (cloned from a migrated template per xdist worker, so each costs a CREATE
DATABASE), and tests marked `sqlite_only` (about SQLite itself) are skipped.

Tests that read the shared real-world samples (../shared/realworld, or GREENTECH_REALWORLD)
are marked `realworld`; without that folder they are deselected, with one line saying so.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

# Real exports from other tools (Outlook, Gmail, CiviCRM, …), kept beside the repository.
REALWORLD = Path(
    os.environ.get("GREENTECH_REALWORLD")
    or Path(__file__).resolve().parents[2] / "shared" / "realworld"
)
_REALWORLD_DESELECTED = pytest.StashKey[int]()


# The fault suite's seed (tests/test_faults.py), drawn once per run so the header can name it.
os.environ.setdefault("GREENTECH_FAULT_SEED", str(random.SystemRandom().randrange(1, 10**6)))


def pytest_report_header(config: pytest.Config) -> str:
    """Name the fault suite's seed: GREENTECH_FAULT_SEED=N repeats a run's kill points."""
    return f"fault seed: GREENTECH_FAULT_SEED={os.environ['GREENTECH_FAULT_SEED']}"


ENGINE = os.environ.get("GREENTECH_TEST_ENGINE", "sqlite")
ON_POSTGRES = ENGINE == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without the real-world samples, leave out the tests that read them (said once, below);
    on PostgreSQL, skip the tests about SQLite itself."""
    if ON_POSTGRES:
        skip = pytest.mark.skip(reason="about SQLite itself (sqlite_only)")
        for item in items:
            if item.get_closest_marker("sqlite_only"):
                item.add_marker(skip)
    if REALWORLD.is_dir():
        return
    needing = [item for item in items if item.get_closest_marker("realworld")]
    if needing:
        config.hook.pytest_deselected(items=needing)
        items[:] = [item for item in items if not item.get_closest_marker("realworld")]
    config.stash[_REALWORLD_DESELECTED] = len(needing)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The one line explaining the deselected real-world tests."""
    deselected = config.stash.get(_REALWORLD_DESELECTED, 0)
    if not deselected and not (
        # Under pytest-xdist the workers collect; the controller only knows the folder is absent.
        config.pluginmanager.has_plugin("dsession") and not REALWORLD.is_dir()
    ):
        return
    which = f"{deselected} tests" if deselected else "Tests"
    terminalreporter.write_line(
        f"{which} marked realworld were deselected: the real-world samples folder {REALWORLD} "
        "is absent (GREENTECH_REALWORLD names another folder)"
    )


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point HOME and the XDG folders at a temporary folder (like llm's LLM_USER_PATH fixture)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    for name in ("GREENTECH_DB", "GREENTECH_CONFIG", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TERM", "dumb")
    return home


@pytest.fixture
def db_path(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    """A path for a database that does not exist yet; on PostgreSQL the URL of a new database."""
    if not ON_POSTGRES:
        return tmp_path / "data" / "test.db"
    from tests import engines

    url = engines.fresh_database(request.config)
    request.addfinalizer(lambda: engines.drop_database(url))
    return engines.DbUrl.beside(url, tmp_path / "data")


@pytest.fixture
def db(db_path: Path) -> Iterator[Any]:
    """A freshly created, migrated database."""
    from greentech_cli.db import open_db

    database = open_db(db_path, create=True)
    yield database
    database.close()


class Cli:
    """Runs greentech commands through CliRunner against one database."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Any:
        from greentech_cli.cli.app import app

        return self.runner.invoke(app, ["--db", str(self.db_path), *args], input=input)

    def ok(self, *args: str, input: str | None = None) -> Any:
        """Run and insist on exit code 0."""
        result = self(*args, input=input)
        assert result.exit_code == 0, (
            result.exit_code,
            result.stdout,
            result.stderr,
            result.exception,
        )
        return result

    def json(self, *args: str) -> Any:
        """Run with --format json and parse stdout."""
        return json.loads(self.ok(*args, "--format", "json").stdout)

    def fails(self, *args: str, code: int = 1) -> Any:
        """Run, insist on the exit code and on one clean `Error:` line with no traceback."""
        result = self(*args)
        assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
        if code == 1:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            assert lines and lines[-1].startswith("Error: "), result.stderr
        return result


@pytest.fixture
def extra_migration() -> Iterator[str]:
    """Register one more schema step for the test's duration (as a new release would)."""
    from greentech_cli import migrations as migrations_module

    name = "m900_test_extra_column"

    def step(db: object) -> None:
        db.execute("ALTER TABLE contacts ADD COLUMN test_extra TEXT")  # type: ignore[attr-defined]

    step.__name__ = name
    migrations_module.STEPS.append((name, step))
    try:
        yield name
    finally:
        migrations_module.STEPS[:] = [s for s in migrations_module.STEPS if s[0] != name]


@pytest.fixture
def cli(db_path: Path) -> Cli:
    """A CLI runner bound to a temporary database."""
    return Cli(db_path)
