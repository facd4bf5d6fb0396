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
        return stream_journal(ctx, &book, months, all);
    }
    let path = export.output.as_deref().ok_or_else(|| CliError::refused("--format xlsx 需要 --output 文件.xlsx"))?;
    // Refused before a year is read, not after.
    crate::app::files::check_output(&ctx.db, path, export.force)?;
    let failed = |e: String| crate::app::Error::refused(format!("无法生成 Excel：{e}"));
    // Written a voucher at a time into the workbook's temporary rows, then saved to the output.
    let writer = actions::journal_each(&ctx.session, &book, months, all, |journal, walk| {
        let mut writer =
            sheets::journal_writer(&journal.organisation, &journal.book, journal.from, journal.to).map_err(failed)?;
        let mut totals = sheets::JournalTotals::default();
        walk(&mut |voucher| {
            for row in sheets::journal_rows(&voucher, &journal.chart) {
                writer.row(&row, false).map_err(failed)?;
            }
            totals.add(&voucher);
            Ok(())
        })?;
        writer.row(&totals.row(), true).map_err(failed)?;
        Ok(writer)
    })?;
    ctx.write_output_with(path, export.force, |file| writer.save_to(file))?;
    Ok(Outcome::ok(format!("已写入 {}（{}）\n", path.display(), sheets::journal_sheet_title(&book))))
}

/// A journal is written a voucher at a time (constant memory, whatever its size): JSON and CSV
/// in one pass; a table in two, the first measuring its columns, unless it is short enough to lay
/// out whole.
fn stream_journal(
    ctx: &Context,
    book: &crate::domain::ids::BookCode,
    months: Months,
    all: bool,
) -> Result<Outcome, CliError> {
    use std::io::Write;
    // A reader that stops early (`| head`) closes the pipe: the walk stops, and that is no error.
    let closed = std::cell::Cell::new(false);
    let failed = |e: std::io::Error| {
        closed.set(closed.get() || e.kind() == std::io::ErrorKind::BrokenPipe);
        crate::app::Error::refused(format!("无法写出序时账：{e}"))
    };
    let text = actions::journal_each(&ctx.session, book, months, all, |journal, walk| {
        if let Some((mut stream, head)) =
            reports::JournalStream::start(&journal.book, journal.from, journal.to, ctx.format)
        {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            out.write_all(head.as_bytes()).map_err(failed)?;
            walk(&mut |voucher| out.write_all(stream.voucher(&voucher, &journal.chart).as_bytes()).map_err(failed))?;
            out.write_all(stream.end().as_bytes()).map_err(failed)?;
            out.flush().map_err(failed)?;
            return Ok(String::new());
        }
        let layout = reports::VoucherTable::new(false, all);
        let mut widths = crate::render::TableWidths::new(&layout.headers);
        let mut totals = crate::render::sheets::JournalTotals::default();
        // The first walk measures, and keeps the rows while they are few enough to lay out
        // whole, so a short journal is read once.
        let mut kept = Some(Vec::new());
        walk(&mut |voucher| {
            let rows = layout.rows(&voucher, &journal.chart);
            rows.iter().for_each(|row| widths.measure(row));
            totals.add(&voucher);
            kept =
                kept.take().filter(|k: &Vec<_>| k.len() + rows.len() <= crate::render::CHUNKED_ABOVE).map(|mut k| {
                    k.extend(rows);
                    k
                });
            Ok(())
        })?;
        let total = layout.total(&totals);
        widths.measure(&total);
        let title = reports::journal_title(&journal.book, journal.from, journal.to);
        if let Some(mut rows) = kept {
            rows.push(total);
            return Ok(title + &crate::render::table(&layout.headers, &rows, &layout.amounts));
        }
        let mut out = super::Paged::start(widths.rows + 5);
        out.write_all(title.as_bytes()).map_err(failed)?;
        let mut table = crate::render::ChunkedTable::new(&layout.headers, &layout.amounts, &widths);
        let mut chunk = Vec::with_capacity(crate::render::TABLE_CHUNK);
        walk(&mut |voucher| {
            chunk.extend(layout.rows(&voucher, &journal.chart));
            if chunk.len() >= crate::render::TABLE_CHUNK {
                out.write_all(table.chunk(&chunk, false).as_bytes()).map_err(failed)?;
                chunk.clear();
            }
            Ok(())
        })?;
        chunk.push(total);
        out.write_all(table.chunk(&chunk, true).as_bytes()).map_err(failed)?;
        out.finish().map_err(failed)?;
        Ok(String::new())
    });
    match text {
        Err(_) if closed.get() => Ok(Outcome::ok(String::new())),
        text => Ok(Outcome::ok(text?)),
    }
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
