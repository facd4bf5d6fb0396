//! `fundpool demo`: a city's whole (synthetic) year in one command. It builds a fresh demo
//! database from the city data embedded in the binary, then runs the year month by month as
//! staff would — post the month's events, import its statements, reconcile, close when clean
//! (and show the refusal when not) — and ends with a summary a finance officer can read.
//!
//! The demo replaces only a database it made itself (marked by the `demo` setting).

use super::{integrity, ledger, CliError, Context, Outcome};
use crate::app::demo::{prepare, run_month, MonthResult};
use crate::domain::balance::trial_balance;
use crate::domain::chart::{AccountClass, Chart};
use crate::domain::city::City;
use crate::domain::ids::{BookCode, PartyKind, Period};
use crate::money::Money;
use crate::reconcile::Severity;
use crate::render::table;
use crate::scenario::{self, Anomaly, Year};
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoCity {
    /// 荆门市: both funds, 市本级 and seven county-level units.
    Jingmen,
    /// 武汉市: the employee fund only, 市本级 and five districts.
    Wuhan,
}

impl DemoCity {
    fn files(self) -> (&'static str, &'static str, &'static str) {
        match self {
            DemoCity::Jingmen => (
                include_str!("../../fixtures/jingmen/city.toml"),
                include_str!("../../fixtures/jingmen/chart.toml"),
                include_str!("../../fixtures/jingmen/rules.toml"),
            ),
            DemoCity::Wuhan => (
                include_str!("../../fixtures/wuhan/city.toml"),
                include_str!("../../fixtures/wuhan/chart.toml"),
                include_str!("../../fixtures/wuhan/rules.toml"),
            ),
        }
    }
}

/// The year the demo runs.
pub const DEMO_YEAR: i32 = 2023;
const MAKER: &str = "演示制单员";
const REVIEWER: &str = "演示审核员";

/// Removes an earlier demo database; refuses to touch any other file.
fn clear_previous(ctx: &Context) -> Result<(), CliError> {
    if !ctx.db.exists() {
        return Ok(());
    }
    let is_demo = Store::open_read(&ctx.db).ok().and_then(|s| s.reader().setting("demo").ok().flatten()).is_some();
    if !is_demo {
        return Err(CliError::refused(format!(
            "{} 已存在且不是演示账套：demo 只替换它自己建的数据库，请用 --db 指定另一个文件",
            ctx.db.display()
        )));
    }
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", ctx.db.display());
        if std::path::Path::new(&path).exists() {
            std::fs::remove_file(&path).map_err(|e| CliError::refused(format!("无法删除旧的演示账套 {path}：{e}")))?;
        }
    }
    Ok(())
}

pub fn run(ctx: &Context, which: DemoCity) -> Result<Outcome, CliError> {
    clear_previous(ctx)?;
    let maker = ctx.as_operator(MAKER);
    let (city_toml, chart_toml, rules_toml) = which.files();
    ledger::init_from(&maker, city_toml, chart_toml, rules_toml)?;
    let mut store = maker.open_write("demo")?;
    let city = store.reader().city()?;
    let chart = store.reader().chart()?;
    let calendar = ctx.calendar()?;
    let rules = crate::app::rules::in_force(&store, city.opening())?;
    let year = scenario::generate(&city, &chart, &rules, &calendar, DEMO_YEAR)
        .map_err(|e| CliError::refused(e.to_string()))?;
    prepare(&mut store, &format!("{which:?}").to_lowercase(), &year)?;
    let progress = if ctx.interactive {
        let bar = indicatif::ProgressBar::new(year.months.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} 月")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut results = Vec::new();
    for month in &year.months {
        progress.set_message(format!("{} 记账、对账、结账", month.period));
        results.push(run_month(&maker.session, &mut store, &year, month, (MAKER, REVIEWER))?);
        progress.inc(1);
    }
    progress.finish_and_clear();
    let verified = integrity::verify(&maker, &[]).map(|o| o.stdout).unwrap_or_else(|e| e.message);
    let mut text = summary(ctx, &store, &city, &chart, &year, &results, &verified)?;
    let deadlines = deadline_summary(&store, &city, &calendar)?;
    let at = text.find("\n校验：").unwrap_or(text.len());
    text.insert_str(at, &deadlines);
    Ok(Outcome::ok(text))
}

/// The deadline monitor at the end of the year: how many obligations were met on time, late,
/// or not at all, and which.
fn deadline_summary(store: &Store, city: &City, calendar: &crate::calendar::Calendar) -> Result<String, CliError> {
    use crate::plan::deadlines::Status;
    let as_of = chrono::NaiveDate::from_ymd_opt(DEMO_YEAR, 12, 31).expect("valid date");
    let list = super::plans::obligations_as_of(store, calendar, as_of)?;
    let due: Vec<_> = list.iter().filter(|o| o.due <= as_of).collect();
    let count = |f: &dyn Fn(&Status) -> bool| due.iter().filter(|o| f(&o.status)).count();
    let mut out = format!(
        "\n期限监控（截至 {as_of}）：{} 项到期义务，按时完成 {}，逾期完成 {}，已逾期 {}\n",
        due.len(),
        count(&|s| *s == Status::Met),
        count(&|s| matches!(s, Status::MetLate(_))),
        count(&|s| *s == Status::Overdue)
    );
    for o in due.iter().filter(|o| !matches!(o.status, Status::Met)) {
        out.push_str(&format!(
            "  {} {} {} {}：期限 {}，{}\n",
            o.rule,
            city.short_name(&o.party),
            o.fund,
            o.what,
            o.due,
            o.status.label()
        ));
    }
    Ok(out)
}

/// Whether the check that should find an anomaly did: reconciliation for differences and
/// outstanding items, the year-end deadline monitor for deadline anomalies.
fn found(anomaly: &Anomaly, results: &[MonthResult], obligations: &[crate::plan::deadlines::Obligation]) -> bool {
    if let Some((kind, party)) = &anomaly.obligation {
        use crate::plan::deadlines::Status;
        return obligations.iter().any(|o| {
            o.kind == *kind
                && o.party == *party
                && matches!(o.status, Status::MetLate(_) | Status::PartlyMet | Status::Overdue)
                && Period::of(o.due) == anomaly.period
        });
    }
    let severity = if anomaly.severity == "difference" { Severity::Difference } else { Severity::Outstanding };
    results.iter().filter(|r| r.period == anomaly.period).any(|r| {
        r.report
            .findings
            .iter()
            .any(|f| f.severity == severity && f.reference.as_deref() == Some(anomaly.reference.as_str()))
    })
}

/// Balance of every account of `book` at year end, before the year-end closing vouchers.
fn closing_balances(
    store: &Store,
    chart: &Chart,
    book: &BookCode,
) -> Result<Vec<(String, AccountClass, i64)>, CliError> {
    let totals = store.reader().totals_before_closing(book)?;
    let start = Period::new(DEMO_YEAR - 1, 12).expect("valid");
    let end = Period::new(DEMO_YEAR, 12).expect("valid");
    let tb = trial_balance(chart, &totals, start, end);
    Ok(tb
        .rows
        .iter()
        .filter(|r| r.level == 1)
        .filter_map(|r| chart.get(&r.account).map(|a| (r.account.clone(), a.class, r.closing.fen())))
        .collect())
}

fn sum(rows: &[(String, AccountClass, i64)], pick: impl Fn(&str, AccountClass) -> bool) -> i64 {
    rows.iter().filter(|(code, class, _)| pick(code, *class)).map(|(_, _, v)| v).sum()
}

fn summary(
    ctx: &Context,
    store: &Store,
    city: &City,
    chart: &Chart,
    year: &Year,
    results: &[MonthResult],
    verified: &str,
) -> Result<String, CliError> {
    let mut out = format!("fundpool 演示：{} {} 年全年（合成数据，金额为虚构的量级示例）\n\n", city.name, year.year);
    out.push_str("逐月记账、对账、结账：\n");
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            let verdict = if r.report.differences() == 0 {
                "无差异".to_string()
            } else {
                format!("{} 处差异", r.report.differences())
            };
            vec![
                r.period.to_string(),
                r.events.to_string(),
                r.vouchers.to_string(),
                format!("#{} {verdict}", r.run_id),
                r.report.outstanding().to_string(),
                r.report.differences().to_string(),
                r.closed.clone(),
            ]
        })
        .collect();
    out.push_str(&table(&["月份", "事件", "凭证", "对账", "未达账项", "差异", "结账"], &rows, &[1, 2, 4, 5]));
    out.push_str("\n预设异常及发现情况（对账或期限监控）：\n");
    // The year's obligations, and the opening year's (a city's rules may have balances due on
    // the opening day itself, WH 三(三)), each as of its year-end.
    let calendar = ctx.calendar()?;
    let mut obligations = Vec::new();
    for year in [chrono::Datelike::year(&city.opening()), DEMO_YEAR] {
        let as_of = chrono::NaiveDate::from_ymd_opt(year, 12, 31).expect("valid date");
        obligations.extend(super::plans::obligations_as_of(store, &calendar, as_of)?);
    }
    for anomaly in &year.anomalies {
        let mark = if found(anomaly, results, &obligations) { "已发现" } else { "未发现！" };
        let severity = match anomaly.severity {
            "difference" => "差异",
            "deadline" => "期限",
            _ => "未达账项",
        };
        out.push_str(&format!(
            "  [{mark}] {} {severity} {}：{}\n",
            anomaly.period, anomaly.reference, anomaly.description
        ));
    }
    for fund in &city.fund {
        out.push_str(&format!("\n{} 年末（{}-12-31）：{}\n", year.year, year.year, fund.name));
        let mut rows = Vec::new();
        let mut pool = [0i64; 6];
        for party in city.party.iter().filter(|p| p.kind != PartyKind::Finance) {
            let book = BookCode::new(&party.code, &fund.code);
            let balances = closing_balances(store, chart, &book)?;
            let cash = [("1003", 0usize), ("1004", 1), ("1005", 2), ("1201", 3)];
            let mut row = vec![city.short_name(&party.code)];
            for (code, slot) in cash {
                let value = sum(&balances, |c, _| c == code);
                pool[slot] += value;
                row.push(Money::from_fen(value).grouped());
            }
            // Income and expense with the inter-level accounts eliminated.
            let inter = ["4601", "4701", "5201", "5301"];
            let income = sum(&balances, |c, class| class == AccountClass::Revenue && !inter.contains(&c));
            let expense = sum(&balances, |c, class| class == AccountClass::Expense && !inter.contains(&c));
            pool[4] += income;
            pool[5] += expense;
            row.push(Money::from_fen(income).grouped());
            row.push(Money::from_fen(expense).grouped());
            rows.push(row);
        }
        let mut total = vec!["全市统筹（合并）".to_string()];
        total.extend(pool.iter().map(|v| Money::from_fen(*v).grouped()));
        rows.push(total);
        out.push_str(&table(
            &["机构", "支出户存款", "财政专户存款", "国库存款", "债券投资", "本年收入", "本年支出"],
            &rows,
            &[1, 2, 3, 4, 5, 6],
        ));
        out.push_str(&format!(
            "合并口径：上级补助收入/下级上解收入与补助下级支出/上解上级支出在市县之间相互抵销，不计入收入、支出；本年结余 {}\n",
            Money::from_fen(pool[4] - pool[5]).grouped()
        ));
    }
    out.push_str(&format!("\n校验：{}", verified));
    if !verified.ends_with('\n') {
        out.push('\n');
    }
    let db = ctx.db.display();
    out.push_str(&format!(
        "\n演示账套：{db}\n接着可以试试（fundpool 即 cargo build --release 生成的 target/release/fundpool）：\n  fundpool --db {db} journal --book city/employee --period 2023-01\n  \
         fundpool --db {db} trial-balance --book city/employee --period 2023-12\n  \
         fundpool --db {db} account --book city/employee --account 1004 --from 2023-01 --to 2023-03\n  \
         fundpool --db {db} --operator 你的名字 reconcile --period 2023-04\n  \
         fundpool --db {db} report balance-sheet --fund employee --consolidated --year 2023\n  \
         fundpool --db {db} deadlines --as-of 2023-06-10 --party shayang\n  \
         fundpool --db {db} budget reserve --year 2024 --fund employee\n  \
         fundpool --db {db} assess --year 2023\n  fundpool --db {db} verify\n"
    ));
    Ok(out)
}
