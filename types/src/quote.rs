//! Fee quotes: the widget asks, the API's fee engine answers. The widget never computes fees.

use serde::{Deserialize, Serialize};

use crate::money::{Currency, MinorUnit};

crate::wire_enum! {
    /// How the payer intends to pay, as far as fees are concerned.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "SCREAMING_SNAKE_CASE"))]
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename_all = "SCREAMING_SNAKE_CASE"))]
    pub enum PaymentMethodKind {
        Card = "CARD",
        BankAccount = "BANK_ACCOUNT",
        GooglePay = "GOOGLE_PAY",
        ApplePay = "APPLE_PAY",
    }
}

crate::wire_enum! {
    /// Card funding type.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "lowercase"))]
    pub enum Funding {
        Credit = "credit",
        Debit = "debit",
    }
}

/// `POST /v1/sessions/{id}/fee-quotes` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FeeQuoteRequest {
    pub method: PaymentMethodKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funding: Option<Funding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_id: Option<String>,
}

/// A fee quote: what the payer will be charged if they confirm before `expires_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FeeQuote {
    pub quote_id: String,
    pub amount: MinorUnit,
    pub fee: MinorUnit,
    pub total: MinorUnit,
    pub currency_code: Currency,
    pub expires_at: String,
    /// Disclosure sentence to show next to the fee (English; the widget localizes its own).
    pub disclosure: String,
}
