//! The books: 序时账, 明细账 (本月合计, 本年累计) and 科目余额表, each with an xlsx download.

use super::*;

// ---------------------------------------------------------------- books

#[derive(Deserialize, Default)]
pub struct BookQuery {
    book: Option<String>,
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
    account: Option<String>,
    xlsx: Option<String>,
    page: Option<String>,
}

impl BookQuery {
    /// The page asked for (from 1; anything else is the first).
    fn page(&self) -> usize {
        self.page.as_deref().and_then(|p| p.trim().parse().ok()).unwrap_or(1)
    }

    fn months(&self) -> Result<reports::Months, Error> {
        let parse = |t: &Option<String>| {
            t.as_deref().filter(|t| !t.is_empty()).map(|t| Period::parse(t).map_err(Error::refused)).transpose()
        };
        Ok(match parse(&self.period)? {
            Some(p) => reports::Months::one(p),
            None => reports::Months { from: parse(&self.from)?, to: parse(&self.to)? },
        })
    }
}

pub(super) async fn picker(me: &LoggedIn, action: &str, q: &BookQuery, with_account: bool) -> Markup {
    let books = books_for(me, None).await.unwrap_or_default();
    html! {
        form.picker method="get" action=(action) {
            label { "账簿 " (book_select(&books, q.book.as_deref())) }
            @if with_account {
                label { "科目 " input type="text" name="account" id="account" value=(q.account.clone().unwrap_or_default()); }
                label { "自 " input type="month" name="from" value=(q.from.clone().unwrap_or_default()); }
                label { "至 " input type="month" name="to" value=(q.to.clone().unwrap_or_default()); }
            } @else {
                label { "期间 " input type="month" name="period" id="period" value=(q.period.clone().unwrap_or_default()); }
            }
            button type="submit" id="show" { "查询" }
        }
    }
}

/// Runs a report of one book over the query's months; on a refusal, the page with the picker and
/// the reason (403 for a book the user may not read).
pub(super) async fn book_report<T: Send + 'static>(
    me: &LoggedIn,
    book: String,
    q: &BookQuery,
    title: &str,
    picker: &Markup,
    report: impl FnOnce(&crate::app::Session, &BookCode, reports::Months) -> crate::app::Result<T> + Send + 'static,
) -> Result<T, Response> {
    let (who, months) = (me.clone(), q.months());
    let result = blocking(move || {
        let book = BookCode::parse(&book).map_err(Error::refused)?;
        report(&who.session(), &book, months?)
    })
    .await;
    result.map_err(|error| {
        let body = html! { (picker) (error_box(&error)) };
        (status_of(Some(&error)), page(Some(me), title, body)).into_response()
    })
}

pub async fn journal(me: LoggedIn, Query(q): Query<BookQuery>) -> Response {
    let picker = picker(&me, "/journal", &q, false).await;
    let Some(book) = q.book.clone() else { return page(Some(&me), "序时账", picker).into_response() };
    if q.xlsx.is_some() {
        // Written a voucher at a time, as the command line writes it: the same spreadsheet.
        let bytes = book_report(&me, book, &q, "序时账", &picker, |session, book, months| {
            workbook_bytes(reports::journal_workbook(session, book, months, true)?)
        });
        return match bytes.await {
            Ok(bytes) => xlsx_response(bytes, "journal.xlsx"),
            Err(response) => response,
        };
    }
    let asked = q.page();
    let (j, window) = match book_report(&me, book, &q, "序时账", &picker, move |session, book, months| {
        reports::journal_page(session, book, months, true, asked, JOURNAL_PAGE)
    })
    .await
    {
        Ok(j) => j,
        Err(response) => return response,
    };
    let query = format!("/journal?book={}&from={}&to={}", j.book, j.from, j.to);
    let body = html! {
        (picker)
        h2 { (j.book) " " (j.from) " 至 " (j.to) }
        p { a id="download-xlsx" href={ (query) "&xlsx=1" } { "下载 xlsx" } }
        (pages(&window, &query, "张凭证"))
        table {
            thead { tr { th { "日期" } th { "凭证号" } th { "状态" } th { "摘要" } th { "科目" } th { "借方" } th { "贷方" } } }
            tbody {
                @for v in &j.vouchers {
                    @for (i, line) in v.lines.iter().enumerate() {
                        tr {
                            td { @if i == 0 { (v.date) } }
                            td { @if i == 0 { a href={ "/voucher?book=" (v.book) "&number=" (v.number) } { (v.number) } } }
                            td { @if i == 0 { (v.status.label()) } }
                            td { (line.summary) }
                            td { (line.account) " " (j.chart.get(&line.account).map(|a| a.name.clone()).unwrap_or_default()) }
                            td.num { @if line.side == Side::Debit { (line.amount.grouped()) } }
                            td.num { @if line.side == Side::Credit { (line.amount.grouped()) } }
                        }
                    }
                }
            }
        }
        (pages(&window, &query, "张凭证"))
    };
    page(Some(&me), "序时账", body).into_response()
}

/// Vouchers on a page of the 序时账 and rows on a page of the 明细账: a year of a busy book would
/// be a page no browser opens.
const JOURNAL_PAGE: usize = 500;
const LEDGER_PAGE: usize = 1_000;

/// Where a long report's page stands among its pages, with links to the others (nothing when
/// it fits on one).
fn pages(window: &reports::Window, query: &str, noun: &str) -> Markup {
    let range = window.items();
    html! {
        @if window.pages > 1 {
            p.pages {
                "第 " (window.page) " / " (window.pages) " 页（第 " (range.start + 1) "–" (range.end) " 项，共 " (window.total) " " (noun) "）"
                @if window.page > 1 {
                    " " a.previous href={ (query) "&page=" (window.page - 1) } { "上一页" }
                }
                @if window.page < window.pages {
                    " " a.next href={ (query) "&page=" (window.page + 1) } { "下一页" }
                }
            }
        }
    }
}

pub async fn ledger(me: LoggedIn, Query(q): Query<BookQuery>) -> Response {
    let picker = picker(&me, "/ledger", &q, true).await;
    let (Some(book), Some(account)) = (q.book.clone(), q.account.clone().filter(|a| !a.is_empty())) else {
        return page(Some(&me), "明细账", picker).into_response();
    };
    if q.xlsx.is_some() {
        let bytes = book_report(&me, book, &q, "明细账", &picker, move |session, book, months| {
            workbook_bytes(reports::account_workbook(session, book, months, account.trim())?)
        });
        return match bytes.await {
            Ok(bytes) => xlsx_response(bytes, "ledger.xlsx"),
            Err(response) => response,
        };
    }
    let asked = q.page();
    let (l, rows, window) = match book_report(&me, book, &q, "明细账", &picker, move |session, book, months| {
        reports::account_page(session, book, months, account.trim(), asked, LEDGER_PAGE)
    })
    .await
    {
        Ok(l) => l,
        Err(response) => return response,
    };
    let closing = l.closing;
    let query = format!(
        "/ledger?book={}&account={}&from={}&to={}",
        l.book,
        l.account,
        q.from.clone().unwrap_or_default(),
        q.to.clone().unwrap_or_default()
    );
    let last = window.page == window.pages;
    let body = html! {
        (picker)
        h2 { (l.book) " " (l.account) " " (l.name) "（" (l.from) " 至 " (l.to) "）" }
        p { a id="download-xlsx" href={ (query) "&xlsx=1" } { "下载 xlsx" } }
        (pages(&window, &query, "行"))
        table id="ledger" {
            thead { tr { th { "日期" } th { "凭证号" } th { "摘要" } th { "借方" } th { "贷方" } th { "余额" } } }
            tbody {
                @for (date, number, summary, debit, credit, balance) in &rows {
                    @let subtotal = number.is_empty();
                    tr class=@if subtotal { "total" } {
                        td { (date) } td { (number) } td { (summary) }
                        td.num { (debit.map(|m| m.grouped()).unwrap_or_default()) }
                        td.num { (credit.map(|m| m.grouped()).unwrap_or_default()) }
                        td.num { (balance.grouped()) }
                    }
                }
                @if last {
                    tr.total { td {} td {} td { "期末余额" } td {} td {} td.num id="closing-balance" { (closing.grouped()) } }
                }
            }
        }
        (pages(&window, &query, "行"))
    };
    page(Some(&me), "明细账", body).into_response()
}

/// A sheet as an xlsx download named `name` (an error page if it cannot be made).
pub(super) fn xlsx_download(me: &LoggedIn, sheet: Sheet, name: &str) -> Response {
    match sheet.xlsx() {
        Ok(bytes) => xlsx_response(bytes, name),
        Err(e) => error_page(me, Error::refused(format!("无法生成 Excel：{e}"))),
    }
}

/// A workbook's bytes as a download named `name`.
fn xlsx_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

/// A workbook written a row at a time, saved into memory (its zip: a few megabytes for a year).
fn workbook_bytes(workbook: reports::Workbook) -> crate::app::Result<Vec<u8>> {
    workbook.writer.into_bytes().map_err(|e| Error::refused(format!("无法生成 Excel：{e}")))
}

pub async fn trial_balance(me: LoggedIn, Query(q): Query<BookQuery>) -> Response {
    let picker = picker(&me, "/trial-balance", &q, false).await;
    let Some(book) = q.book.clone() else { return page(Some(&me), "科目余额表", picker).into_response() };
    let book_code = book.clone();
    let (tb, organisation) = match book_report(&me, book, &q, "科目余额表", &picker, reports::trial_balance_of).await
    {
        Ok(found) => found,
        Err(response) => return response,
    };
    let title = format!("科目余额表 {book_code} {} 至 {}", tb.period_from, tb.period_to);
    if q.xlsx.is_some() {
        let sheet = sheets::trial_balance(&organisation, &book_code, &tb);
        return match sheet.xlsx() {
            Ok(bytes) => (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                    ),
                    (header::CONTENT_DISPOSITION, "attachment; filename=\"trial-balance.xlsx\"".to_string()),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => error_page(&me, Error::refused(format!("无法生成 Excel：{e}"))),
        };
    }
    let period = q.period.clone().unwrap_or_default();
    let body = html! {
        (picker)
        h2 { (title) }
        p { a id="download-xlsx" href={ "/trial-balance?book=" (book_code) "&period=" (period) "&xlsx=1" } { "下载 xlsx" } }
        table {
            thead { tr { th { "科目编码" } th { "科目名称" } th { "期初余额" } th { "本期借方" } th { "本期贷方" } th { "期末余额" } } }
            tbody {
                @for r in &tb.rows {
                    tr { td { (r.account) } td { (r.name) } td.num { (r.opening.grouped()) } td.num { (r.debit.grouped()) } td.num { (r.credit.grouped()) } td.num { (r.closing.grouped()) } }
                }
                tr.total { td { "合计" } td {} td {} td.num { (tb.totals.debit.grouped()) } td.num { (tb.totals.credit.grouped()) } td { @if tb.totals.ties() { "平衡" } @else { "不平衡" } } }
            }
        }
    };
    page(Some(&me), "科目余额表", body).into_response()
}
