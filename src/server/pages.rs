//! The pages staff work in, in Chinese, rendered on the server with plain forms: 登录, 首页,
//! 凭证录入, 审核 and 记账 queues, the 记账凭证 print view, 序时账, 明细账, 科目余额表 (with an
//! xlsx download), 对账 and 结账, 审计 and 用户. Every form carries the session's CSRF token; every
//! action goes through the application layer.

use super::api::start_session;
use super::auth::{client_address, set_cookie, LoggedIn};
use super::{blocking, Shared};
use crate::app::{closing, ledger, reconcile, reports, users, Error};
use crate::domain::access::Role;
use crate::domain::chart::Side;
use crate::domain::ids::{BookCode, Period, VoucherNo};
use crate::domain::voucher::{Status, VoucherRecord};
use crate::import::voucher_file::Format;
use crate::money::Money;
use crate::plan::deadlines::{Obligation, Status as DeadlineStatus};
use crate::render::xlsx::{Cell, Sheet};
use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;

const CSS: &str = include_str!("fundpool.css");

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response()
}

/// A page with the navigation for `me`.
fn page(me: Option<&LoggedIn>, title: &str, body: Markup) -> Html<String> {
    let markup = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                title { (title) " · fundpool 医保基金市级统筹" }
                link rel="stylesheet" href="/static/fundpool.css";
            }
            body {
                @if let Some(me) = me {
                    nav {
                        a href="/" { "首页" }
                        a href="/vouchers/new" { "凭证录入" }
                        a href="/events" { "业务事件" }
                        a href="/queue/review" { "审核" }
                        a href="/queue/post" { "记账" }
                        a href="/journal" { "序时账" }
                        a href="/ledger" { "明细账" }
                        a href="/trial-balance" { "科目余额表" }
                        a href="/reconcile" { "对账结账" }
                        a href="/plans" { "用款计划" }
                        a href="/deadlines" { "截止事项" }
                        a href="/audit" { "审计" }
                        a href="/users" { "用户" }
                        span.who { "当前用户：" (me.user()) }
                        form.inline method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(me.csrf);
                            button type="submit" { "退出" }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    };
    Html(markup.into_string())
}

fn error_box(error: &Error) -> Markup {
    html! { div.error role="alert" { @for line in error.message.lines() { p { (line.trim()) } } } }
}

fn error_page(me: &LoggedIn, error: Error) -> Response {
    (status_of(Some(&error)), page(Some(me), "无法完成", error_box(&error))).into_response()
}

/// 200, or the status of an error shown on the page: 403 for a missing grant, 422 otherwise.
fn status_of(error: Option<&Error>) -> StatusCode {
    match error.map(|e| e.kind) {
        None => StatusCode::OK,
        Some(crate::app::ErrorKind::Forbidden) => StatusCode::FORBIDDEN,
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The city's name of each fund, by code.
async fn fund_names(me: &LoggedIn) -> HashMap<String, String> {
    let me = me.clone();
    blocking(move || {
        let store = me.session().read()?;
        let city = store.reader().city()?;
        Ok(city.fund.into_iter().map(|f| (f.code, f.name)).collect())
    })
    .await
    .unwrap_or_default()
}

fn csrf_field(me: &LoggedIn) -> Markup {
    html! { input type="hidden" name="csrf" value=(me.csrf); }
}

/// The books the user may work in with `role` (or read, with `None`).
async fn books_for(me: &LoggedIn, role: Option<Role>) -> Result<Vec<BookCode>, Error> {
    let me = me.clone();
    blocking(move || {
        let store = me.session().read()?;
        let books = store.reader().books()?;
        Ok(books
            .into_iter()
            .filter(|b| match role {
                Some(role) => me.actor.may(role, &b.party),
                None => me.actor.may_read(&b.party),
            })
            .collect())
    })
    .await
}

fn book_select(books: &[BookCode], chosen: Option<&str>) -> Markup {
    html! {
        select name="book" id="book" {
            @for book in books {
                @let code = book.to_string();
                option value=(code) selected[chosen == Some(code.as_str())] { (code) }
            }
        }
    }
}

// ---------------------------------------------------------------- login

pub async fn login_form() -> Html<String> {
    login_page(None)
}

fn login_page(error: Option<&str>) -> Html<String> {
    page(
        None,
        "登录",
        html! {
            @if let Some(error) = error { div.error role="alert" { p { (error) } } }
            form method="post" action="/login" {
                label { "用户名 " input type="text" name="user" id="user" autofocus; }
                label { "密码 " input type="password" name="password" id="password"; }
                button type="submit" id="login" { "登录" }
            }
        },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    user: String,
    password: String,
}

pub async fn login(
    State(state): State<Shared>,
    connect: Option<ConnectInfo<SocketAddr>>,
    headers: axum::http::HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let address = client_address(connect.map(|c| c.0), &headers, state.config.trust_proxy);
    match start_session(&state, &address, form.user, form.password).await {
        Ok((token, _, _)) => {
            ([(header::SET_COOKIE, set_cookie(&token, state.config.session_seconds))], Redirect::to("/"))
                .into_response()
        }
        Err(response) => {
            let status = response.status();
            let message = if status == StatusCode::TOO_MANY_REQUESTS {
                "登录失败次数过多：请 5 分钟后再试"
            } else {
                "用户名或密码不对"
            };
            (status, login_page(Some(message))).into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: Option<String>,
}

pub async fn logout(me: LoggedIn, Form(form): Form<CsrfOnly>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let who = me.clone();
    let _ = blocking(move || users::web_logout(&who.session(), &who.token)).await;
    ([(header::SET_COOKIE, set_cookie("", 0))], Redirect::to("/login")).into_response()
}

// ---------------------------------------------------------------- home

pub async fn home(me: LoggedIn) -> Response {
    let who = me.clone();
    let result = blocking(move || {
        let session = who.session();
        let store = session.read()?;
        let reader = store.reader();
        let today = session.today()?;
        let period = Period::of(today);
        let closed = reader.closed_periods()?;
        let mut rows = Vec::new();
        for book in reader.books()?.into_iter().filter(|b| who.actor.may_read(&b.party)) {
            let count = |status| reader.count_status(Some(&book), Some(period), status);
            rows.push((
                book.clone(),
                count(Status::Draft)?,
                count(Status::Reviewed)?,
                count(Status::Posted)?,
                closed.contains(&(book.clone(), period)),
            ));
        }
        // Obligations overdue, or due within the next 10 working days, of the parties the user reads.
        let calendar = crate::calendar::Calendar::embedded();
        let city = reader.city()?;
        let deadlines = match crate::app::plans::obligations(&store, &calendar, today) {
            Ok(list) => {
                let horizon = calendar.nth_working_day_after(today, 10).unwrap_or(today);
                let list = list
                    .into_iter()
                    .filter(|o| who.actor.may_read(&o.party))
                    .filter(|o| o.status == DeadlineStatus::Overdue || (o.met_on.is_none() && o.due <= horizon))
                    .collect();
                Ok(named(list, &city))
            }
            Err(error) => Err(error.message),
        };
        let reconciled = match reader.latest_full_run(period)? {
            Some(run) => format!("本月已对账：对账记录 #{}（{}），差异 {} 处", run.id, run.run_at, run.differences),
            None => "本月尚未对账".to_string(),
        };
        Ok((period, rows, deadlines, reconciled))
    })
    .await;
    let (period, rows, deadlines, reconciled) = match result {
        Ok(found) => found,
        Err(error) => return error_page(&me, error),
    };
    page(
        Some(&me),
        &format!("{period} 各账簿"),
        html! {
            p id="reconciled" { (reconciled) }
            table {
                thead { tr { th { "账簿" } th { "未审核" } th { "已审核" } th { "已记账" } th { "结账" } } }
                tbody {
                    @for (book, drafts, reviewed, posted, closed) in &rows {
                        tr {
                            td { a href={ "/journal?book=" (book) "&period=" (period) } { (book) } }
                            td.num { (drafts) } td.num { (reviewed) } td.num { (posted) }
                            td { @if *closed { "已结账" } @else { "未结账" } }
                        }
                    }
                }
            }
            @if rows.is_empty() { p { "您还没有任何账簿的权限：请联系管理员授权。" } }
            h2 { "未来 10 个工作日内到期及已逾期的事项" }
            (deadline_table(&deadlines))
        },
    )
    .into_response()
}

/// Obligations with the parties' and funds' names in place of their codes, for display.
fn named(list: Vec<Obligation>, city: &crate::domain::city::City) -> Vec<Obligation> {
    list.into_iter()
        .map(|mut o| {
            o.party = city.short_name(&o.party);
            o.fund = city.fund(&o.fund).map(|f| f.name.clone()).unwrap_or(o.fund);
            o
        })
        .collect()
}

fn deadline_sheet(as_of: &str, list: &[Obligation]) -> Sheet {
    Sheet {
        title: format!("截止事项（截至 {as_of}）"),
        headers: ["依据", "期限", "经办机构", "基金", "事项", "金额", "完成日期", "状态"].map(String::from).to_vec(),
        rows: list
            .iter()
            .map(|o| {
                vec![
                    Cell::Text(o.rule.to_string()),
                    Cell::Text(o.due.to_string()),
                    Cell::Text(o.party.clone()),
                    Cell::Text(o.fund.clone()),
                    Cell::Text(o.what.clone()),
                    o.amount.map(Cell::Amount).unwrap_or(Cell::Text(String::new())),
                    Cell::Text(o.met_on.map(|d| d.to_string()).unwrap_or_default()),
                    Cell::Text(o.status.label()),
                ]
            })
            .collect(),
    }
}

fn deadline_table(deadlines: &Result<Vec<Obligation>, String>) -> Markup {
    html! {
        @match deadlines {
            Err(message) => { p { "期限监控不可用：" (message) } }
            Ok(list) if list.is_empty() => { p id="deadlines-none" { "没有" } }
            Ok(list) => {
                table id="deadlines" {
                    thead { tr { th { "依据" } th { "期限" } th { "经办机构" } th { "基金" } th { "事项" } th { "金额" } th { "状态" } } }
                    tbody {
                        @for o in list {
                            tr class=@if o.status == DeadlineStatus::Overdue { "overdue" } {
                                td { (o.rule) } td { (o.due) } td { (o.party) } td { (o.fund) } td { (o.what) }
                                td.num { (o.amount.map(|m| m.grouped()).unwrap_or_default()) }
                                td { (o.status.label()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct AsOf {
    as_of: Option<String>,
    xlsx: Option<String>,
}

/// 截止事项: every obligation of the timetable on a day (default today).
pub async fn deadlines(me: LoggedIn, Query(q): Query<AsOf>) -> Response {
    let who = me.clone();
    let as_of_text = q.as_of.clone();
    let result = blocking(move || {
        let session = who.session();
        let as_of = match as_of_text.as_deref().filter(|t| !t.is_empty()) {
            Some(text) => crate::domain::ids::parse_date(text).map_err(Error::refused)?,
            None => session.today()?,
        };
        let store = session.read_for(None)?;
        let list = crate::app::plans::obligations(&store, &crate::calendar::Calendar::embedded(), as_of)?;
        Ok((as_of, named(list, &store.reader().city()?)))
    })
    .await;
    match result {
        Ok((as_of, list)) if q.xlsx.is_some() => {
            xlsx_download(&me, deadline_sheet(&as_of.to_string(), &list), "deadlines.xlsx")
        }
        Ok((as_of, list)) => page(
            Some(&me),
            "截止事项",
            html! {
                form.picker method="get" action="/deadlines" {
                    label { "截至 " input type="date" name="as_of" value=(as_of); }
                    button type="submit" { "查询" }
                }
                p { "已逾期 " (list.iter().filter(|o| o.status == DeadlineStatus::Overdue).count()) " 项 · "
                    a id="download-xlsx" href={ "/deadlines?as_of=" (as_of) "&xlsx=1" } { "下载 xlsx" } }
                (deadline_table(&Ok(list)))
            },
        )
        .into_response(),
        Err(error) => error_page(&me, error),
    }
}

/// 用款计划: every plan with its months and workflow.
pub async fn plans(me: LoggedIn) -> Response {
    let who = me.clone();
    let result = blocking(move || {
        let store = who.session().read_for(None)?;
        let plans = store.reader().plans()?;
        Ok(plans)
    })
    .await;
    match result {
        Ok(plans) => page(
            Some(&me),
            "用款计划",
            html! {
                table id="plans" {
                    thead { tr { th { "经办机构" } th { "基金" } th { "季度" } th { "合计" } th { "状态" } th { "报送" } th { "汇总" } th { "审核" } th { "复核" } } }
                    tbody {
                        @for plan in &plans {
                            @let step = |s: &Option<(String, chrono::NaiveDate)>| s.as_ref().map(|(who, on)| format!("{who} {on}")).unwrap_or_default();
                            tr {
                                td { (plan.party) } td { (plan.fund) } td { (plan.quarter) } td.num { (plan.total.grouped()) }
                                td { (plan.status.label()) } td { (step(&plan.submitted)) } td { (step(&plan.combined)) }
                                td { (step(&plan.approved)) } td { (step(&plan.checked)) }
                            }
                        }
                    }
                }
                @if plans.is_empty() { p { "还没有用款计划：用 fundpool plan create 或 plan import 录入。" } }
            },
        )
        .into_response(),
        Err(error) => error_page(&me, error),
    }
}

// ---------------------------------------------------------------- voucher entry

const FORM_LINES: usize = 4;

#[derive(Deserialize, Default)]
pub struct VoucherForm {
    csrf: Option<String>,
    book: Option<String>,
    date: Option<String>,
    attachments: Option<String>,
    #[serde(flatten)]
    lines: HashMap<String, String>,
}

impl VoucherForm {
    fn field(&self, name: &str, index: usize) -> String {
        self.lines.get(&format!("{name}{index}")).cloned().unwrap_or_default()
    }
}

async fn leaf_accounts(me: &LoggedIn) -> Vec<(String, String)> {
    let me = me.clone();
    blocking(move || {
        let store = me.session().read()?;
        let chart = store.reader().chart()?;
        Ok(chart.accounts().filter(|a| a.is_leaf).map(|a| (a.code.clone(), a.name.clone())).collect())
    })
    .await
    .unwrap_or_default()
}

async fn voucher_page(me: &LoggedIn, form: &VoucherForm, error: Option<&Error>) -> Response {
    let books = books_for(me, Some(Role::Maker)).await.unwrap_or_default();
    let accounts = leaf_accounts(me).await;
    // Each rejection that names a line ("第 N 行") is shown beside that line.
    let beside = |index: usize| -> Vec<String> {
        error
            .map(|e| {
                e.message
                    .lines()
                    .filter(|l| l.contains(&format!("第 {index} 行")))
                    .map(|l| l.trim().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let body = html! {
        @if let Some(error) = error { (error_box(error)) }
        @if books.is_empty() { p { "您没有任何账簿的制单权限。" } }
        form method="post" action="/vouchers/new" id="voucher-form" {
            (csrf_field(me))
            label { "账簿 " (book_select(&books, form.book.as_deref())) }
            label { "日期 " input type="date" name="date" id="date" value=(form.date.clone().unwrap_or_default()); }
            label { "附件数 " input type="number" min="0" name="attachments" value=(form.attachments.clone().unwrap_or_else(|| "0".into())); }
            datalist id="accounts" { @for (code, name) in &accounts { option value=(code) { (code) " " (name) } } }
            table.lines {
                thead { tr { th { "行" } th { "摘要" } th { "科目（编码或名称）" } th { "借方金额" } th { "贷方金额" } th { "结算号" } } }
                tbody {
                    @for i in 1..=FORM_LINES {
                        tr {
                            td { (i) }
                            td { input type="text" name={ "summary" (i) } id={ "summary" (i) } value=(form.field("summary", i)); }
                            td { input type="text" list="accounts" name={ "account" (i) } id={ "account" (i) } value=(form.field("account", i)); }
                            td { input.num type="text" name={ "debit" (i) } id={ "debit" (i) } value=(form.field("debit", i)); }
                            td { input.num type="text" name={ "credit" (i) } id={ "credit" (i) } value=(form.field("credit", i)); }
                            td { input type="text" name={ "ref" (i) } value=(form.field("ref", i)); }
                        }
                        @for message in beside(i) { tr.line-error { td colspan="6" { (message) } } }
                    }
                }
            }
            button type="submit" id="save" { "保存草稿" }
        }
    };
    (status_of(error), page(Some(me), "凭证录入", body)).into_response()
}

pub async fn voucher_form(me: LoggedIn) -> Response {
    voucher_page(&me, &VoucherForm::default(), None).await
}

/// The account code typed, or the code of the account named ("1003 支出户存款" or "支出户存款").
fn account_code(text: &str, accounts: &[(String, String)]) -> String {
    let text = text.trim();
    let first = text.split_whitespace().next().unwrap_or("");
    if accounts.iter().any(|(code, _)| code == first) {
        return first.to_string();
    }
    accounts.iter().find(|(_, name)| name == text).map(|(code, _)| code.clone()).unwrap_or_else(|| text.to_string())
}

pub async fn voucher_save(me: LoggedIn, Form(form): Form<VoucherForm>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let accounts = leaf_accounts(&me).await;
    let mut lines = Vec::new();
    for i in 1..=FORM_LINES {
        let (summary, account, debit, credit, reference) = (
            form.field("summary", i),
            form.field("account", i),
            form.field("debit", i),
            form.field("credit", i),
            form.field("ref", i),
        );
        if [&summary, &account, &debit, &credit].iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let mut line = serde_json::json!({ "account": account_code(&account, &accounts), "summary": summary });
        if !debit.trim().is_empty() {
            line["debit"] = debit.trim().into();
        }
        if !credit.trim().is_empty() {
            line["credit"] = credit.trim().into();
        }
        if !reference.trim().is_empty() {
            line["ref"] = reference.trim().into();
        }
        lines.push(line);
    }
    let attachments: u32 = form.attachments.as_deref().unwrap_or("0").trim().parse().unwrap_or(0);
    let voucher = serde_json::json!({
        "book": form.book.clone().unwrap_or_default(),
        "date": form.date.clone().unwrap_or_default(),
        "attachments": attachments,
        "line": lines,
    });
    let text = voucher.to_string();
    let target = form.book.clone().unwrap_or_default();
    match super::write(&me, "voucher add", target, move |session| {
        ledger::add_vouchers(&session, &text, Format::Json, "凭证")
    })
    .await
    {
        Ok(report) => match report.created.first() {
            Some((book, number)) => Redirect::to(&format!("/voucher?book={book}&number={number}")).into_response(),
            None => voucher_page(&me, &form, Some(&Error::refused("没有保存任何凭证"))).await,
        },
        Err(error) => voucher_page(&me, &form, Some(&error)).await,
    }
}

// ---------------------------------------------------------------- one voucher (print view)

#[derive(Deserialize)]
pub struct VoucherRef {
    book: String,
    number: String,
    /// `half` prints on half an A4 sheet (two vouchers a page).
    size: Option<String>,
}

async fn load_voucher(
    me: &LoggedIn,
    book: &str,
    number: &str,
) -> Result<(VoucherRecord, HashMap<String, String>), Error> {
    let (who, book, number) = (me.clone(), book.to_string(), number.to_string());
    blocking(move || {
        let book = BookCode::parse(&book).map_err(Error::refused)?;
        let number = VoucherNo::parse(&number).map_err(Error::refused)?;
        let store = who.session().read_for(Some(&book.party))?;
        let chart = store.reader().chart()?;
        let names = chart.accounts().map(|a| (a.code.clone(), a.name.clone())).collect();
        let voucher = store
            .reader()
            .voucher(&book, number)?
            .ok_or_else(|| Error::refused(format!("账簿 {book} 中没有凭证 {number}")))?;
        Ok((voucher, names))
    })
    .await
}

pub async fn voucher_print(me: LoggedIn, Query(q): Query<VoucherRef>) -> Response {
    let (voucher, names) = match load_voucher(&me, &q.book, &q.number).await {
        Ok(found) => found,
        Err(error) => return error_page(&me, error),
    };
    let total = |side| voucher.lines.iter().filter(|l| l.side == side).map(|l| l.amount.fen()).sum::<i64>();
    let body = html! {
        div.voucher.half[q.size.as_deref() == Some("half")] id="voucher" {
            h2 { "记 账 凭 证" }
            p.meta {
                span { "账簿：" (voucher.book) }
                span { "凭证字号：" strong id="voucher-number" { (voucher.number) } }
                span { "日期：" (voucher.date) }
                span { "附件 " (voucher.attachments) " 张" }
                span id="voucher-status" { (voucher.status.label()) }
            }
            table {
                thead { tr { th { "摘要" } th { "科目" } th { "借方金额" } th { "贷方金额" } } }
                tbody {
                    @for line in &voucher.lines {
                        tr {
                            td { (line.summary) }
                            td { (line.account) " " (names.get(&line.account).cloned().unwrap_or_default()) }
                            td.num { @if line.side == Side::Debit { (line.amount.grouped()) } }
                            td.num { @if line.side == Side::Credit { (line.amount.grouped()) } }
                        }
                    }
                    tr.total {
                        td colspan="2" { "合计" }
                        td.num { (Money::from_fen(total(Side::Debit)).grouped()) }
                        td.num { (Money::from_fen(total(Side::Credit)).grouped()) }
                    }
                }
            }
            p.people {
                span { "制单：" (voucher.maker) }
                span { "审核：" (voucher.reviewer.clone().unwrap_or_default()) }
                span { "记账：" (voucher.poster.clone().unwrap_or_default()) }
            }
        }
        p.noprint { a href={ "/journal?book=" (voucher.book) "&period=" (voucher.number.period) } { "返回序时账" } " · " a href="javascript:window.print()" { "打印" } " · "
            a href={ "/voucher?book=" (voucher.book) "&number=" (voucher.number) "&size=half" } { "半张 A4" } }
        @if voucher.status == Status::Posted && voucher.reverses.is_none() && voucher.reversed_by.is_none() {
            form.picker method="post" action="/reverse" {
                (csrf_field(&me))
                input type="hidden" name="book" value=(voucher.book);
                input type="hidden" name="number" value=(voucher.number);
                "红字冲销："
                label { "审核人 " input type="text" name="reviewer" id="reviewer"; }
                label { "日期（可空） " input type="date" name="date"; }
                button type="submit" id="reverse" { "冲销此凭证" }
            }
        }
    };
    page(Some(&me), &format!("{} {}", voucher.book, voucher.number), body).into_response()
}

#[derive(Deserialize)]
pub struct VoidForm {
    csrf: Option<String>,
    pick: String,
    reason: String,
}

/// 退回: the reviewer voids a draft with the reason.
pub async fn void(me: LoggedIn, Form(form): Form<VoidForm>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let target = form.pick.clone();
    let result = super::write(&me, "voucher void", target, move |session| {
        let (book, number) = form.pick.split_once(' ').ok_or_else(|| Error::refused("选择无效"))?;
        let book = BookCode::parse(book).map_err(Error::refused)?;
        let number = VoucherNo::parse(number).map_err(Error::refused)?;
        ledger::void(&session, &book, number, &form.reason)?;
        Ok(format!("已退回作废 {book} {number}：{}", form.reason.trim()))
    })
    .await;
    match result {
        Ok(done) => queue_page(&me, "review", None, Some(done)).await,
        Err(error) => queue_page(&me, "review", Some(error), None).await,
    }
}

#[derive(Deserialize)]
pub struct ReverseForm {
    csrf: Option<String>,
    book: String,
    number: String,
    reviewer: String,
    date: Option<String>,
}

/// 红字冲销 from the voucher page: the reversal is posted with the reviewer named.
pub async fn reverse(me: LoggedIn, Form(form): Form<ReverseForm>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let target = format!("{} {}", form.book, form.number);
    let result = super::write(&me, "reverse", target, move |session| {
        let book = BookCode::parse(&form.book).map_err(Error::refused)?;
        let number = VoucherNo::parse(&form.number).map_err(Error::refused)?;
        let date = form.date.as_deref().filter(|d| !d.is_empty()).map(ledger::date_arg).transpose()?;
        ledger::reverse(&session, &book, number, date, &form.reviewer)
    })
    .await;
    match result {
        Ok(done) => Redirect::to(&format!("/voucher?book={}&number={}", done.book, done.reversal)).into_response(),
        Err(error) => error_page(&me, error),
    }
}

// ---------------------------------------------------------------- review and post queues

fn queue_step(step: &str) -> Option<(Role, Status, &'static str)> {
    match step {
        "review" => Some((Role::Reviewer, Status::Draft, "审核")),
        "post" => Some((Role::Poster, Status::Reviewed, "记账")),
        _ => None,
    }
}

async fn queue_page(me: &LoggedIn, step: &str, error: Option<Error>, done: Option<String>) -> Response {
    let Some((role, status, label)) = queue_step(step) else { return StatusCode::NOT_FOUND.into_response() };
    let who = me.clone();
    let waiting = blocking(move || {
        let store = who.session().read()?;
        let filter = crate::store::VoucherFilter { status: Some(status), ..Default::default() };
        let vouchers = store.reader().vouchers(&filter)?;
        let waiting = vouchers.into_iter().filter(|v| v.void_reason.is_none() && who.actor.may(role, &v.book.party));
        Ok(waiting.collect::<Vec<_>>())
    })
    .await
    .unwrap_or_default();
    let body = html! {
        @if let Some(error) = &error { (error_box(error)) }
        @if let Some(done) = &done { div.done role="status" { (done) } }
        @if waiting.is_empty() { p { "没有等待" (label) "的凭证" } }
        @else {
            form method="post" action={ "/queue/" (step) } {
                (csrf_field(me))
                table {
                    thead { tr { th { "选择" } th { "账簿" } th { "凭证号" } th { "日期" } th { "摘要" } th { "金额" } th { "制单" } } }
                    tbody {
                        @for v in &waiting {
                            tr {
                                td { input type="checkbox" name="pick" value={ (v.book) " " (v.number) } checked; }
                                td { (v.book) }
                                td { a href={ "/voucher?book=" (v.book) "&number=" (v.number) } { (v.number) } }
                                td { (v.date) }
                                td { (v.lines.first().map(|l| l.summary.clone()).unwrap_or_default()) }
                                td.num { (v.total(Side::Debit).grouped()) }
                                td { (v.maker) }
                            }
                        }
                    }
                }
                button type="submit" id="act" { (label) "所选凭证" }
            }
            @if step == "review" {
                h2 { "退回（作废）" }
                form.picker method="post" action="/void" {
                    (csrf_field(me))
                    select name="pick" id="void-pick" { @for v in &waiting { option value={ (v.book) " " (v.number) } { (v.book) " " (v.number) } } }
                    label { "理由 " input type="text" name="reason" id="void-reason"; }
                    button type="submit" id="void" { "退回作废" }
                }
            }
        }
    };
    (status_of(error.as_ref()), page(Some(me), &format!("{label}队列"), body)).into_response()
}

pub async fn queue(me: LoggedIn, Path(step): Path<String>) -> Response {
    queue_page(&me, &step, None, None).await
}

pub async fn queue_act(me: LoggedIn, Path(step): Path<String>, body: String) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let csrf = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.clone());
    if let Err(response) = me.check_csrf(csrf.as_deref()).await {
        return response;
    }
    let Some((_, _, label)) = queue_step(&step) else { return StatusCode::NOT_FOUND.into_response() };
    let picks: Vec<String> = pairs.into_iter().filter(|(k, _)| k == "pick").map(|(_, v)| v).collect();
    let post = step == "post";
    let target = picks.join("、");
    let result = super::write(&me, if post { "post" } else { "review" }, target, move |session| {
        // One call per book: each is one transaction.
        let mut by_book: std::collections::BTreeMap<String, Vec<VoucherNo>> = Default::default();
        for pick in &picks {
            let (book, number) = pick.split_once(' ').ok_or_else(|| Error::refused("选择无效"))?;
            by_book.entry(book.to_string()).or_default().push(VoucherNo::parse(number).map_err(Error::refused)?);
        }
        let mut count = 0;
        for (book, numbers) in by_book {
            let selection = ledger::Selection {
                book: Some(BookCode::parse(&book).map_err(Error::refused)?),
                numbers,
                ..Default::default()
            };
            count += if post {
                ledger::post(&session, &selection)?.posted.len()
            } else {
                ledger::review(&session, &selection)?.len()
            };
        }
        Ok(count)
    })
    .await;
    match result {
        Ok(count) => queue_page(&me, &step, None, Some(format!("已{label} {count} 张凭证"))).await,
        Err(error) => queue_page(&me, &step, Some(error), None).await,
    }
}

// ---------------------------------------------------------------- books

#[derive(Deserialize, Default)]
pub struct BookQuery {
    book: Option<String>,
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
    account: Option<String>,
    xlsx: Option<String>,
}

impl BookQuery {
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

async fn picker(me: &LoggedIn, action: &str, q: &BookQuery, with_account: bool) -> Markup {
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
async fn book_report<T: Send + 'static>(
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
    let j = match book_report(&me, book, &q, "序时账", &picker, |session, book, months| {
        reports::journal(session, book, months, true)
    })
    .await
    {
        Ok(j) => j,
        Err(response) => return response,
    };
    if q.xlsx.is_some() {
        let mut rows = Vec::new();
        for v in &j.vouchers {
            for line in &v.lines {
                let name = j.chart.get(&line.account).map(|a| a.name.clone()).unwrap_or_default();
                let (debit, credit) = match line.side {
                    Side::Debit => (Cell::Amount(line.amount), Cell::Text(String::new())),
                    Side::Credit => (Cell::Text(String::new()), Cell::Amount(line.amount)),
                };
                rows.push(vec![
                    Cell::Text(v.date.to_string()),
                    Cell::Text(v.number.to_string()),
                    Cell::Text(v.status.label().to_string()),
                    Cell::Text(line.summary.clone()),
                    Cell::Text(format!("{} {name}", line.account)),
                    debit,
                    credit,
                ]);
            }
        }
        let sheet = Sheet {
            title: format!("序时账 {} {} 至 {}", j.book, j.from, j.to),
            headers: ["日期", "凭证号", "状态", "摘要", "科目", "借方", "贷方"].map(String::from).to_vec(),
            rows,
        };
        return xlsx_download(&me, sheet, "journal.xlsx");
    }
    let body = html! {
        (picker)
        h2 { (j.book) " " (j.from) " 至 " (j.to) }
        p { a id="download-xlsx" href={ "/journal?book=" (j.book) "&from=" (j.from) "&to=" (j.to) "&xlsx=1" } { "下载 xlsx" } }
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
    };
    page(Some(&me), "序时账", body).into_response()
}

pub async fn ledger(me: LoggedIn, Query(q): Query<BookQuery>) -> Response {
    let picker = picker(&me, "/ledger", &q, true).await;
    let (Some(book), Some(account)) = (q.book.clone(), q.account.clone().filter(|a| !a.is_empty())) else {
        return page(Some(&me), "明细账", picker).into_response();
    };
    let l = match book_report(&me, book, &q, "明细账", &picker, move |session, book, months| {
        reports::account_ledger(session, book, months, account.trim())
    })
    .await
    {
        Ok(l) => l,
        Err(response) => return response,
    };
    let closing = l.entries.last().map(|e| e.balance).unwrap_or(l.opening);
    let rows = ledger_rows(&l);
    if q.xlsx.is_some() {
        let sheet = Sheet {
            title: format!("明细账 {} {} {}（{} 至 {}）", l.book, l.account, l.name, l.from, l.to),
            headers: ["日期", "凭证号", "摘要", "借方", "贷方", "余额"].map(String::from).to_vec(),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::Text(r.0.clone()),
                        Cell::Text(r.1.clone()),
                        Cell::Text(r.2.clone()),
                        r.3.map(Cell::Amount).unwrap_or(Cell::Text(String::new())),
                        r.4.map(Cell::Amount).unwrap_or(Cell::Text(String::new())),
                        Cell::Amount(r.5),
                    ]
                })
                .collect(),
        };
        return xlsx_download(&me, sheet, "ledger.xlsx");
    }
    let query = format!(
        "book={}&account={}&from={}&to={}",
        l.book,
        l.account,
        q.from.clone().unwrap_or_default(),
        q.to.clone().unwrap_or_default()
    );
    let body = html! {
        (picker)
        h2 { (l.book) " " (l.account) " " (l.name) "（" (l.from) " 至 " (l.to) "）" }
        p { a id="download-xlsx" href={ "/ledger?" (query) "&xlsx=1" } { "下载 xlsx" } }
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
                tr.total { td {} td {} td { "期末余额" } td {} td {} td.num id="closing-balance" { (closing.grouped()) } }
            }
        }
    };
    page(Some(&me), "明细账", body).into_response()
}

/// The 明细账 as rows (date, number, summary, debit, credit, balance): 期初余额, each entry, and at
/// each month's end 本月合计 and 本年累计 (which counts the year's months before the range too).
type LedgerRow = (String, String, String, Option<Money>, Option<Money>, Money);

fn ledger_rows(l: &crate::render::reports::AccountLedger) -> Vec<LedgerRow> {
    let mut rows: Vec<LedgerRow> = vec![(String::new(), String::new(), "期初余额".into(), None, None, l.opening)];
    let (mut year_debit, mut year_credit) = (l.earlier_this_year.0.fen(), l.earlier_this_year.1.fen());
    let mut year = l.from.year;
    let mut balance = l.opening;
    let mut month = l.from;
    while month <= l.to {
        if month.year != year {
            (year, year_debit, year_credit) = (month.year, 0, 0);
        }
        let key = month.to_string();
        let (mut debit, mut credit) = (0i64, 0i64);
        for e in l.entries.iter().filter(|e| e.date.starts_with(&key)) {
            debit += e.debit.fen();
            credit += e.credit.fen();
            balance = e.balance;
            let amount = |m: Money| (!m.is_zero()).then_some(m);
            rows.push((
                e.date.clone(),
                e.number.clone(),
                e.summary.clone(),
                amount(e.debit),
                amount(e.credit),
                e.balance,
            ));
        }
        year_debit += debit;
        year_credit += credit;
        let end = month.last_day().to_string();
        rows.push((
            end.clone(),
            String::new(),
            "本月合计".into(),
            Some(Money::from_fen(debit)),
            Some(Money::from_fen(credit)),
            balance,
        ));
        rows.push((
            end,
            String::new(),
            "本年累计".into(),
            Some(Money::from_fen(year_debit)),
            Some(Money::from_fen(year_credit)),
            balance,
        ));
        month = month.next();
    }
    rows
}

fn xlsx_download(me: &LoggedIn, sheet: Sheet, name: &str) -> Response {
    match sheet.xlsx() {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error_page(me, Error::refused(format!("无法生成 Excel：{e}"))),
    }
}

pub async fn trial_balance(me: LoggedIn, Query(q): Query<BookQuery>) -> Response {
    let picker = picker(&me, "/trial-balance", &q, false).await;
    let Some(book) = q.book.clone() else { return page(Some(&me), "科目余额表", picker).into_response() };
    let book_code = book.clone();
    let tb = match book_report(&me, book, &q, "科目余额表", &picker, reports::trial_balance).await {
        Ok(tb) => tb,
        Err(response) => return response,
    };
    let title = format!("科目余额表 {book_code} {} 至 {}", tb.period_from, tb.period_to);
    if q.xlsx.is_some() {
        let mut rows: Vec<Vec<Cell>> = tb
            .rows
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.account.clone()),
                    Cell::Text(r.name.clone()),
                    Cell::Amount(r.opening),
                    Cell::Amount(r.debit),
                    Cell::Amount(r.credit),
                    Cell::Amount(r.closing),
                ]
            })
            .collect();
        rows.push(vec![
            Cell::Text("合计".into()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Amount(tb.totals.debit),
            Cell::Amount(tb.totals.credit),
            Cell::Text(String::new()),
        ]);
        let headers =
            ["科目编码", "科目名称", "期初余额", "本期借方", "本期贷方", "期末余额"].map(String::from).to_vec();
        let sheet = Sheet { title: title.clone(), headers, rows };
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

// ---------------------------------------------------------------- reconciliation and close

#[derive(Deserialize, Default)]
pub struct PeriodForm {
    csrf: Option<String>,
    period: Option<String>,
    reason: Option<String>,
}

fn reconcile_body(
    me: &LoggedIn,
    period: &str,
    result: Option<Result<(crate::reconcile::Report, i64), Error>>,
    closed: Option<Result<String, Error>>,
    funds: &HashMap<String, String>,
) -> Markup {
    html! {
        form.picker method="post" action="/statements" enctype="multipart/form-data" {
            (csrf_field(me))
            label { "对账单 " select name="source" { option value="tax" { "税务" } option value="treasury" { "国库" } option value="bank" { "银行" } } }
            input type="file" name="file" id="statement-file" accept=".csv";
            button type="submit" id="upload" { "导入对账单" }
        }
        form.picker method="post" action="/reconcile" {
            (csrf_field(me))
            label { "期间 " input type="month" name="period" id="period" value=(period); }
            button type="submit" id="run" { "运行对账" }
        }
        @match &result {
            Some(Ok((report, run_id))) => {
                p id="run-summary" { "对账记录 #" (run_id) "：差异 " (report.differences()) " 处，未达账项 " (report.outstanding()) " 项" }
                @let unequal: Vec<_> = report.statements.iter().filter(|s| !s.equal || !s.theirs_only_in.is_zero() || !s.theirs_only_out.is_zero() || !s.ours_only_in.is_zero() || !s.ours_only_out.is_zero()).collect();
                @if !unequal.is_empty() {
                    h2 { "余额调节表" }
                    @for st in &unequal {
                        table.statement {
                            caption { (crate::render::reconcile::check_label(&st.check)) " " (st.scope) }
                            tr { th { (st.ours_label) "余额" } td.num { (st.ours_balance.grouped()) } th { (st.theirs_label) "余额" } td.num { (st.theirs_balance.grouped()) } }
                            tr { td { "加：" (st.labels[0]) } td.num { (st.theirs_only_in.grouped()) } td { "加：" (st.labels[2]) } td.num { (st.ours_only_in.grouped()) } }
                            tr { td { "减：" (st.labels[1]) } td.num { (st.theirs_only_out.grouped()) } td { "减：" (st.labels[3]) } td.num { (st.ours_only_out.grouped()) } }
                            tr.total { td { "调节后余额" } td.num { (st.ours_adjusted.grouped()) } td { @if st.equal { "相符" } @else { "不符" } } td.num { (st.theirs_adjusted.grouped()) } }
                        }
                    }
                }
                @if !report.findings.is_empty() {
                    table {
                        thead { tr { th { "检查" } th { "基金" } th { "范围" } th { "性质" } th { "说明" } } }
                        tbody { @for f in &report.findings { tr { td { (crate::render::reconcile::check_label(&f.check)) } td { (funds.get(&f.fund).cloned().unwrap_or_else(|| f.fund.clone())) } td { (f.scope) } td { (f.severity.label()) } td { (f.message) } } } }
                    }
                }
            }
            Some(Err(error)) => { (error_box(error)) }
            None => {}
        }
        @match &closed {
            Some(Ok(text)) => { div.done role="status" id="close-result" { (text) } }
            Some(Err(error)) => { (error_box(error)) }
            None => {}
        }
        form.picker method="post" action="/reopen" {
            (csrf_field(me))
            label { "反结账期间 " input type="month" name="period"; }
            label { "理由 " input type="text" name="reason"; }
            button type="submit" id="reopen" { "反结账" }
        }
        form.picker method="post" action="/close" {
            (csrf_field(me))
            label { "结账期间 " input type="month" name="period" value=(period); }
            label { "接受差异的理由（无差异时留空） " input type="text" name="reason"; }
            button type="submit" id="close" { "结账" }
        }
    }
}

pub async fn reconcile_form(me: LoggedIn, Query(q): Query<PeriodForm>) -> Response {
    page(Some(&me), "对账结账", reconcile_body(&me, &q.period.unwrap_or_default(), None, None, &HashMap::new()))
        .into_response()
}

pub async fn reconcile_run(me: LoggedIn, Form(form): Form<PeriodForm>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let period = form.period.clone().unwrap_or_default();
    let text = period.clone();
    let result = super::write(&me, "reconcile", period.clone(), move |session| {
        let period = Period::parse(&text).map_err(Error::refused)?;
        reconcile::run(&session, period, None, None)
    })
    .await;
    let status = status_of(result.as_ref().err());
    let funds = fund_names(&me).await;
    (status, page(Some(&me), "对账结账", reconcile_body(&me, &period, Some(result), None, &funds))).into_response()
}

pub async fn close(me: LoggedIn, Form(form): Form<PeriodForm>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let period = form.period.clone().unwrap_or_default();
    let (text, reason) = (period.clone(), form.reason.clone().filter(|r| !r.trim().is_empty()));
    let result = super::write(&me, "close", period.clone(), move |session| {
        let period = Period::parse(&text).map_err(Error::refused)?;
        let request =
            closing::CloseRequest { period, book: None, accept_differences: reason.as_deref(), on: session.today()? };
        let closed = closing::close(&session, &request)?;
        Ok(match closed.seal_hash {
            Some(hash) => format!("已结账 {period}：{} 个账簿；封存哈希 {}…", closed.books, &hash[..16]),
            None => format!("{period} 已经结账"),
        })
    })
    .await;
    let status = status_of(result.as_ref().err());
    (status, page(Some(&me), "对账结账", reconcile_body(&me, &period, None, Some(result), &HashMap::new())))
        .into_response()
}

/// 导入对账单: a tax, treasury or bank statement CSV uploaded from the page.
pub async fn statements_upload(me: LoggedIn, mut multipart: axum::extract::Multipart) -> Response {
    let (mut csrf, mut source, mut file) = (None, None, None);
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.ok(),
            "source" => source = field.text().await.ok(),
            "file" => {
                let name = field.file_name().unwrap_or("statement.csv").to_string();
                file = field.bytes().await.ok().map(|b| (name, b.to_vec()));
            }
            _ => {}
        }
    }
    if let Err(response) = me.check_csrf(csrf.as_deref()).await {
        return response;
    }
    let source_text = source.unwrap_or_default();
    let target = format!("{source_text} {}", file.as_ref().map(|f| f.0.clone()).unwrap_or_default());
    let result = super::write(&me, "statement import", target, move |session| {
        let source = crate::reconcile::Source::parse(&source_text)
            .ok_or_else(|| Error::refused("对账单来源应为 tax、treasury 或 bank"))?;
        let (name, bytes) = file.ok_or_else(|| Error::refused("请选择对账单文件"))?;
        let lines = crate::import::statements::parse(source, bytes.as_slice()).map_err(|errors| {
            let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            crate::app::refuse_all(&format!("{name} 中有 {} 处错误，没有导入任何行：", list.len()), &list)
        })?;
        let keyed: Vec<_> = lines.into_iter().map(|k| (format!("第 {} 行", k.row), k.key, k.line)).collect();
        let print = crate::app::files::fingerprint_bytes(&name, &bytes);
        let done = reconcile::import_lines(&session, &format!("statement:{}", source.as_str()), &keyed, Some(&print))?;
        Ok(match done.earlier_batch {
            Some(earlier) => {
                format!("{name} 已于 {} 导入过（导入批次 #{}）：本次没有写入", earlier.imported_at, earlier.id)
            }
            None => format!("已导入 {name}：{} 行；已存在未重复导入 {} 行", done.inserted, done.already_present),
        })
    })
    .await;
    let status = status_of(result.as_ref().err());
    (status, page(Some(&me), "对账结账", reconcile_body(&me, "", None, Some(result), &HashMap::new()))).into_response()
}

/// 反结账 of the latest closed month, with its reason.
pub async fn reopen(me: LoggedIn, Form(form): Form<PeriodForm>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let period = form.period.clone().unwrap_or_default();
    let (text, reason) = (period.clone(), form.reason.clone().unwrap_or_default());
    let result = super::write(&me, "reopen", period.clone(), move |session| {
        let period = Period::parse(&text).map_err(Error::refused)?;
        let books = closing::reopen(&session, period, &reason)?;
        Ok(format!("已反结账 {period}：{books} 个账簿；理由已记入封存记录"))
    })
    .await;
    let status = status_of(result.as_ref().err());
    (status, page(Some(&me), "对账结账", reconcile_body(&me, &period, None, Some(result), &HashMap::new())))
        .into_response()
}

// ---------------------------------------------------------------- business events

/// The Chinese name of an event kind.
fn kind_label(kind: &str) -> &'static str {
    match kind {
        "opening_balance" => "期初余额",
        "premium_receipts" => "保费收入（税务征缴）",
        "treasury_transfer" => "国库划转专户",
        "fiscal_subsidy" => "财政补助",
        "transfer_in" => "转移收入",
        "remit_to_city" => "上解市级（汇缴）",
        "allocate_city_level" => "拨付市本级",
        "allocate_to_county" => "拨付县级",
        "benefit_payment" => "待遇支付",
        "transfer_out" => "转移支出",
        "premium_refund" => "保费退费",
        "transfer_in_refund" => "转移收入退回",
        "interest_credited" => "利息收入",
        "deposit_matured" => "存单/债券到期",
        _ => "",
    }
}

/// The Chinese name of an event field.
fn field_label(field: &str) -> &'static str {
    match field {
        "id" => "事件编号",
        "date" => "日期",
        "fund" => "基金",
        "ref" => "结算号",
        "summary" => "摘要",
        "party" => "经办机构",
        "account" => "科目",
        "amount" => "金额",
        "instrument" => "存单/债券编号",
        "opened_on" => "存入日期",
        "matures_on" => "到期日期",
        "period" => "所属期间",
        "premiums" => "保费",
        "late_fees" => "滞纳金",
        "interest_subsidy" => "利息补贴",
        "level" => "补助级次",
        "notified_on" => "通知日期",
        "purpose" => "用途",
        "received_on" => "到账日期",
        "category" => "待遇类别",
        "principal" => "本金",
        "interest" => "利息",
        _ => "",
    }
}

const COMMON_FIELDS: [&str; 5] = ["id", "date", "fund", "ref", "summary"];

fn event_kinds() -> impl Iterator<Item = &'static (&'static str, &'static [&'static str], &'static [&'static str])> {
    crate::posting::event::KINDS.iter().filter(|k| k.0 != "year_end_close")
}

#[derive(Deserialize, Default)]
pub struct KindQuery {
    kind: Option<String>,
}

fn event_page(
    me: &LoggedIn,
    kind: Option<&str>,
    values: &HashMap<String, String>,
    outcome: Option<Result<String, Error>>,
) -> Response {
    let chosen = kind.and_then(|k| event_kinds().find(|e| e.0 == k));
    let body = html! {
        @match &outcome {
            Some(Ok(done)) => { div.done role="status" id="event-result" { (done) } }
            Some(Err(error)) => { (error_box(error)) }
            None => {}
        }
        ul.kinds {
            @for (name, _, _) in event_kinds() {
                li { a href={ "/events?kind=" (name) } { (kind_label(name)) } " " code { (name) } }
            }
        }
        @if let Some((name, required, optional)) = chosen {
            h2 { (kind_label(name)) }
            form method="post" action="/events" id="event-form" {
                (csrf_field(me))
                input type="hidden" name="kind" value=(name);
                table {
                    @for field in COMMON_FIELDS.iter().chain(required.iter()).chain(optional.iter()) {
                        @let must = COMMON_FIELDS[..3].contains(field) || required.contains(field);
                        tr {
                            th { (field_label(field)) @if must { " *" } }
                            td { input type="text" name=(field) id={ "field-" (field) } value=(values.get(*field).cloned().unwrap_or_default()); }
                            td { code { (field) } }
                        }
                    }
                }
                button type="submit" id="record" { "记录事件（生成草稿凭证）" }
            }
        }
    };
    let status = status_of(outcome.as_ref().and_then(|o| o.as_ref().err()));
    (status, page(Some(me), "业务事件", body)).into_response()
}

pub async fn events_form(me: LoggedIn, Query(q): Query<KindQuery>) -> Response {
    event_page(&me, q.kind.as_deref(), &HashMap::new(), None)
}

/// Records one event typed in the form; its vouchers arrive as drafts for review.
pub async fn event_save(me: LoggedIn, Form(form): Form<HashMap<String, String>>) -> Response {
    if let Err(response) = me.check_csrf(form.get("csrf").map(String::as_str)).await {
        return response;
    }
    let kind = form.get("kind").cloned().unwrap_or_default();
    let mut raw = crate::posting::event::RawEvent::default();
    for (name, value) in &form {
        if name != "csrf" && !value.trim().is_empty() {
            raw.fields.insert(name.clone(), value.trim().to_string());
        }
    }
    let target = format!("{kind} {}", form.get("id").cloned().unwrap_or_default());
    let result = super::write(&me, "event", target, move |session| {
        let placed = vec![crate::import::events::PlacedEvent { place: "表单".into(), raw }];
        let outcome = crate::app::events::post_events(&session, placed, None, None)?;
        let books: Vec<String> = outcome.vouchers_by_book.iter().map(|(b, n)| format!("{b} {n} 张")).collect();
        Ok(if outcome.voucher_ids.is_empty() {
            "该事件已存在，未重复记录".to_string()
        } else {
            format!("已记录事件，生成草稿凭证：{}（请到审核队列审核）", books.join("、"))
        })
    })
    .await;
    event_page(&me, Some(&kind), &form, Some(result))
}

// ---------------------------------------------------------------- audit and users

#[derive(Deserialize, Default)]
pub struct XlsxQuery {
    xlsx: Option<String>,
}

pub async fn audit(me: LoggedIn, Query(q): Query<XlsxQuery>) -> Response {
    let who = me.clone();
    match blocking(move || users::audit(&who.session(), None, None, None)).await {
        Ok(entries) if q.xlsx.is_some() => {
            let sheet = Sheet {
                title: "审计记录".into(),
                headers: ["时间", "用户", "来源", "操作", "对象", "结果", "说明"].map(String::from).to_vec(),
                rows: entries
                    .iter()
                    .map(|e| {
                        [&e.at, &e.user, &e.address, &e.action, &e.target, &e.result, &e.detail]
                            .map(|t| Cell::Text(t.clone()))
                            .to_vec()
                    })
                    .collect(),
            };
            xlsx_download(&me, sheet, "audit.xlsx")
        }
        Ok(entries) => page(
            Some(&me),
            "审计记录",
            html! {
                p { a id="download-xlsx" href="/audit?xlsx=1" { "下载 xlsx" } }
                table {
                    thead { tr { th { "时间" } th { "用户" } th { "来源" } th { "操作" } th { "对象" } th { "结果" } } }
                    tbody { @for e in entries.iter().rev() { tr { td { (e.at) } td { (e.user) } td { (e.address) } td { (e.action) } td { (e.target) } td { @if e.result == "ok" { "完成" } @else { "拒绝：" (e.detail) } } } } }
                }
            },
        )
        .into_response(),
        Err(error) => error_page(&me, error),
    }
}

pub async fn users(me: LoggedIn) -> Response {
    users_page(&me, None).await
}

async fn users_page(me: &LoggedIn, outcome: Option<Result<String, Error>>) -> Response {
    let who = me.clone();
    let list = match blocking(move || users::list(&who.session())).await {
        Ok(list) => list,
        Err(error) => return error_page(me, error),
    };
    let roles = html! { select name="role" { @for role in Role::ALL { option value=(role.code()) { (role.label()) "（" (role.code()) "）" } } } };
    let body = html! {
        @match &outcome {
            Some(Ok(done)) => { div.done role="status" id="users-result" { (done) } }
            Some(Err(error)) => { (error_box(error)) }
            None => {}
        }
        table id="users" {
            thead { tr { th { "用户" } th { "状态" } th { "授权" } } }
            tbody { @for u in &list { tr { td { (u.name) } td { @if u.disabled { "已停用" } @else { "在用" } } td { @for g in &u.grants { span.grant { (g.party) "：" (g.role.label()) } " " } } } } }
        }
        h2 { "添加用户" }
        form.picker method="post" action="/users/add" {
            (csrf_field(me))
            label { "用户名 " input type="text" name="name"; }
            label { "初始密码（至少 8 位） " input type="password" name="password"; }
            button type="submit" { "添加" }
        }
        h2 { "授权与收回" }
        form.picker method="post" action="/users/grant" {
            (csrf_field(me))
            label { "用户名 " input type="text" name="name"; }
            label { "机构（* 为全部） " input type="text" name="party"; }
            label { "角色 " (roles) }
            button type="submit" name="action" value="grant" { "授权" }
            button type="submit" name="action" value="revoke" { "收回" }
        }
        h2 { "停用用户" }
        form.picker method="post" action="/users/disable" {
            (csrf_field(me))
            label { "用户名 " input type="text" name="name"; }
            button type="submit" { "停用" }
        }
    };
    let status = status_of(outcome.as_ref().and_then(|o| o.as_ref().err()));
    (status, page(Some(me), "用户与授权", body)).into_response()
}

#[derive(Deserialize)]
pub struct UserForm {
    csrf: Option<String>,
    name: String,
    password: Option<String>,
    party: Option<String>,
    role: Option<String>,
    action: Option<String>,
}

/// 管理: add a user, grant or revoke a role, disable a user.
pub async fn users_act(me: LoggedIn, Path(act): Path<String>, Form(form): Form<UserForm>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let action = match (act.as_str(), form.action.as_deref()) {
        ("grant", Some("revoke")) => "user revoke",
        ("grant", _) => "user grant",
        ("add", _) => "user add",
        ("disable", _) => "user disable",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let target =
        format!("{} {} {}", form.name, form.party.clone().unwrap_or_default(), form.role.clone().unwrap_or_default());
    let result = super::write(&me, action, target, move |session| {
        let name = form.name.trim().to_string();
        match action {
            "user add" => {
                users::add(&session, &name, form.password.as_deref().unwrap_or(""), false)?;
                Ok(format!("已添加用户 {name}"))
            }
            "user disable" => {
                users::disable(&session, &name)?;
                Ok(format!("已停用用户 {name}"))
            }
            _ => {
                let party = form.party.unwrap_or_default();
                let role = Role::parse(form.role.as_deref().unwrap_or("")).map_err(Error::refused)?;
                if action == "user grant" {
                    users::grant(&session, &name, &party, role)?;
                    Ok(format!("已授予 {name} {party} 的{}权限", role.label()))
                } else {
                    users::revoke(&session, &name, &party, role)?;
                    Ok(format!("已收回 {name} {party} 的{}权限", role.label()))
                }
            }
        }
    })
    .await;
    users_page(&me, Some(result)).await
}
