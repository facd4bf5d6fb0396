//! Four books that are really four (DOMAIN §2–3): each office records its own side of a flow,
//! and the pair's check finds where the sides disagree; every bank account, the finance
//! bureau's 专户 included, is reconciled with its bank; obligations are measured in money.

use crate::support::{Env, REVIEWER};
use serde_json::Value;

/// Posts a TOML file of events, already reviewed and posted.
fn post(env: &Env, name: &str, toml: &str) {
    let path = env.write(name, toml);
    env.ok(&["post", &path, "--post", "--reviewer", REVIEWER]);
}

fn event(id: &str, kind: &str, date: &str, fields: &[(&str, &str)]) -> String {
    let mut text = format!("\n[[event]]\nid = \"{id}\"\nkind = \"{kind}\"\ndate = {date}\nfund = \"employee\"\n");
    for (key, value) in fields {
        text.push_str(&format!("{key} = \"{value}\"\n"));
    }
    text
}

/// A county's remittance as each office records it: the county on `sent`, the city agency and
/// the finance bureau on `received` (a `None` leaves that side not yet booked).
fn remittance(id: &str, reference: &str, county: &str, amount: &str, sent: &str, received: Option<&str>) -> String {
    let fields = [("ref", reference), ("party", county), ("purpose", "balance"), ("amount", amount)];
    let mut text = event(id, "remit_to_city", sent, &fields);
    if let Some(day) = received {
        text += &event(&format!("{id}-R"), "remittance_received", day, &fields);
        text += &event(
            &format!("{id}-F"),
            "special_account_receipt",
            day,
            &[("ref", reference), ("source", "county_remittance"), ("party", county), ("amount", amount)],
        );
    }
    text
}

/// Jingmen with the city agency's and the finance bureau's own openings of the 专户 (matching
/// under one reference) and 沙洋县's, December 2022 reconciled and closed.
fn opened() -> Env {
    let env = Env::jingmen();
    let mut toml = event(
        "OB-CITY",
        "opening_balance",
        "2022-12-31",
        &[("party", "city"), ("account", "1004"), ("amount", "10000000.00")],
    );
    toml += &event("OB-FIN", "special_account_opening", "2022-12-31", &[("ref", "OB-CITY"), ("amount", "10000000.00")]);
    toml += &event(
        "OB-SY",
        "opening_balance",
        "2022-12-31",
        &[("party", "shayang"), ("account", "1004"), ("amount", "1000000.00")],
    );
    post(&env, "opening.toml", &toml);
    let run = env.run(&["reconcile", "--period", "2022-12"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    env.ok(&["close", "--period", "2022-12"]);
    env
}

fn reconcile(env: &Env, period: &str) -> Value {
    let run = env.run(&["reconcile", "--period", period, "--format", "json"]);
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn findings<'a>(report: &'a Value, reference: &str) -> Vec<&'a Value> {
    report["findings"].as_array().unwrap().iter().filter(|f| f["ref"] == reference).collect()
}

/// A finding of `check` that is an amount mismatch, naming each side's amount and voucher.
fn differs(finding: &Value, check: &str, ours: (&str, &str), theirs: (&str, &str)) {
    assert_eq!(finding["check"], check, "{finding:#}");
    assert_eq!((finding["kind"].as_str(), finding["severity"].as_str()), (Some("amount_mismatch"), Some("difference")));
    assert_eq!((finding["ours_amount"].as_str(), finding["theirs_amount"].as_str()), (Some(ours.0), Some(theirs.0)));
    assert_eq!(finding["ours"], serde_json::json!([ours.1]));
    assert_eq!(finding["theirs"], serde_json::json!([theirs.1]));
}

#[test]
fn each_pair_matches_agreeing_sides_and_names_both_references_when_they_disagree() {
    let env = opened();
    let mut january = String::new();
    // 沙洋县 remits 1,000.00; the city agency and the finance bureau each book the receipt.
    january += &remittance("RM-1", "BK-1", "shayang", "1000.00", "2023-01-10", Some("2023-01-10"));
    // An allocation whose receipt 掇刀区 keys 1.00 short.
    january += &event(
        "AL-1",
        "allocate_to_county",
        "2023-01-20",
        &[("ref", "ZF-1"), ("party", "duodao"), ("purpose", "monthly"), ("amount", "500.00")],
    );
    january += &event(
        "AL-1-F",
        "special_account_payment",
        "2023-01-20",
        &[("ref", "ZF-1"), ("party", "duodao"), ("purpose", "monthly"), ("amount", "500.00")],
    );
    january += &event(
        "AL-1-R",
        "allocation_received",
        "2023-01-20",
        &[("ref", "ZF-1"), ("party", "duodao"), ("purpose", "monthly"), ("amount", "499.00")],
    );
    // Transfer income the finance bureau keys as 30.00 where the city agency books 300.00.
    january += &event("TI-1", "transfer_in", "2023-01-16", &[("ref", "ZY-1"), ("party", "city"), ("amount", "300.00")]);
    january += &event(
        "TI-1-F",
        "special_account_receipt",
        "2023-01-16",
        &[("ref", "ZY-1"), ("source", "transfer_income"), ("amount", "30.00")],
    );
    // 沙洋县 remits on the 31st; the receipt is booked on February 1 by both receivers.
    january += &remittance("RM-2", "BK-2", "shayang", "200.00", "2023-01-31", None);
    post(&env, "january.toml", &january);

    let report = reconcile(&env, "2023-01");
    assert!(findings(&report, "BK-1").is_empty(), "the agreeing remittance matched: {report:#}");
    // (掇刀区's 支出户 also shows ZF-1 unmatched: no bank statement is on file in this test.)
    let allocation: Vec<_> = findings(&report, "ZF-1").into_iter().filter(|f| f["check"] == "city_county").collect();
    assert_eq!(allocation.len(), 1, "{allocation:#?}");
    // Numbers follow the order of entry: RR-1, AL-1, TI-1 in the city's book.
    differs(
        allocation[0],
        "city_county",
        ("500.00", "city/employee 记-2023-01-0002"),
        ("499.00", "duodao/employee 记-2023-01-0001"),
    );
    let transfer = findings(&report, "ZY-1");
    assert_eq!(transfer.len(), 1, "{transfer:#?}");
    differs(
        transfer[0],
        "finance_agency",
        ("30.00", "finance/employee 记-2023-01-0003"),
        ("300.00", "city/employee 记-2023-01-0003"),
    );
    // The receipt not yet booked at month-end is an outstanding item, in both pairs it touches.
    let transit = findings(&report, "BK-2");
    assert_eq!(transit.len(), 1, "{transit:#?}");
    assert_eq!(
        (transit[0]["check"].as_str(), transit[0]["severity"].as_str()),
        (Some("city_county"), Some("outstanding"))
    );
    assert_eq!(transit[0]["outstanding"], "ours_paid_theirs_not");

    // February: both receivers book BK-2, and the item clears.
    let february = remittance("RM-2", "BK-2", "shayang", "200.00", "2023-01-31", Some("2023-02-01"));
    post(&env, "february.toml", &february);
    let report = reconcile(&env, "2023-02");
    assert!(findings(&report, "BK-2").is_empty(), "{report:#}");
    let summary =
        report["summaries"].as_array().unwrap().iter().find(|s| s["check"] == "city_county" && s["fund"] == "employee");
    assert_eq!(summary.unwrap()["matched"], 1, "BK-2 matched in February");
}

#[test]
fn the_special_account_and_the_pass_through_are_reconciled_with_their_banks() {
    let env = opened();
    // The 专户's interest, booked 1.00 by both the finance bureau and the city agency.
    let mut february = event("JX-1", "special_account_interest", "2023-02-20", &[("ref", "JX-1"), ("amount", "1.00")]);
    february += &event(
        "JX-1-C",
        "interest_credited",
        "2023-02-20",
        &[("ref", "JX-1"), ("party", "city"), ("account", "special"), ("amount", "1.00")],
    );
    // Statute mode: the city books Cr 1004; the money passes through the city 支出户.
    for (id, county, day) in [("ZF-1", "duodao", "2023-02-20"), ("ZF-2", "jingshan", "2023-02-27")] {
        february += &event(
            id,
            "allocate_to_county",
            day,
            &[("ref", id), ("party", county), ("purpose", "monthly"), ("amount", "500.00")],
        );
        february += &event(
            &format!("{id}-F"),
            "special_account_payment",
            day,
            &[("ref", id), ("party", county), ("purpose", "monthly"), ("amount", "500.00")],
        );
    }
    post(&env, "february.toml", &february);
    let bank = env.write(
        "bank.csv",
        "date,ref,book,account,direction,amount\n\
         2022-12-31,,finance/employee,1011,balance,10000000.00\n\
         2023-02-20,JX-1,finance/employee,1011,in,0.50\n\
         2023-02-20,ZF-1,finance/employee,1011,out,500.00\n\
         2023-02-27,ZF-2,finance/employee,1011,out,500.00\n\
         2022-12-31,,city/employee,1003,balance,0.00\n\
         2023-02-20,ZF-1,city/employee,1003,in,500.00\n\
         2023-02-23,ZF-1,city/employee,1003,out,500.00\n\
         2023-02-27,ZF-2,city/employee,1003,in,500.00\n",
    );
    env.ok(&["statement", "import", "--source", "bank", &bank]);
    let report = reconcile(&env, "2023-02");
    // The 专户's bank credited 0.50 where the finance bureau booked 1.00.
    let interest = findings(&report, "JX-1");
    assert_eq!(interest.len(), 1, "{interest:#?}");
    assert_eq!(interest[0]["check"], "bank");
    assert_eq!(interest[0]["kind"], "amount_mismatch");
    assert!(interest[0]["scope"].as_str().unwrap().starts_with("finance/employee 1011"), "{:#}", interest[0]);
    assert_eq!(
        (interest[0]["ours_amount"].as_str(), interest[0]["theirs_amount"].as_str()),
        (Some("1.00"), Some("0.50"))
    );
    let statement = report["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scope"].as_str().unwrap().starts_with("finance/employee 1011"))
        .unwrap();
    assert_eq!(statement["equal"], false);
    // The pass-through in and out of ZF-1 is recognised as the allocation's; ZF-2 came in and
    // was still in the city 支出户 at month-end. (The counties have not booked their receipts,
    // which the city ↔ county pair lists as outstanding.)
    let bank = |reference: &str| -> Vec<Value> {
        findings(&report, reference).into_iter().filter(|f| f["check"] == "bank").cloned().collect()
    };
    assert!(bank("ZF-1").is_empty(), "{report:#}");
    let stuck = bank("ZF-2");
    assert_eq!(stuck.len(), 1, "{stuck:#?}");
    assert_eq!((stuck[0]["check"].as_str(), stuck[0]["severity"].as_str()), (Some("bank"), Some("difference")));
    assert!(stuck[0]["message"].as_str().unwrap().contains("月末仍未转拨至县级支出户"), "{:#}", stuck[0]);
    // The out leg three days after the in leg breaches TS 14's one working day.
    let run = env.run(&["deadlines", "--as-of", "2023-02-28", "--party", "duodao", "--format", "json"]);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let forward = json["obligations"].as_array().unwrap().iter().find(|o| o["kind"] == "forward_to_county").unwrap();
    assert_eq!(forward["due"], "2023-02-21");
    assert_eq!(forward["met_on"], "2023-02-23");
    assert_eq!((forward["status"].as_str(), forward["working_days"].as_u64()), (Some("met_late"), Some(2)));
}

#[test]
fn obligations_are_measured_in_money() {
    let env = opened();
    // 沙洋县 owes its whole 2022-12-31 专户 balance, 1,000,000.00, by January 20 (TS 9).
    let remit = event(
        "RM-1",
        "remit_to_city",
        "2023-01-10",
        &[("ref", "BK-1"), ("party", "shayang"), ("purpose", "balance"), ("amount", "1.00")],
    );
    post(&env, "remit.toml", &remit);
    let balance = |as_of: &str| {
        let run = env.run(&["deadlines", "--as-of", as_of, "--party", "shayang", "--format", "json"]);
        let json: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(run.code, 4, "{}", run.stdout);
        let found = json["obligations"].as_array().unwrap().iter().find(|o| o["kind"] == "balance_remittance").cloned();
        (json.clone(), found.unwrap())
    };
    // (Other obligations, e.g. the unsubmitted plans, are overdue here too, so `short` counts.)
    let (json, before) = balance("2023-01-19");
    assert_eq!(json["short"], 0, "short, but not yet due");
    assert_eq!(before["status"], "partly_met");
    let (json, after) = balance("2023-01-21");
    assert_eq!(json["short"], 1, "short after its date");
    assert_eq!((after["amount"].as_str(), after["done"].as_str()), (Some("1000000.00"), Some("1.00")));
    assert_eq!(after["shortfall"], "999999.00");
    let table = env.run(&["deadlines", "--as-of", "2023-01-21", "--party", "shayang"]);
    assert_eq!(table.code, 4);
    assert!(table.stdout.contains("部分完成 1 项（其中已过期限 1 项）"), "{}", table.stdout);
    assert!(table.stdout.contains("999,999.00"), "{}", table.stdout);

    // TS 8: the county's matching subsidy is June-end headcount × the per-capita standard.
    let before = env.fingerprint();
    let refused = env.run(&[
        "budget",
        "matching",
        "--year",
        "2023",
        "--party",
        "city",
        "--headcount",
        "1",
        "--per-capita",
        "40.00",
    ]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("不是本市的县（市、区）"), "{}", refused.stderr);
    let refused = env.run(&[
        "budget",
        "matching",
        "--year",
        "2023",
        "--party",
        "shayang",
        "--headcount",
        "1",
        "--per-capita",
        "40.001",
    ]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("--per-capita"), "{}", refused.stderr);
    assert_eq!(env.fingerprint(), before, "a refused basis changes nothing");
    let out = env.ok(&[
        "budget",
        "matching",
        "--year",
        "2023",
        "--party",
        "shayang",
        "--headcount",
        "463000",
        "--per-capita",
        "40.00",
    ]);
    assert!(out.contains("463000 人 × 人均 40.00 = 18,520,000.00"), "{out}");
    let matching = |as_of: &str| {
        let run = env.run(&["deadlines", "--as-of", as_of, "--party", "shayang", "--format", "json"]);
        let json: Value = serde_json::from_str(&run.stdout).unwrap();
        json["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == "county_matching_subsidy" && o["fund"] == "resident")
            .cloned()
            .unwrap()
    };
    assert_eq!(matching("2023-08-01")["amount"], "18520000.00");
    assert_eq!(matching("2023-08-01")["status"], "overdue");
    // It arrives in the county 专户 (the county books it) and is remitted on (TS 20).
    let mut subsidy = String::new();
    subsidy += &event(
        "FS-SY",
        "fiscal_subsidy",
        "2023-07-14",
        &[("level", "county_matching"), ("party", "shayang"), ("amount", "18520000.00")],
    )
    .replace("fund = \"employee\"", "fund = \"resident\"");
    subsidy += &event(
        "RM-SY-SUB",
        "remit_to_city",
        "2023-07-18",
        &[("ref", "BK-SUB"), ("party", "shayang"), ("purpose", "resident_subsidy"), ("amount", "18520000.00")],
    )
    .replace("fund = \"employee\"", "fund = \"resident\"");
    post(&env, "subsidy.toml", &subsidy);
    let met = matching("2023-08-01");
    assert_eq!(
        (met["status"].as_str(), met["met_on"].as_str(), met["shortfall"].as_str()),
        (Some("met"), Some("2023-07-18"), Some("0.00"))
    );
    let county = env.ok(&["trial-balance", "--book", "shayang/resident", "--period", "2023-07", "--format", "json"]);
    assert!(county.contains("\"4101.03\""), "the county books its matching subsidy: {county}");
}
