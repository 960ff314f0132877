"""Exporting contacts and companies: filters, consent, records streamed to a format's writer.

Consent comes first: a contact export holds only people whose share consent is ``yes`` unless
``include_all`` is asked for, and the plan says how many were withheld and why. Records are read
from the database one at a time and handed to the writer as a stream, so memory stays flat;
files are written to a temporary file beside the target and renamed at the end, so a failed
export never leaves half a file behind (nor replaces a good one).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from greentech_cli.errors import InvalidData, UsageError
from greentech_cli.exporters import profiles, registry
from greentech_cli.exporters.registry import COMPANIES, CONTACTS, ExportFormat, ExportJob
from greentech_cli.files import write_private, write_private_files
from greentech_cli.models import exchange as records
from greentech_cli.models.records import MEMBER_ROLES, Company, Visit
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.text.cleaning import clean
from greentech_cli.text.vocabulary import choice, normalize_country, normalize_sector

if TYPE_CHECKING:
    from greentech_cli.db import Database

Progress = Callable[[int], None]
VCARD_VERSIONS = {"3": "3.0", "3.0": "3.0", "4": "4.0", "4.0": "4.0"}
LANGUAGES = ("en", "de")
# How often (in records) the progress callback is told how far the export has got.
PROGRESS_STEP = 500


@dataclass
class ExportRequest:
    """What the user asked for: which records, which format, which options."""

    kind: str  # "contacts" or "companies"
    format: str
    delegation: str | None = None
    # Repeated options: any of the values may match (OR); different options must all match.
    company: tuple[str, ...] = ()
    sector: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    role: tuple[str, ...] = ()
    include_all: bool = False
    raw: bool = False
    vcard_version: str = "3.0"
    lang: str = "en"
    columns: str | None = None  # --columns a,b,c
    profile: str | None = None  # --profile NAME
    visit: int | None = None  # --visit ID: that visit's attendees
    hosts: bool = False  # with --visit: its host contacts too

    def __post_init__(self) -> None:
        # A single value given from Python is the one value of its filter.
        for name in ("company", "sector", "country", "tag", "role"):
            value = getattr(self, name)
            if value is None:
                setattr(self, name, ())
            elif isinstance(value, str):
                setattr(self, name, (value,))
            else:
                setattr(self, name, tuple(value))


@dataclass
class ExportPlan:
    """A checked export, ready to write: its format, writer options, counts and record source."""

    format: ExportFormat
    job: ExportJob
    total: int  # records that will be written
    withheld: dict[str, int] = field(default_factory=dict)  # share consent value → count
    included_without_consent: int = 0  # with include_all: how many lack a "yes"
    source: Callable[[], Iterator[dict[str, Any]]] = field(default=lambda: iter(()), repr=False)

    @property
    def withheld_total(self) -> int:
        """How many contacts were left out for want of share consent."""
        return sum(self.withheld.values())


def plan(db: Database, request: ExportRequest) -> ExportPlan:
    """Check the request, resolve its filters and count what will be exported."""
    fmt = registry.get(request.format, request.kind)
    version = VCARD_VERSIONS.get(request.vcard_version.strip())
    if version is None:
        raise UsageError(f"vCard version must be 3.0 or 4.0, not {request.vcard_version!r}")
    lang = choice(request.lang, LANGUAGES, "language") or "en"
    if request.columns is not None and not fmt.columns:
        with_columns = ", ".join(f.name for f in registry.FORMATS.values() if f.columns)
        raise UsageError(
            f"{fmt.name} writes whole records; --columns works with {with_columns} "
            "(a host-facing --profile leaves the internal fields out of a card or sheet)"
        )
    if request.hosts and request.visit is None:
        raise UsageError("--hosts goes with --visit ID (the visit's host contacts)")
    delegation = None
    visit = None
    if request.visit is not None:
        if request.kind != CONTACTS:
            raise UsageError("--visit exports contacts: the visit's attendees")
        from greentech_cli.store import visits

        visit = visits.get(db, request.visit)
        if request.delegation:
            raise UsageError("give either --visit or --delegation: a visit has its delegation")
    delegation_ref = str(visit.delegation_id) if visit is not None else request.delegation
    if delegation_ref:
        from greentech_cli.store import delegations

        delegation = delegations.resolve(db, delegation_ref)
    job = ExportJob(
        kind=request.kind,
        columns=[],
        raw=request.raw,
        vcard_version=version,
        lang=lang,
        consented_only=not request.include_all,
        delegation=delegation.to_json() if delegation is not None else None,
    )
    delegation_id = delegation.id if delegation is not None else None
    if request.kind == CONTACTS:
        return _plan_contacts(db, request, fmt, job, delegation_id, visit)
    if request.kind == COMPANIES:
        return _plan_companies(db, request, fmt, job, delegation)
    raise UsageError(f"unknown kind of export {request.kind!r}; use contacts or companies")


def _each(values: tuple[str, ...], normalise: Callable[[str], Any]) -> tuple[Any, ...]:
    """Every value of a repeated option normalised (empty results left out, order kept)."""
    found = (normalise(value) for value in values)
    return tuple(dict.fromkeys(v for v in found if v is not None and v != ""))


def _contact_filter(
    db: Database, request: ExportRequest, delegation_id: int | None, visit: Visit | None
) -> contact_store.ContactFilter:
    """The store filter for a request's options, each value checked and normalised."""
    contact_ids = None
    if visit is not None:
        from greentech_cli.services.schedule.visits import attendee_ids
        from greentech_cli.store import members

        ids = attendee_ids(visit, members.of_delegation(db, visit.delegation_id))
        if request.hosts:
            ids = [*ids, *visit.host_contact_ids]
        contact_ids = tuple(dict.fromkeys(ids))
    return contact_store.ContactFilter(
        company_id=_each(request.company, lambda ref: company_store.resolve(db, ref).id),
        country=_each(request.country, normalize_country),
        tag=_each(request.tag, clean),
        # A visit's sheet holds its people whether members or hosts from elsewhere.
        delegation_id=delegation_id if visit is None else None,
        role=_each(request.role, lambda role: choice(role, MEMBER_ROLES, "member role")),
        sector=_each(request.sector, normalize_sector),
        contact_ids=contact_ids,
    )


def _plan_contacts(
    db: Database,
    request: ExportRequest,
    fmt: ExportFormat,
    job: ExportJob,
    delegation_id: int | None,
    visit: Visit | None = None,
) -> ExportPlan:
    flt = _contact_filter(db, request, delegation_id, visit)
    withheld: dict[str, int] = {}
    included = 0
    if request.include_all:
        total = contact_store.count_matching(db, flt)
        included = total - contact_store.count_matching(db, replace(flt, share_consent="yes"))
    else:
        for value in ("no", "unknown"):
            withheld[value] = contact_store.count_matching(db, replace(flt, share_consent=value))
        flt = replace(flt, share_consent="yes")
        total = contact_store.count_matching(db, flt)
    roles: dict[int, tuple[str | None, str | None]] | None = None
    if delegation_id is not None:
        from greentech_cli.store import members

        roles = {m.contact_id: (m.role, m.status) for m in members.of_delegation(db, delegation_id)}
        if visit is not None:
            # A visit's host contacts who are no members of the delegation are its hosts.
            for host in visit.host_contact_ids:
                roles.setdefault(host, ("host", None))
    job.columns = profiles.choose(
        records.contact_fields(ids=fmt.ids, member=roles is not None),
        CONTACTS,
        columns=request.columns,
        profile=request.profile,
    )
    # A card or printed sheet has no columns to choose: a host-facing profile leaves the
    # internal fields (notes, tags, consent, …) out of each record instead.
    internal: frozenset[str] = frozenset()
    host_facing = request.profile is not None and profiles.load(request.profile).audience == "host"
    if host_facing and not fmt.columns:
        internal = profiles.INTERNAL_COLUMNS

    def source() -> Iterator[dict[str, Any]]:
        contacts = _by_company(db, flt) if fmt.by_company else contact_store.iterate(db, flt)
        company_of = lru_cache(maxsize=4096)(lambda company_id: company_store.get(db, company_id))
        for contact in contacts:
            company = company_of(contact.company_id) if contact.company_id else None
            member = roles.get(contact.id or 0, (None, None)) if roles is not None else None
            record = records.contact_record(contact, company, member)
            yield _without(record, internal) if internal else record

    job.total = total
    return ExportPlan(fmt, job, total, withheld, included, source)


def _without(record: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    """The record with these fields emptied (an empty list or mapping where one was)."""
    for name in names & record.keys():
        value = record[name]
        record[name] = [] if isinstance(value, list) else {} if isinstance(value, dict) else None
    return record


def _by_company(db: Database, flt: contact_store.ContactFilter) -> Iterator[Any]:
    """Contacts grouped by company (companies by name, people without one last), streamed.

    One pass finds the companies (keeping only their ids and names), then each company's people
    are read through the company index; memory holds the company list, never the people.
    """
    names: dict[int, str] = {}
    without_company = False
    for contact in contact_store.iterate(db, flt):
        if contact.company_id is None:
            without_company = True
        elif contact.company_id not in names:
            names[contact.company_id] = contact.company or ""
    for company_id in sorted(names, key=lambda i: (names[i].casefold(), i)):
        yield from contact_store.iterate(db, replace(flt, company_id=company_id))
    if without_company:
        yield from (c for c in contact_store.iterate(db, flt) if c.company_id is None)


def _plan_companies(
    db: Database, request: ExportRequest, fmt: ExportFormat, job: ExportJob, delegation: Any
) -> ExportPlan:
    """Companies are not personal data: no consent filter, every match is exported."""
    flt = company_store.CompanyFilter(
        sector=_each(request.sector, normalize_sector),
        country=_each(request.country, normalize_country),
        tag=_each(request.tag, clean),
    )
    found = company_store.select(db, flt)
    wanted: set[int] | None = None
    if request.company:
        wanted = {company_store.resolve(db, ref).id or 0 for ref in request.company}
    if delegation is not None or request.role:
        # A delegation's companies: those its members work for, its host and its partner.
        people = contact_store.ContactFilter(
            delegation_id=delegation.id if delegation is not None else None,
            role=_each(request.role, lambda role: choice(role, MEMBER_ROLES, "member role")),
        )
        involved = {c.company_id for c in contact_store.iterate(db, people) if c.company_id}
        if delegation is not None:
            involved |= {i for i in (delegation.host_id, delegation.partner_id) if i}
        wanted = involved if wanted is None else wanted & involved
    chosen: list[Company] = [c for c in found if wanted is None or c.id in wanted]
    job.columns = profiles.choose(
        records.company_fields(ids=fmt.ids),
        COMPANIES,
        columns=request.columns,
        profile=request.profile,
    )
    job.total = len(chosen)

    def source() -> Iterator[dict[str, Any]]:
        return (records.company_record(company) for company in chosen)

    return ExportPlan(fmt, job, len(chosen), source=source)


def _with_progress(
    items: Iterator[dict[str, Any]], progress: Progress | None
) -> Iterator[dict[str, Any]]:
    """Pass records through, telling `progress` every PROGRESS_STEP records."""
    if progress is None:
        yield from items
        return
    done = 0
    for item in items:
        yield item
        done += 1
        if done % PROGRESS_STEP == 0:
            progress(PROGRESS_STEP)
    progress(done % PROGRESS_STEP)


def write(plan: ExportPlan, out: IO[Any], progress: Progress | None = None) -> int:
    """Write the plan's records to an open stream (text for text formats, bytes for binary)."""
    return plan.format.writer()(_with_progress(plan.source(), progress), out, plan.job)


def write_file(plan: ExportPlan, path: Path, progress: Progress | None = None) -> int:
    """Write the export to a file (owner-only: it holds personal data), complete or not at all."""
    return write_private(path, lambda raw: _write_to(plan, raw, progress))


def _write_to(plan: ExportPlan, raw: IO[bytes], progress: Progress | None) -> int:
    """Write to a binary file: directly for binary formats, through UTF-8 text for the others."""
    if plan.format.binary:
        return write(plan, raw, progress)
    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    count = write(plan, stream, progress)
    stream.flush()
    stream.detach()
    return count


def write_split(plan: ExportPlan, directory: Path, progress: Progress | None = None) -> list[Path]:
    """vCard only: one file per contact in `directory` (Outlook reads only a file's first card).

    Each file is owner-only and complete or absent, the folder is made owner-only, and after an
    error none of the export's files remains (`files.write_private_files`).
    """
    if plan.format.name != "vcf":
        raise UsageError("--split works with --format vcf only")
    from greentech_cli.exporters.vcard_format import split_cards

    directory = directory.expanduser()
    if directory.exists() and not directory.is_dir():
        raise InvalidData(f"{directory} is a file; --split needs a folder")
    cards = split_cards(_with_progress(plan.source(), progress), plan.job.vcard_version)
    return write_private_files(directory, cards, ".vcf")
