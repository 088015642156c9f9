//! A merchant's webhooks, by the merchant API: where events go (set, change or stop), the
//! signing secret (rotated), and the events the worker gave up on after their retry window
//! (listed, redelivered). Delivery itself is the worker's ([`crate::domain::worker`]).

use serde_json::{Value, json};
use sqlx::Row;

use crate::AppState;
use crate::db::{Write, now_ms, rfc3339};
use crate::domain::outbox::RETRY_WINDOW_MS;
use crate::error::{ApiError, ApiResult};
use crate::extract::Merchant;
use crate::secrets::random_hex;

/// The endpoint as the merchant sees it: its URL, and how many events wait or failed.
pub async fn endpoint(st: &AppState, merchant: &Merchant) -> ApiResult<Value> {
    let url: Option<String> = sqlx::query("SELECT webhook_url FROM merchants WHERE id = $1")
        .bind(&merchant.id)
        .fetch_one(&st.db)
        .await?
        .try_get("webhook_url")?;
    let counts = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM webhook_events WHERE merchant_id = $1 AND delivered_at IS NULL AND failed_at IS NULL
         UNION ALL SELECT CAST(COUNT(*) AS BIGINT) FROM webhook_events WHERE merchant_id = $1 AND failed_at IS NOT NULL",
    )
    .bind(&merchant.id)
    .fetch_all(&st.db)
    .await?;
    let n = |i: usize| counts.get(i).and_then(|r| r.try_get::<i64, _>(0).ok()).unwrap_or(0);
    Ok(json!({ "data": { "url": url.filter(|u| !u.is_empty()), "pendingEvents": n(0), "failedEvents": n(1) } }))
}

/// Sets (or, with `None`, clears: events are kept, not sent) the URL events are POSTed to.
pub async fn set_url(st: &AppState, merchant: &Merchant, url: Option<&str>) -> ApiResult<Value> {
    if let Some(u) = url {
        let ok = (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 2048 && !u.contains(char::is_whitespace);
        if !ok || reqwest::Url::parse(u).is_err() {
            return Err(ApiError::InvalidRequest("url must be an absolute http(s) URL of at most 2048 characters.".to_owned()));
        }
    }
    const SET: &str = "UPDATE merchants SET webhook_url = $1 WHERE id = $2";
    st.writer.once(Write::one(SET).bind(url).bind(&merchant.id)).await?;
    tracing::info!(merchant = %merchant.id, set = url.is_some(), "webhook URL changed");
    endpoint(st, merchant).await
}

/// A new signing secret, answered once; events signed from now on use it.
pub async fn rotate_secret(st: &AppState, merchant: &Merchant) -> ApiResult<Value> {
    let secret = format!("whsec_{}", random_hex(24));
    const ROTATE: &str = "UPDATE merchants SET webhook_secret = $1 WHERE id = $2";
    st.writer.once(Write::one(ROTATE).bind(&secret).bind(&merchant.id)).await?;
    tracing::info!(merchant = %merchant.id, "webhook secret rotated");
    Ok(json!({ "data": { "secret": secret } }))
}

/// A merchant's failed events, most recently failed first (index `webhook_events_failed`).
pub const FAILED_EVENTS_SQL: &str = "SELECT id, event_type, attempts, last_error, created_at, failed_at FROM webhook_events
     WHERE merchant_id = $1 AND failed_at IS NOT NULL ORDER BY failed_at DESC LIMIT 100";

/// The events the worker gave up on (up to 100).
pub async fn failed(st: &AppState, merchant: &Merchant) -> ApiResult<Value> {
    let rows = sqlx::query(FAILED_EVENTS_SQL).bind(&merchant.id).fetch_all(&st.db).await?;
    let mut events = Vec::with_capacity(rows.len());
    for r in rows {
        events.push(json!({
            "id": r.try_get::<String, _>("id")?,
            "name": r.try_get::<String, _>("event_type")?,
            "attempts": r.try_get::<i64, _>("attempts")?,
            "lastError": r.try_get::<Option<String>, _>("last_error")?,
            "createdAtUtc": rfc3339(r.try_get("created_at")?),
            "failedAtUtc": r.try_get::<Option<i64>, _>("failed_at")?.map(rfc3339),
        }));
    }
    Ok(json!({ "data": events }))
}

/// Sends an event of this merchant again (failed, or delivered and lost by the receiver): due
/// now, with a new retry window.
pub async fn redeliver(st: &AppState, merchant: &Merchant, id: &str) -> ApiResult<Value> {
    let now = now_ms();
    const REDELIVER: &str = "UPDATE webhook_events SET failed_at = NULL, delivered_at = NULL, attempts = 0, last_error = NULL,
            next_attempt_at = $1, retry_until = $2 WHERE id = $3 AND merchant_id = $4 RETURNING 1";
    let write = Write::one(REDELIVER).bind(now).bind(now + RETRY_WINDOW_MS).bind(id).bind(&merchant.id);
    if st.writer.once(write).await?.is_none() {
        return Err(ApiError::NotFound("No event with this id for this merchant.".to_owned()));
    }
    tracing::info!(merchant = %merchant.id, event = %id, "webhook event queued for redelivery");
    Ok(json!({ "data": { "id": id, "status": "PENDING" } }))
}
