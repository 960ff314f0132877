"""Presets and --mapping files: which header names mean which field, loaded and checked once.

Presets are YAML data files in ``data/presets/`` (one per known export: Outlook in German and
English, Google Contacts, Thunderbird, registration forms, CiviCRM, Event Espresso) plus the
generic synonym tables ``generic`` (contacts) and ``generic-companies``. A file given with
``--mapping FILE.yaml`` has the same format::

    name: outlook-de                      # optional for --mapping files (default: file name)
    description: Outlook export (German)  # optional
    target: contacts                      # optional: contacts | companies
    columns:                              # header as written -> field ("ignore" or ~ to skip,
                                          #   "extra": keep under the header)
      "Vorname": first_name
      "E-Mail-Adresse": email
    ignore: ["Suffix", "Initialen"]       # optional: headers that are known and skipped
    values:                               # optional: cell words -> stored value, per field
      share_consent: {einverstanden: "yes"}
      role: {Dolmetscher: interpreter}
    typed:                                # optional: a value column whose field depends on the
      "Phone 1 - Value": "Phone 1 - Type" #   text of a type column (or a list of candidates)
    type_values: {mobile: mobile, work fax: fax}

Headers are compared after ``normalize_header`` (casefold, umlauts folded to ae/oe/ue/ss,
accents, punctuation and spaces removed). A preset is chosen automatically (``best_preset``) when
it recognises at least half of the headers (at least three) and maps at least one of them
differently from the generic table.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from greentech_cli.errors import InvalidData
from greentech_cli.importers.values import type_key, value_key
from greentech_cli.resources import data_path

CONTACT_FIELDS: tuple[str, ...] = (
    "salutation", "title", "first_name", "middle_name", "last_name", "name", "native_name",
    "position", "department", "company", "email", "email2", "phone", "mobile", "fax", "country",
    "city", "languages", "tags", "notes", "share_consent", "share_consent_date",
    "share_consent_source", "marketing_consent", "lawful_basis", "role", "status", "birth_date",
    "company_street", "company_postcode", "company_city", "company_region", "company_country",
    "company_website", "sector", "uid", "emails", "phones", "addresses", "websites", "birthday",
    "aliases", "extra", "home_phone", "other_phone", "home_street", "home_postcode", "home_city",
    "home_region", "home_country", "other_street", "other_postcode", "other_city", "other_region",
    "other_country", "work_street", "work_postcode", "work_city", "work_region", "work_country",
)  # fmt: skip
COMPANY_FIELDS: tuple[str, ...] = (
    "name", "kind", "legal_form", "sectors", "tags", "street", "postcode", "city", "region",
    "country", "website", "lat", "lon", "vat_id", "notes", "uid",
)  # fmt: skip
TARGET_FIELDS: dict[str, tuple[str, ...]] = {
    "contacts": CONTACT_FIELDS,
    "companies": COMPANY_FIELDS,
}
GENERIC_PRESETS: dict[str, str] = {"contacts": "generic", "companies": "generic-companies"}
CONSENT_FIELDS: frozenset[str] = frozenset({"share_consent", "marketing_consent"})
# Contact fields with no home of their own: their columns are kept in `extra` under the header
# (role and status count only for delegation members; see mapping.auto_map).
EXTRA_FIELDS: frozenset[str] = frozenset({"sector"})
MEMBER_ONLY_FIELDS: frozenset[str] = frozenset({"role", "status"})

_PRESET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_MAPPING_KEYS = {"name", "description", "target", "columns", "ignore", "values", "typed",
                 "type_values"}  # fmt: skip
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def normalize_header(text: str) -> str:
    """Fold a header for matching: casefold, umlauts to ae/oe/ue, no accents or punctuation."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if ch.isalnum())


@dataclass(frozen=True)
class Mapping:
    """A preset or --mapping file: header names to fields, ignored headers and value words."""

    name: str
    description: str = ""
    target: str | None = None
    columns: dict[str, str | None] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    typed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    type_values: dict[str, str] = field(default_factory=dict)
    # normalised header -> field, or None for an ignored header
    index: dict[str, str | None] = field(default_factory=dict, repr=False)

    def fields(self) -> set[str]:
        """Return every field this mapping can produce."""
        produced = {value for value in self.columns.values() if value}
        produced.update(self.type_values.values())
        return produced


# --- loading presets and mapping files -----------------------------------------------------


def available_presets() -> list[str]:
    """List the names of the shipped presets (generic tables included)."""
    directory = data_path("presets")
    if not directory.is_dir():
        return []
    return sorted(path.stem for path in directory.glob("*.yaml"))


@functools.lru_cache(maxsize=64)
def load_preset(name: str) -> Mapping:
    """Load a shipped preset by name (``outlook-de``, ``google``, …)."""
    if not _PRESET_NAME_RE.match(name):
        raise InvalidData(f"'{name}' is not a preset name; use one of: {_preset_list()}.")
    path = data_path("presets", f"{name}.yaml")
    if not path.is_file():
        raise InvalidData(f"There is no preset '{name}'; available presets: {_preset_list()}.")
    return _load(path, default_name=name)


def load_mapping_file(path: Path) -> Mapping:
    """Load and validate a user's ``--mapping FILE.yaml`` (same format as the presets)."""
    if not path.exists():  # a pipe or FIFO (`--mapping <(…)`) is read like a file
        from greentech_cli.errors import NotFound

        raise NotFound(f"Mapping file {path} does not exist.")
    return _load(path, default_name=path.stem)


def _preset_list() -> str:
    return ", ".join(available_presets()) or "(none installed)"


def _load(path: Path, default_name: str) -> Mapping:
    from greentech_cli.importers.structured import load_yaml

    # Shipped presets are our own files: the fast C parser is safe for them.
    trusted = path.parent == data_path("presets")
    return parse_mapping(
        load_yaml(path, trusted=trusted), source=path.name, default_name=default_name
    )


def parse_mapping(data: object, *, source: str, default_name: str) -> Mapping:
    """Validate already-loaded mapping data (see the module docstring) into a Mapping."""
    if not isinstance(data, dict):
        raise InvalidData(f"{source} must be a YAML mapping with a 'columns:' section.")
    unknown_keys = sorted(str(key) for key in data if key not in _MAPPING_KEYS)
    if unknown_keys:
        raise InvalidData(
            f"{source} has unknown key(s) {', '.join(unknown_keys)}; "
            f"allowed: {', '.join(sorted(_MAPPING_KEYS))}."
        )
    target = data.get("target")
    if target is not None and target not in TARGET_FIELDS:
        raise InvalidData(f"{source}: target must be 'contacts' or 'companies', not '{target}'.")
    allowed = set(TARGET_FIELDS[target]) if target else set(CONTACT_FIELDS) | set(COMPANY_FIELDS)

    raw_columns = data.get("columns") or {}
    if not isinstance(raw_columns, dict):
        raise InvalidData(f"{source}: 'columns' must map header names to fields.")
    columns: dict[str, str | None] = {}
    for header, target_field in raw_columns.items():
        value = None if target_field in (None, "ignore", "") else str(target_field).strip()
        columns[str(header)] = value
    bad = sorted({value for value in columns.values() if value and value not in allowed})

    raw_ignore = data.get("ignore") or []
    if not isinstance(raw_ignore, list):
        raise InvalidData(f"{source}: 'ignore' must be a list of header names.")
    ignore = tuple(str(header) for header in raw_ignore)

    values: dict[str, dict[str, str]] = {}
    raw_values = data.get("values") or {}
    if not isinstance(raw_values, dict):
        raise InvalidData(f"{source}: 'values' must map field names to word lists.")
    for value_field, words in raw_values.items():
        if not isinstance(words, dict):
            raise InvalidData(f"{source}: 'values.{value_field}' must map words to values.")
        if value_field not in allowed:
            bad.append(str(value_field))
        values[str(value_field)] = {
            value_key(str(word)): str(stored) for word, stored in words.items()
        }
        if value_field in CONSENT_FIELDS:
            wrong = sorted(
                {v for v in values[str(value_field)].values() if v not in ("yes", "no", "unknown")}
            )
            if wrong:
                raise InvalidData(
                    f"{source}: consent values must be yes, no or unknown, not {', '.join(wrong)}."
                )

    typed: dict[str, tuple[str, ...]] = {}
    raw_typed = data.get("typed") or {}
    if not isinstance(raw_typed, dict):
        raise InvalidData(f"{source}: 'typed' must map value columns to type columns.")
    for header, type_headers in raw_typed.items():
        listed = type_headers if isinstance(type_headers, list) else [type_headers]
        typed[str(header)] = tuple(str(item) for item in listed)
    raw_types = data.get("type_values") or {}
    if not isinstance(raw_types, dict):
        raise InvalidData(f"{source}: 'type_values' must map type words to fields.")
    type_values = {type_key(str(word)): str(value) for word, value in raw_types.items()}
    bad.extend(value for value in type_values.values() if value not in allowed)

    if bad:
        names = ", ".join(f"'{name}'" for name in sorted(set(bad)))
        known = ", ".join(sorted(allowed))
        raise InvalidData(f"{source} maps to unknown field(s) {names}; known fields: {known}.")

    index: dict[str, str | None] = {}
    for header, value in [*columns.items(), *((header, None) for header in ignore)]:
        key = normalize_header(header)
        if not key:
            continue
        if key in index and index[key] != value:
            raise InvalidData(f"{source} lists the header '{header}' twice with different fields.")
        index[key] = value
    return Mapping(
        name=str(data.get("name") or default_name),
        description=str(data.get("description") or ""),
        target=target,
        columns=columns,
        ignore=ignore,
        values=values,
        typed=typed,
        type_values=type_values,
        index=index,
    )


@functools.lru_cache(maxsize=1)
def _known_header_keys() -> frozenset[str]:
    keys: set[str] = set()
    for name in available_presets():
        keys.update(load_preset(name).index)
    return frozenset(keys)


def is_known_header(text: str) -> bool:
    """Tell whether any preset or generic table knows this header (used to find header rows)."""
    key = normalize_header(text)
    return bool(key) and key in _known_header_keys()


def best_preset(headers: Sequence[str], target: str = "contacts") -> Mapping | None:
    """Choose the preset that recognises most of the headers (at least half, at least three)."""
    keys = [normalize_header(header) for header in headers]
    keys = [key for key in keys if key]
    if not keys:
        return None
    generic_names = set(GENERIC_PRESETS.values())
    generic = load_preset(GENERIC_PRESETS[target]).index
    best: tuple[int, int, str] | None = None
    best_mapping: Mapping | None = None
    for name in available_presets():
        if name in generic_names:
            continue
        candidate = load_preset(name)
        if candidate.target not in (None, target):
            continue
        matched = sum(1 for key in keys if key in candidate.index)
        if matched < min(3, len(keys)) or matched * 2 < len(keys):
            continue
        # A preset that would map every header just like the generic table adds nothing, and
        # naming it ("civicrm" for a plain First Name;Last Name;E-Mail list) would mislead.
        missing = object()
        if all(
            generic.get(key, missing) == candidate.index[key]
            for key in keys
            if key in candidate.index
        ):
            continue
        # More matched headers wins; on a tie the smaller (more specific) preset.
        score = (matched, -len(candidate.index), name)
        if best is None or score[:2] > best[:2]:
            best, best_mapping = score, candidate
    return best_mapping
