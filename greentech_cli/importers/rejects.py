"""The rejects file: unusable rows in their own columns plus a reason, to fix and re-import."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..services.import_model import Reject
    from .sources import Source

REASON = "reason"


class RejectsWriter:
    """Writes rejected rows as they come: CSV for tables (same columns), YAML for records."""

    def __init__(self, path: Path, source: Source) -> None:
        self.path = path
        self.source = source
        self.yaml = path.suffix.lower() in (".yaml", ".yml") or source.headers is None
        # UTF-8 with BOM and the input's delimiter: Excel opens it and the import reads it back.
        encoding = "utf-8" if self.yaml else "utf-8-sig"
        self._fh: TextIO = path.open("w", encoding=encoding, newline="")
        self._writer: Any = None
        if not self.yaml:
            headers = list(source.headers or [])
            self._writer = csv.writer(self._fh, delimiter=source.delimiter or ",")
            self._writer.writerow([*headers, _unique(REASON, headers)])

    def write(self, reject: Reject) -> None:
        """Append one rejected row."""
        if self.yaml:
            import yaml

            item = {**{k: v for k, v in reject.record.items() if v not in (None, "", [])}}
            item[REASON] = reject.reason
            self._fh.write(yaml.safe_dump([item], allow_unicode=True, sort_keys=False))
        else:
            cells = list(reject.cells or [])
            width = len(self.source.headers or [])
            cells = (cells + [""] * width)[:width] if width else cells
            self._writer.writerow([*cells, reject.reason])

    def close(self) -> None:
        """Finish the file."""
        self._fh.close()

    def discard(self) -> None:
        """Remove the file again when nothing was rejected."""
        self.path.unlink(missing_ok=True)


def _unique(name: str, headers: list[str]) -> str:
    while name in headers:
        name = f"{name}_"
    return name
