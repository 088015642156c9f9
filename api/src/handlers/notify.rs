//! `GET /v1/sessions/{id}/notifications` (merchant): the TEXT / EMAIL links queued for a
//! session's agent-assisted channels ([`crate::domain::notify`]).

use axum::Json;
use axum::extract::{Path, State};
use checkout_types::error::ErrorBody;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::{notify, session};
use crate::error::ApiResult;
use crate::extract::Merchant;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// The messages queued for a session (agent-assisted channels).
#[utoipa::path(get, path = "/v1/sessions/{id}/notifications", tag = "sessions", params(("id" = String, Path)),
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn list(State(st): State<AppState>, merchant: Merchant, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let s = session::load_owned(&st.db, &merchant, &id).await?;
    Ok(Json(json!({ "data": notify::list(&st.db, &s.id).await? })))
}
