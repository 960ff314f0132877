"""Unit tests of the export writers: formula safety, YAML quoting, JSON, CSV and XLSX cells."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from greentech_cli.errors import UsageError
from greentech_cli.exporters import registry
from greentech_cli.exporters.cells import cell
from greentech_cli.exporters.csv_formats import neutralise, write_csv, write_csv_excel
from greentech_cli.exporters.json_yaml import write_json, write_yaml, yaml_record, yaml_scalar
from greentech_cli.exporters.registry import CONTACTS, ExportJob
from greentech_cli.exporters.xlsx import write_xlsx
from greentech_cli.models import exchange as records
from greentech_cli.models.records import Company, Contact

# --- formula safety ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://x","y")',
        "@SUM(A1)",
        "-Minus",
        "+Plus",
        "=1+1",
        "＝1+1",
        "＋49 211",
        "－2",
        "＠SUM(A1)",
        "\tTab",
        "\rCarriage",
        "+",
        "-",
        "-1+1",
        "+49 211 55 04=1",
        "-2;cmd|' /C calc'!A0",
    ],
)
def test_formula_like_cells_get_an_apostrophe(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell",
    [
        "+49 211 3557-0",
        "+492111234",
        "+49 (0)211 123 456",
        "-12.5",
        "+7 701 123 4567",
        "0211 / 12 34 56",
        "",
        "Petra",
        "Schäfer = Müller",
        "a@b.example",
        " =not at the start",
    ],
)
def test_plain_numbers_and_text_are_untouched(cell: str) -> None:
    assert neutralise(cell) == cell


# --- records ----------------------------------------------------------------------------------


def test_contact_record_has_the_documented_keys_in_order() -> None:
    contact = Contact(first_name="Petra", last_name="Schäfer", company_id=3, id=7)
    contact.company = "Lippe Recycling GmbH"
    company = Company(name="Lippe Recycling GmbH", postcode="01067", city="Dresden", id=3)
    record = records.contact_record(contact, company, ("lead", "confirmed"))
    assert list(record) == [*records.CONTACT_FIELDS, "role", "status"]
    assert record["company_postcode"] == "01067"
    assert records.contact_fields(ids=False, member=False)[:3] == [
        "salutation",
        "title",
        "first_name",
    ]
    assert "id" not in records.contact_fields(ids=False, member=True)
    assert records.contact_fields(ids=False, member=True)[-2:] == ["role", "status"]


def test_cell_joins_lists_and_writes_mappings_as_json() -> None:
    assert cell(["de", "en"]) == "de, en"
    assert cell(None) == ""
    assert cell({}) == ""
    assert cell({"HRB": "123"}) == '{"HRB":"123"}'
    assert cell(51.5) == "51.5"


def test_registry_knows_every_format_and_refuses_others() -> None:
    assert registry.names() == [
        "csv", "csv-excel", "xlsx", "vcf", "json", "ndjson", "tsv", "yaml", "html"
    ]  # fmt: skip
    assert "vcf" not in registry.names("companies")
    assert registry.get("CSV-Excel", CONTACTS).name == "csv-excel"
    for name in registry.names():
        assert callable(registry.FORMATS[name].writer())
    with pytest.raises(UsageError, match="choose one of"):
        registry.get("pdf", CONTACTS)
    with pytest.raises(UsageError, match="companies cannot be exported as vcf"):
        registry.get("vcf", "companies")


# --- YAML -------------------------------------------------------------------------------------

TRICKY = [
    "01067",
    "NO",
    "no",
    "Yes",
    "on",
    "OFF",
    "y",
    "n",
    "null",
    "Null",
    "~",
    "",
    " ",
    "+4921112345",
    "-12",
    "0x1F",
    "1e3",
    "1_000",
    "10:30",
    "2026-11-18",
    ".inf",
    ".nan",
    "=",
    "<<",
    "a: b",
    "a #b",
    "#hash",
    "- item",
    "? key",
    "'quoted'",
    '"double"',
    "trailing ",
    " leading",
    "line\nbreak",
    "tab\there",
    "back\\slash",
    "ctrl\x00\x07\x1b",
    "del\x7f nel\x85 ls\u2028 ps\u2029 bom\ufeff",
    "Қайрат Әбдірахманов",
    "Lippe Recycling GmbH & Co. KG",
    "@handle",
    "`tick",
    "%percent",
    "!tag",
    "&anchor",
    "*alias",
    "{flow}",
    "[flow]",
    "|literal",
    ">folded",
    "😀 emoji",
]


@pytest.mark.parametrize("text", TRICKY)
def test_yaml_scalars_read_back_as_the_same_text(text: str) -> None:
    assert yaml.safe_load(f"key: {yaml_scalar(text)}\n") == {"key": text}


def test_yaml_quotes_what_yaml_would_misread() -> None:
    assert yaml_scalar("01067") == '"01067"'
    assert yaml_scalar("NO") == '"NO"'
    assert yaml_scalar("+4921112345") == '"+4921112345"'
    assert yaml_scalar("Petra") == "Petra"
    assert yaml_scalar("Lippe Recycling GmbH") == "Lippe Recycling GmbH"
    assert yaml_scalar(None) == "null"
    assert yaml_scalar(7) == "7"
    assert yaml.safe_load(yaml_scalar(1e-05)) == 1e-05
    assert yaml.safe_load(yaml_scalar(51.616)) == 51.616


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_survives_yaml(text: str) -> None:
    assert yaml.safe_load(f"- {yaml_scalar(text)}\n") == [text]


_values = st.one_of(
    st.none(),
    st.text(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.text(), max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=10), max_size=2),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(records.CONTACT_FIELDS), _values), max_size=4))
def test_yaml_records_read_back(items: list[dict[str, Any]]) -> None:
    columns = list(records.CONTACT_FIELDS)
    out = io.StringIO()
    write_yaml(items, out, ExportJob(CONTACTS, columns))
    expected = [{name: item.get(name) for name in columns} for item in items]
    assert yaml.safe_load(out.getvalue()) == expected


def test_yaml_record_looks_like_safe_dump_output() -> None:
    record = {"first_name": "Petra", "phone": "+492111234", "tags": ["a", "b"], "notes": None}
    text = yaml_record(record, list(record))
    assert text == (
        '- first_name: Petra\n  phone: "+492111234"\n  tags:\n  - a\n  - b\n  notes: null\n'
    )


def test_empty_exports_are_empty_lists() -> None:
    for writer in (write_yaml, write_json):
        out = io.StringIO()
        assert writer([], out, ExportJob(CONTACTS, ["first_name"])) == 0
        assert yaml.safe_load(out.getvalue()) == []


# --- JSON and CSV -----------------------------------------------------------------------------


def test_json_is_an_array_of_the_columns() -> None:
    items: list[dict[str, Any]] = [
        {"first_name": "Қайрат", "tags": ["x"], "extra": 1},
        {"first_name": None},
    ]
    out = io.StringIO()
    assert write_json(items, out, ExportJob(CONTACTS, ["first_name", "tags"])) == 2
    assert json.loads(out.getvalue()) == [
        {"first_name": "Қайрат", "tags": ["x"]},
        {"first_name": None, "tags": None},
    ]
    assert "Қайрат" in out.getvalue()


def test_csv_quotes_delimiters_and_line_breaks_and_reads_back() -> None:
    items = [{"first_name": 'A, "B";\nC', "tags": ["x", "y"], "notes": "=1+1"}]
    job = ExportJob(CONTACTS, ["first_name", "tags", "notes"])
    for writer, delimiter in ((write_csv, ","), (write_csv_excel, ";")):
        out = io.StringIO(newline="")
        writer(items, out, job)
        text = out.getvalue().removeprefix("\ufeff")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        assert rows == [job.columns, ['A, "B";\nC', "x, y", "'=1+1"]]
    raw = io.StringIO()
    write_csv(items, raw, ExportJob(CONTACTS, ["notes"], raw=True))
    assert raw.getvalue() == "notes\r\n=1+1\r\n"


# --- XLSX -------------------------------------------------------------------------------------


def test_xlsx_never_stores_a_formula_and_keeps_text_as_text(tmp_path: Path) -> None:
    import openpyxl

    items = [
        {
            "first_name": '=HYPERLINK("http://x","y")',
            "last_name": "<r>rich</r>",
            "phone": "+492111234",
            "company_postcode": "01067",
            "notes": "ctrl\x07char",
            "company_website": "https://example.com",
            "lat": 51.5,
        }
    ]
    path = tmp_path / "x.xlsx"
    job = ExportJob(CONTACTS, [*items[0]])
    with path.open("wb") as fh:
        assert write_xlsx(items, fh, job) == 1
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    cells = {ws.cell(1, i).value: ws.cell(2, i) for i in range(1, len(job.columns) + 1)}
    assert cells["first_name"].value == '=HYPERLINK("http://x","y")'
    assert cells["last_name"].value == "<r>rich</r>"
    assert cells["phone"].value == "+492111234"
    assert cells["company_postcode"].value == "01067"
    assert cells["lat"].value == 51.5
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G2"
    assert ws.cell(1, 1).font.b
