"""One contact record as a vCard 3.0 (default) or 4.0 for Outlook, Google, Apple, Thunderbird.

Lines end in CRLF and are folded at 75 octets of UTF-8, never inside a character (and, where
possible, never inside an escape or between a letter and its combining marks): that line syntax
is ``vcard_syntax``; writing cards to a stream or one file each is ``vcard_format``. The output is
reproducible: no REV; the UID is the contact's own random ``uid`` (``urn:uuid:…``), so two
databases never give two people one UID; a record without a uid gets no UID line.

What goes where (the importer in ``greentech_cli.importers.vcard`` reads all of it back):

- N is ``last;first;;prefix;`` where the prefix is salutation and title ("Herr Dr."); FN is
  "first last", else the company, else the email. vCard 3.0 always has N and FN, even empty.
- ORG is ``company;department``, TITLE the position. Every email of ``emails`` is an EMAIL and
  every number of ``phones`` a TEL, in their order, typed (3.0 / 4.0): work WORK,VOICE / work,voice,
  home HOME,VOICE / home,voice, mobile CELL / cell, fax WORK,FAX / work,fax, other OTHER / other;
  the primary email, phone and mobile carry PREF (3.0 TYPE=…,PREF, 4.0 PREF=1). An extension is
  ``;ext=`` of a 4.0 ``tel:`` URI (numbers in E.164), else " ext. N" after the text (3.0, and 4.0
  numbers kept as written, written VALUE=text). Records without the lists (``email``, ``phone``,
  ``mobile`` only) are written from those.
- The company's address (company_* keys) is ``company.ADR;TYPE=WORK`` and its website
  ``company.URL``: the ``company`` group tells them from the person's own, which follow as
  ``ADR;TYPE=HOME|WORK|OTHER`` (``;;street;city;region;postcode;country``) and untyped URLs.
- BDAY is ISO in 3.0 (``1980-05-17``, ``--05-17``), basic in 4.0 (``19800517``, ``--0517``);
  aliases are one NICKNAME; ``extra`` values are ``X-GREENTECH-EXTRA:NAME;VALUE`` (both escaped as
  text), which the reader turns back into extra values.
- Native-script name: always ``X-GREENTECH-NATIVE-NAME`` (exact round trip). In 3.0 it is also the
  NICKNAME, the one field Outlook, Google and Apple all show and search; in 4.0 it is a second FN
  sharing ALTID=1 with the Latin one and tagged ``LANGUAGE=und-<script>`` (und-Cyrl …), since we
  know the script but not the language.
- Languages: 4.0 ``LANG;PREF=n``; 3.0 has no LANG, so ``X-GREENTECH-LANG`` (one per language).
  The contact's country is ``X-GREENTECH-COUNTRY``. Share consent is never written: it is our
  record of the person's choice, not something to hand to another address book.
"""

from __future__ import annotations

import re
import unicodedata
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
    logical.extend(_contact_points(record, value, v4))
    address = [value[key] for key in _ADDRESS_KEYS]
    if any(address):
        typed = "work" if v4 else "WORK"
        logical.append(f"company.ADR;TYPE={typed}:{';'.join(('', '', *map(escape, address)))}")
    logical.extend(_addresses(record.get("addresses"), v4))
    website = "".join(value["company_website"].split())
    if website:
        # A URL is not text: escaping its commas would corrupt it, and it cannot hold line ends.
        logical.append(f"company.URL;TYPE={'work' if v4 else 'WORK'}:{website}")
    for site in as_items(record.get("websites")):
        if site := "".join(site.split()):
            logical.append(f"URL:{site}")
    if birthday := as_text(record.get("birthday")):
        logical.append(f"BDAY:{_birthday(birthday, v4)}")
    if aliases := as_items(record.get("aliases")):
        logical.append("NICKNAME:" + ",".join(escape_value(alias) for alias in aliases))
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
    extra = record.get("extra")
    if isinstance(extra, dict):
        for name, text in extra.items():
            if (key := as_text(name)) and (kept := as_text(text)):
                logical.append(f"X-GREENTECH-EXTRA:{escape_value(key)};{escape_value(kept)}")
    uid = as_text(record.get("uid"))
    if uid and not any(char in uid for char in "\r\n"):
        logical.append(f"UID:{'urn:uuid:' if _UUID.fullmatch(uid) else ''}{escape_value(uid)}")
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


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_E164 = re.compile(r"\+[0-9]{2,15}")
# TYPE of each email and phone type, for vCard 3.0 and 4.0.
_EMAIL_TYPES = {
    False: {"work": "INTERNET,WORK", "home": "INTERNET,HOME", "other": "INTERNET,OTHER"},
    True: {"work": "work", "home": "home", "other": "other"},
}
_PHONE_TYPES = {
    False: {"work": "WORK,VOICE", "home": "HOME,VOICE", "mobile": "CELL", "fax": "WORK,FAX",
            "other": "OTHER"},
    True: {"work": "work,voice", "home": "home,voice", "mobile": "cell", "fax": "work,fax",
           "other": "other"},
}  # fmt: skip
_ADDRESS_TYPES = {"home": "HOME", "work": "WORK", "other": "OTHER"}


def _entries(record: dict[str, object], key: str) -> list[dict[str, object]]:
    """A list of value objects (emails, phones, addresses) of a record, mappings only."""
    found = record.get(key)
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def _emails(record: dict[str, object]) -> list[dict[str, object]]:
    """The record's emails; from ``email`` alone when it has no list."""
    if "emails" in record:
        return _entries(record, "emails")
    email = as_text(record.get("email"))
    return [{"value": email, "type": "work"}] if email else []


def _phones(record: dict[str, object]) -> list[dict[str, object]]:
    """The record's phones; from ``phone``, ``mobile`` (and a foreign ``fax``) without a list."""
    if "phones" in record:
        return _entries(record, "phones")
    kinds = (("phone", "work"), ("mobile", "mobile"), ("fax", "fax"))
    return [
        {"value": text, "type": kind} for key, kind in kinds if (text := as_text(record.get(key)))
    ]


def _contact_points(record: dict[str, object], value: dict[str, str], v4: bool) -> list[str]:
    """EMAIL and TEL lines in the order of the lists; PREF on the primary ones."""
    lines: list[str] = []
    types = _EMAIL_TYPES[v4]
    for index, email in enumerate(_emails(record)):
        text = as_text(email.get("value"))
        if not text:
            continue
        kind = types.get(as_text(email.get("type")), types["work"])
        pref = (";PREF=1" if v4 else ",PREF") if index == 0 else ""
        lines.append(f"EMAIL;TYPE={kind}{pref}:{escape_value(text)}")
    types = _PHONE_TYPES[v4]
    primary = {"mobile": False, "phone": False}
    for phone in _phones(record):
        text = as_text(phone.get("value"))
        if not text:
            continue
        kind = as_text(phone.get("type"))
        group = "mobile" if kind == "mobile" else "fax" if kind == "fax" else "phone"
        pref = ""
        if group in primary and not primary[group]:
            primary[group] = True
            pref = ";PREF=1" if v4 else ",PREF"
        typed = types.get(kind, types["work"]) + pref
        extension = as_text(phone.get("extension"))
        if v4 and _E164.fullmatch(text):
            ext = f";ext={extension}" if extension else ""
            lines.append(f"TEL;VALUE=uri;TYPE={typed}:tel:{text}{ext}")
            continue
        number = f"{text} ext. {extension}" if extension else text
        lines.append(f"TEL;{'VALUE=text;' if v4 else ''}TYPE={typed}:{escape_value(number)}")
    return lines


def _addresses(found: object, v4: bool) -> list[str]:
    """The person's own addresses as ADR lines typed HOME, WORK or OTHER."""
    lines: list[str] = []
    for address in found if isinstance(found, list) else []:
        if not isinstance(address, dict):
            continue
        parts = [as_text(address.get(key)) for key in ("street", "city", "region", "postcode")]
        parts.append(as_text(address.get("country")))
        if not any(parts):
            continue
        kind = _ADDRESS_TYPES.get(as_text(address.get("type")), "OTHER")
        typed = kind.lower() if v4 else kind
        lines.append(f"ADR;TYPE={typed}:;;{';'.join(escape_value(part) for part in parts)}")
    return lines


def _birthday(text: str, v4: bool) -> str:
    """A birthday as BDAY writes it: ISO in 3.0, the basic form in 4.0; other text as it is."""
    if v4 and re.fullmatch(r"(\d{4}|-)-\d{2}-\d{2}", text):
        year, month, day = text.rsplit("-", 2)
        return f"{year.replace('-', '') or '--'}{month}{day}"
    return escape_value(text)
