//! The `Idempotency-Key` of a session's confirm, over its whole life: read from the header
//! (the shared rule of `checkout_types::credential`), the request's fingerprint, taken together
//! with the session's claim (`domain::confirm`), its answer stored with the attempt's outcome
//! (`domain::payment::record`), replayed byte for byte, refused for another body (422), held
//! while in flight (409), and given back when the worker releases an orphaned claim.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use checkout_types::confirm::{ConfirmRequest, InlineMethod, WalletTokenInput};
pub use checkout_types::credential::IdempotencyKey;
use checkout_types::quote::PaymentMethodKind;
use serde_json::json;
use sqlx::Row;

use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::secrets::sha256_hex;

/// Reads the header; missing or malformed is `400 INVALID_REQUEST`.
pub fn key_from_headers(headers: &HeaderMap) -> ApiResult<IdempotencyKey> {
    let raw = headers
        .get("idempotency-key")
        .ok_or_else(|| ApiError::InvalidRequest("The Idempotency-Key header is required.".to_owned()))?;
    let s = raw.to_str().map_err(|_| ApiError::InvalidRequest("The Idempotency-Key header must be ASCII.".to_owned()))?;
    IdempotencyKey::try_from(s).map_err(|_| {
        ApiError::InvalidRequest("The Idempotency-Key header must be 1-255 visible ASCII characters.".to_owned())
    })
}

/// A stored answer, sent again exactly as it was first sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut r = Response::new(Body::from(self.body));
        *r.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r
    }
}

/// What happened to a key before.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    /// Same key, same body, finished: answer exactly this.
    Replay(Answer),
    /// Same key, another body.
    Mismatch,
    /// Same key, same body, still being processed.
    InFlight,
}

/// The key's history for `session_id`, or `None` when it was never used (or was given back).
pub async fn lookup(db: &Db, session_id: &str, key: &str, fingerprint: &str) -> ApiResult<Option<Seen>> {
    let row = sqlx::query(
        "SELECT fingerprint, response_status, response_body FROM idempotency_keys WHERE session_id = $1 AND idem_key = $2",
    )
    .bind(session_id)
    .bind(key)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let stored: String = row.try_get("fingerprint")?;
    if !crate::secrets::ct_eq(stored.as_bytes(), fingerprint.as_bytes()) {
        return Ok(Some(Seen::Mismatch));
    }
    let status: Option<i64> = row.try_get("response_status")?;
    let body: Option<String> = row.try_get("response_body")?;
    Ok(Some(match (status, body) {
        (Some(status), Some(body)) => Seen::Replay(Answer { status: u16::try_from(status).unwrap_or(500), body }),
        _ => Seen::InFlight,
    }))
}

/// `409 REQUEST_IN_PROGRESS` for a key whose confirm is still running.
pub fn key_in_flight() -> ApiError {
    ApiError::InProgress("A confirm with this Idempotency-Key is still being processed. Retry shortly.".to_owned())
}

/// The answer for a key used before: the stored response, 422 for another body, 409 while in
/// flight. A key never used gets `otherwise`.
pub async fn answer_from_key(db: &Db, session_id: &str, key: &IdempotencyKey, fingerprint: &str, otherwise: ApiError) -> ApiResult<Answer> {
    match lookup(db, session_id, key.as_str(), fingerprint).await? {
        Some(Seen::Replay(answer)) => {
            metrics::counter!("checkout_idempotent_replays_total", "of" => "confirm").increment(1);
            Ok(answer)
        }
        Some(Seen::Mismatch) => Err(ApiError::IdempotencyKeyReused),
        Some(Seen::InFlight) => Err(key_in_flight()),
        None => Err(otherwise),
    }
}

/// A digest of the request that identifies "the same body" without keeping card data: the card
/// number and CVC enter only as brand, last four and lengths.
pub fn fingerprint(req: &ConfirmRequest) -> String {
    let method = match &req.payment_method {
        Some(InlineMethod::Card { card }) => {
            let digits = checkout_types::validate::digits_only(&card.number);
            let last4 = digits.get(digits.len().saturating_sub(4)..).unwrap_or("");
            json!({
                "type": "CARD",
                "brand": checkout_types::validate::card::CardBrand::detect(&digits).wire_name(),
                "last4": last4,
                "len": digits.len(),
                "exp": [card.exp_month, card.exp_year],
                "cvcLen": card.cvc.len(),
                "name": card.name_on_card,
                "zip": card.zip_code,
            })
        }
        Some(InlineMethod::BankAccount { bank_account: b }) => {
            let last4 = b.account_number.get(b.account_number.len().saturating_sub(4)..).unwrap_or("");
            json!({
                "type": "BANK_ACCOUNT",
                "routing": b.routing_number,
                "last4": last4,
                "len": b.account_number.len(),
                "accountType": b.account_type,
                "holder": b.account_holder_name,
            })
        }
        Some(InlineMethod::GooglePay { google_pay: w }) => wallet_fingerprint(PaymentMethodKind::GooglePay, w),
        Some(InlineMethod::ApplePay { apple_pay: w }) => wallet_fingerprint(PaymentMethodKind::ApplePay, w),
        None => serde_json::Value::Null,
    };
    let canonical = json!({
        "quoteId": req.quote_id,
        "paymentMethodId": req.payment_method_id,
        "saveForFuture": req.save_for_future,
        "method": method,
    });
    sha256_hex(canonical.to_string().as_bytes())
}

/// A wallet token enters the fingerprint only as its SHA-256.
fn wallet_fingerprint(kind: PaymentMethodKind, w: &WalletTokenInput) -> serde_json::Value {
    json!({ "type": kind.as_str(), "token": sha256_hex(w.token.as_bytes()), "network": w.network, "last4": w.last4 })
}
