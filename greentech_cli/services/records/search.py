"""Searching contacts and companies by any word a user remembers, in any script or spelling.

Names and details come from the records' own index; notes and follow-ups from the journal's, so
a word from a note written months ago finds the contact or company it was about. The index only
finds; the order is `text.fulltext.ranked`'s, computed from the found entries' texts, so it is the
same whatever engine found them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from greentech_cli.store import search as store
from greentech_cli.store.followup import journal
from greentech_cli.store.search import Hit
from greentech_cli.text.fulltext import Found, query_term_groups, ranked

if TYPE_CHECKING:
    from greentech_cli.db import Database


def search(db: Database, query: str, limit: int | None = None) -> list[Hit]:
    """Contacts and companies matching every word of the query (in their names and details, or
    in one entry of their journal), best first."""
    groups = query_term_groups(query)
    if not groups or limit == 0:
        return []
    found = [f for kind in store.INDEXES for f in store.matching_entries(db, kind, groups)]
    found += _found_in_journal(db, groups, {(f.kind, f.id) for f in found})
    return store.hits(db, ranked(query, found, limit))


def _found_in_journal(
    db: Database, groups: list[tuple[str, ...]], seen: set[tuple[str, int]]
) -> list[Found]:
    """The contacts and companies (not already found by their own entries) with a journal entry
    that matches, with the text and keys of those entries."""
    notes: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    for contact_id, company_id, text, keys in journal.matching_entries(db, groups):
        # An entry about a contact (and maybe their company) finds the contact.
        key = ("contact", contact_id) if contact_id is not None else ("company", company_id or 0)
        if key not in seen:
            notes[key].append((text, keys))
    found: list[Found] = []
    for kind in store.INDEXES:
        ids = [record_id for (k, record_id) in notes if k == kind]
        entries = store.entries_of(db, kind, ids)
        for record_id in ids:
            entry = entries.get(record_id, Found(kind, record_id, ""))
            texts = sorted(notes[kind, record_id])
            found.append(
                Found(
                    kind,
                    record_id,
                    entry.names,
                    entry.details,
                    entry.keys,
                    "\n".join(text for text, _ in texts),
                    " ".join(keys for _, keys in texts),
                )
            )
    return found
