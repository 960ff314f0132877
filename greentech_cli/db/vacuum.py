"""VACUUM on PostgreSQL, for a role that may not vacuum every table.

VACUUM of a table needs the table's owner (or a role with its rights), the database's owner, or
from PostgreSQL 17 the MAINTAIN privilege (`pg_maintain`); a table the role may not vacuum is
only skipped with a WARNING. So the catalog is asked first: the tables this role may vacuum are
vacuumed, and those of the ones a transaction changed that it may not are named, since they keep
the changed rows' old versions (dead tuples) until an administrator vacuums them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from greentech_cli.errors import GreentechError

if TYPE_CHECKING:
    from greentech_cli.db.database import Database

# Whether this role may vacuum a table `c` of database `d` (pg_has_role: the owner or a role
# whose rights this one has; a superuser has every role's).
_MAY = "pg_has_role(c.relowner, 'USAGE') OR pg_has_role(d.datdba, 'USAGE')"


def changed_tables(db: Database) -> list[str]:
    """Inside a transaction: the tables whose rows it updated or deleted, which hold their old
    versions until vacuumed (pg_stat_xact_user_tables), but the write counter (whose old
    values are only numbers); every table when the server counts
    nothing (track_counts off). None on SQLite, whose VACUUM rewrites the whole file."""
    if db.engine == "sqlite":
        return []
    if db.execute("SELECT current_setting('track_counts')").fetchone()[0] != "on":
        return sorted(db.table_names())
    rows = db.execute(
        "SELECT relname FROM pg_stat_xact_user_tables WHERE schemaname = current_schema() "
        "AND n_tup_upd + n_tup_del > 0 AND relname <> 'greentech_writes' ORDER BY relname"
    ).fetchall()
    return [str(row[0]) for row in rows]


def vacuum(db: Database, changed: list[str]) -> list[str]:
    """VACUUM each table of `changed` this role may vacuum (outside a transaction: VACUUM cannot
    run in one; only those tables hold dead tuples); those it may not, sorted, which keep them.
    A driver's error becomes one line naming the tables left unvacuumed."""
    import psycopg

    left = sorted(changed)
    try:
        version = int(db.execute("SELECT current_setting('server_version_num')").fetchone()[0])
        may = f"{_MAY} OR has_table_privilege(c.oid, 'MAINTAIN')" if version >= 170000 else _MAY
        rows = db.execute(
            f"SELECT c.relname, {may} FROM pg_class AS c "
            "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "JOIN pg_database AS d ON d.datname = current_database() "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
        ).fetchall()
        for name, allowed in rows:
            if allowed and name in left:
                db.execute(f'VACUUM "{name}"')
                left = [t for t in left if t != name]
    except psycopg.Error as exc:
        reason = (str(exc).strip().splitlines() or ["unknown error"])[0]
        raise GreentechError(
            f"VACUUM failed ({reason}), so {_tables(left)} still hold the erased rows' dead "
            "tuples until an administrator vacuums them"
        ) from exc
    return left


def _tables(names: list[str]) -> str:
    return f"the tables {', '.join(names)}" if names else "some tables"
