-- fundpool schema 2: business events and the register of pre-pooling instruments.

-- Every event accepted, with its fields as given (JSON) and a digest of them, so that posting
-- the same event again is a no-op and a different event under the same id is refused.
CREATE TABLE event (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    fund           TEXT NOT NULL REFERENCES fund(code),
    date           TEXT NOT NULL,
    content_digest TEXT NOT NULL,
    payload        TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
) STRICT;

-- Which vouchers an event produced.
CREATE TABLE event_voucher (
    event_id   TEXT NOT NULL REFERENCES event(id),
    voucher_id INTEGER NOT NULL REFERENCES voucher(id),
    PRIMARY KEY (event_id, voucher_id),
    CONSTRAINT event_voucher_once UNIQUE (voucher_id)
) STRICT;

-- Term deposits and bonds held before pooling (1201): opened at 2022-12-31, each matured and
-- remitted once, principal plus interest (TS 9).
CREATE TABLE instrument (
    party                TEXT NOT NULL REFERENCES party(code),
    fund                 TEXT NOT NULL REFERENCES fund(code),
    code                 TEXT NOT NULL,
    principal_fen        INTEGER NOT NULL CONSTRAINT instrument_principal_positive CHECK (principal_fen > 0),
    opened_on            TEXT NOT NULL,
    matures_on           TEXT NOT NULL,
    matured_interest_fen INTEGER,
    remitted             INTEGER NOT NULL DEFAULT 0 CONSTRAINT instrument_remitted_flag CHECK (remitted IN (0, 1)),
    PRIMARY KEY (party, fund, code),
    CONSTRAINT instrument_matures_after_opening CHECK (matures_on > opened_on),
    CONSTRAINT instrument_remitted_after_maturity CHECK (remitted = 0 OR matured_interest_fen IS NOT NULL)
) STRICT;

CREATE TRIGGER event_no_update BEFORE UPDATE ON event
BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;

CREATE TRIGGER event_no_delete BEFORE DELETE ON event
BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
