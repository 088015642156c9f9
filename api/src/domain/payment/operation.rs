//! After the charge: capture, void and refund, the ways a merchant moves money on a payment that
//! exists (`/v2/payments/{id}/capture`, `/void`, `/refunds`; the worker voids expired holds).
//!
//! Each is a row of `payment_operations` with the life of a charge attempt ([`super::record`]):
//! claimed `PENDING` before the processor is called, in one guarded write; recorded `SUCCEEDED`
//! or `FAILED` by [`record_operation`] only, with the payment's move, the webhook and the answer
//! stored under its `Idempotency-Key`, in one atomic write; marked as awaiting the processor past
//! its deadline; released by the worker ([`release_operation`]) if a crash orphaned it before the
//! processor saw it. The guards that keep the money right:
//! - a hold is captured or voided once: a partial unique index allows one live `CAPTURE` or
//!   `VOID` per payment (migration 0010), so a capture racing the worker's expiry void loses;
//! - refunds never exceed the captured amount: a refund's claim raises `refund_reserved` only
//!   while `captured_amount - refund_reserved` covers it (one guarded `UPDATE`, atomic on both
//!   databases, concurrent or not); a failed or released refund gives its amount back.

use checkout_types::payment::{OperationKind, OperationStatus, PaymentStatus};
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::PaymentRow;
use super::record::payment_error;
use crate::AppState;
use crate::db::{Db, Write, now_ms, rfc3339};
use crate::domain::idempotency::{Answer, IdempotencyKey, key_in_flight};
use crate::domain::outbox;
use crate::error::{ApiError, ApiResult};
use crate::processor::{OperationOutcome, OperationRequest};
use crate::secrets::{ct_eq, sha256_hex};

/// A row of `payment_operations`.
#[derive(Debug, Clone)]
pub struct OperationRow {
    pub id: String,
    pub payment_id: String,
    pub merchant_id: String,
    pub kind: OperationKind,
    pub amount: i64,
    pub status: OperationStatus,
    /// Why (a refund's reason as the merchant gave it; `expired` for the worker's void).
    pub reason: Option<String>,
    pub processor_key: String,
    pub idem_key: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub awaiting_processor: bool,
    pub created_at: i64,
}

fn decode(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unknown {what} {value} in payment_operations").into())
}

impl OperationRow {
    pub(crate) fn from_row(r: &AnyRow) -> Result<OperationRow, sqlx::Error> {
        let kind: String = r.try_get("kind")?;
        let status: String = r.try_get("status")?;
        Ok(OperationRow {
            id: r.try_get("id")?,
            payment_id: r.try_get("payment_id")?,
            merchant_id: r.try_get("merchant_id")?,
            kind: OperationKind::parse(&kind).ok_or_else(|| decode("kind", &kind))?,
            amount: r.try_get("amount")?,
            status: OperationStatus::parse(&status).ok_or_else(|| decode("status", &status))?,
            reason: r.try_get("reason")?,
            processor_key: r.try_get("processor_key")?,
            idem_key: r.try_get("idem_key")?,
            error_code: r.try_get("error_code")?,
            error_message: r.try_get("error_message")?,
            awaiting_processor: r.try_get::<i64, _>("awaiting_processor")? != 0,
            created_at: r.try_get("created_at")?,
        })
    }

    /// A payment's operations, oldest first.
    pub async fn for_payment(db: &Db, payment_id: &str) -> Result<Vec<OperationRow>, sqlx::Error> {
        let rows = sqlx::query("SELECT * FROM payment_operations WHERE payment_id = $1 ORDER BY created_at, id")
            .bind(payment_id)
            .fetch_all(db)
            .await?;
        rows.iter().map(OperationRow::from_row).collect()
    }

    /// As the payment's GET, the operation's answer and its webhook show it.
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "type": self.kind,
            "paymentId": self.payment_id,
            "amount": self.amount,
            "status": self.status,
            "reason": self.reason,
            "error": self.error_code.as_ref().map(|c| json!({ "code": c, "message": self.error_message })),
            "createdAtUtc": rfc3339(self.created_at),
        })
    }
}

/// What the merchant asked for.
#[derive(Debug, Clone)]
pub struct OperationInput {
    pub kind: OperationKind,
    /// `None`: all of it (the held amount, or what is left to refund).
    pub amount: Option<i64>,
    pub reason: Option<String>,
}

/// The payment's money after an operation, in its answer and webhook.
fn money_json(p: &PaymentRow) -> Value {
    json!({
        "id": p.id,
        "merchantTransactionId": p.merchant_transaction_id,
        "checkoutSessionId": p.session_id,
        "status": p.status,
        "currencyCode": p.currency,
        "authorizedAmount": p.authorized_amount,
        "capturedAmount": p.captured_amount,
        "refundableAmount": refundable(p),
    })
}

/// What can still be refunded.
pub fn refundable(p: &PaymentRow) -> i64 {
    match p.status {
        PaymentStatus::Completed => (p.captured_amount.unwrap_or(0) - p.refund_reserved).max(0),
        _ => 0,
    }
}

fn bad(detail: &str) -> ApiError {
    ApiError::InvalidRequest(detail.to_owned())
}

/// The amount the operation moves, or why it cannot happen to the payment as it stands.
fn amount_for(p: &PaymentRow, input: &OperationInput) -> ApiResult<i64> {
    if input.amount.is_some_and(|a| a < 1) {
        return Err(bad("amount must be at least 1 minor unit."));
    }
    let held = p.authorized_amount.unwrap_or(0);
    match input.kind {
        OperationKind::Capture | OperationKind::Void if p.status != PaymentStatus::Authorized => {
            Err(ApiError::Unprocessable(format!("Only an AUTHORIZED payment can be {}; this payment is {}.",
                if input.kind == OperationKind::Capture { "captured" } else { "voided" }, p.status.as_str())))
        }
        OperationKind::Capture => match input.amount {
            Some(a) if a > held => Err(ApiError::Unprocessable(format!("amount exceeds the authorized amount ({held})."))),
            Some(a) => Ok(a),
            None => Ok(held),
        },
        OperationKind::Void if input.amount.is_some() => Err(bad("A void releases the whole hold; it takes no amount.")),
        OperationKind::Void => Ok(held),
        OperationKind::Refund if p.status != PaymentStatus::Completed => Err(ApiError::Unprocessable(format!(
            "Only a COMPLETED payment can be refunded; this payment is {}.", p.status.as_str()
        ))),
        OperationKind::Refund => {
            let left = refundable(p);
            match input.amount.unwrap_or(left) {
                _ if left == 0 => Err(ApiError::Unprocessable("The payment is already fully refunded.".to_owned())),
                a if a > left => Err(ApiError::Unprocessable(format!("amount exceeds the refundable amount ({left})."))),
                a => Ok(a),
            }
        }
    }
}

/// A digest of the request, to tell "the same request again" from another under one key.
fn fingerprint(input: &OperationInput) -> String {
    sha256_hex(json!({ "type": input.kind, "amount": input.amount, "reason": input.reason }).to_string().as_bytes())
}

/// The answer stored under a key before, or why the key cannot be used (422 for another body,
/// 409 while in flight). `None` when the key is new.
async fn answer_for_key(db: &Db, payment_id: &str, key: &str, fingerprint: &str) -> ApiResult<Option<Answer>> {
    let row = sqlx::query(
        "SELECT fingerprint, response_status, response_body FROM payment_operations WHERE payment_id = $1 AND idem_key = $2",
    )
    .bind(payment_id)
    .bind(key)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let stored: Option<String> = row.try_get("fingerprint")?;
    if !ct_eq(stored.unwrap_or_default().as_bytes(), fingerprint.as_bytes()) {
        return Err(ApiError::IdempotencyKeyReused);
    }
    let answer = stored_answer(&row)?;
    metrics::counter!("checkout_idempotent_replays_total", "of" => "operation").increment(1);
    Ok(Some(answer))
}

/// The answer stored on an operation's row; `409` while it has none (still in flight).
fn stored_answer(row: &AnyRow) -> ApiResult<Answer> {
    match (row.try_get::<Option<i64>, _>("response_status")?, row.try_get::<Option<String>, _>("response_body")?) {
        (Some(status), Some(body)) => Ok(Answer { status: u16::try_from(status).unwrap_or(500), body }),
        _ => Err(key_in_flight()),
    }
}

// The claim. $1 operation, $2 payment, $3 merchant, $4 kind, $5 amount, $6 reason, $7 processor
// key, $8 Idempotency-Key, $9 fingerprint, $10 now.
macro_rules! insert_operation {
    ($from:literal) => {
        concat!("INSERT INTO payment_operations (id, payment_id, merchant_id, kind, amount, status, reason, processor_key,
                idem_key, fingerprint, created_at, updated_at)
             SELECT $1, $2, $3, $4, $5, 'PENDING', $6, $7, $8, $9, $10, $10 ", $from)
    };
}
const CLAIM_SETTLE: &str = concat!(insert_operation!("FROM payments WHERE id = $2 AND status = 'AUTHORIZED'"), " RETURNING 1");
macro_rules! reserve_refund {
    () => {
        "UPDATE payments SET refund_reserved = refund_reserved + $5, updated_at = $10
         WHERE id = $2 AND status = 'COMPLETED' AND captured_amount - refund_reserved >= $5"
    };
}
const CLAIM_REFUND_SQLITE: &[&str] = &[concat!(reserve_refund!(), " RETURNING 1"), insert_operation!("WHERE changes() = 1")];
const CLAIM_REFUND_POSTGRES: &str =
    concat!("WITH r AS (", reserve_refund!(), " RETURNING id) ", insert_operation!("FROM r"), " RETURNING 1");

/// Runs one operation on payment `payment_id` of merchant `merchant_id` (see the module's
/// rules): the answer is `200` with the operation when it succeeded, `202` while it awaits the
/// processor, `422 PAYMENT_ERROR` when the processor refused it; a key used before answers as
/// it first did.
pub async fn run(
    st: &AppState,
    merchant_id: &str,
    payment_id: &str,
    input: &OperationInput,
    key: Option<&IdempotencyKey>,
) -> ApiResult<Answer> {
    let payment = PaymentRow::by_id(&st.db, payment_id).await?.filter(|p| p.merchant_id == merchant_id);
    let payment = payment.ok_or_else(|| ApiError::NotFound("No payment with this id for this merchant.".to_owned()))?;
    let fingerprint = fingerprint(input);
    if let Some(key) = key
        && let Some(answer) = answer_for_key(&st.db, &payment.id, key.as_str(), &fingerprint).await?
    {
        return Ok(answer);
    }
    let amount = amount_for(&payment, input)?;
    let now = now_ms();
    let op = OperationRow {
        id: uuid::Uuid::now_v7().to_string(),
        payment_id: payment.id.clone(),
        merchant_id: payment.merchant_id.clone(),
        kind: input.kind,
        amount,
        status: OperationStatus::Pending,
        reason: input.reason.clone(),
        processor_key: String::new(),
        idem_key: key.map(|k| k.as_str().to_owned()),
        error_code: None,
        error_message: None,
        awaiting_processor: false,
        created_at: now,
    };
    // The processor's key: with an Idempotency-Key, the same for every claim of that key, so a
    // retry after the worker released an interrupted claim is deduplicated by the processor too
    // (a refund is never made twice); without one (a capture or void, at most one live per
    // payment), the claim's own.
    let processor_key = match &op.idem_key {
        Some(k) => format!("op:{}:{k}", op.payment_id),
        None => format!("op:{}", op.id),
    };
    let op = OperationRow { processor_key, ..op };
    let write = match input.kind {
        OperationKind::Refund => Write::new(CLAIM_REFUND_SQLITE, CLAIM_REFUND_POSTGRES),
        OperationKind::Capture | OperationKind::Void => Write::one(CLAIM_SETTLE),
    }
    .bind(&op.id)
    .bind(&op.payment_id)
    .bind(&op.merchant_id)
    .bind(op.kind.as_str())
    .bind(amount)
    .bind(op.reason.clone())
    .bind(&op.processor_key)
    .bind(op.idem_key.clone())
    .bind(&fingerprint)
    .bind(now);
    let claimed = match st.writer.once(write).await {
        Ok(Some(_)) => true,
        Ok(None) => false,
        Err(e) if e.is_unique_violation() => {
            // The same key in flight, or another capture or void of this hold.
            if let Some(key) = key
                && let Some(answer) = answer_for_key(&st.db, &payment.id, key.as_str(), &fingerprint).await?
            {
                return Ok(answer);
            }
            return Err(ApiError::InProgress("A capture or void of this payment is already being processed.".to_owned()));
        }
        Err(e) => return Err(e.into()),
    };
    if !claimed {
        // The payment moved between the read and the claim: say why as it now stands.
        let fresh = super::record::reload(st, &payment.id).await?;
        amount_for(&fresh, &OperationInput { amount: Some(amount), ..input.clone() })?;
        return Err(ApiError::InProgress("Another operation on this payment changed it. Retry.".to_owned()));
    }
    let mut payment = payment;
    if op.kind == OperationKind::Refund {
        payment.refund_reserved += amount;
    }
    operate(st, &payment, &op).await
}

/// Calls the processor for a claimed operation and records its answer (or marks it awaiting
/// the processor past the deadline).
async fn operate(st: &AppState, payment: &PaymentRow, op: &OperationRow) -> ApiResult<Answer> {
    let call = st.processor.operate(OperationRequest {
        kind: op.kind,
        charge_reference: payment.processor_ref.as_deref().unwrap_or_default(),
        amount: op.amount,
        currency: payment.currency,
        idempotency_key: &op.processor_key,
    });
    let deadline = std::time::Duration::from_millis(st.settings.processor_deadline_ms);
    match tokio::time::timeout(deadline, call).await {
        Ok(outcome) => match record_operation(st, payment, op, &outcome).await? {
            Some(answer) => Ok(answer),
            None => answer_of(st, op).await,
        },
        Err(_) => {
            const AWAIT: &str = "UPDATE payment_operations SET awaiting_processor = 1, updated_at = $2
                 WHERE id = $1 AND status = 'PENDING' RETURNING 1";
            st.writer.once(Write::one(AWAIT).bind(&op.id).bind(now_ms())).await?;
            let mut body = json!({ "data": op.json(), "payment": money_json(payment) });
            body["data"]["status"] = json!(OperationStatus::Pending);
            Ok(Answer { status: 202, body: body.to_string() })
        }
    }
}

/// The answer of an operation someone else recorded first; or, when the worker released the
/// claim while this request waited (the database was away longer than the lease), `409`: the
/// retry with the same key claims again, and the processor (same key) acts once.
async fn answer_of(st: &AppState, op: &OperationRow) -> ApiResult<Answer> {
    let row = sqlx::query("SELECT response_status, response_body FROM payment_operations WHERE id = $1")
        .bind(&op.id)
        .fetch_optional(&st.db)
        .await?;
    let Some(row) = row else {
        return Err(ApiError::InProgress("This operation was interrupted. Retry with the same Idempotency-Key.".to_owned()));
    };
    stored_answer(&row)
}

// The record. $1 operation, $2 its status, $3 processor reference, $4-$5 error code / message,
// $6-$7 the answer (status, body), $8 now, $9 payment, $10 its new status (NULL: unchanged),
// $11 its captured amount (NULL: unchanged), $12 refund amount given back, $13-$16 the event (id,
// merchant, type, body).
macro_rules! operation_update {
    () => {
        "UPDATE payment_operations SET status = $2, processor_ref = $3, error_code = $4, error_message = $5,
            response_status = $6, response_body = $7, awaiting_processor = 0, updated_at = $8
         WHERE id = $1 AND status = 'PENDING'"
    };
}
macro_rules! payment_move {
    () => {
        "UPDATE payments SET status = COALESCE($10, status), captured_amount = COALESCE($11, captured_amount),
            hold_expires_at = CASE WHEN $10 IS NULL THEN hold_expires_at ELSE NULL END,
            refund_reserved = refund_reserved - $12, updated_at = $8 WHERE id = $9"
    };
}
const RECORD_SQLITE: &[&str] = &[
    concat!(operation_update!(), " RETURNING 1"),
    concat!(payment_move!(), " AND changes() = 1"),
    "INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at)
     SELECT $13, $14, $15, $16, $8, $8 WHERE changes() = 1",
];
const RECORD_POSTGRES: &str = concat!("WITH o AS (", operation_update!(), " RETURNING id),
    p AS (", payment_move!(), " AND EXISTS (SELECT 1 FROM o)),
    e AS (INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at)
          SELECT $13, $14, $15, $16, $8, $8 FROM o)
    SELECT (SELECT COUNT(*) FROM o) AS recorded");

/// Records the processor's `outcome` of the `PENDING` operation `op` on `payment`: the
/// operation, the payment's move (captured, voided, or a failed refund's amount given back),
/// the webhook and the answer for its key, in one atomic write. The only place an operation
/// leaves `PENDING` with an answer. `None` when another recorder was first.
pub async fn record_operation(st: &AppState, payment: &PaymentRow, op: &OperationRow, outcome: &OperationOutcome) -> ApiResult<Option<Answer>> {
    let now = now_ms();
    let mut op = op.clone();
    let mut p = payment.clone();
    let (reference, status_change, captured, given_back) = match outcome {
        OperationOutcome::Succeeded { reference } => {
            op.status = OperationStatus::Succeeded;
            match op.kind {
                OperationKind::Capture => {
                    p.status = PaymentStatus::Completed;
                    p.captured_amount = Some(op.amount);
                    p.hold_expires_at = None;
                    (Some(reference.clone()), Some(PaymentStatus::Completed), Some(op.amount), 0)
                }
                OperationKind::Void => {
                    p.status = PaymentStatus::Voided;
                    p.hold_expires_at = None;
                    (Some(reference.clone()), Some(PaymentStatus::Voided), None, 0)
                }
                OperationKind::Refund => (Some(reference.clone()), None, None, 0),
            }
        }
        OperationOutcome::Failed { code, message } => {
            op.status = OperationStatus::Failed;
            op.error_code = Some(code.clone());
            op.error_message = Some(message.clone());
            let given_back = if op.kind == OperationKind::Refund { op.amount } else { 0 };
            p.refund_reserved -= given_back;
            (None, None, None, given_back)
        }
    };
    op.awaiting_processor = false;
    let body = json!({ "data": op.json(), "payment": money_json(&p) });
    let (answer_status, answer_body) = match op.status {
        OperationStatus::Failed => {
            let err = payment_error(op.error_message.as_deref().unwrap_or_default(), body.clone());
            (422, serde_json::to_string(&err).map_err(anyhow::Error::from)?)
        }
        _ => (200, body.to_string()),
    };
    let event_kind = match (op.kind, op.status) {
        (OperationKind::Capture, OperationStatus::Succeeded) => "PAYMENT_CAPTURED",
        (OperationKind::Capture, _) => "PAYMENT_CAPTURE_FAILED",
        (OperationKind::Void, OperationStatus::Succeeded) => "PAYMENT_VOIDED",
        (OperationKind::Void, _) => "PAYMENT_VOID_FAILED",
        (OperationKind::Refund, OperationStatus::Succeeded) => "REFUND_SUCCEEDED",
        (OperationKind::Refund, _) => "REFUND_FAILED",
    };
    let mut payload = op.json();
    payload["payment"] = money_json(&p);
    let (event_id, event_body) = outbox::event(event_kind, &payload, now);
    let write = Write::new(RECORD_SQLITE, RECORD_POSTGRES)
        .bind(&op.id)
        .bind(op.status.as_str())
        .bind(reference)
        .bind(op.error_code.clone())
        .bind(op.error_message.clone())
        .bind(i64::from(answer_status))
        .bind(&answer_body)
        .bind(now)
        .bind(&p.id)
        .bind(status_change.map(|s| s.as_str().to_owned()))
        .bind(captured)
        .bind(given_back)
        .bind(&event_id)
        .bind(&p.merchant_id)
        .bind(event_kind)
        .bind(&event_body);
    if !matches!(st.writer.once(write).await?, Some(n) if n > 0) {
        return Ok(None);
    }
    tracing::info!(payment = %p.id, operation = %op.id, kind = op.kind.as_str(), status = op.status.as_str(),
        amount = op.amount, "payment operation recorded");
    metrics::counter!("checkout_payment_operations_total", "kind" => op.kind.as_str(), "status" => op.status.as_str()).increment(1);
    Ok(Some(Answer { status: answer_status, body: answer_body }))
}

// Releasing an orphaned operation. $1 operation, $2 now, $3 amount given back, $4 payment.
const RELEASE_SQLITE: &[&str] = &[
    "DELETE FROM payment_operations WHERE id = $1 AND status = 'PENDING' AND awaiting_processor = 0 RETURNING 1",
    "UPDATE payments SET refund_reserved = refund_reserved - $3, updated_at = $2 WHERE id = $4 AND changes() = 1",
];
const RELEASE_POSTGRES: &str = "WITH d AS (
        DELETE FROM payment_operations WHERE id = $1 AND status = 'PENDING' AND awaiting_processor = 0 RETURNING id),
    p AS (UPDATE payments SET refund_reserved = refund_reserved - $3, updated_at = $2 WHERE id = $4 AND EXISTS (SELECT 1 FROM d))
    SELECT (SELECT COUNT(*) FROM d) AS released";

/// Gives back an operation a crash orphaned before the processor saw it: deleted (a refund's
/// amount is refundable again, a hold can be captured or voided again, the key is free), so the
/// merchant's retry acts once. Whether it released.
pub async fn release_operation(st: &AppState, op: &OperationRow) -> ApiResult<bool> {
    let given_back = if op.kind == OperationKind::Refund { op.amount } else { 0 };
    let write = Write::new(RELEASE_SQLITE, RELEASE_POSTGRES).bind(&op.id).bind(now_ms()).bind(given_back).bind(&op.payment_id);
    let released = matches!(st.writer.once(write).await?, Some(n) if n > 0);
    if released {
        tracing::warn!(payment = %op.payment_id, operation = %op.id, kind = op.kind.as_str(),
            "released an operation orphaned by a crash before the processor saw it");
    }
    Ok(released)
}

/// Finishes an operation the worker found `PENDING` past its lease, or awaiting the processor:
/// recorded if the processor knows it, released if it never saw it. `Some(true)` recorded,
/// `Some(false)` released, `None` left as it is.
pub async fn settle_operation(st: &AppState, op: &OperationRow) -> ApiResult<Option<bool>> {
    let Some(outcome) = st.processor.retrieve_operation(&op.processor_key).await else {
        if op.awaiting_processor {
            return Ok(None);
        }
        return Ok(release_operation(st, op).await?.then_some(false));
    };
    let payment = super::record::reload(st, &op.payment_id).await?;
    Ok(record_operation(st, &payment, op, &outcome).await?.map(|_| true))
}

/// Voids a hold that expired uncaptured (the worker's call): the same operation as a merchant's
/// void, reason `expired`. A capture or void already in flight wins; nothing happens then.
pub async fn void_expired(st: &AppState, payment: &PaymentRow) -> ApiResult<bool> {
    let input = OperationInput { kind: OperationKind::Void, amount: None, reason: Some("expired".to_owned()) };
    match run(st, &payment.merchant_id, &payment.id, &input, None).await {
        Ok(answer) => Ok(answer.status == 200),
        Err(ApiError::InProgress(_) | ApiError::Unprocessable(_)) => Ok(false),
        Err(e) => Err(e),
    }
}
