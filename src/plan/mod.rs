//! Quarterly spending plans (用款计划, TS 13–14): each agency's plan per fund and quarter by
//! month and spending category, its workflow (draft → submitted → combined → approved →
//! checked), the performance deposit (考核保证金) withheld from county plans, and the monthly
//! allocation events an approved plan turns into.

pub mod deadlines;
pub mod schedule;

use crate::calendar::{Calendar, CalendarError};
use crate::domain::chart::Chart;
use crate::domain::city::City;
use crate::domain::ids::{PartyKind, Period};
use crate::domain::rules::PlanRule;
use crate::money::Money;
use crate::posting::event::RawEvent;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt;

/// A plan period: a calendar quarter, written `2023Q2` (TS 13–14), or — where the city's rules
/// plan by month (WH 三(四) 按月拨付) — one month, written `2023-04`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// The quarter (1–4), or the month (1–12) of a one-month period.
    pub number: u32,
    pub single_month: bool,
}

impl Quarter {
    /// The quarter `number` (1–4) of `year`.
    pub fn new(year: i32, number: u32) -> Quarter {
        Quarter { year, number, single_month: false }
    }

    /// One month, for cities that plan by month.
    pub fn month(period: Period) -> Quarter {
        Quarter { year: period.year, number: period.month, single_month: true }
    }

    pub fn parse(text: &str) -> Result<Quarter, String> {
        let bad = || {
            format!(
                "计划期 \"{}\" 的写法应为 YYYYQn（按季，例如 2023Q2）或 YYYY-MM（按月，例如 2023-04）",
                crate::domain::ids::quote(text)
            )
        };
        let Some((year, number)) = text.trim().split_once('Q') else {
            return Period::parse(text.trim()).map(Quarter::month).map_err(|_| bad());
        };
        let year: i32 = year.parse().map_err(|_| bad())?;
        let number: u32 = number.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&number) || !(1900..=9999).contains(&year) {
            return Err(bad());
        }
        Ok(Quarter::new(year, number))
    }

    pub fn of(period: Period) -> Quarter {
        Quarter::new(period.year, (period.month - 1) / 3 + 1)
    }

    /// The months the period covers: three for a quarter, one for a month.
    pub fn months(self) -> Vec<Period> {
        if self.single_month {
            return vec![Period::new(self.year, self.number).expect("a valid month")];
        }
        let first = (self.number - 1) * 3 + 1;
        (0..3).map(|i| Period::new(self.year, first + i).expect("a quarter's months exist")).collect()
    }

    /// The month in which the plan is made: the third month of the quarter before.
    pub fn planning_month(self) -> Period {
        self.months()[0].previous()
    }

    /// Each agency's plan by the rule's day of the planning month (TS 14: the 15th).
    pub fn submission_due(self, rule: &PlanRule) -> NaiveDate {
        let p = self.planning_month();
        NaiveDate::from_ymd_opt(p.year, p.month, rule.submission_day).expect("the rule's day (1–28) exists")
    }

    /// The city agency's combined plan by the rule's day of that month (TS 14: the 20th).
    pub fn combination_due(self, rule: &PlanRule) -> NaiveDate {
        let p = self.planning_month();
        NaiveDate::from_ymd_opt(p.year, p.month, rule.combination_day).expect("the rule's day (1–28) exists")
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.single_month {
            write!(f, "{}-{:02}", self.year, self.number)
        } else {
            write!(f, "{}Q{}", self.year, self.number)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlanStatus {
    Draft,
    Submitted,
    Combined,
    Approved,
    Checked,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Submitted => "submitted",
            PlanStatus::Combined => "combined",
            PlanStatus::Approved => "approved",
            PlanStatus::Checked => "checked",
        }
    }

    pub fn parse(text: &str) -> Option<PlanStatus> {
        [PlanStatus::Draft, PlanStatus::Submitted, PlanStatus::Combined, PlanStatus::Approved, PlanStatus::Checked]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            PlanStatus::Draft => "草稿",
            PlanStatus::Submitted => "已提交",
            PlanStatus::Combined => "已汇总",
            PlanStatus::Approved => "医保局已审核",
            PlanStatus::Checked => "财政已复核",
        }
    }
}

/// A workflow step and who takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The agency submits its plan (due the 15th).
    Submit,
    /// The city agency combines all plans (due the 20th).
    Combine,
    /// The medical insurance bureau approves.
    Approve,
    /// The finance bureau re-checks (复核).
    Check,
}

impl Step {
    fn needs(self) -> PlanStatus {
        match self {
            Step::Submit => PlanStatus::Draft,
            Step::Combine => PlanStatus::Submitted,
            Step::Approve => PlanStatus::Combined,
            Step::Check => PlanStatus::Approved,
        }
    }

    pub fn result(self) -> PlanStatus {
        match self {
            Step::Submit => PlanStatus::Submitted,
            Step::Combine => PlanStatus::Combined,
            Step::Approve => PlanStatus::Approved,
            Step::Check => PlanStatus::Checked,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Step::Submit => "提交",
            Step::Combine => "汇总",
            Step::Approve => "审核",
            Step::Check => "复核",
        }
    }
}

/// Whether `step` may be taken on a plan in `status`; the refusal says what must come first.
pub fn advance(status: PlanStatus, step: Step) -> Result<PlanStatus, String> {
    if status == step.needs() {
        return Ok(step.result());
    }
    if status >= step.result() {
        return Err(format!("计划{}，不能重复{}", status.label(), step.label()));
    }
    let missing = match step.needs() {
        PlanStatus::Draft => "草稿",
        PlanStatus::Submitted => "由经办机构提交",
        PlanStatus::Combined => "由市级经办机构汇总",
        PlanStatus::Approved => "经医保局审核",
        PlanStatus::Checked => "复核",
    };
    Err(format!("计划当前为{}，须先{}才能{}", status.label(), missing, step.label()))
}

/// One cell of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLine {
    pub month: Period,
    pub category: String,
    pub amount: Money,
}

/// A plan with its lines and workflow record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub id: i64,
    pub party: String,
    pub fund: String,
    pub quarter: Quarter,
    pub total: Money,
    pub status: PlanStatus,
    pub lines: Vec<PlanLine>,
    /// (who, on which date) per step taken.
    pub submitted: Option<(String, NaiveDate)>,
    pub combined: Option<(String, NaiveDate)>,
    pub approved: Option<(String, NaiveDate)>,
    pub checked: Option<(String, NaiveDate)>,
}

impl Plan {
    pub fn by_month(&self) -> BTreeMap<Period, Money> {
        let mut months: BTreeMap<Period, Money> = self.quarter.months().into_iter().map(|m| (m, Money::ZERO)).collect();
        for line in &self.lines {
            let entry = months.entry(line.month).or_default();
            *entry = Money::from_fen(entry.fen() + line.amount.fen());
        }
        months
    }
}

/// Checks a plan's cells against its quarter, the chart's categories and its stated total.
pub fn check_lines(
    city: &City,
    chart: &Chart,
    party: &str,
    fund: &str,
    quarter: Quarter,
    total: Money,
    lines: &[PlanLine],
) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    match city.party(party) {
        None => problems.push(format!("机构 {party} 不存在")),
        Some(p) if p.kind == PartyKind::Finance => problems.push("财政专户没有用款计划".to_string()),
        Some(_) => {}
    }
    let Some(fund_info) = city.fund(fund) else {
        problems.push(format!("基金 {fund} 不在本市统筹范围内"));
        return Err(problems);
    };
    if lines.is_empty() {
        problems.push("计划没有任何月份和支出类别的金额".into());
    }
    let months = quarter.months();
    for line in lines {
        if !months.contains(&line.month) {
            problems.push(format!("{} 不属于 {quarter}", line.month));
        }
        if chart.child_by_key("5001", &line.category).is_none() {
            problems.push(format!("支出类别 {} 不存在", line.category));
        } else if line.category.starts_with("maternity_") && !fund_info.includes_maternity {
            problems.push(format!("{} 不属于 {fund}", line.category));
        }
        if !line.amount.is_positive() {
            problems.push(format!("{} {} 的金额 {} 必须大于零", line.month, line.category, line.amount));
        }
    }
    let sum: i64 = lines.iter().map(|l| l.amount.fen()).sum();
    if sum != total.fen() {
        problems.push(format!(
            "各月合计 {} 不等于季度合计 {}，相差 {}",
            Money::from_fen(sum).grouped(),
            total.grouped(),
            Money::from_fen(sum - total.fen()).grouped()
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The performance deposit (考核保证金) withheld from a county's monthly amount: the city's
/// per-mille share, rounded 四舍五入 to the 分.
pub fn withheld(amount: Money, permille: u32) -> Money {
    let exact = amount.to_decimal() * Decimal::from(permille) / Decimal::from(1000);
    Money::round_half_away_from_zero(exact).unwrap_or(Money::ZERO)
}

/// The allocation events of an approved plan: each month's funds reach the city's 支出户 two
/// working days before the end of the month before, and a county's are forwarded the next
/// working day; the performance deposit is withheld from county amounts.
pub fn allocation_events(
    plan: &Plan,
    city: &City,
    deposit_permille: u32,
    calendar: &Calendar,
) -> Result<Vec<RawEvent>, CalendarError> {
    let is_city = city.party(&plan.party).is_some_and(|p| p.kind == PartyKind::City);
    let mut events = Vec::new();
    for (month, amount) in plan.by_month() {
        if amount.is_zero() {
            continue;
        }
        let before = month.previous();
        let mut sent = calendar.last_working_day(before.year, before.month)?;
        for _ in 0..2 {
            sent = sent.pred_opt().expect("valid date");
            while !calendar.is_working_day(sent)? {
                sent = sent.pred_opt().expect("valid date");
            }
        }
        let deposit = if is_city { Money::ZERO } else { withheld(amount, deposit_permille) };
        let net = Money::from_fen(amount.fen() - deposit.fen());
        let mut raw = RawEvent::default();
        let id = format!("PLAN-{}-{}-{}", plan.party, plan.fund, month);
        let kind = if is_city { "allocate_city_level" } else { "allocate_to_county" };
        for (k, v) in [
            // The payment order number: the finance bureau's payment and the county's receipt
            // of this allocation are recorded under it too, so the pairs can be matched.
            ("ref", id.clone()),
            ("id", id),
            ("kind", kind.to_string()),
            ("date", sent.to_string()),
            ("fund", plan.fund.clone()),
            ("purpose", "monthly".to_string()),
            ("amount", net.plain()),
            ("summary", format!("拨付{}月用款（{}用款计划）", month.month, plan.quarter)),
        ] {
            raw.fields.insert(k.into(), v);
        }
        if !is_city {
            raw.fields.insert("party".into(), plan.party.clone());
        }
        events.push(raw);
    }
    Ok(events)
}

#[cfg(test)]
mod tests;
