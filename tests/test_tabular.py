"""Tests for reading CSV/TSV/XLSX files into tables (greentech_cli.importers.tabular)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
import zipfile
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greentech_cli.errors import InvalidData, NotFound, UnreadableFile
from greentech_cli.importers import formats as tabular
from greentech_cli.importers.formats import sniff_delimiter
from greentech_cli.importers.mapping import Row, Table, auto_map, find_header_row, make_headers
from greentech_cli.importers.sources import read_table
from greentech_cli.importers.workbook import cell_text

from .conftest import REALWORLD as SHARED_REALWORLD

FIXTURES = Path(__file__).parent / "fixtures" / "tabular"
REALWORLD_CSV = SHARED_REALWORLD / "csv"


def read_all(path: Path, **options: str) -> tuple[Table, list[Row]]:
    table = read_table(path, **options)
    return table, list(table.rows)


# --- real-world files ----------------------------------------------------------------------

# file -> (encoding, delimiter, header row, column count, data rows, preset, name/email fields)
REALWORLD = {
    "civicrm_participant.csv": ("utf-8", ",", 1, 12, 1, "civicrm", {"email"}),
    "eventespresso_attendees_cr.csv": (
        "utf-8", ",", 1, 13, 2, "eventespresso", {"first_name", "last_name", "email"},
    ),
    "jverein_datei1_semicolon.csv": (
        "utf-8", ";", 1, 25, 1, None, {"first_name", "last_name", "email"},
    ),
    "rechnungspilot_vr-teilhaberbank_bom.csv": ("utf-8-sig", ";", 1, 18, 5, None, set()),
    "roundcube_all_bom.csv": (
        "utf-8-sig", ",", 1, 61, 1, "outlook-en", {"first_name", "last_name", "email", "name"},
    ),
    "roundcube_gmail.csv": (
        "utf-8", ",", 1, 81, 1, "google", {"first_name", "last_name", "email", "name"},
    ),
    "tine20_importtest_outlook2013_de_cp1252.csv": (
        "cp1252", ",", 1, 92, 2, "outlook-de", {"first_name", "last_name", "email"},
    ),
    "tine20_importtest_win1252_semicolon.csv": (
        "cp1252", ";", 1, 3, 4, None, {"first_name", "last_name", "email"},
    ),
}  # fmt: skip


def realworld(name: str) -> Path:
    path = REALWORLD_CSV / name
    if not path.is_file():
        pytest.skip(f"real-world sample {name} is not available")
    return path


@pytest.mark.realworld
def test_every_realworld_csv_is_covered() -> None:
    assert {path.name for path in REALWORLD_CSV.glob("*.csv")} <= set(REALWORLD)


@pytest.mark.realworld
@pytest.mark.parametrize("name", sorted(REALWORLD))
def test_realworld_csv_reads_and_maps(name: str) -> None:
    encoding, delimiter, header_row, width, count, preset, fields = REALWORLD[name]
    table, rows = read_all(realworld(name))
    assert table.encoding == encoding
    assert table.delimiter == delimiter
    assert table.format == "csv"
    assert table.header_row == header_row
    assert len(table.headers) == width
    assert len(rows) == count
    assert all(len(row.cells) == len(table.headers) for row in rows)
    column_map = auto_map(table.headers)
    assert column_map.preset == preset
    assert fields <= set(column_map.fields)


@pytest.mark.realworld
def test_outlook_de_cp1252_keeps_umlauts_and_pads_ragged_rows() -> None:
    table, rows = read_all(realworld("tine20_importtest_outlook2013_de_cp1252.csv"))
    assert "Straße geschäftlich" in table.headers
    assert "Telefon für Hörbehinderte" in table.headers
    # The data rows have 89 cells against 92 headers: padded, not rejected.
    last_name = table.headers.index("Nachname")
    assert [row.cells[last_name] for row in rows] == ["Baumann", "Weiß"]
    # The Notizen cell of the first person holds a quoted CRLF, so the next record starts later.
    assert [row.number for row in rows] == [2, 4]


@pytest.mark.realworld
def test_win1252_semicolon_is_not_mistaken_for_cyrillic() -> None:
    _, rows = read_all(realworld("tine20_importtest_win1252_semicolon.csv"))
    assert ["ÖzdemirÖ", "Üglü", "oezdemir@ueglue.tu"] in [row.cells for row in rows]


@pytest.mark.realworld
def test_eventespresso_cr_only_line_ends() -> None:
    table, rows = read_all(realworld("eventespresso_attendees_cr.csv"))
    assert table.headers[:4] == ["0", "Registration ID (optional)", "First", "Last"]
    assert [row.number for row in rows] == [2, 3]
    assert rows[1].cells[2:4] == ["Jane", "Doe"]


@pytest.mark.realworld
def test_gmail_multiline_quoted_cells_and_escaped_quotes() -> None:
    table, rows = read_all(realworld("roundcube_gmail.csv"))
    row = dict(zip(table.headers, rows[0].cells, strict=True))
    assert row["Notes"] == 'note"note'
    assert row["Address 1 - Formatted"].splitlines()[0] == "home_street"


# --- own fixtures --------------------------------------------------------------------------


def test_cp1252_semicolon_with_umlauts_and_euro() -> None:
    table, rows = read_all(FIXTURES / "cp1252_semicolon_umlauts.csv")
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert rows[0].cells[3] == "Müller-Lüdenscheidt"
    assert rows[0].cells[8] == "Budget 5.000 €"
    assert rows[1].cells[8] == "„Kreislaufwirtschaft“ – Schwerpunkt"


def test_cp1251_cyrillic_is_detected() -> None:
    table, rows = read_all(FIXTURES / "cp1251_cyrillic_semicolon.csv")
    assert (table.encoding, table.delimiter) == ("cp1251", ";")
    assert table.headers[:3] == ["Фамилия", "Имя", "Отчество"]
    assert rows[0].cells[3] == "ТОО «Эко Сервис»"


def test_utf16_with_bom_tab_separated() -> None:
    table, rows = read_all(FIXTURES / "utf16_excel_unicode_text.txt")
    assert (table.encoding, table.delimiter, table.format) == ("utf-16", "\t", "tsv")
    assert rows[0].cells[2] == "Қайрат Әбдірахманов"


def test_title_row_above_header_is_skipped() -> None:
    table, rows = read_all(FIXTURES / "title_row_above_header.csv")
    assert table.header_row == 3
    assert table.headers == [
        "Vorname", "Nachname", "Name (kyrillisch)", "Organisation", "E-Mail", "Mobil",
    ]  # fmt: skip
    assert [row.number for row in rows] == [4, 5]
    assert rows[0].cells[2] == "Жанибек Нурланов"


def test_ragged_rows_are_padded_and_extra_cells_kept() -> None:
    table, rows = read_all(FIXTURES / "ragged_rows.csv")
    assert table.headers == [
        "Vorname", "Nachname", "E-Mail", "Firma", "column_5", "column_6",
    ]  # fmt: skip
    assert rows[0].cells[:4] == ["Anna", "Schmidt", "", ""]
    assert rows[1].cells == [
        "Ben",
        "Berger",
        "ben@example.de",
        "Berger AG",
        "extra one",
        "extra two",
    ]
    # Empty surplus cells do not invent columns; every row has one cell per header.
    assert rows[2].cells[4:] == ["", ""]
    assert {len(row.cells) for row in rows} == {6}


def test_duplicate_and_blank_headers_are_made_unique() -> None:
    table, _ = read_all(FIXTURES / "duplicate_headers.csv")
    assert table.headers == ["Name", "E-Mail", "E-Mail (2)", "column_4", "Telefon", "e-mail (3)"]


def test_cr_only_line_ends_with_cr_inside_quotes() -> None:
    table, rows = read_all(FIXTURES / "cr_only_line_ends.csv")
    assert table.headers == ["First", "Last", "Email", "Notes"]
    assert rows[0].cells[3] == "two\rlines"
    assert [row.number for row in rows] == [2, 4]


def test_multiline_quoted_cells_quoted_headers_and_blank_lines() -> None:
    table, rows = read_all(FIXTURES / "multiline_quoted_crlf.csv")
    assert table.headers == ["Vorname", "Nachname", "Adresse, Firma", 'Notiz "intern"']
    assert rows[0].cells[2] == "Königsallee 1\r\n40212 Düsseldorf"
    assert rows[0].cells[3] == 'Er sagte "Hallo"\r\nund ging'
    assert [row.number for row in rows] == [2, 6]


@pytest.mark.parametrize(
    ("name", "delimiter", "cell"),
    [
        ("tab_separated.tsv", "\t", "KazWater, LLP"),
        ("pipe_delimited.csv", "|", "Toshkent Suv; LLC"),
    ],
)
def test_other_delimiters(name: str, delimiter: str, cell: str) -> None:
    table, rows = read_all(FIXTURES / name)
    assert table.delimiter == delimiter
    assert rows[0].cells[2] == cell


def test_given_delimiter_and_encoding_override_detection() -> None:
    table, _ = read_all(
        FIXTURES / "cp1252_semicolon_umlauts.csv", encoding="latin-1", delimiter=","
    )
    assert table.encoding == "iso8859-1"
    assert table.delimiter == ","
    assert len(table.headers) == 1


def test_tab_can_be_given_as_backslash_t(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("a\tb\n1\t2\n", encoding="utf-8")
    assert read_table(path, delimiter="\\t").delimiter == "\t"


def test_unknown_encoding_and_bad_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidData, match="not a known text encoding"):
        read_table(path, encoding="klingon")
    with pytest.raises(InvalidData, match="one character"):
        read_table(path, delimiter=";;")


def test_one_column_file_uses_comma(tmp_path: Path) -> None:
    path = tmp_path / "emails.csv"
    path.write_text("E-Mail\na@example.de\nb@example.de\n", encoding="utf-8")
    table, rows = read_all(path)
    assert table.delimiter == ","
    assert [row.cells for row in rows] == [["a@example.de"], ["b@example.de"]]


def test_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "beitraege.csv"
    path.write_text("Name;Betrag;Saldo\nA;175,00;14846,94\nB;-6,00;100,50\n", encoding="utf-8")
    assert read_table(path).delimiter == ";"


def test_utf8_error_beyond_the_sample_is_found(tmp_path: Path) -> None:
    # The first 100 KB are ASCII; the first umlaut (cp1252) comes much later.
    lines = ["Vorname;Nachname"] + [f"Name{i};Test" for i in range(12_000)] + ["Jürgen;Weiß"]
    path = tmp_path / "late_umlaut.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    table, rows = read_all(path)
    assert table.encoding == "cp1252"
    assert rows[-1].cells == ["Jürgen", "Weiß"]


def test_wrong_given_encoding_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    lines = ["a;b"] + ["x;y"] * 30_000 + ["Ж;ы"]
    path.write_bytes("\n".join(lines).encode("utf-8"))
    table = read_table(path, encoding="ascii")
    with pytest.raises(UnreadableFile, match="line 30002 cannot be decoded as ascii"):
        list(table.rows)


# --- refusals ------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="does not exist"):
        read_table(tmp_path / "nope.csv")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="is a directory"):
        read_table(tmp_path)


@pytest.mark.parametrize("content", [b"", b"   \r\n\t\n  ", b"\xef\xbb\xbf\r\n", b";;;\n;;\n"])
def test_empty_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "leer.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=r"leer.csv is empty"):
        read_table(path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    with pytest.raises(UnreadableFile, match=r"photo.csv looks like a binary file, not CSV"):
        read_table(path)


def test_random_binary_without_magic(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(bytes(range(256)) * 100)
    with pytest.raises(UnreadableFile, match="looks like a binary file"):
        read_table(path)


def test_nul_byte_in_text_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Vorname,Nachname\nAnna,Schmidt\nBen,Be\x00rger\n")
    with pytest.raises(UnreadableFile, match="NUL byte at line 3"):
        read_table(path)


def test_nul_byte_beyond_the_sample_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "nul_late.csv"
    body = b"".join(b"Name%d,Test\n" % i for i in range(10_000))
    path.write_bytes(b"Vorname,Nachname\n" + body + b"Ben,Be\x00rger\n")
    table = read_table(path)
    with pytest.raises(UnreadableFile, match="NUL byte at line 10002"):
        list(table.rows)


def test_cell_larger_than_one_megabyte(tmp_path: Path) -> None:
    path = tmp_path / "huge_cell.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("Vorname,Notizen\nAnna,kurz\n")
        handle.write('Ben,"' + "x" * (5 * 1024 * 1024) + '"\n')
    # The row is among those read to find the header, so opening the file already stops.
    with pytest.raises(UnreadableFile, match="row starting at line 3 has a cell larger than 1 MB"):
        list(read_table(path).rows)
    late = tmp_path / "huge_cell_late.csv"
    with late.open("w", encoding="utf-8", newline="") as handle:
        handle.write("Vorname,Notizen\n" + "Anna,kurz\n" * 30)
        handle.write('Ben,"' + "x" * (5 * 1024 * 1024) + '"\n')
    table = read_table(late)
    with pytest.raises(UnreadableFile, match="line 32 has a cell larger than 1 MB"):
        list(table.rows)


def test_long_cell_below_the_limit_is_fine(tmp_path: Path) -> None:
    # csv's default limit (128 KB) must not reject a long note.
    path = tmp_path / "long_note.csv"
    path.write_text('Vorname,Notizen\nAnna,"' + "y" * 500_000 + '"\n', encoding="utf-8")
    _, rows = read_all(path)
    assert len(rows[0].cells[1]) == 500_000


def test_old_xls_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "liste.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000)
    with pytest.raises(UnreadableFile, match=r"\.xls is not supported; save as \.xlsx or CSV"):
        read_table(path)


def test_xls_content_behind_csv_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "liste.csv"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000)
    with pytest.raises(UnreadableFile, match=r"\.xls is not supported"):
        read_table(path)


@pytest.mark.parametrize(
    "content",
    [
        "<html><body><table><tr><td>Vorname</td></tr><tr><td>Anna</td></tr></table></body></html>",
        '\ufeff<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:'
        'spreadsheet">',
    ],
)
def test_web_export_named_xls_is_explained(tmp_path: Path, content: str) -> None:
    """Web systems send "Excel" lists as HTML tables or XML 2003 sheets under an .xls name."""
    path = tmp_path / "teilnehmer.xls"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(
        UnreadableFile, match=r"web page or XML file with an \.xls name.*save it as"
    ):
        read_table(path)


def test_html_saved_as_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("<!DOCTYPE html><html><table><tr><td>a</td></tr></table></html>")
    with pytest.raises(UnreadableFile, match="HTML or XML"):
        read_table(path)


# --- XLSX ----------------------------------------------------------------------------------


def make_workbook(path: Path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("Leer")
    hidden = workbook.add_worksheet("Intern")
    hidden.write("A1", "geheim")
    hidden.hide()
    sheet = workbook.add_worksheet("Teilnehmer")
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write("A1", "Teilnehmerliste Delegation Kasachstan 2026")
    headers = [
        "Vorname", "Nachname", "Name (kyrillisch)", "Telefon", "Mobil", "Geburtsdatum",
        "Einwilligung Teilnehmerliste", "Anteil", "Summe",
    ]  # fmt: skip
    sheet.write_row(2, 0, headers)
    sheet.write_row(3, 0, ["Zhanibek", "Nurlanov", "Жанибек Нурланов", 4921198765, 77011234567.0])
    sheet.write_datetime(3, 5, dt.datetime(1980, 5, 17), date_format)
    sheet.write_boolean(3, 6, True)
    sheet.write_number(3, 7, 0.25)
    sheet.write_formula(3, 8, "=H4*4", None, 1)
    sheet.write_row(4, 0, ["Aigerim", "Sadykova", "Айгерим Садыкова", 1e10, 4.9211987e9])
    sheet.write_boolean(4, 6, False)
    sheet.write_number(4, 7, 1.5e-7)
    # A row far below, after empty rows, keeps its sheet row number.
    sheet.write_row(9, 0, ["Dora", "Dietz"])
    workbook.close()


def test_xlsx_title_row_numbers_dates_booleans_formulas(tmp_path: Path) -> None:
    path = tmp_path / "teilnehmer.xlsx"
    make_workbook(path)
    table, rows = read_all(path)
    assert (table.format, table.sheet, table.header_row) == ("xlsx", "Teilnehmer", 3)
    assert table.encoding is None and table.delimiter is None
    assert table.headers[:3] == ["Vorname", "Nachname", "Name (kyrillisch)"]
    first = dict(zip(table.headers, rows[0].cells, strict=True))
    assert first["Telefon"] == "4921198765"
    assert first["Mobil"] == "77011234567"
    assert first["Geburtsdatum"] == "1980-05-17"
    assert first["Einwilligung Teilnehmerliste"] == "yes"
    assert first["Anteil"] == "0.25"
    assert first["Summe"] == "1"
    second = dict(zip(table.headers, rows[1].cells, strict=True))
    assert second["Telefon"] == "10000000000"
    assert second["Mobil"] == "4921198700"
    assert second["Einwilligung Teilnehmerliste"] == "no"
    assert second["Anteil"] == "0.00000015"
    assert [row.number for row in rows] == [4, 5, 10]


def test_xlsx_sheet_by_name_and_unknown_sheet(tmp_path: Path) -> None:
    path = tmp_path / "teilnehmer.xlsx"
    make_workbook(path)
    table, rows = read_all(path, sheet="intern")
    assert table.sheet == "Intern"
    assert table.headers == ["geheim"] and rows == []
    with pytest.raises(InvalidData, match="no sheet 'Gäste'; its sheets are: Leer, Intern, Teil"):
        read_table(path, sheet="Gäste")


def test_xlsx_without_sheet_takes_the_attendee_list_not_a_cover_sheet(tmp_path: Path) -> None:
    """A programme or cover sheet before the list is passed over; with no list, the first data."""
    import xlsxwriter

    path = tmp_path / "delegation.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    cover = workbook.add_worksheet("Programm")
    cover.write_row("A1", ["Tag", "Uhrzeit", "Termin"])
    cover.write_row("A2", ["Montag", "10:00", "Empfang"])
    people = workbook.add_worksheet("Teilnehmer")
    people.write("A1", "Teilnehmerliste AHK Zentralasien")
    people.write_row("A3", ["Vorname", "Nachname", "E-Mail"])
    people.write_row("A4", ["Anna", "Schmidt", "anna@example.de"])
    workbook.close()
    table, rows = read_all(path)
    assert table.sheet == "Teilnehmer"
    assert [row.cells for row in rows] == [["Anna", "Schmidt", "anna@example.de"]]

    only_cover = tmp_path / "programm.xlsx"
    workbook = xlsxwriter.Workbook(str(only_cover))
    workbook.add_worksheet("Leer")
    workbook.add_worksheet("Programm").write_row("A1", ["Tag", "Termin"])
    workbook.close()
    assert read_all(only_cover)[0].sheet == "Programm"


def test_xlsx_workbook_is_closed_after_reading(tmp_path: Path) -> None:
    path = tmp_path / "teilnehmer.xlsx"
    make_workbook(path)
    with read_table(path) as table:
        next(table.rows)
    # A closed generator raises StopIteration; nothing stays open.
    assert list(table.rows) == []


def test_fake_xlsx_that_is_text(tmp_path: Path) -> None:
    path = tmp_path / "liste.xlsx"
    path.write_text("Vorname;Nachname\nAnna;Schmidt\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match=r"liste.xlsx is not an Excel workbook"):
        read_table(path)


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "liste.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(UnreadableFile, match="is not an Excel workbook"):
        read_table(path)
    other = tmp_path / "archive.csv"
    other.write_bytes(path.read_bytes())
    with pytest.raises(UnreadableFile, match="ZIP archive"):
        read_table(other)


def test_xlsx_content_behind_csv_name_is_read_as_workbook(tmp_path: Path) -> None:
    path = tmp_path / "teilnehmer.csv"
    make_workbook(path)
    assert read_table(path).format == "xlsx"


def test_zip_bomb_is_refused_before_opening(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))
    assert path.stat().st_size < 100_000
    with pytest.raises(UnreadableFile, match="compressed suspiciously well"):
        read_table(path)


def test_workbook_too_large_when_unpacked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "teilnehmer.xlsx"
    make_workbook(path)
    monkeypatch.setattr(tabular, "XLSX_MAX_UNCOMPRESSED", 1000)
    with pytest.raises(UnreadableFile, match=r"would unpack to .* MB"):
        read_table(path)


def test_damaged_workbook(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not xml")
    with pytest.raises(UnreadableFile, match=r"kaputt.xlsx is not a readable Excel workbook"):
        read_table(path)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("text", "text"),
        (True, "yes"),
        (False, "no"),
        (4921198765, "4921198765"),
        (4921198765.0, "4921198765"),
        (1e10, "10000000000"),
        (1e21, "1000000000000000000000"),
        (0.1, "0.1"),
        (1.5e-7, "0.00000015"),
        (-2.5, "-2.5"),
        (dt.datetime(2026, 11, 18), "2026-11-18"),
        (dt.datetime(2026, 11, 18, 10, 30), "2026-11-18 10:30"),
        (dt.datetime(2026, 11, 18, 10, 30, 5), "2026-11-18 10:30:05"),
        (dt.date(2026, 1, 2), "2026-01-02"),
        (dt.time(9, 5), "09:05"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


# --- helpers -------------------------------------------------------------------------------


def test_make_headers() -> None:
    assert make_headers(["Stra\u00dfe gescha\u0308ftlich"]) == ["Straße geschäftlich"]
    assert make_headers(["\ufeffName", " E-Mail ", "E-Mail", "", "Notiz\nintern", "", ""]) == [
        "Name", "E-Mail", "E-Mail (2)", "column_4", "Notiz intern",
    ]  # fmt: skip


def test_find_header_row_prefers_known_headers_over_title_rows() -> None:
    rows = [
        ["Delegation Usbekistan", "Stand 01.03.2026", ""],
        ["Vorname", "Nachname", "E-Mail"],
        ["Dilnoza", "Karimova", "d@example.uz"],
    ]
    assert find_header_row(rows) == 1


def test_find_header_row_unknown_headers_takes_first_wide_text_row() -> None:
    rows = [["Liste"], ["Alpha", "Beta", "Gamma"], ["1", "2", "3"]]
    assert find_header_row(rows) == 1


def test_find_header_row_skips_numeric_rows() -> None:
    rows = [["1", "2", "3"], ["Alpha", "Beta", "Gamma"]]
    assert find_header_row(rows) == 1


def test_sniff_delimiter_cases() -> None:
    assert sniff_delimiter("a;b;c\n1;2;3\n") == ";"
    assert sniff_delimiter('"a, b";c\n"d, e";f\n') == ";"
    assert sniff_delimiter("Titel\na|b|c\n1|2|3\n") == "|"
    assert sniff_delimiter("only\none\ncolumn\n") == ","
    assert sniff_delimiter("") == ","


# --- streaming -----------------------------------------------------------------------------


def _write_big_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Vorname", "Nachname", "E-Mail", "Firma", "Notizen"])
        for number in range(count):
            writer.writerow([f"Vorname{number}", "Müller", f"p{number}@example.de", "Firma", "x"])


def _peak_while_reading(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_table(path).rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def test_memory_stays_flat_while_streaming(tmp_path: Path) -> None:
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    _write_big_csv(small, 10_000)
    _write_big_csv(big, 100_000)
    assert big.stat().st_size > 4_000_000
    small_count, small_peak = _peak_while_reading(small)
    big_count, big_peak = _peak_while_reading(big)
    assert (small_count, big_count) == (10_000, 100_000)
    # Ten times the rows, (almost) the same peak: nothing grows with the file.
    assert big_peak < small_peak + 500_000
    assert big_peak < 2_000_000


# --- runaway quotes ----------------------------------------------------------------------------

PEOPLE = [
    "Vorname,Nachname,E-Mail,Stadt",
    "Bernd,Meier,bernd@example.de,Köln",
    "Carla,Roth,carla@example.de,Bonn",
    "Dora,Ernst,dora@example.de,Essen",
    "Emil,Graf,emil@example.de,Trier",
]


@pytest.mark.parametrize(
    ("lines", "line", "problem"),
    [
        # The quote runs to the end of the file.
        ([*PEOPLE[:2], 'Anna,"Schmidt,anna@example.de,Berlin', *PEOPLE[2:]], 3, "not closed"),
        # It closes at the next quote, followed by more text.
        ([PEOPLE[0], 'Anna,"Schmidt,a@example.de,Berlin', 'Bob,"Smith",b@example.de,Kiel'], 2,
         "not closed"),
        # It closes cleanly, but over lines that are rows of the file.
        ([PEOPLE[0], 'Anna,"Schmidt,a@example.de,Berlin', *PEOPLE[1:3],
          'Ute,Ohm,u@example.de,Bonn"', *PEOPLE[3:]], 2, "look like rows"),
        # It closes cleanly, but far too late.
        ([PEOPLE[0], 'Anna,"Schmidt', *(f"Zeile {n}" for n in range(30)), 'Ende",a@example.de,X'],
         2, "more than 20 lines"),
        # A legitimate address first, then the runaway in the same record.
        ([PEOPLE[0], 'Anna,Schmidt,"Weg 1\n50667 Köln","Berlin', *PEOPLE[1:]], 3, "not closed"),
    ],
    ids=["to-the-end", "closed-by-text", "row-like-lines", "too-many-lines", "after-an-address"],
)  # fmt: skip
def test_a_runaway_quote_refuses_the_file_naming_its_line(
    tmp_path: Path, lines: list[str], line: int, problem: str
) -> None:
    path = tmp_path / "teilnehmer.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UnreadableFile) as caught:
        read_all(path)
    message = caught.value.message
    assert message.startswith(f"teilnehmer.csv line {line}: a quoted cell opened there"), message
    assert problem in message and "\n" not in message


def test_multiline_cells_within_the_limits_are_kept(tmp_path: Path) -> None:
    """Addresses over three lines, a note over 20 lines, a semicolon file's commas: all kept."""
    note = "\n".join(f"Punkt {n}, mit Komma, und noch einem, und mehr" for n in range(20))
    rows = [
        ["Vorname", "Nachname", "Adresse", "Notizen"],
        ["Anna", "Schmidt", "Hauptstr. 1, Hinterhaus\n10115 Berlin\nDeutschland", note],
        ["Bernd", "Meier", "Weg 2\r\n50667 Köln, NRW\r\nDeutschland", 'Sagte "Hallo"\nund ging'],
        ["Carla", "Roth", "Allee 3\n53111 Bonn", ""],
    ]
    for delimiter in ",;":
        path = tmp_path / f"adressen{ord(delimiter)}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, delimiter=delimiter, lineterminator="\n").writerows(rows)
        _, read = read_all(path)
        assert [row.cells for row in read] == rows[1:]
        assert [row.number for row in read] == [2, 24, 28]


# --- properties ----------------------------------------------------------------------------

HEADER_POOL = ["Vorname", "Nachname", "E-Mail", "Firma", "Telefon", "Land", "Stadt", "Notizen"]
DELIMITER_CHARS = ";,\t|"
# Text without control characters other than tab/CR/LF (those make a file look binary).
SAFE_TEXT = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
CELL_TEXT = st.text(st.one_of(SAFE_TEXT, st.sampled_from("\t\r\n\"'")), max_size=12)
CP1252_TEXT = st.text(
    st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc"), max_codepoint=0xFF),
        st.sampled_from('€„“”–—‚‘’…\t\r\n"'),
    ),
    max_size=12,
).filter(lambda text: _encodable(text, "cp1252"))


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _table_strategy(cells: st.SearchStrategy[str], min_columns: int) -> st.SearchStrategy:
    return st.integers(min_columns, len(HEADER_POOL)).flatmap(
        lambda width: st.lists(
            st.lists(cells, min_size=width, max_size=width).filter(
                lambda row: any(cell.strip() for cell in row)
            ),
            min_size=0,
            max_size=8,
        ).map(lambda body: (HEADER_POOL[:width], body))
    )


def _write(header: list[str], body: list[list[str]], delimiter: str, terminator: str) -> str:
    buffer = io.StringIO(newline="")
    # csv.writer leaves a lone CR (or LF) unquoted when it is not part of the line terminator,
    # which no reader can tell from a line end; spreadsheet programs quote such cells.
    line_breaks = any("\r" in cell or "\n" in cell for row in body for cell in row)
    quoting: Literal[0, 1, 2, 3] = csv.QUOTE_ALL if line_breaks else csv.QUOTE_MINIMAL
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=terminator, quoting=quoting)
    writer.writerow(header)
    writer.writerows(body)
    return buffer.getvalue()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=_table_strategy(
        CELL_TEXT.filter(lambda text: not any(ch in text for ch in DELIMITER_CHARS)), 2
    ),
    delimiter=st.sampled_from(DELIMITER_CHARS),
    terminator=st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_property_utf8_round_trip_with_sniffing(
    tmp_path: Path, data: tuple[list[str], list[list[str]]], delimiter: str, terminator: str
) -> None:
    header, body = data
    # The writer's own delimiter inside a cell is quoted (other candidates would be ambiguous,
    # so the strategy leaves them out); put one in every row to exercise the quoting.
    body = [[f"{row[0]}{delimiter}x", *row[1:]] for row in body]
    path = tmp_path / "roundtrip.csv"
    path.write_bytes(_write(header, body, delimiter, terminator).encode("utf-8"))
    table = read_table(path)
    assert table.encoding == "utf-8"
    assert table.delimiter == delimiter
    assert table.headers == header
    assert [row.cells for row in table.rows] == body


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=_table_strategy(CP1252_TEXT, 1),
    delimiter=st.sampled_from(DELIMITER_CHARS),
    terminator=st.sampled_from(["\r\n", "\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
)
def test_property_round_trip_with_given_encoding_and_delimiter(
    tmp_path: Path,
    data: tuple[list[str], list[list[str]]],
    delimiter: str,
    terminator: str,
    encoding: str,
) -> None:
    header, body = data
    path = tmp_path / "roundtrip.csv"
    path.write_bytes(_write(header, body, delimiter, terminator).encode(encoding))
    table = read_table(path, encoding=encoding, delimiter=delimiter)
    assert table.headers == header
    assert [row.cells for row in table.rows] == body


@pytest.mark.parametrize(
    "text",
    ["Notiz\n€ 5.000\n", "a;b\nÜ;ß\n", "Name\n„Öko“ – Müller…\n", "Ort\nKöln\nGießen\n"],
)
def test_short_cp1252_files_are_not_read_as_cyrillic(tmp_path: Path, text: str) -> None:
    path = tmp_path / "kurz.csv"
    path.write_bytes(text.encode("cp1252"))
    table, rows = read_all(path)
    assert table.encoding == "cp1252"
    assert "\n".join(";".join(row.cells) for row in rows) in text


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r", "cp866"])
def test_cyrillic_code_pages(tmp_path: Path, encoding: str) -> None:
    text = "Фамилия;Имя;Город\nИванов;Иван;Алматы\nЁлкин;Ёжик;Ырысты\n"
    path = tmp_path / "kyr.csv"
    path.write_bytes(text.encode(encoding))
    table, rows = read_all(path)
    assert table.encoding == encoding
    assert rows[1].cells == ["Ёлкин", "Ёжик", "Ырысты"]
