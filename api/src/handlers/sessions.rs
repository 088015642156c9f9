//! Session routes (CCG dialect and the merchant's view): create, `GET`, `PATCH`, expire, and the
//! widget's config. Parse, call [`crate::domain::session`], answer.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use checkout_types::error::ErrorBody;
use checkout_types::money::MinorUnit;
use checkout_types::session::{CardChannel, SessionConfig, SessionStatus};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::db::rfc3339;
use crate::domain::method::SavedRow;
use crate::domain::payment::PaymentRow;
use crate::domain::session::ccg::{self, CcgCreate};
use crate::domain::session::change::{self, PatchSession};
use crate::domain::session::create::urls;
use crate::domain::session::view::{self, SessionViewAnswer};
use crate::domain::session::{self, SessionState};
use crate::domain::{wallet, wallet_settings};
use crate::error::ApiResult;
use crate::extract::{ApiJson, Merchant};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_ccg))
        .routes(routes!(create_ccg_v2))
        .routes(routes!(get_for_merchant, patch))
        .routes(routes!(expire))
        .routes(routes!(config))
}

/// Create a checkout session (CCG dialect).
#[utoipa::path(post, path = "/v1/sessions", tag = "sessions", request_body = CcgCreate,
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = CreateSessionResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn create_ccg(
    State(st): State<AppState>,
    merchant: Merchant,
    ApiJson(req): ApiJson<CcgCreate>,
) -> ApiResult<Json<Value>> {
    create_ccg_inner(st, merchant, req).await
}

/// Create a checkout session (CCG dialect, v2 path; same contract as `/v1/sessions`).
#[utoipa::path(post, path = "/v2/sessions", tag = "sessions", request_body = CcgCreate,
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = CreateSessionResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn create_ccg_v2(
    State(st): State<AppState>,
    merchant: Merchant,
    ApiJson(req): ApiJson<CcgCreate>,
) -> ApiResult<Json<Value>> {
    create_ccg_inner(st, merchant, req).await
}

/// `{url, data}` answer of session creation.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CreateSessionResponse {
    url: String,
    data: CreateSessionData,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateSessionData {
    checkout_session_id: String,
    session_id: String,
    status: SessionStatus,
    hosted_url: String,
    url: String,
    embed_url: String,
    client_secret: String,
    expires_at: String,
}

async fn create_ccg_inner(st: AppState, merchant: Merchant, req: CcgCreate) -> ApiResult<Json<Value>> {
    let created = ccg::create(&st, &merchant, req).await?;
    let (url, hosted, embed) = urls(&st.settings.public_url, &created.id, &created.client_secret);
    Ok(Json(json!({
        "url": url,
        "data": {
            "checkoutSessionId": created.id,
            "sessionId": created.id,
            "status": SessionStatus::Created,
            "hostedUrl": hosted,
            "url": url,
            "embedUrl": embed,
            "clientSecret": created.client_secret,
            "expiresAt": rfc3339(created.expires_at),
        }
    })))
}

/// A session as its merchant sees it: status, the mode's result, every payment attempt, and the
/// request it was created with, as the sessions contract shows it for every mode.
#[utoipa::path(get, path = "/v1/sessions/{id}", tag = "sessions", params(("id" = String, Path)),
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = SessionViewAnswer), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn get_for_merchant(
    State(st): State<AppState>,
    merchant: Merchant,
    Path(id): Path<String>,
) -> ApiResult<Json<SessionViewAnswer>> {
    view::merchant_view(&st, &merchant, &id).await.map(Json)
}

/// Cancel a session that has not completed (`CANCELED`).
#[utoipa::path(post, path = "/v1/sessions/{id}/expire", tag = "sessions", params(("id" = String, Path)),
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

/// Change the amount before the payer pays (`{"amount": N}` or `{"payment": {"amount": N}}`);
/// earlier quotes stop being valid.
#[utoipa::path(patch, path = "/v1/sessions/{id}", tag = "sessions", params(("id" = String, Path)),
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


// ---------------------------------------------------------------------------------------------
// GET /v1/sessions/{id}/config (browser)

/// What the widget renders for this session.
#[utoipa::path(get, path = "/v1/sessions/{id}/config", tag = "widget", params(("id" = String, Path)),
    security(("client_secret" = [])),
    responses((status = 200, body = SessionConfig), (status = 401, body = ErrorBody), (status = 410, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn config(State(st): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult<Json<SessionConfig>> {
    let s = session::authorize_browser(&st.db, &id, &headers).await?;
    if let Some(link) = &s.via_link {
        session::links::mark_opened(&st, link).await?;
    }
    let agent = session::links::agent_view(&st.db, &s).await?;
    // The merchant's name and origins came with the session: an unpaid session is one query.
    let merchant_name = s.merchant_name.clone();
    let merchant_origins = crate::domain::session::parse_origins(&s.merchant_origins);
    let payment = match &s.payment_id {
        Some(pid) => PaymentRow::by_id(&st.db, pid).await?.map(|p| p.summary()),
        None => None,
    };
    let saved = wallet::of_session(&st.db, &s).await?;
    let redirect_url = match (&payment, &s.config.success_url) {
        (Some(_), Some(url)) if s.state == SessionState::PaymentCompleted => {
            Some(session::signed_success_url(&st.db, &s.id, &s.merchant_id, url).await?)
        }
        _ => None,
    };
    Ok(Json(SessionConfig {
        session_id: s.id.clone(),
        mode: s.mode,
        status: s.state.status(),
        amount: s.amount.map(MinorUnit),
        currency_code: s.currency,
        merchant_name,
        merchant_id: s.merchant_id.clone(),
        description: s.config.description.clone(),
        privacy_policy_url: s.config.privacy_policy_url.clone(),
        locale: s.config.locale.clone(),
        expires_at: rfc3339(s.expires_at),
        channels: s.config.channels.clone(),
        saved_methods: saved.iter().map(SavedRow::sanitized).collect(),
        preselected_method_id: s
            .config
            .preselected_method_id
            .clone()
            .filter(|id| saved.iter().any(|m| &m.id == id))
            .or_else(|| saved.iter().find(|m| m.is_default).map(|m| m.id.clone())),
        required_avs_fields: s.config.required_avs_fields.clone(),
        setup_future_usage: s.config.setup_future_usage.clone(),
        payment,
        cancel_url: s.config.cancel_url.clone(),
        redirect_url,
        merchant_origins,
        close_on_success: s.config.layout.as_deref() == Some("popup"),
        can_save: s.wallet_key.is_some() && s.config.setup_future_usage != "off",
        appearance: s.config.appearance.clone(),
        line_items: s.payment_json.get("lineItems").and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default(),
        google_pay: match s.config.channels.card.contains(&CardChannel::GooglePay) {
            true => Some(wallet_settings::google_pay_for(&s.merchant_id, s.merchant_wallet_settings.as_deref())),
            false => None,
        },
        apple_pay: match s.config.channels.card.contains(&CardChannel::ApplePay) {
            true => Some(wallet_settings::apple_pay_options(&s)),
            false => None,
        },
        card_brands: s.config.card_brands.clone(),
        agent,
    }))
}
