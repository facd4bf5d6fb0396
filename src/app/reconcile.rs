//! The other parties' records in (statement import) and the month's reconciliation run: the
//! checks read the ledger inside the write transaction that stores the run, so the run's count
//! of posted vouchers is exactly what it checked, and a close can trust it.

use super::files::FileFingerprint;
use super::{Error, Result, Session};
use crate::domain::access::Role;
use crate::domain::ids::Period;
use crate::reconcile::{reconcile, CheckName, Input, Ledger, Report, StatementLine};
use crate::store::{BatchRecord, StatementWrite};

/// What a statement import did.
#[derive(Default)]
pub struct StatementsImported {
    pub inserted: usize,
    pub already_present: usize,
    /// The same file was imported before: nothing was written.
    pub earlier_batch: Option<BatchRecord>,
}

/// Stores statement lines (place, key, line) in one transaction, or every problem with nothing
/// written. `file` is recorded as an import batch of `kind` (e.g. `statement:bank`).
pub fn import_lines(
    session: &Session,
    kind: &str,
    lines: &[(String, String, StatementLine)],
    file: Option<&FileFingerprint>,
) -> Result<StatementsImported> {
    let actor = session.acting()?;
    let operator = actor.name.clone();
    let mut store = session.write("statement import")?;
    let mut writer = store.writer()?;
    if let Some(file) = file {
        if let Some(earlier) = writer.find_batch(kind, &file.sha256)? {
            return Ok(StatementsImported { earlier_batch: Some(earlier), ..Default::default() });
        }
    }
    let city = writer.reader().city()?;
    let chart = writer.reader().chart()?;
    let (mut inserted, mut present, mut problems) = (0, 0, Vec::new());
    // Bank lines are the book's party's to import; the tax and treasury registers the finance
    // bureau's, which receives them.
    let finance = city.party.iter().find(|p| p.kind == crate::domain::ids::PartyKind::Finance).map(|p| p.code.clone());
    for (place, key, line) in lines {
        let party = line.book.as_ref().map(|b| b.party.clone()).or_else(|| finance.clone()).unwrap_or_default();
        if let Err(problem) = actor.require(Role::Closer, &party) {
            problems.push(format!("{place}：{problem}"));
            continue;
        }
        if let Some(fund) = &line.fund {
            if city.fund(fund).is_none() {
                problems.push(format!("{place}：基金 {fund} 不在本市统筹范围内"));
                continue;
            }
        }
        if let Some(book) = &line.book {
            if let Err(message) = city.book_kind(book) {
                problems.push(format!("{place}：{message}"));
                continue;
            }
        }
        if let Some(account) = &line.account {
            if chart.get(account).is_none() {
                problems.push(format!("{place}：科目 {account} 不在科目表中"));
                continue;
            }
        }
        match writer.insert_statement_line(key, line, &operator, &session.now)? {
            StatementWrite::Inserted => inserted += 1,
            StatementWrite::AlreadyPresent => present += 1,
            StatementWrite::Conflict => {
                let what = line.reference.as_deref().unwrap_or(key);
                problems.push(format!(
                    "{place}：{} 对账单中结算号 {what} 已有内容不同的记录；不会覆盖",
                    line.source.as_str()
                ))
            }
        }
    }
    if !problems.is_empty() {
        return Err(super::refuse_all(&format!("{} 处错误，没有导入任何行：", problems.len()), &problems));
    }
    if let Some(file) = file {
        writer.insert_batch(kind, &file.sha256, &file.name, file.size, lines.len(), &operator, &session.now)?;
        writer.set_target(file.name.clone());
    } else {
        writer.set_target(format!("{kind} {} 行", lines.len()));
    }
    writer.commit()?;
    Ok(StatementsImported { inserted, already_present: present, earlier_batch: None })
}

/// Runs the checks of a month and stores the run; returns the report and the run's id.
pub fn run(session: &Session, period: Period, check: Option<CheckName>, fund: Option<&str>) -> Result<(Report, i64)> {
    let operator = session.actor()?;
    let mut store = session.write("reconcile")?;
    let mut writer = store.writer()?;
    let reader = writer.reader();
    let city = reader.city()?;
    // The month's reconciliation covers every party's books.
    session.require(Role::Closer, city.party.iter().map(|p| p.code.as_str()))?;
    let chart = reader.chart()?;
    if let Some(fund) = fund {
        if city.fund(fund).is_none() {
            return Err(Error::refused(format!("基金 {fund} 不在本市统筹范围内")));
        }
    }
    let cutoff = period.last_day();
    let input = Input {
        period,
        city: &city,
        chart: &chart,
        ledger: Ledger::new(reader.reconciliation_ledger(cutoff)?),
        statements: reader.statement_lines(cutoff)?,
        vouchers: reader.voucher_totals(period)?,
        only_check: check,
        only_fund: fund.map(str::to_string),
    };
    let report = reconcile(&input);
    // The lines read (hundreds of thousands in a city's half year) are done with: freed before
    // the report is written out as JSON and stored.
    drop(input);
    let posted_count = reader.posted_count(period)?;
    let stored = pack(&report)?;
    let run_id = writer.insert_run(
        period,
        check.map(|c| c.as_str()),
        fund,
        &operator,
        &session.now,
        report.differences(),
        report.outstanding(),
        posted_count,
        &stored,
    )?;
    writer.set_target(format!("{period} 对账记录 #{run_id}"));
    writer.commit()?;
    Ok((report, run_id))
}

/// A stored run, as it was reported when it ran.
pub fn stored_run(session: &Session, period: Period, run_id: i64) -> Result<Report> {
    let store = session.read_for(None)?;
    let text = store.reader().run_report(run_id)?.ok_or_else(|| Error::refused(format!("没有对账记录 #{run_id}")))?;
    let report = unpack(&text).map_err(|e| Error::integrity(format!("对账记录 #{run_id} 无法读取：{e}")))?;
    if report.period != period.to_string() {
        return Err(Error::refused(format!("对账记录 #{run_id} 属于 {}，不是 {period}", report.period)));
    }
    Ok(report)
}

/// How a stored report that is compressed begins: what follows is the report's JSON, gzipped
/// and in base64. A report stored as plain JSON (every run before, and what older versions
/// read) begins with `{`.
const PACKED: &str = "gzip+base64:";

/// A report as a run stores it: its JSON compressed, written straight through the compressor
/// (never whole in memory). A month with hundreds of thousands of outstanding items has a
/// report of a hundred megabytes or more, stored with every run and copied while SQLite binds
/// it; compressed it is a twentieth of that. The record log and the seals hash the stored text,
/// whichever form it has.
fn pack(report: &Report) -> Result<String> {
    use base64::write::EncoderStringWriter;
    use flate2::{write::GzEncoder, Compression};
    let failed = |e: &dyn std::fmt::Display| Error::refused(format!("对账报告无法保存：{e}"));
    let gzip = GzEncoder::new(EncoderStringWriter::from_consumer(PACKED.to_string(), &BASE64), Compression::fast());
    // serde writes a few bytes at a time; the compressor works best on large pieces.
    let mut json = std::io::BufWriter::with_capacity(1 << 16, gzip);
    serde_json::to_writer(&mut json, report).map_err(|e| failed(&e))?;
    let gzip = json.into_inner().map_err(|e| failed(e.error()))?;
    Ok(gzip.finish().map_err(|e| failed(&e))?.into_inner())
}

/// A stored report, in either form.
fn unpack(stored: &str) -> std::result::Result<Report, String> {
    use base64::Engine;
    let Some(packed) = stored.strip_prefix(PACKED) else {
        return serde_json::from_str(stored).map_err(|e| e.to_string());
    };
    let compressed = BASE64.decode(packed).map_err(|e| e.to_string())?;
    // Read as it is decompressed: what does not decompress into a report stops at its first
    // wrong byte, however large it would have grown (a small text can decompress to gigabytes).
    let json = std::io::BufReader::new(flate2::read::GzDecoder::new(compressed.as_slice()));
    serde_json::from_reader(json).map_err(|e| e.to_string())
}

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
