//! `statement import` and `reconcile`: the other parties' records in, one run of the month's
//! checks out, stored with who ran it and what it found.

use super::{exit, parse_period, CliError, Context, Outcome};
use crate::domain::ids::Period;
use crate::import::statements;
use crate::reconcile::{reconcile, CheckName, Input, Report, Source, StatementLine};
use crate::render::{self, OutputFormat};
use crate::store::{StatementWrite, Store};
use std::path::Path;

pub fn import_statement(ctx: &Context, source: &str, file: &Path) -> Result<Outcome, CliError> {
    ctx.operator()?;
    let source = Source::parse(source)
        .ok_or_else(|| CliError::refused(format!("--source \"{source}\" 无效，应为 tax、treasury 或 bank")))?;
    let handle =
        std::fs::File::open(file).map_err(|e| CliError::refused(format!("无法读取 {}：{e}", file.display())))?;
    let lines = statements::parse(source, std::io::BufReader::new(handle)).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        CliError::refused(format!(
            "{} 中有 {} 处错误，没有导入任何行：\n{}",
            file.display(),
            errors.len(),
            list.join("\n")
        ))
    })?;
    let mut store = ctx.open()?;
    let keyed: Vec<(String, String, StatementLine)> =
        lines.into_iter().map(|k| (format!("第 {} 行", k.row), k.key, k.line)).collect();
    let (inserted, present) = import_lines(&mut store, ctx, &keyed).map_err(|problems| {
        CliError::refused(format!(
            "{} 中有 {} 处错误，没有导入任何行：\n  {}",
            file.display(),
            problems.len(),
            problems.join("\n  ")
        ))
    })?;
    Ok(Outcome::ok(match ctx.format {
        OutputFormat::Json => render::json(
            &serde_json::json!({"source": source.as_str(), "imported": inserted, "already_present": present}),
        ),
        _ => format!("已导入 {} 对账单 {inserted} 行；已存在未重复导入 {present} 行\n", source.as_str()),
    }))
}

/// Stores statement lines (place, key, line) in one transaction; returns (inserted, already
/// present), or every problem with nothing written.
pub(super) fn import_lines(
    store: &mut Store,
    ctx: &Context,
    lines: &[(String, String, StatementLine)],
) -> Result<(usize, usize), Vec<String>> {
    let internal = |e: crate::store::StoreError| vec![e.to_string()];
    let operator = ctx.operator().map_err(|e| vec![e.message])?;
    let city = store.reader().city().map_err(internal)?;
    let chart = store.reader().chart().map_err(internal)?;
    let mut writer = store.writer().map_err(internal)?;
    let (mut inserted, mut present, mut problems) = (0, 0, Vec::new());
    for (place, key, line) in lines {
        if let Some(fund) = &line.fund {
            if city.fund(fund).is_none() {
                problems.push(format!("{place}：基金 {fund} 不在本市统筹范围内"));
                continue;
            }
        }
        if let Some(book) = &line.book {
            if let Err(message) = city.book_kind(book) {
                problems.push(format!("{place}：{message}"));
                continue;
            }
        }
        if let Some(account) = &line.account {
            if chart.get(account).is_none() {
                problems.push(format!("{place}：科目 {account} 不在科目表中"));
                continue;
            }
        }
        match writer.insert_statement_line(key, line, operator, &ctx.now).map_err(internal)? {
            StatementWrite::Inserted => inserted += 1,
            StatementWrite::AlreadyPresent => present += 1,
            StatementWrite::Conflict => {
                let what = line.reference.as_deref().unwrap_or(key);
                problems.push(format!(
                    "{place}：{} 对账单中结算号 {what} 已有内容不同的记录；不会覆盖",
                    line.source.as_str()
                ))
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    writer.commit().map_err(internal)?;
    Ok((inserted, present))
}

/// Runs the checks of a month and returns the report; the caller stores it.
pub(super) fn run_checks(
    store: &Store,
    period: Period,
    check: Option<CheckName>,
    fund: Option<&str>,
) -> Result<Report, CliError> {
    let reader = store.reader();
    let city = reader.city()?;
    let chart = reader.chart()?;
    if let Some(fund) = fund {
        if city.fund(fund).is_none() {
            return Err(CliError::refused(format!("基金 {fund} 不在本市统筹范围内")));
        }
    }
    let cutoff = period.last_day();
    let input = Input {
        period,
        city: &city,
        chart: &chart,
        ledger: reader.reconciliation_ledger(cutoff)?,
        statements: reader.statement_lines(cutoff)?,
        vouchers: reader.voucher_totals(period)?,
        only_check: check,
        only_fund: fund.map(str::to_string),
    };
    Ok(reconcile(&input))
}

/// Runs the checks and stores the run; returns the report and the run's id.
pub(super) fn run_and_store(
    store: &mut Store,
    ctx: &Context,
    period: Period,
    check: Option<CheckName>,
    fund: Option<&str>,
) -> Result<(Report, i64), CliError> {
    let operator = ctx.operator()?;
    let report = run_checks(store, period, check, fund)?;
    let report_json = serde_json::to_string(&report).unwrap_or_default();
    let posted_count = store.reader().posted_count(period)?;
    let mut writer = store.writer()?;
    let run_id = writer.insert_run(
        period,
        check.map(|c| c.as_str()),
        fund,
        operator,
        &ctx.now,
        report.differences(),
        report.outstanding(),
        posted_count,
        &report_json,
    )?;
    writer.commit()?;
    Ok((report, run_id))
}

pub fn run(ctx: &Context, period: &str, check: Option<&str>, fund: Option<&str>) -> Result<Outcome, CliError> {
    ctx.operator()?;
    let period = parse_period(period)?;
    let check = check
        .map(|name| {
            CheckName::parse(name).ok_or_else(|| {
                let names: Vec<&str> = CheckName::ALL.iter().map(|c| c.as_str()).collect();
                CliError::refused(format!("检查 \"{name}\" 不存在，应为 {} 之一", names.join("、")))
            })
        })
        .transpose()?;
    let mut store = ctx.open()?;
    let (report, run_id) = run_and_store(&mut store, ctx, period, check, fund)?;
    Ok(render_run(ctx, &report, run_id))
}

/// A stored run, as it was reported when it ran.
pub fn show(ctx: &Context, period: &str, run_id: i64) -> Result<Outcome, CliError> {
    let period = parse_period(period)?;
    let store = ctx.open()?;
    let text =
        store.reader().run_report(run_id)?.ok_or_else(|| CliError::refused(format!("没有对账记录 #{run_id}")))?;
    let report: Report = serde_json::from_str(&text)
        .map_err(|e| CliError {
            code: exit::INTEGRITY, message: format!("对账记录 #{run_id} 无法读取：{e}")
        })?;
    if report.period != period.to_string() {
        return Err(CliError::refused(format!("对账记录 #{run_id} 属于 {}，不是 {period}", report.period)));
    }
    Ok(render_run(ctx, &report, run_id))
}

fn render_run(ctx: &Context, report: &Report, run_id: i64) -> Outcome {
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
                        f.check.clone(),
                        f.fund.clone(),
                        f.scope.clone(),
                        format!("{:?}", f.severity).to_lowercase(),
                        f.reference.clone().unwrap_or_default(),
                        f.ours_amount.map(|m| m.plain()).unwrap_or_default(),
                        f.theirs_amount.map(|m| m.plain()).unwrap_or_default(),
                        f.age_days.map(|a| a.to_string()).unwrap_or_default(),
                        f.message.clone(),
                    ]
                })
                .collect();
            render::csv(&["check", "fund", "scope", "severity", "ref", "ours", "theirs", "age_days", "message"], &rows)
        }
        OutputFormat::Table => render::reconcile::report_table(report, run_id),
    };
    let code = if report.differences() > 0 { exit::DIFFERENCES } else { exit::OK };
    Outcome { stdout: text, code }
}
