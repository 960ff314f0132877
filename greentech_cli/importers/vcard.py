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
- Emails: every EMAIL, in file order without repeats, becomes ``emails`` (TYPE home → home,
  other → other, else work); the first one marked PREF, else the first, is the primary ``email``.
- Phones: every TEL becomes ``phones`` in file order: CELL (also Apple's IPHONE, MOBILE) →
  mobile, FAX → fax, HOME → home, WORK/MAIN/untyped/VOICE → work, OTHER/PAGER/TEXT/… → other. A PREF
  number moves before the others of its kind (the first mobile is the primary ``mobile``, the
  first number neither mobile nor fax the primary ``phone``). A 4.0 ``tel:`` URI loses its scheme;
  its ``;ext=`` (and a 3.0 text's " ext. 102", " x102") is the extension. Apple/Google item labels
  (X-ABLabel "Handy", "_$!<WorkFAX>!$_") count as types.
- Addresses: the company's ADR becomes the company_* keys, every other ADR an entry of
  ``addresses`` with its type (home, work, else other): street and extended address joined, the
  PO box only when there is no street; the country as written. The company's ADR is, on cards
  greentech wrote (PRODID), the one in the ``company`` group and no other; on other cards,
  when an ORG is present, the best-ranked ADR not typed HOME/OTHER (today's rule: an officer's
  vCards are business cards). The contact's ``country`` on other cards is that address's
  country, else the first personal address's. URL: the company's is chosen the same way and
  becomes company_website, every other URL ``websites``.
- ORG: first component is company, the remaining units (joined by ", ") department. TITLE is
  position; ROLE is used only when there is no TITLE. All NOTEs are joined by a blank line;
  CATEGORIES become tags; LANG (and our X-GREENTECH-LANG) become languages in PREF order;
  X-GREENTECH-COUNTRY sets country. BDAY (1980-05-17, 19800517, --0517, a timestamp, Apple's
  X-APPLE-OMIT-YEAR) is ``birthday`` as ISO (``--05-17`` without a year); other text is passed
  on as written (the import keeps it as an extra value with a warning). NICKNAME → ``aliases``
  (but the native name greentech also writes there); UID → ``uid`` (``urn:uuid:`` dropped).
- Everything else is an ``extra`` value, nothing is dropped silently: X-GREENTECH-EXTRA
  (``NAME;VALUE``, written by our exporter) by its name; any other property (X-SKYPE, IMPP, GEO,
  LABEL, a second TITLE, X-PHONETIC-*, …) by its name, with its item label in brackets
  ("X-ABRELATEDNAMES (_$!<Manager>!$_)"), numbered when repeated ("X-SKYPE 2"). Binary values
  (PHOTO, LOGO, SOUND, KEY inline) are not kept: the extra value "vCard properties not
  imported" names them. Only VERSION, PRODID, REV and an AGENT's nested card are not kept.
- Every string is NFC-normalised and stripped of surrounding whitespace; line ends inside values
  become "\\n". Nothing else is changed: casing, spelling and phone formats stay as written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from greentech_cli.errors import InvalidData, UnreadableFile
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
from greentech_cli.importers.vcard_values import (
    _is_latin,
    _is_native,
    _Name,
    _split_formatted,
    _structured_name,
    address_kind,
    address_parts,
    birthday_text,
    email_entries,
    known_country,
    label_types,
    phone_entries,
    rank,
    uid_text,
)
from greentech_cli.models.exchange import CONTACT_FIELDS
from greentech_cli.text.emails import normalize_email

__all__ = ["read_vcards"]

# Our own exporter writes these; they are read back so an export re-imports without loss.
NATIVE_NAME_PROPERTY = "X-GREENTECH-NATIVE-NAME"
LANG_PROPERTY = "X-GREENTECH-LANG"
COUNTRY_PROPERTY = "X-GREENTECH-COUNTRY"


EXTRA_PROPERTY = "X-GREENTECH-EXTRA"
# The group greentech puts the company's ADR and URL in (the others are the person's own).
COMPANY_GROUP = "COMPANY"
# The extra value that names the binary properties of a card (PHOTO, KEY, …), which are not kept.
NOT_IMPORTED = "vCard properties not imported"

# About the file, not the person: not kept.
_METADATA = word_set("PRODID REV AGENT BEGIN END")
_MEDIA = word_set("PHOTO LOGO SOUND KEY")
# Stored as fields of the record (TITLE, ROLE, BDAY and UID only the value in `used`).
_STORED = word_set(
    "N FN ORG EMAIL TEL ADR URL NOTE CATEGORIES LANG NICKNAME "
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


@dataclass
class _Card:
    """The decoded text of the properties of one card, grouped by name."""

    values: dict[str, list[tuple[_Property, str]]]
    is_21: bool
    # written by greentech (its PRODID): the company's address and website are marked there
    ours: bool = False
    # names of properties whose values are binary (PHOTO, KEY …): reported, not stored
    binary: list[str] = field(default_factory=list)
    # X-ABLabel text of each item group
    labels: dict[str, str] = field(default_factory=dict)
    # (name, index) of values taken only in part (TITLE beside ROLE, the first BDAY …)
    used: set[tuple[str, int]] = field(default_factory=set)
    # (extra name, value) of values that cannot be stored in their field
    invalid: list[tuple[str, str]] = field(default_factory=list)

    def texts(self, name: str) -> list[str]:
        """Unescaped, non-empty plain-text values of a property."""
        found = (unescape(text) for _, text in self.values.get(name, []))
        return [text for text in found if text]

    def first_text(self, name: str) -> str:
        """The first non-empty plain-text value of a property, or ''."""
        texts = self.texts(name)
        return texts[0] if texts else ""


def _is_binary(prop: _Property) -> bool:
    """Photos, logos, sounds and keys carried inline (base64 or a data: URI): no text to keep."""
    if prop.raw[:5].lower() == b"data:":
        return True
    encoding = (prop.params.get("ENCODING") or [""])[0].upper()
    return prop.name in _MEDIA and encoding in ("BASE64", "B")


def _decode_card(props: list[_Property], decoder: _Decoder) -> _Card:
    """Decode the values of a card's properties; record labels of grouped items as types."""
    values: dict[str, list[tuple[_Property, str]]] = {}
    labels: dict[str, tuple[str, set[str]]] = {}
    binary: list[str] = []
    version = ""
    ours = False
    for prop in props:
        if prop.name == "VERSION":
            version = prop.raw.strip().decode("latin-1")
            continue
        if prop.name in _METADATA:
            ours = ours or (prop.name == "PRODID" and b"//greentech//" in prop.raw)
            continue
        if _is_binary(prop):
            binary.append(prop.name)
            continue
        text = _value_text(prop, decoder)
        if text is None:
            binary.append(prop.name)
            continue
        if prop.name == "X-ABLABEL" and prop.group:
            labels[prop.group] = (unescape(text), label_types(text))
            continue
        values.setdefault(prop.name, []).append((prop, text))
    for entries in values.values():
        for prop, _ in entries:
            if prop.group in labels:
                prop.types |= labels[prop.group][1]
    card = _Card(values=values, is_21=version.startswith("2"), ours=ours)
    card.binary = list(dict.fromkeys(binary))
    card.labels = {group: label for group, (label, _) in labels.items()}
    return card


def _card_record(props: list[_Property], decoder: _Decoder) -> dict[str, object]:
    """Turn one card's properties into a contact record."""
    card = _decode_card(props, decoder)
    record: dict[str, object] = {}
    company, department = _organisation(card)
    _names(card, company, record)
    titles = card.texts("TITLE")
    roles = card.texts("ROLE")
    if position := (titles or roles or [""])[0]:
        record["position"] = position
        card.used.add(("TITLE", 0) if titles else ("ROLE", 0))
    if department:
        record["department"] = department
    if company:
        record["company"] = company
    _emails(card, record)
    _phones(card, record)
    _addresses(card, record)
    _urls(card, record)
    if notes := list(dict.fromkeys(card.texts("NOTE"))):
        record["notes"] = "\n\n".join(notes)
    if tags := _list_values(card, ("CATEGORIES",)):
        record["tags"] = tags
    if languages := _languages(card):
        record["languages"] = languages
    if country := card.first_text(COUNTRY_PROPERTY):
        record["country"] = country
    if birthdays := card.values.get("BDAY"):
        prop, text = birthdays[0]
        omit = (prop.params.get("X-APPLE-OMIT-YEAR") or [""])[0]
        if day := birthday_text(unescape(text), omit):
            record["birthday"] = day
        card.used.add(("BDAY", 0))
    if uid := card.first_text("UID"):
        record["uid"] = uid_text(uid)
        card.used.add(("UID", 0))
    aliases = [a for a in _list_values(card, ("NICKNAME",)) if a != record.get("native_name")]
    if aliases:
        record["aliases"] = aliases
    if extra := _extra(card):
        record["extra"] = extra
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
    # greentech's own cards name the native name explicitly (a NICKNAME there is an alias).
    if not native and not card.ours and chosen is not None and _is_latin(chosen.display()):
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


def _strip_scheme(value: str, scheme: str) -> str:
    """Drop a URI scheme (tel:, mailto:) that vCard 4.0 writers put before plain values."""
    if value[: len(scheme)].casefold() == scheme:
        return value[len(scheme) :].strip()
    return value


def _emails(card: _Card, record: dict[str, object]) -> None:
    """Every EMAIL with its type; the PREF one (else the first) is the primary ``email``.

    A value that is no email address ("email other") would refuse the whole card: it is kept
    as the extra value "EMAIL (not an address)" instead.
    """
    found: list[tuple[set[str], str]] = []
    for prop, text in card.values.get("EMAIL", []):
        if value := _strip_scheme(unescape(text), "mailto:"):
            try:
                normalize_email(value)
            except InvalidData:
                card.invalid.append(("EMAIL (not an address)", value))
                continue
            found.append((prop.types, value))
    if entries := email_entries(found):
        record["email"] = entries[0]["value"]
        record["emails"] = entries


def _phones(card: _Card, record: dict[str, object]) -> None:
    """Every TEL with its type (cell → mobile, fax, home, work, other) and extension."""
    found = [
        (prop.types, value)
        for prop, text in card.values.get("TEL", [])
        if (value := _strip_scheme(unescape(text), "tel:"))
    ]
    if entries := phone_entries(found):
        record["phones"] = entries


def _company_index(card: _Card, name: str) -> int | None:
    """Which ADR (or URL) is the company's: on greentech's cards the one in the ``company``
    group; on others, when the card has an ORG, the best-ranked one not typed HOME/OTHER."""
    entries = card.values.get(name, [])
    marked = [i for i, (prop, _) in enumerate(entries) if prop.group == COMPANY_GROUP]
    if marked or card.ours:
        return marked[0] if marked else None
    if not card.values.get("ORG"):
        return None
    ranked = [
        (rank(prop.types), index)
        for index, (prop, text) in enumerate(entries)
        if not prop.types & {"home", "other"} and unescape(text).strip(" ;")
    ]
    return min(ranked)[1] if ranked else None


def _addresses(card: _Card, record: dict[str, object]) -> None:
    """The company's ADR to the company_* keys, every other ADR to ``addresses`` with its type.

    On cards of other programs the contact's ``country`` is taken from the company's address,
    else from the first address that has one (greentech's cards carry it on their own).
    """
    company = _company_index(card, "ADR")
    addresses: list[dict[str, object]] = []
    for index, (prop, text) in enumerate(card.values.get("ADR", [])):
        parts = address_parts(_components(text, 7))
        if not parts:
            continue
        if index == company:
            for key, value in parts.items():
                record[f"company_{key}"] = value
            continue
        if not known_country(parts.get("country")):  # "COUNTRY PRIVAT" would refuse the card
            card.invalid.append(("ADR country (unknown)", parts.pop("country")))
        addresses.append({"type": address_kind(prop.types), **parts})
    if addresses:
        record["addresses"] = addresses
    if not card.ours and "country" not in record:
        countries = [record.get("company_country")] + [a.get("country") for a in addresses]
        if found := next((c for c in countries if c), None):
            record["country"] = found


def _urls(card: _Card, record: dict[str, object]) -> None:
    """The company's URL (chosen like its address) as company_website, the rest as websites."""
    company = _company_index(card, "URL")
    websites: list[str] = []
    for index, (_, text) in enumerate(card.values.get("URL", [])):
        if value := unescape(text):
            if index == company:
                record["company_website"] = value
            elif value not in websites:
                websites.append(value)
    if websites:
        record["websites"] = websites


def _extra(card: _Card) -> dict[str, str]:
    """Named values of everything the record has no field for: X-GREENTECH-EXTRA (ours) by its
    name, other properties by their name (and item label), the names of binary ones listed."""
    extra: dict[str, str] = {}

    def put(name: str, value: str) -> None:
        key, number = name, 1
        while key in extra:
            number += 1
            key = f"{name} {number}"
        extra[key] = value

    for name, entries in card.values.items():
        if name in _STORED:
            continue
        for index, (prop, text) in enumerate(entries):
            if (name, index) in card.used:
                continue
            if name == EXTRA_PROPERTY:
                # NAME;VALUE, each escaped as text (a semicolon inside is "\;")
                key, *rest = split_escaped(text, ";")
                value = ";".join(rest)
                if unescape(key) and unescape(value):
                    put(unescape(key), unescape(value))
                continue
            if value := unescape(text):
                label = card.labels.get(prop.group, "")
                put(f"{name} ({label})" if label else name, value)
    for key, value in card.invalid:
        put(key, value)
    if card.binary:
        put(NOT_IMPORTED, ", ".join(card.binary) + " (binary data)")
    return extra


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
