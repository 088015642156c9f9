//! The payment processor boundary. The API talks to a `dyn Processor`; the built-in
//! [`sandbox::SandboxProcessor`] answers deterministically by test card / bank account.

pub mod sandbox;

use checkout_types::money::Currency;
use checkout_types::payment::OperationKind;
use checkout_types::quote::Funding;
use checkout_types::validate::card::CardNumber;

/// What to charge. Borrowed, so card data is never copied into anything that outlives the call.
pub enum ChargeSource<'a> {
    /// A card typed by the payer.
    Card { number: &'a CardNumber, exp_month: u8, exp_year: u16, cvc: &'a str },
    /// A US bank account (ACH).
    Bank { routing_number: &'a str, account_number: &'a str, account_type: &'a str },
    /// A method saved earlier, by its processor token.
    Token(&'a str),
    /// A device wallet's one-time payment token (`wallet`: `GOOGLE_PAY` or `APPLE_PAY`).
    Wallet { wallet: &'a str, token: &'a str },
}

/// One charge request.
pub struct ChargeRequest<'a> {
    /// Total to charge (amount + fee), minor units.
    pub total: i64,
    pub currency: Currency,
    pub source: ChargeSource<'a>,
    /// Forwarded to the processor so its own retries are idempotent too.
    pub idempotency_key: &'a str,
    /// `true` for a sale; `false` holds the amount only (pre-authorization), taken later by a
    /// capture ([`Processor::operate`]).
    pub capture: bool,
    /// Accept an approval for less than `total` (what the card has available).
    pub partial: bool,
}

/// The processor's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    /// `amount` is what was approved (less than the total only for a partial approval);
    /// `captured` is false for a hold.
    Approved { reference: String, funding: Option<Funding>, amount: i64, captured: bool },
    Declined { code: String, decline_code: Option<String>, message: String },
}

/// A capture, void or refund of an earlier charge, by that charge's processor reference.
pub struct OperationRequest<'a> {
    pub kind: OperationKind,
    /// The processor's reference of the charge (or hold) it acts on.
    pub charge_reference: &'a str,
    /// Minor units: captured or refunded (the held amount for a void).
    pub amount: i64,
    pub currency: Currency,
    /// The processor deduplicates the operation by it: a retry never refunds twice.
    pub idempotency_key: &'a str,
}

/// The processor's answer to an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationOutcome {
    Succeeded { reference: String },
    Failed { code: String, message: String },
}

/// The processor's answer to "keep this method for later".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenOutcome {
    Saved { token: String, funding: Option<Funding> },
    Declined { code: String, message: String },
}

/// The card issuer's answer to "must the payer authenticate?" (3-D Secure, asked before a card
/// charge with the charge's source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthDecision {
    /// The card or method takes no authentication (a wallet, a bank account, a card not enrolled).
    NotRequired,
    /// The issuer authenticated the payer without a challenge.
    Frictionless { version: String, eci: String },
    /// The payer must complete a challenge; `always_fails`: the issuer refuses whatever they do.
    Challenge { version: String, always_fails: bool },
    /// The issuer's directory could not be reached: charge without authentication.
    Unavailable,
}

/// A payment processor.
#[async_trait::async_trait]
pub trait Processor: Send + Sync + 'static {
    /// Charges the source once. Must not retain the card data. Retrying with the same
    /// `idempotency_key` must not charge twice.
    async fn charge(&self, req: ChargeRequest<'_>) -> ChargeOutcome;
    /// The outcome of a charge the API stopped waiting for (its deadline passed), by the
    /// charge's idempotency key; `None` while the processor is still working on it.
    async fn retrieve(&self, idempotency_key: &str) -> Option<ChargeOutcome>;
    /// Captures, voids or refunds an earlier charge. Retrying with the same `idempotency_key`
    /// returns the first answer and never acts twice.
    async fn operate(&self, req: OperationRequest<'_>) -> OperationOutcome;
    /// The answer to an operation by its idempotency key; `None` if the processor never saw it.
    async fn retrieve_operation(&self, idempotency_key: &str) -> Option<OperationOutcome>;
    /// Vaults a card or bank account and returns a token to charge later. Never a charge.
    async fn tokenize(&self, source: &ChargeSource<'_>) -> TokenOutcome;
    /// Card funding as a BIN lookup would report it.
    fn funding_of(&self, number: &CardNumber) -> Funding;
    /// Whether charging `source` needs the payer to authenticate (3-D Secure). Never a charge.
    fn authenticate(&self, source: &ChargeSource<'_>) -> AuthDecision;
    /// The processor's keyed fingerprint of the card behind `source` (the same card, the same
    /// fingerprint; never reversible to the number without the processor's key), for counting a
    /// card's declines; `None` for what is not a card.
    fn card_fingerprint(&self, source: &ChargeSource<'_>) -> Option<String>;
}
