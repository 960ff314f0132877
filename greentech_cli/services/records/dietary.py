"""Members' dietary needs: recorded only with the person's consent, summed up for a meal.

Dietary needs can reveal health or religion (special-category data, GDPR Art. 9): they are kept
apart from the member, only with a consent date, shown only in the officer's and the caterer's
output, listed by `privacy report` and erased with the person.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from greentech_cli.db import retried, transaction
from greentech_cli.errors import InvalidData
from greentech_cli.services.records.delegations import resolve_member
from greentech_cli.store.trip import dietary as store
from greentech_cli.text.cleaning import clean
from greentech_cli.text.dates import parse_date

if TYPE_CHECKING:
    from collections.abc import Iterable

    from greentech_cli.db import Database

_SEPARATORS = re.compile(r"\s*[;,\n]\s*")


def needs_of(text: str | None) -> list[str]:
    """The single needs of a dietary text ("vegetarian; nut allergy" → two), as written."""
    return [part for part in _SEPARATORS.split(clean(text) or "") if part]


@retried
def set_needs(
    db: Database,
    delegation_ref: str,
    contact_ref: str,
    needs: str | None,
    consent: str | None,
    source: str | None = None,
) -> bool:
    """Record (or with empty needs, forget) a member's dietary needs; True when it changed.

    Needs are stored only with the date the person consented (and where, if given)."""
    with transaction(db):
        member = resolve_member(db, delegation_ref, contact_ref)
        return record(db, member.id or 0, needs, consent, source)


def record(
    db: Database, member_id: int, needs: str | None, consent: str | None, source: str | None
) -> bool:
    """Store (or with empty needs, forget) a member's dietary needs inside the caller's
    transaction; needs without a consent date are refused. True when they changed."""
    text = "; ".join(needs_of(needs))
    if not text:
        return store.delete(db, member_id)
    day = check_consent(needs, consent) or ""
    return store.put(db, member_id, text, day, clean(source))


def check_consent(needs: str | None, consent: str | None) -> str | None:
    """The consent date (ISO) that dietary needs are stored under; needs without a readable
    consent date raise InvalidData. None when there are no needs."""
    if not needs_of(needs):
        return None
    if not clean(consent):
        raise InvalidData(
            "dietary needs can reveal health or religion (GDPR Art. 9): record them only "
            "with the person's consent, --dietary-consent DATE (dietary_consent in a file)"
        )
    return parse_date(str(consent)).isoformat()


def of_delegation(db: Database, delegation_id: int) -> dict[int, dict[str, Any]]:
    """The recorded dietary needs of a delegation's members, by contact id."""
    return store.of_delegation(db, delegation_id)


def summary(needs: dict[int, dict[str, Any]], people: Iterable[int]) -> dict[str, int]:
    """How many of these people have each need (needs compared without case), most first."""
    counts: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    for person in people:
        record = needs.get(person)
        for need in needs_of(record["needs"] if record else None):
            key = need.casefold()
            spelled.setdefault(key, need)
            counts[key] += 1
    return {spelled[key]: n for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}
