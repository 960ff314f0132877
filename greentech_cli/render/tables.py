"""A long table drawn line by line: Rich's look, without measuring every row first.

Rich lays out a table only after measuring every cell of every row, which for 47,490 contacts
took 111 s and 659 MB. Here the column widths come from the first rows (the header and up to
`output.RICH_ROWS` records), shared out over the terminal's width; each later row is written as
soon as it comes, a cell wider than its column folded onto further lines (nothing is cut off).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from greentech_cli.render.terminal import for_stream

# The narrowest a column is squeezed to when the terminal is too narrow for every column.
MIN_WIDTH = 6


def _widths(natural: list[int], room: int) -> list[int]:
    """Column widths fitting `room` cells: the natural widths, the widest cut down first."""
    widths = list(natural)
    while sum(widths) > room:
        widest = max(range(len(widths)), key=widths.__getitem__)
        if widths[widest] <= MIN_WIDTH:
            break
        widths[widest] -= 1
    return widths


def _fold(text: str, width: int, cell_len: Callable[[str], int]) -> list[str]:
    """The text's lines, each cut into pieces of at most `width` cells."""
    pieces: list[str] = []
    for line in text.split("\n") or [""]:
        if line.isascii():
            pieces.extend([line[i : i + width] for i in range(0, len(line), width)] or [""])
            continue
        piece, used = "", 0
        for char in line:
            size = cell_len(char)
            if used + size > width and piece:
                pieces.append(piece)
                piece, used = "", 0
            piece += char
            used += size
        pieces.append(piece)
    return pieces


def stream_table(
    rows: Iterable[dict[str, Any]],
    sample: Sequence[dict[str, Any]],
    columns: Sequence[str],
    headers: Sequence[str] | None,
    cell: Callable[[Any], str],
) -> int:
    """Write the rows as a boxed table to stdout, widths from `sample`; returns the row count."""
    from rich.cells import cell_len

    out = sys.stdout
    show = for_stream(out)
    titles = list(headers or columns)
    natural = [
        max([cell_len(title), *(cell_len(show(cell(row.get(c)))) for row in sample)], default=1)
        for title, c in zip(titles, columns, strict=True)
    ]
    room = shutil.get_terminal_size((80, 24)).columns - (3 * len(columns) + 1)
    widths = _widths([max(w, 1) for w in natural], room)

    def line(cells: list[str], left: str, middle: str, right: str) -> str:
        parts = [
            text + " " * (width - cell_len(text)) for text, width in zip(cells, widths, strict=True)
        ]
        return f"{left} " + f" {middle} ".join(parts) + f" {right}\n"

    def rule(left: str, fill: str, middle: str, right: str) -> str:
        return left + middle.join(fill * (w + 2) for w in widths) + right + "\n"

    def block(cells: list[str], bar: str) -> str:
        folded = [_fold(text, width, cell_len) for text, width in zip(cells, widths, strict=True)]
        height = max(len(lines) for lines in folded)
        return "".join(
            line([f[i] if i < len(f) else "" for f in folded], bar, bar, bar) for i in range(height)
        )

    out.write(rule("┏", "━", "┳", "┓"))
    out.write(block([show(t) for t in titles], "┃"))
    out.write(rule("┡", "━", "╇", "┩"))
    count = 0
    for row in rows:
        out.write(block([show(cell(row.get(c))) for c in columns], "│"))
        count += 1
    out.write(rule("└", "─", "┴", "┘"))
    return count
