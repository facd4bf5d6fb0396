//! Month-end reconciliation and the sealed close, on the scenario in `tests/reconcile/`
//! (its README lists the deliberate differences).

use crate::support::{fixture, Env, REVIEWER};

fn scenario(name: &str) -> String {
    fixture(&format!("tests/reconcile/{name}"))
}

fn import_statements(env: &Env, month: &str) -> Vec<String> {
    ["tax", "treasury", "bank"]
        .iter()
        .map(|source| env.ok(&["statement", "import", "--source", source, &scenario(&format!("{source}-{month}.csv"))]))
        .collect()
}

/// December posted, reconciled and closed; January posted with its statements.
fn january() -> Env {
    let env = Env::jingmen();
    env.ok(&["post", &scenario("dec.toml"), "--post", "--reviewer", REVIEWER]);
    import_statements(&env, "2212");
    let run = env.run(&["reconcile", "--period", "2022-12"]);
    assert_eq!(run.code, 0, "December should be clean:\n{}", run.stdout);
    env.ok(&["close", "--period", "2022-12"]);
    env.ok(&["post", &scenario("jan.toml"), "--post", "--reviewer", REVIEWER]);
    let imported = import_statements(&env, "2301");
    // The bank file repeats ZF-0120-SY: imported once.
    assert_eq!(imported[2], "已导入 bank 对账单 4 行；已存在未重复导入 1 行\n");
    env
}

#[test]
fn january_differences_are_reported_and_block_the_close() {
    let env = january();
    let run = env.run(&["reconcile", "--period", "2023-01"]);
    assert_eq!(run.code, 3, "differences exit 3");
    insta::assert_snapshot!("reconcile_2023_01", run.stdout);

    let before = env.fingerprint();
    let refused = env.run(&["close", "--period", "2023-01"]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("最近一次对账（#2，2023-02-01 17:00:00）发现 2 处差异"), "{}", refused.stderr);
    assert_eq!(env.fingerprint(), before);
    let no_reason = env.run(&["close", "--period", "2023-01", "--accept-differences"]);
    assert!(no_reason.stderr.contains("--accept-differences 需要 --reason"), "{}", no_reason.stderr);

    let out = env.ok(&[
        "close",
        "--period",
        "2023-01",
        "--accept-differences",
        "--reason",
        "BP-SY-0125 多记 0.01，2月红字冲销更正",
    ]);
    assert!(out.contains("理由（已记录）：BP-SY-0125 多记 0.01，2月红字冲销更正"), "{out}");
    let reason: String = env
        .raw()
        .query_row("SELECT reason FROM seal WHERE period = '2023-01' AND action = 'close'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(reason, "BP-SY-0125 多记 0.01，2月红字冲销更正");

    // Posting into the closed month is refused.
    let late = env.run(&[
        "event",
        "transfer_out",
        "--id",
        "LATE",
        "--date",
        "2023-01-31",
        "--fund",
        "employee",
        "--party",
        "shayang",
        "--amount",
        "1.00",
    ]);
    assert_eq!(late.code, 1);
    assert!(late.stderr.contains("账簿 shayang/employee 已结账至 2023-01，2023-01 不能再记入"), "{}", late.stderr);
}

#[test]
fn february_clears_the_transit_and_the_correction_and_closes_clean() {
    let env = january();
    env.run(&["reconcile", "--period", "2023-01"]);
    env.ok(&["close", "--period", "2023-01", "--accept-differences", "--reason", "2月更正"]);
    env.ok(&[
        "reverse",
        "--book",
        "shayang/employee",
        "--number",
        "记-2023-01-0002",
        "--date",
        "2023-02-02",
        "--reviewer",
        REVIEWER,
    ]);
    env.ok(&["post", &scenario("feb.toml"), "--post", "--reviewer", REVIEWER]);
    env.ok(&["voucher", "add", &scenario("fee.toml")]);
    env.ok_as(REVIEWER, &["review", "--all"]);
    env.ok(&["post", "--all"]);
    import_statements(&env, "2302");
    let run = env.run(&["reconcile", "--period", "2023-02"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    insta::assert_snapshot!("reconcile_2023_02", run.stdout);
    let out = env.ok(&["close", "--period", "2023-02"]);
    assert!(out.starts_with("已结账 2023-02：18 个账簿；封存哈希 "), "{out}");
    // Runs: December #1, January #2, February #3.
    assert!(out.lines().next().unwrap().ends_with("（对账记录 #3）"), "{out}");
    assert!(out.lines().last().unwrap().starts_with("{\"fundpool_anchor\":1,\"city\":\"jingmen\""), "{out}");
    env.ok(&["verify"]);

    // Reopen (反结账) only the latest closed month, with a reason on record.
    let refused = env.run(&["reopen", "--period", "2023-01", "--reason", "补记"]);
    assert_eq!(refused.stderr, "错误：只能反结账最近一个已结账的月份：2023-02 已结账，须先反结账它\n");
    env.ok(&["reopen", "--period", "2023-02", "--reason", "补记2月凭证"]);
    let history: Vec<(String, String)> = env
        .raw()
        .prepare("SELECT period, action FROM seal ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expected: Vec<(String, String)> =
        [("2022-12", "close"), ("2023-01", "close"), ("2023-02", "close"), ("2023-02", "reopen")]
            .iter()
            .map(|(p, a)| (p.to_string(), a.to_string()))
            .collect();
    assert_eq!(history, expected);
    // Reopened, the month takes postings again and must be reconciled again before it closes.
    env.ok(&[
        "event",
        "transfer_out",
        "--id",
        "T1",
        "--date",
        "2023-02-27",
        "--fund",
        "employee",
        "--party",
        "shayang",
        "--amount",
        "1.00",
        "--post",
        "--reviewer",
        REVIEWER,
    ]);
    let stale = env.run(&["close", "--period", "2023-02"]);
    assert!(
        stale.stderr.contains("之后又记账了 1 张凭证：请重新运行 fundpool reconcile --period 2023-02"),
        "{}",
        stale.stderr
    );
}

#[test]
fn verify_catches_a_closing_balance_edited_behind_the_engines_back() {
    let env = january();
    env.run(&["reconcile", "--period", "2023-01"]);
    env.ok(&["close", "--period", "2023-01", "--accept-differences", "--reason", "测试"]);
    env.ok(&["verify"]);
    env.raw()
        .execute(
            "UPDATE balance SET debit_fen = debit_fen + 1 WHERE account = '1003' AND period = '2023-01' \
             AND book_id = (SELECT id FROM book WHERE party = 'shayang' AND fund = 'employee')",
            [],
        )
        .unwrap();
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 5);
    assert!(
        run.stderr.contains("2023-01 结账封存 #2（张会计 于 2023-02-01 17:00:00）与现有期末余额或对账记录不符"),
        "{}",
        run.stderr
    );
}

#[test]
fn one_check_and_one_fund_as_json() {
    let env = january();
    let run =
        env.run(&["reconcile", "--period", "2023-01", "--check", "bank", "--fund", "employee", "--format", "json"]);
    assert_eq!(run.code, 3);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["period"], "2023-01");
    assert_eq!(json["differences"], 2);
    assert_eq!(json["outstanding"], 1);
    assert_eq!(json["summaries"].as_array().unwrap().len(), 1);
    assert_eq!(json["summaries"][0]["check"], "bank");
    let mismatch = json["findings"].as_array().unwrap().iter().find(|f| f["ref"] == "BP-SY-0125").unwrap();
    assert_eq!(mismatch["kind"], "amount_mismatch");
    assert_eq!(mismatch["ref"], "BP-SY-0125");
    assert_eq!(mismatch["ours_amount"], "-450000.01");
    assert_eq!(mismatch["theirs_amount"], "-450000.00");
    let fee = json["findings"].as_array().unwrap().iter().find(|f| f["ref"] == "BANKFEE-0131").unwrap();
    assert_eq!(fee["severity"], "outstanding");
    assert_eq!(fee["outstanding"], "theirs_paid_ours_not");
    assert_eq!(json["statements"][0]["equal"], false);
    // A filtered run does not open the close.
    let refused = env.run(&["close", "--period", "2023-01"]);
    assert!(refused.stderr.contains("尚未对账"), "{}", refused.stderr);
    let bad = env.run(&["reconcile", "--period", "2023-01", "--check", "banks"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("检查 \"banks\" 不存在"), "{}", bad.stderr);
}

#[test]
fn statement_imports_refuse_bad_files_and_change_nothing() {
    let env = january();
    let before = env.fingerprint();
    let wrong = env.write("wrong.csv", "date,ref,fund,kind,amount\n2023-01-05,X,employee,received,1.00\n");
    let run = env.run(&["statement", "import", "--source", "bank", &wrong]);
    assert!(run.stderr.contains("bank 对账单的表头应为 date,ref,book,account,direction,amount"), "{}", run.stderr);
    let conflict =
        env.write("conflict.csv", "date,ref,fund,kind,amount\n2023-01-15,PAY-2301-01,employee,received,3000000.01\n");
    let run = env.run(&["statement", "import", "--source", "treasury", &conflict]);
    assert!(
        run.stderr.contains("第 2 行：treasury 对账单中结算号 PAY-2301-01 已有内容不同的记录；不会覆盖"),
        "{}",
        run.stderr
    );
    let unknown = env
        .write("unknown.csv", "date,ref,book,account,direction,amount\n2023-01-05,X,wuchang/employee,1003,in,1.00\n");
    let run = env.run(&["statement", "import", "--source", "bank", &unknown]);
    assert!(run.stderr.contains("第 2 行：账簿 wuchang/employee 不存在"), "{}", run.stderr);
    assert_eq!(run.code, 1);
    assert_eq!(env.fingerprint(), before);
}

/// Lines are matched and reported in journal order (date, voucher, line), whatever order they
/// were stored in: a voucher entered later but dated earlier comes first.
#[test]
fn lines_are_reconciled_in_date_order_not_entry_order() {
    let env = Env::jingmen();
    let csv = "voucher,book,date,account,summary,debit,credit\n\
               late,shayang/employee,2023-01-20,5001.02,后记的早单据,1.00,\n\
               late,shayang/employee,2023-01-20,1003,后记的早单据,,1.00\n\
               early,shayang/employee,2023-01-05,5001.02,早单据,2.00,\n\
               early,shayang/employee,2023-01-05,1003,早单据,,2.00\n";
    env.ok(&["import", &env.write("two.csv", csv), "--post", "--reviewer", REVIEWER]);
    let run = env.run(&["--format", "json", "reconcile", "--period", "2023-01", "--check", "bank"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let ours: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["scope"].as_str().unwrap().starts_with("shayang/employee 1003"))
        .map(|f| (f["date"].as_str().unwrap(), f["ours_amount"].as_str().unwrap()))
        .collect();
    assert_eq!(ours, vec![("2023-01-05", "-2.00"), ("2023-01-20", "-1.00")], "{}", run.stdout);
}

/// A run stores its report compressed (a month with hundreds of thousands of outstanding items
/// has a report of a hundred megabytes), and shows it again exactly as it was reported; a report
/// stored as plain JSON, as every run before was, shows the same.
#[test]
fn a_run_is_stored_compressed_and_shown_again_as_it_was_reported() {
    use base64::Engine;
    use std::io::Read;
    let env = january();
    let run = env.run(&["reconcile", "--period", "2023-01"]);
    assert_eq!(run.code, 3);
    let stored: String =
        env.raw().query_row("SELECT report FROM reconciliation_run WHERE id = 2", [], |r| r.get(0)).unwrap();
    let packed = stored.strip_prefix("gzip+base64:").expect("stored compressed");
    let compressed = base64::engine::general_purpose::STANDARD.decode(packed).unwrap();
    let mut json = String::new();
    flate2::read::GzDecoder::new(compressed.as_slice()).read_to_string(&mut json).unwrap();
    assert!(json.starts_with("{\"period\":\"2023-01\""), "{json}");
    assert!(json.len() > stored.len(), "smaller stored than plain");
    let shown = |env: &Env| {
        let again = env.run(&["reconcile", "--period", "2023-01", "--run", "2"]);
        assert_eq!(again.code, 3, "its differences still exit 3: {}", again.stderr);
        again.stdout
    };
    assert_eq!(shown(&env), run.stdout, "the stored run shows as it was reported");
    // As an older version stored it: plain JSON.
    let conn = env.raw();
    conn.execute_batch("DROP TRIGGER run_no_update").unwrap();
    conn.execute("UPDATE reconciliation_run SET report = ?1 WHERE id = 2", [&json]).unwrap();
    drop(conn);
    assert_eq!(shown(&env), run.stdout);
    // A stored report that cannot be read is said to be damaged, not shown.
    let conn = env.raw();
    conn.execute("UPDATE reconciliation_run SET report = 'gzip+base64:!!' WHERE id = 2", []).unwrap();
    drop(conn);
    let damaged = env.run(&["reconcile", "--period", "2023-01", "--run", "2"]);
    assert_eq!(damaged.code, 5, "{}", damaged.stderr);
    assert!(damaged.stderr.contains("对账记录 #2 无法读取"), "{}", damaged.stderr);
    // Nor is one that decompresses into something else (here 16 MiB of zeros from 16 KiB).
    let mut zeros = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut zeros, &vec![0u8; 16 << 20]).unwrap();
    let bomb = format!("gzip+base64:{}", base64::engine::general_purpose::STANDARD.encode(zeros.finish().unwrap()));
    assert!(bomb.len() < 64 << 10);
    env.raw().execute("UPDATE reconciliation_run SET report = ?1 WHERE id = 2", [&bomb]).unwrap();
    let damaged = env.run(&["reconcile", "--period", "2023-01", "--run", "2"]);
    assert_eq!(damaged.code, 5, "{}", damaged.stderr);
    assert!(damaged.stderr.contains("对账记录 #2 无法读取"), "{}", damaged.stderr);
}

/// A month's run reads every posted voucher of the month and before, wherever it lies among the
/// stored ones: January's and February's vouchers entered before and after March's are read, in
/// two books, March's is not; their lines are among the bank items, and the run counts the
/// vouchers it covered. (The reads are bounded by the ids the months' vouchers have.)
#[test]
fn a_month_reads_its_vouchers_wherever_they_were_entered() {
    let env = Env::jingmen();
    let voucher = |name: &str, book: &str, date: &str, yuan: &str| {
        format!("{name},{book},{date},5001.02,报销,{yuan},\n{name},{book},{date},1003,报销,,{yuan}\n")
    };
    for (file, rows) in [
        ("a.csv", voucher("jan-early", "shayang/employee", "2023-01-05", "1.00")),
        ("b.csv", voucher("feb-early", "shayang/employee", "2023-02-10", "2.00")),
        ("c.csv", voucher("mar", "shayang/employee", "2023-03-01", "5.00")),
        ("d.csv", voucher("jan-late", "shayang/employee", "2023-01-25", "3.00")),
        ("e.csv", voucher("feb-late", "jingshan/employee", "2023-02-26", "4.00")),
    ] {
        let csv = format!("voucher,book,date,account,summary,debit,credit\n{rows}");
        env.ok(&["import", &env.write(file, &csv), "--post", "--reviewer", REVIEWER]);
    }
    let run = env.run(&["--format", "json", "reconcile", "--period", "2023-02"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let bank_items: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "bank" && f["scope"].as_str().unwrap().contains(" 1003 "))
        .map(|f| (f["scope"].as_str().unwrap().split(' ').next().unwrap(), f["date"].as_str().unwrap()))
        .collect();
    assert_eq!(
        bank_items,
        vec![
            ("shayang/employee", "2023-01-05"),
            ("shayang/employee", "2023-01-25"),
            ("shayang/employee", "2023-02-10"),
            ("jingshan/employee", "2023-02-26")
        ],
        "{}",
        run.stdout
    );
    let counted: i64 = env
        .raw()
        .query_row("SELECT posted_count FROM reconciliation_run ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(counted, 4, "January's and February's vouchers, not March's");
}
