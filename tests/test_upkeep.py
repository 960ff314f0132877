"""Derived keys kept to today's rules, and every email of a contact found by the duplicate check.

A database from an older greentech holds name keys made by older rules (digits folded away);
they are made again when the database is opened, so `Test Müller` no longer meets a stored
`Test1 Müller`. A contact's second or third email finds it like its first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from greentech_cli.migrations import DERIVED_VERSIONS
from tests import engines
from tests.conftest import Cli

HEADER = "Vorname;Nachname;Firma;E-Mail\n"


def _import(cli: Cli, tmp_path: Path, name: str, text: str) -> dict[str, Any]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return json.loads(cli.ok("import", str(path), "--format", "json").stdout)


def _age_the_keys(db_path: Path) -> None:
    """Make the file look as an older greentech left it: keys without digits, no versions."""
    with engines.connect(db_path) as conn:
        conn.execute("UPDATE contacts SET name_key = 'muller test' WHERE first_name = 'Test1'")
        conn.execute("DELETE FROM derived_versions")


def test_old_name_keys_are_made_again_so_numbered_names_stay_apart(
    cli: Cli, tmp_path: Path
) -> None:
    _import(cli, tmp_path, "first.csv", HEADER + "Test1;Müller;Umwelt GmbH;\n")
    _age_the_keys(cli.db_path)

    summary = _import(cli, tmp_path, "second.csv", HEADER + "Test;Müller;Umwelt GmbH;\n")

    assert summary["created"] == 1, summary
    with engines.connect(cli.db_path) as conn:
        keys = dict(conn.execute("SELECT first_name, name_key FROM contacts"))
        versions = dict(conn.execute("SELECT name, version FROM derived_versions"))
    assert keys["Test1"] != keys["Test"]
    assert versions == DERIVED_VERSIONS


def test_the_remaking_is_said_once_and_only_when_something_changed(
    cli: Cli, tmp_path: Path
) -> None:
    _import(cli, tmp_path, "first.csv", HEADER + "Test1;Müller;Umwelt GmbH;\n")
    _age_the_keys(cli.db_path)

    first = cli.ok("contact", "list")
    again = cli.ok("contact", "list")

    assert "Name keys made again" in first.stderr and "1 changed" in first.stderr
    assert "Name keys made again" not in again.stderr


def test_a_file_that_cannot_be_written_is_read_with_its_keys_as_they_are(
    cli: Cli, tmp_path: Path
) -> None:
    _import(cli, tmp_path, "first.csv", HEADER + "Test1;Müller;Umwelt GmbH;\n")
    _age_the_keys(cli.db_path)
    if str(cli.db_path).startswith("postgresql://"):  # a role that may only read
        with engines.read_only_role(str(cli.db_path)) as url:
            listed = Cli(url).ok("contact", "list", "--format", "json")  # type: ignore[arg-type]
    else:
        cli.db_path.chmod(0o400)
        cli.db_path.parent.chmod(0o500)
        try:
            listed = cli.ok("contact", "list", "--format", "json")
        finally:
            cli.db_path.parent.chmod(0o700)
            cli.db_path.chmod(0o600)
    assert [c["first_name"] for c in json.loads(listed.stdout)] == ["Test1"]


TWO_EMAILS = (
    "Vorname,Nachname,E-mail 1,E-mail 2,E-mail 3\n"
    "Aigerim,Bekova,a@kz.example,b@kz.example,c@kz.example\n"
)


def test_a_further_email_of_a_stored_contact_finds_it(cli: Cli, tmp_path: Path) -> None:
    _import(cli, tmp_path, "first.csv", TWO_EMAILS)

    summary = _import(cli, tmp_path, "row.csv", "Vorname;Nachname;E-Mail\nA.;Bekova;C@kz.example\n")

    assert summary["created"] == 0, summary
    assert len(cli.json("contact", "list")) == 1


def test_a_further_email_written_earlier_in_the_same_file_finds_that_row(
    cli: Cli, tmp_path: Path
) -> None:
    summary = _import(cli, tmp_path, "rows.csv", TWO_EMAILS + "A.,Bekova,b@kz.example,,\n")

    assert summary["created"] == 1, summary


def test_the_email_lookup_follows_edits_and_removals(cli: Cli, tmp_path: Path) -> None:
    _import(cli, tmp_path, "rows.csv", TWO_EMAILS)

    def lookup() -> list[tuple[str, int]]:
        with engines.connect(cli.db_path) as conn:
            return sorted(conn.execute("SELECT email, contact_id FROM contact_emails"))

    assert lookup() == [("b@kz.example", 1), ("c@kz.example", 1)]
    cli.ok("contact", "edit", "1", "--email", "c@kz.example")  # c becomes the primary
    assert lookup() == [("a@kz.example", 1), ("b@kz.example", 1)]
    cli.ok("contact", "rm", "1", "--yes")
    assert lookup() == []
