"""Read the values of a vCard: names (N, FN: prefixes, titles, scripts), emails, phones,
addresses, birthdays and UIDs, each from its text and TYPE words."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from greentech_cli.errors import InvalidData
from greentech_cli.importers.vcard_parse import split_escaped, unescape, word_set
from greentech_cli.text.vocabulary import normalize_country

# Words that open a name prefix and are forms of address rather than academic titles.
_SALUTATIONS = word_set(
    "herr herrn frau hr. fr. mr mr. mrs mrs. ms ms. miss mx mx. sir madam dame m. mme mme. "
    "mlle monsieur madame sr. sra. srta. don doña sig. sig.ra signor signora господин госпожа "
    "г-н г-жа"
)
# Academic and professional titles recognised at the start of a formatted name (FN).
_TITLES = word_set(
    "dr dr. prof prof. professor dipl.-ing. dipl.-kfm. dipl.-kffr. dipl.-volksw. ing. mag. "
    "med. rer. nat. pol. phil. jur. oec. dent. vet. h.c. habil. mba phd д-р проф."
)


def _name_component(raw: str, joiner: str, is_21: bool) -> str:
    """Unescape one N component, joining its 3.0/4.0 comma list (2.1 has no lists)."""
    if is_21:
        return unescape(raw)
    values = [unescape(value) for value in split_escaped(raw, ",")]
    return joiner.join(value for value in values if value)


@dataclass
class _Name:
    """A person's name as found in one N, FN or phonetic property."""

    first: str = ""
    last: str = ""
    salutation: str = ""
    title: str = ""
    formatted: str = ""

    def display(self) -> str:
        """The name as one string, first name first."""
        return " ".join(part for part in (self.first, self.last) if part) or self.formatted

    def is_empty(self) -> bool:
        """Tell whether the name has neither first nor last name."""
        return not (self.first or self.last)


def _script_flags(text: str) -> tuple[bool, bool]:
    """Tell whether the letters of ``text`` include Latin ones and non-Latin ones."""
    latin = other = False
    for char in text:
        if not char.isalpha():
            continue
        if unicodedata.name(char, "").startswith("LATIN"):
            latin = True
        else:
            other = True
        if latin and other:
            break
    return latin, other


def _is_latin(text: str) -> bool:
    """A Latin-script name: it has letters and all of them are Latin."""
    latin, other = _script_flags(text)
    return latin and not other


def _is_native(text: str) -> bool:
    """A native-script name: it has letters outside the Latin script (Cyrillic, Greek, CJK…)."""
    return _script_flags(text)[1]


def _split_prefix(prefix: str) -> tuple[str, str]:
    """Split an N prefix into salutation (Herr, Mrs.) and title (Dr., Prof. Dr.)."""
    words = prefix.split()
    if words and words[0].casefold() in _SALUTATIONS:
        return words[0], " ".join(words[1:])
    return "", prefix.strip()


def _peel_leading(words: list[str]) -> tuple[str, str, list[str]]:
    """Take salutation and title words off the start of a formatted name."""
    salutation = ""
    titles: list[str] = []
    index = 0
    while index < len(words) - 1:
        word = words[index].casefold()
        if not salutation and not titles and word in _SALUTATIONS:
            salutation = words[index]
        elif word in _TITLES:
            titles.append(words[index])
        else:
            break
        index += 1
    return salutation, " ".join(titles), words[index:]


def _split_formatted(formatted: str) -> _Name:
    """Split an FN into salutation, title, first and last name."""
    name = _Name(formatted=formatted)
    text = formatted.strip()
    if "," in text:
        # "Müller, Hans" is the usual sorted form in German exports.
        last, _, first = text.partition(",")
        if last.strip() and first.strip() and len(last.split()) <= 3:
            name.last = last.strip()
            salutation, title, rest = _peel_leading(first.split())
            name.salutation, name.title, name.first = salutation, title, " ".join(rest)
            return name
    salutation, title, rest = _peel_leading(text.split())
    name.salutation, name.title = salutation, title
    if len(rest) == 1:
        name.last = rest[0]
    elif rest:
        name.first, name.last = " ".join(rest[:-1]), rest[-1]
    return name


def _structured_name(text: str, is_21: bool) -> _Name:
    """Read an N value: last;first;middle;prefix;suffix."""
    raw = split_escaped(text, ";") + [""] * 5
    last = _name_component(raw[0], " ", is_21)
    given = _name_component(raw[1], " ", is_21)
    middle = _name_component(raw[2], " ", is_21)
    prefix = _name_component(raw[3], ", ", is_21)
    suffix = _name_component(raw[4], ", ", is_21)
    salutation, title = _split_prefix(prefix)
    title = " ".join(part for part in (title, suffix) if part)
    first = " ".join(part for part in (given, middle) if part)
    return _Name(first=first, last=last, salutation=salutation, title=title)


# ---- contact points: EMAIL, TEL, ADR (each given as its TYPE words and its text) ----

_LABEL_PREFIXES = (
    ("mobil", "cell"),
    ("cell", "cell"),
    ("handy", "cell"),
    ("iphone", "cell"),
    ("work", "work"),
    ("arbeit", "work"),
    ("geschäft", "work"),
    ("büro", "work"),
    ("dienst", "work"),
    ("home", "home"),
    ("privat", "home"),
    ("pager", "pager"),
    ("other", "other"),
    ("andere", "other"),
)


def label_types(label: str) -> set[str]:
    """Turn an Apple/Google X-ABLabel ("_$!<WorkFAX>!$_", "Handy") into TYPE words."""
    types: set[str] = set()
    for word in "".join(ch if ch.isalnum() else " " for ch in label.casefold()).split():
        if word == "homepage":
            # Apple's label for a web page, not a private address.
            continue
        if "fax" in word:
            types.add("fax")
        types.update(kind for prefix, kind in _LABEL_PREFIXES if word.startswith(prefix))
    return types


def rank(types: set[str]) -> int:
    """Order company addresses and websites: work+pref, work, pref/main, untyped, home, pager."""
    work = "work" in types
    pref = "pref" in types
    if work and pref:
        return 0
    if work:
        return 1
    if "home" in types:
        return 4
    if "pager" in types:
        return 5
    if pref or "main" in types:
        return 2
    return 3


def _leading(count: int, groups: list[tuple[list[int], int | None]]) -> list[int]:
    """The order of ``count`` items when each group's leader moves before the group's first
    member (groups are disjoint lists of indices; a leader of None moves nothing)."""
    moves = {
        members[0]: leader
        for members, leader in groups
        if members and leader is not None and leader != members[0]
    }
    moved = set(moves.values())
    order: list[int] = []
    for index in range(count):
        if index in moves:
            order.append(moves[index])
        if index not in moved:
            order.append(index)
    return order


def email_entries(found: list[tuple[set[str], str]]) -> list[dict[str, object]]:
    """EMAIL values as {value, type} in file order, the (first) PREF one first; no repeats."""
    entries: list[dict[str, object]] = []
    flags: list[bool] = []
    seen: set[str] = set()
    for types, value in found:
        if value.casefold() in seen:
            continue
        seen.add(value.casefold())
        kind = "home" if "home" in types else "other" if "other" in types else "work"
        entries.append({"value": value, "type": kind})
        flags.append("pref" in types)
    preferred = next((i for i, flag in enumerate(flags) if flag), None)
    return [entries[i] for i in _leading(len(entries), [(list(range(len(entries))), preferred)])]


def phone_kind(types: set[str]) -> str:
    """The phone type of a TEL's TYPE words: mobile, fax, home, work or other."""
    if types & {"cell", "iphone", "mobile"}:
        return "mobile"
    if "fax" in types:
        return "fax"
    if "home" in types:
        return "home"
    if "work" in types or "main" in types:
        return "work"
    if types & {"other", "pager", "text", "textphone", "video", "msg", "bbs", "modem", "car"}:
        return "other"
    return "work"


# " ext. 102", ";ext=102", " x102" after a number (3.0 text and 4.0 tel: URIs)
_EXTENSION = re.compile(r"^(.*?\S)\s*(?:;\s*ext=|\s+(?:ext\.?|extension|x)\s*)(\d[\d-]*)$", re.I)


def split_extension(text: str) -> tuple[str, str | None]:
    """A phone text (a tel: URI's scheme already gone) as number and extension."""
    if text.startswith("+") and ";" in text and ";ext=" not in text.lower():
        # Other tel: URI parameters (;phone-context=…) are no part of the number.
        text = text.split(";", 1)[0]
    match = _EXTENSION.match(text)
    if match is None:
        return text, None
    number = match.group(1)
    if ";" in number:
        number = number.split(";", 1)[0]
    return number.strip(), match.group(2).strip()


def phone_entries(found: list[tuple[set[str], str]]) -> list[dict[str, object]]:
    """TEL values as {value, type, extension} in file order; a PREF phone or mobile leads its
    kind (the first mobile is the primary mobile, the first other non-fax the primary phone),
    and without a PREF phone the first one typed WORK leads the phones."""
    entries: list[dict[str, object]] = []
    flags: list[bool] = []
    typed_work: list[bool] = []
    seen: set[tuple[str, str | None, str]] = set()
    for types, text in found:
        value, extension = split_extension(text)
        kind = phone_kind(types)
        if not value or (value, extension, kind) in seen:
            continue
        seen.add((value, extension, kind))
        entries.append({"value": value, "type": kind, "extension": extension})
        flags.append("pref" in types)
        typed_work.append("work" in types)
    mobiles = [i for i, e in enumerate(entries) if e["type"] == "mobile"]
    others = [i for i, e in enumerate(entries) if e["type"] not in ("mobile", "fax")]
    mobile = next((i for i in mobiles if flags[i]), None)
    # Without a PREF among them, a number typed WORK is a better primary phone than others.
    phone = next((i for i in others if flags[i]), next((i for i in others if typed_work[i]), None))
    order = _leading(len(entries), [(mobiles, mobile), (others, phone)])
    return [entries[i] for i in order]


def address_kind(types: set[str]) -> str:
    """The address type of an ADR's TYPE words: home, work or other."""
    if "home" in types:
        return "home"
    if "work" in types:
        return "work"
    return "other"


def known_country(text: str | None) -> bool:
    """Whether an address's country is one the program knows (or there is none)."""
    if not text:
        return True
    try:
        normalize_country(text)
    except InvalidData:
        return False
    return True


def address_parts(parts: list[str]) -> dict[str, str]:
    """ADR components (pobox, extended, street, city, region, code, country) as our parts:
    street and extended address joined, the PO box only when there is no street."""
    pobox, extended, street, city, region, postcode, country = parts[:7]
    street_text = ", ".join(part for part in (street, extended) if part) or pobox
    found = {"street": street_text, "postcode": postcode, "city": city, "region": region}
    found["country"] = country
    return {key: value for key, value in found.items() if value}


_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:T[\d:]*(?:Z|[+-]\d{2}:?\d{2})?)?")
_DAY = re.compile(r"--(\d{2})-?(\d{2})")


def birthday_text(text: str, omit_year: str = "") -> str:
    """A BDAY as ISO (1980-05-17, --05-17 without a year); any other text as written.

    Reads 2.1/4.0 basic forms (19800517, --0517), timestamps and Apple's X-APPLE-OMIT-YEAR.
    """
    text = text.strip()
    if match := _DATE.fullmatch(text):
        year, month, day = match.groups()
        return f"--{month}-{day}" if year == omit_year else f"{year}-{month}-{day}"
    if match := _DAY.fullmatch(text):
        return f"--{match.group(1)}-{match.group(2)}"
    return text


_UUID = re.compile(r"urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", re.I)


def uid_text(text: str) -> str:
    """A UID as stored: a urn:uuid loses its prefix (the writer puts it back), others stay."""
    match = _UUID.fullmatch(text.strip())
    return match.group(1).lower() if match else text.strip()
