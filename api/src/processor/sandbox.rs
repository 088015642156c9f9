//! The sandbox processor: deterministic outcomes by test card number and bank account,
//! as listed in the SPEC's "Sandbox processor" section. Anything else Luhn-valid succeeds.

use checkout_types::quote::Funding;
use checkout_types::validate::card::CardNumber;

use checkout_types::payment::OperationKind;

use sha2::Digest;

use super::{AuthDecision, ChargeOutcome, ChargeRequest, ChargeSource, OperationOutcome, OperationRequest, Processor, TokenOutcome};

/// Card numbers with a scripted outcome: (number, code, decline code, message).
pub const DECLINING_CARDS: &[(&str, &str, Option<&str>, &str)] = &[
    ("4000000000000002", "card_declined", Some("generic_decline"), "Your card was declined."),
    ("4000000000009995", "card_declined", Some("insufficient_funds"), "Your card has insufficient funds."),
    ("4000000000000069", "expired_card", None, "Your card has expired."),
    ("4000000000000127", "incorrect_cvc", None, "Your card's security code is incorrect."),
    (
        "4000000000000119",
        "processing_error",
        None,
        "An error occurred while processing your card. Try again in a little bit.",
    ),
];

/// Cards the BIN table reports as debit.
const DEBIT_CARDS: &[&str] = &["4000056655665556", "5200828282828210", "6011981111111113"];

/// Bank account that the sandbox closes.
pub const CLOSED_ACCOUNT: &str = "000111111113";

/// A card the sandbox answers slowly: 3 s, past the API's processor deadline, so the API answers
/// `202 PENDING` and finishes the payment in the background.
pub const SLOW_CARD: &str = "4000000000000770";

/// A card with only half of any amount available: with `partialAuthorization: true` the sandbox
/// approves half the amount (rounded down); otherwise it declines `insufficient_funds`.
pub const HALF_CARD: &str = "4000000000000036";

/// A card that pays, but whose refunds the sandbox refuses (`refund_failed`).
pub const REFUND_FAILS_CARD: &str = "4000000000005126";

/// The device wallet token the sandbox declines (`card_declined` / `generic_decline`): Google
/// Pay's token string, or the `data` of Apple Pay's `paymentData` (`{"version":"EC_v1","data":
/// "sandbox_declined",...}`). Every other wallet token is approved, as the wallet has already
/// checked the card.
pub const DECLINED_WALLET_TOKEN: &str = "sandbox_declined";

/// Whether a wallet token is the sandbox's declining one, in either wallet's shape.
fn declined_wallet_token(token: &str) -> bool {
    token == DECLINED_WALLET_TOKEN
        || serde_json::from_str::<serde_json::Value>(token)
            .is_ok_and(|v| v.get("data").and_then(serde_json::Value::as_str) == Some(DECLINED_WALLET_TOKEN))
}

/// 3-D Secure test cards: authenticated without a challenge (ECI 05).
pub const FRICTIONLESS_CARD: &str = "4000000000003055";
/// A challenge: approved if the payer approves on the challenge page, failed otherwise.
pub const CHALLENGE_CARD: &str = "4000000000003220";
/// A challenge the issuer always fails, whatever the payer does.
pub const CHALLENGE_FAILS_CARD: &str = "4000000000003238";
/// The issuer's directory is unreachable: charged without authentication (ECI 07).
pub const AUTH_UNAVAILABLE_CARD: &str = "4000000000003097";

/// How long the sandbox takes for [`SLOW_CARD`].
pub const SLOW_MS: u64 = 3_000;

/// Deterministic in-process processor. Slow charges are remembered by idempotency key until
/// the API retrieves them; operations (capture, void, refund) by theirs, so a retry never acts
/// twice. What it remembers dies with the process, as if the processor never saw it.
#[derive(Debug, Default)]
pub struct SandboxProcessor {
    slow: std::sync::Mutex<std::collections::HashMap<String, (i64, ChargeOutcome)>>,
    operations: std::sync::Mutex<std::collections::HashMap<String, (i64, OperationOutcome)>>,
    fingerprint_key: FingerprintKey,
}

/// The key of the sandbox's card fingerprints: random per process (a real processor keeps one
/// of its own), so a card's declines are counted per API node until it restarts. Never printed.
struct FingerprintKey([u8; 32]);

impl Default for FingerprintKey {
    fn default() -> Self {
        let mut key = [0u8; 32];
        // Without the OS's randomness the fingerprints are still keyed by the process's address
        // space layout and start time, never by nothing.
        if getrandom::fill(&mut key).is_err() {
            let fallback = format!("{:p}{}", &key, crate::db::now_ms());
            key.copy_from_slice(&sha2::Sha256::digest(fallback.as_bytes()));
        }
        FingerprintKey(key)
    }
}

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintKey(..)")
    }
}

/// Operations remembered for at most this long (the worker asks within its claim lease).
const REMEMBER_MS: i64 = 3_600_000;

/// Sandbox tokens and charge references carry the scenario of the method they stand for
/// (`tok_sbx_<scenario>_<random>`, `sbx_<scenario>_<random>`; scenario `ok`, `half`, `rf`,
/// `closed` or the index of a scripted decline), so a saved test card behaves like the card and
/// a refund knows the card it goes back to.
fn scenario_of(source: &ChargeSource<'_>) -> String {
    match source {
        ChargeSource::Card { number, .. } if number.digits() == HALF_CARD => "half".to_owned(),
        ChargeSource::Card { number, .. } if number.digits() == REFUND_FAILS_CARD => "rf".to_owned(),
        ChargeSource::Card { number, .. } if number.digits() == FRICTIONLESS_CARD => "3dsf".to_owned(),
        ChargeSource::Card { number, .. } if number.digits() == CHALLENGE_CARD => "3dsc".to_owned(),
        ChargeSource::Card { number, .. } if number.digits() == CHALLENGE_FAILS_CARD => "3dsx".to_owned(),
        ChargeSource::Card { number, .. } if number.digits() == AUTH_UNAVAILABLE_CARD => "3dsu".to_owned(),
        ChargeSource::Card { number, .. } => DECLINING_CARDS
            .iter()
            .position(|(n, ..)| *n == number.digits())
            .map_or_else(|| "ok".to_owned(), |i| format!("d{i}")),
        ChargeSource::Bank { account_number, .. } if *account_number == CLOSED_ACCOUNT => "closed".to_owned(),
        ChargeSource::Bank { .. } => "ok".to_owned(),
        ChargeSource::Token(t) => t.split('_').nth(2).unwrap_or("ok").to_owned(),
        ChargeSource::Wallet { token, .. } if declined_wallet_token(token) => "d0".to_owned(),
        ChargeSource::Wallet { .. } => "ok".to_owned(),
    }
}

fn decline(code: &str, decline_code: Option<&str>, message: &str) -> ChargeOutcome {
    ChargeOutcome::Declined { code: code.to_owned(), decline_code: decline_code.map(str::to_owned), message: message.to_owned() }
}

fn decline_for(scenario: &str) -> Option<ChargeOutcome> {
    if scenario == "closed" {
        return Some(decline("account_closed", None, "The bank account has been closed."));
    }
    let i: usize = scenario.strip_prefix('d')?.parse().ok()?;
    let (_, code, decline_code, message) = DECLINING_CARDS.get(i)?;
    Some(decline(code, *decline_code, message))
}

fn remember<T: Clone>(map: &std::sync::Mutex<std::collections::HashMap<String, (i64, T)>>, key: &str, value: &T) {
    if let Ok(mut m) = map.lock() {
        let now = crate::db::now_ms();
        if m.len() > 10_000 {
            m.retain(|_, (at, _)| now - *at < REMEMBER_MS);
        }
        m.insert(key.to_owned(), (now, value.clone()));
    }
}

#[async_trait::async_trait]
impl Processor for SandboxProcessor {
    fn authenticate(&self, source: &ChargeSource<'_>) -> AuthDecision {
        // A saved card authenticates as the card it stands for (its token carries the scenario).
        let version = || "2.2.0".to_owned();
        match scenario_of(source).as_str() {
            _ if matches!(source, ChargeSource::Bank { .. } | ChargeSource::Wallet { .. }) => AuthDecision::NotRequired,
            "3dsf" => AuthDecision::Frictionless { version: version(), eci: "05".to_owned() },
            "3dsc" => AuthDecision::Challenge { version: version(), always_fails: false },
            "3dsx" => AuthDecision::Challenge { version: version(), always_fails: true },
            "3dsu" => AuthDecision::Unavailable,
            _ => AuthDecision::NotRequired,
        }
    }

    fn card_fingerprint(&self, source: &ChargeSource<'_>) -> Option<String> {
        let card = match source {
            ChargeSource::Card { number, .. } => number.digits().to_owned(),
            // A saved card: its token stands for it (one fingerprint per saved method).
            ChargeSource::Token(t) => (*t).to_owned(),
            _ => return None,
        };
        Some(format!("fp_{}", &crate::secrets::hmac_hex(&self.fingerprint_key.0, card.as_bytes())[..32]))
    }

    async fn tokenize(&self, source: &ChargeSource<'_>) -> TokenOutcome {
        let funding = match source {
            ChargeSource::Card { number, .. } => Some(self.funding_of(number)),
            _ => None,
        };
        TokenOutcome::Saved { token: format!("tok_sbx_{}_{}", scenario_of(source), crate::secrets::random_hex(12)), funding }
    }

    async fn retrieve(&self, idempotency_key: &str) -> Option<ChargeOutcome> {
        let slow = self.slow.lock().ok()?;
        let (ready_at, outcome) = slow.get(idempotency_key)?;
        (crate::db::now_ms() >= *ready_at).then(|| outcome.clone())
    }

    async fn charge(&self, req: ChargeRequest<'_>) -> ChargeOutcome {
        let scenario = scenario_of(&req.source);
        if let Some(declined) = decline_for(&scenario) {
            return declined;
        }
        let amount = match scenario.as_str() {
            "half" if req.partial => req.total / 2,
            "half" => return decline("card_declined", Some("insufficient_funds"), "Your card has insufficient funds."),
            _ => req.total,
        };
        let funding = match &req.source {
            ChargeSource::Card { number, .. } => Some(self.funding_of(number)),
            _ => None,
        };
        let reference = format!("sbx_{scenario}_{}", crate::secrets::random_hex(12));
        let outcome = ChargeOutcome::Approved { reference, funding, amount, captured: req.capture };
        if let ChargeSource::Card { number, .. } = &req.source
            && number.digits() == SLOW_CARD
        {
            let ready_at = crate::db::now_ms() + SLOW_MS as i64;
            if let Ok(mut slow) = self.slow.lock() {
                slow.insert(req.idempotency_key.to_owned(), (ready_at, outcome.clone()));
            }
            tokio::time::sleep(std::time::Duration::from_millis(SLOW_MS)).await;
        }
        outcome
    }

    async fn operate(&self, req: OperationRequest<'_>) -> OperationOutcome {
        if let Some(first) = self.retrieve_operation(req.idempotency_key).await {
            return first;
        }
        let scenario = req.charge_reference.split('_').nth(1).unwrap_or("ok");
        let outcome = if req.kind == OperationKind::Refund && scenario == "rf" {
            OperationOutcome::Failed { code: "refund_failed".to_owned(), message: "The card's issuer refused the refund.".to_owned() }
        } else {
            OperationOutcome::Succeeded { reference: format!("sbx_op_{}", crate::secrets::random_hex(12)) }
        };
        remember(&self.operations, req.idempotency_key, &outcome);
        outcome
    }

    async fn retrieve_operation(&self, idempotency_key: &str) -> Option<OperationOutcome> {
        self.operations.lock().ok()?.get(idempotency_key).map(|(_, o)| o.clone())
    }

    fn funding_of(&self, number: &CardNumber) -> Funding {
        if DEBIT_CARDS.contains(&number.digits()) { Funding::Debit } else { Funding::Credit }
    }
}
