"""The SQL that differs between SQLite and PostgreSQL, in one place: `Database.dialect`.

Store modules write SQLite's SQL with `?` placeholders (PostgreSQL's connection wrapper turns
them into its own) and ask the dialect only for what the engines spell differently: the
case-insensitive comparisons of SQLite's `NOCASE` (which folds ASCII letters only — PostgreSQL's
`lower()` under the "C" collation folds the same letters, so both give the same answers), JSON
arrays expanded into rows, inserts that skip or replace an existing row, and introspection.
"""

from __future__ import annotations

# PostgreSQL's lower() folds only ASCII letters under the "C" collation, as NOCASE does.
_FOLD = 'lower(({0}) COLLATE "C")'


class Dialect:
    """SQLite's SQL (the default engine; today's SQL, unchanged)."""

    name = "sqlite"
    table_names_sql = "SELECT name FROM sqlite_master WHERE type = 'table'"

    def nocase(self, expr: str) -> str:
        """`expr` as compared and sorted case-insensitively (ASCII letters), e.g.
        `f"WHERE {d.nocase('email')} = {d.nocase('?')}"`."""
        return f"{expr} COLLATE NOCASE"

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

    def json_field(self, expr: str, key: str) -> str:
        """One top-level field of a JSON object column as text (NULL when absent or invalid)."""
        return f"(CASE WHEN json_valid({expr}) THEN json_extract({expr}, '$.{key}') END)"

    def insert_ignore(self, table: str, columns: str, rest: str) -> str:
        """An INSERT that skips a row a unique key already holds; `rest` is `VALUES (…)` or a
        SELECT."""
        return f"INSERT OR IGNORE INTO {table} ({columns}) {rest}"

    def insert_replace(self, table: str, columns: str, rest: str, key: str) -> str:
        """An INSERT that replaces the row holding the same `key` (a unique column list)."""
        del key
        return f"INSERT OR REPLACE INTO {table} ({columns}) {rest}"


class PostgresDialect(Dialect):
    """PostgreSQL's spelling of the same (see the module docstring)."""

    name = "postgresql"
    table_names_sql = (
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    )

    def nocase(self, expr: str) -> str:
        return _FOLD.format(expr)

    def order(self, expr: str, *, nocase: bool = False) -> str:
        term = f'{_FOLD.format(expr)} COLLATE "C"' if nocase else expr
        return f"{term} NULLS FIRST"

    def json_values(self, expr: str, *, integer: bool = False) -> str:
        value = "value::bigint" if integer else "value"
        return f"SELECT {value} FROM jsonb_array_elements_text(({expr})::jsonb) AS value"

    def json_rows(self, expr: str) -> str:
        return (
            f"(SELECT ordinality - 1 AS key, value FROM jsonb_array_elements(({expr})::jsonb) "
            "WITH ORDINALITY AS e(value, ordinality))"
        )

    def json_field(self, expr: str, key: str) -> str:
        # greentech writes these columns as JSON; text that is no object reads as NULL.
        return f"(CASE WHEN left(ltrim({expr}), 1) = '{{' THEN ({expr})::jsonb ->> '{key}' END)"

    def insert_ignore(self, table: str, columns: str, rest: str) -> str:
        return f"INSERT INTO {table} ({columns}) {rest} ON CONFLICT DO NOTHING"

    def insert_replace(self, table: str, columns: str, rest: str, key: str) -> str:
        keys = {part.strip() for part in key.split(",")}
        updates = ", ".join(
            f"{c} = excluded.{c}" for c in (p.strip() for p in columns.split(",")) if c not in keys
        )
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        return f"INSERT INTO {table} ({columns}) {rest} ON CONFLICT ({key}) {action}"


SQLITE = Dialect()
POSTGRES = PostgresDialect()
