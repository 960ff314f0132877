"""The PostgreSQL baseline's functions and triggers (the tables are in `postgres_tables`)."""

# Three of SQLite's scalar functions the store's privacy SQL uses, with SQLite's answers:
# instr (1-based position, 0 when absent), json_valid (1 or 0) and json_extract of a top-level
# `$.key` path (the value as text; NULL for invalid JSON rather than an error).
FUNCTIONS = """
CREATE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE AS $$ SELECT strpos(haystack, needle) $$;
CREATE FUNCTION json_valid(doc TEXT) RETURNS INTEGER LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM doc::jsonb;
    RETURN CASE WHEN doc IS NULL THEN NULL ELSE 1 END;
EXCEPTION WHEN others THEN
    RETURN 0;
END $$;
CREATE FUNCTION json_extract(doc TEXT, path TEXT) RETURNS TEXT LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN doc::jsonb ->> substr(path, 3);
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$;
"""

# SQLite's triggers, one PL/pgSQL function each (a function serves the insert, update and delete
# triggers of one purpose, as SQLite's three triggers did).
TRIGGERS = """
CREATE FUNCTION greentech_retire_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO retired_ids (name, last_id) VALUES (TG_TABLE_NAME, old.id)
    ON CONFLICT (name) DO UPDATE SET last_id = greatest(retired_ids.last_id, excluded.last_id);
    RETURN NULL;
END $$;
CREATE TRIGGER contacts_retire_id AFTER DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION greentech_retire_id();
CREATE TRIGGER companies_retire_id AFTER DELETE ON companies
    FOR EACH ROW EXECUTE FUNCTION greentech_retire_id();

CREATE FUNCTION greentech_journal_fts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM journal_fts WHERE rowid = old.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO journal_fts (rowid, text, keys) VALUES (new.id, new.text, new.search_keys);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER journal_fts_insert AFTER INSERT ON journal
    FOR EACH ROW EXECUTE FUNCTION greentech_journal_fts();
CREATE TRIGGER journal_fts_update AFTER UPDATE OF text, search_keys ON journal
    FOR EACH ROW EXECUTE FUNCTION greentech_journal_fts();
CREATE TRIGGER journal_fts_delete AFTER DELETE ON journal
    FOR EACH ROW EXECUTE FUNCTION greentech_journal_fts();

CREATE FUNCTION greentech_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'contacts' THEN
        INSERT INTO journal (contact_id, kind, text, at, status, created_at, updated_at)
        VALUES (new.id, 'note', new.notes, new.updated_at, 'done', new.updated_at, new.updated_at);
    ELSE
        INSERT INTO journal (company_id, kind, text, at, status, created_at, updated_at)
        VALUES (new.id, 'note', new.notes, new.updated_at, 'done', new.updated_at, new.updated_at);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER contacts_note_insert AFTER INSERT ON contacts
    FOR EACH ROW WHEN (coalesce(new.notes, '') <> '') EXECUTE FUNCTION greentech_note();
CREATE TRIGGER contacts_note_update AFTER UPDATE OF notes ON contacts
    FOR EACH ROW WHEN (coalesce(new.notes, '') <> '' AND new.notes IS DISTINCT FROM old.notes)
    EXECUTE FUNCTION greentech_note();
CREATE TRIGGER companies_note_insert AFTER INSERT ON companies
    FOR EACH ROW WHEN (coalesce(new.notes, '') <> '') EXECUTE FUNCTION greentech_note();
CREATE TRIGGER companies_note_update AFTER UPDATE OF notes ON companies
    FOR EACH ROW WHEN (coalesce(new.notes, '') <> '' AND new.notes IS DISTINCT FROM old.notes)
    EXECUTE FUNCTION greentech_note();

CREATE FUNCTION greentech_journal_detach() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM journal WHERE company_id = old.id AND contact_id IS NULL;
    UPDATE journal SET company_id = NULL WHERE company_id = old.id;
    RETURN old;
END $$;
CREATE TRIGGER companies_journal_detach BEFORE DELETE ON companies
    FOR EACH ROW EXECUTE FUNCTION greentech_journal_detach();

CREATE FUNCTION greentech_contact_emails() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM contact_emails WHERE contact_id = old.id;
    END IF;
    IF TG_OP <> 'DELETE' AND jsonb_array_length(new.emails::jsonb) > 1 THEN
        INSERT INTO contact_emails (email, contact_id)
        SELECT j.value ->> 'value', new.id
        FROM jsonb_array_elements(new.emails::jsonb) WITH ORDINALITY AS j(value, n)
        WHERE j.n > 1 AND j.value ->> 'value' IS NOT NULL
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER contact_emails_insert AFTER INSERT ON contacts
    FOR EACH ROW EXECUTE FUNCTION greentech_contact_emails();
CREATE TRIGGER contact_emails_update AFTER UPDATE OF emails ON contacts
    FOR EACH ROW WHEN (new.emails IS DISTINCT FROM old.emails)
    EXECUTE FUNCTION greentech_contact_emails();
CREATE TRIGGER contact_emails_delete AFTER DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION greentech_contact_emails();

CREATE FUNCTION greentech_b2b_meeting_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO visit_tombstones (uid, delegation_id, title, start_local, end_local, timezone,
        end_timezone, sequence, removed_at)
    SELECT v.uid, v.delegation_id, coalesce(b.title, v.title), v.start_local, v.end_local,
        v.timezone, v.end_timezone, v.sequence + 1,
        to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '+00:00'
    FROM visits AS v LEFT JOIN visits AS b ON b.id = v.parent_id
    WHERE v.id = old.slot_visit_id AND v.parent_id = old.visit_id AND v.uid IS NOT NULL
    ON CONFLICT (uid) DO UPDATE SET delegation_id = excluded.delegation_id,
        title = excluded.title, start_local = excluded.start_local,
        end_local = excluded.end_local, timezone = excluded.timezone,
        end_timezone = excluded.end_timezone, sequence = excluded.sequence,
        removed_at = excluded.removed_at;
    DELETE FROM visits WHERE id = old.slot_visit_id AND parent_id = old.visit_id;
    RETURN NULL;
END $$;
CREATE TRIGGER b2b_meeting_gone AFTER DELETE ON b2b_meetings
    FOR EACH ROW WHEN (old.slot_visit_id IS NOT NULL)
    EXECUTE FUNCTION greentech_b2b_meeting_gone();
"""
