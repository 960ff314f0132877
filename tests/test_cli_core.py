"""The foundation through the CLI: init, info, companies, contacts, search, errors."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from .conftest import Cli

CONTACT_FIELDS = [
    "id", "salutation", "title", "first_name", "last_name", "native_name", "position",
    "department", "company_id", "company", "email", "phone", "mobile", "country", "languages",
    "tags", "notes", "share_consent", "lawful_basis",
]  # fmt: skip
COMPANY_FIELDS = [
    "id", "name", "kind", "legal_form", "sectors", "tags", "street", "postcode", "city",
    "region", "country", "website", "lat", "lon", "vat_id",
]  # fmt: skip


@pytest.fixture
def filled(cli: Cli) -> Cli:
    cli.ok("init")
    cli.ok(
        "company", "add", "Lippe Recycling GmbH", "--sector", "circular-economy",
        "--city", "Lünen", "--postcode", "44536", "--country", "DE", "--lat", "51.616",
        "--lon", "7.528", "--tag", "Sortierung",
    )  # fmt: skip
    cli.ok("company", "add", "Niederrhein Klärwerk AöR", "--sector", "Wasser und Abwasser",
           "--city", "Moers", "--country", "Deutschland", "--postcode", "01067")  # fmt: skip
    cli.ok("company", "add", "IHK Düsseldorf", "--kind", "chamber", "--city", "Düsseldorf")
    cli.ok(
        "contact", "add", "--first", "Petra", "--last", "Schäfer", "--company",
        "Lippe Recycling GmbH", "--email", "petra.schaefer@lippe.example", "--phone",
        "02306 / 12 34 56", "--country", "DE", "--share-consent", "yes",
    )  # fmt: skip
    cli.ok("contact", "add", "--first", "Jürgen", "--last", "Weiß", "--company", "2",
           "--country", "DE", "--position", "Betriebsleiter")  # fmt: skip
    cli.ok("contact", "add", "--first", "Қайрат", "--last", "Әбдірахманов", "--country",
           "Kasachstan", "--mobile", "8 701 123 45 67")  # fmt: skip
    return cli


@pytest.mark.sqlite_only  # the .db file's mode and size
def test_init_creates_owner_only_and_info_explains(cli: Cli) -> None:
    result = cli.ok("init")
    assert "Created the database" in result.stderr
    assert stat.S_IMODE(cli.db_path.stat().st_mode) == 0o600
    info = cli.json("info")
    assert info["path"] == str(cli.db_path)
    assert info["reason"] == "--db option"
    assert info["schema_version"] == info["latest_schema_version"]
    assert info["counts"]["contacts"] == 0
    assert "already" not in cli.ok("init").stdout


@pytest.mark.sqlite_only  # a database file that must not appear
def test_read_commands_never_create_the_database(cli: Cli) -> None:
    for args in (("info",), ("company", "list"), ("contact", "list"), ("search", "x")):
        result = cli.fails(*args)
        assert str(cli.db_path) in result.stderr
    assert not cli.db_path.exists()


def test_company_json_fields_and_values(filled: Cli) -> None:
    companies = filled.json("company", "list")
    assert [c["name"] for c in companies] == [
        "IHK Düsseldorf",
        "Lippe Recycling GmbH",
        "Niederrhein Klärwerk AöR",
    ]
    lippe = companies[1]
    assert list(lippe)[: len(COMPANY_FIELDS)] == COMPANY_FIELDS
    assert lippe["sectors"] == ["circular-economy"]
    assert lippe["legal_form"] == "GmbH"
    assert (lippe["lat"], lippe["lon"]) == (51.616, 7.528)
    assert companies[2]["postcode"] == "01067"
    assert companies[2]["sectors"] == ["water"]
    assert companies[2]["country"] == "DE"
    assert companies[0]["kind"] == "chamber"


def test_company_filters(filled: Cli) -> None:
    assert [c["name"] for c in filled.json("company", "list", "--sector", "water")] == [
        "Niederrhein Klärwerk AöR"
    ]
    assert [c["id"] for c in filled.json("company", "list", "--kind", "chamber")] == [3]
    assert [c["id"] for c in filled.json("company", "list", "--city", "lünen")] == [1]
    assert [c["id"] for c in filled.json("company", "list", "--tag", "sortierung")] == [1]
    assert len(filled.json("company", "list", "--limit", "1")) == 1


def test_contact_json_fields_and_normalising(filled: Cli) -> None:
    contacts = filled.json("contact", "list")
    assert list(contacts[0]) == [
        *CONTACT_FIELDS,
        "share_consent_date",
        "share_consent_source",
        "marketing_consent",
        # The additions of SPEC §3: the lists behind email, phone and mobile, and more.
        *("uid", "emails", "phones", "addresses", "websites", "birthday", "aliases", "extra"),
    ]
    petra = filled.json("contact", "show", "petra.schaefer@lippe.example")
    assert petra["phone"] == "+492306123456"
    assert petra["company"] == "Lippe Recycling GmbH"
    assert petra["share_consent"] == "yes"
    kairat = filled.json("contact", "show", "3")
    assert kairat["first_name"] == "Қайрат"
    assert kairat["mobile"] == "+77011234567"
    assert kairat["country"] == "KZ"


def test_contact_list_filters(filled: Cli) -> None:
    assert [
        c["id"] for c in filled.json("contact", "list", "--company", "Lippe Recycling GmbH")
    ] == [1]
    assert [c["id"] for c in filled.json("contact", "list", "--country", "Kazakhstan")] == [3]


def test_contact_csv_and_table(filled: Cli) -> None:
    csv_out = filled.ok("contact", "list", "--format", "csv").stdout
    assert csv_out.splitlines()[0].startswith("id,salutation,title,first_name")
    table = filled.ok("contact", "list").stdout
    assert "Schäfer" in table and "Қайрат" in table


def test_edit_and_clear(filled: Cli) -> None:
    result = filled.ok("contact", "edit", "1", "--position", "Head of Sales", "--company", "")
    assert "position" in result.stderr
    petra = filled.json("contact", "show", "1")
    assert petra["position"] == "Head of Sales"
    assert petra["company_id"] is None
    filled.ok("company", "edit", "Lippe Recycling GmbH", "--name", "Lippe Recycling GmbH & Co. KG")
    assert filled.json("company", "show", "1")["name"] == "Lippe Recycling GmbH & Co. KG"


def test_company_rm_with_contacts_asks_and_keeps_people(filled: Cli) -> None:
    result = filled.fails("company", "rm", "2")
    assert "--yes" in result.stderr
    assert len(filled.json("company", "list")) == 3
    result = filled.ok("company", "rm", "2", "--yes")
    assert "1 contact(s) kept without a company" in result.stderr
    assert filled.json("contact", "show", "2")["company_id"] is None
    filled.ok("company", "rm", "IHK Düsseldorf")
    filled.ok("contact", "rm", "3", "--yes")
    filled.fails("contact", "show", "3")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("schafer", "Schäfer"),
        ("Schäfer", "Schäfer"),
        ("weiss", "Weiß"),
        ("Jurgen", "Weiß"),
        ("Juergen", "Weiß"),
        ("Qayrat", "Әбдірахманов"),
        ("Kreisl", None),
        ("Lünen", "Schäfer"),
        ("petra.schaefer@lippe.example", "Schäfer"),
        ("betriebsl", "Weiß"),
    ],
)
def test_search_spellings_and_scripts(filled: Cli, query: str, expected: str | None) -> None:
    hits = filled.json("search", query)
    if expected is None:
        return
    assert any(expected in h["name"] for h in hits), hits


def test_search_prefix_finds_company_by_tag(filled: Cli) -> None:
    filled.ok("company", "add", "Kreislaufwirtschaft Rhein e.V.", "--kind", "association")
    hits = filled.json("search", "Kreisl")
    assert [h["name"] for h in hits] == ["Kreislaufwirtschaft Rhein e.V."]
    assert hits[0]["type"] == "company"


@pytest.mark.parametrize(
    "query", ['"unbalanced', "AND (", "NEAR(", "a*b", "-", "'; DROP", "*", ")"]
)
def test_search_any_text_is_never_a_syntax_error(filled: Cli, query: str) -> None:
    result = filled.ok("search", query, "--format", "json")
    assert isinstance(json.loads(result.stdout), list)


def test_search_follows_renames_and_deletes(filled: Cli) -> None:
    filled.ok("company", "edit", "1", "--name", "Westfalen Wertstoff GmbH")
    assert any(h["name"] == "Petra Schäfer" for h in filled.json("search", "Westfalen"))
    filled.ok("contact", "rm", "1", "--yes")
    assert not [h for h in filled.json("search", "Petra") if h["type"] == "contact"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("contact", "show", "999"), "no contact '999'"),
        (("company", "show", "Nobody GmbH"), "no company 'Nobody GmbH'"),
        (
            ("contact", "add", "--first", "Bad", "--last", "Email", "--email", "not-an-email"),
            "not-an-email",
        ),
        (("company", "add", "X", "--sector", "space"), "unknown sector 'space'"),
        (
            ("contact", "add", "--first", "A", "--company", "Nobody GmbH"),
            "no company 'Nobody GmbH'",
        ),
        (("contact", "list", "--delegation", "nope"), "no delegation 'nope'"),
        (("contact", "add", "--first", "A", "--country", "Atlantis"), "Atlantis"),
        (("contact", "add", "--email", ""), "a contact needs a name"),
        (("company", "add", "Y", "--lat", "123"), "latitude"),
        (("contact", "show", "9223372036854775808000"), "no contact"),
        (("contact", "add", "--first", "A", "--company", "99999999999999999999"), "no company"),
    ],
)
def test_errors_are_one_line_exit_1(filled: Cli, args: tuple[str, ...], message: str) -> None:
    result = filled.fails(*args)
    assert message in result.stderr
    assert result.stdout == ""


@pytest.mark.sqlite_only  # a missing database file
def test_missing_database_error(cli: Cli) -> None:
    result = cli.fails("contact", "list")
    assert "greentech init" in result.stderr


def test_usage_error_is_exit_2(filled: Cli) -> None:
    filled.fails("contact", "list", "--format", "xml", code=2)
    filled.fails("no-such-command", code=2)


def test_unparseable_phone_is_kept_with_warning(filled: Cli) -> None:
    result = filled.ok("contact", "add", "--first", "Olga", "--phone", "ask reception")
    assert "Warning" in result.stderr and "kept as written" in result.stderr
    assert filled.json("contact", "show", "4")["phone"] == "ask reception"


def test_adding_a_known_person_again_warns_and_adds(filled: Cli) -> None:
    """The same email (any case) is refused unless --force; then added as asked, with a pointer
    to merge."""
    refused = filled.fails("contact", "add", "--first", "Petra", "--last", "SCHÄFER", "--email",
                           "Petra.Schaefer@lippe.example")  # fmt: skip
    assert "already the email of contact 1" in refused.stderr
    result = filled.ok("contact", "add", "--first", "Petra", "--last", "SCHÄFER", "--email",
                       "Petra.Schaefer@lippe.example", "--force")  # fmt: skip
    assert "contact 1 is probably the same person; added anyway" in result.stderr
    assert "greentech contact merge 1 4" in " ".join(result.stderr.split())
    assert len(filled.json("contact", "list")) == 4
    other = filled.ok("contact", "add", "--first", "Petra", "--last", "Meyer")
    assert "probably the same person" not in other.stderr


def test_default_location_is_in_the_temp_home(isolated_home: Path) -> None:
    from typer.testing import CliRunner

    from greentech_cli.cli.app import app

    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.stderr
    created = list(isolated_home.rglob("greentech.db"))
    assert len(created) == 1
    assert os.path.commonpath([created[0], isolated_home]) == str(isolated_home)


def test_markup_in_names_is_shown_literally(filled: Cli) -> None:
    filled.ok("company", "add", "KazMunayGas [R&D] [/]")
    assert "KazMunayGas [R&D] [/]" in filled.ok("company", "list").stdout


def test_output_is_utf8_whatever_the_locale_says(tmp_path: Path) -> None:
    """A Cyrillic name through a Latin-1 locale: pipes get UTF-8, stderr an escape, no error."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "HOME": str(tmp_path)}
    run = [sys.executable, "-m", "greentech_cli", "--db", str(tmp_path / "g.db")]
    added = subprocess.run(
        [*run, "contact", "add", "--first", "Айгерим", "--last", "Садыкова"],
        env=env, capture_output=True, check=False,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert b"\\u0410" in added.stderr  # "Added contact 1: Айгерим …", escaped, not refused
    listed = subprocess.run(
        [*run, "contact", "list", "--format", "json"], env=env, capture_output=True, check=False
    )
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout.decode("utf-8"))[0]["first_name"] == "Айгерим"
    table = subprocess.run([*run, "contact", "list"], env=env, capture_output=True, check=False)
    assert table.returncode == 0 and "Садыкова" in table.stdout.decode("utf-8")
