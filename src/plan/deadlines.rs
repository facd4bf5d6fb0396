//! The deadline monitor (TS 23): every obligation of the pooled system's timetable (DOMAIN §4)
//! with its rule, due date, the amount due and the amount done (from the obliged party's own
//! records), the date it was met, and its status on a given day. An obligation in money is met
//! only when the amount is: 1.00 remitted against 1,000,000.00 due is "partly met", never "met".

use super::schedule::{consolidation_schedule, Budgets, ScheduleKind};
use super::{Plan, Quarter};
use crate::calendar::{Calendar, CalendarError};
use crate::domain::city::City;
use crate::domain::ids::{PartyKind, Period};
use crate::domain::rules::{PlanPeriod, RuleSet};
use crate::money::Money;
use crate::posting::event::{AllocationPurpose, Event, EventKind, InterestAccount, RemitPurpose};
use crate::posting::Instruments;
use crate::reconcile::StatementLine;
use chrono::{Datelike, NaiveDate};

/// Where an obligation stands on the day asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "working_days")]
pub enum Status {
    Met,
    /// Met, this many working days after the due date.
    MetLate(u32),
    /// Some of the amount done, the rest (the obligation's `shortfall`) not yet.
    PartlyMet,
    /// More done than due (the excess is the negative `shortfall`).
    Overpaid,
    Overdue,
    /// Not met, due within the next five working days.
    DueSoon,
    Upcoming,
}

impl Status {
    pub fn label(self) -> String {
        match self {
            Status::Met => "已按时完成".into(),
            Status::MetLate(n) => format!("逾期 {n} 个工作日完成"),
            Status::PartlyMet => "部分完成".into(),
            Status::Overpaid => "超额".into(),
            Status::Overdue => "已逾期".into(),
            Status::DueSoon => "即将到期".into(),
            Status::Upcoming => "未到期".into(),
        }
    }
}

/// One obligation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Obligation {
    /// The clause it comes from, from the city's rule set, e.g. "TS 14" or "WH 三(四)".
    pub rule: String,
    /// A stable snake_case name of the kind of obligation.
    pub kind: &'static str,
    pub party: String,
    pub fund: String,
    pub what: String,
    pub due: NaiveDate,
    pub met_on: Option<NaiveDate>,
    /// The amount due (None: an obligation of timing only, or one whose basis is not on file).
    pub amount: Option<Money>,
    /// The amount done by the as-of day, from the obliged party's records.
    pub done: Option<Money>,
    /// `amount − done` when something is due in money: positive short, negative overpaid.
    pub shortfall: Option<Money>,
    #[serde(flatten)]
    pub status: Status,
}

impl Obligation {
    /// Overdue, or short after its due date: what makes `deadlines` exit 4.
    pub fn is_breach(&self, as_of: NaiveDate) -> bool {
        self.status == Status::Overdue || (self.status == Status::PartlyMet && as_of > self.due)
    }
}

/// What the monitor reads.
pub struct Input<'a> {
    pub city: &'a City,
    /// The city's rule set: every due date, period and clause comes from it.
    pub rules: &'a RuleSet,
    pub calendar: &'a Calendar,
    pub as_of: NaiveDate,
    /// Every event on file.
    pub events: &'a [Event],
    pub plans: &'a [Plan],
    pub budgets: &'a Budgets,
    /// The pre-pooling instruments as opened (for the consolidation schedule).
    pub instruments: &'a Instruments,
    /// When each month was closed, by period.
    pub closed_on: &'a [(Period, NaiveDate)],
    /// Bank statement lines on file (the city 支出户's show each forward's in and out legs).
    pub bank_lines: &'a [StatementLine],
    /// What each county's matching subsidy is computed from (TS 8).
    pub matching_basis: &'a [MatchingBasis],
}

/// TS 8: a county's matching subsidy is its June-end resident headcount × the per-capita
/// standard, both inputs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MatchingBasis {
    pub year: i32,
    pub party: String,
    pub headcount: u64,
    pub per_capita: Money,
}

impl MatchingBasis {
    /// headcount × standard, exact in 分; None if it overflows.
    pub fn due(&self) -> Option<Money> {
        let headcount = i64::try_from(self.headcount).ok()?;
        self.per_capita.fen().checked_mul(headcount).map(Money::from_fen)
    }
}

struct Draft {
    rule: String,
    kind: &'static str,
    party: String,
    fund: String,
    what: String,
    due: NaiveDate,
    /// What was done toward it, when: amounts for money obligations, zero for timing ones.
    done: Vec<(NaiveDate, Money)>,
    amount: Option<Money>,
}

impl Draft {
    /// A timing obligation met (or not) on one day.
    fn timing(met_on: Option<NaiveDate>) -> Vec<(NaiveDate, Money)> {
        met_on.map(|d| (d, Money::ZERO)).into_iter().collect()
    }
}

/// Every obligation of the as-of day's year, with its status; ordered by due date.
pub fn obligations(input: &Input<'_>) -> Result<Vec<Obligation>, CalendarError> {
    let year = input.as_of.year();
    let mut drafts = Vec::new();
    consolidation(input, year, &mut drafts)?;
    treasury_transfers(input, year, &mut drafts)?;
    transfer_notices(input, year, &mut drafts)?;
    plans(input, year, &mut drafts);
    allocations(input, year, &mut drafts)?;
    forwards(input, year, &mut drafts)?;
    interest(input, year, &mut drafts)?;
    matching_subsidies(input, year, &mut drafts);
    settlement(input, year, &mut drafts);
    let mut obligations = Vec::with_capacity(drafts.len());
    for d in drafts {
        obligations.push(measure(input.calendar, input.as_of, d)?);
    }
    obligations.sort_by(|a, b| (a.due, &a.party, &a.fund, a.kind).cmp(&(b.due, &b.party, &b.fund, b.kind)));
    Ok(obligations)
}

/// Adds up what was done by `as_of`: the obligation is met on the day the amount due is reached
/// (for a timing obligation, on its first record), partly met before that.
fn measure(calendar: &Calendar, as_of: NaiveDate, mut d: Draft) -> Result<Obligation, CalendarError> {
    d.done.retain(|(day, _)| *day <= as_of);
    d.done.sort_by_key(|(day, _)| *day);
    let done_total: i64 = d.done.iter().map(|(_, m)| m.fen()).sum();
    let (met_on, status, done, shortfall) = match d.amount {
        Some(due_amount) => {
            let mut running = 0;
            let reached = d.done.iter().find_map(|(day, m)| {
                running += m.fen();
                (running >= due_amount.fen()).then_some(*day)
            });
            let status = match reached {
                // Nothing was due (e.g. a balance fully kept back): nothing to do.
                None if due_amount.is_zero() && done_total == 0 => Status::Met,
                Some(_) if done_total > due_amount.fen() => Status::Overpaid,
                Some(day) => status(calendar, as_of, d.due, Some(day))?,
                None if done_total > 0 => Status::PartlyMet,
                None => status(calendar, as_of, d.due, None)?,
            };
            let done = Money::from_fen(done_total);
            (reached, status, Some(done), Some(Money::from_fen(due_amount.fen() - done_total)))
        }
        None => {
            let met_on = d.done.first().map(|(day, _)| *day);
            (met_on, status(calendar, as_of, d.due, met_on)?, None, None)
        }
    };
    Ok(Obligation {
        rule: d.rule,
        kind: d.kind,
        party: d.party,
        fund: d.fund,
        what: d.what,
        due: d.due,
        met_on,
        amount: d.amount,
        done,
        shortfall,
        status,
    })
}

/// The status on `as_of` of an obligation due on `due` and met on `met_on`.
pub fn status(
    calendar: &Calendar,
    as_of: NaiveDate,
    due: NaiveDate,
    met_on: Option<NaiveDate>,
) -> Result<Status, CalendarError> {
    match met_on.filter(|m| *m <= as_of) {
        Some(met) if met <= due => Ok(Status::Met),
        Some(met) => Ok(Status::MetLate(working_days_between(calendar, due, met)?)),
        None if as_of > due => Ok(Status::Overdue),
        None if due <= calendar.nth_working_day_after(as_of, 5)? => Ok(Status::DueSoon),
        None => Ok(Status::Upcoming),
    }
}

/// Working days after `from` up to and including `to`.
fn working_days_between(calendar: &Calendar, from: NaiveDate, to: NaiveDate) -> Result<u32, CalendarError> {
    let mut count = 0;
    let mut day = from;
    while day < to {
        day = day.succ_opt().expect("valid date");
        if calendar.is_working_day(day)? {
            count += 1;
        }
    }
    Ok(count)
}

fn name(city: &City, party: &str) -> String {
    city.short_name(party)
}

fn agencies(city: &City, fund: &str) -> Vec<String> {
    city.party
        .iter()
        .filter(|p| p.kind != PartyKind::Finance && p.population.get(fund).copied().unwrap_or(1) > 0)
        .map(|p| p.code.clone())
        .collect()
}

fn consolidation(input: &Input<'_>, year: i32, out: &mut Vec<Draft>) -> Result<(), CalendarError> {
    let openings: Vec<&Event> =
        input.events.iter().filter(|e| matches!(e.kind, EventKind::OpeningBalance { .. })).collect();
    let items =
        consolidation_schedule(input.city, input.rules, &openings, input.instruments, input.budgets, input.calendar)?;
    // Consolidation happens once, at the start of pooling; a city whose rules have it due on the
    // opening day (WH 三(三): 2022-12-31) still reports it in the first pooled year.
    for item in items.into_iter().filter(|i| i.due.year() == year || i.due.year() + 1 == year) {
        let is_city = input.city.party(&item.party).is_some_and(|p| p.kind == PartyKind::City);
        let done: Vec<(NaiveDate, Money)> = input
            .events
            .iter()
            .filter(|e| e.fund == item.fund)
            .filter_map(|e| match (&item.kind, &e.kind) {
                (
                    ScheduleKind::Balance,
                    EventKind::RemitToCity { party, purpose: RemitPurpose::Balance, amount, .. },
                ) if *party == item.party => Some((e.date, *amount)),
                (
                    ScheduleKind::Instrument(code),
                    EventKind::RemitToCity {
                        party,
                        purpose: RemitPurpose::MaturedDeposit,
                        instrument: Some(i),
                        amount,
                        ..
                    },
                ) if *party == item.party && i == code => Some((e.date, *amount)),
                (
                    ScheduleKind::Reserve,
                    EventKind::AllocateToCounty { party, purpose: AllocationPurpose::Reserve, amount },
                ) if *party == item.party => Some((e.date, *amount)),
                (
                    ScheduleKind::Reserve,
                    EventKind::AllocateCityLevel { purpose: AllocationPurpose::Reserve, amount },
                ) if is_city => Some((e.date, *amount)),
                _ => None,
            })
            .collect();
        let kind = match item.kind {
            ScheduleKind::Balance => "balance_remittance",
            ScheduleKind::Instrument(_) => "matured_deposit_remittance",
            ScheduleKind::Reserve => "reserve_allocation",
        };
        out.push(Draft {
            rule: item.clause,
            kind,
            party: item.party,
            fund: item.fund,
            what: item.what,
            due: item.due,
            done,
            amount: item.amount,
        });
    }
    Ok(())
}

/// TS 7: each month's premium receipts booked are transferred to the 专户 in full within the month.
fn treasury_transfers(input: &Input<'_>, year: i32, out: &mut Vec<Draft>) -> Result<(), CalendarError> {
    for e in input.events.iter().filter(|e| e.date.year() == year) {
        let EventKind::PremiumReceipts { period, premiums, late_fees, interest_subsidy, .. } = &e.kind else {
            continue;
        };
        let total = premiums.fen() + late_fees.fen() + interest_subsidy.fen();
        let booked = Period::of(e.date);
        let due = input.calendar.last_working_day(booked.year, booked.month)?;
        // The transfers after this booking and before the next one count toward it.
        let next_booking = input
            .events
            .iter()
            .filter(|n| n.fund == e.fund && n.date > e.date && matches!(n.kind, EventKind::PremiumReceipts { .. }))
            .map(|n| n.date)
            .min();
        let done = input
            .events
            .iter()
            .filter(|t| t.fund == e.fund && t.date >= e.date && next_booking.is_none_or(|n| t.date < n))
            .filter_map(|t| match &t.kind {
                EventKind::TreasuryTransfer { amount, .. } => Some((t.date, *amount)),
                _ => None,
            })
            .collect();
        out.push(Draft {
            rule: input.rules.treasury_transfer.clause.clone(),
            kind: "treasury_transfer",
            party: party_of(input.city, PartyKind::City),
            fund: e.fund.clone(),
            what: format!("{period} 医保费由国库全额划入财政专户"),
            due,
            done,
            amount: Some(Money::from_fen(total)),
        });
    }
    Ok(())
}

fn party_of(city: &City, kind: PartyKind) -> String {
    city.party.iter().find(|p| p.kind == kind).map(|p| p.code.clone()).unwrap_or_default()
}

/// TS 10: finance tells the city agency of transfer income within one working day of arrival.
fn transfer_notices(input: &Input<'_>, year: i32, out: &mut Vec<Draft>) -> Result<(), CalendarError> {
    for e in input.events.iter().filter(|e| e.date.year() == year) {
        let EventKind::TransferIn { party, notified_on, .. } = &e.kind else { continue };
        if input.city.party(party).is_none_or(|p| p.kind != PartyKind::City) {
            continue;
        }
        out.push(Draft {
            rule: input.rules.transfer_notice.clause.clone(),
            kind: "transfer_income_notice",
            party: party.clone(),
            fund: e.fund.clone(),
            what: format!("转移收入 {}（{} 到账）到账信息告知市经办机构", e.id, e.date),
            due: input.calendar.nth_working_day_after(e.date, input.rules.transfer_notice.working_days)?,
            done: Draft::timing(Some(notified_on.unwrap_or(e.date))),
            amount: None,
        });
    }
    Ok(())
}

/// Each agency's spending plan by the rule's submission day of the planning month, and the
/// city's combination by its combination day (TS 14: quarterly, the 15th and the 20th; WH 三(四):
/// monthly applications). A month's application counts as submitted with the plan that covers it.
fn plans(input: &Input<'_>, year: i32, out: &mut Vec<Draft>) {
    let rule = &input.rules.plans;
    let city_code = party_of(input.city, PartyKind::City);
    for fund in &input.city.fund {
        // (what is planned, the planning month, the months it covers): this year's periods and
        // the first of the next year, planned in this December.
        let periods: Vec<(String, Period, Vec<Period>)> = match rule.period {
            PlanPeriod::Quarterly => [(year, 1), (year, 2), (year, 3), (year, 4), (year + 1, 1)]
                .into_iter()
                .map(|(y, number)| {
                    let quarter = Quarter::new(y, number);
                    (format!("{quarter} 用款计划"), quarter.planning_month(), quarter.months())
                })
                .collect(),
            PlanPeriod::Monthly => (1..=13)
                .map(|m| {
                    let month = if m == 13 { Period::new(year + 1, 1) } else { Period::new(year, m) }.expect("valid");
                    (format!("{month} 用款申请"), month.previous(), vec![month])
                })
                .collect(),
        };
        for (label, planning, months) in periods {
            let day = |d: u32| NaiveDate::from_ymd_opt(planning.year, planning.month, d).expect("rule day 1–28");
            let covering: Vec<&Plan> = input
                .plans
                .iter()
                .filter(|p| p.fund == fund.code && months.iter().all(|m| p.quarter.months().contains(m)))
                .collect();
            for party in agencies(input.city, &fund.code) {
                let plan = covering.iter().find(|p| p.party == party);
                out.push(Draft {
                    rule: rule.clause.clone(),
                    kind: "plan_submission",
                    party: party.clone(),
                    fund: fund.code.clone(),
                    what: format!("{label}报送"),
                    due: day(rule.submission_day),
                    done: Draft::timing(plan.and_then(|p| p.submitted.as_ref().map(|s| s.1))),
                    amount: None,
                });
            }
            let combined = covering.iter().filter_map(|p| p.combined.as_ref().map(|c| c.1)).max();
            out.push(Draft {
                rule: rule.clause.clone(),
                kind: "plan_combination",
                party: city_code.clone(),
                fund: fund.code.clone(),
                what: format!("全市{label}汇总"),
                due: day(rule.combination_day),
                done: Draft::timing(combined),
                amount: None,
            });
        }
    }
}

/// TS 14: next month's funds reach each agency's 支出户 before the end of the month. An
/// allocation dated from the 11th of a month to the 10th of the next counts for the next month.
fn allocations(input: &Input<'_>, year: i32, out: &mut Vec<Draft>) -> Result<(), CalendarError> {
    for fund in &input.city.fund {
        for month in 1..=12 {
            let period = Period::new(year, month).expect("valid");
            let window_start = NaiveDate::from_ymd_opt(year, month, 11).expect("valid");
            let next = period.next();
            let window_end = NaiveDate::from_ymd_opt(next.year, next.month, 10).expect("valid");
            let due = input.calendar.last_working_day(year, month)?;
            for party in agencies(input.city, &fund.code) {
                let is_city = input.city.party(&party).is_some_and(|p| p.kind == PartyKind::City);
                let done = input
                    .events
                    .iter()
                    .filter(|e| e.fund == fund.code && e.date >= window_start && e.date <= window_end)
                    .filter_map(|e| match &e.kind {
                        EventKind::AllocateCityLevel { purpose: AllocationPurpose::Monthly, amount } if is_city => {
                            Some((e.date, *amount))
                        }
                        EventKind::AllocateToCounty { party: p, purpose: AllocationPurpose::Monthly, amount }
                            if *p == party =>
                        {
                            Some((e.date, *amount))
                        }
                        _ => None,
                    })
                    .collect();
                // The approved plan's figure for the month the funds are for, less the 考核保证金
                // the city withholds from a county's allocation.
                let deposit = if is_city { 0 } else { input.rules.performance_deposit.permille };
                let planned = input
                    .plans
                    .iter()
                    .filter(|p| p.party == party && p.fund == fund.code)
                    .filter(|p| p.status >= super::PlanStatus::Approved)
                    .find_map(|p| p.by_month().get(&next).copied())
                    .map(|amount| Money::from_fen(amount.fen() - super::withheld(amount, deposit).fen()));
                out.push(Draft {
                    rule: input.rules.allocation.clause.clone(),
                    kind: "monthly_allocation",
                    party: party.clone(),
                    fund: fund.code.clone(),
                    what: format!("{} 用款于 {period} 月底前拨付", next),
                    due,
                    done,
                    amount: planned,
                });
            }
        }
    }
    Ok(())
}

/// TS 14: the city forwards a county's allocation within one working day of receiving it. The
/// measure is the city 支出户's bank statement where it is on file (the in leg starts the clock,
/// the out leg of the same reference is the forward); otherwise the county's own record of the
/// receipt (`allocation_received` under the same reference) against the city's allocation date.
fn forwards(input: &Input<'_>, year: i32, out: &mut Vec<Draft>) -> Result<(), CalendarError> {
    let city_code = party_of(input.city, PartyKind::City);
    for e in input.events.iter().filter(|e| e.date.year() == year) {
        let EventKind::AllocateToCounty { party, amount, .. } = &e.kind else { continue };
        let reference = e.reference.clone().unwrap_or_else(|| e.id.clone());
        let legs: Vec<&StatementLine> = input
            .bank_lines
            .iter()
            .filter(|l| {
                l.book.as_ref().is_some_and(|b| b.party == city_code && b.fund == e.fund)
                    && l.account.as_deref() == Some("1003")
                    && l.reference.as_deref() == Some(reference.as_str())
            })
            .collect();
        let in_leg = legs.iter().filter(|l| l.kind == "in").map(|l| l.date).min();
        let (received, done): (NaiveDate, Vec<(NaiveDate, Money)>) = match in_leg {
            Some(in_leg) => (in_leg, legs.iter().filter(|l| l.kind == "out").map(|l| (l.date, l.amount)).collect()),
            None => (
                e.date,
                input
                    .events
                    .iter()
                    .filter(|r| r.fund == e.fund && r.reference.as_deref() == Some(reference.as_str()))
                    .filter_map(|r| match &r.kind {
                        EventKind::AllocationReceived { party: p, amount, .. } if p == party => Some((r.date, *amount)),
                        _ => None,
                    })
                    .collect(),
            ),
        };
        out.push(Draft {
            rule: input.rules.allocation.clause.clone(),
            kind: "forward_to_county",
            party: party.clone(),
            fund: e.fund.clone(),
            what: format!(
                "{} 于 {received} 收到的拨款 {} 转拨{}",
                name(input.city, &city_code),
                crate::domain::ids::quote(&reference),
                name(input.city, party)
            ),
            due: input.calendar.nth_working_day_after(received, input.rules.allocation.forward_working_days)?,
            done,
            amount: Some(*amount),
        });
    }
    Ok(())
}

/// TS 11: a county's quarterly 支出户 interest is remitted within the first five working days of
/// the month after it is credited.
fn interest(input: &Input<'_>, year: i32, out: &mut Vec<Draft>) -> Result<(), CalendarError> {
    for e in input.events.iter() {
        let EventKind::InterestCredited { party, account: InterestAccount::Expenditure, amount } = &e.kind else {
            continue;
        };
        if input.city.party(party).is_none_or(|p| p.kind != PartyKind::County) {
            continue;
        }
        let credited = Period::of(e.date);
        let due =
            input.calendar.nth_working_day_after(credited.last_day(), input.rules.interest_remittance.working_days)?;
        if due.year() != year {
            continue;
        }
        // Remittances of 支出户 interest after this crediting and before the next one count.
        let next_credit = input
            .events
            .iter()
            .filter(|n| n.fund == e.fund && n.date > e.date)
            .filter(|n| matches!(&n.kind, EventKind::InterestCredited { party: p, account: InterestAccount::Expenditure, .. } if p == party))
            .map(|n| n.date)
            .min();
        let done = input
            .events
            .iter()
            .filter(|r| r.fund == e.fund && r.date >= e.date && next_credit.is_none_or(|n| r.date < n))
            .filter_map(|r| match &r.kind {
                EventKind::RemitToCity {
                    party: p, purpose: RemitPurpose::ExpenditureAccountInterest, amount, ..
                } if p == party => Some((r.date, *amount)),
                _ => None,
            })
            .collect();
        out.push(Draft {
            rule: input.rules.interest_remittance.clause.clone(),
            kind: "interest_remittance",
            party: party.clone(),
            fund: e.fund.clone(),
            what: format!("{} 支出户利息（{} 结息）上解市财政专户", credited, e.date),
            due,
            done,
            amount: Some(*amount),
        });
    }
    Ok(())
}

/// TS 8: each county's matching subsidy by the end of July (resident fund).
fn matching_subsidies(input: &Input<'_>, year: i32, out: &mut Vec<Draft>) {
    let Some(fund) = input.city.fund("resident") else { return };
    let Some(rule) = &input.rules.matching_subsidy else { return };
    let Some(due) = rule.due_in(year) else { return };
    for county in input.city.counties() {
        // TS 8: the county's matching subsidy reaches the city 专户, which is the county's
        // remittance of it (TS 20); its arrival in the county 专户 alone does not meet it.
        let done = input
            .events
            .iter()
            .filter(|e| e.fund == fund.code && e.date.year() == year)
            .filter_map(|e| match &e.kind {
                EventKind::RemitToCity { party: p, purpose: RemitPurpose::ResidentSubsidy, amount, .. }
                    if *p == county.code =>
                {
                    Some((e.date, *amount))
                }
                _ => None,
            })
            .collect();
        let amount =
            input.matching_basis.iter().find(|b| b.year == year && b.party == county.code).and_then(MatchingBasis::due);
        out.push(Draft {
            rule: rule.clause.clone(),
            kind: "county_matching_subsidy",
            party: county.code.clone(),
            fund: fund.code.clone(),
            what: format!("{year} 年县级配套补助上缴市财政专户"),
            due,
            done,
            amount,
        });
    }
}

/// SS 五(一)3: the previous year's settlement (its December closed) within two months.
fn settlement(input: &Input<'_>, year: i32, out: &mut Vec<Draft>) {
    let december = Period::new(year - 1, 12).expect("valid");
    let rule = &input.rules.settlement;
    // The last day of the rule's month after year-end (2 months: the end of February).
    let due = Period::new(year, rule.months).expect("checked 1–12 when read").last_day();
    let met_on = input.closed_on.iter().find(|(p, _)| *p == december).map(|(_, d)| *d);
    for fund in &input.city.fund {
        out.push(Draft {
            rule: rule.clause.clone(),
            kind: "year_end_settlement",
            party: party_of(input.city, PartyKind::City),
            fund: fund.code.clone(),
            what: format!("{} 年年终结算（12 月结账）", year - 1),
            due,
            done: Draft::timing(met_on),
            amount: None,
        });
    }
}
