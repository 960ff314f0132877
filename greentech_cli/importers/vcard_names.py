"""Read personal names from vCard N and FN values: components, prefixes, titles and scripts."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from greentech_cli.importers.vcard_parse import split_escaped, unescape, word_set

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
