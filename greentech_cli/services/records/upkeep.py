"""Values derived from records by rules of greentech's (name keys), kept to today's rules.

A database written by an older greentech holds keys made by older rules: `Test1 Müller` keyed as
`muller test` would meet a new `Test Müller`. `derived_versions` records by which version of its
rules each kind of derived value was made (today's: `migrations.DERIVED_VERSIONS`; a new database
is stamped with them); `keep_current` makes the stale ones again once, under the write lock, when a
command opens the database. A file it may not write (read-only, or busy with another writer for
longer than a refusal waits) is left as it is, and the next command tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from greentech_cli.db import transaction
from greentech_cli.errors import GreentechError
from greentech_cli.migrations import DERIVED_VERSIONS
from greentech_cli.store import health

if TYPE_CHECKING:
    from greentech_cli.db import Database

# What makes each kind of derived value again (and says how many values changed); the version
# of its rules today is `migrations.DERIVED_VERSIONS`.
REMAKE: dict[str, Callable[[Database], int]] = {"name-keys": health.recompute_name_keys}


def stale(db: Database) -> list[str]:
    """The derived values made by rules older than today's (or by unknown ones)."""
    made = health.derived_versions(db)
    return [name for name, version in DERIVED_VERSIONS.items() if made.get(name) != version]


def keep_current(db: Database) -> int:
    """Make again every derived value made by older rules; how many values changed (0 when
    everything was current, or when the file could not be written now)."""
    if not stale(db):
        return 0
    changed = 0
    try:
        with transaction(db, refuse="updating the name keys"):
            for name in stale(db):
                changed += REMAKE[name](db)
                health.set_derived_version(db, name, DERIVED_VERSIONS[name])
    except GreentechError:
        return 0
    return changed
