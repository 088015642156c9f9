//! A merchant's device-wallet settings (merchant auth): `GET` / `PUT /v1/wallet-settings`.
//! Parse, call [`crate::domain::wallet_settings`], answer.

use axum::Json;
use axum::extract::State;
use checkout_types::error::ErrorBody;
use checkout_types::device_wallet::WalletSettings;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::wallet_settings;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Merchant};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, put_settings))
}

/// The merchant's Google Pay and Apple Pay settings (absent: the sandbox's defaults apply).
#[utoipa::path(get, path = "/v1/wallet-settings", tag = "wallets", security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = WalletSettings), (status = 401, body = ErrorBody)))]
pub(crate) async fn get_settings(State(st): State<AppState>, merchant: Merchant) -> ApiResult<Json<WalletSettings>> {
    wallet_settings::get(&st, &merchant.id).await.map(Json)
}

/// Replace the merchant's wallet settings: Google Pay's `environment` (`PRODUCTION` needs
/// `merchantId`), `merchantId`, `gateway`, `gatewayMerchantId`; Apple Pay's `merchantIdentifier`,
/// `displayName`, `domains`.
#[utoipa::path(put, path = "/v1/wallet-settings", tag = "wallets", request_body = WalletSettings,
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = WalletSettings), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn put_settings(State(st): State<AppState>, merchant: Merchant, ApiJson(req): ApiJson<WalletSettings>) -> ApiResult<Json<WalletSettings>> {
    wallet_settings::put(&st, &merchant.id, req).await.map(Json)
}
