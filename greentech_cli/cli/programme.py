"""`greentech programme dump|apply` and `greentech demo`: programmes as editable YAML files."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from .context import app_context

programme_app = typer.Typer(
    help="Programme files: a delegation, its people and visits as editable YAML.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the programme group and the demo command to the root command."""
    app.add_typer(programme_app, name="programme")
    app.command("demo")(demo)


@programme_app.command("dump")
def dump(
    ctx: typer.Context,
    delegation: Annotated[str, typer.Argument(help="Delegation id or code.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
) -> None:
    """Write a delegation's programme as YAML: delegation, companies, people, members, visits.

    Example: greentech programme dump kz-waste-2026 --out programme.yaml
    """
    from ..services import programme

    app_ctx = app_context(ctx)
    content = programme.dump(app_ctx.db(), delegation)
    if out is None:
        sys.stdout.write(content)
        return
    out.write_text(content, encoding="utf-8")
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
) -> None:
    """Create or update a delegation from a programme file (all or nothing; twice changes nothing).

    Example: greentech programme apply programme.yaml --dry-run
    """
    from ..services import programme

    app_ctx = app_context(ctx)
    content = programme.read_file(file)
    result = programme.apply(
        app_ctx.db(create=True), content, str(file), dry_run=dry_run, prune=prune
    )
    done = {"create": "created", "update": "updated", "delete": "deleted"}
    for change in result.changes:
        verb = f"would {change.action}" if dry_run else done.get(change.action, change.action)
        fields = f" ({', '.join(change.fields)})" if change.fields else ""
        sys.stdout.write(f"{verb} {change.entity}: {change.label}{fields}\n")
    summary = f"{len(result.changes)} change(s), {result.unchanged} unchanged"
    if dry_run:
        app_ctx.say(f"Dry run for {result.code}: {summary}; nothing was written.")
    else:
        app_ctx.say(f"Applied {file} to {result.code}: {summary}.")


def demo(
    ctx: typer.Context,
    fresh: Annotated[bool, typer.Option("--fresh", help="Rebuild the demo from scratch.")] = False,
) -> None:
    """Load a demo delegation into its own database, show its itinerary and its check.

    The demo database is demo.db in the user data folder (or --db); your main database is
    never touched.
    Example: greentech demo --fresh
    """
    from ..render import itinerary as render
    from ..render.output import console
    from ..services import demo as service
    from .itinerary import print_findings

    app_ctx = app_context(ctx)
    result = service.load(Path(app_ctx.db_flag) if app_ctx.db_flag else None, fresh=fresh)
    if result.loaded:
        sys.stderr.write(f"Loaded the demo delegation {result.code} into {result.path}\n")
    else:
        sys.stderr.write(f"The demo is already in {result.path} (--fresh rebuilds it)\n")
    plan, findings = service.overview(result.path)
    out = console()
    if out.is_terminal:
        render.print_text(plan, "en", out)
    else:
        sys.stdout.write(render.text(plan, "en"))
    out.print(f"\nCheck of {result.code}:")
    print_findings(findings)
    sys.stdout.flush()
    # A plain write: Rich would wrap these long command lines mid-path on narrow consoles.
    sys.stderr.write("\n" + service.next_steps(result.path, findings))
