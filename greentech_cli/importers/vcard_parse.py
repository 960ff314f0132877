"""Parse vCard bytes into properties: BOM and encodings, unfolding, quoted-printable, escapes."""

from __future__ import annotations

import base64
import binascii
import codecs
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from greentech_cli.errors import InvalidData, UnreadableFile


def word_set(text: str) -> frozenset[str]:
    """A set of the space-separated words of ``text`` (keeps long word lists readable)."""
    return frozenset(text.split())


_TRANSFER_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})
_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", "\\": "\\", ":": ":"}


@dataclass
class _Property:
    """One content line: its name, its parameters and its value still as bytes."""

    name: str
    group: str
    params: dict[str, list[str]]
    types: set[str]
    raw: bytes


@dataclass
class _Decoder:
    """Decodes property values and remembers which encodings the file turned out to use."""

    forced: str | None = None
    utf8_values: int = 0
    fallback_values: int = 0

    def text(self, raw: bytes, charset: str | None) -> str:
        """Decode one value: its CHARSET, else the forced encoding, else UTF-8, else cp1252."""
        if charset:
            declared = _decode_declared(raw, charset)
            if declared is not None:
                return declared
        if raw.isascii():
            return raw.decode("ascii")
        if self.forced is not None:
            try:
                return raw.decode(self.forced)
            except (LookupError, ValueError) as exc:
                raise UnreadableFile(
                    f"A vCard value cannot be decoded as {self.forced}; the file uses "
                    "another encoding."
                ) from exc
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            self.utf8_values += 1
            return text
        # A value that is mostly valid UTF-8 with a stray byte (Android writes such cards) is
        # damaged UTF-8, not Latin-1: keep its characters and mark the bad byte.
        damaged = raw.decode("utf-8", "replace")
        if any(ord(ch) > 127 and ch != "\ufffd" for ch in damaged):
            self.utf8_values += 1
            return damaged
        self.fallback_values += 1
        return _decode_cp1252(raw)

    def encoding_used(self) -> str:
        """Name the encoding the undeclared values were in (utf-8 when all were ASCII)."""
        if self.forced is not None:
            return self.forced
        if self.fallback_values and self.utf8_values:
            return "utf-8/cp1252"
        if self.fallback_values:
            return "cp1252"
        return "utf-8"


def _decode_cp1252(raw: bytes) -> str:
    """Decode as cp1252, falling back to Latin-1 for the five bytes cp1252 leaves undefined."""
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _decode_declared(raw: bytes, charset: str) -> str | None:
    """Decode with a CHARSET parameter, or None when that charset is unknown or does not fit."""
    try:
        name = codecs.lookup(charset.strip().strip('"')).name
    except (LookupError, ValueError):
        return None
    if name.startswith(("utf-16", "utf-32")):
        # A value inside an ASCII-based file cannot really be UTF-16; the parameter is wrong.
        return None
    if name in ("latin-1", "iso8859-1"):
        # Writers that say ISO-8859-1 mean the Windows superset (curly quotes, € in 0x80-0x9F).
        return _decode_cp1252(raw)
    try:
        return raw.decode(name)
    except (LookupError, ValueError):
        return None


def _check_encoding(encoding: str | None) -> str | None:
    """Return the codec name for a requested encoding, refusing names Python does not know."""
    if encoding is None or not encoding.strip():
        return None
    try:
        info = codecs.lookup(encoding.strip())
    except LookupError as exc:
        raise InvalidData(f"Unknown encoding {encoding!r}.") from exc
    if not getattr(info, "_is_text_encoding", True):
        raise InvalidData(f"{encoding!r} is not a text encoding.")
    return info.name


def _prepare(data: bytes, forced: str | None) -> tuple[bytes, str | None, str | None]:
    """Strip a BOM and turn UTF-16/32 files into UTF-8 bytes, so the rest works on ASCII lines."""
    wide: str | None = None
    reported: str | None = None
    if data.startswith(codecs.BOM_UTF8):
        # An encoding the caller insists on still wins over the BOM for the values.
        return data[len(codecs.BOM_UTF8) :], None if forced else "utf-8-sig", forced
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        wide = reported = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        wide = reported = "utf-16"
    elif forced is not None and forced.startswith(("utf-16", "utf-32")):
        wide = reported = forced
    elif data.startswith(b"\x00B\x00E\x00G"):
        # Some Windows tools write UTF-16 without a BOM; NULs between letters give it away.
        wide = reported = "utf-16-be"
    elif data.startswith(b"B\x00E\x00G\x00"):
        wide = reported = "utf-16-le"
    if wide is None:
        return data, None, forced
    text = data.decode(wide, "replace")
    return text.encode("utf-8", "surrogatepass"), reported, None


def _unfold(data: bytes) -> list[bytes]:
    """Join folded lines and quoted-printable soft breaks on bytes; return the logical lines."""
    lines: list[bytes] = []
    parts: list[bytes] = []
    quoted: bool | None = None
    for physical in data.splitlines():
        if parts:
            if quoted is None:
                quoted = _is_quoted_printable(parts)
            if quoted and _ends_soft_break(parts[-1]) and not _is_card_boundary(physical):
                # 2.1 soft break: the next line continues the value whatever it starts with.
                parts[-1] = parts[-1].rstrip(b" \t")[:-1]
                parts.append(physical)
                continue
            if physical[:1] in (b" ", b"\t"):
                # Remove exactly one whitespace: a second one is part of the value.
                parts.append(physical[1:])
                continue
            lines.append(b"".join(parts))
        parts = [physical]
        quoted = None
    if parts:
        lines.append(b"".join(parts))
    return lines


def _is_quoted_printable(parts: list[bytes]) -> bool | None:
    """Tell whether a line's parameters say QUOTED-PRINTABLE; None until its colon is seen."""
    joined = parts[0] if len(parts) == 1 else b"".join(parts)
    colon = joined.find(b":")
    if colon < 0:
        # No real header is this long; deciding now keeps a colon-less flood linear.
        return False if len(joined) > 4096 else None
    return b"QUOTED-PRINTABLE" in joined[:colon].upper()


def _ends_soft_break(segment: bytes) -> bool:
    """Tell whether a quoted-printable segment ends with a soft line break."""
    return segment.rstrip(b" \t").endswith(b"=")


def _is_card_boundary(line: bytes) -> bool:
    """Recognise BEGIN/END:VCARD so a broken soft break never swallows the next card."""
    return line.strip().upper() in (b"END:VCARD", b"BEGIN:VCARD")


def _split_cards(lines: Iterable[bytes]) -> list[list[_Property]] | None:
    """Group parsed properties into cards; None when no BEGIN:VCARD was found at all."""
    cards: list[list[_Property]] = []
    current: list[_Property] | None = None
    nested = 0
    seen_begin = False
    for line in lines:
        prop = _parse_line(line)
        if prop is None:
            continue
        marker = prop.raw.strip().upper() if prop.name in ("BEGIN", "END") else b""
        if prop.name == "BEGIN" and marker == b"VCARD":
            seen_begin = True
            if current is not None and (
                nested or (current and current[-1].name == "AGENT" and not current[-1].raw.strip())
            ):
                # A 2.1 AGENT embeds a whole card: skip it rather than take it for a contact.
                nested += 1
                continue
            if current is not None:
                cards.append(current)
            current = []
            continue
        if prop.name == "END" and marker == b"VCARD":
            if nested:
                nested -= 1
            elif current is not None:
                cards.append(current)
                current = None
            continue
        if current is not None and not nested:
            current.append(prop)
    if current is not None:
        cards.append(current)
    return cards if seen_begin else None


def _parse_line(line: bytes) -> _Property | None:
    """Split one logical line into group, name, parameters and raw value; None if it is not one."""
    colon = _find_value_colon(line)
    if colon < 0:
        return None
    # Names and parameters are ASCII by the standards; Latin-1 never fails on the odd exception.
    header = line[:colon].decode("latin-1")
    pieces = _split_outside_quotes(header, ";")
    group, _, name = pieces[0].strip().rpartition(".")
    name = name.strip().upper()
    if not name:
        return None
    params: dict[str, list[str]] = {}
    types: set[str] = set()
    for piece in pieces[1:]:
        key, equals, value = piece.partition("=")
        key = key.strip().upper()
        if not equals:
            # vCard 2.1 bare parameters: TEL;WORK;VOICE or PHOTO;BASE64.
            if key in _TRANSFER_ENCODINGS:
                params.setdefault("ENCODING", []).append(key)
            elif key:
                types.add(key.lower())
            continue
        values = [v.strip().strip('"') for v in _split_outside_quotes(value, ",")]
        if key == "TYPE":
            # 4.0 writers quote the list (TYPE="work,voice"); its commas still separate types.
            values = [t.strip() for v in values for t in v.split(",")]
            types.update(v.lower() for v in values if v)
        params.setdefault(key, []).extend(values)
    if "PREF" in params:
        types.add("pref")
    return _Property(
        name=name, group=group.strip().upper(), params=params, types=types, raw=line[colon + 1 :]
    )


def _find_value_colon(line: bytes) -> int:
    """Find the colon that starts the value, skipping colons inside quoted parameter values."""
    colon = line.find(b":")
    quote = line.find(b'"')
    if colon < 0 or quote < 0 or quote > colon:
        return colon
    inside = False
    for index, byte in enumerate(line):
        if byte == 0x22:
            inside = not inside
        elif byte == 0x3A and not inside:
            return index
    return -1


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    """Split parameter text on a separator that is not inside double quotes."""
    if '"' not in text:
        return text.split(separator)
    pieces: list[str] = []
    current: list[str] = []
    inside = False
    for char in text:
        if char == '"':
            inside = not inside
            current.append(char)
        elif char == separator and not inside:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return pieces


def _value_text(prop: _Property, decoder: _Decoder) -> str | None:
    """Undo the transfer encoding and the charset of a value; None when it cannot be decoded."""
    raw = prop.raw
    encoding = (prop.params.get("ENCODING") or [""])[0].upper()
    if encoding == "QUOTED-PRINTABLE":
        raw = binascii.a2b_qp(raw)
    elif encoding in ("BASE64", "B"):
        try:
            raw = base64.b64decode(b"".join(raw.split()), validate=False)
        except (binascii.Error, ValueError):
            return None
    charset = (prop.params.get("CHARSET") or [""])[0]
    text = decoder.text(raw, charset or None)
    # Line ends inside values (quoted-printable =0D=0A, bare CR) all become one "\n".
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_escaped(text: str, separator: str) -> list[str]:
    """Split on a separator that is not escaped by a backslash, keeping the escapes."""
    if separator not in text:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index : index + 2])
            index += 2
            continue
        if char == separator:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    pieces.append("".join(current))
    return pieces


def unescape(text: str) -> str:
    """Undo vCard text escapes (\\n \\, \\; \\\\ and Google's \\:); other backslashes stay."""
    if "\\" not in text:
        return unicodedata.normalize("NFC", text).strip()
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in _ESCAPES:
            out.append(_ESCAPES[text[index + 1]])
            index += 2
            continue
        out.append(char)
        index += 1
    # NFC only now: normalising earlier could merge an escape's letter with a combining mark.
    return unicodedata.normalize("NFC", "".join(out)).strip()


def _components(text: str, count: int) -> list[str]:
    """Split a structured value (N, ADR, ORG) into at least ``count`` unescaped components."""
    parts = [unescape(part) for part in split_escaped(text, ";")]
    return parts + [""] * (count - len(parts))
