"""The `greentech` root command: global options and the one place errors become exit codes."""

import codecs
import contextlib
import importlib
import io
import os
import sqlite3
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from greentech_cli import __version__
from greentech_cli.cli.context import AppContext
from greentech_cli.errors import GreentechError

# Command modules, each with a register(app) function; a new group is a module and a line here.
COMMAND_MODULES = (
    "init",
    "demo",
    "company",
    "contact",
    "search",
    "delegation",
    "visit",
    "itinerary",
    "programme",
    "import_",
    "export",
    "privacy",
    "backup",
    "doctor",
    "log",
    "dedupe",
    "merge",
    "match",
    "b2b",
    "followup",
    "attendance",
    "report",
    "retention",
    "completion",
    "db",
)


def _driver_error(exc: BaseException) -> bool:
    """An error of PostgreSQL's driver (psycopg, imported only for a URL) that no layer below
    made one line: a value the server cannot take, a statement it refused."""
    return type(exc).__module__.split(".")[0] == "psycopg"


def _databases_named(ctx: Any) -> list[str]:
    """What may name a database in this command: its words (`db copy SOURCE TARGET`), --db,
    GREENTECH_DB and the config file's `db:`."""
    from greentech_cli.config import DB_ENV, read_config

    named = [str(word) for word in ctx.meta.get("greentech.words", ())]
    obj = ctx.obj
    if isinstance(obj, AppContext) and obj.db_flag:
        named.append(obj.db_flag)
    named.append(os.environ.get(DB_ENV, ""))
    with contextlib.suppress(Exception):  # a config file that cannot be read names none
        named.append(str(read_config().get("db") or ""))
    return named


def _error_line(exc: BaseException) -> str:
    """One clear line for an error that reached the top."""
    if isinstance(exc, sqlite3.OperationalError):
        message = str(exc)
        if "locked" in message or "busy" in message:
            return "the database is busy in another greentech process; try again"
        if "readonly" in message:
            return "the database file is read-only; check its permissions"
        if "disk is full" in message or "full" in message:
            return "the disk is full; nothing was written"
        return f"database error: {message}"
    if isinstance(exc, sqlite3.DatabaseError):
        if getattr(exc, "sqlite_errorcode", sqlite3.SQLITE_CORRUPT) & 0xFF in _DAMAGED:
            return f"the database file is damaged or not a greentech database: {exc}"
        return f"database error: {exc}"
    if _driver_error(exc):
        if "NUL (0x00)" in str(exc):
            return (
                "a value holds a NUL character (0x00), which PostgreSQL cannot store; nothing "
                "was written"
            )
        return f"database error: {(str(exc).strip().splitlines() or [type(exc).__name__])[0]}"
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to read (thousands of levels); nothing was written"
    if isinstance(exc, UnicodeEncodeError) and "surrogate" in exc.reason:
        from greentech_cli.render.terminal import visible

        text = visible(exc.object[:80], lines=False)  # the bytes that are not UTF-8 as \xNN
        return f"'{text}' is not UTF-8 text (an argument or a file name?); use UTF-8 names"
    if isinstance(exc, OverflowError):
        return f"a number is out of range: {exc}"
    return f"unexpected {type(exc).__name__}: {exc} (run with --debug for details)"


# SQLite's result codes for a file that is not a sound database (other errors are not damage).
_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _quiet_broken_pipe() -> None:
    """The reader of our output has gone (`greentech … | head`): stop writing, silently.

    Both standard streams point at /dev/null from here on, so nothing buffered can fail again
    when Python flushes them at exit.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        # Captured output (not a real file) has nothing to protect.
        with contextlib.suppress(AttributeError, ValueError, OSError):
            os.dup2(devnull, stream.fileno())
    os.close(devnull)


def _verbatim_examples(command: Any) -> None:
    """Keep every command's `Example:` paragraph as written in `--help`: Click re-wraps help
    text to the terminal's width and broke examples inside an option (`--dry-` / `run`); a
    paragraph after a `\\b` line is printed line by line as it is."""
    text = getattr(command, "help", None)
    if text and "Example:" in text and "\b\nExample:" not in text:
        command.help = text.replace("Example:", "\b\nExample:", 1)
    for sub in getattr(command, "commands", {}).values():
        _verbatim_examples(sub)


def _refuse_repeats(command: Any) -> None:
    """Make a command refuse an option of one value given twice with different values
    (`--sector water --sector hydrogen` would silently keep the last); repeatable options
    (lists) take every value, and the same value twice loses nothing."""
    single: dict[str, str] = {}
    for param in getattr(command, "params", ()):
        opts = getattr(param, "opts", None)
        if param.param_type_name != "option" or param.multiple or param.is_flag or param.count:
            continue
        for name in [*(opts or ()), *param.secondary_opts]:
            single[name] = max(opts or [name], key=len)
    if single:
        parse_args = command.parse_args

        def checked(ctx: Any, args: list[str]) -> Any:
            seen: dict[str, str | None] = {}
            for index, word in enumerate(args):
                if word == "--":
                    break
                name, equals, attached = word, "", ""
                if word.startswith("--"):
                    name, equals, attached = word.partition("=")
                option = single.get(name)
                if option is None:
                    continue
                value = attached if equals else (args[index + 1] if index + 1 < len(args) else None)
                if option in seen and seen[option] != value:
                    from greentech_cli.errors import UsageError

                    raise UsageError(
                        f"{option} was given twice ({seen[option]!r}, {value!r}) but takes one "
                        "value; give it once"
                    )
                seen[option] = value
            return parse_args(ctx, args)

        command.parse_args = checked
    for sub in getattr(command, "commands", {}).values():
        _refuse_repeats(sub)


class GreentechGroup(TyperGroup):
    """The root group: every error of every command becomes one line and an exit code here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for command in self.commands.values():
            _verbatim_examples(command)
            _refuse_repeats(command)

    def invoke(self, ctx: Any) -> Any:
        """Run the command, translating errors into `Error: …` on stderr and exit codes."""
        # Click empties these before the root callback runs; the audit log needs the words.
        ctx.meta["greentech.words"] = [*getattr(ctx, "_protected_args", ()), *ctx.args]
        try:
            return super().invoke(ctx)
        except GreentechError as exc:
            self._fail(ctx, exc.message, exc.exit_code, exc)
        except typer.exceptions.TyperException as exc:
            # Click's usage errors quote the words they refuse (a URL given where none is taken).
            from greentech_cli.config import scrubbed

            if isinstance(getattr(exc, "message", None), str):
                exc.message = scrubbed(exc.message, _databases_named(ctx))
            raise
        except BrokenPipeError:
            # Like other command-line tools: the reader stopped reading, which is no error.
            _quiet_broken_pipe()
            ctx.exit(0)
        except (
            sqlite3.Error,
            OSError,
            UnicodeError,
            ValueError,
            RecursionError,
            MemoryError,
            OverflowError,
        ) as exc:
            self._fail(ctx, _error_line(exc), 1, exc)
        except KeyboardInterrupt:
            self._fail(ctx, "interrupted; nothing more was written", 130, None)
        except Exception as exc:
            if not _driver_error(exc):
                raise
            self._fail(ctx, _error_line(exc), 1, exc)

    @staticmethod
    def _fail(ctx: Any, message: str, code: int, exc: BaseException | None) -> None:
        from greentech_cli.config import scrubbed

        obj = ctx.obj
        # The last guard of a database's password: messages greentech did not word itself (a
        # driver's error quoting the URL) name it too.
        named = _databases_named(ctx)
        if exc is not None and isinstance(obj, AppContext) and obj.debug:
            import traceback

            sys.stderr.write(scrubbed("".join(traceback.format_exception(exc)), named))
        from greentech_cli.render.terminal import message as shown

        sys.stderr.write(f"Error: {shown(scrubbed(message, named))}\n")
        sys.stderr.flush()
        ctx.exit(code)


app = typer.Typer(
    cls=GreentechGroup,
    name="greentech",
    help="Contacts, delegations and itineraries for chamber-of-commerce officers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"greentech {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH|URL",
            help=(
                "Database file, or postgresql://user@host/dbname (else GREENTECH_DB, the config "
                "file, the data folder)."
            ),
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Contacts, delegations and itineraries for chamber-of-commerce officers."""
    from greentech_cli.services.safety.audit import run_as

    app_ctx = AppContext(db_flag=db, debug=debug)
    ctx.obj = app_ctx
    ctx.call_on_close(app_ctx.close)
    ctx.call_on_close(run_as(_command_name(ctx)))


def _command_name(ctx: typer.Context) -> str:
    """The command being run as the user calls it, e.g. "contact add" (for the audit log)."""
    name = ctx.invoked_subcommand or "greentech"
    words = [str(w) for w in ctx.meta.get("greentech.words", ())]
    group = getattr(ctx.command, "commands", {}).get(name)
    subcommands = getattr(group, "commands", None)
    if subcommands and name in words:
        after = [w for w in words[words.index(name) + 1 :] if not w.startswith("-")]
        if after and after[0] in subcommands:
            return f"{name} {after[0]}"
    return name


def _install_plain_coercion() -> None:
    """Convert option values without pydantic (cli/coercion.py) where this Typer allows it.

    The patch reaches into Typer's private modules (checked against the pinned 0.29); should a
    Typer release move or change them, commands still work, through Typer's own (slower)
    conversion: any failure here leaves Typer as it was, and the patched function itself falls
    back to Typer's original on any failure when called.
    """
    try:
        from greentech_cli.cli.coercion import install

        install()
    except Exception:  # whatever moved in Typer, a command must still run
        return


_install_plain_coercion()

for _name in COMMAND_MODULES:
    importlib.import_module(f"{__package__}.{_name}").register(app)


class _Escapes:
    """The encoding error handler of a terminal that cannot show every character: each such
    character is written as its escape (``\u0410``), and the handler counts them so that the
    command ends with one warning saying so."""

    NAME = "greentech-escape"

    def __init__(self) -> None:
        self.count = 0
        self.encoding = ""

    def __call__(self, exc: UnicodeError) -> tuple[str, int]:
        """Escape the characters the encoding lacks (as backslashreplace does) and count them."""
        assert isinstance(exc, UnicodeEncodeError)
        self.count += exc.end - exc.start
        escaped, end = codecs.backslashreplace_errors(exc)
        return str(escaped), end

    def warn(self) -> None:
        """One warning on stderr when any character had to be escaped."""
        if self.count:
            sys.stderr.write(
                f"Warning: {self.count} character(s) cannot be shown in this terminal's "
                f"encoding ({self.encoding}) and are written as escapes (\\u0410); set "
                "PYTHONIOENCODING=utf-8 or write to a file (--out, or a redirect) for the text "
                "as it is.\n"
            )


def _utf8_streams() -> _Escapes:
    """Data leaves in UTF-8 whatever the locale says.

    A pipe or file gets UTF-8 (JSON and CSV must be, and a Cyrillic name must not end the command
    with an encoding error); a terminal or stderr that cannot show a character gets its escape
    (``\u0410``) instead, so nothing is hidden and nothing fails, and the command ends with one
    warning that it happened (the returned handler's `warn`).
    """
    escapes = _Escapes()
    codecs.register_error(_Escapes.NAME, escapes)
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding == "utf8" or not isinstance(stream, io.TextIOWrapper):
            continue
        if stream is sys.stdout and not stream.isatty():
            stream.reconfigure(encoding="utf-8")
        else:
            escapes.encoding = escapes.encoding or str(stream.encoding)
            stream.reconfigure(errors=_Escapes.NAME)
    return escapes


def _named_command(argv: list[str]) -> str | None:
    """The top-level command the command line names (after the root's own options), if any."""
    words = iter(argv)
    for word in words:
        if word == "--db":
            next(words, None)
        elif not word.startswith("--db=") and word != "--debug":
            return None if word.startswith("-") else word
    return None


def _only(name: str | None) -> None:
    """Keep just the named top-level command or group in the app about to run.

    Typer turns every registered command's signature into Click parameters before it runs one
    (about 60 ms for this CLI); a run that names its command needs only that one. Without a known
    name (help, --version, a typo that gets "did you mean") every command stays.
    """
    commands = [c for c in app.registered_commands if c.name == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if commands or groups:
        app.registered_commands[:] = commands
        app.registered_groups[:] = groups


def main() -> None:
    """Console-script entry point."""
    escapes = _utf8_streams()
    if os.environ.get("_GREENTECH_COMPLETE"):
        # The shell asks for completions: register Typer's completion classes (only now, so
        # other runs never import them).
        from typer.completion import completion_init

        completion_init()
    else:
        _only(_named_command(sys.argv[1:]))
    try:
        # One program name however started (python -m, the script): the completion variable
        # (_GREENTECH_COMPLETE) and usage lines depend on it.
        app(prog_name="greentech")
    finally:
        # Output still buffered meets a closed pipe only now, after the command has finished.
        try:
            sys.stdout.flush()
            escapes.warn()
        except BrokenPipeError:
            _quiet_broken_pipe()
