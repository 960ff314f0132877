"""Finding duplicate contacts and organisations, remembering pairs that are not duplicates, and
walking through the candidates with a person (`review`, for `dedupe --review`).

Contacts are compared by the shared matcher (`services.matcher`), within blocks. Organisations are
compared here: the same register id or VAT id, or the same normalised name
(`company_names.company_key`, legal forms stripped) supported by the same city or website;
similar names (rapidfuzz) only within blocks of the same name start and country.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from greentech_cli.db import retried, transaction
from greentech_cli.errors import InvalidData
from greentech_cli.services.identity.index import MAX_BLOCK, ContactIndex, Pair
from greentech_cli.services.identity.matcher import THRESHOLD
from greentech_cli.store import audit
from greentech_cli.store import dedupe as store
from greentech_cli.store.common import loads_dict
from greentech_cli.text.company_names import company_key
from greentech_cli.text.names import fold

if TYPE_CHECKING:
    from greentech_cli.db import Database

Progress = Callable[[str, int, int], None]
SIMILAR_COMPANY = 90

_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")


@dataclass
class DuplicatePair:
    """A candidate pair as shown to the user: ids, score, reasons and both names."""

    a: int
    b: int
    score: int
    reasons: list[str]
    a_name: str = ""
    b_name: str = ""

    def to_json(self) -> dict[str, Any]:
        """SPEC §3 fields `a, b, score, reasons` plus both names."""
        return {
            "a": self.a,
            "b": self.b,
            "score": self.score,
            "reasons": list(self.reasons),
            "a_name": self.a_name,
            "b_name": self.b_name,
        }


def _check_threshold(threshold: int) -> None:
    if not 0 <= threshold <= 100:
        raise InvalidData(f"the threshold must be between 0 and 100, not {threshold}")


def _named(db: Database, table: str, pairs: list[Pair], limit: int | None) -> list[DuplicatePair]:
    """The first `limit` pairs with both records' names filled in."""
    chosen = pairs if limit is None else pairs[:limit]
    ids = sorted({p.a for p in chosen} | {p.b for p in chosen})
    names = store.names(db, table, ids)
    return [
        DuplicatePair(p.a, p.b, p.score, p.reasons, names.get(p.a, ""), names.get(p.b, ""))
        for p in chosen
    ]


def contact_pairs(
    db: Database,
    threshold: int = THRESHOLD,
    limit: int | None = None,
    progress: Progress | None = None,
) -> list[DuplicatePair]:
    """Candidate duplicate contacts, best first, without the pairs marked "not a duplicate"."""
    _check_threshold(threshold)
    index = ContactIndex.from_db(
        db, None if progress is None else lambda done, total: progress("Reading", done, total)
    )
    pairs = index.pairs(
        threshold,
        None if progress is None else lambda done, total: progress("Comparing", done, total),
    )
    ignored = store.ignored(db, "contact")
    if ignored:
        pairs = [p for p in pairs if (p.a, p.b) not in ignored]
    return _named(db, "contacts", pairs, limit)


# --- organisations -------------------------------------------------------------------------------


@dataclass
class _Org:
    """An organisation with the features compared."""

    id: int
    key: str
    city: str
    country: str
    vat: str
    registers: set[str] = field(default_factory=set)
    website: str = ""

    @classmethod
    def of(cls, row: dict[str, Any]) -> _Org:
        """Features of a `companies` row."""
        registers = {
            value
            for value in (
                _NOT_ALNUM.sub("", str(v).upper()) for v in loads_dict(row["register_ids"]).values()
            )
            if len(value) >= 5
        }
        website = str(row["website"] or "").lower()
        website = re.sub(r"^[a-z]+://", "", website).removeprefix("www.").split("/")[0]
        return cls(
            id=row["id"],
            key=company_key(row["name"] or ""),
            city=fold(row["city"] or ""),
            country=(row["country"] or "").upper(),
            vat=_NOT_ALNUM.sub("", str(row["vat_id"] or "").upper()),
            registers=registers,
            website=website,
        )


def _org_score(a: _Org, b: _Org) -> tuple[int, list[str]] | None:
    """Score and reasons of two organisations, or None when nothing links them."""
    from rapidfuzz.fuzz import ratio

    reasons: list[str] = []
    if a.vat and a.vat == b.vat:
        return 100, ["same VAT id"]
    if a.registers & b.registers:
        return 95, ["same register id"]
    if a.key and a.key == b.key:
        points, reasons = 70, ["same normalised name"]
    elif a.key and b.key and ratio(a.key, b.key, score_cutoff=SIMILAR_COMPANY):
        points, reasons = 50, ["similar name"]
    elif a.website and a.website == b.website:
        points, reasons = 50, []
    else:
        return None
    if a.website and a.website == b.website:
        points += 20
        reasons.append("same website")
    if a.city and a.city == b.city:
        points += 20
        reasons.append("same city")
    elif a.country and b.country and a.country != b.country:
        points -= 30
        reasons.append("different countries")
    elif a.city and b.city:
        points -= 15
        reasons.append("different cities")
    if a.vat and b.vat:
        points -= 50
        reasons.append("different VAT ids")
    return max(0, min(99, points)), reasons


def _org_blocks(orgs: list[_Org]) -> Iterator[list[_Org]]:
    """Groups of organisations worth comparing: same name key, VAT id, register id, website,
    or the same start of the name in the same country (for similar names)."""
    blocks: dict[tuple[str, str], list[_Org]] = {}
    for org in orgs:
        keys = []
        if org.key:
            keys.append(("k", org.key))
            keys.append(("s", f"{org.country}:{org.key[:4]}"))
        if org.vat:
            keys.append(("v", org.vat))
        keys.extend(("r", value) for value in org.registers)
        if org.website:
            keys.append(("w", org.website))
        for key in keys:
            blocks.setdefault(key, []).append(org)
    for members in blocks.values():
        if 2 <= len(members) <= MAX_BLOCK:
            yield members


def company_pairs(
    db: Database,
    threshold: int = THRESHOLD,
    limit: int | None = None,
    progress: Progress | None = None,
) -> list[DuplicatePair]:
    """Candidate duplicate organisations, best first, without pairs marked "not a duplicate"."""
    _check_threshold(threshold)
    orgs = [_Org.of(row) for row in store.company_rows(db)]
    ignored = store.ignored(db, "company")
    seen: set[tuple[int, int]] = set()
    pairs: list[Pair] = []
    blocks = list(_org_blocks(orgs))
    for done, members in enumerate(blocks, 1):
        members = sorted(members, key=lambda o: o.id)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if (a.id, b.id) in seen or (a.id, b.id) in ignored:
                    continue
                seen.add((a.id, b.id))
                found = _org_score(a, b)
                if found is not None and found[0] >= threshold:
                    pairs.append(Pair(a.id, b.id, found[0], found[1]))
        if progress is not None and done % 1000 == 0:
            progress("Comparing", done, len(blocks))
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    return _named(db, "companies", pairs, limit)


# --- "not a duplicate" ---------------------------------------------------------------------------


@retried
def ignore(
    db: Database, a_ref: str, b_ref: str, *, companies: bool = False
) -> tuple[int, int, bool]:
    """Record that two contacts (or organisations) are not duplicates; returns (a, b, new)."""
    from greentech_cli.store import companies as company_store
    from greentech_cli.store import contacts as contact_store

    entity = "company" if companies else "contact"
    with transaction(db):
        if companies:
            a_id = company_store.resolve(db, a_ref).id or 0
            b_id = company_store.resolve(db, b_ref).id or 0
        else:
            a_id = contact_store.resolve(db, a_ref).id or 0
            b_id = contact_store.resolve(db, b_ref).id or 0
        if a_id == b_id:
            raise InvalidData(f"both references name the same {entity} ({a_id})")
        new = store.add_ignore(db, entity, a_id, b_id)
        if new:
            audit.record(
                db, entity, min(a_id, b_id), "not-duplicate", {"other_id": max(a_id, b_id)}
            )
    return min(a_id, b_id), max(a_id, b_id), new


# --- review --------------------------------------------------------------------------------------

REVIEW_ANSWERS = ("merge", "not", "skip", "quit")


@dataclass
class Review:
    """What a `dedupe --review` walk did."""

    merged: list[tuple[int, int]] = field(default_factory=list)
    not_same: list[tuple[int, int]] = field(default_factory=list)
    skipped: int = 0
    left: int = 0

    def to_json(self) -> dict[str, Any]:
        """The walk as JSON: pairs merged (keep, other) and marked not the same, counts."""
        return {
            "merged": [list(p) for p in self.merged],
            "not_same": [list(p) for p in self.not_same],
            "skipped": self.skipped,
            "left": self.left,
        }


def review(
    db: Database,
    pairs: list[DuplicatePair],
    ask: Callable[[DuplicatePair], str],
    *,
    companies: bool = False,
) -> Review:
    """Walk through candidate pairs, asking about each: merge (B into A), not the same (recorded
    as `dedupe ignore`, so the pair is not shown again), skip, or quit.

    `ask` returns one of `REVIEW_ANSWERS` (the CLI asks on a terminal; tests inject answers).
    A pair that names a record merged away earlier in the walk is passed over.
    """
    from greentech_cli.services.identity import merge

    done = Review()
    gone: set[int] = set()
    for position, pair in enumerate(pairs):
        if pair.a in gone or pair.b in gone:
            continue
        answer = ask(pair)
        if answer not in REVIEW_ANSWERS:
            raise InvalidData(f"no answer {answer!r}; one of {', '.join(REVIEW_ANSWERS)}")
        if answer == "quit":
            done.left = len(pairs) - position
            break
        if answer == "merge":
            if companies:
                merge.merge_companies(db, str(pair.a), str(pair.b))
            else:
                merge.merge_contacts(db, str(pair.a), str(pair.b))
            gone.add(pair.b)
            done.merged.append((pair.a, pair.b))
        elif answer == "not":
            ignore(db, str(pair.a), str(pair.b), companies=companies)
            done.not_same.append((pair.a, pair.b))
        else:
            done.skipped += 1
    return done
