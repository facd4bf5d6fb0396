//! What a write transaction holds in memory until someone needs it: the balance movements of
//! the vouchers it posted, and the run of vouchers (written in their final state) whose record
//! log entries are still to be appended.
//!
//! A bulk import thus writes each (book, account, month) balance row once per transaction
//! instead of once per line, and reads its vouchers back for the log a thousand at a time
//! instead of one by one. Nothing held here can be missed: it is written before any read made
//! through the writer, before any other log entry (so the log keeps commit order), and before
//! the commit.

use super::{Result, Writer};
use crate::domain::balance::LineTotals;
use crate::domain::ids::Period;
use rusqlite::params;

/// How many vouchers' log entries wait at most: bounds the rows read back at once.
const LOG_RUN: i64 = 1024;

#[derive(Default)]
pub(super) struct Pending {
    /// Posted (debit, credit) per book id, account and month not yet added to `balance`.
    balances: LineTotals,
    /// Vouchers id..=id whose log entries are due, in id order.
    log_run: Option<(i64, i64)>,
}

impl Writer<'_> {
    /// Adds a posted line's amounts to its balance row, at the next flush.
    pub(super) fn hold_balance(&self, book_id: i64, account: &str, period: Period, debit: i64, credit: i64) {
        self.pending.borrow_mut().balances.add(book_id, account, period, debit, credit);
    }

    /// Owes voucher `id` (just written in its final state) a log entry.
    pub(super) fn hold_log(&self, id: i64) -> Result<()> {
        let run = self.pending.borrow().log_run;
        match run {
            Some((first, last)) if id == last + 1 && id - first < LOG_RUN => {
                self.pending.borrow_mut().log_run = Some((first, id));
                Ok(())
            }
            _ => {
                self.flush_log()?;
                self.pending.borrow_mut().log_run = Some((id, id));
                Ok(())
            }
        }
    }

    /// Appends the log entries owed, in voucher order.
    pub(super) fn flush_log(&self) -> Result<()> {
        let run = self.pending.borrow_mut().log_run.take();
        match run {
            Some((first, last)) => self.append_log("voucher", "id BETWEEN ?1 AND ?2 ORDER BY id", &[&first, &last]),
            None => Ok(()),
        }
    }

    /// Writes everything held: the owed log entries and the balance movements.
    pub(super) fn flush(&self) -> Result<()> {
        self.flush_log()?;
        let mut balances = std::mem::take(&mut self.pending.borrow_mut().balances);
        let books = balances.books();
        if books.is_empty() {
            return Ok(());
        }
        let mut upsert = self.tx.prepare_cached(
            "INSERT INTO balance (book_id, account, period, debit_fen, credit_fen) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (book_id, account, period) DO UPDATE SET \
             debit_fen = debit_fen + excluded.debit_fen, credit_fen = credit_fen + excluded.credit_fen",
        )?;
        // In key order (book, account, month): neighbouring rows of the clustered table are
        // written together. The posted-volume ceiling keeps every sum within an i64.
        for book in books {
            for t in balances.take(book) {
                upsert.execute(params![book, t.account, t.period.to_string(), t.debit.fen(), t.credit.fen()])?;
            }
        }
        Ok(())
    }
}
