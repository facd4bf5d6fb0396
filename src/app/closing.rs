//! Month-end close (结账), reopen (反结账) and year-end closing (期末结转), and the seals that
//! prove a closed month untouched.
//!
//! Per book, months close strictly in order from the city's opening month. A month closes only
//! after a stored full reconciliation run of it with nothing posted into it or before since;
//! with differences that run found, only when they are accepted with a reason (the run is named
//! in the seal). Everything is decided inside the write transaction, so an import racing a
//! close either lands before the seal (and the close is refused) or is refused itself.

use super::integrity::make_anchor;
use super::ledger::RulesInputs;
use super::{refuse_all, Error, Result, Session};
use crate::domain::access::Role;
use crate::domain::city::City;
use crate::domain::ids::{BookCode, Period, VoucherNo};
use crate::domain::records::Anchor;
use crate::domain::seal::{report_digest, seal_hash, BookState};
use crate::domain::voucher::Status;
use crate::posting::year_end::{closing_id, closing_voucher};
use crate::store::{Reader, SealRecord, SealedBook};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The book named, checked against the city, or every book.
fn target_books(reader: &Reader<'_>, city: &City, book: Option<&BookCode>) -> Result<Vec<BookCode>> {
    match book {
        Some(book) => {
            city.book_kind(book).map_err(Error::refused)?;
            Ok(vec![book.clone()])
        }
        None => Ok(reader.books()?),
    }
}

/// What the close is asked to do.
pub struct CloseRequest<'a> {
    pub period: Period,
    pub book: Option<&'a BookCode>,
    /// Accept the differences of the latest run, with this reason (recorded in the seal).
    pub accept_differences: Option<&'a str>,
    /// The business date of the close.
    pub on: NaiveDate,
}

/// What a close did.
pub struct Closed {
    pub period: Period,
    pub books: usize,
    /// None when every book was already closed.
    pub seal_hash: Option<String>,
    pub run_id: Option<i64>,
    /// The gate that was accepted, with the reason.
    pub accepted: Option<(String, String)>,
    /// The state just after the close, for staff to keep outside the database.
    pub anchor: Option<Anchor>,
}

pub fn close(session: &Session, request: &CloseRequest<'_>) -> Result<Closed> {
    let actor = session.acting()?;
    let operator = actor.name.clone();
    let period = request.period;
    let reason = match request.accept_differences.map(str::trim) {
        Some("") => {
            return Err(Error::refused("--accept-differences 需要 --reason 说明接受差异的理由（记入封存记录）"))
        }
        other => other,
    };
    let mut store = session.write("close")?;
    let mut writer = store.writer()?;
    let reader = writer.reader();
    let city = reader.city()?;
    let books = target_books(&reader, &city, request.book)?;
    let closed = reader.closed_periods()?;
    let opening = city.opening_period();
    let mut problems = Vec::new();
    let mut forbidden = Vec::new();
    let mut to_close = Vec::new();
    if period < opening {
        return Err(Error::refused(format!("{period} 早于本市统筹开始的 {opening}，没有可结账的账簿")));
    }
    for book in &books {
        if closed.contains(&(book.clone(), period)) {
            continue;
        }
        if let Err(problem) = actor.require(Role::Closer, &book.party) {
            forbidden.push(problem);
            continue;
        }
        let unposted = reader.unposted(book, period)?;
        if !unposted.is_empty() {
            let list: Vec<String> = unposted.iter().map(|(n, s)| format!("{n}（{}）", s.label())).collect();
            // The advice fits what waits: drafts need a reviewer (or voiding), reviewed ones a poster.
            let drafts = unposted.iter().any(|(_, s)| *s == Status::Draft);
            let mut advice = Vec::new();
            if drafts {
                advice.push(format!(
                    "草稿须先审核（fundpool review --book {book} --period {period} --all），不用的草稿可作废（fundpool voucher void）"
                ));
            }
            advice.push(format!("审核后记账（fundpool post --book {book} --period {period} --all）"));
            problems.push(format!(
                "{book} {period} 还有未记账凭证：{}。{}；--accept-differences 不能代替记账",
                list.join("、"),
                advice.join("，")
            ));
        }
        let mut month = opening;
        while month < period {
            if !closed.contains(&(book.clone(), month)) {
                problems.push(format!("{book} 的 {month} 尚未结账：须从 {opening} 起按月份顺序结账"));
                break;
            }
            month = month.next();
        }
        to_close.push(book.clone());
    }
    if !forbidden.is_empty() {
        return Err(refuse_all(&format!("不能结账 {period}："), &forbidden).as_forbidden());
    }
    if to_close.is_empty() {
        return Ok(Closed { period, books: 0, seal_hash: None, run_id: None, accepted: None, anchor: None });
    }
    // December closes only after the year-end closing voucher (期末结转) where one is due.
    if period.month == 12 {
        let chart = reader.chart()?;
        for book in &to_close {
            let totals = reader.period_totals(book)?;
            let done = reader.voucher_by_external(book, &closing_id(period.year))?.is_some();
            if !done && closing_voucher(book, &chart, &totals, period.year).is_some() {
                problems.push(format!(
                    "{book} 尚未做 {} 年期末结转：请先运行 fundpool year-end --year {} --reviewer 审核人",
                    period.year, period.year
                ));
            }
        }
    }
    // The reconciliation gate: a stored full run of the month, nothing posted since.
    let run = reader.latest_full_run(period)?;
    let posted_now = reader.posted_count(period)?;
    let mut accepted = None;
    match &run {
        None => problems.push(format!(
            "{period} 尚未对账：请先运行 fundpool reconcile --period {period}（--accept-differences 只能接受一次已保存的对账所发现的差异）"
        )),
        Some(run) if run.posted_count != posted_now => problems.push(format!(
            "对账记录 #{}（{}）之后又记账了 {} 张凭证：请重新运行 fundpool reconcile --period {period}",
            run.id,
            crate::render::local_time(&run.run_at),
            posted_now - run.posted_count
        )),
        Some(run) if run.differences > 0 => {
            let at = crate::render::local_time(&run.run_at);
            let gate = format!("最近一次对账（#{}，{at}）发现 {} 处差异", run.id, run.differences);
            match reason {
                Some(reason) => accepted = Some((gate, reason.to_string())),
                None => problems.push(format!(
                    "{gate}：查明更正后重新对账，或用 --accept-differences --reason 说明接受这些差异的理由"
                )),
            }
        }
        Some(_) => {}
    }
    if !problems.is_empty() {
        return Err(refuse_all(&format!("不能结账 {period}："), &problems));
    }
    let run_id = run.as_ref().map(|r| r.id);
    let run_digest = run.as_ref().map(|r| report_digest(&r.report));
    let mut sealed = Vec::new();
    let mut totals = Vec::new();
    for book in &to_close {
        let (chain_seq, chain_hash) = reader.chain_head(book)?;
        sealed.push(SealedBook { book: book.to_string(), chain_seq, chain_hash });
        totals.push(reader.period_totals(book)?);
    }
    let states: Vec<BookState<'_>> = to_close
        .iter()
        .zip(&sealed)
        .zip(&totals)
        .map(|((book, s), t)| BookState { book, chain_seq: s.chain_seq, chain_hash: &s.chain_hash, totals: t })
        .collect();
    let recorded_reason = accepted.as_ref().map(|(_, reason)| reason.as_str());
    let hash = seal_hash(period, &states, run_id, run_digest.as_deref(), recorded_reason);
    let books_json = serde_json::to_string(&sealed).unwrap_or_default();
    for book in &to_close {
        writer.close_period(book, period, &operator, &session.now)?;
    }
    writer.insert_seal(
        period,
        "close",
        &books_json,
        run_id,
        recorded_reason,
        Some(&hash),
        &operator,
        &session.now,
        request.on,
    )?;
    let anchor = make_anchor(&writer.reader(), &session.now)?;
    writer.set_target(format!("{period}（{} 个账簿）", to_close.len()));
    writer.commit()?;
    Ok(Closed { period, books: to_close.len(), seal_hash: Some(hash), run_id, accepted, anchor: Some(anchor) })
}

/// 反结账: the latest closed month of every book that has it open again; recorded with the reason.
pub fn reopen(session: &Session, period: Period, reason: &str) -> Result<usize> {
    let actor = session.acting()?;
    let operator = actor.name.clone();
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::refused("反结账须用 --reason 说明理由"));
    }
    let today = session.today()?;
    let mut store = session.write("reopen")?;
    let mut writer = store.writer()?;
    let closed = writer.reader().closed_periods()?;
    if let Some(later) = closed.iter().map(|(_, p)| *p).filter(|p| *p > period).max() {
        return Err(Error::refused(format!("只能反结账最近一个已结账的月份：{later} 已结账，须先反结账它")));
    }
    let mut books: Vec<BookCode> = closed.iter().filter(|(_, p)| *p == period).map(|(b, _)| b.clone()).collect();
    if books.is_empty() {
        return Err(Error::refused(format!("{period} 没有已结账的账簿")));
    }
    books.sort();
    for book in &books {
        actor.require(Role::Closer, &book.party).map_err(Error::forbidden)?;
    }
    let listed: Vec<SealedBook> =
        books.iter().map(|b| SealedBook { book: b.to_string(), chain_seq: 0, chain_hash: String::new() }).collect();
    for book in &books {
        writer.reopen_period(book, period)?;
    }
    let books_json = serde_json::to_string(&listed).unwrap_or_default();
    writer.insert_seal(period, "reopen", &books_json, None, Some(reason), None, &operator, &session.now, today)?;
    writer.set_target(format!("{period}（{} 个账簿）", books.len()));
    writer.commit()?;
    Ok(books.len())
}

/// Re-checks the seal of every month still closed; returns one line per broken seal.
pub fn verify_seals(reader: &Reader<'_>) -> Result<Vec<String>> {
    let seals = reader.seals()?;
    // Which close seal currently stands for each (book, month): later reopens undo earlier closes.
    let mut standing: BTreeMap<(String, Period), usize> = BTreeMap::new();
    for (index, seal) in seals.iter().enumerate() {
        for book in books_of(seal)? {
            match seal.action.as_str() {
                "close" => standing.insert((book.book.clone(), seal.period), index),
                _ => standing.remove(&(book.book.clone(), seal.period)),
            };
        }
    }
    let mut live: Vec<usize> = standing.values().copied().collect();
    live.sort_unstable();
    live.dedup();
    let mut problems = Vec::new();
    for index in live {
        if let Some(problem) = check_seal(reader, &seals[index])? {
            problems.push(problem);
        }
    }
    Ok(problems)
}

fn books_of(seal: &SealRecord) -> Result<Vec<SealedBook>> {
    serde_json::from_str(&seal.books)
        .map_err(|e| Error::integrity(format!("封存记录 #{} 的账簿清单无法读取：{e}", seal.id)))
}

fn check_seal(reader: &Reader<'_>, seal: &SealRecord) -> Result<Option<String>> {
    let sealed = books_of(seal)?;
    let mut totals = Vec::new();
    let mut codes = Vec::new();
    for book in &sealed {
        let code = BookCode::parse(&book.book).map_err(Error::integrity)?;
        if reader.chain_hash_at(&code, book.chain_seq)?.as_deref() != Some(book.chain_hash.as_str()) {
            return Ok(Some(format!(
                "{} 结账封存 #{}：{} 的哈希链在封存时的第 {} 张已记账凭证被改动",
                seal.period, seal.id, book.book, book.chain_seq
            )));
        }
        totals.push(reader.period_totals(&code)?);
        codes.push(code);
    }
    let states: Vec<BookState<'_>> = codes
        .iter()
        .zip(&sealed)
        .zip(&totals)
        .map(|((book, s), t)| BookState { book, chain_seq: s.chain_seq, chain_hash: &s.chain_hash, totals: t })
        .collect();
    let run_digest = match seal.run_id {
        Some(id) => reader.run_report(id)?.map(|r| report_digest(&r)),
        None => None,
    };
    let hash = seal_hash(seal.period, &states, seal.run_id, run_digest.as_deref(), seal.reason.as_deref());
    if seal.hash.as_deref() != Some(hash.as_str()) {
        return Ok(Some(format!(
            "{} 结账封存 #{}（{} 于 {}）与现有期末余额或对账记录不符：结账后数据被改动",
            seal.period,
            seal.id,
            seal.sealed_by,
            crate::render::local_time(&seal.sealed_at)
        )));
    }
    Ok(None)
}

/// What year-end closing did.
pub struct YearEnd {
    pub made: Vec<(BookCode, VoucherNo)>,
    pub already: usize,
}

/// 期末结转: posts each book's closing voucher on 31 December. Refused while any of January to
/// November (from the opening month on) is open; a book whose year is already closed out is left
/// alone.
pub fn year_end(session: &Session, year: i32, book: Option<&BookCode>, reviewer: &str) -> Result<YearEnd> {
    let actor = session.acting()?;
    let operator = actor.name.clone();
    let reviewer = session.reviewer(reviewer)?;
    let mut store = session.write("year-end")?;
    let mut writer = store.writer()?;
    let inputs = RulesInputs::load(&writer, session.today()?)?;
    let reader = writer.reader();
    let closed = reader.closed_periods()?;
    let books = target_books(&reader, &inputs.city, book)?;
    let mut problems = Vec::new();
    let mut drafts = Vec::new();
    let mut already = 0;
    for book in &books {
        if let Err(problem) =
            actor.require(Role::Closer, &book.party).and_then(|()| reviewer.require(Role::Reviewer, &book.party))
        {
            return Err(Error::forbidden(problem));
        }
        // Months before the books were opened were never kept here and need no close.
        let opened = inputs.city.opening_period();
        let open: Vec<String> = (1..=11)
            .filter_map(|m| Period::new(year, m))
            .filter(|p| *p >= opened && !closed.contains(&(book.clone(), *p)))
            .map(|p| p.to_string())
            .collect();
        if !open.is_empty() {
            problems.push(format!("{book} 尚有未结账的月份：{}", open.join("、")));
            continue;
        }
        if reader.voucher_by_external(book, &closing_id(year))?.is_some() {
            already += 1;
            continue;
        }
        if let Some(draft) = closing_voucher(book, &inputs.chart, &reader.period_totals(book)?, year) {
            drafts.push(draft);
        }
    }
    if !problems.is_empty() {
        return Err(refuse_all(&format!("不能做 {year} 年期末结转："), &problems));
    }
    let rules = inputs.rules();
    let vouchers = drafts
        .into_iter()
        .map(|d| rules.validate(d))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|p| Error::refused(p.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("\n")))?;
    let mut made = Vec::new();
    for voucher in &vouchers {
        let inserted = writer.insert_posted(voucher, &operator, &reviewer.name, &session.now)?;
        made.push((voucher.book().clone(), inserted.number));
    }
    writer.set_target(format!("{year} 年期末结转（{} 张）", made.len()));
    writer.commit()?;
    Ok(YearEnd { made, already })
}
