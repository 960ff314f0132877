"""`greentech demo`: its own database, the itinerary and check shown, the way forward named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from greentech_cli.cli.app import app
from greentech_cli.config import data_dir


def test_demo_into_the_dedicated_database() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.stderr
    demo_db = data_dir() / "demo.db"
    assert demo_db.exists()
    assert not (data_dir() / "greentech.db").exists()  # the main database is not touched
    out = result.stdout
    assert "Kazakh waste-management delegation (demo)" in out
    assert "Mon, 16 Nov 2026" in out and "Fri, 20 Nov 2026" in out
    assert "Check of kz-waste-demo:" in out
    errors = [line for line in out.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1 and "travel-time" in errors[0]  # the one deliberate problem
    assert "Loaded the demo delegation" in result.stderr
    assert f"greentech --db {demo_db} check kz-waste-demo" in result.stderr
    again = runner.invoke(app, ["demo"])
    assert again.exit_code == 0
    assert "already in" in again.stderr and "--fresh" in again.stderr
    assert again.stdout == out


def test_demo_fresh_rebuilds(tmp_path: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "mine.db"
    assert runner.invoke(app, ["--db", str(db), "demo"]).exit_code == 0
    moved = runner.invoke(
        app, ["--db", str(db), "visit", "move", "8", "--start", "2026-11-18 13:30"]
    )
    assert moved.exit_code == 0, moved.stderr
    fixed = runner.invoke(app, ["--db", str(db), "check", "kz-waste-demo"])
    assert fixed.exit_code == 0, fixed.stdout  # the README's fix removes the only error
    fresh = runner.invoke(app, ["--db", str(db), "demo", "--fresh"])
    assert fresh.exit_code == 0
    assert "Loaded the demo" in fresh.stderr
    assert runner.invoke(app, ["--db", str(db), "check", "kz-waste-demo"]).exit_code == 1


def test_demo_in_a_named_database_keeps_other_data(cli: Any) -> None:
    cli.ok("company", "add", "Mine GmbH")
    cli.ok("demo", "--fresh")
    cli.ok("demo", "--fresh")
    assert cli.json("company", "show", "Mine GmbH")["name"] == "Mine GmbH"
    assert len(cli.json("delegation", "list")) == 1
    assert len(cli.json("visit", "list", "kz-waste-demo")) == 16
    members = cli.json("member", "list", "kz-waste-demo")
    assert len([m for m in members if m["role"] in ("lead", "delegate")]) == 7
    assert any(m["role"] == "interpreter" for m in members)
    assert any(m["native_name"] == "Қайрат Әбдірахманов" for m in members)
    companies = cli.json("company", "list", "--country", "DE")
    assert len([c for c in companies if c["kind"] != "chamber" and c["lat"] is not None]) >= 12
