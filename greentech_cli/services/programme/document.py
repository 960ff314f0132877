"""The programme file format: its sections and fields, safe YAML loading with line numbers.

Loading refuses Python tags and alias bombs; `Doc` names the file and line of a bad value and
catches YAML 1.1's surprises (01067, NO, 10:30) field by field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from greentech_cli.errors import InvalidData
from greentech_cli.models.fields import Address, Email, Phone, fields_of
from greentech_cli.models.records import Contact
from greentech_cli.text.dates import in_order, wall_time

if TYPE_CHECKING:
    import yaml


FORMAT = "greentech-programme/1"
MAX_NODES = 100_000  # an expanded document larger than this is an alias bomb, not a programme

COMPANY_FIELDS = (
    "name", "kind", "legal_form", "sectors", "tags", "street", "postcode", "city", "region",
    "country", "website", "lat", "lon", "vat_id", "notes",
)  # fmt: skip
_PERSON_LEAD = (
    "salutation", "title", "first_name", "last_name", "native_name", "position", "department",
    "company", "email", "phone", "mobile", "country", "languages", "tags", "share_consent",
    "lawful_basis", "notes",
)  # fmt: skip
# A person's keys in a programme file: the ones a person edits most first, then every other data
# field of a Contact (the company by name, not id).
PERSON_FIELDS = (
    *_PERSON_LEAD,
    *(name for name in fields_of(Contact) if name not in _PERSON_LEAD and name != "company_id"),
)
DELEGATION_FIELDS = (
    "code", "title", "type", "direction", "origin_country", "destination_country", "start_date",
    "end_date", "timezone", "home_timezone", "host", "partner", "sectors", "topic", "status",
    "notes", "retention", "retention_dietary",
)  # fmt: skip
MEMBER_FIELDS = (
    "person", "role", "status", "notes", "dietary", "dietary_consent", "dietary_source",
)  # fmt: skip
VISIT_FIELDS = (
    "uid", "title", "kind", "status", "start", "end", "duration", "timezone", "company", "location",
    "room", "lat", "lon", "from", "to", "mode", "capacity", "parent", "hosts", "attendees",
    "notes", "internal_notes",
    *(f"{name}_{lang}" for name in ("title", "notes", "location") for lang in ("de", "en", "ru")),
)  # fmt: skip
# Visit fields that may also be a mapping of languages: `title: {de: …, en: …, ru: …}`.
LANGUAGE_FIELDS = ("title", "notes", "location")
LIST_FIELDS = ("sectors", "tags", "languages", "hosts", "attendees", "websites", "aliases")
# A person's lists of parts: each item a text or a mapping of the part's JSON keys (as `to_json`
# writes them; an item marked `primary: true` comes first).
PART_FIELDS = {
    "emails": tuple(Email("").to_json()),
    "phones": tuple(Phone("").to_json()),
    "addresses": tuple(Address().to_json()),
}
# Named values with no field of their own: a mapping of texts.
NAMED_FIELDS = ("extra",)
DATE_FIELDS = ("start_date", "end_date", "start", "end", "dietary_consent")
NUMBER_FIELDS = ("lat", "lon", "capacity")


def name_of(contact: Contact) -> str:
    """How the file names a person: "First Last", else the native name."""
    return " ".join(p for p in (contact.first_name, contact.last_name) if p) or (
        contact.native_name or ""
    )


# --- safe loading with line numbers --------------------------------------------------------


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once every alias is expanded (cycles are refused)."""
    import yaml

    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise InvalidData(
                f"line {node.start_mark.line + 1}: a YAML alias refers to itself; "
                "recursive documents are refused"
            )
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        sizes[key] = min(total, MAX_NODES + 1)
        return sizes[key]

    return size(root)


def _lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    import yaml

    if path in out:
        return  # an alias seen before
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                _lines(value, (*path, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _lines(child, (*path, index), out)


def load(content: str, source: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML safely: no Python tags, no alias bombs; returns the data and each path's line."""
    import yaml

    loader = None
    try:
        # The reader refuses control characters (NUL, ESC, BEL, vertical tab) as it is built.
        loader = yaml.SafeLoader(content)
        node = loader.get_single_node()
        if node is None:
            return None, {}
        if _expanded_size(node) > MAX_NODES:
            raise InvalidData(  # named with its source below
                f"the YAML expands to more than {MAX_NODES:,} values (an alias bomb?); refused"
            )
        data = loader.construct_document(node)
    except yaml.reader.ReaderError as exc:
        line = content.count("\n", 0, exc.position) + 1
        raise InvalidData(
            f"{source}: line {line}: the file holds the control character U+{exc.character:04X}, "
            "which a programme file may not contain; remove it"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "python/" in str(exc) or "constructor for the tag" in str(exc):
            problem = "YAML tags such as !!python/object are not allowed"
        raise InvalidData(f"{source}: {where}malformed YAML: {problem}") from None
    except InvalidData as exc:
        raise InvalidData(f"{source}: {exc.message}") from None
    finally:
        if loader is not None:
            loader.dispose()
    lines: dict[tuple[Any, ...], int] = {}
    _lines(node, (), lines)
    return data, lines


@dataclass
class Doc:
    """The loaded file, with what is needed to name a place in it in an error."""

    source: str
    lines: dict[tuple[Any, ...], int]
    date_order: str | None = None  # dmy or mdy: how slashed dates in the file are read

    def where(self, path: tuple[Any, ...]) -> str:
        line = None
        probe = path
        while probe and line is None:
            line = self.lines.get(probe)
            probe = probe[:-1]
        dotted = ""
        for part in path:
            dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else part)
        at = f", line {line}" if line else ""
        return f"{self.source}{at}, {dotted}" if dotted else f"{self.source}{at}"

    def fail(self, path: tuple[Any, ...], message: str) -> InvalidData:
        return InvalidData(f"{self.where(path)}: {message}")

    def mapping(self, value: Any, path: tuple[Any, ...], allowed: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(path, "expected a mapping of fields (key: value)")
        for key in value:
            if key not in allowed:
                raise self.fail(
                    (*path, key), f"unknown field {key!r}; known fields: {', '.join(allowed)}"
                )
        return {key: self.value(value[key], (*path, key), key) for key in value}

    def value(self, value: Any, path: tuple[Any, ...], key: str) -> Any:
        """A field's value with YAML 1.1's surprises caught (01067, NO, 10:30, +49…)."""
        if value is None:
            return None
        if key in LIST_FIELDS:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list):
                raise self.fail(path, "expected a list")
            return [self.value(v, (*path, n), "item") for n, v in enumerate(value)]
        if key in PART_FIELDS:
            return self._parts(value, path, PART_FIELDS[key])
        if key in NAMED_FIELDS:
            if not isinstance(value, dict):
                raise self.fail(path, "expected a mapping of names to values (Name: value)")
            return {str(k): self.value(v, (*path, k), "item") for k, v in value.items()}
        if key in LANGUAGE_FIELDS and isinstance(value, dict):
            return {
                str(lang): self.value(text, (*path, lang), "item") for lang, text in value.items()
            }
        if key in NUMBER_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise self.fail(path, "expected a number")
            return value
        if key in ("start_date", "end_date") and isinstance(value, date):
            return value.isoformat()
        if key in ("start", "end") and isinstance(value, datetime):
            return wall_time(value)
        if isinstance(value, bool):
            raise self.fail(
                path, f"YAML read this as {str(value).lower()}; put the value in quotes"
            )
        if isinstance(value, int | float):
            hint = ""
            if key in ("start", "end", "duration"):
                hint = " (YAML reads 10:30 as a number)"
            raise self.fail(path, f"expected text, got the number {value}; put it in quotes{hint}")
        if isinstance(value, date | datetime):
            return value.isoformat()
        if not isinstance(value, str):
            raise self.fail(path, "expected text")
        if key in DATE_FIELDS:
            return in_order(value, self.date_order)
        return value

    def _parts(self, value: Any, path: tuple[Any, ...], keys: tuple[str, ...]) -> list[Any]:
        """Emails, phones or addresses: texts, or mappings of `keys` (unknown keys refused);
        the items marked `primary: true` first, the others after them, each in file order."""
        items = [value] if isinstance(value, str | dict) else value
        if not isinstance(items, list):
            raise self.fail(path, "expected a list")
        first: list[Any] = []
        rest: list[Any] = []
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                rest.append(self.value(item, (*path, n), "item"))
                continue
            primary = item.get("primary")
            if primary is not None and not isinstance(primary, bool):
                raise self.fail((*path, n, "primary"), "expected true or false")
            fields = self.mapping({k: v for k, v in item.items() if k != "primary"}, (*path, n),
                                  keys)  # fmt: skip
            (first if primary else rest).append(fields)
        return first + rest
