//! The record log on disk: which tables are protected, the canonical body of each row (computed
//! by SQLite from the row itself, so writing and verifying use one definition), appending an
//! entry after each write, and reading the log and the tables back for `verify`.

use super::{Reader, Result, StoreError, Writer};
use crate::domain::records::{entry_hash, LOG_GENESIS, TOMBSTONE};
use rusqlite::{params, Connection, OptionalExtension, ToSql};

/// A protected table: its record kind, the SQL of its key and of its canonical body.
pub(super) struct Protected {
    pub kind: &'static str,
    pub table: &'static str,
    pub key: &'static str,
    pub body: &'static str,
}

/// Every table whose rows matter. `balance` is left out: it is derived from the lines, and
/// `check` recomputes it. A voucher's lines are covered by its content digest, which `verify`
/// recomputes from the lines.
pub(super) const PROTECTED: &[Protected] = &[
    Protected { kind: "setting", table: "setting", key: "key", body: "json_array(key, value)" },
    Protected { kind: "fund", table: "fund", key: "code", body: "json_array(code, name, includes_maternity)" },
    Protected { kind: "party", table: "party", key: "code", body: "json_array(code, name, kind, ordinal)" },
    Protected {
        kind: "population",
        table: "population",
        key: "party || '/' || fund",
        body: "json_array(party, fund, insured)",
    },
    Protected {
        kind: "account",
        table: "account",
        key: "code",
        body: "json_array(code, name, class, side, parent, scope, key)",
    },
    Protected { kind: "book", table: "book", key: "CAST(id AS TEXT)", body: "json_array(id, party, fund)" },
    Protected {
        kind: "period",
        table: "period",
        key: "book_id || '/' || period",
        body: "json_array(book_id, period, status, closed_at, closed_by)",
    },
    // A voucher is logged at every step (made, reviewed, posted): its body is the content digest
    // (review and post compare it with the lines), the status (what was posted after an anchor)
    // and the SHA-256 of the whole row — not the row itself, which repeated every voucher in full
    // (489 of 1,194 MiB at 1M). Since schema 12; before, the row (status at [8]).
    Protected {
        kind: "voucher",
        table: "voucher",
        key: "CAST(id AS TEXT)",
        body: "json_array(content_digest, status, fp_sha256(json_array(id, book_id, period, seq, date, attachments, \
               external_id, content_digest, status, maker, made_at, reviewer, reviewed_at, poster, posted_at, \
               reverses, chain_seq, hash)))",
    },
    Protected {
        kind: "event",
        table: "event",
        key: "id",
        body: "json_array(id, kind, fund, date, content_digest, fp_sha256(payload), recorded_by, recorded_at)",
    },
    Protected {
        kind: "event_voucher",
        table: "event_voucher",
        key: "event_id || '/' || voucher_id",
        body: "json_array(event_id, voucher_id)",
    },
    Protected {
        kind: "instrument",
        table: "instrument",
        key: "party || '/' || fund || '/' || code",
        body: "json_array(party, fund, code, principal_fen, opened_on, matures_on, matured_interest_fen, remitted)",
    },
    Protected {
        kind: "statement_line",
        table: "statement_line",
        key: "CAST(id AS TEXT)",
        body: "json_array(id, source, line_key, date, ref, fund, kind, book_id, account, amount_fen, imported_by, imported_at)",
    },
    Protected {
        kind: "reconciliation_run",
        table: "reconciliation_run",
        key: "CAST(id AS TEXT)",
        body: "json_array(id, period, check_name, fund, run_by, run_at, differences, outstanding, posted_count, fp_sha256(report))",
    },
    Protected {
        kind: "seal",
        table: "seal",
        key: "CAST(id AS TEXT)",
        body: "json_array(id, period, action, books, run_id, reason, hash, sealed_by, sealed_at, closed_on)",
    },
    Protected {
        kind: "plan",
        table: "plan",
        key: "CAST(id AS TEXT)",
        body: "json_array(id, party, fund, quarter, total_fen, status, created_by, created_at, submitted_by, submitted_on, \
               combined_by, combined_on, approved_by, approved_on, checked_by, checked_on)",
    },
    Protected {
        kind: "plan_line",
        table: "plan_line",
        key: "plan_id || '/' || month || '/' || category",
        body: "json_array(plan_id, month, category, amount_fen)",
    },
    Protected {
        kind: "budget",
        table: "budget",
        key: "year || '/' || party || '/' || fund",
        body: "json_array(year, party, fund, income_fen, expenditure_fen)",
    },
    Protected {
        kind: "settlement_run",
        table: "settlement_run",
        key: "CAST(id AS TEXT)",
        body: "json_array(id, year, fund, body, recorded_by, recorded_at)",
    },
    Protected {
        kind: "rule_set",
        table: "rule_set",
        key: "CAST(id AS TEXT)",
        body: "json_array(id, effective_from, body, recorded_by, recorded_at)",
    },
    Protected {
        kind: "matching_basis",
        table: "matching_basis",
        key: "year || '/' || party",
        body: "json_array(year, party, headcount, per_capita_fen)",
    },
    Protected {
        kind: "app_user",
        table: "app_user",
        key: "CAST(id AS TEXT)",
        body: "json_array(id, name, password_hash, disabled, created_by, created_at)",
    },
    Protected {
        kind: "user_grant",
        table: "user_grant",
        key: "user_id || '/' || party || '/' || role",
        body: "json_array(user_id, party, role)",
    },
    Protected {
        kind: "audit",
        table: "audit",
        key: "CAST(id AS TEXT)",
        body: "json_array(id, at, user, address, action, target, result, detail)",
    },
    Protected {
        kind: "voucher_void",
        table: "voucher_void",
        key: "CAST(voucher_id AS TEXT)",
        body: "json_array(voucher_id, reason, voided_by, voided_at)",
    },
    Protected {
        kind: "import_batch",
        table: "import_batch",
        key: "CAST(id AS TEXT)",
        body: "json_array(id, kind, sha256, name, size, rows, imported_by, imported_at)",
    },
];

pub(super) fn protected(kind: &str) -> &'static Protected {
    PROTECTED.iter().find(|p| p.kind == kind).unwrap_or_else(|| panic!("{kind} is not a protected table"))
}

/// The head of the record log: the last entry's sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogHead {
    pub seq: i64,
    pub hash: String,
}

fn read_head(conn: &Connection) -> Result<LogHead> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM record_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok(LogHead { seq: r.get(0)?, hash: r.get(1)? }))
        .optional()?
        .unwrap_or(LogHead { seq: 0, hash: LOG_GENESIS.to_string() }))
}

/// Appends the current body of every row of `kind` matching `filter` (SQL over the table's
/// columns, with `args`) to the log after `head`; returns the new head.
fn append_rows(conn: &Connection, head: &mut LogHead, kind: &str, filter: &str, args: &[&dyn ToSql]) -> Result<()> {
    let spec = protected(kind);
    let sql = format!("SELECT {}, {} FROM {} WHERE {filter}", spec.key, spec.body, spec.table);
    let rows: Vec<(String, String)> =
        conn.prepare_cached(&sql)?.query_map(args, |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    if rows.is_empty() {
        return Err(StoreError::Corrupt(format!("要记入日志的 {kind} 记录不存在（{filter}）")));
    }
    let mut insert = conn
        .prepare_cached("INSERT INTO record_log (seq, kind, key, body, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
    for (key, body) in rows {
        let hash = entry_hash(&head.hash, kind, &key, &body);
        insert.execute(params![head.seq + 1, kind, key, body, head.hash, hash])?;
        *head = LogHead { seq: head.seq + 1, hash };
    }
    Ok(())
}

/// Logs every row of every protected table: the starting point for a database whose records
/// predate the log.
pub(super) fn adopt_existing(conn: &Connection) -> Result<()> {
    let mut head = read_head(conn)?;
    for spec in PROTECTED {
        let count: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM {}", spec.table), [], |r| r.get(0))?;
        if count > 0 {
            append_rows(conn, &mut head, spec.kind, "1 = 1", &[])?;
        }
    }
    Ok(())
}

/// Which record kinds' canonical bodies a migration redefined: (the schema version that did,
/// the kind). A database upgraded past it logs those rows again, after the old entries, so that
/// each record's last entry has the body the tables now give.
pub(super) const BODIES_REDEFINED: &[(i64, &str)] = &[(12, "voucher")];

/// Logs every row of `kind` again, a thousand rows a read whatever the table's size.
pub(super) fn relog(conn: &Connection, kind: &str) -> Result<()> {
    let spec = protected(kind);
    let mut head = read_head(conn)?;
    let last: Option<i64> = conn.query_row(&format!("SELECT MAX(rowid) FROM {}", spec.table), [], |r| r.get(0))?;
    let Some(last) = last else { return Ok(()) };
    let count = format!("SELECT COUNT(*) FROM {} WHERE rowid BETWEEN ?1 AND ?2", spec.table);
    for from in (1..=last).step_by(1000) {
        let to = from + 999;
        if conn.query_row(&count, [from, to], |r| r.get::<_, i64>(0))? > 0 {
            append_rows(conn, &mut head, kind, "rowid BETWEEN ?1 AND ?2", &[&from, &to])?;
        }
    }
    Ok(())
}

impl Writer<'_> {
    /// Appends the rows of `kind` matching `filter` to the record log, as they now stand, after
    /// any entries still owed.
    pub(super) fn log(&self, kind: &str, filter: &str, args: &[&dyn ToSql]) -> Result<()> {
        self.flush_log()?;
        self.append_log(kind, filter, args)
    }

    /// Appends the rows now, with no regard to entries owed (`flush_log` calls it for those).
    pub(super) fn append_log(&self, kind: &str, filter: &str, args: &[&dyn ToSql]) -> Result<()> {
        let mut slot = self.log_head.borrow_mut();
        let mut head = match slot.take() {
            Some(head) => head,
            None => read_head(&self.tx)?,
        };
        let result = append_rows(&self.tx, &mut head, kind, filter, args);
        *slot = Some(head);
        result
    }

    /// Logs that a row of `kind` was deleted (a tombstone: the row must no longer exist).
    pub(super) fn log_deleted(&mut self, kind: &str, key: &str) -> Result<()> {
        self.flush_log()?;
        let mut slot = self.log_head.borrow_mut();
        let mut head = match slot.take() {
            Some(head) => head,
            None => read_head(&self.tx)?,
        };
        let hash = entry_hash(&head.hash, kind, key, TOMBSTONE);
        let result = self
            .tx
            .prepare_cached(
                "INSERT INTO record_log (seq, kind, key, body, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![head.seq + 1, kind, key, TOMBSTONE, head.hash, hash]);
        if result.is_ok() {
            head = LogHead { seq: head.seq + 1, hash };
        }
        *slot = Some(head);
        result?;
        Ok(())
    }

    /// Logs one row by its integer id.
    pub(super) fn log_id(&self, kind: &str, id: i64) -> Result<()> {
        self.log(kind, "id = ?1", &[&id])
    }
}

impl Reader<'_> {
    pub fn log_head(&self) -> Result<LogHead> {
        read_head(self.conn)
    }

    /// The hash of the log entry at `seq`, if there is one.
    pub fn log_hash_at(&self, seq: i64) -> Result<Option<String>> {
        if seq == 0 {
            return Ok(Some(LOG_GENESIS.to_string()));
        }
        Ok(self.conn.query_row("SELECT hash FROM record_log WHERE seq = ?1", [seq], |r| r.get(0)).optional()?)
    }

    /// Log entries after `seq` of vouchers that reached 'posted' (counted once per voucher).
    pub fn vouchers_posted_after(&self, seq: i64) -> Result<i64> {
        // Posted after the anchor: logged as posted after it and not before it (an upgrade logs
        // every voucher again). The status is [1] of a body since schema 12, [8] before.
        const STATUS: &str = "CASE json_array_length(body) WHEN 3 THEN body ->> 1 ELSE body ->> 8 END";
        Ok(self.conn.query_row(
            &format!(
                "SELECT COUNT(DISTINCT key) FROM record_log r WHERE seq > ?1 AND kind = 'voucher' \
                 AND {STATUS} = 'posted' AND NOT EXISTS (SELECT 1 FROM record_log WHERE kind = 'voucher' \
                 AND key = r.key AND seq <= ?1 AND {STATUS} = 'posted')"
            ),
            [seq],
            |r| r.get(0),
        )?)
    }

    /// Feeds every row of every protected table to `each` as (kind, key, canonical body).
    pub fn for_each_protected_row(&self, each: impl FnMut(&str, &str, &str)) -> Result<()> {
        self.protected_rows(false, each)
    }

    /// The same, leaving out posted vouchers (`for_each_posted_voucher` gives their bodies).
    pub fn for_each_protected_row_but_posted(&self, each: impl FnMut(&str, &str, &str)) -> Result<()> {
        self.protected_rows(true, each)
    }

    fn protected_rows(&self, skip_posted: bool, mut each: impl FnMut(&str, &str, &str)) -> Result<()> {
        for spec in PROTECTED {
            // The vouchers not posted are found through the (book, status) index: a scan of the
            // table for them read every voucher (0.13 s at a million).
            let filter = if skip_posted && spec.kind == "voucher" {
                " WHERE id IN (SELECT id FROM voucher WHERE status <> 'posted')"
            } else {
                ""
            };
            let sql = format!("SELECT {}, {} FROM {}{filter}", spec.key, spec.body, spec.table);
            let mut stmt = self.conn.prepare(&sql)?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let key =
                    r.get_ref(0)?.as_str().map_err(|e| StoreError::Corrupt(format!("{} 的键：{e}", spec.kind)))?;
                let body =
                    r.get_ref(1)?.as_str().map_err(|e| StoreError::Corrupt(format!("{} 的内容：{e}", spec.kind)))?;
                each(spec.kind, key, body);
            }
        }
        Ok(())
    }

    /// The vouchers not yet posted whose stored lines no longer give the content digest recorded
    /// when they were made: their lines were changed since. Streamed voucher by voucher (posted
    /// ones are checked in `verify`'s pass over the chains).
    pub fn unposted_vouchers_with_changed_lines(&self) -> Result<Vec<String>> {
        use crate::domain::chart::Side;
        use crate::domain::voucher::content_digest;
        use crate::money::Money;
        struct Current {
            id: i64,
            label: String,
            book: crate::domain::ids::BookCode,
            date: String,
            attachments: u32,
            stored: String,
            lines: Vec<(String, String, Side, Money, Option<String>)>,
        }
        let finish = |current: &Current, changed: &mut Vec<String>| -> Result<()> {
            let date = crate::domain::ids::parse_date(&current.date).map_err(StoreError::Corrupt)?;
            let lines =
                current.lines.iter().map(|(a, s, side, m, r)| (a.as_str(), s.as_str(), *side, *m, r.as_deref()));
            if content_digest(&current.book, date, current.attachments, lines) != current.stored {
                changed.push(current.label.clone());
            }
            Ok(())
        };
        let mut stmt = self.conn.prepare(
            "SELECT v.id, b.party, b.fund, v.period, v.seq, v.date, v.attachments, v.content_digest, \
             l.account, l.summary, l.debit_fen, l.credit_fen, l.ref \
             FROM voucher v JOIN book b ON b.id = v.book_id LEFT JOIN voucher_line l ON l.voucher_id = v.id \
             WHERE v.id IN (SELECT id FROM voucher WHERE status <> 'posted') ORDER BY v.id, l.line_no",
        )?;
        let mut rows = stmt.query([])?;
        let mut changed = Vec::new();
        let mut current: Option<Current> = None;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if current.as_ref().map(|c| c.id) != Some(id) {
                if let Some(done) = current.take() {
                    finish(&done, &mut changed)?;
                }
                let book = crate::domain::ids::BookCode { party: r.get(1)?, fund: r.get(2)? };
                let number = super::ledger::voucher_no(&r.get::<_, String>(3)?, r.get(4)?)?;
                current = Some(Current {
                    id,
                    label: format!("{book} {number}"),
                    book,
                    date: r.get(5)?,
                    attachments: r.get::<_, i64>(6)?.max(0) as u32,
                    stored: r.get(7)?,
                    lines: Vec::new(),
                });
            }
            if let (Some(c), Some(account)) = (current.as_mut(), r.get::<_, Option<String>>(8)?) {
                let (debit, credit): (i64, i64) = (r.get(10)?, r.get(11)?);
                let (side, fen) = if debit != 0 { (Side::Debit, debit) } else { (Side::Credit, credit) };
                c.lines.push((account, r.get(9)?, side, Money::from_fen(fen), r.get(12)?));
            }
        }
        if let Some(done) = current {
            finish(&done, &mut changed)?;
        }
        Ok(changed)
    }
}
