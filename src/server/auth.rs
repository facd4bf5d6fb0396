//! Who is asking: the session cookie (HttpOnly, SameSite=Strict) resolved to a registered user
//! with their current grants, the form token every POST must carry (CSRF), and the throttle that
//! slows a guessing attacker down (5 failed logins in 5 minutes per user or address → 429).

use super::{blocking, ApiError, AppState, Shared};
use crate::app::Session;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const COOKIE: &str = "fp_session";
const MAX_FAILURES: usize = 5;
const WINDOW: Duration = Duration::from_secs(300);

/// Above this many keys, a failure first drops the keys whose failures have all aged out.
const PRUNE_ABOVE: usize = 1024;

/// Failed logins per key (user name, client address). Only failures are kept, and only for the
/// window: the map was once given an entry for every name tried, never removed — a name of up to
/// 2 MB (the body limit) per request, from anyone, without logging in.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    pub fn blocked(&self, keys: &[&str]) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter().any(|key| match map.get_mut(*key) {
            Some(entries) => {
                entries.retain(|t| t.elapsed() < WINDOW);
                entries.len() >= MAX_FAILURES
            }
            None => false,
        })
    }

    pub fn failed(&self, keys: &[&str]) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > PRUNE_ABOVE {
            map.retain(|_, entries| {
                entries.retain(|t| t.elapsed() < WINDOW);
                !entries.is_empty()
            });
        }
        for key in keys {
            map.entry(key.to_string()).or_default().push(Instant::now());
        }
    }

    #[cfg(test)]
    fn keys(&self) -> usize {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn succeeded(&self, keys: &[&str]) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in keys {
            map.remove(*key);
        }
    }
}

/// The value of the session cookie, if any.
pub fn cookie_token(parts: &Parts) -> Option<String> {
    parts.headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(
        |pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE).then(|| value.to_string())
        },
    )
}

/// The Set-Cookie header of a new session (and of a logout, with an empty value). `secure` —
/// behind the TLS proxy (`--trust-proxy`) — keeps the browser from ever sending the session over
/// plain HTTP (a stray http:// link, a proxy misconfigured for a moment). Without a proxy the
/// server is on loopback, where the cookie stays on the machine.
pub fn set_cookie(token: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}")
}

/// Where a request comes from, for the audit log and the throttle: the TCP peer, or — with
/// `--trust-proxy` and a peer on loopback (the reverse proxy on this machine) — the client the
/// proxy appended last to `X-Forwarded-For`.
pub fn client_address(peer: Option<SocketAddr>, headers: &axum::http::HeaderMap, trust_proxy: bool) -> String {
    let Some(peer) = peer else { return "unknown".to_string() };
    if trust_proxy && peer.ip().is_loopback() {
        let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
        if let Some(client) = forwarded.and_then(|v| v.rsplit(',').next()).map(str::trim).filter(|c| !c.is_empty()) {
            if let Ok(ip) = client.parse::<std::net::IpAddr>() {
                return ip.to_string();
            }
        }
    }
    peer.ip().to_string()
}

/// A logged-in request: the user with their current grants, the form token, and what an
/// application session needs (built inside each blocking call: a `Session` is not `Send`).
#[derive(Clone)]
pub struct LoggedIn {
    pub actor: crate::domain::access::Actor,
    pub csrf: String,
    pub token: String,
    pub address: String,
    db: std::path::PathBuf,
    now: String,
    busy_timeout: Duration,
    /// The server's queue of writes.
    pub writes: std::sync::Arc<tokio::sync::Mutex<()>>,
    pool: std::sync::Arc<crate::app::StorePool>,
}

impl LoggedIn {
    pub fn user(&self) -> String {
        self.actor.name.clone()
    }

    /// The application session acting as this user.
    pub fn session(&self) -> Session {
        let mut session = Session::authenticated(
            self.db.clone(),
            self.actor.clone(),
            self.now.clone(),
            self.busy_timeout,
            self.address.clone(),
        );
        session.pool = Some(self.pool.clone());
        session
    }

    /// Refuses (403) a form or API call without the session's form token; the refusal is audited.
    pub async fn check_csrf(&self, given: Option<&str>) -> Result<(), Response> {
        match given {
            Some(token) if !token.is_empty() && token == self.csrf => Ok(()),
            _ => {
                let message = "缺少或错误的表单令牌（CSRF）：请重新打开页面再提交";
                let who = self.clone();
                let _ = super::blocking(move || {
                    crate::app::users::record_refusal(&who.session(), "csrf", "", message);
                    Ok(())
                })
                .await;
                Err((StatusCode::FORBIDDEN, axum::Json(serde_json::json!({ "error": message }))).into_response())
            }
        }
    }
}

/// Why a request is not logged in: an API call gets 401, a page a redirect to the login form.
pub enum NotLoggedIn {
    Api,
    Page,
}

impl IntoResponse for NotLoggedIn {
    fn into_response(self) -> Response {
        match self {
            NotLoggedIn::Api => {
                (StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({"error": "未登录或登录已过期"})))
                    .into_response()
            }
            NotLoggedIn::Page => Redirect::to("/login").into_response(),
        }
    }
}

#[axum::async_trait]
impl FromRequestParts<Shared> for LoggedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Self::Rejection> {
        let not_logged_in =
            || if parts.uri.path().starts_with("/api/") { NotLoggedIn::Api } else { NotLoggedIn::Page }.into_response();
        let Some(token) = cookie_token(parts) else { return Err(not_logged_in()) };
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        let address = client_address(peer, &parts.headers, state.config.trust_proxy);
        let probe = state.anonymous(&address);
        let lookup_token = token.clone();
        let found = blocking(move || crate::app::users::web_session(&probe, &lookup_token, AppState::unix_now()))
            .await
            .map_err(|e| ApiError(e).into_response())?;
        let Some((actor, csrf)) = found else { return Err(not_logged_in()) };
        Ok(LoggedIn {
            actor,
            csrf,
            token,
            address,
            db: state.config.db.clone(),
            now: state.now(),
            busy_timeout: state.config.busy_timeout,
            writes: state.writes.clone(),
            pool: state.pool.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asking about a key keeps nothing; failures are counted per key up to the limit.
    #[test]
    fn the_throttle_keeps_only_failures() {
        let throttle = Throttle::default();
        for i in 0..10_000 {
            assert!(!throttle.blocked(&[&format!("user:{i}"), "addr:192.0.2.1"]));
        }
        assert_eq!(throttle.keys(), 0, "a name asked about is not kept");
        for _ in 0..MAX_FAILURES {
            assert!(!throttle.blocked(&["user:张会计", "addr:192.0.2.1"]));
            throttle.failed(&["user:张会计", "addr:192.0.2.1"]);
        }
        assert!(throttle.blocked(&["user:张会计", "addr:198.51.100.1"]), "the user is throttled");
        assert!(throttle.blocked(&["user:李审核", "addr:192.0.2.1"]), "the address is throttled");
        assert_eq!(throttle.keys(), 2);
        throttle.succeeded(&["user:张会计", "addr:192.0.2.1"]);
        assert!(!throttle.blocked(&["user:张会计", "addr:192.0.2.1"]));
    }
}
