//! The books as staff read them — 序时账 (journal), 明细账 (account ledger) and 科目余额表 (trial
//! balance) of one book over a range of months — for anyone who may read that book's party.

use super::{Error, Result, Session};
use crate::domain::balance::{trial_balance as fold_trial_balance, TrialBalance};
use crate::domain::chart::{Chart, Side};
use crate::domain::ids::{BookCode, Period};
use crate::domain::voucher::{Status, VoucherRecord};
use crate::money::Money;
use crate::render::ledger::{AccountLedger, LedgerEntry};
use crate::store::VoucherFilter;

/// Which months: one, a range, or (neither) every month with vouchers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Months {
    pub from: Option<Period>,
    pub to: Option<Period>,
}

impl Months {
    pub fn one(period: Period) -> Months {
        Months { from: Some(period), to: Some(period) }
    }
}

/// Opens the book for reading and settles the months: without a range, from the book's first
/// month with vouchers (or the city's opening month) to its last.
fn open(session: &Session, book: &BookCode, months: Months) -> Result<(super::Pooled, Period, Period, String)> {
    let store = session.read_for(Some(&book.party))?;
    let city = store.reader().city()?;
    city.book_kind(book).map_err(Error::refused)?;
    let organisation = organisation(&city, book);
    let periods = store.reader().voucher_periods(book)?;
    let from = months.from.or(periods.first().copied()).unwrap_or(city.opening_period());
    let to = match months.to {
        Some(to) => to,
        None => periods.last().copied().unwrap_or(from).max(from),
    };
    if from > to {
        return Err(Error::refused(format!("起始期间 {from} 晚于结束期间 {to}")));
    }
    Ok((store, from, to, organisation))
}

/// 编制单位 of a book's reports: the party's name and the fund's (沙洋县医疗保障局 职工医保).
fn organisation(city: &crate::domain::city::City, book: &BookCode) -> String {
    let party = city.party(&book.party).map(|p| p.name.clone()).unwrap_or_else(|| book.party.clone());
    format!("{party}（{}）", city.fund_label(&book.fund))
}

/// A journal: the book's vouchers in the months, posted only unless `all`.
pub struct Journal {
    pub book: BookCode,
    pub from: Period,
    pub to: Period,
    pub vouchers: Vec<VoucherRecord>,
    pub chart: Chart,
    /// 编制单位.
    pub organisation: String,
}

/// The vouchers of a 序时账: posted ones, or with `all` drafts and reviewed ones too.
fn journal_filter(book: &BookCode, from: Period, to: Period, all: bool) -> VoucherFilter {
    VoucherFilter {
        book: Some(book.clone()),
        from: Some(from),
        to: Some(to),
        status: if all { None } else { Some(Status::Posted) },
        ..Default::default()
    }
}

/// Walks a report's items in order, handing each to the function given; may be called more than
/// once (every walk reads the same state).
pub type Walk<'a, T> = dyn Fn(&mut dyn FnMut(T) -> Result<()>) -> Result<()> + 'a;

/// A walk over a journal's vouchers.
pub type JournalWalk<'a> = Walk<'a, VoucherRecord>;

/// Runs a store walk with an application step: the first error of `each` stops the walk and is
/// returned whole (the store only sees that the step failed).
fn walk_store<T>(
    walk: impl FnOnce(&mut dyn FnMut(T) -> crate::store::Result<()>) -> crate::store::Result<()>,
    each: &mut dyn FnMut(T) -> Result<()>,
) -> Result<()> {
    let mut failure = None;
    let walked = walk(&mut |item| {
        each(item).map_err(|e| {
            failure = Some(e);
            crate::store::StoreError::Refused(String::new())
        })
    });
    match failure {
        Some(failure) => Err(failure),
        None => Ok(walked?),
    }
}

/// The 序时账 read a voucher at a time, for a journal too long to hold: memory holds one voucher.
/// `work` gets the journal's heading (its `vouchers` left empty) once access and months are
/// settled, and a walk over its vouchers that it may repeat, all inside one read transaction.
pub fn journal_each<T>(
    session: &Session,
    book: &BookCode,
    months: Months,
    all: bool,
    work: impl FnOnce(&Journal, &JournalWalk<'_>) -> Result<T>,
) -> Result<T> {
    let (store, from, to, organisation) = open(session, book, months)?;
    let reader = store.reader();
    let _snapshot = reader.snapshot()?;
    let journal = Journal { book: book.clone(), from, to, vouchers: Vec::new(), chart: reader.chart()?, organisation };
    work(&journal, &|each| walk_journal(&reader, book, all, (from, to), each))
}

/// Walks a book's vouchers of the months a month at a time (a voucher's month is its date's, so
/// the order is the same): only a month's vouchers are sorted before the first of them comes, not
/// a year's.
fn walk_journal(
    reader: &crate::store::Reader<'_>,
    book: &BookCode,
    all: bool,
    (from, to): (Period, Period),
    each: &mut dyn FnMut(VoucherRecord) -> Result<()>,
) -> Result<()> {
    for month in months_of(from, to) {
        let filter = journal_filter(book, month, month, all);
        walk_store(|step| reader.for_each_voucher(&filter, step), each)?;
    }
    Ok(())
}

/// `journal_each` with a first pass done month by month on two connections at once (`in_two`),
/// for a report that must measure every voucher before it writes the first (a table's columns):
/// `measure` gets the journal's heading and a walk over one month's vouchers; `work` then gets the
/// heading, the walk over the whole range and what `measure` returned for each month in order.
pub fn journal_each_measured<M: Send, T>(
    session: &Session,
    book: &BookCode,
    months: Months,
    all: bool,
    measure: impl Fn(&Journal, &JournalWalk<'_>) -> Result<M> + Sync,
    work: impl FnOnce(&Journal, &JournalWalk<'_>, Vec<M>) -> Result<T>,
) -> Result<T> {
    let (store, from, to, organisation) = open(session, book, months)?;
    let reader = store.reader();
    let snapshot = reader.snapshot()?;
    let journal = Journal { book: book.clone(), from, to, vouchers: Vec::new(), chart: reader.chart()?, organisation };
    let measured = super::in_two::in_two(session, &reader, snapshot.log_seq, &months_of(from, to), |reader, month| {
        measure(&journal, &|each| walk_journal(reader, book, all, (*month, *month), each))
    })?;
    work(&journal, &|each| walk_journal(&reader, book, all, (from, to), each), measured)
}

/// The months `from..=to`.
fn months_of(from: Period, to: Period) -> Vec<Period> {
    let mut months = Vec::new();
    let mut month = from;
    while month <= to {
        months.push(month);
        month = month.next();
    }
    months
}

/// A walk over a 明细账's entries (each with the running balance after it).
pub type LedgerWalk<'a> = Walk<'a, LedgerEntry>;

/// The 明细账 of an account (a parent includes its sub-accounts), with its running balance in the
/// account's normal direction, read an entry at a time: `work` gets the heading (opening, closing
/// and the year's earlier totals, from the maintained balances) and a walk over the entries that
/// it may repeat, all inside one read transaction.
pub fn account_each<T>(
    session: &Session,
    book: &BookCode,
    months: Months,
    code: &str,
    work: impl FnOnce(&AccountLedger, &LedgerWalk<'_>) -> Result<T>,
) -> Result<T> {
    let (store, from, to, organisation) = open(session, book, months)?;
    let reader = store.reader();
    let _snapshot = reader.snapshot()?;
    let ledger = AccountRead::new(&reader, book, code, organisation)?;
    let heading = ledger.heading(from, to);
    work(&heading, &|each| ledger.walk(&reader, &heading, each))
}

/// `account_each` with a first pass over the entries done month by month on two connections at
/// once (`in_two`), for a report that must measure every entry before it writes the first (a
/// table's columns): `measure` gets each month's own heading — its opening, closing and earlier
/// totals from the maintained balances, as if the range were that month — and walk; `work` then
/// gets the whole range's heading and walk, and what `measure` returned for each month in order.
/// At a million vouchers the first pass over a busy account's year halves (its reading is page
/// copies, which two cores do side by side).
pub fn account_each_measured<M: Send, T>(
    session: &Session,
    book: &BookCode,
    months: Months,
    code: &str,
    measure: impl Fn(&AccountLedger, &LedgerWalk<'_>) -> Result<M> + Sync,
    work: impl FnOnce(&AccountLedger, &LedgerWalk<'_>, Vec<M>) -> Result<T>,
) -> Result<T> {
    let (store, from, to, organisation) = open(session, book, months)?;
    let reader = store.reader();
    let snapshot = reader.snapshot()?;
    let ledger = AccountRead::new(&reader, book, code, organisation)?;
    let parts: Vec<AccountLedger> = months_of(from, to).into_iter().map(|month| ledger.heading(month, month)).collect();
    let measured = super::in_two::in_two(session, &reader, snapshot.log_seq, &parts, |reader, part| {
        measure(part, &|each| ledger.walk(reader, part, each))
    })?;
    let heading = ledger.heading(from, to);
    work(&heading, &|each| ledger.walk(&reader, &heading, each), measured)
}

/// An amount of 分 summed in 128 bits, grouped like `Money` when it fits (as it does unless a
/// total was written behind the engine's back).
fn grouped_wide(fen: i128) -> String {
    i64::try_from(fen).map(|fen| Money::from_fen(fen).grouped()).unwrap_or_else(|_| format!("{fen} 分"))
}

/// What a 明细账 reads before its entries: the account, the chart's accounts within it, and the
/// book's maintained totals for them — from which the heading of any range of months follows.
struct AccountRead {
    book: BookCode,
    account: crate::domain::chart::Account,
    within: Vec<String>,
    totals: Vec<crate::domain::balance::PeriodTotals>,
    organisation: String,
}

impl AccountRead {
    fn new(
        reader: &crate::store::Reader<'_>,
        book: &BookCode,
        code: &str,
        organisation: String,
    ) -> Result<AccountRead> {
        let chart = reader.chart()?;
        let account = chart
            .get(code)
            .ok_or_else(|| Error::refused(format!("科目 {} 不在科目表中", crate::domain::ids::quote(code))))?
            .clone();
        let totals = reader.period_totals(book)?.into_iter().filter(|t| chart.is_within(&t.account, code)).collect();
        let within = chart.accounts().map(|a| a.code.clone()).filter(|a| chart.is_within(a, code)).collect();
        Ok(AccountRead { book: book.clone(), account, within, totals, organisation })
    }

    /// A movement signed in the account's normal direction.
    fn sign(&self, debit: i64, credit: i64) -> i64 {
        match self.account.side {
            Side::Debit => debit - credit,
            Side::Credit => credit - debit,
        }
    }

    /// The heading of the months `from..=to`, from the maintained balances.
    fn heading(&self, from: Period, to: Period) -> AccountLedger {
        let (mut opening, mut movement, mut earlier_debit, mut earlier_credit) = (0i64, 0i64, 0i64, 0i64);
        for t in &self.totals {
            let (debit, credit) = (t.debit.fen(), t.credit.fen());
            if t.period < from {
                opening += self.sign(debit, credit);
                if t.period.year == from.year {
                    (earlier_debit, earlier_credit) = (earlier_debit + debit, earlier_credit + credit);
                }
            } else if t.period <= to {
                movement += self.sign(debit, credit);
            }
        }
        AccountLedger {
            book: self.book.clone(),
            account: self.account.code.clone(),
            name: self.account.name.clone(),
            side: self.account.side,
            from,
            to,
            opening: Money::from_fen(opening),
            closing: Money::from_fen(opening + movement),
            earlier_this_year: (Money::from_fen(earlier_debit), Money::from_fen(earlier_credit)),
            organisation: self.organisation.clone(),
        }
    }

    /// How many entries a month has, once its lines' sums are found to be the book's maintained
    /// totals for the month.
    fn count(&self, reader: &crate::store::Reader<'_>, month: Period) -> Result<usize> {
        let within: Vec<&str> = self.within.iter().map(String::as_str).collect();
        let (count, debit, credit) = reader.account_lines_total(&self.book, &within, month)?;
        // In 128 bits: a balance written behind the engine's back may hold any i64.
        let (mut kept_debit, mut kept_credit) = (0i128, 0i128);
        for t in self.totals.iter().filter(|t| t.period == month) {
            (kept_debit, kept_credit) =
                (kept_debit + i128::from(t.debit.fen()), kept_credit + i128::from(t.credit.fen()));
        }
        if (i128::from(debit), i128::from(credit)) != (kept_debit, kept_credit) {
            return Err(Error::integrity(format!(
                "{} {} {month} 的分录合计（借 {}，贷 {}）与账簿余额表（借 {}，贷 {}）不符：账簿余额或分录被改动过，请运行 fundpool check 与 fundpool verify",
                self.book,
                self.account.code,
                Money::from_fen(debit).grouped(),
                Money::from_fen(credit).grouped(),
                grouped_wide(kept_debit),
                grouped_wide(kept_credit)
            )));
        }
        Ok(count)
    }

    /// Walks the entries of the heading's months from its opening balance; the last must end at
    /// its closing.
    fn walk(
        &self,
        reader: &crate::store::Reader<'_>,
        heading: &AccountLedger,
        each: &mut dyn FnMut(LedgerEntry) -> Result<()>,
    ) -> Result<()> {
        let within: Vec<&str> = self.within.iter().map(String::as_str).collect();
        let mut balance = heading.opening.fen();
        walk_store(
            |step| {
                reader.for_each_account_line(
                    &self.book,
                    &within,
                    (heading.from, heading.to),
                    |date, number, account, summary, debit, credit| {
                        balance += self.sign(debit, credit);
                        step(LedgerEntry {
                            date: date.to_string(),
                            month: Period::of(date),
                            number: number.to_string(),
                            account: account.to_string(),
                            summary: summary.to_string(),
                            debit: Money::from_fen(debit),
                            credit: Money::from_fen(credit),
                            balance: Money::from_fen(balance),
                        })
                    },
                )
            },
            each,
        )?;
        // The closing shown before the entries came from the maintained balances: the entries
        // must end there, or one of the two was changed behind the engine's back.
        if balance != heading.closing.fen() {
            return Err(Error::integrity(format!(
                "{} {} 的明细账逐笔累计余额 {} 与账簿余额表的期末余额 {} 不符：账簿余额或分录被改动过，请运行 fundpool check 与 fundpool verify",
                self.book,
                self.account.code,
                Money::from_fen(balance).grouped(),
                heading.closing.grouped()
            )));
        }
        Ok(())
    }
}

/// Which part of a long report a page shows: the page (from 1), how many pages there are, and
/// how many items (vouchers, rows) in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub page: usize,
    pub pages: usize,
    pub total: usize,
    pub size: usize,
}

impl Window {
    /// The window of `size` items asked for as `page`, among `total` (the last page when past it).
    fn of(page: usize, size: usize, total: usize) -> Window {
        let pages = total.div_ceil(size.max(1)).max(1);
        Window { page: page.clamp(1, pages), pages, total, size: size.max(1) }
    }

    /// The items (by position, from 0) the page shows.
    pub fn items(&self) -> std::ops::Range<usize> {
        // Saturating: a page asked for by URL may be any number.
        let start = self.page.saturating_sub(1).saturating_mul(self.size);
        start.min(self.total)..start.saturating_add(self.size).min(self.total)
    }
}

/// One page of the 序时账 (`size` vouchers), for a screen: a year of a busy book is tens of
/// thousands of vouchers, more than a page can hold. Each month's vouchers are counted by the
/// indexes, and only the months the page falls in are read: a page costs a month's reading, not
/// the year's (at 1M vouchers a page of a year read the whole year, 0.4 s).
pub fn journal_page(
    session: &Session,
    book: &BookCode,
    months: Months,
    all: bool,
    page: usize,
    size: usize,
) -> Result<(Journal, Window)> {
    let (store, from, to, organisation) = open(session, book, months)?;
    let reader = store.reader();
    let _snapshot = reader.snapshot()?;
    let mut counts = Vec::new();
    let mut month = from;
    while month <= to {
        counts.push((month, reader.count_vouchers(&journal_filter(book, month, month, all))?));
        month = month.next();
    }
    let window = Window::of(page, size, counts.iter().map(|(_, count)| count).sum());
    let wanted = window.items();
    let mut vouchers = Vec::new();
    let mut position = 0;
    for (month, count) in counts {
        let months_items = position..position + count;
        if months_items.start < wanted.end && wanted.start < months_items.end {
            walk_store(
                |step| reader.for_each_voucher(&journal_filter(book, month, month, all), step),
                &mut |voucher| {
                    if wanted.contains(&position) {
                        vouchers.push(voucher);
                    }
                    position += 1;
                    Ok(())
                },
            )?;
        }
        position = months_items.end;
    }
    let journal = Journal { book: book.clone(), from, to, vouchers, chart: reader.chart()?, organisation };
    Ok((journal, window))
}

/// One page of the 明细账's sheet rows (期初余额, entries, each month's totals; `size` rows), with
/// its heading (opening, closing). Each month's lines are counted and summed by SQLite, on two
/// connections at once, and only the months the page falls in are read: a page of a busy
/// account's year cost the year's reading (0.15 s at 1M). Every month's sums must be the book's
/// maintained totals for it, so a balance or line changed behind the engine's back is an
/// integrity error on any page, as it was when every page walked the year.
pub fn account_page(
    session: &Session,
    book: &BookCode,
    months: Months,
    code: &str,
    page: usize,
    size: usize,
) -> Result<(AccountLedger, Vec<crate::render::ledger::SheetRow>, Window)> {
    use crate::render::ledger::SheetRows;
    let (store, from, to, organisation) = open(session, book, months)?;
    let reader = store.reader();
    let snapshot = reader.snapshot()?;
    let ledger = AccountRead::new(&reader, book, code, organisation)?;
    let months = months_of(from, to);
    let counts = super::in_two::in_two(session, &reader, snapshot.log_seq, &months, |reader, month| {
        ledger.count(reader, *month)
    })?;
    // 期初余额, then each month's entries and its 本月合计 and 本年累计.
    let window = Window::of(page, size, 1 + counts.iter().map(|count| count + 2).sum::<usize>());
    let wanted = window.items();
    let heading = ledger.heading(from, to);
    let mut rows = Vec::new();
    if wanted.contains(&0) {
        rows.extend(SheetRows::start(&heading).1);
    }
    let mut position = 1;
    for (month, count) in months.into_iter().zip(counts) {
        let months_rows = position..position + count + 2;
        if months_rows.start < wanted.end && wanted.start < months_rows.end {
            let part = ledger.heading(month, month);
            let (mut sheet, _) = SheetRows::start(&part);
            let mut at = position;
            let mut keep = |row| {
                if wanted.contains(&at) {
                    rows.push(row);
                }
                at += 1;
            };
            ledger.walk(&reader, &part, &mut |entry| {
                sheet.entry(&entry).into_iter().for_each(&mut keep);
                Ok(())
            })?;
            sheet.end().into_iter().for_each(&mut keep);
        }
        position = months_rows.end;
    }
    Ok((heading, rows, window))
}

/// A workbook written a row at a time, and its sheet's title: what the CLI saves to `--output`
/// and the server sends as a download.
pub struct Workbook {
    pub writer: crate::render::xlsx::SheetWriter,
    pub title: String,
}

fn excel_failed(e: String) -> Error {
    Error::refused(format!("无法生成 Excel：{e}"))
}

/// The 序时账 as a spreadsheet, written a voucher at a time into the workbook's temporary rows
/// (constant memory, whatever the journal's length).
pub fn journal_workbook(session: &Session, book: &BookCode, months: Months, all: bool) -> Result<Workbook> {
    use crate::render::sheets;
    journal_each(session, book, months, all, |journal, walk| {
        let mut writer = sheets::journal_writer(&journal.organisation, &journal.book, journal.from, journal.to)
            .map_err(excel_failed)?;
        let mut totals = sheets::JournalTotals::default();
        walk(&mut |voucher| {
            for row in sheets::journal_rows(&voucher, &journal.chart) {
                writer.row(&row, false).map_err(excel_failed)?;
            }
            totals.add(&voucher);
            Ok(())
        })?;
        writer.row(&totals.row(), true).map_err(excel_failed)?;
        Ok(Workbook { writer, title: sheets::journal_sheet_title(&journal.book) })
    })
}

/// The 明细账 as a spreadsheet, written an entry at a time.
pub fn account_workbook(session: &Session, book: &BookCode, months: Months, code: &str) -> Result<Workbook> {
    use crate::render::{ledger, sheets};
    account_each(session, book, months, code, |l, walk| {
        let mut writer = sheets::ledger_writer(&l.organisation, l).map_err(excel_failed)?;
        let mut write = |rows: Vec<ledger::SheetRow>| {
            rows.into_iter().try_for_each(|row| {
                let (cells, strong) = ledger::sheet_cells(l, row);
                writer.row(&cells, strong).map_err(excel_failed)
            })
        };
        let (mut sheet, opening) = ledger::SheetRows::start(l);
        write(opening)?;
        walk(&mut |entry| write(sheet.entry(&entry)))?;
        write(sheet.end())?;
        Ok(Workbook { writer, title: sheets::ledger_sheet_title(l) })
    })
}

/// The 科目余额表 of the book over the months.
pub fn trial_balance(session: &Session, book: &BookCode, months: Months) -> Result<TrialBalance> {
    Ok(trial_balance_of(session, book, months)?.0)
}

/// The 科目余额表 with its 编制单位 (for the spreadsheet).
pub fn trial_balance_of(session: &Session, book: &BookCode, months: Months) -> Result<(TrialBalance, String)> {
    let (store, from, to, organisation) = open(session, book, months)?;
    let chart = store.reader().chart()?;
    let totals = store.reader().period_totals(book)?;
    Ok((fold_trial_balance(&chart, &totals, from, to), organisation))
}

/// One voucher of a book with the chart to name its accounts.
pub fn voucher(
    session: &Session,
    book: &BookCode,
    number: crate::domain::ids::VoucherNo,
) -> Result<(VoucherRecord, Chart)> {
    let store = session.read_for(Some(&book.party))?;
    let reader = store.reader();
    reader.city()?.book_kind(book).map_err(Error::refused)?;
    let found = reader.voucher(book, number)?.ok_or_else(|| {
        Error::refused(
            crate::domain::rejection::Rejection::VoucherNotFound { book: book.clone(), number: number.to_string() }
                .to_string(),
        )
    })?;
    Ok((found, reader.chart()?))
}

/// The vouchers of a book that match a search, in number order (the dates narrow what is read).
pub fn find(
    session: &Session,
    book: &BookCode,
    search: &crate::domain::search::Search,
) -> Result<(Vec<VoucherRecord>, Chart)> {
    let store = session.read_for(Some(&book.party))?;
    let reader = store.reader();
    reader.city()?.book_kind(book).map_err(Error::refused)?;
    let filter = VoucherFilter {
        book: Some(book.clone()),
        from: search.from.map(Period::of),
        to: search.to.map(Period::of),
        ..Default::default()
    };
    let found = reader.vouchers(&filter)?.into_iter().filter(|v| search.matches(v)).collect();
    Ok((found, reader.chart()?))
}

/// What a 记账凭证 print run needs: the month's vouchers (or the named ones), the chart and the
/// 编制单位. Voided drafts are left out: a 作废 voucher is not printed for binding.
pub struct PrintRun {
    pub vouchers: Vec<VoucherRecord>,
    pub chart: Chart,
    pub organisation: String,
}

pub fn print_run(
    session: &Session,
    book: &BookCode,
    period: Period,
    numbers: &[crate::domain::ids::VoucherNo],
) -> Result<PrintRun> {
    let (store, _, _, organisation) = open(session, book, Months::one(period))?;
    let reader = store.reader();
    let filter = VoucherFilter { book: Some(book.clone()), from: Some(period), to: Some(period), ..Default::default() };
    let vouchers: Vec<VoucherRecord> = reader
        .vouchers(&filter)?
        .into_iter()
        .filter(|v| v.void_reason.is_none() && (numbers.is_empty() || numbers.contains(&v.number)))
        .collect();
    if let Some(missing) = numbers.iter().find(|n| !vouchers.iter().any(|v| v.number == **n)) {
        return Err(Error::refused(format!("{book} {period} 中没有可打印的凭证 {missing}（或已作废）")));
    }
    if vouchers.is_empty() {
        return Err(Error::refused(format!("{book} {period} 没有凭证可打印")));
    }
    Ok(PrintRun { vouchers, chart: reader.chart()?, organisation })
}

#[cfg(test)]
mod tests {
    use super::Window;

    #[test]
    fn a_window_is_clamped_to_the_pages_there_are() {
        let of = |page, total| {
            let w = Window::of(page, 500, total);
            (w.page, w.pages, w.items())
        };
        assert_eq!(of(1, 1_100), (1, 3, 0..500));
        assert_eq!(of(3, 1_100), (3, 3, 1_000..1_100));
        assert_eq!(of(9, 1_100), (3, 3, 1_000..1_100), "past the end: the last page");
        assert_eq!(of(0, 1_100), (1, 3, 0..500));
        assert_eq!(of(2, 1_000), (2, 2, 500..1_000));
        assert_eq!(of(1, 0), (1, 1, 0..0), "nothing is one empty page");
    }
}
