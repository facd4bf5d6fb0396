//! The core ledger through the real binary: the README walkthrough, workflow refusals,
//! idempotent import, closing, and tamper evidence.

use crate::support::{fixture, Env, MAKER, REVIEWER};
use serde_json::Value;

/// init → import → review → post → reverse → correct → trial balance → verify.
fn walkthrough() -> Env {
    let env = Env::jingmen();
    let csv = fixture("fixtures/jingmen/walkthrough.csv");
    let out = env.ok(&["import", &csv]);
    assert_eq!(out, "已导入 9 张凭证（20 行分录），状态：草稿；已存在未重复写入 0 张；导入批次 #1\n");
    env.ok_as(REVIEWER, &["review", "--all"]);
    env.ok(&["post", "--all"]);
    env.ok(&["reverse", "--book", "shayang/employee", "--number", "记-2023-01-0004", "--reviewer", REVIEWER]);
    env.ok(&["voucher", "add", &fixture("fixtures/jingmen/walkthrough-correction.toml")]);
    env.ok_as(REVIEWER, &["review", "--book", "shayang/employee", "--number", "记-2023-01-0006"]);
    env.ok(&["post", "--book", "shayang/employee", "--number", "记-2023-01-0006"]);
    env
}

fn tb_json(env: &Env, book: &str) -> Value {
    let out = env.ok(&["trial-balance", "--book", book, "--period", "2023-01", "--format", "json"]);
    serde_json::from_str(&out).expect("json")
}

fn row<'a>(tb: &'a Value, account: &str) -> &'a Value {
    tb["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["account"] == account)
        .unwrap_or_else(|| panic!("no row {account}"))
}

#[test]
fn walkthrough_trial_balances_tie_to_hand_computed_figures() {
    let env = walkthrough();
    let city = tb_json(&env, "city/employee");
    assert_eq!(city["book"], "city/employee");
    assert_eq!(city["period_from"], "2023-01");
    assert_eq!(city["period_to"], "2023-01");
    // 1004: 50,000,000 + 12,345,678.90 + 1,500,000 in, 800,000 out.
    let r = row(&city, "1004");
    assert_eq!((r["name"].as_str(), r["opening"].as_str()), (Some("财政专户存款"), Some("0.00")));
    assert_eq!((r["debit"].as_str(), r["credit"].as_str()), (Some("63845678.90"), Some("800000.00")));
    assert_eq!(r["closing"], "63045678.90");
    assert_eq!(row(&city, "1005")["closing"], "0.00");
    assert_eq!(row(&city, "4701")["closing"], "1500000.00");
    assert_eq!(row(&city, "4701.03")["closing"], "1500000.00");
    assert_eq!(row(&city, "5201")["closing"], "800000.00");
    // Debit side 63,045,678.90 + 800,000 = credit side 50,000,000 + 12,300,000 + 1,500,000 + 45,678.90.
    assert_eq!(city["totals"]["closing_debit_side"], "63845678.90");
    assert_eq!(city["totals"]["closing_credit_side"], "63845678.90");
    assert_eq!(city["totals"]["debit"], "76991357.80");
    assert_eq!(city["balanced"], true);

    let county = tb_json(&env, "shayang/employee");
    // 1003: 800,000 in; 420,000.55 paid, reversed in red (−420,000.55), re-paid 420,000.50.
    let r = row(&county, "1003");
    assert_eq!((r["debit"].as_str(), r["credit"].as_str()), (Some("800000.00"), Some("420000.50")));
    assert_eq!(r["closing"], "379999.50");
    assert_eq!(row(&county, "5001.01")["closing"], "120000.50");
    assert_eq!(row(&county, "5001.02")["closing"], "300000.00");
    assert_eq!(row(&county, "5001")["debit"], "420000.50");
    assert_eq!(row(&county, "1004")["closing"], "0.00");
    assert_eq!(county["totals"]["closing_debit_side"], "2300000.00");
    assert_eq!(county["totals"]["closing_credit_side"], "2300000.00");

    assert!(env.ok(&["verify"]).starts_with("verify 通过：18 个账簿的哈希链和余额均与凭证一致，记录日志（"));
    assert_eq!(env.ok(&["check"]), "check 通过：18 个账簿的余额均与凭证行一致\n");
}

#[test]
fn walkthrough_journal_and_trial_balance_snapshots() {
    let env = walkthrough();
    insta::assert_snapshot!(
        "walkthrough_journal_shayang_employee",
        env.ok(&["journal", "--book", "shayang/employee", "--period", "2023-01"])
    );
    insta::assert_snapshot!(
        "walkthrough_trial_balance_city_employee",
        env.ok(&["trial-balance", "--book", "city/employee", "--period", "2023-01"])
    );
    insta::assert_snapshot!(
        "walkthrough_account_shayang_1003",
        env.ok(&["account", "--book", "shayang/employee", "--account", "1003", "--period", "2023-01"])
    );
    insta::assert_snapshot!(
        "walkthrough_trial_balance_shayang_csv",
        env.ok(&["trial-balance", "--book", "shayang/employee", "--period", "2023-01", "--format", "csv"])
    );
}

/// The 明细账 shows its closing balance from the book's maintained balances before its entries;
/// entries that do not add up to it end the report with an integrity error, in every format.
#[test]
fn an_account_ledger_whose_entries_do_not_reach_the_maintained_balance_says_so() {
    let env = walkthrough();
    env.raw()
        .execute(
            "UPDATE balance SET debit_fen = debit_fen + 1 WHERE account = '1003' AND period = '2023-01' \
             AND book_id = (SELECT id FROM book WHERE party = 'shayang' AND fund = 'employee')",
            [],
        )
        .unwrap();
    for format in ["table", "json", "csv"] {
        let run = env.run(&[
            "--format",
            format,
            "account",
            "--book",
            "shayang/employee",
            "--account",
            "1003",
            "--period",
            "2023-01",
        ]);
        assert_eq!(run.code, 5, "{format}: {}", run.stderr);
        assert!(
            run.stderr.contains(
                "shayang/employee 1003 的明细账逐笔累计余额 379,999.50 与账簿余额表的期末余额 379,999.51 不符"
            ),
            "{format}: {}",
            run.stderr
        );
    }
    // An account the change did not touch reads as before.
    env.ok(&["account", "--book", "shayang/employee", "--account", "5001", "--period", "2023-01"]);
}

#[test]
fn reimport_is_a_no_op_and_changed_content_is_refused() {
    let env = Env::jingmen();
    let csv = fixture("fixtures/jingmen/walkthrough.csv");
    env.ok(&["import", &csv]);
    let before = env.fingerprint();
    // The same file again: nothing written, the earlier batch named.
    let out = env.ok(&["import", &csv]);
    assert_eq!(
        out,
        format!("{csv} 的内容已于 2023-02-01 17:00:00 由 张会计 导入过（导入批次 #1，文件 walkthrough.csv，9 行）：本次没有写入任何内容\n")
    );
    assert_eq!(env.fingerprint(), before);
    // The same vouchers in another file: each is already present by its external id.
    let copy = env.write("copy.csv", &(std::fs::read_to_string(&csv).unwrap() + "\n"));
    let out = env.ok(&["import", &copy]);
    assert_eq!(out, "已导入 0 张凭证（0 行分录），状态：草稿；已存在未重复写入 9 张；导入批次 #2\n");
    let before = env.fingerprint();
    let changed = std::fs::read_to_string(&csv)
        .unwrap()
        .replace("12300000.00", "12300000.01")
        .replace("12345678.90,,PR", "12345678.91,,PR");
    let path = env.write("changed.csv", &changed);
    let run = env.run(&["import", &path]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("凭证 c2（第 4 行起）：外部编号 PR-2212-E 在账簿 city/employee 中已有凭证 记-2023-01-0002，内容不同；不会覆盖"),
        "{}",
        run.stderr
    );
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn workflow_refusals_change_nothing() {
    let env = Env::jingmen();
    env.ok(&["import", &fixture("fixtures/jingmen/walkthrough.csv")]);
    let before = env.fingerprint();
    // The maker cannot review their own vouchers.
    let run = env.run(&["review", "--book", "city/employee", "--number", "记-2023-01-0001"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "错误：1 处不允许的操作，没有做任何改动：\n  city/employee 记-2023-01-0001：审核人不能是制单人 张会计（制单与审核须由两人完成）\n"
    );
    // A draft cannot be posted.
    let run = env.run(&["post", "--book", "city/employee", "--number", "记-2023-01-0001"]);
    assert_eq!(
        run.stderr,
        "错误：1 处错误，没有做任何改动：\n  凭证 city/employee 记-2023-01-0001 状态为草稿，不能记账（须先审核）\n"
    );
    // An unposted voucher cannot be reversed.
    let run = env.run(&["reverse", "--book", "city/employee", "--number", "记-2023-01-0001", "--reviewer", REVIEWER]);
    assert!(run.stderr.contains("状态为草稿，不能冲销"), "{}", run.stderr);
    // Closing refuses while drafts remain.
    let run = env.run(&["close", "--period", "2023-01", "--book", "city/employee"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("city/employee 2023-01 还有未记账凭证：记-2023-01-0001（草稿）"), "{}", run.stderr);
    // The advice fits the cause: a draft needs review (or voiding), then posting.
    assert!(
        run.stderr.contains("草稿须先审核（fundpool review --book city/employee --period 2023-01 --all）"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--accept-differences 不能代替记账"), "{}", run.stderr);
    // Without an operator nothing is written.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fundpool"))
        .args(["--db", env.db().to_str().unwrap(), "import", &fixture("fixtures/jingmen/walkthrough.csv")])
        .env_remove("FUNDPOOL_OPERATOR")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("请用 --operator"));
    // Re-running init on an existing database refuses.
    let run = env.run(&["init", "--city", &fixture("fixtures/jingmen")]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("已经初始化，init 不会覆盖已有账套"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn reversal_rules_once_only_and_never_of_a_reversal() {
    let env = walkthrough();
    let before = env.fingerprint();
    let run =
        env.run(&["reverse", "--book", "shayang/employee", "--number", "记-2023-01-0004", "--reviewer", REVIEWER]);
    assert_eq!(run.stderr, "错误：不能冲销 shayang/employee 记-2023-01-0004：\n  凭证 记-2023-01-0004 已被 记-2023-01-0005 冲销，一张凭证只能冲销一次\n");
    let run =
        env.run(&["reverse", "--book", "shayang/employee", "--number", "记-2023-01-0005", "--reviewer", REVIEWER]);
    assert_eq!(
        run.stderr,
        "错误：不能冲销 shayang/employee 记-2023-01-0005：\n  凭证 记-2023-01-0005 本身是红字冲销凭证，不能再冲销\n"
    );
    let run = env.run(&["reverse", "--book", "shayang/employee", "--number", "记-2023-01-0003", "--reviewer", MAKER]);
    assert_eq!(run.stderr, "错误：审核人不能是制单人 张会计（制单与审核须由两人完成）\n");
    assert_eq!(env.fingerprint(), before);
    // The reversal repeats the lines with negative amounts on the same sides.
    let journal: Value = serde_json::from_str(&env.ok(&[
        "journal",
        "--book",
        "shayang/employee",
        "--period",
        "2023-01",
        "--format",
        "json",
    ]))
    .unwrap();
    let reversal = journal["vouchers"].as_array().unwrap().iter().find(|v| v["number"] == "记-2023-01-0005").unwrap();
    assert_eq!(reversal["reverses"], "记-2023-01-0004");
    let amounts: Vec<(String, String)> = reversal["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["debit"].as_str().unwrap().to_string(), l["credit"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        amounts,
        vec![
            ("-300000.00".to_string(), String::new()),
            ("-120000.55".to_string(), String::new()),
            (String::new(), "-420000.55".to_string())
        ]
    );
}

#[test]
fn closed_months_refuse_postings_and_close_in_order() {
    let env = walkthrough();
    // Months close in order from the city's opening month (2022-12).
    let run = env.run(&["close", "--period", "2023-01"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("city/employee 的 2022-12 尚未结账：须从 2022-12 起按月份顺序结账"), "{}", run.stderr);
    // --accept-differences accepts a stored run's differences; it cannot stand in for one.
    let run = env.run(&["close", "--period", "2022-12", "--accept-differences", "--reason", "不想对账"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("2022-12 尚未对账：请先运行 fundpool reconcile --period 2022-12"), "{}", run.stderr);
    env.run(&["reconcile", "--period", "2022-12"]);
    env.ok(&["close", "--period", "2022-12"]);
    env.run(&["reconcile", "--period", "2023-01"]);
    let out = env.ok(&["close", "--period", "2023-01", "--accept-differences", "--reason", "演练：无对账单"]);
    assert!(out.starts_with("已结账 2023-01：18 个账簿；封存哈希 "), "{out}");
    let before = env.fingerprint();
    let run = env.run(&[
        "reverse",
        "--book",
        "shayang/employee",
        "--number",
        "记-2023-01-0006",
        "--date",
        "2023-01-31",
        "--reviewer",
        REVIEWER,
    ]);
    assert!(run.stderr.contains("账簿 shayang/employee 已结账至 2023-01，2023-01 不能再记入"), "{}", run.stderr);
    // Nothing can be dated before a closed month either (December 2022 after January closed).
    let dec = env.write(
        "dec.csv",
        "voucher,book,date,account,summary,debit,credit\nd1,shayang/employee,2022-12-31,1003,补记,1.00,\nd1,shayang/employee,2022-12-31,1004,补记,,1.00\n",
    );
    let run = env.run(&["import", &dec]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("已结账至 2023-01，2022-12 不能再记入"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
    // Re-importing vouchers already on file stays a no-op after their month has closed.
    let out = env.ok(&["import", &fixture("fixtures/jingmen/walkthrough.csv")]);
    assert!(out.contains("导入过（导入批次 #1"), "{out}");
    // Without a date, the reversal of a voucher in a closed month is dated in the first open month.
    let out = env.ok(&["reverse", "--book", "shayang/employee", "--number", "记-2023-01-0006", "--reviewer", REVIEWER]);
    assert_eq!(out, "已用红字凭证 shayang/employee 记-2023-02-0001 冲销 记-2023-01-0006（2023-02-01）\n");
    env.ok(&["verify"]);
}

#[test]
fn verify_catches_a_line_edited_behind_the_engines_back() {
    let env = walkthrough();
    let conn = env.raw();
    conn.execute_batch(
        "DROP TRIGGER voucher_line_posted_no_update;
         UPDATE voucher_line SET debit_fen = debit_fen + 100
           WHERE line_no = 1 AND voucher_id = (SELECT v.id FROM voucher v JOIN book b ON b.id = v.book_id
             WHERE b.party = 'city' AND b.fund = 'employee' AND v.seq = 3);
         UPDATE voucher_line SET credit_fen = credit_fen + 100
           WHERE line_no = 2 AND voucher_id = (SELECT v.id FROM voucher v JOIN book b ON b.id = v.book_id
             WHERE b.party = 'city' AND b.fund = 'employee' AND v.seq = 3);",
    )
    .unwrap();
    drop(conn);
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 5);
    assert!(
        run.stderr.contains("city/employee 凭证 记-2023-01-0003（记账顺序 3）的存储内容与其哈希不符"),
        "{}",
        run.stderr
    );
    // Where a link is broken, the content digest says that it was the lines that changed.
    assert!(
        run.stderr.contains("凭证 city/employee 记-2023-01-0003 的分录与制单时记录的内容摘要不符：分录被改动过"),
        "{}",
        run.stderr
    );
    // The balance table no longer agrees with the lines either.
    let run = env.run(&["check"]);
    assert_eq!(run.code, 5);
    assert!(run.stderr.contains("city/employee 2023-01 科目 1004：余额表 借 63,845,678.90 贷 800,000.00，按凭证行重算 借 63,845,679.90 贷 800,000.00"), "{}", run.stderr);
}

#[test]
fn the_database_itself_refuses_to_change_posted_vouchers() {
    let env = walkthrough();
    let conn = env.raw();
    let err =
        conn.execute("UPDATE voucher_line SET debit_fen = 1 WHERE voucher_id = 1 AND line_no = 1", []).unwrap_err();
    assert!(err.to_string().contains("lines of a posted voucher are immutable"), "{err}");
    let lines = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row("SELECT COUNT(*) FROM voucher_line", [], |r| r.get(0)).unwrap()
    };
    let before = lines(&conn);
    let err = conn
        .execute(
            "INSERT INTO voucher_line (voucher_id, line_no, account, summary, debit_fen, credit_fen) \
             VALUES (1, 99, '1004', 'added', 1, 0)",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("lines of a posted voucher are immutable"), "{err}");
    assert_eq!(lines(&conn), before);
    let err = conn.execute("DELETE FROM voucher WHERE id = 1", []).unwrap_err();
    assert!(err.to_string().contains("posted voucher is immutable"), "{err}");
    let err = conn.execute("UPDATE voucher SET date = '2023-01-02' WHERE id = 1", []).unwrap_err();
    assert!(err.to_string().contains("posted voucher is immutable"), "{err}");
    // An update of many rows changes no posted one either.
    let posted = |conn: &rusqlite::Connection| -> (i64, i64) {
        conn.query_row("SELECT COUNT(*), SUM(attachments) FROM voucher WHERE status = 'posted'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
    };
    let before = posted(&conn);
    assert!(before.0 > 1);
    let err = conn.execute("UPDATE voucher SET attachments = attachments + 1", []).unwrap_err();
    assert!(err.to_string().contains("posted voucher is immutable"), "{err}");
    assert_eq!(posted(&conn), before);
}

#[test]
fn check_catches_a_balance_row_edited_behind_the_engines_back() {
    let env = walkthrough();
    env.raw().execute("UPDATE balance SET credit_fen = credit_fen + 1 WHERE account = '3001'", []).unwrap();
    let run = env.run(&["check"]);
    assert_eq!(run.code, 5);
    assert!(run.stderr.contains("check 发现 2 处问题"), "{}", run.stderr);
}

#[test]
fn a_newer_database_is_refused_and_left_alone() {
    let env = Env::jingmen();
    env.raw().pragma_update(None, "user_version", 99).unwrap();
    let run = env.run(&["journal", "--book", "city/employee"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("数据库结构版本 99 比本程序支持的 14 新"), "{}", run.stderr);
    let version: i64 = env.raw().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 99);
}

#[test]
fn one_bad_row_among_thousands_writes_nothing_and_names_the_row() {
    let env = Env::jingmen();
    let mut csv = String::from("voucher,book,date,account,summary,debit,credit\n");
    for i in 0..3000 {
        let amount = if i == 2345 { "10.005" } else { "10.00" };
        csv.push_str(&format!("v{i},zhongxiang/resident,2023-03-15,5001.02,住院统筹{i},{amount},\n"));
        csv.push_str(&format!("v{i},zhongxiang/resident,2023-03-15,1003,住院统筹{i},,10.00\n"));
    }
    let path = env.write("big.csv", &csv);
    let before = env.fingerprint();
    let run = env.run(&["import", &path]);
    assert_eq!(run.code, 1);
    // Voucher v2345 starts on line 2 + 2 × 2345 = 4692.
    assert_eq!(
        run.stderr,
        "错误：1 处错误，没有写入任何凭证：\n  第 4692 行：金额 \"10.005\" 超过两位小数（金额精确到分）\n"
    );
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn one_step_posting_needs_a_reviewer_other_than_the_operator() {
    let env = Env::jingmen();
    let before = env.fingerprint();
    let csv = fixture("fixtures/jingmen/walkthrough.csv");
    let run = env.run(&["import", &csv, "--post"]);
    assert_eq!(run.stderr, "错误：--post 需要 --reviewer 审核人（审核人不能是操作人）\n");
    let run = env.run(&["import", &csv, "--post", "--reviewer", MAKER]);
    assert_eq!(run.stderr, "错误：审核人不能是制单人 张会计（制单与审核须由两人完成）\n");
    let run = env.run(&["import", &csv, "--reviewer", REVIEWER]);
    assert_eq!(run.stderr, "错误：--reviewer 只与 --post 一起使用\n");
    assert_eq!(env.fingerprint(), before);
    let out = env.ok(&["import", &csv, "--post", "--reviewer", REVIEWER]);
    assert_eq!(out, "已导入 9 张凭证（20 行分录），状态：已记账；已存在未重复写入 0 张；导入批次 #1\n");
    env.ok(&["verify"]);
}

#[test]
fn a_draft_is_voided_with_a_reason_kept_and_out_of_every_queue() {
    let env = Env::jingmen();
    env.ok(&["import", &fixture("fixtures/jingmen/walkthrough.csv")]);
    let run = env.run_as(
        REVIEWER,
        &["voucher", "void", "--book", "shayang/employee", "--number", "记-2023-01-0004", "--reason", " "],
    );
    assert!(run.stderr.contains("作废凭证须说明理由"), "{}", run.stderr);
    let out = env.ok_as(
        REVIEWER,
        &[
            "voucher",
            "void",
            "--book",
            "shayang/employee",
            "--number",
            "记-2023-01-0004",
            "--reason",
            "金额有误，退回重做",
        ],
    );
    assert_eq!(out, "已作废 shayang/employee 记-2023-01-0004：金额有误，退回重做\n");
    let before = env.fingerprint();
    let again = env.run_as(
        REVIEWER,
        &["voucher", "void", "--book", "shayang/employee", "--number", "记-2023-01-0004", "--reason", "再来"],
    );
    assert!(again.stderr.contains("已经作废（金额有误，退回重做）"), "{}", again.stderr);
    let named = env.run_as(REVIEWER, &["review", "--book", "shayang/employee", "--number", "记-2023-01-0004"]);
    assert!(named.stderr.contains("已作废（金额有误，退回重做），不能审核"), "{}", named.stderr);
    assert_eq!(env.fingerprint(), before);
    // Review --all passes it by; the other eight are reviewed and posted.
    let reviewed = env.ok_as(REVIEWER, &["--format", "json", "review", "--all"]);
    let json: Value = serde_json::from_str(&reviewed).unwrap();
    assert_eq!(json["reviewed"].as_array().unwrap().len(), 8);
    env.ok(&["post", "--all"]);
    // Kept in the journal with its reason; its number is not reused.
    let journal = env.ok(&["--format", "json", "journal", "--book", "shayang/employee", "--all"]);
    let json: Value = serde_json::from_str(&journal).unwrap();
    let voided = json["vouchers"].as_array().unwrap().iter().find(|v| v["number"] == "记-2023-01-0004").unwrap();
    assert_eq!(voided["void_reason"], "金额有误，退回重做");
    assert_eq!(voided["status"], "draft");
    env.ok(&["voucher", "add", &fixture("fixtures/jingmen/walkthrough-correction.toml")]);
    let journal = env.ok(&["--format", "json", "journal", "--book", "shayang/employee", "--all"]);
    let json: Value = serde_json::from_str(&journal).unwrap();
    let numbers: Vec<&str> =
        json["vouchers"].as_array().unwrap().iter().map(|v| v["number"].as_str().unwrap()).collect();
    assert_eq!(numbers.iter().filter(|n| **n == "记-2023-01-0004").count(), 1, "the voided number is not reused");
    assert!(numbers.contains(&"记-2023-01-0005"), "the next number follows the voided one: {numbers:?}");
    // A posted voucher is reversed, never voided.
    let run = env.run_as(
        REVIEWER,
        &["voucher", "void", "--book", "shayang/employee", "--number", "记-2023-01-0003", "--reason", "x"],
    );
    assert!(run.stderr.contains("只有未审核的草稿可以作废；已记账的凭证请用红字冲销"), "{}", run.stderr);
    // The voided draft does not hold up the close.
    env.ok_as(REVIEWER, &["review", "--all"]);
    env.ok(&["post", "--all"]);
    env.run(&["reconcile", "--period", "2022-12"]);
    env.ok(&["close", "--period", "2022-12"]);
    env.run(&["reconcile", "--period", "2023-01"]);
    env.ok(&["close", "--period", "2023-01", "--accept-differences", "--reason", "测试"]);
    env.ok(&["verify"]);
}
