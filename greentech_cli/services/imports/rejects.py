"""The rejects file: unusable rows in their own columns plus a reason, to fix and re-import.

A table's rejects are written as CSV (UTF-8 with BOM, the input's delimiter: Excel opens it and
the import reads it back) or, when the path ends in .xlsx, as a workbook with the same columns;
records without columns (vCards, YAML/JSON lists) as a YAML list. The file holds personal data:
it is owner-only and appears only when the import has finished (`files.PrivateFile`).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from greentech_cli.files import PrivateFile

if TYPE_CHECKING:
    from greentech_cli.importers.sources import Source
    from greentech_cli.models.imports import Reject

REASON = "reason"


class RejectsWriter:
    """Writes rejected rows as they come, to a file that takes its name only at `finish`.

    A workbook's rows wait in an anonymous temporary file until it is written in one go.
    """

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
        # Made now, so a bad path fails before anything is imported.
        self._file = PrivateFile(path)
        self._text: io.TextIOWrapper | None = None
        if self.xlsx:
            # Unnamed and owner-only, so nothing of it stays on disk; closed by finish or discard.
            self._fh: TextIO = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
            return
        encoding = "utf-8" if self.yaml else "utf-8-sig"
        self._text = io.TextIOWrapper(self._file.stream, encoding=encoding, newline="")
        self._fh = self._text
        if not self.yaml:
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

    def finish(self, keep: bool) -> str | None:
        """Put the file in place when `keep` (rows were rejected), else drop it; its path or None.

        Nothing is written when nothing was rejected: a file already at the path stays as it was.
        """
        if not keep:
            self.discard()
            return None
        try:
            if self._text is not None:
                self._text.flush()
                self._text.detach()
                self._text = None
            else:
                self._write_workbook()
        except BaseException:
            self.discard()
            raise
        self._file.commit()
        return str(self.path)

    def discard(self) -> None:
        """Drop what was written (the import failed, or rejected nothing)."""
        try:
            if self._text is not None:
                with contextlib.suppress(OSError, ValueError):
                    self._text.detach()
            else:
                self._fh.close()
        finally:
            self._file.discard()

    def _write_workbook(self) -> None:
        """The spooled rows as a workbook, written into the file."""
        from greentech_cli.exporters.registry import CONTACTS, ExportJob
        from greentech_cli.exporters.xlsx import write_xlsx

        job = ExportJob(kind=CONTACTS, columns=self.columns, total=self.count)
        with self._fh:
            self._fh.seek(0)
            rows = (dict(zip(self.columns, json.loads(line), strict=False)) for line in self._fh)
            write_xlsx(rows, self._file.stream, job)


def _unique(name: str, headers: list[str]) -> str:
    while name in headers:
        name = f"{name}_"
    return name
