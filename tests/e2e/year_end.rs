//! Year-end closing, statements and the policy engine on the Jingmen demo year.

use crate::support::{fixture, Env, REVIEWER};
use serde_json::Value;

fn demo() -> (Env, String) {
    let env = Env::empty();
    let run = env.run_plain(&["demo"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let db = env.path("fundpool-demo.db").display().to_string();
    (env, db)
}

fn json(env: &Env, db: &str, args: &[&str]) -> Value {
    let mut full = vec!["--db", db, "--format", "json"];
    full.extend_from_slice(args);
    let run = env.run_plain(&full);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn fen(value: &Value) -> i64 {
    fundpool::money::Money::parse(value.as_str().unwrap()).unwrap().fen()
}

#[test]
fn year_end_leaves_revenue_and_expense_at_zero_and_the_surplus_in_the_general_fund() {
    let (env, db) = demo();
    let parties = ["city", "dongbao", "duodao", "shayang", "zhongxiang", "jingshan", "zhanghe", "qujialing", "finance"];
    for party in parties {
        for fund in ["employee", "resident"] {
            let book = format!("{party}/{fund}");
            let tb = json(&env, &db, &["trial-balance", "--book", &book, "--period", "2023-12"]);
            for row in tb["rows"].as_array().unwrap() {
                let code = row["account"].as_str().unwrap();
                if code.starts_with('4') || code.starts_with('5') {
                    assert_eq!(row["closing"], "0.00", "{book} {code} after year-end");
                }
            }
            let general_fund = |v: &Value| {
                v["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["account"] == "3001")
                    .map(|r| fen(&r["closing"]))
                    .unwrap_or(0)
            };
            // Before the closing vouchers: 一般基金 as opened, plus the year's surplus.
            let sheet = json(&env, &db, &["report", "balance-sheet", "--book", &book, "--year", "2023"]);
            let opened: i64 = sheet["net_assets"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["account"] == "3001")
                .map(|l| fen(&l["amount"]))
                .sum();
            let statement = json(&env, &db, &["report", "income-expenditure", "--book", &book, "--year", "2023"]);
            let surplus = fen(&statement["surplus"]);
            assert_eq!(general_fund(&tb), opened + surplus, "{book}: 一般基金 = opening + revenue − expense");
            assert_eq!(sheet["balanced"], true, "{book}");
        }
    }
    let run = env.run_plain(&["--db", &db, "verify"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn consolidated_statements_balance_and_say_what_they_eliminated() {
    let (env, db) = demo();
    for fund in ["employee", "resident"] {
        let sheet = json(&env, &db, &["report", "balance-sheet", "--fund", fund, "--consolidated", "--year", "2023"]);
        assert_eq!(sheet["balanced"], true, "{fund}");
        let eliminated: Vec<&str> =
            sheet["eliminated"].as_array().unwrap().iter().map(|l| l["account"].as_str().unwrap()).collect();
        assert_eq!(eliminated, vec!["4601", "4701", "5201", "5301"]);
        let statement =
            json(&env, &db, &["report", "income-expenditure", "--fund", fund, "--consolidated", "--year", "2023"]);
        let revenue: Vec<&str> =
            statement["revenue"].as_array().unwrap().iter().map(|l| l["account"].as_str().unwrap()).collect();
        assert!(!revenue.iter().any(|a| a.starts_with("4601") || a.starts_with("4701")), "{revenue:?}");
        // The year's surplus closes the sheet: 累计结余 = total net assets.
        assert_eq!(statement["accumulated"], sheet["total_net_assets"]);
    }
    let text = env
        .run_plain(&[
            "--db",
            &db,
            "report",
            "income-expenditure",
            "--fund",
            "employee",
            "--consolidated",
            "--year",
            "2023",
        ])
        .stdout;
    insta::assert_snapshot!("jingmen_2023_consolidated_income_expenditure_employee", text);
}

#[test]
fn the_xlsx_export_opens_and_its_totals_equal_the_table() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let (env, db) = demo();
    let path = env.path("ie.xlsx");
    let run = env.run_plain(&[
        "--db",
        &db,
        "--format",
        "xlsx",
        "report",
        "income-expenditure",
        "--fund",
        "resident",
        "--consolidated",
        "--year",
        "2023",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut workbook: Xlsx<_> = open_workbook(&path).unwrap();
    let name = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&name).unwrap();
    // Title across the top, then 编制单位 / period / 单位：元, then the frozen header row.
    let row = |i: usize| -> Vec<String> { range.rows().nth(i).unwrap().iter().map(|c| c.to_string()).collect() };
    assert!(row(0)[0].starts_with("收支表"), "{:?}", row(0));
    assert_eq!(row(1)[0], "编制单位：荆门市");
    assert_eq!(row(1)[3], "单位：元");
    assert!(row(1).contains(&"期间：2023年1月至2023年12月".to_string()), "{:?}", row(1));
    assert_eq!(row(2), vec!["项目", "科目编码", "科目名称", "金额"]);
    let total = |label: &str| -> i64 {
        let row = range.rows().find(|r| r[0] == *label).unwrap_or_else(|| panic!("no {label}"));
        match &row[3] {
            // A spreadsheet holds doubles: back to 分 by rounding to the nearest whole 分.
            Data::Float(f) => (f * 100.0).round() as i64,
            other => panic!("{label}: {other:?}"),
        }
    };
    let statement =
        json(&env, &db, &["report", "income-expenditure", "--fund", "resident", "--consolidated", "--year", "2023"]);
    assert_eq!(total("收入合计"), fen(&statement["total_revenue"]));
    assert_eq!(total("支出合计"), fen(&statement["total_expense"]));
    assert_eq!(total("本期结余"), fen(&statement["surplus"]));
    // --format xlsx is for the books and reports, and needs --output.
    assert_eq!(env.run_plain(&["--db", &db, "--format", "xlsx", "journal", "--book", "city/employee"]).code, 2);
    assert_eq!(env.run_plain(&["--db", &db, "--format", "xlsx", "deadlines", "--as-of", "2023-06-30"]).code, 2);
    let run = env.run_plain(&[
        "--db",
        &db,
        "--format",
        "xlsx",
        "report",
        "trial-balance",
        "--book",
        "city/employee",
        "--year",
        "2023",
    ]);
    assert!(run.stderr.contains("--format xlsx 需要 --output"), "{}", run.stderr);
}

#[test]
fn year_end_is_refused_while_months_are_open_and_december_needs_it() {
    let env = Env::jingmen();
    env.ok(&["import", &fixture("fixtures/jingmen/walkthrough.csv"), "--post", "--reviewer", REVIEWER]);
    let before = env.fingerprint();
    let run = env.run(&["year-end", "--year", "2023", "--book", "shayang/employee", "--reviewer", REVIEWER]);
    assert_eq!(run.code, 1);
    assert_eq!(env.fingerprint(), before);
    assert!(run.stderr.contains("shayang/employee 尚有未结账的月份：2023-01、2023-02、"), "{}", run.stderr);
    env.run(&["reconcile", "--period", "2022-12"]);
    env.ok(&["close", "--period", "2022-12", "--book", "shayang/employee"]);
    for month in 1..=11 {
        let period = format!("2023-{month:02}");
        env.run(&["reconcile", "--period", &period]);
        env.ok(&[
            "close",
            "--period",
            &period,
            "--book",
            "shayang/employee",
            "--accept-differences",
            "--reason",
            "测试",
        ]);
    }
    env.run(&["reconcile", "--period", "2023-12"]);
    let run = env.run(&[
        "close",
        "--period",
        "2023-12",
        "--book",
        "shayang/employee",
        "--accept-differences",
        "--reason",
        "测试",
    ]);
    assert!(run.stderr.contains("shayang/employee 尚未做 2023 年期末结转"), "{}", run.stderr);
    let out = env.ok(&["year-end", "--year", "2023", "--book", "shayang/employee", "--reviewer", REVIEWER]);
    assert_eq!(out, "已做 2023 年期末结转：1 张结转凭证\n  shayang/employee 记-2023-12-0001\n");
    let again = env.ok(&["year-end", "--year", "2023", "--book", "shayang/employee", "--reviewer", REVIEWER]);
    assert_eq!(again, "已做 2023 年期末结转：0 张结转凭证；1 个账簿此前已结转\n");
    env.run(&["reconcile", "--period", "2023-12"]);
    env.ok(&["close", "--period", "2023-12", "--book", "shayang/employee", "--accept-differences", "--reason", "测试"]);
    insta::assert_snapshot!(
        "walkthrough_year_end_voucher",
        env.ok(&["journal", "--book", "shayang/employee", "--period", "2023-12"])
    );
    env.ok(&["verify"]);
}

#[test]
fn gaps_and_assessment_on_the_demo_year() {
    let (env, db) = demo();
    let input = fixture("tests/policy/gaps-2023-resident.toml");
    // The city agency books what reached the 专户 toward the 2023 gaps: 沙洋县 pays 300,000.00 of
    // its management gap and city finance withholds (代扣) another 100,000.00 from its transfer
    // payments; city finance pays 1,000.00 of its policy-gap share.
    let payments = env.write(
        "gap-payments.toml",
        "[[event]]\nid = \"GAP-SY-1\"\nkind = \"gap_payment\"\ndate = 2024-01-15\nfund = \"resident\"\nref = \"BK-GAP-1\"\n\
         party = \"shayang\"\ngap = \"management\"\nyear = \"2023\"\namount = \"300000.00\"\n\n\
         [[event]]\nid = \"GAP-FIN-1\"\nkind = \"gap_payment\"\ndate = 2024-01-16\nfund = \"resident\"\nref = \"BK-GAP-2\"\n\
         party = \"finance\"\ngap = \"policy\"\nyear = \"2023\"\namount = \"1000.00\"\n\n\
         [[event]]\nid = \"GAP-SY-2\"\nkind = \"gap_charge\"\ndate = 2024-01-17\nfund = \"resident\"\nref = \"BK-GAP-3\"\n\
         party = \"shayang\"\nyear = \"2023\"\namount = \"100000.00\"\n",
    );
    let posted = env.run_plain(&["--db", &db, "post", &payments, "--post", "--reviewer", REVIEWER]);
    assert_eq!(posted.code, 0, "{}", posted.stderr);
    let sharing = json(&env, &db, &["gaps", "--input", &input]);
    assert_eq!(sharing["management_gaps"][0]["paid"], "400000.00", "paid and withheld, from the ledger");
    let finance_paid = sharing["policy_gap_paid"].as_array().unwrap().iter().find(|p| p["party"] == "finance").unwrap();
    assert_eq!(finance_paid["paid"], "1000.00");
    // A paid figure in the file that disagrees with the ledger is refused, naming both.
    let wrong = env.write(
        "wrong.toml",
        &(std::fs::read_to_string(&input)
            .unwrap()
            .replace("management_gap = \"1200000.00\"", "management_gap = \"1200000.00\"\ngap_paid = \"1.00\"")),
    );
    let refused = env.run_plain(&["--db", &db, "gaps", "--input", &wrong]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("gap_paid 写的是 1.00，账簿中的 gap_payment、gap_charge 合计 400,000.00"),
        "{}",
        refused.stderr
    );
    let policy = &sharing["policy_gap"];
    let payers = policy["payers"].as_array().unwrap();
    assert_eq!(payers.len(), 8, "city finance and seven counties");
    let shared: i64 = payers.iter().map(|p| fen(&p[1])).sum();
    assert_eq!(shared, fen(&policy["shared"]), "the shares sum exactly");
    assert_eq!(fen(&policy["from_balance"]) + fen(&policy["shared"]), 300_000_000_000);
    assert_eq!(sharing["management_gaps"][0]["due"], "2024-06-30");
    let text = env.run_plain(&["--db", &db, "gaps", "--input", &input]).stdout;
    insta::assert_snapshot!("jingmen_2023_gaps_resident", text);
    let assessment = json(&env, &db, &["assess", "--year", "2023", "--fund", "resident", "--input", &input]);
    let shayang = assessment["counties"].as_array().unwrap().iter().find(|c| c["party"] == "shayang").unwrap();
    // 400,000.00 paid (300,000.00 paid, 100,000.00 withheld) of 1,200,000.00 owed: 33.33%.
    assert_eq!(shayang["gap_remittance"], "33.33");
    let zhanghe = assessment["counties"].as_array().unwrap().iter().find(|c| c["party"] == "zhanghe").unwrap();
    assert_eq!(zhanghe["gap_remittance"], Value::Null, "0 owed: not applicable");
    // The 20% rule: 2024's reserve measured against 2023's consolidated actual income.
    let reserve = json(&env, &db, &["budget", "reserve", "--year", "2024", "--fund", "employee"]);
    let income = fen(&reserve["previous_income"]);
    assert_eq!(fen(&reserve["threshold"]), (income * 2 + 5) / 10, "20% of last year's income, 四舍五入");
    assert_eq!(reserve["above_threshold"], fen(&reserve["accumulated_balance"]) > fen(&reserve["threshold"]));
    let first = json(&env, &db, &["budget", "reserve", "--year", "2023", "--fund", "resident"]);
    assert_eq!((first["threshold_applies"].as_bool(), first["rate_permille"].as_u64()), (Some(false), Some(50)));
    // 5% of the 2023 resident budget, which the scenario sets at twelve months of spending.
    assert_eq!(fen(&first["reserve"]) * 20, fen(&first["total_budget"]));
    let table = env.run_plain(&["--db", &db, "assess", "--year", "2023"]).stdout;
    assert!(table.contains("不适用") && table.contains("一次性上解不计入收入"), "{table}");
    // A rule version from 2023 under which only the counties share their part (the 市本级 takes
    // no share): city finance pays exactly its part, the counties theirs.
    let rules = std::fs::read_to_string(fixture("fixtures/jingmen/rules.toml"))
        .unwrap()
        .replace("city_level_share = \"city_finance\"", "city_level_share = \"counties_only\"");
    let file = env.write("counties-only.toml", &rules);
    assert_eq!(env.run_plain(&["--db", &db, "rules", "set", &file, "--from", "2023-01-01"]).code, 0);
    let sharing = json(&env, &db, &["gaps", "--input", &input]);
    let policy = &sharing["policy_gap"];
    let payers = policy["payers"].as_array().unwrap();
    assert_eq!(payers[0][0], "finance");
    assert_eq!(fen(&payers[0][1]), fen(&policy["city_finance_half"]), "no 市本级 share added");
    let counties: i64 = payers[1..].iter().map(|p| fen(&p[1])).sum();
    assert_eq!(counties, fen(&policy["counties_half"]));
}

/// 年终结算 on the demo year: refused before December is closed; each county's gap, incentive and
/// 考核保证金 add up exactly; a re-run after a budget change says what changed; the deposit
/// releases are written as draft events that post.
#[test]
fn settlement_of_the_demo_year() {
    let fresh = Env::jingmen();
    let before = fresh.fingerprint();
    let early = fresh.run(&["settle", "--year", "2023", "--fund", "resident"]);
    assert_eq!(early.code, 1);
    assert!(early.stderr.contains("年终结算在 2023 年 12 月结账之后进行"), "{}", early.stderr);
    assert_eq!(fresh.fingerprint(), before, "a refused settlement records nothing");

    let (env, db) = demo();
    // The city withholds 2% 考核保证金 from 2023 on (a new version of its rules).
    let rules = std::fs::read_to_string(fixture("fixtures/jingmen/rules.toml"))
        .unwrap()
        .replace("permille = 0", "permille = 20");
    let file = env.write("rules-2023.toml", &rules);
    let set = env.run_plain(&["--db", &db, "rules", "set", &file, "--from", "2023-01-01"]);
    assert_eq!(set.code, 0, "{}", set.stderr);
    let events = env.path("settle-events.toml").display().to_string();
    let first = json(&env, &db, &["settle", "--year", "2023", "--fund", "resident", "--output", &events]);
    let settlement = &first["funds"][0]["settlement"];
    assert_eq!(first["funds"][0]["changes"], Value::Null, "the first run");
    assert_eq!(settlement["gap_due"], "2024-06-30");
    let counties = settlement["counties"].as_array().unwrap();
    assert_eq!(counties.len(), 7);
    for pair in counties {
        let c = &pair[1];
        // The gap is met by the incentive offset, the deposit kept and what is owed, exactly;
        // the deposit is kept or released, exactly.
        assert_eq!(
            fen(&c["management_gap"]),
            fen(&c["incentive_offset"]) + fen(&c["deposit_forfeited"]) + fen(&c["gap_owed"])
        );
        assert_eq!(fen(&c["deposit_withheld"]), fen(&c["deposit_forfeited"]) + fen(&c["deposit_released"]));
        assert!(fen(&c["deposit_withheld"]) > 0, "2% of a year of approved plans: {c}");
    }
    // 东宝区, checked by hand: income 100,684,055.50 over a budget of 100,555,000.00 (over by
    // 129,055.50), spending 215,868,260.00 over 214,200,000.00 (gap 1,668,260.00); incentive
    // 129,055.50 × 0.5 = 64,527.75 set against the gap.
    let dongbao = &counties.iter().find(|p| p[0] == "dongbao").unwrap()[1];
    assert_eq!(dongbao["management_gap"], "1668260.00");
    assert_eq!(
        (dongbao["incentive"].as_str(), dongbao["incentive_offset"].as_str()),
        (Some("64527.75"), Some("64527.75"))
    );
    // Re-run unchanged, then after 东宝区's budget income is revised down by 100,000.00.
    let again = env.run_plain(&["--db", &db, "settle", "--year", "2023", "--fund", "resident"]);
    assert!(again.stdout.contains("与上次结算相比没有变化"), "{}", again.stdout);
    let budget = env
        .write("budget.csv", "year,party,fund,income,expenditure\n2023,dongbao,resident,100455000.00,214200000.00\n");
    env.run_plain(&["--db", &db, "budget", "import", &budget]);
    let changed = env.run_plain(&["--db", &db, "settle", "--year", "2023", "--fund", "resident"]);
    assert!(changed.stdout.contains("与上次结算相比的变化"), "{}", changed.stdout);
    // Income now over budget by 229,055.50: incentive 229,055.50 × 0.5 = 114,527.75.
    assert!(changed.stdout.contains("dongbao 激励折算：64,527.75 → 114,527.75"), "{}", changed.stdout);
    // The implied events: each county's released deposit, as drafts to review and post.
    let text = std::fs::read_to_string(&events).unwrap();
    assert!(text.contains("purpose = \"deposit_release\""), "{text}");
    let posted = env.run_plain(&["--db", &db, "post", &events]);
    assert_eq!(posted.code, 0, "{}", posted.stderr);
    assert!(posted.stdout.contains("（草稿）"), "{}", posted.stdout);
}
