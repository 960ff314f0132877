"""The import pipeline's speed-ups change nothing: batched lookups, chunks and the reader process.

A large import prepares rows in a worker process, looks duplicates up a chunk at a time and writes
new contacts with one executemany per table. Each test here compares such a run with the plain
way (row by row, in process) and requires the same database, to the byte of every stored value.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greentech_cli.db import open_db, open_memory_db, transaction
from greentech_cli.models.imports import ImportOptions
from greentech_cli.models.records import Contact
from greentech_cli.services.identity.duplicates import keys_of
from greentech_cli.services.imports import feed as import_feed
from greentech_cli.services.imports.run import import_file
from greentech_cli.store import contacts
from greentech_cli.store.common import fetch_all
from greentech_cli.text.names import name_key
from tests import engines

from .conftest import Cli

GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"


def _generate(path: Path, n: int, seed: int) -> Path:
    command = [sys.executable, str(GENERATOR), "people", str(n), "--seed", str(seed)]
    command += ["--format", "csv-de", "--duplicates", "0.05", "--out", str(path)]
    subprocess.run(command, check=True, capture_output=True)
    return path


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two German attendee lists; the second repeats every fifth person of the first, changed."""
    folder = tmp_path_factory.mktemp("lists")
    first = _generate(folder / "first.csv", 1200, seed=21)
    fresh = _generate(folder / "fresh.csv", 900, seed=22)
    with first.open(encoding="utf-8-sig", newline="") as fh:
        old = list(csv.reader(fh, delimiter=";"))
    with fresh.open(encoding="utf-8-sig", newline="") as fh:
        new = list(csv.reader(fh, delimiter=";"))
    header, repeated = old[0], old[1::5]
    phone = header.index("Telefon")
    for row in repeated[::2]:
        row[phone] = ""  # the stored contact keeps its number when the row lacks it
    second = folder / "second.csv"
    with second.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerows([header, *new[1:400], *repeated, *new[400:]])
    return first, second


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _no_uid(value: Any) -> Any:
    """A stored value with its random uids (new for every record, by design) blanked."""
    return _UUID.sub("<uid>", value) if isinstance(value, str) else value


def _state(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every table an import writes, bookkeeping times left out (they differ between runs)."""
    db = open_db(path)
    try:
        tables = {
            "contacts": "SELECT * FROM contacts ORDER BY id",
            "companies": "SELECT * FROM companies ORDER BY id",
            "members": "SELECT * FROM members ORDER BY id",
            "fts": "SELECT rowid, names, details, keys FROM contacts_fts ORDER BY rowid",
            "changes": "SELECT entity, entity_id, action, before, after FROM import_changes "
            "ORDER BY entity, entity_id, id",
            "batches": "SELECT rows, created, updated, skipped, rejected FROM import_batches",
        }
        stamps = {"created_at", "updated_at"}
        return {
            name: [
                {k: _no_uid(v) for k, v in row.items() if k not in stamps}
                for row in fetch_all(db, sql)
            ]
            for name, sql in tables.items()
        }
    finally:
        db.close()


def _import_both(tmp: Path, name: str, lists: tuple[Path, Path], **options: Any) -> Path:
    path = tmp / f"{name}.db"
    db = open_db(path, create=True)
    try:
        for source in lists:
            import_file(db, source, ImportOptions(**options))
    finally:
        db.close()
    return path


def test_worker_chunks_and_batches_give_the_plain_result(
    tmp_path: Path, lists: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reader process + 500-row chunks == in process, one row per chunk (a row-by-row import)."""
    monkeypatch.setenv("GREENTECH_IMPORT_WORKER", "1")
    fast = _import_both(tmp_path, "fast", lists)
    monkeypatch.setenv("GREENTECH_IMPORT_WORKER", "0")
    monkeypatch.setattr(import_feed, "CHUNK", 1)
    plain = _import_both(tmp_path, "plain", lists)
    fast_state, plain_state = _state(fast), _state(plain)
    assert fast_state == plain_state
    created = fast_state["batches"][1]["created"]
    # The second list found the repeated people (240 of them) and created the others.
    assert fast_state["batches"][1]["rows"] == 900 + 240
    assert created < 900
    assert any(c["action"] == "update" for c in fast_state["changes"])


@pytest.mark.parametrize("chunk", [2, 7, 64])
def test_chunk_size_changes_nothing(
    tmp_path: Path, lists: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """In-file duplicates inside a chunk or across chunks are found the same way."""
    monkeypatch.setenv("GREENTECH_IMPORT_WORKER", "0")
    monkeypatch.setattr(import_feed, "CHUNK", 1)
    plain = _state(_import_both(tmp_path, "plain", lists[:1]))
    monkeypatch.setattr(import_feed, "CHUNK", chunk)
    assert _state(_import_both(tmp_path, f"chunk{chunk}", lists[:1])) == plain


def test_worker_error_is_one_line_and_changes_nothing(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that turns unreadable far into it fails in the reader process: one clear line."""
    monkeypatch.setenv("GREENTECH_IMPORT_WORKER", "1")
    cli.ok("init")
    cli.ok("contact", "add", "--first", "Keep", "--last", "Me")
    before = engines.fingerprint(cli.db_path)
    bad = tmp_path / "late-nul.csv"
    rows = "".join(f"Name{i};Person{i};p{i}@example.de\n" for i in range(3000))
    bad.write_bytes(("Vorname;Nachname;E-Mail\n" + rows).encode() + b"Bad\x00;Row;x@example.de\n")
    result = cli.fails("import", str(bad))
    assert "NUL" in result.stderr or "binary" in result.stderr.lower()
    assert engines.fingerprint(cli.db_path) == before
    assert [c["first_name"] for c in cli.json("contact", "list")] == ["Keep"]


# --- batched duplicate lookup ---------------------------------------------------------------

_FIRST = st.sampled_from(["Anna", "Jürgen", "Juergen", "Ольга", "Olga", None])
_LAST = st.sampled_from(["Müller", "Mueller", "Иванова", "Ivanova", "Schmidt", None])
_EMAIL = st.sampled_from(["a@x.de", "A@X.de", "b@x.de", "ä@x.de", "Ä@x.de", None])
_PHONE = st.sampled_from(["+492211234567", "+4930123456", None])
_COMPANY = st.sampled_from([1, 2, None])


@st.composite
def _contact(draw: st.DrawFn) -> Contact:
    contact = Contact(first_name=draw(_FIRST), last_name=draw(_LAST))
    contact.email = draw(_EMAIL)
    contact.phone = draw(_PHONE)
    contact.mobile = draw(_PHONE)
    contact.company_id = draw(_COMPANY)
    return contact


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_contact(), max_size=12), st.lists(_contact(), min_size=1, max_size=12))
def test_batched_candidates_follow_the_rule(stored: list[Contact], incoming: list[Contact]) -> None:
    """`candidates` gives every contact, looked up together with others or alone, exactly the
    contacts the rule names: same email (ASCII case ignored, as SQLite's NOCASE), a shared phone
    or mobile, or a shared name key at the same company or where the stored one has none."""
    db = open_memory_db()
    try:
        with transaction(db):
            for company_id in (1, 2):
                db.execute(
                    "INSERT INTO companies (id, name, created_at, updated_at) "
                    f"VALUES ({company_id}, 'C{company_id}', '', '')"
                )
            for contact in stored:
                contacts.insert(db, contact, audited=False)
        keys = [keys_of(c) for c in incoming]
        expected = [_rule(k, stored) for k in keys]
        assert [[c.id for c in block] for block in contacts.candidates(db, keys)] == expected
        alone = [[c.id for c in contacts.candidates(db, [k])[0]] for k in keys]
        assert alone == expected
    finally:
        db.close()


def _rule(wanted: Any, stored: list[Contact]) -> list[int]:
    """The candidate rule written out plainly, one stored contact at a time (a stored contact
    is found by its one stored name key, the incoming one by all its spellings)."""
    found = []
    for contact in stored:
        stored_key = name_key(contact.first_name, contact.last_name, contact.native_name)
        same_email = any(
            email and contact.email and email.translate(_ASCII) == contact.email.translate(_ASCII)
            for email in (wanted.email, *wanted.emails)
        )
        same_phone = bool({contact.phone, contact.mobile} & set(wanted.phones) - {None})
        # Only the same company, or none stored: the same name elsewhere is never the same
        # person by the automatic rule, so it is no candidate (a common name stays cheap).
        same_name = stored_key in wanted.name_keys and (
            contact.company_id is None or wanted.company_id == contact.company_id
        )
        if same_email or same_phone or same_name:
            found.append(contact.id or 0)
    return sorted(found)


_ASCII = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}


FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tabular"


@pytest.mark.parametrize("name", [*sorted(p.name for p in FIXTURES.iterdir()), "teilnehmer.xlsx"])
def test_every_table_shape_reads_the_same_in_the_reader_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Encodings, delimiters, title rows, ragged rows and workbooks: worker == in process."""
    from .test_import_files import _xlsx

    source = tmp_path / name
    if name.endswith(".xlsx"):
        _xlsx(source)
    else:
        source.write_bytes((FIXTURES / name).read_bytes())
    states = []
    for setting in ("1", "0"):
        monkeypatch.setenv("GREENTECH_IMPORT_WORKER", setting)
        path = tmp_path / f"worker-{setting}.db"
        db = open_db(path, create=True)
        try:
            summary = import_file(
                db, source, ImportOptions(rejects=tmp_path / f"rej-{setting}.csv")
            )
        finally:
            db.close()
        rejects = tmp_path / f"rej-{setting}.csv"
        states.append(
            (
                _state(path),
                summary.to_json()
                | {
                    "batch_id": None,
                    "rejects_file": None,
                    "warning_list": list(summary.warning_list),  # to_json gives an iterator
                },
                rejects.read_bytes() if rejects.exists() else None,
            )
        )
    assert states[0] == states[1]
    assert states[0][1]["rows"] > 0


@pytest.mark.sqlite_only  # SQLite's page cache spilling into its WAL file
def test_large_dry_run_spills_but_leaves_file_and_wal_as_they_were(
    cli: Cli, lists: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dry run larger than the page cache spills into the WAL (memory stays bounded); the
    rollback leaves the database file unchanged and the WAL is emptied afterwards."""
    import hashlib

    from greentech_cli.db import sqlite as db_module

    monkeypatch.setattr(db_module, "IMPORT_CACHE_KIB", 64)  # 64 KiB: the import must spill
    cli.ok("init")
    cli.ok("contact", "add", "--first", "Keep", "--last", "Me")
    cli.ok("doctor", "--fix")  # a checkpointed, settled file to compare with
    before = hashlib.sha256(cli.db_path.read_bytes()).hexdigest()
    summary = cli.json("import", str(lists[0]), "--dry-run")
    assert summary["created"] > 1000 and summary["dry_run"] is True
    assert hashlib.sha256(cli.db_path.read_bytes()).hexdigest() == before
    wal = cli.db_path.with_name(cli.db_path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert [c["first_name"] for c in cli.json("contact", "list")] == ["Keep"]
