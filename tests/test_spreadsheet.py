"""Exports checked by a real spreadsheet: LibreOffice Calc, headless, with German settings.

`csv-excel` is opened the way German Excel opens a CSV (semicolons, UTF-8, German locale 1031,
numbers and dates detected): the phone `+492841555130`, the postcode `050000` and the latitude
`43,238` must come out as written, where a plain CSV loses all three. Every column profile's XLSX
is converted back to CSV by LibreOffice and compared cell by cell with the CSV export, with
Cyrillic, a 32,767-character cell and text that looks like a formula among the cells.

Skipped when LibreOffice (`soffice`) is absent; `.ci/run` installs `libreoffice-calc-nogui`.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from greentech_cli.exporters import profiles
from tests.conftest import Cli

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]

# LibreOffice's CSV filter options: separator ; (59), quote " (34), UTF-8 (76), from line 1,
# no column formats, language 1031 (German), …, detect special numbers (dates, times) on.
GERMAN_CSV = "CSV:59,34,76,1,,1031,false,true"
LONG = "x" * 32_767
FORMULA_LIKE = '=HYPERLINK("http://evil.example";"click")'


def _soffice(tmp_path: Path, target: str, files: list[Path], infilter: str | None = None) -> Path:
    """Convert files with LibreOffice headless into `target` format; returns the output folder."""
    out = tmp_path / f"converted-{target.split(':')[0]}"
    profile = tmp_path / "lo-profile"
    command = [
        str(SOFFICE),
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to",
        target,
        "--outdir",
        str(out),
        *map(str, files),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    return out


@pytest.fixture
def sheet_cli(cli: Cli) -> Cli:
    """A chamber, a company and three people, with the values spreadsheets like to change."""
    cli.ok("company", "add", "Niederrhein Klärwerk AöR", "--postcode", "050000", "--city", "Almaty",
           "--country", "KZ", "--lat", "43.238", "--lon", "76.945")  # fmt: skip
    cli.ok("contact", "add", "--first", "Jürgen", "--last", "Brandt", "--company",
           "Niederrhein Klärwerk AöR", "--phone", "+492841555130", "--email", "j@example.de",
           "--share-consent", "yes", "--notes", LONG, "--tag", "vip")  # fmt: skip
    cli.ok("contact", "add", "--first", "Айгерим", "--last", "Садыкова", "--email",
           "a@example.kz", "--share-consent", "yes", "--position", FORMULA_LIKE,
           "--mobile", "+77012345678", "--country", "KZ")  # fmt: skip
    cli.ok("contact", "add", "--first", "Olga", "--last", "Weber", "--email", "o@example.de",
           "--share-consent", "yes", "--position", "+SUM(A1)",
           "--birthday", "1980-05-17")  # fmt: skip
    cli.ok("delegation", "add", "kz", "--title", "KZ", "--direction", "incoming", "--from", "KZ",
           "--to", "DE", "--start", "2026-11-16", "--end", "2026-11-20")  # fmt: skip
    for email, role in (
        ("j@example.de", "host"),
        ("a@example.kz", "lead"),
        ("o@example.de", "interpreter"),
    ):
        cli.ok("member", "add", "kz", email, "--role", role)
    return cli


def test_csv_excel_keeps_phone_postcode_and_decimal_under_german_settings(
    sheet_cli: Cli, tmp_path: Path
) -> None:
    import openpyxl

    people, firms, plain = tmp_path / "people.csv", tmp_path / "firms.csv", tmp_path / "plain.csv"
    sheet_cli.ok("export", "contacts", "-f", "csv-excel", "--out", str(people))
    sheet_cli.ok("export", "companies", "-f", "csv-excel", "--out", str(firms))
    sheet_cli.ok("export", "companies", "-f", "csv", "--out", str(plain))
    # The plain CSV with semicolons, as a control: German settings change all three values.
    text = plain.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    semicolons = tmp_path / "control.csv"
    semicolons.write_text("\ufeff" + "\r\n".join(";".join(r) for r in rows), encoding="utf-8")
    out = _soffice(tmp_path, "xlsx", [people, firms, semicolons], infilter=GERMAN_CSV)

    def sheet(name: str) -> list[dict[str, object]]:
        book = openpyxl.load_workbook(out / f"{name}.xlsx", data_only=True)
        header, *body = list(book.active.iter_rows(values_only=True))
        return [dict(zip(header, row, strict=True)) for row in body]

    jurgen = next(r for r in sheet("people") if r["first_name"] == "Jürgen")
    assert jurgen["phone"] == "+492841555130"
    assert jurgen["company_postcode"] == "050000"
    olga = next(r for r in sheet("people") if r["first_name"] == "Olga")
    assert olga["birthday"] == "1980-05-17" and olga["position"] == "'+SUM(A1)"
    firm = sheet("firms")[0]
    assert firm["postcode"] == "050000"
    assert firm["lat"] == pytest.approx(43.238) and firm["lon"] == pytest.approx(76.945)
    # German settings show the latitude as 43,238: a number, not 43238.
    assert f"{firm['lat']:.3f}".replace(".", ",") == "43,238"
    control = sheet("control")[0]
    assert control["postcode"] == 50000 and control["lat"] == 43238


def test_every_profiles_xlsx_reads_back_in_libreoffice_as_its_csv(
    sheet_cli: Cli, tmp_path: Path
) -> None:
    pairs: list[tuple[Path, Path]] = []
    for kind in ("contacts", "companies"):
        for name in profiles.names():
            if profiles.load(name).kind not in (kind, "any"):
                continue
            xlsx, raw = tmp_path / f"{kind}-{name}.xlsx", tmp_path / f"{kind}-{name}.csv"
            args = ["export", kind, "--profile", name]
            if kind == "contacts":
                args += ["--all", "-d", "kz"]
            sheet_cli.ok(*args, "-f", "xlsx", "--out", str(xlsx))
            sheet_cli.ok(*args, "-f", "csv", "--raw", "--out", str(raw))
            pairs.append((xlsx, raw))
    # One LibreOffice run for every file: comma-separated UTF-8 out, cells as stored.
    out = _soffice(
        tmp_path,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false",
        [x for x, _ in pairs],
    )
    for xlsx, raw in pairs:
        got = list(csv.reader(io.StringIO((out / f"{xlsx.stem}.csv").read_text(encoding="utf-8"))))
        want = list(csv.reader(io.StringIO(raw.read_text(encoding="utf-8"))))
        assert len(got) == len(want) > 1, xlsx.name
        for row_got, row_want in zip(got, want, strict=True):
            padded = row_got + [""] * (len(row_want) - len(row_got))
            assert padded == row_want, xlsx.name
    full = list(csv.DictReader(io.StringIO((out / "contacts-full.csv").read_text("utf-8"))))
    assert {r["first_name"]: r["position"] for r in full}["Айгерим"] == FORMULA_LIKE
    assert {r["first_name"]: r["notes"] for r in full}["Jürgen"] == LONG
