"""`greentech programme dump|apply`: programmes as editable YAML files."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import DateOrderOption, ForceOption
from greentech_cli.render.terminal import for_stream, writer

programme_app = typer.Typer(
    help="Programme files: a delegation, its people and visits as editable YAML.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the programme group to the root command."""
    app.add_typer(programme_app, name="programme")


@programme_app.command("dump")
def dump(
    ctx: typer.Context,
    delegation: Annotated[str, typer.Argument(help="Delegation id or code.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
) -> None:
    """Write a delegation's programme as YAML: delegation, companies, people, members, visits.

    Example: greentech programme dump kz-waste-2026 --out programme.yaml
    """
    from greentech_cli.services.programme import files as programme

    app_ctx = app_context(ctx)
    content = programme.dump(app_ctx.db(), delegation)
    if out is None:
        writer().write(content)
        return
    programme.write_file(content, out)
    app_ctx.say(f"Wrote the programme to {out}")


@programme_app.command("apply")
def apply(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A programme YAML file.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    prune: Annotated[
        bool,
        typer.Option("--prune", help="Also remove members and visits the file does not list."),
    ] = False,
    date_order: DateOrderOption = None,
    force: ForceOption = False,
) -> None:
    """Create or update a delegation from a programme file (all or nothing; twice changes nothing).

    Example: greentech programme apply programme.yaml --dry-run
    """
    from greentech_cli.services.programme import files as programme

    app_ctx = app_context(ctx)
    content = programme.read_file(file)
    result = programme.apply(
        app_ctx.db(create=True),
        content,
        str(file),
        dry_run=dry_run,
        prune=prune,
        force=force,
        date_order=date_order.value if date_order else None,
    )
    done = {"create": "created", "update": "updated", "delete": "deleted"}
    show = for_stream(lines=False)  # one line per change, whatever a name holds
    for change in result.changes:
        verb = f"would {change.action}" if dry_run else done.get(change.action, change.action)
        fields = f" ({', '.join(change.fields)})" if change.fields else ""
        sys.stdout.write(f"{verb} {change.entity}: {show(change.label)}{fields}\n")
    summary = f"{len(result.changes)} change(s), {result.unchanged} unchanged"
    if dry_run:
        app_ctx.say(f"Dry run for {result.code}: {summary}; nothing was written.")
    else:
        app_ctx.say(f"Applied {file} to {result.code}: {summary}.")
