//! `checkout-types`: the wire format spoken between the widget and the API.
//!
//! Everything the browser sends or receives lives here, so the widget (wasm32) and the API
//! (axum) cannot drift apart. Field names follow the SPEC's camelCase dialect.
//!
//! - [`money`]: amounts in minor units, currencies, display formatting.
//! - [`session`]: the widget's view of a session (`GET /v1/sessions/{id}/config`).
//! - [`quote`]: fee-quote request and answer.
//! - [`confirm`]: confirm request (inline card / bank / saved method) and its answer.
//! - [`payment`]: a payment's status and summary, as the confirm and the session view show it.
//! - [`error`]: the one error body `{title, status, detail, data?}` and every title it can carry.
//! - [`credential`]: the `Idempotency-Key` and the client secret, each with its one validation rule.
//! - [`wallet`]: the wallet endpoints' request and response bodies; [`device_wallet`]: Google Pay
//!   and Apple Pay settings and requests.
//! - [`links`]: agent-assisted payment links (TEXT / EMAIL): the send, each link's state.
//! - [`validate`]: pure parsers for card numbers, expiry, CVC, routing and account numbers,
//!   shared so the widget's hints and the API's verdicts can never disagree.

#[macro_use]
mod wire;

pub mod confirm;
pub mod credential;
pub mod device_wallet;
pub mod error;
pub mod events;
pub mod links;
pub mod money;
pub mod payment;
pub mod quote;
pub mod session;
pub mod validate;
pub mod wallet;
