//! `POST /v1/sessions/{id}/fee-quotes`: parse, call [`crate::domain::quote`], answer.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use checkout_types::error::ErrorBody;
use checkout_types::quote::{FeeQuote, FeeQuoteRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::{quote, session};
use crate::error::ApiResult;
use crate::extract::ApiJson;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create))
}

/// Quote the convenience fee for a method; confirm charges exactly the quoted total.
#[utoipa::path(post, path = "/v1/sessions/{id}/fee-quotes", tag = "widget", params(("id" = String, Path)),
    request_body = FeeQuoteRequest, security(("client_secret" = [])),
    responses((status = 200, body = FeeQuote), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn create(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<FeeQuoteRequest>,
) -> ApiResult<Json<FeeQuote>> {
    let s = session::authorize_browser(&st.db, &id, &headers).await?;
    quote::create(&st, &s, req).await.map(Json)
}
