"""The import's cheaper write paths give exactly what the plain store paths would have written."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greentech_cli.db import import_pragmas, transaction
from greentech_cli.importers.records import _prefixes
from greentech_cli.importers.values import take_prefixes
from greentech_cli.models.fields import Address, Email, Phone
from greentech_cli.models.imports import ImportOptions
from greentech_cli.models.records import Contact
from greentech_cli.services.imports.run import import_file
from greentech_cli.services.imports.undo import undo
from greentech_cli.store import contacts, imports, search
from greentech_cli.store.common import (
    dumps,
    encode,
    encode_items,
    fetch_all,
    insert_stored_row,
    new_uids,
)

CSV = (
    "Anrede;Vorname;Nachname;Organisation;E-Mail;Telefon;Mobil;Stadt;Land;Einwilligung\n"
    "Herr;Jürgen;Müller;Stadtwerke Köln GmbH;j.mueller@stadtwerke.example;0221 123456;;Köln;"
    "Deutschland;ja\n"
    "Frau;Anna;Schmidt;Stadtwerke Köln GmbH;anna@stadtwerke.example;;+49 160 1234567;Köln;"
    "Deutschland;nein\n"
    "Frau;Ольга;Иванова;Energo LLP;olga@energo.example;+7 727 2501234;;Almaty;Kasachstan;x\n"
    ";Zhanibek;Nurlanov;;zh@example.kz;;;;Kasachstan;\n"
    "Herr;Jürgen;Müller;Stadtwerke Köln GmbH;j.mueller@stadtwerke.example;;0171 7654321;Köln;"
    "Deutschland;ja\n"
    "Dr.;Klaus;Fuchs;Spree Umweltservice KG;klaus.fuchs@spree.example;030 1234567;;Berlin;"
    "Deutschland;ja\n"
)


@pytest.fixture
def attendees(tmp_path: Path) -> Path:
    path = tmp_path / "attendees.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def _fts(db: Any) -> dict[int, tuple[str, str, str]]:
    rows = fetch_all(db, "SELECT rowid AS id, names, details, keys FROM contacts_fts")
    return {r["id"]: (r["names"], r["details"], r["keys"]) for r in rows}


def test_after_images_are_what_is_stored(db: Any, attendees: Path) -> None:
    """The after-images built from the written values equal images read from the database."""
    summary = import_file(db, attendees, ImportOptions())
    assert summary.created == 5 and summary.updated == 1
    changes = imports.changes(db, summary.batch_id or 0)
    last: dict[tuple[str, int], dict[str, Any] | None] = {}
    for change in changes:
        last[(change.entity, change.entity_id)] = change.after
    assert len(changes) == summary.created + summary.updated + summary.companies_created
    for (entity, entity_id), after in last.items():
        assert after == imports.image(db, entity, entity_id)
    # The create of the contact that a later row updated keeps the image of its creation.
    creates = [c for c in changes if c.entity == "contact" and c.action == "create"]
    updated = next(c for c in changes if c.action == "update")
    first = next(c for c in creates if c.entity_id == updated.entity_id)
    assert first.after is not None and first.after["mobile"] is None
    assert updated.before == first.after


def test_index_entries_equal_a_reindex(db: Any, attendees: Path) -> None:
    """Entries written from values in hand are the ones `reindex_contact` writes from the rows."""
    import_file(db, attendees, ImportOptions())
    written = _fts(db)
    with transaction(db):
        for contact_id in list(written):
            search.reindex_contact(db, contact_id)
    assert _fts(db) == written
    assert len(written) == 5


def test_changes_written_in_chunks_keep_their_order(
    db: Any, attendees: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunked change rows come out in the order they were made, and undo still restores all."""
    monkeypatch.setattr(imports.ChangeLog, "CHUNK", 2)
    summary = import_file(db, attendees, ImportOptions())
    changes = imports.changes(db, summary.batch_id or 0)
    ids = [c.id for c in changes]
    assert ids == sorted(ids)
    actions = [(c.entity, c.action) for c in changes]
    company, contact = ("company", "create"), ("contact", "create")
    # A company is created with the first row that is created (a skipped row creates none):
    # row 1's, then row 2 (same company, so row 1 is written first to be looked up beside it),
    # row 3's company, rows 2–4, row 5 updates row 1's contact, row 6's company and row 6.
    assert actions == [company, contact, company, contact, contact, contact,
                       ("contact", "update"), company, contact]  # fmt: skip
    result = undo(db, summary.batch_id or 0)
    assert result.deleted == summary.created + summary.companies_created
    assert fetch_all(db, "SELECT id FROM contacts") == []
    assert _fts(db) == {}


def test_dry_run_writes_nothing(db: Any, attendees: Path) -> None:
    """A dry run rolls back the buffered change rows with the rest."""
    summary = import_file(db, attendees, ImportOptions(dry_run=True))
    assert summary.created == 5
    assert fetch_all(db, "SELECT id FROM import_changes") == []
    assert fetch_all(db, "SELECT id FROM contacts") == []


@pytest.mark.sqlite_only  # SQLite's type affinity: a number kept as text
def test_insert_stored_row_reads_back_what_sqlite_converted(db: Any) -> None:
    """A value SQLite would store differently (a number in a TEXT column) is read back."""
    with transaction(db):
        contact = Contact(first_name="Anna", last_name="Schmidt")
        stored = contacts.insert_stored(db, contact)
        assert stored == fetch_all(db, "SELECT * FROM contacts WHERE id = ?", [contact.id])[0]
        row = {**contacts.to_row(Contact(first_name="Bob")), "created_at": "x", "updated_at": "y"}
        row["notes"] = 42  # TEXT affinity stores '42'
        odd = insert_stored_row(db, "contacts", row)
    assert odd["notes"] == "42"
    assert list(odd) == list(stored)


@pytest.mark.sqlite_only  # SQLite's pragmas (nothing to set on PostgreSQL)
def test_import_pragmas_are_restored(db: Any) -> None:
    """The import's cache and temp-store settings apply only while it runs."""
    before = [db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("cache_size", "temp_store")]
    with import_pragmas(db):
        assert db.execute("PRAGMA temp_store").fetchone()[0] == 2
        assert db.execute("PRAGMA cache_size").fetchone()[0] < before[0]
    after = [db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("cache_size", "temp_store")]
    assert after == before


# --- the reader's and writer's shortcuts answer what the plain paths answer ------------------

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_MAYBE = st.none() | _TEXT


@st.composite
def _contacts(draw: st.DrawFn) -> Contact:
    phone = st.builds(
        Phone, _TEXT, st.sampled_from(("work", "home", "mobile", "fax", "other")), _MAYBE
    )
    return Contact(
        first_name=draw(_MAYBE),
        last_name=draw(_MAYBE),
        native_name=draw(_MAYBE),
        position=draw(_MAYBE),
        emails=draw(st.lists(st.builds(Email, _TEXT, st.sampled_from(("work", "home"))))),
        phones=draw(st.lists(phone, max_size=4)),
        addresses=draw(st.lists(st.builds(Address, st.just("home"), _MAYBE, _MAYBE, _MAYBE))),
        tags=draw(st.lists(_TEXT, max_size=3)),
        aliases=draw(st.lists(_TEXT, max_size=3)),
        extra=draw(st.dictionaries(_TEXT, _TEXT, max_size=3)),
        uid=draw(_MAYBE),
    )


@settings(max_examples=150, deadline=None)
@given(_contacts())
def test_new_values_are_the_stored_row(contact: Contact) -> None:
    """An import's values and names of a new contact are what `to_row` would store and index."""
    row = contacts.to_row(contact)
    assert contacts.new_values(contact) == contacts.row_values(row)
    assert search.names_of(
        contact.first_name, contact.last_name, contact.native_name, contact.aliases
    ) == search.name_part(row)


_JSON_VALUES = st.lists(_TEXT) | st.dictionaries(_TEXT, _TEXT) | st.lists(st.none() | _TEXT)


@settings(max_examples=200, deadline=None)
@given(_JSON_VALUES)
def test_dumps_of_texts_is_the_encoders(value: Any) -> None:
    """Lists of texts and named texts are encoded as the JSON encoder encodes them."""
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    assert dumps(value) == encoder.encode(value)
    assert json.loads(dumps(value)) == value


@settings(max_examples=100, deadline=None)
@given(st.lists(st.builds(Email, _TEXT, st.sampled_from(("work", "home"))), max_size=3))
def test_encode_items_is_encode(emails: list[Email]) -> None:
    assert encode_items(emails) == encode(emails)


def test_new_uids_are_random_uuids() -> None:
    """Uids made in bulk are version 4 UUIDs written as uuid writes them, all different."""
    uids = new_uids(2000)
    assert len(set(uids)) == 2000
    for uid in uids:
        parsed = uuid.UUID(uid)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == uid
    assert new_uids(0) == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Herr", "Frau", "Dr.", "Prof.", "Dipl.-Ing.", "Mr", "med.", "Anna"])
        | _TEXT,
        max_size=4,
    ).map(" ".join)
)
def test_cached_prefixes_are_take_prefixes(text: str) -> None:
    salutation, titles, rest = take_prefixes(text.split())
    assert _prefixes(text) == (salutation, tuple(titles), tuple(rest))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(" \t\n\u00a0\u2003\u200bxä"), max_size=6))
def test_a_cell_counts_when_stripping_leaves_text(cell: str) -> None:
    """The reader counts a cell when `cell.strip()` leaves something: exactly the cells with
    something other than whitespace, as the import summary promises."""
    assert bool(cell.strip()) == bool(cell and not cell.isspace())
