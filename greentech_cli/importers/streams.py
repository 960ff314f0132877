"""Input that is not a regular file — a pipe, a FIFO, a device — read once, like any stream.

`greentech import /dev/stdin < list.csv`, `greentech import <(…)` and a FIFO all name such input.
Readers look at a file more than once (its first bytes, then its rows), which a pipe cannot
offer, so a stream is read once: into memory (`read_stream`) or into an owner-only temporary
file (`as_file`). A FIFO that nobody writes to would keep a reader waiting for ever; here the wait
for data ends after `WAIT_SECONDS` with a message saying so.
"""

from __future__ import annotations

import os
import select
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from greentech_cli.errors import UnreadableFile

# How long to wait for the first bytes of a stream, and for more after a pause.
WAIT_SECONDS = 30.0
CHUNK = 1 << 16


def is_stream(path: Path) -> bool:
    """Whether the path names a pipe, FIFO, socket or device rather than a regular file."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return False  # missing: the readers say so in their own words
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _chunks(path: Path) -> Iterator[bytes]:
    """The bytes of a stream as they come, until its writer closes it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO without a writer opens too
    except OSError as exc:
        raise UnreadableFile(f"{path} cannot be read: {exc.strerror or exc}") from None
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while True:
            if not poller.poll(WAIT_SECONDS * 1000):
                raise UnreadableFile(
                    f"nothing came from {path} for {WAIT_SECONDS:g} seconds; is the program "
                    "that should write to it running?"
                )
            try:
                chunk = os.read(fd, CHUNK)
            except BlockingIOError:
                continue
            except OSError as exc:
                raise UnreadableFile(f"{path} cannot be read: {exc.strerror or exc}") from None
            if not chunk:
                return  # the writer closed its end
            yield chunk
    finally:
        os.close(fd)


def _nothing(path: Path) -> UnreadableFile:
    return UnreadableFile(f"{path} is a pipe that gave no data (empty input)")


def read_stream(path: Path, *, limit: int) -> bytes:
    """All the bytes of a stream, at most `limit` of them (more is refused)."""
    data = bytearray()
    for chunk in _chunks(path):
        data += chunk
        if len(data) > limit:
            raise UnreadableFile(f"{path} gives more than {limit // 1_000_000} MB; refused")
    if not data:
        raise _nothing(path)
    return bytes(data)


@contextmanager
def as_file(path: Path) -> Iterator[Path]:
    """The path of a regular file as it is; a stream's bytes in an owner-only temporary file of
    the same name (removed afterwards), for readers that open their input more than once."""
    if not is_stream(path):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="greentech-input-") as folder:  # 0700
        copy = Path(folder) / (path.name or "input")
        fd = os.open(copy, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(path):
                out.write(chunk)
        if copy.stat().st_size == 0:
            raise _nothing(path)
        yield copy
