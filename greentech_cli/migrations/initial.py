"""The first release's schema (step m001_initial), kept apart because it is long; never edited."""

SCHEMA = """
CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'company',
    legal_form TEXT,
    sectors TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    street TEXT,
    postcode TEXT,
    city TEXT,
    region TEXT,
    country TEXT,
    website TEXT,
    lat REAL,
    lon REAL,
    vat_id TEXT,
    register_ids TEXT NOT NULL DEFAULT '{}',
    notes TEXT,
    name_key TEXT NOT NULL DEFAULT '',
    created_batch_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX companies_name ON companies(name);
CREATE INDEX companies_name_nocase ON companies(name COLLATE NOCASE, id);
CREATE INDEX companies_name_key ON companies(name_key);
CREATE INDEX companies_vat_id ON companies(vat_id);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    salutation TEXT,
    title TEXT,
    first_name TEXT,
    last_name TEXT,
    native_name TEXT,
    position TEXT,
    department TEXT,
    company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
    email TEXT,
    phone TEXT,
    mobile TEXT,
    country TEXT,
    languages TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    notes TEXT,
    lawful_basis TEXT,
    share_consent TEXT NOT NULL DEFAULT 'unknown',
    share_consent_date TEXT,
    share_consent_source TEXT,
    marketing_consent TEXT NOT NULL DEFAULT 'unknown',
    name_key TEXT NOT NULL DEFAULT '',
    created_batch_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX contacts_email ON contacts(email COLLATE NOCASE);
CREATE INDEX contacts_company ON contacts(company_id);
CREATE INDEX contacts_name_key ON contacts(name_key, company_id);
CREATE INDEX contacts_phone ON contacts(phone);
CREATE INDEX contacts_mobile ON contacts(mobile);
CREATE INDEX contacts_last_first
    ON contacts(last_name COLLATE NOCASE, first_name COLLATE NOCASE, id);

CREATE TABLE delegations (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'other',
    direction TEXT NOT NULL,
    origin_country TEXT,
    destination_country TEXT,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    timezone TEXT NOT NULL,
    home_timezone TEXT,
    host_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
    partner_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
    sectors TEXT NOT NULL DEFAULT '[]',
    topic TEXT,
    status TEXT NOT NULL DEFAULT 'planned',
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    delegation_id INTEGER NOT NULL REFERENCES delegations(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'delegate',
    status TEXT NOT NULL DEFAULT 'registered',
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (delegation_id, contact_id)
);
CREATE INDEX members_contact ON members(contact_id);

CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    delegation_id INTEGER NOT NULL REFERENCES delegations(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'other',
    start_local TEXT NOT NULL,
    end_local TEXT NOT NULL,
    timezone TEXT NOT NULL,
    company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
    location TEXT,
    notes TEXT,
    uid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX visits_delegation ON visits(delegation_id, start_local);
CREATE INDEX visits_company ON visits(company_id);

CREATE TABLE visit_hosts (
    visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (visit_id, contact_id)
);
CREATE INDEX visit_hosts_contact ON visit_hosts(contact_id);

CREATE TABLE visit_attendees (
    visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (visit_id, contact_id)
);
CREATE INDEX visit_attendees_contact ON visit_attendees(contact_id);

CREATE TABLE dedupe_ignores (
    entity TEXT NOT NULL,
    a_id INTEGER NOT NULL,
    b_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (entity, a_id, b_id)
);

CREATE TABLE import_batches (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    format TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT 'contacts',
    encoding TEXT,
    delimiter TEXT,
    preset TEXT,
    mapping TEXT NOT NULL DEFAULT '{}',
    delegation_id INTEGER REFERENCES delegations(id) ON DELETE SET NULL,
    rows INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    undone_at TEXT
);

CREATE TABLE import_changes (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES import_batches(id) ON DELETE CASCADE,
    entity TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX import_changes_batch ON import_changes(batch_id);
CREATE INDEX import_changes_entity ON import_changes(entity, entity_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    command TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    action TEXT NOT NULL,
    fields TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_at ON audit_log(at);

-- Full-text search; the rowid is the contact's or company's id, kept in step by the store.
CREATE VIRTUAL TABLE contacts_fts USING fts5(
    names, details, keys, tokenize = "unicode61 remove_diacritics 2"
);
CREATE VIRTUAL TABLE companies_fts USING fts5(
    names, details, keys, tokenize = "unicode61 remove_diacritics 2"
);
"""
