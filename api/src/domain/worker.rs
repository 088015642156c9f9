//! The background worker, one loop per API node: it finishes payment attempts the request path
//! could not (the processor missed its deadline, or a crash orphaned a claim), whichever way they
//! came in (a session's confirm or `/v2/payments`), delivers due webhooks and payment links
//! ([`session::links`]), and trims the rate
//! limiters. Every step is safe with several nodes on one database.

use std::time::Duration;

use sqlx::Row;

use crate::AppState;
use crate::db::{Write, now_ms};
pub use crate::domain::outbox::RETRY_WINDOW_MS;
use crate::domain::outbox::{backoff_ms, signature};
use crate::domain::payment::PaymentRow;
use crate::domain::payment::operation::{self, OperationRow};
use crate::domain::payment::record::{self, Recorded};
use crate::domain::session;
use crate::error::ApiResult;

/// How long a claimed attempt may stay `PENDING` without a processor answer before the worker
/// settles it. A live request records its outcome (or marks it awaiting the processor) within
/// the processor deadline.
pub const CLAIM_LEASE_MS: i64 = 30_000;

/// The background worker: finishes pending attempts, then delivers due events; forever, every
/// `poll`.
pub async fn run(st: AppState, poll: Duration) {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(10)).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook worker: cannot build HTTP client");
            return;
        }
    };
    loop {
        st.limits.shrink();
        if let Err(e) = settle_pending(&st, st.settings.claim_lease_ms).await {
            tracing::warn!(error = %e, "settling pending payments failed");
        }
        if let Err(e) = settle_operations(&st, st.settings.claim_lease_ms).await {
            tracing::warn!(error = %e, "settling pending captures, voids and refunds failed");
        }
        if let Err(e) = expire_holds(&st, now_ms()).await {
            tracing::warn!(error = %e, "voiding expired holds failed");
        }
        if let Err(e) = expire_sessions(&st, now_ms()).await {
            tracing::warn!(error = %e, "ending expired sessions failed");
        }
        if let Err(e) = session::links::deliver_due(&st).await {
            tracing::warn!(error = %e, "delivering payment links failed");
        }
        if let Err(e) = session::links::settle(&st, now_ms()).await {
            tracing::warn!(error = %e, "settling payment links failed");
        }
        if let Err(e) = crate::metrics::sample(&st).await {
            tracing::warn!(error = %e, "sampling the worker's gauges failed");
        }
        match deliver_due(&st, &client).await {
            // More are due than one call delivers: go on without waiting (after the attempts above).
            Ok(Delivered { more_due: true, .. }) => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook worker: delivery round failed"),
        }
        tokio::time::sleep(poll).await;
    }
}

/// The worker's poll for attempts to finish: awaiting the processor (any age), or claimed and
/// unanswered for longer than the lease (index `payments_awaiting`, partial on `PENDING`).
pub const PENDING_SQL: &str = "SELECT * FROM payments
     WHERE status = 'PENDING' AND (awaiting_processor = 1 OR updated_at < $1) ORDER BY created_at LIMIT 50";

/// What one [`settle_pending`] pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settled {
    /// Attempts whose processor answer was recorded.
    pub recorded: usize,
    /// Orphaned attempts the processor never saw, given back for a retry.
    pub released: usize,
    /// Attempts that could not be settled (logged with their id; retried next pass).
    pub failed: usize,
}

/// Finishes `PENDING` attempts: if the processor knows the charge (by the attempt's processor
/// key) its outcome is recorded by [`record::record_outcome`], as the live request would have;
/// if it never saw an orphaned claim, the attempt is released ([`record::release`]) so the
/// payer's retry charges once. An attempt awaiting the processor waits until it answers. One
/// attempt that fails never stops the others.
pub async fn settle_pending(st: &AppState, lease_ms: i64) -> Result<Settled, sqlx::Error> {
    let rows = sqlx::query(PENDING_SQL).bind(now_ms() - lease_ms).fetch_all(&st.db).await?;
    let mut done = Settled::default();
    for row in rows {
        let id: String = row.try_get("id").unwrap_or_default();
        let settled = match PaymentRow::from_row(&row) {
            Ok(p) => settle_one(st, &p).await,
            Err(e) => Err(e.into()),
        };
        done.count(settled, "payment", &id);
    }
    Ok(done)
}

impl Settled {
    /// Counts what settling one pending row (an attempt or an operation, its `id`) did: `Some(true)`
    /// recorded, `Some(false)` released, `None` left as it is; an error is logged with the row's id
    /// and retried next pass.
    fn count(&mut self, settled: ApiResult<Option<bool>>, what: &str, id: &str) {
        match settled {
            Ok(Some(true)) => self.recorded += 1,
            Ok(Some(false)) => self.released += 1,
            Ok(None) => {}
            Err(e) => {
                self.failed += 1;
                tracing::error!(what, id, error = ?e, "could not settle a pending row; retrying next pass");
            }
        }
    }
}

/// `Some(true)` recorded, `Some(false)` released, `None` left as it is (the processor is still
/// working, or another node got there first).
async fn settle_one(st: &AppState, p: &PaymentRow) -> ApiResult<Option<bool>> {
    let outcome = match &p.processor_key {
        Some(key) => st.processor.retrieve(key).await,
        None => None,
    };
    let Some(outcome) = outcome else {
        if p.awaiting_processor {
            return Ok(None);
        }
        return Ok(record::release(st, p).await?.then_some(false));
    };
    let session = match &p.session_id {
        Some(id) => Some(session::load(&st.db, id).await?.ok_or_else(|| anyhow::anyhow!("session {id} of payment {} not found", p.id))?),
        None => None,
    };
    match record::record_outcome(st, p, session.as_ref(), &outcome).await? {
        Recorded::Now { .. } => Ok(Some(true)),
        Recorded::Already => Ok(None),
    }
}

/// The worker's poll for captures, voids and refunds to finish: awaiting the processor, or
/// claimed and unanswered past the lease (index `payment_operations_pending`).
pub const PENDING_OPERATIONS_SQL: &str = "SELECT * FROM payment_operations
     WHERE status = 'PENDING' AND (awaiting_processor = 1 OR updated_at < $1) ORDER BY created_at LIMIT 50";

/// Finishes `PENDING` operations the way [`settle_pending`] finishes attempts: recorded by
/// [`operation::record_operation`] if the processor knows them, released if a crash orphaned
/// them before it saw them.
pub async fn settle_operations(st: &AppState, lease_ms: i64) -> Result<Settled, sqlx::Error> {
    let rows = sqlx::query(PENDING_OPERATIONS_SQL).bind(now_ms() - lease_ms).fetch_all(&st.db).await?;
    let mut done = Settled::default();
    for row in rows {
        let id: String = row.try_get("id").unwrap_or_default();
        let settled = match OperationRow::from_row(&row) {
            Ok(op) => operation::settle_operation(st, &op).await,
            Err(e) => Err(e.into()),
        };
        done.count(settled, "operation", &id);
    }
    Ok(done)
}

/// Holds due to be voided at `at` (index `payments_holds`, partial on `AUTHORIZED`); one whose
/// void the processor refused is tried again an hour later, not every pass.
pub const EXPIRED_HOLDS_SQL: &str = "SELECT * FROM payments WHERE status = 'AUTHORIZED' AND hold_expires_at <= $1
       AND NOT EXISTS (SELECT 1 FROM payment_operations o WHERE o.payment_id = payments.id AND o.kind = 'VOID'
                       AND o.status = 'FAILED' AND o.updated_at > $1 - 3600000)
     ORDER BY hold_expires_at LIMIT 50";

/// Voids the holds that expired uncaptured by `at` ([`operation::void_expired`]); how many.
pub async fn expire_holds(st: &AppState, at: i64) -> Result<usize, sqlx::Error> {
    let rows = sqlx::query(EXPIRED_HOLDS_SQL).bind(at).fetch_all(&st.db).await?;
    let mut voided = 0;
    for row in rows {
        let p = PaymentRow::from_row(&row)?;
        match operation::void_expired(st, &p).await {
            Ok(true) => voided += 1,
            Ok(false) => {}
            Err(e) => tracing::error!(payment = %p.id, error = ?e, "could not void an expired hold; retrying next pass"),
        }
    }
    Ok(voided)
}

/// Open sessions whose TTL ran out by `$1` (index `sessions_open_expiry`).
pub const EXPIRED_SESSIONS_SQL: &str = "SELECT id FROM sessions
     WHERE state IN ('PENDING_INITIALIZATION', 'INITIALIZED') AND expires_at <= $1 ORDER BY expires_at LIMIT 100";

/// Ends the sessions whose TTL ran out by `at` as `TIMED_OUT`, each with its
/// `CHECKOUT_SESSION_EXPIRED` event ([`session::change::end`]); how many.
pub async fn expire_sessions(st: &AppState, at: i64) -> Result<usize, sqlx::Error> {
    let rows = sqlx::query(EXPIRED_SESSIONS_SQL).bind(at).fetch_all(&st.db).await?;
    let mut ended = 0;
    for row in rows {
        let id: String = row.try_get("id")?;
        let result = match session::load(&st.db, &id).await {
            Ok(Some(s)) => session::change::end(st, &s, session::SessionState::TimedOut, at).await,
            Ok(None) => Ok(false),
            Err(e) => Err(e),
        };
        match result {
            Ok(true) => ended += 1,
            Ok(false) => {}
            Err(e) => tracing::error!(session = %id, error = ?e, "could not end an expired session; retrying next pass"),
        }
    }
    Ok(ended)
}

/// The worker's poll for due events, only of merchants with a webhook URL (index
/// `webhook_events_undelivered`).
pub const DUE_EVENTS_SQL: &str = "SELECT e.id, e.body, e.attempts, e.next_attempt_at, e.created_at, e.retry_until, m.webhook_url, m.webhook_secret
     FROM merchants m JOIN webhook_events e ON e.merchant_id = m.id AND e.delivered_at IS NULL AND e.failed_at IS NULL
       AND e.next_attempt_at <= $1
     WHERE m.webhook_url IS NOT NULL AND m.webhook_url <> ''
     ORDER BY e.next_attempt_at LIMIT 20";

/// [`DUE_EVENTS_SQL`] as PostgreSQL runs it fast: each merchant's due events from its own part of
/// the index (`LATERAL`, which SQLite lacks). PostgreSQL plans the portable join from table
/// statistics; with 2 million undelivered events of one merchant without a URL it chose a parallel
/// scan and sort of all of them on every poll (45-50 ms each; 0.3 ms this way, issue #21).
pub const DUE_EVENTS_POSTGRES_SQL: &str = "SELECT e.id, e.body, e.attempts, e.next_attempt_at, e.created_at, e.retry_until, m.webhook_url, m.webhook_secret
     FROM merchants m CROSS JOIN LATERAL (
       SELECT * FROM webhook_events e WHERE e.merchant_id = m.id AND e.delivered_at IS NULL AND e.failed_at IS NULL
         AND e.next_attempt_at <= $1 ORDER BY e.next_attempt_at LIMIT 20) e
     WHERE m.webhook_url IS NOT NULL AND m.webhook_url <> ''
     ORDER BY e.next_attempt_at LIMIT 20";

/// The worker's poll for due events on `db`'s backend.
pub fn due_events_sql(db: &crate::db::Db) -> &'static str {
    if crate::db::is_sqlite(db) { DUE_EVENTS_SQL } else { DUE_EVENTS_POSTGRES_SQL }
}

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
const EVENT_GIVEN_UP: &str = "UPDATE webhook_events SET attempts = attempts + 1, failed_at = $1, last_error = $2 WHERE id = $3";

/// One round: claim up to 20 due events (a lease, so two API nodes never send the same event
/// at once) and try each; (events found due, events delivered). Every event found leaves the
/// round no longer due (delivered, rescheduled with backoff, or leased by another node), so
/// rounds always make progress.
async fn deliver_round(st: &AppState, client: &reqwest::Client) -> Result<(usize, usize), crate::db::WriteError> {
    let now = now_ms();
    let rows = sqlx::query(due_events_sql(&st.db))
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
                let created: i64 = r.try_get("created_at")?;
                let until = r.try_get::<Option<i64>, _>("retry_until")?.unwrap_or(created + RETRY_WINDOW_MS);
                let next = now_ms() + backoff_ms(st.settings.webhook_backoff_ms, attempts + 1);
                if next > until {
                    // Past its retry window: failed, listed for the merchant to redeliver.
                    st.writer.once(Write::one(EVENT_GIVEN_UP).bind(now_ms()).bind(&err).bind(&id)).await?;
                    tracing::warn!(event = %id, error = %err, attempts = attempts + 1, "webhook delivery failed for its whole retry window; event failed");
                } else {
                    st.writer.once(Write::one(EVENT_FAILED).bind(next).bind(&err).bind(&id)).await?;
                    tracing::info!(event = %id, error = %err, "webhook delivery failed; will retry");
                }
            }
        }
    }
    Ok((taken, sent))
}
