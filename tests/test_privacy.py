"""Privacy: consent fields, `privacy report` (Art. 15), `privacy erase` leaving no bytes behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from greentech_cli.db import open_db
from greentech_cli.services.records import contacts as contact_service
from greentech_cli.services.safety import privacy
from greentech_cli.store import privacy as privacy_store
from tests import engines

from .conftest import Cli

STAMP = "2026-11-01T10:00:00+00:00"

# The person to erase: Latin and Cyrillic spellings, email, phones.
TARGET = {
    "first_name": "Zhanibek",
    "last_name": "Nurlanovsky",
    "native_name": "Жанибек Нурлановский",
    "email": "zhanibek.nurlanovsky@example.kz",
    "phone": "+7 701 765 43 21",
    "mobile": "+7 777 111 22 33",
    "country": "KZ",
    "notes": "prefers tea",
    "share_consent": "yes",
    # The fields of the rich record, each with a marker of its own.
    "emails": "zhanibek.nurlanovsky@example.kz; zn.privatmarker@home.example",
    "phones": [{"value": "+7 701 765 43 21"}, {"value": "+7 727 250 00 99", "type": "fax"}],
    "addresses": [{"type": "home", "street": "Abaimarker 17", "city": "Almaty"}],
    "websites": ["https://websitemarker.example"],
    "birthday": "17.05.1980",
    "aliases": ["Schanibek Aliasmarker"],
    "extra": {"Industry": "Extramarker recycling"},
}
TARGET_TRACES = [
    "zn.privatmarker",
    "+77272500099",
    "Abaimarker",
    "websitemarker",
    "1980-05-17",
    "Aliasmarker",
    "aliasmarker",
    "Extramarker",
    "Zhanibek",
    "Nurlanovsky",
    "zhanibek",
    "nurlanovsky",
    "Жанибек",
    "Нурлановский",
    "нурлановский",
    "zhanibek.nurlanovsky@example.kz",
    "+77017654321",
    "77017654321",
    "+77771112233",
]
OTHER = {
    "first_name": "Petra",
    "last_name": "Schäferling",
    "email": "petra.schaeferling@lippe.example",
    "phone": "+49 2306 123456",
    "country": "DE",
}


def _ts(db: Any, sql: str, params: list[Any]) -> int:
    return int(db.execute(sql, params).lastrowid)


def populate(db_path: Path) -> dict[str, int]:
    """A database where the target is a member, host, attendee, imported and edited."""
    db = open_db(db_path, create=True)
    target, _ = contact_service.add(db, dict(TARGET))
    other, _ = contact_service.add(db, dict(OTHER))
    third, _ = contact_service.add(db, {"first_name": "Aigerim", "last_name": "Sadykova"})
    contact_service.edit(db, str(target.id), {"position": "Chief engineer"})
    ids = {"target": target.id or 0, "other": other.id or 0, "third": third.id or 0}
    with db.atomic():
        d1 = _ts(
            db,
            "INSERT INTO delegations (code, title, direction, start_date, end_date, timezone, "
            "created_at, updated_at) VALUES ('kz-waste-2026', 'Waste delegation', 'incoming', "
            "'2026-11-16', '2026-11-20', 'Europe/Berlin', ?, ?)",
            [STAMP, STAMP],
        )
        d2 = _ts(
            db,
            "INSERT INTO delegations (code, title, direction, start_date, end_date, timezone, "
            "created_at, updated_at) VALUES ('uz-water-2027', 'Water trip', 'outgoing', "
            "'2027-03-01', '2027-03-05', 'Asia/Tashkent', ?, ?)",
            [STAMP, STAMP],
        )
        for delegation, contact, role, status in (
            (d1, ids["target"], "lead", "confirmed"),
            (d1, ids["third"], "delegate", "registered"),
            (d2, ids["target"], "delegate", "invited"),
        ):
            member = _ts(
                db,
                "INSERT INTO members (delegation_id, contact_id, role, status, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                [delegation, contact, role, status, STAMP, STAMP],
            )
            db.execute(
                "INSERT INTO audit_log (at, user, command, entity, entity_id, action, fields) "
                "VALUES (?, 'officer', 'member add', 'member', ?, 'create', ?)",
                [STAMP, member, json.dumps({"delegation_id": delegation, "contact_id": contact})],
            )
        visits = []
        for n, (title, start) in enumerate(
            (("Briefing", "2026-11-16T09:00"), ("Sorting plant", "2026-11-17T09:00"))
        ):
            visits.append(
                _ts(
                    db,
                    "INSERT INTO visits (delegation_id, title, kind, start_local, end_local, "
                    "timezone, uid, created_at, updated_at) VALUES (?, ?, 'site-visit', ?, ?, "
                    "'Europe/Berlin', ?, ?, ?)",
                    [d1, title, start, start[:-5] + "11:00", f"uid-{n}", STAMP, STAMP],
                )
            )
        # Visit 1 has no named attendees (every registered/confirmed member goes);
        # visit 2 names the third person only, and the target hosts it.
        db.execute(
            "INSERT INTO visit_attendees (visit_id, contact_id) VALUES (?, ?)",
            [visits[1], ids["third"]],
        )
        db.execute(
            "INSERT INTO visit_hosts (visit_id, contact_id) VALUES (?, ?)",
            [visits[1], ids["target"]],
        )
        batch = _ts(
            db,
            "INSERT INTO import_batches (file, content_hash, format, created_at, rows, created) "
            "VALUES ('teilnehmer.csv', 'abc', 'csv', ?, 2, 2)",
            [STAMP],
        )
        image = {k: v for k, v in TARGET.items()} | {"phone": "+77017654321"}
        for entity_id, before, after in (
            (ids["target"], None, image),
            (ids["target"], image, {**image, "notes": "changed"}),
            (ids["other"], None, {**OTHER, "notes": f"met {TARGET['email']} in Almaty"}),
        ):
            db.execute(
                "INSERT INTO import_changes (batch_id, entity, entity_id, action, before, after) "
                "VALUES (?, 'contact', ?, ?, ?, ?)",
                [
                    batch,
                    entity_id,
                    "create" if before is None else "update",
                    None if before is None else json.dumps(before, ensure_ascii=False),
                    json.dumps(after, ensure_ascii=False),
                ],
            )
        # The import also made the target a member of the first delegation.
        target_member = db.execute(
            "SELECT id FROM members WHERE contact_id = ? AND delegation_id = ?",
            [ids["target"], d1],
        ).fetchone()[0]
        db.execute(
            "INSERT INTO import_changes (batch_id, entity, entity_id, action, before, after) "
            "VALUES (?, 'member', ?, 'create', NULL, ?)",
            [
                batch,
                target_member,
                json.dumps({"delegation_id": d1, "contact_id": ids["target"], "role": "lead"}),
            ],
        )
        db.execute(
            "INSERT INTO dedupe_ignores VALUES ('contact', ?, ?, ?)",
            [ids["target"], ids["other"], STAMP],
        )
    ids.update(batch=batch, d1=d1, d2=d2, v1=visits[0], v2=visits[1])
    db.close()
    return ids


@pytest.fixture
def people(db_path: Path) -> dict[str, int]:
    return populate(db_path)


def file_bytes(db_path: Path) -> bytes:
    """The database file and its -wal and -shm, as they are on disk (on PostgreSQL every
    table's rows: `engines.stored_bytes`)."""
    return engines.stored_bytes(db_path)


def traces_in(data: bytes, words: list[str]) -> list[str]:
    return [w for w in words if w.encode("utf-8") in data]


# --- consent fields -------------------------------------------------------------------------


def test_privacy_fields_are_settable_with_contact_edit(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Petra", "--last", "Schäfer", "--email", "p@x.example")
    cli.ok(
        "contact", "edit", "p@x.example", "--lawful-basis", "legitimate-interest",
        "--share-consent", "yes", "--share-consent-date", "18.11.2026",
        "--share-consent-source", "registration form", "--marketing-consent", "no",
    )  # fmt: skip
    shown = cli.json("contact", "show", "p@x.example")
    assert shown["lawful_basis"] == "legitimate-interest"
    assert shown["share_consent"] == "yes"
    assert shown["share_consent_date"] == "2026-11-18"
    assert shown["share_consent_source"] == "registration form"
    assert shown["marketing_consent"] == "no"
    cli.fails("contact", "edit", "p@x.example", "--lawful-basis", "because")
    cli.fails("contact", "edit", "p@x.example", "--share-consent", "maybe")
    cli.fails("contact", "edit", "p@x.example", "--share-consent-date", "someday")
    # The audit entry names the changed fields, never their values.
    entries = cli.json("log", "--entity", "contact")
    assert entries[0]["fields"] == {
        "fields": [
            "lawful_basis",
            "marketing_consent",
            "share_consent",
            "share_consent_date",
            "share_consent_source",
        ]
    }
    assert "registration form" not in json.dumps(entries)


# --- report ---------------------------------------------------------------------------------


def test_report_lists_record_memberships_visits_batches_and_audit(
    cli: Cli, people: dict[str, int]
) -> None:
    report = cli.json("privacy", "report", TARGET["email"])
    assert report["contact"]["id"] == people["target"]
    assert report["contact"]["native_name"] == TARGET["native_name"]
    assert report["contact"]["phone"] == "+77017654321"
    assert report["contact"]["created_at"]
    memberships = {(m["code"], m["role"], m["status"]) for m in report["memberships"]}
    assert memberships == {
        ("kz-waste-2026", "lead", "confirmed"),
        ("uz-water-2027", "delegate", "invited"),
    }
    assert {m["title"] for m in report["memberships"]} == {"Waste delegation", "Water trip"}
    visits = {(v["title"], v["as"]) for v in report["visits"]}
    # Briefing: no named attendees, so confirmed members attend; Sorting plant: they host it.
    assert visits == {("Briefing", "member"), ("Sorting plant", "host")}
    assert [
        (b["batch_id"], b["file"], b["entity"], b["action"]) for b in report["import_batches"]
    ] == [
        (people["batch"], "teilnehmer.csv", "contact", "create"),
        (people["batch"], "teilnehmer.csv", "contact", "update"),
        (people["batch"], "teilnehmer.csv", "member", "create"),
    ]
    actions = [(a["entity"], a["action"]) for a in report["audit"]]
    assert ("contact", "create") in actions and ("contact", "update") in actions
    assert actions.count(("member", "create")) == 2
    assert {a["command"] for a in report["audit"] if a["entity"] == "contact"} == {"api"}


def test_report_of_someone_without_links(cli: Cli, people: dict[str, int]) -> None:
    report = cli.json("privacy", "report", str(people["other"]))
    assert report["memberships"] == [] and report["visits"] == []
    assert [b["action"] for b in report["import_batches"]] == ["create"]


def test_report_attendee_named_on_a_visit(cli: Cli, people: dict[str, int]) -> None:
    report = cli.json("privacy", "report", str(people["third"]))
    assert {(v["title"], v["as"]) for v in report["visits"]} == {
        ("Briefing", "member"),
        ("Sorting plant", "attendee"),
    }


def test_report_as_yaml_and_as_text(cli: Cli, people: dict[str, int]) -> None:
    out = cli.ok("privacy", "report", TARGET["email"], "--format", "yaml").stdout
    data = yaml.safe_load(out)
    assert data["contact"]["native_name"] == "Жанибек Нурлановский"
    assert "Жанибек" in out  # allow_unicode: not escaped
    assert list(data) == [
        "generated_at",
        "contact",
        "memberships",
        "dietary",
        "visits",
        "followups",
        "b2b",
        "import_batches",
        "images",
        "decisions",
        "mentions",
        "audit",
        "merges",
    ]
    text = cli.ok("privacy", "report", TARGET["email"]).stdout
    for expected in ("Жанибек Нурлановский", "kz-waste-2026", "teilnehmer.csv", "Sorting plant"):
        assert expected in text
    cli.fails("privacy", "report", "nobody@example.kz")
    cli.fails("privacy", "report", TARGET["email"], "--format", "xml", code=2)


# --- erase ----------------------------------------------------------------------------------


def test_erase_leaves_no_trace_in_the_file_bytes(cli: Cli, people: dict[str, int]) -> None:
    db_path = cli.db_path
    # Keep a reader open meanwhile, as another greentech process could: the WAL then exists.
    before = file_bytes(db_path)
    assert traces_in(before, TARGET_TRACES), "the test data should be in the file before"
    result = cli.ok("privacy", "erase", TARGET["email"], "--yes")
    assert "Erased contact" in result.stderr
    assert "Zhanibek" not in result.stderr  # the summary names no one
    after = file_bytes(db_path)
    assert traces_in(after, TARGET_TRACES) == []
    # Everyone else is intact, and still found by search.
    assert cli.json("contact", "show", OTHER["email"])["last_name"] == "Schäferling"
    assert {h["id"] for h in cli.json("search", "Schäferling")} == {people["other"]}
    assert {h["id"] for h in cli.json("search", "Aigerim")} == {people["third"]}
    assert cli.json("search", "Nurlanovsky") == []
    assert cli.fails("contact", "show", str(people["target"]))
    conn = engines.connect(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 2
        assert conn.execute("SELECT contact_id FROM members").fetchall() == [(people["third"],)]
        assert conn.execute("SELECT count(*) FROM visit_hosts").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM visit_attendees").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM dedupe_ignores").fetchone()[0] == 0
        (image,) = conn.execute("SELECT after FROM import_changes").fetchone()
        other_image = json.loads(image)
        assert other_image["email"] == OTHER["email"]
        assert other_image["notes"] == "met [erased] in Almaty"
        erase_entries = conn.execute(
            "SELECT user, command, entity, entity_id, fields FROM audit_log WHERE action = 'erase'"
        ).fetchall()
        assert len(erase_entries) == 1
        user, command, entity, entity_id, fields = erase_entries[0]
        assert (command, entity, entity_id, fields) == (
            "privacy erase",
            "contact",
            people["target"],
            "{}",
        )
        assert user
        left = conn.execute(
            "SELECT count(*) FROM audit_log WHERE entity = 'contact' AND entity_id = ?",
            [people["target"]],
        ).fetchone()[0]
        assert left == 1
        if not engines.on_postgres():  # the SQLite file is sound
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert cli.ok("doctor").exit_code == 0


def test_erase_while_another_connection_reads(db_path: Path, people: dict[str, int]) -> None:
    reader = engines.connect(db_path)
    reader.execute("SELECT count(*) FROM contacts").fetchone()  # open, no transaction held
    db = open_db(db_path)
    try:
        result = privacy.erase(db, people["target"])
    finally:
        db.close()
    reader.close()
    assert result.compacted
    assert result.memberships == 2 and result.visit_links == 1
    assert result.import_images == 3 and result.masked_images == 1
    assert traces_in(file_bytes(db_path), TARGET_TRACES) == []


def test_erase_needs_confirmation(cli: Cli, people: dict[str, int]) -> None:
    dump_before = dump(cli.db_path)
    result = cli.fails("privacy", "erase", TARGET["email"])
    assert "--yes" in result.stderr
    result = cli("privacy", "erase", TARGET["email"], input="n\n")
    assert result.exit_code == 1
    assert dump(cli.db_path) == dump_before
    cli.fails("privacy", "erase", "999", "--yes")
    assert dump(cli.db_path) == dump_before


def test_erase_warns_about_older_copies(cli: Cli, people: dict[str, int]) -> None:
    cli.ok("backup")
    result = cli.ok("privacy", "erase", str(people["target"]), "--yes")
    assert "older copy" in result.stderr


def test_scrubber_masks_only_the_person() -> None:
    scrubber = privacy_store.Scrubber({"id": 7, **TARGET})
    image = {
        "rows": [
            {"contact_id": 7, "first_name": "Zhanibek", "role": "lead"},
            {"email": "ZHANIBEK.NURLANOVSKY@example.kz", "last_name": "Nurlanovsky", "id": 3},
            {"first_name": "Aigerim", "notes": "with Zhanibek Nurlanovsky"},
        ]
    }
    masked = scrubber.mask(image)
    assert masked["rows"][0] == {"contact_id": 7, "first_name": None, "role": "lead"}
    assert masked["rows"][1] == {"email": None, "last_name": None, "id": 3}
    assert masked["rows"][2] == {"first_name": "Aigerim", "notes": "with [erased]"}
    assert scrubber.mask_text("not json Жанибек Нурлановский") == "not json [erased]"


def dump(db_path: Path) -> list[str]:
    return engines.dump(db_path)


def test_erase_after_a_merge_removes_the_merged_record_too(cli: Cli) -> None:
    cli.ok(
        "contact", "add", "--first", "Zhanibek", "--last", "Nurlanovsky", "--email", "zh@kz.example"
    )
    cli.ok(
        "contact", "add", "--first", "Schanibek", "--last", "Nurlanowski", "--email",
        "schanibek@mail.example", "--native-name", "Жанибек Нурлановский",
    )  # fmt: skip
    cli.ok("contact", "add", "--first", "Aigerim", "--last", "Sadykova")
    merged = cli("contact", "merge", "1", "2", "--yes")
    if merged.exit_code == 2 and "No such command" in merged.stderr:
        pytest.skip("contact merge is not registered yet")
    assert merged.exit_code == 0, merged.stderr
    cli.ok("privacy", "erase", "1", "--yes")
    words = ["Zhanibek", "Schanibek", "Nurlanowski", "schanibek@mail.example", "Жанибек"]
    assert traces_in(file_bytes(cli.db_path), words) == []
    entries = cli.json("log", "--entity", "contact")
    assert {(e["entity_id"], e["action"]) for e in entries} == {(1, "erase"), (3, "create")}
