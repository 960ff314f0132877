"""Tests of our own streaming XLSX writer: text round trips, the cell rules, limits, structure."""

from __future__ import annotations

import io
import math
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.escape import unescape

from greentech_cli.errors import InvalidData
from greentech_cli.exporters.registry import COMPANIES, CONTACTS, ExportJob
from greentech_cli.exporters.xlsx import MAX_CELL_CHARS, MAX_ROWS, cell_text, column_letter
from greentech_cli.exporters.xlsx import write_xlsx as write_xlsx_to

# What XML cannot carry and the writer drops (the module's documented rule).
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
OOXML_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")


def write_xlsx(rows: list[dict[str, Any]], columns: list[str], kind: str = CONTACTS) -> bytes:
    """The workbook for these records, as bytes."""
    out = io.BytesIO()
    assert write_xlsx_to(rows, out, ExportJob(kind, columns, total=len(rows))) == len(rows)
    return out.getvalue()


def read_rows(data: bytes) -> list[list[Any]]:
    """Every row of the first sheet through openpyxl's full (not read-only) reader."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    return [[c.value for c in row] for row in sheet.iter_rows()]


def utf16_units(text: str) -> int:
    """How long Excel thinks a text is."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def expected_cell(text: str) -> str:
    """What a cell must hold for a text, by the documented rules (as Excel shows it)."""
    text = ILLEGAL.sub("", text)
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > MAX_CELL_CHARS:
            return text[:index]
    return text


any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=60)
tricky_text = st.one_of(
    any_text,
    any_text.map(lambda t: "=" + t),
    any_text.map(lambda t: "@" + t),
    any_text.map(lambda t: f" {t}\t"),
    st.sampled_from(
        [
            "_x0041_",
            "_x005F_x0041_",
            "_x0000_x0000_",
            "a\r\nb",
            "\r",
            "A & B <c> ]]>",
            "<r>rich</r>",
            "|",
            " | ",
        ]
    ),
    st.builds(
        lambda char, n, tail: char * n + tail,
        st.characters(codec="utf-8"),
        st.integers(MAX_CELL_CHARS // 2 - 2, MAX_CELL_CHARS + 3),
        any_text,
    ),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tricky_text, min_size=1, max_size=6))
def test_any_text_round_trips_through_openpyxl(texts: list[str]) -> None:
    columns = [f"c{i}" for i in range(len(texts))]
    rows = read_rows(write_xlsx([dict(zip(columns, texts, strict=True))], columns))
    assert rows[0] == columns
    # A row whose cells are all empty is no row for openpyxl.
    values = rows[1] if len(rows) > 1 else [None] * len(columns)
    for text, value in zip(texts, values, strict=True):
        expected = expected_cell(text)
        assert cell_text(text) == expected
        got = "" if value is None else value
        # openpyxl shows the file's text; Excel and LibreOffice decode OOXML's _xHHHH_ escape.
        assert got == OOXML_ESCAPE.sub("_x005F_", expected)
        assert unescape(got) == expected
        assert utf16_units(got) <= MAX_CELL_CHARS or "_x" in got


def test_long_texts_are_cut_at_excels_limit_between_characters() -> None:
    texts = ["x" * 40_000, "😀" * 20_000, "a" + "😀" * 16_383, "y" * MAX_CELL_CHARS]
    columns = ["a", "b", "c", "d"]
    (row,) = read_rows(write_xlsx([dict(zip(columns, texts, strict=True))], columns))[1:]
    assert row[0] == "x" * MAX_CELL_CHARS
    assert row[1] == "😀" * 16_383  # 32,766 UTF-16 units: one more would split an emoji
    assert row[2] == "a" + "😀" * 16_383
    assert row[3] == "y" * MAX_CELL_CHARS


def test_control_characters_are_dropped_and_line_ends_kept() -> None:
    texts = ["ctrl\x07\x00char\x1f", "a\r\nb\rc\nd", "tab\there", " both ends ", "\ufffe"]
    columns = ["a", "b", "c", "d", "e"]
    (row,) = read_rows(write_xlsx([dict(zip(columns, texts, strict=True))], columns))[1:]
    assert row == ["ctrlchar", "a\r\nb\rc\nd", "tab\there", " both ends ", None]


def test_values_of_every_kind() -> None:
    record = {
        "tags": ["water", "nrw"],
        "register_ids": {"HRB": "12345"},
        "empty_list": [],
        "flag": True,
        "lat": 51.2277,
        "count": 7,
        "nan": math.nan,
        "inf": math.inf,
        "none": None,
        "blank": "",
        "mixed": ["a", None, 3],
    }
    columns = list(record)
    (row,) = read_rows(write_xlsx([record], columns))[1:]
    assert row == [
        "water, nrw",
        '{"HRB":"12345"}',
        None,
        "yes",
        51.2277,
        7,
        "nan",
        "inf",
        None,
        None,
        "a, , 3",
    ]


def test_structure_header_freeze_filter_widths(tmp_path: Path) -> None:
    columns = ["first_name", "last_name", "notes"]
    people: list[dict[str, Any]] = [
        {"first_name": "Aigerim", "last_name": "Nurlanova", "notes": "n" * 300},
        {"first_name": "Ö", "last_name": None, "notes": "=1+1"},
    ]
    data = write_xlsx(people, columns)
    path = tmp_path / "x.xlsx"
    path.write_bytes(data)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None and sheet.title == "Contacts"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C3"
    assert [c.value for c in sheet[1]] == columns
    assert all(c.font.b for c in sheet[1]) and not any(c.font.b for c in sheet[2])
    assert [sheet.column_dimensions[c].width for c in "ABC"] == [12, 11, 50]
    # Every part is well-formed XML, and the parts Excel needs are there.
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        names = set(zf.namelist())
        assert {
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
        } <= names
        for name in names:
            ElementTree.fromstring(zf.read(name))
        sheet_xml = zf.read("xl/worksheets/sheet1.xml").decode()
    assert 't="inlineStr"' in sheet_xml and "<f>" not in sheet_xml
    assert sheet_xml.index("<cols>") < sheet_xml.index("<sheetData>")
    assert sheet_xml.index("</sheetData>") < sheet_xml.index("<autoFilter")


def test_companies_sheet_and_an_empty_export() -> None:
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx([], ["name", "city"], COMPANIES)))
    sheet = book.active
    assert sheet is not None and sheet.title == "Companies"
    assert sheet.max_row == 1 and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B1"


class Unseekable(io.RawIOBase):
    """A write-only stream that cannot seek, like a pipe."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk: Any) -> int:
        self.data += bytes(chunk)
        return len(chunk)


def test_writes_to_a_stream_that_cannot_seek() -> None:
    raw = Unseekable()
    job = ExportJob(CONTACTS, ["first_name"], total=2)
    with io.BufferedWriter(raw) as out:
        assert not out.seekable()
        assert write_xlsx_to([{"first_name": "A"}, {"first_name": "B"}], out, job) == 2
        out.flush()
        data = bytes(raw.data)
    assert read_rows(data) == [["first_name"], ["A"], ["B"]]


def test_more_rows_than_excel_holds_are_refused() -> None:
    job = ExportJob(CONTACTS, ["first_name"], total=MAX_ROWS)
    with pytest.raises(InvalidData, match="at most 1,048,575 records"):
        write_xlsx_to(iter(()), io.BytesIO(), job)


@pytest.mark.parametrize(
    ("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (701, "ZZ"), (702, "AAA")]
)
def test_column_letters(index: int, letters: str) -> None:
    assert column_letter(index) == letters
