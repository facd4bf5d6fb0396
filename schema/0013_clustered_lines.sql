-- fundpool schema 13: a voucher's lines stored together, written without a statement journal
-- (#15). Rows, triggers and indexes mean what they meant; nothing the record log holds changes.
--
-- voucher_line was a rowid table with its primary key (voucher_id, line_no) in a second B-tree:
-- every line was written twice, and every read of a voucher's lines went through the key to the
-- row. WITHOUT ROWID, the table is that key.
--
-- Its references to the voucher and the account are declared DEFERRABLE INITIALLY DEFERRED:
-- checked at commit, as the import's transactions already asked at run time (a voucher written
-- in one step takes its lines before its row). Declared immediate, SQLite must be ready to undo
-- a half-done statement, so every line insert — a statement with a trigger — copied each page it
-- touched into a statement journal first. A line naming a missing voucher or account still
-- fails its transaction, at the commit.

PRAGMA defer_foreign_keys = ON;

CREATE TABLE voucher_line_clustered (
    voucher_id INTEGER NOT NULL REFERENCES voucher(id) DEFERRABLE INITIALLY DEFERRED,
    line_no    INTEGER NOT NULL,
    account    TEXT NOT NULL REFERENCES account(code) DEFERRABLE INITIALLY DEFERRED,
    summary    TEXT NOT NULL,
    debit_fen  INTEGER NOT NULL,
    credit_fen INTEGER NOT NULL,
    ref        TEXT,
    PRIMARY KEY (voucher_id, line_no),
    CONSTRAINT line_one_side CHECK ((debit_fen = 0) <> (credit_fen = 0))
) STRICT, WITHOUT ROWID;

INSERT INTO voucher_line_clustered (voucher_id, line_no, account, summary, debit_fen, credit_fen, ref)
SELECT voucher_id, line_no, account, summary, debit_fen, credit_fen, ref FROM voucher_line ORDER BY voucher_id, line_no;

-- Dropping the table drops its indexes and triggers (none fires: they go first).
DROP TABLE voucher_line;
ALTER TABLE voucher_line_clustered RENAME TO voucher_line;

CREATE INDEX voucher_line_ref ON voucher_line(ref) WHERE ref IS NOT NULL;
CREATE INDEX voucher_line_account ON voucher_line(account, voucher_id);

CREATE TRIGGER voucher_line_posted_no_update BEFORE UPDATE ON voucher_line
WHEN (SELECT status FROM voucher WHERE id = OLD.voucher_id) = 'posted'
BEGIN SELECT RAISE(ABORT, 'lines of a posted voucher are immutable'); END;

CREATE TRIGGER voucher_line_posted_no_delete BEFORE DELETE ON voucher_line
WHEN (SELECT status FROM voucher WHERE id = OLD.voucher_id) = 'posted'
BEGIN SELECT RAISE(ABORT, 'lines of a posted voucher are immutable'); END;

CREATE TRIGGER voucher_line_posted_no_insert BEFORE INSERT ON voucher_line
WHEN (SELECT status FROM voucher WHERE id = NEW.voucher_id) = 'posted'
BEGIN SELECT RAISE(FAIL, 'lines of a posted voucher are immutable'); END;
