//! `fundpool serve`: the ledger for every office at once. axum on tokio, Chinese pages rendered on
//! the server (maud) with plain forms, and the same actions as a JSON API under `/api/`. Every
//! action goes through the application layer (its grants, its lock discipline, its audit), run on
//! the blocking pool; this module only parses requests and renders responses.

mod api;
mod auth;
mod pages;

use crate::app::{Error, ErrorKind, Session};
use auth::Throttle;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub db: PathBuf,
    pub listen: SocketAddr,
    pub busy_timeout: Duration,
    /// How long a login lasts.
    pub session_seconds: i64,
    /// Fixed "now" for recorded timestamps (tests), else the clock.
    pub fixed_now: Option<String>,
    /// Take the client's address from `X-Forwarded-For` when the peer is on loopback (a reverse
    /// proxy on this machine).
    pub trust_proxy: bool,
}

/// What every handler shares.
pub(crate) struct AppState {
    config: ServerConfig,
    throttle: Throttle,
    /// Writes queue here, first come first served, instead of in SQLite's busy handler (which
    /// sleeps and retries, and so adds tail latency); reads never take it.
    writes: Arc<tokio::sync::Mutex<()>>,
    /// Connections kept open across requests.
    pool: Arc<crate::app::StorePool>,
}

impl AppState {
    fn now(&self) -> String {
        self.config.fixed_now.clone().unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string())
    }

    fn unix_now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    /// A session with no one logged in yet (for the login itself).
    fn anonymous(&self, address: &str) -> Session {
        let mut session = Session::new(self.config.db.clone(), None, self.now(), self.config.busy_timeout);
        session.address = address.to_string();
        session.pool = Some(self.pool.clone());
        session
    }
}

pub(crate) type Shared = Arc<AppState>;

/// An application error as an HTTP response: 403 for a missing grant, 422 for refused input
/// (with the problems as a list), 503 when another writer held the database, 500 otherwise.
pub(crate) struct ApiError(Error);

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        ApiError(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match self.0.kind {
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::Refused => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Integrity | ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let rejections: Vec<&str> = self.0.message.lines().skip(1).map(str::trim).filter(|l| !l.is_empty()).collect();
        let body = serde_json::json!({ "error": self.0.message, "rejections": rejections });
        (status, axum::Json(body)).into_response()
    }
}

/// Runs a synchronous application call on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> crate::app::Result<T> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| Err(Error::integrity(format!("内部错误：{e}"))))
}

/// Runs a write for a logged-in user on the blocking pool; a refusal (bad input, missing grant)
/// is recorded in the audit log, as the command line does.
pub(crate) async fn write<T: Send + 'static>(
    me: &auth::LoggedIn,
    action: &'static str,
    target: String,
    work: impl FnOnce(Session) -> crate::app::Result<T> + Send + 'static,
) -> Result<T, Error> {
    let who = me.clone();
    let result = {
        let _turn = me.writes.lock().await;
        blocking(move || work(who.session())).await
    };
    if let Err(error) = &result {
        if matches!(error.kind, ErrorKind::Refused | ErrorKind::Forbidden) {
            let (who, message) = (me.clone(), error.message.clone());
            let _ = blocking(move || {
                crate::app::users::record_refusal(&who.session(), action, &target, &message);
                Ok(())
            })
            .await;
        }
    }
    result
}

pub(crate) fn router(state: Shared) -> Router {
    Router::new()
        .route("/api/health", get(|| async { "ok" }))
        .route("/api/login", post(api::login))
        .route("/api/logout", post(api::logout))
        .route("/api/vouchers", post(api::add_voucher))
        .route("/api/vouchers/:party/:fund/:number/review", post(api::review))
        .route("/api/vouchers/:party/:fund/:number/post", post(api::post))
        .route("/api/trial-balance", get(api::trial_balance))
        .route("/api/journal", get(api::journal))
        .route("/", get(pages::home))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/vouchers/new", get(pages::voucher_form).post(pages::voucher_save))
        .route("/voucher", get(pages::voucher_print))
        .route("/queue/:step", get(pages::queue).post(pages::queue_act))
        .route("/journal", get(pages::journal))
        .route("/ledger", get(pages::ledger))
        .route("/trial-balance", get(pages::trial_balance))
        .route("/reconcile", get(pages::reconcile_form).post(pages::reconcile_run))
        .route("/close", post(pages::close))
        .route("/audit", get(pages::audit))
        .route("/deadlines", get(pages::deadlines))
        .route("/plans", get(pages::plans))
        .route("/reverse", post(pages::reverse))
        .route("/void", post(pages::void))
        .route("/reopen", post(pages::reopen))
        .route("/events", get(pages::events_form).post(pages::event_save))
        .route(
            "/statements",
            post(pages::statements_upload).layer(axum::extract::DefaultBodyLimit::max(pages::STATEMENT_UPLOAD_LIMIT)),
        )
        .route("/users", get(pages::users))
        .route("/users/:act", post(pages::users_act))
        .route("/static/fundpool.css", get(pages::stylesheet))
        .layer(axum::middleware::map_response(with_safety_headers))
        .with_state(state)
}

/// Headers on every answer that keep another site from putting fundpool's pages to use: no page
/// in another's frame (a click on 记账 that the user did not mean — the session cookie is
/// SameSite=Strict already, this says it to browsers outright), forms post only here, no content
/// read as another type than sent, no address of a page (a book, a voucher number) in the
/// Referer of a link out; and nothing kept by the browser or a proxy unless said (a ledger page
/// left in the cache of an office's shared computer is there for the next person's Back button
/// after logging out). Scripts are not restricted: the pages escape all text (maud), and the
/// print link is `javascript:`.
async fn with_safety_headers(mut response: Response) -> Response {
    use axum::http::{header, HeaderValue};
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// Serves until interrupted. Refuses a database without users (nobody could log in).
pub fn serve(config: ServerConfig) -> Result<(), Error> {
    let probe = Session::new(config.db.clone(), None, String::new(), config.busy_timeout);
    if !probe.has_users()? {
        return Err(Error::refused(format!(
            "{} 还没有注册用户：serve 需要登录。请先运行 fundpool --db {} user add 姓名 --first-admin --password-stdin",
            config.db.display(),
            config.db.display()
        )));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::refused(format!("无法启动服务：{e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| Error::refused(format!("无法监听 {}：{e}", config.listen)))?;
        let state =
            Arc::new(AppState { config, throttle: Throttle::default(), writes: Arc::default(), pool: Arc::default() });
        let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Error::refused(format!("服务出错：{e}")))
    })
}
