//! Commands that write the ledger — init, voucher add, import, review, post, reverse — parsed
//! here and carried out by `app::ledger`; this module only renders what happened.

use super::{parse_book, parse_number, parse_period, CliError, Context, Outcome, Selection};
use crate::app::ledger::{self as actions, BatchReport, Duplicates, ImportOptions};
use crate::domain::voucher::Status;
use crate::import::voucher_file::Format;
use crate::render::{self, OutputFormat};
use crate::store::BatchRecord;
use std::path::Path;

pub fn init(ctx: &Context, city_dir: &Path) -> Result<Outcome, CliError> {
    let read = |name: &str| {
        let path = city_dir.join(name);
        crate::app::files::read_text(&path, "城市设置").map_err(CliError::from)
    };
    init_from(ctx, &read("city.toml")?, &read("chart.toml")?, &read("rules.toml")?)
}

/// `init` from the text of a city file, a chart file and a rule set.
pub fn init_from(ctx: &Context, city_toml: &str, chart_toml: &str, rules_toml: &str) -> Result<Outcome, CliError> {
    ctx.refuse_csv("init")?;
    let made = actions::init(&ctx.session, city_toml, chart_toml, rules_toml)?;
    let text = format!(
        "已创建账套 {}：{}，{} 个机构，{} 个基金，{} 个账簿，{} 个科目\n",
        ctx.db.display(),
        made.city,
        made.parties,
        made.funds,
        made.books,
        made.accounts
    );
    let fields = serde_json::json!({
        "db": ctx.db.display().to_string(), "city": made.city, "parties": made.parties, "funds": made.funds,
        "books": made.books, "accounts": made.accounts,
    });
    ctx.done("init", text, fields)
}

pub fn add_vouchers(ctx: &Context, file: &Path) -> Result<Outcome, CliError> {
    let format = Format::from_path(file).map_err(CliError::refused)?;
    let text = crate::app::files::read_text(file, "凭证文件")?;
    let report = actions::add_vouchers(&ctx.session, &text, format, &file.display().to_string())?;
    Ok(Outcome::ok(batch_summary(&report, Status::Draft, ctx.format)))
}

fn batch_summary(report: &BatchReport, status: Status, format: OutputFormat) -> String {
    let mut rows: Vec<Vec<String>> = report
        .created
        .iter()
        .map(|(book, number)| vec![book.to_string(), number.to_string(), status.label().to_string(), String::new()])
        .collect();
    rows.extend(report.already_present.iter().map(|(book, number, id)| {
        vec![book.to_string(), number.to_string(), "已存在，未重复写入".to_string(), id.clone()]
    }));
    match format {
        OutputFormat::Json => render::json(&serde_json::json!({
            "created": report.created.iter().map(|(b, n)| serde_json::json!({"book": b.to_string(), "number": n.to_string()})).collect::<Vec<_>>(),
            "already_present": report.already_present.iter().map(|(b, n, id)| serde_json::json!({"book": b.to_string(), "number": n.to_string(), "external_id": id})).collect::<Vec<_>>(),
            "status": status.as_str(),
        })),
        OutputFormat::Csv => render::csv(&["账簿", "凭证号", "结果", "外部编号"], &rows, &[]),
        OutputFormat::Table => render::table(&["账簿", "凭证号", "结果", "外部编号"], &rows, &[]),
    }
}

/// The message for a file imported before: nothing was written.
pub(super) fn earlier_batch_text(name: &Path, earlier: &BatchRecord) -> String {
    format!(
        "{} 的内容已于 {} 由 {} 导入过（导入批次 #{}，文件 {}，{} 行）：本次没有写入任何内容\n",
        name.display(),
        render::local_time(&earlier.imported_at),
        earlier.imported_by,
        earlier.id,
        earlier.name,
        earlier.rows
    )
}

pub fn import_csv(
    ctx: &Context,
    file: &Path,
    post: bool,
    reviewer: Option<&str>,
    allow_duplicates: bool,
) -> Result<Outcome, CliError> {
    let reviewer = crate::app::events::post_reviewer(post, reviewer)?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let progress = if ctx.interactive {
        let bar = indicatif::ProgressBar::new(size);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} 导入 {bytes}/{total_bytes} [{bar:30}] {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let on_progress = |bytes: u64| progress.set_position(bytes);
    let options = ImportOptions {
        reviewer,
        duplicates: if allow_duplicates { Duplicates::Allow } else { Duplicates::Refuse },
        progress: &on_progress,
    };
    let result = actions::import(&ctx.session, file, &options);
    progress.finish_and_clear();
    let report = result?;
    let status = if reviewer.is_some() { Status::Posted } else { Status::Draft };
    let (created, lines, present) = (report.created_count, report.lines, report.already_present_count);
    let earlier = report.earlier_batch.as_ref();
    let text = match ctx.format {
        OutputFormat::Table => match earlier {
            Some(earlier) => earlier_batch_text(file, earlier),
            None => format!(
                "已导入 {created} 张凭证（{lines} 行分录），状态：{}；已存在未重复写入 {present} 张；导入批次 #{}\n",
                status.label(),
                report.batch_id.unwrap_or_default()
            ),
        },
        OutputFormat::Json => render::json(&serde_json::json!({
            "created": created, "lines": lines, "already_present": present, "status": status.as_str(),
            "batch": report.batch_id.or(earlier.map(|e| e.id)),
            "file_already_imported": earlier.is_some(),
        })),
        OutputFormat::Csv => render::csv(
            &["新建凭证", "分录行数", "已存在", "状态"],
            &[vec![created.to_string(), lines.to_string(), present.to_string(), status.label().to_string()]],
            &[],
        ),
    };
    Ok(Outcome::ok(text))
}

fn selection(selection: &Selection) -> Result<actions::Selection, CliError> {
    Ok(actions::Selection {
        book: selection.book.as_deref().map(parse_book).transpose()?,
        period: selection.period.as_deref().map(parse_period).transpose()?,
        numbers: selection.numbers.iter().map(|n| parse_number(n)).collect::<Result<_, _>>()?,
        all: selection.all,
    })
}

/// A review's or post's result: every voucher for up to `LISTED` of them, else one row per
/// book (count and amount) — a year's `post --all` is read as totals, not 100,000 rows. JSON and
/// CSV list every voucher.
fn selection_result(done: &[actions::Touched], verb: &str, format: OutputFormat) -> String {
    const LISTED: usize = 200;
    let row =
        |v: &actions::Touched| vec![v.book.to_string(), v.number.to_string(), v.date.to_string(), v.amount.grouped()];
    match format {
        OutputFormat::Json => {
            let list: Vec<_> = done
                .iter()
                .map(|v| serde_json::json!({"book": v.book.to_string(), "number": v.number.to_string()}))
                .collect();
            render::json(&serde_json::json!({ verb: list }))
        }
        OutputFormat::Csv => {
            render::csv(&["账簿", "凭证号", "日期", "金额"], &done.iter().map(row).collect::<Vec<_>>(), &[3])
        }
        OutputFormat::Table if done.is_empty() => "没有需要处理的凭证\n".to_string(),
        OutputFormat::Table if done.len() <= LISTED => {
            render::table(&["账簿", "凭证号", "日期", "金额"], &done.iter().map(row).collect::<Vec<_>>(), &[3])
        }
        OutputFormat::Table => {
            let mut books: Vec<(String, usize, i64, String, String)> = Vec::new();
            for v in done {
                let book = v.book.to_string();
                match books.iter_mut().find(|b| b.0 == book) {
                    Some(b) => {
                        b.1 += 1;
                        b.2 += v.amount.fen();
                        b.4 = v.number.to_string();
                    }
                    None => books.push((book, 1, v.amount.fen(), v.number.to_string(), v.number.to_string())),
                }
            }
            let rows: Vec<Vec<String>> = books
                .into_iter()
                .map(|(book, count, fen, first, last)| {
                    vec![book, count.to_string(), crate::money::Money::from_fen(fen).grouped(), first, last]
                })
                .collect();
            format!("共 {} 张凭证（按账簿汇总；--format csv 逐张列出）\n", done.len())
                + &render::table(&["账簿", "张数", "金额", "第一张", "最后一张"], &rows, &[1, 2])
        }
    }
}

pub fn review(ctx: &Context, chosen: &Selection) -> Result<Outcome, CliError> {
    let records = actions::review(&ctx.session, &selection(chosen)?)?;
    Ok(Outcome::ok(selection_result(&records, "reviewed", ctx.format)))
}

pub fn post(ctx: &Context, chosen: &Selection) -> Result<Outcome, CliError> {
    let posted = actions::post(&ctx.session, &selection(chosen)?)?;
    let mut text = selection_result(&posted.posted, "posted", ctx.format);
    if ctx.format == OutputFormat::Json {
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        value["drafts_waiting"] = posted.drafts_waiting.into();
        text = render::json(&value);
    }
    if ctx.format == OutputFormat::Table && posted.drafts_waiting > 0 {
        text.push_str(&format!(
            "另有 {} 张草稿尚未审核，审核后才能记账（fundpool review --all，或 fundpool journal --all 查看）\n",
            posted.drafts_waiting
        ));
    }
    Ok(Outcome::ok(text))
}

pub fn reverse(
    ctx: &Context,
    book: &str,
    number: &str,
    date: Option<&str>,
    reviewer: &str,
) -> Result<Outcome, CliError> {
    let book = parse_book(book)?;
    let number = parse_number(number)?;
    let date = date.map(actions::date_arg).transpose()?;
    ctx.refuse_csv("reverse")?;
    let done = actions::reverse(&ctx.session, &book, number, date, reviewer)?;
    let text = format!("已用红字凭证 {} {} 冲销 {}（{}）\n", done.book, done.reversal, done.original, done.date);
    let fields = serde_json::json!({
        "book": done.book.to_string(), "original": done.original.to_string(),
        "reversal": done.reversal.to_string(), "date": done.date.to_string(),
    });
    ctx.done("reverse", text, fields)
}
