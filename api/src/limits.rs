//! Flood protection: the browser endpoints that write (`fee-quotes`, `confirm`,
//! `payment-methods`, `select`) share one token bucket per session: a burst of 30, then 2 per
//! second. Config reads are not limited (the widget polls them while a payment is pending). Over the limit is `429 TOO_MANY_REQUESTS` with `Retry-After`; other sessions are
//! unaffected. In memory, per API node.

use std::num::NonZeroU32;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::AppState;
use crate::error::ApiError;

/// The per-session limiter.
pub struct Limits {
    per_session: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl Limits {
    /// `burst` requests at once, then `per_second`.
    pub fn new(per_second: u32, burst: u32) -> Limits {
        let quota = Quota::per_second(NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN));
        Limits { per_session: RateLimiter::keyed(quota), clock: DefaultClock::default() }
    }

    /// Takes one token for `key`, or says how long to wait.
    pub fn check(&self, key: &str) -> Result<(), ApiError> {
        match self.per_session.check_key(&key.to_owned()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Err(ApiError::TooManyRequests { retry_after_secs: wait.as_secs() + 1 })
            }
        }
    }

    /// Forgets idle sessions (called by the background worker).
    pub fn shrink(&self) {
        self.per_session.retain_recent();
        self.per_session.shrink_to_fit();
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(2, 30)
    }
}

/// The session id of a browser endpoint's path, if it is one.
pub fn browser_session(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/v1/sessions/")?;
    let (id, tail) = rest.split_once('/')?;
    let tail = tail.split('/').next().unwrap_or("");
    matches!(tail, "fee-quotes" | "confirm" | "payment-methods" | "select").then_some(id)
}

/// Middleware applying [`Limits`] to browser endpoints.
pub async fn limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let writes = req.method() != axum::http::Method::GET;
    if let Some(id) = browser_session(req.uri().path()).filter(|_| writes) {
        if let Err(e) = st.limits.check(id) {
            return e.into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_browser_endpoints_are_limited() {
        assert_eq!(browser_session("/v1/sessions/abc/confirm"), Some("abc"));
        assert_eq!(browser_session("/v1/sessions/abc/payment-methods/pm1"), Some("abc"));
        assert_eq!(browser_session("/v1/sessions/abc"), None);
        assert_eq!(browser_session("/v1/sessions/abc/config"), None);
        assert_eq!(browser_session("/v1/sessions/abc/expire"), None);
        assert_eq!(browser_session("/v2/payments"), None);
    }

    #[test]
    fn a_burst_then_429_with_retry_after() {
        let l = Limits::new(1, 3);
        for _ in 0..3 {
            assert!(l.check("s").is_ok());
        }
        match l.check("s") {
            Err(ApiError::TooManyRequests { retry_after_secs }) => assert!((1..=2).contains(&retry_after_secs)),
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(l.check("other").is_ok(), "other sessions are unaffected");
    }
}
