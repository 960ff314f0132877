"""Email addresses: checked, with a lower-case domain."""

from __future__ import annotations

import re
from functools import lru_cache

from greentech_cli.errors import InvalidData
from greentech_cli.text.cleaning import clean

# --- email ---------------------------------------------------------------------------------


# Plain ASCII addresses are by far the most common; they skip the full validator, which is
# still used for everything else (international addresses, quoted parts, special-use domains).
_SIMPLE_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$"
)


def normalize_email(value: str | None) -> str | None:
    """A valid email address with its domain lower-cased; an invalid one raises InvalidData."""
    text = clean(value)
    if text is None:
        return None
    simple = _SIMPLE_EMAIL.match(text)
    # "--" in a domain label may be punycode ("xn--") or reserved ("ab--c"): the validator decides.
    if simple and "--" not in simple[1] and len(text) <= 254 and len(text.split("@")[0]) <= 64:
        domain = simple[1].lower()
        if domain.rsplit(".", 1)[-1] not in _special_use_domains():
            return text[: simple.start(1)] + domain
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidData(f"invalid email address {text!r}: {exc}") from exc
    return str(result.normalized)


@lru_cache(maxsize=1)
def _special_use_domains() -> frozenset[str]:
    import email_validator

    return frozenset(str(d) for d in email_validator.SPECIAL_USE_DOMAIN_NAMES)
