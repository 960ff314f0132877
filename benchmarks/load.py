"""Fill a database with generated companies and contacts through the library (for benchmarks)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import people  # noqa: E402

from greentech_cli.db import open_db, transaction  # noqa: E402
from greentech_cli.errors import InvalidData  # noqa: E402
from greentech_cli.models.records import Company, Contact  # noqa: E402
from greentech_cli.services.records.contacts import apply_fields  # noqa: E402
from greentech_cli.store import companies, contacts  # noqa: E402

FIELDS = ("salutation", "title", "first_name", "last_name", "native_name", "position", "email")


def load_people(db_path: Path, n: int, seed: int = 0, duplicate_rate: float = 0.0) -> int:
    """Insert n generated people (and their companies) in one transaction; returns the count."""
    db = open_db(db_path, create=True)
    company_ids: dict[str, int] = {}
    stored = 0
    with transaction(db):
        for row in people(n, seed=seed, duplicate_rate=duplicate_rate):
            name = row.get("company") or ""
            if name and name not in company_ids:
                company = companies.insert(db, Company(name=name, city=row.get("city") or None))
                company_ids[name] = company.id or 0
            contact = Contact(company_id=company_ids.get(name))
            fields = {k: row.get(k) or None for k in FIELDS}
            fields.update(phone=row.get("phone") or None, mobile=row.get("mobile") or None)
            fields["country"] = row.get("country") or None
            try:
                apply_fields(contact, fields)
            except InvalidData:
                fields["email"] = None
                apply_fields(contact, fields)
            contacts.insert(db, contact)
            stored += 1
    db.close()
    return stored


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    print(load_people(target, count), "contacts loaded into", target)
