//! Spending plans through their workflow into allocation events, the consolidation schedule,
//! and the deadline monitor on a scenario with late and missing flows (`tests/deadlines/`).

use crate::support::{fixture, Env, REVIEWER};

fn wuhan_with_q2_plans() -> Env {
    let env = Env::new_city("fixtures/wuhan");
    let out = env.ok(&["plan", "import", &fixture("tests/plans/wuhan-q2.csv")]);
    assert!(out.starts_with("已保存 6 份用款计划"), "{out}");
    env
}

/// Every Wuhan agency submits its 2023Q2 plan on 2023-03-14, the day before it is due.
fn submit_all(env: &Env) {
    for party in ["city", "caidian", "jiangxia", "dongxihu", "huangpi", "xinzhou"] {
        env.ok(&[
            "plan",
            "submit",
            "--party",
            party,
            "--fund",
            "employee",
            "--quarter",
            "2023Q2",
            "--on",
            "2023-03-14",
        ]);
    }
}

#[test]
fn a_plan_goes_through_the_whole_workflow_and_its_events_post_cleanly() {
    let env = wuhan_with_q2_plans();
    submit_all(&env);
    let out = env.ok(&["plan", "combine", "--fund", "employee", "--quarter", "2023Q2", "--on", "2023-03-20"]);
    assert_eq!(out, "已汇总 6 份 employee 2023Q2 用款计划，日期 2023-03-20\n");
    env.ok_as("医保局", &["plan", "approve", "--fund", "employee", "--quarter", "2023Q2", "--on", "2023-03-22"]);
    env.ok_as("财政局", &["plan", "check", "--fund", "employee", "--quarter", "2023Q2", "--on", "2023-03-23"]);
    insta::assert_snapshot!("plans_wuhan_2023q2", env.ok(&["plan", "show", "--fund", "employee"]));
    let events = env.path("q2-allocations.toml");
    env.ok(&["plan", "export", "--fund", "employee", "--quarter", "2023Q2", "--output", events.to_str().unwrap()]);
    let text = std::fs::read_to_string(&events).unwrap();
    // April's funds: two working days before March's last working day (Fri 31st) is Wed 29th.
    // May: April's last working day is Fri 28th → Wed 26th. Only the city agency's side is
    // exported; the payment order number is the reference the 专户 and 蔡甸区 book theirs under.
    assert!(
        text.contains("id = \"PLAN-caidian-employee-2023-04\"\nkind = \"allocate_to_county\"\ndate = \"2023-03-29\""),
        "{text}"
    );
    assert!(text.contains("ref = \"PLAN-caidian-employee-2023-04\"\nparty = \"caidian\"\npurpose = \"monthly\"\namount = \"20000000.00\"\nsummary"), "{text}");
    assert!(!text.contains("received_on"), "{text}");
    assert!(
        text.contains("id = \"PLAN-caidian-employee-2023-05\"\nkind = \"allocate_to_county\"\ndate = \"2023-04-26\""),
        "{text}"
    );
    let out = env.ok(&["post", events.to_str().unwrap(), "--post", "--reviewer", REVIEWER]);
    // 3 months × 6 agencies, each allocation one voucher in the city agency's book.
    assert!(out.starts_with("已记录 18 个事件，生成 18 张凭证（已记账）"), "{out}");
    env.ok(&["verify"]);
}

#[test]
fn refused_steps_give_clear_errors_and_change_nothing() {
    let env = wuhan_with_q2_plans();
    let before = env.fingerprint_plans();
    let run = env.run(&["plan", "approve", "--fund", "employee", "--quarter", "2023Q2"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("city/employee 2023Q2：计划当前为草稿，须先由市级经办机构汇总才能审核"),
        "{}",
        run.stderr
    );
    let run = env.run(&["plan", "combine", "--fund", "employee", "--quarter", "2023Q2"]);
    assert!(run.stderr.contains("蔡甸区 尚未提交 2023Q2 用款计划，不能汇总"), "{}", run.stderr);
    assert_eq!(env.fingerprint_plans(), before);
    env.ok(&[
        "plan",
        "submit",
        "--party",
        "caidian",
        "--fund",
        "employee",
        "--quarter",
        "2023Q2",
        "--on",
        "2023-03-14",
    ]);
    let before = env.fingerprint_plans();
    let run = env.run(&["plan", "submit", "--party", "caidian", "--fund", "employee", "--quarter", "2023Q2"]);
    assert_eq!(run.stderr, "错误：不能提交：\n  caidian/employee 2023Q2：计划已提交，不能重复提交\n");
    let run = env.run(&["plan", "import", &fixture("tests/plans/bad-q2.csv")]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("各月合计 60,000,000.99 不等于季度合计 60,000,000.00"), "{}", run.stderr);
    assert_eq!(env.fingerprint_plans(), before);
}

#[test]
fn a_plan_whose_months_do_not_sum_to_its_quarter_is_refused() {
    let env = Env::new_city("fixtures/wuhan");
    let run = env.run(&["plan", "import", &fixture("tests/plans/bad-q2.csv")]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        // 30,000,000.00 + 29,999,999.99 + 1.00 (the July "dental" line) = 60,000,000.99.
        "错误：3 处错误，没有保存任何计划：\n  caidian/employee 2023Q2：2023-07 不属于 2023Q2\n  caidian/employee 2023Q2：支出类别 dental 不存在\n  caidian/employee 2023Q2：各月合计 60,000,000.99 不等于季度合计 60,000,000.00，相差 0.99\n"
    );
    assert_eq!(env.fingerprint_plans(), "");
}

#[test]
fn the_performance_deposit_is_withheld_from_county_allocations() {
    let env = wuhan_with_q2_plans();
    // The city withholds 2% from 2023 on: a new version of its rule set.
    let rules = std::fs::read_to_string(fixture("fixtures/wuhan/rules.toml")).unwrap().replace(
        "clause = \"WH（无考核保证金）\"\npermille = 0",
        "clause = \"市医保局 2023 年考核办法（示例）\"\npermille = 20",
    );
    let file = env.write("rules-2023.toml", &rules);
    let out = env.ok(&["rules", "set", &file, "--from", "2023-01-01"]);
    assert!(out.contains("自 2023-01-01 起生效"), "{out}");
    let shown = env.ok(&["rules", "--as-of", "2023-04-01"]);
    assert!(shown.contains("从县级拨款中预留 20‰") && shown.contains("历次版本：2022-12-31"), "{shown}");
    submit_all(&env);
    env.ok(&["plan", "combine", "--fund", "employee", "--quarter", "2023Q2"]);
    env.ok(&["plan", "approve", "--fund", "employee", "--quarter", "2023Q2"]);
    let text = env.ok(&["plan", "export", "--fund", "employee", "--quarter", "2023Q2"]);
    // 蔡甸区 April: 20,000,000.00 less 2% = 19,600,000.00; the city's own plan is not withheld.
    assert!(text.contains("party = \"caidian\"\npurpose = \"monthly\"\namount = \"19600000.00\""), "{text}");
    assert!(text.contains("kind = \"allocate_city_level\"\ndate = \"2023-03-29\"\nfund = \"employee\"\nref = \"PLAN-city-employee-2023-04\"\npurpose = \"monthly\"\namount = \"200000000.00\""), "{text}");
    let shown = env.ok(&["plan", "show", "--fund", "employee", "--format", "csv"]);
    // 60,000,000.00 × 2% = 1,200,000.00 over the quarter.
    let caidian = shown.lines().find(|l| l.contains("蔡甸区")).unwrap();
    assert!(caidian.ends_with("\"60,000,000.00\",\"1,200,000.00\",2023-03-14"), "{caidian}");
    // Posted, the allocations meet the approved plan less the deposit, in money.
    env.ok_as("财政局", &["plan", "check", "--fund", "employee", "--quarter", "2023Q2"]);
    let events = env.write("q2.toml", &text);
    env.ok(&["post", &events, "--post", "--reviewer", REVIEWER]);
    let json: serde_json::Value =
        serde_json::from_str(&env.run(&["deadlines", "--as-of", "2023-04-05", "--format", "json"]).stdout).unwrap();
    let april = |party: &str| {
        json["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == "monthly_allocation" && o["party"] == party && o["due"] == "2023-03-31")
            .cloned()
            .unwrap()
    };
    let caidian = april("caidian");
    assert_eq!((caidian["amount"].as_str(), caidian["done"].as_str()), (Some("19600000.00"), Some("19600000.00")));
    assert_eq!(caidian["status"], "met");
    assert_eq!(
        (april("city")["amount"].as_str(), april("city")["status"].as_str()),
        (Some("200000000.00"), Some("met"))
    );
}

/// Jingmen-free: the scenario of tests/deadlines/README.md, each line checked by hand there.
fn deadline_scenario() -> Env {
    let env = Env::new_city("fixtures/wuhan");
    env.ok(&["budget", "import", &fixture("tests/deadlines/budget.csv")]);
    env.ok(&["post", &fixture("tests/deadlines/events.toml"), "--post", "--reviewer", REVIEWER]);
    env.ok(&["plan", "import", &fixture("tests/deadlines/plan-q1.csv")]);
    env.ok(&[
        "plan",
        "submit",
        "--party",
        "caidian",
        "--fund",
        "employee",
        "--quarter",
        "2023Q1",
        "--on",
        "2022-12-20",
    ]);
    env
}

#[test]
fn the_deadline_report_shows_late_and_missing_flows() {
    let env = deadline_scenario();
    let caidian = env.run(&["deadlines", "--as-of", "2023-02-10", "--party", "caidian"]);
    assert_eq!(caidian.code, 0, "nothing of 蔡甸区 is overdue: {}", caidian.stdout);
    insta::assert_snapshot!("deadlines_wuhan_caidian_2023_02_10", caidian.stdout);
    let everyone = env.run(&["deadlines", "--as-of", "2023-02-10", "--format", "json"]);
    assert_eq!(everyone.code, 4, "江夏区 is overdue");
    let json: serde_json::Value = serde_json::from_str(&everyone.stdout).unwrap();
    let find = |party: &str, kind: &str| {
        json["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["party"] == party && o["kind"] == kind)
            .unwrap_or_else(|| panic!("{party} {kind}"))
            .clone()
    };
    let late = find("caidian", "matured_deposit_remittance");
    assert_eq!((late["due"].as_str(), late["met_on"].as_str()), (Some("2023-01-28"), Some("2023-02-02")));
    assert_eq!((late["status"].as_str(), late["working_days"].as_u64()), (Some("met_late"), Some(5)));
    // WH 三(三): collected by 2022-12-31, keeping three months.
    let balance = find("caidian", "balance_remittance");
    assert_eq!(balance["amount"], "50000000.00", "200,000,000 less three months of 50,000,000 kept");
    assert_eq!((balance["due"].as_str(), balance["rule"].as_str()), (Some("2022-12-31"), Some("WH 三(三)")));
    assert_eq!(balance["working_days"], 17);
    assert_eq!(find("jiangxia", "balance_remittance")["status"], "overdue");
    // No 备付金 is sent down under WH: the kept months serve.
    assert!(json["obligations"].as_array().unwrap().iter().all(|o| o["kind"] != "reserve_allocation"));
    let combination = find("city", "plan_combination");
    assert_eq!((combination["due"].as_str(), combination["status"].as_str()), (Some("2022-12-20"), Some("overdue")));
    // The forward is measured by 蔡甸区's own record of the receipt, eleven days on.
    let forwards: Vec<_> = json["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["party"] == "caidian" && o["kind"] == "forward_to_county")
        .map(|o| (o["due"].as_str().unwrap(), o["met_on"].as_str().unwrap(), o["status"].as_str().unwrap()))
        .collect();
    assert_eq!(forwards, vec![("2023-01-20", "2023-01-30", "met_late"), ("2023-02-01", "2023-02-01", "met")]);
}

#[test]
fn the_consolidation_schedule_lists_what_each_county_owes() {
    let env = deadline_scenario();
    insta::assert_snapshot!("schedule_wuhan", env.ok(&["schedule"]));
}

#[test]
fn a_bad_budget_file_is_refused_and_nothing_saved() {
    let env = Env::new_city("fixtures/wuhan");
    let bad = env.write(
        "budget.csv",
        "year,party,fund,income,expenditure\n2023,caidian,resident,0.00,1.00\n2023,wuchang,employee,0.00,1.001\n",
    );
    let run = env.run(&["budget", "import", &bad]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("第 2 行：基金 resident 不在本市统筹范围内"), "{}", run.stderr);
    assert!(run.stderr.contains("第 3 行：经办机构 wuchang 不存在"), "{}", run.stderr);
    assert!(run.stderr.contains("第 3 行：金额 \"1.001\" 超过两位小数"), "{}", run.stderr);
    let count: i64 = env.raw().query_row("SELECT COUNT(*) FROM budget", [], |r| r.get(0)).unwrap();
    assert_eq!(count, 0);
}

#[test]
fn a_date_outside_the_calendar_is_refused_and_a_new_year_can_be_added() {
    let env = Env::new_city("fixtures/wuhan");
    // The built-in calendar runs through 2026 (the State Council's notices for 2024–2026).
    let run = env.run(&["deadlines", "--as-of", "2026-03-02"]);
    assert!(run.code == 0 || run.code == 4, "{}", run.stderr);
    let run = env.run(&["deadlines", "--as-of", "2027-03-02"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("工作日历没有 2027 年的节假日安排"), "{}", run.stderr);
    assert!(run.stderr.contains("--calendar"), "the error names the option: {}", run.stderr);
    // A folder with plain-weekday files for 2027 (starts on a Friday: 52 weeks and one weekday,
    // 261 working days) and 2028 (a leap year starting on a Saturday: 260).
    let dir = env.path("calendar");
    std::fs::create_dir(&dir).unwrap();
    for (year, days) in [(2027, 261), (2028, 260)] {
        let text = format!("year = {year}\nholidays = []\nmakeup_days = []\nworking_days = {days}\n");
        std::fs::write(dir.join(format!("{year}.toml")), text).unwrap();
    }
    let run = env.run(&["--calendar", dir.to_str().unwrap(), "deadlines", "--as-of", "2027-03-02"]);
    assert!(run.code == 0 || run.code == 4, "{}", run.stderr);
    assert!(run.stdout.starts_with("截至 2027-03-02 的期限监控"), "{}", run.stdout);
}

/// WH 三(四): Wuhan plans by month. A month's application is a plan for that month (`2023-04`),
/// submitted by the rule's day of the month before, and the deadline monitor judges it as such.
#[test]
fn a_city_that_plans_by_month_records_and_judges_monthly_applications() {
    let env = Env::new_city("fixtures/wuhan");
    let csv = env.write(
        "april.csv",
        "party,fund,quarter,total,month,category,amount\n\
         caidian,employee,2023-04,20000000.00,2023-04,inpatient,15000000.00\n\
         caidian,employee,2023-04,20000000.00,2023-04,personal_account,5000000.00\n",
    );
    env.ok(&["plan", "import", &csv]);
    let out = env.ok(&[
        "plan",
        "submit",
        "--party",
        "caidian",
        "--fund",
        "employee",
        "--quarter",
        "2023-04",
        "--on",
        "2023-03-14",
    ]);
    assert!(out.contains("2023-04 用款计划"), "{out}");
    let shown = env.ok(&["plan", "show", "--fund", "employee", "--format", "csv"]);
    // CSV as in the table: the fund by name, a BOM before the header.
    assert!(shown.lines().any(|l| l.starts_with("2023-04,职工医保,蔡甸区")), "{shown}");
    let json: serde_json::Value = serde_json::from_str(
        &env.run(&["deadlines", "--as-of", "2023-03-20", "--party", "caidian", "--format", "json"]).stdout,
    )
    .unwrap();
    let april = json["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "plan_submission" && o["what"] == "2023-04 用款申请报送")
        .cloned()
        .unwrap();
    assert_eq!(
        (april["due"].as_str(), april["met_on"].as_str(), april["status"].as_str()),
        (Some("2023-03-15"), Some("2023-03-14"), Some("met"))
    );
    assert_eq!(april["rule"], "WH 三(四)");
    // A month that is not a month is refused.
    let bad = env.write(
        "bad.csv",
        "party,fund,quarter,total,month,category,amount\ncaidian,employee,2023-13,1.00,2023-12,inpatient,1.00\n",
    );
    let run = env.run(&["plan", "import", &bad]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("YYYY-MM（按月，例如 2023-04）"), "{}", run.stderr);
}
