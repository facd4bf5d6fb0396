//! The write side: one IMMEDIATE transaction per command, with the caches that keep the
//! import hot path to a few prepared statements per voucher (book ids, the next voucher
//! number per book and month, each book's chain head).

use super::log::LogHead;
use super::pending::Pending;
use super::AuditContext;
use super::{Reader, Result, StoreError};
use crate::domain::chain::{chain_hash, GENESIS};
use crate::domain::ids::{BookCode, Period, VoucherNo};
use crate::domain::voucher::{LineRecord, Status, Voucher, VoucherRecord};
use rusqlite::{params, OptionalExtension, Transaction};
use std::cell::RefCell;
use std::collections::HashMap;

/// What `insert` created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inserted {
    pub id: i64,
    pub number: VoucherNo,
}

/// The most that all posted amounts of a ledger may add up to, in absolute value. Every sum
/// any report makes (balances, running balances, consolidations) is a partial sum of these, so
/// none can overflow an i64 (≈ 9.2 × 10^18 分); a posting that would pass it is refused.
pub const MAX_POSTED_VOLUME: i128 = 4_000_000_000_000_000_000;

pub struct Writer<'conn> {
    pub(super) tx: Transaction<'conn>,
    book_ids: HashMap<BookCode, i64>,
    next_seq: HashMap<(i64, Period), u32>,
    chain_heads: HashMap<i64, (i64, String)>,
    /// The id the next voucher gets, once read (ids are given here so that a voucher posted in
    /// one step can have its lines written before it).
    next_voucher_id: Option<i64>,
    /// Foreign keys are checked at commit once a voucher's lines have gone in before it.
    foreign_keys_deferred: bool,
    pub(super) log_head: RefCell<Option<LogHead>>,
    /// Balances and log entries held until a read, another log entry or the commit.
    pub(super) pending: RefCell<Pending>,
    /// The first failure to write what was held when a read asked for it: the commit refuses.
    flush_failure: RefCell<Option<StoreError>>,
    /// Σ|amount| of every posted line, once read; written back at commit.
    volume: Option<(i128, bool)>,
    /// The note naming this writer for others who wait; removed when the writer ends.
    _holder: HolderNote,
    /// The audit entry this transaction commits with, and what it acted on.
    audit: Option<AuditContext>,
    target: String,
}

/// The file beside the database that names the command holding the write lock.
struct HolderNote(std::path::PathBuf);

impl Drop for HolderNote {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl<'conn> Writer<'conn> {
    pub(super) fn new(
        tx: Transaction<'conn>,
        holder: std::path::PathBuf,
        audit: Option<AuditContext>,
    ) -> Result<Writer<'conn>> {
        Ok(Writer {
            tx,
            book_ids: HashMap::new(),
            next_seq: HashMap::new(),
            chain_heads: HashMap::new(),
            next_voucher_id: None,
            foreign_keys_deferred: false,
            log_head: RefCell::new(None),
            pending: RefCell::new(Pending::default()),
            flush_failure: RefCell::new(None),
            volume: None,
            _holder: HolderNote(holder),
            audit,
            target: String::new(),
        })
    }

    /// What this transaction acts on, for its audit entry ("shayang/employee 记-2023-01-0004").
    pub fn set_target(&mut self, target: impl Into<String>) {
        self.target = target.into();
    }

    /// Reads inside this transaction: they see what it has written so far, held balances and
    /// log entries included.
    pub fn reader(&self) -> Reader<'_> {
        if let Err(failure) = self.flush() {
            // Reads must not fail for it; the commit will (nothing of this transaction is kept).
            self.flush_failure.borrow_mut().get_or_insert(failure);
        }
        Reader { conn: &self.tx }
    }

    /// Makes everything durable (synchronous=FULL): only after this returns may a command say
    /// it succeeded.
    pub fn commit(mut self) -> Result<()> {
        if let Some(failure) = self.flush_failure.borrow_mut().take() {
            return Err(failure);
        }
        self.flush()?;
        if let Some((volume, true)) = self.volume {
            self.set_setting("posted_volume_fen", &volume.to_string())?;
        }
        if let Some(a) = self.audit.take() {
            let target = std::mem::take(&mut self.target);
            self.insert_audit(&a.at, &a.user, &a.address, &a.action, &target, "ok", "")?;
        }
        self.tx.commit()?;
        Ok(())
    }

    pub fn book_id(&mut self, book: &BookCode) -> Result<i64> {
        if let Some(id) = self.book_ids.get(book) {
            return Ok(*id);
        }
        let id: i64 = self
            .tx
            .prepare_cached("SELECT id FROM book WHERE party = ?1 AND fund = ?2")?
            .query_row(params![book.party, book.fund], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::Corrupt(format!("账簿 {book} 不在数据库中")))?;
        self.book_ids.insert(book.clone(), id);
        Ok(id)
    }

    /// The voucher already stored under an external id in a book: (number, content digest).
    pub fn find_external(&mut self, book: &BookCode, external_id: &str) -> Result<Option<(VoucherNo, String)>> {
        let book_id = self.book_id(book)?;
        let row = self
            .tx
            .prepare_cached("SELECT period, seq, content_digest FROM voucher WHERE book_id = ?1 AND external_id = ?2")?
            .query_row(params![book_id, external_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?))
            })
            .optional()?;
        row.map(|(period, seq, digest)| Ok((voucher_no(&period, seq)?, digest))).transpose()
    }

    /// Stores a validated voucher as a draft (制单) and gives it the next number of its month.
    pub fn insert(&mut self, voucher: &Voucher, maker: &str, now: &str) -> Result<Inserted> {
        let book_id = self.book_id(voucher.book())?;
        let number = VoucherNo { period: voucher.period(), seq: self.next_seq(book_id, voucher.period())? };
        let id = self.next_voucher_id()?;
        self.insert_row(id, book_id, number, voucher, maker, now, None)?;
        self.insert_lines(id, voucher)?;
        self.log_id("voucher", id)?;
        Ok(Inserted { id, number })
    }

    /// The next number of a book's month (gap-free: read once, then counted here).
    fn next_seq(&mut self, book_id: i64, period: Period) -> Result<u32> {
        let seq = match self.next_seq.get(&(book_id, period)) {
            Some(seq) => *seq,
            None => {
                let max: i64 = self
                    .tx
                    .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM voucher WHERE book_id = ?1 AND period = ?2")?
                    .query_row(params![book_id, period.to_string()], |r| r.get(0))?;
                max as u32 + 1
            }
        };
        self.next_seq.insert((book_id, period), seq + 1);
        Ok(seq)
    }

    /// The id of the next voucher (this transaction holds the write lock: no one else adds one).
    fn next_voucher_id(&mut self) -> Result<i64> {
        let id = match self.next_voucher_id {
            Some(id) => id,
            None => self.tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM voucher", [], |r| r.get(0))?,
        };
        self.next_voucher_id = Some(id + 1);
        Ok(id)
    }

    /// Writes a voucher's row: a draft, or — given its reviewer and chain link — posted in one step
    /// (made, reviewed and posted at `now`, the maker posting).
    #[allow(clippy::too_many_arguments)]
    fn insert_row(
        &mut self,
        id: i64,
        book_id: i64,
        number: VoucherNo,
        voucher: &Voucher,
        maker: &str,
        now: &str,
        posted: Option<(&str, i64, &str)>,
    ) -> Result<()> {
        let (status, reviewer, stamp, chain_seq, hash) = match posted {
            Some((reviewer, chain_seq, hash)) => ("posted", Some(reviewer), Some(now), Some(chain_seq), Some(hash)),
            None => ("draft", None, None, None, None),
        };
        let poster = posted.map(|_| maker);
        self.tx
            .prepare_cached(
                "INSERT INTO voucher (id, book_id, period, seq, date, attachments, external_id, content_digest, \
                 status, maker, made_at, reviewer, reviewed_at, poster, posted_at, reverses, chain_seq, hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?13, ?15, ?16, ?17)",
            )?
            .execute(params![
                id,
                book_id,
                number.period.to_string(),
                number.seq,
                voucher.date().to_string(),
                voucher.attachments(),
                voucher.external_id(),
                voucher.content_digest(),
                status,
                maker,
                now,
                reviewer,
                stamp,
                poster,
                voucher.reverses(),
                chain_seq,
                hash,
            ])?;
        Ok(())
    }

    fn insert_lines(&mut self, id: i64, voucher: &Voucher) -> Result<()> {
        // OR FAIL, not the default ABORT: a one-row insert refused by a constraint has written
        // nothing either way, and a statement that may ABORT after writing makes SQLite copy each
        // page it touches into a statement journal first (schema 0012).
        let mut line_stmt = self.tx.prepare_cached(
            "INSERT OR FAIL INTO voucher_line (voucher_id, line_no, account, summary, debit_fen, credit_fen, ref) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (index, line) in voucher.lines().iter().enumerate() {
            let (debit, credit) = line.side.split(line.amount.fen());
            line_stmt.execute(params![
                id,
                index as i64 + 1,
                line.account,
                line.summary,
                debit,
                credit,
                line.reference
            ])?;
        }
        Ok(())
    }

    /// 审核: a draft becomes reviewed. The caller has checked status and the four-eyes rule;
    /// the schema checks the latter again.
    pub fn review(&mut self, id: i64, reviewer: &str, now: &str) -> Result<()> {
        // OR FAIL, as for lines (schema 0012): no statement journal for a one-row update.
        let changed = self
            .tx
            .prepare_cached("UPDATE OR FAIL voucher SET status = 'reviewed', reviewer = ?2, reviewed_at = ?3 WHERE id = ?1 AND status = 'draft'")?
            .execute(params![id, reviewer, now])?;
        if changed != 1 {
            return Err(StoreError::Refused(format!("凭证（内部编号 {id}）已不是未审核状态：可能刚被别人审核")));
        }
        self.log_id("voucher", id)
    }

    /// 记账: a reviewed voucher becomes posted, joins its book's hash chain and moves balances.
    /// `record` is the voucher as stored (status reviewed).
    pub fn post(&mut self, record: &VoucherRecord, poster: &str, now: &str) -> Result<String> {
        let book_id = self.book_id(&record.book)?;
        let mut posted = record.clone();
        posted.status = Status::Posted;
        posted.poster = Some(poster.to_string());
        posted.posted_at = Some(now.to_string());
        let (chain_seq, hash) = self.chain(book_id, &posted)?;
        let changed = self
            .tx
            .prepare_cached(
                "UPDATE OR FAIL voucher SET status = 'posted', poster = ?2, posted_at = ?3, chain_seq = ?4, hash = ?5 \
                 WHERE id = ?1 AND status = 'reviewed'",
            )?
            .execute(params![record.id, poster, now, chain_seq, hash])?;
        // A balance moves only for a voucher whose status this statement actually changed.
        if changed != 1 {
            return Err(StoreError::Refused(format!(
                "{} {} 已不是已审核状态：可能刚被别人记账，本次没有改动",
                record.book, record.number
            )));
        }
        self.moved(book_id, &posted, chain_seq, &hash);
        self.log_id("voucher", record.id)?;
        Ok(hash)
    }

    /// Checks the volume and computes the chain link of a voucher about to be posted.
    fn chain(&mut self, book_id: i64, posted: &VoucherRecord) -> Result<(i64, String)> {
        let (head_seq, head_hash) = self.chain_head(book_id)?;
        // Before the voucher is written: a first read of the volume must not count it.
        self.add_volume(posted)?;
        Ok((head_seq + 1, chain_hash(&head_hash, posted)))
    }

    /// After a voucher is posted: the book's chain head moves and its balances are held.
    fn moved(&mut self, book_id: i64, posted: &VoucherRecord, chain_seq: i64, hash: &str) {
        for line in &posted.lines {
            let (debit, credit) = line.side.split(line.amount.fen());
            self.hold_balance(book_id, &line.account, posted.number.period, debit, credit);
        }
        self.chain_heads.insert(book_id, (chain_seq, hash.to_string()));
    }

    /// Makes, reviews and posts a validated voucher in one step (trusted feeds, reversals): it
    /// is written once, in its final state, lines first (a posted voucher takes no new lines),
    /// and logged with the next run of such vouchers.
    pub fn insert_posted(&mut self, voucher: &Voucher, maker: &str, reviewer: &str, now: &str) -> Result<Inserted> {
        let book_id = self.book_id(voucher.book())?;
        let number = VoucherNo { period: voucher.period(), seq: self.next_seq(book_id, voucher.period())? };
        let id = self.next_voucher_id()?;
        let reverses = match voucher.reverses() {
            Some(original) => Some(self.reader().voucher_no_by_id(original)?),
            None => None,
        };
        let record = VoucherRecord {
            id,
            book: voucher.book().clone(),
            number,
            date: voucher.date(),
            attachments: voucher.attachments(),
            external_id: voucher.external_id().map(str::to_string),
            status: Status::Posted,
            maker: maker.to_string(),
            made_at: now.to_string(),
            reviewer: Some(reviewer.to_string()),
            reviewed_at: Some(now.to_string()),
            poster: Some(maker.to_string()),
            posted_at: Some(now.to_string()),
            reverses,
            reversed_by: None,
            chain_seq: None,
            hash: None,
            void_reason: None,
            lines: voucher
                .lines()
                .iter()
                .enumerate()
                .map(|(i, l)| LineRecord {
                    line_no: i as u32 + 1,
                    account: l.account.clone(),
                    summary: l.summary.clone(),
                    side: l.side,
                    amount: l.amount,
                    reference: l.reference.clone(),
                })
                .collect(),
        };
        let (chain_seq, hash) = self.chain(book_id, &record)?;
        if !self.foreign_keys_deferred {
            // The lines' reference to their voucher is checked at commit, when it exists.
            self.tx.pragma_update(None, "defer_foreign_keys", "ON")?;
            self.foreign_keys_deferred = true;
        }
        self.insert_lines(id, voucher)?;
        self.insert_row(id, book_id, number, voucher, maker, now, Some((reviewer, chain_seq, &hash)))?;
        self.moved(book_id, &record, chain_seq, &hash);
        self.hold_log(id)?;
        Ok(Inserted { id, number })
    }

    /// Adds a voucher's amounts to the ledger's posted volume; refuses past the ceiling.
    fn add_volume(&mut self, record: &VoucherRecord) -> Result<()> {
        let current = match self.volume {
            Some((volume, _)) => volume,
            None => {
                let stored: Option<String> = self
                    .tx
                    .query_row("SELECT value FROM setting WHERE key = 'posted_volume_fen'", [], |r| r.get(0))
                    .optional()?;
                match stored.and_then(|s| s.parse::<i128>().ok()) {
                    Some(volume) => volume,
                    None => self.tx.query_row(
                        "SELECT COALESCE(SUM(ABS(l.debit_fen) + ABS(l.credit_fen)), 0) FROM voucher_line l \
                         JOIN voucher v ON v.id = l.voucher_id WHERE v.status = 'posted'",
                        [],
                        |r| r.get::<_, i64>(0),
                    )? as i128,
                }
            }
        };
        let added: i128 = record.lines.iter().map(|l| i128::from(l.amount.fen()).abs()).sum();
        let volume = current + added;
        if volume > MAX_POSTED_VOLUME {
            return Err(StoreError::Refused(format!(
                "{} {} 记账后账套累计发生额将超出可记账范围（{} 分）：拒绝记账，没有写入",
                record.book, record.number, MAX_POSTED_VOLUME
            )));
        }
        self.volume = Some((volume, true));
        Ok(())
    }

    fn chain_head(&mut self, book_id: i64) -> Result<(i64, String)> {
        if let Some(head) = self.chain_heads.get(&book_id) {
            return Ok(head.clone());
        }
        let head = self
            .tx
            .prepare_cached("SELECT chain_seq, hash FROM voucher WHERE book_id = ?1 AND chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1")?
            .query_row(params![book_id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .optional()?
            .unwrap_or((0, GENESIS.to_string()));
        self.chain_heads.insert(book_id, head.clone());
        Ok(head)
    }

    /// 结账: marks a book's month closed.
    pub fn close_period(&mut self, book: &BookCode, period: Period, by: &str, now: &str) -> Result<()> {
        let book_id = self.book_id(book)?;
        self.tx
            .prepare_cached(
                "INSERT INTO period (book_id, period, status, closed_at, closed_by) VALUES (?1, ?2, 'closed', ?3, ?4) \
                 ON CONFLICT (book_id, period) DO UPDATE SET status = 'closed', closed_at = ?3, closed_by = ?4",
            )?
            .execute(params![book_id, period.to_string(), now, by])?;
        self.log("period", "book_id = ?1 AND period = ?2", &[&book_id, &period.to_string()])
    }
}

/// A voucher number from its stored period and sequence.
pub(super) fn voucher_no(period: &str, seq: i64) -> Result<VoucherNo> {
    let period = Period::parse(period).map_err(StoreError::Corrupt)?;
    Ok(VoucherNo { period, seq: seq as u32 })
}

impl Writer<'_> {
    /// 作废: a draft is voided with the reason; the caller checked it is a draft.
    pub fn void(&mut self, voucher_id: i64, reason: &str, by: &str, now: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO voucher_void (voucher_id, reason, voided_by, voided_at) VALUES (?1, ?2, ?3, ?4)",
            params![voucher_id, reason, by, now],
        )?;
        self.log("voucher_void", "voucher_id = ?1", &[&voucher_id])
    }
}

/// An import batch already on file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRecord {
    pub id: i64,
    pub name: String,
    pub rows: i64,
    pub imported_by: String,
    pub imported_at: String,
}

impl Writer<'_> {
    /// The earlier import of a file with this content, if any.
    pub fn find_batch(&mut self, kind: &str, sha256: &str) -> Result<Option<BatchRecord>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT id, name, rows, imported_by, imported_at FROM import_batch WHERE kind = ?1 AND sha256 = ?2",
            )?
            .query_row(params![kind, sha256], |r| {
                Ok(BatchRecord {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    rows: r.get(2)?,
                    imported_by: r.get(3)?,
                    imported_at: r.get(4)?,
                })
            })
            .optional()?)
    }

    /// Records an imported file; returns the batch id.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_batch(
        &mut self,
        kind: &str,
        sha256: &str,
        name: &str,
        size: u64,
        rows: usize,
        by: &str,
        now: &str,
    ) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO import_batch (kind, sha256, name, size, rows, imported_by, imported_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![kind, sha256, name, size as i64, rows as i64, by, now])?;
        let id = self.tx.last_insert_rowid();
        self.log_id("import_batch", id)?;
        Ok(id)
    }

    /// A voucher of the book with the same content and, like the new one, no external id.
    pub fn find_duplicate(&mut self, voucher: &Voucher) -> Result<Option<VoucherNo>> {
        let book_id = self.book_id(voucher.book())?;
        let row: Option<(String, i64)> = self
            .tx
            .prepare_cached(
                // INDEXED BY: left to itself the planner may pick the (book, external id) index for
                // `external_id IS NULL`, which scans every voucher without one — quadratic. The date
                // leads the index so that an import keeps to the pages of its days (schema 0012).
                "SELECT period, seq FROM voucher INDEXED BY voucher_content WHERE book_id = ?1 AND date = ?2 \
                 AND content_digest = ?3 AND external_id IS NULL AND reverses IS NULL LIMIT 1",
            )?
            .query_row(params![book_id, voucher.date().to_string(), voucher.content_digest()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        row.map(|(period, seq)| voucher_no(&period, seq)).transpose()
    }
}
