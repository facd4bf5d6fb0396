//! Quarters, the workflow, plan checks, the deposit's rounding and the allocation dates.

use super::*;

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

#[test]
fn quarters_and_their_due_dates() {
    let q2 = Quarter::parse("2023Q2").unwrap();
    assert_eq!(q2.months().iter().map(|m| m.to_string()).collect::<Vec<_>>(), ["2023-04", "2023-05", "2023-06"]);
    // A city that plans by month (WH 三(四)): one month, planned in the month before.
    let april = Quarter::parse("2023-04").unwrap();
    assert_eq!((april.to_string(), april.months().len()), ("2023-04".to_string(), 1));
    assert_eq!(april.planning_month().to_string(), "2023-03");
    let rules = jingmen_rules();
    assert_eq!((q2.submission_due(&rules.plans), q2.combination_due(&rules.plans)), (d("2023-03-15"), d("2023-03-20")));
    let q1 = Quarter::parse("2023Q1").unwrap();
    assert_eq!(q1.submission_due(&rules.plans), d("2022-12-15"));
    assert_eq!(Quarter::of(Period::new(2023, 11).unwrap()).to_string(), "2023Q4");
    for bad in ["2023Q5", "2023-Q1", "Q1", "2023q1"] {
        assert!(Quarter::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_workflow_goes_one_way_in_order() {
    assert_eq!(advance(PlanStatus::Draft, Step::Submit), Ok(PlanStatus::Submitted));
    assert_eq!(advance(PlanStatus::Submitted, Step::Combine), Ok(PlanStatus::Combined));
    assert_eq!(advance(PlanStatus::Combined, Step::Approve), Ok(PlanStatus::Approved));
    assert_eq!(advance(PlanStatus::Approved, Step::Check), Ok(PlanStatus::Checked));
    assert_eq!(advance(PlanStatus::Submitted, Step::Submit), Err("计划已提交，不能重复提交".into()));
    assert_eq!(
        advance(PlanStatus::Submitted, Step::Approve),
        Err("计划当前为已提交，须先由市级经办机构汇总才能审核".into())
    );
    assert_eq!(advance(PlanStatus::Draft, Step::Check), Err("计划当前为草稿，须先经医保局审核才能复核".into()));
}

#[test]
fn the_deposit_rounds_half_away_from_zero() {
    // 20‰ of 0.25 is 0.005 → 0.01; of 0.24 is 0.0048 → 0.00; of 20,000,000.00 is 400,000.00.
    assert_eq!(withheld(Money::from_fen(25), 20), Money::from_fen(1));
    assert_eq!(withheld(Money::from_fen(24), 20), Money::ZERO);
    assert_eq!(withheld(Money::from_fen(2_000_000_000), 20), Money::from_fen(40_000_000));
}

#[test]
fn allocation_events_arrive_before_month_end_and_are_forwarded_next_working_day() {
    let city = City::from_toml(include_str!("../../fixtures/jingmen/city.toml")).unwrap();
    let calendar = Calendar::embedded();
    let line = |month: u32, fen: i64| PlanLine {
        month: Period::new(2023, month).unwrap(),
        category: "inpatient".into(),
        amount: Money::from_fen(fen),
    };
    let plan = Plan {
        id: 1,
        party: "shayang".into(),
        fund: "employee".into(),
        quarter: Quarter::parse("2023Q4").unwrap(),
        total: Money::from_fen(600),
        status: PlanStatus::Checked,
        lines: vec![line(10, 100), line(11, 200), line(12, 300)],
        submitted: None,
        combined: None,
        approved: None,
        checked: None,
    };
    let events = allocation_events(&plan, &city, 0, &calendar).unwrap();
    let view: Vec<(String, String, String)> = events
        .iter()
        .map(|e| (e.fields["date"].clone(), e.fields["ref"].clone(), e.fields["amount"].clone()))
        .collect();
    // October's funds: September's last working day is Thu 28th (29th on is the holiday) →
    // Tue 26th. November's: October's last is Tue 31st → Fri 27th. December's: November's last
    // is Thu 30th → Tue 28th. The payment order number (ref) is what the other sides record.
    assert_eq!(
        view,
        vec![
            ("2023-09-26".into(), "PLAN-shayang-employee-2023-10".into(), "1.00".into()),
            ("2023-10-27".into(), "PLAN-shayang-employee-2023-11".into(), "2.00".into()),
            ("2023-11-28".into(), "PLAN-shayang-employee-2023-12".into(), "3.00".into()),
        ]
    );
}

fn jingmen_rules() -> crate::domain::rules::RuleSet {
    crate::domain::rules::RuleSet::from_toml(include_str!("../../fixtures/jingmen/rules.toml")).unwrap()
}

fn wuhan_rules() -> crate::domain::rules::RuleSet {
    crate::domain::rules::RuleSet::from_toml(include_str!("../../fixtures/wuhan/rules.toml")).unwrap()
}

/// The same opening balances judged under each city's own rules: each obligation's due date
/// and clause come from the city's rule set, and what a city's 方案 does not have is not due.
#[test]
fn one_year_judged_under_each_citys_rules() {
    use super::deadlines::{obligations, Input};
    let city = crate::domain::city::City::from_toml(include_str!("../../fixtures/wuhan/city.toml")).unwrap();
    let calendar = Calendar::embedded();
    let opening = |party: &str, amount: &str| {
        let mut raw = RawEvent::default();
        for (k, v) in [
            ("id", format!("OB-{party}")),
            ("kind", "opening_balance".into()),
            ("date", "2022-12-31".into()),
            ("fund", "employee".into()),
            ("party", party.into()),
            ("account", "1004".into()),
            ("amount", amount.into()),
        ] {
            raw.fields.insert(k.into(), v);
        }
        raw.parse().unwrap()
    };
    let events = vec![opening("caidian", "200000000.00"), opening("city", "900000000.00")];
    let mut budgets = super::schedule::Budgets::new();
    budgets.insert((2023, "caidian".into(), "employee".into()), (Money::ZERO, Money::from_fen(60_000_000_000)));
    let judge = |rules: &crate::domain::rules::RuleSet| {
        let input = Input {
            city: &city,
            rules,
            calendar: &calendar,
            as_of: d("2023-02-10"),
            events: &events,
            plans: &[],
            budgets: &budgets,
            instruments: &Default::default(),
            closed_on: &[],
            bank_lines: &[],
            matching_basis: &[],
        };
        let list = obligations(&input).unwrap();
        let of = |kind: &str| -> Vec<(String, String, Option<String>)> {
            list.iter()
                .filter(|o| o.kind == kind && o.party == "caidian")
                .map(|o| (o.due.to_string(), o.rule.clone(), o.amount.map(|a| a.to_string())))
                .collect()
        };
        (of("balance_remittance"), of("reserve_allocation"), of("plan_submission").len())
    };
    // (kind, city's rules) → (due, clause, amount)
    let (balance, reserve, plans) = judge(&jingmen_rules());
    assert_eq!(balance, vec![("2023-01-20".into(), "TS 9".into(), Some("200000000.00".into()))]);
    assert_eq!(reserve, vec![("2023-01-31".into(), "TS 9".into(), Some("50000000.00".into()))], "600,000,000 / 12");
    assert_eq!(plans, 5, "four quarters and next year's first (TS 14)");
    let (balance, reserve, plans) = judge(&wuhan_rules());
    // WH 三(三): by 2022-12-31, keeping three months of 50,000,000.
    assert_eq!(balance, vec![("2022-12-31".into(), "WH 三(三)".into(), Some("50000000.00".into()))]);
    assert_eq!(reserve, vec![], "no 备付金 sent down under WH");
    assert_eq!(plans, 13, "twelve monthly applications and next January's (WH 三(四))");
}
