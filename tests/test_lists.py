"""Lists ready for their recipient: column profiles, per-visit sheets, repeated filters, pipes,
tsv/ndjson, `--out` deciding the format, confirmations before destroying, backup, completion."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greentech_cli.exporters import profiles
from tests.conftest import Cli

DEMO = "kz-waste-demo"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo database for the module's tests (copied for those that change it)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    Cli(path).ok("demo")
    return path


@pytest.fixture
def demo(demo_db: Path) -> Cli:
    """The demo database, read only by the test."""
    return Cli(demo_db)


@pytest.fixture
def fresh_demo(demo_db: Path, tmp_path: Path) -> Cli:
    """A copy of the demo database the test may change."""
    import shutil

    copy = tmp_path / "demo.db"
    shutil.copyfile(demo_db, copy)
    return Cli(copy)


def _csv(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


# --- column profiles ------------------------------------------------------------------------


def test_host_sheet_has_no_internal_columns_but_the_role(demo: Cli) -> None:
    out = demo.ok("export", "contacts", "-d", DEMO, "--profile", "host-sheet", "-f", "csv")
    header = out.stdout.splitlines()[0].split(",")
    assert header == list(profiles.load("host-sheet").columns or ())
    assert not set(header) & profiles.INTERNAL_COLUMNS
    assert {"notes", "tags", "share_consent", "lawful_basis"}.isdisjoint(header)
    assert "role" in header and "email" in header
    rows = _csv(out.stdout)
    assert rows and all(row["role"] for row in rows)


@pytest.mark.parametrize("name", profiles.names())
def test_every_shipped_profile_loads_and_host_ones_hold_nothing_internal(name: str) -> None:
    profile = profiles.load(name)
    if profile.audience == "host":
        assert profile.columns and not set(profile.columns) & profiles.INTERNAL_COLUMNS


def test_shipped_profiles_are_the_contract() -> None:
    assert {"host-sheet", "delegation-list", "badges", "full"} <= set(profiles.names())


def test_profile_member_columns_left_out_without_a_delegation(demo: Cli) -> None:
    out = demo.ok("export", "contacts", "--profile", "badges", "-f", "csv").stdout
    assert out.splitlines()[0] == "title,first_name,last_name,native_name,company,country"


def test_own_profile_from_the_config_folder_and_a_host_one_with_notes_refused(
    demo: Cli, isolated_home: Path
) -> None:
    folder = profiles.user_folder()
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text(
        "kind: contacts\ncolumns: [last_name, email, notes]\n", encoding="utf-8"
    )
    out = demo.ok("export", "contacts", "--profile", "mine", "-f", "csv").stdout
    assert out.splitlines()[0] == "last_name,email,notes"
    (folder / "leaky.yaml").write_text(
        "kind: contacts\naudience: host\ncolumns: [last_name, notes]\n", encoding="utf-8"
    )
    result = demo.fails("export", "contacts", "--profile", "leaky", "-f", "csv")
    assert "internal column(s) notes" in result.stderr and result.stdout == ""
    assert (
        "mine" in demo.fails("export", "contacts", "--profile", "nope", "-f", "csv", code=2).stderr
    )


def test_a_host_profile_leaves_notes_tags_and_uid_out_of_vcards(fresh_demo: Cli) -> None:
    fresh_demo.ok("contact", "edit", "3", "--notes", "internal: do not share", "--tag", "vip")
    cards = fresh_demo.ok("export", "contacts", "-d", DEMO, "--all", "-f", "vcf").stdout
    assert "NOTE:internal" in cards and "CATEGORIES:vip" in cards and "UID:" in cards
    args = ("export", "contacts", "-d", DEMO, "--all", "--profile", "host-sheet", "-f", "vcf")
    hosted = fresh_demo.ok(*args).stdout
    assert hosted.count("BEGIN:VCARD") == cards.count("BEGIN:VCARD")
    assert "NOTE:" not in hosted and "CATEGORIES:" not in hosted and "UID:" not in hosted
    assert "Қайрат" in hosted  # the rest of the card stays


def test_columns_choose_and_order_and_unknown_ones_are_refused(demo: Cli) -> None:
    out = demo.ok("export", "contacts", "--columns", "email, last_name", "-f", "csv").stdout
    assert out.splitlines()[0] == "email,last_name"
    records = json.loads(
        demo.ok("export", "companies", "--columns", "name,city", "-f", "json").stdout
    )
    assert records and all(list(r) == ["name", "city"] for r in records)
    bad = demo.fails("export", "contacts", "--columns", "email,shoe_size", "-f", "csv", code=2)
    assert "shoe_size" in bad.stderr and "first_name" in bad.stderr
    assert (
        "whole records"
        in demo.fails("export", "contacts", "--columns", "email", "-f", "vcf", code=2).stderr
    )
    both = demo.fails(
        "export", "contacts", "--columns", "email", "--profile", "full", "-f", "csv", code=2
    )
    assert "either --columns or --profile" in both.stderr


# --- a visit's sheet, repeated filters ----------------------------------------------------------


def _visits(demo: Cli) -> list[dict[str, Any]]:
    return json.loads(demo.ok("visit", "list", DEMO, "--format", "json").stdout)


def test_visit_export_gives_that_visits_attendees_and_hosts_on_request(demo: Cli) -> None:
    visit = next(v for v in _visits(demo) if v["host_contacts"] and v["attendees"])
    attendees = {p["email"] for p in visit["attendees"]}
    hosts = {p["email"] for p in visit["host_contacts"]}
    out = demo.ok("export", "contacts", "--visit", str(visit["id"]), "--all", "-f", "json")
    assert {r["email"] for r in json.loads(out.stdout)} == attendees
    out = demo.ok(
        "export", "contacts", "--visit", str(visit["id"]), "--hosts", "--all", "-f", "json"
    )
    records = json.loads(out.stdout)
    assert {r["email"] for r in records} == attendees | hosts
    assert {r["role"] for r in records if r["email"] in hosts - attendees} <= {"host"}
    assert demo.fails("export", "contacts", "--hosts", "-f", "csv", code=2)
    assert demo.fails("export", "contacts", "--visit", "9999", "-f", "csv")


def test_repeated_role_keeps_every_value_and_options_combine(demo: Cli) -> None:
    def roles(*args: str) -> list[str]:
        out = demo.ok("export", "contacts", "-d", DEMO, "--all", "-f", "json", *args).stdout
        return sorted({r["role"] for r in json.loads(out)})

    assert roles("--role", "delegate", "--role", "lead") == ["delegate", "lead"]
    assert roles("--role", "lead") == ["lead"]
    both = json.loads(
        demo.ok(
            "export",
            "contacts",
            "-d",
            DEMO,
            "--all",
            "-f",
            "json",
            "--role",
            "delegate",
            "--role",
            "interpreter",
            "--country",
            "DE",
        ).stdout
    )
    assert both and {(r["role"], r["country"]) for r in both} == {("interpreter", "DE")}


def test_contact_list_repeated_country_is_any_of_them(demo: Cli) -> None:
    every = json.loads(demo.ok("contact", "list", "-f", "json").stdout)
    kz_de = json.loads(
        demo.ok("contact", "list", "--country", "KZ", "--country", "DE", "-f", "json").stdout
    )
    assert len(kz_de) == sum(1 for c in every if c["country"] in ("KZ", "DE"))
    assert {c["country"] for c in kz_de} == {"KZ", "DE"}


# --- lists in pipes and files ------------------------------------------------------------------


def test_piped_contact_list_is_one_line_per_person_that_grep_finds(demo: Cli) -> None:
    lines = demo.ok("contact", "list").stdout.splitlines()
    assert lines[0].split("\t") == [
        "id",
        "name",
        "company",
        "position",
        "email",
        "phone",
        "country",
    ]
    found = [line for line in lines if "Schäfer" in line]
    assert len(found) == 1 and "Petra Schäfer" in found[0] and "┃" not in found[0]
    assert len(lines) == 1 + len(json.loads(demo.ok("contact", "list", "-f", "json").stdout))
    boxed = demo.ok("contact", "list", "--format", "table").stdout
    assert "┏" in boxed and "Schäfer" in boxed


def test_plain_lines_escape_tab_newline_and_backslash(cli: Cli) -> None:
    cli.ok(
        "contact", "add", "--first", "Ana", "--last", "Back\\slash", "--notes", "one\ttwo\nthree"
    )
    notes = json.loads(cli.ok("contact", "list", "-f", "json").stdout)[0]["notes"]
    assert "\n" in notes and "\t" in notes  # kept as given
    lines = cli.ok("contact", "list", "--columns", "last_name,notes").stdout.splitlines()
    assert lines == [
        "last_name\tnotes",
        "Back\\\\slash\t" + notes.replace("\t", "\\t").replace("\n", "\\n"),
    ]
    tsv = cli.ok("contact", "list", "-f", "tsv").stdout.splitlines()
    assert len(tsv) == 2 and "one\\ttwo\\nthree" in tsv[1].split("\t")


def test_tsv_and_ndjson_hold_what_json_holds(demo: Cli) -> None:
    records = json.loads(demo.ok("contact", "list", "-f", "json").stdout)
    ndjson = [
        json.loads(line) for line in demo.ok("contact", "list", "-f", "ndjson").stdout.splitlines()
    ]
    assert ndjson == records
    tsv = demo.ok("contact", "list", "-f", "tsv").stdout.splitlines()
    assert tsv[0].split("\t") == list(records[0]) and len(tsv) == len(records) + 1
    delegations = demo.ok("delegation", "list", "-f", "ndjson").stdout.splitlines()
    assert json.loads(delegations[0])["code"] == DEMO
    shown = demo.ok("contact", "show", "1", "-f", "ndjson").stdout.splitlines()
    assert len(shown) == 1 and json.loads(shown[0])["id"] == 1


def test_json_list_is_streamed_in_exactly_the_old_shape(demo: Cli) -> None:
    text = demo.ok("contact", "list", "-f", "json").stdout
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"
    empty = demo.ok("contact", "list", "--tag", "no-such-tag", "-f", "json")
    assert empty.stdout == "[]\n"


def test_long_table_is_streamed_with_every_row_and_cell(
    demo: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from greentech_cli.render import output

    monkeypatch.setattr(output, "RICH_ROWS", 3)
    monkeypatch.setenv("COLUMNS", "60")
    text = demo.ok("contact", "list", "--format", "table").stdout
    records = json.loads(demo.ok("contact", "list", "-f", "json").stdout)
    lines = text.splitlines()
    assert lines[0].startswith("┏") and lines[-1].startswith("└")
    assert all(len(line) <= 60 for line in lines)
    body = lines[next(i for i, line in enumerate(lines) if line.startswith("┡")) + 1 : -1]
    starts = [line for line in body if line.split("│")[1].strip().isdigit()]
    assert [int(line.split("│")[1]) for line in starts] == [r["id"] for r in records]
    # A folded cell loses nothing: the e-mail's pieces, joined, are the e-mail.
    folded = "".join(line.split("│")[5].strip() for line in body)
    assert all(r["email"] in folded for r in records if r["email"])


# --- --out decides the format -------------------------------------------------------------------


def test_out_extension_decides_and_a_contradiction_is_refused(demo: Cli, tmp_path: Path) -> None:
    target = tmp_path / "people.json"
    demo.ok("export", "contacts", "--out", str(target))
    assert isinstance(json.loads(target.read_text(encoding="utf-8")), list)
    sheet = tmp_path / "people.yml"
    demo.ok("export", "contacts", "--out", str(sheet))
    assert sheet.read_text(encoding="utf-8").startswith("- ")
    excel = tmp_path / "people.csv"
    demo.ok("export", "contacts", "-f", "csv-excel", "--out", str(excel))
    assert excel.read_bytes().startswith(b"\xef\xbb\xbf")
    wrong = demo.fails("export", "contacts", "-f", "json", "--out", str(tmp_path / "x.csv"), code=2)
    assert "does not match" in wrong.stderr and not (tmp_path / "x.csv").exists()
    assert "--format" in demo.fails("export", "contacts", code=2).stderr
    assert demo.fails("export", "contacts", "--out", str(tmp_path / "x.pdf"), code=2)


def test_itinerary_out_ics_without_format_writes_icalendar(demo: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.ics"
    demo.ok("itinerary", DEMO, "--out", str(plan))
    assert plan.read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    page = tmp_path / "plan.md"
    demo.ok("itinerary", DEMO, "--out", str(page))
    assert page.read_text(encoding="utf-8").lstrip().startswith("#")
    text = tmp_path / "plan"
    demo.ok("itinerary", DEMO, "--out", str(text))
    assert "BEGIN:VCALENDAR" not in text.read_text(encoding="utf-8")
    assert demo.fails("itinerary", DEMO, "--out", str(tmp_path / "plan.pdf"), code=2)
    assert demo.fails("itinerary", DEMO, "-f", "md", "--out", str(tmp_path / "p.ics"), code=2)


# --- ask before destroying -----------------------------------------------------------------------


def _import_three(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "three.csv"
    path.write_text(
        "Vorname,Nachname,E-Mail\nAigerim,Sadykova,a@example.kz\nDana,Ospanova,d@example.kz\n"
        "Irina,Petrova,i@example.kz\n",
        encoding="utf-8",
    )
    cli.ok("import", str(path))


def test_import_undo_asks_names_what_goes_and_dry_run_changes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    _import_three(cli, tmp_path)
    refused = cli.fails("import", "undo", "1")
    assert "remove 3 contacts" in refused.stderr and "Aigerim Sadykova" in refused.stderr
    assert "--yes" in refused.stderr
    dry = cli.ok("import", "undo", "1", "--dry-run")
    assert "would remove 3 contacts" in dry.stderr
    assert len(json.loads(cli.ok("contact", "list", "-f", "json").stdout)) == 3
    declined = cli("import", "undo", "1", input="n\n")
    assert declined.exit_code == 1
    assert len(json.loads(cli.ok("contact", "list", "-f", "json").stdout)) == 3
    assert "3 record(s) removed" in cli.ok("import", "undo", "1", "--yes").stderr
    assert json.loads(cli.ok("contact", "list", "-f", "json").stdout) == []


def test_visit_rm_shows_the_visit_and_needs_yes_without_a_terminal(fresh_demo: Cli) -> None:
    visit = _visits(fresh_demo)[0]
    refused = fresh_demo.fails("visit", "rm", str(visit["id"]))
    assert visit["title"] in refused.stderr and "--yes" in refused.stderr
    assert len(_visits(fresh_demo)) > 0 and _visits(fresh_demo)[0]["id"] == visit["id"]
    fresh_demo.ok("visit", "rm", str(visit["id"]), "--yes")
    assert visit["id"] not in {v["id"] for v in _visits(fresh_demo)}


def test_backup_to_a_missing_folder_is_refused_and_creates_nothing(
    demo: Cli, tmp_path: Path
) -> None:
    target = tmp_path / "media" / "usb" / "greentech.db"
    result = demo.fails("backup", str(target))
    assert "does not exist" in result.stderr and "mounted" in result.stderr
    assert not (tmp_path / "media").exists()


# --- completion ----------------------------------------------------------------------------------


def test_completion_scripts_and_bash_completes_commands_and_codes(demo: Cli, demo_db: Path) -> None:
    for shell, marker in (
        ("bash", "complete_bash"),
        ("zsh", "compdef"),
        ("fish", "complete --command"),
    ):
        assert marker in demo.ok("completion", shell).stdout
    assert demo.fails("completion", "tcsh", code=2)

    def complete(words: str) -> list[str]:
        env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1),
               "_GREENTECH_COMPLETE": "complete_bash", "GREENTECH_DB": str(demo_db)}  # fmt: skip
        code = "from greentech_cli.cli.app import main; main()"
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
        return done.stdout.split()

    assert "export" in complete("greentech exp")
    assert DEMO in complete("greentech export contacts --delegation kz")
    assert "csv-excel" in complete("greentech export contacts --format csv")
    assert "host-sheet" in complete("greentech export contacts --profile h")


def test_the_bash_script_works_in_bash(tmp_path: Path) -> None:
    import shutil

    bash = shutil.which("bash")
    greentech = Path(sys.executable).with_name("greentech")
    if bash is None or not greentech.exists():
        pytest.skip("bash or the installed greentech command is missing")
    script = subprocess.run(
        [str(greentech), "completion", "bash"], capture_output=True, text=True, check=True
    ).stdout
    probe = (
        f"{script}\nCOMP_WORDS=(greentech exp); COMP_CWORD=1; _greentech_completion greentech;"
        ' printf "%s\\n" "${COMPREPLY[@]}"'
    )
    env = {**os.environ, "PATH": f"{greentech.parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run([bash, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout.split() == ["export"], done.stderr


# --- any stdout encoding -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("member", "list", DEMO),
        ("itinerary", DEMO),
        ("contact", "list", "--format", "csv"),
        ("contact", "show", "3"),
        ("contact", "list"),
    ],
)
def test_a_cp1252_stdout_never_fails(demo_db: Path, args: tuple[str, ...]) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "GREENTECH_DB": str(demo_db)}
    code = (
        f"import sys; from greentech_cli.cli.app import main; sys.argv[1:] = {list(args)!r}; main()"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in done.stderr
    done.stdout.decode("utf-8")  # a pipe gets UTF-8: nothing replaced, nothing lost


# --- units: csv-excel cells, plain lines, the streamed table, row estimates -------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("+492841555130", '="+492841555130"'),
        ("050000", '="050000"'),
        ("1980-05-17", '="1980-05-17"'),
        ("10:30", '="10:30"'),
        ("5%", '="5%"'),
        ("1E5", '="1E5"'),
        (43.238, "43,238"),
        (-0.5, "-0,5"),
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+49 (0) 211 Zentrale", "'+49 (0) 211 Zentrale"),
        ("Lünen", "Lünen"),
        ("", ""),
    ],
)
def test_csv_excel_cell(value: object, cell: str) -> None:
    from greentech_cli.exporters.csv_formats import _excel_cell

    assert _excel_cell(value, raw=False) == cell


@given(st.text())
def test_csv_excel_text_reads_back_as_written(text: str) -> None:
    """Whatever the text, the cell is either the text, the text behind an apostrophe (a
    formula neutralised), or Excel's text formula around it — which the importer unwraps."""
    from greentech_cli.exporters.csv_formats import _excel_cell
    from greentech_cli.importers.records import _FORMULA_TEXT

    cell = _excel_cell(text, raw=False)
    if cell.startswith('="'):
        match = _FORMULA_TEXT.fullmatch(cell)
        assert match is not None and match[1].replace('""', '"') == text
    else:
        assert cell in (text, "'" + text)


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_tsv_line_is_one_line_and_splits_back(cells: list[str]) -> None:
    from greentech_cli.render.output import tsv_line

    line = tsv_line(cells)
    assert line.endswith("\n") and "\n" not in line[:-1] and "\r" not in line
    parts = line[:-1].split("\t")
    assert len(parts) == len(cells)

    def unescape(text: str) -> str:
        out, i = [], 0
        while i < len(text):
            if text[i] == "\\":
                out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[text[i + 1]])
                i += 2
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    assert [unescape(p) for p in parts] == cells


@given(st.text(min_size=0, max_size=60), st.integers(min_value=1, max_value=12))
def test_a_folded_cell_keeps_every_character(text: str, width: int) -> None:
    from rich.cells import cell_len

    from greentech_cli.render.tables import _fold

    pieces = _fold(text, width, cell_len)
    assert "".join(pieces) == text.replace("\n", "")
    assert all(cell_len(p) <= width or len(p) == 1 for p in pieces)


def test_row_estimate_counts_lines_and_cards(tmp_path: Path) -> None:
    from greentech_cli.services.imports.feed import estimate_rows

    table = tmp_path / "t.csv"
    table.write_bytes(b"a,b\n" + b"1,2\n" * 2500)
    assert estimate_rows(table) == 2500
    cards = tmp_path / "c.vcf"
    cards.write_bytes(b"BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n" * 70_000)
    assert estimate_rows(cards) == 70_000
    assert estimate_rows(tmp_path / "book.xlsx") is None


def test_a_terminal_lacking_characters_gets_escapes_and_one_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import codecs

    from greentech_cli.cli.app import _Escapes

    escapes = _Escapes()
    escapes.encoding = "cp1252"
    codecs.register_error(_Escapes.NAME, escapes)
    raw = io.BytesIO()
    terminal = io.TextIOWrapper(raw, encoding="cp1252", errors=_Escapes.NAME)
    terminal.write("Schäfer Қайрат\n")
    terminal.flush()
    assert raw.getvalue().decode("cp1252") == "Schäfer \\u049a\\u0430\\u0439\\u0440\\u0430\\u0442\n"
    escapes.warn()
    warning = capsys.readouterr().err
    assert warning.count("Warning:") == 1 and "6 character(s)" in warning and "cp1252" in warning


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_cp1252_terminal_shows_escapes_and_warns_once(demo_db: Path) -> None:
    import pty

    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "GREENTECH_DB": str(demo_db)}
    words = ["contact", "list", "--columns", "name,native_name"]
    code = f"from greentech_cli.cli.app import main; import sys; sys.argv[1:] = {words!r}; main()"
    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, stdout=follower, stderr=subprocess.PIPE, timeout=120
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0, done.stderr
    assert b"\\u049a" in shown  # Қ of Қайрат, as its escape
    assert done.stderr.decode("cp1252").count("Warning:") == 1


# --- progress ------------------------------------------------------------------------------------


def test_import_progress_shows_rows_rate_and_time_left(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from greentech_cli.cli.context import AppContext
    from greentech_cli.cli.progress import progress_bar

    monkeypatch.setenv("TERM", "xterm")  # Rich draws no progress on a "dumb" terminal
    screen = io.StringIO()
    app_ctx = AppContext()
    app_ctx._err = Console(file=screen, force_terminal=True, width=120)
    with progress_bar(app_ctx, "Importing t.csv", 1000, unit="rows") as advance:
        assert advance is not None
        advance(400)
        time.sleep(0.2)
        advance(700)  # more than the estimate: the total grows, nothing breaks
    shown = screen.getvalue()
    assert "Importing t.csv" in shown and "1100/1100" in shown and " rows, " in shown
    assert "/s" in shown and "0:00:00" in shown  # the rate and the time left
    quiet = AppContext()
    quiet._err = Console(file=io.StringIO(), force_terminal=True, width=120)
    with progress_bar(quiet, "Importing t.csv", 10, unit="rows", quiet=True) as advance:
        assert advance is None


# --- help ----------------------------------------------------------------------------------------


def test_help_examples_are_not_rewrapped(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    lines = cli.ok("import", "file", "--help").stdout.splitlines()
    example = [line.strip() for line in lines if "Example:" in line]
    assert example == [
        "Example: greentech import teilnehmer.csv --delegation kz-waste-2026 --dry-run"
    ]
    undo = cli.ok("import", "undo", "--help").stdout
    assert "Example: greentech import undo 3 --dry-run" in undo


def test_a_one_value_option_given_twice_is_refused_not_silently_the_last(demo: Cli) -> None:
    refused = demo.fails("company", "list", "--sector", "water", "--sector", "hydrogen", code=2)
    assert "--sector was given twice" in refused.stderr and refused.stdout == ""
    assert demo.fails("export", "contacts", "-d", DEMO, "-d", "other", "-f", "csv", code=2)
    # The same value twice loses nothing; repeatable options take every value.
    demo.ok("company", "list", "--sector", "water", "--sector=water")
    demo.ok("contact", "list", "-f", "json", "--format", "json")
    demo.ok("contact", "list", "--tag", "a", "--tag", "b")
