//! Business events through the real binary: one snapshot of the rendered vouchers per event
//! kind, the rejection catalogue, idempotency, and a city that pools one fund only.

use crate::support::{fixture, Env, REVIEWER};

/// Jingmen with the base events posted and December 2022 closed.
fn base() -> Env {
    let env = Env::jingmen();
    let out = env.ok(&["post", &fixture("tests/events/base.toml"), "--post", "--reviewer", REVIEWER]);
    assert!(out.starts_with("已记录 8 个事件，生成 8 张凭证（已记账）；已存在未重复记录 0 个\n"), "{out}");
    // The opening month reconciles clean (the finance bureau's own opening matches the city
    // agency's 1004 under the same reference), so it closes.
    env.ok(&["reconcile", "--period", "2022-12"]);
    env.ok(&["close", "--period", "2022-12"]);
    env
}

#[test]
fn each_event_kind_renders_its_vouchers() {
    let env = base();
    let cases: &[(&str, &str)] = &[
        ("opening_balance", "--id OB-JS-R --date 2023-01-01 --fund resident --party jingshan --account 1003 --amount 200000.00"),
        ("premium_receipts", "--id PR-2302-E --date 2023-03-01 --fund employee --period 2023-02 --premiums 98765432.10 --late_fees 1234.56 --ref TAX-2302"),
        ("treasury_transfer", "--id TT-2303-E --date 2023-03-03 --fund employee --amount 98766666.66 --late_fees 1234.56 --ref TRE-2303"),
        ("fiscal_subsidy", "--id FS-2303-R --date 2023-03-15 --fund resident --level central --amount 12000000.00 --ref CZ-2303"),
        ("transfer_in", "--id TI-ZX-1 --date 2023-03-16 --fund employee --party zhongxiang --amount 45678.90 --ref ZY-88"),
        ("remit_to_city", "--id RM-SY-E --date 2023-01-31 --fund employee --party shayang --purpose balance --amount 1500000.00 --ref BANK-SY-0131"),
        ("remittance_received", "--id RR-SY-E --date 2023-02-01 --fund employee --party shayang --purpose balance --amount 1500000.00 --ref BANK-SY-0131"),
        ("allocate_city_level", "--id AC-2301-E --date 2023-01-20 --fund employee --amount 3000000.00 --purpose reserve --ref ZF-0120"),
        ("allocate_to_county", "--id AL-DD-E --date 2023-01-20 --fund employee --party duodao --amount 2400000.00 --purpose reserve --ref ZF-0121"),
        ("allocation_received", "--id AR-DD-E --date 2023-01-28 --fund employee --party duodao --amount 2400000.00 --purpose reserve --ref ZF-0121"),
        ("treasury_transfer_received", "--id TT-2303-F --date 2023-03-03 --fund employee --amount 98766666.66 --late_fees 1234.56 --ref TRE-2303"),
        ("special_account_receipt", "--id FS-2303-F --date 2023-03-15 --fund resident --source central_subsidy --amount 12000000.00 --ref CZ-2303"),
        ("special_account_payment", "--id AL-DD-F --date 2023-01-20 --fund employee --party duodao --amount 2400000.00 --purpose reserve --ref ZF-0121"),
        ("special_account_interest", "--id IC-F-Q1 --date 2023-03-20 --fund employee --amount 8765.43 --ref JX-2303"),
        ("benefit_payment", "--id BP-SY-0325 --date 2023-03-25 --fund employee --party shayang --category inpatient --amount 321456.78 --summary 支付3月住院统筹待遇"),
        ("transfer_out", "--id TO-1 --date 2023-03-26 --fund employee --party dongbao --amount 8800.00"),
        ("premium_refund", "--id RF-1 --date 2023-03-27 --fund resident --party zhanghe --amount 380.00"),
        ("transfer_in_refund", "--id TR-1 --date 2023-03-28 --fund employee --party city --amount 1200.00"),
        ("interest_credited", "--id IC-SY-Q1 --date 2023-03-20 --fund employee --party shayang --account expenditure --amount 1234.56"),
        ("deposit_matured", "--id DM-SY-TD --date 2023-07-01 --fund employee --party shayang --instrument TD-2021-07 --principal 2000000.00 --interest 82500.00"),
    ];
    for (kind, fields) in cases {
        let mut args = vec!["event", kind];
        args.extend(fields.split(' '));
        insta::assert_snapshot!(format!("event_{kind}"), env.ok(&args));
    }
    // The matured bond is remitted one for one, principal plus interest.
    let out = env.ok(&[
        "event",
        "remit_to_city",
        "--id",
        "RM-SY-BOND",
        "--date",
        "2023-03-14",
        "--fund",
        "employee",
        "--party",
        "shayang",
        "--purpose",
        "matured_deposit",
        "--instrument",
        "BOND-2020-3Y",
        "--amount",
        "539750.00",
        "--ref",
        "BANK-SY-0314",
    ]);
    insta::assert_snapshot!("event_remit_to_city_matured_deposit", out);
}

#[test]
fn each_bad_event_is_refused_with_its_message_and_nothing_written() {
    let env = base();
    let before = env.fingerprint();
    insta::glob!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/event_rejections"), "*.*", |path| {
        let file = path.display().to_string();
        let run = env.run(&["post", &file]);
        assert_eq!(run.code, 1, "{file} was not refused: {}", run.stdout);
        assert_eq!(env.fingerprint(), before, "{file} changed the database");
        let dir = path.parent().unwrap().display().to_string();
        insta::assert_snapshot!(run.stderr.replace(&dir, "tests/event_rejections"));
    });
}

#[test]
fn posting_the_same_events_again_is_a_no_op() {
    let env = base();
    let before = env.fingerprint();
    let base = fixture("tests/events/base.toml");
    let out = env.ok(&["post", &base]);
    assert!(out.ends_with("导入过（导入批次 #1，文件 base.toml，8 行）：本次没有写入任何内容\n"), "{out}");
    assert_eq!(env.fingerprint(), before);
    // The same events in another file: each is already present by its id.
    let copy = env.write("copy.toml", &(std::fs::read_to_string(&base).unwrap() + "\n"));
    let out = env.ok(&["post", &copy]);
    assert_eq!(out, "已记录 0 个事件，生成 0 张凭证（草稿）；已存在未重复记录 8 个\n");
    // Typed again at the command line, field for field, it is the same event.
    let out = env.ok(&[
        "event",
        "opening_balance",
        "--id",
        "OB-SY-E",
        "--date",
        "2022-12-31",
        "--fund",
        "employee",
        "--party",
        "shayang",
        "--account",
        "1004",
        "--amount",
        "1500000.00",
    ]);
    assert_eq!(out, "该事件已存在，未重复记录\n");
}

#[test]
fn events_become_drafts_until_reviewed_and_posted() {
    let env = base();
    let out = env.ok(&[
        "event",
        "transfer_out",
        "--id",
        "TO-9",
        "--date",
        "2023-04-03",
        "--fund",
        "employee",
        "--party",
        "city",
        "--amount",
        "10.00",
    ]);
    assert!(out.contains("记-2023-04-0001"), "{out}");
    let journal = env.ok(&["journal", "--book", "city/employee", "--period", "2023-04", "--all", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&journal).unwrap();
    assert_eq!(json["vouchers"][0]["status"], "draft");
    assert_eq!(json["vouchers"][0]["external_id"], "TO-9");
    env.ok_as(REVIEWER, &["review", "--all"]);
    env.ok(&["post", "--all"]);
    env.ok(&["verify"]);
}

#[test]
fn a_city_that_pools_only_the_employee_fund_refuses_resident_events() {
    let env = Env::new_city("fixtures/wuhan");
    let before = env.fingerprint();
    let run = env.run(&[
        "event",
        "transfer_out",
        "--id",
        "W1",
        "--date",
        "2023-03-01",
        "--fund",
        "resident",
        "--party",
        "caidian",
        "--amount",
        "1.00",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "错误：1 处错误，没有写入任何事件或凭证：\n  事件（id W1）：基金 resident 不在本市统筹范围内（本市统筹：employee）\n");
    assert_eq!(env.fingerprint(), before);
    env.ok(&[
        "event",
        "transfer_out",
        "--id",
        "W2",
        "--date",
        "2023-03-01",
        "--fund",
        "employee",
        "--party",
        "caidian",
        "--amount",
        "1.00",
    ]);
}

#[test]
fn forward_mode_is_a_city_setting() {
    let env = Env::jingmen();
    env.raw().execute("UPDATE setting SET value = 'pass_through' WHERE key = 'forward_mode'", []).unwrap();
    let out = env.ok(&[
        "event",
        "allocate_to_county",
        "--id",
        "AL-1",
        "--date",
        "2023-01-20",
        "--fund",
        "employee",
        "--party",
        "duodao",
        "--amount",
        "10.00",
        "--purpose",
        "monthly",
    ]);
    insta::assert_snapshot!("event_allocate_to_county_pass_through", out);
}

#[test]
fn global_flags_after_the_event_kind_get_a_clear_error() {
    let env = Env::jingmen();
    let run = env.run(&["event", "transfer_out", "--id", "T", "--db", "other.db"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "错误：全局参数 --db 须写在 event 之前，例如 fundpool --db … event transfer_out --id …\n");
}
