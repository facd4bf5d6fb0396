//! The pages staff work in, in Chinese, rendered on the server with plain forms: 登录, 首页,
//! 凭证录入, 审核 and 记账 queues, the 记账凭证 print view, 序时账, 明细账, 科目余额表 (with an
//! xlsx download), 对账 and 结账, 审计 and 用户. Every form carries the session's CSRF token; every
//! action goes through the application layer.

mod admin;
mod books;
mod closing_pages;
mod entry;
mod events;

pub use admin::*;
pub use books::*;
pub use closing_pages::*;
pub use entry::*;
pub use events::*;

use super::api::start_session;
use super::auth::{client_address, set_cookie, LoggedIn};
use super::{blocking, write, Shared};
use crate::app::{closing, ledger, reconcile, reports, users, Error};
use crate::domain::access::Role;
use crate::domain::chart::Side;
use crate::domain::ids::{BookCode, Period, VoucherNo};
use crate::domain::voucher::{Status, VoucherRecord};
use crate::import::voucher_file::Format;
use crate::money::Money;
use crate::plan::deadlines::{Obligation, Status as DeadlineStatus};
use crate::render::sheets;
use crate::render::xlsx::{Cell, Sheet};
use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;

pub(super) const CSS: &str = include_str!("fundpool.css");

pub async fn stylesheet() -> Response {
    // The same for everyone and for the binary's life: kept for a day.
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")], CSS)
        .into_response()
}

/// The navigation: every page a logged-in user can go to.
const NAV: [(&str, &str); 13] = [
    ("/", "首页"),
    ("/vouchers/new", "凭证录入"),
    ("/events", "业务事件"),
    ("/queue/review", "审核"),
    ("/queue/post", "记账"),
    ("/journal", "序时账"),
    ("/ledger", "明细账"),
    ("/trial-balance", "科目余额表"),
    ("/reconcile", "对账结账"),
    ("/plans", "用款计划"),
    ("/deadlines", "截止事项"),
    ("/audit", "审计"),
    ("/users", "用户"),
];

/// A page with the navigation for `me`.
pub(super) fn page(me: Option<&LoggedIn>, title: &str, body: Markup) -> Html<String> {
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
                        @for (href, label) in NAV { a href=(href) { (label) } }
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

pub(super) fn error_box(error: &Error) -> Markup {
    html! { div.error role="alert" { @for line in error.message.lines() { p { (line.trim()) } } } }
}

pub(super) fn error_page(me: &LoggedIn, error: Error) -> Response {
    (status_of(Some(&error)), page(Some(me), "无法完成", error_box(&error))).into_response()
}

/// 200, or the status of an error shown on the page, as the API gives it: 403 for a missing
/// grant, 422 for a refused request, 503 while the books are busy, 500 when the books fail their
/// own checks (an integrity error is not the request's fault).
pub(super) fn status_of(error: Option<&Error>) -> StatusCode {
    use crate::app::ErrorKind;
    match error.map(|e| e.kind) {
        None => StatusCode::OK,
        Some(ErrorKind::Forbidden) => StatusCode::FORBIDDEN,
        Some(ErrorKind::Refused) => StatusCode::UNPROCESSABLE_ENTITY,
        Some(ErrorKind::Busy) => StatusCode::SERVICE_UNAVAILABLE,
        Some(ErrorKind::Integrity | ErrorKind::Internal) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The city's name of each fund, by code.
pub(super) async fn fund_names(me: &LoggedIn) -> HashMap<String, String> {
    let me = me.clone();
    blocking(move || {
        let store = me.session().read()?;
        let city = store.reader().city()?;
        Ok(city.fund.into_iter().map(|f| (f.code, f.name)).collect())
    })
    .await
    .unwrap_or_default()
}

pub(super) fn csrf_field(me: &LoggedIn) -> Markup {
    html! { input type="hidden" name="csrf" value=(me.csrf); }
}

/// The books the user may work in with `role` (or read, with `None`).
pub(super) async fn books_for(me: &LoggedIn, role: Option<Role>) -> Result<Vec<BookCode>, Error> {
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

pub(super) fn book_select(books: &[BookCode], chosen: Option<&str>) -> Markup {
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

pub(super) fn login_page(error: Option<&str>) -> Html<String> {
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
        Ok((token, _, _)) => (
            [(header::SET_COOKIE, set_cookie(&token, state.config.session_seconds, state.config.trust_proxy))],
            Redirect::to("/"),
        )
            .into_response(),
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
    ([(header::SET_COOKIE, set_cookie("", 0, false))], Redirect::to("/login")).into_response()
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
                thead { tr { th { "账簿" } th { "草稿" } th { "已审核" } th { "已记账" } th { "结账" } } }
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
pub(super) fn named(list: Vec<Obligation>, city: &crate::domain::city::City) -> Vec<Obligation> {
    list.into_iter()
        .map(|mut o| {
            o.party = city.short_name(&o.party);
            o.fund = city.fund(&o.fund).map(|f| f.name.clone()).unwrap_or(o.fund);
            o
        })
        .collect()
}

pub(super) fn deadline_sheet(as_of: &str, list: &[Obligation]) -> Sheet {
    Sheet::new(
        format!("截止事项（截至 {as_of}）"),
        ["依据", "期限", "经办机构", "基金", "事项", "金额", "完成日期", "状态"],
        list.iter()
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
    )
}

pub(super) fn deadline_table(deadlines: &Result<Vec<Obligation>, String>) -> Markup {
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
