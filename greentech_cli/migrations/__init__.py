"""Append-only schema migrations: one function per step, never edited once released.

The steps are plain functions so that opening an up-to-date database costs one query; sqlite-utils'
Migrations (which applies and records them) is imported only when a step is pending.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection
from typing import Any

from greentech_cli.migrations.initial import SCHEMA  # the first release's schema, kept apart

MIGRATION_SET = "greentech"
# The version of the rules that make each kind of derived value stored in the rows (the name keys
# of `text.names.name_key` and `text.company_names.company_key`). Raise one when its rules give
# another value for the same record: a database holding values made by older rules (or by rules
# of unknown age) has them made again when opened (`services.records.upkeep`); a new database is
# made by today's rules. name-keys 2: numbers kept in keys, placeholders without one.
DERIVED_VERSIONS = {"name-keys": 2}
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' bookkeeping table

# (name, function) in the order they apply; new steps are appended, old ones never change.
STEPS: list[tuple[str, Callable[[Any], None]]] = []


def step(fn: Callable[[Any], None]) -> Callable[[Any], None]:
    """Register a migration step under its function name."""
    STEPS.append((fn.__name__, fn))
    return fn


@step
def m001_initial(db: Any) -> None:
    """Create every table of the first release."""
    _run(db, SCHEMA)


# A random UUID (version 4) per row, in SQL, for rows that exist when a step adds `uid`.
_NEW_UID = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
    "substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random()) % 4, 1) || "
    "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
)
_ONE = "json_object('value', {0}, 'type', '{1}')"

RICH_RECORDS = f"""
ALTER TABLE contacts ADD COLUMN uid TEXT;
ALTER TABLE contacts ADD COLUMN emails TEXT NOT NULL DEFAULT '[]';
ALTER TABLE contacts ADD COLUMN phones TEXT NOT NULL DEFAULT '[]';
ALTER TABLE contacts ADD COLUMN addresses TEXT NOT NULL DEFAULT '[]';
ALTER TABLE contacts ADD COLUMN websites TEXT NOT NULL DEFAULT '[]';
ALTER TABLE contacts ADD COLUMN birthday TEXT;
ALTER TABLE contacts ADD COLUMN aliases TEXT NOT NULL DEFAULT '[]';
ALTER TABLE contacts ADD COLUMN extra TEXT NOT NULL DEFAULT '{{}}';
UPDATE contacts SET uid = {_NEW_UID},
    emails = CASE WHEN email IS NULL THEN '[]' ELSE json_array({_ONE.format("email", "work")}) END,
    phones = CASE
        WHEN phone IS NULL AND mobile IS NULL THEN '[]'
        WHEN mobile IS NULL THEN json_array({_ONE.format("phone", "work")})
        WHEN phone IS NULL THEN json_array({_ONE.format("mobile", "mobile")})
        ELSE json_array({_ONE.format("phone", "work")}, {_ONE.format("mobile", "mobile")})
    END;
CREATE UNIQUE INDEX contacts_uid ON contacts(uid);
ALTER TABLE companies ADD COLUMN uid TEXT;
ALTER TABLE companies ADD COLUMN websites TEXT NOT NULL DEFAULT '[]';
ALTER TABLE companies ADD COLUMN emails TEXT NOT NULL DEFAULT '[]';
ALTER TABLE companies ADD COLUMN phones TEXT NOT NULL DEFAULT '[]';
UPDATE companies SET uid = {_NEW_UID},
    websites = CASE WHEN website IS NULL THEN '[]' ELSE json_array(website) END;
CREATE UNIQUE INDEX companies_uid ON companies(uid);
CREATE TABLE retired_ids (name TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
INSERT INTO retired_ids (name, last_id)
    SELECT 'contacts', coalesce(max(id), 0) FROM contacts
    UNION ALL SELECT 'companies', coalesce(max(id), 0) FROM companies;
CREATE TRIGGER contacts_retire_id AFTER DELETE ON contacts BEGIN INSERT INTO retired_ids (name, last_id) VALUES ('contacts', old.id) ON CONFLICT (name) DO UPDATE SET last_id = max(last_id, excluded.last_id); END;
CREATE TRIGGER companies_retire_id AFTER DELETE ON companies BEGIN INSERT INTO retired_ids (name, last_id) VALUES ('companies', old.id) ON CONFLICT (name) DO UPDATE SET last_id = max(last_id, excluded.last_id); END
"""  # noqa: E501


@step
def m002_rich_records(db: Any) -> None:
    """Contacts hold lists of emails, phones and addresses, websites, a birthday, aliases and
    extra values, and a random uid (companies too: emails, phones, websites, uid); ids of
    deleted contacts and companies are never given again."""
    _run(db, RICH_RECORDS)


def _run(db: Any, script: str) -> None:
    # executescript would commit the migration's transaction; run statements one by one.
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


@step
def m003_audit_without_values(db: Any) -> None:
    """Audit entries name fields, never values: drop the company name and the delegation code
    that earlier versions kept in each "create" entry (a company may be named after a person)."""
    for entity, key in (("company", "$.name"), ("delegation", "$.code")):
        db.execute(
            "UPDATE audit_log SET fields = json_remove(fields, ?) "
            "WHERE entity = ? AND action = 'create' AND json_valid(fields) "
            "AND json_type(fields, ?) IS NOT NULL",
            [key, entity, key],
        )


TRIP = """
ALTER TABLE visits ADD COLUMN room TEXT;
ALTER TABLE visits ADD COLUMN lat REAL;
ALTER TABLE visits ADD COLUMN lon REAL;
ALTER TABLE visits ADD COLUMN parent_id INTEGER REFERENCES visits(id) ON DELETE SET NULL;
ALTER TABLE visits ADD COLUMN capacity INTEGER;
ALTER TABLE visits ADD COLUMN mode TEXT;
ALTER TABLE visits ADD COLUMN end_timezone TEXT;
ALTER TABLE visits ADD COLUMN from_company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL;
ALTER TABLE visits ADD COLUMN from_place TEXT;
ALTER TABLE visits ADD COLUMN from_lat REAL;
ALTER TABLE visits ADD COLUMN from_lon REAL;
ALTER TABLE visits ADD COLUMN from_timezone TEXT;
ALTER TABLE visits ADD COLUMN to_company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL;
ALTER TABLE visits ADD COLUMN to_place TEXT;
ALTER TABLE visits ADD COLUMN to_lat REAL;
ALTER TABLE visits ADD COLUMN to_lon REAL;
ALTER TABLE visits ADD COLUMN to_timezone TEXT;
CREATE INDEX visits_parent ON visits(parent_id);
CREATE TABLE geocoded (
    key TEXT PRIMARY KEY,
    lat REAL,
    lon REAL,
    created_at TEXT NOT NULL
);
CREATE TABLE member_dietary (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    needs TEXT NOT NULL,
    consent_date TEXT NOT NULL,
    consent_source TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
)
"""


@step
def m005_trip(db: Any) -> None:
    """The trip as it runs: a visit's own venue (room, coordinates), its block (parent), its
    capacity, a transfer's mode and from/to places, a flight's arrival zone; places found in the
    gazetteer when saved (geocoded); members' dietary needs, stored apart with their consent."""
    _run(db, TRIP)


B2B = """
CREATE TABLE b2b_sessions (visit_id INTEGER PRIMARY KEY REFERENCES visits(id) ON DELETE CASCADE, slot_minutes INTEGER NOT NULL, break_minutes INTEGER NOT NULL DEFAULT 0, tables INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE b2b_interpreters (visit_id INTEGER NOT NULL REFERENCES b2b_sessions(visit_id) ON DELETE CASCADE, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, languages TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (visit_id, contact_id));
CREATE TABLE b2b_participants (visit_id INTEGER NOT NULL REFERENCES b2b_sessions(visit_id) ON DELETE CASCADE, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, max_meetings INTEGER, available_from TEXT, available_to TEXT, PRIMARY KEY (visit_id, contact_id));
CREATE TABLE b2b_requests (id INTEGER PRIMARY KEY, visit_id INTEGER NOT NULL REFERENCES b2b_sessions(visit_id) ON DELETE CASCADE, requester_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, wanted_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, priority INTEGER NOT NULL DEFAULT 2, source TEXT NOT NULL DEFAULT 'manual', created_at TEXT NOT NULL, UNIQUE (visit_id, requester_id, wanted_id));
CREATE INDEX b2b_requests_wanted ON b2b_requests(wanted_id);
CREATE TABLE b2b_meetings (visit_id INTEGER NOT NULL REFERENCES b2b_sessions(visit_id) ON DELETE CASCADE, slot INTEGER NOT NULL, table_no INTEGER NOT NULL, a_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, b_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, interpreter_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL, PRIMARY KEY (visit_id, slot, table_no));
CREATE INDEX b2b_meetings_a ON b2b_meetings(a_id);
CREATE INDEX b2b_meetings_b ON b2b_meetings(b_id);
CREATE INDEX b2b_meetings_interpreter ON b2b_meetings(interpreter_id)
"""  # noqa: E501


@step
def m006_b2b(db: Any) -> None:
    """B2B matchmaking (issue 20): a block visit's session settings (slot length, break,
    tables), its interpreters with their language pairs, participants with availability and
    maximums, meeting requests with priorities, and the scheduled grid."""
    _run(db, B2B)


# The follow-up journal (notes, calls, meetings, leads, agreements, next steps), per-visit
# attendance and the anonymous tallies a retention purge leaves behind. A contact's or company's
# `notes` column keeps the latest note; every note written to it is appended to the journal by
# the triggers below, whichever command wrote it, so no earlier text is lost.
FOLLOWUPS = """
CREATE TABLE journal (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    company_id INTEGER REFERENCES companies(id) ON DELETE CASCADE,
    visit_id INTEGER REFERENCES visits(id) ON DELETE SET NULL,
    delegation_id INTEGER REFERENCES delegations(id) ON DELETE SET NULL,
    kind TEXT NOT NULL DEFAULT 'note',
    text TEXT NOT NULL,
    at TEXT NOT NULL,
    owner TEXT,
    due TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    search_keys TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (contact_id IS NOT NULL OR company_id IS NOT NULL)
);
CREATE INDEX journal_contact ON journal(contact_id, at);
CREATE INDEX journal_company ON journal(company_id, at);
CREATE INDEX journal_delegation ON journal(delegation_id);
CREATE INDEX journal_visit ON journal(visit_id);
CREATE INDEX journal_due ON journal(status, due);
CREATE VIRTUAL TABLE journal_fts USING fts5(
    text, keys, tokenize = "unicode61 remove_diacritics 2"
);
CREATE TRIGGER journal_fts_insert AFTER INSERT ON journal BEGIN INSERT INTO journal_fts (rowid, text, keys) VALUES (new.id, new.text, new.search_keys); END;
CREATE TRIGGER journal_fts_update AFTER UPDATE OF text, search_keys ON journal BEGIN DELETE FROM journal_fts WHERE rowid = old.id; INSERT INTO journal_fts (rowid, text, keys) VALUES (new.id, new.text, new.search_keys); END;
CREATE TRIGGER journal_fts_delete AFTER DELETE ON journal BEGIN DELETE FROM journal_fts WHERE rowid = old.id; INSERT INTO journal_fts (journal_fts) VALUES ('optimize'); END;
CREATE TRIGGER contacts_note_insert AFTER INSERT ON contacts WHEN coalesce(new.notes, '') != '' BEGIN INSERT INTO journal (contact_id, kind, text, at, status, created_at, updated_at) VALUES (new.id, 'note', new.notes, new.updated_at, 'done', new.updated_at, new.updated_at); END;
CREATE TRIGGER contacts_note_update AFTER UPDATE OF notes ON contacts WHEN coalesce(new.notes, '') != '' AND new.notes IS NOT old.notes BEGIN INSERT INTO journal (contact_id, kind, text, at, status, created_at, updated_at) VALUES (new.id, 'note', new.notes, new.updated_at, 'done', new.updated_at, new.updated_at); END;
CREATE TRIGGER companies_note_insert AFTER INSERT ON companies WHEN coalesce(new.notes, '') != '' BEGIN INSERT INTO journal (company_id, kind, text, at, status, created_at, updated_at) VALUES (new.id, 'note', new.notes, new.updated_at, 'done', new.updated_at, new.updated_at); END;
CREATE TRIGGER companies_note_update AFTER UPDATE OF notes ON companies WHEN coalesce(new.notes, '') != '' AND new.notes IS NOT old.notes BEGIN INSERT INTO journal (company_id, kind, text, at, status, created_at, updated_at) VALUES (new.id, 'note', new.notes, new.updated_at, 'done', new.updated_at, new.updated_at); END;
INSERT INTO journal (contact_id, kind, text, at, status, created_at, updated_at)
    SELECT id, 'note', notes, updated_at, 'done', updated_at, updated_at FROM contacts
    WHERE coalesce(notes, '') != '' ORDER BY id;
INSERT INTO journal (company_id, kind, text, at, status, created_at, updated_at)
    SELECT id, 'note', notes, updated_at, 'done', updated_at, updated_at FROM companies
    WHERE coalesce(notes, '') != '' ORDER BY id;
CREATE TABLE attendance (
    visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('present', 'absent', 'excused')),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (visit_id, contact_id)
);
CREATE INDEX attendance_contact ON attendance(contact_id);
CREATE TABLE report_tallies (
    delegation_id INTEGER NOT NULL REFERENCES delegations(id) ON DELETE CASCADE,
    metric TEXT NOT NULL,
    label TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (delegation_id, metric, label)
);
CREATE TABLE retention_purges (
    id INTEGER PRIMARY KEY,
    delegation_id INTEGER REFERENCES delegations(id) ON DELETE SET NULL,
    at TEXT NOT NULL,
    contacts INTEGER NOT NULL
)
"""  # noqa: E501


@step
def m007_followups(db: Any) -> None:
    """The follow-up journal (existing notes of contacts and companies become its first
    entries, and every later note is appended), its full-text index, per-visit attendance and
    the anonymous tallies a retention purge keeps."""
    _run(db, FOLLOWUPS)


@step
def m008_journal_outlives_companies(db: Any) -> None:
    """A removed company takes only the journal entries about it alone: entries about its people
    stay with them, their company link cleared (m007 let the removal cascade to them all)."""
    db.execute(
        "CREATE TRIGGER companies_journal_detach BEFORE DELETE ON companies BEGIN "
        "DELETE FROM journal WHERE company_id = old.id AND contact_id IS NULL; "
        "UPDATE journal SET company_id = NULL WHERE company_id = old.id; END"
    )


MERGE_IMAGES = """
CREATE TABLE merge_images (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    keep_id INTEGER NOT NULL,
    other_id INTEGER NOT NULL,
    keep_before TEXT NOT NULL,
    keep_after TEXT NOT NULL,
    other_before TEXT NOT NULL,
    links TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    undone_at TEXT
);
CREATE INDEX merge_images_keep ON merge_images(entity, keep_id);
CREATE INDEX merge_images_other ON merge_images(entity, other_id)
"""


@step
def m004_merge_images(db: Any) -> None:
    """A merge keeps both records as they were (and what it moved), so `contact unmerge` and
    `company unmerge` can part them again; `privacy report` and `privacy erase` cover them.
    (Appended after m007: its number was given before the steps between were written.)"""
    _run(db, MERGE_IMAGES)


# Issue 17: a visit's SEQUENCE, officer-only notes, title/notes/place per language (JSON), and
# tombstones of removed visits (kept while the delegation lives) for STATUS:CANCELLED.
ITINERARIES = """
ALTER TABLE visits ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE visits ADD COLUMN internal_notes TEXT;
ALTER TABLE visits ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
CREATE TABLE visit_tombstones (
    uid TEXT PRIMARY KEY,
    delegation_id INTEGER NOT NULL REFERENCES delegations(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    start_local TEXT NOT NULL,
    end_local TEXT NOT NULL,
    timezone TEXT NOT NULL,
    end_timezone TEXT,
    sequence INTEGER NOT NULL,
    removed_at TEXT NOT NULL
);
CREATE INDEX visit_tombstones_delegation ON visit_tombstones(delegation_id)
"""


@step
def m008_itineraries(db: Any) -> None:
    """Calendars that update (a visit's sequence, tombstones of removed visits), internal notes
    and per-language titles, notes and places of visits."""
    _run(db, ITINERARIES)


# Every email of a contact beyond its primary (the `email` column), so that a second address
# finds its contact by an index seek; kept by triggers, so every writer keeps it right. Most
# contacts hold one email: the triggers' WHEN clauses leave those rows alone. `derived_versions`
# says by which version of the rules derived values (name keys, the search index) were made:
# a row missing or older is made again when the database is opened (`services.records.upkeep`).
KEY_UPKEEP = """
CREATE TABLE contact_emails (
    email TEXT NOT NULL COLLATE NOCASE,
    contact_id INTEGER NOT NULL,
    PRIMARY KEY (email, contact_id)
) WITHOUT ROWID;
CREATE INDEX contact_emails_contact ON contact_emails(contact_id);
INSERT OR IGNORE INTO contact_emails (email, contact_id) SELECT j.value ->> 'value', c.id FROM contacts AS c, json_each(c.emails) AS j WHERE j.key > 0 AND j.value ->> 'value' IS NOT NULL;
CREATE TRIGGER contact_emails_insert AFTER INSERT ON contacts WHEN json_array_length(new.emails) > 1 BEGIN INSERT OR IGNORE INTO contact_emails (email, contact_id) SELECT j.value ->> 'value', new.id FROM json_each(new.emails) AS j WHERE j.key > 0 AND j.value ->> 'value' IS NOT NULL; END;
CREATE TRIGGER contact_emails_update AFTER UPDATE OF emails ON contacts WHEN new.emails IS NOT old.emails BEGIN DELETE FROM contact_emails WHERE contact_id = old.id; INSERT OR IGNORE INTO contact_emails (email, contact_id) SELECT j.value ->> 'value', new.id FROM json_each(new.emails) AS j WHERE j.key > 0 AND j.value ->> 'value' IS NOT NULL; END;
CREATE TRIGGER contact_emails_delete AFTER DELETE ON contacts BEGIN DELETE FROM contact_emails WHERE contact_id = old.id; END;
CREATE TABLE derived_versions (name TEXT PRIMARY KEY, version INTEGER NOT NULL)
"""  # noqa: E501


@step
def m009_key_upkeep(db: Any) -> None:
    """A contact's further emails looked up like its primary one; the versions of derived keys."""
    _run(db, KEY_UPKEEP)


# Issue 19: a delegation's own retention periods ("18m", "90d"; NULL: the config's default), for
# its travellers' data and for their dietary needs (special-category data).
@step
def m010_delegation_retention(db: Any) -> None:
    """Retention periods per delegation: `retention` (the travellers' data) and
    `retention_dietary` (their dietary needs), each kept after the delegation's end date."""
    _run(
        db,
        "ALTER TABLE delegations ADD COLUMN retention TEXT;\n"
        "ALTER TABLE delegations ADD COLUMN retention_dietary TEXT",
    )


# Issue 20: a scheduled meeting is a slot (child visit) of its block, linked from its grid row;
# named rooms in place of numbered tables; an interpreter's hours. A grid row that goes (its
# person erased) takes its slot visit along, leaving a tombstone for the calendars titled as
# the block (the erased person's name is not kept in it).
B2B_SLOTS = """
ALTER TABLE b2b_meetings ADD COLUMN slot_visit_id INTEGER REFERENCES visits(id) ON DELETE CASCADE;
CREATE INDEX b2b_meetings_slot_visit ON b2b_meetings(slot_visit_id);
ALTER TABLE b2b_sessions ADD COLUMN rooms TEXT;
ALTER TABLE b2b_interpreters ADD COLUMN available_from TEXT;
ALTER TABLE b2b_interpreters ADD COLUMN available_to TEXT;
CREATE TRIGGER b2b_meeting_gone AFTER DELETE ON b2b_meetings WHEN old.slot_visit_id IS NOT NULL BEGIN INSERT OR REPLACE INTO visit_tombstones (uid, delegation_id, title, start_local, end_local, timezone, end_timezone, sequence, removed_at) SELECT v.uid, v.delegation_id, coalesce(b.title, v.title), v.start_local, v.end_local, v.timezone, v.end_timezone, v.sequence + 1, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') FROM visits AS v LEFT JOIN visits AS b ON b.id = v.parent_id WHERE v.id = old.slot_visit_id AND v.parent_id = old.visit_id AND v.uid IS NOT NULL; DELETE FROM visits WHERE id = old.slot_visit_id AND parent_id = old.visit_id; END
"""  # noqa: E501


@step
def m010_b2b_slots(db: Any) -> None:
    """B2B meetings as slots of their block visit (check, itineraries and calendars read them
    like any other item), named rooms, and interpreters' hours."""
    _run(db, B2B_SLOTS)


# Issue 17: a visit called off but kept (`status`), and who was taken off a visit they attended
# (removed as its attendee, or no longer a member who attends by default), so that their own
# calendar gets STATUS:CANCELLED for it; a row goes when they attend it again.
VISIT_CANCELLATIONS = """
ALTER TABLE visits ADD COLUMN status TEXT NOT NULL DEFAULT 'planned';
CREATE TABLE visit_dropouts (
    visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    dropped_at TEXT NOT NULL,
    PRIMARY KEY (visit_id, contact_id)
);
CREATE INDEX visit_dropouts_contact ON visit_dropouts(contact_id)
"""


@step
def m011_visit_cancellations(db: Any) -> None:
    """A visit's status (planned, confirmed, cancelled) and the attendees taken off a visit."""
    _run(db, VISIT_CANCELLATIONS)


def known_names() -> list[str]:
    """The names of every step this version of greentech knows, in order."""
    return [name for name, _ in STEPS]


def applied_names(conn: sqlite3.Connection) -> list[str]:
    """The steps a database has applied (none for a blank file)."""
    try:
        rows = conn.execute(
            f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY id",
            [MIGRATION_SET],
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
    return [str(row[0]) for row in rows]


def pending_names(conn: sqlite3.Connection) -> list[str]:
    """The steps a database still needs."""
    applied = set(applied_names(conn))
    return [name for name in known_names() if name not in applied]


def apply(conn: sqlite3.Connection, names: Collection[str] | None = None) -> None:
    """Apply the pending steps (only those in `names` when given), recorded as sqlite-utils does.

    Each step runs in its own transaction, or in a savepoint of the caller's.
    """
    from sqlite_utils import Database, Migrations

    fresh = not applied_names(conn)
    migrations = Migrations(MIGRATION_SET)
    for name, fn in STEPS:
        if names is None or name in names:
            migrations(name=name)(fn)
    migrations.apply(Database(conn))
    if fresh and "derived_versions" in Database(conn).table_names():
        # A new database: whatever it will hold is made by today's rules.
        conn.executemany(
            "INSERT INTO derived_versions (name, version) VALUES (?, ?)", DERIVED_VERSIONS.items()
        )


def schema_version(db: Any) -> int:
    """How many migrations the database has applied."""
    return len(applied_names(db.conn))


def latest_version() -> int:
    """How many migrations this version of greentech knows."""
    return len(STEPS)
