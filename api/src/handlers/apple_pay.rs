//! Apple Pay's server side: the merchant session Safari asks for (browser credential), and the
//! domain-association file (on the checkout's origin, and handed to merchants for their own
//! registered domains). Parse, call [`crate::domain::apple_pay`], answer.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use checkout_types::error::ErrorBody;
use checkout_types::device_wallet::ApplePayValidationRequest;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::{apple_pay, session};
use crate::error::ApiResult;
use crate::extract::{ApiJson, Merchant};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(merchant_session)).routes(routes!(association_file)).routes(routes!(merchant_association_file))
}

/// Apple Pay merchant validation: the widget's `onvalidatemerchant` sends Safari's
/// `validationURL` (one of Apple's gateway hosts, checked) and gets the opaque merchant session
/// to hand `completeMerchantValidation`.
#[utoipa::path(post, path = "/v1/sessions/{id}/wallets/apple-pay/merchant-session", tag = "widget",
    params(("id" = String, Path)), request_body = ApplePayValidationRequest, security(("client_secret" = [])),
    responses((status = 200, description = "Apple's merchant session (opaque; sandbox: one made here)", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 410, body = ErrorBody), (status = 422, description = "Apple refused or did not answer", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub(crate) async fn merchant_session(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ApplePayValidationRequest>,
) -> ApiResult<Json<Value>> {
    let s = session::authorize_browser(&st.db, &id, &headers).await?;
    apple_pay::merchant_session(&st, &s, &req.validation_url).await.map(Json)
}

fn association(st: &AppState) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        apple_pay::domain_association(st),
    )
        .into_response()
}

/// The domain-association file Apple fetches to verify the checkout's own domain (the hosted
/// page and the embed frame run Apple Pay there).
#[utoipa::path(get, path = "/.well-known/apple-developer-merchantid-domain-association", tag = "wallets",
    responses((status = 200, description = "The file, as Apple issued it", content_type = "text/plain", body = String)))]
pub(crate) async fn association_file(State(st): State<AppState>) -> Response {
    association(&st)
}

/// The same file for a merchant to host at
/// `https://<each registered domain>/.well-known/apple-developer-merchantid-domain-association`.
#[utoipa::path(get, path = "/v1/wallet-settings/apple-pay/domain-association", tag = "wallets",
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, description = "The file", content_type = "text/plain", body = String), (status = 401, body = ErrorBody)))]
pub(crate) async fn merchant_association_file(State(st): State<AppState>, _merchant: Merchant) -> Response {
    association(&st)
}
