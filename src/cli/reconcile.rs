//! `statement import` and `reconcile`: the other parties' records in, one run of the month's
//! checks out, stored with who ran it and what it found.

use super::{exit, parse_period, CliError, Context, Outcome, Streamed};
use crate::app::files::fingerprint;
use crate::app::reconcile as actions;
use crate::domain::ids::quote;
use crate::reconcile::{CheckName, Report, Source};
use crate::render::{self, OutputFormat};
use std::path::Path;

pub fn import_statement(ctx: &Context, source: &str, file: &Path) -> Result<Outcome, CliError> {
    ctx.refuse_csv("statement import")?;
    ctx.operator()?;
    let source = Source::parse(source)
        .ok_or_else(|| CliError::refused(format!("--source \"{}\" 无效，应为 tax、treasury 或 bank", quote(source))))?;
    let print = fingerprint(file)?;
    let input = crate::import::tabular::open(file).map_err(CliError::refused)?;
    let done = actions::import_statement(&ctx.session, source, input, &print, &file.display().to_string())?;
    if let (Some(earlier), OutputFormat::Table) = (&done.earlier_batch, ctx.format) {
        return Ok(Outcome::ok(super::ledger::earlier_batch_text(file, earlier)));
    }
    Ok(Outcome::ok(match ctx.format {
        OutputFormat::Json => render::json(&serde_json::json!({
            "source": source.as_str(), "imported": done.inserted, "already_present": done.already_present,
            "file_already_imported": done.earlier_batch.is_some(),
        })),
        _ => format!(
            "已导入 {} 对账单 {} 行；已存在未重复导入 {} 行\n",
            source.as_str(),
            done.inserted,
            done.already_present
        ),
    }))
}

pub fn run(ctx: &Context, period: &str, check: Option<&str>, fund: Option<&str>) -> Result<Outcome, CliError> {
    let period = parse_period(period)?;
    let check = check
        .map(|name| {
            CheckName::parse(name).ok_or_else(|| {
                let names: Vec<&str> = CheckName::ALL.iter().map(|c| c.as_str()).collect();
                CliError::refused(format!("检查 \"{}\" 不存在，应为 {} 之一", quote(name), names.join("、")))
            })
        })
        .transpose()?;
    let (report, run_id) = actions::run(&ctx.session, period, check, fund)?;
    render_run(ctx, report, run_id)
}

/// A stored run, as it was reported when it ran.
pub fn show(ctx: &Context, period: &str, run_id: i64) -> Result<Outcome, CliError> {
    let period = parse_period(period)?;
    let report = actions::stored_run(&ctx.session, period, run_id)?;
    render_run(ctx, report, run_id)
}
/// Findings beyond which a report is written to standard output as it is rendered rather than
/// rendered whole first (a month with every bank item outstanding has hundreds of thousands).
const STREAMED_ABOVE: usize = 2_000;

fn render_run(ctx: &Context, report: Report, run_id: i64) -> Result<Outcome, CliError> {
    let city = ctx.open().ok().and_then(|store| store.reader().city().ok());
    let fund_label = |code: &str| city.as_ref().map(|c| c.fund_label(code)).unwrap_or_else(|| code.to_string());
    let code = if report.differences() > 0 { exit::DIFFERENCES } else { exit::OK };
    let out = Streamed::new("对账报告");
    let (streamed, lines) = (report.findings.len() > STREAMED_ABOVE, report.findings.len() * 4 + 40);
    let mut text = String::new();
    let mut whole = |piece: &str| -> Result<(), crate::app::Error> {
        text.push_str(piece);
        Ok(())
    };
    let written = match ctx.format {
        OutputFormat::Json if streamed => {
            out.pieces(|write| render::reconcile::report_json_each(report, run_id, write))
        }
        OutputFormat::Json => render::reconcile::report_json_each(report, run_id, &mut whole).map(|_| String::new()),
        OutputFormat::Csv if streamed => {
            out.pieces(|write| render::reconcile::report_csv_each(&report, &fund_label, write))
        }
        OutputFormat::Csv => {
            render::reconcile::report_csv_each(&report, &fund_label, &mut whole).map(|_| String::new())
        }
        OutputFormat::Table if streamed => {
            let written =
                out.paged(lines, |write| render::reconcile::report_table_each(&report, run_id, &fund_label, write));
            // The process ends when this returns: freeing a large report's findings one by one
            // (hundreds of thousands, a few strings each) would only delay it.
            std::mem::forget(report);
            written
        }
        OutputFormat::Table => {
            render::reconcile::report_table_each(&report, run_id, &fund_label, &mut whole).map(|_| String::new())
        }
    };
    let outcome = out.outcome(written)?;
    Ok(Outcome { stdout: outcome.stdout + &text, code })
}
