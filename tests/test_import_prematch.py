"""Issue 15 item 5: an import matches before it takes the write lock and re-checks under it.

Each chunk is matched against the database while the file is read (`spill.Prematch`); under the
lock only rows that may meet what the import itself wrote are looked up again, and everything is
matched again when another process committed meanwhile. These tests compare that with the path
that matches every row under the lock (the early matches switched off), over generated and
real-world files, and let another writer slip a duplicate in between the two.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from greentech_cli.db import open_db, transaction
from greentech_cli.errors import GreentechError
from greentech_cli.models.imports import ImportOptions
from greentech_cli.services.imports import feed as import_feed
from greentech_cli.services.imports import run as import_run
from greentech_cli.services.imports import spill
from greentech_cli.services.imports.run import import_file

from .conftest import ON_POSTGRES, REALWORLD, Cli
from .test_import_pipeline import _state, lists  # noqa: F401 (the fixture)

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _files() -> list[Path]:
    """Real-world and hand-made files of every format the importer reads."""
    found = sorted((FIXTURES / "tabular").iterdir()) + sorted((FIXTURES / "vcard").iterdir())
    found.append(FIXTURES / "rich_contacts_namesakes.yaml")
    if REALWORLD.is_dir():
        found += sorted((REALWORLD / "csv").iterdir()) + sorted((REALWORLD / "vcard").iterdir())
    return found


class _Lookups:
    """Counts the rows looked up before the lock (spill) and under it (run)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.early = self.late = 0
        early, late = spill.contact_store.candidates, import_run.contact_store.candidates

        def counted_early(db: Any, wanted: list[Any]) -> Any:
            self.early += len(wanted)
            return early(db, wanted)

        def counted_late(db: Any, wanted: list[Any]) -> Any:
            self.late += len(wanted)
            return late(db, wanted)

        # spill and run share the store module: each gets a stand-in with its own counter
        monkeypatch.setattr(spill, "contact_store", _Named(spill.contact_store, counted_early))
        monkeypatch.setattr(
            import_run, "contact_store", _Named(import_run.contact_store, counted_late)
        )


class _Named:
    """A stand-in for the store module whose `candidates` is one of the counters."""

    def __init__(self, module: Any, candidates: Any) -> None:
        self._module, self.candidates = module, candidates

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


def _no_early_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The current path before issue 15 item 5: every row matched under the lock."""
    monkeypatch.setattr(spill.Prematch, "__call__", lambda self, chunk: [None] * len(chunk))


def _summary(summary: Any) -> dict[str, Any]:
    data = summary.to_json()
    data.pop("file")
    data["imported_before"] = [b["batch_id"] for b in data["imported_before"]]  # times differ
    data["warning_list"] = list(data["warning_list"])  # read back from its file: an iterator
    return data


def _run_all(tmp: Path, name: str, sources: list[Path], **options: Any) -> tuple[Any, list[Any]]:
    """Import the sources one after another into a new database: its state and the summaries
    (or the error each gave)."""
    path = tmp / f"{name}.db"
    db = open_db(path, create=True)
    results: list[Any] = []
    try:
        for source in sources:
            try:
                results.append(_summary(import_file(db, source, ImportOptions(**options))))
            except GreentechError as exc:
                results.append(f"error: {exc}")
    finally:
        db.close()
    return _state(path), results


def _both(
    tmp: Path, monkeypatch: pytest.MonkeyPatch, sources: list[Path], **options: Any
) -> tuple[Any, Any]:
    with monkeypatch.context() as patched:
        _no_early_matches(patched)
        before = _run_all(tmp, "under-the-lock", sources, **options)
    return before, _run_all(tmp, "matched-early", sources, **options)


@pytest.mark.parametrize("on_duplicate", ["fill", "update", "skip"])
@pytest.mark.parametrize("chunk", [500, 7])
def test_generated_lists_get_the_decisions_of_matching_under_the_lock(
    tmp_path: Path,
    lists: tuple[Path, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    on_duplicate: str,
    chunk: int,
) -> None:
    """Two German lists, the second repeating a fifth of the first, changed, with in-file
    duplicates (5 %) in both, in chunks of 500 and of 7 (duplicates across chunks)."""
    monkeypatch.setenv("GREENTECH_IMPORT_WORKER", "0")
    monkeypatch.setattr(import_feed, "CHUNK", chunk)
    before, after = _both(tmp_path, monkeypatch, [*lists, lists[1]], on_duplicate=on_duplicate)
    assert after == before
    summaries = after[1]
    assert summaries[1]["duplicates"] >= 240 and summaries[2]["duplicates"] == summaries[2]["rows"]
    assert summaries[0]["possible_duplicate_count"] > 0  # namesakes listed the same way


def test_real_world_files_get_the_decisions_of_matching_under_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every sample file, imported twice (the second time every row is a duplicate)."""
    files = _files()
    assert len(files) >= 10
    for number, source in enumerate(files):
        folder = tmp_path / str(number)
        folder.mkdir()
        before, after = _both(folder, monkeypatch, [source, source])
        assert after == before, source.name
    # and all of them into one database, one after the other
    before, after = _both(tmp_path, monkeypatch, files + files)
    assert after == before
    # Not a comparison of empty imports: the hand-made files alone create 28 contacts, the
    # real-world samples (when present) many more.
    created = sum(s["created"] for s in after[1] if isinstance(s, dict))
    assert created > (50 if REALWORLD.is_dir() else 25)


def test_rows_without_an_in_file_duplicate_are_not_looked_up_under_the_lock(
    tmp_path: Path,
    lists: tuple[Path, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GREENTECH_IMPORT_WORKER", "0")
    db = open_db(tmp_path / "g.db", create=True)
    try:
        import_file(db, lists[0], ImportOptions())
        lookups = _Lookups(monkeypatch)
        summary = import_file(db, lists[1], ImportOptions())
    finally:
        db.close()
    assert summary.duplicates >= 240
    assert lookups.early == summary.rows - summary.rejected
    # Looked up again under the lock: rows whose company the import created, or whose keys
    # meet a contact it wrote or changed: a few (158 of 1,140 when this was written).
    assert lookups.late < summary.rows / 4, (lookups.late, summary.rows)


@pytest.fixture
def slipped_in(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Between reading (and matching) the file and taking the lock, another process adds a
    contact with the email of the file's second row."""
    source = tmp_path / "people.csv"
    source.write_text(
        "first_name,last_name,email,notes\n"
        "Anna,Schmidt,anna@example.de,\n"
        "Jonas,Weber,jonas.weber@example.de,from the file\n",
        encoding="utf-8",
    )
    read_all = import_run.read_all

    def then_another_writer(*args: Any, **kwargs: Any) -> Any:
        from greentech_cli.services.records import contacts

        prepared = read_all(*args, **kwargs)
        db = open_db(cli.db_path)  # another connection: another writer
        try:
            fields = {"first_name": "Jonas", "last_name": "Weber"}
            contacts.add(db, {**fields, "email": "jonas.weber@example.de"})
        finally:
            db.close()
        return prepared

    monkeypatch.setattr(import_run, "read_all", then_another_writer)
    yield source


def test_a_duplicate_added_between_matching_and_the_lock_is_found(
    cli: Cli, slipped_in: Path
) -> None:
    cli.ok("init")
    result = cli.ok("import", str(slipped_in), "--format", "json")
    summary = json.loads(result.stdout)
    assert (summary["created"], summary["duplicates"], summary["updated"]) == (1, 1, 1)
    people = cli.json("contact", "list")
    assert sorted(p["first_name"] for p in people) == ["Anna", "Jonas"]
    assert "matched again under the write lock" in result.stderr


def test_a_dry_run_takes_no_write_lock_but_on_postgresql(cli: Cli, tmp_path: Path) -> None:
    """Another process holds the write lock: the dry run (on a private copy of the file) still
    matches and reports. On PostgreSQL a dry run writes in the team database, rolled back, so it
    holds the write lock as an import does: it waits for the other writer, then gives up with
    one line, having written nothing."""
    cli.ok("init")
    cli.ok("contact", "add", "--first", "Jonas", "--last", "Weber", "--email", "j@example.de")
    source = tmp_path / "people.csv"
    source.write_text(
        "first_name,last_name,email\nJonas,Weber,j@example.de\nAnna,Schmidt,a@example.de\n"
        "Anna,Schmidt,a@example.de\n",
        encoding="utf-8",
    )
    holder = open_db(cli.db_path)  # another connection holding the write lock
    try:
        with transaction(holder), pytest.MonkeyPatch.context() as patched:
            patched.setenv("GREENTECH_LOCK_TIMEOUT", "1")
            if ON_POSTGRES:
                waited = cli.fails("import", str(source), "--dry-run")
                assert "Waiting for a write by" in waited.stderr
            else:
                summary = cli.json("import", str(source), "--dry-run")
    finally:
        holder.close()
    if ON_POSTGRES:
        summary = cli.json("import", str(source), "--dry-run")  # the lock free again
    assert (summary["created"], summary["duplicates"], summary["dry_run"]) == (1, 2, True)
    assert [p["first_name"] for p in cli.json("contact", "list")] == ["Jonas"]


# --- the lock taken just in time: reading the second half while the import writes ---------------


@pytest.mark.parametrize("on_duplicate", ["fill", "update"])
def test_a_lock_taken_part_way_gives_what_reading_everything_first_gives(
    tmp_path: Path,
    lists: tuple[Path, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    on_duplicate: str,
) -> None:
    """A worker reads (as for a large table): the lock taken at once, after a tenth (as an import
    takes it), half-way or after the last row gives the same database and summaries."""
    monkeypatch.setenv("GREENTECH_IMPORT_WORKER", "1")
    results = []
    for share in (1.0, 0.5, 0.1, 0.0):
        monkeypatch.setattr(spill, "LOCK_AFTER", share)
        results.append(
            _run_all(tmp_path, f"lock-{share}", [*lists, lists[1]], on_duplicate=on_duplicate)
        )
    assert results[1] == results[0]
    assert results[2] == results[0]
    assert results[3] == results[0]


def test_the_lock_is_taken_part_way_through_a_large_table(
    tmp_path: Path,
    lists: tuple[Path, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a worker, the rows kept before the lock are LOCK_AFTER of the file (to the end of the
    chunk that reaches it; the worker's chunks are CHUNK rows); the rest come after."""
    monkeypatch.setenv("GREENTECH_IMPORT_WORKER", "1")
    kept: list[int] = []
    read_all = import_run.read_all

    def watched(*args: Any, **kwargs: Any) -> Any:
        reading = read_all(*args, **kwargs)
        kept.append(reading.spill.rows)
        return reading

    monkeypatch.setattr(import_run, "read_all", watched)
    db = open_db(tmp_path / "half.db", create=True)
    try:
        summary = import_file(db, lists[0], ImportOptions())
    finally:
        db.close()
    assert summary.rows == 1200 and summary.created > 1000
    half = int((import_feed.estimate_rows(lists[0]) or 0) * spill.LOCK_AFTER)
    assert kept == [-(-half // import_feed.CHUNK) * import_feed.CHUNK]
    assert 0 < kept[0] < summary.rows
