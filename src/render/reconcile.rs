//! The reconciliation report: a summary table first, then every finding with both sides'
//! references, then the reconciliation statements (余额调节表) that have anything to adjust or
//! do not agree.

use super::table;
use crate::money::Money;
use crate::reconcile::{CheckName, FindingKind, Report, Severity, Statement};

fn kind_label(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Outstanding => "未达账项",
        FindingKind::AmountMismatch => "金额不符",
        FindingKind::Duplicate => "重复记账",
        FindingKind::BalanceMismatch => "调节后余额不等",
        FindingKind::Invariant => "不变式不成立",
    }
}

/// The Chinese name of a check (税务↔国库 …), for tables and pages.
pub fn check_label(name: &str) -> &'static str {
    CheckName::parse(name).map(|c| c.label()).unwrap_or("")
}

/// The report as a person reads it; `fund_label` names a fund as staff do (职工医保).
pub fn report_table(report: &Report, run_id: i64, fund_label: &dyn Fn(&str) -> String) -> String {
    let mut out = format!(
        "对账报告 {}（截至 {}，未达账项期限 {} 天，对账记录 #{run_id}）\n",
        report.period, report.cutoff, report.ageing_limit_days
    );
    let rows: Vec<Vec<String>> = report
        .summaries
        .iter()
        .map(|s| {
            vec![
                s.check.clone(),
                check_label(&s.check).to_string(),
                fund_label(&s.fund),
                s.matched.to_string(),
                s.outstanding.to_string(),
                s.differences.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(&["检查", "对账双方", "基金", "已匹配", "未达账项", "差异"], &rows, &[3, 4, 5]));
    if !report.findings.is_empty() {
        out.push_str("\n明细：\n");
    }
    for (index, f) in report.findings.iter().enumerate() {
        let tag = match f.severity {
            Severity::Difference => "差异",
            Severity::Outstanding => "未达",
        };
        let (check, fund) = (check_label(&f.check), fund_label(&f.fund));
        out.push_str(&format!("{:>3}. [{tag}] {check} {fund} {}：{}\n", index + 1, f.scope, f.message));
        let mut detail = Vec::new();
        if let Some(reference) = &f.reference {
            detail.push(format!("结算号 {reference}"));
        }
        if let Some(date) = f.date {
            detail.push(format!("日期 {date}"));
        }
        if let Some(age) = f.age_days {
            detail.push(format!("账龄 {age} 天{}", if f.carried { "（上月结转）" } else { "" }));
        }
        detail.push(kind_label(f.kind).to_string());
        out.push_str(&format!("       {}\n", detail.join("；")));
        if !f.ours.is_empty() || f.ours_amount.is_some() {
            out.push_str(&format!("       我方：{}\n", side(f.ours_amount, &f.ours)));
        }
        if !f.theirs.is_empty() || f.theirs_amount.is_some() {
            out.push_str(&format!("       对方：{}\n", side(f.theirs_amount, &f.theirs)));
        }
    }
    let shown: Vec<&Statement> = report.statements.iter().filter(|s| !s.equal || has_adjustments(s)).collect();
    if !shown.is_empty() {
        out.push_str("\n余额调节表：\n");
    }
    for s in &shown {
        out.push_str(&statement_table(s, fund_label));
    }
    let quiet = report.statements.len() - shown.len();
    if quiet > 0 {
        out.push_str(&format!("另有 {quiet} 张余额调节表无未达账项，双方余额相符。\n"));
    }
    let differences = report.differences();
    out.push_str(&if differences == 0 {
        format!("\n结论：无差异（未达账项 {} 笔，结转下月），可以结账。\n", report.outstanding())
    } else {
        format!(
            "\n结论：{differences} 处差异，结账将被拒绝；查明更正后重新对账，或用 close --accept-differences --reason 说明理由。\n"
        )
    });
    out
}

fn side(amount: Option<Money>, places: &[String]) -> String {
    let amount = amount.map(|m| m.grouped()).unwrap_or_default();
    format!("{amount} {}", places.join("、")).trim().to_string()
}

fn has_adjustments(s: &Statement) -> bool {
    !(s.theirs_only_in.is_zero()
        && s.theirs_only_out.is_zero()
        && s.ours_only_in.is_zero()
        && s.ours_only_out.is_zero())
}

fn statement_table(s: &Statement, fund_label: &dyn Fn(&str) -> String) -> String {
    let rows = vec![
        vec![
            format!("{}余额", s.ours_label),
            s.ours_balance.grouped(),
            format!("{}余额", s.theirs_label),
            s.theirs_balance.grouped(),
        ],
        vec![
            format!("加：{}", s.labels[0]),
            s.theirs_only_in.grouped(),
            format!("加：{}", s.labels[2]),
            s.ours_only_in.grouped(),
        ],
        vec![
            format!("减：{}", s.labels[1]),
            Money::from_fen(-s.theirs_only_out.fen()).grouped(),
            format!("减：{}", s.labels[3]),
            Money::from_fen(-s.ours_only_out.fen()).grouped(),
        ],
        vec!["调节后余额".into(), s.ours_adjusted.grouped(), "调节后余额".into(), s.theirs_adjusted.grouped()],
    ];
    let verdict = if s.equal { "相符" } else { "不符" };
    format!("{} {} {}（{verdict}）\n", check_label(&s.check), fund_label(&s.fund), s.scope)
        + &table(&["项目", "金额", "项目", "金额"], &rows, &[1, 3])
}
