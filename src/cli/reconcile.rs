//! `statement import` and `reconcile`: the other parties' records in, one run of the month's
//! checks out, stored with who ran it and what it found.

use super::{exit, parse_period, CliError, Context, Outcome};
use crate::app::files::fingerprint;
use crate::app::reconcile as actions;
use crate::domain::ids::quote;
use crate::import::statements;
use crate::reconcile::{CheckName, Report, Source, StatementLine};
use crate::render::{self, OutputFormat};
use std::path::Path;

pub fn import_statement(ctx: &Context, source: &str, file: &Path) -> Result<Outcome, CliError> {
    ctx.refuse_csv("statement import")?;
    ctx.operator()?;
    let source = Source::parse(source)
        .ok_or_else(|| CliError::refused(format!("--source \"{}\" 无效，应为 tax、treasury 或 bank", quote(source))))?;
    let print = fingerprint(file)?;
    let input = crate::import::tabular::open(file).map_err(CliError::refused)?;
    let origin = input.origin.clone();
    let lines = statements::parse(source, input.reader).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| format!("  {}", origin.describe(e))).collect();
        CliError::refused(format!(
            "{} 中有 {} 处错误，没有导入任何行：\n{}",
            file.display(),
            errors.len(),
            list.join("\n")
        ))
    })?;
    let keyed: Vec<(String, String, StatementLine)> =
        lines.into_iter().map(|k| (format!("第 {} 行", k.row), k.key, k.line)).collect();
    let kind = format!("statement:{}", source.as_str());
    let done = actions::import_lines(&ctx.session, &kind, &keyed, Some(&print)).map_err(|e| {
        CliError::from(crate::app::Error { message: format!("{}：{}", file.display(), e.message), ..e })
    })?;
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
    Ok(render_run(ctx, &report, run_id))
}

/// A stored run, as it was reported when it ran.
pub fn show(ctx: &Context, period: &str, run_id: i64) -> Result<Outcome, CliError> {
    let period = parse_period(period)?;
    let report = actions::stored_run(&ctx.session, period, run_id)?;
    Ok(render_run(ctx, &report, run_id))
}
fn render_run(ctx: &Context, report: &Report, run_id: i64) -> Outcome {
    let city = ctx.open().ok().and_then(|store| store.reader().city().ok());
    let fund_label = |code: &str| city.as_ref().map(|c| c.fund_label(code)).unwrap_or_else(|| code.to_string());
    let text = match ctx.format {
        OutputFormat::Json => {
            let mut value = serde_json::to_value(report).unwrap_or_default();
            value["run_id"] = run_id.into();
            value["differences"] = report.differences().into();
            value["outstanding"] = report.outstanding().into();
            render::json(&value)
        }
        OutputFormat::Csv => {
            let rows: Vec<Vec<String>> = report
                .findings
                .iter()
                .map(|f| {
                    vec![
                        CheckName::parse(&f.check).map(|c| c.label().to_string()).unwrap_or_else(|| f.check.clone()),
                        fund_label(&f.fund),
                        f.scope.clone(),
                        f.severity.label().to_string(),
                        f.reference.clone().unwrap_or_default(),
                        f.ours_amount.map(|m| m.plain()).unwrap_or_default(),
                        f.theirs_amount.map(|m| m.plain()).unwrap_or_default(),
                        f.age_days.map(|a| a.to_string()).unwrap_or_default(),
                        f.message.clone(),
                    ]
                })
                .collect();
            render::csv(
                &["检查", "基金", "范围", "性质", "结算号", "本方金额", "对方金额", "账龄（天）", "说明"],
                &rows,
                &[5, 6],
            )
        }
        OutputFormat::Table => render::reconcile::report_table(report, run_id, &fund_label),
    };
    let code = if report.differences() > 0 { exit::DIFFERENCES } else { exit::OK };
    Outcome { stdout: text, code }
}
