"""Read YAML and JSON files that hold a list of records (contacts or companies).

Accepted shapes: a top-level list of mappings, or a mapping with exactly one list value
(``contacts: [...]``, ``companies: [...]``); other top-level keys beside that list are ignored.

YAML is read with a SafeLoader subclass that

* never builds Python objects (``!!python/...`` and any other unknown tag is refused),
* refuses alias bombs: the nodes reachable through aliases are counted while composing, and a
  document whose aliases would expand to more than ``MAX_ALIAS_NODES`` nodes is refused before
  anything is built,
* reads plain scalars as text, because YAML 1.1 silently turns what officers write into other
  types: ``01067`` (a postcode) would become 567, ``+4921112345`` an int, ``NO`` (Norway) False,
  ``10:30`` the number 630 and ``2026-11-18`` a date. Only ``null``/``~``/empty become None and
  only ``true``/``false`` (YAML 1.2 spelling) become booleans; ``yes``/``no``/``on``/``off`` stay
  text (the importer's consent parser understands them). Explicit tags (``!!int 5``) still work,
  and merge keys (``<<: *defaults``) are supported.

JSON numbers are read as their text for the same reason (``"plz": 01067`` is not valid JSON, but
``1.50`` keeps its written form). Every error names the file and, where known, the line.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greentech_cli.errors import InvalidData, UnreadableFile

if TYPE_CHECKING:  # pragma: no cover - typing only
    import yaml

# Aliases may legitimately share defaults between records; a few thousand nodes reached through
# aliases is plenty for that, while a billion-laughs document needs millions.
MAX_ALIAS_NODES = 100_000
# The pure-Python YAML parser needs about a second per MB; beyond this a file is not a list of
# attendees someone typed, and CSV is the better format.
MAX_FILE_BYTES = 50 * 1024 * 1024

_YAML_SUFFIXES = {".yaml", ".yml"}
_JSON_SUFFIXES = {".json"}


def read_records(path: Path) -> list[dict[str, object]]:
    """Read a YAML or JSON file holding a list of records and return them as dicts."""
    text = _read_text(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix in _JSON_SUFFIXES:
        data = _parse_json(text, name)
        return _records_from_data(data, name)
    if suffix in _YAML_SUFFIXES:
        return _yaml_records(text, name)
    # Unknown extension: JSON starts with a bracket; everything else is tried as YAML.
    stripped = text.lstrip()
    if stripped[:1] in ("[", "{"):
        try:
            data = json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
        except ValueError:
            return _yaml_records(text, name)
        return _records_from_data(data, name)
    return _yaml_records(text, name)


def load_yaml(path: Path, *, trusted: bool = False) -> object:
    """Load one YAML document safely with plain scalars kept as text (for presets and mappings).

    ``trusted`` is for the files shipped with greentech: they are parsed by libyaml's C parser
    when available (same text-preserving rules, no alias guard), which is several times faster.
    """
    text = _read_text(path)
    if trusted:
        return _parse_trusted(text, path.name)
    return parse_yaml(text, path.name)


def _parse_trusted(text: str, source: str) -> object:
    import yaml

    base = getattr(yaml, "CSafeLoader", None)
    if base is None:
        return parse_yaml(text, source)

    class _FastTextLoader(base):  # type: ignore[misc,valid-type]
        yaml_implicit_resolvers = _loader_class().yaml_implicit_resolvers

    try:
        return yaml.load(text, Loader=_FastTextLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise UnreadableFile(_yaml_message(source, exc, text)) from None


def parse_yaml(text: str, source: str = "<text>") -> object:
    """Parse YAML text safely (no Python tags, alias-bomb guard, scalars as text)."""
    import yaml

    try:
        loader = _loader_class()(text, source)
    except yaml.YAMLError as exc:  # the reader refuses control characters up front
        raise UnreadableFile(_yaml_message(source, exc, text)) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_tags(node, loader, source)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise UnreadableFile(_yaml_message(source, exc, text)) from None
    except RecursionError:
        raise UnreadableFile(_too_deep(source)) from None
    finally:
        loader.dispose()


def _read_text(path: Path) -> str:
    """Return the file's text, decoded as UTF-8 (BOM allowed) or BOM-marked UTF-16."""
    from greentech_cli.importers.streams import is_stream, read_stream

    name = path.name
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise UnreadableFile(f"{path} is a directory, not a file.")
        if size > MAX_FILE_BYTES:
            raise UnreadableFile(
                f"{name} is {size // (1024 * 1024)} MB, too large for a YAML/JSON import; "
                "use CSV for big lists."
            )
        # A mapping file may come as <(…) or a FIFO: read once, not waiting for ever.
        data = read_stream(path, limit=MAX_FILE_BYTES) if is_stream(path) else path.read_bytes()
    except FileNotFoundError:
        from greentech_cli.errors import NotFound

        raise NotFound(f"{path} does not exist.") from None
    except OSError as exc:
        raise UnreadableFile(f"{path} cannot be read: {exc.strerror or exc}.") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise UnreadableFile(f"{name} is damaged UTF-16 text.") from None
    else:
        if b"\x00" in data:
            raise UnreadableFile(f"{name} looks like a binary file, not YAML or JSON.")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise UnreadableFile(
                f"{name} line {line}: the file is not UTF-8 text; save it as UTF-8."
            ) from None
    if not text.strip():
        raise UnreadableFile(f"{name} is empty.")
    return text


def _parse_json(text: str, name: str) -> object:
    """Parse JSON with numbers kept as their written text."""
    try:
        return json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(
            f"{name} line {exc.lineno} column {exc.colno}: invalid JSON ({exc.msg})."
        ) from None
    except RecursionError:
        raise UnreadableFile(_too_deep(name)) from None


def _too_deep(name: str) -> str:
    """The error for a file nested deeper than any list of records (or than Python can follow)."""
    return f"{name} is nested too deeply to be a list of records."


def _records_from_data(data: object, name: str) -> list[dict[str, object]]:
    """Check the already-parsed JSON shape and return its records."""
    items = _find_list(data, name)
    records: list[dict[str, object]] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidData(
                f"{name}: item {number} of the list is not a record (a mapping of field names "
                "to values)."
            )
        records.append(_clean_keys(item, name, number))
    return records


def _find_list(data: object, name: str) -> list[Any]:
    """Return the list of records inside ``data`` or raise InvalidData."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        lists = [key for key, value in data.items() if isinstance(value, list)]
        if len(lists) == 1:
            value = data[lists[0]]
            assert isinstance(value, list)
            return value
        if len(lists) > 1:
            keys = ", ".join(str(key) for key in lists)
            raise InvalidData(
                f"{name} holds several lists ({keys}); keep one list of records per file."
            )
    raise InvalidData(
        f"{name} does not hold a list of records; expected a list of mappings or "
        "a mapping such as 'contacts:' with one list."
    )


def _clean_keys(item: dict[Any, Any], name: str, number: int) -> dict[str, object]:
    """Make every field name a string; a missing (null) field name is an error."""
    record: dict[str, object] = {}
    for key, value in item.items():
        if key is None:
            raise InvalidData(f"{name}: record {number} has a field without a name.")
        if isinstance(key, bool):
            key = "true" if key else "false"
        record[str(key)] = value
    return record


def _yaml_records(text: str, name: str) -> list[dict[str, object]]:
    """Parse YAML text and return its records, checking the shape on nodes to name lines."""
    import yaml

    try:
        loader = _loader_class()(text, name)
    except yaml.YAMLError as exc:  # the reader refuses control characters up front
        raise UnreadableFile(_yaml_message(name, exc, text)) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise UnreadableFile(f"{name} is empty.")
        _check_tags(node, loader, name)
        list_node = _find_list_node(node, name)
        for number, item in enumerate(list_node.value, start=1):
            if not isinstance(item, yaml.MappingNode):
                line = _line(item.start_mark)
                raise InvalidData(
                    f"{name} line {line}: item {number} of the list is not a record "
                    "(a mapping of field names to values)."
                )
        data = loader.construct_document(list_node)
    except yaml.YAMLError as exc:
        raise UnreadableFile(_yaml_message(name, exc, text)) from None
    except RecursionError:
        raise UnreadableFile(_too_deep(name)) from None
    finally:
        loader.dispose()
    return [_clean_keys(item, name, number) for number, item in enumerate(data, start=1)]


def _check_tags(root: yaml.Node, loader: Any, name: str) -> None:
    """Refuse any tag the safe constructor does not know (``!!python/...``, local ``!tags``)."""
    import yaml

    # Merge keys ("<<") carry their own tag and are resolved by the constructor itself.
    known = {*loader.yaml_constructors, "tag:yaml.org,2002:merge"} - {None}
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag not in known:
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            raise UnreadableFile(
                f"{name} line {_line(node.start_mark)}: the tag {tag} is not allowed; "
                "only plain YAML data is accepted."
            )
        if isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                pending.extend((key, value))


def _find_list_node(node: yaml.Node, name: str) -> yaml.SequenceNode:
    """Return the sequence node holding the records (top-level or the one list in a mapping)."""
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return node
    if isinstance(node, yaml.MappingNode):
        lists = [(key, value) for key, value in node.value if isinstance(value, yaml.SequenceNode)]
        if len(lists) == 1:
            return lists[0][1]
        if len(lists) > 1:
            keys = ", ".join(str(key.value) for key, _ in lists)
            raise InvalidData(
                f"{name} holds several lists ({keys}); keep one list of records per file."
            )
    line = _line(node.start_mark)
    raise InvalidData(
        f"{name} line {line}: the file does not hold a list of records; expected a list of "
        "mappings or a mapping such as 'contacts:' with one list."
    )


def _line(mark: Any) -> int:
    """1-based line of a PyYAML mark (0 when unknown)."""
    return int(getattr(mark, "line", -1)) + 1


_TAG_RE = re.compile(r"tag '([^']*)'")


def _yaml_message(name: str, exc: Exception, text: str) -> str:
    """Turn a PyYAML error into one sentence naming the file and line."""
    import yaml

    if isinstance(exc, yaml.reader.ReaderError):
        line = text[: exc.position].count("\n") + 1
        return f"{name} line {line}: the file contains a character YAML does not allow."
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{name} line {mark.line + 1}" if mark is not None else name
    problem = getattr(exc, "problem", None) or str(exc)
    if isinstance(exc, yaml.constructor.ConstructorError):
        match = _TAG_RE.search(problem)
        if match:
            tag = match.group(1).replace("tag:yaml.org,2002:", "!!")
            return f"{where}: the tag {tag} is not allowed; only plain YAML data is accepted."
    context = getattr(exc, "context", None)
    detail = f"{context}, {problem}" if context else problem
    return f"{where}: invalid YAML ({detail})."


@functools.lru_cache(maxsize=1)
def _loader_class() -> type[Any]:
    """Build (once) the safe, text-preserving, alias-guarded YAML loader class."""
    import yaml

    class _AliasGuardLoader(yaml.SafeLoader):
        """SafeLoader that keeps scalars as text and counts what aliases expand to."""

        yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class protocol

        def __init__(self, stream: str, source: str) -> None:
            super().__init__(stream)
            self.source = source
            self._alias_nodes = 0
            self._open_anchors: set[str] = set()
            self._sizes: dict[int, int] = {}

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                if event.anchor in self._open_anchors:
                    raise UnreadableFile(
                        f"{self.source} line {_line(event.start_mark)}: "
                        "a YAML alias refers to itself; recursive documents are not accepted."
                    )
                target = self.anchors.get(event.anchor)
                if target is not None:
                    self._alias_nodes += self._size(target)
                    if self._alias_nodes > MAX_ALIAS_NODES:
                        raise UnreadableFile(
                            f"{self.source} uses too many YAML aliases "
                            f"(refused at line {_line(event.start_mark)})."
                        )
                return super().compose_node(parent, index)
            anchor = getattr(event, "anchor", None)
            if anchor is None:
                return super().compose_node(parent, index)
            self._open_anchors.add(anchor)
            try:
                return super().compose_node(parent, index)
            finally:
                self._open_anchors.discard(anchor)

        def _size(self, node: Any) -> int:
            """Count the nodes under ``node`` as if every alias were copied out."""
            key = id(node)
            cached = self._sizes.get(key)
            if cached is not None:
                return cached
            if isinstance(node, yaml.ScalarNode):
                total = 1
            elif isinstance(node, yaml.SequenceNode):
                total = 1 + sum(self._size(child) for child in node.value)
            else:
                total = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
            self._sizes[key] = total
            return total

    # Only null, true/false and merge keys are recognised without a tag; everything else is text.
    _AliasGuardLoader.add_implicit_resolver(
        "tag:yaml.org,2002:null",
        re.compile(r"^(?:~|null|Null|NULL|)$"),
        ["~", "n", "N", ""],
    )
    _AliasGuardLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    _AliasGuardLoader.add_implicit_resolver(
        "tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"]
    )
    return _AliasGuardLoader
