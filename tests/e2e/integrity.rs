//! A ledger nothing can corrupt silently, tried as an adversary would: several offices writing
//! at once, a close racing an import, and someone with the database file editing, deleting,
//! reordering, truncating or recomputing records — with and without anchors kept outside.

use crate::support::{fixture, Env, MAKER, REVIEWER};
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

const POSTER: &str = "王记账";

/// A voucher CSV of `count` balanced vouchers in January 2023, each with its own memo (so none
/// is a probable duplicate of another), tagged by `tag`. Returns the text and the debit total
/// per book in 分.
fn vouchers_csv(tag: &str, count: usize) -> (String, BTreeMap<String, i64>) {
    let mut csv = String::from("voucher,book,date,account,summary,debit,credit\n");
    let mut totals = BTreeMap::new();
    for i in 0..count {
        let book = ["city/employee", "shayang/employee", "city/resident"][i % 3];
        let fen = 10_000 + (i as i64) * 37;
        let amount = format!("{}.{:02}", fen / 100, fen % 100);
        let (debit_account, credit_account) =
            if book.starts_with("city") { ("1003", "1004") } else { ("5001.02", "1003") };
        csv.push_str(&format!("{tag}{i},{book},2023-01-10,{debit_account},{tag} 第{i}笔,{amount},\n"));
        csv.push_str(&format!("{tag}{i},{book},2023-01-10,{credit_account},{tag} 第{i}笔,,{amount}\n"));
        *totals.entry(book.to_string()).or_insert(0) += fen;
    }
    (csv, totals)
}

fn spawn(env: &Env, operator: &str, args: &[&str]) -> Child {
    let db = env.db().display().to_string();
    Command::new(env!("CARGO_BIN_EXE_fundpool"))
        .arg("--db")
        .arg(&db)
        .args(args)
        .env("FUNDPOOL_OPERATOR", operator)
        .env("FUNDPOOL_NOW", crate::support::NOW)
        .current_dir(env.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn fundpool")
}

fn finish(child: Child) -> (i32, String) {
    let output = child.wait_with_output().expect("wait");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// The period's debit total of a book, from the trial balance's JSON.
fn debit_total(env: &Env, book: &str) -> i64 {
    let out = env.ok(&["trial-balance", "--book", book, "--period", "2023-01", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text = json["totals"]["debit"].as_str().unwrap().replace('.', "");
    text.parse().unwrap()
}

fn posted_count(env: &Env) -> i64 {
    env.raw().query_row("SELECT COUNT(*) FROM voucher WHERE status = 'posted'", [], |r| r.get(0)).unwrap()
}

#[test]
fn concurrent_posts_imports_and_reviews_post_every_voucher_exactly_once() {
    for round in 0..3 {
        let env = Env::jingmen();
        let (drafts, mut expected) = vouchers_csv(&format!("R{round}D"), 60);
        env.ok(&["import", &env.write("drafts.csv", &drafts)]);
        env.ok_as(REVIEWER, &["review", "--all"]);
        let (feed_a, totals_a) = vouchers_csv(&format!("R{round}A"), 30);
        let (feed_b, totals_b) = vouchers_csv(&format!("R{round}B"), 30);
        let (more, more_totals) = vouchers_csv(&format!("R{round}M"), 9);
        env.ok(&["import", &env.write("more.csv", &more)]);
        let a = env.write("a.csv", &feed_a);
        let b = env.write("b.csv", &feed_b);
        let mut children = Vec::new();
        for _ in 0..4 {
            children.push(spawn(&env, POSTER, &["post", "--all"]));
        }
        children.push(spawn(&env, MAKER, &["import", &a, "--post", "--reviewer", REVIEWER]));
        children.push(spawn(&env, MAKER, &["import", &b, "--post", "--reviewer", REVIEWER]));
        children.push(spawn(&env, REVIEWER, &["review", "--all"]));
        children.push(spawn(&env, MAKER, &["close", "--period", "2022-12"]));
        for child in children {
            let (code, stderr) = finish(child);
            // Losers wait their turn (and then find nothing to do) or give up with 75; a close
            // without a reconciliation is refused (1). Nothing else.
            assert!([0, 1, 75].contains(&code), "round {round}: exit {code}: {stderr}");
            if code == 1 {
                assert!(stderr.contains("尚未对账"), "round {round}: {stderr}");
            }
        }
        // 60 reviewed drafts + 60 fed, each posted exactly once; the 9 later drafts are posted
        // (once) only when the concurrent review ran before one of the posts.
        let later_posted: i64 = env
            .raw()
            .query_row(
                &format!("SELECT COUNT(*) FROM voucher WHERE status = 'posted' AND external_id IS NULL AND id IN (SELECT voucher_id FROM voucher_line WHERE summary LIKE 'R{round}M %')"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(later_posted == 0 || later_posted == 9, "round {round}: {later_posted}");
        assert_eq!(posted_count(&env), 120 + later_posted, "round {round}");
        let later = if later_posted == 9 { Some(&more_totals) } else { None };
        for (book, fen) in totals_a.iter().chain(totals_b.iter()).chain(later.into_iter().flatten()) {
            *expected.get_mut(book).unwrap() += fen;
        }
        for (book, fen) in &expected {
            assert_eq!(debit_total(&env, book), *fen, "round {round}: {book}");
        }
        env.ok(&["check"]);
        env.ok(&["verify"]);
    }
}

/// `check` and `verify` read one state of the database each (verify with two connections that
/// must agree on it), so writes landing while they run never show up as a difference.
#[test]
fn check_and_verify_while_others_post_never_report_a_false_difference() {
    let env = Env::jingmen();
    // Many small commits, one after another, while the proofs run over and over.
    let feeds: Vec<String> = (0..40)
        .map(|k| {
            let (feed, _) = vouchers_csv(&format!("W{k}-"), 25);
            env.write(&format!("w{k}.csv"), &feed)
        })
        .collect();
    let writing = std::sync::atomic::AtomicBool::new(true);
    let mut proofs = 0;
    let mut sizes_seen = std::collections::BTreeSet::new();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for feed in &feeds {
                let (code, stderr) = finish(spawn(&env, MAKER, &["import", feed, "--post", "--reviewer", REVIEWER]));
                assert_eq!(code, 0, "{stderr}");
            }
            writing.store(false, std::sync::atomic::Ordering::SeqCst);
        });
        while writing.load(std::sync::atomic::Ordering::SeqCst) {
            for command in ["check", "verify"] {
                let (code, stderr) = finish(spawn(&env, MAKER, &[command]));
                assert_eq!(code, 0, "{command} while others post: {stderr}");
                proofs += 1;
            }
            sizes_seen.insert(posted_count(&env));
        }
    });
    assert_eq!(posted_count(&env), 1000);
    // The proofs ran while the ledger was growing, not only before or after.
    assert!(proofs >= 4 && sizes_seen.len() >= 3, "{proofs} proofs saw only {sizes_seen:?} posted vouchers");
    env.ok(&["verify"]);
}

#[test]
fn a_close_racing_an_import_into_the_same_month_never_both_succeed() {
    let mut outcomes = BTreeMap::new();
    for round in 0..6 {
        let env = Env::jingmen();
        env.run(&["reconcile", "--period", "2022-12"]);
        env.ok(&["close", "--period", "2022-12"]);
        env.run(&["reconcile", "--period", "2023-01"]);
        let (feed, _) = vouchers_csv(&format!("X{round}"), 20);
        let feed = env.write("feed.csv", &feed);
        let close = spawn(&env, MAKER, &["close", "--period", "2023-01"]);
        let import = spawn(&env, MAKER, &["import", &feed, "--post", "--reviewer", REVIEWER]);
        let (close_code, close_err) = finish(close);
        let (import_code, import_err) = finish(import);
        let posted = posted_count(&env);
        match (close_code, import_code) {
            (0, 1) => {
                assert!(import_err.contains("已结账至 2023-01"), "{import_err}");
                assert_eq!(posted, 0, "the refused import wrote nothing");
            }
            (1, 0) => {
                assert!(close_err.contains("之后又记账了 20 张凭证"), "{close_err}");
                assert_eq!(posted, 20);
            }
            other => panic!("round {round}: close and import both {other:?}:\n{close_err}\n{import_err}"),
        }
        *outcomes.entry((close_code, import_code)).or_insert(0) += 1;
        env.ok(&["verify"]);
    }
    assert_eq!(outcomes.values().sum::<i32>(), 6);
}

#[test]
fn a_second_writer_past_the_busy_timeout_exits_75_naming_the_holder_and_writes_nothing() {
    let env = Env::jingmen();
    let before = env.fingerprint();
    // Hold the write lock as another process would, with its note beside the database.
    let conn = env.raw();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    std::fs::write(format!("{}.writer", env.db().display()), "import，张会计（进程 1）\n").unwrap();
    let (csv, _) = vouchers_csv("BUSY", 3);
    let file = env.write("busy.csv", &csv);
    let started = std::time::Instant::now();
    let run = env.run(&["--busy-timeout", "1", "import", &file]);
    assert!(started.elapsed() >= std::time::Duration::from_millis(900), "it waited");
    assert_eq!(run.code, 75, "{}", run.stderr);
    assert!(run.stderr.contains("正被另一个写入命令占用（正在运行的是：import，张会计（进程 1））"), "{}", run.stderr);
    assert!(run.stderr.contains("本命令没有写入任何内容"), "{}", run.stderr);
    conn.execute_batch("ROLLBACK").unwrap();
    drop(conn);
    assert_eq!(env.fingerprint(), before);
}

/// A database with a record in every protected table: events with instruments, statements,
/// reconciliation runs, a closed month with its seal, posted vouchers, a reversal, a draft, an
/// import batch, a budget and a plan. Built once; each tamper case works on a copy.
fn world() -> &'static Env {
    static WORLD: OnceLock<Env> = OnceLock::new();
    WORLD.get_or_init(|| {
        let env = Env::jingmen();
        env.ok(&["post", &fixture("tests/events/base.toml"), "--post", "--reviewer", REVIEWER]);
        for source in ["tax", "treasury", "bank"] {
            env.ok(&[
                "statement",
                "import",
                "--source",
                source,
                &fixture(&format!("tests/reconcile/{source}-2212.csv")),
            ]);
        }
        env.run(&["reconcile", "--period", "2022-12"]);
        env.ok(&["close", "--period", "2022-12", "--accept-differences", "--reason", "演练"]);
        let (vouchers, _) = vouchers_csv("W", 9);
        env.ok(&["import", &env.write("world.csv", &vouchers)]);
        env.ok_as(REVIEWER, &["review", "--all"]);
        env.ok_as(POSTER, &["post", "--all"]);
        env.ok(&["reverse", "--book", "shayang/employee", "--number", "记-2023-01-0002", "--reviewer", REVIEWER]);
        env.ok(&["voucher", "add", &fixture("fixtures/jingmen/walkthrough-correction.toml")]);
        let budget =
            env.write("budget.csv", "year,party,fund,income,expenditure\n2023,shayang,employee,1000.00,900.00\n");
        env.ok(&["budget", "import", &budget]);
        env.ok(&[
            "plan",
            "create",
            "--party",
            "shayang",
            "--fund",
            "employee",
            "--quarter",
            "2023Q2",
            "--total",
            "300.00",
            "--line",
            "2023-04:inpatient:300.00",
        ]);
        env.ok(&["anchor", "--output", &env.path("anchor.json").display().to_string()]);
        env.ok(&["verify", "--anchor", &env.path("anchor.json").display().to_string()]);
        env
    })
}

/// A copy of the world in a fresh folder (the anchor stays outside the copy's database).
fn copy_of_world() -> Env {
    let world = world();
    let env = Env::empty();
    for suffix in ["", "-wal", "-shm"] {
        let from = format!("{}{suffix}", world.db().display());
        if std::path::Path::new(&from).exists() {
            std::fs::copy(&from, format!("{}{suffix}", env.db().display())).unwrap();
        }
    }
    std::fs::copy(world.path("anchor.json"), env.path("anchor.json")).unwrap();
    env
}

/// Drops every trigger, as someone with the sqlite3 shell would, then edits.
fn tamper(env: &Env, sql: &str) {
    let conn = env.raw();
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for trigger in triggers {
        conn.execute_batch(&format!("DROP TRIGGER {trigger}")).unwrap();
    }
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    conn.execute_batch(sql).unwrap_or_else(|e| panic!("tamper SQL failed: {e}\n{sql}"));
}

/// Rewrites the record log from `from_seq` on so that every hash is consistent again, with the
/// body of each listed (kind, key) recomputed from its row: what a careful attacker does.
fn recompute_log(env: &Env, rows: &[(&str, &str, &str)]) {
    let conn = env.raw();
    for (kind, key, body_sql) in rows {
        let body: String = conn.query_row(body_sql, [], |r| r.get(0)).unwrap();
        conn.execute("UPDATE record_log SET body = ?1 WHERE kind = ?2 AND key = ?3", [&body, *kind, *key]).unwrap();
    }
    let entries: Vec<(i64, String, String, String)> = conn
        .prepare("SELECT seq, kind, key, body FROM record_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // Renumbered without gaps, each hash recomputed from the one before.
    let mut prev = fundpool::domain::records::LOG_GENESIS.to_string();
    for (index, (seq, kind, key, body)) in entries.into_iter().enumerate() {
        let hash = fundpool::domain::records::entry_hash(&prev, &kind, &key, &body);
        conn.execute(
            "UPDATE record_log SET seq = ?1, prev = ?2, hash = ?3 WHERE seq = ?4",
            rusqlite::params![index as i64 + 1, prev, hash, seq],
        )
        .unwrap();
        prev = hash;
    }
}

/// One kind of tampering: what is done, and whether `verify` without an anchor sees it.
struct Case {
    name: &'static str,
    sql: &'static str,
    /// A recomputation of the log after the edit (kind, key, SQL of the new body).
    recompute: &'static [(&'static str, &'static str, &'static str)],
    plain_verify_catches: bool,
}

const fn case(name: &'static str, sql: &'static str) -> Case {
    Case { name, sql, recompute: &[], plain_verify_catches: true }
}

fn cases() -> Vec<Case> {
    vec![
        case("edit a posted line's amount", "UPDATE voucher_line SET debit_fen = debit_fen + 1 WHERE voucher_id = 1 AND line_no = 1"),
        case("edit a posted line's memo", "UPDATE voucher_line SET summary = '改' WHERE voucher_id = 2 AND line_no = 1"),
        case("delete a posted line", "DELETE FROM voucher_line WHERE voucher_id = 2 AND line_no = 2"),
        case("add a line to a posted voucher", "INSERT INTO voucher_line VALUES (2, 9, '1003', '加', 1, 0, NULL)"),
        case("edit a draft's line", "UPDATE voucher_line SET debit_fen = debit_fen + 1 WHERE voucher_id = (SELECT MAX(id) FROM voucher WHERE status = 'draft') AND line_no = 1"),
        case(
            "edit a draft's lines and its content digest together",
            "UPDATE voucher_line SET debit_fen = debit_fen + 1 WHERE voucher_id = (SELECT MAX(id) FROM voucher WHERE status = 'draft') AND line_no = 1;
             UPDATE voucher SET content_digest = 'x' WHERE id = (SELECT MAX(id) FROM voucher WHERE status = 'draft')",
        ),
        case("delete the last posted voucher (after the last seal)", "DELETE FROM voucher_line WHERE voucher_id = (SELECT MAX(id) FROM voucher WHERE status = 'posted'); DELETE FROM voucher WHERE id = (SELECT MAX(id) FROM voucher WHERE status = 'posted')"),
        case(
            "un-post the last posted voucher",
            "UPDATE voucher SET status = 'reviewed', poster = NULL, posted_at = NULL, chain_seq = NULL, hash = NULL WHERE id = (SELECT MAX(id) FROM voucher WHERE status = 'posted')",
        ),
        case("edit made_at", "UPDATE voucher SET made_at = '2023-01-01T00:00:00Z' WHERE id = 3"),
        case("edit reviewed_at", "UPDATE voucher SET reviewed_at = '2023-01-01T00:00:00Z' WHERE id = 3"),
        case("edit the maker", "UPDATE voucher SET maker = '李审核2' WHERE id = 3"),
        case("edit the reviewer", "UPDATE voucher SET reviewer = '张会计2' WHERE id = 3"),
        case("edit the poster", "UPDATE voucher SET poster = '某人' WHERE id = 3"),
        case("move a posted voucher to a book that does not exist", "UPDATE voucher SET book_id = 999 WHERE id = 3"),
        case("put bytes that are not UTF-8 in a posted voucher's maker", "UPDATE voucher SET maker = CAST(X'E5FF' AS TEXT) WHERE id = 3"),
        case("put bytes that are not UTF-8 in a posted line's memo", "UPDATE voucher_line SET summary = CAST(X'E5FF' AS TEXT) WHERE voucher_id = 2 AND line_no = 1"),
        case("delete a draft", "DELETE FROM voucher_line WHERE voucher_id = (SELECT MAX(id) FROM voucher WHERE status = 'draft'); DELETE FROM voucher WHERE id = (SELECT MAX(id) FROM voucher WHERE status = 'draft')"),
        case(
            "insert a voucher behind the engine's back",
            "INSERT INTO voucher (book_id, period, seq, date, attachments, content_digest, status, maker, made_at) VALUES (1, '2023-01', 99, '2023-01-20', 0, 'x', 'draft', '某人', '2023-01-20T00:00:00Z')",
        ),
        case(
            "reorder two posted vouchers in a chain",
            "UPDATE voucher SET chain_seq = -1 WHERE book_id = (SELECT book_id FROM voucher WHERE id = 1) AND chain_seq = 1;
             UPDATE voucher SET chain_seq = 1 WHERE book_id = (SELECT book_id FROM voucher WHERE id = 1) AND chain_seq = 2;
             UPDATE voucher SET chain_seq = 2 WHERE book_id = (SELECT book_id FROM voucher WHERE id = 1) AND chain_seq = -1",
        ),
        case(
            "edit a balance row",
            "UPDATE balance SET debit_fen = debit_fen + 1 WHERE (book_id, account, period) = (SELECT book_id, account, period FROM balance LIMIT 1)",
        ),
        case("delete a period row (un-close December)", "DELETE FROM period WHERE period = '2022-12' AND book_id = 1"),
        case("edit who closed a period", "UPDATE period SET closed_by = '某人' WHERE period = '2022-12' AND book_id = 1"),
        case("delete the seal", "DELETE FROM seal"),
        case("edit the seal's reason", "UPDATE seal SET reason = '无'"),
        case("delete a reconciliation run", "DELETE FROM reconciliation_run WHERE id = (SELECT MAX(id) FROM reconciliation_run)"),
        case("edit a run's report", "UPDATE reconciliation_run SET report = report || 'x'"),
        case("edit a run's difference count", "UPDATE reconciliation_run SET differences = 0"),
        case("delete a statement line", "DELETE FROM statement_line WHERE id = (SELECT MAX(id) FROM statement_line)"),
        case("edit a statement line's amount", "UPDATE statement_line SET amount_fen = amount_fen + 1 WHERE id = 1"),
        case("insert a statement line", "INSERT INTO statement_line (source, line_key, date, ref, fund, kind, amount_fen, imported_by, imported_at) VALUES ('tax', 'FAKE', '2022-12-30', 'FAKE', 'employee', 'paid_to_treasury', 100, 'x', 'x')"),
        case("delete an event", "DELETE FROM event_voucher WHERE event_id = (SELECT MAX(id) FROM event); DELETE FROM event WHERE id = (SELECT MAX(id) FROM event)"),
        case("edit an event's payload", "UPDATE event SET payload = replace(payload, '0', '1') WHERE rowid = 1"),
        case("edit an instrument", "UPDATE instrument SET principal_fen = principal_fen + 1"),
        case("delete an import batch", "DELETE FROM import_batch"),
        case("edit a budget", "UPDATE budget SET expenditure_fen = 1"),
        case("edit a plan line", "UPDATE plan_line SET amount_fen = amount_fen + 1"),
        case("edit a setting", "UPDATE setting SET value = '90' WHERE key = 'ageing_limit_days'"),
        case("rename an account", "UPDATE account SET name = '改名' WHERE code = '1003'"),
        case("edit a log entry", "UPDATE record_log SET body = body || ' ' WHERE seq = 5"),
        case("delete a log entry in the middle", "DELETE FROM record_log WHERE seq = 5"),
        Case {
            name: "truncate the log's tail with the rows it recorded (the plan)",
            sql: "DELETE FROM record_log WHERE kind IN ('plan', 'plan_line'); DELETE FROM plan_line; DELETE FROM plan",
            recompute: &[],
            plain_verify_catches: false,
        },
        Case {
            name: "edit a statement line and recompute the whole log",
            sql: "UPDATE statement_line SET amount_fen = amount_fen + 100 WHERE id = 1",
            recompute: &[(
                "statement_line",
                "1",
                "SELECT json_array(id, source, line_key, date, ref, fund, kind, book_id, account, amount_fen, imported_by, imported_at) FROM statement_line WHERE id = 1",
            )],
            plain_verify_catches: false,
        },
        Case {
            name: "un-close December, drop its seal and recompute the whole log",
            sql: "DELETE FROM period WHERE period = '2022-12'; DELETE FROM seal; DELETE FROM record_log WHERE kind IN ('period', 'seal')",
            recompute: &[],
            plain_verify_catches: false,
        },
    ]
}

#[test]
fn every_kind_of_tampering_is_caught_with_the_anchor_and_plain_verify_says_what_it_can() {
    let mut missed = Vec::new();
    let mut plain = Vec::new();
    for case in cases() {
        let env = copy_of_world();
        tamper(&env, case.sql);
        if !case.recompute.is_empty() || !case.plain_verify_catches {
            recompute_log(&env, case.recompute);
        }
        let anchor = env.path("anchor.json").display().to_string();
        let with_anchor = env.run(&["verify", "--anchor", &anchor]);
        if with_anchor.code != 5 {
            missed.push(format!("{}: exit {} {}", case.name, with_anchor.code, with_anchor.stdout));
        }
        let alone = env.run(&["verify"]);
        let caught = alone.code == 5;
        if caught != case.plain_verify_catches {
            plain.push(format!("{}: plain verify exit {} {}{}", case.name, alone.code, alone.stdout, alone.stderr));
        }
    }
    assert!(missed.is_empty(), "missed with the anchor:\n{}", missed.join("\n"));
    assert!(plain.is_empty(), "plain verify not as documented:\n{}", plain.join("\n"));
    assert!(cases().len() >= 30);
}

#[test]
fn an_untouched_world_verifies_with_its_anchor_and_counts_what_came_after() {
    let env = copy_of_world();
    let anchor = env.path("anchor.json").display().to_string();
    let out = env.ok(&["verify", "--anchor", &anchor]);
    assert!(out.contains("1 个锚点均完好"), "{out}");
    assert!(out.contains("最新锚点之后记账的凭证 0 张"), "{out}");
    env.ok_as(REVIEWER, &["review", "--all"]);
    env.ok_as(POSTER, &["post", "--all"]);
    let out = env.ok(&["verify", "--anchor", &anchor]);
    assert!(out.contains("最新锚点之后记账的凭证 1 张（尚未锚定）"), "{out}");
    // An anchor of another city is refused as such.
    let foreign = std::fs::read_to_string(&anchor).unwrap().replace("\"jingmen\"", "\"wuhan\"");
    let run = env.run(&["verify", "--anchor", &env.write("foreign.json", &foreign)]);
    assert_eq!(run.code, 5);
    assert!(run.stderr.contains("属于城市 wuhan"), "{}", run.stderr);
    // Not an anchor at all.
    let run = env.run(&["verify", "--anchor", &env.write("junk.json", "{}")]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("不是 fundpool 锚点文件"), "{}", run.stderr);
}

#[test]
fn a_reviewed_draft_edited_behind_the_engines_back_cannot_be_posted() {
    let env = copy_of_world();
    env.ok_as(REVIEWER, &["review", "--all"]);
    // Change the reviewed voucher's lines and its digest column consistently.
    let conn = env.raw();
    conn.execute_batch(
        "CREATE TEMP TABLE target AS SELECT MAX(id) AS id FROM voucher WHERE status = 'reviewed';
         UPDATE voucher_line SET debit_fen = debit_fen + 100 WHERE voucher_id = (SELECT id FROM target)
           AND line_no = (SELECT MIN(line_no) FROM voucher_line WHERE voucher_id = (SELECT id FROM target) AND debit_fen > 0);
         UPDATE voucher_line SET credit_fen = credit_fen + 100 WHERE voucher_id = (SELECT id FROM target)
           AND line_no = (SELECT MIN(line_no) FROM voucher_line WHERE voucher_id = (SELECT id FROM target) AND credit_fen > 0);",
    )
    .unwrap();
    drop(conn);
    let before = env.fingerprint();
    let run = env.run_as(POSTER, &["post", "--all"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("分录与审核时的内容不符（审核后被改动过）"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn backup_is_consistent_private_and_verifies() {
    let env = copy_of_world();
    let copy = env.path("copy.db");
    let out = env.ok(&["backup", &copy.display().to_string()]);
    assert!(out.starts_with("已备份到 "), "{out}");
    let verified = env.run_plain(&["--db", &copy.display().to_string(), "verify"]);
    assert_eq!(verified.code, 0, "{}", verified.stderr);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(env.db()).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // Never over an existing file, never over the database.
    let run = env.run(&["backup", &copy.display().to_string()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("已存在：不会覆盖"), "{}", run.stderr);
    let run = env.run(&["backup", &env.db().display().to_string(), "--force"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("那是账套数据库本身"), "{}", run.stderr);
}

#[test]
fn close_prints_the_months_anchor_and_it_verifies() {
    let env = Env::jingmen();
    env.run(&["reconcile", "--period", "2022-12"]);
    let out = env.ok(&["close", "--period", "2022-12"]);
    let line = out.lines().last().unwrap();
    let anchor: serde_json::Value = serde_json::from_str(line).expect("the last line is the anchor");
    assert_eq!(anchor["city"], "jingmen");
    assert_eq!(anchor["latest_seal"]["period"], "2022-12");
    let file = env.write("close-anchor.json", line);
    env.ok(&["verify", "--anchor", &file]);
}

#[test]
fn kill_9_during_a_large_import_leaves_no_partial_voucher_and_the_reimport_is_exact() {
    const COUNT: usize = 1_500;
    let (csv, totals) = vouchers_csv("K", COUNT);
    // Deterministic "random" kill points, from early in the parse to late in the write (a debug
    // build imports these in about a second), and one after it has finished.
    let delays_ms = [30u64, 170, 420, 650, 900, 4_000];
    let mut outcomes = Vec::new();
    for (round, delay) in delays_ms.iter().enumerate() {
        let env = Env::jingmen();
        let file = env.write("big.csv", &csv);
        let mut child = spawn(&env, MAKER, &["import", &file, "--post", "--reviewer", REVIEWER]);
        std::thread::sleep(std::time::Duration::from_millis(*delay));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // Whatever point it died at: all of the file or none of it, and the database is sound.
        let posted = posted_count(&env);
        assert!(posted == 0 || posted == COUNT as i64, "round {round}: {posted} vouchers after kill -9");
        outcomes.push(posted);
        let lines: i64 = env.raw().query_row("SELECT COUNT(*) FROM voucher_line", [], |r| r.get(0)).unwrap();
        assert_eq!(lines, 2 * posted, "round {round}: no voucher without its lines");
        env.ok(&["check"]);
        env.ok(&["verify"]);
        // Importing again completes exactly: every voucher once.
        env.ok(&["import", &file, "--post", "--reviewer", REVIEWER]);
        assert_eq!(posted_count(&env), COUNT as i64, "round {round}");
        for (book, fen) in &totals {
            assert_eq!(debit_total(&env, book), *fen, "round {round}: {book}");
        }
        env.ok(&["verify"]);
    }
    // The kills did land mid-import at least once, and the late one found it finished.
    assert!(outcomes.contains(&0), "{outcomes:?}");
    assert_eq!(outcomes.last(), Some(&(COUNT as i64)), "{outcomes:?}");
}

#[test]
fn a_database_with_a_record_log_is_upgraded_relogging_only_its_vouchers() {
    let env = Env::jingmen();
    env.ok(&["import", &fixture("fixtures/jingmen/walkthrough.csv"), "--post", "--reviewer", REVIEWER]);
    // One voucher with no external id: only its content tells a second import of it apart.
    let header = "voucher,book,date,account,summary,debit,credit\n";
    let voucher = |date: &str| {
        format!(
            "v1,shayang/employee,{date},5001.02,支付住院费,10.00,\nv1,shayang/employee,{date},1003,支付住院费,,10.00\n"
        )
    };
    let first = env.write("a.csv", &format!("{header}{}", voucher("2023-01-10")));
    env.ok(&["import", &first]);
    // Back to schema 11: the content index keyed by digest alone, the triggers that ABORT.
    env.raw()
        .execute_batch(
            "DROP INDEX voucher_content;
             CREATE INDEX voucher_content ON voucher(book_id, content_digest) WHERE external_id IS NULL;
             DROP TRIGGER voucher_line_posted_no_insert;
             CREATE TRIGGER voucher_line_posted_no_insert BEFORE INSERT ON voucher_line
             WHEN (SELECT status FROM voucher WHERE id = NEW.voucher_id) = 'posted'
             BEGIN SELECT RAISE(ABORT, 'lines of a posted voucher are immutable'); END;
             DROP TRIGGER voucher_posted_no_update;
             CREATE TRIGGER voucher_posted_no_update BEFORE UPDATE ON voucher WHEN OLD.status = 'posted'
             BEGIN SELECT RAISE(ABORT, 'posted voucher is immutable: correct it with a red-ink reversal'); END;",
        )
        .unwrap();
    // And its log as schema 11 wrote it: a voucher entry's body was the whole row.
    let conn = env.raw();
    let log_triggers: Vec<String> = conn
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'record_log'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    conn.execute_batch(
        "DROP TRIGGER record_log_no_update; DROP TRIGGER record_log_no_delete;
         UPDATE record_log SET body = (SELECT json_array(id, book_id, period, seq, date, attachments, external_id,
             content_digest, status, maker, made_at, reviewer, reviewed_at, poster, posted_at, reverses, chain_seq,
             hash) FROM voucher WHERE CAST(voucher.id AS TEXT) = record_log.key) WHERE kind = 'voucher';",
    )
    .unwrap();
    drop(conn);
    recompute_log(&env, &[]);
    env.raw().execute_batch(&log_triggers.join(";\n")).unwrap();
    // An anchor of that log, then the version number schema 11 wrote.
    let anchor = env.path("anchor.json").display().to_string();
    env.ok(&["anchor", "--output", &anchor]);
    env.raw().execute_batch("PRAGMA user_version = 11;").unwrap();
    let count = |env: &Env, sql: &str| -> i64 { env.raw().query_row(sql, [], |r| r.get(0)).unwrap() };
    let before = count(&env, "SELECT COUNT(*) FROM record_log");
    let vouchers = count(&env, "SELECT COUNT(*) FROM voucher");
    let run = env.run(&["upgrade"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("注意：已将数据库结构从版本 11 升级到 14"), "{}", run.stderr);
    // Its rows were logged when they were written; only the vouchers, whose logged body schema 12
    // redefined, are logged again, each once, after their old entries.
    assert_eq!(count(&env, "SELECT COUNT(*) FROM record_log"), before + vouchers);
    let last_bodies_of_two =
        "SELECT COUNT(*) FROM record_log r WHERE kind = 'voucher' AND json_array_length(body) = 3 \
         AND seq = (SELECT MAX(seq) FROM record_log WHERE kind = 'voucher' AND key = r.key)";
    assert_eq!(count(&env, last_bodies_of_two), vouchers);
    let index: String =
        env.raw().query_row("SELECT sql FROM sqlite_master WHERE name = 'voucher_content'", [], |r| r.get(0)).unwrap();
    assert!(index.contains("(book_id, date, content_digest)"), "{index}");
    // The anchor still holds, and logging the vouchers again posted none of them after it.
    let out = env.ok(&["verify", "--anchor", &anchor]);
    assert!(out.contains("1 个锚点均完好"), "{out}");
    assert!(out.contains("最新锚点之后记账的凭证 0 张"), "{out}");
    // Through the redefined index, the same voucher in another file is still a probable duplicate
    // (nothing written; a blank line makes it another file), and the same content on another day
    // is not.
    let again = env.write("b.csv", &format!("{header}{}\n", voucher("2023-01-10")));
    let before = env.fingerprint();
    let run = env.run(&["import", &again]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("疑似重复导入"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
    let later = env.write("c.csv", &format!("{header}{}", voucher("2023-01-11")));
    assert!(env.ok(&["import", &later]).starts_with("已导入 1 张凭证"));
    // The drafts made before the upgrade are reviewed and posted against the content digest the
    // log now holds for them.
    env.ok_as(REVIEWER, &["review", "--all"]);
    env.ok_as(POSTER, &["post", "--all"]);
    assert_eq!(count(&env, "SELECT COUNT(*) FROM voucher WHERE status <> 'posted'"), 0);
    let out = env.ok(&["verify", "--anchor", &anchor]);
    assert!(out.contains("最新锚点之后记账的凭证 2 张（尚未锚定）"), "{out}");
}

/// Schema 13 stores a voucher's lines clustered by voucher, with their references checked at
/// commit, and schema 14 drops their index by account. A schema-12 database (lines in a rowid
/// table, indexed by account) is rebuilt by the upgrade with every line as it was, the anchor and
/// the log still holding, posted lines still immutable, and reports the same.
#[test]
fn a_schema_12_database_gets_its_lines_clustered_with_nothing_changed() {
    let env = Env::jingmen();
    env.ok(&["import", &fixture("fixtures/jingmen/walkthrough.csv"), "--post", "--reviewer", REVIEWER]);
    let anchor = env.path("anchor.json").display().to_string();
    env.ok(&["anchor", "--output", &anchor]);
    let lines = "SELECT group_concat(voucher_id || '/' || line_no || '/' || account || '/' || summary || '/' || \
                 debit_fen || '/' || credit_fen || '/' || ifnull(ref, '-'), ';') \
                 FROM (SELECT * FROM voucher_line ORDER BY voucher_id, line_no)";
    let text = |env: &Env, sql: &str| -> String { env.raw().query_row(sql, [], |r| r.get(0)).unwrap() };
    let before = text(&env, lines);
    let ledger = ["--format", "json", "account", "--account", "1003", "--book", "shayang/employee"];
    let ledger_before = env.ok(&ledger);
    assert!(ledger_before.contains("\"entries\""), "{ledger_before}");
    // Back to schema 12: the rowid table with its references checked at once.
    env.raw()
        .execute_batch(
            "PRAGMA foreign_keys = OFF;
             CREATE TABLE old_line (
                 voucher_id INTEGER NOT NULL REFERENCES voucher(id), line_no INTEGER NOT NULL,
                 account TEXT NOT NULL REFERENCES account(code), summary TEXT NOT NULL,
                 debit_fen INTEGER NOT NULL, credit_fen INTEGER NOT NULL, ref TEXT,
                 PRIMARY KEY (voucher_id, line_no),
                 CONSTRAINT line_one_side CHECK ((debit_fen = 0) <> (credit_fen = 0))) STRICT;
             INSERT INTO old_line SELECT * FROM voucher_line;
             DROP TABLE voucher_line;
             ALTER TABLE old_line RENAME TO voucher_line;
             CREATE INDEX voucher_line_ref ON voucher_line(ref) WHERE ref IS NOT NULL;
             CREATE INDEX voucher_line_account ON voucher_line(account, voucher_id);
             CREATE TRIGGER voucher_line_posted_no_update BEFORE UPDATE ON voucher_line
             WHEN (SELECT status FROM voucher WHERE id = OLD.voucher_id) = 'posted'
             BEGIN SELECT RAISE(ABORT, 'lines of a posted voucher are immutable'); END;
             CREATE TRIGGER voucher_line_posted_no_delete BEFORE DELETE ON voucher_line
             WHEN (SELECT status FROM voucher WHERE id = OLD.voucher_id) = 'posted'
             BEGIN SELECT RAISE(ABORT, 'lines of a posted voucher are immutable'); END;
             CREATE TRIGGER voucher_line_posted_no_insert BEFORE INSERT ON voucher_line
             WHEN (SELECT status FROM voucher WHERE id = NEW.voucher_id) = 'posted'
             BEGIN SELECT RAISE(FAIL, 'lines of a posted voucher are immutable'); END;
             PRAGMA user_version = 12;",
        )
        .unwrap();
    let table = "SELECT sql FROM sqlite_master WHERE name = 'voucher_line'";
    assert!(!text(&env, table).contains("WITHOUT ROWID"));
    let run = env.run(&["upgrade"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("注意：已将数据库结构从版本 12 升级到 14"), "{}", run.stderr);
    let sql = text(&env, table);
    assert!(sql.contains("WITHOUT ROWID") && sql.contains("DEFERRABLE INITIALLY DEFERRED"), "{sql}");
    assert_eq!(text(&env, lines), before, "every line as it was");
    assert_eq!(env.ok(&ledger), ledger_before, "the 明细账 as it was");
    let count = |sql: &str| -> i64 { env.raw().query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 'voucher_line' AND type = 'trigger'"), 3);
    // Its index by reference is kept; the one by account is gone (schema 14).
    let indexes = "SELECT group_concat(name) FROM sqlite_master WHERE tbl_name = 'voucher_line' AND type = 'index' AND sql IS NOT NULL";
    assert_eq!(text(&env, indexes), "voucher_line_ref");
    let out = env.ok(&["verify", "--anchor", &anchor]);
    assert!(out.contains("1 个锚点均完好"), "{out}");
    // Posted lines are still refused any change, and a line naming a voucher or an account that
    // does not exist still fails its transaction (at the commit).
    let refused = env.raw().execute("UPDATE voucher_line SET debit_fen = 1 WHERE voucher_id = 1 AND line_no = 1", []);
    assert!(refused.unwrap_err().to_string().contains("lines of a posted voucher are immutable"));
    let orphan = env
        .raw()
        .execute_batch("BEGIN; INSERT INTO voucher_line VALUES (999999, 1, '1003', '无主', 1, 0, NULL); COMMIT;");
    assert!(orphan.unwrap_err().to_string().contains("FOREIGN KEY constraint failed"));
    assert_eq!(count("SELECT COUNT(*) FROM voucher_line WHERE voucher_id = 999999"), 0);
    // And the book goes on: a further import posts and verifies.
    let header = "voucher,book,date,account,summary,debit,credit\n";
    let more = env.write(
        "more.csv",
        &format!("{header}m1,shayang/employee,2023-02-10,5001.02,支付住院费,10.00,\nm1,shayang/employee,2023-02-10,1003,支付住院费,,10.00\n"),
    );
    env.ok(&["import", &more, "--post", "--reviewer", REVIEWER]);
    env.ok(&["verify", "--anchor", &anchor]);
}

#[test]
fn an_older_database_is_upgraded_by_a_write_that_says_so_and_then_verifies() {
    let env = Env::jingmen();
    env.ok(&["import", &fixture("fixtures/jingmen/walkthrough.csv"), "--post", "--reviewer", REVIEWER]);
    // Turn it back into what the previous version made: schema 5, no record log, no batches.
    env.raw()
        .execute_batch(
            "DROP TABLE settlement_run; DROP TABLE rule_set; DROP TABLE matching_basis; DROP TABLE voucher_void; DROP TABLE web_session; DROP TABLE audit; DROP TABLE user_grant; DROP TABLE app_user;
             DROP TABLE record_log; DROP TABLE import_batch; DROP INDEX voucher_content;
             DROP TRIGGER run_no_delete; DROP TRIGGER statement_no_delete;
             DELETE FROM setting WHERE key IN ('opening_date', 'posted_volume_fen');
             PRAGMA user_version = 5; PRAGMA application_id = 0;",
        )
        .unwrap();
    let before = env.fingerprint();
    // Reading does not upgrade.
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("旧于本程序的 14：只读命令不会升级它"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
    // A write upgrades, says so, and adopts what was there as the log's starting point.
    let run = env.run(&["upgrade"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("注意：已将数据库结构从版本 5 升级到 14"), "{}", run.stderr);
    let opening: String =
        env.raw().query_row("SELECT value FROM setting WHERE key = 'opening_date'", [], |r| r.get(0)).unwrap();
    assert_eq!(opening, "2023-01-01", "the earliest voucher's date");
    env.ok(&["verify"]);
    // An older database has no rule set: commands that judge by the city's rules say how to
    // record one instead of borrowing another city's, and change nothing.
    let before = env.fingerprint();
    let run = env.run(&["deadlines", "--as-of", "2023-02-01"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("没有生效的规则集：请用 fundpool rules set"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
    env.ok_as(POSTER, &["post", "--all"]);
    env.ok(&["verify"]);
}

/// A log entry written behind the engine's back with an enormous sequence number: `verify`
/// says the log's numbering is invalid instead of sizing a bitmap by it (2^62 bits would not fit
/// in any memory), and changes nothing.
#[test]
fn verify_refuses_an_impossible_log_sequence_number_without_running_out_of_memory() {
    let env = Env::jingmen();
    env.ok(&["import", &fixture("fixtures/jingmen/walkthrough.csv"), "--post", "--reviewer", REVIEWER]);
    env.raw()
        .execute("INSERT INTO record_log (seq, kind, key, body, prev, hash) VALUES (4611686018427387904, 'x', 'y', 'z', 'p', 'h')", [])
        .unwrap();
    let before = env.fingerprint();
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 70, "{}", run.stderr);
    assert!(run.stderr.contains("数据库内容不一致：记录日志序号 4611686018427387904 无效"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
}

/// The note a writer leaves beside a shared database (`DB.writer`) is created anew, never written
/// through whatever another account planted at its name: a link to another file of the user's
/// had that file overwritten by the note.
#[test]
fn the_writers_note_is_never_written_through_a_planted_link() {
    let env = Env::jingmen();
    let victim = env.write("victim.txt", "victim's own text\n");
    let note = env.path("fundpool.db.writer");
    std::os::unix::fs::symlink(&victim, &note).unwrap();
    env.ok(&["import", &fixture("fixtures/jingmen/walkthrough.csv")]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "victim's own text\n");
    assert!(
        std::fs::symlink_metadata(&note).is_err(),
        "the note (and the planted link) are gone after the writer ends"
    );
}
