"""Record values as the text of one spreadsheet cell (CSV and XLSX)."""

from __future__ import annotations

import json
from typing import Any


def cell(value: Any) -> str:
    """A record value as the text of one spreadsheet cell (lists joined, None empty)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return ", ".join(cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
