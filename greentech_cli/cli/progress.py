"""A progress bar on stderr for long work (hidden when stderr is not a terminal)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from greentech_cli.cli.context import AppContext


@contextmanager
def progress_bar(
    app_ctx: AppContext, description: str, total: int | None = None
) -> Iterator[Callable[[int], None] | None]:
    """Yield an `advance(n)` callback driving a Rich progress bar, or None when nobody watches."""
    console = app_ctx.err
    if not console.is_terminal:
        yield None
        return
    from rich.markup import escape
    from rich.progress import Progress

    from greentech_cli.render.terminal import message

    with Progress(console=console, transient=True) as bar:
        # The description is Rich markup: a file name such as "list [/].csv" must stay text.
        task = bar.add_task(escape(message(description)), total=total)
        yield lambda n: bar.advance(task, n)
