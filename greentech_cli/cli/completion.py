"""`greentech completion bash|zsh|fish`: the shell's completion script, and what it completes.

Completion is Click's own mechanism (the shell calls `greentech` with `_GREENTECH_COMPLETE`
set); its classes are registered only then (`app.main`), so `greentech --help` pays nothing for
it. Commands, options and choices complete by themselves; delegation codes, export formats and
column profiles through the functions below, which never fail and never create a database.
"""

from enum import StrEnum
from typing import Annotated

import typer

COMPLETE_VAR = "_GREENTECH_COMPLETE"


class Shell(StrEnum):
    """Shells with a completion script."""

    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def register(app: typer.Typer) -> None:
    """Add the completion command to the root command."""
    app.command("completion")(completion)


def completion(
    ctx: typer.Context,
    shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish.")],
) -> None:
    """Print the shell completion script; load it from your shell's start-up file.

    Example: greentech completion bash > ~/.local/share/bash-completion/completions/greentech
    """
    sys_stdout_write(script(ctx, shell.value))


def script(ctx: typer.Context, shell: str) -> str:
    """The completion script for `shell`, as Typer writes it for this program."""
    from typer._click.shell_completion import get_completion_class
    from typer.completion import completion_init

    completion_init()
    found = get_completion_class(shell)
    assert found is not None  # registered just above for every Shell
    root = ctx.find_root()
    return str(found(root.command, {}, "greentech", COMPLETE_VAR).source()) + "\n"


def sys_stdout_write(text: str) -> None:
    """Write the script to stdout as it is (it is code, not data)."""
    import sys

    sys.stdout.write(text)


def delegation_codes(incomplete: str) -> list[str]:
    """Delegation codes starting with what was typed (none when there is no database yet)."""
    try:
        from greentech_cli.cli.context import AppContext
        from greentech_cli.services.records import delegations

        app_ctx = AppContext()
        if not app_ctx.location().exists:
            return []
        try:
            found = delegations.find(app_ctx.db())
        finally:
            app_ctx.close()
    except Exception:  # completion must never print an error into the command line
        return []
    return [d.code for d in found if d.code.lower().startswith(incomplete.lower())]


def export_formats(incomplete: str) -> list[str]:
    """Export format names starting with what was typed."""
    from greentech_cli.exporters.registry import names

    return [name for name in names() if name.startswith(incomplete.lower())]


def profile_names(incomplete: str) -> list[str]:
    """Column profile names starting with what was typed."""
    try:
        from greentech_cli.exporters.profiles import names

        return [name for name in names() if name.startswith(incomplete.lower())]
    except Exception:  # a broken profile file must not break the command line
        return []
