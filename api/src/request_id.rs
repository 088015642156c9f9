//! One id per request, so a payer's failed request can be followed from the reference the widget
//! showed them to the API's log lines. An incoming `x-request-id` of 1-64 characters
//! (`A-Z a-z 0-9 . _ : -`) is kept (a proxy in front may have made it); anything else is replaced
//! by `req_<32 hex>`. The id is returned in the `x-request-id` header of every response, in the
//! `requestId` of every error body the API makes ([`crate::error::ApiError`]), and it is a field of
//! the span every log line of the request is written in (`request{request_id=…}`; in
//! `CHECKOUT_LOG_FORMAT=json`, under `span`), including the line each failed answer gets. Once a
//! request is authenticated, its span also names the merchant and the session it acts on
//! ([`note_merchant`], [`note_session`]).

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The header carrying the id, both ways.
pub const HEADER: &str = "x-request-id";

/// The id of the request this task is serving, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

fn acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
}

/// Names the merchant a request acts for on its span, so every later line of the request (and
/// its `answered` line) carries it. Called once the merchant is authenticated.
pub fn note_merchant(merchant_id: &str) {
    tracing::Span::current().record("merchant_id", merchant_id);
}

/// Names the session a request acts on (and its merchant) on its span; called once the caller
/// was allowed to see it.
pub fn note_session(session_id: &str, merchant_id: &str) {
    let span = tracing::Span::current();
    span.record("session_id", session_id);
    span.record("merchant_id", merchant_id);
}

/// The middleware: picks the id, serves the request inside its span and task-local, and sets the
/// response header.
pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("req_{}", uuid::Uuid::new_v4().simple()));
    let value = HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("req_invalid"));
    req.headers_mut().insert(HEADER, value.clone());
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path(),
        merchant_id = tracing::field::Empty, session_id = tracing::field::Empty);
    let started = std::time::Instant::now();
    let mut response = REQUEST_ID.scope(id, next.run(req).instrument(span.clone())).await;
    // One line per answer, in the request's span: every failed request (4xx, 5xx) at info, so the
    // reference a caller quotes finds its line; the rest at debug.
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if status >= 400 {
            tracing::info!(status, ms, "answered");
        } else {
            tracing::debug!(status, ms, "answered");
        }
    });
    response.headers_mut().insert(HEADER, value);
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_short_plain_ids_are_kept_from_the_client() {
        assert!(super::acceptable("req_0123456789abcdef"));
        assert!(super::acceptable("3f2c1a9e-77b1-4d2b-9a0e-5e1f0c8b7a61"));
        assert!(!super::acceptable(""));
        assert!(!super::acceptable(&"a".repeat(65)));
        assert!(!super::acceptable("id with space"));
        assert!(!super::acceptable("id\"quote"));
    }
}
