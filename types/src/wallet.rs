//! The wallet endpoints' bodies (`/v1/sessions/{id}/payment-methods`, `/select`): what the widget
//! sends and what the API answers, one definition for both.

use serde::{Deserialize, Serialize};

use crate::confirm::InlineMethod;
use crate::session::{SavedMethod, SessionStatus};

/// `POST /v1/sessions/{id}/payment-methods`: save a card or bank account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddMethod {
    pub payment_method: InlineMethod,
    /// Up to 40 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Make it the wallet's default (the first method always is).
    #[serde(default)]
    pub default: bool,
}

/// `PATCH /v1/sessions/{id}/payment-methods/{pm}`: rename and/or make default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMethod {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
}

/// `{data: [...]}`: the wallet's methods, sanitized (list, and the answer to a removal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MethodList {
    pub data: Vec<SavedMethod>,
}

/// `POST /v1/sessions/{id}/select`: choose a saved method (`PAYMENT_METHOD_SELECT`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SelectMethod {
    pub payment_method_id: String,
}

/// The answer to a selection: the session is complete with that method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Selected {
    pub session_id: String,
    pub status: SessionStatus,
    pub payment_method_id: String,
    pub payment_method: SavedMethod,
}

/// The answer to `POST /v1/sessions/{id}/complete`: a `WALLET` session is done, with the wallet as
/// the payer left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct WalletDone {
    pub session_id: String,
    pub status: SessionStatus,
    /// The wallet's default method, if it holds any.
    #[serde(default)]
    pub default_payment_method_id: Option<String>,
    pub payment_methods: Vec<SavedMethod>,
}
