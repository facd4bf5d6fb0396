//! The generated year: deterministic, every event valid, magnitudes and timing as promised.

use super::*;
use crate::posting::{post_event, Instruments, PostingContext};
use crate::reconcile::Source;
use chrono::NaiveDate;

fn jingmen() -> (City, Chart) {
    (
        City::from_toml(include_str!("../../fixtures/jingmen/city.toml")).unwrap(),
        Chart::from_toml(include_str!("../../fixtures/jingmen/chart.toml")).unwrap(),
    )
}

fn year() -> Year {
    let (city, chart) = jingmen();
    generate(&city, &chart, &Calendar::embedded(), 2023).unwrap()
}

fn field<'a>(raw: &'a RawEvent, name: &str) -> &'a str {
    raw.fields.get(name).map(String::as_str).unwrap_or("")
}

fn day(raw: &RawEvent, name: &str) -> NaiveDate {
    NaiveDate::parse_from_str(field(raw, name), "%Y-%m-%d").unwrap()
}

#[test]
fn the_same_city_and_year_give_the_same_scenario() {
    assert_eq!(year(), year());
}

#[test]
fn every_event_parses_and_posts_in_order() {
    let (city, chart) = jingmen();
    let y = year();
    let mut instruments = Instruments::new();
    let mut count = 0;
    for month in &y.months {
        for raw in &month.events {
            let event = raw.parse().unwrap_or_else(|e| panic!("{raw:?}: {e:?}"));
            assert_eq!(
                crate::domain::ids::Period::of(event.date),
                month.period,
                "{} filed in the wrong month",
                event.id
            );
            let posting = post_event(&event, &PostingContext { city: &city, chart: &chart, instruments: &instruments })
                .unwrap_or_else(|e| panic!("{}: {e:?}", event.id));
            for change in &posting.instruments {
                change.apply(&mut instruments);
            }
            count += 1;
        }
    }
    assert!(count > 1500, "a city's year has {count} events");
    // Every pre-pooling instrument matured and was remitted.
    assert!(instruments.values().all(|i| i.remitted), "{instruments:?}");
}

#[test]
fn magnitudes_are_a_city_year() {
    let y = year();
    let treasury: i64 = y.months[1..]
        .iter()
        .flat_map(|m| &m.statements)
        .filter(|s| {
            s.line.source == Source::Treasury && s.line.kind == "received" && s.line.fund.as_deref() == Some("employee")
        })
        .map(|s| s.line.amount.fen())
        .sum();
    // Employee premiums of the year: in the low billions of 元.
    assert!((150_000_000_000..500_000_000_000).contains(&treasury), "{treasury}");
    let shayang_jan: i64 = y.months[1]
        .events
        .iter()
        .filter(|e| {
            field(e, "kind") == "benefit_payment" && field(e, "party") == "shayang" && field(e, "fund") == "employee"
        })
        .map(|e| crate::money::Money::parse(field(e, "amount")).unwrap().fen())
        .sum();
    // A county spends tens of millions a month.
    assert!((1_000_000_000..10_000_000_000).contains(&shayang_jan), "{shayang_jan}");
}

#[test]
fn timing_follows_the_timetable() {
    let calendar = Calendar::embedded();
    let y = year();
    for month in &y.months {
        for raw in &month.events {
            match (field(raw, "kind"), field(raw, "purpose")) {
                ("remit_to_city", "balance") => {
                    assert!(day(raw, "date") <= NaiveDate::from_ymd_opt(2023, 1, 20).unwrap())
                }
                ("allocate_to_county", "reserve") => {
                    assert!(day(raw, "received_on") <= NaiveDate::from_ymd_opt(2023, 1, 31).unwrap())
                }
                ("allocate_to_county", "monthly") => {
                    // Before month-end, forwarded within one working day.
                    let sent = day(raw, "date");
                    assert_eq!(day(raw, "received_on"), calendar.nth_working_day_after(sent, 1).unwrap());
                    assert!(sent < calendar.last_working_day(2023, month.period.month).unwrap());
                }
                ("remit_to_city", "expenditure_account_interest") => {
                    let sent = day(raw, "date");
                    let quarter_end = month.period.previous().last_day();
                    assert!(sent <= calendar.nth_working_day_after(quarter_end, 5).unwrap(), "{raw:?}");
                }
                _ => {}
            }
        }
    }
}

#[test]
fn the_anomalies_are_listed_and_land_in_april_and_september() {
    let y = year();
    assert_eq!(y.difference_months(), vec![Period::new(2023, 4).unwrap(), Period::new(2023, 9).unwrap()]);
    assert_eq!(y.anomalies.len(), 4);
    assert_eq!(y.months[5].reversals.len(), 1, "May reverses April's slip");
}
