//! `post EVENTS_FILE` and `event KIND --field value …`: business events through the posting
//! rules into vouchers, all events of a file in one transaction or none.

use super::{CliError, Context, Outcome};
use crate::app::events::{post_events, post_reviewer};
use crate::app::files::fingerprint;
use crate::domain::voucher::Status;
use crate::import::events::{self, PlacedEvent};
use crate::import::voucher_file::Format;
use crate::posting::event::RawEvent;
use crate::render::{self, reports, OutputFormat};
use crate::store::VoucherFilter;
use std::path::Path;

pub fn post_file(ctx: &Context, file: &Path, post: bool, reviewer: Option<&str>) -> Result<Outcome, CliError> {
    let reviewer = post_reviewer(post, reviewer)?;
    let format = Format::from_path(file).map_err(|_| {
        CliError::refused(format!(
            "文件 {} 的格式无法识别：事件文件应为 .toml 或 .json（含 JSON Lines）",
            file.display()
        ))
    })?;
    let text = crate::app::files::read_text(file, "业务事件文件")?;
    let placed = events::parse(&text, format).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        CliError::refused(format!(
            "{} 中有 {} 处错误，没有写入任何事件：\n{}",
            file.display(),
            errors.len(),
            lines.join("\n")
        ))
    })?;
    let print = fingerprint(file)?;
    let outcome = post_events(&ctx.session, placed, reviewer, Some(&print))?;
    if let (Some(earlier), OutputFormat::Table) = (&outcome.earlier_batch, ctx.format) {
        return Ok(Outcome::ok(super::ledger::earlier_batch_text(file, earlier)));
    }
    let status = if reviewer.is_some() { Status::Posted } else { Status::Draft };
    let rows: Vec<Vec<String>> =
        outcome.vouchers_by_book.iter().map(|(book, count)| vec![book.clone(), count.to_string()]).collect();
    let text = match ctx.format {
        OutputFormat::Json => render::json(&serde_json::json!({
            "events": outcome.accepted.len(),
            "already_present": outcome.already_present,
            "vouchers": outcome.voucher_ids.len(),
            "vouchers_by_book": outcome.vouchers_by_book,
            "status": status.as_str(),
        })),
        OutputFormat::Csv => render::csv(&["账簿", "凭证张数"], &rows, &[]),
        OutputFormat::Table => {
            format!(
                "已记录 {} 个事件，生成 {} 张凭证（{}）；已存在未重复记录 {} 个\n",
                outcome.accepted.len(),
                outcome.voucher_ids.len(),
                status.label(),
                outcome.already_present
            ) + &if rows.is_empty() { String::new() } else { render::table(&["账簿", "凭证数"], &rows, &[1]) }
        }
    };
    Ok(Outcome::ok(text))
}

/// `event KIND --name value …` (with `--post --reviewer NAME` among them): one event typed by
/// staff; prints the vouchers it produced.
pub fn single(ctx: &Context, kind: &str, args: &[String]) -> Result<Outcome, CliError> {
    let mut raw = RawEvent::default();
    raw.fields.insert("kind".into(), kind.to_string());
    let mut post = false;
    let mut reviewer = None;
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let Some(name) = word.strip_prefix("--") else {
            return Err(CliError::refused(format!(
                "参数 \"{}\" 应写作 --字段名 值，例如 --party shayang",
                crate::domain::ids::quote(word)
            )));
        };
        if name == "post" {
            post = true;
            continue;
        }
        if ["db", "operator", "format", "calendar", "busy-timeout"].contains(&name) {
            return Err(CliError::refused(format!(
                "全局参数 --{name} 须写在 event 之前，例如 fundpool --{name} … event {kind} --id …"
            )));
        }
        let value = words.next().ok_or_else(|| CliError::refused(format!("--{name} 缺少值")))?;
        match name {
            "reviewer" => reviewer = Some(value.clone()),
            _ => {
                if raw.fields.insert(name.to_string(), value.clone()).is_some() {
                    return Err(CliError::refused(format!("--{name} 写了两次")));
                }
            }
        }
    }
    let reviewer = post_reviewer(post, reviewer.as_deref())?;
    let placed = vec![PlacedEvent { place: "事件".into(), raw }];
    let outcome = post_events(&ctx.session, placed, reviewer, None)?;
    if outcome.voucher_ids.is_empty() {
        return Ok(Outcome::ok("该事件已存在，未重复记录\n".into()));
    }
    let store = ctx.open()?;
    let made = store.reader().vouchers(&VoucherFilter { ids: Some(outcome.voucher_ids), ..Default::default() })?;
    let chart = store.reader().chart()?;
    Ok(Outcome::ok(match ctx.format {
        OutputFormat::Table => reports::voucher_table(&made, &chart, true, false),
        format => reports::vouchers_json_or_csv(&made, &chart, format),
    }))
}
