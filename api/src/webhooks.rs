//! Webhooks from a durable outbox. [`enqueue`] writes an event inside the caller's transaction
//! (so an event exists exactly when its change does); [`run_worker`] delivers due events to the
//! merchant's `webhook_url`, signed, retrying with exponential backoff until a 2xx. Delivery is
//! at least once with a stable event id: receivers deduplicate by `Checkout-Event-Id`.
//!
//! Signature header: `Checkout-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(webhook secret,
//! "<t>.<raw body>")>`.

use std::time::Duration;

use serde_json::{Value, json};
use sqlx::Row;

use crate::AppState;
use crate::db::{Write, now_ms, rfc3339};
use crate::payments::PaymentRow;
use crate::secrets::hmac_hex;

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

/// The payments seeds' webhook payload for a payment attempt.
pub fn payment_payload(p: &PaymentRow, session_id: &str) -> Value {
    let method = if p.method_type == "CARD" {
        json!({ "type": "CARD", "card": { "lastFour": p.last4, "brand": p.brand.as_deref().map(str::to_ascii_lowercase) } })
    } else {
        json!({ "type": "BANK_ACCOUNT", "bankAccount": { "lastFour": p.last4 } })
    };
    let error = p.error_code.as_ref().map(|c| json!({ "code": c, "declineCode": p.decline_code, "message": p.error_message }));
    json!({
        "id": p.id,
        "checkoutSessionId": session_id,
        "merchantTransactionId": p.merchant_transaction_id,
        "amount": p.amount,
        "fee": p.fee,
        "total": p.total,
        "currencyCode": p.currency,
        "status": p.status,
        "paymentAllocations": [{ "id": p.id, "amount": p.amount, "status": p.status, "paymentMethod": method, "error": error }],
        "paymentDateUtc": rfc3339(p.created_at),
    })
}

/// `t=…,v1=…` for `body` at `t` (seconds).
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    format!("t={t},v1={}", hmac_hex(secret.as_bytes(), format!("{t}.{body}").as_bytes()))
}

/// The background worker: finishes payments whose processor answered after the deadline, then
/// delivers due events; forever, every `poll`.
pub async fn run_worker(st: AppState, poll: Duration) {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(10)).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook worker: cannot build HTTP client");
            return;
        }
    };
    loop {
        st.limits.shrink();
        if let Err(e) = crate::confirm::recover_stale_claims(&st, st.settings.claim_lease_ms).await {
            tracing::warn!(error = %e, "recovering orphaned claims failed");
        }
        if let Err(e) = crate::confirm::reconcile_pending(&st).await {
            tracing::warn!(error = %e, "reconciling pending payments failed");
        }
        match deliver_due(&st, &client).await {
            // More are due than one call delivers: go on without waiting (after the claims above).
            Ok(Delivered { more_due: true, .. }) => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook worker: delivery round failed"),
        }
        tokio::time::sleep(poll).await;
    }
}

/// The worker's poll for due events, only of merchants with a webhook URL (index
/// `webhook_events_undelivered`).
pub const DUE_EVENTS_SQL: &str = "SELECT e.id, e.body, e.attempts, e.next_attempt_at, m.webhook_url, m.webhook_secret
     FROM merchants m JOIN webhook_events e ON e.merchant_id = m.id AND e.delivered_at IS NULL AND e.next_attempt_at <= $1
     WHERE m.webhook_url IS NOT NULL AND m.webhook_url <> ''
     ORDER BY e.next_attempt_at LIMIT 20";

/// Events one round of [`deliver_due`] takes (the `LIMIT` of [`DUE_EVENTS_SQL`]).
const ROUND: usize = 20;
/// Rounds one call of [`deliver_due`] runs at most, so the worker's other duties (orphaned
/// claims, late processor answers) still run every 500 events while a backlog drains.
const ROUNDS_PER_CALL: usize = 25;

/// What one call of [`deliver_due`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    /// Events the receiver accepted.
    pub sent: usize,
    /// The last round was full: more events may be due right now.
    pub more_due: bool,
}

/// Delivers the events due now, a round of 20 at a time, until a round finds fewer than 20 or
/// 25 rounds ran. (One round per poll capped delivery at 20 events a second per node: a
/// merchant taking more payments than that fell further behind every second.)
pub async fn deliver_due(st: &AppState, client: &reqwest::Client) -> Result<Delivered, crate::db::WriteError> {
    let mut sent = 0;
    for _ in 0..ROUNDS_PER_CALL {
        let (taken, round_sent) = deliver_round(st, client).await?;
        sent += round_sent;
        if taken < ROUND {
            return Ok(Delivered { sent, more_due: false });
        }
    }
    Ok(Delivered { sent, more_due: true })
}

/// Leases an event for 60 s; returns a row only if this node got it (else another node has it).
/// This and the two updates below go through [`crate::db::Writer`], like every standalone write.
const LEASE_EVENT: &str =
    "UPDATE webhook_events SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3 AND delivered_at IS NULL RETURNING 1";
const EVENT_DELIVERED: &str = "UPDATE webhook_events SET delivered_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2";
const EVENT_FAILED: &str = "UPDATE webhook_events SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3";

/// One round: claim up to 20 due events (a lease, so two API nodes never send the same event
/// at once) and try each; (events found due, events delivered). Every event found leaves the
/// round no longer due (delivered, rescheduled with backoff, or leased by another node), so
/// rounds always make progress.
async fn deliver_round(st: &AppState, client: &reqwest::Client) -> Result<(usize, usize), crate::db::WriteError> {
    let now = now_ms();
    let rows = sqlx::query(DUE_EVENTS_SQL)
    .bind(now)
    .fetch_all(&st.db)
    .await?;
    let taken = rows.len();
    let mut sent = 0;
    for r in rows {
        let id: String = r.try_get("id")?;
        let due: i64 = r.try_get("next_attempt_at")?;
        let attempts: i64 = r.try_get("attempts")?;
        // Lease the event for 60 s; losing this race means another node has it.
        let lease = Write::one(LEASE_EVENT).bind(now + 60_000).bind(&id).bind(due);
        if st.writer.once(lease).await?.is_none() {
            continue;
        }
        let body: String = r.try_get("body")?;
        let url: String = r.try_get("webhook_url")?;
        let secret: String = r.try_get("webhook_secret")?;
        let t = now_ms() / 1000;
        let result = client
            .post(&url)
            .header("content-type", "application/json")
            .header("Checkout-Event-Id", &id)
            .header("Checkout-Signature", signature(&secret, t, &body))
            .body(body)
            .send()
            .await;
        let error = match result {
            Ok(resp) if resp.status().is_success() => None,
            Ok(resp) => Some(format!("HTTP {}", resp.status().as_u16())),
            Err(e) => Some(if e.is_timeout() { "timeout".to_owned() } else { "connection failed".to_owned() }),
        };
        match error {
            None => {
                st.writer.once(Write::one(EVENT_DELIVERED).bind(now_ms()).bind(&id)).await?;
                sent += 1;
            }
            Some(err) => {
                let next = now_ms() + backoff_ms(st.settings.webhook_backoff_ms, attempts + 1);
                st.writer.once(Write::one(EVENT_FAILED).bind(next).bind(&err).bind(&id)).await?;
                tracing::info!(event = %id, error = %err, "webhook delivery failed; will retry");
            }
        }
    }
    Ok((taken, sent))
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
