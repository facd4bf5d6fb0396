//! The reconciliation report: a summary table first, then every finding with both sides'
//! references, then the reconciliation statements (余额调节表) that have anything to adjust or
//! do not agree.

use super::table;
use crate::domain::json_text::{push_date, push_integer};
use crate::money::Money;
use crate::reconcile::{CheckName, Finding, FindingKind, Report, Severity, Statement};
use std::collections::HashMap;

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
    let mut text = String::new();
    let _ = report_table_each(report, run_id, fund_label, &mut |piece| -> Result<(), ()> {
        text.push_str(piece);
        Ok(())
    });
    text
}

/// `report_table` in pieces — the summary, then each finding, then the statements and the
/// conclusion — handed to `out` as they are made (a month with 300k outstanding items is a
/// hundred megabytes of text).
pub fn report_table_each<E>(
    report: &Report,
    run_id: i64,
    fund_label: &dyn Fn(&str) -> String,
    out: &mut dyn FnMut(&str) -> Result<(), E>,
) -> Result<(), E> {
    let mut head = format!(
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
    head.push_str(&table(&["检查", "对账双方", "基金", "已匹配", "未达账项", "差异"], &rows, &[3, 4, 5]));
    if !report.findings.is_empty() {
        head.push_str("\n明细：\n");
    }
    out(&head)?;
    // Written by hand and handed on in pieces of some 64 KiB (a finding at a time, formatted,
    // was a fifth of a large month's run).
    let mut labels: HashMap<&str, String> = HashMap::new();
    let mut text = String::with_capacity(1 << 17);
    for (index, f) in report.findings.iter().enumerate() {
        let fund = labels.entry(f.fund.as_str()).or_insert_with(|| fund_label(&f.fund));
        write_finding(&mut text, index + 1, f, fund);
        if text.len() >= 1 << 16 {
            out(&text)?;
            text.clear();
        }
    }
    if !text.is_empty() {
        out(&text)?;
    }
    let mut tail = String::new();
    let shown: Vec<&Statement> = report.statements.iter().filter(|s| !s.equal || has_adjustments(s)).collect();
    if !shown.is_empty() {
        tail.push_str("\n余额调节表：\n");
    }
    for s in &shown {
        tail.push_str(&statement_table(s, fund_label));
    }
    let quiet = report.statements.len() - shown.len();
    if quiet > 0 {
        tail.push_str(&format!("另有 {quiet} 张余额调节表无未达账项，双方余额相符。\n"));
    }
    let differences = report.differences();
    tail.push_str(&if differences == 0 {
        format!("\n结论：无差异（未达账项 {} 笔，结转下月），可以结账。\n", report.outstanding())
    } else {
        format!(
            "\n结论：{differences} 处差异，结账将被拒绝；查明更正后重新对账，或用 close --accept-differences --reason 说明理由。\n"
        )
    });
    out(&tail)
}

/// One finding as numbered lines — what and where, its reference, date and age, and each side —
/// appended to `out`: the number right-aligned in three places, the details joined by "；".
fn write_finding(out: &mut String, number: usize, f: &Finding, fund: &str) {
    let tag = match f.severity {
        Severity::Difference => "差异",
        Severity::Outstanding => "未达",
    };
    let mut digits = itoa::Buffer::new();
    let number = digits.format(number);
    out.push_str(&"   "[..3usize.saturating_sub(number.len())]);
    for piece in
        [number, ". [", tag, "] ", check_label(&f.check), " ", fund, " ", &f.scope, "：", &f.message, "\n       "]
    {
        out.push_str(piece);
    }
    if let Some(reference) = &f.reference {
        out.push_str("结算号 ");
        out.push_str(reference);
        out.push('；');
    }
    if let Some(date) = f.date {
        out.push_str("日期 ");
        push_date(out, date);
        out.push('；');
    }
    if let Some(age) = f.age_days {
        out.push_str("账龄 ");
        push_integer(out, age);
        out.push_str(if f.carried { " 天（上月结转）；" } else { " 天；" });
    }
    out.push_str(kind_label(f.kind));
    out.push('\n');
    if !f.ours.is_empty() || f.ours_amount.is_some() {
        out.push_str("       我方：");
        write_side(out, f.ours_amount, &f.ours);
    }
    if !f.theirs.is_empty() || f.theirs_amount.is_some() {
        out.push_str("       对方：");
        write_side(out, f.theirs_amount, &f.theirs);
    }
}

/// A side of a finding: its amount, a space and its places, with the whitespace around them
/// trimmed (an absent amount or no places leave no stray space).
fn write_side(out: &mut String, amount: Option<Money>, places: &[String]) {
    let amount = amount.map(|m| m.grouped()).unwrap_or_default();
    let mut side = String::with_capacity(64);
    side.push_str(&amount);
    side.push(' ');
    for (index, place) in places.iter().enumerate() {
        if index > 0 {
            side.push('、');
        }
        side.push_str(place);
    }
    out.push_str(side.trim());
    out.push('\n');
}

/// The run as JSON: the report's fields with its run id and counts, keys in alphabetical order
/// at every level (it was always written through serde_json's map) — in pieces, a finding at a
/// time, so that no copy of a large report is built. Takes the report to set its findings apart.
pub fn report_json_each<E>(
    mut report: Report,
    run_id: i64,
    out: &mut dyn FnMut(&str) -> Result<(), E>,
) -> Result<(), E> {
    let (differences, outstanding) = (report.differences(), report.outstanding());
    let findings = std::mem::take(&mut report.findings);
    let mut value = serde_json::to_value(&report).unwrap_or_default();
    value["run_id"] = run_id.into();
    value["differences"] = differences.into();
    value["outstanding"] = outstanding.into();
    let text = super::json(&value);
    // The top level's keys are the only ones indented by two spaces.
    let marker = "\n  \"findings\": []";
    let Some((before, after)) = text.split_once(marker).filter(|_| !findings.is_empty()) else {
        return out(&text);
    };
    out(before)?;
    out("\n  \"findings\": [")?;
    let mut array = super::JsonArray::default();
    for finding in &findings {
        out(&array.item(&serde_json::to_value(finding).unwrap_or_default()))?;
    }
    out("\n  ]")?;
    out(after)
}

/// The findings as CSV, a finding a row.
pub fn report_csv_each<E>(
    report: &Report,
    fund_label: &dyn Fn(&str) -> String,
    out: &mut dyn FnMut(&str) -> Result<(), E>,
) -> Result<(), E> {
    out(&super::csv_head(&["检查", "基金", "范围", "性质", "结算号", "本方金额", "对方金额", "账龄（天）", "说明"]))?;
    for chunk in report.findings.chunks(super::TABLE_CHUNK) {
        let rows: Vec<Vec<String>> = chunk
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
        out(&super::csv_rows(&rows, &[5, 6]))?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::{OutstandingKind, Summary};

    fn finding(number: usize, severity: Severity) -> Finding {
        Finding {
            check: "bank".into(),
            fund: "employee".into(),
            scope: "shayang/employee 1003 沙洋县支出户".into(),
            severity,
            kind: FindingKind::Outstanding,
            outstanding: Some(OutstandingKind::OursPaidTheirsNot),
            reference: number.is_multiple_of(2).then(|| format!("ZF-{number}")),
            ours: vec![format!("shayang/employee 记-2023-01-{number:04}")],
            theirs: vec![],
            ours_amount: Some(Money::from_fen(-(number as i64) * 101)),
            theirs_amount: None,
            date: chrono::NaiveDate::from_ymd_opt(2023, 1, number as u32),
            age_days: Some(31 - number as i64),
            carried: false,
            message: "沙洋县支出户账簿已付、银行未记\"引号\"".into(),
        }
    }

    fn report(findings: usize) -> Report {
        Report {
            period: "2023-01".into(),
            cutoff: chrono::NaiveDate::from_ymd_opt(2023, 1, 31).expect("a day"),
            ageing_limit_days: 30,
            summaries: vec![Summary {
                check: "bank".into(),
                fund: "employee".into(),
                matched: 4,
                outstanding: findings,
                differences: 0,
            }],
            findings: (1..=findings)
                .map(|n| finding(n, if n == 3 { Severity::Difference } else { Severity::Outstanding }))
                .collect(),
            statements: vec![],
        }
    }

    /// The run's JSON written a finding at a time is, byte for byte, the whole report turned
    /// into a serde_json value with the run's id and counts (as it was always written).
    #[test]
    fn the_streamed_json_is_the_whole_reports() {
        for findings in [0, 1, 4] {
            let report = report(findings);
            let mut whole = serde_json::to_value(&report).expect("a value");
            whole["run_id"] = 7.into();
            whole["differences"] = report.differences().into();
            whole["outstanding"] = report.outstanding().into();
            let mut streamed = String::new();
            report_json_each(report, 7, &mut |piece| -> Result<(), ()> {
                streamed.push_str(piece);
                Ok(())
            })
            .expect("no failure");
            assert_eq!(streamed, super::super::json(&whole), "{findings} findings");
        }
    }

    /// The output stops at the first piece its reader refuses.
    #[test]
    fn a_refused_piece_stops_the_report() {
        let mut pieces = 0;
        let stopped = report_table_each(&report(4), 1, &|code: &str| code.to_string(), &mut |_| {
            pieces += 1;
            if pieces == 2 {
                Err("closed")
            } else {
                Ok(())
            }
        });
        assert_eq!((stopped, pieces), (Err("closed"), 2));
    }
}
