"""Messages that say what happened: out-of-range numbers, bytes that are not UTF-8, deep nesting,
pipes and FIFOs, a reader that stops reading, doctor beside a writer, a full disk."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from greentech_cli.db import open_db, transaction
from greentech_cli.db import sqlite as db_module  # the SQLite engine: its connect, its sqlite3
from tests import engines

from .conftest import Cli
from .test_concurrency import run_unprivileged

HUGE = str(10**30)
PEOPLE = "first_name,last_name,email\nAnna,Bauer,anna@example.com\nBoris,Cohn,boris@example.com\n"


def greentech(*args: str, db: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run greentech in its own process with pipes for stdout and stderr."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "greentech_cli", "--db", str(db), *args],
        text=True,
        timeout=120,
        **streams,
    )


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("Error: ") and "Traceback" not in stderr, stderr
    return lines[-1]


# --- numbers and text the database cannot hold --------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["contact", "list", "--limit", HUGE],
        ["search", "anna", "--limit", HUGE],
        ["log", "--id", HUGE],
        ["import", "undo", HUGE],
        ["contact", "list", "--import", HUGE],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_huge_number_is_a_usage_error(cli: Cli, args: list[str]) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Bauer")
    result = cli(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "is too large" in result.stderr or "not in the range" in result.stderr
    assert "damaged" not in result.stderr and "Traceback" not in result.stderr


def test_the_largest_stored_number_is_still_accepted(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Bauer")
    assert len(cli.json("contact", "list", "--limit", str(2**63 - 1))) == 1


def test_only_real_damage_is_called_damage() -> None:
    from greentech_cli.cli.app import _error_line

    mismatch = sqlite3.connect(":memory:")
    with pytest.raises(sqlite3.DatabaseError) as caught:
        mismatch.execute(f"SELECT 1 LIMIT {HUGE}")
    assert "damaged" not in _error_line(caught.value)
    corrupt = sqlite3.DatabaseError("database disk image is malformed")
    corrupt.sqlite_errorcode = sqlite3.SQLITE_CORRUPT  # type: ignore[attr-defined]
    assert "damaged" in _error_line(corrupt)
    assert "out of range" in _error_line(OverflowError("Python int too large"))


def test_arguments_that_are_not_utf8(cli: Cli, tmp_path: Path) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Bauer")
    bad = os.fsdecode(b"\xff\xfeName")  # how Python hands such bytes over: lone surrogates
    for args in (
        ["contact", "add", "--first", bad, "--last", "X"],
        ["contact", "show", bad],
        ["search", bad],
        ["contact", "edit", "1", "--notes", bad],
    ):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert "is not UTF-8 text" in result.stderr and "\\xff\\xfe" in result.stderr
        assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert cli.json("contact", "show", "1")["notes"] is None
    # The same from a real command line, bytes and all.
    command = [sys.executable, "-m", "greentech_cli", "--db", str(cli.db_path), "contact", "show"]
    real = subprocess.run([*command, b"\xff\xfe"], capture_output=True, timeout=60)
    assert real.returncode == 2 and b"is not UTF-8 text" in real.stderr, real.stderr


def test_a_file_name_that_is_not_utf8_is_one_clear_line(cli: Cli, tmp_path: Path) -> None:
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/liste-\xe4.csv"))
    odd.write_text(PEOPLE, encoding="utf-8")
    result = cli.fails("import", str(odd))
    assert "liste-\\xe4.csv' is not UTF-8 text" in result.stderr
    assert "unexpected" not in result.stderr
    assert not cli.json("contact", "list")


# --- deep nesting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "contacts: " + "[" * 1000 + "]" * 1000,
        "- a: " + "{b: " * 1000 + "1" + "}" * 1000,
        "contacts:\n" + "".join("  " * i + "- \n" for i in range(1, 1000)),
    ],
    ids=["flow-lists", "flow-mappings", "block-lists"],
)
def test_deeply_nested_yaml_is_refused_in_one_line(cli: Cli, tmp_path: Path, text: str) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text(text, encoding="utf-8")
    imported = cli.fails("import", str(deep))
    assert "deep.yaml is nested too deeply" in imported.stderr
    applied = cli.fails("programme", "apply", str(deep))
    assert "nested too deeply" in applied.stderr and "unexpected" not in applied.stderr
    mapping = tmp_path / "people.csv"
    mapping.write_text(PEOPLE, encoding="utf-8")
    mapped = cli.fails("import", str(mapping), "--mapping", str(deep))
    assert "nested too deeply" in mapped.stderr


def test_any_recursion_left_is_one_clear_line() -> None:
    from greentech_cli.cli.app import _error_line

    assert "nested too deeply" in _error_line(RecursionError("maximum recursion depth"))


# --- pipes and FIFOs ------------------------------------------------------------------------------


def test_import_from_stdin_that_is_a_pipe(cli: Cli) -> None:
    result = greentech("import", "/dev/stdin", "--format", "json", db=cli.db_path, input=PEOPLE)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["file"], summary["created"]) == ("/dev/stdin", 2)
    assert sorted(c["first_name"] for c in cli.json("contact", "list")) == ["Anna", "Boris"]


def test_import_from_process_substitution(cli: Cli) -> None:
    """`greentech import <(cat file)`: the shell passes /dev/fd/N, a pipe."""
    read, write = os.pipe()

    def feed() -> None:
        with os.fdopen(write, "w", encoding="utf-8") as out:
            out.write(PEOPLE)

    threading.Thread(target=feed, daemon=True).start()
    try:
        result = greentech("import", f"/dev/fd/{read}", db=cli.db_path, pass_fds=(read,))
    finally:
        os.close(read)
    assert result.returncode == 0, result.stderr
    assert len(cli.json("contact", "list")) == 2
    # No copy of the data is left behind.
    assert not [p for p in Path(os.environ.get("TMPDIR", "/tmp")).glob("greentech-input-*")]


def test_an_empty_pipe_says_so(cli: Cli) -> None:
    result = greentech("import", "/dev/stdin", db=cli.db_path, input="")
    assert result.returncode == 1
    assert one_error_line(result.stderr).endswith(
        "/dev/stdin is a pipe that gave no data (empty input)"
    )


def test_a_mapping_file_from_a_pipe(cli: Cli, tmp_path: Path) -> None:
    """`--mapping <(…)` names a pipe, not a missing file."""
    source = tmp_path / "liste.csv"
    source.write_text("Vorname,Nachname\nKarl,Klein\n", encoding="utf-8")
    read, write = os.pipe()
    os.write(write, b"columns:\n  Vorname: first_name\n  Nachname: last_name\n")
    os.close(write)
    try:
        cli.ok("import", str(source), "--mapping", f"/dev/fd/{read}")
    finally:
        os.close(read)
    assert [(c["first_name"], c["last_name"]) for c in cli.json("contact", "list")] == [
        ("Karl", "Klein")
    ]


@pytest.fixture
def fifo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from greentech_cli.importers import streams

    monkeypatch.setattr(streams, "WAIT_SECONDS", 0.5)
    path = tmp_path / "programme.fifo"
    os.mkfifo(path)
    return path


# greentech in a process of its own, waiting 0.5 s for a stream (where it knows how long to wait)
_SHORT_WAIT = """import sys
try:
    from greentech_cli.importers import streams
    streams.WAIT_SECONDS = 0.5
except ImportError:
    pass
from greentech_cli.cli.app import main
main()
"""


def test_a_fifo_nobody_writes_to_times_out(cli: Cli, tmp_path: Path) -> None:
    """A process of its own, killed after 30 s: a hang (as before the fix) fails the test."""
    cli.ok("init")
    fifo = tmp_path / "nobody.fifo"
    os.mkfifo(fifo)
    for command in (["programme", "apply"], ["import"]):
        try:
            result = subprocess.run(
                [sys.executable, "-c", _SHORT_WAIT, "--db", str(cli.db_path), *command, str(fifo)],
                capture_output=True,
                text=True,
                timeout=30,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"{' '.join(command)} on a FIFO nobody writes to hangs")
        assert result.returncode == 1, result.stderr
        assert "nothing came from" in result.stderr and "0.5 seconds" in result.stderr
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")


def test_a_fifo_is_read_like_a_file(cli: Cli, fifo: Path) -> None:
    cli.ok("delegation", "add", "kz-1", "--title", "Trip", "--direction", "incoming",
           "--from", "KZ", "--start", "2026-11-16", "--end", "2026-11-18")  # fmt: skip
    dumped = cli.ok("programme", "dump", "kz-1").stdout.replace("title: Trip", "title: Tour")

    def write() -> None:
        with fifo.open("w", encoding="utf-8") as out:
            out.write(dumped)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    cli.ok("programme", "apply", str(fifo))
    writer.join(5)
    assert cli.json("delegation", "show", "kz-1")["title"] == "Tour"


# --- a reader that stops reading ------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_contacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with 3,000 contacts: more output than a pipe holds."""
    folder = tmp_path_factory.mktemp("many")
    source = folder / "many.csv"
    syllables = [a + b for a in "bdfgklmnprst" for b in "aeiou"]
    lines = ["first_name,last_name,email"]
    for n in range(3000):
        first = syllables[n % 60].capitalize() + syllables[n // 60 % 60]
        lines.append(f"{first},{syllables[(n * 7) % 60].capitalize()}son,p{n}@example.com")
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = folder / "many.db"
    home = folder / "home"  # built before the per-test home exists: a home of its own
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local" / "share")}  # fmt: skip
    created = greentech("import", str(source), "--format", "json", db=db, env=env)
    assert json.loads(created.stdout)["created"] == 3000, created.stderr
    return db


@pytest.mark.parametrize(
    "args",
    [
        ["contact", "list"],
        ["contact", "list", "--format", "csv"],
        ["contact", "list", "--format", "json"],
        ["export", "contacts", "--format", "csv", "--all"],
        ["search", "son"],
    ],
    ids=" ".join,
)
def test_piping_into_head_is_quiet(many_contacts: Path, args: list[str]) -> None:
    command = [sys.executable, "-m", "greentech_cli", "--db", str(many_contacts), *args]
    producer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.run(["head", "-1"], stdin=producer.stdout, capture_output=True, timeout=60)
    assert producer.stdout is not None and producer.stderr is not None
    producer.stdout.close()
    errors = producer.stderr.read().decode()
    producer.stderr.close()
    assert producer.wait(timeout=60) == 0, errors
    assert len(head.stdout.splitlines()) == 1
    assert "Broken pipe" not in errors and "Error" not in errors and "Exception" not in errors


@pytest.mark.parametrize(
    "args",
    [
        ["contact", "list"],
        ["contact", "show", "1"],
        ["contact", "list", "--format", "json"],
        ["export", "contacts", "--format", "csv", "--all"],
        ["log"],
        ["programme", "dump", "none"],
    ],
    ids=" ".join,
)
def test_a_reader_gone_before_the_first_line_is_quiet(many_contacts: Path, args: list[str]) -> None:
    """The same, made certain: nobody reads at all, so the first write already fails."""
    read, write = os.pipe()
    os.close(read)
    try:
        result = greentech(*args, db=many_contacts, stdout=write)
    finally:
        os.close(write)
    if args[0] == "programme":  # an error on stderr, which is still open: said as usual
        assert result.returncode == 1 and "no delegation" in result.stderr
        return
    assert (result.returncode, result.stderr) == (0, "")


# --- doctor beside a read-only file and a writer ------------------------------------------------


@pytest.mark.sqlite_only  # a read-only database file (a read-only role: test_engines)
def test_doctor_on_a_read_only_file(cli: Cli, isolated_home: Path) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Bauer")
    os.chmod(cli.db_path, 0o400)
    try:
        result = run_unprivileged("--db", str(cli.db_path), "doctor", "-f", "json",
                                  home=isolated_home)  # fmt: skip
    finally:
        os.chmod(cli.db_path, 0o600)
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert checks["search index"]["status"] == "ok", checks["search index"]
    assert "cannot be written" in checks["search index"]["detail"]
    assert result.returncode == 0, result.stderr


class _Undo(Exception):
    """Leaves a transaction, rolled back."""


def test_doctor_while_another_process_writes(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Bauer")
    writer = open_db(cli.db_path)
    try:
        with transaction(writer):  # the write lock, as an import holds it while it runs
            writer.execute("UPDATE contacts SET notes = 'busy'")
            result = greentech("doctor", "-f", "json", db=cli.db_path)
            raise _Undo  # rolled back
    except _Undo:
        pass
    finally:
        writer.close()
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert checks["search index"]["status"] == "ok", checks["search index"]
    if not engines.on_postgres():  # SQLite's index check needs the lock; PostgreSQL reads beside
        assert "another process is writing" in checks["search index"]["detail"]
    assert result.returncode == 0, result.stderr


def test_doctor_still_finds_a_broken_index_when_it_can_check(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Bauer")
    with engines.connect(cli.db_path) as conn:
        conn.execute("DELETE FROM contacts_fts")
    result = cli("doctor", "-f", "json")
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert result.exit_code == 1 and checks["search index"]["status"] == "problem"


# --- a full disk ----------------------------------------------------------------------------------


@pytest.fixture
def full_disk(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """The database's disk is full: SQLite cannot even make room for its -shm file (as on a
    real full disk, where opening fails with a disk I/O error) and no write fits."""
    cli.ok("contact", "add", "--first", "Anna", "--last", "Bauer", "--email", "anna@example.com")
    folder = cli.db_path.parent
    real_connect = sqlite3.connect
    real_usage = shutil.disk_usage

    def no_room(database: str, *args: object, **kwargs: object) -> sqlite3.Connection:
        if not kwargs.get("uri") and Path(str(database)).parent == folder:
            raise sqlite3.OperationalError("disk I/O error")
        return real_connect(database, *args, **kwargs)  # type: ignore[arg-type]

    def usage(path: object) -> object:
        found = real_usage(path)  # type: ignore[arg-type]
        return found._replace(free=0) if Path(str(path)) == folder else found

    monkeypatch.setattr(db_module.sqlite3, "connect", no_room)
    monkeypatch.setattr(shutil, "disk_usage", usage)
    yield cli


@pytest.mark.sqlite_only  # SQLite's file on a full disk (its -shm cannot be made)
def test_reading_works_on_a_full_disk(full_disk: Cli, tmp_path: Path) -> None:
    assert [c["first_name"] for c in full_disk.json("contact", "list")] == ["Anna"]
    assert [h["id"] for h in full_disk.json("search", "anna")] == [1]
    assert full_disk.json("contact", "show", "anna@example.com")["last_name"] == "Bauer"
    elsewhere = tmp_path / "elsewhere" / "copy.db"
    elsewhere.parent.mkdir()  # backup never creates a missing folder (an unmounted drive)
    full_disk.ok("backup", str(elsewhere))
    copy = sqlite3.connect(elsewhere)
    assert copy.execute("SELECT first_name FROM contacts").fetchall() == [("Anna",)]
    copy.close()
    written = full_disk.fails("contact", "add", "--first", "Boris")
    assert "full" in written.stderr and "read-only" not in written.stderr
