//! Read-only reports — journal (序时账), account ledger (明细账) and trial balance (科目余额表) —
//! read by `app::reports` and rendered here: a table or JSON as before, CSV and xlsx from the
//! sheets the server's downloads use too.

use super::{exit, parse_book, parse_period, BookRange, CliError, Context, Export, Outcome};
use crate::app::reports::{self as actions, Months};
use crate::render::xlsx::Sheet;
use crate::render::{reports, sheets};

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

/// `--output` is for spreadsheets only, and a spreadsheet needs one.
fn check_export(ctx: &Context, export: &Export) -> Result<(), CliError> {
    match (ctx.xlsx, &export.output) {
        (true, None) => {
            Err(CliError { code: exit::USAGE, message: "--format xlsx 需要 --output 文件.xlsx".into() })
        }
        (false, Some(_)) => {
            Err(CliError { code: exit::USAGE, message: "--output 只与 --format xlsx 一起使用".into() })
        }
        _ => Ok(()),
    }
}

/// Writes the sheet as xlsx to `--output` (`check_export` made sure there is one).
fn sheet_output(ctx: &Context, sheet: &Sheet, export: &Export) -> Result<Outcome, CliError> {
    let path = export.output.as_deref().ok_or_else(|| CliError::refused("--format xlsx 需要 --output 文件.xlsx"))?;
    let bytes = sheet.xlsx().map_err(|e| CliError::refused(format!("无法生成 Excel：{e}")))?;
    ctx.write_output(path, &bytes, export.force)?;
    Ok(Outcome::ok(format!("已写入 {}（{}）\n", path.display(), sheet.title)))
}

pub fn journal(ctx: &Context, range: &BookRange, all: bool, export: &Export) -> Result<Outcome, CliError> {
    check_export(ctx, export)?;
    let (book, months) = months(range)?;
    if !ctx.xlsx {
        if let Some(outcome) = stream_journal(ctx, &book, months, all)? {
            return Ok(outcome);
        }
    }
    let j = actions::journal(&ctx.session, &book, months, all)?;
    if ctx.xlsx {
        let sheet = sheets::journal(&j.organisation, &j.book, j.from, j.to, &j.vouchers, &j.chart);
        return sheet_output(ctx, &sheet, export);
    }
    Ok(Outcome::ok(reports::journal(&j.book, j.from, j.to, &j.vouchers, &j.chart, ctx.format, all)))
}

/// JSON and CSV journals are written to standard output a voucher at a time (constant memory,
/// whatever the size); `None` for a table, which is laid out whole.
fn stream_journal(
    ctx: &Context,
    book: &crate::domain::ids::BookCode,
    months: Months,
    all: bool,
) -> Result<Option<Outcome>, CliError> {
    use std::io::Write;
    if !matches!(ctx.format, crate::render::OutputFormat::Json | crate::render::OutputFormat::Csv) {
        return Ok(None);
    }
    // Both steps below write to the same output and stream.
    let out = std::cell::RefCell::new(std::io::BufWriter::new(std::io::stdout().lock()));
    let stream = std::cell::RefCell::new(None);
    let failed = |e: std::io::Error| crate::app::Error::refused(format!("无法写出序时账：{e}"));
    actions::journal_each(
        &ctx.session,
        book,
        months,
        all,
        |journal| {
            let (started, head) = reports::JournalStream::start(&journal.book, journal.from, journal.to, ctx.format)
                .ok_or_else(|| crate::app::Error::refused("此格式不能逐张写出".to_string()))?;
            *stream.borrow_mut() = Some(started);
            out.borrow_mut().write_all(head.as_bytes()).map_err(failed)
        },
        |journal, voucher| match stream.borrow_mut().as_mut() {
            Some(stream) => {
                out.borrow_mut().write_all(stream.voucher(&voucher, &journal.chart).as_bytes()).map_err(failed)
            }
            None => Ok(()),
        },
    )?;
    let mut out = out.into_inner();
    if let Some(stream) = stream.into_inner() {
        out.write_all(stream.end().as_bytes()).map_err(failed)?;
    }
    out.flush().map_err(failed)?;
    Ok(Some(Outcome::ok(String::new())))
}

pub fn account(ctx: &Context, range: &BookRange, code: &str, export: &Export) -> Result<Outcome, CliError> {
    check_export(ctx, export)?;
    let (book, months) = months(range)?;
    let ledger = actions::account_ledger(&ctx.session, &book, months, code)?;
    if ctx.xlsx {
        return sheet_output(ctx, &sheets::ledger(&ledger.organisation, &ledger), export);
    }
    Ok(Outcome::ok(reports::account_ledger(&ledger, ctx.format)))
}

pub fn trial_balance(ctx: &Context, range: &BookRange, export: &Export) -> Result<Outcome, CliError> {
    check_export(ctx, export)?;
    let (book, months) = months(range)?;
    let (tb, organisation) = actions::trial_balance_of(&ctx.session, &book, months)?;
    if ctx.xlsx {
        return sheet_output(ctx, &sheets::trial_balance(&organisation, &book, &tb), export);
    }
    Ok(Outcome::ok(reports::trial_balance(&book, &tb, ctx.format)))
}
