//! The `detail` of each DOM event `<govifi-payment>` dispatches (and `Govifi.mount` hands its
//! callbacks, and a popup posts to its opener). The widget emits these types, and merchants'
//! TypeScript declarations (`api/static/govifi.d.ts`) are generated from them (`ts` feature,
//! `types/tests/typescript.rs`), so the two cannot drift apart.

use serde::Serialize;

use crate::error::ErrorTitle;
use crate::money::{Currency, MinorUnit};
use crate::payment::PaymentSummary;
use crate::quote::PaymentMethodKind;
use crate::session::{Mode, SavedMethod, SessionStatus};

/// `ready`: the session's config loaded and the widget shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Ready {
    pub session_id: String,
    pub mode: Mode,
    pub status: SessionStatus,
    pub amount: Option<MinorUnit>,
    pub currency_code: Currency,
}

/// `change` while paying: the payer picked a method (and, for a card, its brand as typed).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MethodChanged {
    pub method: PaymentMethodKind,
    pub brand: Option<&'static str>,
}

/// `change` while paying, once: the session offers device wallets but none can be shown here, so
/// the card form stands alone. `blocked`: the page's Permissions-Policy does not allow `payment`
/// to the frame (give the iframe `allow="payment"`, as `<govifi-payment>` does); otherwise the
/// browser or device has none of them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct WalletsUnavailable {
    pub wallets_unavailable: Vec<PaymentMethodKind>,
    pub blocked: bool,
}

/// `change` in the wallet modes: a method saved or changed, or one removed (its id).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct WalletChanged {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub payment_method: Option<SavedMethod>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub removed: Option<String>,
}

/// `quote`: the fee quoted for the method, and the total the payer will be charged.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Quoted {
    pub quote_id: String,
    pub amount: MinorUnit,
    pub fee: MinorUnit,
    pub total: MinorUnit,
    pub currency_code: Currency,
}

/// `success` of PAYMENT and PAYMENT_WITH_WALLET: the payment (`AUTHORIZED` when the session
/// pre-authorizes).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Paid {
    pub session_id: String,
    pub status: SessionStatus,
    pub payment: PaymentSummary,
}

/// `success` of PAYMENT_METHOD_ENTRY (the method saved) and PAYMENT_METHOD_SELECT (the method
/// chosen; `paymentMethodId` is its id).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MethodDone {
    pub status: SessionStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub payment_method_id: Option<String>,
    pub payment_method: SavedMethod,
}

/// `error`: what went wrong, as the payer reads it (with the request's reference when the API
/// answered), and the API's title if there was an answer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Failed {
    pub title: Option<ErrorTitle>,
    pub message: String,
}

/// `resize`: the widget's content height, CSS pixels (the element follows it).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Resized {
    pub height: i32,
}

/// `cancel`: the payer chose to cancel (no fields).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Canceled {}
