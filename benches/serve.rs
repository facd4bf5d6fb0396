//! The server under load, through the release binary on loopback: 50 users at once, each
//! logging in, entering vouchers in its own book and reviewing and posting the others' — the
//! p50/p95 latency of every request, the throughput, and that every voucher made is in the book
//! exactly once. Run with `cargo bench --bench serve` (bounded: 50 users × 5 rounds).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const USERS: usize = 50;
const ROUNDS: usize = 5;
const PASSWORD: &str = "bench-pass-1";

fn run(bin: &str, db: &str, args: &[&str], user: Option<&str>, stdin: &str) {
    use std::io::Write;
    let mut command = Command::new(bin);
    command
        .arg("--db")
        .arg(db)
        .args(args)
        .env("FUNDPOOL_OPERATOR", "bench")
        .env("FUNDPOOL_NOW", "2023-02-01T09:00:00Z");
    if let Some(user) = user {
        command.env("FUNDPOOL_USER", user).env("FUNDPOOL_PASSWORD", PASSWORD);
    }
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_fundpool");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.db").display().to_string();
    run(bin, &db, &["init", "--city", concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/jingmen")], None, "");
    run(bin, &db, &["user", "add", "管理员", "--first-admin", "--password-stdin"], None, &format!("{PASSWORD}\n"));
    let parties = ["city", "dongbao", "duodao", "shayang", "zhongxiang", "jingshan", "zhanghe", "qujialing"];
    for i in 0..USERS {
        let name = format!("用户{i:02}");
        run(bin, &db, &["user", "add", &name, "--password-stdin"], Some("管理员"), &format!("{PASSWORD}\n"));
        for role in ["maker", "reviewer", "poster"] {
            run(
                bin,
                &db,
                &["user", "grant", &name, "--party", parties[i % parties.len()], "--role", role],
                Some("管理员"),
                "",
            );
        }
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Command::new(bin)
        .args(["--db", &db, "serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("FUNDPOOL_NOW", "2023-02-01T09:00:00Z")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while ureq::get(&format!("{base}/api/health")).call().is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let started = Instant::now();
    let threads: Vec<_> = (0..USERS)
        .map(|i| {
            let base = base.clone();
            std::thread::spawn(move || {
                let party = parties[i % parties.len()];
                let me = format!("用户{i:02}");
                let login = ureq::post(&format!("{base}/api/login"))
                    .send_json(serde_json::json!({"user": me, "password": PASSWORD}))
                    .unwrap();
                let cookie = login.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
                let csrf = login.into_json::<serde_json::Value>().unwrap()["csrf"].as_str().unwrap().to_string();
                let mut latencies = Vec::new();
                let mut made = 0usize;
                let mut timed = |request: ureq::Request, body: Option<serde_json::Value>| {
                    let t = Instant::now();
                    let write = request.method() == "POST";
                    let request = request.set("Cookie", &cookie).set("X-CSRF-Token", &csrf);
                    let result = match body {
                        Some(body) => request.send_json(body),
                        None => request.call(),
                    };
                    latencies.push((write, t.elapsed()));
                    match result {
                        Ok(response) => (response.status(), response.into_string().unwrap_or_default()),
                        Err(ureq::Error::Status(code, response)) => (code, response.into_string().unwrap_or_default()),
                        Err(e) => panic!("{e}"),
                    }
                };
                for round in 0..ROUNDS {
                    let memo = format!("{me} 第{round}笔");
                    let voucher = serde_json::json!({"book": format!("{party}/employee"), "date": "2023-01-20", "line": [
                        {"account": "5001.02", "summary": memo, "debit": "10.00"},
                        {"account": "1003", "summary": memo, "credit": "10.00"}]});
                    let (code, _) = timed(ureq::post(&format!("{base}/api/vouchers")), Some(voucher));
                    assert_eq!(code, 201);
                    made += 1;
                    let (_, journal) =
                        timed(ureq::get(&format!("{base}/api/journal?book={party}/employee&period=2023-01")), None);
                    let journal: serde_json::Value = serde_json::from_str(&journal).unwrap();
                    for v in journal["vouchers"].as_array().unwrap() {
                        let number = v["number"].as_str().unwrap().replace('记', "%E8%AE%B0");
                        let step = if v["status"] == "draft" && v["maker"] != me.as_str() {
                            "review"
                        } else if v["status"] == "reviewed" && v["reviewer"] != me.as_str() {
                            "post"
                        } else {
                            continue;
                        };
                        timed(ureq::post(&format!("{base}/api/vouchers/{party}/employee/{number}/{step}")), None);
                    }
                }
                (made, latencies)
            })
        })
        .collect();
    let (mut made, mut latencies) = (0, Vec::new());
    for thread in threads {
        let (m, l) = thread.join().unwrap();
        made += m;
        latencies.extend(l);
    }
    let elapsed = started.elapsed();
    let _ = server.kill();
    let _ = server.wait();
    let mut all: Vec<Duration> = latencies.iter().map(|(_, d)| *d).collect();
    let mut reads: Vec<Duration> = latencies.iter().filter(|(w, _)| !w).map(|(_, d)| *d).collect();
    let mut writes: Vec<Duration> = latencies.iter().filter(|(w, _)| *w).map(|(_, d)| *d).collect();
    for list in [&mut all, &mut reads, &mut writes] {
        list.sort();
    }
    let at = |list: &[Duration], q: usize| list[list.len() * q / 100].as_millis();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let vouchers: i64 = conn.query_row("SELECT COUNT(*) FROM voucher", [], |r| r.get(0)).unwrap();
    assert_eq!(vouchers, made as i64, "every voucher made is there exactly once");
    println!(
        "{USERS} users × {ROUNDS} rounds: {} requests in {:.1} s ({:.0}/s); {made} vouchers, none lost or duplicated",
        all.len(),
        elapsed.as_secs_f64(),
        all.len() as f64 / elapsed.as_secs_f64(),
    );
    for (what, list) in [("all", &all), ("reads (GET)", &reads), ("writes (POST)", &writes)] {
        println!(
            "  {what:<14} {:>5} requests: p50 {} ms, p95 {} ms, max {} ms",
            list.len(),
            at(list, 50),
            at(list, 95),
            list.last().unwrap().as_millis()
        );
    }
}
