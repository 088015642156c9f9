//! A payment as the widget and the merchant see it: its status, and the method it used
//! (sanitized). Shared by the confirm's answer ([`crate::confirm`]) and the session's view
//! ([`crate::session`]).

use serde::{Deserialize, Serialize};

use crate::money::{Currency, MinorUnit};
use crate::quote::PaymentMethodKind;

crate::wire_enum! {
    /// Payment status as the payments API reports it.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "SCREAMING_SNAKE_CASE"))]
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename_all = "SCREAMING_SNAKE_CASE"))]
    pub enum PaymentStatus {
        Initiated = "INITIATED",
        Pending = "PENDING",
        /// Pre-authorized: the amount is held on the card, not yet captured.
        Authorized = "AUTHORIZED",
        Completed = "COMPLETED",
        Failed = "FAILED",
        /// A hold released without capture (voided by the merchant, or expired).
        Voided = "VOIDED",
    }
}

crate::wire_enum! {
    /// What a merchant does to a payment after the charge.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "SCREAMING_SNAKE_CASE"))]
    pub enum OperationKind {
        /// Take (part of) a held amount.
        Capture = "CAPTURE",
        /// Release a hold.
        Void = "VOID",
        /// Give (part of) a captured amount back.
        Refund = "REFUND",
    }
}

crate::wire_enum! {
    /// The state of a capture, void or refund: claimed before the processor is called, then
    /// recorded with the processor's answer.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "SCREAMING_SNAKE_CASE"))]
    pub enum OperationStatus {
        Pending = "PENDING",
        Succeeded = "SUCCEEDED",
        Failed = "FAILED",
    }
}

/// The method a payment used, sanitized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MethodSummary {
    #[serde(rename = "type")]
    pub kind: PaymentMethodKind,
    #[serde(default)]
    pub brand: Option<String>,
    pub last4: String,
}

/// A payment as the widget and the merchant's session view show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PaymentSummary {
    pub id: String,
    pub amount: MinorUnit,
    pub fee: MinorUnit,
    pub total: MinorUnit,
    pub currency_code: Currency,
    pub status: PaymentStatus,
    pub payment_method: MethodSummary,
}
