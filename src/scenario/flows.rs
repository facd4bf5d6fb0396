//! The year's flows, month by month: opening balances, consolidation remittances and 备付金,
//! premiums through the treasury, subsidies, benefit payments by category, interest, transfers,
//! matured deposits and monthly allocations, with the statements the other parties would send.
//!
//! Every office records its own side (DOMAIN §2): a flow between two offices is written as one
//! event per side, on that side's own date, under the bank serial both sides see; the finance
//! bureau's 专户 book comes from its own receipts and payment orders. The planted anomalies are
//! slips one office makes in its own record, which the pair's check must find.

use super::rng::Rng;
use super::{Anomaly, KeyedStatement, Month, PlanEntry, Reversal, Year};
use crate::calendar::{Calendar, CalendarError};
use crate::domain::chart::{Chart, Side};
use crate::domain::city::City;
use crate::domain::ids::{BookCode, PartyKind, Period};
use crate::domain::rules::RuleSet;
use crate::money::{allocate_largest_remainder, Money};
use crate::plan::{PlanLine, Quarter};
use crate::posting::event::RawEvent;
use crate::posting::{post_event, Instruments, PostingContext};
use crate::reconcile::{Source, StatementLine};
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

/// Per-capita monthly benefit spending in 分 (synthetic): employees, residents.
fn per_capita(fund: &str) -> i64 {
    if fund == "employee" {
        45_000
    } else {
        7_500
    }
}

/// The synthetic per-capita county matching subsidy (TS 8), in 分: 40 元 per resident insured.
pub const MATCHING_PER_CAPITA: i64 = 4_000;

/// Seasonal shape of spending by month (per mille), January to December.
const SEASON: [i64; 12] = [1050, 920, 1000, 1000, 1000, 1020, 1040, 1030, 1000, 970, 1000, 1120];

/// Months planned ahead: this year and the next year's first quarter (1..=15).
const PLANNED: usize = 16;

/// Spending categories and their shares (per mille) by fund.
fn categories(maternity: bool) -> Vec<(&'static str, u64, u32)> {
    // (category, share, day of month it is usually paid)
    if maternity {
        vec![
            ("personal_account", 300, 5),
            ("inpatient", 400, 15),
            ("general_outpatient", 100, 12),
            ("chronic_outpatient", 80, 18),
            ("out_of_area", 50, 22),
            ("critical_illness", 30, 24),
            ("maternity_medical", 20, 16),
            ("maternity_allowance", 20, 16),
        ]
    } else {
        vec![
            ("inpatient", 550, 15),
            ("general_outpatient", 150, 12),
            ("chronic_outpatient", 80, 18),
            ("two_diseases", 30, 18),
            ("out_of_area", 90, 22),
            ("critical_illness", 80, 24),
            ("accident", 20, 24),
        ]
    }
}

fn yuan(fen: i64) -> String {
    Money::from_fen(fen).plain()
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid scenario date")
}

/// An event under construction.
struct Ev {
    raw: RawEvent,
}

impl Ev {
    fn new(id: &str, kind: &str, day: NaiveDate, fund: &str) -> Ev {
        let mut raw = RawEvent::default();
        for (k, v) in
            [("id", id.to_string()), ("kind", kind.to_string()), ("date", day.to_string()), ("fund", fund.to_string())]
        {
            raw.fields.insert(k.into(), v);
        }
        Ev { raw }
    }

    fn with(mut self, key: &str, value: impl ToString) -> Ev {
        self.raw.fields.insert(key.into(), value.to_string());
        self
    }
}

/// What one office keys differently from the true amount, in 分 (a planted slip).
#[derive(Default, Clone, Copy)]
struct Keyed {
    county: i64,
    city: i64,
    finance: i64,
}

/// A pre-pooling instrument the scenario opens and matures.
struct Plan {
    county: usize,
    fund: &'static str,
    code: &'static str,
    opened_on: NaiveDate,
    matures_on: NaiveDate,
    /// Remittance sent and received on these days (None: two working days after maturity).
    remit: Option<(NaiveDate, NaiveDate)>,
}

pub struct Generator<'a> {
    city: &'a City,
    rules: &'a RuleSet,
    chart: &'a Chart,
    calendar: &'a Calendar,
    year: i32,
    rng: Rng,
    months: Vec<Month>,
    anomalies: Vec<Anomaly>,
    /// Running bank balance of each bank account: (book, account) — agency 支出户 1003 and the
    /// finance bureau's 专户 1011.
    bank: BTreeMap<(BookCode, String), i64>,
    /// City 支出户 lines the vouchers do not show: in `statute` mode a county's allocation passes
    /// through it (in from the 专户, out to the county) while the city books Cr 1004 (TS 14, 21).
    pass_through: Vec<(usize, KeyedStatement)>,
    /// Events whose bank line the bank makes on a later day than the voucher: (id, bank date).
    bank_later: BTreeMap<String, NaiveDate>,
    /// Planned payments per (party, fund) for months 1..=15 (13–15: next year's first quarter);
    /// index 0 holds the monthly base.
    planned: BTreeMap<(String, String), [i64; PLANNED]>,
    /// Events whose 1003 movement the bank did not make (corrections), and 1-分 slips.
    no_bank_line: BTreeSet<String>,
    bank_slip: BTreeMap<String, i64>,
    /// Treasury lines held back and delivered with a later month's file.
    held_back: Vec<(usize, KeyedStatement)>,
    /// Treasury receipts (premiums, late fees) per (month index, fund).
    receipts: BTreeMap<(usize, String), (i64, i64)>,
    city_code: String,
    finance_code: String,
    counties: Vec<String>,
    agencies: Vec<String>,
}

/// A flow between two offices, before it is written as each office's own record.
struct Flow<'f> {
    id: String,
    fund: &'f str,
    party: &'f str,
    purpose: &'static str,
    amount: i64,
    /// The sender's day, and the receiver's.
    sent: NaiveDate,
    received: NaiveDate,
}

impl<'a> Generator<'a> {
    pub fn new(
        city: &'a City,
        chart: &'a Chart,
        rules: &'a RuleSet,
        calendar: &'a Calendar,
        year: i32,
    ) -> Generator<'a> {
        let city_code =
            city.party.iter().find(|p| p.kind == PartyKind::City).map(|p| p.code.clone()).unwrap_or_default();
        let counties: Vec<String> = city.counties().map(|p| p.code.clone()).collect();
        let finance_code =
            city.party.iter().find(|p| p.kind == PartyKind::Finance).map(|p| p.code.clone()).unwrap_or_default();
        let mut agencies = vec![city_code.clone()];
        agencies.extend(counties.iter().cloned());
        let months = (0..=12)
            .map(|m| {
                let period =
                    if m == 0 { Period::new(year - 1, 12) } else { Period::new(year, m) }.expect("valid month");
                Month {
                    period,
                    plans: vec![],
                    close_on: calendar.nth_working_day_after(period.last_day(), 5).unwrap_or(period.last_day()),
                    reversals: vec![],
                    events: vec![],
                    statements: vec![],
                }
            })
            .collect();
        Generator {
            city,
            rules,
            chart,
            calendar,
            year,
            rng: Rng::seeded(&format!("{}-{year}", city.code)),
            months,
            anomalies: vec![],
            bank: BTreeMap::new(),
            pass_through: vec![],
            bank_later: BTreeMap::new(),
            planned: BTreeMap::new(),
            no_bank_line: BTreeSet::new(),
            bank_slip: BTreeMap::new(),
            held_back: vec![],
            receipts: BTreeMap::new(),
            city_code,
            finance_code,
            counties,
            agencies,
        }
    }

    fn funds(&self) -> Vec<String> {
        self.city.fund.iter().map(|f| f.code.clone()).collect()
    }

    fn working(&self, day: NaiveDate) -> Result<NaiveDate, CalendarError> {
        self.calendar.working_day_on_or_after(day)
    }

    /// The working day `n` working days before the month's last working day.
    fn before_month_end(&self, month: u32, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut day = self.calendar.last_working_day(self.year, month)?;
        let mut left = n;
        while left > 0 {
            day = day.pred_opt().expect("valid date");
            if self.calendar.is_working_day(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }

    fn base(&self, party: &str, fund: &str) -> i64 {
        self.planned.get(&(party.to_string(), fund.to_string())).map(|p| p[0]).unwrap_or(0)
    }

    fn plan_budgets(&mut self) {
        for fund in self.funds() {
            for party in self.agencies.clone() {
                let insured = self.city.party(&party).and_then(|p| p.population.get(&fund)).copied().unwrap_or(0);
                if insured == 0 {
                    continue;
                }
                let base = insured as i64 * per_capita(&fund);
                let mut planned = [0i64; PLANNED];
                planned[0] = base;
                for (m, slot) in planned.iter_mut().enumerate().skip(1) {
                    let seasonal = base * SEASON[(m - 1) % 12] / 1000;
                    *slot = self.rng.vary(seasonal, 960, 1040) / 100 * 100;
                }
                self.planned.insert((party, fund.clone()), planned);
            }
        }
    }

    fn push(&mut self, month: usize, ev: Ev) {
        self.months[month].events.push(ev.raw);
    }

    /// Files an event in the month of its date (a receipt can fall in the month after the send).
    fn push_dated(&mut self, ev: Ev) {
        let day = ev.raw.fields.get("date").and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let index = match day {
            Some(d) if d.year() < self.year => 0,
            Some(d) if d.year() == self.year => d.month() as usize,
            _ => 12,
        };
        self.months[index].events.push(ev.raw);
    }

    /// A county's remittance as the three offices record it: the county on the day it sends,
    /// the city agency and the finance bureau on the day the 专户 receives it, each under the
    /// bank serial (the county's event id). `keyed` changes what one office keys (anomalies).
    fn remittance(&mut self, flow: Flow<'_>, instrument: Option<&str>, keyed: Keyed) {
        let mut sender = Ev::new(&flow.id, "remit_to_city", flow.sent, flow.fund)
            .with("ref", &flow.id)
            .with("party", flow.party)
            .with("purpose", flow.purpose)
            .with("amount", yuan(flow.amount + keyed.county));
        let mut receiver = Ev::new(&format!("{}-R", flow.id), "remittance_received", flow.received, flow.fund)
            .with("ref", &flow.id)
            .with("party", flow.party)
            .with("purpose", flow.purpose)
            .with("amount", yuan(flow.amount + keyed.city));
        if let Some(code) = instrument {
            sender = sender.with("instrument", code);
            receiver = receiver.with("instrument", code);
        }
        self.push_dated(sender);
        self.push_dated(receiver);
        self.push_dated(
            Ev::new(&format!("{}-F", flow.id), "special_account_receipt", flow.received, flow.fund)
                .with("ref", &flow.id)
                .with("source", "county_remittance")
                .with("party", flow.party)
                .with("amount", yuan(flow.amount + keyed.finance)),
        );
    }

    /// An allocation as the offices record it: the city agency and the finance bureau on the day
    /// the 专户 pays, the county on the day its 支出户 receives. In `statute` mode a county's
    /// money passes through the city 支出户: in on the day sent, out on the day the county
    /// receives it (the bank shows both legs; the city's books show neither).
    fn allocation(&mut self, flow: Flow<'_>, keyed: Keyed) {
        let is_city = flow.party == self.city_code;
        let city = if is_city {
            Ev::new(&flow.id, "allocate_city_level", flow.sent, flow.fund)
        } else {
            Ev::new(&flow.id, "allocate_to_county", flow.sent, flow.fund).with("party", flow.party)
        };
        self.push_dated(
            city.with("ref", &flow.id).with("purpose", flow.purpose).with("amount", yuan(flow.amount + keyed.city)),
        );
        self.push_dated(
            Ev::new(&format!("{}-F", flow.id), "special_account_payment", flow.sent, flow.fund)
                .with("ref", &flow.id)
                .with("party", flow.party)
                .with("purpose", flow.purpose)
                .with("amount", yuan(flow.amount + keyed.finance)),
        );
        if is_city {
            return;
        }
        self.push_dated(
            Ev::new(&format!("{}-R", flow.id), "allocation_received", flow.received, flow.fund)
                .with("ref", &flow.id)
                .with("party", flow.party)
                .with("purpose", flow.purpose)
                .with("amount", yuan(flow.amount + keyed.county)),
        );
        if self.city.settings.forward_mode == crate::domain::city::ForwardMode::Statute {
            let book = BookCode::new(&self.city_code, flow.fund);
            for (direction, day) in [("in", flow.sent), ("out", flow.received)] {
                let index = if day.year() < self.year { 0 } else { day.month() as usize };
                self.pass_through.push((
                    index,
                    KeyedStatement {
                        key: format!("{book}:1003:{direction}:{}", flow.id),
                        line: StatementLine {
                            source: Source::Bank,
                            date: day,
                            reference: Some(flow.id.clone()),
                            fund: None,
                            book: Some(book.clone()),
                            account: Some("1003".into()),
                            kind: direction.into(),
                            amount: Money::from_fen(flow.amount),
                        },
                    },
                ));
            }
        }
    }

    fn statement(&mut self, month: usize, key: String, line: StatementLine) {
        self.months[month].statements.push(KeyedStatement { key, line });
    }

    pub fn run(mut self) -> Result<Year, CalendarError> {
        self.plan_budgets();
        self.spending_plans()?;
        self.opening()?;
        for month in 1..=12u32 {
            self.month(month)?;
        }
        for (month, keyed) in std::mem::take(&mut self.held_back) {
            self.months[month].statements.push(keyed);
        }
        // Staff enter a month's vouchers as the days go by: post events in date order (the
        // sort is stable, so one day's events keep the order they were planned in).
        for month in &mut self.months {
            month.events.sort_by(|a, b| a.fields.get("date").cmp(&b.fields.get("date")));
        }
        self.derive_bank_statements();
        let budgets = self.budgets();
        Ok(Year { year: self.year, months: self.months, anomalies: self.anomalies, budgets })
    }

    fn instrument_plans(&self) -> Vec<Plan> {
        let y = self.year;
        let mut plans = vec![
            Plan {
                county: 0,
                fund: "employee",
                code: "TD-2021-031",
                opened_on: date(y - 2, 3, 15),
                matures_on: date(y, 3, 15),
                remit: None,
            },
            Plan {
                county: 2,
                fund: "employee",
                code: "BOND-2020-3Y",
                opened_on: date(y - 3, 6, 12),
                matures_on: date(y, 6, 12),
                remit: None,
            },
            // The remittance of this one leaves on May 31 and arrives on June 1: in transit.
            Plan {
                county: 3,
                fund: "employee",
                code: "TD-2022-052",
                opened_on: date(y - 1, 5, 29),
                matures_on: date(y, 5, 29),
                remit: Some((date(y, 5, 31), date(y, 6, 1))),
            },
            Plan {
                county: 1,
                fund: "resident",
                code: "TD-2021-090",
                opened_on: date(y - 2, 9, 6),
                matures_on: date(y, 9, 6),
                remit: None,
            },
            Plan {
                county: 4,
                fund: "resident",
                code: "BOND-2021-2Y",
                opened_on: date(y - 2, 11, 20),
                matures_on: date(y, 11, 20),
                remit: None,
            },
        ];
        plans.retain(|p| p.county < self.counties.len() && self.city.fund(p.fund).is_some());
        plans
    }

    /// December of the year before: balances brought in, and December's premiums in the treasury.
    fn opening(&mut self) -> Result<(), CalendarError> {
        let day = date(self.year - 1, 12, 31);
        for fund in self.funds() {
            let f = &fund[..1];
            for party in self.agencies.clone() {
                let base = self.base(&party, &fund);
                if base == 0 {
                    continue;
                }
                // About three months of spending, on top of whatever the city lets a county keep
                // (Wuhan: three months), so every county has a balance to remit in January.
                let kept =
                    if party == self.city_code { 0 } else { i64::from(self.rules.balance_remittance.months_kept) };
                let special = self.rng.vary(base * 3, 900, 1100) / 100 * 100 + kept * base;
                let expenditure = self.planned[&(party.clone(), fund.clone())][1] * 12 / 10;
                let opening_ref = format!("OB-{party}-{f}-1004");
                self.push(
                    0,
                    Ev::new(&opening_ref, "opening_balance", day, &fund)
                        .with("ref", &opening_ref)
                        .with("party", &party)
                        .with("account", "1004")
                        .with("amount", yuan(special)),
                );
                if party == self.city_code {
                    // The finance bureau's own opening: the 专户 bank's balance confirmation.
                    let finance = self.finance_code.clone();
                    self.push(
                        0,
                        Ev::new(&format!("OB-{finance}-{f}-1011"), "special_account_opening", day, &fund)
                            .with("ref", &opening_ref)
                            .with("amount", yuan(special)),
                    );
                    let book = BookCode::new(&finance, &fund);
                    self.bank.insert((book.clone(), "1011".into()), special);
                }
                self.push(
                    0,
                    Ev::new(&format!("OB-{party}-{f}-1003"), "opening_balance", day, &fund)
                        .with("party", &party)
                        .with("account", "1003")
                        .with("amount", yuan(expenditure)),
                );
                let book = BookCode::new(&party, &fund);
                self.bank.insert((book.clone(), "1003".into()), expenditure);
            }
            let receipts = self.treasury_receipts(0, &fund)?;
            self.receipts.insert((0, fund.clone()), receipts);
        }
        for plan in self.instrument_plans() {
            let county = self.counties[plan.county].clone();
            let principal = self.rng.vary(self.base(&county, plan.fund) * 2, 800, 1200) / 10_000 * 10_000;
            let f = &plan.fund[..1];
            self.push(
                0,
                Ev::new(&format!("OB-{county}-{f}-{}", plan.code), "opening_balance", day, plan.fund)
                    .with("party", &county)
                    .with("account", "1201")
                    .with("amount", yuan(principal))
                    .with("instrument", plan.code)
                    .with("opened_on", plan.opened_on)
                    .with("matures_on", plan.matures_on),
            );
        }
        Ok(())
    }

    fn bank_balance_row(&mut self, month: usize, book: &BookCode, account: &str, day: NaiveDate) {
        let balance = self.bank.get(&(book.clone(), account.to_string())).copied().unwrap_or(0);
        self.statement(
            month,
            format!("balance:{book}:{account}:{day}"),
            StatementLine {
                source: Source::Bank,
                date: day,
                reference: None,
                fund: None,
                book: Some(book.clone()),
                account: Some(account.into()),
                kind: "balance".into(),
                amount: Money::from_fen(balance),
            },
        );
    }

    /// The month's premiums paid by the tax authority into the treasury, in three batches;
    /// returns (premiums, late fees) for the booking next month.
    fn treasury_receipts(&mut self, month: usize, fund: &str) -> Result<(i64, i64), CalendarError> {
        let period = self.months[month].period;
        let total_base: i64 = self.agencies.iter().map(|p| self.base(p, fund)).sum();
        let weight = if fund == "employee" {
            1040
        } else {
            match period.month {
                1..=3 => 700,
                9..=12 => 500,
                _ => 200,
            }
        };
        let premiums = self.rng.vary(total_base * weight / 1000, 950, 1050) / 100 * 100;
        let late = premiums / 1000 / 100 * 100 + 37;
        let parts =
            allocate_largest_remainder(Money::from_fen(premiums + late), &[35, 40, 25]).expect("weights are positive");
        let days = [
            self.working(date(period.year, period.month, 10))?,
            self.working(date(period.year, period.month, 20))?,
            self.calendar.last_working_day(period.year, period.month)?,
        ];
        for (n, (part, day)) in parts.iter().zip(days).enumerate() {
            let reference = format!("PAY-{fund}-{}{:02}-{}", period.year, period.month, n + 1);
            let line = |source, kind: &str| StatementLine {
                source,
                date: day,
                reference: Some(reference.clone()),
                fund: Some(fund.to_string()),
                book: None,
                account: None,
                kind: kind.into(),
                amount: *part,
            };
            self.statement(month, reference.clone(), line(Source::Tax, "paid_to_treasury"));
            let treasury = KeyedStatement { key: reference.clone(), line: line(Source::Treasury, "received") };
            // Anomaly: one August treasury line is missing from the treasury's file and only
            // arrives with October's.
            let missing_fund = if self.city.fund("resident").is_some() { "resident" } else { "employee" };
            if period.month == 8 && period.year == self.year && n == 1 && fund == missing_fund {
                self.held_back.push((10, treasury));
                self.anomalies.push(Anomaly {
                    period: Period::new(self.year, 8).expect("valid"),
                    severity: "outstanding",
                    reference: reference.clone(),
                    obligation: None,
                    description: format!(
                        "国库8月收入 {reference} 未出现在国库8月的对账单中（税务已缴库）：8月为未达账项"
                    ),
                });
                self.anomalies.push(Anomaly {
                    period: Period::new(self.year, 9).expect("valid"),
                    severity: "difference",
                    reference: reference.clone(),
                    obligation: None,
                    description: format!(
                        "{reference} 仍未到国库对账单：9月超过期限成为差异，国库存款与入库收入的不变式也不成立；国库10月补送后消除"
                    ),
                });
            } else {
                self.months[month].statements.push(treasury);
            }
        }
        Ok((premiums, late))
    }

    fn month(&mut self, m: u32) -> Result<(), CalendarError> {
        let idx = m as usize;
        let y = self.year;
        for fund in self.funds() {
            let f = fund[..1].to_string();
            let tag = format!("{y}{m:02}");
            // Premiums received last month: booked on the first working day, transferred in full
            // on the third (TS 7, 18).
            let (premiums, late) = self.receipts.get(&(idx - 1, fund.clone())).copied().unwrap_or((0, 0));
            let booked = self.working(date(y, m, 1))?;
            let previous = self.months[idx - 1].period;
            // The tax register says where each premium was collected: by insured population.
            let weights: Vec<u64> = self.agencies.iter().map(|p| self.base(p, &fund).max(0) as u64).collect();
            let by_county = if premiums > 0 && weights.iter().any(|w| *w > 0) {
                let parts =
                    allocate_largest_remainder(Money::from_fen(premiums), &weights).expect("weights are positive");
                let listed: Vec<String> = self
                    .agencies
                    .iter()
                    .zip(parts)
                    .filter(|(_, part)| part.is_positive())
                    .map(|(party, part)| format!("{party}:{}", part.plain()))
                    .collect();
                listed.join(",")
            } else {
                String::new()
            };
            let mut receipts = Ev::new(&format!("PR-{f}-{tag}"), "premium_receipts", booked, &fund)
                .with("period", previous)
                .with("premiums", yuan(premiums))
                .with("late_fees", yuan(late));
            if !by_county.is_empty() {
                receipts = receipts.with("by_county", by_county);
            }
            self.push(idx, receipts);
            let transfer_day = self.calendar.nth_working_day_after(booked, 2)?;
            let transfer_ref = format!("TRE-{fund}-{tag}");
            self.push(
                idx,
                Ev::new(&format!("TT-{f}-{tag}"), "treasury_transfer", transfer_day, &fund)
                    .with("ref", &transfer_ref)
                    .with("amount", yuan(premiums + late))
                    .with("late_fees", yuan(late)),
            );
            // The finance bureau books the same transfer from the treasury's notice.
            let finance_id = format!("TT-{f}-{tag}-F");
            self.push(
                idx,
                Ev::new(&finance_id, "treasury_transfer_received", transfer_day, &fund)
                    .with("ref", &transfer_ref)
                    .with("amount", yuan(premiums + late))
                    .with("late_fees", yuan(late)),
            );
            if m == 10 && fund == "employee" {
                self.duplicate_receipt(&fund, &finance_id, &transfer_ref, transfer_day, premiums + late, late)?;
            }
            self.statement(
                idx,
                transfer_ref.clone(),
                StatementLine {
                    source: Source::Treasury,
                    date: transfer_day,
                    reference: Some(transfer_ref),
                    fund: Some(fund.clone()),
                    book: None,
                    account: None,
                    kind: "transferred_to_special_account".into(),
                    amount: Money::from_fen(premiums + late),
                },
            );
            let receipts = self.treasury_receipts(idx, &fund)?;
            self.receipts.insert((idx, fund.clone()), receipts);
            if m == 1 {
                self.consolidation(&fund)?;
            }
            if fund == "resident" {
                self.subsidies(m, &fund)?;
            }
            self.payments(m, &fund)?;
            if m.is_multiple_of(3) {
                self.interest(m, &fund)?;
            }
            if m % 3 == 1 && m > 1 {
                self.interest_remittances(m, &fund)?;
            }
            if fund == "employee" {
                self.transfers(m, &fund)?;
            }
            self.allocations(m, &fund)?;
        }
        self.maturities(m)?;
        Ok(())
    }

    /// January: counties remit their pre-pooling balances by the 20th (keeping the city's
    /// reserve months, if any), and every agency gets one month of 备付金 by the 31st (TS 9).
    fn consolidation(&mut self, fund: &str) -> Result<(), CalendarError> {
        let y = self.year;
        let f = &fund[..1];
        let kept = i64::from(self.rules.balance_remittance.months_kept);
        // By the rule's day (a rule due on the opening day itself is met on that day, the first
        // day the books exist), each county a working day after the one before.
        let balance_due = self.on_or_before(self.rules.balance_remittance.due)?.max(self.city.opening());
        for (n, county) in self.counties.clone().into_iter().enumerate() {
            let base = self.base(&county, fund);
            if base == 0 {
                continue;
            }
            let opening = self.opening_special(&county, fund);
            let amount = opening - kept * base;
            if amount <= 0 {
                continue;
            }
            let day = self.working(date(y, 1, 9 + n as u32))?.min(balance_due);
            // Anomaly: the second county remits 1,000.00 short by the 20th and the rest in
            // February; the deadline monitor must show the shortfall, then the late completion.
            let short = if n == 1 && fund == "employee" { 100_000 } else { 0 };
            let id = format!("RM-{county}-{f}-BAL");
            let flow =
                Flow { id, fund, party: &county, purpose: "balance", amount: amount - short, sent: day, received: day };
            self.remittance(flow, None, Keyed::default());
            if short > 0 {
                let rest_on = self.working(date(y, 2, 6))?;
                let id = format!("RM-{county}-{f}-BAL-2");
                let flow = Flow {
                    id,
                    fund,
                    party: &county,
                    purpose: "balance",
                    amount: short,
                    sent: rest_on,
                    received: rest_on,
                };
                self.remittance(flow, None, Keyed::default());
                let rule = &self.rules.balance_remittance;
                self.anomalies.push(Anomaly {
                    period: Period::of(rule.due),
                    severity: "deadline",
                    reference: format!("RM-{county}-{f}-BAL"),
                    obligation: Some(("balance_remittance", county.clone())),
                    description: format!(
                        "{} 于 {} 前上解年初结余少 1,000.00 元（{}，部分完成），{rest_on} 补足：期限监控显示短缺与逾期完成",
                        self.city.short_name(&county),
                        rule.due,
                        rule.clause
                    ),
                });
            }
        }
        // The reserve the rules send down (WH: none, the kept months serve).
        let Some(reserve_due) = self.rules.reserve.due.filter(|_| self.rules.reserve.months > 0) else {
            return Ok(());
        };
        let months = i64::from(self.rules.reserve.months);
        let sent = self.working(date(y, 1, 17))?.min(self.on_or_before(reserve_due)?);
        let received = self.calendar.nth_working_day_after(sent, 1)?;
        for party in self.agencies.clone() {
            let base = self.base(&party, fund);
            if base == 0 {
                continue;
            }
            let id = format!("RS-{party}-{f}");
            self.allocation(
                Flow { id, fund, party: &party, purpose: "reserve", amount: base * months, sent, received },
                Keyed::default(),
            );
        }
        Ok(())
    }

    /// The opening 专户 balance the scenario gave a party.
    fn opening_special(&self, party: &str, fund: &str) -> i64 {
        let id = format!("OB-{party}-{}-1004", &fund[..1]);
        self.months[0]
            .events
            .iter()
            .find(|e| e.fields.get("id").map(String::as_str) == Some(id.as_str()))
            .and_then(|e| e.fields.get("amount"))
            .and_then(|a| Money::parse(a).ok())
            .map(|m| m.fen())
            .unwrap_or(0)
    }

    /// Resident fund subsidies: central (March, September), provincial (April, October) and
    /// each county's matching subsidy by the end of July (TS 8).
    fn subsidies(&mut self, m: u32, fund: &str) -> Result<(), CalendarError> {
        let y = self.year;
        let f = &fund[..1];
        let total: i64 = self.agencies.iter().map(|p| self.base(p, fund)).sum();
        let level = match m {
            3 | 9 => Some(("central", total * 24 / 10)),
            4 | 10 => Some(("provincial", total * 9 / 10)),
            _ => None,
        };
        if let Some((level, amount)) = level {
            let day = self.working(date(y, m, 15))?;
            let amount = self.rng.vary(amount, 980, 1020) / 10_000 * 10_000;
            let id = format!("FS-{level}-{y}{m:02}");
            self.push(
                m as usize,
                Ev::new(&id, "fiscal_subsidy", day, fund)
                    .with("ref", &id)
                    .with("level", level)
                    .with("amount", yuan(amount)),
            );
            self.push(
                m as usize,
                Ev::new(&format!("{id}-F"), "special_account_receipt", day, fund)
                    .with("ref", &id)
                    .with("source", format!("{level}_subsidy"))
                    .with("amount", yuan(amount)),
            );
        }
        if m == 7 {
            for (n, county) in self.counties.clone().into_iter().enumerate() {
                let insured = self.city.party(&county).and_then(|p| p.population.get(fund)).copied().unwrap_or(0);
                if insured == 0 {
                    continue;
                }
                // The county's matching subsidy arrives in the county 专户 and is remitted on two
                // working days later (TS 8, 20).
                let day = self.working(date(y, 7, 10 + 2 * n as u32))?;
                let amount = insured as i64 * MATCHING_PER_CAPITA;
                self.push(
                    7,
                    Ev::new(&format!("FS-match-{county}-{y}"), "fiscal_subsidy", day, fund)
                        .with("level", "county_matching")
                        .with("party", &county)
                        .with("amount", yuan(amount)),
                );
                let sent = self.calendar.nth_working_day_after(day, 2)?;
                let id = format!("RM-{county}-{f}-SUB-{y}");
                let flow = Flow { id, fund, party: &county, purpose: "resident_subsidy", amount, sent, received: sent };
                self.remittance(flow, None, Keyed::default());
            }
        }
        Ok(())
    }

    /// Benefits paid from each agency's 支出户, by category, summing to the month's plan.
    fn payments(&mut self, m: u32, fund: &str) -> Result<(), CalendarError> {
        let y = self.year;
        let f = &fund[..1];
        let maternity = self.city.fund(fund).is_some_and(|x| x.includes_maternity);
        let cats = categories(maternity);
        let weights: Vec<u64> = cats.iter().map(|c| c.1).collect();
        for (n, party) in self.agencies.clone().into_iter().enumerate() {
            let Some(planned) = self.planned.get(&(party.clone(), fund.to_string())).map(|p| p[m as usize]) else {
                continue;
            };
            let parts = allocate_largest_remainder(Money::from_fen(planned), &weights).expect("weights are positive");
            for ((category, _, day), part) in cats.iter().zip(parts) {
                let id = format!("BP-{party}-{f}-{y}{m:02}-{category}");
                let paid_on = self.working(date(y, m, *day))?;
                let mut amount = part.fen();
                // Anomaly: in April one county's inpatient voucher says 0.01 more than the bank
                // paid; May reverses it in red and books it again.
                let slip = m == 4 && n == 4 && *category == "inpatient" && fund == "employee";
                if slip {
                    amount += 1;
                    self.bank_slip.insert(id.clone(), -1);
                    let county_book = BookCode::new(&party, fund);
                    let fix_day = self.working(date(y, 5, 4))?;
                    self.months[5].reversals.push(Reversal {
                        book: county_book.clone(),
                        event_id: id.clone(),
                        date: fix_day,
                        reason: format!("{id} 金额多记 0.01"),
                    });
                    let fix_id = format!("{id}-FIX");
                    self.no_bank_line.insert(fix_id.clone());
                    let name = self.city.short_name(&party);
                    self.push(
                        5,
                        Ev::new(&fix_id, "benefit_payment", fix_day, fund)
                            .with("ref", &id)
                            .with("party", &party)
                            .with("category", *category)
                            .with("amount", yuan(part.fen()))
                            .with("summary", format!("更正{}月{}住院统筹待遇", m, name)),
                    );
                    self.anomalies.push(Anomaly {
                        period: Period::new(y, 4).expect("valid"),
                        severity: "difference",
                        reference: id.clone(),
                        obligation: None,
                        description: format!("{name} 4月住院统筹待遇凭证比银行实付多记 0.01 元：支出户与银行金额不符、调节后余额不等；5月红字冲销并按实付重记后消除"),
                    });
                }
                self.push(
                    m as usize,
                    Ev::new(&id, "benefit_payment", paid_on, fund)
                        .with("party", &party)
                        .with("category", *category)
                        .with("amount", yuan(amount)),
                );
            }
        }
        Ok(())
    }

    /// Quarterly interest on the 20th: every 支出户, and the city 专户 (TS 11, 20).
    fn interest(&mut self, m: u32, fund: &str) -> Result<(), CalendarError> {
        let y = self.year;
        let f = &fund[..1];
        let day = date(y, m, 20);
        for party in self.agencies.clone() {
            let base = self.base(&party, fund);
            if base == 0 {
                continue;
            }
            let amount = self.rng.vary(base * 12 / 10_000, 900, 1100);
            self.push(
                m as usize,
                Ev::new(&format!("IC-{party}-{f}-{y}{m:02}"), "interest_credited", day, fund)
                    .with("party", &party)
                    .with("account", "expenditure")
                    .with("amount", yuan(amount)),
            );
        }
        let total: i64 = self.agencies.iter().map(|p| self.base(p, fund)).sum();
        let city = self.city_code.clone();
        let varied = self.rng.vary(total * 30 / 10_000, 900, 1100);
        let id = format!("IC-{city}-{f}-{y}{m:02}-special");
        self.push(
            m as usize,
            Ev::new(&id, "interest_credited", day, fund)
                .with("ref", &id)
                .with("party", &city)
                .with("account", "special")
                .with("amount", yuan(varied)),
        );
        let finance_id = format!("{id}-F");
        self.push(
            m as usize,
            Ev::new(&finance_id, "special_account_interest", day, fund).with("ref", &id).with("amount", yuan(varied)),
        );
        // Anomaly: June's employee 专户 interest is on the finance bureau's advice of the 20th but
        // the bank's June statement lacks the line; the bank posts it on July's first working day.
        if m == 6 && fund == "employee" {
            let bank_day = self.working(date(y, 7, 1))?;
            self.bank_later.insert(finance_id, bank_day);
            self.anomalies.push(Anomaly {
                period: Period::new(y, 6).expect("valid"),
                severity: "outstanding",
                reference: id.clone(),
                obligation: None,
                description: format!(
                    "6月财政专户结息 {id} 已入专户账，但银行6月对账单没有这一笔（银行 {bank_day} 才入账）：专户↔银行为未达账项，7月消除"
                ),
            });
        }
        Ok(())
    }

    /// Counties remit last quarter's 支出户 interest within the first five working days.
    fn interest_remittances(&mut self, m: u32, fund: &str) -> Result<(), CalendarError> {
        let y = self.year;
        let f = &fund[..1];
        let quarter_end = m - 1;
        let quarter = Period::new(y, quarter_end).expect("valid month");
        let day = self.calendar.nth_working_day_after(quarter.last_day(), 3)?;
        for county in self.counties.clone() {
            let credited = format!("IC-{county}-{f}-{y}{quarter_end:02}");
            let Some(amount) = self.months[quarter_end as usize]
                .events
                .iter()
                .find(|e| e.fields.get("id") == Some(&credited))
                .and_then(|e| e.fields.get("amount").cloned())
            else {
                continue;
            };
            let amount = Money::parse(&amount).map(|a| a.fen()).unwrap_or(0);
            let id = format!("RM-{county}-{f}-INT-{y}{quarter_end:02}");
            // Anomaly: in April the finance bureau keys the first county's interest remittance
            // 9.00 too high; May reverses it in red and books it again from the bank receipt.
            let slip = m == 4 && fund == "employee" && Some(&county) == self.counties.first();
            let keyed = Keyed { finance: if slip { 900 } else { 0 }, ..Keyed::default() };
            let flow = Flow {
                id: id.clone(),
                fund,
                party: &county,
                purpose: "expenditure_account_interest",
                amount,
                sent: day,
                received: day,
            };
            self.remittance(flow, None, keyed);
            if slip {
                let finance_id = format!("{id}-F");
                self.bank_slip.insert(finance_id.clone(), -900);
                self.finance_correction(&finance_id, &id, fund, &county, amount, "财政专户收县级上解利息多记 9.00")?;
                self.anomalies.push(Anomaly {
                    period: Period::new(y, 4).expect("valid"),
                    severity: "difference",
                    reference: id.clone(),
                    obligation: None,
                    description: format!(
                        "财政局把{} 4月上解的支出户利息 {id} 多记 9.00 元：财政专户↔市经办机构金额不符（专户与银行也不符）；5月红字冲销并按银行回单重记后消除",
                        self.city.short_name(&county)
                    ),
                });
            }
        }
        Ok(())
    }

    /// Insured persons moving in and out, and the refunds that go with collection.
    fn transfers(&mut self, m: u32, fund: &str) -> Result<(), CalendarError> {
        let y = self.year;
        let f = &fund[..1];
        let total: i64 = self.agencies.iter().map(|p| self.base(p, fund)).sum();
        let city = self.city_code.clone();
        let day = self.working(date(y, m, 8))?;
        let varied = self.rng.vary(total / 500, 800, 1200);
        let id = format!("TI-{city}-{f}-{y}{m:02}");
        self.push(
            m as usize,
            Ev::new(&id, "transfer_in", day, fund).with("ref", &id).with("party", &city).with("amount", yuan(varied)),
        );
        self.push(
            m as usize,
            Ev::new(&format!("{id}-F"), "special_account_receipt", day, fund)
                .with("ref", &id)
                .with("source", "transfer_income")
                .with("amount", yuan(varied)),
        );
        if self.counties.is_empty() {
            return Ok(());
        }
        let county = self.counties[(m as usize) % self.counties.len()].clone();
        let base = self.base(&county, fund);
        let day = self.working(date(y, m, 11))?;
        let varied = self.rng.vary(base / 1000, 800, 1200);
        self.push(
            m as usize,
            Ev::new(&format!("TO-{county}-{f}-{y}{m:02}"), "transfer_out", day, fund)
                .with("party", &county)
                .with("amount", yuan(varied)),
        );
        if m.is_multiple_of(2) {
            let day = self.working(date(y, m, 13))?;
            let varied = self.rng.vary(base / 2000, 800, 1200);
            self.push(
                m as usize,
                Ev::new(&format!("RF-{county}-{f}-{y}{m:02}"), "premium_refund", day, fund)
                    .with("party", &county)
                    .with("amount", yuan(varied)),
            );
        }
        if m % 3 == 2 {
            let day = self.working(date(y, m, 14))?;
            let varied = self.rng.vary(total / 20_000, 800, 1200);
            self.push(
                m as usize,
                Ev::new(&format!("TR-{city}-{f}-{y}{m:02}"), "transfer_in_refund", day, fund)
                    .with("party", &city)
                    .with("amount", yuan(varied)),
            );
        }
        Ok(())
    }

    /// Next month's funds before month-end; forwards to counties within one working day (TS 14).
    fn allocations(&mut self, m: u32, fund: &str) -> Result<(), CalendarError> {
        let y = self.year;
        let f = &fund[..1];
        let sent = self.before_month_end(m, 2)?;
        let received = self.calendar.nth_working_day_after(sent, 1)?;
        let statute = self.city.settings.forward_mode == crate::domain::city::ForwardMode::Statute;
        for (n, party) in self.agencies.clone().into_iter().enumerate() {
            let Some(amount) = self.planned.get(&(party.clone(), fund.to_string())).map(|p| p[m as usize + 1]) else {
                continue;
            };
            let id = format!("AL-{party}-{f}-{y}{m:02}");
            let county_index = n.checked_sub(1);
            // Anomaly: in June the third county keys its receipt of the allocation 100.00 short;
            // July reverses it in red and books it again at the bank's amount.
            let short_keyed = m == 6 && fund == "employee" && county_index == Some(2);
            // Anomaly: in August the city 支出户 passes the first county's allocation on three
            // working days after it arrived (TS 14 allows one).
            let late = m == 8 && fund == "employee" && county_index == Some(0) && statute;
            let (sent, received) = if late {
                let early = self.before_month_end(m, 6)?;
                (early, self.calendar.nth_working_day_after(early, 3)?)
            } else {
                (sent, received)
            };
            let keyed = Keyed { county: if short_keyed { -10_000 } else { 0 }, ..Keyed::default() };
            self.allocation(
                Flow { id: id.clone(), fund, party: &party, purpose: "monthly", amount, sent, received },
                keyed,
            );
            let name = self.city.short_name(&party);
            if short_keyed {
                let county_id = format!("{id}-R");
                self.bank_slip.insert(county_id.clone(), 10_000);
                let fix_day = self.working(date(y, 7, 3))?;
                self.months[7].reversals.push(Reversal {
                    book: BookCode::new(&party, fund),
                    event_id: county_id.clone(),
                    date: fix_day,
                    reason: format!("{county_id} 收到拨款少记 100.00"),
                });
                let fix_id = format!("{county_id}-FIX");
                self.no_bank_line.insert(fix_id.clone());
                self.push_dated(
                    Ev::new(&fix_id, "allocation_received", fix_day, fund)
                        .with("ref", &id)
                        .with("party", &party)
                        .with("purpose", "monthly")
                        .with("amount", yuan(amount))
                        .with("summary", "更正6月收市级拨付用款"),
                );
                self.anomalies.push(Anomaly {
                    period: Period::new(y, 6).expect("valid"),
                    severity: "difference",
                    reference: id.clone(),
                    obligation: None,
                    description: format!(
                        "{name} 把6月收到的市级拨款 {id} 少记 100.00 元：市经办机构↔县级经办机构拨款金额不符（县支出户与银行也不符）；7月红字冲销并重记后消除"
                    ),
                });
            }
            if late {
                self.anomalies.push(Anomaly {
                    period: Period::new(y, 8).expect("valid"),
                    severity: "deadline",
                    reference: id.clone(),
                    obligation: Some(("forward_to_county", party.clone())),
                    description: format!(
                        "市本级支出户 {sent} 收到{name}8月拨款 {id}，{received} 才转拨（{} 限 {} 个工作日）：期限监控显示逾期转拨",
                        self.rules.allocation.clause,
                        self.rules.allocation.forward_working_days
                    ),
                });
            }
        }
        Ok(())
    }

    /// The finance bureau corrects its own slip: its voucher of `finance_id` reversed in red on
    /// `fix_day`, and the county's remittance booked again at the bank's amount (the bank moved
    /// the money once, so the correction has no bank line).
    fn finance_correction(
        &mut self,
        finance_id: &str,
        reference: &str,
        fund: &str,
        county: &str,
        amount: i64,
        reason: &str,
    ) -> Result<(), CalendarError> {
        let fix_day = self.working(date(self.year, 5, 4))?;
        self.months[fix_day.month() as usize].reversals.push(Reversal {
            book: BookCode::new(&self.finance_code, fund),
            event_id: finance_id.to_string(),
            date: fix_day,
            reason: format!("{finance_id} {reason}"),
        });
        let fix_id = format!("{finance_id}-FIX");
        self.no_bank_line.insert(fix_id.clone());
        self.push_dated(
            Ev::new(&fix_id, "special_account_receipt", fix_day, fund)
                .with("ref", reference)
                .with("source", "county_remittance")
                .with("party", county)
                .with("amount", yuan(amount))
                .with("summary", "更正收县级上解支出户利息"),
        );
        Ok(())
    }

    /// Anomaly: the finance bureau books October's treasury transfer notice twice (the notice
    /// and its copy); November reverses the second voucher. The bank moved the money once.
    fn duplicate_receipt(
        &mut self,
        fund: &str,
        finance_id: &str,
        reference: &str,
        day: NaiveDate,
        amount: i64,
        late: i64,
    ) -> Result<(), CalendarError> {
        let duplicate = format!("{finance_id}-DUP");
        self.no_bank_line.insert(duplicate.clone());
        self.push_dated(
            Ev::new(&duplicate, "treasury_transfer_received", day, fund)
                .with("ref", reference)
                .with("amount", yuan(amount))
                .with("late_fees", yuan(late)),
        );
        let fix_day = self.working(date(self.year, 11, 2))?;
        self.months[11].reversals.push(Reversal {
            book: BookCode::new(&self.finance_code, fund),
            event_id: duplicate.clone(),
            date: fix_day,
            reason: format!("{duplicate} 与 {finance_id} 为同一国库划款通知，重复记账"),
        });
        self.anomalies.push(Anomaly {
            period: Period::new(self.year, 10).expect("valid"),
            severity: "difference",
            reference: reference.to_string(),
            obligation: None,
            description: format!(
                "财政局把10月国库划款通知 {reference} 记了两次：国库↔财政专户、财政专户↔市经办机构均为重复记账；11月红字冲销后消除"
            ),
        });
        Ok(())
    }

    /// Pre-pooling instruments mature and are remitted one for one, principal plus interest.
    fn maturities(&mut self, m: u32) -> Result<(), CalendarError> {
        for plan in self.instrument_plans() {
            if plan.matures_on.month() != m {
                continue;
            }
            let county = self.counties[plan.county].clone();
            let f = &plan.fund[..1];
            let opened = format!("OB-{county}-{f}-{}", plan.code);
            let principal = self.months[0]
                .events
                .iter()
                .find(|e| e.fields.get("id") == Some(&opened))
                .and_then(|e| e.fields.get("amount"))
                .and_then(|a| Money::parse(a).ok())
                .map(|a| a.fen())
                .unwrap_or(0);
            let years = i64::from(plan.matures_on.year() - plan.opened_on.year());
            let interest = principal * 225 * years / 10_000;
            let matured_on = self.working(plan.matures_on)?;
            self.push(
                m as usize,
                Ev::new(&format!("DM-{county}-{f}-{}", plan.code), "deposit_matured", matured_on, plan.fund)
                    .with("party", &county)
                    .with("instrument", plan.code)
                    .with("principal", yuan(principal))
                    .with("interest", yuan(interest)),
            );
            let (sent, received) = match plan.remit {
                Some(days) => days,
                None => {
                    let sent = self.calendar.nth_working_day_after(matured_on, 2)?;
                    (sent, sent)
                }
            };
            let id = format!("RM-{county}-{f}-{}", plan.code);
            if received.month() != sent.month() {
                self.anomalies.push(Anomaly {
                    period: Period::of(sent),
                    severity: "outstanding",
                    reference: id.clone(),
                    obligation: None,
                    description: format!(
                        "{} 到期存款 {} 本息于 {sent} 上解、{received} 到达市财政专户：月末在途，为未达账项，次月消除",
                        self.city.short_name(&county),
                        plan.code
                    ),
                });
            }
            let flow = Flow {
                id,
                fund: plan.fund,
                party: &county,
                purpose: "matured_deposit",
                amount: principal + interest,
                sent,
                received,
            };
            self.remittance(flow, Some(plan.code), Keyed::default());
        }
        Ok(())
    }

    /// The working day on or before `day`.
    fn on_or_before(&self, day: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut current = day;
        while !self.calendar.is_working_day(current)? {
            current = current.pred_opt().expect("valid date");
        }
        Ok(current)
    }

    /// Every agency's plan for each period — each quarter, made in the third month of the quarter
    /// before (TS 14), or each month, applied for in the month before (WH 三(四)) — submitted a
    /// day before the rule's submission day, combined by its combination day, approved and
    /// re-checked days later. One county's employee plan for July (its third quarter, or July
    /// itself) comes in two working days late.
    fn spending_plans(&mut self) -> Result<(), CalendarError> {
        let maternity = |fund: &str| self.city.fund(fund).is_some_and(|f| f.includes_maternity);
        let periods: Vec<Quarter> = match self.rules.plans.period {
            crate::domain::rules::PlanPeriod::Quarterly => {
                [(self.year, 1), (self.year, 2), (self.year, 3), (self.year, 4), (self.year + 1, 1)]
                    .into_iter()
                    .map(|(year, number)| Quarter::new(year, number))
                    .collect()
            }
            crate::domain::rules::PlanPeriod::Monthly => (1..=13)
                .map(|m| {
                    let (year, month) = if m == 13 { (self.year + 1, 1) } else { (self.year, m) };
                    Quarter::month(Period::new(year, month).expect("valid month"))
                })
                .collect(),
        };
        let july = Period::new(self.year, 7).expect("valid month");
        for quarter in periods {
            let planning = quarter.planning_month();
            let month_index = if planning.year < self.year { 0 } else { planning.month as usize };
            let fifteenth = quarter.submission_due(&self.rules.plans);
            let on_time = self.on_or_before(fifteenth.pred_opt().expect("valid"))?;
            let late = self.calendar.nth_working_day_after(fifteenth, 2)?;
            let combined_on = self.on_or_before(quarter.combination_due(&self.rules.plans))?.max(late);
            let approved_on = self.calendar.nth_working_day_after(combined_on, 2)?;
            let checked_on = self.calendar.nth_working_day_after(approved_on, 1)?;
            let months = quarter.months();
            let entries: Vec<PlanEntry> = self
                .planned
                .iter()
                .map(|((party, fund), planned)| {
                    let cats = categories(maternity(fund));
                    let weights: Vec<u64> = cats.iter().map(|c| c.1).collect();
                    let mut lines = Vec::new();
                    for month in &months {
                        // planned[1..=12] are this year's months, [13..] next year's.
                        let index = (month.year - self.year) as usize * 12 + month.month as usize;
                        let parts = allocate_largest_remainder(Money::from_fen(planned[index]), &weights)
                            .expect("weights are positive");
                        for ((category, _, _), amount) in cats.iter().zip(parts) {
                            lines.push(PlanLine { month: *month, category: category.to_string(), amount });
                        }
                    }
                    let total = Money::from_fen(lines.iter().map(|l| l.amount.fen()).sum());
                    let is_late =
                        months.first() == Some(&july) && fund == "employee" && self.counties.get(1) == Some(party);
                    PlanEntry {
                        party: party.clone(),
                        fund: fund.clone(),
                        quarter,
                        total,
                        lines,
                        submitted_on: if is_late { late } else { on_time },
                        combined_on,
                        approved_on,
                        checked_on,
                    }
                })
                .collect();
            self.months[month_index].plans.extend(entries);
        }
        Ok(())
    }

    /// Budgets: expenditure at the planned base for twelve months; income, for the city, the
    /// premiums and subsidies it expects, and for a county the premiums collected there and its
    /// matching subsidy. The next year's are 5% higher.
    fn budgets(&self) -> Vec<(i32, String, String, Money, Money)> {
        let mut out = Vec::new();
        for ((party, fund), planned) in &self.planned {
            let expenditure = planned[0] * 12;
            let income = if *party == self.city_code {
                let total: i64 = self.agencies.iter().map(|p| self.base(p, fund)).sum();
                total * 12 * 101 / 100
            } else {
                // JL 14/19: the premiums collected in the county (the city books them by county)
                // and, for residents, its matching subsidy, as the generator makes them.
                let insured = self.city.party(party).and_then(|p| p.population.get(fund)).copied().unwrap_or(0);
                if fund == "employee" {
                    planned[0] * 12 * 104 / 100
                } else {
                    planned[0] * 51 / 10 + insured as i64 * MATCHING_PER_CAPITA
                }
            };
            for (year, factor) in [(self.year, 100), (self.year + 1, 105)] {
                let round = |v: i64| v * factor / 100 / 100 * 100;
                out.push((
                    year,
                    party.clone(),
                    fund.clone(),
                    Money::from_fen(round(income)),
                    Money::from_fen(round(expenditure)),
                ));
            }
        }
        out
    }

    /// Bank statements of every agency 支出户 (1003) and of the finance bureau's 专户 (1011), from
    /// the vouchers the posting rules make of the year's events: each movement is a bank line
    /// under its reference, except corrections the bank never saw, the planted slips, lines the
    /// bank makes on a later day, and the pass-through legs of `statute` mode added as they are.
    fn derive_bank_statements(&mut self) {
        let mut lines: Vec<(usize, KeyedStatement)> = std::mem::take(&mut self.pass_through);
        let mut instruments = Instruments::new();
        for month in &self.months {
            for raw in &month.events {
                let Ok(event) = raw.parse() else { continue };
                let context = PostingContext {
                    city: self.city,
                    chart: self.chart,
                    instruments: &instruments,
                    freeze: self.rules.deposit_freeze.as_ref(),
                };
                let Ok(posting) = post_event(&event, &context) else { continue };
                for change in &posting.instruments {
                    change.apply(&mut instruments);
                }
                let opening = matches!(event.kind.name(), "opening_balance" | "special_account_opening");
                if opening || self.no_bank_line.contains(&event.id) {
                    continue;
                }
                for voucher in &posting.vouchers {
                    let account = if voucher.book.party == self.finance_code { "1011" } else { "1003" };
                    for line in voucher.lines.iter().filter(|l| l.account == account) {
                        let sign = if line.side == Side::Debit { 1 } else { -1 };
                        let slip = self.bank_slip.get(&event.id).copied().unwrap_or(0);
                        let amount = sign * line.amount.fen() + if sign < 0 { -slip } else { slip };
                        let direction = if amount >= 0 { "in" } else { "out" };
                        let reference = line.reference.clone().unwrap_or_else(|| event.id.clone());
                        let book = voucher.book.clone();
                        let day = self.bank_later.get(&event.id).copied().unwrap_or(voucher.date);
                        let index = if day.year() < self.year { 0 } else { day.month() as usize };
                        lines.push((
                            index,
                            KeyedStatement {
                                key: format!("{book}:{account}:{direction}:{reference}"),
                                line: StatementLine {
                                    source: Source::Bank,
                                    date: day,
                                    reference: Some(reference),
                                    fund: None,
                                    book: Some(book),
                                    account: Some(account.into()),
                                    kind: direction.into(),
                                    amount: Money::from_fen(amount.abs()),
                                },
                            },
                        ));
                    }
                }
            }
        }
        // Month 0 (the opening day) too: what moved on the opening day is in the bank's first
        // balance row, which the reconciliation starts from.
        for m in 0..=12usize {
            let mut month_lines: Vec<KeyedStatement> =
                lines.iter().filter(|(i, _)| *i == m).map(|(_, k)| k.clone()).collect();
            month_lines.sort_by(|a, b| (a.line.date, &a.key).cmp(&(b.line.date, &b.key)));
            for keyed in &month_lines {
                if let (Some(book), Some(account)) = (&keyed.line.book, &keyed.line.account) {
                    let sign = if keyed.line.kind == "in" { 1 } else { -1 };
                    *self.bank.entry((book.clone(), account.clone())).or_default() += sign * keyed.line.amount.fen();
                }
            }
            self.months[m].statements.extend(month_lines);
            let last = self.months[m].period.last_day();
            let accounts: Vec<(BookCode, String)> = self.bank.keys().cloned().collect();
            for (book, account) in accounts {
                self.bank_balance_row(m, &book, &account, last);
            }
        }
    }
}
