"""Name folding: one key for every spelling of a person's or an organisation's name.

The same delegate reaches the file as "Жанибек Нурланов" (Cyrillic), "Zhanibek Nurlanov" (English or
passport transliteration) and "Schanibek Nurlanow" (German transliteration); a German contact as
"Müller", "Mueller" or "Muller". `fold` maps all of these to one phonetic skeleton of lowercase
ASCII letters and single spaces. Search, import duplicate detection and dedupe all use this module,
so the keys they compare are made in exactly one way. Organisation names
(`company_names`) and full-text search terms (`fulltext`) are built on the same folding.

The folding scheme, applied to every word:

1. NFC, casefold, then our own table for Russian, Kazakh, Uzbek (and Ukrainian, Tajik) Cyrillic,
   German umlauts (ä→ae, ö→oe, ü→ue, ß→ss) and Latin letters of Turkic alphabets (ş→sh, ç→ch, ğ→gh);
   `anyascii` for every other script. Apostrophes vanish (Il'in, Uzbek oʻ/gʻ); other marks split
   words.
2. Spellings of one Cyrillic sound meet in one class, because the same letters mean different sounds
   in English and German transliteration:
   - Ж, Ш, Щ → ``sh``: zh, sh, sch, shch, schtsch, dzh, dsch, sz. German writes both Ж and Ш as
     "sch", so they cannot be told apart once written in German.
   - Ч, Х, H → ``h``: ch, kh, tsch, tch, tsh, cz, h. "Ch" is Ч in English (Chingiz) but Х in German
     (Chassanow), so Ч and Х must share a class; plain h is Х in Kazakh/Uzbek spellings (Hasanov).
   - С, З, Ц → ``s``: s, z, ts, tz, c before e/i/y. German writes З as s (Tschingis) and Ц as z.
   - Й, Ы, И and the glide of Я, Ю, Е → ``i``: y, j, i, so Kairat/Kajrat/Qayrat, Yu/Ju/Iu, Ya/Ja/Ia,
     -iy/-ij/-i meet; a word-initial "ye"/"je" becomes "e" (Yevgeniy/Jewgeni/Evgeniy), as does
     "yev" after a vowel (Andreyev/Andrejew/Андреев) and "ye" after o or u (Merujert/Meruert).
   - umlaut spellings lose the e: ae→a, oe→o, ue→u (so Müller/Mueller/Muller and
     Jürgen/Juergen/Jurgen meet); also ou→u (French Nourlan).
   - w→v, q→k, ck→k, c→k, ph→f, th→t, dt→t, gh→g; x→ks before a vowel or at the end (Alexander,
     Felix), else x→h (Uzbek Latin Xasanov, Baxtiyor).
   - double letters collapse; a word-final -of/-ef becomes -ov/-ev (-off, -ow, -eff, -ew).
   The rules repeat until nothing changes, which is what makes ``fold`` idempotent.
3. The feminine -a is kept (Ivanova ≠ Ivanov), h is never dropped (Anna ≠ Hanna), vowels other
   than the umlaut pairs are kept (Olga ≠ Oleg, Petra ≠ Peter).

Three letters are read two ways, and `fold` must pick one. J is Й (German Juri, Jakow, Jürgen, so
that Kajrat/Kairat and Ja/Ya meet), although Kazakh Latin and Uzbek write Ж/Дж as J (Janibek,
Sanjar). X between vowels is ks (Alexander, Oxana), although Uzbek Latin writes Х as x (Raximov).
Ё is e as in passports (Fedor, Alena), although German and English lists write jo/yo (Fjodor).
Uzbek Ў is o (Oʻtkir), although Russian documents and German lists write u (Utkir).
`name_keys`, `first_names_compatible` and the search terms of `fulltext` also try the second
reading.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain

from anyascii import anyascii

from greentech_cli.text.placeholders import is_placeholder

__all__ = [
    "CHAR_TABLE",
    "UNIQUE_TEXT_CACHE",
    "chunk_tokens",
    "first_names_compatible",
    "fold",
    "fold_token",
    "is_placeholder",
    "name_key",
    "name_keys",
    "text_chunks",
    "text_readings",
    "text_tokens",
    "transliterate",
]

# --- step 1: characters to ASCII -----------------------------------------------------------------

# Our own table, applied after casefold, so Cyrillic follows one English-like scheme that the rules
# of step 2 know, rather than whatever anyascii picks for a language we care about.
CHAR_TABLE: dict[int, str] = str.maketrans(
    {
        # Russian
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
        "я": "ya",
        # Kazakh
        "ә": "a", "ғ": "gh", "қ": "q", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
        "і": "i",
        # Uzbek (ў is o' in Uzbek Latin), Tajik, Ukrainian
        "ў": "o", "ҳ": "h", "ҷ": "dzh", "ӣ": "i", "ӯ": "u", "є": "ye", "ї": "yi", "ґ": "g",
        # German; ß is already "ss" after casefold, ẞ too
        "ä": "ae", "ö": "oe", "ü": "ue",
        # Latin letters of Turkic and Slavic alphabets whose anyascii form loses the sound
        "ş": "sh", "ș": "sh", "š": "sh", "ç": "ch", "č": "ch", "ž": "zh", "ğ": "gh", "ñ": "ng",
        "ı": "i",
        # apostrophes and modifier letters used inside words: Il'in, O'zbekiston, Gʻofur
        "'": "", "’": "", "‘": "", "ʻ": "", "ʼ": "", "`": "", "´": "", "ʹ": "", "ʺ": "",
    }
)  # fmt: skip

# Sub-tokens of the original text: letters and digits of any script plus combining marks that NFC
# could not compose, and the apostrophes that live inside words.
_TOKEN = re.compile(
    "[\\w\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f'’‘ʻʼ`´ʹʺ]+"
)
_NOT_LETTER = re.compile(r"[^a-z]+")
_UNDERSCORE = re.compile(r"_+")

# --- step 2: spellings of one sound meet ---------------------------------------------------------

_REWRITE: dict[str, str] = {
    "schtsch": "sh", "shtsh": "sh", "shch": "sh", "dsch": "sh", "dzh": "sh",
    "tsch": "h", "tsh": "h", "tch": "h",
    "sch": "sh", "zh": "sh", "sz": "sh",
    "cz": "h", "ch": "h", "kh": "h",
    "ts": "s", "tz": "s", "ck": "k", "ph": "f", "th": "t", "dt": "t", "gh": "g",
    "ae": "a", "oe": "o", "ue": "u", "ou": "u",
    "q": "k", "w": "v", "z": "s", "j": "i", "y": "i",
}  # fmt: skip
# Longest first: Python tries alternatives in order, so "tsch" must come before "ts" and "sch".
_REWRITE_RE = re.compile("|".join(sorted([*_REWRITE, "c", "x"], key=len, reverse=True)))
_DOUBLE = re.compile(r"([a-z])\1+")
_VOWEL_IEV = re.compile(r"([aeiou])iev")
_BACK_VOWEL_IE = re.compile(r"([ou])ie")


def _rewrite(match: re.Match[str]) -> str:
    """Replacement for one spelling; c and x depend on where they stand."""
    found = match.group()
    if found == "c":
        # c is [ts] before a front vowel (Celina, Recycling) and [k] elsewhere (Carl, Conrad).
        return "s" if match.string[match.end() : match.end() + 1] in ("e", "i", "y") else "k"
    if found == "x":
        # Uzbek Latin writes Х as x (Xasanov, Baxtiyor, Shuxrat, Farrux): x starting a word, before
        # a consonant or ending in -ux is Х; otherwise it is the ks of Alexander, Felix, Oxana.
        # Uzbek x between vowels (Raximov) is left to the second reading (see _READINGS).
        after = match.string[match.end() : match.end() + 1]
        if match.start() == 0 or (after and after not in "aeiouy"):
            return "h"
        return "h" if not after and match.string[match.start() - 1] == "u" else "ks"
    return _REWRITE[found]


# Caches keyed by whole texts (full names) mostly hold values met once per row of a large import
# or contact list; a small LRU keeps the repeats (first names, companies) and keeps memory flat.
UNIQUE_TEXT_CACHE = 1 << 12


@lru_cache(maxsize=1 << 17)
def _fold_word(word: str) -> str:
    """Fold one lowercase ASCII word; repeated until stable so that folding is idempotent."""
    # Every pass removes letters that never come back or makes the word shorter, so this ends; the
    # bound only guards against a future rule that breaks that.
    for _ in range(12):
        folded = _DOUBLE.sub(r"\1", _REWRITE_RE.sub(_rewrite, word))
        # Cheap tests first: these rules rarely apply and a regex call costs more than the test.
        if folded.startswith("ie"):
            folded = "e" + folded[2:]
        if "ie" in folded:
            # Е after a vowel is written ye/je (Andreyev, Merujert); not after a or e, where "ie"
            # belongs to German ai/ei (Maier, Meier).
            folded = _BACK_VOWEL_IE.sub(r"\1e", _VOWEL_IEV.sub(r"\1ev", folded))
        if folded.endswith(("of", "ef")):
            folded = folded[:-1] + "v"
        if folded == word:
            break
        word = folded
    return word


@lru_cache(maxsize=1 << 17)
def transliterate(token: str) -> str:
    """Lowercase ASCII transliteration of one NFC sub-token, with our table before anyascii."""
    text = anyascii(token.casefold().translate(CHAR_TABLE)).lower()
    # anyascii may bring apostrophes back (ʼ → '); they still belong inside the word.
    return text.replace("'", "").replace("`", "")


@lru_cache(maxsize=1 << 17)
def chunk_tokens(chunk: str) -> tuple[str, ...]:
    """The sub-tokens of one whitespace-free NFC chunk: letters, digits, in-word apostrophes."""
    return tuple(
        piece for found in _TOKEN.findall(chunk) for piece in _UNDERSCORE.split(found) if piece
    )


def text_chunks(text: str) -> list[str]:
    """A text after NFC split at whitespace; tokens never span whitespace, and chunks repeat."""
    return unicodedata.normalize("NFC", text).split()


def text_tokens(text: str) -> list[str]:
    """The sub-tokens of a text after NFC."""
    return [token for chunk in text_chunks(text) for token in chunk_tokens(chunk)]


@lru_cache(maxsize=1 << 17)
def fold_token(token: str) -> tuple[str, ...]:
    """The folded words of one sub-token (usually one; anyascii may split CJK or symbols)."""
    return tuple(
        folded
        for word in _NOT_LETTER.split(transliterate(token))
        if word and (folded := _fold_word(word))
    )


def fold(text: str) -> str:
    """Fold a name or free text to lowercase ASCII words so that spellings of a name meet."""
    return _fold_text(text)


@lru_cache(maxsize=UNIQUE_TEXT_CACHE)
def _fold_text(text: str) -> str:
    """`fold`, cached: first names, cities and company names repeat across a contact list."""
    return " ".join(chain.from_iterable(map(_fold_chunk, text_chunks(text))))


@lru_cache(maxsize=1 << 17)
def _fold_chunk(chunk: str) -> tuple[str, ...]:
    """The folded words of one whitespace-free chunk."""
    return tuple(word for token in chunk_tokens(chunk) for word in fold_token(token))


def _fold_words(text: str | None) -> list[str]:
    """The folded words of a possibly missing text."""
    return fold(text).split() if text else []


# Letters that the scripts we meet read two ways. `fold` reads each the first way; keys, search
# terms and first-name comparison also try the second, so that both spellings still meet.
_READINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    # J is Й in German (Jakow, Jürgen) but Ж/Дж in Kazakh Latin and Uzbek (Janibek, Sanjar).
    (re.compile("[jJ]"), "zh"),
    # X is ks in German and English (Alexander, Oxana) but Х in Uzbek Latin (Raximov).
    (re.compile("[xX]"), "kh"),
    # Ё is e in passports and everyday Cyrillic (Fedor, Alena) but yo/jo elsewhere (Fjodor, Aljona).
    (re.compile("[ёЁ]"), "йо"),
    # Uzbek Ў is oʻ in Uzbek Latin (Oʻtkir) but у in Russian documents and so u in German (Utkir).
    (re.compile("[ўЎ]|[oO][ʻʼ'’`]"), "у"),
)


@lru_cache(maxsize=UNIQUE_TEXT_CACHE)
def text_readings(text: str) -> tuple[str, ...]:
    """The text and its other readings of ambiguous letters, in every combination."""
    readings = [unicodedata.normalize("NFC", text)]
    for pattern, other in _READINGS:
        if pattern.search(readings[0]):
            readings += [pattern.sub(other, reading) for reading in readings]
    return tuple(readings)


# --- people --------------------------------------------------------------------------------------

# Patronymics (Serikovich, Serikovna, Nurlan uly, Aliyevna, o'g'li, qizi) in their folded form; they
# appear in native-script names but rarely in the Latin columns, so keys are also made without them.
_PATRONYMIC_END = ("ovih", "evih", "ovna", "evna", "ihna", "uli", "kisi", "ogli", "ugli")
_PATRONYMIC_WORD = frozenset({"uli", "kisi", "ogli", "ugli", "ulu"})


def _without_patronymic(words: list[str]) -> list[str]:
    """Words of a full name without a patronymic, when there are enough words to carry one."""
    if len(words) < 3:
        return words
    kept: list[str] = []
    for word in words:
        if word in _PATRONYMIC_WORD:
            # "Nodir oʻgʻli", "Nurlan uly": the marker stands after the father's name.
            if kept:
                kept.pop()
        elif not word.endswith(_PATRONYMIC_END):
            kept.append(word)
    return kept if len(kept) >= 2 else words


def _key(words: Iterable[str]) -> str:
    """An order-independent key of folded words."""
    return " ".join(sorted(words))


def name_key(first: str | None, last: str | None, native: str | None = None) -> str:
    """The key of a person: folded first and last name words and the numbers in them, sorted;
    else the native name. A placeholder (`is_placeholder`) has none: "" never matches. Changed
    keys? Raise `migrations.DERIVED_VERSIONS`: stored ones are made again (`records.upkeep`)."""
    if is_placeholder(first, last, native):
        return ""
    latin = " ".join(part for part in (first, last) if part)
    words = fold(latin).split() if latin else []
    if words:
        return _key([*words, *_numbers(latin)])
    return _key([*_fold_words(native), *_numbers(native or "")])


def name_keys(first: str | None, last: str | None, native: str | None = None) -> set[str]:
    """Every key a person may be found by: from the Latin name, the native name, and variants.

    Numbers stay in the keys (Test1 and Test2, "Ölçer29 Groß" are different people) and a
    placeholder (`N.N.`, `TBD`, `?`, `Teilnehmer 1`) has no key at all: two placeholders are
    never one person by their names.
    """
    if is_placeholder(first, last, native):
        return set()
    latin = " ".join(part for part in (first, last) if part)
    return set(_text_keys(latin) | _text_keys(native or ""))


_NUMBER = re.compile(r"\d+")


def _numbers(text: str) -> list[str]:
    """The numbers written in a name ("Test12" → ["12"]), which folding drops."""
    return [str(int(n)) for n in _NUMBER.findall(unicodedata.normalize("NFKC", text))]


@lru_cache(maxsize=UNIQUE_TEXT_CACHE)
def _text_keys(text: str) -> frozenset[str]:
    """The keys of one written full name: every reading, with and without a patronymic, each
    with the numbers the name holds."""
    keys: set[str] = set()
    numbers = _numbers(text)
    for reading in text_readings(text):
        words = fold(reading).split()
        if not words:
            continue
        keys.add(_key([*words, *numbers]))
        keys.add(_key([*_without_patronymic(words), *numbers]))
    keys.discard("")
    return frozenset(keys)


# Nicknames and language variants of first names that folding alone cannot join. A name may stand
# in several groups (Sascha is short for Alexander and for Alexandra); two names are compatible when
# they share a group, so Alexander and Alexandra are not, although both are compatible with Sascha.
_NICKNAME_GROUPS: tuple[str, ...] = (
    "alexander aleksandr alexandr oleksandr alex sascha sasha sanya shura",
    "alexandra aleksandra alex sascha sasha sandra sanya shura",
    "aleksey alexei alexej alexey oleksiy alyosha lyosha alex",
    "dmitriy dmitri dmitry dima mitya",
    "ivan iwan vanya wanja",
    "nikolay nikolai nikolaj kolya nikolaus niklaus klaus nico niko",
    "mikhail michail michael michel misha mischa micha michi",
    "vladimir wladimir volodya wolodja vova vladi",
    "sergey sergei sergej serhiy seryozha serjoscha",
    "pavel pawel paul pasha",
    "yevgeniy evgeny evgenij jewgeni eugen zhenya schenja",
    "yevgeniya evgenia jewgenija eugenia zhenya schenja",
    "andrey andrei andrej andriy andreas andi andy",
    "konstantin kostya kostja",
    "yekaterina ekaterina katerina katharina katarina katrin kathrin katja katya kathi kati kate",
    "natalya natalia natalja natalie nathalie natasha natascha",
    "mariya maria marija marie masha mascha",
    "tatyana tatiana tatjana tanya tanja",
    "olga olya olja",
    "yelena elena jelena helena helene lena",
    "svetlana sveta",
    "anastasiya anastasia anastasija nastya nastja",
    "yuliya yulia julia julija julie",
    "bauyrzhan baurzhan bauirzhan",
    "gulnara gulnar gulya",
    "zhanibek janibek dzhanibek",
    "johannes johann hans hannes jo",
    "josef joseph sepp jupp",
    "elisabeth elisabet elizaveta yelizaveta lisa liesel lisbeth elise",
    "bernhard bernd",
    "friedrich fritz",
    "wilhelm willi willy",
    "ulrich uli",
    "ulrike uli",
    "christian chris",
    "christoph christopher chris",
    "christina christine tina chris",
    "matthias mathias matvey matze",
    "thomas tom tommy",
    "stefan stephan steve",
    "daniel dani",
    "peter petr pyotr pjotr piotr",
    "robert rob bob",
    "gabriele gabi gaby",
    "margarete margarethe grete gretel",
    "susanne susi",
    "joachim achim jochen",
    "heinrich heinz",
    "wolfgang wolf",
    "georg george georgiy georgij yuri juri yuriy jurij",
)


def _nickname_index() -> dict[str, frozenset[int]]:
    """Map each folded name of the nickname table to the groups it stands in."""
    index: dict[str, set[int]] = {}
    for group, names in enumerate(_NICKNAME_GROUPS):
        for name in names.split():
            index.setdefault(fold(name), set()).add(group)
    return {name: frozenset(groups) for name, groups in index.items()}


_NICKNAMES = _nickname_index()
_INITIALS = re.compile(r"^(?:[^\W\d_]{1,2}\.)+$|^[^\W\d_]$")


@lru_cache(maxsize=1 << 16)
def _first_name_parts(name: str) -> tuple[tuple[str, bool], ...]:
    """Parts of a first name as (text, is_initial): "H.-P." gives two initials."""
    parts: list[tuple[str, bool]] = []
    for chunk in re.split(r"[\s\-‐–]+", unicodedata.normalize("NFC", name).strip()):
        if not chunk:
            continue
        if _INITIALS.match(chunk):
            parts.extend((letters, True) for letters in chunk.split(".") if letters)
        elif fold(chunk):
            parts.append((chunk, False))
    return tuple(parts)


@lru_cache(maxsize=1 << 16)
def _part_forms(text: str) -> tuple[frozenset[str], frozenset[int]]:
    """The folded readings of a first name and the nickname groups they stand in."""
    folds = frozenset(fold(reading) for reading in text_readings(text))
    return folds, frozenset(group for name in folds for group in _NICKNAMES.get(name, ()))


def _parts_match(a: tuple[str, bool], b: tuple[str, bool]) -> bool:
    """Whether one part of a first name may stand for the other part."""
    (text_a, initial_a), (text_b, initial_b) = a, b
    if initial_a or initial_b:
        short, long = (a, b) if initial_a else (b, a)
        plain_short, plain_long = transliterate(short[0]), transliterate(long[0])
        folds_short, folds_long = _part_forms(short[0])[0], _part_forms(long[0])[0]
        if initial_a and initial_b:
            return plain_short == plain_long or bool(folds_short & folds_long)
        # Compare both ways: "Ж." is "zh" plainly, "Y." only meets "Julia" once folded, and
        # "J." may be Й (Jürgen) or Ж (Janibek).
        return plain_long.startswith(plain_short) or any(
            whole.startswith(initial) for initial in folds_short for whole in folds_long
        )
    folds_a, groups_a = _part_forms(text_a)
    folds_b, groups_b = _part_forms(text_b)
    return bool(folds_a & folds_b or groups_a & groups_b)


def first_names_compatible(a: str, b: str) -> bool:
    """Whether two first names may belong to one person: equal folded, an initial, or a nickname."""
    parts_a, parts_b = _first_name_parts(a), _first_name_parts(b)
    # A missing first name tells nothing against a match.
    if not parts_a or not parts_b:
        return True
    if fold(a) == fold(b):
        return True
    shorter, longer = sorted((parts_a, parts_b), key=len)
    # Every part of the shorter name must stand for a different part of the longer one, so that
    # "Hans" fits "Hans-Peter" and "H.-P." fits "Hans Peter", but "Hans" does not fit "Peter".
    used: set[int] = set()
    for part in shorter:
        for index, other in enumerate(longer):
            if index not in used and _parts_match(part, other):
                used.add(index)
                break
        else:
            return False
    return True


# --- Cyrillic full names in ФИО order ----------------------------------------------------------

_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff][\u0400-\u04ff'’.-]*")
# Endings of Russian, Kazakh, Ukrainian and Caucasian family names (and their feminine forms).
_SURNAME_ENDINGS = (
    "ов", "ова", "ев", "ева", "ёв", "ёва", "ин", "ина", "ын", "ына", "ский", "ская", "цкий",
    "цкая", "ской", "енко", "ук", "юк", "ян", "янц", "дзе", "швили", "баев", "баева", "бекова",
    "бекович", "ых", "их",
)  # fmt: skip
# Endings of patronymics (Russian -ович/-евна, Kazakh -ұлы/-қызы, Azerbaijani -оглы).
_PATRONYMIC_ENDINGS = ("ович", "евич", "ьич", "овна", "евна", "ична", "улы", "ұлы", "кызы",
                       "қызы", "оглы")  # fmt: skip


def _ends_with(word: str, endings: tuple[str, ...]) -> bool:
    folded = word.casefold()
    return any(folded.endswith(end) and len(folded) > len(end) + 1 for end in endings)


def split_fio(text: str) -> tuple[str, str] | None:
    """(given names, family name) of a full name written only in Cyrillic, read as Russian and
    Kazakh lists write it: family name first (ФИО: Фамилия Имя Отчество), the patronymic kept
    with the given name. "Сейтказиева Гульнара" → ("Гульнара", "Сейтказиева"); "Нурланов
    Жанибек Серикович" → ("Жанибек Серикович", "Нурланов"). Given-name-first is kept when the
    words say so: a patronymic second ("Жанибек Серикович Нурланов"), or two words of which only
    the last has a family name's ending ("Айгерим Садыкова"). None for any other name (Latin
    letters, one word)."""
    words = text.split()
    if len(words) < 2 or not all(_CYRILLIC_WORD.fullmatch(w) for w in words):
        return None
    patronymic = [_ends_with(w, _PATRONYMIC_ENDINGS) for w in words]
    surname = [
        _ends_with(w, _SURNAME_ENDINGS) and not p for w, p in zip(words, patronymic, strict=True)
    ]
    if len(words) >= 3 and patronymic[1] and not patronymic[-1]:
        return " ".join(words[:-1]), words[-1]  # Имя Отчество Фамилия
    if len(words) == 2 and surname[1] and not surname[0]:
        return words[0], words[1]  # Имя Фамилия
    return " ".join(words[1:]), words[0]
