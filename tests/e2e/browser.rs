//! The pages in a real browser: headless Chromium driven through WebDriver (Debian's `chromium`
//! and `chromium-driver`, installed by `.ci/run`). A county clerk enters a voucher with a
//! mistake, sees the message beside the line, fixes it and saves; the reviewer reviews, the poster
//! posts; the 明细账 shows the balance; the reconciliation runs; the 科目余额表 downloads as xlsx.
//! Screenshots of the main pages are saved under `target/screenshots/` for review. Without
//! Chromium the test says it was skipped — except in CI, where it must run.

use crate::server::{staffed, Server, PASSWORD};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use thirtyfour::prelude::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const DRIVER: &str = "/usr/bin/chromedriver";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn screenshots() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn login(driver: &WebDriver, base: &str, user: &str) -> WebDriverResult<()> {
    driver.goto(format!("{base}/login")).await?;
    driver.query(By::Id("user")).first().await?.send_keys(user).await?;
    driver.query(By::Id("password")).first().await?.send_keys(PASSWORD).await?;
    driver.query(By::Id("login")).first().await?.click().await?;
    // Wait until the login has landed (the navigation shows who is logged in).
    driver.query(By::Css("nav .who")).first().await?;
    Ok(())
}

async fn logout(driver: &WebDriver) -> WebDriverResult<()> {
    driver.query(By::Css("nav form button")).first().await?.click().await?;
    driver.query(By::Id("user")).first().await?;
    Ok(())
}

async fn text(driver: &WebDriver) -> String {
    driver.query(By::Tag("main")).first().await.unwrap().text().await.unwrap()
}

async fn set_value(driver: &WebDriver, id: &str, value: &str) {
    driver.execute(&format!("document.getElementById('{id}').value = '{value}';"), Vec::new()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_a_reviewer_and_a_poster_work_in_the_browser() {
    if !std::path::Path::new(DRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        assert!(std::env::var("CI").is_err(), "CI must run the browser test: install chromium and chromium-driver");
        println!("skipped: {CHROMIUM} or {DRIVER} is not installed (apt-get install chromium chromium-driver)");
        return;
    }
    let env = staffed();
    let server = Server::start(&env, &[]);
    let base = server.base.clone();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _driver_process = Driver(
        Command::new(DRIVER).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap(),
    );
    let profile = tempfile::tempdir().unwrap();
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(CHROMIUM).unwrap();
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
        &format!("--user-data-dir={}", profile.path().display()),
    ] {
        caps.add_arg(arg).unwrap();
    }
    let started = Instant::now();
    let driver = loop {
        match WebDriver::new(format!("http://127.0.0.1:{port}"), caps.clone()).await {
            Ok(driver) => break driver,
            Err(e) if started.elapsed() < Duration::from_secs(20) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("chromedriver did not start: {e}"),
        }
    };
    let shots = screenshots();

    // The county clerk enters a voucher with a mistake, sees it beside the line, fixes it.
    login(&driver, &base, "东宝会计").await.unwrap();
    driver.query(By::Id("reconciled")).first().await.unwrap();
    assert!(text(&driver).await.contains("dongbao/employee"), "the home page lists the clerk's books");
    driver.screenshot(&shots.join("home.png")).await.unwrap();
    driver.goto(format!("{base}/vouchers/new")).await.unwrap();
    set_value(&driver, "date", "2023-01-20").await;
    for (id, value) in [
        ("summary1", "支付住院统筹待遇"),
        ("account1", "5001.02"),
        ("debit1", "100.00"),
        ("summary2", "支付住院统筹待遇"),
        ("account2", "1003"),
        ("credit2", "100.01"),
    ] {
        driver.query(By::Id(id)).first().await.unwrap().send_keys(value).await.unwrap();
    }
    driver.query(By::Id("save")).first().await.unwrap().click().await.unwrap();
    driver.query(By::Css("div.error")).first().await.unwrap();
    let page = text(&driver).await;
    assert!(page.contains("借方合计 100.00 不等于贷方合计 100.01，相差 -0.01"), "{page}");
    driver.screenshot(&shots.join("voucher-entry-error.png")).await.unwrap();
    let credit = driver.query(By::Id("credit2")).first().await.unwrap();
    credit.clear().await.unwrap();
    credit.send_keys("100.00").await.unwrap();
    driver.query(By::Id("save")).first().await.unwrap().click().await.unwrap();
    let number = driver.query(By::Id("voucher-number")).first().await.unwrap().text().await.unwrap();
    assert_eq!(number, "记-2023-01-0001");
    assert_eq!(driver.query(By::Id("voucher-status")).first().await.unwrap().text().await.unwrap(), "草稿");
    driver.screenshot(&shots.join("voucher-print.png")).await.unwrap();
    logout(&driver).await.unwrap();

    // The reviewer reviews, the poster posts.
    login(&driver, &base, "审核员").await.unwrap();
    driver.goto(format!("{base}/queue/review")).await.unwrap();
    driver.screenshot(&shots.join("review-queue.png")).await.unwrap();
    driver.query(By::Id("act")).first().await.unwrap().click().await.unwrap();
    driver.query(By::Css("div.done")).first().await.unwrap();
    assert!(text(&driver).await.contains("已审核 1 张凭证"));
    logout(&driver).await.unwrap();
    login(&driver, &base, "记账员").await.unwrap();
    driver.goto(format!("{base}/queue/post")).await.unwrap();
    driver.query(By::Id("act")).first().await.unwrap().click().await.unwrap();
    driver.query(By::Css("div.done")).first().await.unwrap();
    assert!(text(&driver).await.contains("已记账 1 张凭证"));
    logout(&driver).await.unwrap();

    // The auditor opens the 明细账 of 1003 and sees the balance.
    login(&driver, &base, "审计员").await.unwrap();
    driver.goto(format!("{base}/ledger?book=dongbao/employee&account=1003&from=2023-01&to=2023-01")).await.unwrap();
    let closing = driver.query(By::Id("closing-balance")).first().await.unwrap().text().await.unwrap();
    assert_eq!(closing, "-100.00", "支出户 paid out 100.00");
    driver.screenshot(&shots.join("ledger.png")).await.unwrap();
    driver.goto(format!("{base}/trial-balance?book=dongbao/employee&period=2023-01")).await.unwrap();
    driver.screenshot(&shots.join("trial-balance.png")).await.unwrap();
    let href = driver.query(By::Id("download-xlsx")).first().await.unwrap().attr("href").await.unwrap().unwrap();
    let cookie = driver.get_all_cookies().await.unwrap().into_iter().find(|c| c.name == "fp_session").unwrap();
    let url = if href.starts_with("http") { href } else { format!("{base}{href}") };
    let response = ureq::get(&url).set("Cookie", &format!("fp_session={}", cookie.value)).call().unwrap();
    assert!(response.content_type().contains("spreadsheetml"), "{}", response.content_type());
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut response.into_reader(), &mut bytes).unwrap();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    assert!(cells.iter().any(|c| c == "1003"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "合计"), "{cells:?}");
    logout(&driver).await.unwrap();

    // The closer runs the month's reconciliation.
    login(&driver, &base, "对账员").await.unwrap();
    driver.goto(format!("{base}/reconcile")).await.unwrap();
    set_value(&driver, "period", "2023-01").await;
    driver.query(By::Id("run")).first().await.unwrap().click().await.unwrap();
    let summary = driver.query(By::Id("run-summary")).first().await.unwrap().text().await.unwrap();
    assert!(summary.starts_with("对账记录 #1："), "{summary}");
    driver.screenshot(&shots.join("reconcile.png")).await.unwrap();
    driver.quit().await.unwrap();
    drop(server);
    // The browser's work is in the books and verifies.
    let run = env.run_user("审计员", PASSWORD, &["verify"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
}
