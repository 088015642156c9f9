//! Wallet routes of the widget (browser credential): list, add (ENTRY completes the session),
//! rename / set default and remove (WALLET), select (SELECT completes the session), done (WALLET
//! completes the session). Parse, check
//! the mode, call [`crate::domain::wallet`], answer.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use checkout_types::error::ErrorBody;
use checkout_types::session::{Mode, SavedMethod};
use checkout_types::wallet::{AddMethod, MethodList, Selected, SelectMethod, UpdateMethod, WalletDone};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::session::{self, ensure_mode, ensure_open};
use crate::domain::method::SavedRow;
use crate::domain::wallet;
use crate::error::ApiResult;
use crate::extract::ApiJson;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, add))
        .routes(routes!(update, remove))
        .routes(routes!(select))
        .routes(routes!(complete))
}

fn sanitized(rows: &[SavedRow]) -> MethodList {
    MethodList { data: rows.iter().map(SavedRow::sanitized).collect() }
}

/// The wallet's saved methods (sanitized).
#[utoipa::path(get, path = "/v1/sessions/{id}/payment-methods", tag = "wallet", params(("id" = String, Path)),
    security(("client_secret" = [])),
    responses((status = 200, body = MethodList), (status = 401, body = ErrorBody), (status = 410, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn list(State(st): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult<Json<MethodList>> {
    let s = session::authorize_browser(&st.db, &id, &headers).await?;
    let w = wallet::wallet_of(&s)?;
    Ok(Json(sanitized(&wallet::list_for(&st.db, &s.merchant_id, w).await?)))
}

/// Save a card or bank account. In `PAYMENT_METHOD_ENTRY` this completes the session; in
/// `PAYMENT_METHOD_SELECT` (an empty wallet) the payer selects it next.
#[utoipa::path(post, path = "/v1/sessions/{id}/payment-methods", tag = "wallet", params(("id" = String, Path)),
    request_body = AddMethod, security(("client_secret" = [])),
    responses((status = 200, body = SavedMethod), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn add(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<AddMethod>,
) -> ApiResult<Json<SavedMethod>> {
    let s = session::authorize_browser(&st.db, &id, &headers).await?;
    ensure_mode(&s, &[Mode::PaymentMethodEntry, Mode::Wallet, Mode::PaymentWithWallet, Mode::PaymentMethodSelect])?;
    ensure_open(&s)?;
    Ok(Json(wallet::add(&st, &s, req).await?.sanitized()))
}

/// Rename a saved method or make it the default (`WALLET` mode).
#[utoipa::path(patch, path = "/v1/sessions/{id}/payment-methods/{pm}", tag = "wallet",
    params(("id" = String, Path), ("pm" = String, Path)), request_body = UpdateMethod, security(("client_secret" = [])),
    responses((status = 200, body = SavedMethod), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn update(
    State(st): State<AppState>,
    Path((id, pm)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateMethod>,
) -> ApiResult<Json<SavedMethod>> {
    let s = session::authorize_browser(&st.db, &id, &headers).await?;
    ensure_mode(&s, &[Mode::Wallet])?;
    ensure_open(&s)?;
    Ok(Json(wallet::update(&st, &s, &pm, req).await?.sanitized()))
}

/// Remove a saved method (`WALLET` mode). The newest remaining method becomes the default.
#[utoipa::path(delete, path = "/v1/sessions/{id}/payment-methods/{pm}", tag = "wallet",
    params(("id" = String, Path), ("pm" = String, Path)), security(("client_secret" = [])),
    responses((status = 200, body = MethodList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 410, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn remove(
    State(st): State<AppState>,
    Path((id, pm)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Json<MethodList>> {
    let s = session::authorize_browser(&st.db, &id, &headers).await?;
    ensure_mode(&s, &[Mode::Wallet])?;
    ensure_open(&s)?;
    Ok(Json(sanitized(&wallet::remove(&st, &s, &pm).await?)))
}

/// Select a saved method; completes the session with that `paymentMethodId`.
#[utoipa::path(post, path = "/v1/sessions/{id}/select", tag = "wallet", params(("id" = String, Path)),
    request_body = SelectMethod, security(("client_secret" = [])),
    responses((status = 200, body = Selected), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn select(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SelectMethod>,
) -> ApiResult<Json<Selected>> {
    let s = session::authorize_browser(&st.db, &id, &headers).await?;
    ensure_mode(&s, &[Mode::PaymentMethodSelect])?;
    ensure_open(&s)?;
    wallet::select(&st, &s, req).await.map(Json)
}

/// The payer is done with their wallet (`WALLET` mode): completes the session with the wallet as
/// it stands; the merchant gets `CHECKOUT_SESSION_COMPLETED`.
#[utoipa::path(post, path = "/v1/sessions/{id}/complete", tag = "wallet", params(("id" = String, Path)),
    security(("client_secret" = [])),
    responses((status = 200, body = WalletDone), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 410, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn complete(State(st): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult<Json<WalletDone>> {
    let s = session::authorize_browser(&st.db, &id, &headers).await?;
    ensure_mode(&s, &[Mode::Wallet])?;
    ensure_open(&s)?;
    wallet::finish(&st, &s).await.map(Json)
}
