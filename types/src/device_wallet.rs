//! Device wallets (Google Pay, Apple Pay): a merchant's settings (`GET` / `PUT
//! /v1/wallet-settings`), what a session's config gives the widget to ask each wallet with, and
//! Apple Pay's merchant validation request. Depends on nothing else of the wire contract, so the
//! session's config can carry it.

use serde::{Deserialize, Serialize};

crate::wire_enum! {
    /// Google Pay's environment: `TEST` (sandbox cards, no charge) or `PRODUCTION`.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "SCREAMING_SNAKE_CASE"))]
    pub enum GooglePayEnvironment {
        Test = "TEST",
        Production = "PRODUCTION",
    }
}

/// What the widget needs to ask Google Pay for a token (the session's config carries it when the
/// session enables `GOOGLE_PAY`): the merchant's settings, or the sandbox's defaults. Read by the
/// API through `serde_json::Value` (below), refusing unknown fields; the widget reads it with its
/// own reader (`src/json.rs`), which refuses them too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct GooglePaySettings {
    pub environment: GooglePayEnvironment,
    /// Google's merchant id (required for `PRODUCTION`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_id: Option<String>,
    /// The payment gateway Google Pay tokenizes for.
    pub gateway: String,
    /// The merchant's account at that gateway.
    pub gateway_merchant_id: String,
}

impl<'de> Deserialize<'de> for GooglePaySettings {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let text = |k: &str| v.get(k).and_then(serde_json::Value::as_str).map(str::to_owned);
        let bad = || <D::Error as serde::de::Error>::custom("googlePay is {environment: TEST|PRODUCTION, merchantId?, gateway, gatewayMerchantId}");
        // Only the known fields: anything else is refused, as `deny_unknown_fields` would.
        let known = ["environment", "merchantId", "gateway", "gatewayMerchantId"];
        if v.as_object().is_none_or(|o| o.keys().any(|k| !known.contains(&k.as_str()))) {
            return Err(bad());
        }
        Ok(GooglePaySettings {
            environment: text("environment").and_then(|e| GooglePayEnvironment::parse(&e)).ok_or_else(bad)?,
            merchant_id: text("merchantId"),
            gateway: text("gateway").ok_or_else(bad)?,
            gateway_merchant_id: text("gatewayMerchantId").ok_or_else(bad)?,
        })
    }
}

/// Apple Pay on the web: the merchant identifier, the name on the sheet and the domains registered
/// for it (the merchant hosts the domain-association file on each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApplePaySettings {
    pub merchant_identifier: String,
    pub display_name: String,
    #[serde(default)]
    pub domains: Vec<String>,
}

/// `GET` / `PUT /v1/wallet-settings`: a merchant's device-wallet settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WalletSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_pay: Option<GooglePaySettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_pay: Option<ApplePaySettings>,
}

/// `POST /v1/sessions/{id}/wallets/apple-pay/merchant-session`: the `validationURL` Safari gave
/// the page's `onvalidatemerchant`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplePayValidationRequest {
    pub validation_url: String,
}

/// A line of Apple Pay's sheet (`ApplePayLineItem`): a label and a decimal amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplePayLineItem {
    pub label: String,
    /// Decimal, e.g. `"21.00"`.
    pub amount: String,
    /// `final`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// What the widget starts an `ApplePaySession` with (the session's config carries it when the
/// session enables `APPLE_PAY`): Apple's `ApplePayPaymentRequest` without the fee, which the widget
/// adds from its quote (`total`'s amount, and the amount and fee as `lineItems`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApplePayOptions {
    /// The merchant's country (ISO 3166-1 alpha-2).
    pub country_code: String,
    pub currency_code: String,
    /// `supports3DS`.
    pub merchant_capabilities: Vec<String>,
    /// Apple's network names: `visa`, `masterCard`, `amex`, `discover`, `jcb`, `chinaUnionPay`.
    pub supported_networks: Vec<String>,
    /// The merchant's display name and the amount before the fee.
    pub total: ApplePayLineItem,
}
