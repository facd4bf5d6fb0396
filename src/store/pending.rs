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

#[cfg(test)]
mod tests {
    use super::super::Store;
    use crate::domain::ids::Period;
    use std::time::Duration;

    const ONE_BOOK: &str = "INSERT INTO fund (code, name) VALUES ('employee', '职工');
         INSERT INTO party (code, name, kind, ordinal) VALUES ('shayang', '沙洋县', 'county', 1);
         INSERT INTO book (id, party, fund) VALUES (1, 'shayang', 'employee');
         INSERT INTO account (code, name, class, side, scope) VALUES ('1001', '库存现金', 'asset', 'debit', 'all');";

    /// Writes a setting, holds a balance, reads through the writer (which flushes what is held)
    /// and commits; returns the commit's error, if any.
    fn write_hold_read_commit(store: &mut Store) -> Option<String> {
        let mut writer = store.writer().expect("the write lock");
        writer.set_setting("marker", "written before the read").expect("a setting");
        writer.hold_balance(1, "1001", Period::parse("2023-01").expect("a month"), 100, 0);
        // The read goes on whatever the flush did: it sees what was written before it.
        let read = writer.reader().setting("marker").expect("the read");
        assert_eq!(read.as_deref(), Some("written before the read"));
        writer.commit().err().map(|e| e.to_string())
    }

    /// A flush that fails when a read asks for it must fail the commit, with nothing kept: the
    /// held balances were taken out to be written, so the commit's own flush would find nothing
    /// left and succeed, losing them.
    #[test]
    fn a_flush_failing_during_a_read_fails_the_commit_and_nothing_is_kept() {
        let dir = tempfile::tempdir().expect("a directory");
        let mut store = Store::create(&dir.path().join("held.db"), Duration::from_secs(1)).expect("a database");
        store.conn.execute_batch(ONE_BOOK).expect("a book and an account");
        store
            .conn
            .execute_batch(
                "CREATE TEMP TRIGGER balance_refused BEFORE INSERT ON main.balance \
                 BEGIN SELECT RAISE(ABORT, '磁盘写入失败'); END;",
            )
            .expect("a trigger that refuses balances");
        let count = |store: &Store, sql: &str| store.conn.query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql);
        let refused = write_hold_read_commit(&mut store).expect("the commit must refuse");
        assert!(refused.contains("磁盘写入失败"), "{refused}");
        assert_eq!(count(&store, "SELECT COUNT(*) FROM setting WHERE key = 'marker'"), 0);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM balance"), 0);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM record_log WHERE kind = 'setting'"), 0);

        // The same steps with the balance accepted keep both.
        store.conn.execute_batch("DROP TRIGGER temp.balance_refused").expect("the trigger dropped");
        assert_eq!(write_hold_read_commit(&mut store), None);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM setting WHERE key = 'marker'"), 1);
        assert_eq!(count(&store, "SELECT debit_fen FROM balance WHERE book_id = 1 AND account = '1001'"), 100);
    }
}
