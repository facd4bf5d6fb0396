//! The 明细账 (ledger of one account) a line at a time: its heading, its entries as they are
//! read, and the 本月合计 and 本年累计 due between them — so that a year of one busy account is
//! written as it is read, never held.
//!
//! Two layouts share the month arithmetic of [`LedgerMonths`]: the table totals the months that
//! have entries and ends with 期末余额; the sheet (CSV, xlsx, the server's page) totals every
//! month of the range, as a paper 明细账 does.

use super::xlsx::Cell;
use super::{JsonArray, OutputFormat};
use crate::domain::chart::Side;
use crate::domain::ids::{BookCode, Period};
use crate::money::Money;
use serde::Serialize;

/// One entry of an account ledger, with the running balance after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    pub date: String,
    /// The month of `date` (the one its totals fall in).
    #[serde(skip)]
    pub month: Period,
    pub number: String,
    pub account: String,
    pub summary: String,
    pub debit: Money,
    pub credit: Money,
    pub balance: Money,
}

/// The heading of the 明细账 of one account (its entries are walked, not held): running balance
/// signed in the account's normal direction.
#[derive(Clone)]
pub struct AccountLedger {
    pub book: BookCode,
    pub account: String,
    pub name: String,
    pub side: Side,
    pub from: Period,
    pub to: Period,
    pub opening: Money,
    /// The balance after `to` (from the book's maintained balances, so it is known before the
    /// entries are read).
    pub closing: Money,
    /// Debit and credit of the account from January of `from`'s year up to `from` (for the
    /// 本年累计 rows).
    pub earlier_this_year: (Money, Money),
    /// 编制单位 (the party and fund).
    pub organisation: String,
}

/// The totals of one month: its 本月合计, the 本年累计 up to it, and the balance at its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthTotals {
    pub month: Period,
    pub debit: Money,
    pub credit: Money,
    pub year_debit: Money,
    pub year_credit: Money,
    pub balance: Money,
}

/// Counts a ledger's entries month by month and says which months' totals are due before each
/// entry and at the end. 本年累计 starts from January's totals even when the range starts later.
pub struct LedgerMonths {
    every_month: bool,
    to: Period,
    /// The first month whose totals have not been given.
    next: Period,
    /// The month of the last entry counted.
    current: Option<Period>,
    debit: i64,
    credit: i64,
    year: i32,
    year_debit: i64,
    year_credit: i64,
    balance: Money,
}

impl LedgerMonths {
    /// Totals for every month of the range (`every_month`) or only for months with entries.
    pub fn new(l: &AccountLedger, every_month: bool) -> LedgerMonths {
        LedgerMonths {
            every_month,
            to: l.to,
            next: l.from,
            current: None,
            debit: 0,
            credit: 0,
            year: l.from.year,
            year_debit: l.earlier_this_year.0.fen(),
            year_credit: l.earlier_this_year.1.fen(),
            balance: l.opening,
        }
    }

    /// The totals of the months that end before `entry`'s month; then counts the entry.
    pub fn entry(&mut self, entry: &LedgerEntry) -> Vec<MonthTotals> {
        let due = self.close_before(entry.month);
        self.current = Some(entry.month);
        self.debit += entry.debit.fen();
        self.credit += entry.credit.fen();
        self.balance = entry.balance;
        due
    }

    /// The totals of the months left, up to the end of the range.
    pub fn finish(&mut self) -> Vec<MonthTotals> {
        self.close_before(self.to.next())
    }

    fn close_before(&mut self, month: Period) -> Vec<MonthTotals> {
        let mut due = Vec::new();
        while self.next < month {
            let closed = self.next;
            if closed.year != self.year {
                (self.year, self.year_debit, self.year_credit) = (closed.year, 0, 0);
            }
            // The posted-volume ceiling keeps every sum within an i64.
            self.year_debit += self.debit;
            self.year_credit += self.credit;
            if self.every_month || self.current == Some(closed) {
                due.push(MonthTotals {
                    month: closed,
                    debit: Money::from_fen(self.debit),
                    credit: Money::from_fen(self.credit),
                    year_debit: Money::from_fen(self.year_debit),
                    year_credit: Money::from_fen(self.year_credit),
                    balance: self.balance,
                });
            }
            (self.debit, self.credit) = (0, 0);
            self.next = closed.next();
        }
        due
    }
}

/// The table's columns, and which of them are amounts.
pub const TABLE_HEADERS: [&str; 8] = ["日期", "凭证号", "科目", "摘要", "借方", "贷方", "方向", "余额"];
pub const TABLE_AMOUNTS: [usize; 3] = [4, 5, 7];

/// The line above the table.
pub fn table_title(l: &AccountLedger) -> String {
    format!("明细账 {} {} {} {}\n", l.book, l.account, l.name, super::reports::range_label(l.from, l.to))
}

fn blank_zero(m: Money) -> String {
    if m.is_zero() {
        String::new()
    } else {
        m.grouped()
    }
}

/// What a table row shows: 期初余额, an entry, a month's two totals, 期末余额.
enum TablePiece<'a> {
    Opening,
    Entry(&'a LedgerEntry),
    Totals(MonthTotals),
    Closing,
}

/// One piece of the table as its rows (a month's totals are two).
fn table_rows(l: &AccountLedger, piece: TablePiece<'_>) -> Vec<Vec<String>> {
    let side = l.side.label().to_string();
    let row = |date: String, label: String, debit: String, credit: String, balance: Money| {
        vec![date, String::new(), String::new(), label, debit, credit, side.clone(), balance.grouped()]
    };
    match piece {
        TablePiece::Opening => {
            vec![row(l.from.first_day().to_string(), "期初余额".into(), String::new(), String::new(), l.opening)]
        }
        TablePiece::Entry(e) => vec![vec![
            e.date.clone(),
            e.number.clone(),
            e.account.clone(),
            e.summary.clone(),
            blank_zero(e.debit),
            blank_zero(e.credit),
            side.clone(),
            e.balance.grouped(),
        ]],
        TablePiece::Totals(t) => vec![
            row(String::new(), format!("{} 本月合计", t.month), t.debit.grouped(), t.credit.grouped(), t.balance),
            row(
                String::new(),
                format!("{} 本年累计", t.month),
                t.year_debit.grouped(),
                t.year_credit.grouped(),
                t.balance,
            ),
        ],
        TablePiece::Closing => {
            vec![row(l.to.last_day().to_string(), "期末余额".into(), String::new(), String::new(), l.closing)]
        }
    }
}

/// The table's rows as the entries are read: `start` gives 期初余额, each `entry` the totals of
/// the months before it that had entries and then its own row, `end` the last month's totals and
/// 期末余额.
pub struct TableRows<'l> {
    ledger: &'l AccountLedger,
    months: LedgerMonths,
}

impl<'l> TableRows<'l> {
    pub fn start(ledger: &'l AccountLedger) -> (TableRows<'l>, Vec<Vec<String>>) {
        let rows = table_rows(ledger, TablePiece::Opening);
        (TableRows { ledger, months: LedgerMonths::new(ledger, false) }, rows)
    }

    pub fn entry(&mut self, entry: &LedgerEntry) -> Vec<Vec<String>> {
        let mut rows: Vec<Vec<String>> =
            self.months.entry(entry).into_iter().flat_map(|t| table_rows(self.ledger, TablePiece::Totals(t))).collect();
        rows.extend(table_rows(self.ledger, TablePiece::Entry(entry)));
        rows
    }

    pub fn end(self) -> Vec<Vec<String>> {
        let ledger = self.ledger;
        let mut rows = self.end_of_part();
        rows.extend(table_rows(ledger, TablePiece::Closing));
        rows
    }

    /// The last month's totals without 期末余额: how a part of the range (its ledger's `from..=to`
    /// a part of the table's) ends within the table of the whole range.
    pub fn end_of_part(mut self) -> Vec<Vec<String>> {
        self.months.finish().into_iter().flat_map(|t| table_rows(self.ledger, TablePiece::Totals(t))).collect()
    }
}

/// The table's 期初余额 and 期末余额 rows: what a table measured in parts (`end_of_part`) has
/// before and after its parts' rows.
pub fn table_ends(l: &AccountLedger) -> [Vec<String>; 2] {
    let row = |piece| table_rows(l, piece).pop().expect("one row");
    [row(TablePiece::Opening), row(TablePiece::Closing)]
}

/// The sheet's columns (CSV and xlsx), and which of them are amounts.
pub const SHEET_HEADERS: [&str; 7] = ["日期", "凭证号", "摘要", "借方金额", "贷方金额", "方向", "余额"];
pub const SHEET_AMOUNTS: [usize; 3] = [3, 4, 6];

/// A row of the sheet: date, voucher number, 摘要, debit, credit, balance (blank amounts `None`).
pub type SheetRow = (String, String, String, Option<Money>, Option<Money>, Money);

/// The sheet's 期初余额 row.
fn sheet_opening(l: &AccountLedger) -> SheetRow {
    (l.from.first_day().to_string(), String::new(), "期初余额".into(), None, None, l.opening)
}

/// An entry's row of the sheet.
fn sheet_entry(e: &LedgerEntry) -> SheetRow {
    let amount = |m: Money| (!m.is_zero()).then_some(m);
    (e.date.clone(), e.number.clone(), e.summary.clone(), amount(e.debit), amount(e.credit), e.balance)
}

/// A month's 本月合计 and 本年累计 rows of the sheet, dated the month's last day.
fn sheet_totals(t: &MonthTotals) -> [SheetRow; 2] {
    let end = t.month.last_day().to_string();
    [
        (end.clone(), String::new(), "本月合计".into(), Some(t.debit), Some(t.credit), t.balance),
        (end, String::new(), "本年累计".into(), Some(t.year_debit), Some(t.year_credit), t.balance),
    ]
}

/// A sheet row as cells, with the balance's direction; true for a totals row (bold).
pub fn sheet_cells(l: &AccountLedger, row: SheetRow) -> (Vec<Cell>, bool) {
    let (date, number, summary, debit, credit, balance) = row;
    let strong = number.is_empty() && summary != "期初余额";
    let cells = vec![
        Cell::Text(date),
        Cell::Text(number),
        Cell::Text(summary),
        super::sheets::amount_or_blank(debit),
        super::sheets::amount_or_blank(credit),
        Cell::Text(l.side.label().to_string()),
        Cell::Amount(balance),
    ];
    (cells, strong)
}

/// The sheet's rows as the entries are read: `start` gives 期初余额, each `entry` the totals of
/// every month before its own and then its row, `end` the totals of the months left.
pub struct SheetRows {
    months: LedgerMonths,
}

impl SheetRows {
    pub fn start(ledger: &AccountLedger) -> (SheetRows, Vec<SheetRow>) {
        (SheetRows { months: LedgerMonths::new(ledger, true) }, vec![sheet_opening(ledger)])
    }

    pub fn entry(&mut self, entry: &LedgerEntry) -> Vec<SheetRow> {
        let mut rows: Vec<SheetRow> = self.months.entry(entry).iter().flat_map(sheet_totals).collect();
        rows.push(sheet_entry(entry));
        rows
    }

    pub fn end(mut self) -> Vec<SheetRow> {
        self.months.finish().iter().flat_map(sheet_totals).collect()
    }
}

#[derive(Serialize)]
struct EntryJson<'a> {
    date: &'a str,
    number: &'a str,
    account: &'a str,
    summary: &'a str,
    debit: String,
    credit: String,
    balance: String,
}

impl EntryJson<'_> {
    fn of(e: &LedgerEntry) -> EntryJson<'_> {
        EntryJson {
            date: &e.date,
            number: &e.number,
            account: &e.account,
            summary: &e.summary,
            debit: e.debit.plain(),
            credit: e.credit.plain(),
            balance: e.balance.plain(),
        }
    }
}

/// The ledger as JSON or CSV in pieces: `start`'s head, each entry, `end` — byte for byte what
/// serde_json and the sheet's rows give the whole ledger (unit-tested below).
pub struct LedgerStream<'l> {
    ledger: &'l AccountLedger,
    format: OutputFormat,
    json: JsonArray,
    sheet: SheetRows,
}

impl<'l> LedgerStream<'l> {
    /// `None` for a table, which is laid out from `table_rows` instead.
    pub fn start(ledger: &'l AccountLedger, format: OutputFormat) -> Option<(LedgerStream<'l>, String)> {
        let head = match format {
            OutputFormat::Json => JsonArray::head(
                &[
                    ("book", ledger.book.to_string()),
                    ("account", ledger.account.clone()),
                    ("name", ledger.name.clone()),
                    ("side", ledger.side.as_str().to_string()),
                    ("period_from", ledger.from.to_string()),
                    ("period_to", ledger.to.to_string()),
                    ("opening", ledger.opening.plain()),
                    ("closing", ledger.closing.plain()),
                ],
                "entries",
            ),
            OutputFormat::Csv => super::csv_head(&SHEET_HEADERS),
            OutputFormat::Table => return None,
        };
        let (sheet, opening) = SheetRows::start(ledger);
        let head = match format {
            OutputFormat::Csv => head + &csv_rows(ledger, opening),
            _ => head,
        };
        Some((LedgerStream { ledger, format, json: JsonArray::default(), sheet }, head))
    }

    /// One entry's part (with the months' totals due before it, in CSV).
    pub fn entry(&mut self, e: &LedgerEntry) -> String {
        match self.format {
            OutputFormat::Json => self.json.item(&EntryJson::of(e)),
            _ => csv_rows(self.ledger, self.sheet.entry(e)),
        }
    }

    /// The end: the closing brackets, or the months' totals left.
    pub fn end(self) -> String {
        match self.format {
            OutputFormat::Json => self.json.end(),
            _ => csv_rows(self.ledger, self.sheet.end()),
        }
    }
}

fn csv_rows(l: &AccountLedger, rows: Vec<SheetRow>) -> String {
    let texts: Vec<Vec<String>> =
        rows.into_iter().map(|row| sheet_cells(l, row).0.iter().map(|c| c.text(false)).collect()).collect();
    super::csv_rows(&texts, &SHEET_AMOUNTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(text: &str) -> Period {
        Period::parse(text).expect("a month")
    }

    /// A debit-side ledger from `from` to `to` opening at 100.00, 30.00 debited and 20.00
    /// credited earlier in `from`'s year.
    fn heading(from: &str, to: &str) -> AccountLedger {
        AccountLedger {
            book: BookCode { party: "shayang".into(), fund: "employee".into() },
            account: "1003".into(),
            name: "支出户存款".into(),
            side: Side::Debit,
            from: period(from),
            to: period(to),
            opening: Money::from_fen(10_000),
            closing: Money::from_fen(10_000),
            earlier_this_year: (Money::from_fen(3_000), Money::from_fen(2_000)),
            organisation: "沙洋县医疗保障局（职工医保）".into(),
        }
    }

    fn entry(date: &str, debit: i64, credit: i64, balance: i64) -> LedgerEntry {
        LedgerEntry {
            date: date.into(),
            month: period(&date[..7]),
            number: format!("记-{}-0001", &date[..7]),
            account: "1003".into(),
            summary: "摘要".into(),
            debit: Money::from_fen(debit),
            credit: Money::from_fen(credit),
            balance: Money::from_fen(balance),
        }
    }

    /// (month, 本月 debit, 本月 credit, 本年 debit, 本年 credit, balance) in 分.
    type Fen = (String, i64, i64, i64, i64, i64);

    fn fen(t: &MonthTotals) -> Fen {
        let f = |m: Money| m.fen();
        (t.month.to_string(), f(t.debit), f(t.credit), f(t.year_debit), f(t.year_credit), f(t.balance))
    }

    /// Entries in 2023-11 and 2024-02 of a 2023-11..2024-03 ledger: the table totals the two
    /// months with entries, the sheet every month; 本年累计 starts from the earlier months of
    /// 2023 and again from nothing in 2024, whether or not January was totalled.
    #[test]
    fn months_are_totalled_with_the_years_running_totals_across_a_new_year() {
        let l = heading("2023-11", "2024-03");
        let entries = [
            entry("2023-11-05", 5_000, 0, 15_000),
            entry("2023-11-20", 0, 1_000, 14_000),
            entry("2024-02-01", 700, 0, 14_700),
        ];
        let walk = |every_month: bool| {
            let mut months = LedgerMonths::new(&l, every_month);
            let mut due: Vec<(usize, Fen)> = Vec::new();
            for (i, e) in entries.iter().enumerate() {
                due.extend(months.entry(e).iter().map(|t| (i, fen(t))));
            }
            due.extend(months.finish().iter().map(|t| (entries.len(), fen(t))));
            due
        };
        let row = |m: &str, d, c, yd, yc, b| (m.to_string(), d, c, yd, yc, b);
        assert_eq!(
            walk(false),
            vec![(2, row("2023-11", 5_000, 1_000, 8_000, 3_000, 14_000)), (3, row("2024-02", 700, 0, 700, 0, 14_700))]
        );
        assert_eq!(
            walk(true),
            vec![
                (2, row("2023-11", 5_000, 1_000, 8_000, 3_000, 14_000)),
                (2, row("2023-12", 0, 0, 8_000, 3_000, 14_000)),
                (2, row("2024-01", 0, 0, 0, 0, 14_000)),
                (3, row("2024-02", 700, 0, 700, 0, 14_700)),
                (3, row("2024-03", 0, 0, 700, 0, 14_700)),
            ]
        );
    }

    /// A month without entries: the sheet still totals it, at the opening balance; the table
    /// has only 期初余额 and 期末余额.
    #[test]
    fn a_ledger_without_entries_has_its_months_totals_only_on_the_sheet() {
        let l = heading("2023-06", "2023-06");
        assert_eq!(
            LedgerMonths::new(&l, true).finish().iter().map(fen).collect::<Vec<_>>(),
            vec![("2023-06".to_string(), 0, 0, 3_000, 2_000, 10_000)]
        );
        assert!(LedgerMonths::new(&l, false).finish().is_empty());
        let (sheet, mut rows) = SheetRows::start(&l);
        rows.extend(sheet.end());
        assert_eq!(rows.len(), 3, "期初余额, 本月合计, 本年累计");
        assert_eq!((rows[1].0.as_str(), rows[1].2.as_str()), ("2023-06-30", "本月合计"));
    }

    /// The streamed JSON is what serde_json gives the ledger held whole, byte for byte, with
    /// and without entries (and with text JSON must escape).
    #[test]
    fn streamed_json_is_the_whole_ledgers_json() {
        #[derive(Serialize)]
        struct Whole<'a> {
            book: String,
            account: &'a str,
            name: &'a str,
            side: &'static str,
            period_from: String,
            period_to: String,
            opening: String,
            closing: String,
            entries: Vec<EntryJson<'a>>,
        }
        for count in [0, 1, 3] {
            let mut l = heading("2023-01", "2023-02");
            l.name = "引号\"与\\换行\n".into();
            l.closing = Money::from_fen(-12_345);
            let entries: Vec<LedgerEntry> =
                (0..count).map(|i| entry("2023-01-10", 100 * i, 0, 10_000 + 100 * i)).collect();
            let whole = super::super::json(&Whole {
                book: l.book.to_string(),
                account: &l.account,
                name: &l.name,
                side: l.side.as_str(),
                period_from: l.from.to_string(),
                period_to: l.to.to_string(),
                opening: l.opening.plain(),
                closing: l.closing.plain(),
                entries: entries.iter().map(EntryJson::of).collect(),
            });
            let (mut stream, mut streamed) = LedgerStream::start(&l, OutputFormat::Json).expect("JSON streams");
            entries.iter().for_each(|e| streamed.push_str(&stream.entry(e)));
            streamed.push_str(&stream.end());
            assert_eq!(streamed, whole, "{count} entries");
        }
    }

    /// The streamed CSV: 期初余额, each entry after the totals of the months before it (February,
    /// without entries, too), the last month's totals; 本年累计 counting January's earlier 30.00
    /// and 20.00.
    #[test]
    fn streamed_csv_totals_every_month_between_the_entries() {
        let l = heading("2023-01", "2023-03");
        let entries = [entry("2023-01-10", 500, 0, 10_500), entry("2023-03-02", 0, 200, 10_300)];
        let (mut stream, mut streamed) = LedgerStream::start(&l, OutputFormat::Csv).expect("CSV streams");
        entries.iter().for_each(|e| streamed.push_str(&stream.entry(e)));
        streamed.push_str(&stream.end());
        assert_eq!(
            streamed.lines().collect::<Vec<_>>(),
            vec![
                "\u{feff}日期,凭证号,摘要,借方金额,贷方金额,方向,余额",
                "2023-01-01,,期初余额,,,借,100.00",
                "2023-01-10,记-2023-01-0001,摘要,5.00,,借,105.00",
                "2023-01-31,,本月合计,5.00,0.00,借,105.00",
                "2023-01-31,,本年累计,35.00,20.00,借,105.00",
                "2023-02-28,,本月合计,0.00,0.00,借,105.00",
                "2023-02-28,,本年累计,35.00,20.00,借,105.00",
                "2023-03-02,记-2023-03-0001,摘要,,2.00,借,103.00",
                "2023-03-31,,本月合计,0.00,2.00,借,103.00",
                "2023-03-31,,本年累计,35.00,22.00,借,103.00",
            ]
        );
    }
}
