//! Benchmarks through the real release binary: 100,000 vouchers (200,000 lines) imported as a
//! trusted feed posted in one step, then `verify` over the result, with the rate and the peak
//! memory of the import; and the Jingmen demo year (`fundpool demo`). Run with
//! `cargo bench --bench import`.

use std::process::Command;
use std::time::Instant;

const VOUCHERS: usize = 100_000;

fn peak_rss_kib_of_children() -> i64 {
    // SAFETY: getrusage only writes into the struct we pass.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage.ru_maxrss
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bench.db");
    let csv = dir.path().join("vouchers.csv");
    let counties = ["dongbao", "duodao", "shayang", "zhongxiang", "jingshan", "zhanghe", "qujialing"];
    let categories = ["5001.01", "5001.02", "5001.03", "5001.04", "5001.06"];
    let mut text = String::with_capacity(VOUCHERS * 160);
    text.push_str("voucher,book,date,account,summary,debit,credit,external_id,ref\n");
    for i in 0..VOUCHERS {
        let county = counties[i % counties.len()];
        let fund = if i % 2 == 0 { "employee" } else { "resident" };
        let month = 1 + (i * 12 / VOUCHERS);
        let day = 1 + (i % 28);
        let account = categories[i % categories.len()];
        let amount = format!("{}.{:02}", 1000 + (i * 7919) % 90000, i % 100);
        let book = format!("{county}/{fund}");
        let date = format!("2023-{month:02}-{day:02}");
        text.push_str(&format!("b{i},{book},{date},{account},支付待遇,{amount},,BP-{i},PAY-{i}\n"));
        text.push_str(&format!("b{i},{book},{date},1003,支付待遇,,{amount},,PAY-{i}\n"));
    }
    std::fs::write(&csv, text).expect("write csv");
    let bin = env!("CARGO_BIN_EXE_fundpool");
    let city = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/jingmen");
    let run = |args: &[&str]| {
        let started = Instant::now();
        let output = Command::new(bin)
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("FUNDPOOL_OPERATOR", "bench")
            .env("FUNDPOOL_NOW", "2024-01-01T00:00:00Z")
            .output()
            .expect("run fundpool");
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        started.elapsed()
    };
    run(&["init", "--city", city]);
    let csv_arg = csv.display().to_string();
    let import = run(&["import", &csv_arg, "--post", "--reviewer", "feed"]);
    let import_peak = peak_rss_kib_of_children();
    let verify = run(&["verify"]);
    let db_size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    println!(
        "import --post of {VOUCHERS} vouchers ({} lines): {:.2} s, {:.0} vouchers/s",
        VOUCHERS * 2,
        import.as_secs_f64(),
        VOUCHERS as f64 / import.as_secs_f64()
    );
    println!("peak RSS of the import process: {:.1} MiB", import_peak as f64 / 1024.0);
    println!("verify (hash chains + balances of all books): {:.2} s", verify.as_secs_f64());
    println!("database size: {:.1} MiB", db_size as f64 / (1024.0 * 1024.0));
    let demo_db = dir.path().join("demo.db");
    let mut best = f64::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let output = Command::new(bin).arg("--db").arg(&demo_db).arg("demo").output().expect("run demo");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!("fundpool demo (Jingmen 2023: post, reconcile, close 13 months): best of 3 {best:.2} s");
}
