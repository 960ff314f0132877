"""Column profiles: which columns an export or list shows, chosen by name or given one by one.

A profile is a YAML data file (``data/profiles/NAME.yaml``; an officer's own in the
``profiles`` folder beside the config file, which win over shipped ones of the same name)::

    kind: contacts            # contacts, companies or any
    audience: host            # host: handed to others, so never an internal column
    description: for a host company
    columns: [first_name, last_name, company, email, phone, role]   # or: all

A host-facing profile may not hold an internal column (consent, lawful basis, notes, tags,
bookkeeping): such a file is refused, not trimmed silently. The member columns ``role`` and
``status`` exist only in a delegation's or visit's sheet; a profile naming them elsewhere
leaves them out, while ``--columns`` naming a column the export does not have is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from greentech_cli.errors import InvalidData, UsageError
from greentech_cli.resources import data_path

# Columns never handed to a host or partner: consent and its bookkeeping, the officer's notes
# and tags, the lawful basis, extra values of unknown content and the internal uid.
INTERNAL_COLUMNS = frozenset(
    {
        "notes",
        "tags",
        "share_consent",
        "share_consent_date",
        "share_consent_source",
        "lawful_basis",
        "marketing_consent",
        "extra",
        "uid",
        "register_ids",
    }
)
# Columns only a delegation's (or a visit's) sheet has.
MEMBER_COLUMNS = ("role", "status")
AUDIENCES = ("host", "internal")
KINDS = ("contacts", "companies", "any")


@dataclass(frozen=True)
class Profile:
    """A named choice of columns."""

    name: str
    kind: str
    audience: str
    description: str
    columns: tuple[str, ...] | None  # None: every column
    path: Path


def user_folder() -> Path:
    """Where an officer's own profiles live: ``profiles/`` beside the config file."""
    from greentech_cli.config import config_path

    return config_path().parent / "profiles"


def _folders() -> list[Path]:
    return [user_folder(), data_path("profiles")]


def names() -> list[str]:
    """Every profile name, shipped and the officer's own, sorted."""
    found: set[str] = set()
    for folder in _folders():
        if folder.is_dir():
            found |= {p.stem for p in folder.glob("*.yaml")}
    return sorted(found)


def load(name: str) -> Profile:
    """The profile called `name` (the officer's own first), checked; a usage error if unknown."""
    wanted = name.strip().lower()
    for folder in _folders():
        path = folder / f"{wanted}.yaml"
        if wanted and "/" not in wanted and path.is_file():
            return _read(wanted, path)
    raise UsageError(f"unknown column profile {name!r}; choose one of {', '.join(names())}")


def _read(name: str, path: Path) -> Profile:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())
        raise InvalidData(f"cannot read the column profile {path}: {reason}") from None
    if not isinstance(data, dict):
        raise InvalidData(f"the column profile {path} must be a mapping (kind, columns, …)")
    kind = str(data.get("kind", "any"))
    audience = str(data.get("audience", "internal"))
    if kind not in KINDS or audience not in AUDIENCES:
        raise InvalidData(
            f"the column profile {path}: kind must be one of {', '.join(KINDS)} and audience "
            f"one of {', '.join(AUDIENCES)}"
        )
    raw = data.get("columns")
    columns: tuple[str, ...] | None
    if raw == "all":
        columns = None
    elif isinstance(raw, list) and raw and all(isinstance(c, str) for c in raw):
        columns = tuple(c.strip() for c in raw)
    else:
        raise InvalidData(f"the column profile {path}: columns must be a list of names or 'all'")
    if audience == "host":
        internal = [c for c in columns or ("all",) if c in INTERNAL_COLUMNS or c == "all"]
        if internal:
            raise InvalidData(
                f"the column profile {path} is for hosts but names internal column(s) "
                f"{', '.join(internal)}; remove them or set audience: internal"
            )
    return Profile(name, kind, audience, str(data.get("description", "")), columns, path)


def parse_columns(text: str) -> list[str]:
    """``--columns a,b,c`` as a list of names (spaces ignored, empty items refused)."""
    columns = [c.strip() for c in text.split(",")]
    if not text.strip() or any(not c for c in columns):
        raise UsageError(f"--columns takes names separated by commas, not {text!r}")
    return columns


def choose(
    available: list[str], kind: str, *, columns: str | None, profile: str | None
) -> list[str]:
    """The columns to write: from ``--columns`` or ``--profile``, else every available one.

    Unknown names in ``--columns`` are refused with the list of choices; a profile's member
    columns are left out where the export has none.
    """
    if columns is not None and profile is not None:
        raise UsageError("give either --columns or --profile, not both")
    if columns is not None:
        chosen = parse_columns(columns)
        unknown = [c for c in chosen if c not in available]
        if unknown:
            raise UsageError(
                f"unknown column(s) {', '.join(unknown)}; choose from {', '.join(available)}"
            )
        return list(dict.fromkeys(chosen))
    if profile is None:
        return available
    found = load(profile)
    if found.kind not in (kind, "any"):
        raise UsageError(f"the column profile {found.name!r} is for {found.kind}, not {kind}")
    if found.columns is None:
        return available
    unknown = [c for c in found.columns if c not in available and c not in MEMBER_COLUMNS]
    if unknown:
        raise InvalidData(
            f"the column profile {found.path} names unknown column(s) {', '.join(unknown)}; "
            f"choose from {', '.join(available)}"
        )
    return [c for c in dict.fromkeys(found.columns) if c in available]
