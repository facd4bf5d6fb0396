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

fn jingmen_rules() -> crate::domain::rules::RuleSet {
    crate::domain::rules::RuleSet::from_toml(include_str!("../../fixtures/jingmen/rules.toml")).unwrap()
}

fn year() -> Year {
    let (city, chart) = jingmen();
    generate(&city, &chart, &jingmen_rules(), &Calendar::embedded(), 2023).unwrap()
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
            let posting = post_event(
                &event,
                &PostingContext { city: &city, chart: &chart, instruments: &instruments, freeze: freeze().as_ref() },
            )
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
    let events: Vec<&RawEvent> = y.months.iter().flat_map(|m| &m.events).collect();
    let received = |reference: &str| {
        events
            .iter()
            .find(|e| field(e, "kind") == "allocation_received" && field(e, "ref") == reference)
            .map(|e| day(e, "date"))
            .unwrap_or_else(|| panic!("no receipt of {reference}"))
    };
    let mut late_forwards = 0;
    for month in &y.months {
        for raw in &month.events {
            match (field(raw, "kind"), field(raw, "purpose")) {
                ("remit_to_city", "balance") => {
                    let date = day(raw, "date");
                    // The planted short remittance is completed in February.
                    assert!(date <= NaiveDate::from_ymd_opt(2023, 1, 20).unwrap() || field(raw, "id").ends_with("-2"));
                }
                ("allocate_to_county", "reserve") => {
                    assert!(received(field(raw, "ref")) <= NaiveDate::from_ymd_opt(2023, 1, 31).unwrap())
                }
                ("allocate_to_county", "monthly") => {
                    // Before month-end, forwarded within one working day (but for the planted one).
                    let sent = day(raw, "date");
                    if received(field(raw, "ref")) != calendar.nth_working_day_after(sent, 1).unwrap() {
                        late_forwards += 1;
                    }
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
    assert_eq!(late_forwards, 1, "one planted late forward");
}

/// Every flow between two offices is recorded by each of them, under the same bank serial, and
/// each event writes the books of one party only.
#[test]
fn each_office_records_its_own_side() {
    let (city, chart) = jingmen();
    let y = year();
    let events: Vec<&RawEvent> = y.months.iter().flat_map(|m| &m.events).collect();
    let with_ref = |kind: &str, reference: &str| {
        events.iter().filter(|e| field(e, "kind") == kind && field(e, "ref") == reference).count()
    };
    let mut flows = 0;
    for e in &events {
        let reference = field(e, "ref");
        match field(e, "kind") {
            "remit_to_city" => {
                assert_eq!(with_ref("remittance_received", reference), 1, "{reference}");
                // One, or two where the finance bureau corrected a slip after a red-ink reversal.
                assert!((1..=2).contains(&with_ref("special_account_receipt", reference)), "{reference}");
                flows += 1;
            }
            "allocate_to_county" => {
                assert!(with_ref("allocation_received", reference) >= 1, "{reference}");
                assert_eq!(with_ref("special_account_payment", reference), 1, "{reference}");
                flows += 1;
            }
            "allocate_city_level" => assert_eq!(with_ref("special_account_payment", reference), 1, "{reference}"),
            "treasury_transfer" => assert!(with_ref("treasury_transfer_received", reference) >= 1, "{reference}"),
            _ => {}
        }
    }
    assert!(flows > 150, "{flows} flows between offices");
    let mut instruments = Instruments::new();
    for raw in &events {
        let event = raw.parse().unwrap();
        let posting = post_event(
            &event,
            &PostingContext { city: &city, chart: &chart, instruments: &instruments, freeze: freeze().as_ref() },
        )
        .unwrap();
        for change in &posting.instruments {
            change.apply(&mut instruments);
        }
        let books: std::collections::BTreeSet<String> = posting.vouchers.iter().map(|v| v.book.party.clone()).collect();
        assert_eq!(books.len(), 1, "{} writes the books of {books:?}", event.id);
    }
}

#[test]
fn the_anomalies_are_listed_and_land_in_their_months() {
    let y = year();
    let month = |m| Period::new(2023, m).unwrap();
    assert_eq!(y.difference_months(), vec![month(4), month(6), month(9), month(10)]);
    let kinds: Vec<(&str, Period)> = y.anomalies.iter().map(|a| (a.severity, a.period)).collect();
    assert_eq!(
        kinds,
        vec![
            ("deadline", month(1)),
            ("difference", month(4)),
            ("difference", month(4)),
            ("outstanding", month(5)),
            ("outstanding", month(6)),
            ("difference", month(6)),
            ("deadline", month(8)),
            ("outstanding", month(8)),
            ("difference", month(9)),
            ("difference", month(10)),
        ]
    );
    // Corrections: April's two slips in May, June's in July, October's duplicate in November.
    let reversals: Vec<usize> = y.months.iter().map(|m| m.reversals.len()).collect();
    assert_eq!(reversals, vec![0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 1, 0]);
}

/// Jingmen's deposit freeze (SS 五(三)1), from its rule set.
fn freeze() -> Option<crate::domain::rules::DepositFreeze> {
    crate::domain::rules::RuleSet::from_toml(include_str!("../../fixtures/jingmen/rules.toml")).unwrap().deposit_freeze
}
