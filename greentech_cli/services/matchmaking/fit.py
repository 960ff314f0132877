"""Matchmaking: which organisations in the file fit a delegation, and why.

Each organisation gets points for the delegation's sectors it works in, for keywords it shares with
the delegation's topic and the keywords of the delegation's sectors (German and English words
from data/sectors.yaml, folded with `names.fold` and matched inside German compounds, so
"Abwassertechnik" meets "abwasser"), for nearness to the host organisation when both have
coordinates, and for having hosted visits of earlier delegations. Chambers and AHKs are left
out unless asked; the host, the partner and the organisations of the delegation's own members
always are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from greentech_cli.store import companies as company_store
from greentech_cli.store import delegations as delegation_store
from greentech_cli.store import match as store
from greentech_cli.text.names import fold

if TYPE_CHECKING:
    from greentech_cli.db import Database
    from greentech_cli.models.records import Company, Delegation

EXCLUDED_KINDS = ("chamber", "ahk")
SECTOR_POINTS, SECTOR_MAX = 35, 50
KEYWORD_POINTS, KEYWORD_MAX = 10, 30
VISIT_POINTS, VISIT_MAX = 5, 15
# (within km, points) for the distance to the host organisation.
DISTANCE_POINTS = ((25.0, 15), (50.0, 10), (100.0, 5))
EARTH_RADIUS_KM = 6371.0
# Compound matching only for keywords long enough not to hit by chance ("bau" stays whole-word).
MIN_INFIX = 5

# Words of a topic that say nothing about it (German and English, folded when used).
STOPWORDS = frozenset(
    (
        "and", "the", "for", "of", "in", "on", "with", "to", "from", "by", "a", "an", "at", "or",
        "our", "their", "new", "und", "der", "die", "das", "den", "dem", "des", "fur", "fuer",
        "von", "vom", "zu", "zum", "zur", "mit", "im", "in", "am", "auf", "aus", "bei", "nach",
        "ueber", "oder", "ein", "eine", "einer", "eines", "delegation", "trip", "reise", "visit",
        "besuch",
        "programme", "programm", "information", "informationsreise", "business", "study", "tour"
    )
)  # fmt: skip


@dataclass
class Fit:
    """One organisation's fit for a delegation."""

    company_id: int
    name: str
    score: int
    reasons: list[str]
    city: str | None = None
    sectors: list[str] = field(default_factory=list)
    kind: str = "company"
    distance_km: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON shape: company_id, name, score, reasons, city, sectors, kind, distance_km."""
        return {
            "company_id": self.company_id,
            "name": self.name,
            "score": self.score,
            "reasons": list(self.reasons),
            "city": self.city,
            "sectors": list(self.sectors),
            "kind": self.kind,
            "distance_km": self.distance_km,
        }


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _words(text: str | None) -> set[str]:
    """Folded words of a text, without stop words and scraps."""
    if not text:
        return set()
    stop = _folded_stopwords()
    return {w for w in fold(text).split() if len(w) >= 3 and w not in stop}


_STOP_CACHE: list[frozenset[str]] = []


def _folded_stopwords() -> frozenset[str]:
    if not _STOP_CACHE:
        _STOP_CACHE.append(frozenset(fold(w) for w in STOPWORDS))
    return _STOP_CACHE[0]


def sector_keywords(slugs: list[str]) -> dict[str, str]:
    """Folded keyword → the word as written in data/sectors.yaml, for the given sectors."""
    from greentech_cli.text.vocabulary import sector_table

    found: dict[str, str] = {}
    for sector in sector_table():
        if sector["slug"] not in slugs:
            continue
        words = [*list(sector.get("keywords") or []), str(sector["en"]), str(sector["de"])]  # type: ignore[call-overload]
        for word in words:
            for part in _words(str(word).replace("-", " ")):
                found.setdefault(part, str(word))
    return found


def _matches(keyword: str, word: str) -> bool:
    """Whether a company's word carries the keyword: equal, or inside a German compound."""
    if keyword == word:
        return True
    return len(keyword) >= MIN_INFIX and keyword in word


def delegation_terms(delegation: Delegation) -> dict[str, str]:
    """The folded words a fitting organisation would share: the topic and the sector keywords."""
    terms = sector_keywords(delegation.sectors)
    for word in _words(delegation.topic):
        terms.setdefault(word, word)
    return terms


def _company_words(company: Company) -> set[str]:
    """The words an organisation is described by: its tags and its name."""
    words: set[str] = set()
    for tag in company.tags:
        words |= _words(tag.replace("-", " "))
    words |= _words(company.name)
    return words


def _fit(
    company: Company,
    delegation: Delegation,
    terms: dict[str, str],
    host: tuple[float, float] | None,
    visits: list[tuple[int, list[str]]],
) -> Fit:
    """Score one organisation for the delegation."""
    from greentech_cli.text.vocabulary import sector_table

    labels = {str(s["slug"]): str(s["en"]) for s in sector_table()}
    points = 0
    reasons: list[str] = []
    shared = [s for s in delegation.sectors if s in company.sectors]
    if shared:
        points += min(SECTOR_MAX, SECTOR_POINTS * len(shared))
        reasons.append("sector " + ", ".join(labels.get(s, s).lower() for s in shared))
    words = _company_words(company)
    hits = sorted({terms[k] for k in terms if any(_matches(k, w) for w in words)})
    if hits:
        points += min(KEYWORD_MAX, KEYWORD_POINTS * len(hits))
        reasons.append("keywords " + ", ".join(hits[:6]))
    relevant = bool(shared or hits)
    distance = None
    if host is not None and company.lat is not None and company.lon is not None:
        distance = round(haversine_km(host[0], host[1], company.lat, company.lon), 1)
        for within, extra in DISTANCE_POINTS:
            if distance <= within:
                points += extra
                break
        reasons.append(f"{distance:.0f} km from the host")
    if visits:
        points += min(VISIT_MAX, VISIT_POINTS * len(visits))
        earlier = {d for d, _ in visits}
        alike = {d for d, sectors in visits if set(sectors) & set(delegation.sectors)}
        text = f"hosted {len(visits)} visit(s) of {len(earlier)} earlier delegation(s)"
        if alike:
            text += f", {len(alike)} in the same sector"
        reasons.append(text)
    return Fit(
        company.id or 0,
        company.name,
        min(100, points) if relevant else 0,
        reasons,
        company.city,
        list(company.sectors),
        company.kind,
        distance,
    )


def match(
    db: Database, delegation_ref: str, *, limit: int | None = None, all_kinds: bool = False
) -> tuple[Delegation, list[Fit]]:
    """Organisations ranked by fit for the delegation, best first (only those that fit at all)."""
    delegation = delegation_store.resolve(db, delegation_ref)
    host = None
    if delegation.host_id is not None:
        host_company = company_store.get(db, delegation.host_id)
        if host_company.lat is not None and host_company.lon is not None:
            host = (host_company.lat, host_company.lon)
    terms = delegation_terms(delegation)
    history = store.hosted_visits(db, delegation.id or 0)
    # The host, the partner and the members' own organisations are part of the delegation already.
    skip = {
        delegation.host_id,
        delegation.partner_id,
        *store.member_companies(db, delegation.id or 0),
    }
    fits = []
    for company in company_store.select(db, company_store.CompanyFilter()):
        if company.id in skip or (not all_kinds and company.kind in EXCLUDED_KINDS):
            continue
        fit = _fit(company, delegation, terms, host, history.get(company.id or 0, []))
        if fit.score > 0:
            fits.append(fit)
    fits.sort(key=lambda f: (-f.score, f.distance_km if f.distance_km is not None else 1e9, f.name))
    return delegation, fits if limit is None else fits[:limit]
