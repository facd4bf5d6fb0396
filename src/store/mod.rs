//! The store: the only module that talks to SQLite. It opens the database with the pragmas
//! fundpool relies on, applies the numbered migrations in `schema/`, and offers typed reads
//! and one write transaction per command. Row mapping happens here; no SQL leaves this module.

mod config;
mod events;
mod ledger;
mod plans;
mod reads;
mod reconcile;

pub use ledger::{Inserted, Writer};
pub use reads::{Reader, VoucherFilter};
pub use reconcile::{RunRecord, SealRecord, SealedBook, StatementWrite};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::Path;

/// Migrations in order; `PRAGMA user_version` records how many are applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../schema/0001_init.sql"),
    include_str!("../../schema/0002_events.sql"),
    include_str!("../../schema/0003_reconcile.sql"),
    include_str!("../../schema/0004_plans.sql"),
    include_str!("../../schema/0005_close_dates.sql"),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库 {0} 不存在：请先运行 fundpool --db {0} init --city fixtures/jingmen")]
    Missing(String),
    #[error("数据库 {0} 已经初始化，init 不会覆盖已有账套；换一个文件名或先移走它")]
    AlreadyInitialised(String),
    #[error("数据库结构版本 {found} 比本程序支持的 {supported} 新：请使用更新版本的 fundpool，本程序不会修改它")]
    TooNew { found: i64, supported: i64 },
    #[error("数据库尚未初始化：请先运行 init")]
    NotInitialised,
    #[error("数据库内容不一致：{0}")]
    Corrupt(String),
    #[error("数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub struct Store {
    conn: Connection,
}

impl Store {
    /// Creates a new database file and applies every migration. Refuses an existing file.
    pub fn create(path: &Path) -> Result<Store> {
        if path.exists() && std::fs::metadata(path).map(|m| m.len() > 0).unwrap_or(false) {
            return Err(StoreError::AlreadyInitialised(path.display().to_string()));
        }
        let conn = Connection::open(path)?;
        let store = Store::configure(conn)?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing database, bringing an older schema up to date and refusing a newer one.
    pub fn open(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let store = Store::configure(conn)?;
        let version = store.user_version()?;
        if version == 0 {
            return Err(StoreError::NotInitialised);
        }
        store.migrate()?;
        Ok(store)
    }

    fn configure(conn: Connection) -> Result<Store> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(Store { conn })
    }

    fn user_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// The schema version this code writes.
    pub fn supported_version() -> i64 {
        MIGRATIONS.len() as i64
    }

    fn migrate(&self) -> Result<()> {
        let found = self.user_version()?;
        let supported = Store::supported_version();
        if found > supported {
            return Err(StoreError::TooNew { found, supported });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let tx = self.conn.unchecked_transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", index as i64 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Starts the one write transaction of a command. Nothing is written until `commit`.
    pub fn writer(&mut self) -> Result<Writer<'_>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        Writer::new(tx)
    }
}
