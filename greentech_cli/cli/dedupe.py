"""`greentech dedupe`: candidate duplicate contacts or organisations, and `dedupe ignore A B`."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from greentech_cli.cli.context import AppContext, app_context
from greentech_cli.cli.options import FormatOption, LimitOption
from greentech_cli.errors import InvalidData
from greentech_cli.render.output import Format, emit_list

dedupe_app = typer.Typer(invoke_without_command=True)

Companies = Annotated[bool, typer.Option("--companies", help="Organisations instead of contacts.")]


def register(app: typer.Typer) -> None:
    """Add the dedupe group to the root command."""
    app.add_typer(dedupe_app, name="dedupe")


@contextmanager
def _progress(app_ctx: AppContext) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress callback (phase, done, total) on stderr, or None when stderr is no terminal."""
    console = app_ctx.err
    if not console.is_terminal:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("Reading", total=None)

        def update(phase: str, done: int, total: int) -> None:
            bar.update(task, description=phase, completed=done, total=total)

        yield update


@dedupe_app.callback()
def dedupe(
    ctx: typer.Context,
    threshold: Annotated[
        int,
        typer.Option("--threshold", min=0, max=100, help="Lowest score shown (0–100)."),
    ] = 70,
    companies: Companies = False,
    limit: LimitOption = None,
    fmt: FormatOption = Format.table,
    review: Annotated[
        bool,
        typer.Option(
            "--review",
            help="Walk through the pairs on a terminal: merge, not the same (remembered), skip "
            "or quit.",
        ),
    ] = False,
) -> None:
    """Find records that are probably one person (or organisation), with a score and reasons.

    Scores run from 0 to 100; `dedupe ignore A B` hides a pair that is not a duplicate;
    `--review` asks about each pair in turn.

    Example: greentech dedupe --threshold 80 --format json
    """
    if ctx.invoked_subcommand is not None:
        return
    from greentech_cli.services.identity import dedupe as service

    app_ctx = app_context(ctx)
    if review and not (sys.stdin.isatty() and app_ctx.err.is_terminal):
        raise InvalidData(
            "--review asks about each pair on a terminal; without one, use dedupe, "
            "'contact merge' and 'dedupe ignore'"
        )
    db = app_ctx.db()
    with _progress(app_ctx) as progress:
        if companies:
            pairs = service.company_pairs(db, threshold, limit, progress)
        else:
            pairs = service.contact_pairs(db, threshold, limit, progress)
    if review:
        _review(app_ctx, pairs, companies)
        return
    rows = [p.to_json() for p in pairs]
    emit_list(
        rows,
        fmt,
        table_columns=("score", "a", "a_name", "b", "b_name", "reasons"),
        headers=("score", "a", "name a", "b", "name b", "reasons"),
        empty="No candidate duplicates found.",
    )


_KEYS = {"m": "merge", "n": "not", "s": "skip", "q": "quit"}


def _review(app_ctx: AppContext, pairs: list[Any], companies: bool) -> None:
    """Ask about each pair on the terminal and say what was done."""
    from rich.table import Table
    from rich.text import Text

    from greentech_cli.render.terminal import for_stream
    from greentech_cli.services.identity import dedupe as service

    if not pairs:
        app_ctx.say("No candidate duplicates found.")
        return
    show = for_stream(sys.stderr)
    what = "organisation" if companies else "contact"

    def ask(pair: Any) -> str:
        grid = Table(title=f"score {pair.score}: {', '.join(pair.reasons)}", title_justify="left")
        grid.add_column(f"A: {what} {pair.a}", overflow="fold")
        grid.add_column(f"B: {what} {pair.b}", overflow="fold")
        grid.add_row(Text(show(pair.a_name)), Text(show(pair.b_name)))
        app_ctx.err.print(grid)
        while True:
            answer = typer.prompt("[m]erge B into A, [n]ot the same, [s]kip, [q]uit", err=True)
            if answer.strip().lower() in _KEYS:
                return _KEYS[answer.strip().lower()]
            app_ctx.err.print("Please answer m, n, s or q.", markup=False)

    done = service.review(app_ctx.db(), pairs, ask, companies=companies)
    app_ctx.say(
        f"Merged {len(done.merged)}, marked {len(done.not_same)} as not the same, "
        f"skipped {done.skipped}" + (f", {done.left} left" if done.left else "") + "."
    )


@dedupe_app.command("ignore")
def ignore(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="Contact id or email (company id or name).")],
    b: Annotated[str, typer.Argument(help="The other contact (or company).")],
    companies: Companies = False,
) -> None:
    """Record that two records are not duplicates, so `dedupe` stops showing the pair.

    Example: greentech dedupe ignore 12 47
    """
    from greentech_cli.services.identity import dedupe as service

    app_ctx = app_context(ctx)
    a_id, b_id, new = service.ignore(app_ctx.db(), a, b, companies=companies)
    what = "organisations" if companies else "contacts"
    if new:
        app_ctx.say(f"Marked {what} {a_id} and {b_id} as not duplicates.")
    else:
        app_ctx.say(f"{what.capitalize()} {a_id} and {b_id} were already marked as not duplicates.")
