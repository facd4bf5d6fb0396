//! Read-only reports — journal (序时账), account ledger (明细账) and trial balance (科目余额表) —
//! read by `app::reports` and rendered here: a table or JSON as before, CSV and xlsx from the
//! sheets the server's downloads use too.

use super::{exit, parse_book, parse_period, BookRange, CliError, Context, Export, Outcome, Streamed};
use crate::app::reports::{self as actions, Months};
use crate::render::xlsx::Sheet;
use crate::render::{reports, sheets, OutputFormat, TableParts};

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
    // Written a voucher at a time into the workbook's temporary rows, then saved to the output.
    let workbook = actions::journal_workbook(&ctx.session, &book, months, all)?;
    save_workbook(ctx, path, export, workbook)
}

/// Saves a workbook written a row at a time to `--output` (its temporary file, then renamed).
fn save_workbook(
    ctx: &Context,
    path: &std::path::Path,
    export: &Export,
    workbook: actions::Workbook,
) -> Result<Outcome, CliError> {
    ctx.write_output_with(path, export.force, |file| workbook.writer.save_to(file))?;
    Ok(Outcome::ok(format!("已写入 {}（{}）\n", path.display(), workbook.title)))
}

/// A journal is written a voucher at a time (constant memory, whatever its size): JSON and CSV
/// in one pass; a table in two, the first measuring its columns month by month on both cores.
fn stream_journal(
    ctx: &Context,
    book: &crate::domain::ids::BookCode,
    months: Months,
    all: bool,
) -> Result<Outcome, CliError> {
    let out = Streamed::new("序时账");
    if ctx.format != OutputFormat::Table {
        let text = actions::journal_each(&ctx.session, book, months, all, |journal, walk| {
            let (mut stream, head) = reports::JournalStream::start(&journal.book, journal.from, journal.to, ctx.format)
                .expect("JSON and CSV are streamed");
            out.pieces(|write| {
                write(&head)?;
                walk(&mut |voucher| write(&stream.voucher(&voucher, &journal.chart)))?;
                write(&stream.end())
            })
        });
        return out.outcome(text);
    }
    // A table's columns are measured month by month, on both cores, before its first row.
    let layout = reports::VoucherTable::new(false, all);
    let parts = TableParts::default();
    let measure = |journal: &actions::Journal, walk: &actions::JournalWalk<'_>| {
        let (mut part, mut totals) = (parts.part(&layout.headers), sheets::JournalTotals::default());
        walk(&mut |voucher| {
            totals.add(&voucher);
            part.add(layout.rows(&voucher, &journal.chart));
            Ok(())
        })?;
        Ok((part.done(), totals))
    };
    let text = actions::journal_each_measured(&ctx.session, book, months, all, measure, |journal, walk, months| {
        let mut totals = sheets::JournalTotals::default();
        months.iter().for_each(|(_, month)| totals.absorb(month));
        let parts = months.into_iter().map(|(part, _)| part).collect();
        let measured = TableParts::table(&layout.headers, Vec::new(), parts, vec![layout.total(&totals)]);
        let rows = |each: &mut dyn FnMut(Vec<Vec<String>>) -> Result<(), crate::app::Error>| {
            let mut totals = sheets::JournalTotals::default();
            walk(&mut |voucher| {
                totals.add(&voucher);
                each(layout.rows(&voucher, &journal.chart))
            })?;
            each(vec![layout.total(&totals)])
        };
        let title = reports::journal_title(&journal.book, journal.from, journal.to);
        out.table(title, &layout.headers, &layout.amounts, measured, &rows)
    });
    out.outcome(text)
}

/// A 明细账 is written an entry at a time, like the journal: JSON and CSV in one pass, xlsx into
/// the workbook's temporary rows, a table in two passes unless it is short.
pub fn account(ctx: &Context, range: &BookRange, code: &str, export: &Export) -> Result<Outcome, CliError> {
    use crate::render::ledger::{self, LedgerStream};
    check_export(ctx, export)?;
    let (book, months) = months(range)?;
    if ctx.xlsx {
        let path =
            export.output.as_deref().ok_or_else(|| CliError::refused("--format xlsx 需要 --output 文件.xlsx"))?;
        crate::app::files::check_output(&ctx.db, path, export.force)?;
        let workbook = actions::account_workbook(&ctx.session, &book, months, code)?;
        return save_workbook(ctx, path, export, workbook);
    }
    let out = Streamed::new("明细账");
    if ctx.format != OutputFormat::Table {
        let text = actions::account_each(&ctx.session, &book, months, code, |l, walk| {
            let (mut stream, head) = LedgerStream::start(l, ctx.format).expect("JSON and CSV are streamed");
            out.pieces(|write| {
                write(&head)?;
                walk(&mut |entry| write(&stream.entry(&entry)))?;
                write(&stream.end())
            })
        });
        return out.outcome(text);
    }
    // A table's columns are measured month by month, on both cores, before its first row.
    let parts = TableParts::default();
    let measure = |month: &ledger::AccountLedger, walk: &actions::LedgerWalk<'_>| {
        let mut part = parts.part(&ledger::TABLE_HEADERS);
        let (mut table, _) = ledger::TableRows::start(month);
        walk(&mut |entry| {
            part.add(table.entry(&entry));
            Ok(())
        })?;
        part.add(table.end_of_part());
        Ok(part.done())
    };
    let text = actions::account_each_measured(&ctx.session, &book, months, code, measure, |l, walk, months| {
        let [opening, closing] = ledger::table_ends(l);
        let measured = TableParts::table(&ledger::TABLE_HEADERS, vec![opening], months, vec![closing]);
        let rows = |each: &mut dyn FnMut(Vec<Vec<String>>) -> Result<(), crate::app::Error>| {
            let (mut table, opening) = ledger::TableRows::start(l);
            each(opening)?;
            walk(&mut |entry| each(table.entry(&entry)))?;
            each(table.end())
        };
        out.table(ledger::table_title(l), &ledger::TABLE_HEADERS, &ledger::TABLE_AMOUNTS, measured, &rows)
    });
    out.outcome(text)
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
