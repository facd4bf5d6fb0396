//! Statement registers, the ledger lines reconciliation reads, reconciliation runs and seals.

use super::ledger::voucher_no;
use super::scan::text;
use super::{Reader, Result, StoreError, Writer};
use crate::domain::chart::Side;
use crate::domain::ids::{parse_date, BookCode, Period, VoucherNo};
use crate::money::Money;
use crate::reconcile::{LedgerLine, Source, StatementLine, VoucherTotals};
use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;

/// What importing one statement line did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementWrite {
    Inserted,
    AlreadyPresent,
    /// The same key is on file with other content.
    Conflict,
}

/// Where a month's posted vouchers lie among the ids (`Reader::reconciliation_ids`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthIds {
    /// Every posted voucher of the month and before.
    pub until: Option<std::ops::RangeInclusive<i64>>,
    /// Every posted voucher of the month.
    pub month: Option<std::ops::RangeInclusive<i64>>,
}

/// A stored reconciliation run, as closing needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub id: i64,
    pub run_at: String,
    pub differences: i64,
    pub posted_count: i64,
    pub report: String,
}

/// A stored seal or reopen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealRecord {
    pub id: i64,
    pub period: Period,
    pub action: String,
    pub books: String,
    pub run_id: Option<i64>,
    pub reason: Option<String>,
    pub hash: Option<String>,
    pub sealed_by: String,
    pub sealed_at: String,
}

/// One book's state a seal covers: cumulative totals per leaf account up to the month, and the
/// head of its hash chain when it was sealed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SealedBook {
    pub book: String,
    pub chain_seq: i64,
    pub chain_hash: String,
}

/// A statement line's stored content: date, ref, fund, kind, book id, account, amount.
type StoredLine = (String, Option<String>, Option<String>, String, Option<i64>, Option<String>, i64);

impl Writer<'_> {
    /// Stores a statement line unless the same line (source + key) is already on file.
    pub fn insert_statement_line(
        &mut self,
        key: &str,
        line: &StatementLine,
        by: &str,
        now: &str,
    ) -> Result<StatementWrite> {
        let book_id = match &line.book {
            Some(book) => Some(self.book_id(book)?),
            None => None,
        };
        let existing: Option<StoredLine> = self
            .tx
            .prepare_cached(
                "SELECT date, ref, fund, kind, book_id, account, amount_fen FROM statement_line WHERE source = ?1 AND line_key = ?2",
            )?
            .query_row(params![line.source.as_str(), key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })
            .optional()?;
        if let Some(stored) = existing {
            let same = stored
                == (
                    line.date.to_string(),
                    line.reference.clone(),
                    line.fund.clone(),
                    line.kind.clone(),
                    book_id,
                    line.account.clone(),
                    line.amount.fen(),
                );
            return Ok(if same { StatementWrite::AlreadyPresent } else { StatementWrite::Conflict });
        }
        self.tx
            .prepare_cached(
                "INSERT INTO statement_line (source, line_key, date, ref, fund, kind, book_id, account, amount_fen, imported_by, imported_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                line.source.as_str(),
                key,
                line.date.to_string(),
                line.reference,
                line.fund,
                line.kind,
                book_id,
                line.account,
                line.amount.fen(),
                by,
                now
            ])?;
        let id = self.tx.last_insert_rowid();
        self.log_id("statement_line", id)?;
        Ok(StatementWrite::Inserted)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_run(
        &mut self,
        period: Period,
        check: Option<&str>,
        fund: Option<&str>,
        by: &str,
        now: &str,
        differences: usize,
        outstanding: usize,
        posted_count: i64,
        report: &str,
    ) -> Result<i64> {
        self.tx.execute(
            "INSERT INTO reconciliation_run (period, check_name, fund, run_by, run_at, differences, outstanding, posted_count, report) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![period.to_string(), check, fund, by, now, differences as i64, outstanding as i64, posted_count, report],
        )?;
        let id = self.tx.last_insert_rowid();
        self.log_id("reconciliation_run", id)?;
        Ok(id)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_seal(
        &mut self,
        period: Period,
        action: &str,
        books: &str,
        run_id: Option<i64>,
        reason: Option<&str>,
        hash: Option<&str>,
        by: &str,
        now: &str,
        on: NaiveDate,
    ) -> Result<i64> {
        self.tx.execute(
            "INSERT INTO seal (period, action, books, run_id, reason, hash, sealed_by, sealed_at, closed_on) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![period.to_string(), action, books, run_id, reason, hash, by, now, on.to_string()],
        )?;
        let id = self.tx.last_insert_rowid();
        self.log_id("seal", id)?;
        Ok(id)
    }

    /// 反结账: a book's month open again.
    pub fn reopen_period(&mut self, book: &BookCode, period: Period) -> Result<()> {
        let book_id = self.book_id(book)?;
        self.tx.execute(
            "UPDATE period SET status = 'open', closed_at = NULL, closed_by = NULL WHERE book_id = ?1 AND period = ?2",
            params![book_id, period.to_string()],
        )?;
        self.log("period", "book_id = ?1 AND period = ?2", &[&book_id, &period.to_string()])
    }
}

impl Reader<'_> {
    /// Statement lines dated up to `until`.
    pub fn statement_lines(&self, until: NaiveDate) -> Result<Vec<StatementLine>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.source, s.date, s.ref, s.fund, s.kind, b.party, b.fund, s.account, s.amount_fen \
             FROM statement_line s LEFT JOIN book b ON b.id = s.book_id WHERE s.date <= ?1 ORDER BY s.date, s.id",
        )?;
        let rows = stmt.query_map([until.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, i64>(8)?,
            ))
        })?;
        rows.map(|row| {
            let (source, date, reference, fund, kind, party, book_fund, account, amount) = row?;
            Ok(StatementLine {
                source: Source::parse(&source)
                    .ok_or_else(|| StoreError::Corrupt(format!("对账单来源 {source} 无效")))?,
                date: parse_date(&date).map_err(StoreError::Corrupt)?,
                reference,
                fund,
                book: party.zip(book_fund).map(|(party, fund)| BookCode { party, fund }),
                account,
                kind,
                amount: Money::from_fen(amount),
            })
        })
        .collect()
    }

    /// Where a month's posted vouchers lie among the ids: the range holding every one of
    /// `period` and before, and the one holding every one of `period` (each `None` when there is
    /// none). They let the reads of a month stop where its vouchers end instead of going through
    /// the rest of the year's. Found by seeks in the (book, status, period) index, whose entries
    /// end with the id: for each book, its first posted month, the lowest and highest id of
    /// each month, the next month — a few lookups a month, where reading the entries was 60 ms
    /// at a million vouchers.
    pub fn reconciliation_ids(&self, period: Period) -> Result<MonthIds> {
        use std::ops::RangeInclusive;
        let mut next_month = self.conn.prepare_cached(
            "SELECT MIN(period) FROM voucher WHERE book_id = ?1 AND status = 'posted' AND period > ?2",
        )?;
        let mut lowest = self
            .conn
            .prepare_cached("SELECT MIN(id) FROM voucher WHERE book_id = ?1 AND status = 'posted' AND period = ?2")?;
        let mut highest = self
            .conn
            .prepare_cached("SELECT MAX(id) FROM voucher WHERE book_id = ?1 AND status = 'posted' AND period = ?2")?;
        let widen = |range: &mut Option<RangeInclusive<i64>>, low: i64, high: i64| {
            *range = Some(match range.take() {
                Some(range) => *range.start().min(&low)..=*range.end().max(&high),
                None => low..=high,
            });
        };
        let (mut until, mut month) = (None, None);
        let last = period.to_string();
        for (book_id, _) in self.book_ids()? {
            let mut at = String::new();
            while let Some(next) =
                next_month.query_row(params![book_id, at], |r| r.get::<_, Option<String>>(0))?.filter(|p| *p <= last)
            {
                let low: i64 = lowest.query_row(params![book_id, next], |r| r.get(0))?;
                let high: i64 = highest.query_row(params![book_id, next], |r| r.get(0))?;
                widen(&mut until, low, high);
                if next == last {
                    widen(&mut month, low, high);
                }
                at = next;
            }
        }
        Ok(MonthIds { until, month })
    }

    /// Posted lines dated up to `until` on the accounts reconciliation reads, of the vouchers
    /// with ids in `ids`, in storage order (voucher id, line); year-end closing vouchers are
    /// bookkeeping, not flows, and are left out. Put in journal order with
    /// `Ledger::in_journal_order`.
    ///
    /// The vouchers and the lines are each read in their own order, both by voucher id, and
    /// joined here as they go by: two forward reads, where SQLite's join sought each line's
    /// voucher in the voucher table (twice the time). An account prefix is a range of codes
    /// (`4001.` up to `4001/`, '/' following '.'), cheaper to test than `LIKE`.
    pub fn reconciliation_lines(
        &self,
        until: NaiveDate,
        ids: std::ops::RangeInclusive<i64>,
    ) -> Result<Vec<LedgerLine>> {
        use std::sync::Arc;
        let books: HashMap<i64, Arc<BookCode>> =
            self.book_ids()?.into_iter().map(|(id, book)| (id, Arc::new(book))).collect();
        let mut accounts: HashMap<String, Arc<str>> = HashMap::new();
        let mut voucher_stmt = self.conn.prepare(
            "SELECT id, book_id, period, seq, date FROM voucher \
             WHERE id BETWEEN ?2 AND ?3 AND status = 'posted' AND date <= ?1 \
               AND (external_id IS NULL OR external_id NOT LIKE 'year-end:%') \
             ORDER BY id",
        )?;
        let mut line_stmt = self.conn.prepare(
            "SELECT voucher_id, account, debit_fen, credit_fen, ref FROM voucher_line \
             WHERE voucher_id BETWEEN ?1 AND ?2 \
               AND (account IN ('1003', '1004', '1005', '1011', '4001', '4601') \
               OR (account >= '4001.' AND account < '4001/') OR (account >= '4701.' AND account < '4701/') \
               OR (account >= '5201.' AND account < '5201/') OR (account >= '5301.' AND account < '5301/')) \
             ORDER BY voucher_id, line_no",
        )?;
        let mut vouchers = voucher_stmt.query(params![until.to_string(), ids.start(), ids.end()])?;
        let mut lines_read = line_stmt.query(params![ids.start(), ids.end()])?;
        // The voucher the lines are being matched with: its id, and its book, number and date
        // (`None` for one of a book that does not exist: its lines are left out, as a join with
        // the book table left them, and `verify` names it).
        type Voucher = (i64, Option<(Arc<BookCode>, VoucherNo, NaiveDate)>);
        let mut voucher: Option<Voucher> = None;
        // Room for two lines a voucher, so that the list is rarely copied as it grows (memory
        // not written to is not taken).
        let vouchers_in_range = usize::try_from(i128::from(*ids.end()) - i128::from(*ids.start()) + 1).unwrap_or(0);
        let mut lines = Vec::with_capacity(vouchers_in_range.min(1 << 20) * 2);
        while let Some(line) = lines_read.next()? {
            let voucher_id: i64 = line.get(0)?;
            while voucher.as_ref().is_none_or(|(id, _)| *id < voucher_id) {
                let Some(row) = vouchers.next()? else { return Ok(lines) };
                let book = books.get(&row.get::<_, i64>(1)?);
                let about = match book {
                    Some(book) => Some((
                        book.clone(),
                        voucher_no(text(row, 2)?, row.get(3)?)?,
                        parse_date(text(row, 4)?).map_err(StoreError::Corrupt)?,
                    )),
                    None => None,
                };
                voucher = Some((row.get(0)?, about));
            }
            let Some((id, Some((book, number, date)))) = &voucher else { continue };
            if *id != voucher_id {
                continue;
            }
            let (debit, credit): (i64, i64) = (line.get(2)?, line.get(3)?);
            let (side, amount) = if debit != 0 { (Side::Debit, debit) } else { (Side::Credit, credit) };
            let code = text(line, 1)?;
            let account = match accounts.get(code) {
                Some(account) => account.clone(),
                None => accounts.entry(code.to_string()).or_insert_with(|| Arc::from(code)).clone(),
            };
            lines.push(LedgerLine {
                voucher_id,
                book: book.clone(),
                number: *number,
                date: *date,
                account,
                side,
                amount: Money::from_fen(amount),
                reference: line.get(4)?,
            });
        }
        Ok(lines)
    }

    /// Debit and credit totals of every posted voucher of a month with an id in `ids`, in id
    /// order, each with its book's id (the order the month's totals are reported in is by book
    /// id, then number).
    pub fn voucher_totals(
        &self,
        period: Period,
        ids: std::ops::RangeInclusive<i64>,
    ) -> Result<Vec<(i64, VoucherTotals)>> {
        let books = self.book_ids()?.into_iter().collect::<HashMap<i64, BookCode>>();
        let mut stmt = self.conn.prepare(
            "SELECT v.book_id, v.period, v.seq, SUM(l.debit_fen), SUM(l.credit_fen) FROM voucher v \
             JOIN voucher_line l ON l.voucher_id = v.id \
             WHERE v.id BETWEEN ?2 AND ?3 AND v.status = 'posted' AND v.period = ?1 GROUP BY v.id ORDER BY v.id",
        )?;
        let mut rows = stmt.query(params![period.to_string(), ids.start(), ids.end()])?;
        let mut totals = Vec::new();
        while let Some(row) = rows.next()? {
            let book_id: i64 = row.get(0)?;
            // Vouchers of a book that does not exist are left out, as a join with the book
            // table left them (`verify` names the voucher).
            let Some(book) = books.get(&book_id) else { continue };
            totals.push((
                book_id,
                VoucherTotals {
                    book: book.clone(),
                    number: voucher_no(text(row, 1)?, row.get(2)?)?,
                    debit: Money::from_fen(row.get(3)?),
                    credit: Money::from_fen(row.get(4)?),
                },
            ));
        }
        Ok(totals)
    }

    /// Posted vouchers in the month and before: grows whenever anything is posted there.
    pub fn posted_count(&self, period: Period) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM voucher WHERE status = 'posted' AND period <= ?1",
            [period.to_string()],
            |r| r.get(0),
        )?)
    }

    /// The latest run of a month that covered every check and fund.
    pub fn latest_full_run(&self, period: Period) -> Result<Option<RunRecord>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, run_at, differences, posted_count, report FROM reconciliation_run \
                 WHERE period = ?1 AND check_name IS NULL AND fund IS NULL ORDER BY id DESC LIMIT 1",
                [period.to_string()],
                |r| {
                    Ok(RunRecord {
                        id: r.get(0)?,
                        run_at: r.get(1)?,
                        differences: r.get(2)?,
                        posted_count: r.get(3)?,
                        report: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn run_report(&self, id: i64) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT report FROM reconciliation_run WHERE id = ?1", [id], |r| r.get(0)).optional()?)
    }

    pub fn seals(&self) -> Result<Vec<SealRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, period, action, books, run_id, reason, hash, sealed_by, sealed_at FROM seal ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
            ))
        })?;
        rows.map(|row| {
            let (id, period, action, books, run_id, reason, hash, sealed_by, sealed_at) = row?;
            Ok(SealRecord {
                id,
                period: Period::parse(&period).map_err(StoreError::Corrupt)?,
                action,
                books,
                run_id,
                reason,
                hash,
                sealed_by,
                sealed_at,
            })
        })
        .collect()
    }

    /// A book's hash-chain head now: (chain_seq, hash), or (0, genesis).
    pub fn chain_head(&self, book: &BookCode) -> Result<(i64, String)> {
        Ok(self
            .conn
            .query_row(
                "SELECT v.chain_seq, v.hash FROM voucher v JOIN book b ON b.id = v.book_id \
                 WHERE b.party = ?1 AND b.fund = ?2 AND v.chain_seq IS NOT NULL ORDER BY v.chain_seq DESC LIMIT 1",
                [&book.party, &book.fund],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((0, crate::domain::chain::GENESIS.to_string())))
    }

    /// The hash stored for a book's voucher at a chain position.
    pub fn chain_hash_at(&self, book: &BookCode, chain_seq: i64) -> Result<Option<String>> {
        if chain_seq == 0 {
            return Ok(Some(crate::domain::chain::GENESIS.to_string()));
        }
        Ok(self
            .conn
            .query_row(
                "SELECT v.hash FROM voucher v JOIN book b ON b.id = v.book_id WHERE b.party = ?1 AND b.fund = ?2 AND v.chain_seq = ?3",
                params![book.party, book.fund, chain_seq],
                |r| r.get(0),
            )
            .optional()?)
    }
}
