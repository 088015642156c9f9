//! One error enum for the whole API, rendered as `{title, status, detail, data?, requestId}`.
//! Internal failures are logged with their cause and answered with a generic 500 body.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use checkout_types::error::{ErrorBody, ErrorTitle};

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
    /// The database is away (restarting, its connections dropped, the pool out of time): `503`
    /// with `Retry-After`, never a `500`; nothing was half-written (every write is one atomic unit).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

/// Whether a database error means "the database is away" rather than a fault of the request or
/// ours: the connection failed or was closed, the pool timed out waiting for one, or PostgreSQL
/// is shutting down, starting up or refusing connections (SQLSTATE classes 08 and 57P).
pub fn database_away(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        sqlx::Error::Protocol(p) => p.contains("closed") || p.contains("unexpected end"),
        _ => false,
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        if database_away(&e) {
            tracing::warn!(error = %e, "database unavailable");
            return ApiError::Unavailable(e.to_string());
        }
        ApiError::Internal(anyhow::Error::new(e).context("database"))
    }
}

impl ApiError {
    /// Status and body, exactly as the client sees them.
    pub fn parts(&self) -> (StatusCode, ErrorBody) {
        let (status, title, detail, data) = match self {
            ApiError::InvalidRequest(d) => (StatusCode::BAD_REQUEST, ErrorTitle::InvalidRequest, d.clone(), None),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                ErrorTitle::Unauthorized,
                "Missing or invalid credentials.".to_owned(),
                None,
            ),
            ApiError::Forbidden(d) => (StatusCode::FORBIDDEN, ErrorTitle::Forbidden, d.clone(), None),
            ApiError::MerchantNotFound => (
                StatusCode::NOT_FOUND,
                ErrorTitle::MerchantNotFound,
                "No active merchant matches the merchant id header.".to_owned(),
                None,
            ),
            ApiError::NotFound(d) => (StatusCode::NOT_FOUND, ErrorTitle::NotFound, d.clone(), None),
            ApiError::AlreadyProcessed { code, detail } => (
                StatusCode::CONFLICT,
                ErrorTitle::SessionAlreadyProcessed,
                detail.clone(),
                Some(serde_json::json!({ "code": code })),
            ),
            ApiError::InProgress(d) => (StatusCode::CONFLICT, ErrorTitle::RequestInProgress, d.clone(), None),
            ApiError::SessionTimeout => (
                StatusCode::GONE,
                ErrorTitle::SessionTimeout,
                "The checkout session has expired. Create a new session.".to_owned(),
                None,
            ),
            ApiError::PaymentError { detail, data } => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorTitle::PaymentError, detail.clone(), Some(data.clone()))
            }
            ApiError::Unprocessable(d) => (StatusCode::UNPROCESSABLE_ENTITY, ErrorTitle::UnprocessableEntity, d.clone(), None),
            ApiError::IdempotencyKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorTitle::IdempotencyKeyReused,
                "This Idempotency-Key was already used with a different request body.".to_owned(),
                None,
            ),
            ApiError::TooManyRequests { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorTitle::TooManyRequests,
                "Too many requests. Retry later.".to_owned(),
                None,
            ),
            ApiError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorTitle::ServiceUnavailable,
                "The service is briefly unavailable. Retry shortly with the same Idempotency-Key; nothing was charged twice."
                    .to_owned(),
                None,
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorTitle::InternalError,
                "Something went wrong on our side. Retry with the same Idempotency-Key.".to_owned(),
                None,
            ),
        };
        (status, ErrorBody { title, status: status.as_u16(), detail, data, request_id: None })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let (status, mut body) = self.parts();
        // `requestId`: the request's id, the reference a caller (and the widget, to its payer)
        // quotes to support.
        body.request_id = crate::request_id::current();
        let mut resp = (status, axum::Json(body)).into_response();
        let retry_after = match self {
            ApiError::TooManyRequests { retry_after_secs } => Some(retry_after_secs),
            ApiError::Unavailable(_) => Some(1),
            _ => None,
        };
        if let Some(v) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use axum::response::IntoResponse;

    use super::ApiError;

    #[test]
    fn a_database_that_is_away_is_a_503_with_retry_after_not_a_500() {
        for e in [sqlx::Error::PoolTimedOut, sqlx::Error::PoolClosed, sqlx::Error::Io(std::io::ErrorKind::ConnectionReset.into())] {
            let resp = ApiError::from(e).into_response();
            assert_eq!(resp.status(), 503);
            assert_eq!(resp.headers()["retry-after"], "1");
        }
        // A fault of ours stays a 500.
        assert_eq!(ApiError::from(sqlx::Error::RowNotFound).into_response().status(), 500);
    }
}
