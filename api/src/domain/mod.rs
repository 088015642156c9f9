//! The domain: the checkout's rules and the queries of the tables each module owns, under the
//! HTTP handlers ([`crate::handlers`]) and over storage ([`crate::db`]). Imports run
//! handlers -> domain -> db, never up; no domain module knows a route.
//!
//! - [`session`]: the session model, loading, the browser credential, state checks, creation in
//!   both dialects ([`session::ccg`], [`session::hosted`]), a merchant's changes, the signed
//!   success redirect.
//! - [`method`]: inline payment methods parsed and checked; [`wallet`]: saved methods;
//!   [`wallet_settings`]: a merchant's Google Pay and Apple Pay settings; [`apple_pay`]: Apple
//!   Pay's merchant validation (sandbox, or Apple's with the identity certificate) and the
//!   domain-association file.
//! - [`quote`]: fee quotes.
//! - [`idempotency`]: the `Idempotency-Key`'s whole life.
//! - [`payment`]: payment rows and their shapes; [`payment::record`]: the money path's one
//!   outcome function (record, mark awaiting, release); [`payment::operation`]: capture, void
//!   and refund, claimed and recorded the same way.
//! - [`confirm`]: a session's confirm (authenticate, claim, charge, record); [`authentication`]:
//!   3-D Secure before the claim (challenges); [`risk`]: fraud signals and the risk rules (allow,
//!   challenge, block); [`direct`]: `/v2/payments`.
//! - [`outbox`]: webhook events and their signatures; [`webhooks`]: a merchant's endpoint, secret
//!   and failed events; [`session::links`]: the agent's TEXT / EMAIL payment links.
//! - [`worker`]: the background loop (finishing pending attempts and operations, voiding expired
//!   holds, ending expired sessions, delivering webhooks).

pub mod apple_pay;
pub mod authentication;
pub mod confirm;
pub mod direct;
pub mod idempotency;
pub mod method;
pub mod outbox;
pub mod payment;
pub mod quote;
pub mod risk;
pub mod session;
pub mod wallet;
pub mod wallet_settings;
pub mod webhooks;
pub mod worker;
