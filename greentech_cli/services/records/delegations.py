"""Use cases for delegations and their members: add, edit, remove, with values normalised."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from greentech_cli.db import retried, transaction
from greentech_cli.errors import InvalidData
from greentech_cli.models.records import (
    DELEGATION_STATUSES,
    DELEGATION_TYPES,
    DIRECTIONS,
    MEMBER_ROLES,
    MEMBER_STATUSES,
    Delegation,
    Member,
)
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import delegations as store
from greentech_cli.store import members as member_store
from greentech_cli.text.cleaning import clean
from greentech_cli.text.dates import check_timezone, check_year, parse_date
from greentech_cli.text.periods import parse_period
from greentech_cli.text.vocabulary import choice, normalize_country, normalize_sectors

if TYPE_CHECKING:
    from greentech_cli.db import Database

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DEFAULT_HOST_ZONE = "Europe/Berlin"


def _date(value: Any, what: str, force: bool = False) -> date:
    if isinstance(value, date):
        day = value
    elif value is None or not str(value).strip():
        raise InvalidData(f"a delegation needs a {what}")
    else:
        day = parse_date(str(value))
    check_year(day, what, force=force)
    return day


def _company_id(db: Database, ref: Any) -> int | None:
    if ref is None or not str(ref).strip():
        return None
    return company_store.resolve(db, str(ref)).id


def apply_fields(
    db: Database, delegation: Delegation, fields: dict[str, Any], *, force: bool = False
) -> None:
    """Set the given fields on a delegation, normalising each; `host`/`partner` are references.

    Dates outside 1900–2100 are refused as typing mistakes unless `force`.
    """
    for key, value in fields.items():
        if key == "code":
            code = clean(value) or ""
            if not _CODE.match(code):
                raise InvalidData(
                    f"invalid delegation code {code!r}: use letters, digits and dashes, "
                    "e.g. kz-waste-2026"
                )
            delegation.code = code
        elif key == "title":
            title = clean(value)
            if not title:
                raise InvalidData("a delegation needs a title")
            delegation.title = title
        elif key == "type":
            delegation.type = choice(value, DELEGATION_TYPES, "delegation type") or "other"
        elif key == "direction":
            direction = choice(value, DIRECTIONS, "direction")
            if direction is None:
                raise InvalidData("a delegation needs a direction: incoming or outgoing")
            delegation.direction = direction
        elif key == "status":
            delegation.status = choice(value, DELEGATION_STATUSES, "delegation status") or "planned"
        elif key in ("origin_country", "destination_country"):
            setattr(delegation, key, normalize_country(value))
        elif key == "start_date":
            delegation.start_date = _date(value, "start date", force)
        elif key == "end_date":
            delegation.end_date = _date(value, "end date", force)
        elif key == "timezone":
            delegation.timezone = check_timezone(value)
        elif key == "home_timezone":
            delegation.home_timezone = check_timezone(value) if clean(value) else None
        elif key == "host":
            delegation.host_id = _company_id(db, value)
        elif key == "partner":
            delegation.partner_id = _company_id(db, value)
        elif key == "sectors":
            delegation.sectors = normalize_sectors(value)
        elif key in ("retention", "retention_dietary"):
            text = clean(None if value is None else str(value))
            what = "retention period" if key == "retention" else "dietary retention period"
            # "default" (or '') goes back to the config's period.
            keep = text and text.casefold() != "default"
            setattr(delegation, key, str(parse_period(text, what)) if keep else None)
        elif key in ("topic", "notes"):
            setattr(delegation, key, clean(None if value is None else str(value)))
        else:
            raise InvalidData(f"unknown delegation field {key!r}")
    if delegation.end_date < delegation.start_date:
        raise InvalidData(
            f"the end date {delegation.end_date.isoformat()} is before the start date "
            f"{delegation.start_date.isoformat()}"
        )


def new_delegation(db: Database, fields: dict[str, Any], *, force: bool = False) -> Delegation:
    """A Delegation built from fields, with defaults for the zones (not stored yet)."""
    for required in ("code", "title", "direction", "start_date", "end_date"):
        if fields.get(required) in (None, ""):
            raise InvalidData(f"a delegation needs a {required.replace('_', ' ')}")
    direction = choice(fields["direction"], DIRECTIONS, "direction")
    # Incoming groups are hosted here; an outgoing trip is at home here and hosted abroad.
    defaults: dict[str, Any] = {}
    if direction == "incoming":
        defaults["timezone"] = DEFAULT_HOST_ZONE
    else:
        defaults["home_timezone"] = DEFAULT_HOST_ZONE
        if not fields.get("timezone"):
            raise InvalidData(
                "an outgoing delegation needs the host time zone (--tz), e.g. Asia/Almaty"
            )
    start = _date(fields["start_date"], "start date", force)
    delegation = Delegation(
        code="", title="", direction="incoming", start_date=start, end_date=start, timezone=""
    )
    given = {**defaults, **{k: v for k, v in fields.items() if v != ""}}
    apply_fields(db, delegation, given, force=force)
    return delegation


@retried
def add(db: Database, fields: dict[str, Any], *, force: bool = False) -> Delegation:
    """Create a delegation (code, title, direction, start and end date required)."""
    with transaction(db):
        delegation = new_delegation(db, fields, force=force)
        store.insert(db, delegation)
    return store.get(db, delegation.id or 0)


@retried
def edit(
    db: Database, ref: str, fields: dict[str, Any], *, force: bool = False
) -> tuple[Delegation, dict[str, list[Any]]]:
    """Change the given fields of a delegation; returns it and what changed."""
    with transaction(db):
        delegation = store.resolve(db, ref)
        apply_fields(db, delegation, fields, force=force)
        changes = store.update(db, delegation)
    return store.get(db, delegation.id or 0), changes


@retried
def remove(db: Database, ref: str) -> tuple[Delegation, dict[str, int]]:
    """Delete a delegation with its members and visits; returns it and how many went with it."""
    with transaction(db):
        delegation = store.resolve(db, ref)
        counts = store.counts(db, delegation.id or 0)
        store.delete(db, delegation.id or 0)
    return delegation, counts


# --- members -------------------------------------------------------------------------------


def apply_member_fields(member: Member, fields: dict[str, Any]) -> None:
    """Set role, status and notes of a membership, each checked."""
    for key, value in fields.items():
        if key == "role":
            member.role = choice(value, MEMBER_ROLES, "member role") or "delegate"
        elif key == "status":
            member.status = choice(value, MEMBER_STATUSES, "member status") or "registered"
        elif key == "notes":
            member.notes = clean(None if value is None else str(value))
        else:
            raise InvalidData(f"unknown member field {key!r}")


def resolve_member(db: Database, delegation_ref: str, contact_ref: str) -> Member:
    """The membership of a contact (id or email) in a delegation (id or code), or NotFound."""
    from greentech_cli.errors import NotFound

    delegation = store.resolve(db, delegation_ref)
    contact = contact_store.resolve(db, contact_ref)
    member = member_store.find(db, delegation.id or 0, contact.id or 0)
    if member is None:
        raise NotFound(f"{contact.display_name} is not a member of {delegation.code}")
    return member


@retried
def add_member(
    db: Database, delegation_ref: str, contact_ref: str, fields: dict[str, Any]
) -> Member:
    """Add a contact to a delegation with a role and status."""
    with transaction(db):
        delegation = store.resolve(db, delegation_ref)
        contact = contact_store.resolve(db, contact_ref)
        member = Member(delegation_id=delegation.id or 0, contact_id=contact.id or 0)
        apply_member_fields(member, fields)
        member_store.insert(db, member)
    return member_store.get(db, member.id or 0)


@retried
def edit_member(
    db: Database, delegation_ref: str, contact_ref: str, fields: dict[str, Any]
) -> tuple[Member, dict[str, list[Any]]]:
    """Change a member's role, status or notes."""
    with transaction(db):
        member = resolve_member(db, delegation_ref, contact_ref)
        apply_member_fields(member, fields)
        changes = member_store.update(db, member)
    return member_store.get(db, member.id or 0), changes


@retried
def remove_member(db: Database, delegation_ref: str, contact_ref: str) -> Member:
    """Take a contact out of a delegation (the contact itself stays)."""
    with transaction(db):
        member = resolve_member(db, delegation_ref, contact_ref)
        member_store.delete(db, member)
    return member


def find(db: Database, status: str | None = None, limit: int | None = None) -> list[Delegation]:
    """Delegations, the latest first, optionally only those with this status."""
    return store.select(db, choice(status, DELEGATION_STATUSES, "delegation status"), limit)


def resolve(db: Database, ref: str) -> Delegation:
    """The delegation with this id or code, or NotFound."""
    return store.resolve(db, ref)


def counts(db: Database, delegation: Delegation) -> dict[str, int]:
    """How many members and visits a delegation has."""
    return store.counts(db, delegation.id or 0)


def members(
    db: Database, delegation_ref: str, role: str | None = None, status: str | None = None
) -> list[Member]:
    """The members of a delegation, optionally only those with this role and status."""
    found = member_store.of_delegation(db, store.resolve(db, delegation_ref).id or 0)
    return [
        m
        for m in found
        if (role is None or m.role == role) and (status is None or m.status == status)
    ]
