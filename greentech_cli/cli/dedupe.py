"""`greentech dedupe`: candidate duplicate contacts or organisations, and `dedupe ignore A B`."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from greentech_cli.cli.context import AppContext, app_context
from greentech_cli.cli.options import FormatOption, LimitOption
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
) -> None:
    """Find records that are probably one person (or organisation), with a score and reasons.

    Scores run from 0 to 100; `dedupe ignore A B` hides a pair that is not a duplicate.

    Example: greentech dedupe --threshold 80 --format json
    """
    if ctx.invoked_subcommand is not None:
        return
    from greentech_cli.services.identity import dedupe as service

    app_ctx = app_context(ctx)
    db = app_ctx.db()
    with _progress(app_ctx) as progress:
        if companies:
            pairs = service.company_pairs(db, threshold, limit, progress)
        else:
            pairs = service.contact_pairs(db, threshold, limit, progress)
    rows = [p.to_json() for p in pairs]
    emit_list(
        rows,
        fmt,
        table_columns=("score", "a", "a_name", "b", "b_name", "reasons"),
        headers=("score", "a", "name a", "b", "name b", "reasons"),
        empty="No candidate duplicates found.",
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
