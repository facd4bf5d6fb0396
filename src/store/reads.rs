//! The read side: vouchers with their lines, balances kept by posting, the same totals
//! recomputed from lines (for `check`), closed periods and books.

use super::ledger::voucher_no;
use super::{Result, Store, StoreError};
use crate::domain::balance::PeriodTotals;
use crate::domain::chart::Side;
use crate::domain::ids::{parse_date, BookCode, Period, VoucherNo};
use crate::domain::voucher::{LineRecord, Status, VoucherRecord};
use crate::money::Money;
use rusqlite::{params_from_iter, Connection, Row};
use std::collections::HashSet;

/// Reads over a connection or an open write transaction.
pub struct Reader<'a> {
    pub(super) conn: &'a Connection,
}

impl Store {
    pub fn reader(&self) -> Reader<'_> {
        Reader { conn: &self.conn }
    }
}

/// Which vouchers to read.
#[derive(Debug, Clone, Default)]
pub struct VoucherFilter {
    pub book: Option<BookCode>,
    pub from: Option<Period>,
    pub to: Option<Period>,
    pub status: Option<Status>,
    pub number: Option<VoucherNo>,
    /// Only these vouchers (store ids).
    pub ids: Option<Vec<i64>>,
    /// Order by position in the book's hash chain instead of by number.
    pub chain_order: bool,
}

const VOUCHER_COLUMNS: &str = "v.id, b.party, b.fund, v.period, v.seq, v.date, v.attachments, v.external_id, \
    v.status, v.maker, v.made_at, v.reviewer, v.reviewed_at, v.poster, v.posted_at, \
    o.period, o.seq, r.period, r.seq, v.chain_seq, v.hash, x.reason";

impl Reader<'_> {
    pub fn books(&self) -> Result<Vec<BookCode>> {
        let mut stmt = self.conn.prepare(
            "SELECT b.party, b.fund FROM book b JOIN party p ON p.code = b.party \
             JOIN fund f ON f.code = b.fund ORDER BY p.ordinal, f.rowid",
        )?;
        let books = stmt
            .query_map([], |r| Ok(BookCode { party: r.get(0)?, fund: r.get(1)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(books)
    }

    /// Every closed (book, month).
    pub fn closed_periods(&self) -> Result<HashSet<(BookCode, Period)>> {
        let mut stmt = self.conn.prepare(
            "SELECT b.party, b.fund, p.period FROM period p JOIN book b ON b.id = p.book_id WHERE p.status = 'closed'",
        )?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        let mut closed = HashSet::new();
        for row in rows {
            let (party, fund, period) = row?;
            let period = Period::parse(&period).map_err(StoreError::Corrupt)?;
            closed.insert((BookCode { party, fund }, period));
        }
        Ok(closed)
    }

    /// Vouchers of a month that are not yet posted: (number, status), by number.
    pub fn unposted(&self, book: &BookCode, period: Period) -> Result<Vec<(VoucherNo, Status)>> {
        let filter =
            VoucherFilter { book: Some(book.clone()), from: Some(period), to: Some(period), ..Default::default() };
        Ok(self
            .vouchers(&filter)?
            .into_iter()
            .filter(|v| v.status != Status::Posted && v.void_reason.is_none())
            .map(|v| (v.number, v.status))
            .collect())
    }

    pub fn voucher(&self, book: &BookCode, number: VoucherNo) -> Result<Option<VoucherRecord>> {
        let filter = VoucherFilter { book: Some(book.clone()), number: Some(number), ..Default::default() };
        Ok(self.vouchers(&filter)?.into_iter().next())
    }

    /// The number of the voucher stored under an external id in a book.
    pub fn voucher_by_external(&self, book: &BookCode, external_id: &str) -> Result<Option<VoucherNo>> {
        use rusqlite::OptionalExtension;
        let row: Option<(String, i64)> = self
            .conn
            .prepare_cached(
                "SELECT v.period, v.seq FROM voucher v JOIN book b ON b.id = v.book_id \
                 WHERE b.party = ?1 AND b.fund = ?2 AND v.external_id = ?3",
            )?
            .query_row([&book.party, &book.fund, external_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(period, seq)| voucher_no(&period, seq)).transpose()
    }

    pub fn voucher_no_by_id(&self, id: i64) -> Result<VoucherNo> {
        let (period, seq): (String, i64) = self
            .conn
            .prepare_cached("SELECT period, seq FROM voucher WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        voucher_no(&period, seq)
    }

    /// The ids of the vouchers a filter selects that are not voided, in (book, number) order —
    /// what a bulk review or post walks through a chunk at a time.
    pub fn voucher_ids(&self, filter: &VoucherFilter) -> Result<Vec<i64>> {
        let (mut clauses, args) = filter_clauses(filter);
        clauses.push("x.voucher_id IS NULL".to_string());
        let sql = format!(
            "SELECT v.id FROM voucher v JOIN book b ON b.id = v.book_id \
             LEFT JOIN voucher_void x ON x.voucher_id = v.id WHERE {} ORDER BY b.party, b.fund, v.period, v.seq",
            clauses.join(" AND ")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let ids = stmt.query_map(params_from_iter(args.iter()), |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Vouchers with their lines, in (book, date, number) order, or chain order.
    pub fn vouchers(&self, filter: &VoucherFilter) -> Result<Vec<VoucherRecord>> {
        let mut records = Vec::new();
        self.for_each_voucher(filter, |record| {
            records.push(record);
            Ok(())
        })?;
        Ok(records)
    }

    /// How many vouchers `filter` selects: what `for_each_voucher` would give, counted by the
    /// indexes without reading a voucher.
    pub fn count_vouchers(&self, filter: &VoucherFilter) -> Result<usize> {
        let (clauses, args) = filter_clauses(filter);
        let sql =
            format!("SELECT COUNT(*) FROM voucher v JOIN book b ON b.id = v.book_id WHERE {}", clauses.join(" AND "));
        let count: i64 = self.conn.query_row(&sql, params_from_iter(args.iter()), |r| r.get(0))?;
        Ok(usize::try_from(count).unwrap_or_default())
    }

    /// The vouchers `vouchers` returns, in the same order, handed to `each` one at a time with
    /// their lines (read by the voucher's key): memory holds one voucher whatever the selection.
    pub fn for_each_voucher(
        &self,
        filter: &VoucherFilter,
        mut each: impl FnMut(VoucherRecord) -> Result<()>,
    ) -> Result<()> {
        let (clauses, args) = filter_clauses(filter);
        // 序时账 order: by date, then by number within the day.
        let order = if filter.chain_order { "b.id, v.chain_seq" } else { "b.id, v.date, v.seq" };
        let sql = format!(
            "SELECT {VOUCHER_COLUMNS} FROM voucher v JOIN book b ON b.id = v.book_id \
             LEFT JOIN voucher o ON o.id = v.reverses LEFT JOIN voucher r ON r.reverses = v.id \
             LEFT JOIN voucher_void x ON x.voucher_id = v.id WHERE {} ORDER BY {order}",
            clauses.join(" AND ")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut lines = self.conn.prepare_cached(
            "SELECT line_no, account, summary, debit_fen, credit_fen, ref FROM voucher_line \
             WHERE voucher_id = ?1 ORDER BY line_no",
        )?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        while let Some(row) = rows.next()? {
            let mut record = row_to_record(row)?;
            let mut line_rows = lines.query([record.id])?;
            while let Some(line) = line_rows.next()? {
                let (debit, credit): (i64, i64) = (line.get(3)?, line.get(4)?);
                let (side, amount) = if debit != 0 { (Side::Debit, debit) } else { (Side::Credit, credit) };
                record.lines.push(LineRecord {
                    line_no: line.get::<_, i64>(0)? as u32,
                    account: line.get(1)?,
                    summary: line.get(2)?,
                    side,
                    amount: Money::from_fen(amount),
                    reference: line.get(5)?,
                });
            }
            each(record)?;
        }
        Ok(())
    }

    /// Posted totals per (leaf account, month) of a book, as posting maintained them.
    pub fn period_totals(&self, book: &BookCode) -> Result<Vec<PeriodTotals>> {
        self.totals(
            "SELECT t.account, t.period, t.debit_fen, t.credit_fen FROM balance t JOIN book b ON b.id = t.book_id \
             WHERE b.party = ?1 AND b.fund = ?2 ORDER BY t.account, t.period",
            book,
        )
    }

    /// The totals of a book's year-end closing vouchers only (期末结转), so statements can show
    /// the year's revenue and expense as they were before closing.
    pub fn closing_totals(&self, book: &BookCode) -> Result<Vec<PeriodTotals>> {
        self.totals(
            "SELECT l.account, v.period, SUM(l.debit_fen), SUM(l.credit_fen) FROM voucher_line l \
             JOIN voucher v ON v.id = l.voucher_id JOIN book b ON b.id = v.book_id \
             WHERE b.party = ?1 AND b.fund = ?2 AND v.status = 'posted' AND v.external_id LIKE 'year-end:%' \
             GROUP BY l.account, v.period ORDER BY l.account, v.period",
            book,
        )
    }

    /// Posted totals of a book without its year-end closing vouchers.
    pub fn totals_before_closing(&self, book: &BookCode) -> Result<Vec<PeriodTotals>> {
        let mut totals = self.period_totals(book)?;
        for closing in self.closing_totals(book)? {
            if let Some(t) = totals.iter_mut().find(|t| t.account == closing.account && t.period == closing.period) {
                t.debit = Money::from_fen(t.debit.fen() - closing.debit.fen());
                t.credit = Money::from_fen(t.credit.fen() - closing.credit.fen());
            }
        }
        Ok(totals)
    }

    fn totals(&self, sql: &str, book: &BookCode) -> Result<Vec<PeriodTotals>> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([&book.party, &book.fund], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
        })?;
        rows.map(|row| {
            let (account, period, debit, credit) = row?;
            Ok(PeriodTotals {
                account,
                period: Period::parse(&period).map_err(StoreError::Corrupt)?,
                debit: Money::from_fen(debit),
                credit: Money::from_fen(credit),
            })
        })
        .collect()
    }

    /// The months in which a book has any voucher, in order.
    pub fn voucher_periods(&self, book: &BookCode) -> Result<Vec<Period>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT v.period FROM voucher v JOIN book b ON b.id = v.book_id \
             WHERE b.party = ?1 AND b.fund = ?2 ORDER BY v.period",
        )?;
        let rows = stmt.query_map([&book.party, &book.fund], |r| r.get::<_, String>(0))?;
        rows.map(|row| Period::parse(&row?).map_err(StoreError::Corrupt)).collect()
    }
}

fn row_to_record(row: &Row<'_>) -> Result<VoucherRecord> {
    let period: String = row.get(3)?;
    let seq: i64 = row.get(4)?;
    let date: String = row.get(5)?;
    let status: String = row.get(8)?;
    let number = voucher_no(&period, seq)?;
    let optional_no = |p: Option<String>, s: Option<i64>| -> Result<Option<VoucherNo>> {
        match (p, s) {
            (Some(p), Some(s)) => Ok(Some(voucher_no(&p, s)?)),
            _ => Ok(None),
        }
    };
    Ok(VoucherRecord {
        id: row.get(0)?,
        book: BookCode { party: row.get(1)?, fund: row.get(2)? },
        number,
        date: parse_date(&date).map_err(StoreError::Corrupt)?,
        attachments: row.get::<_, i64>(6)? as u32,
        external_id: row.get(7)?,
        status: Status::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("凭证状态 {status} 无效")))?,
        maker: row.get(9)?,
        made_at: row.get(10)?,
        reviewer: row.get(11)?,
        reviewed_at: row.get(12)?,
        poster: row.get(13)?,
        posted_at: row.get(14)?,
        reverses: optional_no(row.get(15)?, row.get(16)?)?,
        reversed_by: optional_no(row.get(17)?, row.get(18)?)?,
        chain_seq: row.get(19)?,
        hash: row.get(20)?,
        void_reason: row.get(21)?,
        lines: Vec::new(),
    })
}

impl Reader<'_> {
    /// The content digest the record log holds for each voucher (by store id): what was made
    /// and reviewed, whatever the voucher table says now.
    pub fn content_digests(&self, ids: impl Iterator<Item = i64>) -> Result<std::collections::HashMap<i64, String>> {
        use rusqlite::OptionalExtension;
        let mut stmt = self.conn.prepare_cached(
            "SELECT json_extract(body, '$[0]') FROM record_log WHERE kind = 'voucher' AND key = ?1 \
             ORDER BY seq DESC LIMIT 1",
        )?;
        let mut digests = std::collections::HashMap::new();
        for id in ids {
            if let Some(digest) = stmt.query_row([id.to_string()], |r| r.get::<_, String>(0)).optional()? {
                digests.insert(id, digest);
            }
        }
        Ok(digests)
    }

    /// How many vouchers have a status, in a book and month or everywhere.
    pub fn count_status(&self, book: Option<&BookCode>, period: Option<Period>, status: Status) -> Result<usize> {
        let count: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM voucher v JOIN book b ON b.id = v.book_id WHERE v.status = ?1 \
             AND v.id NOT IN (SELECT voucher_id FROM voucher_void) \
             AND (?2 IS NULL OR (b.party = ?2 AND b.fund = ?3)) AND (?4 IS NULL OR v.period = ?4)",
            rusqlite::params![
                status.as_str(),
                book.map(|b| b.party.clone()),
                book.map(|b| b.fund.clone()),
                period.map(|p| p.to_string())
            ],
            |r| r.get(0),
        )?;
        Ok(count as usize)
    }
}

/// The WHERE clauses and their arguments of a voucher filter (the alias `v` is the voucher, `b`
/// its book).
fn filter_clauses(filter: &VoucherFilter) -> (Vec<String>, Vec<String>) {
    let mut clauses = vec!["1 = 1".to_string()];
    let mut args: Vec<String> = Vec::new();
    if let Some(book) = &filter.book {
        args.push(book.party.clone());
        clauses.push(format!("b.party = ?{}", args.len()));
        args.push(book.fund.clone());
        clauses.push(format!("b.fund = ?{}", args.len()));
    }
    if let Some(from) = filter.from {
        args.push(from.to_string());
        clauses.push(format!("v.period >= ?{}", args.len()));
    }
    if let Some(to) = filter.to {
        args.push(to.to_string());
        clauses.push(format!("v.period <= ?{}", args.len()));
    }
    if let Some(status) = filter.status {
        args.push(status.as_str().to_string());
        clauses.push(format!("v.status = ?{}", args.len()));
    }
    if let Some(number) = filter.number {
        args.push(number.period.to_string());
        clauses.push(format!("v.period = ?{}", args.len()));
        args.push(number.seq.to_string());
        clauses.push(format!("v.seq = CAST(?{} AS INTEGER)", args.len()));
    }
    if let Some(ids) = &filter.ids {
        // Ids are integers we produced; they are written into the SQL as numbers.
        let list: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
        clauses.push(format!("v.id IN ({})", if list.is_empty() { "NULL".to_string() } else { list.join(",") }));
    }
    (clauses, args)
}
