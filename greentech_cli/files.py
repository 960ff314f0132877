"""Files greentech writes for people: owner-only, complete or absent, never half-written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

from greentech_cli.errors import InvalidData, NotFound

T = TypeVar("T")


def write_private(path: Path, write: Callable[[IO[bytes]], T]) -> T:
    """Call `write` with a binary stream that becomes `path` only once it returns.

    The file is created readable by its owner only (it holds personal data) under a temporary
    name beside `path` and renamed over it, so a crash, a full disk or Ctrl-C leaves the old file
    (or none), never a part. A device or pipe (`/dev/stdout`, a FIFO) is written into directly,
    and a symlink is followed to its target, so neither is replaced by a plain file.
    """
    given = path.expanduser()
    if given.is_dir():
        raise InvalidData(f"{given} is a folder; give a file name")
    if given.exists() and not given.is_file():
        # Checked before resolving links: /dev/stdout on a pipe resolves to "pipe:[1234]".
        with given.open("wb") as raw:
            return write(raw)
    target = Path(os.path.realpath(given))
    if not target.parent.is_dir():
        raise NotFound(f"the folder {given.parent} does not exist")
    # mkstemp creates the file with mode 0600.
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as raw:
            result = write(raw)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)
    return result


def write_private_text(path: Path, content: str, *, newline: str | None = None) -> None:
    """Write `content` as UTF-8 to `path` as `write_private` does; `newline=""` keeps CRLF as is."""
    if newline is None and os.linesep != "\n":
        content = content.replace("\n", os.linesep)
    data = content.encode("utf-8")
    write_private(path, lambda raw: raw.write(data))


def fsync_file(path: Path) -> None:
    """Flush a closed file's contents to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make a rename durable (not possible on every platform; best effort)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same path once resolved, or two links to it."""
    a, b = a.expanduser(), b.expanduser()
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False
