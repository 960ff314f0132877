"""Programme files: dump and apply round trips, idempotence, dry runs and refusing bad YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greentech_cli.errors import InvalidData
from greentech_cli.resources import data_path
from greentech_cli.services.programme import files as programme

DEMO = data_path("demo", "programme.yaml")


def counts(cli: Any) -> dict[str, int]:
    """How many rows the database holds, from `greentech info`."""
    info = cli.json("info")
    return {k: v for k, v in info["counts"].items() if k != "import_batches"}


def test_demo_round_trip_is_byte_identical(cli: Any, tmp_path: Path) -> None:
    from tests.conftest import Cli

    cli.ok("programme", "apply", str(DEMO))
    first = cli.ok("programme", "dump", "kz-waste-demo").stdout
    dumped = tmp_path / "programme.yaml"
    cli.ok("programme", "dump", "kz-waste-demo", "--out", str(dumped))
    assert dumped.read_text(encoding="utf-8") == first
    empty = Cli(tmp_path / "empty.db")
    applied = empty.ok("programme", "apply", str(dumped))
    assert "created visit" in applied.stdout
    second = empty.ok("programme", "dump", "kz-waste-demo").stdout
    assert second == first
    assert counts(empty) == counts(cli)
    # Wall-clock times, zones, postcodes and yes/no survive as the right types.
    assert "timezone: Asia/Almaty" in first
    assert "postcode: '050000'" in first and "share_consent: 'no'" in first


def test_apply_twice_changes_nothing(cli: Any) -> None:
    cli.ok("programme", "apply", str(DEMO))
    before = cli.json("log", "--limit", "1") if _has_log(cli) else None
    again = cli.ok("programme", "apply", str(DEMO))
    assert again.stdout == ""
    assert "0 change(s)" in again.stderr
    if before is not None:
        assert cli.json("log", "--limit", "1") == before


def _has_log(cli: Any) -> bool:
    return cli("log", "--help").exit_code == 0


def test_dry_run_writes_nothing(cli: Any) -> None:
    cli.ok("init")
    empty = counts(cli)
    result = cli.ok("programme", "apply", str(DEMO), "--dry-run")
    assert "would create delegation: kz-waste-demo" in result.stdout
    assert "nothing was written" in result.stderr
    assert counts(cli) == empty


def test_edit_a_dump_and_apply_updates_in_place(cli: Any, tmp_path: Path) -> None:
    cli.ok("programme", "apply", str(DEMO))
    visits = cli.json("visit", "list", "kz-waste-demo")
    text = cli.ok("programme", "dump", "kz-waste-demo").stdout
    edited = text.replace("start: 2026-11-18 11:30", "start: 2026-11-18 13:30").replace(
        "end: 2026-11-18 13:00", "end: 2026-11-18 15:00"
    )
    assert edited != text
    path = tmp_path / "edited.yaml"
    path.write_text(edited, encoding="utf-8")
    result = cli.ok("programme", "apply", str(path))
    assert (
        result.stdout.strip()
        == "updated visit: Wastewater treatment plant (end_local, start_local)"
    )
    after = cli.json("visit", "list", "kz-waste-demo")
    assert [v["uid"] for v in after] == [v["uid"] for v in visits]  # same visits, same UIDs
    assert len(after) == len(visits)


def test_prune_removes_what_the_file_leaves_out(cli: Any, tmp_path: Path) -> None:
    cli.ok("programme", "apply", str(DEMO))
    cli.ok("visit", "add", "kz-waste-demo", "--title", "Extra", "--start", "2026-11-20 18:00",
           "--duration", "1h")  # fmt: skip
    cli.ok("programme", "apply", str(DEMO))
    assert any(v["title"] == "Extra" for v in cli.json("visit", "list", "kz-waste-demo"))
    result = cli.ok("programme", "apply", str(DEMO), "--prune")
    assert "deleted visit: Extra" in result.stdout
    assert not any(v["title"] == "Extra" for v in cli.json("visit", "list", "kz-waste-demo"))


MINIMAL = """\
delegation:
  code: t
  title: T
  direction: incoming
  start_date: 2026-11-16
  end_date: 2026-11-20
companies:
  - name: Firma
    postcode: '01067'
people:
  - first_name: Anna
    last_name: Muster
    company: Firma
members:
  - person: Anna Muster
visits:
  - title: Visit
    start: '2026-11-17 09:00'
    end: '10:00'
    company: Firma
    hosts: [Anna Muster]
"""


def _apply_text(cli: Any, tmp_path: Path, content: str) -> Any:
    path = tmp_path / "p.yaml"
    path.write_text(content, encoding="utf-8")
    return cli("programme", "apply", str(path))


def test_minimal_file_with_names_instead_of_emails(cli: Any, tmp_path: Path) -> None:
    result = _apply_text(cli, tmp_path, MINIMAL)
    assert result.exit_code == 0, result.stderr
    record = cli.json("visit", "list", "t")[0]
    assert record["start"] == "2026-11-17T09:00:00+01:00"
    assert record["end"] == "2026-11-17T10:00:00+01:00"
    assert record["host_contacts"][0]["name"] == "Anna Muster"
    assert _apply_text(cli, tmp_path, MINIMAL).stdout == ""  # idempotent without UIDs too
    dumped = cli.ok("programme", "dump", "t").stdout
    assert "person: Anna Muster" in dumped and "postcode: '01067'" in dumped


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("    postcode: '01067'", "    postcode: 01067"), "line 9, companies[0].postcode"),
        (
            ("  direction: incoming", "  direction: incoming\n  origin_country: NO"),
            "origin_country: YAML read this as false",
        ),
        (("    end: '10:00'", "    end: 10:00"), "visits[0].end: expected text"),
        (("    start: '2026-11-17 09:00'", "    start: '2026-11-17 11:00'"), "before it starts"),
        (("    company: Firma\n    hosts", "    company: Nope\n    hosts"), "no company 'Nope'"),
        (("  - person: Anna Muster", "  - person: Bob"), "members[0].person: no person 'Bob'"),
        (
            ("  direction: incoming", "  direction: incoming\n  timezone: Mars/Base"),
            "unknown time zone",
        ),
        (("  title: T", "  title: T\n  colour: red"), "unknown field 'colour'"),
        (("visits:", "visitz:"), "unknown section 'visitz'"),
        (
            ("  - title: Visit", "  - title: Visit\n    uid: !!python/object/apply:os.system [ls]"),
            "!!python/object are not allowed",
        ),
        (("companies:", "companies: [unclosed"), "malformed YAML"),
    ],
)
def test_bad_files_are_one_line_errors_and_change_nothing(
    cli: Any, tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    if not message:
        return
    cli.ok("init")
    before = counts(cli)
    old, new = change
    assert old in MINIMAL
    result = _apply_text(cli, tmp_path, MINIMAL.replace(old, new))
    assert result.exit_code == 1, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert message in lines[0], lines[0]
    assert str(tmp_path / "p.yaml") in lines[0]
    assert counts(cli) == before


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x07", "\x0b"], ids=repr)
def test_control_characters_are_one_line_errors(cli: Any, tmp_path: Path, character: str) -> None:
    """NUL, ESC, BEL and vertical tab are refused by YAML's reader: one line naming the line."""
    cli.ok("init")
    before = counts(cli)
    text = MINIMAL.replace("  title: T", f"  title: T{character}x")
    line = next(n for n, row in enumerate(text.split("\n"), 1) if character in row)
    result = _apply_text(cli, tmp_path, text)
    assert result.exit_code == 1, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert f"line {line}: " in lines[0]
    assert f"U+{ord(character):04X}" in lines[0]
    assert counts(cli) == before


def test_alias_bomb_is_refused() -> None:
    rows = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        prev = chr(ord("a") + n - 1)
        name = chr(ord("a") + n)
        rows.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    with pytest.raises(InvalidData, match="alias bomb"):
        programme.load("\n".join(rows) + "\n", "bomb.yaml")


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(InvalidData, match="refers to itself"):
        programme.load("a: &a [1, *a]\n", "loop.yaml")


def test_missing_and_unreadable_files(cli: Any, tmp_path: Path) -> None:
    cli.ok("init")
    assert "no file" in cli.fails("programme", "apply", str(tmp_path / "none.yaml")).stderr
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert "UTF-8" in cli.fails("programme", "apply", str(binary)).stderr
    empty = tmp_path / "e.yaml"
    empty.write_text("", encoding="utf-8")
    assert "mapping" in cli.fails("programme", "apply", str(empty)).stderr
    assert "no delegation" in cli.fails("programme", "dump", "nope").stderr


# Text a person might type: letters of several scripts, digits, punctuation YAML cares about.
_TYPED = (
    st.one_of(
        st.sampled_from(["yes", "no", "NO", "~", "null", "01067", "10:30", "+4921155", "- x"]),
        st.text(
            alphabet=st.sampled_from(
                list("abcXYZäöüßÄÖÜАйгеримҚайратӘ0123456789 :#-'\"&*!|>%@`{}[],?")
            ),
            min_size=1,
            max_size=30,
        ),
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=_TYPED, notes=_TYPED, company=_TYPED, postcode=st.from_regex(r"\A0[0-9]{4}\Z"))
def test_dump_apply_round_trip_property(
    tmp_path_factory: pytest.TempPathFactory, title: str, notes: str, company: str, postcode: str
) -> None:
    from greentech_cli.db import open_db
    from greentech_cli.services.records import companies, delegations
    from greentech_cli.services.schedule import visits

    folder = tmp_path_factory.mktemp("prop")
    db = open_db(folder / "a.db", create=True)
    try:
        companies.add(db, {"name": company, "postcode": postcode, "city": notes})
        delegations.add(
            db,
            {"code": "p", "title": title, "direction": "incoming", "start_date": "2026-11-16",
             "end_date": "2026-11-20", "topic": notes},
        )  # fmt: skip
        visits.add(
            db,
            "p",
            {"title": title, "start": "2026-11-17 09:00", "duration": "1h", "notes": notes,
             "company": str(companies_id(db))},
        )  # fmt: skip
        first = programme.dump(db, "p")
    finally:
        db.close()
    other = open_db(folder / "b.db", create=True)
    try:
        programme.apply(other, first, "round-trip.yaml")
        assert programme.dump(other, "p") == first
        assert programme.apply(other, first, "again.yaml").changes == []
    finally:
        other.close()


def companies_id(db: Any) -> int:
    """The id of the only company in a database."""
    return int(db.execute("SELECT id FROM companies").fetchone()[0])
