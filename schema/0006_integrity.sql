-- fundpool schema 6: the record log (one hash chain over every record that matters), import
-- batches, and the guard on the ledger's total posted volume.

-- Every write appends the written row's canonical form here, in commit order. Each entry's hash
-- is SHA-256 over the previous entry's hash and its own kind, key and body, so the log is one
-- chain: `verify` replays it and compares the last body per (kind, key) with the tables, and an
-- anchor kept outside the database pins a prefix of it.
CREATE TABLE record_log (
    seq  INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    body TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
) STRICT;

CREATE INDEX record_log_key ON record_log(kind, key, seq);

CREATE TRIGGER record_log_no_update BEFORE UPDATE ON record_log BEGIN SELECT RAISE(ABORT, 'the record log is append-only'); END;
CREATE TRIGGER record_log_no_delete BEFORE DELETE ON record_log BEGIN SELECT RAISE(ABORT, 'the record log is append-only'); END;

-- One row per imported file: the same content again is a no-op that names this batch.
CREATE TABLE import_batch (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    name        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    CONSTRAINT import_batch_once UNIQUE (kind, sha256)
) STRICT;

CREATE TRIGGER import_batch_no_update BEFORE UPDATE ON import_batch BEGIN SELECT RAISE(ABORT, 'import batches are immutable'); END;
CREATE TRIGGER import_batch_no_delete BEFORE DELETE ON import_batch BEGIN SELECT RAISE(ABORT, 'import batches are immutable'); END;
CREATE TRIGGER run_no_delete BEFORE DELETE ON reconciliation_run BEGIN SELECT RAISE(ABORT, 'reconciliation runs are immutable'); END;
CREATE TRIGGER statement_no_delete BEFORE DELETE ON statement_line BEGIN SELECT RAISE(ABORT, 'statement lines are immutable'); END;

-- A probable duplicate is a voucher of the same book with the same content and no external id;
-- vouchers with an external id (feeds, events) are kept out of the index and cost it nothing.
CREATE INDEX voucher_content ON voucher(book_id, content_digest) WHERE external_id IS NULL;

-- The city's opening date bounds every voucher date. A database made before it was recorded
-- takes the date of its earliest voucher.
INSERT INTO setting (key, value)
SELECT 'opening_date', MIN(date) FROM voucher
HAVING MIN(date) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM setting WHERE key = 'opening_date');
