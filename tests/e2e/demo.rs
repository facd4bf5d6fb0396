//! `fundpool demo`: the Jingmen and Wuhan years end to end, with the journals, trial balances and
//! reconciliation reports of the Jingmen year pinned as snapshots named after the scenario.

use crate::support::Env;

/// The demo database is `fundpool-demo.db` in the test's folder; other commands name it.
fn demo_db(env: &Env) -> String {
    env.path("fundpool-demo.db").display().to_string()
}

#[test]
fn the_jingmen_year() {
    let env = Env::empty();
    let run = env.run_plain(&["demo"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("jingmen_2023_demo_summary", run.stdout);
    assert!(!run.stdout.contains("未发现"), "every anomaly must be found");
    // One anomaly planted on every pair, every bank account and the deadlines: all found.
    assert_eq!(run.stdout.matches("[已发现]").count(), 10);
    // The late plan, the short remittance completed in February and the late forward, and
    // nothing else, in the deadline monitor (fixtures/jingmen/README.md).
    assert!(
        run.stdout.contains(
            "逾期完成 3，已逾期 0\n  TS 9 掇刀区 employee 掇刀区 年初专户结余全额上解：期限 2023-01-20，逾期 8 个工作日完成\n  TS 14 掇刀区 employee 2023Q3 用款计划报送：期限 2023-06-15，逾期 2 个工作日完成\n  TS 14 东宝区 employee 市本级 于 2023-08-23 收到的拨款 AL-dongbao-e-202308 转拨东宝区：期限 2023-08-24，逾期 2 个工作日完成\n"
        ),
        "{}",
        run.stdout
    );

    let db = demo_db(&env);
    let ok = |args: &[&str]| {
        let mut full = vec!["--db", db.as_str()];
        full.extend_from_slice(args);
        let run = env.run_plain(&full);
        assert!(run.code == 0 || run.code == 3, "{args:?}: {}", run.stderr);
        run.stdout
    };
    assert!(ok(&["verify"]).starts_with("verify 通过"));
    for book in ["city/employee", "shayang/resident", "finance/employee"] {
        for period in ["2023-01", "2023-12"] {
            let name = format!("jingmen_2023_journal_{}_{period}", book.replace('/', "_"));
            insta::assert_snapshot!(name, ok(&["journal", "--book", book, "--period", period]));
        }
    }
    let books = ok(&["trial-balance", "--book", "city/employee", "--period", "2023-12", "--format", "json"]);
    assert!(books.contains("\"balanced\": true"));
    for party in ["city", "dongbao", "duodao", "shayang", "zhongxiang", "jingshan", "zhanghe", "qujialing", "finance"] {
        for fund in ["employee", "resident"] {
            let book = format!("{party}/{fund}");
            let text = ok(&["trial-balance", "--book", &book, "--period", "2023-12"]);
            assert!(text.contains("试算平衡"), "{book} does not balance:\n{text}");
            insta::assert_snapshot!(format!("jingmen_2023_trial_balance_{party}_{fund}_2023-12"), text);
        }
    }
    // The anomaly months' reports, as they were when the month was reconciled.
    for (period, run_id) in [("2023-04", "5"), ("2023-09", "10")] {
        let text = ok(&["reconcile", "--period", period, "--run", run_id]);
        insta::assert_snapshot!(format!("jingmen_2023_reconcile_{period}"), text);
    }
}

#[test]
fn the_wuhan_year_and_the_demo_database_rules() {
    let env = Env::empty();
    let run = env.run_plain(&["demo", "--city", "wuhan"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("fundpool 演示：武汉市 2023 年全年"), "{}", run.stdout);
    assert_eq!(run.stdout.matches("[已发现]").count(), 10, "{}", run.stdout);
    assert!(run.stdout.contains("verify 通过：7 个账簿"), "{}", run.stdout);
    // Wuhan judged by its own rules (WH), nothing by TS: balances collected on 2022-12-31 keeping
    // three months, no 备付金, monthly applications.
    assert!(!run.stdout.contains("TS "), "{}", run.stdout);
    insta::assert_snapshot!("wuhan_2023_demo_summary", run.stdout);
    let db = demo_db(&env);
    let journal = env.run_plain(&["--db", &db, "journal", "--book", "city/employee", "--period", "2022-12"]);
    insta::assert_snapshot!("wuhan_2023_journal_city_employee_2022-12", journal.stdout);
    // WH 三(三): what a district holds beyond its three months covers its own gaps first. 江夏区
    // remitted its balance 1,000.00 short on 2022-12-31, so it holds 1,000.00 at the start of 2023
    // (its 1004 after the kept three months of budgeted payments); its income covers its spending,
    // so nothing is drawn.
    let settle = env.run_plain(&["--db", &db, "--format", "json", "settle", "--year", "2023"]);
    assert_eq!(settle.code, 0, "{}", settle.stderr);
    let json: serde_json::Value = serde_json::from_str(&settle.stdout).unwrap();
    let counties = json["funds"][0]["settlement"]["counties"].as_array().unwrap();
    let jiangxia = &counties.iter().find(|p| p[0] == "jiangxia").unwrap()[1];
    assert_eq!(
        (jiangxia["held_locally"].as_str(), jiangxia["local_gap_covered"].as_str()),
        (Some("1000.00"), Some("0.00"))
    );
    let caidian = &counties.iter().find(|p| p[0] == "caidian").unwrap()[1];
    assert_eq!(caidian["held_locally"], "0.00", "remitted in full beyond its kept months");
    // Districts keep three months of payments in their 专户 (WH 三(三)): 蔡甸区 insures
    // 152,000 employees × 450.00 a month = 68,400,000.00; three months = 205,200,000.00.
    let caidian = run.stdout.lines().find(|l| l.starts_with("│ 蔡甸区")).unwrap();
    assert!(caidian.contains("205,200,000.00"), "{caidian}");
    // A second demo replaces the first; any other database is left alone.
    assert_eq!(env.run_plain(&["demo", "--city", "wuhan"]).code, 0);
    let other = env.path("mine.db").display().to_string();
    let init = env.run_plain(&["--db", &other, "init", "--city", &crate::support::fixture("fixtures/jingmen")]);
    assert_eq!(init.code, 0);
    let refused = env.run_plain(&["--db", &other, "demo"]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("已存在且不是演示账套"), "{}", refused.stderr);
}
