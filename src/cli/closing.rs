//! Month-end close (结账) and reopen (反结账), and the seals that prove a closed month untouched.
//!
//! A month closes only after a clean reconciliation run with nothing posted since, unless the
//! differences are accepted with a reason. Closing writes a seal; reopening is allowed for the
//! latest closed month only and is recorded in the seal history.

use super::{parse_book, parse_period, CliError, Context, Outcome};
use crate::domain::ids::{BookCode, Period};
use crate::domain::seal::{report_digest, seal_hash, BookState};
use crate::domain::voucher::LedgerRules;
use crate::posting::year_end::{closing_id, closing_voucher};
use crate::store::{Reader, SealRecord, SealedBook, Store};
use std::collections::BTreeMap;

/// The book named, checked against the city, or every book.
fn target_books(
    reader: &crate::store::Reader<'_>,
    city: &crate::domain::city::City,
    book: Option<&str>,
) -> Result<Vec<BookCode>, CliError> {
    match book {
        Some(text) => {
            let book = parse_book(text)?;
            city.book_kind(&book).map_err(CliError::refused)?;
            Ok(vec![book])
        }
        None => Ok(reader.books()?),
    }
}

pub fn close(
    ctx: &Context,
    period: &str,
    book: Option<&str>,
    accept_differences: bool,
    reason: Option<&str>,
    on: Option<&str>,
) -> Result<Outcome, CliError> {
    let operator = ctx.operator()?;
    let period = parse_period(period)?;
    let on = ctx.business_date(on)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    match (accept_differences, reason) {
        (true, None) => {
            return Err(CliError::refused("--accept-differences 需要 --reason 说明接受差异的理由（记入封存记录）"))
        }
        (false, Some(_)) => return Err(CliError::refused("--reason 只与 --accept-differences 一起使用")),
        _ => {}
    }
    let mut store = ctx.open()?;
    let reader = store.reader();
    let city = reader.city()?;
    let books = target_books(&reader, &city, book)?;
    let closed = reader.closed_periods()?;
    let mut problems = Vec::new();
    let mut to_close = Vec::new();
    for book in &books {
        if closed.contains(&(book.clone(), period)) {
            continue;
        }
        let unposted = reader.unposted(book, period)?;
        if !unposted.is_empty() {
            let list: Vec<String> = unposted.iter().map(|(n, s)| format!("{n}（{}）", s.label())).collect();
            problems.push(format!("{book} {period} 还有未记账凭证：{}", list.join("、")));
        }
        let earlier_open =
            reader.voucher_periods(book)?.into_iter().find(|p| *p < period && !closed.contains(&(book.clone(), *p)));
        if let Some(open) = earlier_open {
            problems.push(format!("{book} 的 {open} 尚未结账：须按月份顺序结账"));
        }
        to_close.push(book.clone());
    }
    if to_close.is_empty() {
        return Ok(Outcome::ok(format!("{period} 已经结账，没有需要结账的账簿\n")));
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
    // The reconciliation gate.
    let run = reader.latest_full_run(period)?;
    let posted_now = reader.posted_count(period)?;
    let gate = match &run {
        None => Some(format!("{period} 尚未对账：请先运行 fundpool reconcile --period {period}")),
        Some(run) if run.posted_count != posted_now => Some(format!(
            "对账记录 #{}（{}）之后又记账了 {} 张凭证：请重新对账",
            run.id,
            run.run_at,
            posted_now - run.posted_count
        )),
        Some(run) if run.differences > 0 => Some(format!(
            "最近一次对账（#{}，{}）发现 {} 处差异：查明更正后重新对账，或用 --accept-differences --reason 说明理由",
            run.id, run.run_at, run.differences
        )),
        Some(_) => None,
    };
    if let Some(gate) = &gate {
        if !accept_differences {
            problems.push(gate.clone());
        }
    }
    if !problems.is_empty() {
        return Err(CliError::refused(format!("不能结账 {period}：\n  {}", problems.join("\n  "))));
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
    let recorded_reason = if accept_differences { reason } else { None };
    let hash = seal_hash(period, &states, run_id, run_digest.as_deref(), recorded_reason);
    let books_json = serde_json::to_string(&sealed).unwrap_or_default();
    let mut writer = store.writer()?;
    for book in &to_close {
        writer.close_period(book, period, operator, &ctx.now)?;
    }
    writer.insert_seal(period, "close", &books_json, run_id, recorded_reason, Some(&hash), operator, &ctx.now, on)?;
    writer.commit()?;
    let mut text = format!("已结账 {period}：{} 个账簿；封存哈希 {}…", to_close.len(), &hash[..16]);
    if let Some(id) = run_id {
        text.push_str(&format!("（对账记录 #{id}）"));
    }
    text.push('\n');
    if let (Some(gate), Some(reason)) = (gate, recorded_reason) {
        text.push_str(&format!("已接受：{gate}\n理由（已记录）：{reason}\n"));
    }
    Ok(Outcome::ok(text))
}

pub fn reopen(ctx: &Context, period: &str, reason: &str) -> Result<Outcome, CliError> {
    let operator = ctx.operator()?;
    let period = parse_period(period)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CliError::refused("反结账须用 --reason 说明理由"));
    }
    let mut store = ctx.open()?;
    let closed = store.reader().closed_periods()?;
    if let Some(later) = closed.iter().map(|(_, p)| *p).filter(|p| *p > period).max() {
        return Err(CliError::refused(format!("只能反结账最近一个已结账的月份：{later} 已结账，须先反结账它")));
    }
    let mut books: Vec<BookCode> = closed.iter().filter(|(_, p)| *p == period).map(|(b, _)| b.clone()).collect();
    if books.is_empty() {
        return Err(CliError::refused(format!("{period} 没有已结账的账簿")));
    }
    books.sort();
    let listed: Vec<SealedBook> =
        books.iter().map(|b| SealedBook { book: b.to_string(), chain_seq: 0, chain_hash: String::new() }).collect();
    let mut writer = store.writer()?;
    for book in &books {
        writer.reopen_period(book, period)?;
    }
    let books_json = serde_json::to_string(&listed).unwrap_or_default();
    let today = ctx.business_date(None)?;
    writer.insert_seal(period, "reopen", &books_json, None, Some(reason), None, operator, &ctx.now, today)?;
    writer.commit()?;
    Ok(Outcome::ok(format!("已反结账 {period}：{} 个账簿；理由已记入封存记录\n", books.len())))
}

/// Re-checks the seal of every month still closed; returns one line per broken seal.
pub(super) fn verify_seals(store: &Store) -> Result<Vec<String>, CliError> {
    let reader = store.reader();
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
        let seal = &seals[index];
        if let Some(problem) = check_seal(&reader, seal)? {
            problems.push(problem);
        }
    }
    Ok(problems)
}

fn books_of(seal: &SealRecord) -> Result<Vec<SealedBook>, CliError> {
    serde_json::from_str(&seal.books).map_err(|e| CliError {
        code: super::exit::INTEGRITY,
        message: format!("封存记录 #{} 的账簿清单无法读取：{e}", seal.id),
    })
}

fn check_seal(reader: &Reader<'_>, seal: &SealRecord) -> Result<Option<String>, CliError> {
    let sealed = books_of(seal)?;
    let mut totals = Vec::new();
    let mut codes = Vec::new();
    for book in &sealed {
        let code = BookCode::parse(&book.book).map_err(CliError::refused)?;
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
            seal.period, seal.id, seal.sealed_by, seal.sealed_at
        )));
    }
    Ok(None)
}

/// 期末结转: posts each book's closing voucher on 31 December. Refused while any of January to
/// November is open; a book whose year is already closed out is left alone.
pub fn year_end(ctx: &Context, year: i32, book: Option<&str>, reviewer: &str) -> Result<Outcome, CliError> {
    let operator = ctx.operator()?;
    if reviewer == operator {
        let rejection = crate::domain::rejection::Rejection::ReviewerMustDifferFromMaker { maker: operator.into() };
        return Err(CliError::refused(rejection.to_string()));
    }
    let mut store = ctx.open()?;
    let reader = store.reader();
    let city = reader.city()?;
    let chart = reader.chart()?;
    let closed = reader.closed_periods()?;
    let books = target_books(&reader, &city, book)?;
    let mut problems = Vec::new();
    let mut drafts = Vec::new();
    let mut already = 0;
    for book in &books {
        let open: Vec<String> = (1..=11)
            .filter_map(|m| Period::new(year, m))
            .filter(|p| !closed.contains(&(book.clone(), *p)))
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
        if let Some(draft) = closing_voucher(book, &chart, &reader.period_totals(book)?, year) {
            drafts.push(draft);
        }
    }
    if !problems.is_empty() {
        return Err(CliError::refused(format!("不能做 {year} 年期末结转：\n  {}", problems.join("\n  "))));
    }
    let rules = LedgerRules { city: &city, chart: &chart, closed: &closed };
    let vouchers = drafts
        .into_iter()
        .map(|d| rules.validate(d))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|p| CliError::refused(p.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("\n")))?;
    let mut writer = store.writer()?;
    let mut made = Vec::new();
    for voucher in &vouchers {
        let inserted = writer.insert_posted(voucher, operator, reviewer, &ctx.now)?;
        made.push(format!("{} {}", voucher.book(), inserted.number));
    }
    writer.commit()?;
    let mut text = format!("已做 {year} 年期末结转：{} 张结转凭证", made.len());
    if already > 0 {
        text.push_str(&format!("；{already} 个账簿此前已结转"));
    }
    text.push('\n');
    for line in made {
        text.push_str(&format!("  {line}\n"));
    }
    Ok(Outcome::ok(text))
}
