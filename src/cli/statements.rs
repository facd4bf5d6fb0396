//! `report balance-sheet|income-expenditure|trial-balance`: statements of one book, or of a
//! whole city per fund consolidated with the inter-level pairs eliminated; as a table, JSON,
//! CSV or a spreadsheet.

use super::{parse_book, parse_period, CliError, Context, Outcome};
use crate::domain::balance::{trial_balance, PeriodTotals};
use crate::domain::ids::{BookCode, PartyKind, Period};
use crate::render::xlsx::{Cell, Sheet};
use crate::render::{self, OutputFormat};
use crate::statements::{balance_sheet, income_statement, Line};
use crate::store::Store;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportKind {
    /// 资产负债表.
    BalanceSheet,
    /// 收支表.
    IncomeExpenditure,
    /// 科目余额表.
    TrialBalance,
}

/// Which books a report covers.
pub struct Scope<'a> {
    pub book: Option<&'a str>,
    pub fund: Option<&'a str>,
    pub consolidated: bool,
    pub period: Option<&'a str>,
    pub year: Option<i32>,
}

fn range(scope: &Scope<'_>) -> Result<(Period, Period), CliError> {
    match (scope.period, scope.year) {
        (Some(p), None) => {
            let p = parse_period(p)?;
            Ok((p, p))
        }
        (None, Some(y)) => Ok((
            Period::new(y, 1).ok_or_else(|| CliError::refused(format!("年度 {y} 无效")))?,
            Period::new(y, 12).ok_or_else(|| CliError::refused(format!("年度 {y} 无效")))?,
        )),
        _ => Err(CliError::refused("请用 --period YYYY-MM 或 --year YYYY 说明报表期间（二选一）")),
    }
}

/// The totals a report reads (before year-end closing) and its title.
fn totals(store: &Store, scope: &Scope<'_>) -> Result<(Vec<PeriodTotals>, String, bool), CliError> {
    let reader = store.reader();
    let city = reader.city()?;
    match (scope.book, scope.fund, scope.consolidated) {
        (Some(book), None, false) => {
            let book = parse_book(book)?;
            city.book_kind(&book).map_err(CliError::refused)?;
            Ok((reader.totals_before_closing(&book)?, format!("{book}"), false))
        }
        (None, Some(fund), true) => {
            let name =
                &city.fund(fund).ok_or_else(|| CliError::refused(format!("基金 {fund} 不在本市统筹范围内")))?.name;
            Ok((consolidated(store, fund)?, format!("{}{name}（全市合并）", city.name), true))
        }
        _ => Err(CliError::refused("请用 --book 机构/基金，或 --fund 基金 --consolidated（全市合并）")),
    }
}

/// Every agency book of a fund (the finance book mirrors the city's 专户 and is left out),
/// before year-end closing: what consolidation adds up.
pub(super) fn consolidated(store: &Store, fund: &str) -> Result<Vec<PeriodTotals>, CliError> {
    let reader = store.reader();
    let city = reader.city()?;
    let mut all = Vec::new();
    for party in city.party.iter().filter(|p| p.kind != PartyKind::Finance) {
        all.extend(reader.totals_before_closing(&BookCode::new(&party.code, fund))?);
    }
    Ok(all)
}

fn amount_rows(lines: &[Line], section: &str) -> Vec<Vec<Cell>> {
    lines
        .iter()
        .map(|l| {
            vec![
                Cell::Text(section.to_string()),
                Cell::Text(l.account.clone()),
                Cell::Text(format!("{}{}", "  ".repeat(l.level.saturating_sub(1)), l.name)),
                Cell::Amount(l.amount),
            ]
        })
        .collect()
}

fn total_row(label: &str, amount: crate::money::Money) -> Vec<Cell> {
    vec![Cell::Text(label.into()), Cell::Text(String::new()), Cell::Text(String::new()), Cell::Amount(amount)]
}

pub fn run(
    ctx: &Context,
    kind: ReportKind,
    scope: &Scope<'_>,
    output: Option<&Path>,
    force: bool,
) -> Result<Outcome, CliError> {
    if let Some(path) = output {
        // Before any work: the target must be safe to write.
        crate::app::files::check_output(&ctx.db, path, force)?;
    }
    let (from, to) = range(scope)?;
    let store = match scope.book {
        Some(book) => ctx.open_book(book)?,
        None => ctx.open()?,
    };
    let chart = store.reader().chart()?;
    let (totals, subject, eliminate) = totals(&store, scope)?;
    let headers = ["项目", "科目编码", "科目名称", "金额"].map(String::from).to_vec();
    let (sheet, json) = match kind {
        ReportKind::BalanceSheet => {
            let bs = balance_sheet(&chart, &totals, to, eliminate);
            let mut rows = amount_rows(&bs.assets, "资产");
            rows.push(total_row("资产合计", bs.total_assets));
            rows.extend(amount_rows(&bs.liabilities, "负债"));
            rows.push(total_row("负债合计", bs.total_liabilities));
            rows.extend(amount_rows(&bs.net_assets, "净资产"));
            rows.push(total_row("净资产合计", bs.total_net_assets));
            rows.push(total_row(
                "负债和净资产合计",
                crate::money::Money::from_fen(bs.total_liabilities.fen() + bs.total_net_assets.fen()),
            ));
            rows.extend(amount_rows(&bs.eliminated, "合并抵销（期末余额）"));
            let sheet = Sheet::new(format!("资产负债表 {subject} {to}"), headers, rows);
            (sheet, serde_json::to_value(&bs).unwrap_or_default())
        }
        ReportKind::IncomeExpenditure => {
            let is = income_statement(&chart, &totals, from, to, eliminate);
            let mut rows = amount_rows(&is.revenue, "收入");
            rows.push(total_row("收入合计", is.total_revenue));
            rows.extend(amount_rows(&is.expense, "支出"));
            rows.push(total_row("支出合计", is.total_expense));
            rows.push(total_row("本期结余", is.surplus));
            rows.push(total_row("累计结余", is.accumulated));
            rows.extend(amount_rows(&is.eliminated, "合并抵销（本期发生额）"));
            let label = if from == to { to.to_string() } else { format!("{from} 至 {to}") };
            let sheet = Sheet::new(format!("收支表 {subject} {label}"), headers, rows);
            (sheet, serde_json::to_value(&is).unwrap_or_default())
        }
        ReportKind::TrialBalance => {
            let tb = trial_balance(&chart, &totals, from, to);
            let json = serde_json::json!({
                "subject": subject, "period_from": from.to_string(), "period_to": to.to_string(),
                "rows": tb.rows, "balanced": tb.totals.ties(),
            });
            (crate::render::sheets::trial_balance("", &subject, &tb), json)
        }
    };
    let mut sheet = sheet;
    let city = store.reader().city()?;
    sheet.organisation = match scope.book.map(parse_book).transpose()? {
        Some(book) => city.party(&book.party).map(|p| p.name.clone()).unwrap_or_else(|| book.party.clone()),
        None => city.name.clone(),
    };
    sheet.period = if from == to {
        format!("{}年{}月", to.year, to.month)
    } else {
        format!("{}年{}月至{}年{}月", from.year, from.month, to.year, to.month)
    };
    if sheet.totals.is_empty() {
        sheet.totals = (0..sheet.rows.len())
            .filter(|&i| matches!(&sheet.rows[i][0], Cell::Text(t) if t.ends_with("合计") || t.ends_with("结余")))
            .collect();
    }
    if ctx.xlsx {
        let path = output.ok_or_else(|| CliError::refused("--format xlsx 需要 --output 文件名.xlsx"))?;
        let bytes = sheet.xlsx().map_err(|e| CliError::refused(format!("无法生成 Excel：{e}")))?;
        ctx.write_output(path, &bytes, force)?;
        return Ok(Outcome::ok(format!("已写出 {}（{}）\n", path.display(), sheet.title)));
    }
    let text = match ctx.format {
        OutputFormat::Json => render::json(&json),
        OutputFormat::Csv => sheet.csv(),
        OutputFormat::Table => {
            let mut text = sheet.table();
            if eliminate {
                text.push_str("合并口径：县级上解上级支出与市级下级上解收入、市级补助下级支出与县级上级补助收入相互抵销；两者之差为上下级间在途资金。\n");
            }
            text
        }
    };
    match output {
        Some(path) => {
            ctx.write_output(path, text.as_bytes(), force)?;
            Ok(Outcome::ok(format!("已写出 {}\n", path.display())))
        }
        None => Ok(Outcome::ok(text)),
    }
}
