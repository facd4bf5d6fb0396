//! One table row per event kind: the event's fields and the exact lines it books in every
//! book it touches, written as `book date Dr|Cr account amount`.

use super::event::RawEvent;
use super::*;
use crate::domain::chart::Chart;
use crate::domain::city::City;

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
    post_event(&event(fields), &PostingContext { city: &city, chart: &chart, instruments: &instruments })
}

#[test]
fn each_event_kind_books_exactly_these_lines() {
    let table: Vec<(&str, Vec<&str>)> = vec![
        (
            "kind=opening_balance date=2022-12-31 party=city account=1004 amount=500.00",
            vec![
                "city/employee 2022-12-31 Dr 1004 500.00",
                "city/employee 2022-12-31 Cr 3001 500.00",
                "finance/employee 2022-12-31 Dr 1011 500.00",
                "finance/employee 2022-12-31 Cr 3001 500.00",
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
                "city/employee 2023-02-01 Cr 4001 1000.00",
                "city/employee 2023-02-01 Cr 4801 1.50",
                "city/employee 2023-02-01 Cr 4801 0.25",
            ],
        ),
        (
            "kind=treasury_transfer amount=1001.75 late_fees=1.75",
            vec![
                "city/employee 2023-01-31 Dr 1004 1001.75",
                "city/employee 2023-01-31 Cr 1005 1001.75",
                "finance/employee 2023-01-31 Dr 1011 1001.75",
                "finance/employee 2023-01-31 Cr 4001 1000.00",
                "finance/employee 2023-01-31 Cr 4801 1.75",
            ],
        ),
        (
            "kind=fiscal_subsidy level=central amount=90.00",
            vec![
                "city/employee 2023-01-31 Dr 1004 90.00",
                "city/employee 2023-01-31 Cr 4101.01 90.00",
                "finance/employee 2023-01-31 Dr 1011 90.00",
                "finance/employee 2023-01-31 Cr 4101.01 90.00",
            ],
        ),
        (
            "kind=fiscal_subsidy level=county_matching party=jingshan amount=12.00",
            vec![
                "city/employee 2023-01-31 Dr 1004 12.00",
                "city/employee 2023-01-31 Cr 4101.03 12.00",
                "finance/employee 2023-01-31 Dr 1011 12.00",
                "finance/employee 2023-01-31 Cr 4101.03 12.00",
            ],
        ),
        (
            "kind=transfer_in party=city amount=7.00",
            vec![
                "city/employee 2023-01-31 Dr 1004 7.00",
                "city/employee 2023-01-31 Cr 4501 7.00",
                "finance/employee 2023-01-31 Dr 1011 7.00",
                "finance/employee 2023-01-31 Cr 4501 7.00",
            ],
        ),
        (
            "kind=transfer_in party=zhongxiang amount=7.00",
            vec!["zhongxiang/employee 2023-01-31 Dr 1004 7.00", "zhongxiang/employee 2023-01-31 Cr 4501 7.00"],
        ),
        (
            "kind=remit_to_city party=shayang purpose=balance amount=1500.00 received_on=2023-02-01",
            vec![
                "shayang/employee 2023-01-31 Dr 5301.01 1500.00",
                "shayang/employee 2023-01-31 Cr 1004 1500.00",
                "city/employee 2023-02-01 Dr 1004 1500.00",
                "city/employee 2023-02-01 Cr 4701.03 1500.00",
                "finance/employee 2023-02-01 Dr 1011 1500.00",
                "finance/employee 2023-02-01 Cr 4701.03 1500.00",
            ],
        ),
        (
            "kind=remit_to_city party=jingshan purpose=expenditure_account_interest amount=3.21",
            vec![
                "jingshan/employee 2023-01-31 Dr 5301.05 3.21",
                "jingshan/employee 2023-01-31 Cr 1003 3.21",
                "city/employee 2023-01-31 Dr 1004 3.21",
                "city/employee 2023-01-31 Cr 4701.05 3.21",
                "finance/employee 2023-01-31 Dr 1011 3.21",
                "finance/employee 2023-01-31 Cr 4701.05 3.21",
            ],
        ),
        (
            "kind=remit_to_city party=shayang purpose=matured_deposit instrument=TD-DUE amount=2055000.00",
            vec![
                "shayang/employee 2023-01-31 Dr 5301.06 2055000.00",
                "shayang/employee 2023-01-31 Cr 1004 2055000.00",
                "city/employee 2023-01-31 Dr 1004 2055000.00",
                "city/employee 2023-01-31 Cr 4701.03 2055000.00",
                "finance/employee 2023-01-31 Dr 1011 2055000.00",
                "finance/employee 2023-01-31 Cr 4701.03 2055000.00",
            ],
        ),
        (
            "kind=allocate_city_level amount=40.00 purpose=monthly",
            vec![
                "city/employee 2023-01-31 Dr 1003 40.00",
                "city/employee 2023-01-31 Cr 1004 40.00",
                "finance/employee 2023-01-31 Dr 1021 40.00",
                "finance/employee 2023-01-31 Cr 1011 40.00",
            ],
        ),
        (
            "kind=allocate_to_county party=duodao amount=80.00 purpose=monthly received_on=2023-02-01",
            vec![
                "city/employee 2023-01-31 Dr 5201.02 80.00",
                "city/employee 2023-01-31 Cr 1004 80.00",
                "finance/employee 2023-01-31 Dr 1021 80.00",
                "finance/employee 2023-01-31 Cr 1011 80.00",
                "duodao/employee 2023-02-01 Dr 1003 80.00",
                "duodao/employee 2023-02-01 Cr 4601 80.00",
            ],
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
            "kind=transfer_in_refund party=dongbao amount=4.00",
            vec!["dongbao/employee 2023-01-31 Dr 4501 4.00", "dongbao/employee 2023-01-31 Cr 1003 4.00"],
        ),
        (
            "kind=interest_credited party=city account=special amount=5.00",
            vec![
                "city/employee 2023-01-31 Dr 1004 5.00",
                "city/employee 2023-01-31 Cr 4301.01 5.00",
                "finance/employee 2023-01-31 Dr 1011 5.00",
                "finance/employee 2023-01-31 Cr 4301.01 5.00",
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
            "finance/employee 2023-01-31 Dr 1021 80.00",
            "finance/employee 2023-01-31 Cr 1011 80.00",
            "duodao/employee 2023-01-31 Dr 1003 80.00",
            "duodao/employee 2023-01-31 Cr 4601 80.00",
        ]
    );
    let ids: Vec<_> = posting.vouchers.iter().map(|v| v.external_id.clone().unwrap()).collect();
    assert_eq!(ids, vec!["E1", "E1/forward", "E1", "E1"]);
}

#[test]
fn instruments_open_mature_and_remit_once() {
    let opened = post(
        "statute",
        "kind=opening_balance date=2022-12-31 party=shayang account=1201 amount=1.00 instrument=B opened_on=2022-01-01 matures_on=2023-01-01",
    )
    .unwrap();
    assert!(matches!(&opened.instruments[0], InstrumentChange::Opened(key, i) if key.2 == "B" && i.principal == Money::from_fen(100)));
    let matured =
        post("statute", "kind=deposit_matured party=shayang instrument=TD-OPEN principal=2000000.00 interest=1.00").unwrap();
    assert_eq!(matured.instruments, vec![InstrumentChange::Matured(("shayang".into(), "employee".into(), "TD-OPEN".into()), Money::from_fen(100))]);
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
        ("kind=remit_to_city party=shayang purpose=balance amount=1.00 received_on=2023-01-30", "ReceivedBeforeSent"),
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
