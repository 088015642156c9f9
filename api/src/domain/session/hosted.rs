//! The hosted-session dialect of session creation (`POST /v1/hosted-sessions`, snake_case): its
//! request body and how it maps onto [`NewSession`]; a hosted session is always a `PAYMENT`
//! session.

use checkout_types::money::Currency;
use checkout_types::session::{AvsField, BankChannel, CardChannel, Channels, Mode};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::StoredConfig;
use super::create::{CreatedSession, NewSession, insert, parse_amount, parse_appearance, parse_line_items, parse_locale};
use crate::AppState;
use crate::domain::wallet;
use crate::error::{ApiError, ApiResult};
use crate::extract::Merchant;
use crate::secrets::random_hex;

/// Default and bounds of `expires_in_seconds`.
pub const DEFAULT_TTL_SECS: i64 = 1800;
const MIN_TTL_SECS: i64 = 60;
const MAX_TTL_SECS: i64 = 24 * 3600;


/// `POST /v1/hosted-sessions` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HostedCreate {
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
    /// The card brands this session takes (`VISA`, `MASTERCARD`, …); left out: every brand.
    #[serde(default)]
    card_brands: Option<Vec<String>>,
    /// What you know of the customer, for the risk rules: `customer_ip`, `user_agent`,
    /// `account_age_days`, `returning_customer`, `shipping_matches_billing`, `merchant_risk_score`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    fraud_signals: Option<serde_json::Value>,
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
    let avs_in = req.required_avs_fields.unwrap_or_default();
    if let Some(bad) = avs_in.iter().find(|f| AvsField::parse(f).is_none()) {
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
    let wallet_key = wallet::wallet_key_of(&customer);
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
            required_avs_fields: avs_in.iter().filter_map(|f| AvsField::parse(f)).collect(),
            description: req.description.clone(),
            preselected_method_id: None,
            success_url,
            cancel_url,
            layout: req.layout.clone(),
            appearance: parse_appearance("branding", req.branding.as_ref())?,
            card_brands: super::parse_card_brands("card_brands", req.card_brands.as_deref())?,
            fraud: crate::domain::risk::parse("fraud_signals", req.fraud_signals.as_ref())?,
            ..StoredConfig::default()
        },
        payment: json!({
            "description": req.description,
            "metadata": req.metadata.unwrap_or_else(|| json!({})),
            "lineItems": parse_line_items("line_items", req.line_items.as_deref())?,
            "layout": req.layout,
        }),
        ttl_ms: ttl * 1000,
    })
}

/// Creates a hosted session (ids `cs_<24 hex>`).
pub async fn create(st: &AppState, merchant: &Merchant, req: HostedCreate) -> ApiResult<CreatedSession> {
    insert(st, hosted_to_new(merchant, req)?, format!("cs_{}", random_hex(12))).await
}

/// Creates a hosted session from a JSON body, as `POST /v1/hosted-sessions` would (demo site):
/// its id and `hostedUrl`.
pub async fn create_internal(st: &AppState, merchant: &Merchant, body: Value) -> ApiResult<(String, String)> {
    let req: HostedCreate = serde_json::from_value(body).map_err(|e| ApiError::Internal(e.into()))?;
    let created = create(st, merchant, req).await?;
    let (_, hosted_url, _) = super::create::urls(&st.settings.public_url, &created.id, &created.client_secret);
    Ok((created.id, hosted_url))
}
