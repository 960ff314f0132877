"""Files greentech writes for people: owner-only, complete or absent, never half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TypeVar

from greentech_cli.errors import GreentechError, InvalidData, NotFound

T = TypeVar("T")


class PrivateFile:
    """A file for a person, being written: `stream` goes to an owner-only temporary file beside
    `path`; `commit` puts it in place and `discard` removes it, so `path` is complete or as it was.

    A crash, a full disk or Ctrl-C leaves the old file (or none), never a part. A device or pipe
    (`/dev/stdout`, a FIFO) is written into directly, and a symlink is followed to its target,
    so neither is replaced by a plain file.
    """

    def __init__(self, path: Path) -> None:
        given = path.expanduser()
        if given.is_dir():
            raise InvalidData(f"{given} is a folder; give a file name")
        self.path = given
        self._temporary: Path | None = None
        if given.exists() and not given.is_file():
            # Checked before resolving links: /dev/stdout on a pipe resolves to "pipe:[1234]".
            self.stream: IO[bytes] = given.open("wb")
            return
        target = Path(os.path.realpath(given))
        if not target.parent.is_dir():
            raise NotFound(f"the folder {given.parent} does not exist")
        self.path = target
        self.stream, self._temporary = _temporary_beside(target)

    def commit(self) -> Path:
        """Flush the file to the disk and put it in place (replacing an older one)."""
        if self._temporary is None:
            self.stream.close()
            return self.path
        try:
            _finish(self.stream)
            os.replace(self._temporary, self.path)
        except BaseException:
            self.discard()
            raise
        fsync_dir(self.path.parent)
        return self.path

    def discard(self) -> None:
        """Remove what was written; `path` stays as it was."""
        self.stream.close()
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)


def write_private(path: Path, write: Callable[[IO[bytes]], T]) -> T:
    """Call `write` with a binary stream that becomes `path` once it returns (a `PrivateFile`)."""
    file = PrivateFile(path)
    try:
        result = write(file.stream)
    except BaseException:
        file.discard()
        raise
    file.commit()
    return result


def write_private_files(
    folder: Path, files: Iterable[tuple[str, bytes]], suffix: str
) -> list[Path]:
    """Write each `(stem, content)` as its own owner-only file `stem + suffix` in `folder`.

    A missing folder is created owner-only (0700). Each file is written under a temporary name
    and then linked to its own name, so it is complete or absent; names are unique ignoring case
    and never replace a file already there (`Name (2).vcf` instead). After an error none of the
    files remains, nor a folder made for them.
    """
    folder = folder.expanduser()
    if folder.exists() and not folder.is_dir():
        raise InvalidData(f"{folder} is a file; give a folder")
    made = _make_private_folder(folder)
    taken: set[str] = set()
    written: list[Path] = []
    try:
        for stem, content in files:
            stream, temporary = _temporary_beside(folder / f"{stem}{suffix}")
            try:
                stream.write(content)
                _finish(stream)
                written.append(_link_new(temporary, _free_names(folder, stem, suffix, taken)))
            finally:
                stream.close()
                temporary.unlink(missing_ok=True)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        for created in made:
            with contextlib.suppress(OSError):
                created.rmdir()
        raise
    fsync_dir(folder)
    return written


def _temporary_beside(target: Path) -> tuple[IO[bytes], Path]:
    """An open owner-only temporary file in the folder of `target` (mkstemp creates it 0600)."""
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent
    )
    return os.fdopen(handle, "wb"), Path(temporary)


def _finish(stream: IO[bytes]) -> None:
    """Flush a written file to the disk and close it."""
    stream.flush()
    os.fsync(stream.fileno())
    stream.close()


def _make_private_folder(folder: Path) -> list[Path]:
    """Create `folder` and any missing parents owner-only; the ones made, innermost first."""
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            missing.remove(path)  # appeared meanwhile: not ours to remove
        except OSError as exc:
            raise GreentechError(f"cannot create the folder {path}: {exc.strerror}") from exc
    return missing


def _free_names(folder: Path, stem: str, suffix: str, taken: set[str]) -> Iterator[Path]:
    """`stem.vcf`, `stem (2).vcf`, … skipping names already used in this run (ignoring case)."""
    number = 1
    while True:
        name = f"{stem}{suffix}" if number == 1 else f"{stem} ({number}){suffix}"
        number += 1
        if name.casefold() not in taken:
            taken.add(name.casefold())
            yield folder / name


def free_name(folder: Path, base: str, suffix: str = "") -> Path:
    """`folder/<base><suffix>`, else `<base>-2<suffix>`, …: the first name no file has yet."""
    candidate = folder / f"{base}{suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{base}-{n}{suffix}"
        n += 1
    return candidate


def _link_new(temporary: Path, names: Iterator[Path]) -> Path:
    """Give a finished temporary file the first of `names` no file has yet, atomically."""
    for name in names:
        try:
            os.link(temporary, name)
        except FileExistsError:
            continue
        except OSError:
            # No hard links on this file system (FAT on a USB stick): rename, checking first.
            if name.exists():
                continue
            os.replace(temporary, name)
        return name
    raise AssertionError("names never run out")


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


def writer_file(database: str | Path) -> Path:
    """The file beside a database that names the process holding its write lock for a long
    write (an import), so a process waiting for the lock can say what it waits for."""
    return Path(f"{database}-writer")


def claim_writer(database: str, what: str) -> Path | None:
    """Name this process as the lock holder (owner-only); None when it cannot (no file, a
    read-only folder: the wait is then only less talkative)."""
    if not database:
        return None
    marker = writer_file(database)
    try:
        fd = os.open(marker, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {what}\n")
    except OSError:
        return None
    return marker
