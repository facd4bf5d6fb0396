//! `post EVENTS_FILE` and `event KIND --field value …`: business events through the posting
//! rules into vouchers, all events of a file in one transaction or none.

use super::ledger::{Batch, RulesInputs};
use super::{CliError, Context, Outcome};
use crate::domain::rejection::Rejection;
use crate::domain::voucher::Status;
use crate::import::events::{self, PlacedEvent};
use crate::import::voucher_file::Format;
use crate::posting::event::RawEvent;
use crate::posting::{post_event, PostingContext};
use crate::render::{self, reports, OutputFormat};
use crate::store::{Store, VoucherFilter};
use std::collections::BTreeMap;
use std::path::Path;

/// Checks `--post --reviewer` against the operator; returns the reviewer to post with.
pub(super) fn post_reviewer<'a>(
    operator: &str,
    post: bool,
    reviewer: Option<&'a str>,
) -> Result<Option<&'a str>, CliError> {
    match (post, reviewer) {
        (true, None) => Err(CliError::refused("--post 需要 --reviewer 审核人（审核人不能是操作人）")),
        (false, Some(_)) => Err(CliError::refused("--reviewer 只与 --post 一起使用")),
        (true, Some(r)) if r == operator => {
            Err(CliError::refused(Rejection::ReviewerMustDifferFromMaker { maker: operator.into() }.to_string()))
        }
        (_, r) => Ok(r),
    }
}

/// What posting a list of events did.
pub(super) struct EventsOutcome {
    pub(super) accepted: Vec<String>,
    pub(super) already_present: usize,
    pub(super) voucher_ids: Vec<i64>,
    pub(super) vouchers_by_book: BTreeMap<String, usize>,
}

/// Posts events in one transaction, all or none.
pub(super) fn post_all(
    store: &mut Store,
    ctx: &Context,
    placed: Vec<PlacedEvent>,
    reviewer: Option<&str>,
) -> Result<EventsOutcome, CliError> {
    let operator = ctx.operator()?;
    let mut writer = store.writer()?;
    let inputs = RulesInputs::load(&writer)?;
    let mut instruments = writer.reader().instruments()?;
    let mut outcome =
        EventsOutcome { accepted: vec![], already_present: 0, voucher_ids: vec![], vouchers_by_book: BTreeMap::new() };
    let mut batch = Batch::new(&mut writer, &inputs, operator, reviewer, &ctx.now);
    for PlacedEvent { place, raw } in placed {
        let label = match raw.id() {
            Some(id) => format!("{place}（id {id}）"),
            None => place.clone(),
        };
        let event = match raw.parse() {
            Ok(event) => event,
            Err(problems) => {
                batch.report.problems.extend(problems.iter().map(|p| format!("{label}：{p}")));
                continue;
            }
        };
        let digest = raw.digest();
        if let Some(stored) = batch.writer.event_digest(&event.id)? {
            if stored == digest {
                outcome.already_present += 1;
            } else {
                batch
                    .report
                    .problems
                    .push(format!("{label}：事件编号 {} 已存在且内容不同；不会覆盖，请换用新编号", event.id));
            }
            continue;
        }
        let context = PostingContext { city: batch.rules.city, chart: batch.rules.chart, instruments: &instruments };
        let posting = match post_event(&event, &context) {
            Ok(posting) => posting,
            Err(problems) => {
                batch.report.problems.extend(problems.iter().map(|p| format!("{label}：{p}")));
                continue;
            }
        };
        for change in &posting.instruments {
            change.apply(&mut instruments);
        }
        if batch.report.problems.is_empty() {
            batch.writer.insert_event(
                &event.id,
                event.kind.name(),
                &event.fund,
                &event.date.to_string(),
                &digest,
                &raw.payload(),
                operator,
                &ctx.now,
            )?;
            for change in &posting.instruments {
                batch.writer.apply_instrument(change)?;
            }
        }
        for draft in posting.vouchers {
            let book = draft.book.to_string();
            if let Some(inserted) = batch.add(draft, &format!("{label}生成的 {book} 凭证"))? {
                batch.writer.link_event_voucher(&event.id, inserted.id)?;
                outcome.voucher_ids.push(inserted.id);
                *outcome.vouchers_by_book.entry(book).or_default() += 1;
            }
        }
        outcome.accepted.push(event.id.clone());
    }
    let report = batch.report;
    if !report.problems.is_empty() {
        return Err(report.into_error_about("事件或凭证"));
    }
    writer.commit()?;
    Ok(outcome)
}

pub fn post_file(ctx: &Context, file: &Path, post: bool, reviewer: Option<&str>) -> Result<Outcome, CliError> {
    let reviewer = post_reviewer(ctx.operator()?, post, reviewer)?;
    let format = Format::from_path(file).map_err(|_| {
        CliError::refused(format!(
            "文件 {} 的格式无法识别：事件文件应为 .toml 或 .json（含 JSON Lines）",
            file.display()
        ))
    })?;
    let text =
        std::fs::read_to_string(file).map_err(|e| CliError::refused(format!("无法读取 {}：{e}", file.display())))?;
    let placed = events::parse(&text, format).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        CliError::refused(format!(
            "{} 中有 {} 处错误，没有写入任何事件：\n{}",
            file.display(),
            errors.len(),
            lines.join("\n")
        ))
    })?;
    let mut store = ctx.open()?;
    let outcome = post_all(&mut store, ctx, placed, reviewer)?;
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
        OutputFormat::Csv => render::csv(&["book", "vouchers"], &rows),
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
            return Err(CliError::refused(format!("参数 \"{word}\" 应写作 --字段名 值，例如 --party shayang")));
        };
        if name == "post" {
            post = true;
            continue;
        }
        if ["db", "operator", "format", "calendar"].contains(&name) {
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
    let reviewer = post_reviewer(ctx.operator()?, post, reviewer.as_deref())?;
    let mut store = ctx.open()?;
    let placed = vec![PlacedEvent { place: "事件".into(), raw }];
    let outcome = post_all(&mut store, ctx, placed, reviewer)?;
    if outcome.voucher_ids.is_empty() {
        return Ok(Outcome::ok("该事件已存在，未重复记录\n".into()));
    }
    let made = store.reader().vouchers(&VoucherFilter { ids: Some(outcome.voucher_ids), ..Default::default() })?;
    let chart = store.reader().chart()?;
    Ok(Outcome::ok(match ctx.format {
        OutputFormat::Table => reports::voucher_table(&made, &chart, true),
        format => reports::vouchers_json_or_csv(&made, &chart, format),
    }))
}
