//! A merchant's device-wallet settings (`GET` / `PUT /v1/wallet-settings`): Google Pay's
//! environment, merchant id, gateway and gateway merchant id; Apple Pay's merchant identifier,
//! display name and registered domains. Checked before they are stored; what a session's config
//! gives the widget for Google Pay ([`google_pay_for`]).

use checkout_types::money::{Currency, decimal};
use checkout_types::device_wallet::{ApplePayLineItem, ApplePayOptions, ApplePaySettings, GooglePayEnvironment, GooglePaySettings, WalletSettings};
use sqlx::Row;

use crate::AppState;
use crate::db::Write;
use crate::error::{ApiError, ApiResult};

fn bad(detail: &str) -> ApiError {
    ApiError::InvalidRequest(detail.to_owned())
}

/// 1-`max` characters of `A-Z a-z 0-9 . _ -`.
fn token(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// A domain name as Apple registers it: lowercase labels, at least one dot, no scheme or path.
fn domain(s: &str) -> bool {
    s.len() <= 253
        && s.contains('.')
        && s.split('.').all(|l| !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
}

/// The settings' rules: a `PRODUCTION` Google Pay needs Google's merchant id; every value is a
/// plain token (they reach the payer's browser and the gateway as they are).
pub fn check(s: &WalletSettings) -> ApiResult<()> {
    if let Some(g) = &s.google_pay {
        if !token(&g.gateway, 64) {
            return Err(bad("googlePay.gateway must be 1-64 letters, digits, '.', '_' or '-'."));
        }
        if !token(&g.gateway_merchant_id, 128) {
            return Err(bad("googlePay.gatewayMerchantId must be 1-128 letters, digits, '.', '_' or '-'."));
        }
        if g.merchant_id.as_deref().is_some_and(|m| !token(m, 64)) {
            return Err(bad("googlePay.merchantId must be 1-64 letters, digits, '.', '_' or '-'."));
        }
        if g.environment == GooglePayEnvironment::Production && g.merchant_id.is_none() {
            return Err(bad("googlePay.environment PRODUCTION needs googlePay.merchantId (Google's merchant id)."));
        }
    }
    if let Some(ApplePaySettings { merchant_identifier, display_name, domains }) = &s.apple_pay {
        if !token(merchant_identifier, 128) || !merchant_identifier.starts_with("merchant.") {
            return Err(bad("applePay.merchantIdentifier must look like merchant.com.example (up to 128 characters)."));
        }
        if display_name.trim().is_empty() || display_name.chars().count() > 64 {
            return Err(bad("applePay.displayName must be 1-64 characters."));
        }
        if domains.len() > 20 || domains.iter().any(|d| !domain(d)) {
            return Err(bad("applePay.domains must be up to 20 domain names such as shop.example.com (no scheme, no path)."));
        }
    }
    Ok(())
}

/// The merchant's settings as stored (empty when never set).
pub async fn get(st: &AppState, merchant_id: &str) -> ApiResult<WalletSettings> {
    get_on(&st.db, merchant_id).await
}

/// [`get`] on a database alone (the CLI's and the tests' view).
pub async fn get_on(db: &crate::db::Db, merchant_id: &str) -> ApiResult<WalletSettings> {
    let row = sqlx::query("SELECT wallet_settings_json FROM merchants WHERE id = $1").bind(merchant_id).fetch_one(db).await?;
    Ok(parse(row.try_get::<Option<String>, _>("wallet_settings_json")?.as_deref()))
}

/// Settings from their stored JSON (empty when never set).
fn parse(raw: Option<&str>) -> WalletSettings {
    raw.and_then(|r| serde_json::from_str(r).ok()).unwrap_or_default()
}

/// Replaces the merchant's settings (checked first).
pub async fn put(st: &AppState, merchant_id: &str, settings: WalletSettings) -> ApiResult<WalletSettings> {
    check(&settings)?;
    let json = serde_json::to_string(&settings).map_err(anyhow::Error::from)?;
    const SET: &str = "UPDATE merchants SET wallet_settings_json = $1 WHERE id = $2";
    st.writer.once(Write::one(SET).bind(json).bind(merchant_id)).await?;
    tracing::info!(merchant = %merchant_id, google_pay = settings.google_pay.is_some(), apple_pay = settings.apple_pay.is_some(),
        "wallet settings changed");
    Ok(settings)
}

/// What the widget asks Google Pay with, from the merchant's stored settings (read with the
/// session, no query of its own): theirs, or the sandbox's (`TEST`, gateway `govifi`, the
/// merchant's id at it).
pub fn google_pay_for(merchant_id: &str, stored: Option<&str>) -> GooglePaySettings {
    parse(stored).google_pay.unwrap_or_else(|| GooglePaySettings {
        environment: GooglePayEnvironment::Test,
        merchant_id: None,
        gateway: "govifi".to_owned(),
        gateway_merchant_id: merchant_id.to_owned(),
    })
}

/// What Apple Pay runs with for a session's merchant: their settings, or the sandbox's (a merchant
/// identifier naming the merchant, their display name).
pub fn apple_pay_for(s: &crate::domain::session::Session) -> ApplePaySettings {
    parse(s.merchant_wallet_settings.as_deref()).apple_pay.unwrap_or_else(|| ApplePaySettings {
        merchant_identifier: format!("merchant.sandbox.{}", s.merchant_id.to_ascii_lowercase()),
        display_name: s.merchant_name.chars().take(64).collect(),
        domains: Vec::new(),
    })
}

/// Apple Pay's names for the networks a session takes (all Apple Pay knows of ours when the
/// session names none; Diners has no Apple Pay network of its own).
fn apple_pay_networks(brands: &[String]) -> Vec<String> {
    const APPLE: [(&str, &str); 6] =
        [("VISA", "visa"), ("MASTERCARD", "masterCard"), ("AMEX", "amex"), ("DISCOVER", "discover"), ("JCB", "jcb"), ("UNIONPAY", "chinaUnionPay")];
    APPLE.iter().filter(|(ours, _)| brands.is_empty() || brands.iter().any(|b| b == ours)).map(|(_, apple)| (*apple).to_owned()).collect()
}

/// Apple Pay's payment request for a session (before the fee): the merchant's display name, the
/// session's currency and amount, the card networks the checkout takes.
pub fn apple_pay_options(s: &crate::domain::session::Session) -> ApplePayOptions {
    let settings = apple_pay_for(s);
    let currency = s.currency;
    ApplePayOptions {
        country_code: match currency {
            Currency::CAD => "CA",
            Currency::EUR => "IE",
            Currency::GBP => "GB",
            Currency::USD => "US",
        }
        .to_owned(),
        currency_code: currency.code().to_owned(),
        merchant_capabilities: vec!["supports3DS".to_owned()],
        supported_networks: apple_pay_networks(&s.config.card_brands),
        total: ApplePayLineItem {
            label: settings.display_name,
            amount: decimal(s.amount.unwrap_or(0)),
            kind: "final".to_owned(),
        },
    }
}

