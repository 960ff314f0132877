"""One contact record as a vCard 3.0 (default) or 4.0 for Outlook, Google, Apple, Thunderbird.

Lines end in CRLF and are folded at 75 octets of UTF-8, never inside a character (and, where
possible, never inside an escape or between a letter and its combining marks): that line syntax
is ``vcard_syntax``; writing cards to a stream or one file each is ``vcard_format``. The output is
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
from collections.abc import Callable

from greentech_cli.errors import InvalidData
from greentech_cli.exporters.vcard_syntax import (
    MAX_OCTETS,
    NEEDS_ESCAPE,
    as_items,
    as_text,
    escape_value,
    fold_line,
)

__all__ = ["VERSIONS", "display_name", "normalise_version", "vcard_lines"]

VERSIONS = ("3.0", "4.0")
_VERSION_ALIASES = {"3": "3.0", "3.0": "3.0", "4": "4.0", "4.0": "4.0"}
_PRODID = "PRODID:-//greentech//NONSGML greentech//EN"
# Fixed so that one contact keeps one UID across exports (address books update, not duplicate).
_UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:greentech:contact")
_NUMBERED = re.compile(r"^(email|phone|mobile|fax)(\d+)$")
# uuid5 of the namespace, fed once: each UID copies it and adds the contact's part.
_UID_HASH = hashlib.sha1(_UID_NAMESPACE.bytes, usedforsecurity=False)
_VARIANT = {f"{nibble:x}": "89ab"[nibble & 3] for nibble in range(16)}
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


def normalise_version(version: str) -> str:
    """Normalise a requested vCard version, refusing anything but 3.0 and 4.0."""
    normalised = _VERSION_ALIASES.get(str(version).strip())
    if normalised is None:
        raise InvalidData(f"vCard version must be 3.0 or 4.0, not {version!r}.")
    return normalised


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
    found = [(number, as_text(record[name]).strip()) for number, name in names]
    return [value for _, value in sorted(found) if value]


def display_name(record: dict[str, object]) -> str:
    """The name an address book shows: first and last name, else company, email, native name."""
    first = as_text(record.get("first_name")).strip()
    last = as_text(record.get("last_name")).strip()
    person = " ".join(part for part in (first, last) if part)
    return (
        person
        or as_text(record.get("company")).strip()
        or as_text(record.get("email")).strip()
        or as_text(record.get("native_name")).strip()
    )


def vcard_lines(record: dict[str, object], version: str = "3.0") -> list[str]:
    """One contact as folded vCard lines (without line ends), BEGIN:VCARD to END:VCARD."""
    v4 = normalise_version(version) == "4.0"
    value: dict[str, str] = {}
    get = record.get
    for key in _TEXT_KEYS:
        raw = get(key)
        # Inlined as_text for the common case (None or printable text): this runs 20 times a card.
        if raw is None:
            value[key] = ""
        elif type(raw) is str and raw.isprintable():
            value[key] = raw.strip()
        else:
            value[key] = as_text(raw)
    # Few cards hold anything to escape: find out once and skip escape_value on every value if so.
    escape: Callable[[str], str] = (
        escape_value if NEEDS_ESCAPE.search("".join(value.values())) else str
    )
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
    tags = as_items(record.get("tags"))
    if tags:
        logical.append("CATEGORIES:" + ",".join(escape_value(tag) for tag in tags))
    for rank, language in enumerate(as_items(record.get("languages")), start=1):
        if v4:
            logical.append(f"LANG;PREF={rank}:{escape_value(language)}")
        else:
            logical.append(f"X-GREENTECH-LANG:{escape_value(language)}")
    if native:
        logical.append(f"X-GREENTECH-NATIVE-NAME:{escape(native)}")
    if value["country"].strip():
        logical.append(f"X-GREENTECH-COUNTRY:{escape(value['country'])}")
    uid = _uid(record)
    if uid:
        logical.append(f"UID:{uid}")
    logical.append("END:VCARD")
    if "".join(logical).isascii() and max(map(len, logical)) <= MAX_OCTETS:
        return logical  # nothing to fold
    folded: list[str] = []
    for line in logical:
        if len(line) <= MAX_OCTETS and line.isascii():
            folded.append(line)
        else:
            folded.extend(fold_line(line))
    return folded


# The company_* keys in the order of ADR's components (street, locality, region, code, country),
# not the export record's order (street, postcode, city …).
_ADDRESS_KEYS = (
    "company_street",
    "company_city",
    "company_region",
    "company_postcode",
    "company_country",
)
# The record keys vcard_lines reads as one text each. Written out rather than taken from
# store.contacts.COLUMNS or records.CONTACT_FIELDS: a card carries only these (never consent or
# ids), "fax" is no stored column (records read from other vCards have it), and the lists (tags,
# languages) are read on their own.
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
    *_ADDRESS_KEYS,
    "company_website",
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
    escape: Callable[[str], str] = escape_value,
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
                lines.append(extras[key] + escape_value(extra))
    return lines


def _uid(record: dict[str, object]) -> str:
    """A stable urn:uuid from the record's ``id`` (or its own ``uid``), else ''."""
    own = as_text(record.get("uid")).strip()
    if own and not any(char in own for char in "\r\n"):
        return escape_value(own)
    identifier = record.get("id")
    if identifier is None or identifier == "":
        return ""
    # uuid.uuid5(_UID_NAMESPACE, f"contact:{identifier}") without its per-call overhead: the
    # SHA-1 in hex with the version digit set to 5 and the variant bits to 10.
    digest = _UID_HASH.copy()
    digest.update(f"contact:{identifier}".encode())
    h = digest.hexdigest()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"
