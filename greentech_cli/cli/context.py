"""The application context: built once per command, holding the database and the consoles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    import typer

    from greentech_cli.config import DbLocation
    from greentech_cli.db import Database


@dataclass
class AppContext:
    """What every command receives: the --db choice, the open database and the stderr console."""

    db_flag: str | None = None
    debug: bool = False
    _db: Database | None = field(default=None, repr=False)
    _err: Any = field(default=None, repr=False)

    def location(self) -> DbLocation:
        """Which database file is in use, and why."""
        from greentech_cli.config import resolve_db

        return resolve_db(self.db_flag)

    @property
    def path(self) -> Path:
        """The database file in use."""
        return self.location().path

    def file_path(self, command: str) -> Path:
        """The database file, for commands that work on a SQLite file only; a PostgreSQL URL is
        one clear refusal (its own tools do that work there: pg_dump, pg_restore, amcheck)."""
        location = self.location()
        if location.url:
            from greentech_cli.errors import UsageError

            raise UsageError(
                f"{command} works on a database file; {location.shown} is a PostgreSQL database "
                "(use PostgreSQL's own tools there, such as pg_dump)"
            )
        return location.path

    def db(self, *, create: bool = False) -> Database:
        """The open database; only commands that write may create it."""
        if self._db is None:
            from greentech_cli.db import open_db
            from greentech_cli.services.records.upkeep import keep_current

            self._db = open_db(self.location().target, create=create)
            # A write that waits for another process's lock says so once, on stderr.
            self._db.on_wait = lambda message: self.say(message[:1].upper() + message[1:])
            if changed := keep_current(self._db):
                self.say(
                    f"Name keys made again by this version's matching rules: {changed} changed."
                )
        return self._db

    @property
    def err(self) -> Any:
        """A Rich console on stderr for messages, warnings and progress."""
        if self._err is None:
            from greentech_cli.render.output import console

            self._err = console(stderr=True)
        return self._err

    def say(self, message: str, *, wrap: bool = True) -> None:
        """A message for the user on stderr (plain text, never markup; control characters shown
        on a terminal); `wrap=False` keeps it on one line however narrow the terminal. Not on a
        terminal it is one plain line, as written (Rich, a tenth of a short command, not loaded)."""
        if _plain_stderr():
            _write_stderr(message)
            return
        from rich.text import Text

        from greentech_cli.render.terminal import message as shown

        self.err.print(Text(shown(message)), soft_wrap=not wrap)

    def warn(self, message: str) -> None:
        """A warning on stderr."""
        if _plain_stderr():
            _write_stderr(f"Warning: {message}")
            return
        from rich.text import Text

        from greentech_cli.render.terminal import message as shown

        self.err.print(Text("Warning: ", style="yellow bold") + Text(shown(message)))

    def close(self) -> None:
        """Close the database at the end of the command."""
        if self._db is not None:
            self._db.close()
            self._db = None


def _plain_stderr() -> bool:
    """Whether stderr is no terminal (a pipe, a file, a test): messages go there as plain lines."""
    import sys

    try:
        return not sys.stderr.isatty()
    except (AttributeError, ValueError):
        return True


def _write_stderr(line: str) -> None:
    import sys

    try:
        sys.stderr.write(line + "\n")
    except UnicodeEncodeError:  # a stderr that cannot hold every character of the data
        encoding = getattr(sys.stderr, "encoding", None) or "ascii"
        sys.stderr.write(line.encode(encoding, "replace").decode(encoding) + "\n")


def app_context(ctx: typer.Context) -> AppContext:
    """The AppContext of the running command."""
    root = ctx.find_root()
    obj = root.obj
    assert isinstance(obj, AppContext)
    return obj
