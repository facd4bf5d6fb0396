//! The other parties' records in (statement import) and the month's reconciliation run: the
//! checks read the ledger inside the write transaction that stores the run (helped by a second
//! connection that sees the same state), so the run's count of posted vouchers is exactly what
//! it checked, and a close can trust it.

use super::files::FileFingerprint;
use super::in_two::{cut, in_two};
use super::stored_report::{pack, unpack};
use super::{Error, Result, Session};
use crate::domain::access::Role;
use crate::domain::ids::Period;
use crate::import::{statements, tabular::Tabular};
use crate::reconcile::{reconcile, CheckName, Input, Ledger, LedgerLine, Report, Source, StatementLine, VoucherTotals};
use crate::store::{BatchRecord, Reader, StatementWrite};
use std::ops::RangeInclusive;

/// What a statement import did.
#[derive(Default)]
pub struct StatementsImported {
    pub inserted: usize,
    pub already_present: usize,
    /// The same file was imported before: nothing was written.
    pub earlier_batch: Option<BatchRecord>,
}

/// Imports a statement file as staff have it — CSV in UTF-8 or GBK, or a workbook, opened by
/// `import::tabular` — every line or none, recorded as an import batch of its source. `shown`
/// names the file in messages (its path on the command line, its name in an upload).
pub fn import_statement(
    session: &Session,
    source: Source,
    input: Tabular,
    file: &FileFingerprint,
    shown: &str,
) -> Result<StatementsImported> {
    let origin = input.origin.clone();
    let lines = statements::parse(source, input.reader).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| origin.describe(e)).collect();
        super::refuse_all(&format!("{shown} 中有 {} 处错误，没有导入任何行：", list.len()), &list)
    })?;
    let keyed: Vec<(String, String, StatementLine)> =
        lines.into_iter().map(|k| (format!("第 {} 行", k.row), k.key, k.line)).collect();
    import_lines(session, &format!("statement:{}", source.as_str()), &keyed, Some(file))
        .map_err(|e| Error { message: format!("{shown}：{}", e.message), ..e })
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
    let MonthRead { ledger, statements, vouchers, posted_count } = read_month(session, &reader, period)?;
    let input = Input {
        period,
        city: &city,
        chart: &chart,
        ledger,
        statements,
        vouchers,
        only_check: check,
        only_fund: fund.map(str::to_string),
    };
    let mut report = reconcile(&input);
    // The lines read (hundreds of thousands in a city's half year) are done with: freed before
    // the report is written out as JSON and stored.
    drop(input);
    let stored = pack(&mut report).map_err(|e| Error::refused(format!("对账报告无法保存：{e}")))?;
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

/// What a month's checks read, shared by two connections (`in_two`): the write transaction's
/// and a second one. The second sees exactly what the first does: the write lock was taken
/// before it opened, so nothing can be committed in between (`in_two` compares the record-log
/// heads all the same), and this transaction has written nothing yet.
fn read_month(session: &Session, reader: &Reader<'_>, period: Period) -> Result<MonthRead> {
    enum Piece {
        Totals(RangeInclusive<i64>),
        Statements,
        Count,
        Lines(RangeInclusive<i64>),
    }
    enum Read {
        Totals(Vec<(i64, VoucherTotals)>),
        Statements(Vec<StatementLine>),
        Count(i64),
        Lines(Vec<LedgerLine>),
    }
    let cutoff = period.last_day();
    let ids = reader.reconciliation_ids(period)?;
    let mut pieces = vec![Piece::Count, Piece::Statements];
    pieces.extend(ids.month.into_iter().flat_map(|month| cut(month, 4)).map(Piece::Totals));
    pieces.extend(ids.until.into_iter().flat_map(|until| cut(until, 8)).map(Piece::Lines));
    let log_seq = reader.log_head()?.seq;
    let read = in_two(session, reader, log_seq, &pieces, |reader, piece| {
        Ok(match piece {
            Piece::Totals(ids) => Read::Totals(reader.voucher_totals(period, ids.clone())?),
            Piece::Statements => Read::Statements(reader.statement_lines(cutoff)?),
            Piece::Count => Read::Count(reader.posted_count(period)?),
            Piece::Lines(ids) => Read::Lines(reader.reconciliation_lines(cutoff, ids.clone())?),
        })
    })?;
    let (mut totals, mut statements, mut pieces_of_lines, mut posted_count) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for piece in read {
        match piece {
            Read::Totals(mut read) => totals.append(&mut read),
            Read::Statements(read) => statements = read,
            Read::Count(count) => posted_count = count,
            Read::Lines(read) => pieces_of_lines.push(read),
        }
    }
    // The month's vouchers by book, then number.
    totals.sort_by_key(|(book_id, totals)| (*book_id, totals.number.seq));
    // The lines in the pieces' order, which is storage order.
    let mut lines = Vec::with_capacity(pieces_of_lines.iter().map(Vec::len).sum());
    for mut piece in pieces_of_lines {
        lines.append(&mut piece);
    }
    Ok(MonthRead {
        ledger: Ledger::in_journal_order(lines),
        statements,
        vouchers: totals.into_iter().map(|(_, totals)| totals).collect(),
        posted_count,
    })
}

/// What a month's checks read.
struct MonthRead {
    ledger: Ledger,
    statements: Vec<StatementLine>,
    vouchers: Vec<VoucherTotals>,
    /// Posted vouchers of the month and before, which the run records.
    posted_count: i64,
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
