//! The sandbox processor: deterministic outcomes by test card number and bank account,
//! as listed in the SPEC's "Sandbox processor" section. Anything else Luhn-valid succeeds.

use checkout_types::quote::Funding;
use checkout_types::validate::card::CardNumber;

use super::{ChargeOutcome, ChargeRequest, ChargeSource, Processor, TokenOutcome};

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

/// The device wallet token the sandbox declines (`card_declined` / `generic_decline`); every other
/// wallet token is approved, as the wallet has already checked the card.
pub const DECLINED_WALLET_TOKEN: &str = "sandbox_declined";

/// How long the sandbox takes for [`SLOW_CARD`].
pub const SLOW_MS: u64 = 3_000;

/// Deterministic in-process processor. Slow charges are remembered by idempotency key until
/// the API retrieves them.
#[derive(Debug, Default)]
pub struct SandboxProcessor {
    slow: std::sync::Mutex<std::collections::HashMap<String, (i64, ChargeOutcome)>>,
}

/// Sandbox tokens carry the scenario of the method they stand for (`tok_sbx_<scenario>_<random>`,
/// scenario `ok` or the index of a scripted decline), so a saved test card behaves like the card.
fn scenario_of(source: &ChargeSource<'_>) -> String {
    match source {
        ChargeSource::Card { number, .. } => DECLINING_CARDS
            .iter()
            .position(|(n, ..)| *n == number.digits())
            .map_or_else(|| "ok".to_owned(), |i| format!("d{i}")),
        ChargeSource::Bank { account_number, .. } if *account_number == CLOSED_ACCOUNT => "closed".to_owned(),
        ChargeSource::Bank { .. } => "ok".to_owned(),
        ChargeSource::Token(t) => t.split('_').nth(2).unwrap_or("ok").to_owned(),
        ChargeSource::Wallet { token, .. } if *token == DECLINED_WALLET_TOKEN => "d0".to_owned(),
        ChargeSource::Wallet { .. } => "ok".to_owned(),
    }
}

fn decline_for(scenario: &str) -> Option<ChargeOutcome> {
    if scenario == "closed" {
        return Some(ChargeOutcome::Declined {
            code: "account_closed".to_owned(),
            decline_code: None,
            message: "The bank account has been closed.".to_owned(),
        });
    }
    let i: usize = scenario.strip_prefix('d')?.parse().ok()?;
    let (_, code, decline, message) = DECLINING_CARDS.get(i)?;
    Some(ChargeOutcome::Declined {
        code: (*code).to_owned(),
        decline_code: decline.map(str::to_owned),
        message: (*message).to_owned(),
    })
}

#[async_trait::async_trait]
impl Processor for SandboxProcessor {
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
        let reference = format!("sbx_{}", crate::secrets::random_hex(12));
        if let ChargeSource::Card { number, .. } = &req.source {
            if number.digits() == SLOW_CARD {
                let outcome = ChargeOutcome::Approved { reference, funding: Some(self.funding_of(number)) };
                let ready_at = crate::db::now_ms() + SLOW_MS as i64;
                if let Ok(mut slow) = self.slow.lock() {
                    slow.insert(req.idempotency_key.to_owned(), (ready_at, outcome.clone()));
                }
                tokio::time::sleep(std::time::Duration::from_millis(SLOW_MS)).await;
                return outcome;
            }
        }
        if let ChargeSource::Token(_) | ChargeSource::Wallet { .. } = req.source {
            return decline_for(&scenario_of(&req.source))
                .unwrap_or(ChargeOutcome::Approved { reference, funding: None });
        }
        match req.source {
            ChargeSource::Card { number, .. } => {
                if let Some((_, code, decline, message)) =
                    DECLINING_CARDS.iter().find(|(n, ..)| *n == number.digits())
                {
                    return ChargeOutcome::Declined {
                        code: (*code).to_owned(),
                        decline_code: decline.map(str::to_owned),
                        message: (*message).to_owned(),
                    };
                }
                ChargeOutcome::Approved { reference, funding: Some(self.funding_of(number)) }
            }
            ChargeSource::Bank { account_number, .. } => {
                if account_number == CLOSED_ACCOUNT {
                    return ChargeOutcome::Declined {
                        code: "account_closed".to_owned(),
                        decline_code: None,
                        message: "The bank account has been closed.".to_owned(),
                    };
                }
                ChargeOutcome::Approved { reference, funding: None }
            }
            ChargeSource::Token(_) | ChargeSource::Wallet { .. } => ChargeOutcome::Approved { reference, funding: None },
        }
    }

    fn funding_of(&self, number: &CardNumber) -> Funding {
        if DEBIT_CARDS.contains(&number.digits()) { Funding::Debit } else { Funding::Credit }
    }
}
