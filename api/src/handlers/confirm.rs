//! `POST /v1/sessions/{id}/confirm`: charge exactly once. The flow is
//! [`crate::domain::confirm`]; this answers with what it returns (the stored answer, byte for
//! byte, or the refusal).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use checkout_types::confirm::{ConfirmRequest, ConfirmResponse};
use checkout_types::error::ErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(confirm))
}

/// Charge the session exactly once. Requires the `Idempotency-Key` header (1-255 characters).
#[utoipa::path(post, path = "/v1/sessions/{id}/confirm", tag = "widget",
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "One per payment attempt")),
    request_body = ConfirmRequest, security(("client_secret" = [])),
    responses((status = 200, body = ConfirmResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 410, body = ErrorBody),
        (status = 422, description = "PAYMENT_ERROR (decline), UNPROCESSABLE_ENTITY or IDEMPOTENCY_KEY_REUSED", body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn confirm(
    State(st): State<AppState>,
    Path(id): Path<String>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = crate::domain::confirm::run(&st, &id, &headers, peer.map(|p| (p.0).0.ip()), &body).await;
    let outcome = match &result {
        Ok(a) if a.status == 200 => "completed",
        Ok(a) if a.status == 202 => "pending",
        Ok(a) if a.status == 422 => "declined",
        Ok(_) => "other",
        Err(e) => e.parts().1.title.as_str(),
    };
    metrics::counter!("checkout_confirms_total", "outcome" => outcome).increment(1);
    match result {
        Ok(answer) => answer.into_response(),
        Err(e) => e.into_response(),
    }
}
