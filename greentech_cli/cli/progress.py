"""A progress bar on stderr for long work (hidden when stderr is not a terminal)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from greentech_cli.cli.context import AppContext


@contextmanager
def progress_bar(
    app_ctx: AppContext,
    description: str,
    total: int | None = None,
    *,
    unit: str | None = None,
    quiet: bool = False,
) -> Iterator[Callable[[int], None] | None]:
    """Yield an `advance(n)` callback driving a Rich progress bar, or None when nobody watches
    (stderr is no terminal, or `quiet`). With a `unit` ("rows") the bar shows how many are done,
    the rate and the time left; a `total` that proves too small (an estimate) grows."""
    console = app_ctx.err
    if quiet or not console.is_terminal:
        yield None
        return
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    from greentech_cli.render.terminal import message

    columns: list[Any] = [TextColumn("{task.description}"), BarColumn()]
    if unit is None:
        columns += [TaskProgressColumn(), TimeRemainingColumn()]
    else:
        rate = "{task.fields[rate]}"  # ", 2,400/s" once there is a rate to show
        columns += [MofNCompleteColumn(), TextColumn(f"{unit}{rate}"), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True) as bar:
        # The description is Rich markup: a file name such as "list [/].csv" must stay text.
        task = bar.add_task(escape(message(description)), total=total, rate="")

        def advance(n: int) -> None:
            current = bar.tasks[0]
            if total is not None and current.completed + n > (current.total or 0):
                # Set on the task itself: Progress.update(total=…) would forget the rate.
                current.total = current.completed + n
            bar.update(task, advance=n)
            speed = current.speed
            bar.update(task, rate=f", {speed:,.0f}/s" if speed else "")

        yield advance
