"""Pure helpers that read values out of imported cells: names, consent words and dates."""

from __future__ import annotations

import re

from greentech_cli.text.names import split_fio

# --- scripts -------------------------------------------------------------------------------

# Cyrillic, Cyrillic Supplement (Kazakh, Uzbek letters included), Extended-A/B/C.
_CYRILLIC_RE = re.compile("[\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f]")
_LATIN_RE = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


def has_cyrillic(text: str) -> bool:
    """Tell whether the text contains at least one Cyrillic letter."""
    return bool(_CYRILLIC_RE.search(text))


def has_latin(text: str) -> bool:
    """Tell whether the text contains at least one Latin letter."""
    return bool(_LATIN_RE.search(text))


# --- names ---------------------------------------------------------------------------------

# Salutation words (casefolded, without a trailing dot) and the form we store.
SALUTATIONS: dict[str, str] = {
    "herr": "Herr",
    "herrn": "Herr",
    "hr": "Herr",
    "frau": "Frau",
    "fr": "Frau",
    "mr": "Mr",
    "mrs": "Mrs",
    "ms": "Ms",
    "miss": "Miss",
    "mx": "Mx",
    "г-н": "г-н",
    "г-жа": "г-жа",
    "господин": "господин",
    "госпожа": "госпожа",
}

# First parts of academic titles; "dr", "prof", "pd" are recognised without a dot, the others
# need one because "Mag", "Ing" or "Dipl" could otherwise be part of a name.
_TITLE_HEADS_NO_DOT = {"dr", "prof", "pd", "professor", "doktor"}
_TITLE_HEADS_DOT = {"dipl", "mag", "ing", "priv", "univ", "apl", "hon", "em", "ao", "lic", "doz"}
_TITLE_SPLIT_RE = re.compile(r"[.\-]")
# Postnominal degrees, matched as written (case matters: "Ma" is a surname, "MA" a degree).
_POSTNOMINALS = {
    "PhD", "Ph.D.", "MBA", "MSc", "M.Sc.", "BSc", "B.Sc.", "MA", "M.A.", "BA", "B.A.", "LL.M.",
    "LLM", "MPA", "M.Eng.", "B.Eng.", "MEng", "BEng", "MD", "DBA", "MPH", "Dipl.-Ing.", "FH",
    "(FH)",
}  # fmt: skip
_GENERATIONAL = {"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV", "jun.", "sen.", "Jun.", "Sen."}
# Lower-case name particles that begin a family name ("Hans-Peter von Müller").
_PARTICLES = {
    "von", "vom", "van", "de", "der", "den", "del", "della", "di", "da", "du", "dos", "das",
    "zu", "zum", "zur", "ten", "ter", "la", "le", "al", "el", "bin", "ibn", "y",
}  # fmt: skip
# Endings of Russian, Kazakh and Uzbek patronymics in Cyrillic and Latin spelling.
_PATRONYMIC_ENDINGS = (
    "ovich", "evich", "ovna", "evna", "ichna", "uly", "ulu", "qyzy", "kyzy", "ogli", "o'g'li",
    "ович", "евич", "овна", "евна", "ична", "улы", "ұлы", "кызы", "қызы", "оглы",
)  # fmt: skip


def salutation_of(token: str) -> str | None:
    """Return the stored form of a salutation word (``Herrn`` → ``Herr``) or None."""
    key = token.casefold().rstrip(".")
    return SALUTATIONS.get(key)


def is_title_token(token: str, after_title: bool = False) -> bool:
    """Tell whether one word is (part of) an academic title such as ``Dr.`` or ``Dipl.-Ing.``."""
    if token == "DI":  # Austrian "Diplom-Ingenieur" is written without dots
        return True
    folded = token.casefold()
    if "." not in token and "-" not in token:
        return folded in _TITLE_HEADS_NO_DOT
    parts = [part for part in _TITLE_SPLIT_RE.split(folded) if part]
    if not parts:
        return False
    head = parts[0]
    if head in _TITLE_HEADS_NO_DOT:
        return True
    if head in _TITLE_HEADS_DOT and ("." in token or len(parts) > 1):
        return True
    # Continuations such as "med.", "rer. nat.", "h.c." only count right after a title.
    return (
        after_title
        and token.endswith(".")
        and token[:1].islower()
        and all(part.isalpha() and len(part) <= 8 for part in parts)
    )


def is_postnominal(token: str) -> bool:
    """Tell whether a word is a degree written after the name (``MBA``, ``Ph.D.``)."""
    return token in _POSTNOMINALS


def take_prefixes(tokens: list[str]) -> tuple[str, list[str], list[str]]:
    """Split leading salutation and title words off a list of name words."""
    salutation = ""
    titles: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        found = salutation_of(token) if not salutation and not titles else None
        if found:
            salutation = found
        elif is_title_token(token, after_title=bool(titles)):
            titles.append(token)
        else:
            break
        index += 1
    return salutation, titles, tokens[index:]


def _is_patronymic(token: str) -> bool:
    folded = token.casefold()
    return any(folded.endswith(end) and len(folded) > len(end) + 1 for end in _PATRONYMIC_ENDINGS)


def _is_upper_word(token: str) -> bool:
    letters = [ch for ch in token if ch.isalpha()]
    return len(letters) >= 2 and token == token.upper() and token != token.lower()


def _split_tokens(tokens: list[str]) -> tuple[str, str]:
    """Split name words (no prefixes) into first and last name."""
    if not tokens:
        return "", ""
    if len(tokens) == 1:
        return "", tokens[0]
    fio = split_fio(" ".join(tokens))  # a Cyrillic-only name: family name first (ФИО)
    if fio is not None:
        return fio
    # Passport style: the family name in capitals, before or after the given names.
    upper = [_is_upper_word(token) for token in tokens]
    if any(upper) and not all(upper):
        run = 0
        while run < len(tokens) and upper[run]:
            run += 1
        if run:
            return " ".join(tokens[run:]), " ".join(tokens[:run])
        run = 0
        while run < len(tokens) and upper[len(tokens) - 1 - run]:
            run += 1
        if run:
            return " ".join(tokens[:-run]), " ".join(tokens[-run:])
    if len(tokens) == 3:
        # Russian-style lists: "Нурланов Жанибек Серикович" (family, given, patronymic) or
        # "Жанибек Серикович Нурланов"; the patronymic stays with the given name.
        if _is_patronymic(tokens[2]) and not _is_patronymic(tokens[1]):
            return f"{tokens[1]} {tokens[2]}", tokens[0]
        if _is_patronymic(tokens[1]):
            return f"{tokens[0]} {tokens[1]}", tokens[2]
    # "Smith Jr." stays together as the family name.
    end = len(tokens) - 1 if tokens[-1] in _GENERATIONAL and len(tokens) >= 3 else len(tokens)
    for index in range(1, end - 1):
        if tokens[index] in _PARTICLES:
            return " ".join(tokens[:index]), " ".join(tokens[index:])
    split_at = end - 1
    return " ".join(tokens[:split_at]), " ".join(tokens[split_at:])


def split_full_name(text: str) -> dict[str, str]:
    """Split a full name into salutation, title, first_name and last_name (never raises)."""
    result = {"salutation": "", "title": "", "first_name": "", "last_name": ""}
    if not isinstance(text, str):
        return result
    pieces = [piece.strip() for piece in " ".join(text.split()).split(",")]
    pieces = [piece for piece in pieces if piece]
    if not pieces:
        return result
    main, rest = pieces[0], pieces[1:]
    after: list[str] = []
    given: list[str] = []
    for piece in rest:
        words = piece.split()
        if all(is_postnominal(word) or is_title_token(word, after_title=True) for word in words):
            after.extend(words)
        else:
            given.extend(words)
    if given:
        # "Nachname, Vorname": prefixes may stand before either part.
        salutation, titles, last_words = take_prefixes(main.split())
        salutation2, titles2, first_words = take_prefixes(given)
        salutation = salutation or salutation2
        titles += titles2
        first, last = " ".join(first_words), " ".join(last_words)
        if not last and first_words:
            first, last = _split_tokens(first_words)
    else:
        salutation, titles, words = take_prefixes(main.split())
        while len(words) > 1 and is_postnominal(words[-1]):
            after.insert(0, words.pop())
        first, last = _split_tokens(words)
    result["salutation"] = salutation
    result["title"] = " ".join(titles + after)
    result["first_name"] = first
    result["last_name"] = last
    return result


# --- consent -------------------------------------------------------------------------------

_YES = {
    "ja", "j", "yes", "y", "x", "✓", "✔", "☑", "☒", "true", "wahr", "1", "ok", "einverstanden",
    "zugestimmt", "erteilt", "да", "д", "иә", "ha", "oui", "si", "sí",
}  # fmt: skip
_NO = {
    "nein", "n", "no", "false", "falsch", "0", "nicht einverstanden", "abgelehnt", "widerrufen",
    "нет", "жоқ", "yo'q", "yoq", "non",
}  # fmt: skip


def parse_consent(value: object) -> str:
    """Read a consent cell as ``yes``, ``no`` or ``unknown`` (empty or unclear → unknown)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "unknown"
    text = " ".join(str(value).split()).casefold().rstrip(".!")
    if text in _YES:
        return "yes"
    if text in _NO:
        return "no"
    return "unknown"


# --- words in cells ------------------------------------------------------------------------


def value_key(text: str) -> str:
    """Fold a cell word for looking it up in a preset's ``values`` ("Ja." is "ja")."""
    return " ".join(text.split()).casefold().rstrip(".!")


def type_key(text: str) -> str:
    """Fold a type cell for looking it up in ``type_values`` (Google writes "* Mobile")."""
    return value_key(text.lstrip("* "))
