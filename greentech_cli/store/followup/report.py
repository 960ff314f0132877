"""SQL for the funder's report: counts per delegation, for a chosen set of delegations.

Counts come per metric as (delegation_id, label, count), `delegation_id` None in the rows of the
totals. What belongs to one delegation (visits, memberships, attendance, journal entries) is
counted in one grouped query and summed for the total; people and organisations, who may belong
to several, are counted distinct (a company met by two delegations is one company in the total).
The set of delegations is passed as a JSON array of ids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from greentech_cli.store.common import dumps, fetch_all, loads_list, now

if TYPE_CHECKING:
    from greentech_cli.db import Database

_IN = "IN (SELECT value FROM json_each(?))"
_JSON_IDS = "SELECT value FROM json_each("


def _for(db: Database, sql: str) -> str:
    """A statement of this module in the database's dialect (a list of ids is a JSON array)."""
    if db.engine == "sqlite":
        return sql
    return sql.replace(_JSON_IDS, "SELECT value::bigint FROM jsonb_array_elements_text(")


# Members who count as delegates: leads and delegates who did not cancel or stay invited.
DELEGATES = (
    f"SELECT m.delegation_id, m.contact_id, m.status, c.country AS own_country, c.company_id "
    f"FROM members m JOIN contacts c ON c.id = m.contact_id WHERE m.delegation_id {_IN} "
    "AND m.role IN ('delegate', 'lead') AND m.status NOT IN ('cancelled', 'invited')"
)
# An organisation's sectors (JSON) and its region (or country) as the report counts them.
_COMPANY = "co.sectors, coalesce(co.region, co.country, 'unknown')"
# Journal entries of a delegation: linked to it, or to one of its visits.
FOLLOWUPS = (
    "SELECT coalesce(j.delegation_id, v.delegation_id) AS delegation_id, j.kind, j.status "
    "FROM journal j LEFT JOIN visits v ON v.id = j.visit_id "
    f"WHERE coalesce(j.delegation_id, v.delegation_id) {_IN}"
)

# Metrics whose every counted thing belongs to one delegation (a visit, a membership, a mark of
# attendance, a journal entry): the total is the sum of the delegations' counts, so one grouped
# query counts them all. Each part yields (delegation_id, metric, label, count).
SUMMED = " UNION ALL ".join(
    (
        f"SELECT delegation_id, 'visits_by_kind', kind, count(*) FROM visits "
        f"WHERE delegation_id {_IN} GROUP BY delegation_id, kind",
        f"SELECT delegation_id, 'members_by_status', status, count(*) FROM members "
        f"WHERE delegation_id {_IN} GROUP BY delegation_id, status",
        "SELECT v.delegation_id, 'attendance', a.status, count(*) FROM attendance a "
        f"JOIN visits v ON v.id = a.visit_id WHERE v.delegation_id {_IN} "
        "GROUP BY v.delegation_id, a.status",
        f"SELECT x.delegation_id, 'followups_by_kind', x.kind, count(*) FROM ({FOLLOWUPS}) x "
        "GROUP BY x.delegation_id, x.kind",
        f"SELECT x.delegation_id, 'leads_by_status', x.status, count(*) FROM ({FOLLOWUPS}) x "
        "WHERE x.kind = 'lead' GROUP BY x.delegation_id, x.status",
        "SELECT v.delegation_id, 'b2b_meetings_held', '', count(*) FROM visits v "
        f"WHERE v.delegation_id {_IN} AND v.kind = 'b2b-meeting' AND EXISTS "
        "(SELECT 1 FROM attendance a WHERE a.visit_id = v.id AND a.status = 'present') "
        "GROUP BY v.delegation_id",
    )
).replace("?", ":ids")  # the set of ids, bound once by name
SUMMED_METRICS = (
    "visits_by_kind",
    "members_by_status",
    "attendance",
    "followups_by_kind",
    "leads_by_status",
    "b2b_meetings_held",
)
# Metrics of people and organisations, who may belong to several delegations: each is counted
# once per delegation and once in the total (`_distinct`). A delegation's organisations are those
# it visited and those its delegates work for.
DELEGATE_METRICS = ("delegates_by_country", "delegates_by_kind")
Counts = dict[str, list[tuple[int | None, str, int]]]


def all_counts(db: Database, delegation_ids: list[int]) -> Counts:
    """Every metric as (delegation id, label, count) per delegation, then (None, label, count)
    for the whole set, in three queries; a company without sectors is in sector `unknown`."""
    ids = dumps(delegation_ids)
    found: Counts = {metric: [] for metric in SUMMED_METRICS}
    totals: dict[tuple[str, str], int] = {}
    for delegation_id, metric, label, count in db.execute(_for(db, SUMMED), {"ids": ids}):
        label = str(label)
        found[metric].append((delegation_id, label, count))
        totals[metric, label] = totals.get((metric, label), 0) + count
    for (metric, label), count in totals.items():
        found[metric].append((None, label, count))
    # The delegates with their organisations, and the organisations visited: people and
    # companies counted in Python, each once per delegation and once in the total.
    delegates = db.execute(
        _for(
            db,
            "SELECT d.delegation_id, d.contact_id, coalesce(d.own_country, co.country, 'unknown'), "
            f"coalesce(co.kind, 'none'), d.company_id, {_COMPANY} FROM ({DELEGATES}) d "
            "LEFT JOIN companies co ON co.id = d.company_id",
        ),
        [ids],
    ).fetchall()
    for number, metric in enumerate(DELEGATE_METRICS, 2):
        found[metric] = _distinct((r[0], r[1], (r[number],)) for r in delegates)
    visited = db.execute(
        _for(
            db,
            f"SELECT v.delegation_id, v.company_id, {_COMPANY} FROM visits v "
            f"JOIN companies co ON co.id = v.company_id WHERE v.delegation_id {_IN}",
        ),
        [ids],
    ).fetchall()
    companies = [r[:1] + r[4:] for r in delegates if r[4] is not None] + visited
    sectors_of: dict[str | None, list[str]] = {}
    for _, _, sectors, _ in companies:
        if sectors not in sectors_of:
            listed = loads_list(sectors) if sectors and sectors.startswith("[") else []
            sectors_of[sectors] = [str(x) for x in listed] or ["unknown"]
    found["companies_by_sector"] = _distinct((r[0], r[1], sectors_of[r[2]]) for r in companies)
    found["companies_by_region"] = _distinct((r[0], r[1], (r[3],)) for r in companies)
    return found


def _distinct(
    rows: Iterable[tuple[int, int, Iterable[str]]],
) -> list[tuple[int | None, str, int]]:
    """(delegation, label, count of distinct things) from (delegation, thing, the thing's
    labels), per delegation and for the set."""
    pairs = {(delegation_id, thing): labels for delegation_id, thing, labels in rows}
    per = Counter((key[0], str(label)) for key, labels in pairs.items() for label in labels)
    things = {key[1]: labels for key, labels in pairs.items()}
    total = Counter(str(label) for labels in things.values() for label in labels)
    return [(d, label, n) for (d, label), n in per.items()] + [
        (None, label, n) for label, n in total.items()
    ]


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
        _for(
            db,
            "SELECT delegation_id, metric, label, count FROM report_tallies "
            f"WHERE delegation_id {_IN}",
        ),
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
                    "DO UPDATE SET count = report_tallies.count + excluded.count",
                    [delegation_id, metric, label, count],
                )


def record_purge(db: Database, delegation_id: int | None, contacts: int) -> None:
    """Note that a retention purge erased this many people of a delegation."""
    db.execute(
        "INSERT INTO retention_purges (delegation_id, at, contacts) VALUES (?, ?, ?)",
        [delegation_id, now(), contacts],
    )
