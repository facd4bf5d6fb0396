//! Read-only reports — journal (序时账), account ledger (明细账) and trial balance (科目余额表) —
//! read by `app::reports` and rendered here.

use super::{parse_book, parse_period, BookRange, CliError, Context, Outcome};
use crate::app::reports::{self as actions, Months};
use crate::render::reports;

/// The book and months of a `--book --period | --from --to` range.
fn months(range: &BookRange) -> Result<(crate::domain::ids::BookCode, Months), CliError> {
    let book = parse_book(&range.book)?;
    let months = match (&range.period, &range.from, &range.to) {
        (Some(p), _, _) => Months::one(parse_period(p)?),
        (None, from, to) => Months {
            from: from.as_deref().map(parse_period).transpose()?,
            to: to.as_deref().map(parse_period).transpose()?,
        },
    };
    Ok((book, months))
}

pub fn journal(ctx: &Context, range: &BookRange, all: bool) -> Result<Outcome, CliError> {
    let (book, months) = months(range)?;
    let j = actions::journal(&ctx.session, &book, months, all)?;
    Ok(Outcome::ok(reports::journal(&j.book, j.from, j.to, &j.vouchers, &j.chart, ctx.format)))
}

pub fn account(ctx: &Context, range: &BookRange, code: &str) -> Result<Outcome, CliError> {
    let (book, months) = months(range)?;
    let ledger = actions::account_ledger(&ctx.session, &book, months, code)?;
    Ok(Outcome::ok(reports::account_ledger(&ledger, ctx.format)))
}

pub fn trial_balance(ctx: &Context, range: &BookRange) -> Result<Outcome, CliError> {
    let (book, months) = months(range)?;
    let tb = actions::trial_balance(&ctx.session, &book, months)?;
    Ok(Outcome::ok(reports::trial_balance(&book, &tb, ctx.format)))
}
