"""`greentech import`: the pipeline end to end — dry run, duplicates, rejects, undo, atomicity."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import engines

from .conftest import Cli

TOUR_CSV = (
    "Vorname;Nachname;Name (kyrillisch);Organisation;E-Mail;Telefon;Land;"
    "Einwilligung Teilnehmerliste\n"
    "Aigerim;Sadykova;Айгерим Садыкова;Almaty Waste Solutions LLP;aigerim@example.kz;"
    "8 701 123 45 67;Kasachstan;ja\n"
    "Nurlan;Zhaksylykov;Нурлан Жаксылыков;Astana Su Arnasy;nurlan@example.kz;+7 701 765 43 21;KZ;"
    "nein\n"
)


def _hash(path: Path) -> str:
    return engines.fingerprint(path)


@pytest.fixture
def ready(cli: Cli) -> Cli:
    cli.ok("init")
    return cli


@pytest.fixture
def tour_csv(tmp_path: Path) -> Path:
    path = tmp_path / "teilnehmer.csv"
    path.write_text(TOUR_CSV, encoding="utf-8")
    return path


def test_tour_file_imports_with_names_phones_consent(ready: Cli, tour_csv: Path) -> None:
    summary = ready.json("import", str(tour_csv))
    assert summary["rows"] == 2 and summary["created"] == 2 and summary["rejected"] == 0
    assert summary["encoding"] == "utf-8" and summary["delimiter"] == ";"
    assert summary["dry_run"] is False and summary["batch_id"] == 1
    people = {c["email"]: c for c in ready.json("contact", "list")}
    aigerim = people["aigerim@example.kz"]
    assert (aigerim["first_name"], aigerim["native_name"]) == ("Aigerim", "Айгерим Садыкова")
    assert aigerim["phone"] == "+77011234567"
    assert aigerim["country"] == "KZ" and aigerim["share_consent"] == "yes"
    assert aigerim["company"] == "Almaty Waste Solutions LLP"
    assert people["nurlan@example.kz"]["share_consent"] == "no"


def test_dry_run_changes_nothing(ready: Cli, tour_csv: Path) -> None:
    before = _hash(ready.db_path)
    result = ready.ok("import", str(tour_csv), "--dry-run")
    assert "Dry run" in result.stdout and "Aigerim" in result.stdout
    summary = ready.json("import", str(tour_csv), "--dry-run")
    assert summary["created"] == 2 and summary["dry_run"] is True and summary["batch_id"] is None
    assert _hash(ready.db_path) == before
    assert ready.json("contact", "list") == []
    assert ready.json("import", "history") == []


def test_dry_run_without_a_database_creates_none(cli: Cli, tour_csv: Path) -> None:
    """No file made; on PostgreSQL (the test's database is there, empty) nothing written."""
    before = engines.fingerprint(cli.db_path) if engines.on_postgres() else None
    summary = cli.json("import", str(tour_csv), "--dry-run")
    assert summary["created"] == 2
    if before is None:
        assert not cli.db_path.exists()
    else:
        assert engines.fingerprint(cli.db_path) == before


def test_reimport_creates_nothing_new(ready: Cli, tour_csv: Path) -> None:
    first = ready.json("import", str(tour_csv))
    assert first["imported_before"] == []
    again = ready.json("import", str(tour_csv))
    assert (again["created"], again["updated"], again["skipped"]) == (0, 0, 2)
    assert [b["batch_id"] for b in again["imported_before"]] == [first["batch_id"]]
    assert len(ready.json("contact", "list")) == 2
    assert len(ready.json("company", "list")) == 2
    table = ready.ok("import", str(tour_csv)).stdout
    assert "same file imported before" in table and "batches 1, 2, last on" in table
    # An undone batch no longer counts.
    ready.ok("import", "undo", "3", "--yes")
    assert [
        b["batch_id"] for b in ready.json("import", str(tour_csv), "--dry-run")["imported_before"]
    ] == [1, 2]


def test_fill_update_skip_new(ready: Cli, tmp_path: Path) -> None:
    ready.ok("contact", "add", "--first", "Aigerim", "--last", "Sadykova", "--email",
             "aigerim@example.kz", "--position", "Engineer")  # fmt: skip
    path = tmp_path / "x.csv"
    path.write_text(
        "First name,Last name,Email,Position,Phone,Country\n"
        "Aigerim,Sadykova,aigerim@example.kz,Director,+7 701 123 45 67,KZ\n",
        encoding="utf-8",
    )
    skipped = ready.json("import", str(path), "--on-duplicate", "skip")
    assert skipped["skipped"] == 1 and skipped["warnings"] == 0
    filled = ready.json("import", str(path))
    assert filled["updated"] == 1
    # The stored position stays, and the summary says the file's differed.
    assert filled["first_warnings"] == [
        "row 1: same as contact 1, whose stored position was kept over the file's "
        "(--on-duplicate update takes the file's)"
    ]
    contact = ready.json("contact", "show", "1")
    assert contact["position"] == "Engineer" and contact["phone"] == "+77011234567"
    updated = ready.json("import", str(path), "--on-duplicate", "update")
    assert updated["updated"] == 1 and updated["warnings"] == 0
    assert ready.json("contact", "show", "1")["position"] == "Director"
    assert ready.json("import", str(path), "--on-duplicate", "new")["created"] == 1
    assert len(ready.json("contact", "list")) == 2


def test_consent_withdrawn_in_a_newer_list_is_honoured(ready: Cli, tmp_path: Path) -> None:
    """A stored yes, then a list that says nein: the person is no longer shared, and undo works."""
    first = tmp_path / "mai.csv"
    first.write_text(
        "Vorname;Nachname;E-Mail;Einwilligung Teilnehmerliste\n"
        "Aigerim;Sadykova;aigerim@example.kz;ja\n",
        encoding="utf-8",
    )
    ready.ok("import", str(first))
    later = tmp_path / "juni.csv"
    later.write_text(first.read_text(encoding="utf-8").replace(";ja", ";nein"), encoding="utf-8")
    summary = ready.json("import", str(later))
    assert summary["updated"] == 1
    assert summary["first_warnings"] == [
        "row 1: share consent withdrawn for contact 1: the file says no"
    ]
    assert ready.json("contact", "show", "1")["share_consent"] == "no"
    assert ready.json("export", "contacts", "--format", "json") == []
    ready.ok("import", "undo", str(summary["batch_id"]), "--yes")
    assert ready.json("contact", "show", "1")["share_consent"] == "yes"
    # And a later yes does not overwrite a stored no unless asked to.
    ready.ok("contact", "edit", "1", "--share-consent", "no")
    assert ready.json("import", str(first))["updated"] == 0
    assert ready.json("contact", "show", "1")["share_consent"] == "no"


def test_contact_list_of_one_import(ready: Cli, tour_csv: Path, tmp_path: Path) -> None:
    """`contact list --import N`: the people an import created or changed, nobody else."""
    ready.ok("contact", "add", "--first", "Petra", "--last", "Schäfer")
    first = ready.json("import", str(tour_csv))["batch_id"]
    names = {c["last_name"] for c in ready.json("contact", "list", "--import", str(first))}
    assert names == {"Sadykova", "Zhaksylykov"}
    update = tmp_path / "update.csv"
    update.write_text(
        "Vorname;Nachname;E-Mail;Funktion\nAigerim;Sadykova;aigerim@example.kz;Direktorin\n",
        encoding="utf-8",
    )
    second = ready.json("import", str(update))["batch_id"]
    changed = ready.json("contact", "list", "--import", str(second))
    assert [(c["last_name"], c["position"]) for c in changed] == [("Sadykova", "Direktorin")]
    assert "no import batch '99'" in ready.fails("contact", "list", "--import", "99").stderr


def test_same_person_in_another_script_is_found(ready: Cli, tmp_path: Path) -> None:
    ready.ok("company", "add", "Astana Su Arnasy")
    ready.ok("contact", "add", "--first", "Zhanibek", "--last", "Nurlanov", "--company",
             "Astana Su Arnasy")  # fmt: skip
    path = tmp_path / "k.csv"
    path.write_text(
        "Vorname;Nachname;Organisation;Mobil\n"
        "Schanibek;Nurlanow;Astana Su Arnasy;+7 701 555 44 33\n",
        encoding="utf-8",
    )
    summary = ready.json("import", str(path))
    assert (summary["created"], summary["updated"]) == (0, 1)
    assert ready.json("contact", "show", "1")["mobile"] == "+77015554433"


def _rejects_rows(path: Path) -> list[list[str]]:
    """The rows of a rejects file as texts, CSV (semicolons, BOM) or workbook."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        cells = workbook.active.iter_rows(values_only=True)
        rows = [["" if value is None else str(value) for value in row] for row in cells]
        workbook.close()
        return rows
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rejects_file_round_trip(ready: Cli, tmp_path: Path, suffix: str) -> None:
    """--rejects writes the unusable rows in the input's columns plus a reason (a CSV, or a real
    workbook for .xlsx); fixed, they import."""
    path = tmp_path / "bad.csv"
    path.write_text(
        "Vorname;Nachname;E-Mail;Telefon\nPetra;Schäfer;petra@lippe.example;\n"
        "Klaus;Kaputt;klaus@@broken;+49 2841 668593\n;;;Nowhere\n",
        encoding="utf-8",
    )
    rejects = tmp_path / f"rejects{suffix}"
    summary = ready.json("import", str(path), "--rejects", str(rejects))
    assert (summary["created"], summary["rejected"]) == (1, 2)
    assert summary["rejects_file"] == str(rejects)
    assert not list(tmp_path.glob("*.part")), "no spool file is left"
    rows = _rejects_rows(rejects)
    assert rows[0] == ["Vorname", "Nachname", "E-Mail", "Telefon", "reason"]
    assert rows[1][:4] == ["Klaus", "Kaputt", "klaus@@broken", "+49 2841 668593"]
    assert "klaus@@broken" in rows[1][4]
    again = ready.json("import", str(rejects), "--dry-run")
    assert (again["rows"], again["rejected"], again["unmapped_columns"]) == (2, 2, ["reason"])
    # Fix the file and import it again: only the rejected rows come in now.
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(rows[0][:4])
        writer.writerow(["Klaus", "Kaputt", "klaus@moers.example", "+49 2841 668593"])
    assert ready.json("import", str(fixed))["created"] == 1


def test_rejects_onto_the_file_being_imported_is_refused(ready: Cli, tour_csv: Path) -> None:
    """A typo like --rejects teilnehmer.csv must never empty the officer's own list, nor the
    database."""
    content = tour_csv.read_bytes()
    before = _hash(ready.db_path)
    for target in (tour_csv, tour_csv.parent / "." / tour_csv.name):
        result = ready.fails("import", str(tour_csv), "--rejects", str(target))
        assert "--rejects would overwrite teilnehmer.csv" in result.stderr
    assert tour_csv.read_bytes() == content
    result = ready.fails("import", str(tour_csv), "--rejects", str(ready.db_path))
    assert "is the database itself" in result.stderr
    assert _hash(ready.db_path) == before


def test_undo_after_create_and_after_update(ready: Cli, tour_csv: Path, tmp_path: Path) -> None:
    ready.ok("contact", "add", "--first", "Nurlan", "--last", "Zhaksylykov", "--email",
             "nurlan@example.kz")  # fmt: skip
    before = ready.json("contact", "show", "1")
    summary = ready.json("import", str(tour_csv))
    assert (summary["created"], summary["updated"]) == (1, 1)
    history = ready.json("import", "history")
    assert history[0]["batch_id"] == 1 and history[0]["created"] == 1
    result = ready.ok("import", "undo", "1", "--yes")
    assert "3 record(s) removed, 1 restored" in result.stderr
    assert ready.json("contact", "show", "1") == before
    assert [c["id"] for c in ready.json("contact", "list")] == [1]
    assert ready.json("company", "list") == []
    assert ready.json("import", "history")[0]["undone_at"]
    ready.fails("import", "undo", "1")


def test_history_table_shows_minutes_and_undone_only_when_any(ready: Cli, tour_csv: Path) -> None:
    ready.ok("import", str(tour_csv))
    table = ready.ok("import", "history").stdout
    assert "imported (UTC)" in table and "undone" not in table
    assert re.search(r"\d{4}-\d\d-\d\d", table) and re.search(r"\b\d\d:\d\d\b", table)
    assert "+00:00" not in table and not re.search(r"\d\dT\d\d", table)
    ready.ok("import", "undo", "1", "--yes")
    assert "undone (UTC)" in " ".join(ready.ok("import", "history").stdout.split())
    assert ready.json("import", "history")[0]["imported_at"].endswith("+00:00")


def test_undo_refuses_when_changed_since(ready: Cli, tour_csv: Path) -> None:
    ready.json("import", str(tour_csv))
    ready.ok("contact", "edit", "aigerim@example.kz", "--position", "CEO")
    result = ready.fails("import", "undo", "1")
    assert "contact 1" in result.stderr and "--force" in result.stderr
    assert len(ready.json("contact", "list")) == 2
    ready.ok("import", "undo", "1", "--force", "--yes")
    assert ready.json("contact", "list") == []


def test_delegation_members_from_import(ready: Cli, tmp_path: Path) -> None:
    ready.ok("delegation", "add", "kz-waste-2026", "--title", "Kazakh delegation", "--direction",
             "incoming", "--from", "KZ", "--to", "DE", "--start", "2026-11-16", "--end",
             "2026-11-20", "--tz", "Europe/Berlin")  # fmt: skip
    path = tmp_path / "m.csv"
    path.write_text(
        "Vorname,Nachname,E-Mail,Rolle,Status\nAigerim,Sadykova,a@example.kz,lead,confirmed\n"
        "Dana,Ospanova,d@example.kz,,\nIrina,Petrova,i@example.kz,interpreter,\n",
        encoding="utf-8",
    )
    summary = ready.json("import", str(path), "--delegation", "kz-waste-2026")
    assert summary["members_added"] == 3
    members = ready.json("member", "list", "kz-waste-2026")
    roles = {m["email"] if "email" in m else m["contact"]["email"]: m["role"] for m in members}
    assert roles == {
        "a@example.kz": "lead",
        "d@example.kz": "delegate",
        "i@example.kz": "interpreter",
    }
    ready.ok("import", "undo", "1", "--yes")
    assert ready.json("member", "list", "kz-waste-2026") == []


def test_an_unknown_role_or_status_word_is_kept_in_the_members_notes(
    ready: Cli, tmp_path: Path
) -> None:
    ready.ok("delegation", "add", "kz-waste-2026", "--title", "Kazakh delegation", "--direction",
             "incoming", "--from", "KZ", "--to", "DE", "--start", "2026-11-16", "--end",
             "2026-11-20", "--tz", "Europe/Berlin")  # fmt: skip
    path = tmp_path / "m.csv"
    path.write_text(
        "Vorname;Nachname;E-Mail;Rolle;Status\nMarat;Sadykov;m@example.kz;Fotograf;vielleicht\n",
        encoding="utf-8",
    )
    summary = ready.json("import", str(path), "--delegation", "kz-waste-2026")

    (member,) = ready.json("member", "list", "kz-waste-2026")
    assert (member["role"], member["status"]) == ("delegate", "registered")
    assert member["notes"] == "Role in the file: Fotograf\nStatus in the file: vielleicht"
    assert all("kept in the member's notes" in w for w in summary["warning_list"])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"   \n\n", "empty"),
        ("binary.csv", bytes(range(256)) * 40, "binary"),
        ("nul.csv", b"Vorname;Nachname\nA\x00;B\n", ""),
        ("fake.xlsx", b"Vorname;Nachname\nA;B\n", "workbook"),
        (
            "bomb.yaml",
            b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
            + b"".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
                f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
                f"*{chr(97 + i)}]\n".encode()
                for i in range(8)
            ),
            "alias",
        ),
        ("evil.yaml", b"- !!python/object/apply:os.system ['echo hi']\n", ""),
        ("novcard.vcf", b"hello there\n", "vCard"),
    ],
)
def test_bad_input_is_one_clear_error_and_changes_nothing(
    ready: Cli, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before = _hash(ready.db_path)
    result = ready.fails("import", str(path))
    assert message.lower() in result.stderr.lower()
    assert _hash(ready.db_path) == before
    assert ready.json("import", "history") == []


@pytest.mark.parametrize(
    ("option", "message"),
    [("--sheet", "--sheet is for .xlsx workbooks"), ("--delimiter", None)],
)
def test_reading_option_that_does_not_fit_is_refused(
    ready: Cli, tour_csv: Path, tmp_path: Path, option: str, message: str | None
) -> None:
    """--sheet on a CSV, --delimiter on a vCard: refused, not quietly ignored."""
    vcard = tmp_path / "karte.vcf"
    vcard.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Anna Schmidt\nN:Schmidt;Anna\nEND:VCARD\n")
    target, value = (tour_csv, "Teilnehmer") if option == "--sheet" else (vcard, ";")
    before = _hash(ready.db_path)
    result = ready.fails("import", str(target), option, value)
    expected = message or f"--delimiter is for CSV files; {vcard.name} was read as vcard"
    assert expected in result.stderr
    assert _hash(ready.db_path) == before


def test_numbers_without_country_get_a_hint_once(ready: Cli, tmp_path: Path) -> None:
    """A national number with no country to read it by: the warning, then what to do about it."""
    path = tmp_path / "liste.csv"
    path.write_text(
        "Vorname;Nachname;Telefon\nAnna;Schmidt;'0171 2345678\nBen;Kurz;0211 987654\n",
        encoding="utf-8",
    )
    result = ready("import", str(path), "--dry-run")
    assert result.exit_code == 0
    assert "no country to read it with" in result.stdout
    assert result.stderr.count("--default-country") == 1
    result = ready("import", str(path), "--dry-run", "--default-country", "DE")
    assert "--default-country" not in result.stderr
    ready.ok("import", str(path), "--default-country", "de")
    phones = {c["phone"] for c in ready.json("contact", "list")}
    assert phones == {"+491712345678", "+49211987654"}
    # Also when the first warnings, the ones the summary shows, are about something else.
    late = tmp_path / "spaet.csv"
    rows = [f"P{i};Atlantis;+49 211 98765{i % 10}" for i in range(25)] + ["Z;;0211 987654"]
    late.write_text("Vorname;Land;Telefon\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = ready("import", str(late), "--dry-run")
    assert "no country to read it with" not in result.stdout  # beyond the shown sample
    assert result.stderr.count("--default-country") == 1


COMPANY_CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:Grüne Energie GmbH\r\n"
    "ORG:Grüne Energie GmbH;\r\nTEL;TYPE=WORK:+49 30 1234567\r\nX-ABShowAs:COMPANY\r\n"
    "END:VCARD\r\n"
)


def test_company_card_is_explained_and_imports_as_a_company(ready: Cli, tmp_path: Path) -> None:
    """A phone's company card has no person: the reject says what to do, and doing it works."""
    path = tmp_path / "firmen.vcf"
    path.write_text(COMPANY_CARD, encoding="utf-8")
    summary = ready.json("import", str(path))
    assert summary["rejected"] == 1
    assert summary["first_rejects"][0]["reason"] == (
        "only an organisation, no person's name or email (import organisations with --as companies)"
    )
    summary = ready.json("import", str(path), "--as", "companies")
    assert (summary["created"], summary["rejected"]) == (1, 0)
    (company,) = ready.json("company", "list")
    assert (company["name"], company["legal_form"]) == ("Grüne Energie GmbH", "GmbH")
    # the card's numbers are the organisation's own (companies keep several phones)
    assert company["phones"][0]["value"] == "+49301234567"


def test_missing_file(ready: Cli, tmp_path: Path) -> None:
    assert "no file" in ready.fails("import", str(tmp_path / "nope.csv")).stderr


def test_kill_during_import_leaves_database_as_it_was(ready: Cli, tmp_path: Path) -> None:
    ready.ok("contact", "add", "--first", "Keep", "--last", "Me")
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["First name", "Last name", "Email", "Phone", "Country"])
        for i in range(200_000):
            writer.writerow([f"Name{i}", f"Person{i}", f"p{i}@example.de", f"0211 {i:06d}", "DE"])
    env = {**os.environ, "GREENTECH_DB": str(ready.db_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "greentech_cli", "import", str(big)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Two seconds in, the import is deep inside its one transaction (it needs far longer).
    time.sleep(2.0)
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    conn = engines.connect(ready.db_path)
    if not engines.on_postgres():  # the file is sound (PostgreSQL's own recovery is the server's)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 0
    conn.close()
    listed = json.loads(ready.ok("contact", "list", "--format", "json").stdout)
    assert listed[0]["first_name"] == "Keep"


def test_a_stray_quote_refuses_the_file_with_its_line(ready: Cli, tmp_path: Path) -> None:
    """`Anna,"Schmidt,…` once swallowed the rest of the file: 1 contact, rows 1, no warning."""
    path = tmp_path / "liste.csv"
    path.write_text(
        "first_name,last_name,email\n"
        "Jens,Ohm,jens@example.de\n"
        'Anna,"Schmidt,anna@example.de\n'
        "Bernd,Meier,bernd@example.de\n"
        "Carla,Roth,carla@example.de\n",
        encoding="utf-8",
    )
    before = ready.json("info")["counts"]
    for dry in (["--dry-run"], []):
        result = ready.fails("import", str(path), *dry)
        assert "liste.csv line 3: a quoted cell opened there" in result.stderr
    assert ready.json("info")["counts"] == before
    assert ready.json("import", "history") == []


def test_rows_are_records_with_multiline_addresses(ready: Cli, tmp_path: Path) -> None:
    """Quoted addresses over several lines: the summary counts the rows a spreadsheet shows."""
    path = tmp_path / "adressen.csv"
    path.write_text(
        "first_name,last_name,email,notes\n"
        'Anna,Schmidt,anna@example.de,"Hauptstr. 1, Hinterhaus\n10115 Berlin\nDeutschland"\n'
        'Bernd,Meier,bernd@example.de,"Weg 2\n50667 Köln"\n'
        "Carla,Roth,carla@example.de,\n",
        encoding="utf-8",
    )
    summary = ready.json("import", str(path))
    assert (summary["rows"], summary["created"], summary["rejected"]) == (3, 3, 0)
    notes = {c["last_name"]: c["notes"] for c in ready.json("contact", "list")}
    assert notes["Schmidt"] == "Hauptstr. 1, Hinterhaus\n10115 Berlin\nDeutschland"
