//! One outcome, written once: how a processor's answer becomes a recorded payment, for every
//! way in (a session's confirm, `/v2/payments`, the worker finishing either after a missed
//! deadline or a crash). Also the two other things that can happen to a claimed attempt: it is
//! marked as awaiting the processor, or (orphaned by a crash, never seen by the processor) it is
//! released so the payer's retry charges once.
//!
//! Each is one atomic write through [`crate::db::Writer`]. On SQLite the statements run in order
//! in one savepoint, each after the first guarded by `changes() = 1`: the rest happens only if the
//! attempt was still `PENDING`, so two recorders (a live confirm and the worker) never both move
//! it. On PostgreSQL one statement of data-modifying CTEs, guarded by `EXISTS (SELECT 1 FROM p)`.

use axum::http::StatusCode;
use checkout_types::confirm::ConfirmResponse;
use checkout_types::payment::PaymentStatus;
use checkout_types::error::{DeclineData, ErrorBody, ErrorTitle};
use checkout_types::quote::Funding;
use serde_json::{Value, json};

use super::{MAX_ATTEMPTS, PaymentRow};
use crate::AppState;
use crate::db::{Write, now_ms};
use crate::domain::outbox;
use crate::domain::session::{Session, SessionState, signed_success_url};
use crate::error::{ApiError, ApiResult};
use crate::processor::ChargeOutcome;

/// What recording an outcome did.
#[derive(Debug)]
#[allow(clippy::large_enum_variant, reason = "one per request, moved once; boxing buys nothing")]
pub enum Recorded {
    /// This call moved the attempt: the payment as recorded, and for a session's attempt the
    /// answer stored under its `Idempotency-Key` (status, JSON body).
    Now { payment: PaymentRow, answer: Option<(u16, String)> },
    /// The attempt had already left `PENDING` (another recorder was first): nothing written.
    Already,
}

/// The `422 PAYMENT_ERROR` body of a decline (`data` as the caller's contract shows it).
pub fn payment_error(detail: &str, data: Value) -> ErrorBody {
    ErrorBody::new(ErrorTitle::PaymentError, detail, Some(data))
}

/// The session's state after an attempt ended with `status`: paid, failed for good after the
/// last attempt, or payable again.
pub fn next_session_state(status: PaymentStatus, attempt: i64) -> SessionState {
    match status {
        PaymentStatus::Completed | PaymentStatus::Authorized => SessionState::PaymentCompleted,
        _ if attempt >= MAX_ATTEMPTS => SessionState::PaymentFailed,
        _ => SessionState::Initialized,
    }
}

/// The confirm's answer for a session attempt: `200` with the payment (and the signed success
/// redirect), `202` while it awaits the processor, `422 PAYMENT_ERROR` for a decline.
async fn session_answer(st: &AppState, s: &Session, p: &PaymentRow) -> ApiResult<(u16, String)> {
    let next = next_session_state(p.status, p.attempt);
    match p.status {
        PaymentStatus::Completed | PaymentStatus::Authorized | PaymentStatus::Pending | PaymentStatus::Initiated => {
            let completed = matches!(p.status, PaymentStatus::Completed | PaymentStatus::Authorized);
            let redirect_url = match (&s.config.success_url, completed) {
                (Some(url), true) => Some(signed_success_url(&st.db, &s.id, &s.merchant_id, url).await?),
                _ => None,
            };
            let status = if completed { next.status() } else { SessionState::PaymentPending.status() };
            let resp = ConfirmResponse { session_id: s.id.clone(), status, payment: Some(p.summary()), redirect_url, requires_action: None };
            let code = if completed { StatusCode::OK } else { StatusCode::ACCEPTED };
            Ok((code.as_u16(), to_json(&resp)?))
        }
        PaymentStatus::Failed | PaymentStatus::Voided => {
            let decline = DeclineData {
                code: p.error_code.clone().unwrap_or_default(),
                message: p.error_message.clone().unwrap_or_default(),
                decline_code: p.decline_code.clone(),
                payment_id: Some(p.id.clone()),
                attempts_remaining: Some(u32::try_from((MAX_ATTEMPTS - p.attempt).max(0)).unwrap_or(0)),
            };
            let mut data = serde_json::to_value(&decline).map_err(anyhow::Error::from)?;
            data["sessionStatus"] = serde_json::to_value(next.status()).map_err(anyhow::Error::from)?;
            let body = payment_error(p.error_message.as_deref().unwrap_or_default(), data);
            Ok((StatusCode::UNPROCESSABLE_ENTITY.as_u16(), to_json(&body)?))
        }
    }
}

/// An answer as the exact bytes stored under a key.
fn to_json<T: serde::Serialize>(v: &T) -> ApiResult<String> {
    serde_json::to_string(v).map_err(|e| ApiError::Internal(e.into()))
}

// The record. Parameters: $1 payment, $2 its new status, $3 processor reference, $4 funding,
// $5-$7 error code / decline code / message, $8 now, $9 merchant, $10-$12 the payment event (id,
// type, body); session attempts also $16 session, $17 its next state, $18 the key, $19-$20 the
// key's answer (status, body), $21-$23 the session's completion event.
macro_rules! payment_update {
    () => {
        "UPDATE payments SET status = $2, processor_ref = $3, funding = $4, error_code = $5, decline_code = $6,
            error_message = $7, awaiting_processor = 0, updated_at = $8, authorized_amount = $13, captured_amount = $14,
            hold_expires_at = $15 WHERE id = $1 AND status = 'PENDING'"
    };
}
macro_rules! event_sqlite {
    ($id:literal, $kind:literal, $body:literal) => {
        concat!("INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at) SELECT ",
            $id, ", $9, ", $kind, ", ", $body, ", $8, $8 WHERE changes() = 1")
    };
}
const SESSION_SQLITE: [&str; 4] = [
    concat!(payment_update!(), " RETURNING 1"),
    "UPDATE sessions SET state = $17, payment_id = $1, updated_at = $8 WHERE id = $16 AND state = 'PAYMENT_PENDING' AND changes() = 1",
    "UPDATE idempotency_keys SET response_status = $19, response_body = $20 WHERE session_id = $16 AND idem_key = $18 AND changes() = 1",
    event_sqlite!("$10", "$11", "$12"),
];
const RECORD_SESSION_SQLITE: &[&str] = &SESSION_SQLITE;
const RECORD_SESSION_FINAL_SQLITE: &[&str] =
    &[SESSION_SQLITE[0], SESSION_SQLITE[1], SESSION_SQLITE[2], SESSION_SQLITE[3], event_sqlite!("$21", "$22", "$23")];
const RECORD_DIRECT_SQLITE: &[&str] = &[SESSION_SQLITE[0], event_sqlite!("$10", "$11", "$12")];
macro_rules! record_postgres {
    (session, $events:literal) => {
        concat!("WITH p AS (", payment_update!(), " RETURNING id),
            s AS (UPDATE sessions SET state = $17, payment_id = $1, updated_at = $8
                  WHERE id = $16 AND state = 'PAYMENT_PENDING' AND EXISTS (SELECT 1 FROM p)),
            k AS (UPDATE idempotency_keys SET response_status = $19, response_body = $20
                  WHERE session_id = $16 AND idem_key = $18 AND EXISTS (SELECT 1 FROM p)),
            e AS (INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at) ", $events, ")
            SELECT (SELECT COUNT(*) FROM p) AS recorded")
    };
}
const RECORD_SESSION_POSTGRES: &str = record_postgres!(session, "SELECT $10, $9, $11, $12, $8, $8 FROM p");
const RECORD_SESSION_FINAL_POSTGRES: &str =
    record_postgres!(session, "SELECT $10, $9, $11, $12, $8, $8 FROM p UNION ALL SELECT $21, $9, $22, $23, $8, $8 FROM p");
const RECORD_DIRECT_POSTGRES: &str = concat!("WITH p AS (", payment_update!(), " RETURNING id),
    e AS (INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at)
          SELECT $10, $9, $11, $12, $8, $8 FROM p)
    SELECT (SELECT COUNT(*) FROM p) AS recorded");

/// Records the processor's `outcome` of the `PENDING` attempt `pending`: the payment, the
/// session's move and the answer stored under its key (when `session` is the attempt's session),
/// and the webhooks, in one atomic write. The only place a payment becomes `COMPLETED` or `FAILED`.
pub async fn record_outcome(
    st: &AppState,
    pending: &PaymentRow,
    session: Option<&Session>,
    outcome: &ChargeOutcome,
) -> ApiResult<Recorded> {
    let now = now_ms();
    let mut p = pending.clone();
    let (reference, funding) = match outcome {
        ChargeOutcome::Approved { reference, funding, amount, captured } => {
            p.status = if *captured { PaymentStatus::Completed } else { PaymentStatus::Authorized };
            p.authorized_amount = Some(*amount);
            p.captured_amount = captured.then_some(*amount);
            p.hold_expires_at = (!captured).then_some(now + st.settings.hold_ms);
            p.processor_ref = Some(reference.clone());
            (Some(reference.clone()), *funding)
        }
        ChargeOutcome::Declined { code, decline_code, message } => {
            p.status = PaymentStatus::Failed;
            p.error_code = Some(code.clone());
            p.decline_code = decline_code.clone();
            p.error_message = Some(message.clone());
            (None, None)
        }
    };
    p.awaiting_processor = false;
    let next = next_session_state(p.status, p.attempt);
    let last = next != SessionState::Initialized;
    // A hold is a successful attempt too; its payload's status says AUTHORIZED.
    let kind = if p.status == PaymentStatus::Failed { "PAYMENT_FAILED" } else { "PAYMENT_SUCCEEDED" };
    let (event_id, event_body) = outbox::event(kind, &p.webhook_payload(last), now);
    let funding = funding.map(|f| if f == Funding::Debit { "debit" } else { "credit" });
    let write = |sqlite: &'static [&'static str], postgres: &'static str| {
        Write::new(sqlite, postgres)
            .bind(&p.id)
            .bind(p.status.as_str())
            .bind(reference.clone())
            .bind(funding)
            .bind(&p.error_code)
            .bind(&p.decline_code)
            .bind(&p.error_message)
            .bind(now)
            .bind(&p.merchant_id)
            .bind(&event_id)
            .bind(kind)
            .bind(&event_body)
            .bind(p.authorized_amount)
            .bind(p.captured_amount)
            .bind(p.hold_expires_at)
    };
    let (write, answer) = match session {
        None => (write(RECORD_DIRECT_SQLITE, RECORD_DIRECT_POSTGRES), None),
        Some(s) => {
            let answer = session_answer(st, s, &p).await?;
            let completed = last.then(|| {
                let body = json!({ "checkoutSessionId": s.id, "status": next.status(), "paymentId": p.id });
                outbox::event("CHECKOUT_SESSION_COMPLETED", &body, now)
            });
            let (sqlite, postgres) = match completed {
                None => (RECORD_SESSION_SQLITE, RECORD_SESSION_POSTGRES),
                Some(_) => (RECORD_SESSION_FINAL_SQLITE, RECORD_SESSION_FINAL_POSTGRES),
            };
            let (completed_id, completed_body) = completed.unzip();
            let w = write(sqlite, postgres)
                .bind(&s.id)
                .bind(next.as_str())
                .bind(p.idem_key.clone())
                .bind(i64::from(answer.0))
                .bind(&answer.1)
                .bind(completed_id)
                .bind("CHECKOUT_SESSION_COMPLETED")
                .bind(completed_body);
            (w, Some(answer))
        }
    };
    if !matches!(st.writer.once(write).await?, Some(n) if n > 0) {
        return Ok(Recorded::Already);
    }
    tracing::info!(payment = %p.id, session = p.session_id.as_deref().unwrap_or(""), status = p.status.as_str(),
        attempt = p.attempt, "payment recorded");
    let way = if p.session_id.is_some() { "session" } else { "direct" };
    metrics::counter!("checkout_payments_recorded_total", "way" => way, "status" => p.status.as_str()).increment(1);
    Ok(Recorded::Now { payment: p, answer })
}

// Marking an attempt as awaiting the processor. $1 payment, $2 now; sessions also $3 session,
// $4 key, $5 the `202` answer stored under it.
const AWAIT_SQLITE: &[&str] = &[
    "UPDATE payments SET awaiting_processor = 1, updated_at = $2 WHERE id = $1 AND status = 'PENDING' RETURNING 1",
    "UPDATE sessions SET payment_id = $1, updated_at = $2 WHERE id = $3 AND changes() = 1",
    "UPDATE idempotency_keys SET response_status = 202, response_body = $5 WHERE session_id = $3 AND idem_key = $4 AND changes() = 1",
];
const AWAIT_POSTGRES: &str = "WITH p AS (
        UPDATE payments SET awaiting_processor = 1, updated_at = $2 WHERE id = $1 AND status = 'PENDING' RETURNING id),
    s AS (UPDATE sessions SET payment_id = $1, updated_at = $2 WHERE id = $3 AND EXISTS (SELECT 1 FROM p)),
    k AS (UPDATE idempotency_keys SET response_status = 202, response_body = $5
          WHERE session_id = $3 AND idem_key = $4 AND EXISTS (SELECT 1 FROM p))
    SELECT (SELECT COUNT(*) FROM p) AS marked";

/// The processor missed its deadline: the attempt stays `PENDING`, marked so the worker fetches
/// the processor's answer later, and a session's key answers `202` meanwhile (the body, as
/// stored, is returned). `None` when the attempt had already left `PENDING`.
pub async fn mark_awaiting(st: &AppState, pending: &PaymentRow, session: Option<&Session>) -> ApiResult<Option<Option<(u16, String)>>> {
    let mut p = pending.clone();
    p.awaiting_processor = true;
    let (answer, session_id) = match session {
        Some(s) => (Some(session_answer(st, s, &p).await?), Some(s.id.clone())),
        None => (None, None),
    };
    let write = Write::new(AWAIT_SQLITE, AWAIT_POSTGRES)
        .bind(&p.id)
        .bind(now_ms())
        .bind(session_id)
        .bind(p.idem_key.clone())
        .bind(answer.as_ref().map(|(_, body)| body.clone()));
    if !matches!(st.writer.once(write).await?, Some(n) if n > 0) {
        return Ok(None);
    }
    tracing::info!(payment = %p.id, attempt = p.attempt, "processor deadline passed; payment pending");
    metrics::counter!("checkout_processor_deadline_missed_total").increment(1);
    Ok(Some(answer))
}

// Releasing an orphaned attempt. $1 payment, $2 now, $3 session (or NULL), $4 attempt, $5 key.
const RELEASE_SQLITE: &[&str] = &[
    "DELETE FROM payments WHERE id = $1 AND status = 'PENDING' AND awaiting_processor = 0 RETURNING 1",
    "UPDATE sessions SET state = 'INITIALIZED', attempts = attempts - 1, updated_at = $2
     WHERE id = $3 AND state = 'PAYMENT_PENDING' AND attempts = $4 AND changes() = 1",
    "DELETE FROM idempotency_keys WHERE session_id = $3 AND idem_key = $5 AND response_status IS NULL AND changes() = 1",
];
const RELEASE_POSTGRES: &str = "WITH d AS (
        DELETE FROM payments WHERE id = $1 AND status = 'PENDING' AND awaiting_processor = 0 RETURNING id),
    s AS (UPDATE sessions SET state = 'INITIALIZED', attempts = attempts - 1, updated_at = $2
          WHERE id = $3 AND state = 'PAYMENT_PENDING' AND attempts = $4 AND EXISTS (SELECT 1 FROM d)),
    k AS (DELETE FROM idempotency_keys WHERE session_id = $3 AND idem_key = $5 AND response_status IS NULL
          AND EXISTS (SELECT 1 FROM d))
    SELECT (SELECT COUNT(*) FROM d) AS released";

/// Gives back an attempt a crash orphaned before the processor saw it: the attempt is deleted
/// (it does not count), a session is payable again and its key is free, so the payer's retry
/// (same key, or the same `merchantTransactionId`) charges exactly once. Whether it released.
pub async fn release(st: &AppState, orphan: &PaymentRow) -> ApiResult<bool> {
    let write = Write::new(RELEASE_SQLITE, RELEASE_POSTGRES)
        .bind(&orphan.id)
        .bind(now_ms())
        .bind(orphan.session_id.clone())
        .bind(orphan.attempt)
        .bind(orphan.idem_key.clone());
    let released = matches!(st.writer.once(write).await?, Some(n) if n > 0);
    if released {
        metrics::counter!("checkout_orphaned_attempts_released_total").increment(1);
        tracing::warn!(payment = %orphan.id, session = orphan.session_id.as_deref().unwrap_or(""),
            "released an attempt orphaned by a crash before the processor saw it");
    }
    Ok(released)
}

/// An attempt's recorded answer for a caller that found it already recorded: the payment as it
/// now stands.
pub async fn reload(st: &AppState, id: &str) -> ApiResult<PaymentRow> {
    PaymentRow::by_id(&st.db, id).await?.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("payment {id} vanished")))
}

