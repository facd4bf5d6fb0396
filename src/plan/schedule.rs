//! The consolidation schedule (TS 9, SS 五(三)1, WH 三(三)): from the opening balances and the
//! city's rule set, what each county must remit — its 专户 balance by the rule's day (less the
//! months of payments the rules let it keep), and each deposit or bond after maturity, principal
//! plus interest — and the 备付金 each agency's 支出户 must receive, where the rules send one down.

use crate::calendar::{Calendar, CalendarError};
use crate::domain::city::City;
use crate::domain::ids::PartyKind;
use crate::domain::rules::RuleSet;
use crate::money::Money;
use crate::posting::event::{Event, EventKind, OpeningAccount};
use crate::posting::Instruments;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// Budgeted (income, expenditure) per (year, party, fund).
pub type Budgets = BTreeMap<(i32, String, String), (Money, Money)>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleKind {
    /// The 专户 balance at the start of pooling.
    Balance,
    /// A deposit or bond, by code.
    Instrument(String),
    /// One month of 备付金.
    Reserve,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleItem {
    pub kind: ScheduleKind,
    pub party: String,
    pub fund: String,
    /// None when the amount depends on a budget that is not on file.
    pub amount: Option<Money>,
    pub due: NaiveDate,
    pub what: String,
    /// The rule's source clause.
    pub clause: String,
}

/// The schedule from the opening-balance events (dated the day before pooling starts).
pub fn consolidation_schedule(
    city: &City,
    rules: &RuleSet,
    openings: &[&Event],
    instruments: &Instruments,
    budgets: &Budgets,
    calendar: &Calendar,
) -> Result<Vec<ScheduleItem>, CalendarError> {
    let Some(opened) = openings.iter().map(|e| e.date).max() else { return Ok(vec![]) };
    // The first pooled year's budget sizes what is kept and sent down.
    let year = opened.year() + 1;
    let balance_due = rules.balance_remittance.due;
    let monthly = |party: &str, fund: &str| {
        budgets.get(&(year, party.to_string(), fund.to_string())).map(|(_, expenditure)| expenditure.fen() / 12)
    };
    let mut items = Vec::new();
    for e in openings {
        let EventKind::OpeningBalance { party, account: OpeningAccount::Special, amount, .. } = &e.kind else {
            continue;
        };
        if city.party(party).is_none_or(|p| p.kind != PartyKind::County) {
            continue;
        }
        let kept = rules.balance_remittance.months_kept;
        let amount = if kept == 0 {
            Some(*amount)
        } else {
            monthly(party, &e.fund).map(|m| Money::from_fen((amount.fen() - i64::from(kept) * m).max(0)))
        };
        let what = if kept == 0 {
            format!("{} 年初专户结余全额上解", city.short_name(party))
        } else {
            format!("{} 年初专户结余上解（留足 {kept} 个月预算支付额）", city.short_name(party))
        };
        items.push(ScheduleItem {
            kind: ScheduleKind::Balance,
            party: party.clone(),
            fund: e.fund.clone(),
            amount,
            due: balance_due,
            what,
            clause: rules.balance_remittance.clause.clone(),
        });
    }
    for ((party, fund, code), instrument) in instruments {
        let due = calendar.nth_working_day_after(instrument.matures_on, rules.matured_deposit.working_days)?;
        let amount = instrument.matured_interest.map(|i| Money::from_fen(instrument.principal.fen() + i.fen()));
        items.push(ScheduleItem {
            kind: ScheduleKind::Instrument(code.clone()),
            party: party.clone(),
            fund: fund.clone(),
            amount,
            due,
            what: format!(
                "{} {code}（{} 到期，本金 {}）本息一次上解",
                city.short_name(party),
                instrument.matures_on,
                instrument.principal.grouped()
            ),
            clause: rules.matured_deposit.clause.clone(),
        });
    }
    // WH 三(三): the months kept back serve as the reserve; nothing is sent down.
    let Some(reserve_due) = rules.reserve.due.filter(|_| rules.reserve.months > 0) else {
        items.sort_by(|a, b| (a.due, &a.party, &a.fund).cmp(&(b.due, &b.party, &b.fund)));
        return Ok(items);
    };
    let months = i64::from(rules.reserve.months);
    for fund in &city.fund {
        for party in city.party.iter().filter(|p| p.kind != PartyKind::Finance) {
            if !openings.iter().any(|e| e.fund == fund.code && opening_party(e) == Some(party.code.as_str())) {
                continue;
            }
            items.push(ScheduleItem {
                kind: ScheduleKind::Reserve,
                party: party.code.clone(),
                fund: fund.code.clone(),
                amount: monthly(&party.code, &fund.code).map(|m| Money::from_fen(m * months)),
                due: reserve_due,
                what: format!("{} 支出户预拨 {months} 个月备付金", city.short_name(&party.code)),
                clause: rules.reserve.clause.clone(),
            });
        }
    }
    items.sort_by(|a, b| (a.due, &a.party, &a.fund).cmp(&(b.due, &b.party, &b.fund)));
    Ok(items)
}

fn opening_party(e: &Event) -> Option<&str> {
    match &e.kind {
        EventKind::OpeningBalance { party, .. } => Some(party),
        _ => None,
    }
}
