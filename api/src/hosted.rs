//! The hosted-session dialect: `POST /v1/hosted-sessions` (snake_case), its `PATCH` and `expire`
//! twins, and the signed success redirect. Everything maps onto the one session model of
//! [`crate::sessions`]; a hosted session is always a `PAYMENT` session.

use axum::extract::{Path, State};
use axum::Json;
use checkout_types::error::ErrorBody;
use checkout_types::money::Currency;
use checkout_types::session::{BankChannel, CardChannel, Channels, Mode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::db::{Db, now_ms, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Merchant};
use crate::secrets::{hmac_hex, random_hex};
use crate::sessions::{self, NewSession, StoredConfig, parse_amount, parse_locale};

/// Default and bounds of `expires_in_seconds`.
pub const DEFAULT_TTL_SECS: i64 = 1800;
const MIN_TTL_SECS: i64 = 60;
const MAX_TTL_SECS: i64 = 24 * 3600;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create)).routes(routes!(patch)).routes(routes!(expire))
}

/// `POST /v1/hosted-sessions` body.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct HostedCreate {
    /// Minor units, 1..=100000000.
    amount: Option<i64>,
    /// ISO 4217, default USD.
    currency: Option<String>,
    description: Option<String>,
    /// Your customer id; offers that customer's saved methods.
    customer_id: Option<String>,
    customer_email: Option<String>,
    /// Where the payer goes after paying; `{CHECKOUT_SESSION_ID}` is replaced.
    success_url: Option<String>,
    /// Where the payer goes on cancel.
    cancel_url: Option<String>,
    /// `embedded` or `hosted` (informational).
    layout: Option<String>,
    /// Any of `card`, `ach` (or `bank_account`), `apple_pay`, `google_pay`. Default `["card"]`.
    allowed_methods: Option<Vec<String>>,
    /// `off` (default), `on_session`, `off_session`.
    setup_future_usage: Option<String>,
    /// Lifetime, 60..=86400 seconds, default 1800.
    expires_in_seconds: Option<i64>,
    /// Any of `cardholder`, `zip`.
    required_avs_fields: Option<Vec<String>>,
    #[schema(value_type = Option<Object>)]
    metadata: Option<Value>,
    /// Informational line items `[{name, amount, quantity}]`.
    #[schema(value_type = Option<Vec<Object>>)]
    line_items: Option<Vec<Value>>,
    locale: Option<String>,
    /// Theme overrides: `color_primary`, `border_radius`, `font_family`, … (see README).
    #[schema(value_type = Option<Object>)]
    branding: Option<Value>,
}

/// `POST /v1/hosted-sessions` answer.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HostedCreated {
    session_id: String,
    client_secret: String,
    expires_at: String,
    hosted_url: String,
    embed_url: String,
    status: String,
}

fn parse_url(field: &str, url: Option<&str>, required: bool) -> ApiResult<Option<String>> {
    match url.map(str::trim).filter(|u| !u.is_empty()) {
        None if required => Err(ApiError::InvalidRequest(format!("{field} is required."))),
        None => Ok(None),
        Some(u) if (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 2048 && !u.contains(char::is_whitespace) => {
            Ok(Some(u.to_owned()))
        }
        Some(_) => Err(ApiError::InvalidRequest(format!("{field} must be an absolute http(s) URL."))),
    }
}

fn parse_methods(methods: Option<Vec<String>>) -> ApiResult<Channels> {
    let methods = methods.unwrap_or_else(|| vec!["card".to_owned()]);
    let mut ch = Channels::default();
    for m in &methods {
        match m.as_str() {
            "card" => ch.card.push(CardChannel::Webform),
            "apple_pay" => ch.card.push(CardChannel::ApplePay),
            "google_pay" => ch.card.push(CardChannel::GooglePay),
            "ach" | "bank_account" | "us_bank_account" => ch.bank_account.push(BankChannel::Webform),
            other => {
                return Err(ApiError::InvalidRequest(format!(
                    "allowed_methods: unknown method `{}`; use card, ach, apple_pay or google_pay.",
                    other.chars().take(40).collect::<String>()
                )));
            }
        }
    }
    ch.card.dedup();
    ch.bank_account.dedup();
    if ch.card.is_empty() && ch.bank_account.is_empty() {
        return Err(ApiError::InvalidRequest("allowed_methods must name at least one method.".to_owned()));
    }
    Ok(ch)
}

fn hosted_to_new(merchant: &Merchant, req: HostedCreate) -> ApiResult<NewSession> {
    let amount = parse_amount("amount", req.amount)?;
    let currency = match req.currency.as_deref() {
        None => Currency::USD,
        Some(c) => Currency::parse(c).ok_or_else(|| ApiError::InvalidRequest("currency is not supported.".to_owned()))?,
    };
    let success_url = parse_url("success_url", req.success_url.as_deref(), true)?;
    let cancel_url = parse_url("cancel_url", req.cancel_url.as_deref(), true)?;
    let setup_future_usage = match req.setup_future_usage.as_deref().unwrap_or("off") {
        s @ ("off" | "on_session" | "off_session") => s.to_owned(),
        _ => return Err(ApiError::InvalidRequest("setup_future_usage must be off, on_session or off_session.".to_owned())),
    };
    let ttl = req.expires_in_seconds.unwrap_or(DEFAULT_TTL_SECS);
    if !(MIN_TTL_SECS..=MAX_TTL_SECS).contains(&ttl) {
        return Err(ApiError::InvalidRequest(format!(
            "expires_in_seconds must be between {MIN_TTL_SECS} and {MAX_TTL_SECS}."
        )));
    }
    let avs = req.required_avs_fields.unwrap_or_default();
    if let Some(bad) = avs.iter().find(|f| !matches!(f.as_str(), "cardholder" | "zip")) {
        return Err(ApiError::InvalidRequest(format!(
            "required_avs_fields: unknown field `{}`; use cardholder or zip.",
            bad.chars().take(40).collect::<String>()
        )));
    }
    if let Some(layout) = req.layout.as_deref() {
        if !matches!(layout, "embedded" | "hosted" | "popup" | "redirect") {
            return Err(ApiError::InvalidRequest("layout must be embedded, hosted, popup or redirect.".to_owned()));
        }
    }
    if req.metadata.as_ref().is_some_and(|m| !m.is_object()) {
        return Err(ApiError::InvalidRequest("metadata must be an object.".to_owned()));
    }
    if req.description.as_ref().is_some_and(|d| d.chars().count() > 500) {
        return Err(ApiError::InvalidRequest("description is longer than 500 characters.".to_owned()));
    }
    let customer = json!({ "customerId": req.customer_id, "email": req.customer_email });
    let wallet_key = crate::wallet::wallet_key_of(&customer);
    Ok(NewSession {
        merchant_id: merchant.id.clone(),
        dialect: "HOSTED",
        mode: Mode::Payment,
        amount: Some(amount),
        currency,
        merchant_transaction_id: None,
        wallet_key,
        customer,
        config: StoredConfig {
            channels: parse_methods(req.allowed_methods)?,
            privacy_policy_url: None,
            locale: parse_locale(req.locale.as_deref())?,
            setup_future_usage,
            required_avs_fields: avs,
            description: req.description.clone(),
            preselected_method_id: None,
            success_url,
            cancel_url,
            layout: req.layout.clone(),
            appearance: sessions::parse_appearance("branding", req.branding.as_ref())?,
        },
        payment: json!({
            "description": req.description,
            "metadata": req.metadata.unwrap_or_else(|| json!({})),
            "lineItems": req.line_items.unwrap_or_default(),
            "layout": req.layout,
        }),
        ttl_ms: ttl * 1000,
    })
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
    let new = hosted_to_new(&merchant, req)?;
    let created = sessions::insert(&st.writer, new, format!("cs_{}", random_hex(12))).await?;
    let (_, hosted_url, embed_url) = sessions::urls(&st.settings.public_url, &created.id, &created.client_secret);
    Ok(Json(HostedCreated {
        session_id: created.id,
        client_secret: created.client_secret,
        expires_at: rfc3339(created.expires_at),
        hosted_url,
        embed_url,
        status: "CREATED".to_owned(),
    }))
}

/// Creates a hosted session from a JSON body, as `POST /v1/hosted-sessions` would (demo site).
pub async fn create_internal(st: &AppState, merchant: &Merchant, body: Value) -> ApiResult<(String, String)> {
    let req: HostedCreate = serde_json::from_value(body).map_err(|e| ApiError::Internal(e.into()))?;
    let created = sessions::insert(&st.writer, hosted_to_new(merchant, req)?, format!("cs_{}", random_hex(12))).await?;
    let (_, hosted_url, _) = sessions::urls(&st.settings.public_url, &created.id, &created.client_secret);
    Ok((created.id, hosted_url))
}

/// Checks a `checkout_signature` (`t=…,v1=…`) of a success redirect, as a merchant would:
/// HMAC-SHA256 over `"<t>.<session id>.COMPLETED"` with the merchant's webhook secret, and `t`
/// no older than `max_age_secs`.
pub fn verify_signature(secret: &str, session_id: &str, signature: &str, now_secs: i64, max_age_secs: i64) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in signature.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = Some(v),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return false };
    let expected = hmac_hex(secret.as_bytes(), format!("{t}.{session_id}.COMPLETED").as_bytes());
    (now_secs - t).abs() <= max_age_secs && crate::secrets::ct_eq(expected.as_bytes(), v1.as_bytes())
}

/// `PATCH` body: a new amount (top level or under `payment`) and/or line items.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PatchSession {
    amount: Option<i64>,
    #[schema(value_type = Option<Object>)]
    payment: Option<Value>,
    #[schema(value_type = Option<Vec<Object>>)]
    line_items: Option<Vec<Value>>,
}

/// Applies a `PATCH` to a session that has not been paid yet. A new amount invalidates every
/// quote made before it (they carry the old `amount_version`).
pub(crate) async fn apply_patch(st: &AppState, merchant: &Merchant, id: &str, req: PatchSession) -> ApiResult<Value> {
    let s = sessions::load_owned(&st.db, merchant, id).await?;
    if !s.mode.takes_payment() {
        return Err(ApiError::Unprocessable("This session does not take a payment.".to_owned()));
    }
    let nested = req.payment.as_ref().and_then(|p| p.get("amount"));
    let amount = match (req.amount, nested) {
        (Some(a), _) => Some(parse_amount("amount", Some(a))?),
        (None, Some(v)) => Some(parse_amount("payment.amount", v.as_i64().or(Some(0)))?),
        (None, None) => None,
    };
    if amount.is_none() && req.line_items.is_none() {
        return Err(ApiError::InvalidRequest("Nothing to change: send amount and/or line_items.".to_owned()));
    }
    let mut payment_json = s.payment_json.clone();
    if let Some(items) = req.line_items {
        payment_json["lineItems"] = Value::Array(items);
    }
    const CHANGE_AMOUNT: &str = "UPDATE sessions SET amount = $1, amount_version = amount_version + 1, payment_json = $2, updated_at = $3
         WHERE id = $4 AND state = 'INITIALIZED' AND expires_at > $3 RETURNING 1";
    let change = crate::db::Write::one(CHANGE_AMOUNT)
        .bind(amount.or(s.amount))
        .bind(payment_json.to_string())
        .bind(now_ms())
        .bind(&s.id);
    if st.writer.once(change).await?.is_none() {
        let fresh = sessions::load_owned(&st.db, merchant, id).await?;
        if fresh.is_expired(now_ms()) {
            return Err(ApiError::SessionTimeout);
        }
        crate::quotes::ensure_payable(&fresh)?;
        return Err(ApiError::InProgress("A payment for this session is being processed.".to_owned()));
    }
    let fresh = sessions::load_owned(&st.db, merchant, id).await?;
    Ok(json!({ "data": { "sessionId": fresh.id, "amount": fresh.amount, "status": fresh.state.status() } }))
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
    apply_patch(&st, &merchant, &id, req).await.map(Json)
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
    sessions::cancel(&st, &merchant, &id).await.map(Json)
}

/// The signed success redirect for a completed session:
/// `success_url` with `{CHECKOUT_SESSION_ID}` replaced, plus
/// `checkout_signature=t=<unix seconds>,v1=<hex HMAC-SHA256(webhook secret, "<t>.<session id>.COMPLETED")>`.
pub async fn signed_success_url(db: &Db, session_id: &str, merchant_id: &str, success_url: &str) -> ApiResult<String> {
    let secret: String = sqlx::query("SELECT webhook_secret FROM merchants WHERE id = $1")
        .bind(merchant_id)
        .fetch_one(db)
        .await?
        .try_get("webhook_secret")?;
    let t = now_ms() / 1000;
    let sig = hmac_hex(secret.as_bytes(), format!("{t}.{session_id}.COMPLETED").as_bytes());
    let url = success_url.replace("{CHECKOUT_SESSION_ID}", session_id);
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b.to_owned(), Some(f.to_owned())),
        None => (url, None),
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    let mut out = format!("{base}{sep}checkout_signature=t={t},v1={sig}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(&f);
    }
    Ok(out)
}
