"""Options shared by many commands, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

from ..render.output import Format

FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: table, json or csv.")
]
LimitOption = Annotated[
    int | None, typer.Option("--limit", "-n", min=0, help="Show at most N records.")
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def confirm(question: str, yes: bool) -> None:
    """Ask before a destructive step (unless --yes); declining stops with exit code 1."""
    from ..errors import Aborted

    if yes:
        return
    import sys

    if not sys.stdin.isatty():
        raise Aborted(f"{question} — not confirmed; pass --yes to go ahead without asking")
    if not typer.confirm(question, default=False, err=True):
        raise Aborted("cancelled; nothing was changed")
