"""An import's options checked before anything is read: values that make no sense, and output
files that would overwrite the file being imported or the database itself."""

from __future__ import annotations

from pathlib import Path

from greentech_cli.errors import InvalidData, NotFound
from greentech_cli.files import same_file
from greentech_cli.models.imports import ON_DUPLICATE, TARGETS, ImportOptions
from greentech_cli.text.vocabulary import normalize_country


def check_options(options: ImportOptions, path: Path, database: str) -> None:
    """Refuse option values that make no sense before anything is read or written (an output
    file found wrong after the import would leave the database changed and the command failed).
    `database`: its file, a PostgreSQL database's URL, or "" for an in-memory one."""
    if options.on_duplicate not in ON_DUPLICATE:
        raise InvalidData(f"--on-duplicate must be one of {', '.join(ON_DUPLICATE)}")
    if options.target not in TARGETS:
        raise InvalidData(f"--as must be one of {', '.join(TARGETS)}")
    if options.default_country:
        options.default_country = normalize_country(options.default_country)
    for option, written in (("--rejects", options.rejects), ("--warnings", options.warnings_file)):
        if written is None:
            continue
        if same_file(written, path):
            raise InvalidData(f"{option} would overwrite {path.name}, the file being imported")
        if database and (written == Path(database) or same_file(written, Path(database))):
            raise InvalidData(f"{option} {written} is the database itself")
        folder = written.expanduser().parent
        if not written.expanduser().exists() and not folder.is_dir():
            raise NotFound(f"{option}: the folder {folder} does not exist; nothing was imported")
