"""What a terminal is shown: data with its control characters visible, never obeyed by it.

This is the one place output is made safe for a terminal. When stdout or stderr is a terminal,
every data value printed there has its C0 and C1 control characters, DEL, and bytes that were not
UTF-8 shown as escapes (`\\x1b`, `\\x9b`, `\\r`), so a name cannot set the window title, clear the
screen, hide text or make a link; tab and newline stay where the layout allows (table cells,
notes), one-line messages show them as `\\t` and `\\n`. Files and pipes get the data as stored.

Rich renderers take `for_stream(stream)` once and pass every data string through it; plain
writes go through `writer(stream)`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from functools import cache
from typing import Any, TextIO

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


@cache
def _control(lines: bool) -> re.Pattern[str]:
    """C0 controls (but tab and line feed when `lines`), DEL, C1 controls, and the lone
    surrogates Python uses for bytes that were not UTF-8 (in arguments and file names).
    Compiled on first use: `--help` and output to files and pipes never need it."""
    keep = "\x00-\x08\x0b-\x1f" if lines else "\x00-\x1f"
    return re.compile(f"[{keep}\x7f-\x9f\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # the byte that was not UTF-8 (surrogateescape)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, lines: bool = True) -> str:
    """The text with every control character as an escape (`\\x1b`); tab and newline kept when
    `lines`, escaped too when not."""
    return _control(lines).sub(_escape, text)


def _one_line(text: str) -> str:
    return visible(text, lines=False)


def _unchanged(text: str) -> str:
    return text


def is_terminal(stream: Any) -> bool:
    """Whether the stream is a terminal (False for files, pipes and captured output)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def for_stream(stream: TextIO | None = None, *, lines: bool = True) -> Callable[[str], str]:
    """How data is prepared for a stream (stdout unless given): `visible` on a terminal, else
    left as stored. Decided once per rendering, applied to each value."""
    if not is_terminal(stream if stream is not None else sys.stdout):
        return _unchanged
    return visible if lines else _one_line


def message(text: str) -> str:
    """A one-line message for stderr (`Added …`, `Error: …`), made visible on a terminal."""
    return for_stream(sys.stderr, lines=False)(text)


def each_string(value: Any, show: Callable[[str], str]) -> Any:
    """A copy of a view (dataclasses, lists, dicts of strings) with `show` applied to every
    string in it, for renderers that print many fields."""
    import dataclasses

    if isinstance(value, str):
        return show(value)
    if isinstance(value, list | tuple):
        return type(value)(each_string(item, show) for item in value)
    if isinstance(value, dict):
        return {key: each_string(item, show) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {
            f.name: each_string(getattr(value, f.name), show)
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changed)
    return value


class _VisibleWriter:
    """A terminal's text stream that shows the control characters written to it.

    Tab, newline and CRLF line ends (CSV, vCard, iCalendar) are kept; a lone CR is shown.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._cr = False  # a CR at the end of the last write, until the next one says if LF follows

    def write(self, text: str) -> int:
        """Write the text with its control characters visible; returns the length given."""
        given = len(text)
        if self._cr:
            text, self._cr = "\r" + text, False
        if text.endswith("\r"):
            text, self._cr = text[:-1], True
        self._stream.write("\r\n".join(visible(part) for part in text.split("\r\n")))
        return given

    def flush(self) -> None:
        """Write a pending CR (shown) and flush the stream."""
        if self._cr:
            self._stream.write(visible("\r"))
            self._cr = False
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def writer(stream: TextIO | None = None) -> TextIO:
    """The stream (stdout unless given) to write data to: on a terminal, one that shows control
    characters; a file or pipe as it is."""
    target = stream if stream is not None else sys.stdout
    if not is_terminal(target):
        return target
    shown: Any = _VisibleWriter(target)
    return shown  # a TextIO in every way commands use one
