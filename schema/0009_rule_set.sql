-- fundpool schema 9: the city's rule set (统筹方案 as data), each version effective from a date.
-- `init` stores the city's rules.toml; `rules set` records a change. Protected by the record log.

CREATE TABLE rule_set (
    id             INTEGER PRIMARY KEY,
    effective_from TEXT NOT NULL CONSTRAINT rule_set_one_per_day UNIQUE,
    body           TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
) STRICT;

CREATE TRIGGER rule_set_no_update BEFORE UPDATE ON rule_set
BEGIN SELECT RAISE(ABORT, 'a rule set version is kept as recorded; record a new version instead'); END;

CREATE TRIGGER rule_set_no_delete BEFORE DELETE ON rule_set
BEGIN SELECT RAISE(ABORT, 'a rule set version is kept as recorded'); END;
