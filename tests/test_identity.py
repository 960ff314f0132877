"""The right person, and only that person: the acceptance points of the duplicate-rules issue.

Same person (acted on by import) and possibly the same (listed, never acted on) kept apart;
numbered names and placeholders; merge with aliases, --take and unmerge; a used email refused by
`contact add`/`edit` unless --force; a skipped row creates nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from greentech_cli.services.identity.matcher import Candidate, score
from greentech_cli.text.names import is_placeholder, name_key, name_keys
from tests import engines
from tests.conftest import Cli

HEADER = "Vorname;Nachname;Firma;E-Mail\n"
NAMESAKES = (
    HEADER + "Alexander;Schmidt;Siemens AG;a.schmidt@siemens.example\n"
    "Alexander;Schmidt;Siemens AG;alexander.schmidt2@siemens.example\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(cli: Cli, path: Path, *options: str) -> dict[str, Any]:
    return json.loads(cli.ok("import", str(path), *options, "--format", "json").stdout)


# --- the namesakes of the issue ------------------------------------------------------------------


def test_namesakes_are_both_created_and_named_as_possible_duplicates(
    cli: Cli, tmp_path: Path
) -> None:
    summary = _import(cli, _write(tmp_path, "namesakes.csv", NAMESAKES))
    assert (summary["created"], summary["updated"], summary["skipped"]) == (2, 0, 0)
    assert summary["possible_duplicate_count"] == 1
    [possible] = summary["possible_duplicates"]
    assert (possible["row"], possible["contact_id"], possible["created_id"]) == (2, 1, 2)
    assert possible["score"] >= 70
    assert "same company" in possible["reasons"] and "different emails" in possible["reasons"]
    emails = sorted(c["email"] for c in cli.json("contact", "list"))
    assert emails == ["a.schmidt@siemens.example", "alexander.schmidt2@siemens.example"]
    # A dry run into an empty database says the same, without ids that do not exist.
    dry = Cli(tmp_path / "dry.db")
    result = dry.ok("import", str(_write(tmp_path, "dry.csv", NAMESAKES)), "--dry-run")
    assert "row 2 may be contact 1" in " ".join(result.stdout.split())
    assert "would be created" in " ".join(result.stdout.split())


def test_the_table_summary_names_the_possible_duplicate(cli: Cli, tmp_path: Path) -> None:
    result = cli.ok("import", str(_write(tmp_path, "namesakes.csv", NAMESAKES)))
    text = " ".join(result.stdout.split())
    assert "row 2 may be contact 1: same folded name, same company, different emails" in text
    assert "greentech contact merge 1 2" in text


def test_update_overwrites_nobody(cli: Cli, tmp_path: Path) -> None:
    first = _write(tmp_path, "first.csv", HEADER + NAMESAKES.splitlines(keepends=True)[1])
    second = _write(tmp_path, "second.csv", HEADER + NAMESAKES.splitlines(keepends=True)[2])
    _import(cli, first)
    summary = _import(cli, second, "--on-duplicate", "update")
    assert (summary["created"], summary["updated"]) == (1, 0)
    stored = {c["id"]: c["email"] for c in cli.json("contact", "list")}
    assert stored == {1: "a.schmidt@siemens.example", 2: "alexander.schmidt2@siemens.example"}
    # The whole file again with update: each row is its own contact, nobody else's.
    summary = _import(cli, _write(tmp_path, "both.csv", NAMESAKES), "--on-duplicate", "update")
    assert summary["created"] == 0
    assert {c["id"]: c["email"] for c in cli.json("contact", "list")} == stored


# --- numbered names and placeholders -------------------------------------------------------------


def test_digits_stay_in_name_keys_and_placeholders_have_none() -> None:
    assert name_key("Test1", None) != name_key("Test2", None)
    assert name_keys("Ölçer1", "Groß") != name_keys("Ölçer29", "Groß")
    assert name_key("Müller", "Jürgen") == name_key("Jürgen", "Mueller")
    for first, last in (("N.N.", None), ("TBD", None), ("?", None), ("Teilnehmer 1", None),
                        ("N. N.", ""), (None, "NN"), ("Gast", "2")):  # fmt: skip
        assert is_placeholder(first, last), (first, last)
        assert name_keys(first, last) == set() and name_key(first, last) == ""
    assert not is_placeholder("Hans", "Gast") and not is_placeholder("Test1", "Müller")


def test_placeholders_and_numbered_names_never_match_by_name() -> None:
    firm = {"company": "Siemens AG"}
    assert score(Candidate("N.N.", **firm), Candidate("N.N.", **firm)) is None
    assert score(Candidate("Teilnehmer 1", **firm), Candidate("Teilnehmer 2", **firm)) is None
    assert score(Candidate("Test1", "Müller", **firm), Candidate("Test2", "Müller", **firm)) is None
    # The same email still matches a placeholder.
    found = score(Candidate("N.N.", email="x@siemens.example"), Candidate("Hans", "Meier",
                  email="X@siemens.example"))  # fmt: skip
    assert found is not None and found.same


def _numbered_contacts(cli: Cli, tmp_path: Path) -> None:
    rows = [f"Test{i};Müller;Testfirma GmbH;\n" for i in range(1, 31)]
    rows += ["N.N.;;Testfirma GmbH;\n", "N.N.;;Testfirma GmbH;\n"]
    rows += ["Ölçer1;Groß;;\n", "Ölçer29;Groß;;\n"]
    summary = _import(cli, _write(tmp_path, "numbered.csv", HEADER + "".join(rows)))
    assert summary["created"] == 34


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv", "vcf"])
def test_export_all_then_import_into_an_empty_database_keeps_every_contact(
    cli: Cli, tmp_path: Path, fmt: str
) -> None:
    _numbered_contacts(cli, tmp_path)
    out = tmp_path / f"all.{fmt}"
    cli.ok("export", "contacts", "--all", "--format", fmt, "--out", str(out))
    empty = Cli(tmp_path / "empty.db")
    summary = _import(empty, out)
    assert summary["created"] == 34
    names = sorted(c["first_name"] or "" for c in empty.json("contact", "list"))
    assert names.count("N.N.") == 2 and "Test30" in names and "Ölçer29" in names
    assert len(names) == 34


def test_numbered_rows_without_uids_stay_apart(cli: Cli, tmp_path: Path) -> None:
    _numbered_contacts(cli, tmp_path)
    assert len(cli.json("contact", "list")) == 34


# --- middle names --------------------------------------------------------------------------------


def test_middle_name_with_the_same_email_fills_and_keeps_the_other_name_as_alias(
    cli: Cli, tmp_path: Path
) -> None:
    _import(cli, _write(tmp_path, "a.csv", HEADER + "John;Doe;Doe Logistics GmbH;jd@doe.example\n"))
    second = "John Richter;Doe;Doe Logistics GmbH;jd@doe.example\n"
    summary = _import(cli, _write(tmp_path, "b.csv", HEADER + second))
    assert (summary["created"], summary["updated"]) == (0, 1)
    [john] = cli.json("contact", "list")
    assert john["first_name"] == "John"
    assert john["aliases"] == ["John Richter Doe"]
    # The alias is searchable.
    assert [c["id"] for c in cli.json("search", "Richter")] == [john["id"]]


# --- contact add / edit with a used email --------------------------------------------------------


def test_contact_add_with_a_used_email_is_refused_naming_the_other(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Berg", "--email", "info@berg.example")
    result = cli.fails("contact", "add", "--first", "Otto", "--last", "Berg", "--email",
                       "INFO@berg.example")  # fmt: skip
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        "Error: INFO@berg.example is already the email of contact 1, Anna Berg; "
        "--force uses it anyway"
    ]
    assert len(cli.json("contact", "list")) == 1
    cli.ok("contact", "add", "--first", "Otto", "--last", "Berg", "--email", "info@berg.example",
           "--force")  # fmt: skip
    assert len(cli.json("contact", "list")) == 2


def test_contact_edit_to_a_used_email_is_refused(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Berg", "--email", "anna@berg.example")
    cli.ok("contact", "add", "--first", "Otto", "--last", "Berg", "--email", "otto@berg.example")
    result = cli.fails("contact", "edit", "2", "--email", "anna@berg.example")
    assert "contact 1, Anna Berg" in result.stderr
    assert cli.json("contact", "show", "2")["email"] == "otto@berg.example"
    cli.ok("contact", "edit", "2", "--email", "anna@berg.example", "--force")
    # Editing something else keeps an email that was shared before.
    cli.ok("contact", "edit", "2", "--position", "CEO")


# --- a skipped row creates nothing ---------------------------------------------------------------


def test_a_skipped_row_creates_not_even_its_company(cli: Cli, tmp_path: Path) -> None:
    _import(cli, _write(tmp_path, "a.csv", HEADER + "Anna;Berg;;anna@berg.example\n"))
    moved = HEADER + "Anna;Berg;Berg Neu GmbH;anna@berg.example\n"
    summary = _import(cli, _write(tmp_path, "b.csv", moved), "--on-duplicate", "skip")
    assert (summary["skipped"], summary["companies_created"]) == (1, 0)
    assert cli.json("company", "list") == []
    # fill brings the company (the contact had none), so it is created then.
    summary = _import(cli, _write(tmp_path, "c.csv", moved))
    assert summary["companies_created"] == 1
    assert cli.json("contact", "show", "1")["company"] == "Berg Neu GmbH"


# --- merge: aliases, --take, unmerge -------------------------------------------------------------


def _two_spellings(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Nurlan", "--last", "Seitkaliyev", "--email",
           "n.seitkaliyev@taza.example", "--phone", "+77011234567")  # fmt: skip
    cli.ok("contact", "add", "--first", "NURLAN", "--last", "SEITKALIYEV", "--email",
           "nurlan@taza.example", "--tag", "vip")  # fmt: skip


def test_merge_keeps_the_other_spelling_as_alias_and_unmerge_parts_them(cli: Cli) -> None:
    _two_spellings(cli)
    before = {c["id"]: c for c in cli.json("contact", "list")}
    cli.ok("contact", "merge", "1", "2", "--yes")
    merged = cli.json("contact", "show", "1")
    assert merged["aliases"] == ["NURLAN SEITKALIYEV"]
    assert [e["value"] for e in merged["emails"]] == [
        "n.seitkaliyev@taza.example",
        "nurlan@taza.example",
    ]
    assert [c["id"] for c in cli.json("search", "nurlan@taza.example")] == [1]
    result = cli.ok("contact", "unmerge", "1")
    assert "Unmerged contact 2 from 1" in result.stderr
    after = {c["id"]: c for c in cli.json("contact", "list")}
    assert after == before
    # Nothing left to undo.
    assert "no merge to undo" in cli.fails("contact", "unmerge", "1").stderr


def test_take_a_field_from_other(cli: Cli) -> None:
    _two_spellings(cli)
    cli.ok("contact", "merge", "1", "2", "--take", "email=OTHER", "--take", "last_name=OTHER",
           "--yes")  # fmt: skip
    merged = cli.json("contact", "show", "1")
    assert merged["email"] == "nurlan@taza.example"
    assert [e["value"] for e in merged["emails"]][1:] == ["n.seitkaliyev@taza.example"]
    assert merged["last_name"] == "SEITKALIYEV"
    assert "Nurlan Seitkaliyev" in merged["aliases"]
    assert "no contact field" in cli.fails("contact", "merge", "1", "3", "--take", "x=OTHER",
                                           "--yes").stderr  # fmt: skip


def test_unmerge_is_refused_after_a_later_change(cli: Cli) -> None:
    _two_spellings(cli)
    cli.ok("contact", "merge", "1", "2", "--yes")
    cli.ok("contact", "edit", "1", "--position", "Director")
    result = cli.fails("contact", "unmerge", "1")
    assert "changed after 2 was merged into it" in result.stderr


def test_unmerge_restores_memberships(cli: Cli) -> None:
    _two_spellings(cli)
    cli.ok("delegation", "add", "KZ-1", "--title", "T", "--direction", "incoming", "--from", "KZ",
           "--start", "2026-11-16", "--end", "2026-11-18")  # fmt: skip
    cli.ok("member", "add", "KZ-1", "2", "--role", "lead")
    cli.ok("contact", "merge", "1", "2", "--yes")
    assert [m["contact_id"] for m in cli.json("member", "list", "KZ-1")] == [1]
    cli.ok("contact", "unmerge", "1")
    assert [(m["contact_id"], m["role"]) for m in cli.json("member", "list", "KZ-1")] == [
        (2, "lead")
    ]


def test_company_unmerge(cli: Cli) -> None:
    cli.ok("company", "add", "Lippe Recycling GmbH")
    cli.ok("company", "add", "Lippe-Recycling", "--city", "Lünen")
    cli.ok("contact", "add", "--first", "Petra", "--last", "Berg", "--company", "2")
    cli.ok("company", "merge", "1", "2", "--yes")
    assert cli.json("contact", "show", "1")["company_id"] == 1
    cli.ok("company", "unmerge", "1")
    assert cli.json("contact", "show", "1")["company_id"] == 2
    assert cli.json("company", "show", "2")["city"] == "Lünen"


def test_privacy_covers_merge_images(cli: Cli) -> None:
    _two_spellings(cli)
    cli.ok("contact", "merge", "1", "2", "--yes")
    report = json.loads(cli.ok("privacy", "report", "1", "--format", "json").stdout)
    [image] = report["merges"]
    assert image["other_before"]["email"] == "nurlan@taza.example"
    cli.ok("privacy", "erase", "1", "--yes")
    conn = engines.connect(cli.db_path)
    try:
        assert conn.execute("SELECT count(*) FROM merge_images").fetchone()[0] == 0
    finally:
        conn.close()
    assert b"nurlan@taza.example" not in engines.stored_bytes(cli.db_path)


@pytest.mark.sqlite_only  # an older SQLite schema migrated (PostgreSQL starts at the baseline)
def test_merge_images_migration_from_an_older_database(cli: Cli) -> None:
    cli.ok("init")
    conn = engines.connect(cli.db_path)
    conn.execute("DROP TABLE merge_images")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_merge_images'")
    conn.commit()
    conn.close()
    _two_spellings(cli)  # opening the database applies the step again
    cli.ok("contact", "merge", "1", "2", "--yes")
    cli.ok("contact", "unmerge", "1")
    assert len(cli.json("contact", "list")) == 2


# --- dedupe --review -----------------------------------------------------------------------------


def _three_pairs(cli: Cli) -> None:
    for first, last, email in (
        ("Anna", "Berg", "anna@berg.example"),
        ("ANNA", "BERG", "anna@berg.example"),
        ("Otto", "Lang", "otto@lang.example"),
        ("Otto", "Lang", "o.lang@lang.example"),
        ("Eva", "Kurz", "eva@kurz.example"),
        ("Eva", "Kurz", "eva@kurz.example"),
    ):
        cli.ok("contact", "add", "--first", first, "--last", last, "--email", email, "--force")


def test_review_merges_records_not_the_same_and_skips(cli: Cli) -> None:
    from greentech_cli.db import open_db
    from greentech_cli.services.identity import dedupe

    _three_pairs(cli)
    db = open_db(cli.db_path)
    try:
        pairs = dedupe.contact_pairs(db)
        assert [(p.a, p.b) for p in pairs] == [(1, 2), (5, 6), (3, 4)]
        answers = iter(["merge", "skip", "not"])
        done = dedupe.review(db, pairs, lambda pair: next(answers))
        assert done.to_json() == {"merged": [[1, 2]], "not_same": [[3, 4]], "skipped": 1, "left": 0}
        # "Not the same" is remembered; the skipped pair is asked about again.
        assert [(p.a, p.b) for p in dedupe.contact_pairs(db)] == [(5, 6)]
        done = dedupe.review(db, dedupe.contact_pairs(db), lambda pair: "quit")
        assert done.left == 1
    finally:
        db.close()
    assert cli.json("contact", "show", "1")["aliases"] == ["ANNA BERG"]


def test_review_without_a_terminal_is_refused_and_plain_dedupe_is_unchanged(cli: Cli) -> None:
    _three_pairs(cli)
    result = cli.fails("dedupe", "--review")
    assert "on a terminal" in result.stderr
    rows = cli.json("dedupe")
    assert [(r["a"], r["b"]) for r in rows] == [(1, 2), (5, 6), (3, 4)]
    assert set(rows[0]) == {"a", "b", "score", "reasons", "a_name", "b_name"}


def test_review_on_a_terminal(cli: Cli) -> None:
    """The whole command on a pty: the answers typed, the pair shown, the outcome said."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    _three_pairs(cli)
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "greentech_cli", "--db", str(cli.db_path), "dedupe", "--review"],
        stdin=child,
        stdout=child,
        stderr=child,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm"},
    )
    os.close(child)
    output = b""
    answers = [b"x\n", b"m\n", b"s\n", b"n\n"]  # "x" is no answer: asked again
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            if answers and output.count(b"[q]uit") > 4 - len(answers):
                os.write(main, answers.pop(0))
        elif process.poll() is not None:
            break
    code = process.wait(timeout=30)
    os.close(main)
    text = output.decode("utf-8", "replace")
    assert code == 0, text
    assert "score 100" in text and "Anna Berg" in text
    assert "Please answer m, n, s or q." in text
    assert "Merged 1, marked 1 as not the same, skipped 1." in text
    assert [(r["a"], r["b"]) for r in cli.json("dedupe")] == [(5, 6)]


def test_numbers_always_keep_names_apart() -> None:
    """A property: the same written name with two different numbers never shares a key."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    letters = st.text(alphabet="abcdeäöüßжзкмнопрстABCXYZ ", min_size=1, max_size=12)

    @settings(max_examples=200, deadline=None)
    @given(letters, letters, st.integers(0, 10_000), st.integers(0, 10_000))
    def check(first: str, last: str, one: int, two: int) -> None:
        if one == two:
            return
        keys_one = name_keys(f"{first}{one}", last)
        keys_two = name_keys(f"{first}{two}", last)
        assert not keys_one & keys_two
        if keys_one:
            assert name_key(f"{first}{one}", last) in keys_one

    check()


def test_unmerge_gives_back_journal_entries(cli: Cli) -> None:
    _two_spellings(cli)
    cli.ok("contact", "edit", "2", "--notes", "Met at IFAT")
    cli.ok("contact", "merge", "1", "2", "--yes")
    cli.ok("contact", "unmerge", "1")
    conn = engines.connect(cli.db_path)
    try:
        owners = {r[0] for r in conn.execute("SELECT contact_id FROM journal WHERE text = ?",
                                             ["Met at IFAT"])}  # fmt: skip
    finally:
        conn.close()
    assert owners == {2}


def test_update_takes_the_files_values_first_and_keeps_what_the_file_does_not_name(
    cli: Cli, tmp_path: Path
) -> None:
    stored = (
        "Vorname,Nachname,E-mail 1,E-mail 2,Phone 1\n"
        "Aigerim,Bekova,a@kz.example,b@kz.example,+77011234567\n"
    )
    again = "Vorname,Nachname,E-mail 1,Phone 1\nAigerim,Bekova,A@kz.example,+77019999999\n"
    _import(cli, _write(tmp_path, "stored.csv", stored))

    summary = _import(cli, _write(tmp_path, "again.csv", again), "--on-duplicate", "update")

    contact = cli.json("contact", "show", "1")
    assert summary["updated"] == 1
    assert [e["value"] for e in contact["emails"]] == ["A@kz.example", "b@kz.example"]
    assert [p["value"] for p in contact["phones"]] == ["+77019999999", "+77011234567"]
    assert contact["phone"] == "+77019999999"


def test_update_unites_postal_addresses(cli: Cli, tmp_path: Path) -> None:
    """--on-duplicate update on rows with addresses (an Address has no single value to compare
    by: the update ended in a TypeError traceback)."""
    source = _write(
        tmp_path,
        "people.csv",
        "first_name,last_name,email,street,city\n"
        "Anna,Schmidt,anna@example.de,Hauptstr. 1,Essen\n"
        "Anna,Schmidt,anna@example.de,Ring 2,Bonn\n",
    )
    summary = _import(cli, source, "--on-duplicate", "update")
    assert (summary["created"], summary["updated"]) == (1, 1)
    [anna] = cli.json("contact", "list")
    shown = json.dumps(cli.json("contact", "show", str(anna["id"])))
    assert "Ring 2" in shown and "Hauptstr. 1" in shown
