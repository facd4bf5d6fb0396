//! `statement import` and `reconcile`: the other parties' records in, one run of the month's
//! checks out, stored with who ran it and what it found.

use super::{exit, parse_period, CliError, Context, Outcome};
use crate::domain::ids::Period;
use crate::import::statements;
use crate::reconcile::{reconcile, CheckName, Input, Report, Source};
use crate::render::{self, OutputFormat};
use crate::store::{StatementWrite, Store};
use std::path::Path;

pub fn import_statement(ctx: &Context, source: &str, file: &Path) -> Result<Outcome, CliError> {
    let operator = ctx.operator()?;
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
    let city = store.reader().city()?;
    let chart = store.reader().chart()?;
    let mut writer = store.writer()?;
    let (mut inserted, mut present, mut problems) = (0, 0, Vec::new());
    for keyed in &lines {
        let line = &keyed.line;
        if let Some(fund) = &line.fund {
            if city.fund(fund).is_none() {
                problems.push(format!("第 {} 行：基金 {fund} 不在本市统筹范围内", keyed.row));
                continue;
            }
        }
        if let Some(book) = &line.book {
            if let Err(message) = city.book_kind(book) {
                problems.push(format!("第 {} 行：{message}", keyed.row));
                continue;
            }
        }
        if let Some(account) = &line.account {
            if chart.get(account).is_none() {
                problems.push(format!("第 {} 行：科目 {account} 不在科目表中", keyed.row));
                continue;
            }
        }
        match writer.insert_statement_line(&keyed.key, line, operator, &ctx.now)? {
            StatementWrite::Inserted => inserted += 1,
            StatementWrite::AlreadyPresent => present += 1,
            StatementWrite::Conflict => problems.push(format!(
                "第 {} 行：{} 对账单中结算号 {} 已有内容不同的记录；不会覆盖",
                keyed.row,
                source.as_str(),
                keyed.key
            )),
        }
    }
    if !problems.is_empty() {
        return Err(CliError::refused(format!(
            "{} 中有 {} 处错误，没有导入任何行：\n  {}",
            file.display(),
            problems.len(),
            problems.join("\n  ")
        )));
    }
    writer.commit()?;
    Ok(Outcome::ok(match ctx.format {
        OutputFormat::Json => render::json(
            &serde_json::json!({"source": source.as_str(), "imported": inserted, "already_present": present}),
        ),
        _ => format!("已导入 {} 对账单 {inserted} 行；已存在未重复导入 {present} 行\n", source.as_str()),
    }))
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

pub fn run(ctx: &Context, period: &str, check: Option<&str>, fund: Option<&str>) -> Result<Outcome, CliError> {
    let operator = ctx.operator()?;
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
    let report = run_checks(&store, period, check, fund)?;
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
    let text = match ctx.format {
        OutputFormat::Json => {
            let mut value = serde_json::to_value(&report).unwrap_or_default();
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
                        f.check.to_string(),
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
        OutputFormat::Table => render::reconcile::report_table(&report, run_id),
    };
    let code = if report.differences() > 0 { exit::DIFFERENCES } else { exit::OK };
    Ok(Outcome { stdout: text, code })
}
