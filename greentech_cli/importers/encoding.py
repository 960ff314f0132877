"""Detect how a text file is encoded and refuse binary data, by BOM, UTF-8 and code page."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from greentech_cli.errors import UnreadableFile

SAMPLE_BYTES = 64 * 1024
ENCODING_CANDIDATES = ["cp1252", "cp1251", "koi8_r", "cp866"]
_UTF8_CHUNK = 256 * 1024
_BINARY_MAGICS = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"BZh", b"7z\xbc\xaf")
_LINE_BREAK_RE = re.compile(rb"\r\n|\r|\n")
_LETTER_RE = re.compile(r"[^\W\d_]+")
_CYRILLIC_RE = re.compile("[\u0400-\u052f]")
_ASCII_LETTER_RE = re.compile("[A-Za-z]")
# Serbian/Macedonian letters and Ґ sit where cp1252 has € „ … ‹ and similar; Russian and Kazakh
# lists do not use them, and no word starts with a soft or hard sign or with ы.
_RARE_CYRILLIC_RE = re.compile("[ЂЃЉЊЌЋЏђѓљњќћџЅѕЈјҐґ]")
_NO_WORD_STARTS = frozenset("ЬьЪъЫы")


def bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def bomless_utf16(head: bytes) -> str | None:
    """Recognise UTF-16 without a BOM by the NUL byte in every other position."""
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nuls, odd_nuls = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def check_binary(head: bytes, name: str) -> None:
    """Refuse binary files and text files with NUL bytes in the first 64 KB."""
    if head.startswith(_BINARY_MAGICS):
        raise UnreadableFile(f"{name} looks like a binary file, not CSV.")
    controls = sum(head.count(bytes([code])) for code in range(32) if code not in (9, 10, 12, 13))
    if head and controls / len(head) > 0.05:
        raise UnreadableFile(f"{name} looks like a binary file, not CSV.")
    position = head.find(b"\x00")
    if position >= 0:
        line = len(_LINE_BREAK_RE.findall(head[:position])) + 1
        raise UnreadableFile(f"{name} contains a NUL byte at line {line}; it is not clean text.")


def detect_encoding(path: Path, head: bytes) -> str:
    """Strict UTF-8 over the whole file, else the most plausible single-byte code page."""
    bad_offset = _first_utf8_error(path)
    if bad_offset is None:
        return "utf-8"
    sample = head
    if bad_offset >= len(head):
        # The first non-UTF-8 byte lies beyond the head: look at the text around it too.
        with path.open("rb") as handle:
            handle.seek(max(0, bad_offset - SAMPLE_BYTES // 2))
            sample = head + b"\n" + handle.read(SAMPLE_BYTES)
    return _guess_code_page(sample, path.name)


def _first_utf8_error(path: Path) -> int | None:
    """Return the offset of the first byte that is not valid UTF-8, or None."""
    return first_decode_error(path, "utf-8")


def first_decode_error(path: Path, encoding: str) -> int | None:
    """Return the offset of the first byte that ``encoding`` cannot decode, or None."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_UTF8_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return offset + max(0, exc.start)
            if not chunk:
                return None
            offset += len(chunk)


def _guess_code_page(sample: bytes, name: str) -> str:
    from charset_normalizer import from_bytes

    matches = [match.encoding for match in from_bytes(sample, cp_isolation=ENCODING_CANDIDATES)]
    candidates = [enc for enc in matches if enc in ENCODING_CANDIDATES]
    if not candidates:
        raise UnreadableFile(
            f"{name}: the text encoding cannot be recognised; give it with --encoding."
        )
    # charset-normalizer takes short German files for cp1251 ("ÖzdemirÖ" reads "ЦzdemirЦ"):
    # words that mix Latin and Cyrillic letters, or that no Russian or Kazakh text has, betray
    # the wrong code page.
    scored = []
    for order, encoding in enumerate(candidates):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((_implausible_words(text), order, encoding))
    if not scored:
        return candidates[0]
    return min(scored)[2]


def _implausible_words(text: str) -> int:
    """Count words that only a wrong code page produces."""
    count = 0
    for word in _LETTER_RE.findall(text):
        if not _CYRILLIC_RE.search(word):
            continue
        if (
            _ASCII_LETTER_RE.search(word)
            or word[0] in _NO_WORD_STARTS
            or _RARE_CYRILLIC_RE.search(word)
        ):
            count += 1
    return count


def decode_sample(head: bytes, encoding: str, *, complete: bool, name: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        return decoder.decode(head, final=complete)
    except UnicodeDecodeError as exc:
        line = len(_LINE_BREAK_RE.findall(head[: exc.start])) + 1
        raise UnreadableFile(
            f"{name} line {line} cannot be decoded as {encoding}; give the right --encoding."
        ) from None


def line_at(path: Path, offset: int) -> int:
    """Return the 1-based line holding byte ``offset`` (CR, LF and CRLF all end a line)."""
    breaks = 0
    position = 0
    previous_cr = False
    with path.open("rb") as handle:
        while position < offset:
            chunk = handle.read(min(_UTF8_CHUNK, offset - position))
            if not chunk:
                break
            breaks += len(_LINE_BREAK_RE.findall(chunk))
            if previous_cr and chunk.startswith(b"\n"):
                breaks -= 1  # a CRLF split across two chunks was counted twice
            previous_cr = chunk.endswith(b"\r")
            position += len(chunk)
    return breaks + 1
