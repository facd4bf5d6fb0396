//! One table row per event kind: the event's fields and the exact lines it books, written as
//! `book date Dr|Cr account amount` — always in the one book of the party that records it.

use super::event::RawEvent;
use super::*;
use crate::domain::chart::Chart;
use crate::domain::city::City;
use crate::domain::voucher::test_periods;
use std::collections::BTreeMap;

fn city(mode: &str) -> City {
    let text = include_str!("../../fixtures/jingmen/city.toml")
        .replace("forward_mode = \"statute\"", &format!("forward_mode = \"{mode}\""));
    City::from_toml(&text).unwrap()
}

fn chart() -> Chart {
    Chart::from_toml(include_str!("../../fixtures/jingmen/chart.toml")).unwrap()
}

fn event(fields: &str) -> Event {
    let mut raw = RawEvent::default();
    for pair in fields.split_whitespace() {
        let (k, v) = pair.split_once('=').unwrap();
        raw.fields.insert(k.into(), v.into());
    }
    raw.fields.entry("id".into()).or_insert_with(|| "E1".into());
    raw.fields.entry("fund".into()).or_insert_with(|| "employee".into());
    raw.fields.entry("date".into()).or_insert_with(|| "2023-01-31".into());
    raw.parse().unwrap_or_else(|e| panic!("{fields}: {e:?}"))
}

/// The posting as one line per voucher line.
fn lines(posting: &Posting) -> Vec<String> {
    posting
        .vouchers
        .iter()
        .flat_map(|v| {
            v.lines.iter().map(move |l| {
                let side = if l.side == Side::Debit { "Dr" } else { "Cr" };
                format!("{} {} {side} {} {}", v.book, v.date, l.account, l.amount)
            })
        })
        .collect()
}

fn register() -> Instruments {
    let mut register = Instruments::new();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let held = |interest: Option<i64>, remitted| Instrument {
        principal: Money::from_fen(200_000_000),
        opened_on: d("2021-06-01"),
        matures_on: d("2023-06-01"),
        matured_interest: interest.map(Money::from_fen),
        remitted,
    };
    let key = |code: &str| ("shayang".to_string(), "employee".to_string(), code.to_string());
    register.insert(key("TD-OPEN"), held(None, false));
    register.insert(key("TD-DUE"), held(Some(5_500_000), false));
    register.insert(key("TD-DONE"), held(Some(5_500_000), true));
    register
}

fn post(mode: &str, fields: &str) -> Result<Posting, Vec<EventError>> {
    let city = city(mode);
    let chart = chart();
    let instruments = register();
    post_event(
        &event(fields),
        &PostingContext { city: &city, chart: &chart, instruments: &instruments, freeze: freeze().as_ref() },
    )
}

#[test]
fn each_event_kind_books_exactly_these_lines() {
    let table: Vec<(&str, Vec<&str>)> = vec![
        (
            "kind=opening_balance date=2022-12-31 party=city account=1004 amount=500.00",
            vec![
                "city/employee 2022-12-31 Dr 1004 500.00",
                "city/employee 2022-12-31 Cr 3001 500.00",
            ],
        ),
        (
            "kind=opening_balance date=2022-12-31 party=shayang account=1004 amount=300.00",
            vec!["shayang/employee 2022-12-31 Dr 1004 300.00", "shayang/employee 2022-12-31 Cr 3001 300.00"],
        ),
        (
            "kind=opening_balance date=2022-12-31 party=duodao account=1003 amount=20.00",
            vec!["duodao/employee 2022-12-31 Dr 1003 20.00", "duodao/employee 2022-12-31 Cr 3001 20.00"],
        ),
        (
            "kind=opening_balance date=2022-12-31 party=shayang account=1201 amount=100.00 instrument=BOND-1 opened_on=2021-03-01 matures_on=2024-03-01",
            vec!["shayang/employee 2022-12-31 Dr 1201 100.00", "shayang/employee 2022-12-31 Cr 3001 100.00"],
        ),
        (
            "kind=premium_receipts date=2023-02-01 period=2023-01 premiums=1000.00 late_fees=1.50 interest_subsidy=0.25",
            vec![
                "city/employee 2023-02-01 Dr 1005 1001.75",
                "city/employee 2023-02-01 Cr 4001.99 1000.00",
                "city/employee 2023-02-01 Cr 4801 1.50",
                "city/employee 2023-02-01 Cr 4801 0.25",
            ],
        ),
        (
            // TS 17: by the county where the premiums were collected, from the tax register.
            "kind=premium_receipts date=2023-02-01 period=2023-01 premiums=1000.00 by_county=city:600.00,shayang:399.99,qujialing:0.01",
            vec![
                "city/employee 2023-02-01 Dr 1005 1000.00",
                "city/employee 2023-02-01 Cr 4001.01 600.00",
                "city/employee 2023-02-01 Cr 4001.04 399.99",
                "city/employee 2023-02-01 Cr 4001.08 0.01",
            ],
        ),
        (
            "kind=treasury_transfer amount=1001.75 late_fees=1.75",
            vec![
                "city/employee 2023-01-31 Dr 1004 1001.75",
                "city/employee 2023-01-31 Cr 1005 1001.75",
            ],
        ),
        (
            "kind=fiscal_subsidy level=central amount=90.00",
            vec![
                "city/employee 2023-01-31 Dr 1004 90.00",
                "city/employee 2023-01-31 Cr 4101.01 90.00",
            ],
        ),
        (
            // TS 8, 20: the county's matching subsidy lands in the county 专户, in its books.
            "kind=fiscal_subsidy level=county_matching party=jingshan amount=12.00",
            vec!["jingshan/employee 2023-01-31 Dr 1004 12.00", "jingshan/employee 2023-01-31 Cr 4101.03 12.00"],
        ),
        (
            "kind=transfer_in party=city amount=7.00 notified_on=2023-02-01",
            vec!["city/employee 2023-02-01 Dr 1004 7.00", "city/employee 2023-02-01 Cr 4501 7.00"],
        ),
        (
            "kind=transfer_in party=zhongxiang amount=7.00",
            vec!["zhongxiang/employee 2023-01-31 Dr 1004 7.00", "zhongxiang/employee 2023-01-31 Cr 4501 7.00"],
        ),
        (
            "kind=remit_to_city party=shayang purpose=balance amount=1500.00",
            vec!["shayang/employee 2023-01-31 Dr 5301.01 1500.00", "shayang/employee 2023-01-31 Cr 1004 1500.00"],
        ),
        (
            "kind=remittance_received date=2023-02-01 party=shayang purpose=balance amount=1500.00",
            vec!["city/employee 2023-02-01 Dr 1004 1500.00", "city/employee 2023-02-01 Cr 4701.03 1500.00"],
        ),
        (
            "kind=remit_to_city party=jingshan purpose=expenditure_account_interest amount=3.21",
            vec!["jingshan/employee 2023-01-31 Dr 5301.05 3.21", "jingshan/employee 2023-01-31 Cr 1003 3.21"],
        ),
        (
            "kind=remit_to_city party=shayang purpose=matured_deposit instrument=TD-DUE amount=2055000.00",
            vec![
                "shayang/employee 2023-01-31 Dr 5301.06 2055000.00",
                "shayang/employee 2023-01-31 Cr 1004 2055000.00",
            ],
        ),
        (
            "kind=allocate_city_level amount=40.00 purpose=monthly",
            vec!["city/employee 2023-01-31 Dr 1003 40.00", "city/employee 2023-01-31 Cr 1004 40.00"],
        ),
        (
            "kind=allocate_to_county party=duodao amount=80.00 purpose=monthly",
            vec!["city/employee 2023-01-31 Dr 5201.02 80.00", "city/employee 2023-01-31 Cr 1004 80.00"],
        ),
        (
            "kind=allocation_received date=2023-02-01 party=duodao amount=80.00 purpose=monthly",
            vec!["duodao/employee 2023-02-01 Dr 1003 80.00", "duodao/employee 2023-02-01 Cr 4601 80.00"],
        ),
        // The finance bureau's own book of the 专户, from its own documents.
        (
            "kind=special_account_opening date=2022-12-31 amount=500.00",
            vec!["finance/employee 2022-12-31 Dr 1011 500.00", "finance/employee 2022-12-31 Cr 3001 500.00"],
        ),
        (
            "kind=treasury_transfer_received amount=1001.75 late_fees=1.75",
            vec![
                "finance/employee 2023-01-31 Dr 1011 1001.75",
                "finance/employee 2023-01-31 Cr 4001 1000.00",
                "finance/employee 2023-01-31 Cr 4801 1.75",
            ],
        ),
        (
            "kind=special_account_receipt source=central_subsidy amount=90.00",
            vec!["finance/employee 2023-01-31 Dr 1011 90.00", "finance/employee 2023-01-31 Cr 4101.01 90.00"],
        ),
        (
            "kind=special_account_receipt source=provincial_subsidy amount=9.00",
            vec!["finance/employee 2023-01-31 Dr 1011 9.00", "finance/employee 2023-01-31 Cr 4101.02 9.00"],
        ),
        (
            "kind=special_account_receipt source=transfer_income amount=7.00",
            vec!["finance/employee 2023-01-31 Dr 1011 7.00", "finance/employee 2023-01-31 Cr 4501 7.00"],
        ),
        (
            "kind=special_account_receipt source=county_remittance party=jingshan amount=3.21",
            vec!["finance/employee 2023-01-31 Dr 1011 3.21", "finance/employee 2023-01-31 Cr 4701.05 3.21"],
        ),
        (
            "kind=special_account_payment party=duodao amount=80.00 purpose=monthly",
            vec!["finance/employee 2023-01-31 Dr 1021 80.00", "finance/employee 2023-01-31 Cr 1011 80.00"],
        ),
        (
            "kind=special_account_payment party=city amount=40.00 purpose=reserve",
            vec!["finance/employee 2023-01-31 Dr 1021 40.00", "finance/employee 2023-01-31 Cr 1011 40.00"],
        ),
        (
            "kind=gap_payment party=shayang gap=management year=2023 amount=12.00",
            vec!["city/employee 2023-01-31 Dr 1004 12.00", "city/employee 2023-01-31 Cr 4101.04 12.00"],
        ),
        (
            // ZT 9: 120 一类 residents of 沙洋县, their premiums paid in full by medical aid.
            "kind=premium_sponsorship fund=resident class=class_1 persons=120 amount=45600.00 party=shayang",
            vec!["city/resident 2023-01-31 Dr 1005 45600.00", "city/resident 2023-01-31 Cr 4001.90 45600.00"],
        ),
        (
            "kind=gap_charge party=zhanghe year=2023 amount=7.00",
            vec!["city/employee 2023-01-31 Dr 1004 7.00", "city/employee 2023-01-31 Cr 4101.04 7.00"],
        ),
        (
            "kind=special_account_receipt source=gap_payment party=finance amount=30.00",
            vec!["finance/employee 2023-01-31 Dr 1011 30.00", "finance/employee 2023-01-31 Cr 4101.04 30.00"],
        ),
        (
            "kind=special_account_interest amount=5.00",
            vec!["finance/employee 2023-01-31 Dr 1011 5.00", "finance/employee 2023-01-31 Cr 4301.01 5.00"],
        ),
        (
            "kind=benefit_payment party=qujialing category=maternity_allowance amount=9.99",
            vec!["qujialing/employee 2023-01-31 Dr 5001.11 9.99", "qujialing/employee 2023-01-31 Cr 1003 9.99"],
        ),
        (
            "kind=benefit_payment party=city category=out_of_area amount=1.00",
            vec!["city/employee 2023-01-31 Dr 5001.06 1.00", "city/employee 2023-01-31 Cr 1003 1.00"],
        ),
        (
            "kind=transfer_out party=zhanghe amount=2.00",
            vec!["zhanghe/employee 2023-01-31 Dr 5101 2.00", "zhanghe/employee 2023-01-31 Cr 1003 2.00"],
        ),
        (
            "kind=premium_refund party=dongbao amount=3.00",
            vec!["dongbao/employee 2023-01-31 Dr 4001 3.00", "dongbao/employee 2023-01-31 Cr 1003 3.00"],
        ),
        (
            "kind=premium_refund party=city amount=3.00",
            vec!["city/employee 2023-01-31 Dr 4001.01 3.00", "city/employee 2023-01-31 Cr 1003 3.00"],
        ),
        (
            "kind=transfer_in_refund party=dongbao amount=4.00",
            vec!["dongbao/employee 2023-01-31 Dr 4501 4.00", "dongbao/employee 2023-01-31 Cr 1003 4.00"],
        ),
        (
            "kind=interest_credited party=city account=special amount=5.00",
            vec![
                "city/employee 2023-01-31 Dr 1004 5.00",
                "city/employee 2023-01-31 Cr 4301.01 5.00",
            ],
        ),
        (
            "kind=interest_credited party=shayang account=expenditure amount=6.00",
            vec!["shayang/employee 2023-01-31 Dr 1003 6.00", "shayang/employee 2023-01-31 Cr 4301.02 6.00"],
        ),
        (
            "kind=deposit_matured party=shayang instrument=TD-OPEN principal=2000000.00 interest=55000.00",
            vec![
                "shayang/employee 2023-01-31 Dr 1004 2055000.00",
                "shayang/employee 2023-01-31 Cr 1201 2000000.00",
                "shayang/employee 2023-01-31 Cr 4301.03 55000.00",
            ],
        ),
    ];
    for (fields, expected) in table {
        let posting = post("statute", fields).unwrap_or_else(|e| panic!("{fields}: {e:?}"));
        assert_eq!(lines(&posting), expected, "{fields}");
        // Marked with the party whose book it writes, it posts the same.
        let party = expected[0].split('/').next().unwrap();
        let marked = post("statute", &format!("{fields} by={party}")).unwrap_or_else(|e| panic!("{fields}: {e:?}"));
        assert_eq!(lines(&marked), expected, "{fields} by={party}");
    }
}

#[test]
fn pass_through_lands_in_the_city_expenditure_account_first() {
    let posting = post("pass_through", "kind=allocate_to_county party=duodao amount=80.00 purpose=monthly").unwrap();
    assert_eq!(
        lines(&posting),
        vec![
            "city/employee 2023-01-31 Dr 1003 80.00",
            "city/employee 2023-01-31 Cr 1004 80.00",
            "city/employee 2023-01-31 Dr 5201.02 80.00",
            "city/employee 2023-01-31 Cr 1003 80.00",
        ]
    );
    let ids: Vec<_> = posting.vouchers.iter().map(|v| v.external_id.clone().unwrap()).collect();
    assert_eq!(ids, vec!["E1", "E1/forward"]);
}

#[test]
fn instruments_open_mature_and_remit_once() {
    let opened = post(
        "statute",
        "kind=opening_balance date=2022-12-31 party=shayang account=1201 amount=1.00 instrument=B opened_on=2022-01-01 matures_on=2023-01-01",
    )
    .unwrap();
    assert!(
        matches!(&opened.instruments[0], InstrumentChange::Opened(key, i) if key.2 == "B" && i.principal == Money::from_fen(100))
    );
    let matured =
        post("statute", "kind=deposit_matured party=shayang instrument=TD-OPEN principal=2000000.00 interest=1.00")
            .unwrap();
    assert_eq!(
        matured.instruments,
        vec![InstrumentChange::Matured(("shayang".into(), "employee".into(), "TD-OPEN".into()), Money::from_fen(100))]
    );
}

/// One row per rejection rule: the event and the code it is refused with.
#[test]
fn each_rejection_rule() {
    let table = [
        ("kind=transfer_out party=shayang amount=1.00 fund=maternity", "FundNotPooled"),
        ("kind=transfer_out party=wuchang amount=1.00", "UnknownParty"),
        ("kind=transfer_out party=finance amount=1.00", "FinanceIsNeverNamed"),
        ("kind=premium_receipts period=2023-01 premiums=1.00 party=shayang", "PremiumsOnlyAtCity"),
        ("kind=remit_to_city party=city purpose=balance amount=1.00", "PartyMustBeCounty"),
        ("kind=allocate_to_county party=city purpose=monthly amount=1.00", "PartyMustBeCounty"),
        ("kind=fiscal_subsidy level=county_matching amount=1.00", "CountyMatchingNeedsCounty"),
        ("kind=fiscal_subsidy level=central party=shayang amount=1.00", "PartyOnlyForCountyMatching"),
        ("kind=benefit_payment party=shayang category=maternity_medical amount=1.00 fund=resident", "CategoryNotInFund"),
        ("kind=treasury_transfer amount=1.00 late_fees=1.01", "LateFeesExceedAmount"),
        ("kind=transfer_in party=city amount=1.00 notified_on=2023-01-30", "ReceivedBeforeSent"),
        ("kind=special_account_receipt source=county_remittance amount=1.00", "RemittanceNeedsCounty"),
        ("kind=special_account_receipt source=transfer_income party=shayang amount=1.00", "PartyOnlyForCountyRemittance"),
        ("kind=special_account_payment party=finance purpose=monthly amount=1.00", "FinanceIsNeverNamed"),
        ("kind=remittance_received party=city purpose=balance amount=1.00", "PartyMustBeCounty"),
        ("kind=gap_payment party=city gap=policy year=2023 amount=1.00", "GapPayerUnknown"),
        // A feed file marks each record with its party: the county cannot book the city's receipt.
        ("kind=remittance_received party=shayang purpose=balance amount=1.00 by=shayang", "RecordedByAnotherParty"),
        ("kind=gap_payment party=finance gap=management year=2023 amount=1.00", "ManagementGapIsTheCountys"),
        ("kind=special_account_receipt source=gap_payment amount=1.00", "GapPayerUnknown"),
        ("kind=gap_charge party=city year=2023 amount=1.00", "PartyMustBeCounty"),
        ("kind=premium_sponsorship class=class_2 persons=3 amount=1.00", "SponsorshipOnlyForResidents"),
        ("kind=allocation_received party=city purpose=monthly amount=1.00", "PartyMustBeCounty"),
        (
            "kind=opening_balance party=shayang account=1201 amount=1.00 instrument=X opened_on=2022-09-21 matures_on=2023-09-21",
            "OpenedDuringFreeze",
        ),
        (
            "kind=opening_balance party=shayang account=1201 amount=1.00 instrument=X opened_on=2022-12-31 matures_on=2023-12-31",
            "OpenedDuringFreeze",
        ),
        (
            "kind=opening_balance party=shayang account=1201 amount=1.00 instrument=TD-OPEN opened_on=2021-01-01 matures_on=2023-12-31",
            "InstrumentExists",
        ),
        ("kind=deposit_matured party=shayang instrument=NOPE principal=1.00 interest=1.00", "InstrumentNotFound"),
        ("kind=deposit_matured party=shayang instrument=TD-DUE principal=2000000.00 interest=1.00", "InstrumentAlreadyMatured"),
        ("kind=deposit_matured party=shayang instrument=TD-OPEN principal=1.00 interest=1.00", "PrincipalMismatch"),
        ("kind=remit_to_city party=shayang purpose=matured_deposit instrument=TD-OPEN amount=1.00", "InstrumentNotMatured"),
        ("kind=remit_to_city party=shayang purpose=matured_deposit instrument=TD-DONE amount=2055000.00", "InstrumentAlreadyRemitted"),
        ("kind=remit_to_city party=shayang purpose=matured_deposit instrument=TD-DUE amount=2000000.00", "MaturedRemittanceMismatch"),
    ];
    for (fields, code) in table {
        let errors = post("statute", fields).expect_err(fields);
        assert_eq!(errors.iter().map(|e| e.code()).collect::<Vec<_>>(), vec![code], "{fields}");
    }
    // The freeze is exactly 2022-09-21 to 2022-12-31.
    assert!(post("statute", "kind=opening_balance party=shayang account=1201 amount=1.00 instrument=X opened_on=2022-09-20 matures_on=2023-09-20").is_ok());
}

mod properties {
    //! Random valid event sequences: after each event every book balances, each fund's vouchers
    //! stay in that fund's books, and at every month end the inter-level accounts eliminate once
    //! money in transit is counted.

    use super::*;
    use crate::domain::balance::{trial_balance, PeriodTotals};
    use crate::domain::ids::Period;
    use crate::domain::voucher::{ClosedPeriods, LedgerRules};
    use proptest::prelude::*;

    const COUNTIES: [&str; 7] = ["dongbao", "duodao", "shayang", "zhongxiang", "jingshan", "zhanghe", "qujialing"];

    /// (kind index, party index, amount in fen, day of year, transit days, fund index, choice)
    type Seed = (u8, usize, i64, u32, u32, usize, usize);

    /// A flow between the city and a county: (remit or allocate, county, fund, sent, received, fen).
    type Pair = (&'static str, &'static str, &'static str, NaiveDate, NaiveDate, i64);

    /// The events of one seed: a flow between two offices is two events, one per side, the
    /// receiver's on its own (later) date.
    fn fields_of(seed: Seed, index: usize) -> (Vec<String>, Option<Pair>) {
        let (kind, party, fen, day, transit, fund, choice) = seed;
        let county = COUNTIES[party % COUNTIES.len()];
        let any = if party % 8 == 7 { "city" } else { county };
        let date = NaiveDate::from_yo_opt(2023, day).unwrap();
        let received = date + chrono::Duration::days(i64::from(transit));
        let amount = Money::from_fen(fen).to_string();
        let fund = ["employee", "resident"][fund % 2];
        let category = super::super::event::CATEGORIES[choice % 9];
        let purposes = [
            "balance",
            "resident_subsidy",
            "transfer_income",
            "special_account_interest",
            "expenditure_account_interest",
        ];
        let common = format!("fund={fund} ref=R{index}");
        match kind % 10 {
            0 => {
                let purpose = purposes[choice % 5];
                return (
                    vec![
                        format!("kind=remit_to_city party={county} purpose={purpose} amount={amount} id=E{index} date={date} {common}"),
                        format!("kind=remittance_received party={county} purpose={purpose} amount={amount} id=E{index}R date={received} {common}"),
                    ],
                    Some(("remit", county, fund, date, received, fen)),
                );
            }
            1 => {
                return (
                    vec![
                        format!("kind=allocate_to_county party={county} purpose=monthly amount={amount} id=E{index} date={date} {common}"),
                        format!("kind=allocation_received party={county} purpose=monthly amount={amount} id=E{index}R date={received} {common}"),
                    ],
                    Some(("allocate", county, fund, date, received, fen)),
                );
            }
            _ => {}
        }
        let body = match kind % 10 {
            2 => format!("kind=allocate_city_level purpose=reserve amount={amount}"),
            3 => format!("kind=benefit_payment party={any} category={category} amount={amount}"),
            4 => format!("kind=premium_receipts period=2023-01 premiums={amount} late_fees=0.01"),
            5 => format!("kind=treasury_transfer amount={amount}"),
            6 => format!("kind=fiscal_subsidy level=county_matching party={county} amount={amount}"),
            7 => format!("kind=transfer_in party={any} amount={amount}"),
            8 => format!(
                "kind=interest_credited party={any} account={} amount={amount}",
                ["special", "expenditure"][choice % 2]
            ),
            _ => format!("kind=premium_refund party={any} amount={amount}"),
        };
        (vec![format!("{body} id=E{index} date={date} fund={fund}")], None)
    }

    #[derive(Clone)]
    struct Booked {
        book: BookCode,
        date: NaiveDate,
        account: String,
        side: Side,
        amount: Money,
    }

    fn total(booked: &[Booked], book: &BookCode, account: &str, cutoff: NaiveDate, chart: &Chart) -> i64 {
        booked
            .iter()
            .filter(|b| &b.book == book && b.date <= cutoff && chart.is_within(&b.account, account))
            .map(|b| if b.side == Side::Debit { b.amount.fen() } else { -b.amount.fen() })
            .sum()
    }

    fn check_month_end(booked: &[Booked], pairs: &[Pair], cutoff: NaiveDate, chart: &Chart) {
        for fund in ["employee", "resident"] {
            let city = BookCode::new("city", fund);
            for (n, county) in COUNTIES.iter().enumerate() {
                let county_book = BookCode::new(county, fund);
                let sub = format!("{:02}", n + 1);
                // Sent by one side by the cutoff, not yet received by the other.
                let in_transit = |kind: &str| -> i64 {
                    pairs
                        .iter()
                        .filter(|p| p.0 == kind && p.1 == *county && p.2 == fund && p.3 <= cutoff && p.4 > cutoff)
                        .map(|p| p.5)
                        .sum()
                };
                // City 下级上解收入 for the county (credit) + in transit = the county's 上解上级支出.
                let city_4701 = -total(booked, &city, &format!("4701.{sub}"), cutoff, chart);
                let county_5301 = total(booked, &county_book, "5301", cutoff, chart);
                assert_eq!(city_4701 + in_transit("remit"), county_5301, "{fund} {county} remittances at {cutoff}");
                // City 补助下级支出 for the county = the county's 上级补助收入 + in transit.
                let city_5201 = total(booked, &city, &format!("5201.{sub}"), cutoff, chart);
                let county_4601 = -total(booked, &county_book, "4601", cutoff, chart);
                assert_eq!(city_5201, county_4601 + in_transit("allocate"), "{fund} {county} allocations at {cutoff}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn random_event_sequences_keep_every_invariant(
            seeds in proptest::collection::vec((0u8..10, 0usize..8, 1i64..100_000_000, 1u32..=360, 0u32..4, 0usize..2, 0usize..9), 1..40),
            pass_through in any::<bool>(),
        ) {
            let city = city(if pass_through { "pass_through" } else { "statute" });
            let chart = chart();
            let instruments = Instruments::new();
            let closed = ClosedPeriods::new();
            let periods = test_periods(&closed);
        let rules = LedgerRules { city: &city, chart: &chart, periods: &periods };
            let mut booked: Vec<Booked> = Vec::new();
            let mut pairs = Vec::new();
            for (index, seed) in seeds.into_iter().enumerate() {
                let (events, pair) = fields_of(seed, index);
                pairs.extend(pair);
                for fields in events {
                let event = event(&fields);
                let posting = post_event(&event, &PostingContext { city: &city, chart: &chart, instruments: &instruments, freeze: freeze().as_ref() })
                    .unwrap_or_else(|e| panic!("{event:?}: {e:?}"));
                for draft in posting.vouchers {
                    prop_assert_eq!(&draft.book.fund, &event.fund, "a voucher left its fund");
                    let voucher = rules.validate(draft).unwrap_or_else(|e| panic!("{event:?}: {e:?}"));
                    for line in voucher.lines() {
                        booked.push(Booked { book: voucher.book().clone(), date: voucher.date(), account: line.account.clone(), side: line.side, amount: line.amount });
                    }
                }
                // Every book balances: its trial balance ties.
                for book in city.books() {
                    let totals: Vec<PeriodTotals> = booked.iter().filter(|b| b.book == book).map(|b| PeriodTotals {
                        account: b.account.clone(),
                        period: Period::of(b.date),
                        debit: if b.side == Side::Debit { b.amount } else { Money::ZERO },
                        credit: if b.side == Side::Credit { b.amount } else { Money::ZERO },
                    }).collect();
                    let year = (Period::new(2023, 1).unwrap(), Period::new(2024, 1).unwrap());
                    prop_assert!(trial_balance(&chart, &totals, year.0, year.1).totals.ties(), "{} does not balance", book);
                }
                }
            }
            for month in 1..=12 {
                check_month_end(&booked, &pairs, Period::new(2023, month).unwrap().last_day(), &chart);
            }
        }
    }
}

/// The same month in both forward modes: every closing balance is the same, nothing is paid out
/// twice, and pass-through only adds turnover on the city 支出户 (in and straight out again).
#[test]
fn both_forward_modes_end_with_the_same_balances() {
    let month = [
        "kind=opening_balance date=2022-12-31 party=city account=1004 amount=10000.00",
        "kind=allocate_city_level date=2023-01-20 amount=300.00 purpose=reserve",
        "kind=allocate_to_county date=2023-01-20 party=shayang amount=1200.00 purpose=reserve",
        "kind=allocation_received date=2023-01-20 party=shayang amount=1200.00 purpose=reserve",
        "kind=allocate_to_county date=2023-01-30 party=jingshan amount=800.00 purpose=monthly",
        "kind=allocation_received date=2023-02-01 party=jingshan amount=800.00 purpose=monthly",
        "kind=benefit_payment date=2023-01-25 party=shayang category=inpatient amount=700.00",
        "kind=benefit_payment date=2023-01-26 party=city category=inpatient amount=100.00",
    ];
    let run = |mode: &str| {
        let city = city(mode);
        let chart = chart();
        let instruments = Instruments::new();
        let mut balances: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
        for (index, fields) in month.iter().enumerate() {
            let posting = post_event(
                &event(&format!("{fields} id=M{index}")),
                &PostingContext { city: &city, chart: &chart, instruments: &instruments, freeze: freeze().as_ref() },
            )
            .unwrap();
            for voucher in posting.vouchers {
                for line in voucher.lines {
                    let entry = balances.entry((voucher.book.to_string(), line.account)).or_default();
                    match line.side {
                        Side::Debit => entry.0 += line.amount.fen(),
                        Side::Credit => entry.1 += line.amount.fen(),
                    }
                }
            }
        }
        balances
    };
    let statute = run("statute");
    let pass_through = run("pass_through");
    let closing = |b: &BTreeMap<(String, String), (i64, i64)>| -> BTreeMap<(String, String), i64> {
        b.iter().map(|(k, (d, c))| (k.clone(), d - c)).filter(|(_, v)| *v != 0).collect()
    };
    assert_eq!(closing(&statute), closing(&pass_through));
    let key = |book: &str, account: &str| (book.to_string(), account.to_string());
    // 补助下级支出 is booked once: 1,200 + 800 in both modes.
    assert_eq!(statute[&key("city/employee", "5201.03")].0 + statute[&key("city/employee", "5201.05")].0, 200_000);
    assert_eq!(
        pass_through[&key("city/employee", "5201.03")].0 + pass_through[&key("city/employee", "5201.05")].0,
        200_000
    );
    // City 支出户: statute receives only its own 300; pass-through also passes 2,000 through.
    assert_eq!(statute[&key("city/employee", "1003")], (30_000, 10_000));
    assert_eq!(pass_through[&key("city/employee", "1003")], (230_000, 210_000));
    // The city 专户 pays out 300 + 1,200 + 800 in both modes.
    assert_eq!(statute[&key("city/employee", "1004")].1, 230_000);
    assert_eq!(pass_through[&key("city/employee", "1004")].1, 230_000);
}

/// Jingmen's deposit freeze (SS 五(三)1), from its rule set.
fn freeze() -> Option<crate::domain::rules::DepositFreeze> {
    crate::domain::rules::RuleSet::from_toml(include_str!("../../fixtures/jingmen/rules.toml")).unwrap().deposit_freeze
}
