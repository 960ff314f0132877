"""The rejects file: unusable rows in their own columns plus a reason, to fix and re-import.

A table's rejects are written as CSV (UTF-8 with BOM, the input's delimiter: Excel opens it and
the import reads it back) or, when the path ends in .xlsx, as a workbook with the same columns;
records without columns (vCards, YAML/JSON lists) as a YAML list.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from greentech_cli.importers.sources import Source
    from greentech_cli.models.imports import Reject

REASON = "reason"


class RejectsWriter:
    """Writes rejected rows as they come (a workbook's rows wait in a spool file beside it)."""

    def __init__(self, path: Path, source: Source) -> None:
        self.path = path
        self.source = source
        suffix = path.suffix.lower()
        self.yaml = suffix in (".yaml", ".yml") or source.headers is None
        self.xlsx = not self.yaml and suffix == ".xlsx"
        self.count = 0
        headers = list(source.headers or [])
        self.columns = [*headers, _unique(REASON, headers)]
        self._writer: Any = None
        if self.xlsx:
            # A workbook is written in one go at the end; the rows wait as JSON lines meanwhile.
            self._spool = path.with_name(f"{path.name}.part")
            self._fh: TextIO = self._spool.open("w", encoding="utf-8")
        elif self.yaml:
            self._fh = path.open("w", encoding="utf-8", newline="")
        else:
            self._fh = path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._fh, delimiter=source.delimiter or ",")
            self._writer.writerow(self.columns)

    def write(self, reject: Reject) -> None:
        """Append one rejected row."""
        self.count += 1
        if self.yaml:
            import yaml

            item = {**{k: v for k, v in reject.record.items() if v not in (None, "", [])}}
            item[REASON] = reject.reason
            self._fh.write(yaml.safe_dump([item], allow_unicode=True, sort_keys=False))
            return
        cells = list(reject.cells or [])
        width = len(self.source.headers or [])
        cells = (cells + [""] * width)[:width] if width else cells
        if self.xlsx:
            self._fh.write(json.dumps([*cells, reject.reason], ensure_ascii=False) + "\n")
        else:
            self._writer.writerow([*cells, reject.reason])

    def close(self) -> None:
        """Finish the file."""
        self._fh.close()
        if self.xlsx:
            try:
                self._write_workbook()
            finally:
                self._spool.unlink(missing_ok=True)

    def discard(self) -> None:
        """Remove the file again when nothing was rejected."""
        self.path.unlink(missing_ok=True)

    def _write_workbook(self) -> None:
        from greentech_cli.exporters.registry import CONTACTS, ExportJob
        from greentech_cli.exporters.xlsx import write_xlsx

        job = ExportJob(kind=CONTACTS, columns=self.columns, total=self.count)
        with self._spool.open(encoding="utf-8") as lines, self.path.open("wb") as out:
            rows = (dict(zip(self.columns, json.loads(line), strict=False)) for line in lines)
            write_xlsx(rows, out, job)


def _unique(name: str, headers: list[str]) -> str:
    while name in headers:
        name = f"{name}_"
    return name
