"""`contact merge` and `company merge`: fields, memberships, links, provenance, one transaction."""

from __future__ import annotations

import json
from typing import Any

import pytest

from greentech_cli.db import open_db


def _sql(cli: Any, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    db = open_db(cli.db_path)
    try:
        return [tuple(r) for r in db.execute(sql, list(params)).fetchall()]
    finally:
        db.close()


@pytest.fixture
def two(cli: Any) -> Any:
    """KEEP (1) and OTHER (2): one person twice, each in delegations and visits."""
    cli.ok("company", "add", "Taza Su LLP", "--country", "KZ", "--city", "Almaty")
    cli.ok(
        "contact", "add", "--first", "Zhanibek", "--last", "Nurlanov", "--company", "1",
        "--email", "z.nurlanov@taza.example", "--position", "Director", "--tag", "water",
        "--lang", "ru",
    )  # fmt: skip
    cli.ok(
        "contact", "add", "--first", "Schanibek", "--last", "Nurlanow", "--company", "1",
        "--native-name", "Жанибек Нурланов", "--phone", "+7 701 123 45 67",
        "--position", "General Director", "--tag", "waste", "--tag", "water", "--lang", "de",
        "--notes", "Met at IFAT",
    )  # fmt: skip
    cli.ok("contact", "add", "--first", "Petra", "--last", "Schäfer")  # 3
    delegation = ("--direction", "incoming", "--from", "KZ", "--to", "DE",
                  "--start", "2026-11-16", "--end", "2026-11-20")  # fmt: skip
    cli.ok("delegation", "add", "kz-water", "--title", "Water", *delegation)
    cli.ok("delegation", "add", "kz-waste", "--title", "Waste", *delegation)
    cli.ok("member", "add", "kz-water", "1", "--status", "invited")
    cli.ok("member", "add", "kz-water", "2", "--status", "confirmed", "--role", "lead")
    cli.ok("member", "add", "kz-waste", "2", "--status", "registered")
    cli.ok("member", "add", "kz-waste", "3")
    cli.ok("visit", "add", "kz-water", "--title", "Plant", "--start", "2026-11-17 09:00",
           "--duration", "2h", "--host-contact", "2",
           "--attendee", "1", "--attendee", "2")  # fmt: skip
    cli.ok("visit", "add", "kz-waste", "--title", "Sorting", "--start", "2026-11-18 09:00",
           "--duration", "2h", "--host-contact", "1", "--host-contact", "2")  # fmt: skip
    return cli


def test_merge_fills_fields_and_lists_conflicts(two: Any) -> None:
    result = two.ok("contact", "merge", "1", "2", "--yes")
    out = result.stdout
    assert "KEEP 1" in out and "OTHER 2" in out and "filled from OTHER" in out
    assert "conflict: KEEP's kept" in out
    assert "position" in result.stderr  # the conflicting field is named
    assert "Merged contact 2 into 1" in result.stderr
    merged = two.json("contact", "show", "1")
    assert merged["first_name"] == "Zhanibek"  # KEEP's name stays
    assert merged["position"] == "Director"  # conflict: KEEP's value kept
    assert merged["native_name"] == "Жанибек Нурланов"  # filled from OTHER
    assert merged["phone"] == "+77011234567"
    assert merged["email"] == "z.nurlanov@taza.example"
    assert merged["tags"] == ["water", "waste"] and merged["languages"] == ["ru", "de"]
    assert merged["notes"] == "Met at IFAT"
    assert "no contact" in two.fails("contact", "show", "2").stderr


def test_memberships_are_joined_in_a_shared_delegation(two: Any) -> None:
    two.ok("contact", "merge", "1", "2", "--yes")
    rows = _sql(two, "SELECT delegation_id, contact_id, role, status FROM members ORDER BY 1, 2")
    # kz-water held both: one membership, the more advanced status and role; kz-waste moved.
    assert rows == [(1, 1, "lead", "confirmed"), (2, 1, "delegate", "registered"),
                    (2, 3, "delegate", "registered")]  # fmt: skip


def test_visit_links_move_without_clashes(two: Any) -> None:
    two.ok("contact", "merge", "1", "2", "--yes")
    assert _sql(two, "SELECT visit_id, contact_id FROM visit_hosts ORDER BY 1, 2") == [
        (1, 1),
        (2, 1),
    ]
    assert _sql(two, "SELECT visit_id, contact_id FROM visit_attendees ORDER BY 1, 2") == [(1, 1)]


def test_search_finds_the_merged_record_by_the_other_spelling(two: Any) -> None:
    two.ok("contact", "merge", "1", "2", "--yes")
    hits = two.json("search", "Нурланов")
    assert [(h["type"], h["id"]) for h in hits] == [("contact", 1)]


def test_audit_records_field_names_only(two: Any) -> None:
    two.ok("contact", "merge", "1", "2", "--yes")
    rows = _sql(
        two,
        "SELECT entity_id, action, fields FROM audit_log WHERE action = 'merge' "
        "AND entity = 'contact' ORDER BY id",
    )
    entries = [(r[0], json.loads(r[2])) for r in rows if r[1] == "merge"]
    keep = next(fields for entity_id, fields in entries if entity_id == 1 and "merged_id" in fields)
    assert keep["merged_id"] == 2
    assert "native_name" in keep["fields"] and "phones" in keep["fields"]
    text = json.dumps([r[2] for r in rows], ensure_ascii=False)
    assert "Нурланов" not in text and "+7701" not in text and "IFAT" not in text


def test_import_provenance_moves(two: Any) -> None:
    db = open_db(two.db_path)
    db.execute(
        "INSERT INTO import_batches (file, content_hash, format, created_at) "
        "VALUES ('a.csv', 'x', 'csv', '2026-01-01')"
    )
    db.execute("UPDATE contacts SET created_batch_id = 1 WHERE id = 2")
    db.execute(
        "INSERT INTO import_changes (batch_id, entity, entity_id, action) "
        "VALUES (1, 'contact', 2, 'create')"
    )
    db.close()
    two.ok("contact", "merge", "1", "2", "--yes")
    assert _sql(two, "SELECT entity, entity_id, action FROM import_changes") == [
        ("contact", 1, "merge")  # a "create" no more: undoing the import must not delete KEEP
    ]
    assert _sql(two, "SELECT created_batch_id FROM contacts WHERE id = 1") == [(1,)]


def test_without_yes_and_without_a_terminal_nothing_changes(two: Any) -> None:
    result = two.fails("contact", "merge", "1", "2")
    assert "--yes" in result.stderr
    assert "KEEP 1" in result.stdout  # the plan was shown
    assert _sql(two, "SELECT count(*) FROM contacts") == [(3,)]
    assert _sql(two, "SELECT count(*) FROM members WHERE contact_id = 2") == [(2,)]


def test_refusals(two: Any) -> None:
    assert "no contact" in two.fails("contact", "merge", "1", "99", "--yes").stderr
    assert "no contact" in two.fails("contact", "merge", "99", "1", "--yes").stderr
    assert "same contact" in two.fails("contact", "merge", "1", "1", "--yes").stderr
    assert (
        "same contact"
        in two.fails("contact", "merge", "1", "z.nurlanov@taza.example", "--yes").stderr
    )
    assert _sql(two, "SELECT count(*) FROM contacts") == [(3,)]


def test_merge_is_one_transaction(two: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from greentech_cli.services.identity import merge
    from greentech_cli.store import contacts

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk trouble")

    monkeypatch.setattr(contacts, "update", broken)
    db = open_db(two.db_path)
    with pytest.raises(OSError):
        merge.merge_contacts(db, "1", "2")
    db.close()
    # Everything before the failure was rolled back: OTHER, its memberships and links remain.
    assert _sql(two, "SELECT count(*) FROM contacts") == [(3,)]
    assert _sql(two, "SELECT count(*) FROM members WHERE contact_id = 2") == [(2,)]
    assert _sql(two, "SELECT count(*) FROM visit_hosts WHERE contact_id = 2") == [(2,)]


def test_plan_as_json(two: Any) -> None:
    from greentech_cli.services.identity import merge

    db = open_db(two.db_path)
    plan = merge.plan_contacts(db, "1", "2")
    db.close()
    data = plan.to_json()
    actions = {c["field"]: c["action"] for c in data["changes"]}
    assert actions["native_name"] == "fill" and actions["position"] == "conflict"
    assert actions["tags"] == "union" and actions["notes"] == "fill"
    assert data["links"]["memberships"] == 2 and data["memberships_joined"] == 1


# --- organisations -------------------------------------------------------------------------------


@pytest.fixture
def orgs(cli: Any) -> Any:
    """Two records of one organisation (1 KEEP, 2 OTHER) with contacts, delegations, visits."""
    cli.ok("company", "add", "Lippe Recycling GmbH", "--city", "Lünen",
           "--sector", "circular-economy", "--tag", "recycling",
           "--website", "https://lippe.example")  # fmt: skip
    cli.ok("company", "add", "LIPPE RECYCLING", "--city", "Luenen", "--sector", "water",
           "--tag", "sorting", "--vat-id", "DE123456789", "--lat", "51.6", "--lon", "7.5",
           "--street", "Hafenstraße 1", "--postcode", "44536")  # fmt: skip
    cli.ok("contact", "add", "--first", "Petra", "--last", "Schäfer", "--company", "2")
    cli.ok("delegation", "add", "kz-waste", "--title", "Waste", "--direction", "incoming",
           "--from", "KZ", "--to", "DE", "--start", "2026-11-16", "--end", "2026-11-20",
           "--host", "2")  # fmt: skip
    cli.ok("visit", "add", "kz-waste", "--title", "Plant", "--start", "2026-11-17 09:00",
           "--duration", "2h", "--company", "2")  # fmt: skip
    return cli


def test_company_merge_moves_everything(orgs: Any) -> None:
    result = orgs.ok("company", "merge", "Lippe Recycling GmbH", "2", "--yes")
    assert "Merged organisation 2 into 1" in result.stderr
    merged = orgs.json("company", "show", "1")
    assert merged["sectors"] == ["circular-economy", "water"]
    assert merged["tags"] == ["recycling", "sorting"]
    assert merged["vat_id"] == "DE123456789" and merged["street"] == "Hafenstraße 1"
    assert merged["postcode"] == "44536" and (merged["lat"], merged["lon"]) == (51.6, 7.5)
    assert merged["city"] == "Lünen"  # conflict (other spelling): KEEP's kept
    assert _sql(orgs, "SELECT company_id FROM contacts") == [(1,)]
    assert _sql(orgs, "SELECT host_id FROM delegations") == [(1,)]
    assert _sql(orgs, "SELECT company_id FROM visits") == [(1,)]
    assert _sql(orgs, "SELECT count(*) FROM companies") == [(1,)]
    hits = orgs.json("search", "Schäfer")
    assert hits[0]["company"] == "Lippe Recycling GmbH"


def test_company_merge_refusals(orgs: Any) -> None:
    assert "no company" in orgs.fails("company", "merge", "1", "77", "--yes").stderr
    assert "same company" in orgs.fails("company", "merge", "1", "1", "--yes").stderr
    assert "--yes" in orgs.fails("company", "merge", "1", "2").stderr
    assert _sql(orgs, "SELECT count(*) FROM companies") == [(2,)]


def test_other_name_in_cyrillic_becomes_the_native_name(cli: Any) -> None:
    cli.ok("contact", "add", "--first", "Zhanibek", "--last", "Nurlanov")
    cli.ok("contact", "add", "--first", "Жанибек", "--last", "Нурланов")
    result = cli.ok("contact", "merge", "1", "2", "--yes")
    assert "from OTHER's name: Жанибек Нурланов" in result.stdout
    merged = cli.json("contact", "show", "1")
    assert (merged["first_name"], merged["native_name"]) == ("Zhanibek", "Жанибек Нурланов")


def test_field_changes_report_only_real_contradictions() -> None:
    """The shared fill rule (contact merge, import fill): case and blanks are no conflict,
    lists unite (a second email is kept beside the first, never dropped), notes append, and a
    differing company is a conflict that keeps KEEP's."""
    from greentech_cli.models.fields import Email, Phone
    from greentech_cli.models.records import Contact
    from greentech_cli.services.identity.merge import CONTACT_FIELDS, apply_changes, field_changes

    keep = Contact(
        first_name="Aigerim", last_name="Sadykova", emails=[Email("a1@example.kz")],
        position="Engineer", tags=["vip"], company_id=3, notes="met in Almaty",
    )  # fmt: skip
    other = Contact(
        first_name="AIGERIM", last_name="Sadykova", emails=[Email("a2@example.kz")],
        position=None, phones=[Phone("+77011234567")], tags=["press"], company_id=4,
        notes="met in Almaty",
    )  # fmt: skip
    changes = field_changes(keep, other, CONTACT_FIELDS)
    actions = {c.field: c.action for c in changes}
    assert actions == {"emails": "union", "company_id": "conflict", "phones": "fill",
                       "tags": "union"}  # fmt: skip
    apply_changes(keep, changes)
    assert keep.email == "a1@example.kz"  # KEEP's primary stays primary
    assert [e.value for e in keep.emails] == ["a1@example.kz", "a2@example.kz"]


def test_field_changes_withdraw_a_consent_but_never_give_one() -> None:
    """OTHER's no beats KEEP's yes, with its date and source (or none); a yes never beats a no."""
    from greentech_cli.models.records import Contact
    from greentech_cli.services.identity.merge import CONTACT_FIELDS, apply_changes, field_changes

    keep = Contact(
        first_name="Olga", share_consent="yes", share_consent_date="2026-05-02",
        share_consent_source="form May", marketing_consent="yes",
    )  # fmt: skip
    other = Contact(first_name="Olga", share_consent="no", marketing_consent="no")
    changes = field_changes(keep, other, CONTACT_FIELDS)
    assert {c.field: c.action for c in changes} == {
        "share_consent": "withdraw", "share_consent_date": "withdraw",
        "share_consent_source": "withdraw", "marketing_consent": "withdraw",
    }  # fmt: skip
    apply_changes(keep, changes)
    assert (keep.share_consent, keep.share_consent_date, keep.share_consent_source) == (
        "no", None, None)  # fmt: skip
    assert keep.marketing_consent == "no"
    # The other way round the stored no stays: a conflict, KEEP's kept.
    actions = {c.field: c.action for c in field_changes(other, Contact(share_consent="yes"),
                                                          CONTACT_FIELDS)}  # fmt: skip
    assert actions == {"share_consent": "conflict"}


def test_contact_merge_honours_a_withdrawn_consent(cli: Any) -> None:
    cli.ok("init")
    cli.ok("contact", "add", "--first", "Olga", "--last", "Petrova", "--share-consent", "yes")
    cli.ok("contact", "add", "--first", "Olga", "--last", "Petrova", "--share-consent", "no")
    cli.ok("contact", "merge", "1", "2", "--yes")
    assert cli.json("contact", "show", "1")["share_consent"] == "no"
