//! The bad-input catalogue of the integrity work: every malformed amount, text, date, identity,
//! output path, duplicate and foreign file is refused with a clear message (exit 1) and the
//! database is unchanged — compared row by row, record log included.

use crate::support::{fixture, Env, REVIEWER};

const HEADER: &str = "voucher,book,date,account,summary,debit,credit\n";

/// A two-line voucher CSV with the given date, memo and amount text.
fn one_voucher(date: &str, memo: &str, amount: &str) -> String {
    format!(
        "{HEADER}v1,shayang/employee,{date},5001.02,\"{memo}\",{amount},\nv1,shayang/employee,{date},1003,\"{memo}\",,{amount}\n"
    )
}

/// Imports `csv` and insists it is refused with `expected` in the message, nothing written.
fn refused(env: &Env, name: &str, csv: &str, extra: &[&str], expected: &str) {
    let before = env.fingerprint();
    let path = env.write(name, csv);
    let mut args = vec!["import", path.as_str()];
    args.extend_from_slice(extra);
    let run = env.run(&args);
    assert_eq!(run.code, 1, "{name} was not refused: {}", run.stdout);
    assert!(run.stderr.contains(expected), "{name}: expected {expected:?} in\n{}", run.stderr);
    assert_eq!(env.fingerprint(), before, "{name} changed the database");
}

#[test]
fn amounts_must_be_plain_decimals_within_range() {
    let env = Env::jingmen();
    for (name, amount) in
        [("plus", "+100"), ("trailing_point", "100."), ("leading_point", ".5"), ("bad_groups", "\"1,23.00\"")]
    {
        refused(&env, &format!("{name}.csv"), &one_voucher("2023-01-10", "测试", amount), &[], "不是有效金额");
    }
    refused(&env, "huge.csv", &one_voucher("2023-01-10", "测试", "10000000000000.00"), &[], "超出可记账范围");
    // Thousands separators are accepted when well formed.
    env.ok(&["import", &env.write("grouped.csv", &one_voucher("2023-01-10", "千分位", "\"1,234.56\""))]);
    let out = env.ok(&["journal", "--book", "shayang/employee", "--all", "--format", "json"]);
    assert!(out.contains("\"debit\": \"1234.56\""), "{out}");
}

#[test]
fn a_huge_bad_field_is_quoted_short() {
    let env = Env::jingmen();
    let huge = "9".repeat(10 * 1024 * 1024) + "x";
    let before = env.fingerprint();
    let path = env.write("huge-field.csv", &one_voucher("2023-01-10", "测试", &huge));
    let run = env.run(&["import", &path]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.len() < 2_000, "the error echoes {} bytes", run.stderr.len());
    assert!(run.stderr.contains("共 10485761 个字符"), "{}", &run.stderr[..run.stderr.len().min(500)]);
    // A huge account code, book code or column name is quoted short as well.
    let account = "1".repeat(1024 * 1024);
    let book = "x".repeat(1024 * 1024);
    for (name, csv) in [
        ("account.csv", format!("{HEADER}v1,shayang/employee,2023-01-10,{account},测试,1.00,\nv1,shayang/employee,2023-01-10,1003,测试,,1.00\n")),
        ("book.csv", format!("{HEADER}v1,{book}/employee,2023-01-10,1003,测试,1.00,\nv1,{book}/employee,2023-01-10,1004,测试,,1.00\n")),
        ("column.csv", HEADER.replace("credit", &format!("credit,{book}")) + "v1,shayang/employee,2023-01-10,1003,测试,1.00,,x\n"),
    ] {
        let run = env.run(&["import", &env.write(name, &csv)]);
        assert_eq!(run.code, 1, "{name}");
        assert!(run.stderr.len() < 2_000, "{name}: the error echoes {} bytes", run.stderr.len());
    }
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn text_fields_are_bounded_and_free_of_control_characters() {
    let env = Env::jingmen();
    refused(&env, "nul.csv", &one_voucher("2023-01-10", "含\u{0}空字符", "1.00"), &[], "摘要含有控制字符");
    refused(&env, "newline.csv", &one_voucher("2023-01-10", "两\n行", "1.00"), &[], "摘要含有控制字符");
    // Shown as 支付100.00, stored as 支付 + a right-to-left override + 00.001: refused, as are
    // zero-width characters, so that what is read is what is stored.
    refused(
        &env,
        "bidi.csv",
        &one_voucher("2023-01-10", "支付\u{202e}00.001", "1.00"),
        &[],
        "摘要含有控制字符或不可见字符",
    );
    refused(&env, "zwsp.csv", &one_voucher("2023-01-10", "支\u{200b}付", "1.00"), &[], "摘要含有控制字符或不可见字符");
    // A reviewer whose name only looks like the maker's is no second person.
    let drafts = env.write("drafts.csv", &one_voucher("2023-01-10", "支付", "1.00"));
    env.ok(&["import", &drafts]);
    let run = env.run_as("张会计\u{200b}", &["review", "--all"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("含有控制字符或不可见字符"), "{}", run.stderr);
    refused(
        &env,
        "long.csv",
        &one_voucher("2023-01-10", &"长".repeat(201), "1.00"),
        &[],
        "摘要有 201 个字符，超过上限 200 个",
    );
    let mut many = String::from(HEADER);
    for i in 0..1001 {
        let (debit, credit) = if i % 2 == 0 { ("1.00", "") } else { ("", "1.00") };
        many.push_str(&format!(
            "big,shayang/employee,2023-01-10,{},行{i},{debit},{credit}\n",
            if i % 2 == 0 { "5001.02" } else { "1003" }
        ));
    }
    refused(&env, "many.csv", &many, &[], "凭证有 1001 行分录，超过上限 1000 行");
}

#[test]
fn dates_must_lie_between_the_opening_date_and_a_year_from_today() {
    let env = Env::jingmen();
    // FUNDPOOL_NOW is 2023-02-01: the latest date is 2024-02-01; the city opened 2022-12-31.
    refused(&env, "1899.csv", &one_voucher("1899-12-31", "测试", "1.00"), &[], "早于 1900 年");
    refused(
        &env,
        "2030.csv",
        &one_voucher("2030-01-01", "测试", "1.00"),
        &[],
        "日期 2030-01-01 不在可记账的范围内：应在 2022-12-31（本市统筹开始）至 2024-02-01（今天起一年内）之间",
    );
    refused(
        &env,
        "before-opening.csv",
        &one_voucher("2022-12-30", "测试", "1.00"),
        &[],
        "日期 2022-12-30 不在可记账的范围内",
    );
    env.ok(&["import", &env.write("last-day.csv", &one_voucher("2024-02-01", "测试", "1.00"))]);
    // The same rule for events.
    let before = env.fingerprint();
    let run = env.run(&[
        "event",
        "benefit_payment",
        "--id",
        "OLD",
        "--date",
        "1950-01-01",
        "--fund",
        "employee",
        "--party",
        "shayang",
        "--category",
        "inpatient",
        "--amount",
        "1.00",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("日期 1950-01-01 不在可记账的范围内"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
    // verify, check and reconcile still work for the whole city.
    env.ok(&["verify"]);
    env.ok(&["check"]);
}

#[test]
fn identities_are_normalised_and_blank_ones_refused() {
    let env = Env::jingmen();
    let csv = fixture("fixtures/jingmen/walkthrough.csv");
    let before = env.fingerprint();
    for reviewer in [" 张会计", "张会计\t", ""] {
        let run = env.run(&["import", &csv, "--post", "--reviewer", reviewer]);
        assert_eq!(run.code, 1, "reviewer {reviewer:?}");
        let expected =
            if reviewer.is_empty() { "审核人不能为空" } else { "审核人不能是制单人 张会计" };
        assert!(run.stderr.contains(expected), "reviewer {reviewer:?}: {}", run.stderr);
    }
    let run = env.run(&["import", &csv, "--post", "--reviewer", "   "]);
    assert!(run.stderr.contains("审核人不能为空"), "{}", run.stderr);
    let run = env.run_as("  ", &["import", &csv]);
    assert!(run.stderr.contains("操作人不能为空"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
    // The maker with a leading space is still the maker.
    env.ok(&["import", &csv]);
    let before = env.fingerprint();
    let run = env.run_as(" 张会计 ", &["review", "--all"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("审核人不能是制单人 张会计"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
    // Recorded names are normalised: the reviewer's padding is gone.
    env.ok_as(&format!(" {REVIEWER} "), &["review", "--all"]);
    let reviewer: String = env.raw().query_row("SELECT DISTINCT reviewer FROM voucher", [], |r| r.get(0)).unwrap();
    assert_eq!(reviewer, REVIEWER);
}

#[test]
fn the_same_file_twice_and_probable_duplicates_write_nothing() {
    let env = Env::jingmen();
    let first = env.write("a.csv", &one_voucher("2023-01-10", "支付住院费", "10.00"));
    env.ok(&["import", &first]);
    let before = env.fingerprint();
    let out = env.ok(&["import", &first]);
    assert!(out.contains("导入过（导入批次 #1，文件 a.csv，1 行）：本次没有写入任何内容"), "{out}");
    assert_eq!(env.fingerprint(), before);
    // The same voucher in another file, with no external id: a probable duplicate.
    refused(
        &env,
        "b.csv",
        &format!("{}\n", one_voucher("2023-01-10", "支付住院费", "10.00")),
        &[],
        "疑似重复导入；确需重复请加 --allow-duplicates",
    );
    let b = env.path("b.csv").display().to_string();
    let out = env.ok(&["import", &b, "--allow-duplicates"]);
    assert!(out.starts_with("已导入 1 张凭证"), "{out}");
}

#[test]
fn outputs_never_overwrite_the_database_or_an_existing_file() {
    let env = Env::jingmen();
    let before = std::fs::read(env.db()).unwrap();
    let db = env.db().display().to_string();
    for target in [db.clone(), format!("{db}-wal"), format!("{db}-shm")] {
        let run = env.run(&[
            "report",
            "trial-balance",
            "--book",
            "city/employee",
            "--period",
            "2023-01",
            "--output",
            &target,
            "--force",
        ]);
        assert_eq!(run.code, 1, "{target}");
        assert!(run.stderr.contains("那是账套数据库"), "{}", run.stderr);
    }
    let run = env.run(&["plan", "export", "--fund", "employee", "--quarter", "2023Q2", "--output", &db]);
    assert!(run.stderr.contains("那是账套数据库"), "{}", run.stderr);
    assert_eq!(std::fs::read(env.db()).unwrap(), before, "the database file is untouched");
    let existing = env.write("tb.csv", "keep me");
    let export = ["--format", "csv", "report", "trial-balance", "--book", "city/employee", "--period", "2023-01"];
    let run = env.run(&[&export[..], &["--output", &existing]].concat());
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("已存在：不会覆盖；换一个文件名，或加 --force 覆盖"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    env.ok(&[&export[..], &["--output", &existing, "--force"]].concat());
    assert_ne!(std::fs::read_to_string(&existing).unwrap(), "keep me");
}

#[test]
fn foreign_and_older_files_are_refused_and_left_alone() {
    let env = Env::empty();
    // Another program's SQLite file, in rollback-journal mode.
    let foreign = env.path("other.db");
    {
        let conn = rusqlite::Connection::open(&foreign).unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);").unwrap();
    }
    let bytes = std::fs::read(&foreign).unwrap();
    for args in [vec!["journal", "--book", "city/employee"], vec!["review", "--all"], vec!["verify"]] {
        let mut full = vec!["--db", foreign.to_str().unwrap()];
        full.extend(args);
        let run = env.run_plain(&full);
        assert_eq!(run.code, 1, "{full:?}");
        assert!(run.stderr.contains("不是 fundpool 账套"), "{}", run.stderr);
    }
    assert_eq!(std::fs::read(&foreign).unwrap(), bytes, "not a byte changed");
    let mode: String =
        rusqlite::Connection::open(&foreign).unwrap().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "delete", "still in its own journal mode");
    // Not a database at all.
    let text = env.write("notes.txt", &"这不是数据库。".repeat(200));
    let run = env.run_plain(&["--db", &text, "verify"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("不是 SQLite 数据库文件"), "{}", run.stderr);
    // An older fundpool database: reads are refused without touching it.
    let env = Env::jingmen();
    env.raw().pragma_update(None, "user_version", 5).unwrap();
    let before = env.fingerprint();
    let run = env.run(&["journal", "--book", "city/employee"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("数据库结构版本 5 旧于本程序的 14：只读命令不会升级它"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn read_commands_leave_the_file_as_it_was() {
    let env = Env::jingmen();
    env.ok(&["import", &fixture("fixtures/jingmen/walkthrough.csv"), "--post", "--reviewer", REVIEWER]);
    let before = std::fs::read(env.db()).unwrap();
    for args in [
        vec!["journal", "--book", "city/employee"],
        vec!["trial-balance", "--book", "city/employee"],
        vec!["account", "--book", "city/employee", "--account", "1004"],
        vec!["verify"],
        vec!["check"],
        vec!["anchor"],
    ] {
        env.ok(&args);
    }
    assert_eq!(std::fs::read(env.db()).unwrap(), before);
    assert!(!std::path::Path::new(&format!("{}.writer", env.db().display())).exists());
}

#[test]
fn sums_that_would_overflow_are_refused_never_wrapped() {
    let env = Env::jingmen();
    // Vouchers of 1,000 lines of the largest amount: each moves 10^18 分 through the ledger.
    let voucher = |key: &str| {
        let mut csv = String::new();
        for i in 0..1000 {
            let (account, debit, credit) =
                if i % 2 == 0 { ("5001.02", "9999999999999.99", "") } else { ("1003", "", "9999999999999.99") };
            csv.push_str(&format!("{key},shayang/employee,2023-01-10,{account},{key} 大额,{debit},{credit}\n"));
        }
        csv
    };
    let five: String =
        std::iter::once(HEADER.to_string()).chain((1..=5).map(|i| voucher(&format!("big{i}")))).collect();
    refused(&env, "five.csv", &five, &["--post", "--reviewer", REVIEWER], "累计发生额将超出可记账范围");
    let four: String =
        std::iter::once(HEADER.to_string()).chain((1..=4).map(|i| voucher(&format!("big{i}")))).collect();
    env.ok(&["import", &env.write("four.csv", &four), "--post", "--reviewer", REVIEWER]);
    // 4 vouchers × 500 lines × 999,999,999,999,999 分, exactly.
    let out = env.ok(&["trial-balance", "--book", "shayang/employee", "--period", "2023-01", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["totals"]["debit"], "19999999999999980.00");
    assert_eq!(json["balanced"], true);
    let one_more = format!("{HEADER}{}", voucher("big5"));
    refused(&env, "one-more.csv", &one_more, &["--post", "--reviewer", REVIEWER], "累计发生额将超出可记账范围");
    env.ok(&["check"]);
}

/// Control characters are shown, never sent to the terminal as they are. A statement's 结算号 with
/// one is refused; a file's name (which only the file system limits) is shown with visible signs
/// in what fundpool prints — stdout, the earlier batch it names, the audit listing, errors.
#[test]
fn control_characters_reach_no_terminal() {
    let env = Env::jingmen();
    let before = env.fingerprint();
    let bank = env.write(
        "bank.csv",
        "date,ref,book,account,direction,amount\n2023-01-20,\u{1b}[2JZF-1,shayang/employee,1003,in,1.00\n",
    );
    let run = env.run(&["statement", "import", "--source", "bank", &bank]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("第 2 行：ref 不能含控制字符或不可见字符，且不超过 100 个字符"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);

    // A name that would clear the screen and move back over its own line.
    let named = env.write("清屏\u{1b}[2J\r伪造.csv", &one_voucher("2023-01-31", "支付", "10.00"));
    let out = env.ok(&["import", &named]);
    let copy = env.write("copy.csv", &one_voucher("2023-01-31", "支付", "10.00"));
    let again = env.ok(&["import", &copy]);
    let audit = env.ok(&["audit"]);
    let missing = env.run(&["import", &env.path("无\u{1b}]0;标题\u{7}.csv").display().to_string()]);
    assert_eq!(missing.code, 1);
    for (what, text) in [("import", &out), ("again", &again), ("audit", &audit), ("error", &missing.stderr)] {
        assert!(!text.contains(['\u{1b}', '\r', '\u{7}']), "{what}: {text:?}");
    }
    assert!(again.contains("文件 清屏␛[2J␍伪造.csv"), "{again}");
    assert!(missing.stderr.contains("无␛]0;标题␇.csv"), "{}", missing.stderr);
}

/// A text file fundpool reads whole must be one: a device or a pipe under a file's name, or a file
/// in GBK, is refused with what it is (a device was read until memory ran out; GBK was refused in
/// English), and nothing is written.
#[test]
fn a_text_input_must_be_a_regular_utf8_file() {
    let env = Env::jingmen();
    let before = env.fingerprint();
    let zero = env.path("vouchers.toml");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let run = env.run(&["voucher", "add", zero.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("凭证文件") && run.stderr.contains("vouchers.toml 不是普通文件"), "{}", run.stderr);
    // Every file input is opened through one check: the imports, and the CSV readers of budgets
    // and plans (which hung on /dev/zero too).
    for args in [
        vec!["import"],
        vec!["statement", "import", "--source", "bank"],
        vec!["budget", "import"],
        vec!["plan", "import"],
    ] {
        let run = env.run(&[args.as_slice(), &["/dev/zero"]].concat());
        assert_eq!(run.code, 1, "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains("/dev/zero 不是普通文件"), "{args:?}: {}", run.stderr);
    }
    let run = env.run(&["verify", "--anchor", env.dir.path().to_str().unwrap()]);
    assert!(run.stderr.contains("不是普通文件"), "{}", run.stderr);
    let run = env.run(&["verify", "--anchor", env.path("没有.json").to_str().unwrap()]);
    assert!(run.stderr.contains("无法读取锚点文件") && run.stderr.contains("没有.json：文件不存在"), "{}", run.stderr);
    let toml = "[[voucher]]\nbook = \"shayang/employee\"\ndate = \"2023-01-31\"\n\n[[voucher.line]]\naccount = \"1003\"\nsummary = \"支付\"\ndebit = \"1.00\"\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(toml);
    let path = env.path("gbk.toml");
    std::fs::write(&path, &gbk).unwrap();
    let run = env.run(&["voucher", "add", path.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("gbk.toml 不是 UTF-8 文本：请用记事本等“另存为”UTF-8 编码"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
}
