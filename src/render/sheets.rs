//! The books as sheets — 序时账 and 明细账 (with 本月合计 and 本年累计) written a row at a time,
//! 科目余额表 (with its 合计 rows) as a whole `Sheet` — one row model each, which the CLI writes as
//! CSV or xlsx and the server offers as a download, so both hand on the same spreadsheet.

use super::xlsx::{Cell, Sheet, SheetWriter};
use crate::domain::balance::TrialBalance;
use crate::domain::chart::{Chart, Side};
use crate::domain::ids::{BookCode, Period};
use crate::domain::voucher::VoucherRecord;
use crate::money::Money;
use crate::render::ledger::{self, AccountLedger};

fn period_label(from: Period, to: Period) -> String {
    if from == to {
        format!("{}年{}月", from.year, from.month)
    } else {
        format!("{}年{}月至{}年{}月", from.year, from.month, to.year, to.month)
    }
}

/// The voucher's place in 制单 → 审核 → 记账, as staff say it: 草稿, 已审核, 已记账, and 作废 or 已冲销
/// where that happened.
pub fn status_word(voucher: &VoucherRecord) -> &'static str {
    crate::domain::search::Stage::of(voucher).label()
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

pub(super) fn amount_or_blank(amount: Option<Money>) -> Cell {
    amount.map(Cell::Amount).unwrap_or_else(|| text(""))
}

/// The 序时账's columns.
pub const JOURNAL_HEADERS: [&str; 9] =
    ["日期", "凭证号", "状态", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "结算号"];

/// The 序时账's amount columns (借方金额, 贷方金额).
pub const JOURNAL_AMOUNTS: [usize; 2] = [6, 7];

/// The 序时账 sheet's title.
pub fn journal_sheet_title(book: &BookCode) -> String {
    format!("序时账（{book}）")
}

/// 序时账, written a voucher at a time: each voucher's `journal_rows` (one row per line, the first
/// carrying date, number and status), then the `JournalTotals` row (合计) in bold.
pub fn journal_writer(organisation: &str, book: &BookCode, from: Period, to: Period) -> Result<SheetWriter, String> {
    SheetWriter::new(&journal_sheet_title(book), &JOURNAL_HEADERS, organisation, &period_label(from, to))
}

/// One voucher's rows of the 序时账.
pub fn journal_rows(v: &VoucherRecord, chart: &Chart) -> Vec<Vec<Cell>> {
    v.lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let first = i == 0;
            let name = chart.get(&line.account).map(|a| a.name.as_str()).unwrap_or("");
            let (d, c) = match line.side {
                Side::Debit => (Cell::Amount(line.amount), text("")),
                Side::Credit => (text(""), Cell::Amount(line.amount)),
            };
            vec![
                text(if first { v.date.to_string() } else { String::new() }),
                text(if first { v.number.to_string() } else { String::new() }),
                text(if first { status_word(v) } else { "" }),
                text(line.summary.clone()),
                text(line.account.clone()),
                text(name),
                d,
                c,
                text(line.reference.clone().unwrap_or_default()),
            ]
        })
        .collect()
}

/// The 合计 of a journal or any table of vouchers, as they go by: how many, and the debit and
/// credit totals (a sum past what money holds stays at its last value).
#[derive(Debug, Default)]
pub struct JournalTotals {
    vouchers: usize,
    debit: Money,
    credit: Money,
}

impl JournalTotals {
    pub fn add(&mut self, v: &VoucherRecord) {
        self.vouchers += 1;
        for line in &v.lines {
            let total = match line.side {
                Side::Debit => &mut self.debit,
                Side::Credit => &mut self.credit,
            };
            *total = total.checked_add(line.amount).unwrap_or(*total);
        }
    }

    /// Adds the totals of another part of the same journal (as `add` would have, voucher by
    /// voucher: past an i64, a total stays where it was).
    pub fn absorb(&mut self, other: &JournalTotals) {
        self.vouchers += other.vouchers;
        self.debit = self.debit.checked_add(other.debit).unwrap_or(self.debit);
        self.credit = self.credit.checked_add(other.credit).unwrap_or(self.credit);
    }

    pub fn vouchers(&self) -> usize {
        self.vouchers
    }

    pub fn debit(&self) -> Money {
        self.debit
    }

    pub fn credit(&self) -> Money {
        self.credit
    }

    /// The 序时账's 合计 row.
    pub fn row(&self) -> Vec<Cell> {
        vec![
            text(""),
            text(""),
            text(""),
            text("合计"),
            text(format!("{} 张凭证", self.vouchers)),
            text(""),
            Cell::Amount(self.debit),
            Cell::Amount(self.credit),
            text(""),
        ]
    }
}

/// The 明细账 sheet's title.
pub fn ledger_sheet_title(l: &AccountLedger) -> String {
    format!("明细账（{} {} {}）", l.book, l.account, l.name)
}

/// The 明细账 sheet, written an entry at a time: `ledger::SheetRows` as `ledger::sheet_cells`
/// (期初余额, every entry, and after each month its 本月合计 and 本年累计, totals in bold).
pub fn ledger_writer(organisation: &str, l: &AccountLedger) -> Result<SheetWriter, String> {
    SheetWriter::new(&ledger_sheet_title(l), &ledger::SHEET_HEADERS, organisation, &period_label(l.from, l.to))
}

/// 科目余额表 as a sheet, with the two 合计 rows that must tie.
pub fn trial_balance(organisation: &str, book: &dyn std::fmt::Display, tb: &TrialBalance) -> Sheet {
    let t = &tb.totals;
    let mut rows: Vec<Vec<Cell>> = tb
        .rows
        .iter()
        .map(|r| {
            vec![
                text(r.account.clone()),
                text(r.name.clone()),
                text(r.side.label()),
                Cell::Amount(r.opening),
                Cell::Amount(r.debit),
                Cell::Amount(r.credit),
                Cell::Amount(r.closing),
            ]
        })
        .collect();
    let first_total = rows.len();
    rows.push(vec![
        text("合计"),
        text("借方余额科目合计"),
        text("借"),
        Cell::Amount(t.opening_debit_side),
        Cell::Amount(t.debit),
        Cell::Amount(t.credit),
        Cell::Amount(t.closing_debit_side),
    ]);
    rows.push(vec![
        text("合计"),
        text("贷方余额科目合计"),
        text("贷"),
        Cell::Amount(t.opening_credit_side),
        text(""),
        text(""),
        Cell::Amount(t.closing_credit_side),
    ]);
    let mut sheet = Sheet::new(
        format!("科目余额表（{book}）"),
        ["科目编码", "科目名称", "方向", "期初余额", "本期借方", "本期贷方", "期末余额"],
        rows,
    );
    sheet.organisation = organisation.to_string();
    sheet.period = period_label(tb.period_from, tb.period_to);
    sheet.totals = vec![first_total, first_total + 1];
    sheet
}
