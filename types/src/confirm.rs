//! Confirm: the payer's one-time instruction to charge, and the API's answer.

use serde::{Deserialize, Serialize};

use crate::payment::PaymentSummary;
use crate::session::SessionStatus;

/// Card details as typed by the payer. Lives only in memory on its way to the processor:
/// never stored, logged or echoed. `Debug` prints only the last four digits.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CardInput {
    pub number: String,
    pub exp_month: u8,
    pub exp_year: u16,
    pub cvc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_on_card: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<String>,
}

impl std::fmt::Debug for CardInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits: String = self.number.chars().filter(char::is_ascii_digit).collect();
        let last4 = digits.get(digits.len().saturating_sub(4)..).unwrap_or("");
        f.debug_struct("CardInput")
            .field("number", &format_args!("****{last4}"))
            .field("exp_month", &self.exp_month)
            .field("exp_year", &self.exp_year)
            .field("cvc", &"***")
            .finish_non_exhaustive()
    }
}

/// Bank account details as typed by the payer.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BankInput {
    pub routing_number: String,
    pub account_number: String,
    /// `checking` or `savings`.
    pub account_type: String,
    pub account_holder_name: String,
}

impl std::fmt::Debug for BankInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let last4 = self.account_number.get(self.account_number.len().saturating_sub(4)..).unwrap_or("");
        f.debug_struct("BankInput")
            .field("routing_number", &self.routing_number)
            .field("account_number", &format_args!("****{last4}"))
            .finish_non_exhaustive()
    }
}

/// A payment token from the payer's device wallet (Google Pay or Apple Pay, through the browser's
/// Payment Request API), with what the wallet shows of the card behind it. The token is handed to
/// the processor once: never stored, logged or echoed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WalletTokenInput {
    /// The wallet's payment token, as the wallet returned it (1–16,384 characters).
    pub token: String,
    /// Card network as the wallet names it (`VISA`, `MASTERCARD`, `AMEX`, `DISCOVER`, `JCB`, ...).
    pub network: String,
    /// Last four digits of the card as the wallet shows them.
    pub last4: String,
}

impl std::fmt::Debug for WalletTokenInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletTokenInput")
            .field("token", &"***")
            .field("network", &self.network)
            .field("last4", &self.last4)
            .finish()
    }
}

/// An inline payment method: `{"type":"CARD","card":{...}}`, `{"type":"BANK_ACCOUNT","bankAccount":{...}}`,
/// `{"type":"GOOGLE_PAY","googlePay":{...}}` or `{"type":"APPLE_PAY","applePay":{...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InlineMethod {
    Card { card: CardInput },
    BankAccount {
        #[serde(rename = "bankAccount")]
        bank_account: BankInput,
    },
    GooglePay {
        #[serde(rename = "googlePay")]
        google_pay: WalletTokenInput,
    },
    ApplePay {
        #[serde(rename = "applePay")]
        apple_pay: WalletTokenInput,
    },
}

/// `POST /v1/sessions/{id}/confirm` body (header `Idempotency-Key` required).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfirmRequest {
    pub quote_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<InlineMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub save_for_future: Option<bool>,
}

/// The answer to a successful (or pending) confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConfirmResponse {
    pub session_id: String,
    pub status: SessionStatus,
    /// The payment; absent when the payer must authenticate first (`requiresAction`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentSummary>,
    /// The signed success URL to send the payer to (hosted sessions with `success_url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// The card needs the payer to authenticate (3-D Secure): nothing was charged. Show
    /// `challenge.url`, complete the challenge (`POST /v1/sessions/{id}/challenge`), then send
    /// the same confirm with the same `Idempotency-Key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_action: Option<Challenge>,
}

/// An authentication challenge (3-D Secure) the payer completes on the checkout's origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Challenge {
    pub challenge_id: String,
    /// The challenge page, to show in a frame.
    pub url: String,
    pub expires_at_utc: String,
}

/// `POST /v1/sessions/{id}/challenge`: the payer finished the challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChallengeDone {
    pub challenge_id: String,
}

/// The answer: the challenge's outcome, `APPROVED` or `FAILED` (the confirm then pays or
/// declines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChallengeOutcome {
    pub challenge_id: String,
    pub status: String,
}
