"""`contact edit REF --editor`: the whole contact as YAML in $EDITOR, validated and applied."""

from __future__ import annotations

import json
import shlex
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from greentech_cli.models.fields import fields_of
from greentech_cli.models.records import Contact

from .conftest import Cli

# The editor the tests run: this script with an action; it records the file it was given.
EDITOR_SCRIPT = """\
import json, os, stat, sys
from pathlib import Path
import yaml

action, log, path = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
text = path.read_text(encoding="utf-8")
log.write_text(json.dumps({
    "path": str(path),
    "mode": stat.S_IMODE(os.stat(path).st_mode),
    "folder_mode": stat.S_IMODE(os.stat(path.parent).st_mode),
    "text": text,
}), encoding="utf-8")
data = yaml.safe_load(text)
if action == "keep":
    sys.exit(0)
if action == "fail":
    path.write_text(text.replace("Petra", "Petronella"), encoding="utf-8")
    sys.exit(3)
if action == "rich":
    data["first_name"] = "Petronella"
    data["emails"].append({"value": "petra@home.example", "type": "home"})
    data["phones"].append({"value": "+49 171 2345678", "type": "mobile", "extension": None})
    data["addresses"] = [{"type": "home", "street": "Am Markt 1", "postcode": "01067",
                          "city": "Dresden", "region": None, "country": "Deutschland"}]
    data["websites"] = ["https://petra.example"]
    data["aliases"].append("Petra Schaefer")
    data["extra"]["Badge"] = "B-17"
    data["share_consent"] = "no"
    data["company"] = None
if action == "control":
    data["last_name"] = "Sch\\x1b[31mäfer"
if action == "taken":
    data["emails"].append({"value": "nurlan@example.kz", "type": "work"})
if action == "unknown":
    data["nickname"] = "Pe"
path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
"""


@pytest.fixture
def editing(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A database with Petra (rich) and Nurlan; `use(action)` sets $EDITOR to the script."""
    cli.ok("company", "add", "Lippe Recycling GmbH", "--city", "Lünen", "--country", "DE")
    cli.ok(
        "contact", "add", "--first", "Petra", "--last", "Schäfer", "--company",
        "Lippe Recycling GmbH", "--email", "petra.schaefer@lippe.example", "--phone",
        "02306 / 12 34 56", "--country", "DE", "--share-consent", "yes", "--alias", "P. Schäfer",
        "--extra", "Industry=Recycling", "--birthday", "17.05.1980", "--tag", "host",
    )  # fmt: skip
    cli.ok("contact", "add", "--first", "Nurlan", "--last", "Abenov",
           "--email", "nurlan@example.kz", "--country", "KZ")  # fmt: skip
    script = tmp_path / "editor.py"
    script.write_text(EDITOR_SCRIPT, encoding="utf-8")
    log = tmp_path / "editor-log.json"
    monkeypatch.delenv("VISUAL", raising=False)

    def use(action: str) -> None:
        command = [sys.executable, str(script), action, str(log)]
        monkeypatch.setenv("EDITOR", shlex.join(command))

    use.log = log  # type: ignore[attr-defined]
    return use


def _seen(editing: Any) -> dict[str, Any]:
    return json.loads(editing.log.read_text(encoding="utf-8"))


def _audit(cli: Cli) -> list[dict[str, Any]]:
    return cli.json("log", "--entity", "contact")


def test_the_file_holds_every_field_of_the_record(cli: Cli, editing: Any) -> None:
    editing("keep")
    cli.ok("contact", "edit", "1", "--editor")
    seen = _seen(editing)
    data = yaml.safe_load(seen["text"])
    # Every data field of a contact, the company by name (derived: a new field shows up here).
    expected = {name for name in fields_of(Contact) if name != "company_id"}
    assert expected <= set(data), expected - set(data)
    assert data["emails"] == [{"value": "petra.schaefer@lippe.example", "type": "work"}]
    assert data["phones"] == [{"value": "+492306123456", "type": "work", "extension": None}]
    assert data["aliases"] == ["P. Schäfer"]
    assert data["extra"] == {"Industry": "Recycling"}
    assert data["company"] == "Lippe Recycling GmbH"
    assert data["birthday"] == "1980-05-17"
    assert data["share_consent"] == "yes"
    # Owner-only file in an owner-only folder, removed afterwards.
    assert seen["mode"] == 0o600 and seen["folder_mode"] == 0o700
    assert not Path(seen["path"]).parent.exists()


def test_unchanged_file_changes_nothing(cli: Cli, editing: Any) -> None:
    before = cli.json("contact", "show", "1")
    audit = _audit(cli)
    editing("keep")
    result = cli.ok("contact", "edit", "1", "--editor")
    assert "No changes" in result.stderr
    assert cli.json("contact", "show", "1") == before
    assert _audit(cli) == audit


def test_saved_file_is_applied_in_one_audited_change(cli: Cli, editing: Any) -> None:
    editing("rich")
    result = cli.ok("contact", "edit", "petra.schaefer@lippe.example", "--editor")
    assert result.stderr.startswith("Updated contact 1:")
    after = cli.json("contact", "show", "1")
    assert after["first_name"] == "Petronella"
    assert [e["value"] for e in after["emails"]] == [
        "petra.schaefer@lippe.example",
        "petra@home.example",
    ]
    assert after["mobile"] == "+491712345678" and after["phone"] == "+492306123456"
    assert after["addresses"] == [
        {"type": "home", "street": "Am Markt 1", "postcode": "01067", "city": "Dresden",
         "region": None, "country": "DE"}
    ]  # fmt: skip
    assert after["websites"] == ["https://petra.example"]
    assert after["aliases"] == ["P. Schäfer", "Petra Schaefer"]
    assert after["extra"] == {"Industry": "Recycling", "Badge": "B-17"}
    assert after["share_consent"] == "no"
    assert after["company_id"] is None
    newest = _audit(cli)[0]
    assert newest["command"] == "contact edit" and newest["entity_id"] == 1
    assert {"first_name", "emails", "addresses", "share_consent", "company_id"} <= set(
        newest["fields"]["fields"]
    )


def test_editor_that_fails_applies_nothing(cli: Cli, editing: Any) -> None:
    before = cli.json("contact", "show", "1")
    editing("fail")
    result = cli.fails("contact", "edit", "1", "--editor")
    assert "the editor exited with status 3; nothing changed" in result.stderr
    assert cli.json("contact", "show", "1") == before
    assert not Path(_seen(editing)["path"]).parent.exists()


def test_control_character_is_refused_naming_the_field_and_the_edit_is_kept(
    cli: Cli, editing: Any
) -> None:
    before = cli.json("contact", "show", "1")
    audit = _audit(cli)
    editing("control")
    result = cli.fails("contact", "edit", "1", "--editor")
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1
    assert "last_name" in errors[0] and "control character U+001B" in errors[0]
    kept = Path(_seen(editing)["path"])
    assert f"your edit is kept in {kept}" in errors[0]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert "\\e[31m" in kept.read_text(encoding="utf-8")  # what the officer typed
    assert cli.json("contact", "show", "1") == before
    assert _audit(cli) == audit


def test_unknown_key_is_refused_naming_it(cli: Cli, editing: Any) -> None:
    editing("unknown")
    result = cli.fails("contact", "edit", "1", "--editor")
    assert "nickname: unknown field 'nickname'" in result.stderr


def test_email_of_another_contact_is_refused_unless_forced(cli: Cli, editing: Any) -> None:
    editing("taken")
    result = cli.fails("contact", "edit", "1", "--editor")
    assert "nurlan@example.kz is already the email of contact 2, Nurlan Abenov" in result.stderr
    assert len(cli.json("contact", "show", "1")["emails"]) == 1
    cli.ok("contact", "edit", "1", "--editor", "--force")
    assert len(cli.json("contact", "show", "1")["emails"]) == 2


def test_without_an_editor_and_a_terminal_it_stops(
    cli: Cli, editing: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Non-interactive stdin and no $VISUAL/$EDITOR: a usage error, no file left anywhere."""
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    result = cli("contact", "edit", "1", "--editor", input="")
    assert result.exit_code == 2
    assert "set $VISUAL or $EDITOR" in result.stderr
    assert list((tmp_path / "tmp").iterdir()) == []


def test_visual_wins_over_editor(cli: Cli, editing: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    editing("rich")
    monkeypatch.setenv("VISUAL", "true")  # saves nothing
    cli.ok("contact", "edit", "1", "--editor")
    assert cli.json("contact", "show", "1")["first_name"] == "Petra"


def test_editor_refuses_field_options(cli: Cli, editing: Any) -> None:
    editing("rich")
    result = cli("contact", "edit", "1", "--editor", "--first", "Anna")
    assert result.exit_code == 2 and "give no field options" in result.stderr


def test_programme_file_round_trips_rich_people(cli: Cli, tmp_path: Path) -> None:
    """The reading the editor shares: a dumped person with several emails, aliases and extra
    values applies back unchanged (it was refused with "expected text" before)."""
    cli.ok("delegation", "add", "kz-1", "--title", "T", "--direction", "incoming", "--from",
           "KZ", "--to", "DE", "--start", "2026-11-16", "--end", "2026-11-20")  # fmt: skip
    cli.ok("contact", "add", "--first", "Aigerim", "--last", "Sadykova", "--email",
           "aigerim@example.kz", "--alias", "Айгерим", "--extra", "Passport=N123")  # fmt: skip
    cli.ok("contact", "edit", "1", "--mobile", "+7 701 234 5678")
    cli.ok("member", "add", "kz-1", "1")
    before = cli.json("contact", "show", "1")
    dumped = tmp_path / "programme.yaml"
    cli.ok("programme", "dump", "kz-1", "--out", str(dumped))
    text = dumped.read_text(encoding="utf-8")
    text = text.replace(
        "email: aigerim@example.kz",
        "emails:\n  - value: aigerim@example.kz\n  - {value: a.s@home.example, type: home}",
    )
    dumped.write_text(text, encoding="utf-8")
    result = cli.ok("programme", "apply", str(dumped))
    assert "created contact" not in result.stdout + result.stderr
    after = cli.json("contact", "show", "1")
    assert [e["value"] for e in after["emails"]] == ["aigerim@example.kz", "a.s@home.example"]
    assert {k: v for k, v in after.items() if k != "emails"} == {
        k: v for k, v in before.items() if k != "emails"
    }
