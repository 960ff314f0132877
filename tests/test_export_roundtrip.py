"""Round trips: CSV and YAML exports read back to the same records — by `greentech import` into
an empty database (when that command exists) and by plain readers (csv, yaml.safe_load)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from greentech_cli.models.exchange import ID_FIELDS
from tests.conftest import Cli

LISTS = ("languages", "tags", "websites", "aliases")
# Cells greentech writes as JSON: value objects (emails, phones, addresses) and mappings (extra).
JSON_CELLS = {"emails": [], "phones": [], "addresses": [], "extra": {}}


@pytest.fixture
def full(cli: Cli) -> Cli:
    """Contacts with every field of the record filled in, across scripts and consent states."""
    cli.ok(
        "company", "add", "Wasserwerk Dresden GmbH", "--street", "Am Wasserwerk 2",
        "--postcode", "01067", "--city", "Dresden", "--region", "Sachsen", "--country", "DE",
        "--website", "https://wasserwerk-dresden.example", "--sector", "water",
    )  # fmt: skip
    cli.ok(
        "company", "add", "Astana Su Arnasy", "--street", "Kabanbay Batyr 11",
        "--postcode", "010000", "--city", "Astana", "--country", "KZ",
    )  # fmt: skip
    cli.ok(
        "contact", "add", "--salutation", "Frau", "--title", "Dr.", "--first", "Petra",
        "--last", "Schäfer", "--company", "Wasserwerk Dresden GmbH", "--position", "Leiterin",
        "--department", "Abwasser; Labor", "--email", "petra@wasserwerk.example",
        "--phone", "0351 123456", "--mobile", "0171 2345678", "--country", "DE",
        "--lang", "de", "--lang", "en", "--tag", "host", "--tag", "water",
        "--notes", "Spricht Russisch.\nBitte, \"vorher\" anrufen.",
        "--share-consent", "yes", "--share-consent-date", "18.11.2026",
        "--share-consent-source", "Anmeldeformular", "--lawful-basis", "consent",
        "--marketing-consent", "no",
    )  # fmt: skip
    cli.ok(
        "contact", "add", "--first", "Aigerim", "--last", "Sadykova",
        "--native-name", "Айгерім Садықова", "--company", "Astana Su Arnasy",
        "--position", "Head of Water Treatment, R&D", "--email", "a.sadykova@astanasu.example.kz",
        "--phone", "+7 7172 55 11 22", "--country", "KZ", "--lang", "kk", "--lang", "ru",
        "--tag", "kz-waste-2026", "--share-consent", "unknown",
        "--lawful-basis", "legitimate-interest",
    )  # fmt: skip
    cli.ok(
        "contact", "add", "--first", "Kari", "--last", "Nordmann", "--email", "kari@vann.example",
        "--country", "NO", "--share-consent", "no",
    )  # fmt: skip
    return cli


def _records(cli: Cli) -> list[dict[str, Any]]:
    """Every contact as an export record without ids (ids differ between databases)."""
    exported = json.loads(cli.ok("export", "contacts", "--all", "--format", "json").stdout)
    return [{k: v for k, v in r.items() if k not in ID_FIELDS} for r in exported]


def _import_available(cli: Cli) -> bool:
    result = cli("import", "--help")
    return not (result.exit_code == 2 and "No such command" in result.stderr)


@pytest.mark.parametrize("fmt", ["csv", "csv-excel", "yaml", "json"])
def test_export_imports_back_into_an_empty_database_to_the_same_records(
    full: Cli, tmp_path: Path, fmt: str
) -> None:
    if not _import_available(full):
        pytest.skip("greentech import does not exist yet")
    path = tmp_path / f"contacts.{'csv' if fmt.startswith('csv') else fmt}"
    full.ok("export", "contacts", "--all", "--format", fmt, "--out", str(path))
    empty = Cli(tmp_path / "empty.db")
    result = empty("import", str(path))
    assert result.exit_code == 0, (result.stdout, result.stderr)
    imported, original = _records(empty), _records(full)
    assert len(imported) == len(original)
    for got, want in zip(imported, original, strict=True):
        differences = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
        assert differences == {}, f"{want['email']}: (imported, exported) {differences}"


def _text_formula(cell: str) -> str:
    """The text of Excel's text formula ="…" (what a spreadsheet shows), else the cell."""
    if cell.startswith('="') and cell.endswith('"'):
        return cell[2:-1].replace('""', '"')
    return cell


def test_csv_reads_back_with_the_csv_module(full: Cli) -> None:
    expected = _records(full)
    for fmt, delimiter, encoding in (("csv", ",", "utf-8"), ("csv-excel", ";", "utf-8-sig")):
        data = full.ok("export", "contacts", "--all", "--format", fmt).stdout_bytes
        rows = list(
            csv.DictReader(io.StringIO(data.decode(encoding), newline=""), delimiter=delimiter)
        )
        read: list[dict[str, Any]] = []
        for row in rows:
            # csv-excel writes number-like text as ="050000" so a spreadsheet keeps it as text.
            row = {k: _text_formula(v) for k, v in row.items()}
            record: dict[str, Any] = {k: (v if v != "" else None) for k, v in row.items()}
            for name in LISTS:
                record[name] = row[name].split(", ") if row[name] else []
            for name, empty in JSON_CELLS.items():
                record[name] = json.loads(row[name]) if row[name] else empty
            read.append(record)
        assert read == expected


def test_yaml_and_json_read_back_to_the_records_with_ids(full: Cli) -> None:
    from_json = json.loads(full.ok("export", "contacts", "--all", "-f", "json").stdout)
    from_yaml = yaml.safe_load(full.ok("export", "contacts", "--all", "-f", "yaml").stdout)
    assert from_yaml == from_json
    assert [r["company_postcode"] for r in from_yaml] == [None, "010000", "01067"]
    assert from_yaml[2]["share_consent_date"] == "2026-11-18"
    assert from_yaml[0]["country"] == "NO"


def test_companies_read_back(full: Cli) -> None:
    from_json = json.loads(full.ok("export", "companies", "-f", "json").stdout)
    from_yaml = yaml.safe_load(full.ok("export", "companies", "-f", "yaml").stdout)
    assert from_yaml == from_json
    assert from_yaml[1]["postcode"] == "01067" and from_yaml[1]["region"] == "Sachsen"
    rows = list(csv.DictReader(io.StringIO(full.ok("export", "companies", "-f", "csv").stdout)))
    assert [r["postcode"] for r in rows] == ["010000", "01067"]
    assert rows[1]["sectors"] == "water"
