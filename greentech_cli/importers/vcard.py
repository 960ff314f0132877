"""Read vCard 2.1/3.0/4.0 files into contact records, tolerating what real address books write.

The reader works on bytes until each property value is known, because real files mix encodings:
folding is undone on bytes (a fold may split a UTF-8 character), quoted-printable soft breaks are
joined, and only then is each value decoded — by its CHARSET parameter, else strict UTF-8, else
cp1252 (so a Latin-1 file from an old exporter reads as well as a modern one). A value that is
UTF-8 apart from a stray byte keeps its characters, the bad byte becoming U+FFFD. BOMs and
UTF-16/32 files are handled first. The encoding returned is "utf-8" (also for pure ASCII),
"cp1252", "utf-8/cp1252" for a file that mixes both, "utf-8-sig"/"utf-16"/… for a BOM, or the
encoding the caller forced (which then replaces UTF-8/cp1252 for values without CHARSET).

Decisions worth knowing (the rest of the program relies on them):

- A card without END:VCARD is parsed up to the next BEGIN:VCARD or the end of the file; only data
  with no BEGIN:VCARD at all is refused (UnreadableFile). Cards that carry nothing we use still
  yield a record (an empty dict), so counts of cards and records agree and the import pipeline can
  reject them with a reason. Cards nested in a vCard 2.1 AGENT property are skipped.
- Names: N wins over FN; N's middle names are appended to first_name; an N prefix of
  "Herr/Frau/Mr./Ms./…" becomes salutation and the rest of the prefix (Dr., Prof., Dr. med.) the
  title; an N suffix (Jr., M.Sc.) is appended to title so nothing is lost. Without N, FN is split
  ("Last, First" or "First … Last", leading salutation/title words peeled off), unless FN is only
  the company name or an email address.
- Native-script name: X-GREENTECH-NATIVE-NAME (written by our exporter) always wins, and on
  such a card N alone gives first/last (FN there is only a display form). Otherwise,
  when the card holds a Latin form of the name (an N, FN or X-PHONETIC-* name) and also a non-Latin
  one (a second N, FN or NICKNAME, e.g. Cyrillic), first/last come from the Latin form and
  native_name is the non-Latin one, as written. When the only name is non-Latin, it stays in
  first/last as written and native_name is left empty (it would only repeat them).
- Email: the best-ranked address becomes ``email`` (work+pref, work, pref, untyped, home); the
  others, in file order and without repeats, become ``email2``, ``email3``, …
- Phones: CELL (also Apple's IPHONE, MOBILE) numbers go to ``mobile``, FAX numbers to ``fax``, all
  others (voice, main, pager, …) to ``phone``; each picks the best-ranked number like email and
  keeps the rest as ``phone2``/``mobile2``/``fax2``, … in file order. A 4.0 ``tel:`` URI loses
  only its scheme; Apple/Google item labels (X-ABLabel "Handy", "_$!<WorkFAX>!$_") count as types.
- Address: the best address not typed HOME becomes the company_* keys (street and extended
  address joined, the PO box only when there is no street; the country as written). The
  contact's ``country`` is that address's country, else the home address's; personal street
  addresses are otherwise not kept (the program stores none).
- ORG: first component is company, the remaining units (joined by ", ") department. TITLE is
  position; ROLE is used only when there is no TITLE. URL (work, else untyped) is
  company_website. All NOTEs are joined by a blank line; CATEGORIES become tags; LANG (and our
  X-GREENTECH-LANG) become languages in PREF order; X-GREENTECH-COUNTRY sets country.
- Every string is NFC-normalised and stripped of surrounding whitespace; line ends inside values
  become "\\n". Nothing else is changed: casing, spelling and phone formats stay as written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from greentech_cli.errors import UnreadableFile
from greentech_cli.importers.vcard_names import (
    _is_latin,
    _is_native,
    _Name,
    _split_formatted,
    _structured_name,
)
from greentech_cli.importers.vcard_parse import (
    _check_encoding,
    _components,
    _Decoder,
    _prepare,
    _Property,
    _split_cards,
    _unfold,
    _value_text,
    split_escaped,
    unescape,
    word_set,
)
from greentech_cli.models.exchange import CONTACT_FIELDS

__all__ = ["read_vcards"]

# Our own exporter writes these; they are read back so an export re-imports without loss.
NATIVE_NAME_PROPERTY = "X-GREENTECH-NATIVE-NAME"
LANG_PROPERTY = "X-GREENTECH-LANG"
COUNTRY_PROPERTY = "X-GREENTECH-COUNTRY"


# Only these properties are decoded; the rest (PHOTO, KEY, X-MS-*, X-AB*, IMPP, …) is skipped.
_USED = word_set(
    "N FN ORG TITLE ROLE EMAIL TEL ADR URL NOTE CATEGORIES LANG NICKNAME X-ABLABEL "
    "X-PHONETIC-FIRST-NAME X-PHONETIC-MIDDLE-NAME X-PHONETIC-LAST-NAME "
    f"{NATIVE_NAME_PROPERTY} {LANG_PROPERTY} {COUNTRY_PROPERTY}"
)


def read_vcards(data: bytes, encoding: str | None = None) -> tuple[list[dict[str, object]], str]:
    """Parse every vCard in ``data`` into contact records; return them and the encoding used."""
    forced = _check_encoding(encoding)
    body, reported, forced = _prepare(data, forced)
    decoder = _Decoder(forced=forced)
    cards = _split_cards(_unfold(body))
    if cards is None:
        raise UnreadableFile("The file contains no vCard: no BEGIN:VCARD line was found.")
    records = [_card_record(card, decoder) for card in cards]
    return records, reported or decoder.encoding_used()


def _rank(types: set[str]) -> int:
    """Order addresses, emails and phones: work+pref, work, pref/main, untyped, home, pager."""
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
)


def _label_types(label: str) -> set[str]:
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


def _pick(candidates: list[tuple[set[str], str]]) -> tuple[str, list[str]]:
    """Choose the best-ranked value; return it and the other distinct values in file order."""
    best_index = min(
        range(len(candidates)), key=lambda i: (_rank(candidates[i][0]), i), default=None
    )
    if best_index is None:
        return "", []
    best = candidates[best_index][1]
    seen = {best.casefold()}
    rest: list[str] = []
    for _, value in candidates:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            rest.append(value)
    return best, rest


def _put_numbered(record: dict[str, object], key: str, best: str, rest: list[str]) -> None:
    """Store the best value under ``key`` and the others as key2, key3, …"""
    if best:
        record[key] = best
    for number, value in enumerate(rest, start=2):
        record[f"{key}{number}"] = value


@dataclass
class _Card:
    """The decoded text of the properties of one card, grouped by name."""

    values: dict[str, list[tuple[_Property, str]]]
    is_21: bool

    def texts(self, name: str) -> list[str]:
        """Unescaped, non-empty plain-text values of a property."""
        found = (unescape(text) for _, text in self.values.get(name, []))
        return [text for text in found if text]

    def first_text(self, name: str) -> str:
        """The first non-empty plain-text value of a property, or ''."""
        texts = self.texts(name)
        return texts[0] if texts else ""


def _decode_card(props: list[_Property], decoder: _Decoder) -> _Card:
    """Decode the values of the properties we use; record labels of grouped items as types."""
    values: dict[str, list[tuple[_Property, str]]] = {}
    labels: dict[str, set[str]] = {}
    version = ""
    for prop in props:
        if prop.name == "VERSION":
            version = prop.raw.strip().decode("latin-1")
            continue
        if prop.name not in _USED:
            continue
        text = _value_text(prop, decoder)
        if text is None:
            continue
        if prop.name == "X-ABLABEL":
            if prop.group:
                labels[prop.group] = _label_types(text)
            continue
        values.setdefault(prop.name, []).append((prop, text))
    for entries in values.values():
        for prop, _ in entries:
            if prop.group in labels:
                prop.types |= labels[prop.group]
    return _Card(values=values, is_21=version.startswith("2"))


def _card_record(props: list[_Property], decoder: _Decoder) -> dict[str, object]:
    """Turn one card's properties into a contact record."""
    card = _decode_card(props, decoder)
    record: dict[str, object] = {}
    company, department = _organisation(card)
    _names(card, company, record)
    if (position := card.first_text("TITLE") or card.first_text("ROLE")) != "":
        record["position"] = position
    if department:
        record["department"] = department
    if company:
        record["company"] = company
    _emails(card, record)
    _phones(card, record)
    _address(card, record)
    _url(card, record)
    if notes := list(dict.fromkeys(card.texts("NOTE"))):
        record["notes"] = "\n\n".join(notes)
    if tags := _list_values(card, ("CATEGORIES",)):
        record["tags"] = tags
    if languages := _languages(card):
        record["languages"] = languages
    if country := card.first_text(COUNTRY_PROPERTY):
        record["country"] = country
    return _ordered(record)


# The export's record order (the shape models.exchange defines and import reads back), so a
# card read back lists its keys as the json export of the same contact does.
_KEY_ORDER = CONTACT_FIELDS


def _ordered(record: dict[str, object]) -> dict[str, object]:
    """Put the shared keys in their usual order, extra keys (email2, fax…) after them."""
    ordered = {key: record[key] for key in _KEY_ORDER if key in record}
    ordered.update((key, value) for key, value in sorted(record.items()) if key not in ordered)
    return ordered


def _organisation(card: _Card) -> tuple[str, str]:
    """Company and department from the first ORG that has any."""
    for _, text in card.values.get("ORG", []):
        units = _components(text, 1)
        if any(units):
            # Positional: "ORG:;Dept" has a department but no company name.
            return units[0], ", ".join(unit for unit in units[1:] if unit)
    return "", ""


def _names(card: _Card, company: str, record: dict[str, object]) -> None:
    """Fill salutation, title, first/last and native name from N, FN and their alternatives."""
    structured = [_structured_name(text, card.is_21) for _, text in card.values.get("N", [])]
    structured = [name for name in structured if not name.is_empty()]
    formatted = [text for text in card.texts("FN") if text != company and "@" not in text]
    latin_structured = [name for name in structured if _is_latin(name.display())]
    explicit_native = card.first_text(NATIVE_NAME_PROPERTY)
    chosen: _Name | None = None
    if latin_structured:
        chosen = latin_structured[0]
    elif explicit_native:
        # Our own export: N is the name as stored, FN only a display form of it or the native name.
        chosen = structured[0] if structured else None
    else:
        chosen = _latin_alternative(card, formatted) or (structured[0] if structured else None)
        if chosen is None and formatted:
            chosen = _split_formatted(formatted[0])
    if chosen is not None:
        _peel_display_prefix(chosen, formatted)
        for key, value in (
            ("salutation", chosen.salutation),
            ("title", chosen.title),
            ("first_name", chosen.first),
            ("last_name", chosen.last),
        ):
            if value:
                record[key] = value
    native = explicit_native
    if not native and chosen is not None and _is_latin(chosen.display()):
        candidates = [text for text in formatted if _is_native(text)]
        candidates += [name.display() for name in structured if _is_native(name.display())]
        candidates += [text for text in _list_values(card, ("NICKNAME",)) if _is_native(text)]
        native = candidates[0] if candidates else ""
    if native:
        record["native_name"] = native


def _latin_alternative(card: _Card, formatted: list[str]) -> _Name | None:
    """A Latin form of the name from the phonetic fields or an FN, when N has none."""
    phonetic_first = " ".join(
        part
        for part in (
            card.first_text("X-PHONETIC-FIRST-NAME"),
            card.first_text("X-PHONETIC-MIDDLE-NAME"),
        )
        if part
    )
    phonetic = _Name(first=phonetic_first, last=card.first_text("X-PHONETIC-LAST-NAME"))
    if not phonetic.is_empty() and _is_latin(phonetic.display()):
        return phonetic
    latin_formatted = [text for text in formatted if _is_latin(text)]
    return _split_formatted(latin_formatted[0]) if latin_formatted else None


def _peel_display_prefix(chosen: _Name, formatted: list[str]) -> None:
    """Take salutation and title from FN when N has none ("Dr. Anna Schmidt" beside N)."""
    if chosen.salutation or chosen.title or not formatted:
        return
    peeled = _split_formatted(formatted[0])
    if (
        (peeled.salutation or peeled.title)
        and peeled.first == chosen.first
        and peeled.last == chosen.last
    ):
        chosen.salutation, chosen.title = peeled.salutation, peeled.title


def _emails(card: _Card, record: dict[str, object]) -> None:
    """Choose the main email; keep the others as email2, email3, …"""
    candidates = [
        (prop.types, value)
        for prop, text in card.values.get("EMAIL", [])
        if (value := _strip_scheme(unescape(text), "mailto:"))
    ]
    _put_numbered(record, "email", *_pick(candidates))


def _strip_scheme(value: str, scheme: str) -> str:
    """Drop a URI scheme (tel:, mailto:) that vCard 4.0 writers put before plain values."""
    if value[: len(scheme)].casefold() == scheme:
        return value[len(scheme) :].strip()
    return value


def _phones(card: _Card, record: dict[str, object]) -> None:
    """Sort TEL values into mobile, fax and phone; keep extras as phone2, mobile2, fax2, …"""
    mobiles: list[tuple[set[str], str]] = []
    faxes: list[tuple[set[str], str]] = []
    phones: list[tuple[set[str], str]] = []
    for prop, text in card.values.get("TEL", []):
        value = _strip_scheme(unescape(text), "tel:")
        if not value:
            continue
        types = prop.types
        if types & {"cell", "iphone", "mobile"}:
            mobiles.append((types, value))
        elif "fax" in types:
            faxes.append((types, value))
        else:
            phones.append((types, value))
    _put_numbered(record, "phone", *_pick(phones))
    _put_numbered(record, "mobile", *_pick(mobiles))
    _put_numbered(record, "fax", *_pick(faxes))


def _address(card: _Card, record: dict[str, object]) -> None:
    """Company address from the best non-home ADR; the contact's country from it or from home."""
    business: list[tuple[int, int, list[str]]] = []
    private: list[list[str]] = []
    for index, (prop, text) in enumerate(card.values.get("ADR", [])):
        parts = _components(text, 7)
        if not any(parts):
            continue
        if "home" in prop.types or "other" in prop.types:
            private.append(parts)
        else:
            business.append((_rank(prop.types), index, parts))
    if business:
        pobox, extended, street, city, region, postcode, country = min(business)[2][:7]
        street_text = ", ".join(part for part in (street, extended) if part) or pobox
        for key, value in (
            ("company_street", street_text),
            ("company_postcode", postcode),
            ("company_city", city),
            ("company_region", region),
            ("company_country", country),
            ("country", country),
        ):
            if value:
                record[key] = value
    if "country" not in record:
        for parts in private:
            if parts[6]:
                record["country"] = parts[6]
                break


def _url(card: _Card, record: dict[str, object]) -> None:
    """The company website: a work URL, else the first one not typed HOME."""
    urls = [
        (0 if "work" in prop.types else 1, index, value)
        for index, (prop, text) in enumerate(card.values.get("URL", []))
        if "home" not in prop.types and (value := unescape(text))
    ]
    if urls:
        record["company_website"] = min(urls)[2]


def _list_values(card: _Card, names: Iterable[str]) -> list[str]:
    """Values of comma-list properties (CATEGORIES, NICKNAME), in order and without repeats."""
    found: list[str] = []
    for name in names:
        for _, text in card.values.get(name, []):
            pieces = split_escaped(text, ",")
            if card.is_21:
                # 2.1 writers separate categories with semicolons as often as with commas.
                pieces = [sub for piece in pieces for sub in split_escaped(piece, ";")]
            found.extend(value for piece in pieces if (value := unescape(piece)))
    return list(dict.fromkeys(found))


def _languages(card: _Card) -> list[str]:
    """Languages from LANG and X-GREENTECH-LANG, most preferred first."""
    ranked: list[tuple[int, int, str]] = []
    for name in ("LANG", LANG_PROPERTY):
        for prop, text in card.values.get(name, []):
            pref_text = (prop.params.get("PREF") or ["100"])[0]
            pref = (
                int(pref_text)
                if pref_text.isascii() and pref_text.isdigit() and len(pref_text) < 6
                else 100
            )
            for piece in split_escaped(text, ","):
                if value := unescape(piece):
                    ranked.append((pref, len(ranked), value))
    return list(dict.fromkeys(value for _, _, value in sorted(ranked)))
