//! The JSON API under `/api/` (documented in the README): login, vouchers in the `voucher add`
//! JSON shape, review and post, the trial balance and the journal. Every POST but the login
//! carries the session's form token in `X-CSRF-Token`.

use super::auth::{set_cookie, LoggedIn};
use super::{blocking, ApiError, AppState, Shared};
use crate::app::{ledger, reports, Error};
use crate::domain::ids::{BookCode, Period, VoucherNo};
use crate::import::voucher_file::Format;
use crate::render::{reports as render, OutputFormat};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Credentials {
    user: String,
    password: String,
}

/// `POST /api/login {"user","password"}` → 200 with the session cookie and `{"csrf"}`; 401 on a
/// wrong name or password; 429 once throttled.
pub async fn login(
    State(state): State<Shared>,
    connect: Option<axum::extract::ConnectInfo<std::net::SocketAddr>>,
    headers: HeaderMap,
    Json(credentials): Json<Credentials>,
) -> Response {
    let address = super::auth::client_address(connect.map(|c| c.0), &headers, state.config.trust_proxy);
    match start_session(&state, &address, credentials.user, credentials.password).await {
        Ok((token, csrf, user)) => (
            StatusCode::OK,
            [(header::SET_COOKIE, set_cookie(&token, state.config.session_seconds, state.config.trust_proxy))],
            Json(serde_json::json!({ "csrf": csrf, "user": user })),
        )
            .into_response(),
        Err(response) => response,
    }
}

/// Logs in (throttled); shared by the API and the login page. Errors are complete responses.
pub(super) async fn start_session(
    state: &Shared,
    address: &str,
    user: String,
    password: String,
) -> Result<(String, String, String), Response> {
    // A name longer than any registered one is throttled by its first 64 characters.
    let keys = [format!("user:{}", user.trim().chars().take(64).collect::<String>()), format!("addr:{address}")];
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    if state.throttle.blocked(&keys) {
        return Err((
            StatusCode::TOO_MANY_REQUESTS,
            Json(serde_json::json!({"error": "登录失败次数过多：请 5 分钟后再试"})),
        )
            .into_response());
    }
    let session = state.anonymous(address);
    let ttl = state.config.session_seconds;
    let (db, now, busy, address) = (session.db.clone(), session.now.clone(), session.busy_timeout, address.to_string());
    let anonymous = move || {
        let mut session = crate::app::Session::new(db.clone(), None, now.clone(), busy);
        session.address = address.clone();
        session
    };
    // The password is checked outside the queue of writes (both cores, nobody waiting on it);
    // only what a login writes — its refusal in the audit log, or its session — takes a turn.
    let (check, name) = (anonymous.clone(), user.clone());
    let checked = blocking(move || crate::app::users::check_login(&check(), &name, &password)).await;
    let _turn = state.writes.lock().await;
    let result = match checked {
        Ok(actor) => {
            blocking(move || crate::app::users::open_web_session(&anonymous(), &actor, AppState::unix_now(), ttl)).await
        }
        Err(error) if error.kind == crate::app::ErrorKind::Refused => {
            let message = error.message.clone();
            let _ = blocking(move || {
                crate::app::users::record_login_refusal(&anonymous(), &user, &message);
                Ok(())
            })
            .await;
            Err(error)
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(login) => {
            state.throttle.succeeded(&keys);
            Ok((login.token, login.csrf, login.user))
        }
        Err(error) if error.kind == crate::app::ErrorKind::Refused => {
            state.throttle.failed(&keys);
            Err((StatusCode::UNAUTHORIZED, Json(serde_json::json!({"error": error.message}))).into_response())
        }
        Err(error) => Err(ApiError(error).into_response()),
    }
}

/// `POST /api/logout`.
pub async fn logout(me: LoggedIn, headers: HeaderMap) -> Response {
    if let Err(response) = me.check_csrf(csrf_header(&headers)).await {
        return response;
    }
    let session_user = me.clone();
    let _ = blocking(move || crate::app::users::web_logout(&session_user.session(), &session_user.token)).await;
    (StatusCode::OK, [(header::SET_COOKIE, set_cookie("", 0, false))], Json(serde_json::json!({"ok": true})))
        .into_response()
}

fn csrf_header(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

/// `POST /api/vouchers` with one voucher in the `voucher add` JSON shape → 201 `{"book","number"}`.
pub async fn add_voucher(me: LoggedIn, headers: HeaderMap, body: String) -> Response {
    if let Err(response) = me.check_csrf(csrf_header(&headers)).await {
        return response;
    }
    let result = super::write(&me, "voucher add", "API".into(), move |session| {
        ledger::add_vouchers(&session, &body, Format::Json, "请求")
    })
    .await;
    match result {
        Ok(report) => {
            let created: Vec<serde_json::Value> = report
                .created
                .iter()
                .map(|(b, n)| serde_json::json!({"book": b.to_string(), "number": n.to_string()}))
                .collect();
            match created.as_slice() {
                [one] => (StatusCode::CREATED, Json(one.clone())).into_response(),
                [] => (StatusCode::OK, Json(serde_json::json!({"already_present": report.already_present.len()})))
                    .into_response(),
                many => (StatusCode::CREATED, Json(serde_json::json!({ "created": many }))).into_response(),
            }
        }
        Err(error) => ApiError(error).into_response(),
    }
}

/// The voucher named in a URL: party, fund and the (URL-decoded) number.
fn voucher_in_path(party: &str, fund: &str, number: &str) -> Result<(BookCode, VoucherNo), Error> {
    let book = BookCode::parse(&format!("{party}/{fund}")).map_err(Error::refused)?;
    let number = VoucherNo::parse(number).map_err(Error::refused)?;
    Ok((book, number))
}

async fn step(me: LoggedIn, headers: HeaderMap, path: (String, String, String), post: bool) -> Response {
    if let Err(response) = me.check_csrf(csrf_header(&headers)).await {
        return response;
    }
    let (party, fund, number) = path;
    let (action, target) = (if post { "post" } else { "review" }, format!("{party}/{fund} {number}"));
    let result = super::write(&me, action, target, move |session| {
        let (book, number) = voucher_in_path(&party, &fund, &number)?;
        let selection = ledger::Selection { book: Some(book.clone()), numbers: vec![number], ..Default::default() };
        let status = if post {
            ledger::post(&session, &selection)?;
            "posted"
        } else {
            ledger::review(&session, &selection)?;
            "reviewed"
        };
        Ok(serde_json::json!({"book": book.to_string(), "number": number.to_string(), "status": status}))
    })
    .await;
    match result {
        Ok(body) => (StatusCode::OK, Json(body)).into_response(),
        Err(error) => ApiError(error).into_response(),
    }
}

/// `POST /api/vouchers/{party}/{fund}/{number}/review`.
pub async fn review(me: LoggedIn, headers: HeaderMap, Path(path): Path<(String, String, String)>) -> Response {
    step(me, headers, path, false).await
}

/// `POST /api/vouchers/{party}/{fund}/{number}/post`.
pub async fn post(me: LoggedIn, headers: HeaderMap, Path(path): Path<(String, String, String)>) -> Response {
    step(me, headers, path, true).await
}

#[derive(Deserialize)]
pub struct BookPeriod {
    book: String,
    period: Option<String>,
}

fn months(period: Option<&str>) -> Result<reports::Months, Error> {
    Ok(match period {
        Some(p) => reports::Months::one(Period::parse(p).map_err(Error::refused)?),
        None => reports::Months::default(),
    })
}

/// `GET /api/trial-balance?book=B&period=P` → the CLI's `trial-balance --format json`.
pub async fn trial_balance(me: LoggedIn, Query(q): Query<BookPeriod>) -> Response {
    let result = blocking(move || {
        let book = BookCode::parse(&q.book).map_err(Error::refused)?;
        let tb = reports::trial_balance(&me.session(), &book, months(q.period.as_deref())?)?;
        Ok(render::trial_balance(&book, &tb, OutputFormat::Json))
    })
    .await;
    json_text(result)
}

/// `GET /api/journal?book=B&period=P` → the CLI's `journal --all --format json`.
pub async fn journal(me: LoggedIn, Query(q): Query<BookPeriod>) -> Response {
    let result = blocking(move || {
        let book = BookCode::parse(&q.book).map_err(Error::refused)?;
        // The same pieces the command line writes, gathered into the response.
        reports::journal_each(&me.session(), &book, months(q.period.as_deref())?, true, |j, walk| {
            let Some((mut stream, mut text)) = render::JournalStream::start(&j.book, j.from, j.to, OutputFormat::Json)
            else {
                return Err(Error::refused("序时账无法写成 JSON"));
            };
            walk(&mut |voucher| {
                text.push_str(&stream.voucher(&voucher, &j.chart));
                Ok(())
            })?;
            Ok(text + &stream.end())
        })
    })
    .await;
    json_text(result)
}

fn json_text(result: Result<String, Error>) -> Response {
    match result {
        Ok(text) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], text).into_response(),
        Err(error) => ApiError(error).into_response(),
    }
}
