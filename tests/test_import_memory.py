"""The import keeps no list that grows with the file in memory: its warnings wait in a temporary
file and are written out (JSON, `--warnings FILE`) as they are read back, complete and in order."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from greentech_cli.models.imports import ImportOptions
from greentech_cli.render.output import write_json
from greentech_cli.services.imports.run import import_file
from greentech_cli.services.imports.spill import WarningLog

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


def _written(data: Any) -> str:
    out = io.StringIO()
    write_json(data, out)
    return out.getvalue()


@given(st.dictionaries(st.text(), _JSON, min_size=1, max_size=4), st.lists(st.text(), max_size=5))
def test_an_iterator_is_written_as_its_list(data: dict[str, Any], items: list[str]) -> None:
    streamed = _written({**data, "streamed": iter(items)})
    assert streamed == _written({**data, "streamed": items})
    assert json.loads(streamed)["streamed"] == items


@given(st.lists(st.text()))
def test_the_warning_log_gives_back_what_it_was_given(warnings: list[str]) -> None:
    log = WarningLog()
    for warning in warnings:
        log.append(warning)
    assert (len(log), list(log), list(log)) == (len(warnings), warnings, warnings)
    log.append("one more")  # appends go on after a reading
    assert list(log) == [*warnings, "one more"]
    log.close()


def test_an_import_keeps_its_warnings_out_of_memory(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "phones.csv"
    rows = "".join(f"P{i},Q,abc{i}\n" for i in range(30))
    path.write_text("Vorname,Nachname,Telefon\n" + rows, encoding="utf-8")
    written = tmp_path / "warnings.txt"
    summary = import_file(db, path, ImportOptions(warnings_file=written))
    assert isinstance(summary.warning_list, WarningLog)
    listed = list(summary.warning_list)
    assert len(listed) == summary.warning_count == 30
    assert listed[0].startswith("row 1: ") and "abc0" in listed[0]
    assert summary.warnings == listed[:20]
    assert written.read_text(encoding="utf-8").splitlines() == listed
    assert json.loads(_written(summary.to_json()))["warning_list"] == listed
