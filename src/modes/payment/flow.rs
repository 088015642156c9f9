//! The payment mode's flow, without a browser: which phase a session's config puts the screen
//! in, and what the screen does with each way a confirm can fail. Pure, so it is tested natively
//! (`tests/widget_logic.rs`); the view (`super`) only applies what this decides.

use checkout_types::payment::{PaymentStatus, PaymentSummary};
use checkout_types::error::ErrorTitle;
use checkout_types::session::{SessionConfig, SessionStatus};

use crate::api::ApiError;
use crate::i18n::Key;

/// What the mode shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Form,
    /// Paid: the payment, and the signed success URL to return to (hosted sessions).
    Paid(PaymentSummary, Option<String>),
    /// The processor is slow: the payment is pending and the page polls for the outcome.
    Processing,
    Closed(Key),
}

/// The phase a session's config calls for (on load, and after each poll while pending).
pub fn initial_phase(cfg: &SessionConfig) -> Phase {
    if cfg.payment.as_ref().is_some_and(|p| p.status == PaymentStatus::Pending) {
        return Phase::Processing;
    }
    match (cfg.status, &cfg.payment) {
        (SessionStatus::Completed, Some(p)) => Phase::Paid(p.clone(), cfg.redirect_url.clone()),
        (SessionStatus::Completed, None) => Phase::Closed(Key::AlreadyPaid),
        (SessionStatus::Expired, _) => Phase::Closed(Key::SessionExpired),
        (SessionStatus::Failed | SessionStatus::Canceled, _) => Phase::Closed(Key::SessionClosed),
        _ => Phase::Form,
    }
}

/// What the screen does with a failed confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    /// Declined: a readable decline and "try again or use another card"; or, when the session
    /// spent its last attempt, closed.
    Declined { session_failed: bool },
    /// The session was paid (by this attempt or another): show its receipt from a fresh config.
    AlreadyPaid,
    /// Closed for good (canceled, failed) or expired.
    Closed(Key),
    /// The quote went stale (amount changed, expired): say so and quote again.
    Requote,
    /// The same attempt is still being processed: say so; the payer retries with the same key.
    StillProcessing,
    /// The request itself was refused: ask the payer to check the form.
    FixErrors,
    /// No answer, or ours to fix (5xx, rate limited, ...): keep the attempt's key, so the retry
    /// is answered with the first outcome and cannot charge twice.
    RetrySameKey,
}

impl Reaction {
    /// Whether the attempt is over (the next confirm gets a new `Idempotency-Key`).
    pub fn ends_attempt(self) -> bool {
        match self {
            Reaction::Declined { .. } | Reaction::AlreadyPaid | Reaction::Requote | Reaction::FixErrors => true,
            Reaction::Closed(key) => key != Key::SessionExpired,
            Reaction::StillProcessing | Reaction::RetrySameKey => false,
        }
    }
}

/// The reaction to each error a confirm can answer: every title is decided here, so a new one
/// does not compile until it is.
pub fn classify(e: &ApiError) -> Reaction {
    match e.title() {
        None => Reaction::RetrySameKey,
        Some(title) => match title {
            ErrorTitle::PaymentError => {
                Reaction::Declined { session_failed: e.data_str("sessionStatus").as_deref() == Some("FAILED") }
            }
            ErrorTitle::SessionAlreadyProcessed if e.data_str("code").as_deref() == Some("already_confirmed") => {
                Reaction::AlreadyPaid
            }
            ErrorTitle::SessionAlreadyProcessed => Reaction::Closed(Key::SessionClosed),
            ErrorTitle::SessionTimeout => Reaction::Closed(Key::SessionExpired),
            ErrorTitle::UnprocessableEntity => Reaction::Requote,
            ErrorTitle::RequestInProgress => Reaction::StillProcessing,
            ErrorTitle::IdempotencyKeyReused | ErrorTitle::InvalidRequest => Reaction::FixErrors,
            ErrorTitle::Unauthorized
            | ErrorTitle::Forbidden
            | ErrorTitle::MerchantNotFound
            | ErrorTitle::NotFound
            | ErrorTitle::TooManyRequests
            | ErrorTitle::InternalError
            | ErrorTitle::ServiceUnavailable => Reaction::RetrySameKey,
        },
    }
}
