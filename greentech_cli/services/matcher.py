"""The one matcher of people: whether two contact records are the same person, and why.

`greentech dedupe` and the import's duplicate check both decide with this module, so a pair that
dedupe reports is the pair import would have caught, and the other way round.

API
---
``Candidate(first_name, last_name, native_name, email, phone, mobile, company, company_id)``
    What is known about a person (``company`` is the organisation's name; ``Candidate.of(contact)``
    makes one from a `models.Contact`).

``score(a, b) -> Match | None``
    Compare two candidates directly; ``Match.contact_id`` is 0 then. None when nothing links them.

``ContactIndex()``
    In-memory blocks (dicts keyed by email, folded name key, phone and company-or-domain plus a
    surname prefix) over many contacts:

    * ``ContactIndex.from_db(db, progress=None)`` loads every contact once (one SELECT; about
      2 s and 180 MB for 100,000 contacts);
    * ``index.add(contact_id, candidate)`` adds one (e.g. a row created earlier in the same import,
      so in-file duplicates are found too); ``index.remove(contact_id)`` drops one;
    * ``index.find(candidate, threshold=THRESHOLD, exclude=None) -> list[Match]`` the contacts that
      are the same person, best first — dict lookups only, no SQL per call (tens of µs);
    * ``index.pairs(threshold=THRESHOLD, progress=None) -> list[Pair]`` every candidate pair among
      the indexed contacts (for dedupe), comparing only within blocks, never all pairs;
    * ``index_of(rows)`` an index of (contact id, Candidate) pairs in one go.

    A candidate may name its company by ``company_id`` alone: the index knows the names of the
    companies of the contacts it holds. Blocks: a pair scoring above `NAME_ONLY_MAX` (65) always
    shares an email, a phone, or a company/domain together with a name key or surname prefix, so
    only those blocks are searched at the usual thresholds; at lower thresholds name keys and
    surname prefixes alone are searched too (blocks above `MAX_BLOCK` members are skipped).

``Match(contact_id, score, reasons)`` and ``Pair(a, b, score, reasons)``: ``score`` is 0–100,
``reasons`` are short English phrases (``REASONS`` lists them all).

The rules (scores are points; 100 is kept for a shared email):

* the same email address, ignoring case → 100, unless both records carry clearly different names
  (a shared mailbox such as info@…) → 60;
* otherwise a name relation is required: the **same folded name** (`names.name_keys` meet, across
  scripts and German/English transliteration; first and last name swapped counts) → 60, or a
  **similar name** (same or nearly the same folded surname — rapidfuzz — and first names that
  `names.first_names_compatible` accepts: equal, an initial, a nickname; also Ё written "yo" or
  "e", Fyodor/Fedor) → 45. Different first names
  (Olga/Oleg, Petra/Peter) and the feminine/masculine surname pair (Ivanova/Ivanov) never relate;
* support adds points: the same phone or mobile +35, the same company (`names.company_key`, legal
  forms stripped) +30, else the same email domain (free-mail providers excluded) +25, the same
  native-script name +5; contradictions take them away: phones on both sides but none shared −30,
  different companies −15;
* capped at 99. `THRESHOLD` (70) is what counts as a duplicate by default: the same name at the
  same company, or a similar name with the same phone; the same common name at different companies
  with no shared email or phone stays well below it.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..names import company_key, first_names_compatible, fold, name_keys

if TYPE_CHECKING:
    from ..db import Database
    from ..models import Contact

__all__ = [
    "REASONS",
    "THRESHOLD",
    "Candidate",
    "ContactIndex",
    "Match",
    "Pair",
    "index_of",
    "score",
]

THRESHOLD = 70
# A block larger than this is not compared pair by pair (a name shared by hundreds of records
# says nothing); the company-and-surname blocks still find the supported pairs inside it.
MAX_BLOCK = 400
# The highest score a pair reaches on names alone, without a shared email, phone, company or domain.
NAME_ONLY_MAX = 65
# rapidfuzz ratio (0–100) of two folded surnames above which they count as one misspelt name.
SIMILAR_SURNAME = 85

REASONS = (
    "same email",
    "same phone",
    "same folded name",
    "first and last name swapped",
    "similar name",
    "same native name",
    "same company",
    "same email domain",
    "different names",
    "different phones",
    "different companies",
)

# Addresses at these providers say nothing about where a person works.
FREE_MAIL = frozenset(
    (
        "gmail.com", "googlemail.com", "outlook.com", "outlook.de", "hotmail.com", "hotmail.de",
        "live.com", "live.de", "msn.com", "yahoo.com", "yahoo.de", "icloud.com", "me.com",
        "mac.com", "aol.com", "aol.de", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "web.de",
        "t-online.de",
        "freenet.de", "posteo.de", "mailbox.org", "protonmail.com", "proton.me", "arcor.de",
        "mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru", "yandex.ru", "yandex.kz",
        "yandex.com", "ya.ru", "rambler.ru", "mail.kz", "inbox.kz", "umail.uz", "mail.uz", "bk.uz",
        "qq.com", "163.com"
    )
)  # fmt: skip

_DIGITS = re.compile(r"\D+")


@dataclass(slots=True)
class Candidate:
    """What is known about a person for matching: names, addresses and the company's name."""

    first_name: str | None = None
    last_name: str | None = None
    native_name: str | None = None
    email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    company: str | None = None
    company_id: int | None = None

    @classmethod
    def of(cls, contact: Contact) -> Candidate:
        """The candidate for a stored or incoming contact."""
        return cls(
            first_name=contact.first_name,
            last_name=contact.last_name,
            native_name=contact.native_name,
            email=contact.email,
            phone=contact.phone,
            mobile=contact.mobile,
            company=contact.company,
            company_id=contact.company_id,
        )


@dataclass
class Match:
    """An indexed contact that is probably the same person as the candidate."""

    contact_id: int
    score: int
    reasons: list[str] = field(default_factory=list)


@dataclass
class Pair:
    """Two indexed contacts that are probably one person (a < b)."""

    a: int
    b: int
    score: int
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of SPEC §3: a, b, score, reasons."""
        return {"a": self.a, "b": self.b, "score": self.score, "reasons": list(self.reasons)}


# --- features ------------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 14)
def _company_key(name: str) -> str:
    """`names.company_key`, cached: a few thousand organisations stand behind 100,000 people."""
    return company_key(name)


def _phone_key(value: str | None) -> str | None:
    """A phone number as digits, so "+49 211 …" and "+49211…" meet; short scraps are ignored."""
    if not value:
        return None
    if value[0] == "+" and value[1:].isdigit():
        return value if len(value) > 6 else None  # stored E.164, the usual case
    digits = _DIGITS.sub("", value)
    if len(digits) < 6:
        return None
    return ("+" if value.lstrip().startswith("+") else "") + digits


@lru_cache(maxsize=1 << 16)
def _folded(text: str) -> str:
    """`names.fold` of one name part."""
    return fold(text)


_YO = re.compile(r"i[oe]")


@lru_cache(maxsize=1 << 16)
def _compatible(a: str, b: str) -> bool:
    """`names.first_names_compatible`, cached, plus Ё written "yo" or "e".

    Фёдор arrives as Fyodor and Fedor, Алёна as Alyona and Alena, Бахтиёр as Bakhtiyor and
    Bakhtier; folding keeps "io" and "e" apart, so they are joined here.
    """
    if first_names_compatible(a, b):
        return True
    fold_a, fold_b = _folded(a), _folded(b)
    return fold_a != fold_b and _YO.sub("e", fold_a) == _YO.sub("e", fold_b)


@dataclass(frozen=True, eq=False)
class _Name:
    """The folded forms of one written name, shared by every record that carries it.

    Compared and hashed by identity: `_name` hands out one object per written name, which keeps
    the cache of `_name_relation` cheap.
    """

    first: str
    first_f: str
    last_f: str
    keys: frozenset[str]
    multi_keys: frozenset[str]  # keys of two words or more: a full name, not a lone surname
    native_key: str
    blocks: tuple[str, ...]


@lru_cache(maxsize=1 << 17)
def _name(first: str, last: str, native: str) -> _Name:
    """The folded forms of a name (cached: the same name arrives many times)."""
    keys = frozenset(name_keys(first or None, last or None, native or None))
    last_f = _folded(last) if last else ""
    native_key = " ".join(sorted(_folded(native).split())) if native else ""
    first_f = _folded(first) if first else ""
    # Surname prefixes for the blocks with company or domain: a misspelling late in the name, an
    # initial or a nickname still lands in the same block. A native name gives every word, since
    # its word order is not known.
    words = (last_f or native_key or first_f).split()
    multi_keys = frozenset(key for key in keys if " " in key)
    # Whole keys too: swapped first and last names still meet.
    blocks = {word[:4] for word in words}
    blocks.update(multi_keys)
    return _Name(first, first_f, last_f, keys, multi_keys, native_key, tuple(sorted(blocks)))


@lru_cache(maxsize=1 << 14)
def _supports(company: str | None, domain: str | None) -> tuple[str, ...]:
    """The block prefixes of a company and an email domain (cached: both repeat)."""
    found = []
    if company:
        found.append("c:" + company)
    if domain:
        found.append("d:" + domain)
    return tuple(found)


class _Record:
    """A candidate with the features the rules compare, computed once."""

    __slots__ = ("company", "company_id", "domain", "email", "name", "phones", "supports")

    def __init__(
        self,
        first: str | None,
        last: str | None,
        native: str | None,
        email: str | None,
        phone: str | None,
        mobile: str | None,
        company: str | None,
        company_id: int | None,
    ) -> None:
        email = email.strip().lower() if email else ""
        self.email = email or None
        domain = email.rpartition("@")[2] if "@" in email else ""
        self.domain = domain if domain and domain not in FREE_MAIL else None
        if phone or mobile:
            found = [p for p in (_phone_key(phone), _phone_key(mobile)) if p]
            self.phones = frozenset(found) if found else _NO_PHONES
        else:
            self.phones = _NO_PHONES
        self.company_id = company_id
        if company and company.strip():
            self.company: str | None = _company_key(company) or f"#{company_id}"
        else:
            self.company = f"#{company_id}" if company_id is not None else None
        self.supports = _supports(self.company, self.domain)
        self.name = _name(
            first.strip() if first else "",
            last.strip() if last else "",
            native.strip() if native else "",
        )

    @classmethod
    def of(cls, c: Candidate) -> _Record:
        """The record of a candidate."""
        return cls(
            c.first_name, c.last_name, c.native_name, c.email, c.phone, c.mobile, c.company,
            c.company_id,
        )  # fmt: skip


_NO_PHONES: frozenset[str] = frozenset()


# --- rules ---------------------------------------------------------------------------------------

_SAME, _SIMILAR = 2, 1


def _gender_pair(a: str, b: str) -> bool:
    """Whether two folded surnames are the feminine and masculine form (Ivanova/Ivanov)."""
    return a != b and (a == b + "a" or b == a + "a")


def _surnames_conflict(a: _Name, b: _Name) -> bool:
    """Whether the surnames are a feminine/masculine pair word by word (Nurlanova/Nurlanov)."""
    words_a, words_b = a.last_f.split(), b.last_f.split()
    return any(_gender_pair(x, y) for x in words_a for y in words_b)


@lru_cache(maxsize=1)
def _ratio() -> Callable[..., float]:
    """rapidfuzz's ratio, imported on first use (starting the CLI does not need it)."""
    from rapidfuzz.fuzz import ratio

    return ratio


@lru_cache(maxsize=1 << 18)
def _name_relation(a: _Name, b: _Name) -> tuple[int, tuple[str, ...]] | None:
    """How two names relate: the same (folded keys meet), similar, or not at all (None)."""
    if a.multi_keys & b.multi_keys:
        if a.first_f and a.first_f != b.first_f and a.first_f == b.last_f and a.last_f == b.first_f:
            return _SAME, ("first and last name swapped",)
        return _SAME, ("same folded name",)
    if not a.last_f or not b.last_f:
        return None
    # Cheap tests first: most pairs of a block share a surname prefix and nothing more.
    if a.last_f != b.last_f and (
        not _ratio()(a.last_f, b.last_f, score_cutoff=SIMILAR_SURNAME) or _surnames_conflict(a, b)
    ):
        return None
    if a.first and b.first and not _compatible(a.first, b.first):
        return None
    # The same or a misspelt surname beside an initial, a nickname or a missing first name.
    return _SIMILAR, ("similar name",)


def forget_people() -> None:
    """Drop what the matcher cached about particular people and pairs of them.

    Those caches fill with every name scored; a long import calls this after each chunk, so its
    memory stays flat however many rows it reads (the repeats within a chunk still hit).
    """
    for cached in (_name, _name_relation, _folded, _compatible):
        cached.cache_clear()


def _score(a: _Record, b: _Record) -> tuple[int, list[str]] | None:
    """The score and reasons of a pair of records, or None when nothing links them."""
    relation = _name_relation(a.name, b.name) if a.name.keys and b.name.keys else None
    if a.email and a.email == b.email:
        if relation is not None or not a.name.keys or not b.name.keys:
            return 100, ["same email", *(relation[1] if relation else ())]
        return 60, ["same email", "different names"]
    if relation is None:
        return None
    kind, found = relation
    points = 60 if kind == _SAME else 45
    reasons = list(found)
    if a.phones & b.phones:
        points += 35
        reasons.append("same phone")
    elif a.phones and b.phones:
        points -= 30
        reasons.append("different phones")
    if (a.company and a.company == b.company) or (
        a.company_id is not None and a.company_id == b.company_id
    ):
        points += 30
        reasons.append("same company")
    elif a.domain and a.domain == b.domain:
        points += 25
        reasons.append("same email domain")
    elif a.company and b.company:
        points -= 15
        reasons.append("different companies")
    if a.name.native_key and a.name.native_key == b.name.native_key:
        points += 5
        reasons.append("same native name")
    return max(0, min(99, points)), reasons


def score(a: Candidate, b: Candidate) -> Match | None:
    """Compare two candidates directly: a Match (contact_id 0) when anything links them."""
    found = _score(_Record.of(a), _Record.of(b))
    if found is None:
        return None
    return Match(0, found[0], found[1])


# --- the index -----------------------------------------------------------------------------------


@contextmanager
def _without_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while many small objects are made.

    Building the blocks of 100,000 contacts creates hundreds of thousands of lists and tuples, none
    in a reference cycle; without the pause the collector rescans them again and again and the
    build takes more than twice as long.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
        from ..store import dedupe as store

        index = cls()
        total = store.contact_count(db)
        with _without_gc():
            for done, row in enumerate(store.contact_rows(db), 1):
                if row[8] is not None and row[7]:
                    index.company_names[row[8]] = row[7]
                index._insert(row[0], _Record(*row[1:]))
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
        if record.email:
            self.by_email.setdefault(record.email, []).append(contact_id)
        for phone in record.phones:
            self.by_phone.setdefault(phone, []).append(contact_id)
        name = record.name
        if self.by_key is not None:
            for key in name.keys | set(name.blocks):
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
        if record.email:
            found.append((self.by_email, record.email))
        for phone in record.phones:
            found.append((self.by_phone, phone))
        name = record.name
        if self.by_key is not None:
            found.extend((self.by_key, key) for key in name.keys | set(name.blocks))
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
                for key in record.name.keys | set(record.name.blocks):
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
        if record.email:
            nearby.update(self.by_email.get(record.email, ()))
        for phone in record.phones:
            nearby.update(self.by_phone.get(phone, ()))
        for support in record.supports:
            block = self.by_support.get(support)
            if block is not None:
                for token in record.name.blocks:
                    nearby.update(block.get(token, ()))
        if threshold <= NAME_ONLY_MAX:
            by_key = self._name_blocks()
            for key in record.name.keys | set(record.name.blocks):
                nearby.update(by_key.get(key, ()))
        if exclude is not None:
            nearby.discard(exclude)
        matches = []
        for contact_id in nearby:
            found = _score(record, self.records[contact_id])
            if found is not None and found[0] >= threshold:
                matches.append(Match(contact_id, found[0], found[1]))
        matches.sort(key=lambda m: (-m.score, m.contact_id))
        return matches

    def pairs(self, threshold: int = THRESHOLD, progress: Progress | None = None) -> list[Pair]:
        """Every pair of indexed contacts scoring at least threshold, best first."""
        seen: set[tuple[int, int]] = set()
        found: list[Pair] = []
        # Emails and phones are compared however large their block (a shared mailbox is worth
        # seeing); name blocks only up to MAX_BLOCK.
        blocks = [
            ids
            for block in self._searched(threshold)
            for ids in block.values()
            if len(ids) >= 2
            and (len(ids) <= MAX_BLOCK or block is self.by_email or block is self.by_phone)
        ]
        with _without_gc():
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
                            found.append(Pair(a, b, result[0], result[1]))
                if progress is not None and done % 5000 == 0:
                    progress(done, len(blocks))
        if progress is not None:
            progress(len(blocks), len(blocks))
        found.sort(key=lambda p: (-p.score, p.a, p.b))
        return found


def index_of(rows: Iterable[tuple[int, Candidate]]) -> ContactIndex:
    """An index of (contact id, candidate) pairs, e.g. the rows of a file being imported."""
    index = ContactIndex()
    with _without_gc():
        for contact_id, candidate in rows:
            index.add(contact_id, candidate)
    return index
