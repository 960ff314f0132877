"""Rich records survive export → import into an empty database → export, byte for byte.

The fixture (fixtures/rich_contacts_namesakes.yaml) has several emails, phones (a fax, an
extension) and addresses, websites, birthdays, aliases, extra values, Cyrillic, and two people
with the same name at the same company: both must come back (each export row carries the
contact's uid, and a row with a uid is that contact and no other).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import Cli

FIXTURE = Path(__file__).parent / "fixtures" / "rich_contacts_namesakes.yaml"
# Lines of a vCard that may differ between two exports of the same records.
_VOLATILE = re.compile(rb"^(REV|PRODID):.*\r\n", re.MULTILINE)


def _filled(cli: Cli, tmp_path: Path, fixture_text: str) -> Cli:
    path = tmp_path / "fixture.yaml"
    path.write_text(fixture_text, encoding="utf-8")
    cli.ok("import", str(path), "--on-duplicate", "new")
    return cli


def _export(cli: Cli, fmt: str, path: Path, *extra: str) -> bytes:
    cli.ok("export", "contacts", "--all", "--format", fmt, "--out", str(path), *extra)
    return _VOLATILE.sub(b"", path.read_bytes())


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("yaml", ()),
        ("json", ()),
        ("csv", ()),
        ("vcf", ()),
        ("vcf", ("--vcard-version", "4.0")),
    ],
)
def test_export_import_export_is_byte_identical(
    cli: Cli, tmp_path: Path, fmt: str, options: tuple[str, ...]
) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    first = _export(_filled(cli, tmp_path, text), fmt, tmp_path / f"first.{fmt}", *options)
    empty = Cli(tmp_path / "empty.db")
    result = empty("import", str(tmp_path / f"first.{fmt}"))
    assert result.exit_code == 0, (result.stdout, result.stderr)
    second = _export(empty, fmt, tmp_path / f"second.{fmt}", *options)
    assert second == first
    records = json.loads(empty.ok("export", "contacts", "--all", "--format", "json").stdout)
    assert len(records) == 3
    namesakes = [r for r in records if r["last_name"] == "Schmidt"]
    assert sorted(r["email"] for r in namesakes) == [
        "a.schmidt2@wasserwerk.example",
        "anna@wasserwerk.example",
    ]
    anna = next(r for r in namesakes if r["email"] == "anna@wasserwerk.example")
    assert [p["type"] for p in anna["phones"]] == ["work", "mobile", "fax"]
    assert anna["phones"][0]["extension"] == "102"
    assert [a["type"] for a in anna["addresses"]] == ["home", "work"]
    assert anna["extra"] == {"Industry": "Recycling", "Lieblings; Farbe": "grün, blau"}
    assert anna["company_city"] == "Dresden"


def test_csv_round_trip_of_a_birthday_without_year(cli: Cli, tmp_path: Path) -> None:
    filled = _filled(cli, tmp_path, FIXTURE.read_text(encoding="utf-8"))
    first = _export(filled, "csv", tmp_path / "first.csv")
    empty = Cli(tmp_path / "empty.db")
    assert empty("import", str(tmp_path / "first.csv")).exit_code == 0
    assert _export(empty, "csv", tmp_path / "second.csv") == first
    assert b"1980-05-17" in first


def test_uids_differ_between_databases_and_are_the_contacts(cli: Cli, tmp_path: Path) -> None:
    cli.ok("contact", "add", "--first", "Eins", "--last", "Erster")
    other = Cli(tmp_path / "other.db")
    other.ok("contact", "add", "--first", "Eins", "--last", "Erster")
    cards = [c.ok("export", "contacts", "--all", "--format", "vcf").stdout for c in (cli, other)]
    uids = [re.search(r"^UID:urn:uuid:([0-9a-f-]+)\r?$", card, re.MULTILINE) for card in cards]
    assert all(uids)
    assert uids[0] and uids[1] and uids[0].group(1) != uids[1].group(1)
    (record,) = json.loads(cli.ok("export", "contacts", "--all", "--format", "json").stdout)
    assert uids[0].group(1) == record["uid"]
