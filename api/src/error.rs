//! One error enum for the whole API, rendered as `{title, status, detail, data?}`.
//! Internal failures are logged with their cause and answered with a generic 500 body.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use checkout_types::error::ErrorBody;

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("unauthorized")]
    Unauthorized,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("merchant not found")]
    MerchantNotFound,
    #[error("not found: {0}")]
    NotFound(String),
    /// The session already reached a state that forbids this call; `code` says which.
    #[error("session already processed ({code})")]
    AlreadyProcessed { code: &'static str, detail: String },
    #[error("request in progress")]
    InProgress(String),
    #[error("session timed out")]
    SessionTimeout,
    #[error("payment error: {detail}")]
    PaymentError { detail: String, data: serde_json::Value },
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Internal(anyhow::Error::new(e).context("database"))
    }
}

impl ApiError {
    /// Status and body, exactly as the client sees them.
    pub fn parts(&self) -> (StatusCode, ErrorBody) {
        let (status, title, detail, data) = match self {
            ApiError::InvalidRequest(d) => (StatusCode::BAD_REQUEST, "INVALID_REQUEST", d.clone(), None),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "Missing or invalid credentials.".to_owned(),
                None,
            ),
            ApiError::Forbidden(d) => (StatusCode::FORBIDDEN, "FORBIDDEN", d.clone(), None),
            ApiError::MerchantNotFound => (
                StatusCode::NOT_FOUND,
                "MERCHANT_NOT_FOUND",
                "No active merchant matches the merchant id header.".to_owned(),
                None,
            ),
            ApiError::NotFound(d) => (StatusCode::NOT_FOUND, "NOT_FOUND", d.clone(), None),
            ApiError::AlreadyProcessed { code, detail } => (
                StatusCode::CONFLICT,
                "SESSION_ALREADY_PROCESSED",
                detail.clone(),
                Some(serde_json::json!({ "code": code })),
            ),
            ApiError::InProgress(d) => (StatusCode::CONFLICT, "REQUEST_IN_PROGRESS", d.clone(), None),
            ApiError::SessionTimeout => (
                StatusCode::GONE,
                "SESSION_TIMEOUT",
                "The checkout session has expired. Create a new session.".to_owned(),
                None,
            ),
            ApiError::PaymentError { detail, data } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "PAYMENT_ERROR", detail.clone(), Some(data.clone()))
            }
            ApiError::Unprocessable(d) => (StatusCode::UNPROCESSABLE_ENTITY, "UNPROCESSABLE_ENTITY", d.clone(), None),
            ApiError::IdempotencyKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "IDEMPOTENCY_KEY_REUSED",
                "This Idempotency-Key was already used with a different request body.".to_owned(),
                None,
            ),
            ApiError::TooManyRequests { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                "Too many requests. Retry later.".to_owned(),
                None,
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                "Something went wrong on our side. Retry with the same Idempotency-Key.".to_owned(),
                None,
            ),
        };
        (status, ErrorBody { title: title.to_owned(), status: status.as_u16(), detail, data })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let (status, body) = self.parts();
        let mut resp = (status, axum::Json(body)).into_response();
        if let ApiError::TooManyRequests { retry_after_secs } = self {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;
