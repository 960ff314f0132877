"""Privacy and the follow-up journal (issue 19): `privacy report` lists the person's own
follow-ups and the journal entries that mention them; `privacy erase --redact-mentions` leaves
none of their values in the journal, its earlier texts (each note a record had), its folded
search keys or its full-text index — nor in any byte of the file, its WAL and SHM."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from greentech_cli.text.fulltext import search_terms
from tests import engines

from .conftest import Cli

PERSON = ("--first", "Quortelia", "--last", "Vambrusk", "--email",
          "quortelia.vambrusk@markermail.example", "--phone", "+49 521 9988776")  # fmt: skip
EMAIL = "quortelia.vambrusk@markermail.example"
OWN = ["notemarker zanthoxylum", "leadmarker wants a quillobaler"]
MARKERS = ["Quortelia", "Vambrusk", EMAIL, "+495219988776", "notemarker", "zanthoxylum",
           "leadmarker", "quillobaler"]  # fmt: skip
# The folded search terms of each marker (lower case, transliterated): the journal's keys; not
# the mail domain's, which others share.
FOLDED = sorted(
    {t for m in MARKERS for t in search_terms(m) if len(t) >= 5} - set(search_terms("example"))
)
# A word of the person's own note that another entry uses too: it stays with that entry.
SHARED = set(search_terms("zanthoxylum")) | {"zanthoxylum"}


def traces(db_path: Path) -> list[str]:
    data = engines.stored_bytes(db_path)
    return [m for m in {*MARKERS, *FOLDED} if m.encode() in data or m.lower().encode() in data]


def index_terms(db_path: Path) -> set[str]:
    """Every term of every full-text index (read from the index itself, not the bytes)."""
    return engines.index_terms(db_path)


@pytest.fixture
def journal(cli: Cli) -> dict[str, Any]:
    """The person with a note and a lead of their own; another contact whose notes (two of
    them, so the journal keeps the earlier one) and a call mention the person; a company whose
    follow-up mentions their phone."""
    cli.ok("contact", "add", *PERSON)
    cli.ok("contact", "edit", EMAIL, "--notes", OWN[0])
    cli.ok("followup", "add", "--contact", EMAIL, "--kind", "lead", "--text", OWN[1])
    cli.ok("company", "add", "Lorrimer Recycling")
    cli.ok("contact", "add", "--first", "Hedda", "--last", "Lorrimer", "--email",
           "hedda@lorrimer.example", "--company", "Lorrimer Recycling")  # fmt: skip
    cli.ok("contact", "edit", "hedda@lorrimer.example", "--notes",
           "Introduced by Quortelia Vambrusk at the fair")  # fmt: skip
    cli.ok("contact", "edit", "hedda@lorrimer.example", "--notes", f"Ask {EMAIL} about it")
    cli.ok("followup", "add", "--contact", "hedda@lorrimer.example", "--kind", "call",
           "--text", "Called Vambrusk, Quortelia about the zanthoxylum offer")  # fmt: skip
    cli.ok("followup", "add", "--company", "Lorrimer Recycling", "--kind", "next-step",
           "--text", "Send the offer to +49 (521) 99 88 776")  # fmt: skip
    person = cli.json("contact", "show", EMAIL)["id"]
    other = [e for e in cli.json("followup", "list") if e["contact_id"] != person]
    return {"person": person, "other": other}


def test_report_lists_own_followups_and_journal_mentions(cli: Cli, journal: dict) -> None:
    report = cli.json("privacy", "report", EMAIL)
    own = report["followups"]
    assert [(e["kind"], e["text"]) for e in own] == [("note", OWN[0]), ("lead", OWN[1])]
    assert all(e["contact_id"] == journal["person"] for e in own)
    found = {(m["record"], m["id"], m["field"]) for m in report["mentions"]}
    mentioning = {e["id"] for e in journal["other"] if e["text"] != "Hedda"}
    assert {("journal", i, "text") for i in mentioning} <= found
    assert len([m for m in found if m[0] == "journal"]) == 4  # two notes, a call, a next step
    text = cli.ok("privacy", "report", EMAIL).stdout
    assert "Followups (2)" in text and "leadmarker" in text
    assert "followups" in cli.ok("privacy", "report", EMAIL, "--format", "yaml").stdout


def test_erase_removes_own_entries_and_redacts_mentions_everywhere(cli: Cli, journal: dict) -> None:
    assert set(traces(cli.db_path)) == {*MARKERS, *FOLDED}
    assert {"quortelia", "vambrusk", "zanthoxylum"} <= index_terms(cli.db_path)
    assert {h["id"] for h in cli.json("search", "Vambrusk")} >= {journal["person"]}
    result = cli.ok("privacy", "erase", EMAIL, "--redact-mentions", "--yes")
    assert "Redacted" in result.stderr
    # The person's own entries are gone; the others stay, their mentions redacted.
    entries = cli.json("followup", "list")
    assert {e["id"] for e in entries} >= {e["id"] for e in journal["other"]}
    assert all(e["contact_id"] != journal["person"] for e in entries)
    texts = {e["id"]: e["text"] for e in entries}
    call = next(e for e in journal["other"] if e["kind"] == "call")
    assert texts[call["id"]] == "Called [erased] about the zanthoxylum offer"
    # Not in the bytes of the file, WAL or SHM; not in the full-text index; not found.
    assert set(traces(cli.db_path)) == SHARED
    terms = index_terms(cli.db_path)
    assert not (set(FOLDED) - SHARED) & terms
    assert cli.json("search", "Vambrusk") == []
    assert cli.json("search", "quortelia") == []
    conn = engines.connect(cli.db_path)
    try:
        if not engines.on_postgres():  # SQLite's free pages (PostgreSQL's VACUUM is the server's)
            assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        keys = [r[0] for r in conn.execute("SELECT search_keys FROM journal")]
        assert not [k for k in keys if "vambrusk" in k or "quortelia" in k], keys
    finally:
        conn.close()
    # The redacted call is still found by its other words.
    hedda = cli.json("contact", "show", "hedda@lorrimer.example")["id"]
    assert {h["id"] for h in cli.json("search", "zanthoxylum")} == {hedda}


def test_erase_without_redaction_removes_own_entries_and_names_the_rest(
    cli: Cli, journal: dict
) -> None:
    result = cli.ok("privacy", "erase", EMAIL, "--yes")
    assert "still mention them" in result.stderr
    assert "journal" in result.stderr
    left = set(traces(cli.db_path))
    assert not left & {"notemarker", "leadmarker", "quillobaler", "+495219988776"}
    assert not {"notemarker", "leadmarker", "quillobaler"} & index_terms(cli.db_path)
