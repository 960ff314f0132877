"""The follow-up journal: notes kept with their history, follow-ups, search over their text."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greentech_cli import migrations
from tests import engines

ENTRY_KEYS = {
    "id", "kind", "text", "at", "contact_id", "contact", "company_id", "company", "visit_id",
    "visit", "delegation_id", "delegation", "owner", "due", "status",
}  # fmt: skip


@pytest.fixture
def people(cli: Any) -> Any:
    """A company, a contact working there, and a delegation with one visit."""
    cli.ok("company", "add", "Lippe Recycling GmbH", "--city", "Lünen")
    cli.ok("contact", "add", "--first", "Petra", "--last", "Schäfer", "--company",
           "Lippe Recycling GmbH", "--email", "petra@lippe.example")  # fmt: skip
    cli.ok("delegation", "add", "kz", "--title", "KZ", "--direction", "incoming", "--start",
           "2026-11-16", "--end", "2026-11-20")  # fmt: skip
    cli.ok("member", "add", "kz", "petra@lippe.example")
    cli.ok("visit", "add", "kz", "--title", "Tour", "--start", "2026-11-17 09:00",
           "--duration", "1h")  # fmt: skip
    return cli


def test_editing_notes_twice_keeps_both_texts_and_search_finds_them(people: Any) -> None:
    people.ok("contact", "edit", "petra@lippe.example", "--notes",
              "2026-11-18 B2B feasibility follow-up call")  # fmt: skip
    people.ok("contact", "edit", "petra@lippe.example", "--notes", "2026-12-10 call done")
    contact = people.json("contact", "show", "petra@lippe.example")
    assert contact["notes"] == "2026-12-10 call done"  # the field shows the latest
    entries = people.json("followup", "list", "--contact", "petra@lippe.example")
    assert [e["text"] for e in entries] == [
        "2026-11-18 B2B feasibility follow-up call",
        "2026-12-10 call done",
    ]
    assert {e["kind"] for e in entries} == {"note"}
    assert all(e["at"] for e in entries)
    hits = people.json("search", "feasibility")
    assert [(h["type"], h["name"]) for h in hits] == [("contact", "Petra Schäfer")]
    assert people.json("search", "feasib") == hits  # a prefix, as for names


def test_company_notes_are_journalled_and_searchable(people: Any) -> None:
    people.ok("company", "edit", "Lippe Recycling GmbH", "--notes", "Sorting line for Almaty")
    people.ok("company", "edit", "Lippe Recycling GmbH", "--notes", "Offer sent")
    entries = people.json("followup", "list", "--company", "Lippe Recycling GmbH")
    assert [e["text"] for e in entries] == ["Sorting line for Almaty", "Offer sent"]
    hits = people.json("search", "almaty sorting")
    assert ("company", "Lippe Recycling GmbH") in [(h["type"], h["name"]) for h in hits]


def test_followup_add_list_done_show(people: Any) -> None:
    added = people.json(
        "followup", "add", "--contact", "petra@lippe.example", "--kind", "lead", "--text",
        "Wants a quote for a Müller press", "--delegation", "kz", "--visit", "1",
        "--due", "2099-01-31", "--owner", "Katrin",
    )  # fmt: skip
    assert set(added) == ENTRY_KEYS
    assert added["kind"] == "lead" and added["status"] == "open"
    assert added["contact"] == "Petra Schäfer"
    assert added["company"] == "Lippe Recycling GmbH"  # the contact's company by default
    assert (added["delegation"], added["visit_id"], added["owner"]) == ("kz", 1, "Katrin")
    assert added["due"] == "2099-01-31"
    # Folded like names: Mueller finds Müller.
    assert [h["name"] for h in people.json("search", "mueller")] == ["Petra Schäfer"]
    assert [e["id"] for e in people.json("followup", "list", "--open")] == [added["id"]]
    assert people.json("followup", "list", "--due") == []  # due in 2099
    assert [e["id"] for e in people.json("followup", "list", "--owner", "katrin")] == [added["id"]]
    assert [e["id"] for e in people.json("followup", "list", "--delegation", "kz")] == [added["id"]]
    result = people.ok("followup", "done", str(added["id"]))
    assert "done" in result.stderr and result.stdout == ""
    assert people.json("followup", "show", str(added["id"]))["status"] == "done"
    assert people.json("followup", "list", "--open") == []
    assert "already done" in people.ok("followup", "done", str(added["id"])).stderr


def test_due_filter_and_past_due_warning(people: Any) -> None:
    result = people.ok(
        "followup", "add", "--contact", "1", "--kind", "next-step", "--text", "Call back",
        "--due", "01.02.2020",
    )  # fmt: skip
    assert "Warning: the due date 2020-02-01 is in the past" in result.stderr
    due = people.json("followup", "list", "--due")
    assert [e["text"] for e in due] == ["Call back"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--contact", "nobody@example.org"], "no contact"),
        (["--contact", "1", "--due", "31.02.2026"], "date"),
        (["--contact", "1", "--due", "soon"], "date"),
        (["--contact", "1", "--visit", "99"], "visit"),
        (["--contact", "1", "--delegation", "nope"], "delegation"),
        (["--company", "Nobody GmbH"], "company"),
    ],
)
def test_bad_followups_write_nothing(people: Any, args: list[str], message: str) -> None:
    before = people.json("followup", "list")
    result = people.fails("followup", "add", "--kind", "call", "--text", "x", *args)
    assert message in result.stderr
    assert people.json("followup", "list") == before


def test_bad_kind_and_missing_target(people: Any) -> None:
    assert (
        "follow-up kind"
        in people.fails(
            "followup", "add", "--contact", "1", "--kind", "gossip", "--text", "x"
        ).stderr
    )
    people.fails("followup", "add", "--kind", "call", "--text", "x", code=2)
    people.fails("followup", "done", "77")
    people.fails("followup", "show", "abc")


def test_existing_notes_are_migrated_from_an_older_database(tmp_path: Path) -> None:
    from greentech_cli.db import open_db

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.apply(conn, ["m001_initial", "m002_rich_records", "m003_audit_without_values"])
    stamp = "2025-01-02T03:04:05+00:00"
    conn.execute(
        "INSERT INTO contacts (id, first_name, notes, created_at, updated_at, uid) "
        "VALUES (1, 'Aigerim', 'Met at the fair; wants a recycling feasibility study', ?, ?, 'u1')",
        [stamp, stamp],
    )
    conn.execute(
        "INSERT INTO companies (id, name, notes, created_at, updated_at, uid) "
        "VALUES (1, 'Lippe', 'Old partner', ?, ?, 'u2')",
        [stamp, stamp],
    )
    conn.close()
    db = open_db(path)
    assert "m007_followups" in migrations.applied_names(db.conn)
    rows = db.execute("SELECT contact_id, company_id, kind, text, at FROM journal ORDER BY id")
    assert rows.fetchall() == [
        (1, None, "note", "Met at the fair; wants a recycling feasibility study", stamp),
        (None, 1, "note", "Old partner", stamp),
    ]
    from greentech_cli.services.records.search import search

    assert [h.id for h in search(db, "feasibility")] == [1]
    db.close()


def test_erasing_a_contact_removes_their_journal_and_its_index(people: Any) -> None:
    people.ok("contact", "edit", "1", "--notes", "Zzyzxword private remark")
    people.ok("followup", "add", "--contact", "1", "--kind", "call", "--text", "Qwertyish call")
    people.ok("privacy", "erase", "1", "--yes")
    assert people.json("followup", "list") == []
    assert people.json("search", "zzyzxword") == []
    data = engines.stored_bytes(people.db_path)
    for word in (b"Zzyzxword", b"zzyzxword", b"Qwertyish", b"qwertyish"):
        assert word not in data


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(min_size=1, max_size=60).filter(lambda t: t.strip() and "\x00" not in t))
def test_any_text_round_trips_through_the_journal(db: Any, text: str) -> None:
    from greentech_cli.services.aftertrip import followups
    from greentech_cli.services.records import contacts

    contact, _ = contacts.add(db, {"first_name": "Ann"})
    entry, _ = followups.add(db, followups.NewFollowup("note", text, contact=str(contact.id)))
    from greentech_cli.text.cleaning import clean

    assert followups.show(db, entry.id or 0).text == clean(text)


def test_merging_contacts_keeps_the_journal_and_attendance(people: Any) -> None:
    people.ok("contact", "add", "--first", "Petra", "--last", "Schaefer", "--email",
              "p.schaefer@other.example")  # fmt: skip
    people.ok("member", "add", "kz", "p.schaefer@other.example")
    people.ok("followup", "add", "--contact", "p.schaefer@other.example", "--kind", "lead",
              "--text", "Second address lead")  # fmt: skip
    people.ok("attendance", "1", "--present", "p.schaefer@other.example")
    people.ok("contact", "merge", "petra@lippe.example", "p.schaefer@other.example", "--yes")
    entries = people.json("followup", "list", "--contact", "petra@lippe.example")
    assert [e["text"] for e in entries] == ["Second address lead"]
    rows = people.json("attendance", "1")
    assert [(r["name"], r["attendance"]) for r in rows] == [("Petra Schäfer", "present")]


def test_merging_companies_keeps_their_journal(people: Any) -> None:
    people.ok("company", "add", "Lippe Recycling", "--notes", "Met at IFAT")
    people.ok("company", "merge", "Lippe Recycling GmbH", "Lippe Recycling", "--yes")
    entries = people.json("followup", "list", "--company", "Lippe Recycling GmbH")
    assert "Met at IFAT" in [e["text"] for e in entries]


def test_notes_from_the_cli_are_signed_and_folded(people: Any) -> None:
    from greentech_cli.store.audit import os_user

    people.ok("contact", "edit", "1", "--notes", "Встреча в Алматы, Kooperation Müller")
    [entry] = people.json("followup", "list", "--contact", "1")
    assert entry["owner"] == os_user()
    for query in ("vstrecha", "almaty", "mueller", "Алматы"):
        assert [h["name"] for h in people.json("search", query)] == ["Petra Schäfer"], query


def test_imported_notes_reach_the_journal_and_search(cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text(
        "first_name,last_name,email,notes\n"
        "Aigerim,Sadykova,a@example.kz,Wants a feasibility study for Shymkent\n",
        encoding="utf-8",
    )
    cli.ok("import", str(source))
    [entry] = cli.json("followup", "list")
    assert entry["text"] == "Wants a feasibility study for Shymkent"
    assert entry["kind"] == "note" and entry["contact"] == "Aigerim Sadykova"
    assert [h["name"] for h in cli.json("search", "feasibility")] == ["Aigerim Sadykova"]


def test_removing_a_company_keeps_its_peoples_followups(people: Any) -> None:
    people.ok("followup", "add", "--contact", "1", "--kind", "call", "--text", "Called Petra")
    people.ok("followup", "add", "--company", "Lippe Recycling GmbH", "--kind", "note",
              "--text", "About the company only")  # fmt: skip
    people.ok("company", "rm", "Lippe Recycling GmbH", "--yes")
    [entry] = people.json("followup", "list")
    assert (entry["text"], entry["contact"], entry["company"]) == (
        "Called Petra", "Petra Schäfer", None,
    )  # fmt: skip


def test_m008_from_a_database_at_m007(tmp_path: Path) -> None:
    from greentech_cli.db import open_db

    path = tmp_path / "m007.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    before = [n for n in migrations.known_names() if n <= "m007_followups"]
    migrations.apply(conn, before)
    stamp = "2026-01-01T00:00:00+00:00"
    conn.execute(
        "INSERT INTO companies (id, name, created_at, updated_at, uid) VALUES (1, 'Lippe', ?, ?, "
        "'u1')",
        [stamp, stamp],
    )
    conn.execute(
        "INSERT INTO contacts (id, first_name, company_id, notes, created_at, updated_at, uid) "
        "VALUES (1, 'Petra', 1, 'Call back', ?, ?, 'u2')",
        [stamp, stamp],
    )
    conn.close()
    db = open_db(path)
    assert "m008_journal_outlives_companies" in migrations.applied_names(db.conn)
    db.execute("DELETE FROM companies WHERE id = 1")
    rows = db.execute("SELECT contact_id, company_id, text FROM journal").fetchall()
    assert rows == [(1, None, "Call back")]
    db.close()
