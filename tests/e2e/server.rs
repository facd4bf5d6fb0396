//! `fundpool serve` through HTTP on loopback: the JSON API contract, authorization of every
//! write endpoint (403, nothing written, the refusal audited), CSRF, throttling, expiry, and a
//! bounded load of 50 users entering, reviewing and posting at once.

use crate::support::{sheet_rows, Env, NOW};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "server-pass-1";

/// A running `fundpool serve` on a free loopback port, stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn start(env: &Env, extra_env: &[(&str, &str)]) -> Server {
        Server::start_with(env, extra_env, &[])
    }

    pub fn start_with(env: &Env, extra_env: &[(&str, &str)], extra_args: &[&str]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let listen = format!("127.0.0.1:{port}");
        let mut command = Command::new(env!("CARGO_BIN_EXE_fundpool"));
        command
            .args(["--db", env.db().to_str().unwrap(), "serve", "--listen", &listen])
            .args(extra_args)
            .env("FUNDPOOL_NOW", NOW)
            .env_remove("FUNDPOOL_OPERATOR")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (key, value) in extra_env {
            command.env(key, value);
        }
        let child = command.spawn().expect("start fundpool serve");
        let server = Server { child, base: format!("http://{listen}") };
        let started = Instant::now();
        while ureq::get(&format!("{}/api/health", server.base)).call().is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "the server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }
}

/// A logged-in API client: the session cookie and the form token.
pub struct Client {
    pub base: String,
    pub cookie: String,
    pub csrf: String,
}

/// (status, body as JSON or text).
pub fn status_of(result: Result<ureq::Response, ureq::Error>) -> (u16, String) {
    match result {
        Ok(response) => (response.status(), response.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(code, response)) => (code, response.into_string().unwrap_or_default()),
        Err(e) => panic!("transport error: {e}"),
    }
}

impl Client {
    pub fn login(base: &str, user: &str, password: &str) -> Result<Client, (u16, String)> {
        let result =
            ureq::post(&format!("{base}/api/login")).send_json(serde_json::json!({"user": user, "password": password}));
        match result {
            Ok(response) => {
                let cookie = response.header("set-cookie").unwrap_or_default().to_string();
                let body: serde_json::Value = response.into_json().unwrap();
                let pair = cookie.split(';').next().unwrap().to_string();
                Ok(Client { base: base.to_string(), cookie: pair, csrf: body["csrf"].as_str().unwrap().to_string() })
            }
            Err(e) => Err(status_of(Err(e))),
        }
    }

    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> (u16, String) {
        status_of(
            ureq::post(&format!("{}{path}", self.base))
                .set("Cookie", &self.cookie)
                .set("X-CSRF-Token", &self.csrf)
                .send_json(body.clone()),
        )
    }

    pub fn post_empty(&self, path: &str) -> (u16, String) {
        status_of(
            ureq::post(&format!("{}{path}", self.base))
                .set("Cookie", &self.cookie)
                .set("X-CSRF-Token", &self.csrf)
                .call(),
        )
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        status_of(ureq::get(&format!("{}{path}", self.base)).set("Cookie", &self.cookie).call())
    }

    /// A form POST to a page, with the form token unless `csrf` is false.
    pub fn post_form(&self, path: &str, fields: &[(&str, &str)], csrf: bool) -> (u16, String) {
        let mut pairs: Vec<(&str, &str)> = fields.to_vec();
        if csrf {
            pairs.push(("csrf", &self.csrf));
        }
        status_of(ureq::post(&format!("{}{path}", self.base)).set("Cookie", &self.cookie).send_form(&pairs))
    }
}

/// A Jingmen database with an administrator and a staff per role.
pub fn staffed() -> Env {
    let env = Env::jingmen();
    let run =
        env.run_user("", "", &["user", "add", "管理员", "--first-admin", "--password-stdin"], &format!("{PASSWORD}\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (name, grants) in [
        ("东宝会计", vec![("dongbao", "maker")]),
        ("沙洋会计", vec![("shayang", "maker")]),
        ("审核员", vec![("*", "reviewer")]),
        ("记账员", vec![("*", "poster")]),
        ("对账员", vec![("*", "closer")]),
        ("审计员", vec![("*", "reader")]),
    ] {
        admin(&env, &["user", "add", name, "--password-stdin"], &format!("{PASSWORD}\n"));
        for (party, role) in grants {
            admin(&env, &["user", "grant", name, "--party", party, "--role", role], "");
        }
    }
    env
}

pub fn admin(env: &Env, args: &[&str], stdin: &str) {
    let run = env.run_user("管理员", PASSWORD, args, stdin);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
}

fn voucher(book: &str, memo: &str, credit: &str) -> serde_json::Value {
    serde_json::json!({"book": book, "date": "2023-01-20", "line": [
        {"account": "5001.02", "summary": memo, "debit": "10.00"},
        {"account": "1003", "summary": memo, "credit": credit}]})
}

fn audit_has(env: &Env, user: &str, action: &str, result: &str) -> bool {
    let out = env.run_user("审计员", PASSWORD, &["--format", "json", "audit", "--user", user], "").stdout;
    let json: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    json["entries"].as_array().into_iter().flatten().any(|e| e["action"] == action && e["result"] == result)
}

#[test]
fn serve_refuses_a_database_without_users() {
    let env = Env::jingmen();
    let run = env.run(&["serve", "--listen", "127.0.0.1:1"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("还没有注册用户：serve 需要登录"), "{}", run.stderr);
    assert!(!run.stderr.contains("明文"), "loopback needs no warning: {}", run.stderr);
    // Asked to serve past this machine in plain HTTP, it warns first (then refuses here: no users,
    // so nothing is ever bound).
    let run = env.run(&["serve", "--listen", "0.0.0.0:1"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("正在 0.0.0.0:1 上以明文 HTTP 服务，密码和会话在网络上可被截获"), "{}", run.stderr);
}

#[test]
fn the_json_api_keeps_its_contract() {
    let env = staffed();
    let server = Server::start(&env, &[]);
    let base = &server.base;
    assert_eq!(status_of(ureq::get(&format!("{base}/api/health")).call()).0, 200);
    // Login: 401 on a wrong password; the cookie is HttpOnly and SameSite=Strict.
    assert_eq!(Client::login(base, "东宝会计", "wrong-password").err().map(|e| e.0), Some(401));
    let raw = ureq::post(&format!("{base}/api/login"))
        .send_json(serde_json::json!({"user": "东宝会计", "password": PASSWORD}))
        .unwrap();
    let cookie = raw.header("set-cookie").unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let clerk = Client::login(base, "东宝会计", PASSWORD).unwrap();
    // A voucher: 201 {"book","number"}.
    let before = env.fingerprint();
    let no_csrf =
        status_of(ureq::post(&format!("{base}/api/vouchers")).set("Cookie", &clerk.cookie).send_json(voucher(
            "dongbao/employee",
            "待遇",
            "10.00",
        )));
    assert_eq!(no_csrf.0, 403, "{}", no_csrf.1);
    let wrong_csrf = status_of(
        ureq::post(&format!("{base}/api/vouchers"))
            .set("Cookie", &clerk.cookie)
            .set("X-CSRF-Token", "forged")
            .send_json(voucher("dongbao/employee", "待遇", "10.00")),
    );
    assert_eq!(wrong_csrf.0, 403);
    assert_eq!(env.fingerprint(), before, "refused requests write nothing");
    let (code, body) = clerk.post_json("/api/vouchers", &voucher("dongbao/employee", "待遇", "10.00"));
    assert_eq!(code, 201, "{body}");
    let made: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(made, serde_json::json!({"book": "dongbao/employee", "number": "记-2023-01-0001"}));
    // An invalid voucher: 422 with the rejections.
    let (code, body) = clerk.post_json("/api/vouchers", &voucher("dongbao/employee", "待遇", "10.01"));
    assert_eq!(code, 422, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(json["rejections"][0].as_str().unwrap().contains("借方合计 10.00 不等于贷方合计 10.01"), "{json}");
    // Review and post, by number (URL-encoded).
    let number = "%E8%AE%B0-2023-01-0001";
    assert_eq!(
        clerk.post_empty(&format!("/api/vouchers/dongbao/employee/{number}/review")).0,
        403,
        "the maker cannot review"
    );
    let reviewer = Client::login(base, "审核员", PASSWORD).unwrap();
    let (code, body) = reviewer.post_empty(&format!("/api/vouchers/dongbao/employee/{number}/review"));
    assert_eq!(code, 200, "{body}");
    assert_eq!(reviewer.post_empty(&format!("/api/vouchers/dongbao/employee/{number}/post")).0, 403);
    let poster = Client::login(base, "记账员", PASSWORD).unwrap();
    let (code, body) = poster.post_empty(&format!("/api/vouchers/dongbao/employee/{number}/post"));
    assert_eq!(code, 200, "{body}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["status"], "posted");
    // The trial balance is the CLI's JSON, byte for byte.
    let auditor = Client::login(base, "审计员", PASSWORD).unwrap();
    let (code, api) = auditor.get("/api/trial-balance?book=dongbao/employee&period=2023-01");
    assert_eq!(code, 200);
    let cli = env.run_user(
        "审计员",
        PASSWORD,
        &["--format", "json", "trial-balance", "--book", "dongbao/employee", "--period", "2023-01"],
        "",
    );
    assert_eq!(api, cli.stdout);
    // Logged out, the session is gone.
    assert_eq!(poster.post_empty("/api/logout").0, 200);
    assert_eq!(poster.get("/api/trial-balance?book=dongbao/employee&period=2023-01").0, 401);
}

#[test]
fn every_write_endpoint_refuses_a_user_without_the_grant_and_audits_it() {
    let env = staffed();
    let server = Server::start(&env, &[]);
    let base = &server.base;
    let clerk = Client::login(base, "东宝会计", PASSWORD).unwrap();
    let auditor = Client::login(base, "审计员", PASSWORD).unwrap();
    assert_eq!(clerk.post_json("/api/vouchers", &voucher("dongbao/employee", "待遇", "10.00")).0, 201);
    let before = env.fingerprint();
    let number = "%E8%AE%B0-2023-01-0001";
    // The auditor writes nothing.
    assert_eq!(auditor.post_json("/api/vouchers", &voucher("dongbao/employee", "审计", "10.00")).0, 403);
    assert_eq!(auditor.post_empty(&format!("/api/vouchers/dongbao/employee/{number}/review")).0, 403);
    assert_eq!(auditor.post_empty(&format!("/api/vouchers/dongbao/employee/{number}/post")).0, 403);
    assert_eq!(auditor.post_form("/reconcile", &[("period", "2022-12")], true).0, 403);
    assert_eq!(auditor.post_form("/close", &[("period", "2022-12")], true).0, 403);
    // A county clerk forging the voucher form for another county's book.
    let (code, page) = clerk.post_form(
        "/vouchers/new",
        &[
            ("book", "shayang/employee"),
            ("date", "2023-01-20"),
            ("summary1", "伪造"),
            ("account1", "5001.02"),
            ("debit1", "1.00"),
            ("summary2", "伪造"),
            ("account2", "1003"),
            ("credit2", "1.00"),
        ],
        true,
    );
    assert_eq!(code, 403, "{page}");
    assert!(page.contains("东宝会计 没有 shayang 的制单权限"), "{page}");
    // The same form without its token.
    assert_eq!(clerk.post_form("/vouchers/new", &[("book", "dongbao/employee")], false).0, 403);
    assert_eq!(env.fingerprint(), before, "nothing was written");
    assert!(audit_has(&env, "审计员", "voucher add", "refused"));
    assert!(audit_has(&env, "审计员", "review", "refused"));
    assert!(audit_has(&env, "审计员", "post", "refused"));
    assert!(audit_has(&env, "审计员", "reconcile", "refused"));
    assert!(audit_has(&env, "东宝会计", "voucher add", "refused"));
    assert!(audit_has(&env, "东宝会计", "csrf", "refused"));
}

#[test]
fn logins_are_throttled_and_sessions_expire() {
    let env = staffed();
    let server = Server::start(&env, &[("FUNDPOOL_SESSION_SECONDS", "2")]);
    let base = &server.base;
    for _ in 0..5 {
        assert_eq!(Client::login(base, "沙洋会计", "guess-guess").err().map(|e| e.0), Some(401));
    }
    // Throttled now, even with the right password.
    assert_eq!(Client::login(base, "沙洋会计", PASSWORD).err().map(|e| e.0), Some(429));
    assert!(audit_has(&env, "沙洋会计", "login", "refused"));
    let clerk = Client::login(base, "东宝会计", PASSWORD);
    // Another user from the same address is throttled too (the address counts failures).
    assert_eq!(clerk.err().map(|e| e.0), Some(429));
    drop(server);
    // A fresh server (the throttle lives in memory); the session expires after two seconds.
    let server = Server::start(&env, &[("FUNDPOOL_SESSION_SECONDS", "2")]);
    let clerk = Client::login(&server.base, "东宝会计", PASSWORD).unwrap();
    assert_eq!(clerk.get("/api/journal?book=dongbao/employee").0, 200);
    std::thread::sleep(Duration::from_millis(2_500));
    assert_eq!(clerk.get("/api/journal?book=dongbao/employee").0, 401);
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let (code, _) = status_of(agent.get(&format!("{}/", server.base)).set("Cookie", &clerk.cookie).call());
    assert_eq!(code, 303, "a page redirects to the login form");
}

/// Every answer — a page, the API, an error — keeps the pages out of other sites' frames, their
/// forms posting here only, and out of caches (the stylesheet alone is kept).
#[test]
fn every_answer_forbids_framing_and_sniffing() {
    let env = staffed();
    let server = Server::start(&env, &[]);
    let clerk = Client::login(&server.base, "东宝会计", PASSWORD).unwrap();
    let answers = [
        ureq::get(&format!("{}/login", server.base)).call(),
        ureq::get(&format!("{}/api/health", server.base)).call(),
        ureq::get(&format!("{}/journal?book=dongbao/employee", server.base)).set("Cookie", &clerk.cookie).call(),
        ureq::get(&format!("{}/api/journal?book=nobody/x", server.base)).set("Cookie", &clerk.cookie).call(),
    ];
    for (index, answer) in answers.into_iter().enumerate() {
        let response = match answer {
            Ok(response) | Err(ureq::Error::Status(_, response)) => response,
            Err(e) => panic!("{index}: {e}"),
        };
        assert_eq!(response.header("x-frame-options"), Some("DENY"), "{index}");
        let policy = response.header("content-security-policy").unwrap_or_default();
        assert!(
            policy.contains("frame-ancestors 'none'") && policy.contains("form-action 'self'"),
            "{index}: {policy}"
        );
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"), "{index}");
        assert_eq!(response.header("referrer-policy"), Some("same-origin"), "{index}");
        assert_eq!(response.header("cache-control"), Some("no-store"), "{index}: no ledger page left in a cache");
    }
    let style = ureq::get(&format!("{}/static/fundpool.css", server.base)).call().unwrap();
    assert_eq!(style.header("cache-control"), Some("public, max-age=86400"));
}

/// A refused login takes as long for a name nobody has as for a staff member's: answered at once,
/// it told an outsider which names exist. (Each try comes from its own address through the
/// trusted proxy, so the throttle stays out of the way.)
#[test]
fn a_refused_login_does_not_tell_by_its_time_whether_the_name_exists() {
    let env = staffed();
    let server = Server::start_with(&env, &[], &["--trust-proxy"]);
    let attempt = |user: &str, from: String| {
        let started = Instant::now();
        let result = ureq::post(&format!("{}/api/login", server.base))
            .set("X-Forwarded-For", &from)
            .send_json(serde_json::json!({"user": user, "password": "not-the-password"}));
        assert_eq!(status_of(result).0, 401, "{user}");
        started.elapsed()
    };
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..3 {
        known.push(attempt("东宝会计", format!("192.0.2.{i}")));
        unknown.push(attempt(&format!("无此人{i}"), format!("198.51.100.{i}")));
    }
    known.sort();
    unknown.sort();
    // The password check is most of a refusal's time: without it, a tenth of it or less.
    assert!(unknown[1] * 2 >= known[1], "unknown names {unknown:?}, a known name {known:?}");
}

/// A password changed because someone else may know it ends the sessions opened with it; the
/// new password logs in.
#[test]
fn a_new_password_ends_the_users_sessions() {
    let env = staffed();
    let server = Server::start(&env, &[]);
    let stolen = Client::login(&server.base, "东宝会计", PASSWORD).unwrap();
    let other = Client::login(&server.base, "沙洋会计", PASSWORD).unwrap();
    assert_eq!(stolen.get("/api/journal?book=dongbao/employee").0, 200);
    admin(&env, &["user", "passwd", "东宝会计", "--password-stdin"], "dongbao-new-1\n");
    assert_eq!(stolen.get("/api/journal?book=dongbao/employee").0, 401);
    assert_eq!(other.get("/api/journal?book=shayang/employee").0, 200, "another user's session stays");
    assert_eq!(Client::login(&server.base, "东宝会计", PASSWORD).err().map(|e| e.0), Some(401));
    let renewed = Client::login(&server.base, "东宝会计", "dongbao-new-1").unwrap();
    assert_eq!(renewed.get("/api/journal?book=dongbao/employee").0, 200);
}

#[test]
fn fifty_users_at_once_lose_and_duplicate_nothing() {
    const USERS: usize = 50;
    const ROUNDS: usize = 3;
    let env = Env::jingmen();
    let run =
        env.run_user("", "", &["user", "add", "管理员", "--first-admin", "--password-stdin"], &format!("{PASSWORD}\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let parties = ["city", "dongbao", "duodao", "shayang", "zhongxiang", "jingshan", "zhanghe", "qujialing"];
    for i in 0..USERS {
        let name = format!("用户{i:02}");
        admin(&env, &["user", "add", &name, "--password-stdin"], &format!("{PASSWORD}\n"));
        for role in ["maker", "reviewer", "poster"] {
            admin(&env, &["user", "grant", &name, "--party", parties[i % parties.len()], "--role", role], "");
        }
    }
    let server = Server::start(&env, &[]);
    let started = Instant::now();
    let handles: Vec<_> = (0..USERS)
        .map(|i| {
            let base = server.base.clone();
            std::thread::spawn(move || {
                let party = parties[i % parties.len()];
                let book = format!("{party}/employee");
                let me = Client::login(&base, &format!("用户{i:02}"), PASSWORD).expect("login");
                let mut latencies = Vec::new();
                let mut made = 0;
                let mut timed = |f: &mut dyn FnMut() -> (u16, String)| {
                    let t = Instant::now();
                    let result = f();
                    latencies.push(t.elapsed());
                    result
                };
                for round in 0..ROUNDS {
                    let memo = format!("用户{i:02} 第{round}笔");
                    let (code, body) = timed(&mut || me.post_json("/api/vouchers", &voucher(&book, &memo, "10.00")));
                    assert_eq!(code, 201, "{body}");
                    made += 1;
                    // Review and post what others of the same party made.
                    let (_, journal) = timed(&mut || me.get(&format!("/api/journal?book={book}&period=2023-01")));
                    let journal: serde_json::Value = serde_json::from_str(&journal).unwrap();
                    for v in journal["vouchers"].as_array().unwrap() {
                        let number = v["number"].as_str().unwrap().replace('记', "%E8%AE%B0");
                        let path = |step: &str| format!("/api/vouchers/{party}/employee/{number}/{step}");
                        if v["status"] == "draft" && v["maker"] != format!("用户{i:02}") {
                            timed(&mut || me.post_empty(&path("review")));
                        } else if v["status"] == "reviewed" && v["reviewer"] != format!("用户{i:02}") {
                            timed(&mut || me.post_empty(&path("post")));
                        }
                    }
                }
                (made, latencies)
            })
        })
        .collect();
    let mut made = 0;
    let mut latencies = Vec::new();
    for handle in handles {
        let (m, l) = handle.join().expect("a user's thread");
        made += m;
        latencies.extend(l);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let p95 = latencies[latencies.len() * 95 / 100];
    println!(
        "{USERS} users, {} requests in {:.1} s; p95 latency {} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        p95.as_millis()
    );
    drop(server);
    // Every voucher made is there exactly once; what remains unposted is posted once now.
    let count: i64 = env.raw().query_row("SELECT COUNT(*) FROM voucher", [], |r| r.get(0)).unwrap();
    assert_eq!(count, made as i64);
    let posted: i64 =
        env.raw().query_row("SELECT COUNT(*) FROM voucher WHERE status = 'posted'", [], |r| r.get(0)).unwrap();
    assert!(posted > 0, "some vouchers were posted during the run");
    let total: i64 = env.raw().query_row("SELECT COALESCE(SUM(debit_fen), 0) FROM balance", [], |r| r.get(0)).unwrap();
    assert_eq!(total, posted * 1000, "each posted voucher moved its 10.00 once");
    let run = env.run_user("管理员", PASSWORD, &["check"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = env.run_user("管理员", PASSWORD, &["verify"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn serve_demo_builds_the_demo_year_and_prints_a_user_per_role() {
    use std::io::BufRead;
    let env = Env::empty();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fundpool"))
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .current_dir(env.dir.path())
        .env_remove("FUNDPOOL_OPERATOR")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.contains("正在 http://");
        printed.push(line);
        if done {
            break;
        }
    }
    let row = printed.iter().find(|l| l.contains("演示审计员")).unwrap_or_else(|| panic!("{printed:?}"));
    let password = row.split('┆').nth(2).unwrap().trim().trim_end_matches('│').trim().to_string();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while ureq::get(&format!("{base}/api/health")).call().is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "the server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let auditor = Client::login(&base, "演示审计员", &password).expect("the printed password logs in");
    let (code, body) = auditor.get("/api/trial-balance?book=city/employee&period=2023-12");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"balanced\": true"), "{body}");
}

#[test]
fn the_pages_show_the_books_and_take_reversals_closes_and_reopens() {
    let env = staffed();
    let server = Server::start(&env, &[]);
    let base = &server.base;
    let clerk = Client::login(base, "东宝会计", PASSWORD).unwrap();
    assert_eq!(clerk.post_json("/api/vouchers", &voucher("dongbao/employee", "待遇", "10.00")).0, 201);
    let number = "%E8%AE%B0-2023-01-0001";
    let reviewer = Client::login(base, "审核员", PASSWORD).unwrap();
    assert_eq!(reviewer.post_empty(&format!("/api/vouchers/dongbao/employee/{number}/review")).0, 200);
    let poster = Client::login(base, "记账员", PASSWORD).unwrap();
    assert_eq!(poster.post_empty(&format!("/api/vouchers/dongbao/employee/{number}/post")).0, 200);
    // Home: the clerk's books and the deadlines of the next ten working days.
    let (code, home) = clerk.get("/");
    assert_eq!(code, 200);
    assert!(home.contains("dongbao/employee") && home.contains("未来 10 个工作日内到期及已逾期的事项"), "{home}");
    assert!(!home.contains("city/employee"), "only the books the clerk may read");
    assert!(home.contains("本月尚未对账"), "{home}");
    assert_eq!(clerk.get("/journal?book=city/employee&period=2023-01").0, 403, "another party's books");
    // The 明细账 with each month's 本月合计 and 本年累计, and its xlsx.
    let auditor = Client::login(base, "审计员", PASSWORD).unwrap();
    // The API's 序时账 is the command line's `journal --all --format json`, byte for byte.
    let (code, api) = auditor.get("/api/journal?book=dongbao/employee&period=2023-01");
    assert_eq!(code, 200, "{api}");
    let cli = env.run_user(
        "审计员",
        PASSWORD,
        &["--format", "json", "journal", "--all", "--book", "dongbao/employee", "--period", "2023-01"],
        "",
    );
    assert_eq!((cli.code, api.as_str()), (0, cli.stdout.as_str()));
    assert!(api.contains("\"vouchers\": [\n"), "{api}");
    let (code, ledger) = auditor.get("/ledger?book=dongbao/employee&account=1003&from=2023-01&to=2023-02");
    assert_eq!(code, 200, "{ledger}");
    assert_eq!(ledger.matches("本月合计").count(), 2, "January and February");
    assert_eq!(ledger.matches("本年累计").count(), 2);
    assert!(ledger.contains("id=\"closing-balance\">-10.00<"), "{ledger}");
    for path in [
        "/ledger?book=dongbao/employee&account=1003&xlsx=1",
        "/journal?book=dongbao/employee&period=2023-01&xlsx=1",
        "/deadlines?as_of=2023-01-25&xlsx=1",
        "/audit?xlsx=1",
    ] {
        let response = ureq::get(&format!("{base}{path}")).set("Cookie", &auditor.cookie).call().unwrap();
        assert!(response.content_type().contains("spreadsheetml"), "{path}");
        // The books' spreadsheets are the command line's, row for row.
        let cli_args: &[&str] = match path {
            p if p.starts_with("/ledger") => &["account", "--book", "dongbao/employee", "--account", "1003"],
            p if p.starts_with("/journal") => {
                &["journal", "--all", "--book", "dongbao/employee", "--period", "2023-01"]
            }
            _ => continue,
        };
        let downloaded = env.dir.path().join("downloaded.xlsx");
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut response.into_reader(), &mut bytes).unwrap();
        std::fs::write(&downloaded, bytes).unwrap();
        let exported = env.dir.path().join("exported.xlsx").display().to_string();
        let args = [&["--format", "xlsx"][..], cli_args, &["--output", &exported, "--force"][..]].concat();
        let run = env.run_user("审计员", PASSWORD, &args, "");
        assert_eq!(run.code, 0, "{}", run.stderr);
        let rows = sheet_rows(&downloaded);
        assert!(rows.len() > 4, "{path}: {rows:?}");
        assert_eq!(rows, sheet_rows(std::path::Path::new(&exported)), "{path}");
    }
    let (code, page) = auditor.get("/deadlines?as_of=2023-01-25");
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("截至"), "{page}");
    assert_eq!(auditor.get("/plans").0, 200);
    let (_, half) = auditor.get("/voucher?book=dongbao/employee&number=%E8%AE%B0-2023-01-0001&size=half");
    assert!(half.contains("class=\"voucher half\""), "{half}");
    // 红字冲销 from the voucher page, with the reviewer named.
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let (code, _) = status_of(agent.post(&format!("{base}/reverse")).set("Cookie", &poster.cookie).send_form(&[
        ("csrf", &poster.csrf),
        ("book", "dongbao/employee"),
        ("number", "记-2023-01-0001"),
        ("reviewer", "审核员"),
    ]));
    assert_eq!(code, 303);
    let reversals: i64 =
        env.raw().query_row("SELECT COUNT(*) FROM voucher WHERE reverses IS NOT NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(reversals, 1);
    // Close December, then reopen it, from the page.
    let closer = Client::login(base, "对账员", PASSWORD).unwrap();
    assert_eq!(closer.post_form("/reconcile", &[("period", "2022-12")], true).0, 200);
    let (code, page) = closer.post_form("/close", &[("period", "2022-12")], true);
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("已结账 2022-12"), "{page}");
    let (code, page) = closer.post_form("/reopen", &[("period", "2022-12"), ("reason", "补记")], true);
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("已反结账 2022-12：18 个账簿"), "{page}");
    drop(server);
    let run = env.run_user("审计员", PASSWORD, &["verify"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// A multipart form body with text fields and one file.
fn multipart(fields: &[(&str, &str)], file: (&str, &str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "----fundpool-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    let (name, filename, content) = file;
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .bytes(),
    );
    body.extend_from_slice(content);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Client {
    /// Uploads a bank statement from the 对账结账 page.
    fn upload_statement(&self, filename: &str, content: &[u8]) -> (u16, String) {
        let (content_type, body) = multipart(&[("csrf", &self.csrf), ("source", "bank")], ("file", filename, content));
        status_of(
            ureq::post(&format!("{}/statements", self.base))
                .set("Cookie", &self.cookie)
                .set("Content-Type", &content_type)
                .send_bytes(&body),
        )
    }
}

/// The page reads a statement as the command line reads a file: Excel's Chinese CSV (GBK) and
/// xlsx are taken, not only UTF-8 CSV; a file past the page's limit is refused as too large
/// (it was told "choose a file") with nothing written.
#[test]
fn a_statement_upload_is_read_like_the_command_line_reads_it() {
    let env = staffed();
    let server = Server::start(&env, &[]);
    let closer = Client::login(&server.base, "对账员", PASSWORD).unwrap();
    let text = "date,ref,book,account,direction,amount\n2023-01-25,银付-0125,zhongxiang/employee,1003,out,321.00\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    let (code, page) = closer.upload_statement("银行对账单.csv", &gbk);
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("已导入 银行对账单.csv：1 行"), "{page}");
    let stored: String = env.raw().query_row("SELECT ref FROM statement_line", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, "银付-0125");

    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let row = ["2023-01-26", "银付-0126", "zhongxiang/employee", "1003", "out", "12.00"];
    for (r, cells) in [["date", "ref", "book", "account", "direction", "amount"], row].iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    let (code, page) = closer.upload_statement("银行对账单.xlsx", &workbook.save_to_buffer().unwrap());
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("已导入 银行对账单.xlsx：1 行"), "{page}");

    // A workbook that inflates past 256 MB — 300 MB of one letter, deflated to a few hundred KB —
    // is refused before the reader keeps any of it (calamine holds shared strings whole).
    let before = env.fingerprint();
    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    bomb.start_file("xl/sharedStrings.xml", zip::write::SimpleFileOptions::default()).unwrap();
    let block = vec![b'a'; 1 << 20];
    for _ in 0..300 {
        std::io::Write::write_all(&mut bomb, &block).unwrap();
    }
    let bomb = bomb.finish().unwrap().into_inner();
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    let (code, page) = closer.upload_statement("对账单.xlsx", &bomb);
    assert_eq!(code, 422, "{page}");
    assert!(page.contains("对账单.xlsx 解压后超过 256 MB：网页不接收这样的工作簿"), "{page}");
    assert_eq!(env.fingerprint(), before);

    let mut big = b"date,ref,book,account,direction,amount\n".to_vec();
    while big.len() <= 32 << 20 {
        big.extend_from_slice(b"2023-01-27,X,zhongxiang/employee,1003,out,1.00\n");
    }
    let (code, page) = closer.upload_statement("大文件.csv", &big);
    assert_eq!(code, 422, "{page}");
    assert!(page.contains("对账单文件没有完整收到：网页上传的文件最大 32 MB"), "{page}");
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn the_pages_manage_users_record_events_and_import_statements() {
    let env = staffed();
    let server = Server::start(&env, &[]);
    let base = &server.base;
    // The administrator adds a user and grants a role from the page.
    let admin = Client::login(base, "管理员", PASSWORD).unwrap();
    let (code, page) = admin.post_form("/users/add", &[("name", "钟祥会计"), ("password", "zhongxiang-1")], true);
    assert_eq!(code, 200, "{page}");
    let (code, page) = admin.post_form(
        "/users/grant",
        &[("name", "钟祥会计"), ("party", "zhongxiang"), ("role", "maker"), ("action", "grant")],
        true,
    );
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("已授予 钟祥会计 zhongxiang 的制单权限"), "{page}");
    // Not an administrator: refused.
    let clerk = Client::login(base, "东宝会计", PASSWORD).unwrap();
    assert_eq!(clerk.post_form("/users/add", &[("name", "x"), ("password", "xxxxxxxxxx")], true).0, 403);
    // The new user records a business event from its form: a draft voucher in its book.
    let zhongxiang = Client::login(base, "钟祥会计", "zhongxiang-1").unwrap();
    let (code, form) = zhongxiang.get("/events?kind=benefit_payment");
    assert_eq!(code, 200);
    assert!(form.contains("待遇类别"), "{form}");
    let (code, page) = zhongxiang.post_form(
        "/events",
        &[
            ("kind", "benefit_payment"),
            ("id", "BP-ZX-1"),
            ("date", "2023-01-25"),
            ("fund", "employee"),
            ("party", "zhongxiang"),
            ("category", "inpatient"),
            ("amount", "321.00"),
        ],
        true,
    );
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("生成草稿凭证：zhongxiang/employee 1 张"), "{page}");
    // The closer uploads a bank statement.
    let closer = Client::login(base, "对账员", PASSWORD).unwrap();
    let csv = "date,ref,book,account,direction,amount\n2023-01-25,BANK-1,zhongxiang/employee,1003,out,321.00\n";
    let (content_type, body) =
        multipart(&[("csrf", &closer.csrf), ("source", "bank")], ("file", "bank-2301.csv", csv.as_bytes()));
    let (code, page) = status_of(
        ureq::post(&format!("{base}/statements"))
            .set("Cookie", &closer.cookie)
            .set("Content-Type", &content_type)
            .send_bytes(&body),
    );
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("已导入 bank-2301.csv：1 行"), "{page}");
    let lines: i64 = env.raw().query_row("SELECT COUNT(*) FROM statement_line", [], |r| r.get(0)).unwrap();
    assert_eq!(lines, 1);
    // The same upload again writes nothing.
    let (_, page) = status_of(
        ureq::post(&format!("{base}/statements"))
            .set("Cookie", &closer.cookie)
            .set("Content-Type", &content_type)
            .send_bytes(&body),
    );
    assert!(page.contains("导入过"), "{page}");
}

#[test]
fn the_reviewer_sends_a_draft_back_from_the_queue_with_a_reason() {
    let env = staffed();
    let server = Server::start(&env, &[]);
    let base = &server.base;
    let clerk = Client::login(base, "东宝会计", PASSWORD).unwrap();
    assert_eq!(clerk.post_json("/api/vouchers", &voucher("dongbao/employee", "待遇", "10.00")).0, 201);
    let reviewer = Client::login(base, "审核员", PASSWORD).unwrap();
    let (code, page) = reviewer.get("/queue/review");
    assert_eq!(code, 200);
    assert!(page.contains("退回（作废）"), "{page}");
    let (code, page) =
        reviewer.post_form("/void", &[("pick", "dongbao/employee 记-2023-01-0001"), ("reason", "附件不全")], true);
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("已退回作废 dongbao/employee 记-2023-01-0001：附件不全"), "{page}");
    assert!(page.contains("没有等待审核的凭证"), "the voided draft left the queue: {page}");
    // An auditor cannot send anything back.
    assert_eq!(clerk.post_json("/api/vouchers", &voucher("dongbao/employee", "待遇二", "10.00")).0, 201);
    let auditor = Client::login(base, "审计员", PASSWORD).unwrap();
    let (code, _) = auditor.post_form("/void", &[("pick", "dongbao/employee 记-2023-01-0002"), ("reason", "x")], true);
    assert_eq!(code, 403);
}

fn login_addresses(env: &Env) -> Vec<String> {
    let out = env.run_user("审计员", PASSWORD, &["--format", "json", "audit", "--user", "东宝会计"], "").stdout;
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "login")
        .map(|e| e["address"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn behind_a_trusted_proxy_the_audit_records_the_client_address() {
    let env = staffed();
    let login = |base: &str| {
        ureq::post(&format!("{base}/api/login"))
            .set("X-Forwarded-For", "198.51.100.7, 10.20.30.40")
            .send_json(serde_json::json!({"user": "东宝会计", "password": PASSWORD}))
            .unwrap()
    };
    // Without --trust-proxy the header is ignored: the peer is recorded; the server is on
    // loopback and its cookie is not marked Secure.
    let server = Server::start(&env, &[]);
    let cookie = login(&server.base).header("set-cookie").unwrap_or_default().to_string();
    assert!(!cookie.contains("Secure"), "{cookie}");
    drop(server);
    assert_eq!(login_addresses(&env), vec!["127.0.0.1"]);
    // With it, the address the proxy appended last, and a cookie only sent over HTTPS.
    let server = Server::start_with(&env, &[], &["--trust-proxy"]);
    let cookie = login(&server.base).header("set-cookie").unwrap_or_default().to_string();
    assert!(cookie.ends_with("; Secure") && cookie.contains("HttpOnly; SameSite=Strict"), "{cookie}");
    drop(server);
    assert_eq!(login_addresses(&env), vec!["127.0.0.1", "10.20.30.40"]);
}

/// A year of a busy book does not fit on one page: the 序时账 shows 500 vouchers a page and the
/// 明细账 1,000 rows, with where the page stands and links to the others; a page past the end
/// shows the last; the 明细账's running balances go on across pages and 期末余额 ends the last.
#[test]
fn long_books_are_shown_a_page_at_a_time() {
    let env = staffed();
    let mut csv = String::from("voucher,book,date,account,summary,debit,credit\n");
    for i in 0..1_100 {
        csv.push_str(&format!("P{i},dongbao/employee,2023-01-10,5001.02,第{i}笔,1.00,\n"));
        csv.push_str(&format!("P{i},dongbao/employee,2023-01-10,1003,第{i}笔,,1.00\n"));
    }
    // And 600 in February: a page of the two months spans the turn of the month, and the last
    // lies wholly in February.
    for i in 0..600 {
        csv.push_str(&format!("Q{i},dongbao/employee,2023-02-10,5001.02,二月第{i}笔,1.00,\n"));
        csv.push_str(&format!("Q{i},dongbao/employee,2023-02-10,1003,二月第{i}笔,,1.00\n"));
    }
    let file = env.write("busy.csv", &csv);
    for (user, args) in [
        ("东宝会计", vec!["import", file.as_str()]),
        ("审核员", vec!["review", "--all"]),
        ("记账员", vec!["post", "--all"]),
    ] {
        let run = env.run_user(user, PASSWORD, &args, "");
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
    let server = Server::start(&env, &[]);
    let auditor = Client::login(&server.base, "审计员", PASSWORD).unwrap();
    let shown = |page: &str| page.matches(">记-2023-01-").count();

    let (code, first) = auditor.get("/journal?book=dongbao/employee&period=2023-01");
    assert_eq!(code, 200, "{first}");
    assert_eq!(shown(&first), 500);
    assert!(first.contains("第 1 / 3 页（第 1–500 项，共 1100 张凭证）"), "{first}");
    assert!(first.contains(">记-2023-01-0500<") && !first.contains(">记-2023-01-0501<"));
    assert!(first.contains("下一页") && !first.contains("上一页"));
    let (_, last) = auditor.get("/journal?book=dongbao/employee&from=2023-01&to=2023-01&page=3");
    assert_eq!(shown(&last), 100);
    assert!(last.contains("第 3 / 3 页（第 1001–1100 项，共 1100 张凭证）"), "{last}");
    assert!(last.contains("上一页") && !last.contains("下一页"));
    let (_, past) = auditor.get("/journal?book=dongbao/employee&from=2023-01&to=2023-01&page=99");
    assert_eq!(shown(&past), 100, "a page past the end shows the last");
    for odd in ["18446744073709551615", "0", "-1", "二"] {
        let (code, page) = auditor.get(&format!("/journal?book=dongbao/employee&from=2023-01&to=2023-01&page={odd}"));
        assert_eq!(code, 200, "page={odd}: {page}");
        assert!(page.contains("第 1 / 3 页") || page.contains("第 3 / 3 页"), "page={odd}");
    }
    // Two months: each month is counted, and a page reads only the months it falls in.
    let in_month = |page: &str, month: &str| page.matches(&format!(">记-{month}-")).count();
    let two_months = "/journal?book=dongbao/employee&from=2023-01&to=2023-02";
    let (_, second) = auditor.get(&format!("{two_months}&page=2"));
    assert!(second.contains("第 2 / 4 页（第 501–1000 项，共 1700 张凭证）"), "{second}");
    assert_eq!((in_month(&second, "2023-01"), in_month(&second, "2023-02")), (500, 0));
    assert!(second.contains(">记-2023-01-0501<") && second.contains(">记-2023-01-1000<"));
    let (_, third) = auditor.get(&format!("{two_months}&page=3"));
    assert!(third.contains("第 3 / 4 页（第 1001–1500 项，共 1700 张凭证）"), "{third}");
    assert_eq!((in_month(&third, "2023-01"), in_month(&third, "2023-02")), (100, 400));
    assert!(!third.contains(">记-2023-01-1000<") && third.contains(">记-2023-01-1001<"));
    assert!(third.contains(">记-2023-02-0001<") && third.contains(">记-2023-02-0400<"));
    let (_, fourth) = auditor.get(&format!("{two_months}&page=4"));
    assert!(fourth.contains("第 4 / 4 页（第 1501–1700 项，共 1700 张凭证）"), "{fourth}");
    assert_eq!((in_month(&fourth, "2023-01"), in_month(&fourth, "2023-02")), (0, 200));
    assert!(fourth.contains(">记-2023-02-0401<") && fourth.contains(">记-2023-02-0600<"));

    // 期初余额, 1,100 entries, January's two totals: 1,103 rows on two pages.
    let ledger = "/ledger?book=dongbao/employee&account=1003&from=2023-01&to=2023-01";
    let (code, first) = auditor.get(ledger);
    assert_eq!(code, 200, "{first}");
    assert!(first.contains("第 1 / 2 页（第 1–1000 项，共 1103 行）"), "{first}");
    assert_eq!(shown(&first), 999, "期初余额 and 999 entries");
    assert!(first.contains("-999.00") && !first.contains("closing-balance"));
    let (_, second) = auditor.get(&format!("{ledger}&page=2"));
    assert_eq!(shown(&second), 101);
    assert!(second.contains("本月合计") && second.contains("本年累计"));
    assert!(second.contains("id=\"closing-balance\">-1,100.00<"), "{second}");
    let (_, past) = auditor.get(&format!("{ledger}&page=9"));
    assert_eq!(past, second, "a page past the end shows the last");

    // A page reads only its months' entries, but every month's lines are summed against the
    // book's balances: February's balance changed behind the engine's back fails January's page
    // (500, as the API answers an integrity error: the books, not the request, are at fault).
    let two_month_ledger = "/ledger?book=dongbao/employee&account=1003&from=2023-01&to=2023-02";
    let (code, before) = auditor.get(two_month_ledger);
    assert_eq!(code, 200, "{before}");
    assert!(before.contains("第 1 / 2 页（第 1–1000 项，共 1705 行）"), "{before}");
    env.raw()
        .execute(
            "UPDATE balance SET credit_fen = credit_fen + 1 WHERE account = '1003' AND period = '2023-02' \
             AND book_id = (SELECT id FROM book WHERE party = 'dongbao' AND fund = 'employee')",
            [],
        )
        .unwrap();
    let (code, after) = auditor.get(two_month_ledger);
    assert_eq!(code, 500, "{after}");
    assert!(
        after.contains(
            "dongbao/employee 1003 2023-02 的分录合计（借 0.00，贷 600.00）与账簿余额表（借 0.00，贷 600.01）不符"
        ),
        "{after}"
    );
}
