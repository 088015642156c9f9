//! Direct payments (merchant auth): `POST /v2/payments`, `GET /v2/payments/{id}`,
//! `GET /v2/payments?merchantTransactionId=…`; after the charge, `POST /v2/payments/{id}/capture`,
//! `/void` and `/refunds`. Parse, call [`crate::domain::direct`] or
//! [`crate::domain::payment::operation`], answer.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use checkout_types::error::ErrorBody;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use bytes::Bytes;
use checkout_types::payment::OperationKind;

use crate::domain::direct::{self, CreatePayment, DirectAnswer};
use crate::domain::idempotency::{Answer, key_from_headers};
use crate::domain::payment::operation::{self, OperationInput};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Merchant, parse_json};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, lookup))
        .routes(routes!(get_one))
        .routes(routes!(capture))
        .routes(routes!(void))
        .routes(routes!(refund))
}

impl IntoResponse for DirectAnswer {
    fn into_response(self) -> Response {
        (StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), Json(self.body)).into_response()
    }
}

/// Charge one payment method for the full amount.
#[utoipa::path(post, path = "/v2/payments", tag = "payments", request_body = CreatePayment,
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, description = "COMPLETED, or the existing payment for a duplicate", body = Object),
        (status = 202, description = "PENDING: the processor missed its deadline; the payment finishes in the background", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn create(State(st): State<AppState>, merchant: Merchant, ApiJson(req): ApiJson<CreatePayment>) -> ApiResult<DirectAnswer> {
    direct::create(&st, &merchant, req).await
}

/// One payment by id.
#[utoipa::path(get, path = "/v2/payments/{id}", tag = "payments", params(("id" = String, Path)),
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn get_one(State(st): State<AppState>, merchant: Merchant, Path(id): Path<String>) -> ApiResult<DirectAnswer> {
    direct::by_id(&st, &merchant, &id).await
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
pub(crate) async fn lookup(State(st): State<AppState>, merchant: Merchant, Query(q): Query<LookupQuery>) -> ApiResult<DirectAnswer> {
    direct::latest(&st, &merchant, q.merchant_transaction_id.as_deref()).await
}

/// `POST /v2/payments/{id}/capture` body; an empty body captures the whole hold.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct CaptureRequest {
    /// Minor units, at most the authorized amount; the rest of the hold is released.
    amount: Option<i64>,
}

/// `POST /v2/payments/{id}/refunds` body; an empty body refunds what is left.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RefundRequest {
    /// Minor units, at most what is left to refund (captured minus earlier refunds).
    amount: Option<i64>,
    /// Why, for the merchant's records (up to 200 characters).
    reason: Option<String>,
}

/// An optional JSON body: empty means every field's default.
fn optional_body<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> ApiResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) { Ok(T::default()) } else { parse_json(body) }
}

/// Runs an operation with the optional (`required`: mandatory) `Idempotency-Key`.
async fn operate(st: &AppState, merchant: &Merchant, id: &str, headers: &HeaderMap, input: OperationInput, required: bool) -> ApiResult<Answer> {
    let key = match headers.contains_key("idempotency-key") || required {
        true => Some(key_from_headers(headers)?),
        false => None,
    };
    operation::run(st, &merchant.id, id, &input, key.as_ref()).await
}

fn answer(result: ApiResult<Answer>) -> Response {
    match result {
        Ok(a) => a.into_response(),
        Err(e) => e.into_response(),
    }
}

/// Capture a pre-authorization (`AUTHORIZED`), whole or in part, once; the payment becomes
/// `COMPLETED` with `capturedAmount`. An `Idempotency-Key` is optional: the same key replays the
/// first answer.
#[utoipa::path(post, path = "/v2/payments/{id}/capture", tag = "payments",
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body(content = Option<CaptureRequest>), security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, description = "SUCCEEDED: `{data: operation, payment}`", body = Object),
        (status = 202, description = "PENDING: the processor missed its deadline", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "A capture or void of this payment is in flight", body = ErrorBody),
        (status = 422, description = "Not AUTHORIZED, more than authorized, refused by the processor (PAYMENT_ERROR), or IDEMPOTENCY_KEY_REUSED", body = ErrorBody)))]
pub(crate) async fn capture(State(st): State<AppState>, merchant: Merchant, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let run = async {
        let req: CaptureRequest = optional_body(&body)?;
        let input = OperationInput { kind: OperationKind::Capture, amount: req.amount, reason: None };
        operate(&st, &merchant, &id, &headers, input, false).await
    };
    answer(run.await)
}

/// Void a pre-authorization: the hold is released and the payment is `VOIDED`.
#[utoipa::path(post, path = "/v2/payments/{id}/void", tag = "payments",
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body(content = Object, description = "Empty, or `{}`"), security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, description = "SUCCEEDED: `{data: operation, payment}`", body = Object),
        (status = 202, description = "PENDING: the processor missed its deadline", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn void(State(st): State<AppState>, merchant: Merchant, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let run = async {
        if !body.iter().all(u8::is_ascii_whitespace) && !parse_json::<serde_json::Map<String, serde_json::Value>>(&body)?.is_empty() {
            return Err(ApiError::InvalidRequest("A void releases the whole hold; it takes no fields.".to_owned()));
        }
        let input = OperationInput { kind: OperationKind::Void, amount: None, reason: None };
        operate(&st, &merchant, &id, &headers, input, false).await
    };
    answer(run.await)
}

/// Refund a `COMPLETED` payment, whole or in part, as many times as needed: never more than
/// captured in total. `Idempotency-Key` required (same key and body: the first answer; another
/// body: 422; in flight: 409).
#[utoipa::path(post, path = "/v2/payments/{id}/refunds", tag = "payments",
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "One per refund")),
    request_body(content = Option<RefundRequest>), security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, description = "SUCCEEDED: `{data: refund, payment}`", body = Object),
        (status = 202, description = "PENDING: the processor missed its deadline", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, description = "Not COMPLETED, more than refundable, refused by the processor (PAYMENT_ERROR, refund FAILED), or IDEMPOTENCY_KEY_REUSED", body = ErrorBody)))]
pub(crate) async fn refund(State(st): State<AppState>, merchant: Merchant, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let run = async {
        let key = key_from_headers(&headers)?;
        let req: RefundRequest = optional_body(&body)?;
        if req.reason.as_ref().is_some_and(|r| r.chars().count() > 200) {
            return Err(ApiError::InvalidRequest("reason must be at most 200 characters.".to_owned()));
        }
        let input = OperationInput { kind: OperationKind::Refund, amount: req.amount, reason: req.reason };
        operation::run(&st, &merchant.id, &id, &input, Some(&key)).await
    };
    answer(run.await)
}
