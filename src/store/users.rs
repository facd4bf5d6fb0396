//! Registered users, their grants and the audit log: what `user …` writes and `audit` reads,
//! and what authentication reads back. Every write here is also appended to the record log.

use super::{Reader, Result, StoreError, Writer};
use crate::domain::access::{Grant, Role};
use rusqlite::{params, OptionalExtension};

/// A registered user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    pub name: String,
    pub password_hash: String,
    pub disabled: bool,
    pub grants: Vec<Grant>,
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub user: String,
    pub address: String,
    pub action: String,
    pub target: String,
    pub result: String,
    pub detail: String,
}

impl Reader<'_> {
    /// How many users are registered (0: the database is in one-person mode).
    pub fn user_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM app_user", [], |r| r.get(0))?)
    }

    pub fn user(&self, name: &str) -> Result<Option<UserRecord>> {
        let row: Option<(i64, String, String, i64)> = self
            .conn
            .query_row("SELECT id, name, password_hash, disabled FROM app_user WHERE name = ?1", [name], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        row.map(|(id, name, password_hash, disabled)| {
            Ok(UserRecord { id, name, password_hash, disabled: disabled == 1, grants: self.grants(id)? })
        })
        .transpose()
    }

    pub fn users(&self) -> Result<Vec<UserRecord>> {
        let names: Vec<String> = self
            .conn
            .prepare("SELECT name FROM app_user ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        names.iter().filter_map(|n| self.user(n).transpose()).collect()
    }

    fn grants(&self, user_id: i64) -> Result<Vec<Grant>> {
        let rows: Vec<(String, String)> = self
            .conn
            .prepare("SELECT party, role FROM user_grant WHERE user_id = ?1 ORDER BY party, role")?
            .query_map([user_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(party, role)| Ok(Grant { party, role: Role::parse(&role).map_err(StoreError::Corrupt)? }))
            .collect()
    }

    /// Audit entries, oldest first, optionally for one user and a range of dates (YYYY-MM-DD).
    pub fn audit(&self, user: Option<&str>, from: Option<&str>, to: Option<&str>) -> Result<Vec<AuditRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, at, user, address, action, target, result, detail FROM audit \
             WHERE (?1 IS NULL OR user = ?1) AND (?2 IS NULL OR substr(at, 1, 10) >= ?2) \
             AND (?3 IS NULL OR substr(at, 1, 10) <= ?3) ORDER BY id",
        )?;
        let rows = stmt
            .query_map(params![user, from, to], |r| {
                Ok(AuditRecord {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    user: r.get(2)?,
                    address: r.get(3)?,
                    action: r.get(4)?,
                    target: r.get(5)?,
                    result: r.get(6)?,
                    detail: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

impl Writer<'_> {
    pub fn insert_user(&mut self, name: &str, password_hash: &str, by: &str, now: &str) -> Result<i64> {
        self.tx.execute(
            "INSERT INTO app_user (name, password_hash, created_by, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, password_hash, by, now],
        )?;
        let id = self.tx.last_insert_rowid();
        self.log_id("app_user", id)?;
        Ok(id)
    }

    /// A new password ends every web session of the user: a password is changed because it may
    /// be known to someone else, whose session must not outlive it.
    pub fn set_password(&mut self, id: i64, password_hash: &str) -> Result<()> {
        self.tx.execute("UPDATE app_user SET password_hash = ?2 WHERE id = ?1", params![id, password_hash])?;
        self.tx.execute("DELETE FROM web_session WHERE user = (SELECT name FROM app_user WHERE id = ?1)", [id])?;
        self.log_id("app_user", id)
    }

    pub fn set_disabled(&mut self, id: i64, disabled: bool) -> Result<()> {
        self.tx.execute("UPDATE app_user SET disabled = ?2 WHERE id = ?1", params![id, disabled as i64])?;
        self.log_id("app_user", id)
    }

    /// Grants a role; false when the user already had it.
    pub fn grant(&mut self, user_id: i64, party: &str, role: Role) -> Result<bool> {
        let added = self.tx.execute(
            "INSERT OR IGNORE INTO user_grant (user_id, party, role) VALUES (?1, ?2, ?3)",
            params![user_id, party, role.code()],
        )?;
        if added == 1 {
            self.log("user_grant", "user_id = ?1 AND party = ?2 AND role = ?3", &[&user_id, &party, &role.code()])?;
        }
        Ok(added == 1)
    }

    /// Revokes a role; false when the user did not have it.
    pub fn revoke(&mut self, user_id: i64, party: &str, role: Role) -> Result<bool> {
        let removed = self.tx.execute(
            "DELETE FROM user_grant WHERE user_id = ?1 AND party = ?2 AND role = ?3",
            params![user_id, party, role.code()],
        )?;
        if removed == 1 {
            self.log_deleted("user_grant", &format!("{user_id}/{party}/{}", role.code()))?;
        }
        Ok(removed == 1)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_audit(
        &mut self,
        at: &str,
        user: &str,
        address: &str,
        action: &str,
        target: &str,
        result: &str,
        detail: &str,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO audit (at, user, address, action, target, result, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![at, user, address, action, target, result, detail],
        )?;
        let id = self.tx.last_insert_rowid();
        self.log_id("audit", id)
    }
}

impl Reader<'_> {
    /// The user and form token of a live web session (`now` in unix seconds).
    pub fn web_session(&self, token_hash: &str, now: i64) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT user, csrf FROM web_session WHERE token_hash = ?1 AND expires_at > ?2",
                params![token_hash, now],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}

impl Writer<'_> {
    /// Starts a web session; expired ones are cleared on the way.
    pub fn insert_web_session(
        &mut self,
        token_hash: &str,
        user: &str,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        self.tx.execute("DELETE FROM web_session WHERE expires_at <= ?1", [now])?;
        self.tx.execute(
            "INSERT INTO web_session (token_hash, user, csrf, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![token_hash, user, csrf, expires_at],
        )?;
        Ok(())
    }

    pub fn delete_web_session(&mut self, token_hash: &str) -> Result<()> {
        self.tx.execute("DELETE FROM web_session WHERE token_hash = ?1", [token_hash])?;
        Ok(())
    }
}
