"""Record values as the text of one spreadsheet cell (CSV and XLSX).

Lists of plain words (tags, languages, websites, aliases) are joined with ", "; a list holding
value objects (emails, phones, addresses) or an item with a comma of its own, and a mapping
(extra, register ids), is written as compact JSON, which `greentech import` reads back exactly.
"""

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
        if any(isinstance(item, dict) or "," in str(item) for item in value):
            return _json(list(value))
        return ", ".join(cell(item) for item in value)
    if isinstance(value, dict):
        return _json(value) if value else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
