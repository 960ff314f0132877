"""The SQL that differs between SQLite and PostgreSQL, in one place: `Database.dialect`.

Store modules write SQLite's SQL with `?` placeholders (PostgreSQL's connection wrapper turns
them into its own) and ask the dialect only for what the engines spell differently: the
case-insensitive comparisons of SQLite's `NOCASE` (which folds ASCII letters only — PostgreSQL's
`lower()` under the "C" collation folds the same letters, so both give the same answers), JSON
arrays expanded into rows, inserts that skip or replace an existing row, introspection, and
new ids (PostgreSQL's identity sequences; SQLite's are counted by the store).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# PostgreSQL's lower() folds only ASCII letters under the "C" collation, as NOCASE does.
_FOLD = 'lower(({0}) COLLATE "C")'


class Dialect:
    """SQLite's SQL (the default engine; today's SQL, unchanged)."""

    name = "sqlite"
    table_names_sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    # (name, declared type) of a table's columns in table order, the type as SQLite declares
    # it (INTEGER, REAL, TEXT); one parameter: the table's name.
    columns_sql = "SELECT name, upper(type) FROM pragma_table_info(?) ORDER BY cid"
    # The larger of two values (SQLite's max() of two arguments).
    greatest = "max"
    # A JSON object from alternating keys and values.
    json_object = "json_object"

    def nocase(self, expr: str) -> str:
        """`expr` as compared and sorted case-insensitively (ASCII letters), e.g.
        `f"WHERE {d.nocase('email')} = {d.nocase('?')}"`."""
        return f"{expr} COLLATE NOCASE"

    def fold(self, expr: str) -> str:
        """`expr` with its ASCII letters lowered (SQLite's lower() folds no others), for
        comparing values as NOCASE does."""
        return f"lower({expr})"

    def eq_nocase(self, left: str, right: str) -> str:
        """`left = right` ignoring the case of ASCII letters."""
        return f"{left} = {right} COLLATE NOCASE"

    def order(self, expr: str, *, nocase: bool = False) -> str:
        """An ORDER BY term sorting NULLs first, as SQLite does in ascending order."""
        return self.nocase(expr) if nocase else expr

    def json_values(self, expr: str, *, integer: bool = False) -> str:
        """A subquery of the values of a JSON array (a column or a `?` bound to JSON text)."""
        del integer
        return f"SELECT value FROM json_each({expr})"

    def json_rows(self, expr: str) -> str:
        """A table of a JSON array's elements with columns `key` (the index) and `value`
        (the element as JSON: `value ->> 0` reads an inner array's first item)."""
        return f"json_each({expr})"

    def fts_query(self, groups: Iterable[Sequence[str]]) -> str:
        """The full-text query of folded term groups (`text.fulltext.query_term_groups`): every
        group must match, any term of a group as a prefix. Terms are [a-z0-9] only, so quoting
        them keeps the engine's operators out of user text."""
        return " AND ".join("(" + " OR ".join(f'"{t}"*' for t in group) + ")" for group in groups)

    def fts_match(self, alias: str, table: str) -> str:
        """The condition that a full-text table's row (as `alias`) matches the statement's one
        parameter, a `fts_query`."""
        del alias
        return f"{table} MATCH ?"

    def json_item(self, expr: str, index: int, *, integer: bool = False) -> str:
        """Item `index` of a JSON array (a `json_rows` value) as an SQL value."""
        del integer
        return f"{expr} ->> {index}"

    def json_scalar(self, expr: str) -> str:
        """A `json_rows` value that is a JSON string or number, as an SQL value."""
        return expr

    def lookup_join(self, table: str, alias: str, condition: str, *, fixed: bool = False) -> str:
        """A join that looks each outer row's matches up in `table` by the index `condition`
        names: the outer rows are few (the keys of a list) and the table is large. SQLite plans
        that by itself, and keeps a CROSS JOIN's order (`fixed`) where it would not."""
        return f"{'CROSS JOIN' if fixed else 'JOIN'} {table} AS {alias} ON {condition}"

    def json_equals(self, expr: str, key: str) -> str:
        """A JSON object column's top-level `key` equals the next parameter (false for text
        that is no JSON)."""
        return f"json_valid({expr}) AND json_extract({expr}, '$.{key}') = ?"

    def json_set_integer(self, expr: str, key: str) -> str:
        """A JSON object column with its top-level `key` set to the next parameter, an integer."""
        return f"json_set({expr}, '$.{key}', ?)"

    # INSERT … that skips a row a unique key already holds: `f"{d.ignore_into} t (…) VALUES (…)
    # {d.ignore_end}"`.
    ignore_into = "INSERT OR IGNORE INTO"
    ignore_end = ""
    # INSERT … that replaces the row holding the same key: `replace_into`, then `replace_end`.
    replace_into = "INSERT OR REPLACE INTO"

    def replace_end(self, key: str, columns: str) -> str:
        """The end of a `replace_into` statement: `key` is the unique column list the rows
        collide on, `columns` those the statement gives."""
        del key, columns
        return ""

    # `a IS NOT b` for values that may be NULL.
    is_not = "IS NOT"

    def new_ids(self, table: str) -> str | None:
        """A query of the next `?` ids of `table` (contacts, companies) from the database's
        own counter, or None where the store counts them itself (SQLite: past the highest id
        and the highest one ever deleted, under the write lock — `store.common.NewIds`)."""
        del table
        return None

    def unused_ids(self, table: str) -> str | None:
        """A statement that gives back the ids of a `new_ids` block not used — the counter set
        to the first parameter, the last id used, if the second, the block's last id, is still
        its last —, or None where there is no counter."""
        del table
        return None


class PostgresDialect(Dialect):
    """PostgreSQL's spelling of the same (see the module docstring)."""

    name = "postgresql"
    table_names_sql = (
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    )
    columns_sql = (
        "SELECT column_name, CASE data_type WHEN 'bigint' THEN 'INTEGER' "
        "WHEN 'double precision' THEN 'REAL' ELSE upper(data_type) END "
        "FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = ? ORDER BY ordinal_position"
    )
    greatest = "greatest"
    json_object = "json_build_object"

    def nocase(self, expr: str) -> str:
        return _FOLD.format(expr)

    def fold(self, expr: str) -> str:
        return _FOLD.format(expr)

    def eq_nocase(self, left: str, right: str) -> str:
        return f"{_FOLD.format(left)} = {_FOLD.format(right)}"

    def order(self, expr: str, *, nocase: bool = False) -> str:
        term = f'{_FOLD.format(expr)} COLLATE "C"' if nocase else expr
        return f"{term} NULLS FIRST"

    def json_values(self, expr: str, *, integer: bool = False) -> str:
        value = "value::bigint" if integer else "value"
        return f"SELECT {value} FROM jsonb_array_elements_text(({expr})::jsonb) AS value"

    def json_rows(self, expr: str) -> str:
        return (
            f"(SELECT ordinality - 1 AS key, value FROM jsonb_array_elements(({expr})::jsonb) "
            "WITH ORDINALITY AS x(value, ordinality))"
        )

    def fts_query(self, groups: Iterable[Sequence[str]]) -> str:
        return " & ".join("(" + " | ".join(f"{t}:*" for t in group) + ")" for group in groups)

    def fts_match(self, alias: str, table: str) -> str:
        del table
        return f"{alias}.doc @@ to_tsquery('simple', ?)"

    def json_item(self, expr: str, index: int, *, integer: bool = False) -> str:
        return f"(({expr} ->> {index})::bigint)" if integer else f"({expr} ->> {index})"

    def json_scalar(self, expr: str) -> str:
        return f"({expr} #>> '{{}}')"

    def lookup_join(self, table: str, alias: str, condition: str, *, fixed: bool = False) -> str:
        # A LATERAL subquery the planner may not flatten (OFFSET 0): one index lookup an outer
        # row. As a plain join, a table whose statistics are missing or stale (one growing
        # inside an import's transaction) gets a hash join over every row instead, per query.
        del fixed
        return (
            f"CROSS JOIN LATERAL (SELECT * FROM {table} AS {alias} WHERE {condition} OFFSET 0) "
            f"AS {alias}"
        )

    def json_equals(self, expr: str, key: str) -> str:
        return f"json_extract({expr}, '$.{key}') = CAST(? AS TEXT)"

    def json_set_integer(self, expr: str, key: str) -> str:
        return f"(({expr})::jsonb || jsonb_build_object('{key}', CAST(? AS BIGINT)))::text"

    ignore_into = "INSERT INTO"
    ignore_end = " ON CONFLICT DO NOTHING"
    replace_into = "INSERT INTO"

    def replace_end(self, key: str, columns: str) -> str:
        keys = {part.strip() for part in key.split(",")}
        names = [c.strip() for c in columns.split(",")]
        updates = ", ".join(f"{c} = excluded.{c}" for c in names if c not in keys)
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        return f" ON CONFLICT ({key}) {action}"

    is_not = "IS DISTINCT FROM"

    def new_ids(self, table: str) -> str | None:
        # The identity column's sequence: concurrent writers never get the same id, an id is
        # never given twice (a sequence never goes back, even when a transaction rolls back).
        return (
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
            "FROM generate_series(1, ?) ORDER BY 1"
        )

    def unused_ids(self, table: str) -> str | None:
        return (
            "SELECT setval(s, ?) FROM (SELECT pg_get_serial_sequence("
            f"'{table}', 'id')::regclass AS s) AS q WHERE pg_sequence_last_value(s) = ?"
        )


SQLITE = Dialect()
POSTGRES = PostgresDialect()
DIALECTS = (SQLITE, POSTGRES)
