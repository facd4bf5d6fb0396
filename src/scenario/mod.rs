//! A deterministic, SYNTHETIC year of a city's pooled funds: every event of the year, the
//! matching tax, treasury and bank statements, and a few deliberate anomalies for
//! reconciliation to find. Seeded from the city code and year, so the same city gives the same
//! year, byte for byte; used by `fundpool demo` and by the tests.
//!
//! Magnitudes follow the city file's insured populations (per-capita monthly spending of about
//! 450 元 for employees and 75 元 for residents), so Jingmen's funds move in the low billions of
//! 元 a year and each county spends tens of millions a month. Timing follows DOMAIN §4 on the
//! working-day calendar. Each office records its own side of every flow; bank statements are
//! derived from each account holder's vouchers, so they agree with the ledger except where an
//! anomaly says otherwise.

mod flows;
mod rng;

use crate::calendar::{Calendar, CalendarError};
use crate::domain::chart::Chart;
use crate::domain::city::City;
use crate::domain::ids::{BookCode, Period};
use crate::posting::event::RawEvent;
use crate::reconcile::StatementLine;

/// A red-ink reversal the finance staff make: the voucher the event `event_id` produced in
/// `book`, reversed on `date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reversal {
    pub book: BookCode,
    pub event_id: String,
    pub date: chrono::NaiveDate,
    pub reason: String,
}

/// A statement line with its identity in its register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedStatement {
    pub key: String,
    pub line: StatementLine,
}

/// A spending plan made in a month, with the dates of its workflow steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEntry {
    pub party: String,
    pub fund: String,
    pub quarter: crate::plan::Quarter,
    pub total: crate::money::Money,
    pub lines: Vec<crate::plan::PlanLine>,
    pub submitted_on: chrono::NaiveDate,
    pub combined_on: chrono::NaiveDate,
    pub approved_on: chrono::NaiveDate,
    pub checked_on: chrono::NaiveDate,
}

/// One month of the year: what happens, in the order staff do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    pub period: Period,
    /// Next quarter's spending plans, made this month.
    pub plans: Vec<PlanEntry>,
    /// The day the month is closed, once its statements are in: the fifth working day after.
    pub close_on: chrono::NaiveDate,
    /// Corrections of earlier months' vouchers, made before this month's events.
    pub reversals: Vec<Reversal>,
    pub events: Vec<RawEvent>,
    pub statements: Vec<KeyedStatement>,
}

/// A deliberate anomaly and what reconciliation must find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// The month in which it shows.
    pub period: Period,
    /// `difference` (blocks the close), `outstanding` (listed, carried, does not block), or
    /// `deadline` (found by the deadline monitor, not by reconciliation).
    pub severity: &'static str,
    /// The settlement reference reconciliation reports it under.
    pub reference: String,
    /// For a `deadline` anomaly: the obligation kind and party the monitor must flag.
    pub obligation: Option<(&'static str, String)>,
    pub description: String,
}

/// The whole scenario: the opening month (December of the year before) and twelve months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Year {
    pub year: i32,
    pub months: Vec<Month>,
    pub anomalies: Vec<Anomaly>,
    /// Budgets (year, party, fund, income, expenditure) for the year and the next.
    pub budgets: Vec<(i32, String, String, crate::money::Money, crate::money::Money)>,
}

impl Year {
    /// The months in which reconciliation must find differences.
    pub fn difference_months(&self) -> Vec<Period> {
        let mut months: Vec<Period> =
            self.anomalies.iter().filter(|a| a.severity == "difference").map(|a| a.period).collect();
        months.sort();
        months.dedup();
        months
    }
}

/// Generates the year for `city`.
pub fn generate(
    city: &City,
    chart: &Chart,
    rules: &crate::domain::rules::RuleSet,
    calendar: &Calendar,
    year: i32,
) -> Result<Year, CalendarError> {
    flows::Generator::new(city, chart, rules, calendar, year).run()
}

#[cfg(test)]
mod tests;
