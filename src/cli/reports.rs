//! Read-only reports: journal (序时账), account ledger (明细账) and trial balance (科目余额表).

use super::{parse_book, parse_period, BookRange, CliError, Context, Outcome};
use crate::domain::balance::trial_balance as fold_trial_balance;
use crate::domain::chart::Side;
use crate::domain::ids::{BookCode, Period};
use crate::domain::voucher::Status;
use crate::money::Money;
use crate::render::reports::{self, AccountLedger, LedgerEntry};
use crate::store::{Store, VoucherFilter};

/// The book and months a report covers. Without a range: every month that has vouchers.
fn resolve(store: &Store, range: &BookRange) -> Result<(BookCode, Period, Period), CliError> {
    let book = parse_book(&range.book)?;
    store.reader().city()?.book_kind(&book).map_err(CliError::refused)?;
    let periods = store.reader().voucher_periods(&book)?;
    let (from, to) = match (&range.period, &range.from, &range.to) {
        (Some(p), _, _) => {
            let p = parse_period(p)?;
            (p, p)
        }
        (None, from, to) => {
            let from = match from {
                Some(text) => parse_period(text)?,
                None => periods.first().copied().unwrap_or(Period::new(2023, 1).expect("valid")),
            };
            let to = match to {
                Some(text) => parse_period(text)?,
                None => periods.last().copied().unwrap_or(from).max(from),
            };
            (from, to)
        }
    };
    if from > to {
        return Err(CliError::refused(format!("起始期间 {from} 晚于结束期间 {to}")));
    }
    Ok((book, from, to))
}

pub fn journal(ctx: &Context, range: &BookRange, all: bool) -> Result<Outcome, CliError> {
    let store = ctx.open_book(&range.book)?;
    let (book, from, to) = resolve(&store, range)?;
    let filter = VoucherFilter {
        book: Some(book.clone()),
        from: Some(from),
        to: Some(to),
        status: if all { None } else { Some(Status::Posted) },
        ..Default::default()
    };
    let vouchers = store.reader().vouchers(&filter)?;
    let chart = store.reader().chart()?;
    Ok(Outcome::ok(reports::journal(&book, from, to, &vouchers, &chart, ctx.format)))
}

pub fn account(ctx: &Context, range: &BookRange, code: &str) -> Result<Outcome, CliError> {
    let store = ctx.open_book(&range.book)?;
    let (book, from, to) = resolve(&store, range)?;
    let chart = store.reader().chart()?;
    let account = chart
        .get(code)
        .ok_or_else(|| CliError::refused(format!("科目 {} 不在科目表中", crate::domain::ids::quote(code))))?
        .clone();
    let sign = |debit: Money, credit: Money| match account.side {
        Side::Debit => debit.fen() - credit.fen(),
        Side::Credit => credit.fen() - debit.fen(),
    };
    let opening: i64 = store
        .reader()
        .period_totals(&book)?
        .iter()
        .filter(|t| t.period < from && chart.is_within(&t.account, code))
        .map(|t| sign(t.debit, t.credit))
        .sum();
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
    let ledger = AccountLedger {
        book,
        account: account.code.clone(),
        name: account.name.clone(),
        side: account.side,
        from,
        to,
        opening: Money::from_fen(opening),
        entries,
    };
    Ok(Outcome::ok(reports::account_ledger(&ledger, ctx.format)))
}

pub fn trial_balance(ctx: &Context, range: &BookRange) -> Result<Outcome, CliError> {
    let store = ctx.open_book(&range.book)?;
    let (book, from, to) = resolve(&store, range)?;
    let chart = store.reader().chart()?;
    let totals = store.reader().period_totals(&book)?;
    let tb = fold_trial_balance(&chart, &totals, from, to);
    Ok(Outcome::ok(reports::trial_balance(&book, &tb, ctx.format)))
}
