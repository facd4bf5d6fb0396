-- fundpool schema 10: each run of the year-end settlement (年终结算), so a re-run after a change
-- can show what changed. Runs are kept as recorded; protected by the record log.

CREATE TABLE settlement_run (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL,
    fund        TEXT NOT NULL REFERENCES fund(code),
    body        TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
) STRICT;

CREATE INDEX settlement_run_by_year ON settlement_run (year, fund, id);

CREATE TRIGGER settlement_run_no_update BEFORE UPDATE ON settlement_run
BEGIN SELECT RAISE(ABORT, 'a settlement run is kept as recorded'); END;

CREATE TRIGGER settlement_run_no_delete BEFORE DELETE ON settlement_run
BEGIN SELECT RAISE(ABORT, 'a settlement run is kept as recorded'); END;
