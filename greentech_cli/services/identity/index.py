"""The blocking index of the matcher: many contacts held in blocks, searched for the same person.

``ContactIndex()``
    In-memory blocks (dicts keyed by email, folded name key, phone and company-or-domain plus a
    surname prefix) over many contacts, scored with `services.matcher`:

    * ``ContactIndex.from_db(db, progress=None)`` loads every contact once (one SELECT; about
      2 s and 180 MB for 100,000 contacts);
    * ``index.add(contact_id, candidate)`` adds one (e.g. a row created earlier in the same import,
      so in-file duplicates are found too); ``index.remove(contact_id)`` drops one;
    * ``index.find(candidate, threshold=THRESHOLD, exclude=None) -> list[Match]`` the contacts that
      are the same person, best first — dict lookups only, no SQL per call (tens of µs);
    * ``index.pairs(threshold=THRESHOLD, progress=None) -> list[Pair]`` every candidate pair among
      the indexed contacts (for dedupe), comparing only within blocks, never all pairs (see
      `ContactIndex.pairs` for its cost);
    * ``index_of(rows)`` an index of (contact id, Candidate) pairs in one go.

    A candidate may name its company by ``company_id`` alone: the index knows the names of the
    companies of the contacts it holds. Blocks: a pair scoring above `NAME_ONLY_MAX` (65) always
    shares an email, a phone, or a company/domain together with a name key or surname prefix, so
    only those blocks are searched at the usual thresholds; at lower thresholds name keys and
    surname prefixes alone are searched too (blocks above `MAX_BLOCK` members are skipped).

``Pair(a, b, score, reasons, same)``: two indexed contacts, ``score``, ``reasons`` and ``same``
as in `Match`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from greentech_cli import collector
from greentech_cli.services.identity.matcher import (
    NAME_ONLY_MAX,
    THRESHOLD,
    Candidate,
    Match,
    _Record,
    _score,
)

if TYPE_CHECKING:
    from greentech_cli.db import Database

__all__ = [
    "MAX_BLOCK",
    "ContactIndex",
    "Pair",
    "index_of",
]

# A block larger than this is not compared pair by pair (a name shared by hundreds of records
# says nothing); the company-and-surname blocks still find the supported pairs inside it.
MAX_BLOCK = 400


@dataclass
class Pair:
    """Two indexed contacts that are probably one person (a < b)."""

    a: int
    b: int
    score: int
    reasons: list[str] = field(default_factory=list)
    same: bool = False

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of SPEC §3: a, b, score, reasons."""
        return {"a": self.a, "b": self.b, "score": self.score, "reasons": list(self.reasons)}


Progress = Callable[[int, int], None]


class ContactIndex:
    """Contacts held in dict blocks for fast duplicate look-ups (see the module docstring)."""

    def __init__(self) -> None:
        self.records: dict[int, _Record] = {}
        self.by_email: dict[str, list[int]] = {}
        self.by_phone: dict[str, list[int]] = {}
        # Name keys and surname prefixes alone: needed only at thresholds up to NAME_ONLY_MAX (a
        # higher score needs support), so built on first use.
        self.by_key: dict[str, list[int]] | None = None
        # company or email domain → name key or surname prefix → ids: the supported blocks.
        self.by_support: dict[str, dict[str, list[int]]] = {}
        # company id → name, learnt from indexed contacts: a candidate that names its company only
        # by id (an import row resolved to a company) still meets contacts of that company.
        self.company_names: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.records)

    @classmethod
    def from_db(cls, db: Database, progress: Progress | None = None) -> ContactIndex:
        """An index of every contact in the database (read with one query)."""
        from greentech_cli.store import dedupe as store

        index = cls()
        total = store.contact_count(db)
        with collector.paused():
            for done, row in enumerate(store.contact_rows(db), 1):
                if row[8] is not None and row[7]:
                    index.company_names[row[8]] = row[7]
                index._insert(row[0], _Record.stored(row[1:]))
                if progress is not None and done % 5000 == 0:
                    progress(done, total)
        if progress is not None:
            progress(total, total)
        return index

    def add(self, contact_id: int, candidate: Candidate) -> None:
        """Add (or replace) one contact."""
        if contact_id in self.records:
            self.remove(contact_id)
        self._insert(contact_id, self._record(candidate))

    def _record(self, candidate: Candidate) -> _Record:
        """The record of a candidate, its company's name taken from the index when missing."""
        if candidate.company_id is not None:
            if candidate.company:
                self.company_names[candidate.company_id] = candidate.company
            elif candidate.company_id in self.company_names:
                candidate = replace(candidate, company=self.company_names[candidate.company_id])
        return _Record.of(candidate)

    def _insert(self, contact_id: int, record: _Record) -> None:
        """Put a new record into every block it belongs to."""
        self.records[contact_id] = record
        # Written out rather than through _blocks: this runs once per contact of the database.
        for email in record.emails:
            self.by_email.setdefault(email, []).append(contact_id)
        for phone in record.phones:
            self.by_phone.setdefault(phone, []).append(contact_id)
        name = record.name
        if self.by_key is not None:
            for key in name.by_name:
                self.by_key.setdefault(key, []).append(contact_id)
        for support in record.supports:
            block = self.by_support.get(support)
            if block is None:
                block = self.by_support[support] = {}
            for token in name.blocks:
                ids = block.get(token)
                if ids is None:
                    block[token] = [contact_id]
                else:
                    ids.append(contact_id)

    def remove(self, contact_id: int) -> None:
        """Drop one contact (after a merge or a delete)."""
        record = self.records.pop(contact_id, None)
        if record is None:
            return
        for block, key in self._blocks(record):
            ids = block.get(key)
            if ids and contact_id in ids:
                ids.remove(contact_id)
                if not ids:
                    del block[key]

    def _blocks(self, record: _Record) -> list[tuple[dict[Any, list[int]], Any]]:
        """Every (block dict, key) a record belongs to."""
        found: list[tuple[dict[Any, list[int]], Any]] = []
        found.extend((self.by_email, email) for email in record.emails)
        for phone in record.phones:
            found.append((self.by_phone, phone))
        name = record.name
        if self.by_key is not None:
            found.extend((self.by_key, key) for key in name.by_name)
        for support in record.supports:
            block = self.by_support.get(support)
            if block is not None:
                found.extend((block, token) for token in name.blocks)
        return found

    def _name_blocks(self) -> dict[str, list[int]]:
        """Name key or surname prefix → ids, built on first use."""
        if self.by_key is None:
            by_key: dict[str, list[int]] = {}
            for contact_id, record in self.records.items():
                for key in record.name.by_name:
                    by_key.setdefault(key, []).append(contact_id)
            self.by_key = by_key
        return self.by_key

    def _searched(self, threshold: int) -> list[dict[Any, list[int]]]:
        """The block dicts worth searching for pairs scoring at least threshold."""
        searched = [self.by_email, self.by_phone, *self.by_support.values()]
        if threshold <= NAME_ONLY_MAX:
            searched.append(self._name_blocks())
        return searched

    def find(
        self, candidate: Candidate, threshold: int = THRESHOLD, exclude: int | None = None
    ) -> list[Match]:
        """The indexed contacts that are the same person as the candidate, best first."""
        record = self._record(candidate)
        nearby: set[int] = set()
        for email in record.emails:
            nearby.update(self.by_email.get(email, ()))
        for phone in record.phones:
            nearby.update(self.by_phone.get(phone, ()))
        for support in record.supports:
            block = self.by_support.get(support)
            if block is not None:
                for token in record.name.blocks:
                    nearby.update(block.get(token, ()))
        if threshold <= NAME_ONLY_MAX:
            by_key = self._name_blocks()
            for key in record.name.by_name:
                nearby.update(by_key.get(key, ()))
        if exclude is not None:
            nearby.discard(exclude)
        matches = []
        for contact_id in nearby:
            found = _score(record, self.records[contact_id])
            if found is not None and found[0] >= threshold:
                matches.append(Match(contact_id, found[0], found[1], found[2]))
        matches.sort(key=lambda m: (-m.score, m.contact_id))
        return matches

    def pairs(self, threshold: int = THRESHOLD, progress: Progress | None = None) -> list[Pair]:
        """Every pair of indexed contacts scoring at least threshold, best first.

        Cost: near-linear in the number of contacts N, however often names repeat. Pairs are
        compared only inside blocks (an email, a phone, a company or email domain together with a
        name key or surname prefix; name keys alone only below `NAME_ONLY_MAX`), and no block is
        compared pair by pair beyond `MAX_BLOCK` (m) members: a larger email or phone block (a
        shared mailbox, a switchboard) is split by its members' name keys and prefixes (the second
        key) and its nameless members are compared with the rest; a larger name-only block is
        skipped (a name shared by hundreds says nothing without support). Each contact sits in a
        bounded number of blocks (b, a handful), so the work is O(N · b · m) comparisons and
        O(N · b) memory — linear in N for the fixed m — instead of the O(N²) of comparing all pairs
        or of blocks that grow with the file.
        """
        seen: set[tuple[int, int]] = set()
        found: list[Pair] = []
        blocks: list[list[int]] = []
        for block in self._searched(threshold):
            keyed = block is self.by_email or block is self.by_phone
            for ids in block.values():
                if len(ids) < 2:
                    continue
                if len(ids) <= MAX_BLOCK:
                    blocks.append(ids)
                elif keyed:
                    blocks.extend(self._split(ids))
        with collector.paused():
            records = self.records
            compared: set[tuple[int, ...]] = set()
            for done, ids in enumerate(blocks, 1):
                ordered = sorted(ids)
                members = tuple(ordered)
                # A company's email domain usually makes the same blocks as the company itself.
                if members in compared:
                    continue
                compared.add(members)
                for i, a in enumerate(ordered):
                    record_a = records[a]
                    for b in ordered[i + 1 :]:
                        if (a, b) in seen:
                            continue
                        seen.add((a, b))
                        result = _score(record_a, records[b])
                        if result is not None and result[0] >= threshold:
                            found.append(Pair(a, b, result[0], result[1], result[2]))
                if progress is not None and done % 5000 == 0:
                    progress(done, len(blocks))
        if progress is not None:
            progress(len(blocks), len(blocks))
        found.sort(key=lambda p: (-p.score, p.a, p.b))
        return found

    def _split(self, ids: list[int]) -> list[list[int]]:
        """A large email or phone block as smaller ones: members sharing a name key or surname
        prefix (each capped at MAX_BLOCK), and each nameless member with every other one."""
        by_token: dict[str, list[int]] = {}
        nameless: list[int] = []
        for contact_id in ids:
            name = self.records[contact_id].name
            if not name.keys:
                nameless.append(contact_id)
            for token in set(name.blocks) | name.keys:
                by_token.setdefault(token, []).append(contact_id)
        parts = [group[:MAX_BLOCK] for group in by_token.values() if len(group) >= 2]
        # A record without a name shares the email with everyone in the block: pair it with each.
        # Capped too (a mailbox shared by thousands of nameless records is one block of m).
        if nameless:
            parts.append(nameless[:MAX_BLOCK])
            lone_ids = set(nameless)
            named = [i for i in ids if i not in lone_ids][:MAX_BLOCK]
            parts.extend([lone, other] for lone in nameless[:MAX_BLOCK] for other in named)
        return parts


def index_of(rows: Iterable[tuple[int, Candidate]]) -> ContactIndex:
    """An index of (contact id, candidate) pairs, e.g. the rows of a file being imported."""
    index = ContactIndex()
    with collector.paused():
        for contact_id, candidate in rows:
            index.add(contact_id, candidate)
    return index
