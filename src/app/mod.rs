//! The application layer: one function per staff action (制单, 审核, 记账, 冲销, 导入, 对账,
//! 结账, 反结账, 期末结转, verify, anchor, backup …), below every front end. Each takes a
//! `Session` (the database, the acting person, "now") and plain inputs, and returns a typed
//! result; the CLI (and later the server) only parse and render.
//!
//! The lock discipline lives here: a command that writes opens the database for writing,
//! takes the write lock first (`Store::writer`, `BEGIN IMMEDIATE`), then selects what it will
//! change, checks, and writes — so two offices at once can never both act on the same state.
//! Commands that only read open the file read-only.

pub mod closing;
pub mod demo;
pub mod events;
pub mod files;
mod in_two;
pub mod integrity;
pub mod ledger;
pub mod plans;
pub mod pool;
pub mod reconcile;
pub mod reports;
pub mod rules;
pub mod settlement;
mod stored_report;
pub mod users;

use crate::domain::access::{Actor, Role};
use crate::domain::identity::normalise_name;
use crate::store::{AuditContext, Store, StoreError};
use chrono::NaiveDate;
pub use pool::{Pooled, StorePool};
use std::cell::RefCell;
use std::path::PathBuf;
use std::time::Duration;

/// Why an action did not happen. Nothing was written in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input or a broken rule.
    Refused,
    /// The acting person lacks the grant (or would review their own voucher).
    Forbidden,
    /// Another writer held the database past the busy timeout.
    Busy,
    /// `check` or `verify` found a mismatch.
    Integrity,
    /// The database could not be read or written.
    Internal,
}

#[derive(Debug, Clone)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    pub fn refused(message: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Refused, message: message.into() }
    }

    pub fn forbidden(message: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Forbidden, message: message.into() }
    }

    /// The same message, as a missing grant.
    pub fn as_forbidden(self) -> Error {
        Error { kind: ErrorKind::Forbidden, ..self }
    }

    pub fn integrity(message: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Integrity, message: message.into() }
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        let kind = match &error {
            e if e.is_busy() => ErrorKind::Busy,
            StoreError::Sqlite(_) | StoreError::Corrupt(_) => ErrorKind::Internal,
            _ => ErrorKind::Refused,
        };
        Error { kind, message: error.to_string() }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Asks the person at the terminal for a password (the CLI gives one; the app never prompts).
pub type PasswordPrompt = Box<dyn Fn(&str) -> Option<String> + Send>;

/// Who acts, on which database, and when. Built once by the front end.
pub struct Session {
    pub db: PathBuf,
    /// The acting person as typed (`--operator`); used while the database has no users.
    pub operator: Option<String>,
    /// A registered user and password (`FUNDPOOL_USER`, `FUNDPOOL_PASSWORD`), needed once the
    /// database has users.
    pub user: Option<String>,
    pub password: Option<String>,
    /// Asked for the password when a user is given without one.
    pub prompt: Option<PasswordPrompt>,
    /// Where the action comes from, for the audit log ("cli", or the client's address).
    pub address: String,
    /// "Now" for timestamps, `YYYY-MM-DDTHH:MM:SSZ`.
    pub now: String,
    pub busy_timeout: Duration,
    /// What the store said while opening (a migration), for the front end to show.
    notes: RefCell<Vec<String>>,
    /// The actor, once established.
    acting: RefCell<Option<Actor>>,
    /// Connections kept open across requests (the server); `None` for the command line.
    pub pool: Option<std::sync::Arc<StorePool>>,
}

impl Session {
    pub fn new(db: PathBuf, operator: Option<String>, now: String, busy_timeout: Duration) -> Session {
        Session {
            db,
            operator,
            user: None,
            password: None,
            prompt: None,
            address: "cli".to_string(),
            now,
            busy_timeout,
            notes: RefCell::new(Vec::new()),
            acting: RefCell::new(None),
            pool: None,
        }
    }

    /// A session for a user the front end has already authenticated (a web session).
    pub fn authenticated(db: PathBuf, actor: Actor, now: String, busy_timeout: Duration, address: String) -> Session {
        let session = Session { address, ..Session::new(db, None, now, busy_timeout) };
        *session.acting.borrow_mut() = Some(actor);
        session
    }

    /// The same session acting as someone else (the demo plays several staff).
    pub fn as_operator(&self, name: &str) -> Session {
        Session::new(self.db.clone(), Some(name.to_string()), self.now.clone(), self.busy_timeout)
    }

    /// The acting person: on a database with users, the registered user who logged in with
    /// `user`/`password`; otherwise the operator named (normalised, never blank).
    pub fn acting(&self) -> Result<Actor> {
        if let Some(actor) = self.acting.borrow().as_ref() {
            return Ok(actor.clone());
        }
        let actor = self.establish()?;
        *self.acting.borrow_mut() = Some(actor.clone());
        Ok(actor)
    }

    /// Whether the database has registered users (then every action needs a login).
    pub fn has_users(&self) -> Result<bool> {
        Ok(self.user_store()?.is_some())
    }

    /// The database read-only when it has registered users.
    fn user_store(&self) -> Result<Option<Pooled>> {
        if !self.db.exists() {
            return Ok(None);
        }
        let store = if self.pool.is_some() {
            self.read()?
        } else {
            match Store::open_read(&self.db) {
                Ok(store) => Pooled::new(store, None),
                // An older database has no users yet; a write will upgrade it.
                Err(StoreError::TooOld { .. }) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
        };
        let count = store.reader().user_count()?;
        Ok((count > 0).then_some(store))
    }

    fn establish(&self) -> Result<Actor> {
        let users = self.user_store()?;
        if users.is_none() {
            return match &self.operator {
                None => Err(Error::refused(
                    "请用 --operator 姓名 或环境变量 FUNDPOOL_OPERATOR 说明操作人：写入账套的每一步都要记录是谁做的",
                )),
                Some(name) => Ok(Actor::unregistered(normalise_name(name, "操作人").map_err(Error::refused)?)),
            };
        }
        let store = users.expect("users exist");
        let name = self.user.as_deref().ok_or_else(|| {
            Error::refused("本账套已有注册用户：请用环境变量 FUNDPOOL_USER（用户名）和 FUNDPOOL_PASSWORD（密码）登录")
        })?;
        let password = match (&self.password, &self.prompt) {
            (Some(password), _) => password.clone(),
            (None, Some(prompt)) => prompt(name).ok_or_else(|| Error::refused("没有输入密码"))?,
            (None, None) => {
                return Err(Error::refused("请用环境变量 FUNDPOOL_PASSWORD 给出密码（或在终端上运行以便输入）"))
            }
        };
        users::authenticate(&store.reader(), name, &password)
    }

    /// The acting person's name.
    pub fn actor(&self) -> Result<String> {
        Ok(self.acting()?.name)
    }

    /// The name the session claims, whether or not it could be established (for the audit log).
    pub fn claimed_name(&self) -> String {
        self.user.clone().or_else(|| self.operator.clone()).unwrap_or_else(|| "（未具名）".to_string())
    }

    /// Refuses unless the actor may act as `role` on every one of `parties`.
    pub fn require<'p>(&self, role: Role, parties: impl IntoIterator<Item = &'p str>) -> Result<()> {
        let actor = self.acting()?;
        for party in parties {
            actor.require(role, party).map_err(Error::forbidden)?;
        }
        Ok(())
    }

    /// A reviewer named on a one-step posting or a reversal: normalised and not the maker; on a
    /// database with users, a registered user (whose 审核 grant the caller checks per book).
    pub fn reviewer(&self, reviewer: &str) -> Result<Actor> {
        let maker = self.acting()?;
        let reviewer = reviewer_for(&maker.name, reviewer)?;
        if !maker.is_registered() {
            return Ok(Actor::unregistered(reviewer));
        }
        let store = self.read()?;
        let actor = users::registered(&store.reader(), &reviewer)?;
        actor.ok_or_else(|| Error::refused(format!("审核人 {reviewer} 不是本账套的在用用户")))
    }

    /// Today's date, from `now`.
    pub fn today(&self) -> Result<NaiveDate> {
        crate::domain::ids::parse_date(self.now.get(..10).unwrap_or(&self.now)).map_err(Error::refused)
    }

    /// Opens the database read-only (or takes an idle connection from the pool).
    pub fn read(&self) -> Result<Pooled> {
        if let Some(pool) = &self.pool {
            if let Some(store) = pool.take(false) {
                return Ok(Pooled::new(store, Some((pool.clone(), false))));
            }
        }
        let store = Store::open_read(&self.db)?;
        Ok(Pooled::new(store, self.pool.clone().map(|p| (p, false))))
    }

    /// Opens the database read-only for someone who may read `party`'s books (every party's
    /// when `None`).
    pub fn read_for(&self, party: Option<&str>) -> Result<Pooled> {
        if !self.has_users()? {
            return self.read();
        }
        let actor = self.acting()?;
        let store = self.read()?;
        let parties: Vec<String> = match party {
            Some(party) => vec![party.to_string()],
            None => store.reader().city()?.party.into_iter().map(|p| p.code).collect(),
        };
        for party in &parties {
            actor.require_read(party).map_err(Error::forbidden)?;
        }
        Ok(store)
    }

    /// Opens the database for writing; `activity` names the command for anyone who must wait
    /// and for the audit entry every commit writes.
    pub fn write(&self, activity: &str) -> Result<Pooled> {
        let who = self.acting().map(|a| a.name).unwrap_or_else(|_| self.claimed_name());
        self.write_as(&who, activity)
    }

    /// Opens the database for writing as `who` (before `who` can be established, e.g. the first
    /// administrator).
    pub fn write_as(&self, who: &str, activity: &str) -> Result<Pooled> {
        let activity_note = format!("{activity}，{who}");
        let mut store = match self.pool.as_ref().and_then(|p| p.take(true)) {
            Some(mut store) => {
                store.set_activity(&activity_note);
                Pooled::new(store, self.pool.clone().map(|p| (p, true)))
            }
            None => {
                let (store, notes) = Store::open_write(&self.db, self.busy_timeout, &activity_note)?;
                self.notes.borrow_mut().extend(notes);
                Pooled::new(store, self.pool.clone().map(|p| (p, true)))
            }
        };
        store.set_audit(AuditContext {
            at: self.now.clone(),
            user: who.to_string(),
            address: self.address.clone(),
            action: activity.to_string(),
        });
        Ok(store)
    }

    /// Notes to show the user (e.g. that the database was upgraded).
    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut self.notes.borrow_mut())
    }
}

/// A reviewer named for a one-step posting or a reversal: normalised, and not the maker.
pub fn reviewer_for(maker: &str, reviewer: &str) -> Result<String> {
    let reviewer = normalise_name(reviewer, "审核人").map_err(Error::refused)?;
    if reviewer == maker {
        return Err(Error::forbidden(
            crate::domain::rejection::Rejection::ReviewerMustDifferFromMaker { maker: maker.into() }.to_string(),
        ));
    }
    Ok(reviewer)
}

/// Lists problems under a heading, as one refusal.
pub fn refuse_all(heading: &str, problems: &[String]) -> Error {
    let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
    Error::refused(format!("{heading}\n{}", lines.join("\n")))
}
