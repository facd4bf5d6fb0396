//! Month-end reconciliation (TS 15, DOMAIN §5): tax ↔ treasury, treasury ↔ finance,
//! finance ↔ city agency, city agency ↔ each county, every bank account (支出户, 专户) ↔ its
//! bank, and the
//! invariants that must hold every month.
//!
//! Each check is a pure function from the month's data to findings: matched items, outstanding
//! items (未达账项, timing differences) and differences (what cannot be timing). Findings are
//! data, never errors. Checks run in the documented order of [`CheckName::ALL`].

mod checks;
mod matching;

use crate::domain::chart::{Chart, Side};
use crate::domain::city::City;
use crate::domain::ids::{BookCode, Period, VoucherNo};
use crate::money::Money;
use chrono::NaiveDate;
use std::collections::HashMap;

pub use matching::{Direction, OutstandingKind};

/// The checks, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckName {
    TaxTreasury,
    TreasuryFinance,
    FinanceAgency,
    CityCounty,
    Bank,
    Invariants,
}

impl CheckName {
    pub const ALL: [CheckName; 6] = [
        CheckName::TaxTreasury,
        CheckName::TreasuryFinance,
        CheckName::FinanceAgency,
        CheckName::CityCounty,
        CheckName::Bank,
        CheckName::Invariants,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::TaxTreasury => "tax_treasury",
            CheckName::TreasuryFinance => "treasury_finance",
            CheckName::FinanceAgency => "finance_agency",
            CheckName::CityCounty => "city_county",
            CheckName::Bank => "bank",
            CheckName::Invariants => "invariants",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CheckName::TaxTreasury => "税务↔国库",
            CheckName::TreasuryFinance => "国库↔财政专户",
            CheckName::FinanceAgency => "财政专户↔市经办机构",
            CheckName::CityCounty => "市经办机构↔县级经办机构",
            CheckName::Bank => "银行存款↔银行对账单",
            CheckName::Invariants => "每月不变式",
        }
    }

    pub fn parse(text: &str) -> Option<CheckName> {
        CheckName::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// A posted voucher line, as reconciliation sees it. The book and the account are shared by
/// every line that names them: a city's half year is a million lines, and a copy of each per
/// line was most of what a run held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerLine {
    pub voucher_id: i64,
    pub book: std::sync::Arc<BookCode>,
    pub number: VoucherNo,
    pub date: NaiveDate,
    pub account: std::sync::Arc<str>,
    pub side: Side,
    pub amount: Money,
    pub reference: Option<String>,
}

/// The posted lines a run reads, in the order read, with each book's lines at hand: every check
/// asks for one book's lines, and a city's half year holds hundreds of thousands of them.
pub struct Ledger {
    lines: Vec<LedgerLine>,
    by_book: HashMap<BookCode, Vec<usize>>,
}

impl Ledger {
    pub fn new(lines: Vec<LedgerLine>) -> Ledger {
        // Lines read together share their book's `Arc`: each line is placed by its book's
        // address, and a book's name is hashed once for each address rather than once a line.
        let mut slots: HashMap<BookCode, usize> = HashMap::new();
        let mut slot_at: HashMap<*const BookCode, usize> = HashMap::new();
        let mut indexes: Vec<Vec<usize>> = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            let slot = *slot_at.entry(std::sync::Arc::as_ptr(&line.book)).or_insert_with(|| {
                // Two addresses may name the same book (read by different connections).
                *slots.entry(BookCode::clone(&line.book)).or_insert_with(|| {
                    indexes.push(Vec::new());
                    indexes.len() - 1
                })
            });
            indexes[slot].push(index);
        }
        let mut by_book: HashMap<BookCode, Vec<usize>> = HashMap::new();
        for (book, slot) in slots {
            by_book.insert(book, std::mem::take(&mut indexes[slot]));
        }
        Ledger { lines, by_book }
    }

    /// A ledger from lines read in storage order (voucher id, then line), put in journal order:
    /// by date, then voucher, then line. Storage order is nearly journal order (vouchers are
    /// mostly made in date order), which the stable sort finds in one pass; a voucher's lines
    /// keep their order because they are adjacent and share both keys.
    pub fn in_journal_order(mut lines: Vec<LedgerLine>) -> Ledger {
        lines.sort_by_key(|line| (line.date, line.voucher_id));
        Ledger::new(lines)
    }

    /// A book's lines, in the order read.
    pub fn of<'a>(&'a self, book: &BookCode) -> impl Iterator<Item = &'a LedgerLine> + 'a {
        self.by_book.get(book).into_iter().flatten().map(|&index| &self.lines[index])
    }
}

/// Which register a statement line comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Tax,
    Treasury,
    Bank,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Tax => "tax",
            Source::Treasury => "treasury",
            Source::Bank => "bank",
        }
    }

    pub fn parse(text: &str) -> Option<Source> {
        match text {
            "tax" => Some(Source::Tax),
            "treasury" => Some(Source::Treasury),
            "bank" => Some(Source::Bank),
            _ => None,
        }
    }
}

/// A line of the tax, treasury or bank records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub source: Source,
    pub date: NaiveDate,
    pub reference: Option<String>,
    /// Tax and treasury lines name a fund; bank lines a book and account.
    pub fund: Option<String>,
    pub book: Option<BookCode>,
    pub account: Option<String>,
    /// `paid_to_treasury`, `refund`, `received`, `transferred_to_special_account`, `in`, `out`, `balance`.
    pub kind: String,
    pub amount: Money,
}

/// A posted voucher's totals, for the balanced-voucher invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherTotals {
    pub book: BookCode,
    pub number: VoucherNo,
    pub debit: Money,
    pub credit: Money,
}

/// Everything a reconciliation of one month needs.
pub struct Input<'a> {
    pub period: Period,
    pub city: &'a City,
    pub chart: &'a Chart,
    /// Posted lines dated up to the month end, of the accounts reconciliation reads.
    pub ledger: Ledger,
    /// Statement lines dated up to the month end.
    pub statements: Vec<StatementLine>,
    /// The month's posted vouchers.
    pub vouchers: Vec<VoucherTotals>,
    pub only_check: Option<CheckName>,
    pub only_fund: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A timing difference younger than the ageing limit: listed, carried, does not block.
    Outstanding,
    /// Anything that cannot be timing: blocks the close.
    Difference,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Outstanding => "未达账项",
            Severity::Difference => "差异",
        }
    }
}

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// One side booked it, the other not (yet).
    Outstanding,
    /// The same reference with different amounts.
    AmountMismatch,
    /// One side booked the same item twice.
    Duplicate,
    /// Adjusted balances that are not equal.
    BalanceMismatch,
    /// A monthly invariant broken.
    Invariant,
}

/// One finding, with both sides' references.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    pub check: String,
    pub fund: String,
    /// Which pair or account within the check: "shayang 拨款", "city/employee 1003", …
    pub scope: String,
    pub severity: Severity,
    pub kind: FindingKind,
    /// For outstanding items: which of the four kinds (未达账项).
    pub outstanding: Option<OutstandingKind>,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub ours: Vec<String>,
    pub theirs: Vec<String>,
    pub ours_amount: Option<Money>,
    pub theirs_amount: Option<Money>,
    pub date: Option<NaiveDate>,
    pub age_days: Option<i64>,
    /// Open since an earlier month.
    pub carried: bool,
    pub message: String,
}

/// A reconciliation statement (余额调节表) for a balance pair.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Statement {
    pub check: String,
    pub fund: String,
    pub scope: String,
    pub ours_label: String,
    pub theirs_label: String,
    pub ours_balance: Money,
    pub theirs_balance: Money,
    /// What only they booked, increasing (+) and decreasing (−) the compared balance: adjusts ours.
    pub theirs_only_in: Money,
    pub theirs_only_out: Money,
    /// What only we booked, increasing (+) and decreasing (−): adjusts theirs.
    pub ours_only_in: Money,
    pub ours_only_out: Money,
    /// The four adjustment lines in words, in the order of the four amounts above.
    pub labels: [String; 4],
    pub ours_adjusted: Money,
    pub theirs_adjusted: Money,
    pub equal: bool,
}

/// Counts per check and fund.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub check: String,
    pub fund: String,
    pub matched: usize,
    pub outstanding: usize,
    pub differences: usize,
}

/// Everything one run found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Report {
    pub period: String,
    pub cutoff: NaiveDate,
    pub ageing_limit_days: u32,
    pub summaries: Vec<Summary>,
    pub findings: Vec<Finding>,
    pub statements: Vec<Statement>,
}

impl Report {
    pub fn differences(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Difference).count()
    }

    pub fn outstanding(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Outstanding).count()
    }
}

/// Runs the checks (all, or the one asked for) for every fund (or the one asked for).
pub fn reconcile(input: &Input<'_>) -> Report {
    let cutoff = input.period.last_day();
    let mut report = Report {
        period: input.period.to_string(),
        cutoff,
        ageing_limit_days: input.city.settings.ageing_limit_days,
        summaries: Vec::new(),
        findings: Vec::new(),
        statements: Vec::new(),
    };
    let funds: Vec<&str> = input
        .city
        .fund
        .iter()
        .map(|f| f.code.as_str())
        .filter(|f| input.only_fund.as_deref().is_none_or(|only| only == *f))
        .collect();
    let jobs: Vec<(CheckName, &str)> = CheckName::ALL
        .into_iter()
        .filter(|check| input.only_check.is_none_or(|only| only == *check))
        .flat_map(|check| funds.iter().map(move |fund| (check, *fund)))
        .collect();
    // The checks of a month are independent of one another, and the bank check of each fund
    // alone is a third of a run.
    let results = crate::turns::in_parallel(&jobs, |(check, fund)| checks::run(*check, input, fund));
    for ((check, fund), mut result) in jobs.into_iter().zip(results) {
        report.summaries.push(Summary {
            check: check.as_str().to_string(),
            fund: fund.to_string(),
            matched: result.matched,
            outstanding: result.findings.iter().filter(|f| f.severity == Severity::Outstanding).count(),
            differences: result.findings.iter().filter(|f| f.severity == Severity::Difference).count(),
        });
        report.findings.append(&mut result.findings);
        report.statements.append(&mut result.statements);
    }
    report
}

#[cfg(test)]
mod tests;
