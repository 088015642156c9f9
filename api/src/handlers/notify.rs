//! Agent-assisted payment links ([`crate::domain::session::links`]): the agent's widget sends one
//! (`POST /v1/sessions/{id}/links`, browser credential) and follows them in its config; the
//! merchant lists them with their URLs (`GET /v1/sessions/{id}/notifications`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use checkout_types::error::ErrorBody;
use checkout_types::links::{LinkState, SendLink};
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::session::{self, links};
use crate::error::ApiResult;
use crate::extract::{ApiJson, Merchant};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(send))
}

/// The payment links sent for a session (agent-assisted channels), with their URLs and delivery
/// states.
#[utoipa::path(get, path = "/v1/sessions/{id}/notifications", tag = "sessions", params(("id" = String, Path)),
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn list(State(st): State<AppState>, merchant: Merchant, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let s = session::load_owned(&st.db, &merchant, &id).await?;
    Ok(Json(json!({ "data": links::merchant_list(&st.db, &s.id).await? })))
}

/// The agent sends the customer a payment link by text or email; earlier links of the session
/// stop working. Delivery follows in the background: the link's state shows in the session's
/// config (the agent's screen) and `GET /v1/sessions/{id}`.
#[utoipa::path(post, path = "/v1/sessions/{id}/links", tag = "widget", params(("id" = String, Path)),
    request_body = SendLink, security(("client_secret" = [])),
    responses((status = 200, body = LinkState), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub(crate) async fn send(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SendLink>,
) -> ApiResult<Json<LinkState>> {
    let s = session::authorize_browser(&st.db, &id, &headers).await?;
    links::send(&st, &s, &req).await.map(Json)
}
