-- fundpool schema 1: city configuration, books, vouchers, balances and periods.
-- Amounts are integer 分 (fen). Tables are STRICT; constraints are named so that a failure
-- says which rule broke. Posted vouchers and their lines are append-only (triggers below).

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE fund (
    code               TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    -- 1 when 生育保险 is merged into this fund (maternity categories apply).
    includes_maternity INTEGER NOT NULL DEFAULT 0 CONSTRAINT fund_maternity_flag CHECK (includes_maternity IN (0, 1))
) STRICT;

CREATE TABLE party (
    code    TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    kind    TEXT NOT NULL CONSTRAINT party_kind_known CHECK (kind IN ('city', 'county', 'finance')),
    ordinal INTEGER NOT NULL UNIQUE
) STRICT;

-- 参保人数 per party and fund.
CREATE TABLE population (
    party   TEXT NOT NULL REFERENCES party(code),
    fund    TEXT NOT NULL REFERENCES fund(code),
    insured INTEGER NOT NULL CONSTRAINT population_not_negative CHECK (insured >= 0),
    PRIMARY KEY (party, fund)
) STRICT;

-- 科目表. scope: comma-separated party kinds whose books may use the account.
CREATE TABLE account (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    class  TEXT NOT NULL CONSTRAINT account_class_known
           CHECK (class IN ('asset', 'liability', 'net_assets', 'revenue', 'expense')),
    side   TEXT NOT NULL CONSTRAINT account_side_known CHECK (side IN ('debit', 'credit')),
    parent TEXT REFERENCES account(code),
    scope  TEXT NOT NULL,
    key    TEXT
) STRICT;

CREATE TABLE book (
    id    INTEGER PRIMARY KEY,
    party TEXT NOT NULL REFERENCES party(code),
    fund  TEXT NOT NULL REFERENCES fund(code),
    CONSTRAINT book_unique UNIQUE (party, fund)
) STRICT;

-- A book's month. A month with no row is open; a row is written when it closes.
CREATE TABLE period (
    book_id   INTEGER NOT NULL REFERENCES book(id),
    period    TEXT NOT NULL CONSTRAINT period_format CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
    status    TEXT NOT NULL CONSTRAINT period_status_known CHECK (status IN ('open', 'closed')),
    closed_at TEXT,
    closed_by TEXT,
    PRIMARY KEY (book_id, period)
) STRICT;

-- 记账凭证. seq is gap-free per book and month; chain_seq orders posted vouchers in a book's
-- hash chain.
CREATE TABLE voucher (
    id             INTEGER PRIMARY KEY,
    book_id        INTEGER NOT NULL REFERENCES book(id),
    period         TEXT NOT NULL,
    seq            INTEGER NOT NULL CONSTRAINT voucher_seq_positive CHECK (seq > 0),
    date           TEXT NOT NULL,
    attachments    INTEGER NOT NULL CONSTRAINT voucher_attachments_not_negative CHECK (attachments >= 0),
    external_id    TEXT,
    content_digest TEXT NOT NULL,
    status         TEXT NOT NULL CONSTRAINT voucher_status_known CHECK (status IN ('draft', 'reviewed', 'posted')),
    maker          TEXT NOT NULL,
    made_at        TEXT NOT NULL,
    reviewer       TEXT,
    reviewed_at    TEXT,
    poster         TEXT,
    posted_at      TEXT,
    reverses       INTEGER REFERENCES voucher(id),
    chain_seq      INTEGER,
    hash           TEXT,
    CONSTRAINT voucher_number_unique UNIQUE (book_id, period, seq),
    CONSTRAINT voucher_external_id_unique UNIQUE (book_id, external_id),
    CONSTRAINT voucher_chain_unique UNIQUE (book_id, chain_seq),
    CONSTRAINT voucher_reversed_once UNIQUE (reverses),
    CONSTRAINT voucher_period_matches_date CHECK (period = substr(date, 1, 7)),
    CONSTRAINT voucher_reviewer_not_maker CHECK (reviewer IS NULL OR reviewer <> maker),
    CONSTRAINT voucher_reviewed_before_posted CHECK (status = 'draft' OR reviewer IS NOT NULL),
    CONSTRAINT voucher_posted_is_chained
        CHECK ((status = 'posted') = (poster IS NOT NULL AND chain_seq IS NOT NULL AND hash IS NOT NULL))
) STRICT;

CREATE TABLE voucher_line (
    voucher_id INTEGER NOT NULL REFERENCES voucher(id),
    line_no    INTEGER NOT NULL,
    account    TEXT NOT NULL REFERENCES account(code),
    summary    TEXT NOT NULL,
    debit_fen  INTEGER NOT NULL,
    credit_fen INTEGER NOT NULL,
    ref        TEXT,
    PRIMARY KEY (voucher_id, line_no),
    CONSTRAINT line_one_side CHECK ((debit_fen = 0) <> (credit_fen = 0))
) STRICT;

CREATE INDEX voucher_line_ref ON voucher_line(ref) WHERE ref IS NOT NULL;
CREATE INDEX voucher_line_account ON voucher_line(account, voucher_id);
CREATE INDEX voucher_book_status ON voucher(book_id, status, period);

-- Per (book, leaf account, month) posted totals, maintained in the posting transaction.
CREATE TABLE balance (
    book_id    INTEGER NOT NULL REFERENCES book(id),
    account    TEXT NOT NULL REFERENCES account(code),
    period     TEXT NOT NULL,
    debit_fen  INTEGER NOT NULL,
    credit_fen INTEGER NOT NULL,
    PRIMARY KEY (book_id, account, period)
) STRICT, WITHOUT ROWID;

-- Append-only: the database itself refuses to change what has been posted.
CREATE TRIGGER voucher_posted_no_update BEFORE UPDATE ON voucher WHEN OLD.status = 'posted'
BEGIN SELECT RAISE(ABORT, 'posted voucher is immutable: correct it with a red-ink reversal'); END;

CREATE TRIGGER voucher_posted_no_delete BEFORE DELETE ON voucher WHEN OLD.status = 'posted'
BEGIN SELECT RAISE(ABORT, 'posted voucher is immutable: correct it with a red-ink reversal'); END;

CREATE TRIGGER voucher_line_posted_no_update BEFORE UPDATE ON voucher_line
WHEN (SELECT status FROM voucher WHERE id = OLD.voucher_id) = 'posted'
BEGIN SELECT RAISE(ABORT, 'lines of a posted voucher are immutable'); END;

CREATE TRIGGER voucher_line_posted_no_delete BEFORE DELETE ON voucher_line
WHEN (SELECT status FROM voucher WHERE id = OLD.voucher_id) = 'posted'
BEGIN SELECT RAISE(ABORT, 'lines of a posted voucher are immutable'); END;

CREATE TRIGGER voucher_line_posted_no_insert BEFORE INSERT ON voucher_line
WHEN (SELECT status FROM voucher WHERE id = NEW.voucher_id) = 'posted'
BEGIN SELECT RAISE(ABORT, 'lines of a posted voucher are immutable'); END;
