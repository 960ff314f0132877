"""Data never steers the terminal: control characters shown, Rich markup kept as text.

On a terminal (a pty here) every data value has its control characters shown as escapes; files
and pipes get the data as stored. Names and email addresses with control characters are refused.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from tests import engines

from .conftest import Cli

# What hostile data does on a terminal: set the title, clear the screen, hide text, make a link.
TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
HIDE = "\x1b[8m"
LINK = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
CSI_C1 = "\u009b31m"  # the one-character CSI of 8-bit terminals
HOSTILE = (TITLE, CLEAR, HIDE, LINK, CSI_C1)


def run_in_terminal(*args: str, db: Path) -> tuple[int, str]:
    """Run greentech with stdout and stderr on a pseudo-terminal; its exit code and output."""
    main, child = pty.openpty()
    # A wide terminal of a kind Rich draws on ("dumb" would mean 80 columns whatever COLUMNS says).
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 250, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "greentech_cli", "--db", str(db), *args],
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=child,
        env={**os.environ, "COLUMNS": "250", "TERM": "xterm"},
    )
    os.close(child)
    output = b""
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        output += chunk
    code = process.wait(timeout=60)
    os.close(main)
    return code, output.decode("utf-8", "replace")


def run_in_pipe(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    """Run greentech with stdout and stderr on pipes."""
    return subprocess.run(
        [sys.executable, "-m", "greentech_cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def assert_harmless(output: str) -> None:
    """No data control sequence reached the terminal; each is shown as an escape instead."""
    for raw in ("\x1b]0;", "\x1b[2J", "\x1b[8m", "\x1b]8;", "\x07", "\u009b"):
        assert raw not in output, (raw, output)
    assert "Traceback" not in output, output


# --- the one function -----------------------------------------------------------------------


def test_visible_shows_c0_c1_del_and_bytes_that_were_not_utf8() -> None:
    from greentech_cli.render.terminal import visible

    assert visible(TITLE) == "\\x1b]0;pwned\\x07"
    assert visible(CSI_C1) == "\\x9b31m"
    assert visible("a\x7fb\x00c") == "a\\x7fb\\x00c"
    assert visible("\udcff") == "\\xff"  # surrogateescape of the byte 0xff
    assert visible("tab\there\nnext line\r") == "tab\there\nnext line\\r"
    assert visible("tab\there\nnext", lines=False) == "tab\\there\\nnext"
    assert visible("Schäfer Қайрат 李 ✓") == "Schäfer Қайрат 李 ✓"


def test_a_pipe_or_a_file_gets_the_data_as_stored(tmp_path: Path) -> None:
    from greentech_cli.render.terminal import for_stream, writer

    with (tmp_path / "out.txt").open("w") as fh:
        assert for_stream(fh)(TITLE) == TITLE
        assert writer(fh) is fh
    assert for_stream(io.StringIO())(TITLE) == TITLE


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_terminal_writer_keeps_line_ends_and_shows_the_rest() -> None:
    from greentech_cli.render.terminal import writer

    screen = _Terminal()
    out = writer(screen)
    out.write("BEGIN:VCARD\r\nFN:Anna")
    out.write(f"{CLEAR}\r")  # a CR at the end of a write: is an LF next?
    out.write("\nNOTE:one\rtwo\r")
    out.flush()
    assert screen.getvalue() == "BEGIN:VCARD\r\nFN:Anna\\x1b[2J\r\nNOTE:one\\rtwo\\r"


def test_each_string_reaches_into_views() -> None:
    from greentech_cli.render.itinerary import DayView, EntryView
    from greentech_cli.render.terminal import each_string, visible

    entry = EntryView("09:00", None, None, TITLE, "kind", None, None, [HIDE], None, CLEAR)
    shown = each_string(DayView(CLEAR, [entry]), visible)
    assert shown.heading == "\\x1b[2J"
    assert shown.entries[0].title == visible(TITLE)
    assert shown.entries[0].hosts == [visible(HIDE)]
    assert entry.title == TITLE  # the original is untouched


# --- every command that shows data, on a terminal ----------------------------------------------


@pytest.fixture
def hostile(cli: Cli) -> Cli:
    """A database whose values hold terminal control sequences, as old data or free text may."""
    cli.ok("company", "add", "Lippe Recycling GmbH", "--city", f"Lünen{CLEAR}")
    cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt", "--company", "1",
           "--position", f"Head{HIDE}", "--notes", f"note{LINK}",
           "--tag", f"t{CSI_C1}")  # fmt: skip
    cli.ok("delegation", "add", "kz-1", "--title", f"Trip{TITLE}", "--direction", "incoming",
           "--from", "KZ", "--start", "2026-11-16", "--end", "2026-11-18")  # fmt: skip
    cli.ok("member", "add", "kz-1", "1")
    cli.ok("visit", "add", "kz-1", "--title", f"Tour{CLEAR}", "--start", "2026-11-17 09:00",
           "--duration", "1h", "--company", "1", "--notes", f"bring{HIDE}")  # fmt: skip
    # Names stored before they were checked (or written by another tool) are shown safely too.
    conn = engines.connect(cli.db_path)
    conn.execute("UPDATE contacts SET first_name = ?, last_name = ?", [f"An{TITLE}na", LINK])
    conn.execute("UPDATE companies SET name = ?", [f"Lippe{CSI_C1} GmbH"])
    conn.commit()
    conn.close()
    return cli


# Each command, and a value it shows with its control characters as escapes (None: it shows no
# value with one, or its format escapes them itself, as YAML and vCard do).
TERMINAL_COMMANDS = [
    (["contact", "list"], "An\\x1b]0;pwned\\x07na"),
    (["contact", "show", "1"], "note\\x1b]8;;https://evil.example\\x1b\\click"),
    (["contact", "list", "--format", "csv"], "Head\\x1b[8m"),
    (["contact", "list", "--format", "json"], "t\\x9b31m"),
    (["company", "list"], "Lippe\\x9b31m GmbH"),
    (["company", "show", "1"], "Lünen\\x1b[2J"),
    (["delegation", "list"], "Trip\\x1b]0;pwned\\x07"),
    (["delegation", "show", "kz-1"], "Trip\\x1b]0;pwned\\x07"),
    (["member", "list", "kz-1"], "An\\x1b]0;pwned\\x07na"),
    (["visit", "list", "kz-1"], "Tour\\x1b[2J"),
    (["itinerary", "kz-1"], "bring\\x1b[8m"),
    (["itinerary", "kz-1", "--format", "md"], "**Tour\\x1b\\[2J**"),
    (["itinerary", "kz-1", "--format", "html"], "Tour\\x1b[2J"),
    (["export", "contacts", "--format", "csv", "--all"], "Head\\x1b[8m"),
    (["export", "contacts", "--format", "html", "--all"], "Head\\x1b[8m"),
    (["export", "contacts", "--format", "vcf", "--all"], None),
    (["programme", "dump", "kz-1"], None),
    (["privacy", "report", "1"], "note\\x1b]8;;"),
    (["search", "Lippe"], "Lippe\\x9b31m GmbH"),
    (["contact", "edit", "1", "--position", f"Chief{CLEAR}"], None),
    (["visit", "edit", "1", "--title", f"Walk{TITLE}"], "Walk\\x1b]0;pwned\\x07"),
    (["contact", "rm", "1", "--yes"], "Removed contact 1: An\\x1b]0;pwned\\x07na"),
]


@pytest.mark.parametrize(
    ("command", "shown"), TERMINAL_COMMANDS, ids=[" ".join(c[:4]) for c, _ in TERMINAL_COMMANDS]
)
def test_control_characters_are_shown_on_a_terminal(
    hostile: Cli, command: list[str], shown: str | None
) -> None:
    code, output = run_in_terminal(*command, db=hostile.db_path)
    assert code == 0, output
    assert_harmless(output)
    if shown is not None:
        assert shown in output.replace("\r\n", "\n"), output


def test_added_and_updated_messages_show_control_characters(hostile: Cli) -> None:
    code, output = run_in_terminal(
        "delegation", "add", "kz-2", "--title", f"New{TITLE}", "--direction", "incoming",
        "--from", "KZ", "--start", "2026-11-16", "--end", "2026-11-18", db=hostile.db_path,
    )  # fmt: skip
    assert code == 0 and "Added delegation 2: kz-2 — New\\x1b]0;pwned\\x07" in output, output
    code, output = run_in_terminal(
        "visit", "add", "kz-1", "--title", f"Lunch{CLEAR}\nFake line", "--start",
        "2026-11-17 12:00", "--duration", "1h", db=hostile.db_path,
    )  # fmt: skip
    assert code == 0 and "Added visit 2: Lunch\\x1b[2J\\nFake line," in output, output


def test_an_error_line_shows_control_characters(hostile: Cli) -> None:
    hostile.ok("contact", "add", "--first", "Boris", "--last", "Cohn")
    conn = engines.connect(hostile.db_path)
    conn.execute("UPDATE contacts SET last_name = ? WHERE id = 2", [f"Cohn{CLEAR}"])
    conn.commit()
    conn.close()
    # The message names the stored person: "… is not a member of kz-1".
    code, output = run_in_terminal("member", "rm", "kz-1", "2", db=hostile.db_path)
    assert code == 1 and "Error: Boris Cohn\\x1b[2J is not a member of kz-1" in output, output
    assert_harmless(output)


def test_pipes_get_the_data_as_stored(hostile: Cli) -> None:
    listed = run_in_pipe("contact", "list", "--format", "csv", db=hostile.db_path)
    assert listed.returncode == 0 and f"An{TITLE}na" in listed.stdout
    data = json.loads(run_in_pipe("contact", "show", "1", "-f", "json", db=hostile.db_path).stdout)
    assert data["first_name"] == f"An{TITLE}na" and data["notes"] == f"note{LINK}"
    exported = run_in_pipe("export", "contacts", "-f", "csv", "--all", db=hostile.db_path)
    assert LINK in exported.stdout
    # Captured output (CliRunner) is not a terminal either.
    assert f"Head{HIDE}" in hostile.ok("contact", "list").stdout


# --- Rich markup in data -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["KazMunayGas [R&D] [/]", "[/]", "[bold red]x", "a[/b]"])
def test_markup_in_names_is_shown_as_written(cli: Cli, name: str) -> None:
    cli.ok("company", "add", name)
    cli.ok("contact", "add", "--first", name, "--last", name, "--company", "1")
    cli.ok("delegation", "add", "kz-1", "--title", name, "--direction", "incoming",
           "--from", "KZ", "--start", "2026-11-16", "--end", "2026-11-18")  # fmt: skip
    cli.ok("member", "add", "kz-1", "1")
    cli.ok("visit", "add", "kz-1", "--title", name, "--start", "2026-11-17 09:00",
           "--duration", "1h", "--company", "1")  # fmt: skip
    for command in (
        ["contact", "show", "1"],
        ["contact", "list"],
        ["company", "show", "1"],
        ["company", "list"],
        ["delegation", "show", "kz-1"],
        ["delegation", "list"],
        ["visit", "list", "kz-1"],
        ["itinerary", "kz-1"],
        ["privacy", "report", "1"],
    ):
        result = cli.ok(*command)
        assert name in result.stdout.replace("\n", ""), (command, result.stdout)
    assert name in cli.ok("company", "show", "1").stdout.splitlines()[0]  # the title too


def test_company_added_with_markup_keeps_its_brackets(cli: Cli) -> None:
    added = cli.ok("company", "add", "ACME [bold red]GmbH")
    assert "Added company 1: ACME [bold red]GmbH" in added.stderr
    shown = cli.ok("company", "show", "1").stdout.splitlines()
    assert "ACME [bold red]GmbH" in shown[0]  # the title, not restyled with the tag gone
    assert "ACME [bold red]GmbH" in cli.ok("company", "list").stdout


def test_markup_in_a_query_or_a_file_name(cli: Cli, tmp_path: Path) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt")
    assert "Nothing matches '[/]'" in cli.ok("search", "[/]").stderr
    odd = tmp_path / "list [bold] [@x(].csv"
    odd.write_text("first_name,last_name\nBob,Braun\n", encoding="utf-8")
    assert "list [bold] [@x(].csv" in cli.ok("import", str(odd)).stdout


def test_markup_in_a_progress_description(monkeypatch: pytest.MonkeyPatch) -> None:
    """The progress bar shows the file name: it is markup to Rich unless escaped."""
    from rich.console import Console

    monkeypatch.setenv("TERM", "xterm")  # Rich draws no progress on a "dumb" terminal
    from greentech_cli.cli.context import AppContext
    from greentech_cli.cli.progress import progress_bar

    screen = io.StringIO()
    app_ctx = AppContext()
    app_ctx._err = Console(file=screen, force_terminal=True, width=120)
    with progress_bar(app_ctx, "Importing list [bold] [@x(].csv", 10) as advance:
        assert advance is not None
        advance(1)
    assert "Importing list [bold] [@x(].csv" in screen.getvalue()


# --- names and email addresses refuse control characters ----------------------------------------


@pytest.mark.parametrize(
    ("option", "what"),
    [("--first", "first name"), ("--last", "last name"), ("--native-name", "native name"),
     ("--email", "email address")],
)  # fmt: skip
@pytest.mark.parametrize("control", ["\x1b", "\x07", "\x00", "\x7f", "\u0085", "\u009b", "\x0b"])
def test_names_and_emails_with_control_characters_are_refused(
    cli: Cli, option: str, what: str, control: str
) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt")
    value = f"ann{control}a@example.com" if option == "--email" else f"An{control}na"
    # Each option once: a one-value option given twice is refused as such (issue 18).
    names = {"--first": "Bob", "--last": "B", option: value}
    added = cli.fails("contact", "add", *(word for pair in names.items() for word in pair))
    assert f"the {what} holds the control character U+{ord(control):04X}" in added.stderr
    edited = cli.fails("contact", "edit", "1", option, value)
    assert what in edited.stderr
    assert len(cli.json("contact", "list")) == 1
    assert cli.json("contact", "show", "1")["first_name"] == "Anna"


def test_company_names_with_control_characters_are_refused(cli: Cli) -> None:
    result = cli.fails("company", "add", f"ACME{CLEAR} GmbH")
    assert "the company name holds the control character U+001B" in result.stderr
    cli.ok("company", "add", "ACME GmbH")
    cli.fails("company", "edit", "1", "--name", f"ACME{TITLE}")
    assert cli.json("company", "show", "1")["name"] == "ACME GmbH"


def test_line_breaks_and_tabs_in_a_name_are_whitespace(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Anna\nMaria", "--last", "von\tSchmidt")
    contact = cli.json("contact", "show", "1")
    assert (contact["first_name"], contact["last_name"]) == ("Anna Maria", "von Schmidt")


def test_other_fields_keep_control_characters_as_given(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--notes", f"a{CLEAR}b", "--position", HIDE + "x")
    contact = cli.json("contact", "show", "1")
    assert contact["notes"] == f"a{CLEAR}b" and contact["position"] == f"{HIDE}x"


def test_an_import_rejects_only_the_rows_with_such_names(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text(
        "first_name,last_name,email,company\n"
        "Anna,Schmidt,anna@example.com,Lippe GmbH\n"
        f"Bad{CLEAR},Row,bad@example.com,\n"
        f"Carl,Cohn,carl{TITLE}@example.com,\n"
        f"Dora,Dorn,dora@example.com,Evil{HIDE} Ltd\n"
        "Emil,Ernst,emil@example.com,\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    summary = json.loads(
        cli.ok("import", str(source), "--rejects", str(rejects), "--format", "json").stdout
    )
    assert (summary["rows"], summary["created"], summary["rejected"]) == (5, 2, 3)
    reasons = rejects.read_text(encoding="utf-8")
    for what in ("first name", "email address", "company name"):
        assert f"the {what} holds the control character" in reasons
    names = {c["first_name"] for c in cli.json("contact", "list")}
    assert names == {"Anna", "Emil"}
    assert [c["name"] for c in cli.json("company", "list")] == ["Lippe GmbH"]
