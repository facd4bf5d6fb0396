-- fundpool schema 3: statement registers, reconciliation runs and month-end seals.

-- Lines of the tax authority's, the treasury's and the banks' records, imported from CSV.
-- line_key identifies a line within its source (its ref; a bank balance row has none and is
-- keyed by book, account and date), so importing the same line again is a no-op.
CREATE TABLE statement_line (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL CONSTRAINT statement_source_known CHECK (source IN ('tax', 'treasury', 'bank')),
    line_key    TEXT NOT NULL,
    date        TEXT NOT NULL,
    ref         TEXT,
    fund        TEXT REFERENCES fund(code),
    kind        TEXT NOT NULL,
    book_id     INTEGER REFERENCES book(id),
    account     TEXT,
    amount_fen  INTEGER NOT NULL CONSTRAINT statement_amount_not_negative CHECK (amount_fen >= 0),
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    CONSTRAINT statement_line_once UNIQUE (source, line_key),
    CONSTRAINT statement_kind_known CHECK (
        (source = 'tax' AND kind IN ('paid_to_treasury', 'refund')) OR
        (source = 'treasury' AND kind IN ('received', 'transferred_to_special_account', 'refund')) OR
        (source = 'bank' AND kind IN ('in', 'out', 'balance'))),
    CONSTRAINT statement_bank_has_book CHECK ((source = 'bank') = (book_id IS NOT NULL AND account IS NOT NULL)),
    CONSTRAINT statement_register_has_fund CHECK (source = 'bank' OR fund IS NOT NULL)
) STRICT;

-- Every reconciliation run: who, when, what it covered and found. posted_count is the number
-- of posted vouchers in the month and before when it ran, so a close can tell whether anything
-- was posted after it.
CREATE TABLE reconciliation_run (
    id           INTEGER PRIMARY KEY,
    period       TEXT NOT NULL,
    check_name   TEXT,
    fund         TEXT,
    run_by       TEXT NOT NULL,
    run_at       TEXT NOT NULL,
    differences  INTEGER NOT NULL,
    outstanding  INTEGER NOT NULL,
    posted_count INTEGER NOT NULL,
    report       TEXT NOT NULL
) STRICT;

-- Seal history: each close writes a hash over the books' closing balances, chain heads and the
-- reconciliation run; each reopen (反结账) is recorded with its reason.
CREATE TABLE seal (
    id          INTEGER PRIMARY KEY,
    period      TEXT NOT NULL,
    action      TEXT NOT NULL CONSTRAINT seal_action_known CHECK (action IN ('close', 'reopen')),
    books       TEXT NOT NULL,
    run_id      INTEGER REFERENCES reconciliation_run(id),
    reason      TEXT,
    hash        TEXT,
    sealed_by   TEXT NOT NULL,
    sealed_at   TEXT NOT NULL,
    CONSTRAINT seal_close_has_hash CHECK ((action = 'close') = (hash IS NOT NULL))
) STRICT;

CREATE TRIGGER seal_no_update BEFORE UPDATE ON seal BEGIN SELECT RAISE(ABORT, 'seals are immutable'); END;
CREATE TRIGGER seal_no_delete BEFORE DELETE ON seal BEGIN SELECT RAISE(ABORT, 'seals are immutable'); END;
CREATE TRIGGER run_no_update BEFORE UPDATE ON reconciliation_run BEGIN SELECT RAISE(ABORT, 'reconciliation runs are immutable'); END;
CREATE TRIGGER statement_no_update BEFORE UPDATE ON statement_line BEGIN SELECT RAISE(ABORT, 'statement lines are immutable'); END;
