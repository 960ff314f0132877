"""Meeting requests from a registration list's wish columns, and suggestions from sector fit.

A registration list (CSV, TSV or XLSX, read like any import) has one row per participant and
columns `Wunschpartner 1..5` / `Preferred partner 1..5` (also "Wunsch 1", "Wish 1", "Partner 1").
The row's person is found by its email, name or company column; each wish by company or person
name through the session's participants (`b2b.participant`: id, email, folded name across
scripts, or a company with one participant). Wish 1 counts most: priority 3 for wish 1,
2 for wishes 2–3, 1 after that. Every wish is stored or listed as rejected with its reason; the
import is one transaction (nothing when `dry_run`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greentech_cli.db import transaction
from greentech_cli.errors import GreentechError, InvalidData
from greentech_cli.models.b2b import MeetingRequest
from greentech_cli.services.matchmaking.b2b import Block, block, names, participant
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import members as member_store
from greentech_cli.store.b2b import requests as request_store
from greentech_cli.store.b2b import sessions as session_store

if TYPE_CHECKING:
    from greentech_cli.db import Database

_WISH = re.compile(
    r"^(wunschpartner|wunsch|preferred partner|wish|partner|wunschfirma|wunschunternehmen)"
    r"\s*[-_#]?\s*(\d+)$"
)
_WHO = {
    "email": ("email", "e-mail", "e mail", "mail", "e-mail-adresse"),
    "name": ("name", "full name", "teilnehmer", "participant", "teilnehmer*in"),
    "first": ("vorname", "first name", "firstname", "given name"),
    "last": ("nachname", "last name", "lastname", "surname", "family name"),
    "company": ("firma", "company", "organisation", "organization", "unternehmen"),
}


def priority_of(position: int) -> int:
    """Wish 1 → 3, wishes 2–3 → 2, later wishes → 1."""
    return 3 if position == 1 else 2 if position <= 3 else 1


@dataclass
class WishImport:
    """What an import of wishes did: requests created, already there, rejected with reasons."""

    file: str
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    rejects: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False
    unread_columns: list[str] = field(default_factory=list)  # neither the person nor a wish

    def to_json(self) -> dict[str, Any]:
        """file, rows, created, unchanged, rejected, rejects (row, column, value, reason),
        dry_run, unread_columns."""
        return {
            "file": self.file,
            "rows": self.rows,
            "created": self.created,
            "unchanged": self.unchanged,
            "rejected": len(self.rejects),
            "rejects": self.rejects,
            "dry_run": self.dry_run,
            "unread_columns": self.unread_columns,
        }


def _columns(headers: list[str]) -> tuple[dict[str, int], list[tuple[int, int]]]:
    """Which column holds the person (by kind) and which hold wishes (position, index)."""
    who: dict[str, int] = {}
    wishes: list[tuple[int, int]] = []
    for index, header in enumerate(headers):
        text = " ".join(header.strip().lower().replace("_", " ").split())
        m = _WISH.match(text)
        if m:
            wishes.append((int(m[2]), index))
            continue
        for kind, words in _WHO.items():
            if text in words and kind not in who:
                who[kind] = index
    return who, sorted(wishes)


def _requester(db: Database, blk: Block, who: dict[str, int], cells: list[str]) -> int:
    """The row's own participant: by email, then name, then company."""

    def cell(kind: str) -> str:
        index = who.get(kind)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    name = cell("name") or " ".join(x for x in (cell("first"), cell("last")) if x)
    tried = [x for x in (cell("email"), name, cell("company")) if x]
    if not tried:
        raise InvalidData("the row names nobody (no email, name or company)")
    problem = None
    for ref in tried:
        try:
            return participant(db, blk, ref)
        except GreentechError as exc:
            problem = problem or exc
    raise InvalidData(f"the row's person is not in the session: {problem}")


def import_wishes(db: Database, visit_ref: str, path: Path, *, dry_run: bool = False) -> WishImport:
    """Read a registration list's wish columns into requests (see the module docstring)."""
    from greentech_cli.importers.sources import read_table

    blk = block(db, visit_ref)
    report = WishImport(file=str(path), dry_run=dry_run)
    with read_table(Path(path)) as table:
        who, wishes = _columns(table.headers)
        if not wishes:
            raise InvalidData(
                f"{path}: no wish columns (Wunschpartner 1..5 or Preferred partner 1..5) "
                f"among {', '.join(table.headers)}"
            )
        if not who:
            raise InvalidData(f"{path}: no column names the participant (email, name or company)")
        used = set(who.values()) | {index for _, index in wishes}
        report.unread_columns = [h for i, h in enumerate(table.headers) if i not in used and h]
        try:
            with transaction(db):
                for row in table.rows:
                    report.rows += 1
                    _import_row(db, blk, who, wishes, table.headers, row.number, row.cells, report)
                if dry_run:
                    raise _DryRun  # the transaction rolls back; the report stays
        except _DryRun:
            pass
    return report


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def _import_row(
    db: Database,
    blk: Block,
    who: dict[str, int],
    wishes: list[tuple[int, int]],
    headers: list[str],
    number: int,
    cells: list[str],
    report: WishImport,
) -> None:
    values = [(pos, idx, cells[idx].strip() if idx < len(cells) else "") for pos, idx in wishes]
    values = [v for v in values if v[2]]
    if not values:
        return
    try:
        requester = _requester(db, blk, who, cells)
    except GreentechError as exc:
        for _, idx, value in values:
            report.rejects.append(_reject(number, headers[idx], value, exc.message))
        return
    for position, idx, value in values:
        try:
            wanted = participant(db, blk, value)
            if wanted == requester:
                raise InvalidData("a participant cannot wish to meet themselves")
        except GreentechError as exc:
            report.rejects.append(_reject(number, headers[idx], value, exc.message))
            continue
        _, new = request_store.save(
            db,
            blk.visit.id or 0,
            MeetingRequest(requester, wanted, priority_of(position), "import"),
        )
        if new:
            report.created += 1
        else:
            report.unchanged += 1


def _reject(number: int, column: str, value: str, reason: str) -> dict[str, Any]:
    return {"row": number, "column": column, "value": value, "reason": reason}


def suggest(
    db: Database, visit_ref: str, *, fewer_than: int = 2, per_person: int = 3, add: bool = False
) -> list[dict[str, Any]]:
    """Partners for delegates with few requests, from the organisation fit of the delegation."""
    from greentech_cli.services.matchmaking.fit import match

    blk = block(db, visit_ref)
    visit = blk.visit.id or 0
    taken = [p.contact_id for p in session_store.participants(db, visit)]
    members = {m.contact_id for m in member_store.of_delegation(db, blk.visit.delegation_id)}
    asked: dict[int, set[int]] = {}
    for r in request_store.of_session(db, visit):
        asked.setdefault(r.requester_id, set()).add(r.wanted_id)
        asked.setdefault(r.wanted_id, set()).add(r.requester_id)
    _, fits = match(db, str(blk.visit.delegation_id), all_kinds=True)
    score = {f.company_id: f for f in fits}
    hosts = []
    for cid in taken:
        contact = contact_store.get(db, cid)
        if cid not in members and contact.company_id in score:
            hosts.append((score[contact.company_id], cid))
    hosts.sort(key=lambda h: (-h[0].score, h[1]))
    found = []
    for delegate in sorted(c for c in taken if c in members):
        mine = asked.get(delegate, set())
        if len(mine) >= fewer_than:
            continue
        picks = [(fit, host) for fit, host in hosts if host not in mine][:per_person]
        found += [(delegate, host, fit) for fit, host in picks]
    shown = names(db, {p for d, h, _ in found for p in (d, h)})
    if add and found:
        with transaction(db):
            for delegate, host, _ in found:
                request_store.save(db, visit, MeetingRequest(delegate, host, 1, "suggest"))
    return [
        {
            "requester": d,
            "requester_name": shown[d],
            "wanted": h,
            "wanted_name": shown[h],
            "score": fit.score,
            "reasons": list(fit.reasons),
            "added": add,
        }
        for d, h, fit in found
    ]
