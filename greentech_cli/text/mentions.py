"""Finding a person in free text (a note naming them), and replacing those mentions."""

from __future__ import annotations

import json
import re
from typing import Any

ERASED = "[erased]"


def _list(text: str | None) -> list[Any]:
    """A stored JSON list (of aliases, emails or phones); [] when there is none."""
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _phone_pattern(value: str) -> str | None:
    """A number as written in free text: its digits with any spaces, dots, dashes or brackets."""
    digits = re.sub(r"\D", "", value)
    if len(digits) < 6:
        return None
    return r"\+?" + r"[\s./()-]*".join(digits)


def _values(text: str | None) -> list[str]:
    """The values of a stored list of emails or phones."""
    return [i.get("value") or "" for i in _list(text) if isinstance(i, dict)]


class Mentions:
    """Finds a person in free text: their full name (either order), native name, aliases of more
    than one word, every email and every phone number (however spaced). A first or last name
    alone is no mention: too many people share it."""

    def __init__(self, contact: dict[str, Any]) -> None:
        first, last = contact.get("first_name"), contact.get("last_name")
        names = [f"{first} {last}", f"{last} {first}", f"{last}, {first}"] if first and last else []
        names += [contact.get("native_name") or ""]
        names += [a for a in _list(contact.get("aliases")) if isinstance(a, str) and " " in a]
        emails = [contact.get("email") or "", *_values(contact.get("emails"))]
        phones = [contact.get("phone") or "", contact.get("mobile") or ""]
        phones += _values(contact.get("phones"))
        words = {n.strip() for n in names + emails if n and len(n.strip()) >= 3}
        parts = [re.escape(w).replace(r"\ ", r"\s+") for w in words]
        parts += [p for p in {_phone_pattern(n) for n in phones if n} if p]
        parts.sort(key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)
            if parts
            else None
        )
        self.id = contact["id"]

    def excerpts(self, text: str) -> list[str]:
        """Each mention with a little of the text around it."""
        if self.pattern is None:
            return []
        return [
            text[max(0, m.start() - 30) : m.end() + 30].replace("\n", " ")
            for m in self.pattern.finditer(text)
        ]

    def redact(self, value: Any) -> Any:
        """The value (a text, or a JSON mapping or list) with each mention replaced."""
        if isinstance(value, dict):
            return {k: self.redact(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.redact(v) for v in value]
        if isinstance(value, str) and self.pattern is not None:
            return self.pattern.sub(ERASED, value)
        return value
