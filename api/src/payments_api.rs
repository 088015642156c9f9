//! Payments v2 (merchant auth): `POST /v2/payments` charges a saved method or an inline card or
//! bank account for exactly one allocation; `GET /v2/payments/{id}` and
//! `GET /v2/payments?merchantTransactionId=…` read it back. Rules from the payments seeds:
//! one allocation whose amount equals the payment's; `paymentMethodId` xor `paymentMethod`;
//! `authorizeCard` needs `partialAuthorization`; a customer identifier; up to 5 attempts per
//! `merchantTransactionId` (a retry only after a failure; a duplicate returns the existing payment).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use checkout_types::confirm::InlineMethod;
use checkout_types::error::ErrorBody;
use checkout_types::money::Currency;
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::Row;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::confirm::{MAX_ATTEMPTS, Method, parse_inline};
use crate::db::{now_ms, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Merchant};
use crate::payments::PaymentRow;
use crate::processor::{ChargeOutcome, ChargeRequest};
use crate::sessions::{parse_amount, parse_merchant_transaction_id};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create, lookup)).routes(routes!(get_one))
}

/// `POST /v2/payments` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatePayment {
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
pub(crate) struct Allocation {
    amount: Option<i64>,
    payment_method_id: Option<String>,
    payment_method: Option<InlineMethod>,
}

fn bad(detail: &str) -> ApiError {
    ApiError::InvalidRequest(detail.to_owned())
}

/// The payment's public shape (`data` of the seeds' responses).
fn payment_json(p: &PaymentRow, merchant: &Merchant, request: &Value, base: &str) -> Value {
    let method = if p.method_type == "CARD" {
        json!({ "id": p.payment_method_id, "type": "CARD", "last4": p.last4, "cardBrand": p.brand,
                "card": { "lastFour": p.last4, "brand": p.brand.as_deref().map(str::to_ascii_lowercase) } })
    } else {
        json!({ "id": p.payment_method_id, "type": "BANK_ACCOUNT", "last4": p.last4, "bankAccount": { "lastFour": p.last4 } })
    };
    let error = p.error_code.as_ref().map(|code| {
        json!({ "title": "PAYMENT_ERROR", "detail": p.error_message,
                "errorDetails": { "code": code, "message": p.error_message, "declineCode": p.decline_code } })
    });
    json!({
        "url": format!("{base}/v2/payments/{}", p.id),
        "data": {
            "id": p.id,
            "merchantTransactionId": p.merchant_transaction_id,
            "amount": p.amount,
            "currencyCode": p.currency,
            "status": p.status,
            "attempt": p.attempt,
            "authorizeCard": request.get("authorizeCard").cloned().unwrap_or(Value::Bool(false)),
            "partialAuthorization": request.get("partialAuthorization").cloned().unwrap_or(Value::Bool(false)),
            "description": request.get("description").cloned().unwrap_or(Value::Null),
            "statementDescriptorSuffix": request.get("statementDescriptorSuffix").cloned().unwrap_or(Value::Null),
            "customer": request.get("customer").cloned().unwrap_or(Value::Null),
            "metadata": request.get("metadata").cloned().unwrap_or(Value::Null),
            "paymentAllocations": [{ "id": p.id, "amount": p.amount, "status": p.status, "paymentMethod": method, "error": error }],
            "paymentDateUtc": rfc3339(p.created_at),
            "merchant": { "id": merchant.id, "name": merchant.display_name },
        }
    })
}

async fn request_of(st: &AppState, id: &str) -> Result<Value, sqlx::Error> {
    let row = sqlx::query("SELECT request_json FROM payments WHERE id = $1").bind(id).fetch_one(&st.db).await?;
    let raw: Option<String> = row.try_get("request_json")?;
    Ok(raw.and_then(|r| serde_json::from_str(&r).ok()).unwrap_or(Value::Null))
}

/// Charge one payment method for the full amount.
#[utoipa::path(post, path = "/v2/payments", tag = "payments", request_body = CreatePayment,
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, description = "COMPLETED, or the existing payment for a duplicate", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn create(
    State(st): State<AppState>,
    merchant: Merchant,
    ApiJson(req): ApiJson<CreatePayment>,
) -> ApiResult<Response> {
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
    let wallet_key = crate::wallet::wallet_key_of(&customer);
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
                Some(w) => crate::wallet::find(&st.db, &merchant.id, w, id).await?,
                None => None,
            };
            Method::Saved(saved.ok_or_else(|| {
                ApiError::Unprocessable("paymentMethodId does not match a saved payment method of this customer.".to_owned())
            })?)
        }
        (None, Some(inline)) => parse_inline(inline, &[])?,
    };
    // A checkout session owns its merchantTransactionId.
    let owned = sqlx::query("SELECT 1 FROM sessions WHERE merchant_id = $1 AND merchant_transaction_id = $2")
        .bind(&merchant.id)
        .bind(&mtid)
        .fetch_optional(&st.db)
        .await?;
    if owned.is_some() {
        return Err(ApiError::Unprocessable("merchantTransactionId belongs to a checkout session.".to_owned()));
    }
    // Attempts so far: a live or completed one is returned as is; a 6th is refused.
    let previous = sqlx::query(ATTEMPTS_SQL)
    .bind(&merchant.id)
    .bind(&mtid)
    .fetch_all(&st.db)
    .await?;
    if let Some(last) = previous.first() {
        let status: String = last.try_get("status")?;
        if status != "FAILED" {
            let id: String = last.try_get("id")?;
            let p = PaymentRow::by_id(&st.db, &id).await?.ok_or(ApiError::NotFound("payment".to_owned()))?;
            let body = payment_json(&p, &merchant, &request_of(&st, &id).await?, &st.settings.public_url);
            return Ok((StatusCode::OK, Json(body)).into_response());
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
    // Claim the attempt number before charging: a concurrent duplicate loses on the unique key.
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let saved_id = if let Method::Saved(m) = &method { Some(m.id.clone()) } else { None };
    const CLAIM_ATTEMPT: &str = "INSERT INTO payments (id, merchant_id, session_id, merchant_transaction_id, attempt, amount, fee,
            total, currency, status, method_type, brand, last4, payment_method_id, request_json, created_at, updated_at)
         VALUES ($1, $2, NULL, $3, $4, $5, 0, $5, $6, 'PENDING', $7, $8, $9, $10, $11, $12, $12)";
    let claim = crate::db::Write::one(CLAIM_ATTEMPT)
        .bind(&id)
        .bind(&merchant.id)
        .bind(&mtid)
        .bind(attempt)
        .bind(amount)
        .bind(currency.code())
        .bind(method.kind())
        .bind(method.brand())
        .bind(method.last4())
        .bind(&saved_id)
        .bind(request.to_string())
        .bind(now);
    match st.writer.once(claim).await {
        Ok(_) => {}
        Err(e) if e.is_unique_violation() => {
            return Err(ApiError::InProgress("Another attempt for this merchantTransactionId is in progress.".to_owned()));
        }
        Err(e) => return Err(e.into()),
    }
    let charge = st.processor.charge(ChargeRequest { total: amount, currency, source: method.source(), idempotency_key: &id });
    let deadline = std::time::Duration::from_millis(st.settings.processor_deadline_ms);
    let Ok(outcome) = tokio::time::timeout(deadline, charge).await else {
        // Past the deadline: 202 with PENDING; the background worker finishes it.
        const AWAITING: &str = "UPDATE payments SET processor_ref = $1, updated_at = $2 WHERE id = $3";
        st.writer.once(crate::db::Write::one(AWAITING).bind(format!("awaiting:{id}")).bind(now_ms()).bind(&id)).await?;
        let p = PaymentRow::by_id(&st.db, &id).await?.ok_or_else(|| ApiError::NotFound("payment".to_owned()))?;
        return Ok((StatusCode::ACCEPTED, Json(payment_json(&p, &merchant, &request, &st.settings.public_url))).into_response());
    };
    let (status, reference, code, decline, message) = match &outcome {
        ChargeOutcome::Approved { reference, .. } => ("COMPLETED", Some(reference.clone()), None, None, None),
        ChargeOutcome::Declined { code, decline_code, message } => {
            ("FAILED", None, Some(code.clone()), decline_code.clone(), Some(message.clone()))
        }
    };
    let mut tx = crate::db::begin_write(&st.db).await?;
    sqlx::query(
        "UPDATE payments SET status = $1, processor_ref = $2, error_code = $3, decline_code = $4, error_message = $5, updated_at = $6
         WHERE id = $7",
    )
    .bind(status)
    .bind(reference)
    .bind(&code)
    .bind(&decline)
    .bind(&message)
    .bind(now_ms())
    .bind(&id)
    .execute(&mut *tx)
    .await?;
    let p = PaymentRow::by_id_in(&mut tx, &id).await?;
    let event = if status == "COMPLETED" { "PAYMENT_SUCCEEDED" } else { "PAYMENT_FAILED" };
    let mut payload = crate::webhooks::payment_payload(&p, "");
    payload["final"] = Value::Bool(status == "COMPLETED" || attempt >= MAX_ATTEMPTS);
    crate::webhooks::enqueue(&mut tx, &merchant.id, &[(event, payload)]).await?;
    tx.commit().await?;
    let body = payment_json(&p, &merchant, &request, &st.settings.public_url);
    if status == "COMPLETED" {
        return Ok((StatusCode::OK, Json(body)).into_response());
    }
    let (code_status, err) = (StatusCode::UNPROCESSABLE_ENTITY, ErrorBody {
        title: "PAYMENT_ERROR".to_owned(),
        status: 422,
        detail: message.unwrap_or_default(),
        data: Some(body["data"].clone()),
    });
    Ok((code_status, Json(err)).into_response())
}

/// One payment by id.
#[utoipa::path(get, path = "/v2/payments/{id}", tag = "payments", params(("id" = String, Path)),
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn get_one(State(st): State<AppState>, merchant: Merchant, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let p = PaymentRow::by_id(&st.db, &id).await?.filter(|p| p.merchant_id == merchant.id);
    let p = p.ok_or_else(|| ApiError::NotFound("No payment with this id for this merchant.".to_owned()))?;
    Ok(Json(payment_json(&p, &merchant, &request_of(&st, &p.id).await?, &st.settings.public_url)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LookupQuery {
    /// The merchant's transaction id.
    merchant_transaction_id: Option<String>,
}

/// The latest attempt for a `merchantTransactionId`.
#[utoipa::path(get, path = "/v2/payments", tag = "payments", params(LookupQuery),
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn lookup(
    State(st): State<AppState>,
    merchant: Merchant,
    Query(q): Query<LookupQuery>,
) -> ApiResult<Json<Value>> {
    let mtid = parse_merchant_transaction_id("merchantTransactionId", q.merchant_transaction_id.as_deref())?;
    let row = sqlx::query(LATEST_ATTEMPT_SQL)
    .bind(&merchant.id)
    .bind(&mtid)
    .fetch_optional(&st.db)
    .await?
    .ok_or_else(|| ApiError::NotFound("No payment with this merchantTransactionId.".to_owned()))?;
    let id: String = row.try_get("id")?;
    let p = PaymentRow::by_id(&st.db, &id).await?.ok_or_else(|| ApiError::NotFound("payment".to_owned()))?;
    Ok(Json(payment_json(&p, &merchant, &request_of(&st, &id).await?, &st.settings.public_url)))
}

/// A merchant transaction's attempts, newest first. Served by the unique index on
/// (merchant_id, merchant_transaction_id, attempt) (`tests/api/plans.rs`).
pub const ATTEMPTS_SQL: &str =
    "SELECT id, status, attempt FROM payments WHERE merchant_id = $1 AND merchant_transaction_id = $2 ORDER BY attempt DESC";

/// A merchant transaction's latest attempt, by the same index.
pub const LATEST_ATTEMPT_SQL: &str =
    "SELECT id FROM payments WHERE merchant_id = $1 AND merchant_transaction_id = $2 ORDER BY attempt DESC LIMIT 1";
