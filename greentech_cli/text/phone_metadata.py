"""Phone numbers read fast: what phonenumbers says of a number, straight from its metadata.

`fast_e164(text, region)` answers what ``phonenumbers.parse(text, region)`` followed by
``is_valid_number`` and ``format_number(…, E164)`` gives — the E.164 text of a valid number, or
`NOT_VALID` when parse raises or the number is not valid — but only for text made of ASCII digits,
spaces and ``+ - / . ( )``, and only where every step is certain: each step below mirrors one in
phonenumbers/phonenumberutil.py (named in the comments). Anything else — letters, extensions, an
international prefix such as 810 written without '+', regions whose national prefix is a pattern
or is rewritten — gives None ("don't know"), and the caller runs phonenumbers itself
(tests/test_phones.py compares both on random and real-world shaped text). phonenumbers is
imported only when its metadata is first needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Only these characters: with them, phonenumbers' extraction, extension and RFC 3966 steps
# cannot remove or add a digit (every extension form needs a letter, '#', '~', ';' or ',').
_SHAPE = re.compile(r"[0-9 +\-/.()]{1,250}")
# fast_e164's answer when phonenumbers.parse raises or the number it gives is not valid.
NOT_VALID = ""


class _Raises:
    """phonenumbers.parse certainly raises NumberParseException for this reading."""


_RAISES = _Raises()
# A reading: None (unsure), _RAISES, or what parse gives: (country code, national significant
# number). The national number keeps Italian-style leading zeros: phonenumbers stores them as
# italian_leading_zero / number_of_leading_zeros and national_significant_number() gives back
# exactly these digits, which is also what format_number(E164) writes after the country code.
_Reading = tuple[int, str] | _Raises | None
_MIN_NSN = 2  # phonenumberutil._MIN_LENGTH_FOR_NSN
_MAX_NSN = 17  # phonenumberutil._MAX_LENGTH_FOR_NSN
_NON_GEO = "001"


def fast_e164(text: str, region: str | None) -> str | None:
    """E.164 when phonenumbers reads `text` (with `region`) as a valid number, NOT_VALID when it
    certainly does not, None when that is not certain."""
    if not _SHAPE.fullmatch(text):
        return None
    return fast_e164_of_digits(plain_digits(text), region)


def plain_digits(text: str) -> str:
    """Text of the fast path's characters without all but digits and '+' (faster than a regex)."""
    return (
        text.replace(" ", "")
        .replace("-", "")
        .replace("/", "")
        .replace(".", "")
        .replace("(", "")
        .replace(")", "")
    )


def fast_e164_of_digits(digits: str, region: str | None) -> str | None:
    """fast_e164 of text made of ASCII digits and '+' only (as plain_digits leaves it): for text
    of the fast path's characters phonenumbers reads the text and its digits alike."""
    # At most one plus, before every digit; at least 3 digits so the text is a "viable" number.
    if len(digits) - digits.startswith("+") < 3 or digits.rfind("+") > 0:
        return None
    if _CODES is None:
        _load()
    if digits[0] == "+":
        reading = _international(digits[1:])
        if reading is _RAISES and region is not None:
            return None  # parse uses the region of a '+' number to retry after a bad country code
    else:
        reading = _national(digits, region)
    if reading is None:
        return None
    if reading is _RAISES:
        return NOT_VALID
    assert isinstance(reading, tuple)
    code, national = reading
    return f"+{code}{national}" if _is_valid(code, national) else NOT_VALID


def dialling(region: str) -> tuple[int, str] | None:
    """A region's country calling code and national (trunk) prefix: (49, "0") for DE, (7, "8")
    for RU, (998, "") for UZ; None for a region phonenumbers lacks."""
    if _CODES is None:
        _load()
    plan = _plan(region, 0) if region in _REGIONS else None
    return None if plan is None else (plan.code, plan.trunk)


# --- the two routes through phonenumbers.parse -----------------------------------------------


def _international(number: str) -> _Reading:
    """`+<number>` (all digits, at least 3): _maybe_extract_country_code's plus-sign branch."""
    if len(number) <= _MIN_NSN or number[0] == "0":
        # Too short after the '+' (not even viable), or no country code (none starts with 0;
        # parse's retry without the '+' finds none either).
        return _RAISES
    for size in (1, 2, 3):  # _extract_country_code: int(number[:size]) in the table
        code = _CODE_TEXT.get(number[:size], 0)
        if code:
            break
    else:
        return _RAISES  # INVALID_COUNTRY_CODE
    plan = _main_plan(code)  # parse: the calling code's main region's metadata
    if plan is None or not plan.simple:
        return None
    return _finish(code, number[size:], plan)


def _national(number: str, region: str | None) -> _Reading:
    """Digits without '+' read with a default region (parse's default-country branch)."""
    if region is None or region not in _REGIONS:  # loaded by fast_e164
        return _RAISES  # _check_region_for_parsing: no region and no '+'
    plan = _plan(region, 0)
    if plan is None or not plan.simple:
        return None
    if plan.idd is not None and plan.idd.match(number):
        return None  # might be an international prefix (00, 810, 011 …): let phonenumbers decide
    if number.startswith(plan.code_text):
        # _maybe_extract_country_code: the region's own calling code written without '+'.
        potential = _strip_national_prefix(number[len(plan.code_text) :], plan)
        general = plan.general
        if (
            general.fullmatch(number) is None and general.fullmatch(potential) is not None
        ) or _length(number, plan) == "too long":
            main_plan = plan if _codes()[plan.code][0] == region else _main_plan(plan.code)
            if main_plan is None or not main_plan.simple:
                return None
            return _finish(plan.code, potential, main_plan)
    return _finish(plan.code, number, plan)


def _finish(code: int, national: str, plan: _Plan) -> _Reading:
    """parse after the country code: national prefix and lengths."""
    if len(national) < _MIN_NSN:
        return _RAISES  # TOO_SHORT_NSN
    stripped = _strip_national_prefix(national, plan)
    # Keep the stripped number only when it still has a full length (parse's comment: it could
    # otherwise be a short number).
    if stripped is not national and _length(stripped, plan) in ("possible", "too long"):
        national = stripped
    if len(national) < _MIN_NSN or len(national) > _MAX_NSN:
        return _RAISES  # TOO_SHORT_NSN / TOO_LONG
    return code, national


def _strip_national_prefix(number: str, plan: _Plan) -> str:
    """_maybe_strip_national_prefix_carrier_code for a literal prefix without transform rule."""
    prefix = plan.prefix
    if not number or not prefix or not number.startswith(prefix):
        return number
    rest = number[len(prefix) :]
    if plan.general.fullmatch(number) is not None and plan.general.fullmatch(rest) is None:
        return number  # the number was viable with its prefix and is not without
    return rest


def _length(number: str, plan: _Plan) -> str:
    """_test_number_length against the general description (PhoneNumberType.UNKNOWN)."""
    size = len(number)
    if size < len(plan.sizes):
        return plan.sizes[size]
    return _length_of(size, plan.lengths, plan.local_lengths)


def _length_of(size: int, lengths: tuple[int, ...], local_lengths: frozenset[int]) -> str:
    """The steps of _test_number_length for one size."""
    if size in local_lengths:
        return "local only"
    if lengths[0] == size:
        return "possible"
    if lengths[0] > size:
        return "too short"
    if lengths[-1] < size:
        return "too long"
    return "possible" if size in lengths[1:] else "invalid length"


def _is_valid(code: int, nsn: str) -> bool:
    """is_valid_number: region_code_for_number, then is_valid_number_for_region."""
    single = _SINGLE.get(code)
    if single is not None:
        return single.has_type(nsn)
    regions = _codes()[code]
    region: str | None = None
    if len(regions) == 1:
        region = regions[0]
        plan = _plan(region, code)
        if plan is not None and (region == _NON_GEO or plan.code == code):
            _SINGLE[code] = plan  # the checks below always pass for this code
    else:
        # _region_code_for_number_from_list: leading digits when given, else full validation.
        for candidate in regions:
            plan = _plan(candidate, code)
            if plan is None:
                continue
            if plan.leading is not None:
                if plan.leading.match(nsn):
                    region = candidate
                    break
            elif plan.has_type(nsn):
                region = candidate
                break
    if region is None:
        return False
    plan = _plan(region, code)
    if plan is None or (region != _NON_GEO and plan.code != code):
        return False
    return plan.has_type(nsn)


# --- metadata, compiled once per region ------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """What the fast path needs of one region's PhoneMetadata, compiled."""

    code: int
    code_text: str
    simple: bool  # national prefix is a literal (or absent) and never rewritten
    prefix: str | None  # national_prefix_for_parsing when simple
    trunk: str  # national_prefix, "" for none (what people dial before a national number)
    idd: re.Pattern[str] | None
    general: re.Pattern[str]
    general_lengths: frozenset[int]
    lengths: tuple[int, ...]
    local_lengths: frozenset[int]
    sizes: tuple[str, ...]  # _length_of for sizes 0 to 250 (empty without lengths)
    leading: re.Pattern[str] | None
    # Each number type as (possible lengths or empty for "any", pattern).
    types: tuple[tuple[frozenset[int], re.Pattern[str]], ...]
    # For each length up to _MAX_NSN: one alternation of the types allowing that length (None:
    # none does). Only "some type matches" counts, and an alternation fullmatches exactly
    # when one of its branches does (the patterns have no anchors, flags or back-references).
    by_length: tuple[re.Pattern[str] | None, ...]

    def has_type(self, nsn: str) -> bool:
        """_number_type_helper(nsn, metadata) != PhoneNumberType.UNKNOWN."""
        size = len(nsn)
        if self.general_lengths and size not in self.general_lengths:
            return False
        if self.general.fullmatch(nsn) is None:
            return False
        if size < len(self.by_length):
            combined = self.by_length[size]
            return combined is not None and combined.fullmatch(nsn) is not None
        for lengths, pattern in self.types:
            if (not lengths or size in lengths) and pattern.fullmatch(nsn) is not None:
                return True
        return False


_NEVER = re.compile(r"(?!)")
# Back-references, inline flags, named groups or anchors would change meaning when joined.
_UNSAFE_TO_JOIN = re.compile(r"\\[1-9]|\(\?[^:]|[$^]")
_PLANS: dict[str, _Plan | None] = {}  # by region code
_NON_GEO_PLANS: dict[int, _Plan | None] = {}  # "001" by calling code
_MAIN: dict[int, _Plan | None] = {}  # by calling code: its main region's plan
_SINGLE: dict[int, _Plan] = {}  # calling codes of one region: the plan is_valid_number uses
_CODES: dict[int, tuple[str, ...]] | None = None  # COUNTRY_CODE_TO_REGION_CODE
_REGIONS: frozenset[str] = frozenset()  # SUPPORTED_REGIONS
_CODE_TEXT: dict[str, int] = {}  # "49" -> 49 for every calling code


def _load() -> None:
    global _CODES, _REGIONS, _CODE_TEXT
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, SUPPORTED_REGIONS

    _REGIONS = frozenset(SUPPORTED_REGIONS)
    _CODE_TEXT = {str(code): code for code in COUNTRY_CODE_TO_REGION_CODE}
    _CODES = dict(COUNTRY_CODE_TO_REGION_CODE)


def _codes() -> dict[int, tuple[str, ...]]:
    if _CODES is None:
        _load()
    assert _CODES is not None
    return _CODES


def _main_plan(code: int) -> _Plan | None:
    """The metadata parse and is_possible_number use for a calling code: its main region's."""
    try:
        return _MAIN[code]
    except KeyError:
        plan = _MAIN[code] = _plan(_codes()[code][0], code)
        return plan


def _plan(region: str, code: int) -> _Plan | None:
    """The compiled metadata of a region (code is used only for the non-geographic "001")."""
    if region == _NON_GEO:
        if code not in _NON_GEO_PLANS:
            from phonenumbers import PhoneMetadata

            metadata = PhoneMetadata.metadata_for_nongeo_region(code, None)
            _NON_GEO_PLANS[code] = None if metadata is None else _compile(metadata)
        return _NON_GEO_PLANS[code]
    if region not in _PLANS:
        from phonenumbers import PhoneMetadata

        metadata = PhoneMetadata.metadata_for_region(region, None)
        _PLANS[region] = None if metadata is None else _compile(metadata)
    return _PLANS[region]


def _pattern(desc: Any) -> re.Pattern[str] | None:
    text = None if desc is None else desc.national_number_pattern
    # _match_national_number: no pattern never matches.
    return re.compile(text) if text else None


def _compile(metadata: Any) -> _Plan:
    general = metadata.general_desc
    prefix = metadata.national_prefix_for_parsing or None
    lengths = tuple(general.possible_length) if general is not None else ()
    simple = (
        not metadata.national_prefix_transform_rule
        and prefix == (metadata.national_prefix or None)
        and (prefix is None or prefix.isdigit())
        and bool(lengths)
        and general is not None
    )
    descs = [metadata.fixed_line]
    if not metadata.same_mobile_and_fixed_line_pattern:
        descs.append(metadata.mobile)
    descs += [
        metadata.premium_rate,
        metadata.toll_free,
        metadata.shared_cost,
        metadata.voip,
        metadata.personal_number,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
    ]
    types = []
    for desc in descs:
        pattern = _pattern(desc)
        if pattern is not None:
            types.append((frozenset(desc.possible_length), pattern))
    by_length: list[re.Pattern[str] | None] = []
    for size in range(_MAX_NSN + 1):
        branches = [p.pattern for lengths, p in types if not lengths or size in lengths]
        if any(_UNSAFE_TO_JOIN.search(branch) for branch in branches):
            by_length = []  # not seen in the metadata; the per-type loop still answers
            break
        joined = "|".join(f"(?:{branch})" for branch in branches)
        by_length.append(re.compile(joined) if branches else None)
    idd = metadata.international_prefix
    local = frozenset(general.possible_length_local_only if general is not None else ())
    return _Plan(
        code=metadata.country_code,
        code_text=str(metadata.country_code),
        simple=simple,
        prefix=prefix,
        trunk=metadata.national_prefix or "",
        idd=re.compile(idd) if idd is not None else None,
        general=_pattern(general) or _NEVER,
        general_lengths=frozenset(general.possible_length if general is not None else ()),
        lengths=lengths,
        local_lengths=local,
        sizes=tuple(_length_of(size, lengths, local) for size in range(251)) if lengths else (),
        leading=None if metadata.leading_digits is None else re.compile(metadata.leading_digits),
        types=tuple(types),
        by_length=tuple(by_length),
    )
