"""Map a table's columns to contact or company fields: find the header row, then name each column.

The header is the first of the first 20 non-blank rows that looks like one (below title rows such
as "Teilnehmerliste Delegation Kasachstan 2026"). Blank rows are skipped. Every row is yielded as
``Row(number, cells)`` with exactly ``len(table.headers)`` cells at that moment: short rows are
padded with "", and non-empty cells beyond the header get generated headers ``column_N``. Rows
read while looking for the header widen ``table.headers`` before anything is returned; a wider row
further down appends to ``table.headers`` when it is read (the file is never read twice).
Duplicate header names are made unique (``E-Mail (2)``). ``number`` is the line where a CSV
record starts (multi-line cells and blank lines counted) or the worksheet row number.

Headers are matched to fields after normalising (``presets.normalize_header``), so ``E-Mail``,
``e-mail`` and ``EMAIL`` are the same header. If no exact match is found, a header is tried again
without bracketed parts and trailing numbers (``Telefon (mit Vorwahl)``, ``Telefon 2``), then as
slash-separated alternatives that agree (``Organisation/Firma/Unternehmen``). Lookup order: the
``--mapping`` file, the preset (given, or chosen as the one that covers the file best), then the
generic table. A column that nothing maps is reported in ``ColumnMap.unmapped`` (a contact
keeps its values in ``extra``), one a preset deliberately skips in ``ColumnMap.ignored``;
``ColumnMap.went_to`` says for the import summary where each column's values go.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, NamedTuple

from greentech_cli.errors import InvalidData, UnreadableFile
from greentech_cli.importers.presets import (
    EXTRA_FIELDS,
    GENERIC_PRESETS,
    MEMBER_ONLY_FIELDS,
    TARGET_FIELDS,
    Mapping,
    best_preset,
    is_known_header,
    load_preset,
    normalize_header,
)

if TYPE_CHECKING:
    from greentech_cli.importers.formats import Format

HEADER_SCAN_ROWS = 20
_DATA_LIKE_RE = re.compile(r"^[\d\s.,:;/+\-()%€$#]+$")
_BRACKETS_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_TRAILING_NUMBER_RE = re.compile(r"[\s_-]*\d+\s*$")


class Row(NamedTuple):
    """One data row: its line (CSV, where the record starts) or sheet row number, and cells."""

    number: int
    cells: list[str]


@dataclass
class Table:
    """A table read from a file: headers, a stream of rows and how the file was read."""

    headers: list[str]
    rows: Iterator[Row]
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int
    format: str
    path: Path

    # the underlying record stream, closed by close() even if the rows were never started
    source: Iterator[tuple[int, list[str]]] | None = field(default=None, repr=False, compare=False)

    def close(self) -> None:
        """Stop reading and release the file (also done when the rows are exhausted)."""
        for stream in (self.rows, self.source):
            close = getattr(stream, "close", None)
            if close is not None:
                close()

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --- the header row and the rows under it --------------------------------------------------


def find_header(
    records: Iterator[tuple[int, list[str]]], path: Path, read_as: Format, sheet: str | None
) -> Table:
    """Find the header among the first non-blank records and wrap the rest as a row stream."""
    scanned: list[tuple[int, list[str]]] = []
    try:
        for number, cells in records:
            if _is_blank(cells):
                continue
            scanned.append((number, cells))
            if len(scanned) >= HEADER_SCAN_ROWS:
                break
    except BaseException:
        _close(records)
        raise
    if not scanned:
        _close(records)
        where = f"sheet '{sheet}' of {path.name}" if sheet else path.name
        raise UnreadableFile(f"{where} is empty.")
    header_at = find_header_row([cells for _, cells in scanned])
    header_line, header_cells = scanned[header_at]
    headers = make_headers(header_cells)
    rows = _shaped_rows(scanned[header_at + 1 :], records, headers)
    return Table(
        headers=headers,
        rows=rows,
        encoding=read_as.encoding,
        delimiter=read_as.delimiter,
        sheet=sheet,
        header_row=header_line,
        format=read_as.name,
        path=path,
        source=records,
    )


def _close(records: Iterator[tuple[int, list[str]]]) -> None:
    close = getattr(records, "close", None)
    if close is not None:
        close()


def _is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _shaped_rows(
    buffered: list[tuple[int, list[str]]],
    records: Iterator[tuple[int, list[str]]],
    headers: list[str],
) -> Iterator[Row]:
    """Yield non-blank rows with exactly one cell per header (the header list may grow)."""
    # Rows read while looking for the header widen the header before anything is yielded, so
    # only a wider row after them (beyond row 20) can still add columns while streaming.
    widest = max((_filled_width(cells) for _, cells in buffered), default=0)
    if widest > len(headers):
        _add_generated_headers(headers, widest)
    width = len(headers)
    try:
        for number, cells in _chain(buffered, records):
            if _is_blank(cells):
                continue
            size = len(cells)
            if size != width:
                if size < width:
                    cells = cells + [""] * (width - size)
                else:
                    while size > width and not cells[size - 1].strip():
                        size -= 1
                    del cells[size:]
                    if size > width:
                        _add_generated_headers(headers, size)
                        width = size
            yield Row(number, cells)
    finally:
        _close(records)


def _filled_width(cells: list[str]) -> int:
    """Number of cells up to and including the last non-empty one."""
    size = len(cells)
    while size and not cells[size - 1].strip():
        size -= 1
    return size


def _add_generated_headers(headers: list[str], width: int) -> None:
    """Name the cells beyond the header ``column_N`` so their data is kept, not dropped."""
    taken = {header.casefold() for header in headers}
    for index in range(len(headers), width):
        headers.append(_unique(f"column_{index + 1}", taken))


def _chain(
    first: list[tuple[int, list[str]]], rest: Iterator[tuple[int, list[str]]]
) -> Iterable[tuple[int, list[str]]]:
    yield from first
    yield from rest


def _unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 2
    while candidate.casefold() in taken:
        candidate = f"{name} ({counter})"
        counter += 1
    taken.add(candidate.casefold())
    return candidate


def make_headers(cells: list[str]) -> list[str]:
    """Clean header cells: trim, one line, ``column_N`` for blanks, ``Name (2)`` for repeats."""
    cleaned = [
        unicodedata.normalize("NFC", " ".join(cell.replace("\ufeff", "").split())) for cell in cells
    ]
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    taken: set[str] = set()
    return [_unique(text or f"column_{index + 1}", taken) for index, text in enumerate(cleaned)]


def find_header_row(rows: list[list[str]]) -> int:
    """Return the index of the header among the first rows (title rows above it are skipped).

    A header row is wide (at least half as many filled cells as the widest row) and mostly
    non-numeric. When some of these rows use header names that the presets know, the first row
    with at least half of the best such count wins; otherwise the first wide text row.
    """
    if not rows:
        return 0
    filled = [[cell.strip() for cell in row if cell.strip()] for row in rows]
    widest = max(len(cells) for cells in filled)
    eligible: list[tuple[int, int]] = []
    for index, cells in enumerate(filled):
        if not cells or len(cells) * 2 < widest:
            continue
        data_like = sum(1 for cell in cells if _looks_like_data(cell))
        if data_like * 3 > len(cells):
            continue
        known = sum(1 for cell in cells if is_known_header(cell))
        eligible.append((index, known))
    if not eligible:
        return 0
    best_known = max(known for _, known in eligible)
    if best_known >= 2:
        needed = max(2, (best_known + 1) // 2)
        return next(index for index, known in eligible if known >= needed)
    return eligible[0][0]


def _looks_like_data(cell: str) -> bool:
    """Numbers, dates, phones, e-mail addresses and links are values, not header names."""
    if "@" in cell or cell.lower().startswith(("http://", "https://", "www.")):
        return True
    return bool(_DATA_LIKE_RE.match(cell))


# E-mail columns: a type column beside one gives the address its kind (phones it routes).
EMAIL_FIELDS = frozenset({"email", "email2"})
# The stored field a mapped column's values end up in, when it is not the column's own field.
_STORED_AS: dict[str, str] = {
    "email": "emails", "email2": "emails", "phone": "phones", "mobile": "phones",
    "fax": "phones", "home_phone": "phones", "other_phone": "phones", "city": "addresses",
    "birth_date": "birthday", "middle_name": "first_name", "name": "first_name, last_name",
    **{f"{kind}_{part}": "addresses" for kind in ("home", "work", "other")
       for part in ("street", "postcode", "city", "region", "country")},
    **{f"company_{part}": f"company {part} (addresses without a company)"
       for part in ("street", "postcode", "city", "region", "country")},
    "company_website": "company website (websites without a company)",
}  # fmt: skip

# --- header names to fields ----------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMap:
    """The field of every column of one table, and which preset and columns were involved."""

    headers: tuple[str, ...]
    fields: tuple[str | None, ...]
    target: str
    preset: str | None
    unmapped: tuple[str, ...]
    ignored: tuple[str, ...] = ()
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    typed: dict[int, tuple[int, ...]] = field(default_factory=dict)
    type_values: dict[str, str] = field(default_factory=dict)
    # why a column without a field is not imported: "unknown header", "ignored by preset", …
    reasons: tuple[str | None, ...] = ()

    # (index, field, header, type column indexes) of every column that feeds a field; computed
    # once so that to_record does not walk unmapped columns (Outlook has 92, a third mapped).
    plan: tuple[tuple[int, str, str, tuple[int, ...]], ...] = field(
        init=False, repr=False, compare=False
    )
    note_columns: int = field(init=False, repr=False, compare=False)
    name_header: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        plan = tuple(
            (index, value, self.headers[index], self.typed.get(index, ()))
            for index, value in enumerate(self.fields)
            if value is not None
        )
        object.__setattr__(self, "plan", plan)
        object.__setattr__(self, "note_columns", self.fields.count("notes"))
        name_header = next(
            (self.headers[i] for i, value in enumerate(self.fields) if value == "name"), "Name"
        )
        object.__setattr__(self, "name_header", name_header)

    def went_to(self, index: int) -> str:
        """Where the values of the column at ``index`` go, as the import summary says it."""
        value = self.field_of(index)
        if value is None:
            typed = [self.headers[i] for i, kinds in self.typed.items() if index in kinds]
            if typed:
                more = f" and {len(typed) - 1} more columns" if len(typed) > 2 else ""
                return f"used as the kind of {', '.join(typed[: 1 if more else 2])}{more}"
            reason = self.reasons[index] if index < len(self.reasons) else None
            return f"not imported ({reason or 'unknown header'})"
        if value == "extra" and self.headers[index].casefold() != "extra":
            return "kept in extra"
        if index in self.typed and _STORED_AS.get(value) == "phones":  # routed by its type
            kinds = {value, *self.type_values.values()}
            return "stored as " + ", ".join(sorted({_STORED_AS.get(k, k) for k in kinds}))
        return f"stored as {_STORED_AS.get(value, value)}"

    def field_of(self, index: int) -> str | None:
        """Return the field of the column at ``index`` (None for unmapped or extra columns)."""
        return self.fields[index] if 0 <= index < len(self.fields) else None

    def columns_for(self, field_name: str) -> list[int]:
        """Return the indexes of the columns that feed ``field_name``."""
        return [index for index, value in enumerate(self.fields) if value == field_name]

    def as_dict(self) -> dict[str, str | None]:
        """Return header -> field for display and for recording with the import batch."""
        return dict(zip(self.headers, self.fields, strict=True))


def auto_map(
    headers: Sequence[str],
    preset: str | None = None,
    mapping: Mapping | None = None,
    target: str = "contacts",
    *,
    members: bool = True,
) -> ColumnMap:
    """Map each header to a field using the mapping, the preset (or the best one) and synonyms.

    A contact column with no field of its own (an unknown header, an industry, a role or status
    when the rows do not become delegation `members`) is kept in ``extra`` under its header.
    """
    if target not in TARGET_FIELDS:
        raise InvalidData(f"Cannot import as '{target}'; use contacts or companies.")
    layers: list[Mapping] = []
    chosen: str | None = None
    if mapping is not None:
        layers.append(mapping)
        chosen = mapping.name
    if preset is not None:
        loaded = load_preset(preset)
        layers.append(loaded)
        chosen = chosen or loaded.name
    elif mapping is None:
        best = best_preset(headers, target)
        if best is not None:
            layers.append(best)
            chosen = best.name
    layers.append(load_preset(GENERIC_PRESETS[target]))
    for layer in layers:
        _check_target(layer, target)

    fields: list[str | None] = []
    reasons: list[str | None] = []
    unmapped: list[str] = []
    ignored: list[str] = []
    own_names = {normalize_header(name): name for name in TARGET_FIELDS[target]}
    homeless = EXTRA_FIELDS if members else EXTRA_FIELDS | MEMBER_ONLY_FIELDS
    for header in headers:
        found, value, layer_found = _lookup(header, layers)
        if not found and normalize_header(header) in own_names:
            # Our own field names (the headers `greentech export` writes) always map.
            found, value = True, own_names[normalize_header(header)]
        reason = None
        if not found and header.strip():
            unmapped.append(header)
            reason = "unknown header"
        elif found and value is None:
            ignored.append(header)
            by_mapping = mapping is not None and layer_found is mapping
            reason = "ignored by mapping" if by_mapping else "ignored by preset"
        if target == "contacts" and (value in homeless or reason == "unknown header"):
            value, reason = "extra", None
        fields.append(value)
        reasons.append(reason)

    if (
        mapping is None
        and target == "contacts"
        and "first_name" in fields
        and ("last_name" not in fields)
    ):
        # German lists say "Vorname | Name": beside a first-name column, "Name" is the surname
        # (a --mapping file that says "name" is taken at its word).
        fields = ["last_name" if value == "name" else value for value in fields]
    # (A "name" beside a last-name column is sorted out per row: records.shape_names.)

    values: dict[str, dict[str, str]] = {}
    type_values: dict[str, str] = {}
    typed_by_header: dict[str, tuple[str, ...]] = {}
    for layer in reversed(layers):  # earlier layers win
        for value_field, words in layer.values.items():
            values.setdefault(value_field, {}).update(words)
        type_values.update(layer.type_values)
        typed_by_header.update({normalize_header(k): v for k, v in layer.typed.items()})
    positions = {normalize_header(header): index for index, header in enumerate(headers)}
    typed: dict[int, tuple[int, ...]] = {}
    for index, header in enumerate(headers):
        type_headers = typed_by_header.get(normalize_header(header))
        if type_headers:
            found_positions = tuple(
                positions[key] for key in map(normalize_header, type_headers) if key in positions
            )
            if found_positions:
                typed[index] = found_positions
    return ColumnMap(
        headers=tuple(headers),
        fields=tuple(fields),
        target=target,
        preset=chosen,
        unmapped=tuple(unmapped),
        ignored=tuple(ignored),
        values=values,
        typed=typed,
        type_values=type_values,
        reasons=tuple(reasons),
    )


def _lookup(header: str, layers: list[Mapping]) -> tuple[bool, str | None, Mapping | None]:
    """Find a header in the layers: exact normalised key first, then the loose keys.

    Returns whether it was found, its field (None: deliberately skipped) and the layer that
    knew it.
    """
    key = normalize_header(header)
    if not key:
        return False, None, None
    for layer in layers:
        if key in layer.index:
            return True, layer.index[key], layer
    for loose in _loose_keys(header):
        for layer in layers:
            if loose in layer.index:
                return True, layer.index[loose], layer
    # "Organisation/Firma/Unternehmen": alternatives that all name the same field.
    if "/" in header:
        found: set[str | None] = set()
        knew: Mapping | None = None
        for part in header.split("/"):
            part_found, value, layer_found = (
                _lookup(part, layers) if "/" not in part else (False, None, None)
            )
            if part_found:
                found.add(value)
                knew = layer_found
        if len(found) == 1:
            return True, found.pop(), knew
    return False, None, None


def _loose_keys(text: str) -> list[str]:
    """Fallback keys for a header: without bracketed parts, then without a trailing number."""
    keys: list[str] = []
    without_brackets = _BRACKETS_RE.sub(" ", text)
    for candidate in (without_brackets, _TRAILING_NUMBER_RE.sub("", without_brackets)):
        key = normalize_header(candidate)
        if key and key not in keys:
            keys.append(key)
    return keys


def _check_target(layer: Mapping, target: str) -> None:
    if layer.target not in (None, target):
        raise InvalidData(f"Mapping '{layer.name}' is for {layer.target}, not for {target}.")
    bad = sorted(layer.fields() - set(TARGET_FIELDS[target]))
    if bad:
        raise InvalidData(
            f"Mapping '{layer.name}' uses field(s) {', '.join(bad)}, which {target} do not have."
        )
