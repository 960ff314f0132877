"""CLI tests of `greentech export`: consent, filters, every format's bytes, files and errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import engines
from tests.conftest import Cli

GOLDEN = Path(__file__).parent / "golden" / "export"
UPDATE_GOLDEN = os.environ.get("GREENTECH_UPDATE_GOLDEN") == "1"

WITHHELD = (
    "Withheld 2 contact(s) without share consent (no: 1, unknown: 1); "
    "use --all to include them (for your own use only)."
)
HEADER = (
    "salutation,title,first_name,last_name,native_name,position,department,company,email,"
    "phone,mobile,country,languages,tags,notes,share_consent,lawful_basis,share_consent_date,"
    "share_consent_source,marketing_consent,uid,emails,phones,addresses,websites,birthday,aliases,"
    "extra,company_street,company_postcode,company_city,"
    "company_region,company_country,company_website"
)


def _has_command(cli: Cli, name: str) -> bool:
    from typer.main import get_command

    from greentech_cli.cli.app import app

    return name in get_command(app).commands  # type: ignore[attr-defined]


def _add_delegation(cli: Cli) -> None:
    """The delegation kz-waste-2026 with three members, through the commands when they exist."""
    members = [
        ("qayrat@astana-waste.example.kz", "lead", "confirmed"),
        ("aigerim@astana-waste.example.kz", "delegate", "registered"),
        ("formula@example.com", "interpreter", "confirmed"),
    ]
    if _has_command(cli, "delegation") and _has_command(cli, "member"):
        cli.ok(
            "delegation", "add", "kz-waste-2026",
            "--title", "Sustainable waste management: Kazakh delegation to NRW",
            "--direction", "incoming", "--from", "KZ", "--to", "DE",
            "--start", "2026-11-16", "--end", "2026-11-20", "--host", "IHK Düsseldorf",
            "--tz", "Europe/Berlin", "--home-tz", "Asia/Almaty",
        )  # fmt: skip
        for email, role, status in members:
            cli.ok("member", "add", "kz-waste-2026", email, "--role", role, "--status", status)
        return
    # Until the delegation commands exist: the same rows, straight into the tables.
    from greentech_cli.db import open_db

    db = open_db(cli.db_path)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    host = db.execute("SELECT id FROM companies WHERE name = 'IHK Düsseldorf'").fetchone()[0]
    with db.conn:
        cursor = db.execute(
            "INSERT INTO delegations (code, title, type, direction, origin_country, "
            "destination_country, start_date, end_date, timezone, home_timezone, host_id, "
            "created_at, updated_at) VALUES (?, ?, 'other', 'incoming', 'KZ', 'DE', ?, ?, "
            "'Europe/Berlin', 'Asia/Almaty', ?, ?, ?)",
            [
                "kz-waste-2026",
                "Sustainable waste management: Kazakh delegation to NRW",
                "2026-11-16",
                "2026-11-20",
                host,
                stamp,
                stamp,
            ],
        )
        delegation_id = cursor.lastrowid
        for email, role, status in members:
            contact = db.execute("SELECT id FROM contacts WHERE email = ?", [email]).fetchone()[0]
            db.execute(
                "INSERT INTO members (delegation_id, contact_id, role, status, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                [delegation_id, contact, role, status, stamp, stamp],
            )
    db.close()


def _add_people(cli: Cli) -> None:
    """Companies and contacts of every consent state, one with formula-like values."""
    cli.ok(
        "company", "add", "Lippe Recycling GmbH", "--sector", "circular-economy",
        "--street", "Lippestraße 1", "--postcode", "44536", "--city", "Lünen", "--country", "DE",
        "--website", "https://lippe-recycling.example",
    )  # fmt: skip
    cli.ok(
        "company", "add", "Astana Waste LLP", "--sector", "circular-economy",
        "--street", "Kabanbay Batyr 11", "--postcode", "010000", "--city", "Astana",
        "--country", "KZ",
    )  # fmt: skip
    cli.ok(
        "company", "add", "IHK Düsseldorf", "--kind", "chamber",
        "--street", "Ernst-Schneider-Platz 1", "--postcode", "40212", "--city", "Düsseldorf",
        "--country", "DE",
    )  # fmt: skip
    cli.ok(
        "contact", "add", "--first", "Petra", "--last", "Schäfer", "--salutation", "Frau",
        "--title", "Dr.", "--company", "Lippe Recycling GmbH", "--position", "Head of Sales",
        "--email", "petra.schaefer@lippe.example", "--phone", "02306 / 12 34 56",
        "--country", "DE", "--lang", "de", "--lang", "en", "--tag", "host", "--tag", "nrw",
        "--share-consent", "yes",
    )  # fmt: skip
    cli.ok(
        "contact", "add", "--first", "Qayrat", "--last", "Abdirakhmanov",
        "--native-name", "Қайрат Әбдірахманов", "--company", "Astana Waste LLP",
        "--position", "Director", "--email", "qayrat@astana-waste.example.kz",
        "--phone", "+7 7172 55 11 22", "--mobile", "+7 701 123 4567", "--country", "KZ",
        "--lang", "kk", "--lang", "ru", "--share-consent", "yes", "--tag", "kz-waste-2026",
    )  # fmt: skip
    cli.ok(
        "contact", "add", "--first", "Aigerim", "--last", "Nurlanova",
        "--company", "Astana Waste LLP", "--email", "aigerim@astana-waste.example.kz",
        "--country", "KZ", "--share-consent", "unknown",
    )  # fmt: skip
    cli.ok(
        "contact", "add", "--first", '=HYPERLINK("http://x","y")', "--last", "@SUM(A1)",
        "--position", "-Minus", "--notes", "＝1+1", "--email", "formula@example.com",
        "--phone", "+49 211 3557-0", "--country", "DE", "--share-consent", "yes",
    )  # fmt: skip
    cli.ok(
        "contact", "add", "--first", "Jürgen", "--last", "Müller", "--email", "jm@example.de",
        "--share-consent", "no",
    )  # fmt: skip


@pytest.fixture(scope="module")
def template_dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The test databases, built once per module (each test gets a copy)."""
    folder = tmp_path_factory.mktemp("export-dbs")
    with pytest.MonkeyPatch.context() as patch:
        home = tmp_path_factory.mktemp("home")
        for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
            patch.setenv(name, str(home))
        for name in ("GREENTECH_DB", "GREENTECH_CONFIG"):
            patch.delenv(name, raising=False)
        people = Cli(engines.new_target(folder, "people.db"))
        _add_people(people)
        delegation = engines.copy(people.db_path, engines.new_target(folder, "delegation.db"))
        _add_delegation(Cli(delegation))
    return {"people": people.db_path, "delegation": delegation}


def _copy(cli: Cli, source: Path) -> Cli:
    engines.copy(source, cli.db_path)
    return cli


@pytest.fixture
def people(cli: Cli, template_dbs: dict[str, Path]) -> Cli:
    """Companies and contacts of every consent state, one with formula-like values."""
    return _copy(cli, template_dbs["people"])


@pytest.fixture
def delegation(cli: Cli, template_dbs: dict[str, Path]) -> Cli:
    """The people above plus the delegation kz-waste-2026."""
    return _copy(cli, template_dbs["delegation"])


def _csv_rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def _by_email(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["email"]: row for row in rows}


PETRA, QAYRAT, FORMULA = (
    "petra.schaefer@lippe.example",
    "qayrat@astana-waste.example.kz",
    "formula@example.com",
)


# --- consent ----------------------------------------------------------------------------------


def test_default_exports_only_people_who_agreed_and_says_who_was_withheld(people: Cli) -> None:
    result = people.ok("export", "contacts", "--format", "json")
    emails = [r["email"] for r in json.loads(result.stdout)]
    # Sorted by last name: "@SUM(A1)", Abdirakhmanov, Schäfer (Müller and Nurlanova withheld).
    assert emails == [
        "formula@example.com",
        "qayrat@astana-waste.example.kz",
        "petra.schaefer@lippe.example",
    ]
    assert WITHHELD in result.stderr
    assert "Exported 3 contacts as json to stdout." in result.stderr


def test_all_includes_everyone_with_a_warning(people: Cli) -> None:
    result = people.ok("export", "contacts", "--format", "json", "--all")
    assert len(json.loads(result.stdout)) == 5
    assert "Withheld" not in result.stderr
    assert "2 of them have not agreed to be shared" in result.stderr


def test_nothing_withheld_says_nothing_about_consent(people: Cli) -> None:
    # Everyone in Germany (Petra and the formula contact) agreed: nothing withheld, nothing said.
    result = people.ok("export", "contacts", "--format", "csv", "--country", "DE")
    assert len(_csv_rows(result.stdout)) == 2
    assert result.stderr.strip() == "Exported 2 contacts as csv to stdout."
    result = people.ok("export", "contacts", "--format", "csv", "--company", "Lippe Recycling GmbH")
    assert "Withheld" not in result.stderr


def test_companies_are_not_filtered_by_consent(people: Cli) -> None:
    result = people.ok("export", "companies", "--format", "json")
    assert [c["name"] for c in json.loads(result.stdout)] == [
        "Astana Waste LLP",
        "IHK Düsseldorf",
        "Lippe Recycling GmbH",
    ]
    assert "Withheld" not in result.stderr


# --- CSV --------------------------------------------------------------------------------------


def test_csv_is_rfc4180_utf8_with_crlf_and_english_headers(people: Cli) -> None:
    result = people.ok("export", "contacts", "--format", "csv")
    data = result.stdout_bytes
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 4 and b"\n" not in data.replace(b"\r\n", b"")
    assert data.decode("utf-8").split("\r\n")[0] == HEADER
    rows = _by_email(_csv_rows(data.decode("utf-8")))
    petra = rows[PETRA]
    assert petra["first_name"] == "Petra" and petra["last_name"] == "Schäfer"
    assert petra["phone"] == "+492306123456"
    assert petra["languages"] == "de, en" and petra["tags"] == "host, nrw"
    assert petra["company_postcode"] == "44536" and petra["company_city"] == "Lünen"
    assert rows[QAYRAT]["native_name"] == "Қайрат Әбдірахманов"
    assert rows[QAYRAT]["company_postcode"] == "010000"


def test_csv_excel_has_bom_semicolons_and_crlf(people: Cli) -> None:
    data = people.ok("export", "contacts", "--format", "csv-excel").stdout_bytes
    assert data.startswith(b"\xef\xbb\xbfsalutation;title;first_name;")
    assert data.count(b"\r\n") == 4
    rows = _by_email(_csv_rows(data.decode("utf-8-sig"), ";"))
    assert rows[PETRA]["company"] == "Lippe Recycling GmbH"


def test_csv_neutralises_formulas_but_not_phone_numbers(people: Cli) -> None:
    rows = _by_email(_csv_rows(people.ok("export", "contacts", "--format", "csv").stdout))
    formula = rows[FORMULA]
    assert formula["first_name"] == '\'=HYPERLINK("http://x","y")'
    assert formula["last_name"] == "'@SUM(A1)"
    assert formula["position"] == "'-Minus"
    assert formula["notes"] == "'＝1+1"
    assert formula["phone"] == "+4921135570"
    rows = _by_email(_csv_rows(people.ok("export", "contacts", "-f", "csv-excel").stdout, ";"))
    assert rows[FORMULA]["first_name"].startswith("'=")


def test_raw_leaves_cells_as_they_are(people: Cli) -> None:
    rows = _by_email(_csv_rows(people.ok("export", "contacts", "-f", "csv", "--raw").stdout))
    assert rows[FORMULA]["first_name"] == '=HYPERLINK("http://x","y")'
    assert rows[FORMULA]["position"] == "-Minus"


# --- JSON and YAML ----------------------------------------------------------------------------


def _records_from_db(cli: Cli, include_all: bool = True) -> list[dict[str, Any]]:
    """The expected export records, built independently of the exporter from the JSON list."""
    contacts = cli.json("contact", "list")
    companies = {c["id"]: c for c in cli.json("company", "list")}
    expected = []
    for contact in sorted(contacts, key=lambda c: (c["last_name"].casefold(), c["id"])):
        if not include_all and contact["share_consent"] != "yes":
            continue
        full = cli.json("contact", "show", str(contact["id"]))
        company = companies.get(full["company_id"], {})
        for key in ("street", "postcode", "city", "region", "country", "website"):
            full[f"company_{key}"] = company.get(key)
        expected.append(full)
    return expected


def test_json_and_yaml_hold_the_records_of_the_contract(people: Cli) -> None:
    expected = _records_from_db(people)
    exported_json = json.loads(people.ok("export", "contacts", "--all", "-f", "json").stdout)
    exported_yaml = yaml.safe_load(people.ok("export", "contacts", "--all", "-f", "yaml").stdout)
    for exported in (exported_json, exported_yaml):
        assert [r["id"] for r in exported] == [r["id"] for r in expected]
        for got, want in zip(exported, expected, strict=True):
            assert got == {key: want.get(key) for key in got}
            assert set(want) <= set(got)


def test_yaml_keeps_postcodes_phones_and_country_codes_as_text(people: Cli) -> None:
    people.ok("company", "add", "Oslo Vann AS", "--postcode", "0150", "--country", "NO")
    people.ok(
        "contact", "add", "--first", "Kari", "--last", "Nordmann", "--company", "Oslo Vann AS",
        "--country", "NO", "--phone", "+47 22 12 34 56", "--share-consent", "yes",
    )  # fmt: skip
    text = people.ok("export", "contacts", "--format", "yaml", "--country", "NO").stdout
    (kari,) = yaml.safe_load(text)
    assert kari["country"] == "NO" and kari["company_country"] == "NO"
    assert kari["company_postcode"] == "0150" and kari["phone"] == "+4722123456"
    assert kari["share_consent"] == "yes"
    from greentech_cli.importers.structured import read_records

    path = people.db_path.parent / "kari.yaml"
    path.write_text(text, encoding="utf-8")
    (read,) = read_records(path)
    assert read["company_postcode"] == "0150" and read["country"] == "NO"


# --- XLSX -------------------------------------------------------------------------------------


def test_xlsx_needs_out(people: Cli) -> None:
    result = people.fails("export", "contacts", "--format", "xlsx", code=2)
    assert "xlsx is a binary format; give --out FILE" in result.stderr
    assert result.stdout == ""


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="needs /dev/stdout")
def test_xlsx_to_dev_stdout_on_a_pipe(people: Cli, tmp_path: Path) -> None:
    """--out /dev/stdout on a pipe: written into the pipe, no temporary file beside it."""
    import openpyxl

    env = {**os.environ, "HOME": str(tmp_path), "NO_COLOR": "1"}
    cmd = [sys.executable, "-m", "greentech_cli", "--db", str(people.db_path), "export"]
    cmd += ["contacts", "--all", "-f", "xlsx", "--out", "/dev/stdout"]
    result = subprocess.run(cmd, capture_output=True, env=env, check=False)
    assert result.returncode == 0, result.stderr.decode()
    sheet = openpyxl.load_workbook(io.BytesIO(result.stdout)).active
    assert sheet is not None and sheet.max_row == 6


def test_xlsx_has_text_cells_a_frozen_bold_header_and_a_filter(people: Cli, tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "alle.xlsx"
    result = people.ok("export", "contacts", "--all", "--format", "xlsx", "--out", str(path))
    assert result.stdout == ""
    assert f"Exported 5 contacts as xlsx to {path}." in result.stderr
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:AH6"
    header = [c.value for c in ws[1]]
    assert ",".join(str(h) for h in header) == HEADER
    assert all(c.font.b for c in ws[1])
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(2)]
    by_email = {r["email"]: r for r in rows}
    formula = by_email["formula@example.com"]
    assert formula["first_name"] == '=HYPERLINK("http://x","y")'
    assert formula["phone"] == "+4921135570"  # text, as in the CSV export
    assert by_email["qayrat@astana-waste.example.kz"]["company_postcode"] == "010000"
    assert by_email["petra.schaefer@lippe.example"]["tags"] == "host, nrw"
    widths = [ws.column_dimensions[c].width for c in "ABCDI"]
    assert all(6 <= w <= 52 for w in widths)


# --- vCard ------------------------------------------------------------------------------------


def test_vcf_uses_the_vcard_writer_in_both_versions(people: Cli) -> None:
    import vobject

    data = people.ok("export", "contacts", "--format", "vcf").stdout_bytes
    text = data.decode("utf-8")
    assert text.count("BEGIN:VCARD") == 3 and "VERSION:3.0" in text
    assert "\n" not in text.replace("\r\n", "")
    cards = list(vobject.readComponents(text))
    assert {c.fn.value for c in cards} >= {"Petra Schäfer", "Qayrat Abdirakhmanov"}
    v4 = people.ok("export", "contacts", "--format", "vcf", "--vcard-version", "4.0").stdout
    assert v4.count("VERSION:4.0") == 3
    people.fails("export", "contacts", "--format", "vcf", "--vcard-version", "2.1", code=2)


def test_split_writes_one_file_per_contact(people: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    result = people.ok("export", "contacts", "--format", "vcf", "--split", str(folder))
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 3 and all(name.endswith(".vcf") for name in files)
    assert "Petra Schäfer.vcf" in files
    assert f"3 file(s) in {folder}" in result.stderr
    for path in folder.iterdir():
        assert path.read_bytes().count(b"BEGIN:VCARD") == 1
    people.fails("export", "contacts", "--format", "csv", "--split", str(folder), code=2)
    people.fails(
        "export", "contacts", "-f", "vcf", "--split", str(folder), "--out", "x.vcf", code=2
    )


# --- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "emails"),
    [
        (["--country", "KZ"], {"qayrat@astana-waste.example.kz"}),
        (["--country", "Kasachstan"], {"qayrat@astana-waste.example.kz"}),
        (["--company", "Lippe Recycling GmbH"], {"petra.schaefer@lippe.example"}),
        (["--tag", "NRW"], {"petra.schaefer@lippe.example"}),
        (
            ["--sector", "circular-economy"],
            {"petra.schaefer@lippe.example", "qayrat@astana-waste.example.kz"},
        ),
    ],
)
def test_filters(people: Cli, options: list[str], emails: set[str]) -> None:
    exported = json.loads(people.ok("export", "contacts", "-f", "json", *options).stdout)
    assert {r["email"] for r in exported} == emails


def test_delegation_export_adds_role_and_status(delegation: Cli) -> None:
    result = delegation.ok("export", "contacts", "--delegation", "kz-waste-2026", "-f", "csv")
    rows = _csv_rows(result.stdout)
    assert list(rows[0])[-2:] == ["role", "status"]
    assert {(r["email"], r["role"], r["status"]) for r in rows} == {
        ("qayrat@astana-waste.example.kz", "lead", "confirmed"),
        ("formula@example.com", "interpreter", "confirmed"),
    }
    assert "Withheld 1 contact(s) without share consent (no: 0, unknown: 1)" in result.stderr
    lead = delegation.ok(
        "export", "contacts", "-d", "kz-waste-2026", "--role", "lead", "-f", "json", "--all"
    )
    assert [(r["email"], r["role"]) for r in json.loads(lead.stdout)] == [
        ("qayrat@astana-waste.example.kz", "lead")
    ]


def test_delegation_companies_are_its_members_and_host(delegation: Cli) -> None:
    result = delegation.ok("export", "companies", "-d", "kz-waste-2026", "-f", "csv")
    rows = _csv_rows(result.stdout)
    assert [r["name"] for r in rows] == ["Astana Waste LLP", "IHK Düsseldorf"]
    assert "id" not in rows[0] and rows[0]["sectors"] == "circular-economy"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "unknown export format 'pdf'"),
        (["--format", "html", "--lang", "fr"], "unknown language 'fr'"),
        (["--format", "csv", "--country", "Atlantis"], "unknown country 'Atlantis'"),
        (["--format", "csv", "--company", "Nobody GmbH"], "no company 'Nobody GmbH'"),
        (["--format", "csv", "--delegation", "nope"], "no delegation 'nope'"),
        (["--format", "csv", "--role", "boss"], "unknown member role 'boss'"),
        (["--format", "csv", "--out", "/nonexistent/folder/x.csv"], "does not exist"),
    ],
)
def test_errors_are_one_clear_line(people: Cli, args: list[str], message: str) -> None:
    result = people("export", "contacts", *args)
    assert result.exit_code in (1, 2), result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert result.stdout == ""


def test_format_is_required_and_vcf_is_for_contacts_only(people: Cli) -> None:
    result = people("export", "contacts")
    assert result.exit_code == 2 and "--format" in result.stderr
    people.fails("export", "companies", "--format", "vcf", code=2)


@pytest.mark.sqlite_only  # --out naming the database file
def test_out_never_overwrites_the_database(people: Cli) -> None:
    before = people.db_path.read_bytes()
    result = people.fails("export", "contacts", "-f", "csv", "--out", str(people.db_path), code=2)
    assert "is the database itself" in result.stderr
    assert people.db_path.read_bytes() == before


@pytest.mark.sqlite_only  # a database file that must not appear
def test_export_never_creates_a_database(cli: Cli) -> None:
    cli.fails("export", "contacts", "--format", "csv")
    assert not cli.db_path.exists()


def test_out_writes_the_file_atomically_and_owner_only(people: Cli, tmp_path: Path) -> None:
    path = tmp_path / "teilnehmer.csv"
    path.write_text("old", encoding="utf-8")
    result = people.ok("export", "contacts", "-f", "csv-excel", "--out", str(path))
    assert result.stdout == ""
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert path.stat().st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    # A failed export leaves the earlier file as it was.
    before = path.read_bytes()
    people.fails("export", "contacts", "-f", "csv", "--out", str(path), "--country", "Atlantis")
    assert path.read_bytes() == before


def test_companies_in_every_tabular_format(people: Cli, tmp_path: Path) -> None:
    rows = _csv_rows(people.ok("export", "companies", "-f", "csv", "--country", "DE").stdout)
    assert [r["name"] for r in rows] == ["IHK Düsseldorf", "Lippe Recycling GmbH"]
    assert list(rows[0])[:3] == ["name", "kind", "legal_form"]
    assert rows[1]["postcode"] == "44536" and rows[1]["register_ids"] == ""
    data = yaml.safe_load(people.ok("export", "companies", "-f", "yaml").stdout)
    assert data[0]["id"] is not None and data[0]["sectors"] == ["circular-economy"]
    path = tmp_path / "firmen.xlsx"
    people.ok(
        "export", "companies", "-f", "xlsx", "--out", str(path), "--sector", "circular-economy"
    )
    import openpyxl

    ws = openpyxl.load_workbook(path).active
    assert ws is not None and ws.title == "Companies" and ws.max_row == 3


# --- HTML -------------------------------------------------------------------------------------


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE_GOLDEN or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    assert text == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_delegation_sheet_matches_golden(delegation: Cli, lang: str) -> None:
    result = delegation.ok(
        "export", "contacts", "--delegation", "kz-waste-2026", "--format", "html", "--lang", lang
    )
    _golden(f"delegation_sheet_{lang}.html", result.stdout)


def test_html_sheet_groups_by_company_and_escapes(people: Cli) -> None:
    html = people.ok("export", "contacts", "--all", "--format", "html").stdout
    astana, lippe, without = (
        html.index("<h2>Astana Waste LLP</h2>"),
        html.index("<h2>Lippe Recycling GmbH</h2>"),
        html.index("<h2>Without a company</h2>"),
    )
    assert astana < lippe < without
    assert html.index("Aigerim Nurlanova") < lippe < html.index("Dr. Petra Schäfer") < without
    assert "Kabanbay Batyr 11, 010000 Astana, KZ" in html
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)" in html
    assert "+7 701 123 4567" in html
    assert '<html lang="en">' in html and "@page { size: A4" in html
    assert "For internal use only" in html
    consented = people.ok("export", "contacts", "--format", "html", "--lang", "de").stdout
    assert "Weitergegeben mit Einverständnis der genannten Personen. Bitte" in consented
    assert "Jürgen" not in consented and "Kontaktliste" in consented


def test_an_export_matching_nobody_is_still_a_valid_file(people: Cli, tmp_path: Path) -> None:
    import openpyxl

    nobody = ["--country", "FR"]
    data = people.ok("export", "contacts", "-f", "csv", *nobody).stdout_bytes
    assert data == (HEADER + "\r\n").encode()
    assert json.loads(people.ok("export", "contacts", "-f", "json", *nobody).stdout) == []
    assert yaml.safe_load(people.ok("export", "contacts", "-f", "yaml", *nobody).stdout) == []
    assert people.ok("export", "contacts", "-f", "vcf", *nobody).stdout == ""
    assert "No contacts to show." in people.ok("export", "contacts", "-f", "html", *nobody).stdout
    path = tmp_path / "none.xlsx"
    result = people.ok("export", "contacts", "-f", "xlsx", "--out", str(path), *nobody)
    assert "Exported 0 contacts as xlsx" in result.stderr
    ws = openpyxl.load_workbook(path).active
    assert ws is not None and ws.max_row == 1 and ws.freeze_panes == "A2"


def test_the_service_plans_counts_and_streams_without_the_cli(people: Cli) -> None:
    from greentech_cli.db import open_db
    from greentech_cli.services.exports import sheets as export

    db = open_db(people.db_path)
    try:
        plan = export.plan(db, export.ExportRequest(kind="contacts", format="yaml"))
        assert (plan.total, plan.withheld, plan.included_without_consent) == (
            3,
            {"no": 1, "unknown": 1},
            0,
        )
        ticks: list[int] = []
        out = io.StringIO()
        assert export.write(plan, out, ticks.append) == 3
        assert sum(ticks) == 3
        assert [r["last_name"] for r in yaml.safe_load(out.getvalue())] == [
            "@SUM(A1)",
            "Abdirakhmanov",
            "Schäfer",
        ]
        everyone = export.plan(
            db, export.ExportRequest(kind="contacts", format="csv", include_all=True)
        )
        assert (everyone.total, everyone.withheld_total, everyone.included_without_consent) == (
            5,
            0,
            2,
        )
        assert "id" not in everyone.job.columns and everyone.job.columns[0] == "salutation"
    finally:
        db.close()


def test_out_through_a_symlink_writes_its_target(people: Cli, tmp_path: Path) -> None:
    target = tmp_path / "target.csv"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    people.ok("export", "contacts", "-f", "csv", "--out", str(link))
    assert link.is_symlink()
    assert target.read_bytes().startswith(b"salutation,")


def test_out_into_a_pipe_writes_into_it_and_leaves_it_a_pipe(people: Cli, tmp_path: Path) -> None:
    import stat
    import threading

    # Like /dev/null or /dev/stdout: renaming a finished file onto it would replace it.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    people.ok("export", "contacts", "-f", "csv", "--out", str(fifo))
    reader.join(timeout=10)
    assert received and received[0].startswith(b"salutation,")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
