//! The store: the only module that talks to SQLite. It opens the database with the pragmas
//! fundpool relies on, applies the numbered migrations in `schema/`, and offers typed reads
//! and one write transaction per command. Row mapping happens here; no SQL leaves this module.

mod config;
mod events;
mod filesystem;
mod ledger;
mod log;
mod pending;
mod plans;
mod reads;
mod reconcile;
mod scan;
mod users;

pub use ledger::{BatchRecord, Inserted, Writer};
pub use log::LogHead;
pub use reads::{Reader, VoucherFilter};
pub use reconcile::{MonthIds, RunRecord, SealRecord, SealedBook, StatementWrite};
pub use scan::{LogEntryRef, PostedVoucher, Snapshot};
pub use users::{AuditRecord, UserRecord};

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `PRAGMA application_id` of a fundpool database ("FPL1"): a file without it is not ours.
pub const APPLICATION_ID: i64 = 0x4650_4C31;

/// How long a writer waits for another to finish before giving up (`--busy-timeout`).
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Migrations in order; `PRAGMA user_version` records how many are applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../schema/0001_init.sql"),
    include_str!("../../schema/0002_events.sql"),
    include_str!("../../schema/0003_reconcile.sql"),
    include_str!("../../schema/0004_plans.sql"),
    include_str!("../../schema/0005_close_dates.sql"),
    include_str!("../../schema/0006_integrity.sql"),
    include_str!("../../schema/0007_users.sql"),
    include_str!("../../schema/0008_matching_basis.sql"),
    include_str!("../../schema/0009_rule_set.sql"),
    include_str!("../../schema/0010_settlement.sql"),
    include_str!("../../schema/0011_monthly_plans.sql"),
    include_str!("../../schema/0012_bulk_storage.sql"),
    include_str!("../../schema/0013_clustered_lines.sql"),
    include_str!("../../schema/0014_no_line_account_index.sql"),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库 {0} 不存在：请先运行 fundpool --db {0} init --city fixtures/jingmen")]
    Missing(String),
    #[error("数据库 {0} 已经初始化，init 不会覆盖已有账套；换一个文件名或先移走它")]
    AlreadyInitialised(String),
    #[error("数据库结构版本 {found} 比本程序支持的 {supported} 新：请使用更新版本的 fundpool，本程序不会修改它")]
    TooNew { found: i64, supported: i64 },
    #[error("数据库结构版本 {found} 旧于本程序的 {supported}：只读命令不会升级它；请先运行 fundpool --db {path} upgrade（或任一写入命令）")]
    TooOld { path: String, found: i64, supported: i64 },
    #[error("{0} 不是 fundpool 账套（SQLite 文件的 application_id 不符）：fundpool 不会读取或修改它")]
    Foreign(String),
    #[error("{0} 不是 SQLite 数据库文件")]
    NotADatabase(String),
    #[error("数据库尚未初始化：请先运行 init")]
    NotInitialised,
    #[error("{0}")]
    Busy(String),
    #[error("{0}")]
    Refused(String),
    #[error("数据库内容不一致：{0}")]
    Corrupt(String),
    #[error("数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// Another connection held the database past the busy timeout.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Busy(_) => true,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
            }
            _ => false,
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An open database: read-only for commands that only read, read-write for the others.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// What this command does, for the message a waiting writer sees ("post --all by 张会计").
    activity: String,
    /// Who acts, from where, doing what: every commit writes an audit entry with it.
    audit: Option<AuditContext>,
}

/// What an audit entry records besides its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    pub at: String,
    pub user: String,
    pub address: String,
    pub action: String,
}

/// The file beside the database naming the command that holds the write lock.
fn holder_file(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".writer");
    PathBuf::from(name)
}

/// Leaves the note for writers who wait. The folder of a shared database is writable by every
/// office's account, so whatever has the note's name is removed (a link, not what it points to)
/// and the note is created anew, never opened through a link: planted as a link to another file
/// of the user's, writing the note had overwritten that file. Best effort: if something takes the
/// name in between, there is no note.
fn leave_holder_note(holder: &Path, note: &str) {
    use std::io::Write;
    let _ = std::fs::remove_file(holder);
    // Not 0600 like `create_private_new`: the note is for the other accounts that share the file.
    if let Ok(mut file) = std::fs::OpenOptions::new().write(true).create_new(true).open(holder) {
        let _ = file.write_all(note.as_bytes());
    }
}

/// The note of the writer being waited for: at most a few KB, whatever is at its name (a link
/// to a device once made the waiting command read for ever).
fn read_holder_note(holder: &Path) -> Option<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(holder).ok()?.take(4096).read_to_end(&mut bytes).ok()?;
    Some(String::from_utf8_lossy(&bytes).trim().to_string()).filter(|t| !t.is_empty())
}

impl Store {
    /// Creates a new database file (0600) and applies every migration. Refuses an existing file.
    pub fn create(path: &Path, busy_timeout: Duration) -> Result<Store> {
        if path.exists() && std::fs::metadata(path).map(|m| m.len() > 0).unwrap_or(false) {
            return Err(StoreError::AlreadyInitialised(path.display().to_string()));
        }
        create_private(path).map_err(|e| StoreError::Refused(format!("无法创建 {}：{e}", path.display())))?;
        let conn = Connection::open(path)?;
        let store = Store::configure(conn, path, busy_timeout, "init")?;
        store.conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing database for reading only: no migration, no pragma that changes the
    /// file. A foreign, older or newer file is refused.
    pub fn open_read(path: &Path) -> Result<Store> {
        let conn = Store::connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let store = Store { conn, path: path.to_path_buf(), activity: String::new(), audit: None };
        register_functions(&store.conn)?;
        let found = store.identify()?;
        let supported = Store::supported_version();
        if found < supported {
            return Err(StoreError::TooOld { path: path.display().to_string(), found, supported });
        }
        Ok(store)
    }

    /// Opens an existing database for writing, bringing an older schema up to date; returns the
    /// store and notes for the user: that it migrated, that the file lies on a network share.
    /// `activity` names the command for a writer that has to wait.
    pub fn open_write(path: &Path, busy_timeout: Duration, activity: &str) -> Result<(Store, Vec<String>)> {
        let conn = Store::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let store = Store { conn, path: path.to_path_buf(), activity: String::new(), audit: None };
        store.identify()?;
        let store = Store::configure(store.conn, path, busy_timeout, activity)?;
        let found = store.user_version()?;
        let mut notes = Vec::new();
        if store.migrate()? {
            notes.push(format!(
                "已将数据库结构从版本 {found} 升级到 {}（{}）",
                Store::supported_version(),
                path.display()
            ));
        }
        if let Some(kind) = filesystem::network_share(path) {
            notes.push(format!(
                "账套 {} 在网络文件系统（{kind}）上：只能由一台电脑打开，多台电脑同时写入会损坏账套；\
                 各科室共用一个账套请在放账套的电脑上运行 fundpool serve，通过网页使用",
                path.display()
            ));
        }
        Ok((store, notes))
    }

    fn connect(path: &Path, flags: OpenFlags) -> Result<Connection> {
        if !path.exists() {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        Ok(Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?)
    }

    /// Checks that the file is a fundpool database this binary can read; returns its version.
    fn identify(&self) -> Result<i64> {
        let name = self.path.display().to_string();
        let application_id: i64 = match self.conn.query_row("PRAGMA application_id", [], |r| r.get(0)) {
            Ok(id) => id,
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::NotADatabase => {
                return Err(StoreError::NotADatabase(name))
            }
            Err(e) => return Err(e.into()),
        };
        let version = self.user_version()?;
        let supported = Store::supported_version();
        if application_id == 0 && version == 0 {
            let tables: i64 = self.conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))?;
            return Err(if tables == 0 { StoreError::NotInitialised } else { StoreError::Foreign(name) });
        }
        // Databases made before the application id was set are fundpool's if they have its books.
        let ours = application_id == APPLICATION_ID
            || (application_id == 0 && version <= 5 && self.has_table("book")? && self.has_table("voucher")?);
        if !ours {
            return Err(StoreError::Foreign(name));
        }
        if version > supported {
            return Err(StoreError::TooNew { found: version, supported });
        }
        Ok(version)
    }

    fn has_table(&self, name: &str) -> Result<bool> {
        let count: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [name],
            |r| r.get(0),
        )?;
        Ok(count > 0)
    }

    fn configure(conn: Connection, path: &Path, busy_timeout: Duration, activity: &str) -> Result<Store> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a command reports success only after its commit is on disk.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(busy_timeout)?;
        conn.set_prepared_statement_cache_capacity(64);
        register_functions(&conn)?;
        Ok(Store { conn, path: path.to_path_buf(), activity: activity.to_string(), audit: None })
    }

    fn user_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// The schema version this code writes.
    pub fn supported_version() -> i64 {
        MIGRATIONS.len() as i64
    }

    /// Applies the migrations not yet applied; true when it applied any.
    fn migrate(&self) -> Result<bool> {
        let found = self.user_version()?;
        let supported = Store::supported_version();
        if found > supported {
            return Err(StoreError::TooNew { found, supported });
        }
        if found == supported {
            return Ok(false);
        }
        let had_log = self.has_table("record_log")?;
        let tx = self.conn.unchecked_transaction()?;
        for sql in MIGRATIONS.iter().skip(found as usize) {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", supported)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        if found > 0 && !had_log {
            // A database that had records before the log existed: its present rows become the
            // log's starting point (what came before cannot be proved, only what follows). One
            // that had a log keeps it: its rows are already there, and re-logging a year of
            // vouchers would cost minutes for nothing — except the kinds whose bodies changed.
            log::adopt_existing(&tx)?;
        } else if found > 0 {
            for (version, kind) in log::BODIES_REDEFINED {
                if found < *version {
                    log::relog(&tx, kind)?;
                }
            }
        }
        tx.commit()?;
        Ok(true)
    }

    /// Starts the one write transaction of a command. The write lock is taken first (`BEGIN
    /// IMMEDIATE`), so everything the command reads next is what it will change; a second
    /// writer waits up to the busy timeout and is then refused with `StoreError::Busy`.
    pub fn writer(&mut self) -> Result<Writer<'_>> {
        let holder = holder_file(&self.path);
        let tx = match self.conn.transaction_with_behavior(TransactionBehavior::Immediate) {
            Ok(tx) => tx,
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
            {
                let who = read_holder_note(&holder);
                let who = who.map(|w| format!("正在运行的是：{w}")).unwrap_or_else(|| "另一个命令正在写入".to_string());
                return Err(StoreError::Busy(format!(
                    "账套 {} 正被另一个写入命令占用（{who}）。本命令没有写入任何内容；请等它完成后重试，或用 --busy-timeout 秒数 等得更久",
                    self.path.display()
                )));
            }
            Err(e) => return Err(e.into()),
        };
        // Best effort: a note for whoever has to wait. Removed when the writer ends.
        leave_holder_note(&holder, &format!("{}（进程 {}）\n", self.activity, std::process::id()));
        Writer::new(tx, holder, self.audit.clone())
    }

    /// Names what this connection's next writer does (for a writer that has to wait).
    pub fn set_activity(&mut self, activity: &str) {
        self.activity = activity.to_string();
    }

    /// Commits from now on write no audit entry of their own (the caller writes it).
    pub fn clear_audit(&mut self) {
        self.audit = None;
    }

    /// Every commit from now on records an audit entry with this context.
    pub fn set_audit(&mut self, context: AuditContext) {
        self.audit = Some(context);
    }

    /// A consistent copy of the database while others may write (SQLite's online backup).
    pub fn backup_to(&self, destination: &Path) -> Result<()> {
        self.conn.backup(rusqlite::DatabaseName::Main, destination, None)?;
        Ok(())
    }
}

/// `fp_sha256(text)`: the SHA-256 of a text in hex, for canonical bodies of large columns.
fn register_functions(conn: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    use sha2::{Digest, Sha256};
    conn.create_scalar_function(
        "fp_sha256",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            // The text's bytes as stored: a row edited by hand to hold bytes that are not UTF-8
            // still gets a digest (one no logged row has), so the audit can name it.
            if let rusqlite::types::ValueRef::Text(bytes) = ctx.get_raw(0) {
                return Ok(Some(hex::encode(Sha256::digest(bytes))));
            }
            let text: Option<String> = ctx.get(0)?;
            Ok(text.map(|t| hex::encode(Sha256::digest(t.as_bytes()))))
        },
    )?;
    Ok(())
}

/// Creates an empty file only its owner can read and write.
/// A temporary file of fundpool's own (0600), created anew: whatever already has its name — in a
/// folder other accounts can write, a link planted there for a guessable name — is removed (a
/// link, not what it points to), and the file is made with `create_new`, which never opens
/// through a link. Written through such a link, an export or a backup had overwritten the file
/// it pointed to before being renamed into place.
pub fn create_private_new(path: &Path) -> std::io::Result<std::fs::File> {
    let _ = std::fs::remove_file(path);
    private_options().create_new(true).open(path)
}

/// A new database file (0600), or the empty file a user made for it, opened as named (a link
/// given as `--db` is followed: it is the user's own choice).
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    private_options().create(true).truncate(true).open(path)
}

/// Writing, and a new file readable by its owner alone (0600).
fn private_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

#[cfg(test)]
mod tests {
    /// A temporary file is never written through a link planted at its name.
    #[test]
    fn a_temporary_file_is_created_anew_not_through_a_link() {
        use std::io::Write;
        let dir = tempfile::tempdir().expect("a folder");
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "victim's own text").expect("the victim");
        let temporary = dir.path().join(".export.xlsx.123.tmp");
        std::os::unix::fs::symlink(&victim, &temporary).expect("a planted link");
        super::create_private_new(&temporary).expect("created").write_all(b"export").expect("written");
        assert_eq!(std::fs::read_to_string(&victim).expect("the victim"), "victim's own text");
        assert!(std::fs::symlink_metadata(&temporary).expect("the file").file_type().is_file());
        assert_eq!(std::fs::read_to_string(&temporary).expect("the file"), "export");
    }

    /// The bundled SQLite is built as `.cargo/config.toml` says: without the shared page-cache LRU
    /// and memory statistics, whose global mutexes made two reading threads wait on each other
    /// (the 明细账's first pass at a million vouchers: 150 ms on two threads, 84 ms without them).
    #[test]
    fn sqlite_is_built_without_global_page_cache_and_memory_statistics_locks() {
        let conn = rusqlite::Connection::open_in_memory().expect("an in-memory database");
        let mut stmt = conn.prepare("PRAGMA compile_options").expect("compile options");
        let options: Vec<String> =
            stmt.query_map([], |r| r.get(0)).expect("options").collect::<rusqlite::Result<_>>().expect("read");
        assert!(!options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"), "{options:?}");
        assert!(options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{options:?}");
        assert!(options.iter().any(|o| o == "THREADSAFE=1"), "{options:?}");
    }
}
