//! Business events through the posting rules into vouchers: every event of a file (or one typed
//! by staff) in one transaction, or none. An event already on file is a no-op; the same file
//! again writes nothing and names the earlier batch.

use super::files::FileFingerprint;
use super::ledger::{Batch, RulesInputs};
use super::{Error, Result, Session};
use crate::domain::rejection::Rejection;
use crate::import::events::PlacedEvent;
use crate::posting::{post_event, PostingContext};
use crate::store::BatchRecord;
use std::collections::BTreeMap;

/// What posting a list of events did.
#[derive(Default)]
pub struct EventsOutcome {
    pub accepted: Vec<String>,
    pub already_present: usize,
    pub voucher_ids: Vec<i64>,
    pub vouchers_by_book: BTreeMap<String, usize>,
    /// The same file was posted before: nothing was written.
    pub earlier_batch: Option<BatchRecord>,
}

/// Posts events in one transaction, all or none; with `reviewer`, their vouchers are posted in
/// one step. `file` is the events file they came from, recorded as an import batch.
pub fn post_events(
    session: &Session,
    placed: Vec<PlacedEvent>,
    reviewer: Option<&str>,
    file: Option<&FileFingerprint>,
) -> Result<EventsOutcome> {
    let operator = session.acting()?;
    let reviewer = reviewer.map(|r| session.reviewer(r)).transpose()?;
    let mut store = session.write("post 事件")?;
    let mut writer = store.writer()?;
    if let Some(file) = file {
        if let Some(earlier) = writer.find_batch("events", &file.sha256)? {
            return Ok(EventsOutcome { earlier_batch: Some(earlier), ..Default::default() });
        }
    }
    let inputs = RulesInputs::load(&writer, session.today()?)?;
    let mut instruments = writer.reader().instruments()?;
    // The city's rule against deposits opened just before pooling (none without a rule set).
    let freeze = writer.reader().rules_in_force(inputs.city.opening())?.and_then(|(_, rules)| rules.deposit_freeze);
    let mut outcome = EventsOutcome::default();
    let rows = placed.len();
    let mut batch = Batch::new(&mut writer, &inputs, &operator, reviewer.as_ref(), &session.now);
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
        let periods = &inputs.periods;
        if event.date < periods.earliest || event.date > periods.latest {
            let rejection =
                Rejection::DateOutOfRange { date: event.date, earliest: periods.earliest, latest: periods.latest };
            batch.report.problems.push(format!("{label}：{rejection}"));
            continue;
        }
        let context = PostingContext {
            city: batch.rules.city,
            chart: batch.rules.chart,
            instruments: &instruments,
            freeze: freeze.as_ref(),
        };
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
        if batch.report.problems.is_empty() && batch.report.forbidden.is_empty() {
            batch.writer.insert_event(
                &event.id,
                event.kind.name(),
                &event.fund,
                &event.date.to_string(),
                &digest,
                &raw.payload(),
                &operator.name,
                &session.now,
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
    if !report.problems.is_empty() || !report.forbidden.is_empty() {
        return Err(report.into_error_about("事件或凭证"));
    }
    if let Some(file) = file {
        writer.insert_batch("events", &file.sha256, &file.name, file.size, rows, &operator.name, &session.now)?;
        writer.set_target(file.name.clone());
    } else {
        writer.set_target(outcome.accepted.join("、"));
    }
    writer.commit()?;
    Ok(outcome)
}

/// Checks `--post --reviewer` for a command that posts in one step.
pub fn post_reviewer(post: bool, reviewer: Option<&str>) -> Result<Option<&str>> {
    match (post, reviewer) {
        (true, None) => Err(Error::refused("--post 需要 --reviewer 审核人（审核人不能是操作人）")),
        (false, Some(_)) => Err(Error::refused("--reviewer 只与 --post 一起使用")),
        (_, r) => Ok(r),
    }
}
