-- fundpool schema 4: quarterly spending plans (用款计划) and budgets.

-- A plan per agency, fund and quarter ('2023Q2'), with its stated total and its workflow:
-- draft → submitted (agency) → combined (city agency) → approved (医保局) → checked (财政复核).
CREATE TABLE plan (
    id          INTEGER PRIMARY KEY,
    party       TEXT NOT NULL REFERENCES party(code),
    fund        TEXT NOT NULL REFERENCES fund(code),
    quarter     TEXT NOT NULL CONSTRAINT plan_quarter_format CHECK (quarter GLOB '[0-9][0-9][0-9][0-9]Q[1-4]'),
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

-- The plan by month and spending category (5001 sub-account keys).
CREATE TABLE plan_line (
    plan_id    INTEGER NOT NULL REFERENCES plan(id),
    month      TEXT NOT NULL,
    category   TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CONSTRAINT plan_line_positive CHECK (amount_fen > 0),
    PRIMARY KEY (plan_id, month, category)
) STRICT;

-- Budgeted income and expenditure per agency, fund and year (an input).
CREATE TABLE budget (
    year            INTEGER NOT NULL,
    party           TEXT NOT NULL REFERENCES party(code),
    fund            TEXT NOT NULL REFERENCES fund(code),
    income_fen      INTEGER NOT NULL CONSTRAINT budget_income_not_negative CHECK (income_fen >= 0),
    expenditure_fen INTEGER NOT NULL CONSTRAINT budget_expenditure_not_negative CHECK (expenditure_fen >= 0),
    PRIMARY KEY (year, party, fund)
) STRICT;
