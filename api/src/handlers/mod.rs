//! The HTTP handlers: thin feature modules, each `fn router() -> OpenApiRouter<AppState>`,
//! that parse, call the domain ([`crate::domain`]) and answer. A handler never imports another
//! handler.
//!
//! - [`sessions`]: CCG create, the merchant's `GET` / `PATCH` / expire, the widget's config.
//! - [`hosted`]: the hosted-session dialect's create / `PATCH` / expire.
//! - [`quotes`]: fee quotes. [`confirm`]: a session's confirm. [`challenge`]: 3-D Secure
//!   challenges (completion, and the sandbox issuer's challenge page).
//! - [`wallet`]: the wallet modes' endpoints. [`payments`]: `/v2/payments`.
//! - [`notify`]: the agent-assisted link outbox, for the merchant.
//! - [`webhooks`]: a merchant's webhook endpoint, secret and failed events.
//! - [`wallet_settings`]: a merchant's Google Pay and Apple Pay settings; [`apple_pay`]: Apple
//!   Pay's merchant session and domain-association file.

pub mod apple_pay;
pub mod challenge;
pub mod confirm;
pub mod hosted;
pub mod notify;
pub mod payments;
pub mod quotes;
pub mod sessions;
pub mod wallet;
pub mod wallet_settings;
pub mod webhooks;
