//! The single error body every endpoint answers with.

use serde::{Deserialize, Serialize};

crate::wire_enum! {
    /// Every `title` an error body can carry, with the HTTP status it always comes with. The widget
    /// matches on it exhaustively, so a new title is a compile error there until it is handled.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "SCREAMING_SNAKE_CASE"))]
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename_all = "SCREAMING_SNAKE_CASE"))]
    pub enum ErrorTitle {
        /// 400: a malformed body, a missing field, a value out of range.
        InvalidRequest = "INVALID_REQUEST",
        /// 401: missing or wrong credentials.
        Unauthorized = "UNAUTHORIZED",
        /// 403: authenticated, but not allowed.
        Forbidden = "FORBIDDEN",
        /// 404: no such merchant for the merchant id header.
        MerchantNotFound = "MERCHANT_NOT_FOUND",
        /// 404: no such resource for this caller.
        NotFound = "NOT_FOUND",
        /// 409: the session already moved on (`data.code` says how).
        SessionAlreadyProcessed = "SESSION_ALREADY_PROCESSED",
        /// 409: the same request (or another one on the same session) is still being processed.
        RequestInProgress = "REQUEST_IN_PROGRESS",
        /// 410: the session expired.
        SessionTimeout = "SESSION_TIMEOUT",
        /// 422: the processor declined the payment (`data` carries the decline).
        PaymentError = "PAYMENT_ERROR",
        /// 422: well-formed but not possible now (a stale quote, a method of another customer, ...).
        UnprocessableEntity = "UNPROCESSABLE_ENTITY",
        /// 422: an `Idempotency-Key` sent again with another body.
        IdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED",
        /// 429: rate limited; see `Retry-After`.
        TooManyRequests = "TOO_MANY_REQUESTS",
        /// 500: our fault; nothing about it is in the body.
        InternalError = "INTERNAL_ERROR",
        /// 503: the database is away for a moment (restarting, connections dropped); retry after
        /// `Retry-After` with the same `Idempotency-Key`.
        ServiceUnavailable = "SERVICE_UNAVAILABLE",
    }
}

impl ErrorTitle {
    /// The HTTP status this title is always sent with.
    pub fn status(self) -> u16 {
        match self {
            ErrorTitle::InvalidRequest => 400,
            ErrorTitle::Unauthorized => 401,
            ErrorTitle::Forbidden => 403,
            ErrorTitle::MerchantNotFound | ErrorTitle::NotFound => 404,
            ErrorTitle::SessionAlreadyProcessed | ErrorTitle::RequestInProgress => 409,
            ErrorTitle::SessionTimeout => 410,
            ErrorTitle::PaymentError | ErrorTitle::UnprocessableEntity | ErrorTitle::IdempotencyKeyReused => 422,
            ErrorTitle::TooManyRequests => 429,
            ErrorTitle::InternalError => 500,
            ErrorTitle::ServiceUnavailable => 503,
        }
    }
}

impl std::fmt::Display for ErrorTitle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ErrorBody {
    /// A body whose `status` is its title's.
    pub fn new(title: ErrorTitle, detail: impl Into<String>, data: Option<serde_json::Value>) -> ErrorBody {
        ErrorBody { title, status: title.status(), detail: detail.into(), data, request_id: None }
    }
}

/// `{title, status, detail, data?}` as in the SPEC's "Errors" section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Machine-readable code such as `INVALID_REQUEST` or `PAYMENT_ERROR`.
    pub title: ErrorTitle,
    /// The HTTP status, repeated in the body.
    pub status: u16,
    /// A sentence for the developer; never contains card data or internals.
    pub detail: String,
    /// Extra structured data (decline codes, the failed payment, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    /// The request's id (`x-request-id`): the reference a payer quotes to support, which finds
    /// the request's log lines. Stored answers replayed under an `Idempotency-Key` have none.
    #[serde(default, rename = "requestId", skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
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
