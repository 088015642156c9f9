//! Flood protection on the browser endpoints (`/v1/sessions/{id}/config`, `fee-quotes`,
//! `confirm`, `payment-methods`, `select`), with two token buckets in memory per API node:
//! - per session, for the endpoints that write: a burst of 30, then 2 per second. Config reads
//!   are not counted here (the widget polls them while a payment is pending).
//! - per client address, for every browser endpoint, reads included: a burst of 200, then 20 per
//!   second. This is what slows down someone guessing client secrets across many sessions.
//!
//! Over either limit is `429 TOO_MANY_REQUESTS` with `Retry-After`; other sessions and other
//! clients are unaffected. The client address is the TCP peer, or, behind a reverse proxy, the
//! right-most address of the header named by `CHECKOUT_CLIENT_IP_HEADER` (the one the proxy
//! appended). Both quotas are set with `CHECKOUT_SESSION_LIMIT` and `CHECKOUT_CLIENT_LIMIT`
//! (`PER_SECOND/BURST`, or `off`); see [`Quota::parse`].

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, RateLimiter};

use crate::AppState;
use crate::error::ApiError;

/// A token bucket's size: `per_second` sustained, `burst` at once (neither can be 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub per_second: NonZeroU32,
    pub burst: NonZeroU32,
}

/// `n` as a `NonZeroU32`, for the constants below (0 does not compile).
const fn nz(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => panic!("a quota is never 0"),
    }
}

impl Quota {
    pub const SESSION_DEFAULT: Quota = Quota { per_second: nz(2), burst: nz(30) };
    pub const CLIENT_DEFAULT: Quota = Quota { per_second: nz(20), burst: nz(200) };

    /// `"20/200"` (per second / burst) or `"off"` (no limit: `None`).
    pub fn parse(s: &str) -> Result<Option<Quota>, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let bad = || format!("`{s}` is not PER_SECOND/BURST (for example 20/200) or `off`");
        let (rate, burst) = s.split_once('/').ok_or_else(bad)?;
        Ok(Some(Quota {
            per_second: rate.trim().parse().map_err(|_| bad())?,
            burst: burst.trim().parse().map_err(|_| bad())?,
        }))
    }

    fn limiter<K: std::hash::Hash + Eq + Clone>(self) -> DefaultKeyedRateLimiter<K> {
        RateLimiter::keyed(governor::Quota::per_second(self.per_second).allow_burst(self.burst))
    }
}

/// The per-session and per-client limiters (either may be off).
pub struct Limits {
    per_session: Option<DefaultKeyedRateLimiter<String>>,
    per_client: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Header carrying the client address behind a trusted proxy.
    client_ip_header: Option<HeaderName>,
    clock: DefaultClock,
    /// Confirms per client address in the last [`VELOCITY_WINDOW_MS`] (unix ms of each), for the
    /// risk rules' velocity signal ([`crate::domain::risk`]). Per node.
    confirms: std::sync::Mutex<std::collections::HashMap<IpAddr, std::collections::VecDeque<(i64, u64)>>>,
}

/// The window of the confirm velocity per client address.
pub const VELOCITY_WINDOW_MS: i64 = 10 * 60 * 1000;

impl Limits {
    pub fn new(per_session: Option<Quota>, per_client: Option<Quota>) -> Limits {
        Limits {
            per_session: per_session.map(Quota::limiter),
            per_client: per_client.map(Quota::limiter),
            client_ip_header: None,
            clock: DefaultClock::default(),
            confirms: std::sync::Mutex::default(),
        }
    }

    /// Notes a confirm from `client` at `now` (unix ms) under `attempt` (its session and
    /// Idempotency-Key): how many different attempts came from it in the window, this one
    /// included. Retries of one attempt count once.
    pub fn note_confirm(&self, client: IpAddr, attempt: &str, now: i64) -> usize {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let id = BuildHasherDefault::<DefaultHasher>::default().hash_one(attempt);
        let Ok(mut map) = self.confirms.lock() else { return 0 };
        let seen = map.entry(client).or_default();
        while seen.front().is_some_and(|(t, _)| *t <= now - VELOCITY_WINDOW_MS) {
            seen.pop_front();
        }
        if !seen.iter().any(|(_, a)| *a == id) {
            seen.push_back((now, id));
        }
        seen.len()
    }

    /// Reads the client address from `header` (right-most entry) instead of the TCP peer.
    pub fn with_client_ip_header(mut self, header: HeaderName) -> Limits {
        self.client_ip_header = Some(header);
        self
    }

    fn take_token<K: std::hash::Hash + Eq + Clone>(&self, limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), ApiError> {
        limiter.check_key(key).map_err(|not_until| ApiError::TooManyRequests {
            retry_after_secs: not_until.wait_time_from(self.clock.now()).as_secs() + 1,
        })
    }

    /// Takes one token from the session's bucket, or says how long to wait.
    pub fn check_session(&self, session_id: &str) -> Result<(), ApiError> {
        match &self.per_session {
            Some(l) => self.take_token(l, &session_id.to_owned()),
            None => Ok(()),
        }
    }

    /// Takes one token from the client's bucket, or says how long to wait.
    pub fn check_client(&self, client: IpAddr) -> Result<(), ApiError> {
        match &self.per_client {
            Some(l) => self.take_token(l, &client),
            None => Ok(()),
        }
    }

    /// The client of a request: the proxy header's right-most address when configured, else the
    /// TCP peer. `None` when neither is known (then only the session limit applies).
    pub fn client_of(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
        match &self.client_ip_header {
            Some(name) => headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back()
                .or(peer),
            None => peer,
        }
    }

    /// Forgets idle sessions and clients (called by the background worker).
    pub fn shrink(&self) {
        if let Some(l) = &self.per_session {
            l.retain_recent();
            l.shrink_to_fit();
        }
        if let Some(l) = &self.per_client {
            l.retain_recent();
            l.shrink_to_fit();
        }
        if let Ok(mut map) = self.confirms.lock() {
            let old = crate::db::now_ms() - VELOCITY_WINDOW_MS;
            map.retain(|_, seen| seen.back().is_some_and(|(t, _)| *t > old));
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(Some(Quota::SESSION_DEFAULT), Some(Quota::CLIENT_DEFAULT))
    }
}

/// What a browser endpoint's path is: its session id, and whether the endpoint writes.
pub fn browser_endpoint<'a>(path: &'a str, method: &axum::http::Method) -> Option<(&'a str, bool)> {
    let rest = path.strip_prefix("/v1/sessions/")?;
    let (id, tail) = rest.split_once('/')?;
    let tail = tail.split('/').next().unwrap_or("");
    match tail {
        "config" => Some((id, false)),
        "fee-quotes" | "confirm" | "payment-methods" | "select" => Some((id, method != axum::http::Method::GET)),
        _ => None,
    }
}

/// Middleware applying [`Limits`] to browser endpoints.
pub async fn limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let Some((id, writes)) = browser_endpoint(req.uri().path(), req.method()) else {
        return next.run(req).await;
    };
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if let Some(client) = st.limits.client_of(req.headers(), peer)
        && let Err(e) = st.limits.check_client(client)
    {
        tracing::warn!(%client, "client over its rate limit");
        return e.into_response();
    }
    if writes && let Err(e) = st.limits.check_session(id) {
        return e.into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    #[test]
    fn browser_endpoints_and_which_of_them_write() {
        assert_eq!(browser_endpoint("/v1/sessions/abc/confirm", &Method::POST), Some(("abc", true)));
        assert_eq!(browser_endpoint("/v1/sessions/abc/payment-methods/pm1", &Method::DELETE), Some(("abc", true)));
        assert_eq!(browser_endpoint("/v1/sessions/abc/payment-methods", &Method::GET), Some(("abc", false)));
        assert_eq!(browser_endpoint("/v1/sessions/abc/config", &Method::GET), Some(("abc", false)));
        assert_eq!(browser_endpoint("/v1/sessions/abc", &Method::GET), None);
        assert_eq!(browser_endpoint("/v1/sessions/abc/expire", &Method::POST), None);
        assert_eq!(browser_endpoint("/v2/payments", &Method::POST), None);
    }

    #[test]
    fn a_burst_then_429_with_retry_after() {
        let l = Limits::new(Some(Quota { per_second: nz(1), burst: nz(3) }), None);
        for _ in 0..3 {
            assert!(l.check_session("s").is_ok());
        }
        match l.check_session("s") {
            Err(ApiError::TooManyRequests { retry_after_secs }) => assert!((1..=2).contains(&retry_after_secs)),
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(l.check_session("other").is_ok(), "other sessions are unaffected");
        assert!(l.check_client("127.0.0.1".parse().unwrap()).is_ok(), "the client limit is off");
    }

    #[test]
    fn clients_are_limited_apart() {
        let l = Limits::new(None, Some(Quota { per_second: nz(1), burst: nz(2) }));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        assert!(l.check_client(a).is_ok() && l.check_client(a).is_ok());
        assert!(matches!(l.check_client(a), Err(ApiError::TooManyRequests { .. })));
        assert!(l.check_client("10.0.0.2".parse().unwrap()).is_ok());
    }

    #[test]
    fn quotas_parse_or_say_why_not() {
        assert_eq!(Quota::parse("20/200"), Ok(Some(Quota::CLIENT_DEFAULT)));
        assert_eq!(Quota::parse(" 2 / 30 "), Ok(Some(Quota::SESSION_DEFAULT)));
        assert_eq!(Quota::parse("off"), Ok(None));
        for bad in ["", "20", "0/10", "10/0", "-1/5", "a/b"] {
            assert!(Quota::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_client_is_the_peer_or_the_proxy_header_s_last_address() {
        let peer: IpAddr = "10.0.0.9".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "1.2.3.4, 5.6.7.8".parse().unwrap());
        assert_eq!(Limits::default().client_of(&h, Some(peer)), Some(peer), "headers are ignored unless configured");
        let proxied = Limits::default().with_client_ip_header(HeaderName::from_static("x-forwarded-for"));
        assert_eq!(proxied.client_of(&h, Some(peer)), Some("5.6.7.8".parse().unwrap()));
        assert_eq!(proxied.client_of(&HeaderMap::new(), Some(peer)), Some(peer));
    }
}
