//! Hosted-session routes (snake_case dialect): create, `PATCH`, expire. Parse, call
//! [`crate::domain::session`], answer.

use axum::Json;
use axum::extract::{Path, State};
use checkout_types::error::ErrorBody;
use checkout_types::session::SessionStatus;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::db::rfc3339;
use crate::domain::session::change::{self, PatchSession};
use crate::domain::session::create::urls;
use crate::domain::session::hosted::{self, HostedCreate};
use crate::error::ApiResult;
use crate::extract::{ApiJson, Merchant};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create)).routes(routes!(patch)).routes(routes!(expire))
}

/// `POST /v1/hosted-sessions` answer.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HostedCreated {
    session_id: String,
    client_secret: String,
    expires_at: String,
    hosted_url: String,
    embed_url: String,
    status: SessionStatus,
}

/// Create a hosted session (snake_case dialect). Always a `PAYMENT` session.
#[utoipa::path(post, path = "/v1/hosted-sessions", tag = "hosted sessions", request_body = HostedCreate,
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = HostedCreated), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn create(
    State(st): State<AppState>,
    merchant: Merchant,
    ApiJson(req): ApiJson<HostedCreate>,
) -> ApiResult<Json<HostedCreated>> {
    let created = hosted::create(&st, &merchant, req).await?;
    let (_, hosted_url, embed_url) = urls(&st.settings.public_url, &created.id, &created.client_secret);
    Ok(Json(HostedCreated {
        session_id: created.id,
        client_secret: created.client_secret,
        expires_at: rfc3339(created.expires_at),
        hosted_url,
        embed_url,
        status: SessionStatus::Created,
    }))
}

/// Change the amount or line items before the payer pays; earlier quotes stop being valid.
#[utoipa::path(patch, path = "/v1/hosted-sessions/{id}", tag = "hosted sessions", params(("id" = String, Path)),
    request_body = PatchSession, security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody)))]
pub(crate) async fn patch(
    State(st): State<AppState>,
    merchant: Merchant,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PatchSession>,
) -> ApiResult<Json<Value>> {
    change::apply_patch(&st, &merchant, &id, req).await.map(Json)
}

/// Cancel a hosted session early (`CANCELED`).
#[utoipa::path(post, path = "/v1/hosted-sessions/{id}/expire", tag = "hosted sessions", params(("id" = String, Path)),
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub(crate) async fn expire(
    State(st): State<AppState>,
    merchant: Merchant,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    change::cancel(&st, &merchant, &id).await.map(Json)
}

