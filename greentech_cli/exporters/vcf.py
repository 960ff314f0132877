"""Write contact records as vCard 3.0 (default) or 4.0 for Outlook, Google, Apple, Thunderbird.

Lines end in CRLF and are folded at 75 octets of UTF-8, never inside a character (and, where
possible, never inside an escape or between a letter and its combining marks). The output is
reproducible: no REV, and the UID is derived from the record's ``id``.

What goes where (the importer in ``greentech_cli.importers.vcard`` reads all of it back):

- N is ``last;first;;prefix;`` where the prefix is salutation and title ("Herr Dr."); FN is
  "first last", else the company, else the email. vCard 3.0 always has N and FN, even empty.
- ORG is ``company;department``, TITLE the position, EMAIL/TEL/ADR typed WORK (mobile CELL, fax
  WORK,FAX); extra numbered keys (``email2``, ``phone2``, ``mobile2``, ``fax``, ``fax2`` …) follow
  as untyped INTERNET/VOICE/CELL/FAX entries. ADR is ``;;street;city;region;postcode;country``
  from the company_* keys, URL the company website.
- Native-script name: always ``X-GREENTECH-NATIVE-NAME`` (exact round trip). In 3.0 it is also the
  NICKNAME, the one field Outlook, Google and Apple all show and search; in 4.0 it is a second FN
  sharing ALTID=1 with the Latin one and tagged ``LANGUAGE=und-<script>`` (und-Cyrl …), since we
  know the script but not the language.
- Languages: 4.0 ``LANG;PREF=n``; 3.0 has no LANG, so ``X-GREENTECH-LANG`` (one per language).
  The contact's country is ``X-GREENTECH-COUNTRY``. Share consent is never written: it is our
  record of the person's choice, not something to hand to another address book.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from greentech_cli.errors import GreentechError, InvalidData

__all__ = ["VERSIONS", "display_name", "vcard_lines", "write_split", "write_vcards"]

VERSIONS = ("3.0", "4.0")
_VERSION_ALIASES = {"3": "3.0", "3.0": "3.0", "4": "4.0", "4.0": "4.0"}
_PRODID = "PRODID:-//greentech//NONSGML greentech//EN"
# Fixed so that one contact keeps one UID across exports (address books update, not duplicate).
_UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:greentech:contact")
_MAX_OCTETS = 75
_NUMBERED = re.compile(r"^(email|phone|mobile|fax)(\d+)$")
# What _escape changes; most values hold none of it and are returned as they are.
_NEEDS_ESCAPE = re.compile(r"[\\,;\r\n]")
# uuid5 of the namespace, fed once: each UID copies it and adds the contact's part.
_UID_HASH = hashlib.sha1(_UID_NAMESPACE.bytes, usedforsecurity=False)
_VARIANT = {f"{nibble:x}": "89ab"[nibble & 3] for nibble in range(16)}
# Characters Windows, macOS or Linux refuse in file names, plus controls.
_UNSAFE_IN_FILE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)
_SCRIPT_SUBTAGS = {
    "CYRILLIC": "Cyrl",
    "GREEK": "Grek",
    "ARABIC": "Arab",
    "HEBREW": "Hebr",
    "GEORGIAN": "Geor",
    "ARMENIAN": "Armn",
    "CJK": "Hani",
    "HIRAGANA": "Jpan",
    "KATAKANA": "Jpan",
    "HANGUL": "Kore",
    "THAI": "Thai",
    "DEVANAGARI": "Deva",
}


def _version(version: str) -> str:
    """Normalise a requested vCard version, refusing anything but 3.0 and 4.0."""
    normalised = _VERSION_ALIASES.get(str(version).strip())
    if normalised is None:
        raise InvalidData(f"vCard version must be 3.0 or 4.0, not {version!r}.")
    return normalised


def _clean(text: str) -> str:
    """Drop characters no vCard may carry: controls other than tab and line ends, surrogates."""
    if text.isprintable():
        return text
    return "".join(
        char for char in text if char in "\t\r\n" or unicodedata.category(char) not in ("Cc", "Cs")
    )


def _text(value: object) -> str:
    """A record value as clean text without surrounding whitespace ('' for None)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():
        text = _clean(text)
    # Surrounding whitespace means nothing in a vCard and our reader strips it too.
    return text.strip()


def _items(value: object) -> list[str]:
    """A list-valued record field (tags, languages) as clean, non-empty strings."""
    if value is None:
        return []
    if type(value) is list and all(type(item) is str and item.isprintable() for item in value):
        # The usual case, without _text per item.
        return [text for item in value if (text := item.strip())]
    if isinstance(value, str):
        values: list[object] = [value]
    elif isinstance(value, (set, frozenset)):
        values = sorted(value, key=str)
    elif isinstance(value, Iterable):
        values = list(value)
    else:
        values = [value]
    return [text for item in values if (text := _text(item).strip())]


def _escape(text: str) -> str:
    """Escape a text value: backslash, comma, semicolon and line ends."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _join(components: Iterable[str]) -> str:
    """A structured value (N, ADR, ORG): escaped components separated by semicolons."""
    return ";".join(map(_escape, components))


def _continues(char: str) -> bool:
    """Tell whether a character belongs to the one before it (combining mark, joiner, selector)."""
    return (
        unicodedata.combining(char) != 0
        or unicodedata.category(char) in ("Mn", "Me")
        or char == "\u200d"
        or "\ufe00" <= char <= "\ufe0f"
    )


def _char_start(data: bytes, index: int) -> int:
    """Move a byte index back to the start of the UTF-8 character it falls in."""
    while index > 0 and data[index] & 0xC0 == 0x80:
        index -= 1
    return index


def _cut(data: bytes, start: int, budget: int) -> int:
    """Where to end a physical line that starts at ``start``: at most ``budget`` octets on.

    Never inside a character; where possible not before a combining mark (so "é" written as e
    plus accent stays whole) and not between a backslash and the character it escapes.
    """
    limit = _char_start(data, start + budget)
    cut = limit
    # Back off over combining marks and joiners, a few characters at most.
    for _ in range(8):
        char = data[cut : cut + 4].decode("utf-8", "ignore")[:1]
        if not char or not _continues(char) or cut <= start + 1:
            break
        cut = _char_start(data, cut - 1)
    if cut <= start or _continues(data[cut : cut + 4].decode("utf-8", "ignore")[:1] or "a"):
        cut = limit
    backslashes = 0
    while cut - backslashes - 1 >= start and data[cut - backslashes - 1] == 0x5C:
        backslashes += 1
    if backslashes % 2 and cut - 1 > start:
        # An odd run of backslashes ends in an escape's first half: keep "\n" together.
        cut -= 1
    return cut


def _fold(line: str) -> list[str]:
    """Fold a content line at 75 octets; continuation lines start with one space."""
    if len(line) <= _MAX_OCTETS and line.isascii():
        # Most lines: short ASCII (isascii() is a flag lookup, no scan).
        return [line]
    data = line.encode("utf-8")
    if len(data) <= _MAX_OCTETS:
        return [line]
    physical: list[str] = []
    start, budget = 0, _MAX_OCTETS
    while len(data) - start > budget:
        cut = _cut(data, start, budget)
        physical.append(data[start:cut].decode("utf-8"))
        # The leading space of a continuation line counts toward its 75 octets.
        start, budget = cut, _MAX_OCTETS - 1
    physical.append(data[start:].decode("utf-8"))
    return [physical[0]] + [" " + piece for piece in physical[1:]]


def _script_subtag(text: str) -> str:
    """The BCP 47 script subtag of a name's non-Latin letters, or '' when mixed or unknown."""
    found: set[str] = set()
    for char in text:
        if not char.isalpha():
            continue
        first_word = unicodedata.name(char, "").split(" ", 1)[0]
        if first_word == "LATIN":
            continue
        found.add(_SCRIPT_SUBTAGS.get(first_word, "?"))
    return found.pop() if len(found) == 1 and "?" not in found else ""


_NumberedKeys = dict[str, list[tuple[int, str]]]
# Key tuple of a record -> its numbered keys by base key. An export's records all share one
# key tuple, so the keys are scanned once per export, not once per card.
_numbered_cache: dict[tuple[str, ...], _NumberedKeys] = {}


def _numbered_keys(record: dict[str, object]) -> _NumberedKeys:
    """The record's ``email2``, ``phone3``, ``fax`` … keys as (number, key) by base key."""
    keys = tuple(record)
    found = _numbered_cache.get(keys)
    if found is None:
        found = {}
        for name in keys:
            match = _NUMBERED.match(name)
            if match and int(match.group(2)) >= 2:
                found.setdefault(match.group(1), []).append((int(match.group(2)), name))
        if len(_numbered_cache) >= 256:
            _numbered_cache.clear()
        _numbered_cache[keys] = found
    return found


def _numbered_values(record: dict[str, object], keys: _NumberedKeys, key: str) -> list[str]:
    """Values of the numbered keys of ``key`` found by _numbered_keys, in numeric order."""
    names = keys.get(key)
    if not names:
        return []
    found = [(number, _text(record[name]).strip()) for number, name in names]
    return [value for _, value in sorted(found) if value]


def display_name(record: dict[str, object]) -> str:
    """The name an address book shows: first and last name, else company, email, native name."""
    first = _text(record.get("first_name")).strip()
    last = _text(record.get("last_name")).strip()
    person = " ".join(part for part in (first, last) if part)
    return (
        person
        or _text(record.get("company")).strip()
        or _text(record.get("email")).strip()
        or _text(record.get("native_name")).strip()
    )


def vcard_lines(record: dict[str, object], version: str = "3.0") -> list[str]:
    """One contact as folded vCard lines (without line ends), BEGIN:VCARD to END:VCARD."""
    v4 = _version(version) == "4.0"
    value: dict[str, str] = {}
    get = record.get
    for key in _TEXT_KEYS:
        raw = get(key)
        # Inlined _text for the common case (None or printable text): this runs 20 times a card.
        if raw is None:
            value[key] = ""
        elif type(raw) is str and raw.isprintable():
            value[key] = raw.strip()
        else:
            value[key] = _text(raw)
    # Few cards hold anything to escape: find out once and skip _escape on every value if so.
    escape: Callable[[str], str] = _escape if _NEEDS_ESCAPE.search("".join(value.values())) else str
    logical: list[str] = ["BEGIN:VCARD", f"VERSION:{'4.0' if v4 else '3.0'}", _PRODID]

    # The values are stripped: a value is either empty or has text at both ends.
    salutation, title = value["salutation"], value["title"]
    prefix = f"{salutation} {title}" if salutation and title else salutation or title
    first, last = value["first_name"], value["last_name"]
    n_parts = (last, first, "", prefix, "")
    native = value["native_name"]
    person = f"{first} {last}" if first and last else first or last
    # display_name(record), from the values already cleaned.
    display = person or value["company"] or value["email"] or native
    # Only a person's Latin name and its native form are alternatives of one another.
    alternative = bool(native and person and native != person)
    if v4:
        if alternative:
            language = _script_subtag(native)
            logical.append(f"FN;ALTID=1:{escape(display)}")
            tag = f";LANGUAGE=und-{language}" if language else ""
            logical.append(f"FN;ALTID=1{tag}:{escape(native)}")
        else:
            logical.append(f"FN:{escape(display)}")
        if any(n_parts):
            logical.append(f"N:{';'.join(map(escape, n_parts))}")
    else:
        logical.append(f"N:{';'.join(map(escape, n_parts))}")
        logical.append(f"FN:{escape(display)}")
        if alternative:
            logical.append(f"NICKNAME:{escape(native)}")

    if value["company"] or value["department"]:
        org = [value["company"]] + ([value["department"]] if value["department"] else [])
        logical.append(f"ORG:{';'.join(map(escape, org))}")
    if value["position"]:
        logical.append(f"TITLE:{escape(value['position'])}")
    logical.extend(_contact_points(record, value, v4, escape))
    address = [value[key] for key in _ADDRESS_KEYS]
    if any(address):
        typed = "work" if v4 else "WORK"
        logical.append(f"ADR;TYPE={typed}:{';'.join(('', '', *map(escape, address)))}")
    website = "".join(value["company_website"].split())
    if website:
        # A URL is not text: escaping its commas would corrupt it, and it cannot hold line ends.
        logical.append(f"URL;TYPE={'work' if v4 else 'WORK'}:{website}")
    if value["notes"]:
        logical.append(f"NOTE:{escape(value['notes'])}")
    tags = _items(record.get("tags"))
    if tags:
        logical.append("CATEGORIES:" + ",".join(_escape(tag) for tag in tags))
    for rank, language in enumerate(_items(record.get("languages")), start=1):
        if v4:
            logical.append(f"LANG;PREF={rank}:{_escape(language)}")
        else:
            logical.append(f"X-GREENTECH-LANG:{_escape(language)}")
    if native:
        logical.append(f"X-GREENTECH-NATIVE-NAME:{escape(native)}")
    if value["country"].strip():
        logical.append(f"X-GREENTECH-COUNTRY:{escape(value['country'])}")
    uid = _uid(record)
    if uid:
        logical.append(f"UID:{uid}")
    logical.append("END:VCARD")
    if "".join(logical).isascii() and max(map(len, logical)) <= _MAX_OCTETS:
        return logical  # nothing to fold
    folded: list[str] = []
    for line in logical:
        if len(line) <= _MAX_OCTETS and line.isascii():
            folded.append(line)
        else:
            folded.extend(_fold(line))
    return folded


_TEXT_KEYS = (
    "salutation",
    "title",
    "first_name",
    "last_name",
    "native_name",
    "position",
    "department",
    "company",
    "email",
    "phone",
    "mobile",
    "fax",
    "country",
    "notes",
    "company_street",
    "company_city",
    "company_region",
    "company_postcode",
    "company_country",
    "company_website",
)
_ADDRESS_KEYS = (
    "company_street",
    "company_city",
    "company_region",
    "company_postcode",
    "company_country",
)


# The main EMAIL and TEL lines up to their value, for vCard 3.0 and 4.0, in the order written.
_MAIN_POINTS = {
    False: (
        ("email", "EMAIL;TYPE=INTERNET,WORK:"),
        ("phone", "TEL;TYPE=WORK,VOICE:"),
        ("mobile", "TEL;TYPE=CELL:"),
        ("fax", "TEL;TYPE=WORK,FAX:"),
    ),
    True: (
        ("email", "EMAIL;TYPE=work:"),
        ("phone", "TEL;TYPE=work,voice:"),
        ("mobile", "TEL;TYPE=cell:"),
        ("fax", "TEL;TYPE=work,fax:"),
    ),
}
# The extras (``email2``, ``phone2`` …) written after each main line.
_EXTRA_POINTS = {
    False: {
        "email": "EMAIL;TYPE=INTERNET:",
        "phone": "TEL;TYPE=VOICE:",
        "mobile": "TEL;TYPE=CELL:",
        "fax": "TEL;TYPE=FAX:",
    },
    True: {
        "email": "EMAIL:",
        "phone": "TEL;TYPE=voice:",
        "mobile": "TEL;TYPE=cell:",
        "fax": "TEL;TYPE=fax:",
    },
}


def _contact_points(
    record: dict[str, object],
    value: dict[str, str],
    v4: bool,
    escape: Callable[[str], str] = _escape,
) -> list[str]:
    """EMAIL and TEL lines: the main ones typed WORK/CELL first, numbered extras after them.

    ``value`` holds the record's cleaned texts (as vcard_lines makes them); ``escape`` escapes
    the main values (vcard_lines passes a no-op when none needs it); the numbered extras, which
    it has not looked at, are always escaped.
    """
    lines: list[str] = []
    numbered = _numbered_keys(record)
    extras = _EXTRA_POINTS[v4]
    for key, start in _MAIN_POINTS[v4]:
        text = value[key]
        if text:
            lines.append(start + escape(text))
        if numbered:
            for extra in _numbered_values(record, numbered, key):
                lines.append(extras[key] + _escape(extra))
    return lines


def _uid(record: dict[str, object]) -> str:
    """A stable urn:uuid from the record's ``id`` (or its own ``uid``), else ''."""
    own = _text(record.get("uid")).strip()
    if own and not any(char in own for char in "\r\n"):
        return _escape(own)
    identifier = record.get("id")
    if identifier is None or identifier == "":
        return ""
    # uuid.uuid5(_UID_NAMESPACE, f"contact:{identifier}") without its per-call overhead: the
    # SHA-1 in hex with the version digit set to 5 and the variant bits to 10.
    digest = _UID_HASH.copy()
    digest.update(f"contact:{identifier}".encode())
    h = digest.hexdigest()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def write_vcards(records: Iterable[dict[str, object]], out: TextIO, version: str = "3.0") -> int:
    """Stream records as vCards to ``out`` (opened with newline=''); return how many."""
    _version(version)
    count = 0
    for record in records:
        lines = vcard_lines(record, version)
        lines.append("")
        # One write per card, not per line.
        out.write("\r\n".join(lines))
        count += 1
    return count


def write_split(
    records: Iterable[dict[str, object]], directory: Path, version: str = "3.0"
) -> list[Path]:
    """Write one .vcf file per contact into ``directory`` and return their paths.

    Outlook imports only the first card of a file, hence one file each. Names come from the
    contact's name, are safe on Windows, macOS and Linux, unique ignoring case, and never
    overwrite an existing file (a number is added instead).
    """
    _version(version)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GreentechError(f"Cannot create the folder {directory}: {exc.strerror}.") from exc
    taken: set[str] = set()
    written: list[Path] = []
    for record in records:
        lines = vcard_lines(record, version)
        stem = _file_stem(record)
        number = 1
        while True:
            name = f"{stem}.vcf" if number == 1 else f"{stem} ({number}).vcf"
            number += 1
            if name.casefold() in taken:
                continue
            path = directory / name
            try:
                with path.open("x", encoding="utf-8", newline="") as out:
                    for line in lines:
                        out.write(line + "\r\n")
            except FileExistsError:
                taken.add(name.casefold())
                continue
            except OSError as exc:
                raise GreentechError(f"Cannot write {path}: {exc.strerror}.") from exc
            taken.add(name.casefold())
            written.append(path)
            break
    return written


def _file_stem(record: dict[str, object]) -> str:
    """A file name stem from the contact's name that every common file system accepts."""
    name = unicodedata.normalize("NFC", display_name(record))
    name = _UNSAFE_IN_FILE_NAME.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    # Stay far below the 255-byte limit of most file systems, cutting between characters.
    encoded = name.encode("utf-8")[:120]
    name = encoded.decode("utf-8", "ignore").strip(" .")
    if not name:
        return "contact"
    if name.split(".", 1)[0].upper() in _WINDOWS_RESERVED:
        # Windows refuses CON, NUL, COM1 … as names even with an extension.
        name = f"_{name}"
    return name
