-- fundpool schema 11: a plan period is a quarter ('2023Q2', TS 13–14) or, where a city's rules
-- plan by month (WH 三(四) 按月拨付), one month ('2023-04'). SQLite cannot change a CHECK in place,
-- so the plan table is rebuilt with its rows (same ids, so plan_line and the record log still
-- point at them); the foreign-key check of plan_line waits for the commit.

PRAGMA defer_foreign_keys = ON;

CREATE TABLE plan_copy AS SELECT * FROM plan;
DROP TABLE plan;

CREATE TABLE plan (
    id          INTEGER PRIMARY KEY,
    party       TEXT NOT NULL REFERENCES party(code),
    fund        TEXT NOT NULL REFERENCES fund(code),
    quarter     TEXT NOT NULL CONSTRAINT plan_period_format
                CHECK (quarter GLOB '[0-9][0-9][0-9][0-9]Q[1-4]' OR quarter GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
    total_fen   INTEGER NOT NULL CONSTRAINT plan_total_positive CHECK (total_fen > 0),
    status      TEXT NOT NULL CONSTRAINT plan_status_known CHECK (status IN ('draft', 'submitted', 'combined', 'approved', 'checked')),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    submitted_by TEXT, submitted_on TEXT,
    combined_by  TEXT, combined_on  TEXT,
    approved_by  TEXT, approved_on  TEXT,
    checked_by   TEXT, checked_on   TEXT,
    CONSTRAINT plan_once UNIQUE (party, fund, quarter)
) STRICT;

INSERT INTO plan SELECT * FROM plan_copy;
DROP TABLE plan_copy;
