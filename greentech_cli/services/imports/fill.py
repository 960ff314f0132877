"""What an import does with a row that duplicates a stored record (`--on-duplicate fill|update`)."""

from __future__ import annotations

from typing import Any

from greentech_cli.services.identity import merge
from greentech_cli.services.identity.duplicates import overwrite


def take_row(
    on_duplicate: str,
    entity: str,
    entity_id: int,
    current: Any,
    incoming: Any,
    names: tuple[str, ...],
) -> tuple[bool, list[str]]:
    """Bring a row's values into the stored record it duplicates: whether that changed it, and
    the warnings for the row.

    `update` overwrites with every value the row has. `fill` follows the rule of `contact merge`
    (fill what is empty, unite lists, append notes, honour a withdrawn consent) and says which
    stored values it kept over the file's, so none is dropped unseen.
    """
    if on_duplicate == "update":
        return overwrite(current, incoming, names), []
    if entity == "contact":
        changes = merge.contact_changes(current, incoming)
    else:
        changes = merge.field_changes(current, incoming, names)
    merge.apply_changes(current, changes)
    warnings = [
        f"{_label(change.field)} withdrawn for {entity} {entity_id}: the file says no"
        for change in changes
        if change.action == "withdraw" and change.field in merge.CONSENTS
    ]
    kept = [_label(c.field) for c in changes if c.action == "conflict"]
    if kept:
        warnings.append(
            f"same as {entity} {entity_id}, whose stored {', '.join(kept)} "
            f"{'was' if len(kept) == 1 else 'were'} kept over the file's "
            "(--on-duplicate update takes the file's)"
        )
    return any(change.action != "conflict" for change in changes), warnings


def _label(field: str) -> str:
    """A field as warnings name it: "share consent", "company" (for company_id)."""
    return "company" if field == "company_id" else field.replace("_", " ")
