//! The webhook outbox: events are written inside the transaction (or the atomic write) of the
//! change they report, so an event exists exactly when its change does; the worker
//! ([`crate::domain::worker`]) delivers them signed, retrying with exponential backoff until a
//! 2xx. Delivery is at least once with a stable event id: receivers deduplicate by
//! `Checkout-Event-Id`.
//!
//! Signature header: `Checkout-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(webhook secret,
//! "<t>.<raw body>")>`.

use serde_json::{Value, json};

use crate::db::{now_ms, rfc3339};
use crate::secrets::hmac_hex;


/// How long the worker retries an event before it is failed (3 days), from its creation or its
/// last redelivery.
pub const RETRY_WINDOW_MS: i64 = 3 * 24 * 3_600_000;

/// Backoff after the n-th failed attempt: base · 2ⁿ⁻¹, at most one hour.
pub fn backoff_ms(base_ms: i64, attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 20) - 1;
    base_ms.saturating_mul(1_i64 << exp).min(3_600_000)
}

/// Writes events into the outbox inside `tx`, two per statement: a confirm's payment event and
/// session event cost one round trip inside the caller's write transaction.
pub async fn enqueue(tx: &mut sqlx::AnyConnection, merchant_id: &str, events: &[(&str, Value)]) -> Result<(), sqlx::Error> {
    const ONE: &str = "INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at)
         VALUES ($3, $1, $4, $5, $2, $2)";
    const TWO: &str = "INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at)
         VALUES ($3, $1, $4, $5, $2, $2), ($6, $1, $7, $8, $2, $2)";
    let now = now_ms();
    for chunk in events.chunks(2) {
        let mut q = sqlx::query(if chunk.len() == 2 { TWO } else { ONE }).bind(merchant_id).bind(now);
        for (event_type, payload) in chunk {
            let (id, body) = event(event_type, payload, now);
            q = q.bind(id).bind(*event_type).bind(body);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// A new event's id and the body merchants receive, created at `now`.
pub fn event(event_type: &str, payload: &Value, now: i64) -> (String, String) {
    let id = format!("evt_{}", uuid::Uuid::now_v7().simple());
    let body = json!({ "id": id, "name": event_type, "source": "checkout", "createdAtUtc": rfc3339(now), "payload": payload });
    (id, body.to_string())
}


/// `t=…,v1=…` for `body` at `t` (seconds).
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    format!("t={t},v1={}", hmac_hex(secret.as_bytes(), format!("{t}.{body}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!((1..=5).map(|n| backoff_ms(1_000, n)).collect::<Vec<_>>(), vec![1_000, 2_000, 4_000, 8_000, 16_000]);
        assert_eq!(backoff_ms(1_000, 30), 3_600_000);
    }

    #[test]
    fn signature_is_hmac_of_timestamp_and_body() {
        assert_eq!(signature("k", 5, "{}"), format!("t=5,v1={}", hmac_hex(b"k", b"5.{}")));
    }
}
