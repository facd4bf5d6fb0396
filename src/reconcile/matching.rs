//! Matching two sides item by item, exact to the 分, by settlement reference and amount; what
//! does not match becomes one of the four kinds of outstanding item (未达账项) or a difference;
//! balance pairs get a reconciliation statement (余额调节表).

use super::{CheckName, Finding, FindingKind, Severity, Statement};
use crate::domain::ids::Period;
use crate::money::Money;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Whether an item brought money in or sent it out, seen from the side that booked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

/// The four kinds of outstanding item, "ours" being the first side of the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutstandingKind {
    /// 对方已收、我方未收.
    TheirsReceivedOursNot,
    /// 对方已付、我方未付.
    TheirsPaidOursNot,
    /// 我方已收、对方未收.
    OursReceivedTheirsNot,
    /// 我方已付、对方未付.
    OursPaidTheirsNot,
}

impl OutstandingKind {
    fn of(ours: bool, direction: Direction) -> OutstandingKind {
        match (ours, direction) {
            (false, Direction::In) => OutstandingKind::TheirsReceivedOursNot,
            (false, Direction::Out) => OutstandingKind::TheirsPaidOursNot,
            (true, Direction::In) => OutstandingKind::OursReceivedTheirsNot,
            (true, Direction::Out) => OutstandingKind::OursPaidTheirsNot,
        }
    }

    /// The kind in words, with the two sides named.
    pub fn describe(self, ours: &str, theirs: &str) -> String {
        match self {
            OutstandingKind::TheirsReceivedOursNot => format!("{theirs}已收、{ours}未记"),
            OutstandingKind::TheirsPaidOursNot => format!("{theirs}已付、{ours}未记"),
            OutstandingKind::OursReceivedTheirsNot => format!("{ours}已收、{theirs}未记"),
            OutstandingKind::OursPaidTheirsNot => format!("{ours}已付、{theirs}未记"),
        }
    }
}

/// One item on one side: a voucher line (or lines) or a statement line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub reference: Option<String>,
    pub date: NaiveDate,
    /// Signed so that matching items are equal on both sides.
    pub amount: Money,
    /// Where it stands: "city/employee 记-2023-01-0004", "国库 2023-01-05".
    pub place: String,
}

/// One side of a pair: its label, its items, and which way a positive amount flows for it.
pub struct SideItems {
    pub label: String,
    pub items: Vec<Item>,
    pub positive: Direction,
}

impl SideItems {
    fn direction(&self, amount: Money) -> Direction {
        match (self.positive, amount.fen() >= 0) {
            (d, true) => d,
            (Direction::In, false) => Direction::Out,
            (Direction::Out, false) => Direction::In,
        }
    }
}

/// What matching a pair found.
#[derive(Default)]
pub struct PairResult {
    pub matched: usize,
    pub findings: Vec<Finding>,
    /// Signed sums of items only one side has booked (for the 余额调节表).
    pub ours_only_in: i64,
    pub ours_only_out: i64,
    pub theirs_only_in: i64,
    pub theirs_only_out: i64,
}

/// Where and when a pair is matched.
pub struct Scope<'a> {
    pub check: CheckName,
    pub fund: &'a str,
    pub name: String,
    pub period: Period,
    pub ageing_limit_days: u32,
}

impl Scope<'_> {
    pub(super) fn finding(&self, severity: Severity, kind: FindingKind, message: String) -> Finding {
        Finding {
            check: self.check.as_str().to_string(),
            fund: self.fund.to_string(),
            scope: self.name.clone(),
            severity,
            kind,
            outstanding: None,
            reference: None,
            ours: vec![],
            theirs: vec![],
            ours_amount: None,
            theirs_amount: None,
            date: None,
            age_days: None,
            carried: false,
            message,
        }
    }
}

fn sum(items: &[&Item]) -> Money {
    Money::from_fen(items.iter().map(|i| i.amount.fen()).sum())
}

/// Matches `ours` against `theirs`. Items are grouped by reference and their amounts summed
/// per side (so a red-ink reversal and its correction net out); items without a reference
/// cannot match and stay outstanding.
pub fn match_pair(scope: &Scope<'_>, ours: &SideItems, theirs: &SideItems) -> PairResult {
    let cutoff = scope.period.last_day();
    let mut result = PairResult::default();
    let mut by_ref: BTreeMap<&str, (Vec<&Item>, Vec<&Item>)> = BTreeMap::new();
    let mut loose: Vec<(bool, &Item)> = Vec::new();
    for (is_ours, side) in [(true, ours), (false, theirs)] {
        for item in &side.items {
            match item.reference.as_deref() {
                Some(reference) => {
                    let entry = by_ref.entry(reference).or_default();
                    if is_ours {
                        entry.0.push(item)
                    } else {
                        entry.1.push(item)
                    }
                }
                None => loose.push((is_ours, item)),
            }
        }
    }
    for (reference, (mine, other)) in &by_ref {
        let (sum_ours, sum_theirs) = (sum(mine), sum(other));
        let latest = mine.iter().chain(other.iter()).map(|i| i.date).max().unwrap_or(cutoff);
        match (mine.is_empty(), other.is_empty()) {
            (false, false) if sum_ours == sum_theirs && latest >= scope.period.first_day() => result.matched += 1,
            (false, false) if sum_ours == sum_theirs => {}
            (false, false) => {
                let duplicated =
                    |side: &[&Item], against: Money| side.len() > 1 && side.iter().all(|i| i.amount == against);
                let kind = if duplicated(mine, sum_theirs) || duplicated(other, sum_ours) {
                    FindingKind::Duplicate
                } else {
                    FindingKind::AmountMismatch
                };
                let difference = Money::from_fen(sum_ours.fen() - sum_theirs.fen());
                let message = match kind {
                    FindingKind::Duplicate => format!(
                        "结算号 {reference} 重复记账：{}记 {} 笔共 {}，{}记 {} 笔共 {}",
                        ours.label,
                        mine.len(),
                        sum_ours.grouped(),
                        theirs.label,
                        other.len(),
                        sum_theirs.grouped()
                    ),
                    _ => format!(
                        "结算号 {reference} 金额不符：{} {}，{} {}，相差 {}",
                        ours.label,
                        sum_ours.grouped(),
                        theirs.label,
                        sum_theirs.grouped(),
                        difference.grouped()
                    ),
                };
                let mut finding = scope.finding(Severity::Difference, kind, message);
                finding.reference = Some(reference.to_string());
                finding.ours = mine.iter().map(|i| i.place.clone()).collect();
                finding.theirs = other.iter().map(|i| i.place.clone()).collect();
                finding.ours_amount = Some(sum_ours);
                finding.theirs_amount = Some(sum_theirs);
                finding.date = Some(latest);
                result.findings.push(finding);
            }
            (false, true) if !sum_ours.is_zero() => {
                outstanding(scope, &mut result, true, ours, theirs, Some(reference), mine, sum_ours, cutoff)
            }
            (true, false) if !sum_theirs.is_zero() => {
                outstanding(scope, &mut result, false, ours, theirs, Some(reference), other, sum_theirs, cutoff)
            }
            _ => {}
        }
    }
    for (is_ours, item) in loose {
        if item.amount.is_zero() {
            continue;
        }
        outstanding(scope, &mut result, is_ours, ours, theirs, None, &[item], item.amount, cutoff);
    }
    result
}

#[allow(clippy::too_many_arguments)]
fn outstanding(
    scope: &Scope<'_>,
    result: &mut PairResult,
    is_ours: bool,
    ours: &SideItems,
    theirs: &SideItems,
    reference: Option<&str>,
    items: &[&Item],
    amount: Money,
    cutoff: NaiveDate,
) {
    let side = if is_ours { ours } else { theirs };
    let direction = side.direction(amount);
    let kind = OutstandingKind::of(is_ours, direction);
    let date = items.iter().map(|i| i.date).min().unwrap_or(cutoff);
    let age = (cutoff - date).num_days();
    let aged = age > i64::from(scope.ageing_limit_days);
    let described = kind.describe(&ours.label, &theirs.label);
    let message = if aged {
        format!("{described}，已 {age} 天，超过 {} 天的期限", scope.ageing_limit_days)
    } else {
        described
    };
    let severity = if aged { Severity::Difference } else { Severity::Outstanding };
    let mut finding = scope.finding(severity, FindingKind::Outstanding, message);
    finding.outstanding = Some(kind);
    finding.reference = reference.map(str::to_string);
    let places: Vec<String> = items.iter().map(|i| i.place.clone()).collect();
    if is_ours {
        finding.ours = places;
        finding.ours_amount = Some(amount);
    } else {
        finding.theirs = places;
        finding.theirs_amount = Some(amount);
    }
    finding.date = Some(date);
    finding.age_days = Some(age);
    finding.carried = date < scope.period.first_day();
    result.findings.push(finding);
    let slot = match (is_ours, amount.fen() >= 0) {
        (true, true) => &mut result.ours_only_in,
        (true, false) => &mut result.ours_only_out,
        (false, true) => &mut result.theirs_only_in,
        (false, false) => &mut result.theirs_only_out,
    };
    *slot += amount.fen();
}

/// The 余额调节表 of a balance pair: each side's balance adjusted by what only the other side
/// has booked. Unequal adjusted balances are a difference.
pub fn statement(
    scope: &Scope<'_>,
    pair: &mut PairResult,
    ours: &SideItems,
    theirs: &SideItems,
    ours_balance: Money,
    theirs_balance: Money,
) -> Statement {
    let ours_adjusted = Money::from_fen(ours_balance.fen() + pair.theirs_only_in + pair.theirs_only_out);
    let theirs_adjusted = Money::from_fen(theirs_balance.fen() + pair.ours_only_in + pair.ours_only_out);
    let equal = ours_adjusted == theirs_adjusted;
    if !equal {
        let difference = Money::from_fen(ours_adjusted.fen() - theirs_adjusted.fen());
        let mut finding = scope.finding(
            Severity::Difference,
            FindingKind::BalanceMismatch,
            format!(
                "调节后余额不等：{} {}，{} {}，相差 {}",
                ours.label,
                ours_adjusted.grouped(),
                theirs.label,
                theirs_adjusted.grouped(),
                difference.grouped()
            ),
        );
        finding.ours_amount = Some(ours_adjusted);
        finding.theirs_amount = Some(theirs_adjusted);
        finding.date = Some(scope.period.last_day());
        pair.findings.push(finding);
    }
    Statement {
        check: scope.check.as_str().to_string(),
        fund: scope.fund.to_string(),
        scope: scope.name.clone(),
        ours_label: ours.label.clone(),
        theirs_label: theirs.label.clone(),
        ours_balance,
        theirs_balance,
        theirs_only_in: Money::from_fen(pair.theirs_only_in),
        theirs_only_out: Money::from_fen(pair.theirs_only_out),
        ours_only_in: Money::from_fen(pair.ours_only_in),
        ours_only_out: Money::from_fen(pair.ours_only_out),
        labels: [
            OutstandingKind::of(false, theirs.direction(Money::from_fen(1))).describe(&ours.label, &theirs.label),
            OutstandingKind::of(false, theirs.direction(Money::from_fen(-1))).describe(&ours.label, &theirs.label),
            OutstandingKind::of(true, ours.direction(Money::from_fen(1))).describe(&ours.label, &theirs.label),
            OutstandingKind::of(true, ours.direction(Money::from_fen(-1))).describe(&ours.label, &theirs.label),
        ],
        ours_adjusted,
        theirs_adjusted,
        equal,
    }
}
