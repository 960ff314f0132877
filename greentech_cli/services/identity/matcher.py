"""The one matcher of people: whether two contact records are the same person, and why.

`greentech dedupe` and the import's duplicate check both decide with this module, so a pair that
dedupe reports is the pair import would have caught, and the other way round. Comparing many
contacts at once, within blocks rather than all pairs, is `services.identity.index`.

API
---
``Candidate(first_name, last_name, native_name, email, phone, mobile, company, company_id,
emails, phones, birthday)``
    What is known about a person (``company`` is the organisation's name; ``emails`` and
    ``phones`` every address and number beside the primary ``email``, ``phone`` and ``mobile``;
    ``Candidate.of(contact)`` makes one from a `models.Contact` with all of its lists).

``score(a, b) -> Match | None``
    Compare two candidates directly; ``Match.contact_id`` is 0 then. None when nothing links them.

``Match(contact_id, score, reasons, same)``: ``score`` is 0–100, ``reasons`` are short English
phrases (``REASONS`` lists them all), ``same`` the decision below.

Two decisions, kept apart:

* **the same person** (``Match.same``; an import fills, updates or skips on it, untouched by a
  person): a shared email (any of either's addresses, ignoring case) with names that fit, or the
  **same folded name** at the **same company** — or with a shared phone — with nothing
  contradicting: no email, phone or birthday on both sides that differs;
* **possibly the same** (a score of at least `THRESHOLD` without ``same``): listed by `dedupe`
  and in the import's summary with its score and reasons, never acted on.

The points (100 is kept for a shared email):

* a shared email → 100, unless both records carry clearly different names: the same first name
  (a married name) → 80, else (a shared mailbox such as info@…) → 60;
* otherwise a name relation is required: the **same folded name** (`names.name_keys` meet, across
  scripts and German/English transliteration; first and last name swapped counts) → 60, or a
  **similar name** (same or nearly the same folded surname — rapidfuzz — and first names that
  `names.first_names_compatible` accepts: equal, an initial, a nickname, a middle name more; also
  Ё written "yo" or "e", Fyodor/Fedor; or a surname misspelt worse — `SUPPORTED_SURNAME` —
  beside the same first name and a shared phone or company) → 45. Different first names
  (Olga/Oleg, Petra/Peter), the feminine/masculine surname pair (Ivanova/Ivanov), different
  numbers in the names (Test1/Test2) and placeholders (`N.N.`, `TBD`, `Teilnehmer 1`:
  `names.is_placeholder`) never relate;
* support adds points: the same phone or mobile (compared by their last nine digits) +35, the
  same company (`company_names.company_key`, legal forms stripped) +30, else the same email
  domain (free-mail providers excluded) +25, the same native-script name +5; contradictions
  take them away: phones on both sides but none shared −30, different companies −15, emails on
  both sides but none shared −10, different birthdays −40;
* capped at 99. `THRESHOLD` (70) is where "possibly the same" begins: the same name at the same
  company, or a similar name with the same phone; the same common name at different companies
  with no shared email or phone stays well below it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from greentech_cli.services.identity.features import FREE_MAIL
from greentech_cli.services.identity.features import birthday_of as _birthday
from greentech_cli.services.identity.features import birthdays_differ as _birthdays_differ
from greentech_cli.services.identity.features import company_key_cached as _company_key
from greentech_cli.services.identity.features import listed as _listed
from greentech_cli.services.identity.features import phone_key as _phone_key
from greentech_cli.text.names import (
    first_names_compatible,
    fold,
    is_placeholder,
    name_keys,
    transliterate,
)

if TYPE_CHECKING:
    from greentech_cli.models.records import Contact

__all__ = [
    "NAME_ONLY_MAX",
    "REASONS",
    "THRESHOLD",
    "Candidate",
    "Match",
    "score",
]

THRESHOLD = 70
# The highest score a pair reaches on names alone, without a shared email, phone, company or domain.
NAME_ONLY_MAX = 65
# rapidfuzz ratio (0–100) of two folded surnames above which they count as one misspelt name.
SIMILAR_SURNAME = 85

REASONS = (
    "same email",
    "same first name, other surname",
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
    "different emails",
    "different birthdays",
)


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
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    birthday: str | None = None

    @classmethod
    def of(cls, contact: Contact) -> Candidate:
        """The candidate for a stored or incoming contact: every email and phone it holds."""
        return cls(
            first_name=contact.first_name,
            last_name=contact.last_name,
            native_name=contact.native_name,
            company=contact.company,
            company_id=contact.company_id,
            emails=tuple(e.value for e in contact.emails),
            phones=tuple(p.value for p in contact.phones if p.type != "fax"),
            birthday=contact.birthday,
        )


@dataclass
class Match:
    """An indexed contact that is the same person (``same``) or possibly the same."""

    contact_id: int
    score: int
    reasons: list[str] = field(default_factory=list)
    same: bool = False


# --- features ------------------------------------------------------------------------------------


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
    numbers: str  # the numbers written in the name (Test1, Ölçer29): different ones never relate
    by_name: frozenset[str]  # keys and blocks for name-only blocking (no first-name blocks)
    last_plain: str  # the surname in plain lowercase ASCII, unfolded (Moyer folds to "mor")


# Keyed by whole names, mostly met once: a small cache keeps the repeats and keeps memory flat
# however many people an import or dedupe scores (dedupe over 100,000 took 4.0 s either way).
@lru_cache(maxsize=1 << 12)
def _name(first: str, last: str, native: str) -> _Name:
    """The folded forms of a name (cached: the same name arrives many times)."""
    if is_placeholder(first or None, last or None, native or None):
        return _Name(first, "", "", frozenset(), frozenset(), "", (), "", frozenset(), "")
    keys = frozenset(name_keys(first or None, last or None, native or None))
    last_f = _folded(last) if last else ""
    native_key = " ".join(sorted(_folded(native).split())) if native else ""
    first_f = _folded(first) if first else ""
    # Surname prefixes for the blocks with company or domain: a misspelling late in the name, an
    # initial or a nickname still lands in the same block. A native name gives every word, since
    # its word order is not known.
    words = (last_f or native_key or first_f).split()
    multi_keys = frozenset(key for key in keys if " " in key)
    # Whole keys too: swapped first and last names still meet; and the first name's start, so a
    # misspelling early in the surname (Voigt/Vogit) still meets at the same company or phone.
    blocks = {word[:4] for word in words}
    blocks.update(multi_keys)
    if first_f and last_f:
        blocks.add("f:" + first_f[:4])
    numbers = " ".join(sorted(_NUMBER.findall(f"{first} {last}") or _NUMBER.findall(native)))
    blocks.discard("")
    by_name = keys | {token for token in blocks if not token.startswith("f:")}
    return _Name(
        first,
        first_f,
        last_f,
        keys,
        multi_keys,
        native_key,
        tuple(sorted(blocks)),
        numbers,
        frozenset(by_name),
        transliterate(last) if last else "",
    )


_NUMBER = re.compile(r"\d+")


@lru_cache(maxsize=1 << 14)
def _supports(company: str | None, domains: tuple[str, ...]) -> tuple[str, ...]:
    """The block prefixes of a company and email domains (cached: both repeat)."""
    found = []
    if company:
        found.append("c:" + company)
    found.extend("d:" + domain for domain in domains)
    return tuple(found)


class _Record:
    """A candidate with the features the rules compare, computed once."""

    __slots__ = (
        "birthday", "company", "company_id", "domains", "email", "emails", "name", "phones",
        "supports",
    )  # fmt: skip

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
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
        birthday: str | None = None,
    ) -> None:
        found = {e.strip().lower() for e in (email, *emails) if e and e.strip()}
        self.emails = frozenset(found) if found else _NO_PHONES
        self.email = min(found) if found else None  # one of them, for display and tests
        domains = sorted(
            {d for d in (e.rpartition("@")[2] for e in found if "@" in e) if d not in FREE_MAIL}
        )
        self.domains = tuple(domains)
        numbers = {key for key in map(_phone_key, (phone, mobile, *phones)) if key}
        self.phones = frozenset(numbers) if numbers else _NO_PHONES
        self.company_id = company_id
        if company and company.strip():
            self.company: str | None = _company_key(company) or f"#{company_id}"
        else:
            self.company = f"#{company_id}" if company_id is not None else None
        self.supports = _supports(self.company, self.domains)
        self.name = _name(
            first.strip() if first else "",
            last.strip() if last else "",
            native.strip() if native else "",
        )
        self.birthday = _birthday(birthday)

    @classmethod
    def of(cls, c: Candidate) -> _Record:
        """The record of a candidate."""
        return cls(
            c.first_name, c.last_name, c.native_name, c.email, c.phone, c.mobile, c.company,
            c.company_id, c.emails, c.phones, c.birthday,
        )  # fmt: skip

    @classmethod
    def stored(cls, row: tuple[Any, ...]) -> _Record:
        """The record of a `store.dedupe.contact_rows` row (after its id): names, primaries,
        company, then the JSON lists of emails and phones and the birthday."""
        first, last, native, email, phone, mobile, company, company_id, emails, phones, born = row
        return cls(
            first, last, native, email, phone, mobile, company, company_id,
            _listed(emails), _listed(phones), born,
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


# Pairs of names: bounded for the same reason (a cache of 262,144 pairs, each holding its two
# names, grew an import's memory with every row).
@lru_cache(maxsize=1 << 12)
def _name_relation(a: _Name, b: _Name) -> tuple[int, tuple[str, ...]] | None:
    """How two names relate: the same (folded keys meet), similar, or not at all (None)."""
    if a.numbers != b.numbers:
        return None  # Test1 and Test2, "Teilnehmer 3" and "Teilnehmer 4": numbered, different
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


def _score(a: _Record, b: _Record) -> tuple[int, list[str], bool] | None:
    """The score, reasons and decision (the same person?) of a pair, or None when nothing links
    them."""
    relation = _name_relation(a.name, b.name) if a.name.keys and b.name.keys else None
    born_apart = _birthdays_differ(a.birthday, b.birthday)
    if a.emails and not a.emails.isdisjoint(b.emails):
        if relation is not None or not a.name.keys or not b.name.keys:
            if born_apart:
                return (
                    60,
                    ["same email", *(relation[1] if relation else ()), "different birthdays"],
                    False,
                )
            return 100, ["same email", *(relation[1] if relation else ())], True
        if (
            a.name.first
            and b.name.first
            and a.name.numbers == b.name.numbers
            and first_names_compatible(a.name.first, b.name.first)
            and not born_apart
        ):
            # A married name: the same mailbox and first name, another surname. Likely, not sure.
            return 80, ["same email", "same first name, other surname"], False
        return 60, ["same email", "different names"], False
    if relation is None:
        relation = _supported_typo(a, b)
        if relation is None:
            return None
    kind, found = relation
    points = 60 if kind == _SAME else 45
    reasons = list(found)
    contradicted = born_apart
    shared_phone = bool(a.phones & b.phones)
    if shared_phone:
        points += 35
        reasons.append("same phone")
    elif a.phones and b.phones:
        points -= 30
        reasons.append("different phones")
        contradicted = True
    same_company = bool(a.company and a.company == b.company) or (
        a.company_id is not None and a.company_id == b.company_id
    )
    if same_company:
        points += 30
        reasons.append("same company")
    elif a.domains and not set(a.domains).isdisjoint(b.domains):
        points += 25
        reasons.append("same email domain")
    elif a.company and b.company:
        points -= 15
        reasons.append("different companies")
    if a.emails and b.emails:  # none shared, or the email rule above had answered
        points -= 10
        reasons.append("different emails")
        contradicted = True
    if born_apart:
        points -= 40
        reasons.append("different birthdays")
    if a.name.native_key and a.name.native_key == b.name.native_key:
        points += 5
        reasons.append("same native name")
    same = kind == _SAME and (same_company or shared_phone) and not contradicted
    return max(0, min(99, points)), reasons, same


# rapidfuzz ratio of two surnames that count as one misspelt name when the first names are the
# same and a phone or the company is shared (Voigt/Vogit: 80).
SUPPORTED_SURNAME = 75


def _supported_typo(a: _Record, b: _Record) -> tuple[int, tuple[str, ...]] | None:
    """A surname misspelt worse than `SIMILAR_SURNAME` allows, beside the same first name and a
    shared phone or company: still a similar name."""
    x, y = a.name, b.name
    if not (x.first_f and x.first_f == y.first_f and x.last_f and y.last_f):
        return None
    if x.numbers != y.numbers or not x.keys or not y.keys or _surnames_conflict(x, y):
        return None
    supported = bool(a.phones & b.phones) or bool(a.company and a.company == b.company)
    if not supported:
        return None
    ratio = _ratio()
    if not (
        ratio(x.last_f, y.last_f, score_cutoff=SUPPORTED_SURNAME)
        or ratio(x.last_plain, y.last_plain, score_cutoff=SUPPORTED_SURNAME)
    ):
        return None
    return _SIMILAR, ("similar name",)


def score(a: Candidate, b: Candidate) -> Match | None:
    """Compare two candidates directly: a Match (contact_id 0) when anything links them."""
    found = _score(_Record.of(a), _Record.of(b))
    if found is None:
        return None
    return Match(0, found[0], found[1], found[2])
