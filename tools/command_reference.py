"""The command reference in docs/COMMANDS.md, generated from the app itself.

    python tools/command_reference.py            # rewrite the part between the markers
    python tools/command_reference.py --check    # exit 1 when it is stale (tests/test_readme.py)

Every command and subcommand of `greentech`, with its arguments, the first paragraph of its help
and every option with its help, walked from the Typer app (never typed by hand).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "COMMANDS.md"
BEGIN = "<!-- BEGIN command reference (python tools/command_reference.py) -->"
END = "<!-- END command reference -->"


def _one_line(text: str | None) -> str:
    """The first paragraph of a help text, as one line."""
    paragraph = (text or "").replace("\b", "").strip().split("\n\n")[0]
    return " ".join(paragraph.split())


def _option(param: Any, ctx: Any) -> str:
    """An option as `--help` shows it: its names and value, then its help (defaults included)."""
    names, help_text = param.get_help_record(ctx)
    line = f"- `{names}`"
    help_text = " ".join(help_text.replace("\b", "").split())
    return f"{line} — {help_text}" if help_text else line


def _argument(param: Any) -> str:
    name = param.metavar or param.name.upper()
    name += "..." if param.nargs == -1 else ""
    return name if param.required else f"[{name}]"


def _commands(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    """Every visible command under `command`, depth first, in the order `--help` lists them."""
    found = [(path, command)]
    if _is_group(command):
        ctx = command.context_class(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                found += _commands(sub, [*path, name])
    return found


def _is_group(command: Any) -> bool:
    # Typer bundles its own Click (never `import click`): its classes are known by their shape.
    return hasattr(command, "list_commands")


def command_paths() -> list[str]:
    """Every command of the app as it is typed: "greentech contact edit", …"""
    return [" ".join(path) for path, _ in _commands(_root(), ["greentech"])]


def _root() -> Any:
    import typer

    from greentech_cli.cli.app import app

    return typer.main.get_command(app)


def reference() -> str:
    """The Markdown reference of every command."""
    lines: list[str] = []
    for path, command in _commands(_root(), ["greentech"]):
        ctx = command.context_class(command, info_name=path[-1])
        arguments = [_argument(p) for p in command.params if p.param_type_name == "argument"]
        sub = " COMMAND" if _is_group(command) else ""
        usage = " ".join([*path, *arguments]) + sub
        lines += ["", f"### `{usage}`", ""]
        summary = _one_line(command.help)
        if summary:
            lines += [summary, ""]
        options = [
            _option(p, ctx)
            for p in command.params
            if p.param_type_name == "option" and not p.hidden and p.name != "help"
        ]
        lines += options or ["No options."]
    return "\n".join(lines).lstrip("\n") + "\n"


def render(current: str) -> str:
    """`current` with the part between the markers replaced by the reference."""
    head, begin, rest = current.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise SystemExit(f"{TARGET}: the markers {BEGIN!r} and {END!r} are missing")
    return f"{head}{BEGIN}\n\n{reference()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    current = TARGET.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in argv:
        if wanted != current:
            print(
                f"{TARGET.relative_to(ROOT)} is stale: run python tools/command_reference.py",
                file=sys.stderr,
            )
            return 1
        return 0
    if wanted != current:
        TARGET.write_text(wanted, encoding="utf-8")
        print(f"Wrote {TARGET.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
