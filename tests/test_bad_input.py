"""Bad input everywhere: nasty files for every reader, arbitrary option values for commands.

Every case must end in exit 0 or a clear one-line `Error:` with exit 1 — never a traceback —
and a failed command leaves the database file byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import engines

from .conftest import Cli

NASTY = Path(__file__).parent / "fixtures" / "nasty"
# Files that can never be imported: each must be refused with a clear error.
MUST_FAIL = {
    "empty.csv",
    "binary.csv",
    "nul-bytes.csv",
    "deep-nesting.json",
    "truncated-json.json",
    "truncated.xlsx",
    "text-named.xlsx",
    "yaml-alias-bomb.yaml",
    "yaml-alias-bomb-list.yaml",
    "yaml-python-tag.yaml",
    "not-a-list.json",
    "zip-bomb.xlsx",
    "huge-line.csv",
    "unbalanced-quotes.csv",  # a quote left open swallows rows: refused with its line
}
PWNED = Path("/tmp/greentech-pwned")
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def digest(path: Path) -> str:
    """A hash of the database file and its WAL (the WAL holds committed pages too); on
    PostgreSQL of every table's rows."""
    if engines.on_postgres():
        return engines.fingerprint(path)
    h = hashlib.sha256()
    for suffix in ("", "-wal"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            h.update(part.read_bytes())
    return h.hexdigest()


def assert_clean(result: object, *, allow_ok: bool = True) -> None:
    """Exit 0, or exit 1 with one `Error:` line; never a traceback or a usage error."""
    code = result.exit_code  # type: ignore[attr-defined]
    stderr = result.stderr  # type: ignore[attr-defined]
    stdout = result.stdout  # type: ignore[attr-defined]
    assert "Traceback" not in stderr and "Traceback" not in stdout, stderr
    assert code in ((0, 1) if allow_ok else (1,)), (code, stderr, stdout)
    if code == 1:
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert lines and lines[-1].startswith("Error: "), stderr
        assert len(lines[-1]) < 600, "an error is one readable line"


# --- big nasty files are made at test time (keeps the repository small) ----------------------


def write_zip_bomb(path: Path, megabytes: int = 300) -> None:
    """A well-formed .xlsx whose one sheet unpacks to hundreds of megabytes."""
    ns = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0"?><Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
            f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                f'<?xml version="1.0"?><worksheet xmlns="{ns}/spreadsheetml/2006/main">'
                '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'.encode()
            )
            chunk = b"A" * (1024 * 1024)
            for _ in range(megabytes):
                sheet.write(chunk)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every nasty file: the small ones from the repository plus big ones made here."""
    files = {p.name: p for p in sorted(NASTY.iterdir()) if p.is_file()}
    big = tmp_path_factory.mktemp("nasty-big")
    huge_line = big / "huge-line.csv"
    huge_line.write_bytes(b"first_name,last_name\n" + b"A" * (8 * 1024 * 1024))
    files[huge_line.name] = huge_line
    huge_cell = big / "huge-cell.csv"
    huge_cell.write_bytes(
        b'first_name,last_name,notes\nAnna,Muster,"' + b"x" * (5 * 1024 * 1024) + b'"\n'
    )
    files[huge_cell.name] = huge_cell
    bomb = big / "zip-bomb.xlsx"
    write_zip_bomb(bomb)
    files[bomb.name] = bomb
    return files


@pytest.fixture
def ready(cli: Cli) -> Cli:
    cli.ok("contact", "add", "--first", "Petra", "--last", "Schäfer", "--email", "p@example.de")
    return cli


def import_registered(cli: Cli) -> bool:
    result = cli("import", "--help")
    return not (result.exit_code == 2 and "No such command" in result.stderr)


@pytest.fixture
def importing(ready: Cli) -> Cli:
    if not import_registered(ready):
        pytest.skip("the import command is not registered yet")
    return ready


NAMES = sorted(
    [p.name for p in NASTY.iterdir() if p.is_file()]
    + ["huge-line.csv", "huge-cell.csv", "zip-bomb.xlsx"]
)


@pytest.mark.parametrize("name", NAMES)
def test_import_of_a_nasty_file(importing: Cli, corpus: dict[str, Path], name: str) -> None:
    path = corpus[name]
    before = digest(importing.db_path)
    dry = importing("import", str(path), "--dry-run")
    assert_clean(dry, allow_ok=name not in MUST_FAIL)
    assert digest(importing.db_path) == before, "a dry run never writes"
    result = importing("import", str(path))
    assert_clean(result, allow_ok=name not in MUST_FAIL)
    if result.exit_code == 1:
        assert digest(importing.db_path) == before
    assert not PWNED.exists(), "a YAML tag ran code"


@pytest.mark.parametrize("name", ["binary.csv", "zip-bomb.xlsx", "yaml-alias-bomb.yaml"])
def test_import_with_forced_options(importing: Cli, corpus: dict[str, Path], name: str) -> None:
    before = digest(importing.db_path)
    for options in (
        ["--encoding", "utf-16"],
        ["--encoding", "no-such-codec"],
        ["--delimiter", ";"],
        ["--sheet", "Nope"],
    ):
        result = importing("import", str(corpus[name]), *options)
        assert_clean(result, allow_ok=False)
        assert digest(importing.db_path) == before


def test_import_of_missing_and_folder(importing: Cli, tmp_path: Path) -> None:
    before = digest(importing.db_path)
    assert_clean(importing("import", str(tmp_path / "missing.csv")), allow_ok=False)
    assert_clean(importing("import", str(tmp_path)), allow_ok=False)
    assert digest(importing.db_path) == before


@given(
    data=st.binary(max_size=2000),
    suffix=st.sampled_from([".csv", ".tsv", ".txt", ".vcf", ".yaml", ".json", ".xlsx"]),
)
@SETTINGS
def test_import_of_random_bytes(importing: Cli, tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    before = digest(importing.db_path)
    result = importing("import", str(path), "--dry-run")
    assert_clean(result)
    assert digest(importing.db_path) == before


ROW_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r\n"),
    max_size=40,
)


@given(rows=st.lists(st.tuples(ROW_TEXT, ROW_TEXT, ROW_TEXT, ROW_TEXT), max_size=5))
@SETTINGS
def test_import_of_random_csv_text(
    importing: Cli, tmp_path: Path, rows: list[tuple[str, ...]]
) -> None:
    import csv

    path = tmp_path / "random.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["first_name", "last_name", "email", "phone"])
        writer.writerows(rows)
    before = digest(importing.db_path)
    assert_clean(importing("import", str(path), "--dry-run"))
    assert digest(importing.db_path) == before


# --- the config file and the database file themselves ---------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "empty.csv",
        "binary.csv",
        "nul-bytes.csv",
        "utf16-no-bom.csv",
        "yaml-alias-bomb.yaml",
        "yaml-python-tag.yaml",
        "deep-nesting.json",
    ],
)
def test_nasty_config_file(
    ready: Cli, monkeypatch: pytest.MonkeyPatch, name: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("GREENTECH_CONFIG", str(NASTY / name))
    from typer.testing import CliRunner

    from greentech_cli.cli.app import app

    # Without --db the config file is read to find the database.
    result = CliRunner().invoke(app, ["info"])
    assert_clean(result)
    assert not PWNED.exists()
    # With --db the config is not needed at all.
    assert ready.ok("info").exit_code == 0


@pytest.mark.parametrize("name", ["binary.csv", "nul-bytes.csv", "utf16-no-bom.csv"])
@pytest.mark.parametrize(
    "command",
    [
        ["contact", "list"],
        ["info"],
        ["log"],
        ["doctor"],
        ["backup"],
        ["privacy", "report", "1"],
        ["contact", "add", "--first", "X"],
    ],
    ids=lambda c: "-".join(c[:2]),
)
def test_a_junk_file_as_the_database(name: str, command: list[str], tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes((NASTY / name).read_bytes() * 50)
    before = digest(junk)
    result = Cli(junk)(*command)
    assert_clean(result, allow_ok=False)
    assert digest(junk) == before
    assert not (tmp_path / "backups").exists()


@pytest.mark.parametrize("name", NAMES)
def test_restore_of_a_nasty_file(ready: Cli, corpus: dict[str, Path], name: str) -> None:
    before = digest(ready.db_path)
    assert_clean(ready("restore", str(corpus[name]), "--yes"), allow_ok=False)
    assert digest(ready.db_path) == before


# --- arbitrary option values ----------------------------------------------------------------

ANY_TEXT = st.text(max_size=60)


@given(email=ANY_TEXT, phone=ANY_TEXT, country=ANY_TEXT)
@SETTINGS
def test_contact_add_with_arbitrary_values(
    ready: Cli, email: str, phone: str, country: str
) -> None:
    result = ready(
        "contact", "add", "--first", "Hypo", "--last", "Thesis", "--email", email,
        "--phone", phone, "--country", country,
    )  # fmt: skip
    # Click reads a leading "-" as an option: a usage error (2) is then fair too.
    if result.exit_code == 2:
        assert any(v.startswith("-") for v in (email, phone, country)) or not all(
            v for v in (email, phone, country)
        ), result.stderr
        return
    assert_clean(result)


def test_a_nul_character_in_a_value_is_kept_or_refused_in_one_line(ready: Cli) -> None:
    """SQLite takes a NUL in text; PostgreSQL cannot: one line there, nothing written. (Only a
    file or an in-process call can carry one: a process's arguments cannot.)"""
    before, people = digest(ready.db_path), len(ready.json("contact", "list"))
    result = ready("contact", "add", "--first", "Nul", "--notes", "a\x00b")
    assert_clean(result)
    if engines.on_postgres():
        assert result.exit_code == 1 and "NUL character" in result.stderr
        assert digest(ready.db_path) == before
    else:
        assert result.exit_code == 0
        assert len(ready.json("contact", "list")) == people + 1


@given(first=ANY_TEXT, last=ANY_TEXT, native=ANY_TEXT, notes=ANY_TEXT, date=ANY_TEXT)
@SETTINGS
def test_contact_add_and_edit_with_arbitrary_names(
    ready: Cli, first: str, last: str, native: str, notes: str, date: str
) -> None:
    args = ["--first", first, "--last", last, "--native-name", native, "--notes", notes]
    for command in (["contact", "add"], ["contact", "edit", "1"]):
        result = ready(*command, *args, "--share-consent-date", date)
        if result.exit_code == 2:
            continue  # an option-looking value
        assert_clean(result)


@given(query=ANY_TEXT)
@SETTINGS
def test_search_with_arbitrary_queries(ready: Cli, query: str) -> None:
    before = digest(ready.db_path)
    result = ready("search", "--", query) if query else ready("search", '""')
    assert_clean(result)
    assert digest(ready.db_path) == before


@given(since=ANY_TEXT, entity=ANY_TEXT)
@SETTINGS
def test_log_with_arbitrary_filters(ready: Cli, since: str, entity: str) -> None:
    result = ready("log", f"--since={since}", f"--entity={entity}")
    assert_clean(result)


@given(ref=ANY_TEXT)
@SETTINGS
def test_privacy_commands_with_arbitrary_references(ready: Cli, ref: str) -> None:
    before = digest(ready.db_path)
    for command in (["privacy", "report"], ["privacy", "erase"], ["contact", "show"]):
        result = ready(*command, "--", ref)
        assert_clean(result)
    assert digest(ready.db_path) == before  # erase without --yes never writes


@pytest.fixture(autouse=True)
def no_pwned_file() -> Iterator[None]:
    """Fail loudly if any YAML tag ever managed to run a command."""
    if PWNED.exists():
        os.unlink(PWNED)
    yield
    assert not PWNED.exists()
