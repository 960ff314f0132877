"""The vcf export format: vCards written to one stream (the registry's writer) or one file each."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from greentech_cli.exporters.registry import ExportJob
from greentech_cli.exporters.vcf import display_name, normalise_version, vcard_lines

# Characters Windows, macOS or Linux refuse in file names, plus controls.
_UNSAFE_IN_FILE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)


def write_vcf(records: Iterable[dict[str, Any]], out: TextIO, job: ExportJob) -> int:
    """Every contact as a vCard of the job's version (CRLF, folded at 75 octets)."""
    return write_vcards(records, out, job.vcard_version)


def write_vcards(records: Iterable[dict[str, object]], out: TextIO, version: str = "3.0") -> int:
    """Stream records as vCards to ``out`` (opened with newline=''); return how many."""
    normalise_version(version)
    count = 0
    for record in records:
        lines = vcard_lines(record, version)
        lines.append("")
        # One write per card, not per line.
        out.write("\r\n".join(lines))
        count += 1
    return count


def split_cards(
    records: Iterable[dict[str, object]], version: str = "3.0"
) -> Iterator[tuple[str, bytes]]:
    """One vCard per contact with a file name stem for it, for a folder of one file each.

    Outlook imports only the first card of a file, hence one file each. The stems come from the
    contact's name and are safe on Windows, macOS and Linux; the service writes the files.
    """
    normalise_version(version)
    for record in records:
        card = "".join(line + "\r\n" for line in vcard_lines(record, version))
        yield _file_stem(record), card.encode("utf-8")


def _file_stem(record: dict[str, object]) -> str:
    """A file name stem from the contact's name that every common file system accepts."""
    name = unicodedata.normalize("NFC", display_name(record))
    name = _UNSAFE_IN_FILE_NAME.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    # Stay far below the 255-byte limit of most file systems, cutting between characters.
    encoded = name.encode("utf-8")[:120]
    name = encoded.decode("utf-8", "ignore").strip(" .")
    if not name:
        return "contact"
    if name.split(".", 1)[0].upper() in _WINDOWS_RESERVED:
        # Windows refuses CON, NUL, COM1 … as names even with an extension.
        name = f"_{name}"
    return name
