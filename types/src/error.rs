//! The single error body every endpoint answers with.

use serde::{Deserialize, Serialize};

/// `{title, status, detail, data?}` as in the SPEC's "Errors" section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Machine-readable code such as `INVALID_REQUEST` or `PAYMENT_ERROR`.
    pub title: String,
    /// The HTTP status, repeated in the body.
    pub status: u16,
    /// A sentence for the developer; never contains card data or internals.
    pub detail: String,
    /// Extra structured data (decline codes, the failed payment, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

/// Decline details carried in `data` of a `422 PAYMENT_ERROR`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeclineData {
    /// Processor error code, e.g. `card_declined`, `expired_card`.
    pub code: String,
    /// Human sentence for the code (English; the widget localizes by `code`).
    pub message: String,
    /// Finer reason, e.g. `generic_decline`, `insufficient_funds`.
    #[serde(default)]
    pub decline_code: Option<String>,
    /// The failed payment attempt's id.
    #[serde(default)]
    pub payment_id: Option<String>,
    /// Attempts left on this session before it fails for good.
    #[serde(default)]
    pub attempts_remaining: Option<u32>,
}
