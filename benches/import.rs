//! The performance suite, through the real release binary on a real database file: the bulk
//! commands of a city's year — `import --post` of N generated vouchers, `verify`, `check`, the
//! 序时账 (as a table and as xlsx), 明细账 and 科目余额表 of one book, a month's `reconcile`, and
//! on a second database N drafts through `review --all` and `post --all` — each with wall time,
//! vouchers/s and the peak RSS of that one process, and how soon the 明细账 and 序时账 write their
//! first bytes; then the SQLite floor
//! (`../shared/perf/sqlite-limit`) on the same vouchers when it is present, and the ratio
//! floor ÷ fundpool that the import goal is stated in.
//!
//! `cargo bench --bench import` runs 100,000 vouchers; `cargo bench --bench import -- --1m` a
//! million (about ten minutes); `-- --vouchers N` any number. Figures go in the README's
//! performance table with the date and the machine.
//!
//! `-- --crash` (with `--1m` or `--vouchers N`) instead kills `import --post` with SIGKILL at
//! points spread over a whole import's time, from the parse to the commit, and after each checks
//! that the database holds all of the file or none of it, that `check` and `verify` pass, and at
//! the end that importing again gives exactly the books of an import never interrupted.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// What one run of a command cost.
struct Measured {
    what: String,
    seconds: f64,
    vouchers: Option<usize>,
    peak_mib: f64,
}

/// Runs a command to completion and returns its wall time and its own peak RSS (from wait4).
// The child is reaped by wait4 (which also gives its rusage), not by Child::wait.
#[allow(clippy::zombie_processes)]
fn measure(what: &str, command: &mut Command, vouchers: Option<usize>, ok_codes: &[i32]) -> Measured {
    let started = Instant::now();
    let child = command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn();
    let mut child = child.unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        std::io::Read::read_to_string(&mut pipe, &mut stderr).ok();
    }
    let (code, peak_kib) = wait_with_rusage(child.id() as i32);
    let seconds = started.elapsed().as_secs_f64();
    assert!(ok_codes.contains(&code), "{what}: exit {code}: {stderr}");
    Measured { what: what.to_string(), seconds, vouchers, peak_mib: peak_kib as f64 / 1024.0 }
}

/// How long a report takes to write its first bytes (what a reader waits for its first page):
/// stdout piped, read once, then drained to the end.
fn first_output(what: &str, command: &mut Command) -> (String, f64) {
    use std::io::Read;
    let started = Instant::now();
    let child = command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null()).spawn();
    let mut child = child.unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut first = [0u8; 4096];
    let read = stdout.read(&mut first).unwrap_or(0);
    let seconds = started.elapsed().as_secs_f64();
    assert!(read > 0, "{what}: no output");
    std::io::copy(&mut stdout, &mut std::io::sink()).ok();
    assert!(child.wait().map(|s| s.success()).unwrap_or(false), "{what}: failed");
    (what.to_string(), seconds)
}

fn wait_with_rusage(pid: i32) -> (i32, i64) {
    // SAFETY: wait4 writes only into the status and rusage we pass, for a child we spawned.
    unsafe {
        let mut status = 0;
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(pid, &mut status, 0, &mut usage);
        let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
        (code, usage.ru_maxrss)
    }
}

fn vouchers_wanted() -> usize {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--1m") {
        return 1_000_000;
    }
    args.iter()
        .position(|a| a == "--vouchers")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.replace('_', "").parse().ok())
        .unwrap_or(100_000)
}

/// The vouchers: `gen_perf.py` (the same data the floor reads) when `../shared/perf` is here,
/// else a generator of the same shape (two or three lines a voucher over the county books).
fn generate(n: usize, dir: &Path) -> (PathBuf, Option<PathBuf>) {
    let perf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/perf/gen_perf.py");
    let (ours, floor) = (dir.join("vouchers.csv"), dir.join("floor.csv"));
    if perf.exists() {
        let status = Command::new("python3").arg(&perf).arg(n.to_string()).arg(&ours).arg(&floor).status();
        if status.is_ok_and(|s| s.success()) {
            return (ours, Some(floor));
        }
    }
    let counties = ["dongbao", "duodao", "shayang", "zhongxiang", "jingshan", "zhanghe", "qujialing"];
    let mut text = String::with_capacity(n * 150);
    text.push_str("voucher,book,date,account,summary,debit,credit\n");
    for i in 0..n {
        let book = format!("{}/{}", counties[i % 7], if i % 2 == 0 { "employee" } else { "resident" });
        let date = format!("2023-{:02}-{:02}", 1 + i * 12 / n, 1 + i % 28);
        let amount = format!("{}.{:02}", 1000 + (i * 7919) % 90000, i % 100);
        text.push_str(&format!("P{i:07},{book},{date},1003,性能测试,{amount},\n"));
        text.push_str(&format!("P{i:07},{book},{date},1004,性能测试,,{amount}\n"));
    }
    std::fs::write(&ours, text).expect("write vouchers");
    (ours, None)
}

/// The floor program, built once in release mode, run on the same vouchers.
fn floor(floor_csv: &Path, dir: &Path) -> Option<Measured> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/perf/sqlite-limit");
    let target = std::env::temp_dir().join("sqlite-limit-target");
    let built = Command::new("cargo")
        .args(["build", "--release", "-q", "--target-dir"])
        .arg(&target)
        .current_dir(&source)
        .status()
        .ok()?;
    if !built.success() {
        return None;
    }
    let mut command = Command::new(target.join("release/sqlite-limit"));
    command.arg(floor_csv).arg(dir.join("floor.db")).arg("--index");
    Some(measure("SQLite floor (indexed), same vouchers", &mut command, None, &[0]))
}

/// A fundpool command on `db` as `operator`, at a fixed time.
fn fundpool(db: &Path, operator: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fundpool"));
    command.arg("--db").arg(db).env("FUNDPOOL_OPERATOR", operator).env("FUNDPOOL_NOW", "2024-01-15T00:00:00Z");
    command
}

const CITY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/jingmen");

fn init(db: &Path) {
    let _ = std::fs::remove_file(db);
    let status = fundpool(db, "bench").args(["init", "--city", CITY]).output().expect("init");
    assert!(status.status.success(), "init: {}", String::from_utf8_lossy(&status.stderr));
}

/// What the books hold: posted vouchers, their lines, and each book's debit total in 分, read
/// straight from the file.
fn books(db: &Path) -> (i64, i64, Vec<(i64, i64)>) {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql);
    let vouchers = count("SELECT COUNT(*) FROM voucher WHERE status = 'posted'");
    let lines = count("SELECT COUNT(*) FROM voucher_line");
    let mut totals = conn
        .prepare("SELECT v.book_id, SUM(l.debit_fen) FROM voucher v JOIN voucher_line l ON l.voucher_id = v.id GROUP BY 1 ORDER BY 1")
        .expect("totals");
    let totals =
        totals.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("totals").map(|t| t.expect("a total")).collect();
    (vouchers, lines, totals)
}

/// Kills `import --post` of the N vouchers at points spread over an import's time and checks what
/// each kill left (see the module's comment).
fn crash(n: usize, vouchers: &Path, dir: &Path) {
    let csv = vouchers.display().to_string();
    let import = |db: &Path| {
        let mut command = fundpool(db, "制单");
        command.args(["import", &csv, "--post", "--reviewer", "审核"]);
        command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        command
    };
    let whole = dir.join("whole.db");
    init(&whole);
    let started = Instant::now();
    assert!(import(&whole).status().expect("import").success(), "the uninterrupted import failed");
    let took = started.elapsed();
    let expected = books(&whole);
    assert_eq!(expected.0, n as i64);
    println!("\nkill -9 during import --post of {n} vouchers (an uninterrupted import: {:.2} s)", took.as_secs_f64());
    println!("| kill at | vouchers after | lines after | check | verify |");
    println!("|---:|---:|---:|---|---|");
    let db = dir.join("killed.db");
    init(&db);
    let mut landed_mid_import = 0;
    for permille in [20u32, 150, 300, 500, 700, 800, 850, 880, 910, 940, 970, 1_000, 1_020] {
        let at = took * permille / 1_000;
        let mut child = import(&db).spawn().expect("import");
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let after = books(&db);
        assert!(
            after.0 == 0 || after == expected,
            "{permille}‰: {} vouchers, {} lines after kill -9",
            after.0,
            after.1
        );
        assert!(after.0 != 0 || after.1 == 0, "{permille}‰: lines without their vouchers");
        let passes = |command: &str| fundpool(&db, "审计").arg(command).output().expect(command).status.success();
        let (check, verify) = (passes("check"), passes("verify"));
        println!("| {:.2} s ({permille}‰) | {} | {} | {} | {} |", at.as_secs_f64(), after.0, after.1, check, verify);
        assert!(check && verify, "{permille}‰: check {check}, verify {verify}");
        if after.0 == 0 {
            landed_mid_import += 1;
        } else {
            init(&db); // it finished: start the next round from empty books
        }
    }
    assert!(landed_mid_import > 0, "no kill landed mid-import");
    assert!(import(&db).status().expect("import").success(), "the import after the kills failed");
    assert_eq!(books(&db), expected, "the books after the kills and a last import");
    println!("after the kills, importing again gives exactly the uninterrupted import's books ({n} vouchers)");
}

fn main() {
    let n = vouchers_wanted();
    let dir = tempfile::tempdir().expect("temp dir");
    let (vouchers, floor_csv) = generate(n, dir.path());
    if std::env::args().any(|a| a == "--crash") {
        crash(n, &vouchers, dir.path());
        return;
    }
    let posted = dir.path().join("posted.db");
    let drafts = dir.path().join("drafts.db");
    for db in [&posted, &drafts] {
        init(db);
    }
    let csv = vouchers.display().to_string();
    let book = ["--book", "shayang/employee"];
    let mut rows = vec![measure(
        "import --post (trusted feed)",
        fundpool(&posted, "制单").args(["import", &csv, "--post", "--reviewer", "审核"]),
        Some(n),
        &[0],
    )];
    rows.push(measure("verify", fundpool(&posted, "审计").arg("verify"), Some(n), &[0]));
    rows.push(measure("check", fundpool(&posted, "审计").arg("check"), Some(n), &[0]));
    rows.push(measure(
        "trial-balance, one book, the year",
        fundpool(&posted, "审计").args(["trial-balance"]).args(book),
        None,
        &[0],
    ));
    rows.push(measure(
        "account 1003 (明细账), one book, the year",
        fundpool(&posted, "审计").args(["account", "--account", "1003"]).args(book),
        None,
        &[0],
    ));
    rows.push(measure(
        "journal (序时账), one book, the year",
        fundpool(&posted, "审计").args(["journal"]).args(book),
        None,
        &[0],
    ));
    let sheet = dir.path().join("journal.xlsx").display().to_string();
    rows.push(measure(
        "journal as xlsx (序时账 spreadsheet), one book, the year",
        fundpool(&posted, "审计").args(["--format", "xlsx", "journal", "--output", &sheet]).args(book),
        None,
        &[0],
    ));
    rows.push(measure(
        "reconcile 2023-06 (every check, no statements)",
        fundpool(&posted, "对账").args(["reconcile", "--period", "2023-06"]),
        None,
        &[0, 3],
    ));
    rows.push(measure("import (drafts)", fundpool(&drafts, "制单").args(["import", &csv]), Some(n), &[0]));
    rows.push(measure("review --all", fundpool(&drafts, "审核").args(["review", "--all"]), Some(n), &[0]));
    rows.push(measure("post --all", fundpool(&drafts, "记账").args(["post", "--all"]), Some(n), &[0]));
    let demo_db = dir.path().join("demo.db");
    rows.push(measure(
        "demo (Jingmen 2023: 13 months posted, reconciled, closed)",
        fundpool(&demo_db, "演示").arg("demo"),
        None,
        &[0],
    ));
    let account = ["account", "--account", "1003", "--book", "shayang/employee"];
    let firsts = [
        first_output("account 1003 as CSV", fundpool(&posted, "审计").args(["--format", "csv"]).args(account)),
        first_output("account 1003 as JSON", fundpool(&posted, "审计").args(["--format", "json"]).args(account)),
        first_output("account 1003 as a table", fundpool(&posted, "审计").arg("--no-pager").args(account)),
        first_output("journal as CSV", fundpool(&posted, "审计").args(["--format", "csv", "journal"]).args(book)),
        first_output("journal as a table", fundpool(&posted, "审计").args(["--no-pager", "journal"]).args(book)),
    ];
    let size = std::fs::metadata(&posted).map(|m| m.len()).unwrap_or(0) as f64 / (1024.0 * 1024.0);
    let floor = floor_csv.and_then(|f| floor(&f, dir.path()));

    println!("\nfundpool performance suite: {n} vouchers, release binary, synchronous=FULL");
    println!("| command | wall s | vouchers/s | peak RSS MiB |");
    println!("|---|---:|---:|---:|");
    for row in rows.iter().chain(floor.iter()) {
        let rate = row.vouchers.map(|v| format!("{:.0}", v as f64 / row.seconds)).unwrap_or_else(|| "—".into());
        println!("| {} | {:.2} | {rate} | {:.1} |", row.what, row.seconds, row.peak_mib);
    }
    println!("database file after import --post: {size:.1} MiB");
    let firsts: Vec<String> = firsts.iter().map(|(what, s)| format!("{what} {:.0} ms", s * 1000.0)).collect();
    println!("first output (one book, the year): {}", firsts.join("; "));
    match &floor {
        Some(floor) => {
            println!("ratio floor ÷ fundpool import --post: {:.2} (goal ≥ 1.00)", floor.seconds / rows[0].seconds)
        }
        None => println!("(../shared/perf not here: no floor to compare with)"),
    }
}
