"""Privacy, issue 15 item 8: erase removes only the person's own audit entries; the report lists
undo images, "not the same person" decisions and free-text mentions; `erase --redact-mentions`
replaces those mentions; afterwards no byte of the file, its WAL or SHM, the search index or the
free pages holds any of the person's values."""

from __future__ import annotations

import json
from pathlib import Path

from greentech_cli.db import open_db
from greentech_cli.services.records import contacts as contact_service
from greentech_cli.store import privacy as privacy_store
from greentech_cli.text.mentions import Mentions
from tests import engines

from .conftest import Cli

STAMP = "2026-11-01T10:00:00+00:00"

# Unique marker values: each can only come from the person to erase.
PERSON = {
    "first_name": "Quortelia",
    "last_name": "Vambrusk",
    "native_name": "Квортелия Вамбруск",
    "email": "quortelia.vambrusk@markermail.example",
    "phone": "+49 521 9988776",
    "notes": "notemarker: allergic to zanthoxylum",
    "tags": ["tagmarkerxyz"],
    "country": "DE",
}
MARKERS = [
    "Quortelia",
    "quortelia",
    "Vambrusk",
    "vambrusk",
    "Квортелия",
    "Вамбруск",
    "вамбруск",
    "quortelia.vambrusk@markermail.example",
    "+495219988776",
    "5219988776",
    "notemarker",
    "zanthoxylum",
    "tagmarkerxyz",
]
# Free text of other records that mentions the person, each spelled another way.
MENTIONS = {
    ("contacts", "notes"): "Introduced by Quortelia Vambrusk at the fair",
    ("companies", "notes"): "Ask quortelia.vambrusk@markermail.example about the contract",
    ("delegations", "notes"): "Call +49 (521) 99 88 776 before the trip",
    ("members", "notes"): "Shares a room with Vambrusk, Quortelia",
    ("visits", "notes"): "Interpreter: Квортелия Вамбруск",
}


# A marker only an FTS5 index makes: it keeps every word lower-cased, Cyrillic ones too; the
# tsvector of PostgreSQL's index holds the words as lower() leaves them under the server's locale
# (Cyrillic as written in the "C.UTF-8" one of the tests) beside the folded keys.
FTS5_ONLY = {"вамбруск"}


def stored_markers() -> set[str]:
    """The markers a populated database holds before the erase."""
    return set(MARKERS) - (FTS5_ONLY if engines.on_postgres() else set())


def file_bytes(db_path: Path) -> bytes:
    """The file, its WAL and SHM (on PostgreSQL every table's rows: `engines.stored_bytes`)."""
    return engines.stored_bytes(db_path)


def traces(data: bytes) -> list[str]:
    return [m for m in MARKERS if m.encode("utf-8") in data]


def populate(db_path: Path) -> dict[str, int]:
    """The person, another contact, a company, a delegation, a membership and a visit whose
    free text mention the person; an import image of each; a "not the same person" decision."""
    db = open_db(db_path, create=True)
    person, _ = contact_service.add(db, dict(PERSON))
    other, _ = contact_service.add(
        db,
        {"first_name": "Hedda", "last_name": "Lorrimer", "email": "hedda@lorrimer.example"},
    )
    ids = {"person": person.id or 0, "other": other.id or 0}
    conn = db
    with db.atomic():
        conn.execute(
            "UPDATE contacts SET notes = ? WHERE id = ?",
            [MENTIONS[("contacts", "notes")], ids["other"]],
        )
        ids["company"] = conn.execute(
            "INSERT INTO companies (name, notes, created_at, updated_at) VALUES (?, ?, ?, ?)",
            ["Lorrimer Recycling", MENTIONS[("companies", "notes")], STAMP, STAMP],
        ).lastrowid
        ids["delegation"] = conn.execute(
            "INSERT INTO delegations (code, title, direction, start_date, end_date, timezone, "
            "notes, created_at, updated_at) VALUES ('de-2026', 'Trip', 'outgoing', "
            "'2026-11-16', '2026-11-20', 'Europe/Berlin', ?, ?, ?)",
            [MENTIONS[("delegations", "notes")], STAMP, STAMP],
        ).lastrowid
        ids["member"] = conn.execute(
            "INSERT INTO members (delegation_id, contact_id, notes, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [ids["delegation"], ids["other"], MENTIONS[("members", "notes")], STAMP, STAMP],
        ).lastrowid
        ids["visit"] = conn.execute(
            "INSERT INTO visits (delegation_id, title, start_local, end_local, timezone, uid, "
            "notes, created_at, updated_at) VALUES (?, 'Plant', '2026-11-17T09:00', "
            "'2026-11-17T11:00', 'Europe/Berlin', 'uid-1', ?, ?, ?)",
            [ids["delegation"], MENTIONS[("visits", "notes")], STAMP, STAMP],
        ).lastrowid
        ids["batch"] = conn.execute(
            "INSERT INTO import_batches (file, content_hash, format, created_at) "
            "VALUES ('list.csv', 'h', 'csv', ?)",
            [STAMP],
        ).lastrowid
        image = {**PERSON, "phone": "+495219988776", "tags": ["tagmarkerxyz"]}
        for entity_id, before, after in (
            (ids["person"], image, {**image, "position": "Buyer"}),
            (ids["other"], None, {"first_name": "Hedda", "notes": "met Quortelia Vambrusk"}),
        ):
            conn.execute(
                "INSERT INTO import_changes (batch_id, entity, entity_id, action, before, after) "
                "VALUES (?, 'contact', ?, 'update', ?, ?)",
                [
                    ids["batch"],
                    entity_id,
                    json.dumps(before, ensure_ascii=False) if before else None,
                    json.dumps(after, ensure_ascii=False),
                ],
            )
        conn.execute(
            "INSERT INTO dedupe_ignores VALUES ('contact', ?, ?, ?)",
            [ids["person"], ids["other"], STAMP],
        )
    db.close()
    return ids


def journal_entries(db_path: Path, person: int) -> list[int]:
    """The follow-up journal's entries (each note written to a contact or company) that are not
    the person's own, if there is a journal."""
    conn = engines.connect(db_path)
    try:
        if "journal" not in engines.table_names(db_path):
            return []
        rows = conn.execute(
            "SELECT id FROM journal WHERE coalesce(contact_id, 0) != ? ORDER BY id", [person]
        )
        return [r[0] for r in rows]
    finally:
        conn.close()


def test_report_lists_images_decisions_and_mentions(cli: Cli) -> None:
    ids = populate(cli.db_path)
    report = cli.json("privacy", "report", PERSON["email"])
    kinds = {(i["table"], i["entity_id"], i["about"]) for i in report["images"]}
    assert kinds == {
        ("import_changes", ids["person"], "them"),
        ("import_changes", ids["other"], "mention"),
    }
    own = next(i for i in report["images"] if i["about"] == "them")
    assert own["before"]["notes"] == PERSON["notes"]  # the undo before-image, decoded
    assert report["decisions"] == [
        {"other_id": ids["other"], "decision": "not the same person", "decided_at": STAMP}
    ]
    found = {(m["record"], m["id"], m["field"]) for m in report["mentions"]}
    assert found == {
        ("contact", ids["other"], "notes"),
        ("company", ids["company"], "notes"),
        ("delegation", ids["delegation"], "notes"),
        ("member", ids["member"], "notes"),
        ("visit", ids["visit"], "notes"),
        # The follow-up journal keeps each note a contact or company had.
        *(("journal", entry, "text") for entry in journal_entries(cli.db_path, ids["person"])),
    }
    delegation = next(m for m in report["mentions"] if m["record"] == "delegation")
    assert "+49 (521) 99 88 776" in delegation["excerpts"][0]
    # The person's own notes are no mention; a first name alone is none either.
    text = cli.ok("privacy", "report", PERSON["email"]).stdout
    assert "Mentions (7)" in text and "Decisions (1)" in text and "Images (2)" in text


def test_erase_with_redact_mentions_leaves_no_marker_anywhere(cli: Cli) -> None:
    ids = populate(cli.db_path)
    before = file_bytes(cli.db_path)
    assert set(traces(before)) == stored_markers()
    result = cli.ok("privacy", "erase", PERSON["email"], "--redact-mentions", "--yes")
    assert "Redacted 7 mention(s)" in result.stderr
    assert traces(result.stderr.encode()) == []
    assert traces(file_bytes(cli.db_path)) == []
    conn = engines.connect(cli.db_path)
    try:
        if not engines.on_postgres():  # SQLite's free pages (PostgreSQL's VACUUM is the server's)
            assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        notes = dict(
            conn.execute(
                "SELECT 'contact', notes FROM contacts WHERE id = ? UNION ALL "
                "SELECT 'delegation', notes FROM delegations UNION ALL "
                "SELECT 'visit', notes FROM visits",
                [ids["other"]],
            ).fetchall()
        )
        assert notes == {
            "contact": "Introduced by [erased] at the fair",
            "delegation": "Call [erased] before the trip",
            "visit": "Interpreter: [erased]",
        }
        redactions = conn.execute(
            "SELECT entity, entity_id, fields FROM audit_log WHERE action = 'redact' ORDER BY id"
        ).fetchall()
        assert len(redactions) == 7
        assert (
            "member",
            ids["member"],
            json.dumps({"fields": ["notes"]}, separators=(",", ":")),
        ) in redactions
    finally:
        conn.close()
    assert cli.json("contact", "show", "hedda@lorrimer.example")["last_name"] == "Lorrimer"


def test_erase_without_redaction_names_the_mentions_it_leaves(cli: Cli) -> None:
    ids = populate(cli.db_path)
    result = cli.ok("privacy", "erase", str(ids["person"]), "--yes")
    assert "7 field(s) of other records still mention them" in result.stderr
    assert f"delegation {ids['delegation']} notes" in result.stderr
    assert "--redact-mentions" in result.stderr
    conn = engines.connect(cli.db_path)
    try:
        (kept,) = conn.execute("SELECT notes FROM visits").fetchone()
    finally:
        conn.close()
    assert kept == MENTIONS[("visits", "notes")]  # nothing changed without being asked
    left = traces(file_bytes(cli.db_path))
    assert "notemarker" not in left and "tagmarkerxyz" not in left and "+495219988776" not in left


def _audit_ids(db_path: Path, contact_id: int) -> list[int]:
    conn = engines.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT id FROM audit_log WHERE entity = 'contact' AND entity_id = ? ORDER BY id",
            [contact_id],
        ).fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]


def test_erase_removes_only_the_persons_own_audit_entries(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Ada", "--last", "Erasemoor", "--email", "ada@x.example")
    cli.ok("contact", "add", "--first", "Bert", "--last", "Staying", "--email", "bert@x.example")
    cli.ok("contact", "edit", "bert@x.example", "--position", "Buyer")
    erased = cli.json("contact", "show", "ada@x.example")["id"]
    bert = cli.json("contact", "show", "bert@x.example")["id"]
    # A record said to be merged into Ada that exists again (the merge was undone): someone on
    # file now, whose history is not Ada's.
    conn = engines.connect(cli.db_path)
    with conn:
        conn.execute(
            "INSERT INTO audit_log (at, user, command, entity, entity_id, action, fields) "
            "VALUES (?, 'officer', 'contact merge', 'contact', ?, 'merge', ?)",
            [STAMP, bert, json.dumps({"into": erased})],
        )
    conn.close()
    bert_history = _audit_ids(cli.db_path, bert)
    cli.ok("privacy", "erase", "ada@x.example", "--yes")
    assert _audit_ids(cli.db_path, bert) == bert_history
    # Ids are never given again: the next contact gets a new one, and Ada's erase entry stays
    # hers alone.
    cli.ok("contact", "add", "--first", "Cora", "--last", "New", "--email", "cora@x.example")
    cora = cli.json("contact", "show", "cora@x.example")["id"]
    assert cora > erased
    erase_entries = _audit_ids(cli.db_path, erased)
    assert len(erase_entries) == 1


def test_image_tables_are_one_list() -> None:
    # A new table of images (e.g. a merge's before-images) is found by adding one line.
    assert [t.table for t in privacy_store.IMAGE_TABLES] == ["import_changes"]
    assert all(t.images for t in privacy_store.IMAGE_TABLES)


def test_mentions_need_more_than_a_first_name() -> None:
    finder = Mentions(
        {"id": 1, "first_name": "Anna", "last_name": "Schmidt", "phone": "+4930123456"}
    )
    assert finder.excerpts("Anna will come") == []
    assert finder.excerpts("Annabel Schmidtke") == []
    assert len(finder.excerpts("with anna  schmidt, tel. 030 123456? no: +49 30 123456")) == 2
    assert finder.redact({"k": ["Schmidt, Anna"]}) == {"k": ["[erased]"]}
