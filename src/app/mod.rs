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
pub mod integrity;
pub mod ledger;
pub mod plans;
pub mod reconcile;

use crate::domain::identity::normalise_name;
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use std::cell::RefCell;
use std::path::PathBuf;
use std::time::Duration;

/// Why an action did not happen. Nothing was written in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input or a broken rule.
    Refused,
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

/// Who acts, on which database, and when. Built once by the front end.
pub struct Session {
    pub db: PathBuf,
    /// The acting person as typed (`--operator`); normalised by `actor`.
    pub operator: Option<String>,
    /// "Now" for timestamps, `YYYY-MM-DDTHH:MM:SSZ`.
    pub now: String,
    pub busy_timeout: Duration,
    /// What the store said while opening (a migration), for the front end to show.
    notes: RefCell<Vec<String>>,
}

impl Session {
    pub fn new(db: PathBuf, operator: Option<String>, now: String, busy_timeout: Duration) -> Session {
        Session { db, operator, now, busy_timeout, notes: RefCell::new(Vec::new()) }
    }

    /// The same session acting as someone else (the demo plays several staff).
    pub fn as_operator(&self, name: &str) -> Session {
        Session::new(self.db.clone(), Some(name.to_string()), self.now.clone(), self.busy_timeout)
    }

    /// The acting person, normalised; refused when missing or blank.
    pub fn actor(&self) -> Result<String> {
        match &self.operator {
            None => Err(Error::refused(
                "请用 --operator 姓名 或环境变量 FUNDPOOL_OPERATOR 说明操作人：写入账套的每一步都要记录是谁做的",
            )),
            Some(name) => normalise_name(name, "操作人").map_err(Error::refused),
        }
    }

    /// Today's date, from `now`.
    pub fn today(&self) -> Result<NaiveDate> {
        crate::domain::ids::parse_date(self.now.get(..10).unwrap_or(&self.now)).map_err(Error::refused)
    }

    /// Opens the database read-only.
    pub fn read(&self) -> Result<Store> {
        Ok(Store::open_read(&self.db)?)
    }

    /// Opens the database for writing; `activity` names the command for anyone who must wait.
    pub fn write(&self, activity: &str) -> Result<Store> {
        let who = self.operator.as_deref().unwrap_or("");
        let (store, note) = Store::open_write(&self.db, self.busy_timeout, &format!("{activity}，{who}"))?;
        self.notes.borrow_mut().extend(note);
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
        return Err(Error::refused(
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
