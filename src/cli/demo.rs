//! `fundpool demo`: builds a fresh demo database from the city data embedded in the binary and
//! walks through what staff do with it, printing a summary a finance officer can read.
//!
//! The demo replaces only a database it made itself (marked by the `demo` setting).

use super::{ledger, reports, BookRange, CliError, Context, Outcome, Selection};
use crate::import::voucher_file::Format;
use crate::render::OutputFormat;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoCity {
    /// 荆门市: both funds, 市本级 and seven county-level units.
    Jingmen,
}

const JINGMEN_CITY: &str = include_str!("../../fixtures/jingmen/city.toml");
const JINGMEN_CHART: &str = include_str!("../../fixtures/jingmen/chart.toml");
const JINGMEN_WALKTHROUGH: &str = include_str!("../../fixtures/jingmen/walkthrough.csv");
const JINGMEN_CORRECTION: &str = include_str!("../../fixtures/jingmen/walkthrough-correction.toml");

const MAKER: &str = "演示制单员";
const REVIEWER: &str = "演示审核员";

/// Removes an earlier demo database; refuses to touch any other file.
fn clear_previous(ctx: &Context) -> Result<(), CliError> {
    if !ctx.db.exists() {
        return Ok(());
    }
    let is_demo = Store::open(&ctx.db).ok().and_then(|s| s.reader().setting("demo").ok().flatten()).is_some();
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

pub fn run(ctx: &Context, city: DemoCity) -> Result<Outcome, CliError> {
    let DemoCity::Jingmen = city;
    clear_previous(ctx)?;
    let maker = ctx.as_operator(MAKER);
    let reviewer = Context { format: OutputFormat::Table, ..ctx.as_operator(REVIEWER) };
    let mut out = String::new();
    let mut step = |title: &str, result: Outcome| {
        out.push_str(&format!("\n== {title}\n{}", result.stdout));
    };
    step("建账 init", ledger::init_from(&maker, JINGMEN_CITY, JINGMEN_CHART)?);
    {
        let mut store = maker.open()?;
        let mut writer = store.writer()?;
        writer.set_setting("demo", "jingmen")?;
        writer.commit()?;
    }
    step(
        "导入1月凭证 import",
        ledger::import_from(&maker, JINGMEN_WALKTHROUGH.as_bytes(), 0, "walkthrough.csv", false, None)?,
    );
    let all = || Selection { book: None, period: None, numbers: vec![], all: true };
    step("审核 review（审核人不能是制单人）", ledger::review(&reviewer, &all())?);
    step("记账 post", ledger::post(&maker, &all())?);
    step(
        "红字冲销 reverse：沙洋县1月待遇凭证金额有误",
        ledger::reverse(&maker, "shayang/employee", "记-2023-01-0004", None, REVIEWER)?,
    );
    step(
        "更正凭证 voucher add",
        ledger::add_vouchers_from(&maker, JINGMEN_CORRECTION, Format::Toml, "walkthrough-correction.toml")?,
    );
    step("审核 review", ledger::review(&reviewer, &all())?);
    step("记账 post", ledger::post(&maker, &all())?);
    for book in ["city/employee", "shayang/employee"] {
        let range = BookRange { book: book.into(), period: Some("2023-01".into()), from: None, to: None };
        step(&format!("科目余额表 {book}"), reports::trial_balance(&maker, &range)?);
    }
    step("校验 verify", super::integrity::verify(&maker)?);
    let db = ctx.db.display();
    out.push_str(&format!(
        "\n演示账套：{db}\n接着可以试试：\n  fundpool --db {db} journal --book shayang/employee --period 2023-01\n  \
         fundpool --db {db} account --book city/employee --account 1004\n  \
         fundpool --db {db} trial-balance --book city/employee --period 2023-01 --format json\n"
    ));
    Ok(Outcome::ok(out))
}
