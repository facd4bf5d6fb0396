//! The books as staff read them — 序时账 (journal), 明细账 (account ledger) and 科目余额表 (trial
//! balance) of one book over a range of months — for anyone who may read that book's party.

use super::{Error, Result, Session};
use crate::domain::balance::{trial_balance as fold_trial_balance, TrialBalance};
use crate::domain::chart::{Chart, Side};
use crate::domain::ids::{BookCode, Period};
use crate::domain::voucher::{Status, VoucherRecord};
use crate::money::Money;
use crate::render::reports::{AccountLedger, LedgerEntry};
use crate::store::VoucherFilter;

/// Which months: one, a range, or (neither) every month with vouchers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Months {
    pub from: Option<Period>,
    pub to: Option<Period>,
}

impl Months {
    pub fn one(period: Period) -> Months {
        Months { from: Some(period), to: Some(period) }
    }
}

/// Opens the book for reading and settles the months: without a range, from the book's first
/// month with vouchers (or the city's opening month) to its last.
fn open(session: &Session, book: &BookCode, months: Months) -> Result<(super::Pooled, Period, Period)> {
    let store = session.read_for(Some(&book.party))?;
    let city = store.reader().city()?;
    city.book_kind(book).map_err(Error::refused)?;
    let periods = store.reader().voucher_periods(book)?;
    let from = months.from.or(periods.first().copied()).unwrap_or(city.opening_period());
    let to = match months.to {
        Some(to) => to,
        None => periods.last().copied().unwrap_or(from).max(from),
    };
    if from > to {
        return Err(Error::refused(format!("起始期间 {from} 晚于结束期间 {to}")));
    }
    Ok((store, from, to))
}

/// A journal: the book's vouchers in the months, posted only unless `all`.
pub struct Journal {
    pub book: BookCode,
    pub from: Period,
    pub to: Period,
    pub vouchers: Vec<VoucherRecord>,
    pub chart: Chart,
}

pub fn journal(session: &Session, book: &BookCode, months: Months, all: bool) -> Result<Journal> {
    let (store, from, to) = open(session, book, months)?;
    let filter = VoucherFilter {
        book: Some(book.clone()),
        from: Some(from),
        to: Some(to),
        status: if all { None } else { Some(Status::Posted) },
        ..Default::default()
    };
    let vouchers = store.reader().vouchers(&filter)?;
    Ok(Journal { book: book.clone(), from, to, vouchers, chart: store.reader().chart()? })
}

/// The 明细账 of an account (a parent includes its sub-accounts), with its running balance in the
/// account's normal direction.
pub fn account_ledger(session: &Session, book: &BookCode, months: Months, code: &str) -> Result<AccountLedger> {
    let (store, from, to) = open(session, book, months)?;
    let chart = store.reader().chart()?;
    let account = chart
        .get(code)
        .ok_or_else(|| Error::refused(format!("科目 {} 不在科目表中", crate::domain::ids::quote(code))))?
        .clone();
    let sign = |debit: Money, credit: Money| match account.side {
        Side::Debit => debit.fen() - credit.fen(),
        Side::Credit => credit.fen() - debit.fen(),
    };
    let totals = store.reader().period_totals(book)?;
    let within = |t: &&crate::domain::balance::PeriodTotals| t.period < from && chart.is_within(&t.account, code);
    let opening: i64 = totals.iter().filter(within).map(|t| sign(t.debit, t.credit)).sum();
    let this_year = |t: &&crate::domain::balance::PeriodTotals| within(t) && t.period.year == from.year;
    let earlier_debit: i64 = totals.iter().filter(this_year).map(|t| t.debit.fen()).sum();
    let earlier_credit: i64 = totals.iter().filter(this_year).map(|t| t.credit.fen()).sum();
    let filter = VoucherFilter {
        book: Some(book.clone()),
        from: Some(from),
        to: Some(to),
        status: Some(Status::Posted),
        ..Default::default()
    };
    let mut balance = opening;
    let mut entries = Vec::new();
    for voucher in store.reader().vouchers(&filter)? {
        for line in voucher.lines.iter().filter(|l| chart.is_within(&l.account, code)) {
            let (debit, credit) = match line.side {
                Side::Debit => (line.amount, Money::ZERO),
                Side::Credit => (Money::ZERO, line.amount),
            };
            balance += sign(debit, credit);
            entries.push(LedgerEntry {
                date: voucher.date.to_string(),
                number: voucher.number.to_string(),
                account: line.account.clone(),
                summary: line.summary.clone(),
                debit,
                credit,
                balance: Money::from_fen(balance),
            });
        }
    }
    Ok(AccountLedger {
        book: book.clone(),
        account: account.code.clone(),
        name: account.name.clone(),
        side: account.side,
        from,
        to,
        opening: Money::from_fen(opening),
        entries,
        earlier_this_year: (Money::from_fen(earlier_debit), Money::from_fen(earlier_credit)),
    })
}

/// The 科目余额表 of the book over the months.
pub fn trial_balance(session: &Session, book: &BookCode, months: Months) -> Result<TrialBalance> {
    let (store, from, to) = open(session, book, months)?;
    let chart = store.reader().chart()?;
    let totals = store.reader().period_totals(book)?;
    Ok(fold_trial_balance(&chart, &totals, from, to))
}
