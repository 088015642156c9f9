//! A merchant's changes to a session before it is paid: a new amount or line items (`PATCH`,
//! both dialects; older quotes stop working) and cancel (`expire`, both dialects).

use checkout_types::session::SessionStatus;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::create::parse_amount;
use super::{SessionState, ensure_payable, load_owned};
use crate::AppState;
use crate::db::{Write, now_ms};
use crate::error::{ApiError, ApiResult};
use crate::extract::Merchant;

/// `PATCH` body: a new amount (top level or under `payment`) and/or line items.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchSession {
    amount: Option<i64>,
    #[schema(value_type = Option<Object>)]
    payment: Option<Value>,
    #[schema(value_type = Option<Vec<Object>>)]
    line_items: Option<Vec<Value>>,
}

/// Applies a `PATCH` to a session that has not been paid yet. A new amount invalidates every
/// quote made before it (they carry the old `amount_version`).
pub async fn apply_patch(st: &AppState, merchant: &Merchant, id: &str, req: PatchSession) -> ApiResult<Value> {
    let s = load_owned(&st.db, merchant, id).await?;
    if !s.mode.takes_payment() {
        return Err(ApiError::Unprocessable("This session does not take a payment.".to_owned()));
    }
    let nested = req.payment.as_ref().and_then(|p| p.get("amount"));
    let amount = match (req.amount, nested) {
        (Some(a), _) => Some(parse_amount("amount", Some(a))?),
        (None, Some(v)) => Some(parse_amount("payment.amount", v.as_i64().or(Some(0)))?),
        (None, None) => None,
    };
    if amount.is_none() && req.line_items.is_none() {
        return Err(ApiError::InvalidRequest("Nothing to change: send amount and/or line_items.".to_owned()));
    }
    let mut payment_json = s.payment_json.clone();
    if req.line_items.is_some() {
        let items = super::create::parse_line_items("line_items", req.line_items.as_deref())?;
        payment_json["lineItems"] = serde_json::to_value(items).map_err(anyhow::Error::from)?;
    }
    const CHANGE_AMOUNT: &str = "UPDATE sessions SET amount = $1, amount_version = amount_version + 1, payment_json = $2, updated_at = $3
         WHERE id = $4 AND state = 'INITIALIZED' AND expires_at > $3 RETURNING 1";
    let change = Write::one(CHANGE_AMOUNT)
        .bind(amount.or(s.amount))
        .bind(payment_json.to_string())
        .bind(now_ms())
        .bind(&s.id);
    if st.writer.once(change).await?.is_none() {
        let fresh = load_owned(&st.db, merchant, id).await?;
        if fresh.is_expired(now_ms()) {
            return Err(ApiError::SessionTimeout);
        }
        ensure_payable(&fresh)?;
        return Err(ApiError::InProgress("A payment for this session is being processed.".to_owned()));
    }
    let fresh = load_owned(&st.db, merchant, id).await?;
    Ok(json!({ "data": { "sessionId": fresh.id, "amount": fresh.amount, "status": fresh.state.status() } }))
}

/// Cancels a session that has not completed; canceling twice is fine. Sends
/// `CHECKOUT_SESSION_CANCELED` once, in the same write.
pub async fn cancel(st: &AppState, merchant: &Merchant, id: &str) -> ApiResult<Value> {
    let s = load_owned(&st.db, merchant, id).await?;
    if !end(st, &s, SessionState::Canceled, now_ms()).await? {
        let mut s = load_owned(&st.db, merchant, id).await?;
        super::time_out_if_due(&mut s, now_ms());
        if s.state == SessionState::Canceled {
            return Ok(json!({ "data": { "sessionId": s.id, "status": SessionStatus::Canceled } }));
        }
        return Err(ApiError::AlreadyProcessed {
            code: "not_cancelable",
            detail: format!("The session is {} and can no longer be canceled.", s.state.status().as_str()),
        });
    }
    Ok(json!({ "data": { "sessionId": s.id, "status": SessionStatus::Canceled } }))
}

// Ending an open session. $1 now, $2 session, $3 its new state, $4-$6 the event (id, merchant,
// type), $7 its body. A session expires only past its TTL; it is canceled only before it.
const END_SQLITE: &[&str] = &[
    "UPDATE sessions SET state = $3, updated_at = $1 WHERE id = $2 AND state IN ('PENDING_INITIALIZATION', 'INITIALIZED')
       AND ((expires_at <= $1) = ($3 = 'TIMED_OUT')) RETURNING 1",
    "INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at)
     SELECT $4, $5, $6, $7, $1, $1 WHERE changes() = 1",
];
const END_POSTGRES: &str = "WITH s AS (
        UPDATE sessions SET state = $3, updated_at = $1 WHERE id = $2 AND state IN ('PENDING_INITIALIZATION', 'INITIALIZED')
          AND ((expires_at <= $1) = ($3 = 'TIMED_OUT')) RETURNING id),
    e AS (INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at)
          SELECT $4, $5, $6, $7, $1, $1 FROM s)
    SELECT (SELECT COUNT(*) FROM s) AS ended";

/// Ends an open session as `CANCELED` (the merchant, before its TTL) or `TIMED_OUT` (the worker,
/// after it), with its event (`CHECKOUT_SESSION_CANCELED` / `CHECKOUT_SESSION_EXPIRED`) in the
/// same write, so the event is sent exactly when the state changes. Whether this call ended it.
pub async fn end(st: &AppState, s: &super::Session, to: SessionState, now: i64) -> ApiResult<bool> {
    let kind = if to == SessionState::TimedOut { "CHECKOUT_SESSION_EXPIRED" } else { "CHECKOUT_SESSION_CANCELED" };
    let body = json!({ "checkoutSessionId": s.id, "status": to.status(), "merchantTransactionId": s.merchant_transaction_id });
    let (event_id, event_body) = crate::domain::outbox::event(kind, &body, now);
    let write = Write::new(END_SQLITE, END_POSTGRES)
        .bind(now)
        .bind(&s.id)
        .bind(to.as_str())
        .bind(&event_id)
        .bind(&s.merchant_id)
        .bind(kind)
        .bind(&event_body);
    let ended = matches!(st.writer.once(write).await?, Some(n) if n > 0);
    if ended {
        tracing::info!(session = %s.id, state = to.as_str(), "session ended");
    }
    Ok(ended)
}
