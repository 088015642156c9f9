//! A merchant's webhooks (merchant auth): `GET` / `PUT /v1/webhook-endpoint`,
//! `POST /v1/webhook-endpoint/rotate-secret`, `GET /v1/webhook-events/failed`,
//! `POST /v1/webhook-events/{id}/redeliver`. Parse, call [`crate::domain::webhooks`], answer.

use axum::Json;
use axum::extract::{Path, State};
use checkout_types::error::ErrorBody;
use serde::Deserialize;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::webhooks;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Merchant};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_endpoint, put_endpoint))
        .routes(routes!(rotate_secret))
        .routes(routes!(failed))
        .routes(routes!(redeliver))
}

/// `PUT /v1/webhook-endpoint` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EndpointRequest {
    /// Where events are POSTed (`https://` in production); `null` stops sending (events are kept).
    url: Option<String>,
}

/// Where this merchant's events go, and how many wait or failed.
#[utoipa::path(get, path = "/v1/webhook-endpoint", tag = "webhooks", security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, description = "`{data: {url, pendingEvents, failedEvents}}`", body = Object),
        (status = 401, body = ErrorBody)))]
pub(crate) async fn get_endpoint(State(st): State<AppState>, merchant: Merchant) -> ApiResult<Json<Value>> {
    webhooks::endpoint(&st, &merchant).await.map(Json)
}

/// Set, change or clear the URL events are POSTed to.
#[utoipa::path(put, path = "/v1/webhook-endpoint", tag = "webhooks", request_body = EndpointRequest,
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, description = "`{data: {url, pendingEvents, failedEvents}}`", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn put_endpoint(State(st): State<AppState>, merchant: Merchant, ApiJson(req): ApiJson<EndpointRequest>) -> ApiResult<Json<Value>> {
    webhooks::set_url(&st, &merchant, req.url.as_deref()).await.map(Json)
}

/// A new signing secret (`Checkout-Signature`), shown in this answer only.
#[utoipa::path(post, path = "/v1/webhook-endpoint/rotate-secret", tag = "webhooks",
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, description = "`{data: {secret}}`", body = Object), (status = 401, body = ErrorBody)))]
pub(crate) async fn rotate_secret(State(st): State<AppState>, merchant: Merchant) -> ApiResult<Json<Value>> {
    webhooks::rotate_secret(&st, &merchant).await.map(Json)
}

/// Events the receiver refused for their whole retry window (3 days), most recent first.
#[utoipa::path(get, path = "/v1/webhook-events/failed", tag = "webhooks",
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, description = "`{data: [{id, name, attempts, lastError, createdAtUtc, failedAtUtc}]}`", body = Object),
        (status = 401, body = ErrorBody)))]
pub(crate) async fn failed(State(st): State<AppState>, merchant: Merchant) -> ApiResult<Json<Value>> {
    webhooks::failed(&st, &merchant).await.map(Json)
}

/// Send an event again (failed, or delivered and lost): due now, with a new retry window.
#[utoipa::path(post, path = "/v1/webhook-events/{id}/redeliver", tag = "webhooks", params(("id" = String, Path)),
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, description = "`{data: {id, status: PENDING}}`", body = Object),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn redeliver(State(st): State<AppState>, merchant: Merchant, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    webhooks::redeliver(&st, &merchant, &id).await.map(Json)
}
