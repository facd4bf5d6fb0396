-- fundpool schema 7: registered users, their grants per party (and so per book), and the audit
-- log of every write and refusal. All three are protected by the record log.

CREATE TABLE app_user (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL CONSTRAINT app_user_name_unique UNIQUE,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CONSTRAINT app_user_disabled_flag CHECK (disabled IN (0, 1)),
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;

-- party is a party code or '*' for every party.
CREATE TABLE user_grant (
    user_id INTEGER NOT NULL REFERENCES app_user(id),
    party   TEXT NOT NULL,
    role    TEXT NOT NULL CONSTRAINT user_grant_role_known
            CHECK (role IN ('maker', 'reviewer', 'poster', 'closer', 'reader', 'admin')),
    PRIMARY KEY (user_id, party, role)
) STRICT;

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    user    TEXT NOT NULL,
    address TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL,
    result  TEXT NOT NULL CONSTRAINT audit_result_known CHECK (result IN ('ok', 'refused')),
    detail  TEXT NOT NULL
) STRICT;

CREATE INDEX audit_user ON audit(user, at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Web sessions: the SHA-256 of the cookie's token, its user, the form token (CSRF) and when it
-- expires (unix seconds). Ephemeral, so outside the record log.
CREATE TABLE web_session (
    token_hash TEXT PRIMARY KEY,
    user       TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

-- A draft rejected (退回) or withdrawn is voided: kept, with its number never reused, marked 作废
-- with the reason; it can no longer be reviewed or posted and does not hold up the close.
CREATE TABLE voucher_void (
    voucher_id INTEGER PRIMARY KEY REFERENCES voucher(id),
    reason     TEXT NOT NULL,
    voided_by  TEXT NOT NULL,
    voided_at  TEXT NOT NULL
) STRICT;

CREATE TRIGGER voucher_void_no_update BEFORE UPDATE ON voucher_void BEGIN SELECT RAISE(ABORT, 'voids are immutable'); END;
CREATE TRIGGER voucher_void_no_delete BEFORE DELETE ON voucher_void BEGIN SELECT RAISE(ABORT, 'voids are immutable'); END;
