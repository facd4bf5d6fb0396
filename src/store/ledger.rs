//! The write side: one IMMEDIATE transaction per command, with the caches that keep the
//! import hot path to a few prepared statements per voucher (book ids, the next voucher
//! number per book and month, each book's chain head).

use super::{Reader, Result, StoreError};
use crate::domain::chain::{chain_hash, GENESIS};
use crate::domain::chart::Side;
use crate::domain::ids::{BookCode, Period, VoucherNo};
use crate::domain::voucher::{LineRecord, Status, Voucher, VoucherRecord};
use rusqlite::{params, OptionalExtension, Transaction};
use std::collections::HashMap;

/// What `insert` created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inserted {
    pub id: i64,
    pub number: VoucherNo,
}

pub struct Writer<'conn> {
    pub(super) tx: Transaction<'conn>,
    book_ids: HashMap<BookCode, i64>,
    next_seq: HashMap<(i64, Period), u32>,
    chain_heads: HashMap<i64, (i64, String)>,
}

impl<'conn> Writer<'conn> {
    pub(super) fn new(tx: Transaction<'conn>) -> Result<Writer<'conn>> {
        Ok(Writer { tx, book_ids: HashMap::new(), next_seq: HashMap::new(), chain_heads: HashMap::new() })
    }

    /// Reads inside this transaction: they see what it has written so far.
    pub fn reader(&self) -> Reader<'_> {
        Reader { conn: &self.tx }
    }

    pub fn commit(self) -> Result<()> {
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
        let period = voucher.period();
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
        self.tx
            .prepare_cached(
                "INSERT INTO voucher (book_id, period, seq, date, attachments, external_id, content_digest, \
                 status, maker, made_at, reverses) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'draft', ?8, ?9, ?10)",
            )?
            .execute(params![
                book_id,
                period.to_string(),
                seq,
                voucher.date().to_string(),
                voucher.attachments(),
                voucher.external_id(),
                voucher.content_digest(),
                maker,
                now,
                voucher.reverses(),
            ])?;
        let id = self.tx.last_insert_rowid();
        let mut line_stmt = self.tx.prepare_cached(
            "INSERT INTO voucher_line (voucher_id, line_no, account, summary, debit_fen, credit_fen, ref) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (index, line) in voucher.lines().iter().enumerate() {
            let (debit, credit) = match line.side {
                Side::Debit => (line.amount.fen(), 0),
                Side::Credit => (0, line.amount.fen()),
            };
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
        Ok(Inserted { id, number: VoucherNo { period, seq } })
    }

    /// 审核: a draft becomes reviewed. The caller has checked status and the four-eyes rule;
    /// the schema checks the latter again.
    pub fn review(&mut self, id: i64, reviewer: &str, now: &str) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE voucher SET status = 'reviewed', reviewer = ?2, reviewed_at = ?3 WHERE id = ?1 AND status = 'draft'")?
            .execute(params![id, reviewer, now])?;
        Ok(())
    }

    /// 记账: a reviewed voucher becomes posted, joins its book's hash chain and moves balances.
    /// `record` is the voucher as stored (status reviewed).
    pub fn post(&mut self, record: &VoucherRecord, poster: &str, now: &str) -> Result<String> {
        let book_id = self.book_id(&record.book)?;
        let (head_seq, head_hash) = self.chain_head(book_id)?;
        let mut posted = record.clone();
        posted.status = Status::Posted;
        posted.poster = Some(poster.to_string());
        posted.posted_at = Some(now.to_string());
        let hash = chain_hash(&head_hash, &posted);
        let chain_seq = head_seq + 1;
        self.tx
            .prepare_cached(
                "UPDATE voucher SET status = 'posted', poster = ?2, posted_at = ?3, chain_seq = ?4, hash = ?5 \
                 WHERE id = ?1 AND status = 'reviewed'",
            )?
            .execute(params![record.id, poster, now, chain_seq, hash])?;
        let mut upsert = self.tx.prepare_cached(
            "INSERT INTO balance (book_id, account, period, debit_fen, credit_fen) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (book_id, account, period) DO UPDATE SET \
             debit_fen = debit_fen + excluded.debit_fen, credit_fen = credit_fen + excluded.credit_fen",
        )?;
        let period = record.number.period.to_string();
        for line in &record.lines {
            let (debit, credit) = match line.side {
                Side::Debit => (line.amount.fen(), 0),
                Side::Credit => (0, line.amount.fen()),
            };
            upsert.execute(params![book_id, line.account, period, debit, credit])?;
        }
        self.chain_heads.insert(book_id, (chain_seq, hash.clone()));
        Ok(hash)
    }

    /// Inserts, reviews and posts a validated voucher in one step (trusted feeds, reversals),
    /// without reading it back.
    pub fn insert_posted(&mut self, voucher: &Voucher, maker: &str, reviewer: &str, now: &str) -> Result<Inserted> {
        let inserted = self.insert(voucher, maker, now)?;
        self.review(inserted.id, reviewer, now)?;
        let reverses = match voucher.reverses() {
            Some(original) => Some(self.reader().voucher_no_by_id(original)?),
            None => None,
        };
        let record = VoucherRecord {
            id: inserted.id,
            book: voucher.book().clone(),
            number: inserted.number,
            date: voucher.date(),
            attachments: voucher.attachments(),
            external_id: voucher.external_id().map(str::to_string),
            status: Status::Reviewed,
            maker: maker.to_string(),
            made_at: now.to_string(),
            reviewer: Some(reviewer.to_string()),
            reviewed_at: Some(now.to_string()),
            poster: None,
            posted_at: None,
            reverses,
            reversed_by: None,
            chain_seq: None,
            hash: None,
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
        self.post(&record, maker, now)?;
        Ok(inserted)
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
        Ok(())
    }
}

pub(super) fn voucher_no(period: &str, seq: i64) -> Result<VoucherNo> {
    let period = Period::parse(period).map_err(StoreError::Corrupt)?;
    Ok(VoucherNo { period, seq: seq as u32 })
}
