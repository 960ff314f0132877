"""JSON and YAML exports: a list of records in the shape `greentech import` reads back.

Both are streamed record by record, so memory stays flat however many contacts are exported.

JSON is an array with one compact record per line. YAML is a block sequence of mappings, as
``yaml.safe_dump([...], allow_unicode=True, sort_keys=False)`` would write it, but emitted here:
PyYAML's dumper needs about 140 µs a record even with libyaml (14 s for 100,000 contacts),
while everything in a record is a string, number, None or a list of strings, for which the rules
are small. A string is written plain only when no YAML 1.1 reader can take it for anything else
— it starts with a letter, holds only letters, digits, spaces and ``. , / ( ) & ' + @ - _``, does
not end in a space and is not one of the YAML 1.1 booleans or nulls (``NO`` is Norway, not
False). Everything else — ``01067``, ``+4921…``, ``2026-11-18``, ``10:30``, ``yes``, text with a
colon, a hash or a line break — is double-quoted with JSON-style escapes, which YAML shares, plus
``\\uXXXX`` for the characters YAML may not carry raw (C1 controls, U+2028/9, BOM, U+FFFE/F).
A mapping inside a record (a company's ``register_ids``) is a nested block of such scalars.
(PyYAML's own dumper is not even right everywhere: it writes U+0085 raw, which reads back as a
line break.)
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, TextIO

from greentech_cli.exporters.registry import ExportJob

# --- JSON ------------------------------------------------------------------------------------


def write_ndjson(records: Iterable[dict[str, Any]], out: TextIO, job: ExportJob) -> int:
    """Newline-delimited JSON: one compact record per line; returns the count."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    count = 0
    for record in records:
        out.write(dumps({name: record.get(name) for name in job.columns}) + "\n")
        count += 1
    return count


def write_json(records: Iterable[dict[str, Any]], out: TextIO, job: ExportJob) -> int:
    """A JSON array streamed as ``[``, one record per line, ``]``; returns the count."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    count = 0
    for record in records:
        out.write("[\n  " if count == 0 else ",\n  ")
        out.write(dumps({name: record.get(name) for name in job.columns}))
        count += 1
    out.write("\n]\n" if count else "[]\n")
    return count


# --- YAML ------------------------------------------------------------------------------------

_PLAIN = re.compile(r"[^\W\d_][\w .,/()&'+@-]*")
# YAML 1.1 reads these (in any case) as booleans or null.
_RESERVED = frozenset(["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", ""])
# Characters YAML does not allow unescaped, or reads as line breaks inside a quoted scalar.
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def yaml_scalar(value: Any) -> str:
    """One scalar (str, int, float, bool or None) as YAML 1.1 that reads back to the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _yaml_float(value)
    return _yaml_text(str(value))


@lru_cache(maxsize=8192)
def _yaml_text(text: str) -> str:
    """A string, plain when that is safe, else double-quoted (cached: values repeat a lot)."""
    if _PLAIN.fullmatch(text) and text[-1] != " " and text.lower() not in _RESERVED:
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNPRINTABLE.sub(_escape, quoted)


def _yaml_float(value: float) -> str:
    """A float YAML 1.1 resolves as one: it needs a dot before any exponent."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e")
    return text


def _yaml_value(value: Any) -> str:
    """A scalar, or a nested list or mapping in flow style (JSON, which YAML reads too)."""
    if isinstance(value, list | tuple | dict):
        return _UNPRINTABLE.sub(_escape, json.dumps(value, ensure_ascii=False))
    return yaml_scalar(value)


def _yaml_mapping(value: dict[Any, Any]) -> list[str]:
    """A nested mapping's lines, indented for a record's value (rare: register_ids)."""
    lines = []
    for key, item in value.items():
        key_text = yaml_scalar(key)
        if len(key_text) > 1000:
            # YAML limits implicit keys to 1024 characters; longer ones need "? key".
            lines += [f"    ? {key_text}", f"    : {_yaml_value(item)}"]
        else:
            lines.append(f"    {key_text}: {_yaml_value(item)}")
    return lines


def yaml_record(record: dict[str, Any], columns: Iterable[str]) -> str:
    """One record as an item of a YAML block sequence (``- key: value`` …), ending in a newline."""
    lines: list[str] = []
    for name in columns:
        value = record.get(name)
        lead = "- " if not lines else "  "
        if value is None:
            lines.append(f"{lead}{name}: null")
        elif type(value) is str:
            lines.append(f"{lead}{name}: {_yaml_text(value)}")
        elif isinstance(value, list | tuple):
            if value:
                lines.append(f"{lead}{name}:")
                lines.extend(f"  - {_yaml_value(item)}" for item in value)
            else:
                lines.append(f"{lead}{name}: []")
        elif isinstance(value, dict):
            if value:
                lines.append(f"{lead}{name}:")
                lines.extend(_yaml_mapping(value))
            else:
                lines.append(f"{lead}{name}: {{}}")
        else:
            lines.append(f"{lead}{name}: {yaml_scalar(value)}")
    return "\n".join(lines) + "\n"


def write_yaml(records: Iterable[dict[str, Any]], out: TextIO, job: ExportJob) -> int:
    """A YAML list of records, streamed one record at a time; returns the count."""
    count = 0
    for record in records:
        out.write(yaml_record(record, job.columns))
        count += 1
    if count == 0:
        out.write("[]\n")
    return count
