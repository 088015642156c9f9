//! Direct payments (merchant auth): `POST /v2/payments`, `GET /v2/payments/{id}`,
//! `GET /v2/payments?merchantTransactionId=…`. Parse, call [`crate::domain::direct`], answer.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use checkout_types::error::ErrorBody;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::direct::{self, CreatePayment, DirectAnswer};
use crate::error::ApiResult;
use crate::extract::{ApiJson, Merchant};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create, lookup)).routes(routes!(get_one))
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
