"""SQL for the funder's report: counts per delegation, for a chosen set of delegations.

Each query returns rows of (delegation_id, label, count); `delegation_id` is NULL in the rows of
the totals, which are counted afresh over the whole set (a company met by two delegations is one
company in the total). The set is passed as a JSON array of ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greentech_cli.store.common import dumps, fetch_all, loads_list, now

if TYPE_CHECKING:
    from greentech_cli.db import Database

_IN = "IN (SELECT value FROM json_each(?))"

# Members who count as delegates: leads and delegates who did not cancel or stay invited.
DELEGATES = (
    f"SELECT m.delegation_id, m.contact_id, m.status, c.country AS own_country, c.company_id "
    f"FROM members m JOIN contacts c ON c.id = m.contact_id WHERE m.delegation_id {_IN} "
    "AND m.role IN ('delegate', 'lead') AND m.status NOT IN ('cancelled', 'invited')"
)
# The organisations of a delegation: those it visited and those its delegates work for.
COMPANIES = (
    f"SELECT delegation_id, company_id FROM visits WHERE delegation_id {_IN} "
    "AND company_id IS NOT NULL "
    f"UNION SELECT d.delegation_id, d.company_id FROM ({DELEGATES}) d "
    "WHERE d.company_id IS NOT NULL"
)
# Journal entries of a delegation: linked to it, or to one of its visits.
FOLLOWUPS = (
    "SELECT coalesce(j.delegation_id, v.delegation_id) AS delegation_id, j.kind, j.status "
    "FROM journal j LEFT JOIN visits v ON v.id = j.visit_id "
    f"WHERE coalesce(j.delegation_id, v.delegation_id) {_IN}"
)

# metric → (source query, the label expression, how many times the set is bound, distinct key);
# the company metrics are counted by `company_counts`.
METRICS: dict[str, tuple[str, str, int, str]] = {
    "visits_by_kind": (f"SELECT * FROM visits WHERE delegation_id {_IN}", "x.kind", 1, "x.id"),
    "delegates_by_country": (
        f"SELECT d.*, coalesce(d.own_country, co.country, 'unknown') AS label FROM ({DELEGATES}) d "
        "LEFT JOIN companies co ON co.id = d.company_id",
        "x.label",
        1,
        "x.contact_id",
    ),
    "delegates_by_kind": (
        f"SELECT d.*, coalesce(co.kind, 'none') AS label FROM ({DELEGATES}) d "
        "LEFT JOIN companies co ON co.id = d.company_id",
        "x.label",
        1,
        "x.contact_id",
    ),
    "members_by_status": (
        f"SELECT * FROM members WHERE delegation_id {_IN}",
        "x.status",
        1,
        "x.id",
    ),
    "attendance": (
        "SELECT v.delegation_id, a.status, a.visit_id || '/' || a.contact_id AS key "
        f"FROM attendance a JOIN visits v ON v.id = a.visit_id WHERE v.delegation_id {_IN}",
        "x.status",
        1,
        "x.key",
    ),
    "followups_by_kind": (FOLLOWUPS, "x.kind", 1, "x.rowid_"),
    "leads_by_status": (FOLLOWUPS + " AND j.kind = 'lead'", "x.status", 1, "x.rowid_"),
    "b2b_meetings_held": (
        f"SELECT v.* FROM visits v WHERE v.delegation_id {_IN} AND v.kind = 'b2b-meeting' "
        "AND EXISTS (SELECT 1 FROM attendance a WHERE a.visit_id = v.id AND a.status = 'present')",
        "''",
        1,
        "x.id",
    ),
}


# Metrics over the organisations of the delegations, counted in one pass over their links.
COMPANY_METRICS = ("companies_by_sector", "companies_by_region")


def company_counts(
    db: Database, delegation_ids: list[int]
) -> dict[str, list[tuple[int | None, str, int]]]:
    """Companies by sector and by region (or country when no region is on file), each company
    once per delegation and once in the total; a company without sectors is `unknown`."""
    ids = dumps(delegation_ids)
    rows = db.execute(
        "SELECT c.delegation_id, c.company_id, co.sectors, "
        "coalesce(co.region, co.country, 'unknown') "
        f"FROM ({COMPANIES}) c JOIN companies co ON co.id = c.company_id",
        [ids, ids],
    ).fetchall()
    seen: dict[str, dict[tuple[int | None, str], set[int]]] = {m: {} for m in COMPANY_METRICS}
    sectors_of: dict[str, list[str]] = {}
    for delegation_id, company_id, sectors, region in rows:
        if sectors not in sectors_of:
            found = loads_list(sectors) if sectors and sectors.startswith("[") else []
            sectors_of[sectors] = [str(x) for x in found] or ["unknown"]
        for key in (delegation_id, None):
            for sector in sectors_of[sectors]:
                seen["companies_by_sector"].setdefault((key, sector), set()).add(company_id)
            seen["companies_by_region"].setdefault((key, str(region)), set()).add(company_id)
    return {
        metric: [(key, label, len(members)) for (key, label), members in found.items()]
        for metric, found in seen.items()
    }


def counts(
    db: Database, metric: str, delegation_ids: list[int]
) -> list[tuple[int | None, str, int]]:
    """(delegation id, label, count) per delegation, then (None, label, count) for the set."""
    if metric in COMPANY_METRICS:
        return company_counts(db, delegation_ids)[metric]
    source, label, binds, key = METRICS[metric]
    if key == "x.rowid_":
        source = source.replace("SELECT coalesce(", "SELECT j.id AS rowid_, coalesce(", 1)
    ids = [dumps(delegation_ids)] * binds
    rows = db.execute(
        f"SELECT x.delegation_id, {label}, count(DISTINCT {key}) FROM ({source}) x "
        f"GROUP BY x.delegation_id, {label} "
        f"UNION ALL SELECT NULL, {label}, count(DISTINCT {key}) FROM ({source}) x "
        f"GROUP BY {label}",
        ids + ids,
    ).fetchall()
    return [(r[0], str(r[1]), int(r[2])) for r in rows]


def delegations_in(
    db: Database, since: str | None, until: str | None, delegation_id: int | None
) -> list[dict[str, Any]]:
    """The delegations a report covers: one, those overlapping a period, or all; by start date."""
    where: list[str] = []
    params: list[Any] = []
    if delegation_id is not None:
        where.append("id = ?")
        params.append(delegation_id)
    if since is not None:
        where.append("end_date >= ?")
        params.append(since)
    if until is not None:
        where.append("start_date <= ?")
        params.append(until)
    sql = "SELECT id, code, title, start_date, end_date, status FROM delegations"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return fetch_all(db, sql + " ORDER BY start_date, code", params)


def tallies(db: Database, delegation_ids: list[int]) -> list[tuple[int, str, str, int]]:
    """Anonymous counts kept when a delegation's people were purged: (delegation, metric,
    label, count)."""
    rows = db.execute(
        f"SELECT delegation_id, metric, label, count FROM report_tallies WHERE delegation_id {_IN}",
        [dumps(delegation_ids)],
    ).fetchall()
    return [(int(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]


def add_tallies(db: Database, delegation_id: int, counted: dict[str, dict[str, int]]) -> None:
    """Add counts to a delegation's tallies (inside the caller's transaction)."""
    for metric, labels in counted.items():
        for label, count in labels.items():
            if count:
                db.execute(
                    "INSERT INTO report_tallies (delegation_id, metric, label, count) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (delegation_id, metric, label) "
                    "DO UPDATE SET count = count + excluded.count",
                    [delegation_id, metric, label, count],
                )


def record_purge(db: Database, delegation_id: int | None, contacts: int) -> None:
    """Note that a retention purge erased this many people of a delegation."""
    db.execute(
        "INSERT INTO retention_purges (delegation_id, at, contacts) VALUES (?, ?, ?)",
        [delegation_id, now(), contacts],
    )
