"""Searching contacts and companies by any word a user remembers, in any script or spelling.

Names and details come from the records' own index; notes and follow-ups from the journal's, so
a word from a note written months ago finds the contact or company it was about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import search as store
from greentech_cli.store.followup import journal
from greentech_cli.store.search import Hit

if TYPE_CHECKING:
    from greentech_cli.db import Database


def search(db: Database, query: str, limit: int | None = None) -> list[Hit]:
    """Contacts and companies matching every word of the query (in their names and details, or
    in one entry of their journal), best first."""
    hits = store.search(db, query, limit)
    seen = {(h.type, h.id) for h in hits}
    for row in journal.matching(db, query, limit):
        if row["contact_id"] is not None and ("contact", row["contact_id"]) not in seen:
            contact = contact_store.get(db, row["contact_id"])
            hits.append(
                Hit(
                    "contact",
                    contact.id or 0,
                    contact.display_name,
                    contact.company,
                    contact.email,
                    None,
                    row["rank"],
                )
            )
            seen.add(("contact", row["contact_id"]))
        elif row["contact_id"] is None and ("company", row["company_id"]) not in seen:
            company = company_store.get(db, row["company_id"])
            hits.append(
                Hit("company", company.id or 0, company.name, None, None, company.city, row["rank"])
            )
            seen.add(("company", row["company_id"]))
    hits.sort(key=lambda h: h.rank)
    return hits[:limit] if limit is not None else hits
