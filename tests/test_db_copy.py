"""`greentech db copy|dump|checksum`: the logical dump, its checksum and a verified copy."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import sqlite3
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greentech_cli.db import open_db, transaction
from greentech_cli.models.fields import Email
from greentech_cli.models.records import Contact
from greentech_cli.services.safety import moving
from greentech_cli.store import contacts
from greentech_cli.store.portable import dump, engine, load
from tests import engines
from tests.conftest import Cli
from tests.test_backup import local_copy

ATTENDEES = (
    "Vorname;Nachname;E-Mail;Firma;Telefon\n"
    "Aigerim;Bekova;aigerim@kazwaste.kz;KazWaste LLP;+7 701 123 4567\n"
    "Жанибек;Нурланов;zhanibek@astana-eco.kz;Astana Eco;+7 717 255 0000\n"
    "Jürgen;Müller;j.mueller@lippe.de;Lippe Recycling GmbH;02306 123456\n"
)


def _dump_text(cli: Cli, path: Path) -> str:
    result = cli.runner.invoke(_app(), ["--db", str(path), "db", "dump"])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _app():  # type: ignore[no-untyped-def]
    from greentech_cli.cli.app import app

    return app


def _checksum(cli: Cli, path: Path) -> dict:  # type: ignore[type-arg]
    result = cli.runner.invoke(_app(), ["--db", str(path), "db", "checksum", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def rich_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo plus an import, a merge, a removed contact, B2B, follow-ups, attendance."""
    folder = tmp_path_factory.mktemp("rich")
    cli = Cli(folder / "rich.db")
    with pytest.MonkeyPatch.context() as patch:  # never the real home, here too
        patch.setenv("HOME", str(folder / "home"))
        patch.setenv("XDG_CONFIG_HOME", str(folder / "home" / ".config"))
        patch.setenv("XDG_DATA_HOME", str(folder / "home" / ".local" / "share"))
        patch.delenv("GREENTECH_DB", raising=False)
        patch.delenv("GREENTECH_CONFIG", raising=False)
        _build(cli, folder)
    return cli.db_path


def _build(cli: Cli, folder: Path) -> None:
    cli.ok("demo")
    attendees = folder / "teilnehmer.csv"
    attendees.write_text(ATTENDEES, encoding="utf-8")
    cli.ok("import", str(attendees), "--delegation", "kz-waste-demo", "--default-country", "KZ")
    cli.ok("contact", "add", "--first", "Zhanibek", "--last", "Nurlanov", "--notes",
           "Met at the fair; wants the Lünen visit", "--tag", "waste", "--extra", "tier=1",
           "--alias", "Schanibek Nurlanow", "--email", "zh.nurlanov@example.kz")  # fmt: skip
    merged = cli.json("contact", "show", "zh.nurlanov@example.kz")["id"]
    cli.ok("contact", "merge", "zhanibek@astana-eco.kz", str(merged), "--yes")
    cli.ok("contact", "add", "--first", "Temp", "--last", "Person", "--email", "t@example.de")
    cli.ok("contact", "rm", "t@example.de", "--yes")
    cli.ok("company", "edit", "Lippe Recycling GmbH", "--notes", "Hosts in spring")
    cli.ok("followup", "add", "--contact", "aigerim@kazwaste.kz", "--kind", "next-step",
           "--text", "Send the feasibility study", "--due", "2026-12-10")  # fmt: skip
    cli.ok("visit", "add", "kz-waste-demo", "--title", "B2B session", "--kind", "b2b-meeting",
           "--start", "2026-11-19 14:00", "--end", "2026-11-19 15:00")  # fmt: skip
    visit = cli.json("visit", "list", "kz-waste-demo")[-1]["id"]
    cli.ok("b2b", "setup", str(visit), "--slot", "20m", "--tables", "2")
    for email in ("aigerim@kazwaste.kz", "j.mueller@lippe.de"):
        cli.ok("b2b", "participant", "add", str(visit), email)
    cli.ok("b2b", "request", "add", str(visit), "aigerim@kazwaste.kz", "j.mueller@lippe.de")
    cli.ok("b2b", "schedule", str(visit), "--solver", "greedy")
    first_visit = cli.json("visit", "list", "kz-waste-demo")[0]
    present = first_visit["attendees"][0]
    present = str(present["id"] if isinstance(present, dict) else present)
    cli.ok("attendance", str(first_visit["id"]), "--present", present)


KINDS = ("import_batches", "merge_images", "b2b_meetings", "journal", "attendance", "retired_ids")
KINDS += ("audit_log",)


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in KINDS
        }
    finally:
        conn.close()


def test_the_rich_database_holds_every_kind_of_row(rich_db: Path) -> None:
    counts = _counts(rich_db)
    assert all(counts.values()), counts


@pytest.mark.parametrize("which", ["demo", "rich"])
def test_copy_gives_an_identical_dump_and_search(
    cli: Cli, tmp_path: Path, rich_db: Path, which: str
) -> None:
    if which == "demo":
        source = tmp_path / "demo.db"
        cli.runner.invoke(_app(), ["--db", str(source), "demo"])
    else:
        source = tmp_path / "rich.db"
        shutil.copyfile(rich_db, source)
    target = tmp_path / "copy" / "target.db"
    result = cli.runner.invoke(_app(), ["db", "copy", str(source), str(target), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["verified"] is True
    assert report["checksum"]["source"] == report["checksum"]["target"]
    assert report["tables"]["contacts"] > 20
    assert "verified: counts and checksum agree" in result.stderr
    assert _dump_text(cli, source) == _dump_text(cli, target)
    assert _checksum(cli, source) == _checksum(cli, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    for query in ("Müller", "Nurlanov", "Жанибек", "recycling", "lünen"):
        hits = [
            cli.runner.invoke(_app(), ["--db", str(db), "search", query, "--format", "json"])
            for db in (source, target)
        ]
        assert hits[0].exit_code == 0 and hits[0].stdout == hits[1].stdout, query
    # The copy is a greentech database like any other: doctor finds nothing wrong.
    assert cli.runner.invoke(_app(), ["--db", str(target), "doctor"]).exit_code == 0


def test_copy_keeps_what_triggers_would_have_written_twice(tmp_path: Path, rich_db: Path) -> None:
    """Notes reach the journal by trigger: a copy must not add them again."""
    target = tmp_path / "t.db"
    with moving.Copy(str(rich_db), str(target)) as job:
        copied = job.run()
    assert copied.source_summary.counts["journal"] == _counts(target)["journal"]
    assert _counts(target) == _counts(rich_db)
    # The triggers are back: a new note reaches the journal.
    db = open_db(target)
    try:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
        assert {"contacts_note_insert", "contact_emails_insert", "b2b_meeting_gone"} <= names
        assert not db.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        db.close()


def test_progress_counts_every_row(tmp_path: Path, rich_db: Path) -> None:
    done: list[int] = []
    stages: list[str] = []
    with moving.Copy(str(rich_db), str(tmp_path / "t.db")) as job:
        copied = job.run(done.append, stages.append)
    assert sum(done) == job.total == sum(copied.target_summary.counts.values())
    assert stages == ["Building the search indexes…", "Verifying the copy: counts and checksums…"]


def test_a_target_with_data_is_refused_and_left_alone(cli: Cli, tmp_path: Path) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt")
    source = local_copy(cli, tmp_path / "source.db")
    before = engines.fingerprint(cli.db_path)
    result = cli.fails("db", "copy", str(source), str(cli.db_path))
    assert "already holds data (audit_log, contacts" in result.stderr
    assert "nothing was changed" in result.stderr
    assert engines.fingerprint(cli.db_path) == before


def test_an_empty_database_is_a_fine_target(cli: Cli, tmp_path: Path) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt")
    empty = tmp_path / "empty.db"
    assert cli.runner.invoke(_app(), ["--db", str(empty), "init"]).exit_code == 0
    cli.ok("db", "copy", str(cli.db_path), str(empty))
    assert _checksum(cli, empty) == _checksum(cli, cli.db_path)


def test_bad_sources_and_targets_are_one_line(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    missing = cli.fails("db", "copy", str(tmp_path / "nope.db"), str(tmp_path / "t.db"))
    assert "nope.db" in missing.stderr
    assert not (tmp_path / "t.db").exists()
    itself = cli.fails("db", "copy", str(cli.db_path), str(cli.db_path))
    assert "source itself" in itself.stderr
    other = cli.fails("db", "copy", str(cli.db_path), "mysql://officer@db/team", code=2)
    assert "mysql://" in other.stderr and "postgresql://" in other.stderr
    # A PostgreSQL server that cannot be reached (nothing listens on port 1): one line.
    url = cli.fails("db", "copy", str(cli.db_path), "postgresql://officer@127.0.0.1:1/team")
    assert "cannot open the database postgresql://officer@127.0.0.1:1/team" in url.stderr
    (line,) = url.stderr.strip().splitlines()
    if importlib.util.find_spec("psycopg") is None:  # `pip install .`: the extra is named
        assert "greentech[team]" in line, line
    else:  # psycopg's several lines joined into that one: what failed first, then its hint
        assert "Connection refused (Is the server running" in line, line


def test_a_failed_verification_removes_the_new_target(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt")
    cli.ok("contact", "add", "--first", "Björn", "--last", "Berg")
    real = load._write

    def lose_a_row(target, insert, batch, advance):  # type: ignore[no-untyped-def]
        real(target, insert, batch[:-1] if "contacts" in insert else batch, advance)

    monkeypatch.setattr(load, "_write", lose_a_row)
    target = tmp_path / "new" / "t.db"
    result = cli.fails("db", "copy", str(cli.db_path), str(target))
    assert "contacts (2 rows against 1)" in result.stderr
    assert "the target was removed" in result.stderr
    assert not target.exists() and not target.parent.exists()


def test_dump_file_is_owner_only_and_gives_the_checksum(cli: Cli, tmp_path: Path) -> None:
    cli.ok("contact", "add", "--first", "Jürgen", "--last", "Müller", "--tag", "wasser")
    cli.ok("contact", "add", "--first", "Weg", "--last", "Damit")
    cli.ok("contact", "rm", "2", "--yes")  # its id is retired (retired_ids)
    out = tmp_path / "dump.ndjson"
    result = cli.ok("db", "dump", "--out", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text(encoding="utf-8")
    assert text == _dump_text(cli, cli.db_path)
    lines = [json.loads(line) for line in text.splitlines()]
    assert {line["table"] for line in lines} >= {"contacts", "audit_log", "retired_ids"}
    assert not any("fts" in line["table"] or "migrations" in line["table"] for line in lines)
    contact = next(line["row"] for line in lines if line["table"] == "contacts")
    assert contact["last_name"] == "Müller" and contact["tags"] == '["wasser"]'
    # The checksum is made again from the file alone: per table, the digest of its lines.
    checksum = _checksum(cli, cli.db_path)
    assert checksum["checksum"] in result.stderr
    assert _checksum_of(text) == checksum["checksum"]


def _checksum_of(text: str) -> str:
    tables: dict[str, list[str]] = {}
    for line in text.splitlines():
        tables.setdefault(json.loads(line)["table"], []).append(line)
    whole = hashlib.sha256()
    for name in sorted(tables):
        digest = hashlib.sha256("".join(f"{line}\n" for line in tables[name]).encode()).hexdigest()
        whole.update(f"{name} {len(tables[name])} {digest}\n".encode())
    return whole.hexdigest()


def test_checksum_table_output(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt")
    lines = cli.ok("db", "checksum").stdout.splitlines()
    assert len(lines[0]) == 64
    assert "contacts\t1" in lines


def test_rows_come_sorted_by_primary_key(db) -> None:  # type: ignore[no-untyped-def]
    with transaction(db):
        db.execute(
            "INSERT INTO geocoded (key, lat, lon, created_at) VALUES "
            "('b', 1, 2, 'x'), ('B', NULL, NULL, 'x'), ('ä', 0.5, 1e300, 'x'), ('a', 3, 4, 'x')"
        )
    geocoded = next(t for t in engine.data_tables(db) if t.name == "geocoded")
    assert [row[0] for row in dump.rows(db, geocoded)] == ["B", "a", "b", "ä"]


def test_load_order_puts_parents_first(db) -> None:  # type: ignore[no-untyped-def]
    order = [table.name for table in load.load_order(engine.data_tables(db))]
    for table in engine.data_tables(db):
        for parent in table.parents - {table.name}:
            assert order.index(parent) < order.index(table.name), (parent, table.name)


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
NAMES = st.none() | TEXT


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=st.lists(
        st.fixed_dictionaries(
            {
                "first_name": NAMES,
                "last_name": NAMES,
                "native_name": NAMES,
                "notes": NAMES,
                "tags": st.lists(TEXT, max_size=3),
                "languages": st.lists(st.sampled_from(["de", "ru", "kk", "en"]), max_size=2),
                "aliases": st.lists(TEXT, max_size=2),
                "extra": st.dictionaries(TEXT, TEXT, max_size=3),
                "emails": st.lists(st.emails(), max_size=2, unique=True),
            }
        ),
        max_size=6,
    )
)
def test_random_contacts_round_trip_with_the_same_checksum(people: list[dict]) -> None:  # type: ignore[type-arg]
    folder = Path(tempfile.mkdtemp())
    try:
        source = open_db(folder / "source.db", create=True)
        try:
            with transaction(source):
                for n, person in enumerate(people):
                    emails = [Email(f"{n}.{value}") for value in person.pop("emails")]
                    contacts.insert(source, Contact(**person, emails=emails))
        finally:
            source.close()
        with moving.Copy(str(folder / "source.db"), str(folder / "target.db")) as job:
            copied = job.run()
        assert copied.source_summary.checksum == copied.target_summary.checksum
        again = [open_db(folder / name) for name in ("source.db", "target.db")]
        try:
            lines = [[], []]  # type: ignore[var-annotated]
            for db, kept in zip(again, lines, strict=True):
                dump.dump_lines(db, lambda _, text, kept=kept: kept.append(text))
            assert lines[0] == lines[1]
            assert dump.summarise(again[1]).checksum == copied.source_summary.checksum
        finally:
            for db in again:
                db.close()
    finally:
        shutil.rmtree(folder)


def _summary(path: Path) -> dump.Summary:
    db = open_db(path)
    try:
        return dump.summarise(db)
    finally:
        db.close()


def test_a_write_to_the_source_during_the_copy_is_not_half_copied(
    tmp_path: Path, rich_db: Path
) -> None:
    """The source is read as of one moment: a contact added meanwhile is in neither the copy
    nor its checksum, and the copy still verifies."""
    source = tmp_path / "source.db"
    shutil.copyfile(rich_db, source)
    before = _summary(source)
    written: list[int] = []

    def write_meanwhile(n: int) -> None:
        if not written:
            other = open_db(source)
            try:
                with transaction(other):
                    written.append(contacts.insert(other, Contact(first_name="Late")).id or 0)
            finally:
                other.close()

    with moving.Copy(str(source), str(tmp_path / "t.db")) as job:
        copied = job.run(write_meanwhile)
    assert written
    assert copied.target_summary.checksum == copied.source_summary.checksum == before.checksum
    assert _summary(source).checksum != before.checksum


def test_a_failure_before_copying_removes_the_new_target(
    tmp_path: Path, rich_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(db, table):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(dump, "count", broken)
    target = tmp_path / "new" / "t.db"
    with pytest.raises(sqlite3.OperationalError):
        moving.Copy(str(rich_db), str(target))
    assert not target.exists() and not target.parent.exists()
