"""Options shared by many commands, declared once."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from greentech_cli.render.output import Format

FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: table, json or csv.")
]
LimitOption = Annotated[
    int | None, typer.Option("--limit", "-n", min=0, help="Show at most N records.")
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def given_fields(values: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """The record fields among a command's options (its `locals()`) that the user actually gave.

    `fields` maps option parameter names to field names; options left at None (or an empty
    repeatable option) are not given, so `edit` leaves those fields as they are.
    """
    return {
        field: values[option]
        for option, field in fields.items()
        if values.get(option) is not None and values.get(option) != []
    }


def confirm(question: str, yes: bool) -> None:
    """Ask before a destructive step (unless --yes); declining stops with exit code 1."""
    from greentech_cli.errors import Aborted

    if yes:
        return
    import sys

    if not sys.stdin.isatty():
        raise Aborted(f"{question} — not confirmed; pass --yes to go ahead without asking")
    from greentech_cli.render.terminal import message

    if not typer.confirm(message(question), default=False, err=True):
        raise Aborted("cancelled; nothing was changed")
