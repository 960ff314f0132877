"""Turn the cells of one mapped table row into a record dict of contact or company fields."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

from greentech_cli.errors import InvalidData
from greentech_cli.importers.mapping import EMAIL_FIELDS, ColumnMap
from greentech_cli.importers.presets import CONSENT_FIELDS
from greentech_cli.importers.values import (
    has_cyrillic,
    has_latin,
    is_title_token,
    parse_consent,
    salutation_of,
    split_full_name,
    take_prefixes,
    type_key,
    value_key,
)
from greentech_cli.models.exchange import FORMULA_STARTS
from greentech_cli.models.fields import ADDRESS_TYPES
from greentech_cli.text.dates import AmbiguousDate, read_date

# Fields that hold several values; cells are split on , ; | newline and Google's ":::".
LIST_FIELDS: frozenset[str] = frozenset({"languages", "tags", "sectors", "websites", "aliases"})
# Fields whose cells greentech's own CSV and XLSX exports write as JSON (value objects, mappings).
JSON_FIELDS: frozenset[str] = frozenset({"emails", "phones", "addresses", "extra"})
# Answers that say "not known" (our own exports write "unknown"): nothing to keep in notes.
_UNKNOWN_WORDS = frozenset({"unknown", "unbekannt", "?", "k.a.", "n/a", "-"})
DATE_FIELDS: frozenset[str] = frozenset({"share_consent_date"})
_CONVERTED_FIELDS = CONSENT_FIELDS | DATE_FIELDS
# Columns that feed one of a contact's phone numbers, with the kind of number they hold.
PHONE_KINDS: dict[str, str] = {
    "phone": "work", "mobile": "mobile", "home_phone": "home", "other_phone": "other", "fax": "fax",
}  # fmt: skip
# Columns that feed a part of one of the person's own postal addresses: (kind, part). A bare
# "city" of a contact row says where the person is, not which kind of address it is.
_ADDRESS_PARTS = ("street", "postcode", "city", "region", "country")
ADDRESS_FIELDS: dict[str, tuple[str, str]] = {
    **{f"{kind}_{part}": (kind, part) for kind in ADDRESS_TYPES for part in _ADDRESS_PARTS},
    "city": ("other", "city"),
}
_PHONE_KEYS = frozenset(PHONE_KINDS)
# The kinds a type column beside an e-mail or address column may give (Google's "E-mail 1 - Type":
# "* Home", "Work", "Other"; an e-mail label of the person's own making is "other", an address keeps
# the kind its columns were mapped to).
_EMAIL_KINDS = {"home": "home", "work": "work", "other": "other", "privat": "home",
                "personal": "home", "business": "work", "geschaftlich": "work"}  # fmt: skip
_ADDRESS_KEYS = frozenset(ADDRESS_FIELDS)
_BIRTHDAY_FIELDS = ("birth_date", "birthday")
_FORMULA_TEXT = re.compile(r'=\s*"((?:[^"]|"")*)"', re.DOTALL)
_LIST_SPLIT_RE = re.compile(r"\s*(?::::|[,;|\n])\s*")


def _distinct(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    kept: list[tuple[str, str]] = []
    for header, text in items:
        key = " ".join(text.split()).casefold()
        if key not in seen:
            seen.add(key)
            kept.append((header, text))
    return kept


def split_list(text: str) -> list[str]:
    """Split a multi-value cell (``de, en``; ``A;B``; Google's ``* myContacts ::: VIP``)."""
    items: list[str] = []
    seen: set[str] = set()
    for part in _LIST_SPLIT_RE.split(text):
        part = part.strip()
        # Google's system groups ("* myContacts", "* starred") are not the user's tags.
        if not part or part.startswith("* "):
            continue
        if part.casefold() not in seen:
            seen.add(part.casefold())
            items.append(part)
    return items


def to_record(
    cells: Sequence[str],
    column_map: ColumnMap,
    date_order: str | None = None,
    stripped: Sequence[str] | None = None,
) -> dict[str, object]:
    """Turn one row's cells into a record dict of the target's fields (empty fields left out).

    Nothing is dropped: every e-mail column (and every address in a cell listing several) goes to
    the contact's e-mails, the first the primary; every phone column to its phones with its kind
    (work, mobile, home, other, fax); home and other address columns to its addresses; a
    birthday stays as written when it is no date. Further columns of a single-valued field
    that differ, and columns with no field of their own, are kept in ``extra`` under their
    header; ``notes`` holds only the note columns. Contacts also get their names sorted out:
    middle names join the first name, a full ``name`` is split when first and last name are
    missing (beside a last name it is the full or the given name), salutation and title words
    are taken out of name cells, and a Cyrillic name beside a Latin one goes to
    ``native_name``. Consent cells become ``yes``/``no``/``unknown`` (a date in a consent cell
    means yes, given on that date); an unreadable consent date raises InvalidData naming the
    column, and so does a slashed date that reads two ways (``03/04/2026``) without a
    ``date_order``. A cell written as an Excel text formula (``="01067"``) holds the quoted text.
    ``stripped`` may give the cells already stripped (the reader has them: it counts them).
    """
    collected: dict[str, list[tuple[str, str]]] = {}
    email_kinds: dict[str, str] = {}  # header → the kind its type column gives
    size = len(cells)
    if stripped is None:
        stripped = [cell.strip() for cell in cells]
    for index, value_field, header, type_indexes in column_map.plan:
        if index >= size:
            break  # the plan is in column order
        text = stripped[index]
        if not text:
            continue
        # ="01067": a CSV writer's way to keep Excel from reading a postcode or phone as a
        # number; the value is the quoted text.
        if (
            text[0] == "="
            and (formula := _FORMULA_TEXT.fullmatch(text))
            and not (text := formula[1].replace('""', '"').strip())
        ):
            continue
        # '--05-17, '=SUM…: the apostrophe a CSV export puts before what a spreadsheet would run
        # as a formula (greentech's own, and the common convention); the value is what follows.
        if text[0] == "'" and text[1:2] in FORMULA_STARTS:
            text = text[1:]
        if not text.isascii() and not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        for type_index in type_indexes:
            if type_index < size and stripped[type_index]:
                word = type_key(cells[type_index])
                if value_field in EMAIL_FIELDS:  # an e-mail keeps its place, and gets its kind
                    email_kinds[header] = _EMAIL_KINDS.get(word, "other")
                elif value_field in ADDRESS_FIELDS:  # a part of an address of that kind
                    if word in _EMAIL_KINDS:
                        kind = _EMAIL_KINDS[word]
                        value_field = f"{kind}_{ADDRESS_FIELDS[value_field][1]}"
                else:
                    value_field = column_map.type_values.get(word, value_field)
                break
        bucket = collected.get(value_field)
        if bucket is None:
            collected[value_field] = [(header, text)]
        else:
            bucket.append((header, text))

    record: dict[str, object] = {}
    extra: dict[str, str] = {}
    labelled = column_map.note_columns > 1
    notes = [
        f"{header}: {text}" if labelled else text for header, text in collected.pop("notes", [])
    ]
    if not EMAIL_FIELDS.isdisjoint(collected):
        _take_emails(collected, record, email_kinds)
    if not _PHONE_KEYS.isdisjoint(collected):
        _take_phones(collected, record)
    if not _ADDRESS_KEYS.isdisjoint(collected):
        _take_addresses(collected, record, extra)
    for value_field, items in collected.items():
        if value_field == "extra":
            _take_extra(items, extra)
            continue
        if value_field in JSON_FIELDS:
            record[value_field] = _json_cell(items[0][1])
            extra.update(_distinct(items)[1:])
            continue
        if value_field in LIST_FIELDS:
            merged: list[str] = []
            for _, text in items:
                listed = _json_cell(text) if text[0] == "[" else None
                words = [str(v) for v in listed] if isinstance(listed, list) else split_list(text)
                merged.extend(item for item in words if item not in merged)
            if merged:
                record[value_field] = merged
            continue
        if len(items) > 1:
            items = _distinct(items)
            extra.update(items[1:])
        header, text = items[0]
        if value_field in _BIRTHDAY_FIELDS:
            birthday = _birthday(text, date_order)
            if birthday is not None:  # e.g. Outlook's "0.0.00" for "no birthday"
                record["birthday"] = birthday
        elif value_field in _CONVERTED_FIELDS or value_field in column_map.values:
            converted = _convert(value_field, header, text, column_map, record, extra, date_order)
            if converted is not None:
                record[value_field] = converted
        else:
            record[value_field] = text

    if column_map.target == "contacts":
        _shape_names(record, extra, column_map.name_header)
    if notes:
        record["notes"] = "\n".join(notes)
    if extra:
        record["extra"] = extra
    return record


def _birthday(text: str, date_order: str | None = None) -> str | None:
    """A birthday as ISO 8601 when it is a date, as written when not (kept, with a warning,
    by the normalising step); None for the "no date" markers of Outlook and others."""
    try:
        found = read_date(text, order=date_order)
    except InvalidData:
        return text
    return None if found is None else found.isoformat()


def _take_extra(items: list[tuple[str, str]], extra: dict[str, str]) -> None:
    """Columns kept in ``extra``: under their header, or greentech's own JSON ``extra`` column."""
    for header, text in items:
        value = _json_cell(text)
        if isinstance(value, dict):
            extra.update({str(k): str(v) for k, v in value.items() if v not in (None, "")})
        else:
            extra[header] = text


def _take_emails(
    collected: dict[str, list[tuple[str, str]]], record: dict[str, object], kinds: dict[str, str]
) -> None:
    """Every address of every e-mail column (a cell may list several): the first of the main
    e-mail columns is the primary, the further ones (``email2``: E-Mail 2, Email Home) follow;
    an address whose column has a type column beside it gets that kind (`kinds`, by header)."""
    items = collected.pop("email", []) + collected.pop("email2", [])
    if not items:
        return
    kinds = {header: kind for header, kind in kinds.items() if kind != "work"}  # work: the default
    if len(items) == 1 and not kinds and not _LIST_SPLIT_RE.search(items[0][1]):
        record["email"] = items[0][1]  # the common case: one address
        return
    found: list[object] = []
    seen: set[str] = set()
    for header, text in items:
        kind = kinds.get(header)
        for part in _LIST_SPLIT_RE.split(text):
            if part and part.casefold() not in seen:
                seen.add(part.casefold())
                found.append({"value": part, "type": kind} if kind else part)
    record["emails"] = found


def _take_phones(collected: dict[str, list[tuple[str, str]]], record: dict[str, object]) -> None:
    """Every number of every phone column with its kind (work, mobile, home, other, fax)."""
    numbers = [
        (kind, text)
        for value_field, kind in PHONE_KINDS.items()
        if value_field in collected
        for _, text in collected.pop(value_field)
    ]
    if not numbers:
        return
    kinds = [kind for kind, _ in numbers]
    if len(numbers) <= 2 and len(set(kinds)) == len(kinds) and set(kinds) <= {"work", "mobile"}:
        # The common case: one phone and/or one mobile.
        for kind, text in numbers:
            record["mobile" if kind == "mobile" else "phone"] = text
        return
    phones: list[dict[str, str]] = []
    seen: set[str] = set()
    for kind, text in numbers:
        key = "".join(text.split())
        if key not in seen:
            seen.add(key)
            phones.append({"value": text, "type": kind})
    record["phones"] = phones


def _take_addresses(
    collected: dict[str, list[tuple[str, str]]], record: dict[str, object], extra: dict[str, str]
) -> None:
    """The person's own postal addresses, by kind; several street columns are joined."""
    addresses: dict[str, dict[str, str]] = {}
    for value_field, (kind, part) in ADDRESS_FIELDS.items():
        if value_field not in collected:
            continue
        items = collected.pop(value_field)
        if not items:
            continue
        address = addresses.setdefault(kind, {"type": kind})
        items = _distinct(items)
        if part == "street":
            address[part] = ", ".join(text for _, text in items)
        else:
            address[part] = items[0][1]
            extra.update(items[1:])
    if addresses:
        record["addresses"] = list(addresses.values())


def _convert(
    value_field: str,
    header: str,
    text: str,
    column_map: ColumnMap,
    record: dict[str, object],
    extra: dict[str, str],
    date_order: str | None = None,
) -> object:
    """Convert one cell to the stored value of its field."""
    words = column_map.values.get(value_field)
    if words:
        mapped = words.get(value_key(text))
        if mapped is not None:
            return mapped
        # "Руководитель делегации / Head of delegation": one word in two languages.
        if "/" in text:
            said = {words.get(value_key(part)) for part in text.split("/") if part.strip()}
            if len(said) == 1 and None not in said:
                return said.pop()
        # "Attendee, Volunteer": the first listed word that is known decides; keep the rest.
        listed = split_list(text)
        known = [words[value_key(item)] for item in listed if value_key(item) in words]
        if len(listed) > 1 and known:
            extra[header] = text
            return known[0]
    if value_field in CONSENT_FIELDS:
        consent = parse_consent(text)
        if consent != "unknown":
            return consent
        try:
            given_on = read_date(text, order=date_order)
        except AmbiguousDate as exc:
            raise InvalidData(f"Column '{header}': {exc.message}") from None
        except InvalidData:
            given_on = None
        if given_on is not None:
            if value_field == "share_consent":
                record.setdefault("share_consent_date", given_on)
            return "yes"
        # Keep what was written so nobody's answer is lost; sharing stays off.
        if text.strip().casefold() not in _UNKNOWN_WORDS:
            extra[header] = text
        return "unknown"
    if value_field in DATE_FIELDS:
        try:
            return read_date(text, order=date_order)
        except InvalidData as exc:
            raise InvalidData(f"Column '{header}': {exc.message}") from None
    return text


def _words(text: str) -> set[str]:
    return {word for word in re.split(r"[\s,.]+", text.casefold()) if word}


def _may_have_prefix(first_name: str) -> bool:
    """Cheap test whether a first-name cell might start with a salutation or title."""
    if not first_name:
        return False
    word = first_name.split(None, 1)[0]
    return salutation_of(word) is not None or is_title_token(word)


@lru_cache(maxsize=1 << 12)
def _prefixes(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """`take_prefixes` of a cell's words, cached: salutations, titles and first names repeat."""
    salutation, titles, rest = take_prefixes(text.split())
    return salutation, tuple(titles), tuple(rest)


def _shape_names(record: dict[str, object], extra: dict[str, str], name_header: str) -> None:
    """Sort a contact's name parts: middle names, prefixes, full names and native script."""

    def get(key: str) -> str:
        value = record.get(key)
        return value if isinstance(value, str) else ""

    def put(key: str, value: str) -> None:
        if value:
            record[key] = value
        else:
            record.pop(key, None)

    def add_titles(titles: Sequence[str]) -> None:
        if not titles:
            return
        current = get("title")
        missing = [title for title in titles if title not in current.split()]
        put("title", " ".join([current, *missing]).strip())

    first = get("first_name")
    if (
        "name" not in record
        and "middle_name" not in record
        and "salutation" not in record
        and "title" not in record
        and not _may_have_prefix(first)
    ):
        return  # the common case: first and last name as they should be

    middle = get("middle_name")
    record.pop("middle_name", None)
    if middle:
        put("first_name", f"{get('first_name')} {middle}".strip())

    # A title column often holds "Mr." or "Herr Dr."; a salutation column "Dr.".
    for key in ("salutation", "title"):
        text = get(key)
        if not text:
            continue
        salutation, titles, rest = _prefixes(text)
        if not salutation and not titles:
            continue
        record.pop(key, None)
        if salutation and not get("salutation"):
            put("salutation", salutation)
        add_titles(titles)
        if rest:
            add_titles(rest)

    # Prefixes typed into the first-name cell: "Dr. Hans", "Herr Max".
    first = get("first_name")
    if first:
        salutation, titles, rest = _prefixes(first)
        if (salutation or titles) and rest:
            put("first_name", " ".join(rest))
            if salutation and not get("salutation"):
                put("salutation", salutation)
            add_titles(titles)

    full = get("name")
    record.pop("name", None)
    first, last, native = get("first_name"), get("last_name"), get("native_name")
    given = f"{first} {last}".strip()
    if full and not given:
        parts = split_full_name(full)
        for key in ("salutation", "first_name", "last_name"):
            if parts[key] and not get(key):
                put(key, parts[key])
        if parts["title"]:
            add_titles(parts["title"].split())
    elif full and last and not first and has_cyrillic(full) == has_cyrillic(last):
        _name_beside_last_name(full, last, put, add_titles, get)
    elif full:
        full_cyrillic = has_cyrillic(full) and not has_latin(full)
        given_cyrillic = has_cyrillic(given) and not has_latin(given)
        if full_cyrillic and not has_cyrillic(given):
            if not native:
                put("native_name", full)
            elif not _words(full) <= _words(native):
                extra[name_header] = full
        elif given_cyrillic and has_latin(full) and not has_cyrillic(full):
            # The Cyrillic spelling sits in the name columns; the Latin one is the main name.
            if not native:
                put("native_name", given)
            elif not _words(given) <= _words(native):
                extra["first and last name"] = given
            parts = split_full_name(full)
            put("first_name", parts["first_name"])
            put("last_name", parts["last_name"])
            if parts["salutation"] and not get("salutation"):
                put("salutation", parts["salutation"])
            if parts["title"]:
                add_titles(parts["title"].split())
        else:
            known = _words(" ".join([get("salutation"), get("title"), given, native]))
            if not _words(full) <= known:
                extra[name_header] = full


def _name_beside_last_name(
    full: str,
    last: str,
    put: Callable[[str, str], None],
    add_titles: Callable[[Sequence[str]], None],
    get: Callable[[str], str],
) -> None:
    """A ``name`` column beside a last name and no first name (a CRM's "name | last_name"):
    the full name when it contains the last name (the rest is the given name), else the given
    name itself."""
    surname = _words(last)
    tokens = full.split()
    if surname <= _words(full):
        tokens = [token for token in tokens if token.casefold().strip(",.") not in surname]
    salutation, titles, rest = take_prefixes(tokens)
    put("first_name", " ".join(rest))
    if salutation and not get("salutation"):
        put("salutation", salutation)
    add_titles(titles)


def _json_cell(text: str) -> object:
    """A cell of a JSON field: its JSON when it holds some (a list or mapping), else the text."""
    if text[:1] in ("[", "{"):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text
