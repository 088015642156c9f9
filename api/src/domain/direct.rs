//! Direct payments (`/v2/payments`, merchant auth): charge a saved method, an inline card, bank
//! account or device wallet token for exactly one allocation, without a checkout session. Rules
//! from the payments seeds: one allocation whose amount equals the payment's;
//! `paymentMethodId` xor `paymentMethod`; `authorizeCard` needs `partialAuthorization`; a
//! customer identifier; up to 5 attempts per `merchantTransactionId` (a retry only after a
//! failure; a duplicate returns the existing payment).
//!
//! An attempt is claimed `PENDING` before the processor is called, then recorded by the same
//! [`record::record_outcome`] as a session's confirm, and recovered by the same worker step.

use checkout_types::confirm::InlineMethod;
use checkout_types::payment::PaymentStatus;
use checkout_types::money::Currency;
use checkout_types::quote::PaymentMethodKind;
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::Row;
use utoipa::ToSchema;

use crate::AppState;
use crate::db::{Write, now_ms};
use crate::domain::method::{Method, parse_inline};
use crate::domain::payment::operation::OperationRow;
use crate::domain::payment::record::{self, Recorded, payment_error};
use crate::domain::payment::{MAX_ATTEMPTS, PaymentRow};
use crate::domain::session::create::{parse_amount, parse_merchant_transaction_id};
use crate::domain::wallet;
use crate::error::{ApiError, ApiResult};
use crate::extract::Merchant;
use crate::processor::ChargeRequest;

/// `POST /v2/payments` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatePayment {
    merchant_transaction_id: Option<String>,
    amount: Option<i64>,
    currency_code: Option<String>,
    #[serde(default)]
    authorize_card: bool,
    #[serde(default)]
    partial_authorization: bool,
    description: Option<String>,
    statement_descriptor_suffix: Option<String>,
    #[schema(value_type = Option<Object>)]
    customer: Option<Value>,
    #[schema(value_type = Option<Object>)]
    metadata: Option<Value>,
    payment_allocations: Option<Vec<Allocation>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Allocation {
    amount: Option<i64>,
    payment_method_id: Option<String>,
    payment_method: Option<InlineMethod>,
}

fn bad(detail: &str) -> ApiError {
    ApiError::InvalidRequest(detail.to_owned())
}

/// A direct payment's answer: its HTTP status and JSON body.
#[derive(Debug)]
pub struct DirectAnswer {
    pub status: u16,
    pub body: Value,
}

/// The answer for a payment as it stands: `200` (completed, or pending and already answered
/// `202` once), `202` just after the processor missed its deadline, `422 PAYMENT_ERROR` for a
/// decline (the payment's `data` under `data`).
fn answer(p: &PaymentRow, merchant: &Merchant, request: &Value, base: &str, pending_status: u16, ops: &[OperationRow]) -> ApiResult<DirectAnswer> {
    let body = p.direct_json(merchant, request, base, ops);
    Ok(match p.status {
        PaymentStatus::Failed => {
            let err = payment_error(p.error_message.as_deref().unwrap_or_default(), body["data"].clone());
            DirectAnswer { status: 422, body: serde_json::to_value(err).map_err(anyhow::Error::from)? }
        }
        PaymentStatus::Completed | PaymentStatus::Authorized | PaymentStatus::Voided => DirectAnswer { status: 200, body },
        PaymentStatus::Pending | PaymentStatus::Initiated => DirectAnswer { status: pending_status, body },
    })
}

/// The descriptive fields a direct payment was created with.
pub async fn request_of(st: &AppState, id: &str) -> Result<Value, sqlx::Error> {
    let row = sqlx::query("SELECT request_json FROM payments WHERE id = $1").bind(id).fetch_optional(&st.db).await?;
    let raw: Option<String> = match row {
        Some(r) => r.try_get("request_json")?,
        None => None,
    };
    Ok(raw.and_then(|r| serde_json::from_str(&r).ok()).unwrap_or(Value::Null))
}

/// A merchant transaction's attempts, newest first. Served by the unique index on
/// (merchant_id, merchant_transaction_id, attempt) (`tests/api/plans.rs`).
pub const ATTEMPTS_SQL: &str =
    "SELECT id, status, attempt FROM payments WHERE merchant_id = $1 AND merchant_transaction_id = $2 ORDER BY attempt DESC";

/// A merchant transaction's latest attempt, by the same index.
pub const LATEST_ATTEMPT_SQL: &str =
    "SELECT id FROM payments WHERE merchant_id = $1 AND merchant_transaction_id = $2 ORDER BY attempt DESC LIMIT 1";

/// Takes `merchantTransactionId` for direct payments, unless a checkout session has it: every
/// transaction id belongs to one session or to `/v2/payments`, never both (`merchant_transactions`).
/// Registering first and then reading closes the race with a concurrent session create: on
/// PostgreSQL the insert waits for that session's insert to commit or roll back.
async fn take_transaction_id(st: &AppState, merchant_id: &str, mtid: &str) -> ApiResult<()> {
    const REGISTER: &str = "INSERT INTO merchant_transactions (merchant_id, merchant_transaction_id, session_id, created_at)
         VALUES ($1, $2, NULL, $3) ON CONFLICT (merchant_id, merchant_transaction_id) DO NOTHING";
    st.writer.once(Write::one(REGISTER).bind(merchant_id).bind(mtid).bind(now_ms())).await?;
    let owner = sqlx::query("SELECT session_id FROM merchant_transactions WHERE merchant_id = $1 AND merchant_transaction_id = $2")
        .bind(merchant_id)
        .bind(mtid)
        .fetch_one(&st.db)
        .await?;
    if owner.try_get::<Option<String>, _>("session_id")?.is_some() {
        return Err(ApiError::Unprocessable("merchantTransactionId belongs to a checkout session.".to_owned()));
    }
    Ok(())
}

/// Charges one payment method for the full amount (see the module's rules).
pub async fn create(st: &AppState, merchant: &Merchant, req: CreatePayment) -> ApiResult<DirectAnswer> {
    let amount = parse_amount("amount", req.amount)?;
    let mtid = parse_merchant_transaction_id("merchantTransactionId", req.merchant_transaction_id.as_deref())?;
    let currency = match req.currency_code.as_deref() {
        None => Currency::USD,
        Some(c) => Currency::parse(c).ok_or_else(|| bad("currencyCode is not a supported currency."))?,
    };
    if req.authorize_card && !req.partial_authorization {
        return Err(bad("authorizeCard: true requires partialAuthorization: true."));
    }
    let customer = req.customer.clone().unwrap_or(Value::Null);
    let wallet_key = wallet::wallet_key_of(&customer);
    let has_metadata = customer.get("metadata").is_some_and(|m| m.as_object().is_some_and(|o| !o.is_empty()));
    if wallet_key.is_none() && !has_metadata {
        return Err(bad("customer must have an identifier: hsid, enterpriseIdentifier or metadata."));
    }
    let allocations = req.payment_allocations.unwrap_or_default();
    let [allocation] = allocations.as_slice() else {
        return Err(bad("paymentAllocations must contain exactly 1 item."));
    };
    if allocation.amount != Some(amount) {
        return Err(bad("paymentAllocations[0].amount must equal amount."));
    }
    let method = match (&allocation.payment_method_id, &allocation.payment_method) {
        (Some(_), Some(_)) | (None, None) => {
            return Err(bad("paymentAllocations[0] needs either paymentMethodId or paymentMethod, not both."));
        }
        (Some(id), None) => {
            let saved = match &wallet_key {
                Some(w) => wallet::find(&st.db, &merchant.id, w, id).await?,
                None => None,
            };
            Method::Saved(saved.ok_or_else(|| {
                ApiError::Unprocessable("paymentMethodId does not match a saved payment method of this customer.".to_owned())
            })?)
        }
        (None, Some(inline)) => parse_inline(inline, &[])?,
    };
    if req.authorize_card && method.kind() == PaymentMethodKind::BankAccount {
        return Err(bad("authorizeCard: true applies to cards; a bank account payment is always a sale."));
    }
    take_transaction_id(st, &merchant.id, &mtid).await?;
    let base = &st.settings.public_url;
    // Attempts so far: a live or completed one is returned as is; a 6th is refused. A pending
    // attempt the worker releases between the two reads below is read again as gone.
    let mut previous = Vec::new();
    for _ in 0..3 {
        previous = sqlx::query(ATTEMPTS_SQL).bind(&merchant.id).bind(&mtid).fetch_all(&st.db).await?;
        let Some(last) = previous.first() else { break };
        let status: String = last.try_get("status")?;
        if status == PaymentStatus::Failed.as_str() {
            break;
        }
        let id: String = last.try_get("id")?;
        if let Some(p) = PaymentRow::by_id(&st.db, &id).await? {
            let ops = OperationRow::for_payment(&st.db, &id).await?;
            return answer(&p, merchant, &request_of(st, &id).await?, base, 200, &ops);
        }
    }
    let attempt = previous.len() as i64 + 1;
    if attempt > MAX_ATTEMPTS {
        return Err(ApiError::Unprocessable(format!(
            "merchantTransactionId has used all {MAX_ATTEMPTS} attempts. Use a new merchantTransactionId."
        )));
    }
    let request = json!({
        "authorizeCard": req.authorize_card, "partialAuthorization": req.partial_authorization,
        "description": req.description, "statementDescriptorSuffix": req.statement_descriptor_suffix,
        "customer": customer, "metadata": req.metadata,
    });
    let pending = claim(st, merchant, &mtid, attempt, amount, currency, &method, &request).await?;
    let processor_key = pending.processor_key.clone().unwrap_or_default();
    let charge = st.processor.charge(ChargeRequest {
        total: amount,
        currency,
        source: method.source(),
        idempotency_key: &processor_key,
        capture: !req.authorize_card,
        partial: req.partial_authorization,
    });
    let deadline = std::time::Duration::from_millis(st.settings.processor_deadline_ms);
    let recorded = match tokio::time::timeout(deadline, charge).await {
        // Past the deadline: 202 with PENDING; the worker records the outcome later.
        Err(_) => match record::mark_awaiting(st, &pending, None).await? {
            Some(_) => return answer(&pending, merchant, &request, base, 202, &[]),
            None => None,
        },
        Ok(outcome) => match record::record_outcome(st, &pending, None, &outcome).await? {
            Recorded::Now { payment, .. } => Some(payment),
            Recorded::Already => None,
        },
    };
    let p = match recorded {
        Some(p) => p,
        // Recorded by the worker first; or released by it while this request waited for the
        // database (longer than the lease): then the retry with the same merchantTransactionId
        // claims the same attempt again, and the processor (same key) answers it once.
        None => PaymentRow::by_id(&st.db, &pending.id).await?.ok_or_else(|| {
            ApiError::InProgress("This payment was interrupted. Retry with the same merchantTransactionId.".to_owned())
        })?,
    };
    answer(&p, merchant, &request, base, 200, &[])
}

/// Claims attempt `attempt` of `mtid` as a `PENDING` payment before charging: a concurrent
/// duplicate loses on the (merchant, transaction, attempt) unique key. The processor's key is
/// the attempt's, so a retry of a released attempt is deduplicated by the processor too.
#[allow(clippy::too_many_arguments)]
async fn claim(
    st: &AppState,
    merchant: &Merchant,
    mtid: &str,
    attempt: i64,
    amount: i64,
    currency: Currency,
    method: &Method,
    request: &Value,
) -> ApiResult<PaymentRow> {
    const CLAIM_ATTEMPT: &str = "INSERT INTO payments (id, merchant_id, session_id, merchant_transaction_id, attempt, amount, fee,
            total, currency, status, method_type, brand, last4, payment_method_id, processor_key, request_json, created_at, updated_at)
         VALUES ($1, $2, NULL, $3, $4, $5, 0, $5, $6, 'PENDING', $7, $8, $9, $10, $11, $12, $13, $13)";
    let processor_key = format!("direct:{}:{attempt}:{mtid}", merchant.id);
    let mut p = PaymentRow::pending(&merchant.id, mtid, (amount, 0, amount), currency, method, processor_key);
    p.attempt = attempt;
    let write = Write::one(CLAIM_ATTEMPT)
        .bind(&p.id)
        .bind(&p.merchant_id)
        .bind(mtid)
        .bind(attempt)
        .bind(amount)
        .bind(currency.code())
        .bind(p.method.as_str())
        .bind(p.brand.clone())
        .bind(&p.last4)
        .bind(p.payment_method_id.clone())
        .bind(p.processor_key.clone())
        .bind(request.to_string())
        .bind(p.created_at);
    match st.writer.once(write).await {
        Ok(_) => Ok(p),
        Err(e) if e.is_unique_violation() => {
            Err(ApiError::InProgress("Another attempt for this merchantTransactionId is in progress.".to_owned()))
        }
        Err(e) => Err(e.into()),
    }
}

/// The latest attempt for a `merchantTransactionId`.
pub async fn latest(st: &AppState, merchant: &Merchant, mtid: Option<&str>) -> ApiResult<DirectAnswer> {
    let mtid = parse_merchant_transaction_id("merchantTransactionId", mtid)?;
    let row = sqlx::query(LATEST_ATTEMPT_SQL)
        .bind(&merchant.id)
        .bind(&mtid)
        .fetch_optional(&st.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("No payment with this merchantTransactionId.".to_owned()))?;
    let id: String = row.try_get("id")?;
    by_id(st, merchant, &id).await
}

/// One payment of this merchant by id, as `GET /v2/payments/{id}` shows it (always `200`).
pub async fn by_id(st: &AppState, merchant: &Merchant, id: &str) -> ApiResult<DirectAnswer> {
    let p = PaymentRow::by_id(&st.db, id).await?.filter(|p| p.merchant_id == merchant.id);
    let p = p.ok_or_else(|| ApiError::NotFound("No payment with this id for this merchant.".to_owned()))?;
    let ops = OperationRow::for_payment(&st.db, &p.id).await?;
    let body = p.direct_json(merchant, &request_of(st, &p.id).await?, &st.settings.public_url, &ops);
    Ok(DirectAnswer { status: 200, body })
}
