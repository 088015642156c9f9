//! What every handler and the worker share: the settings fixed at start-up and the state.

use std::path::PathBuf;
use std::sync::Arc;

use crate::db::{Db, Writer};
use crate::limits::Limits;
use crate::processor::Processor;

/// Settings fixed at start-up.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Base URL browsers reach this API at, without a trailing slash (e.g. `http://127.0.0.1:8080`).
    pub public_url: String,
    /// Trunk's output directory (`dist/`) holding the widget.
    pub dist_dir: PathBuf,
    /// Whether demo mode (demo merchant + demo page) is on.
    pub demo: bool,
    /// Demo mode: the demo merchant site's own origin (another port), if it runs.
    pub demo_site: Option<String>,
    /// First webhook retry delay; doubles per attempt (1 s in production).
    pub webhook_backoff_ms: i64,
    /// How long confirm waits for the processor before answering `202 PENDING` (2 s).
    pub processor_deadline_ms: u64,
    /// How old an orphaned confirm claim must be before the worker settles it (30 s).
    pub claim_lease_ms: i64,
    /// How long a pre-authorization holds before the worker voids it (7 days).
    pub hold_ms: i64,
    /// Apple Pay: identity certificates, the gateway hosts, the domain-association file.
    pub apple_pay: ApplePayConfig,
    /// Payment links: the SMTP server and SMS provider ([`crate::messaging`]).
    pub messaging: crate::messaging::MessagingConfig,
    /// Whether the risk rules ([`crate::domain::risk`]) judge confirms (`CHECKOUT_RISK_RULES`,
    /// on by default).
    pub risk_rules: bool,
}

/// Apple's Apple Pay gateway hosts for merchant validation ("Setting up your server", Apple Pay
/// on the web): production and sandbox, global and China.
pub const APPLE_GATEWAY_HOSTS: &[&str] = &[
    "apple-pay-gateway.apple.com",
    "cn-apple-pay-gateway.apple.com",
    "apple-pay-gateway-nc-pod1.apple.com",
    "apple-pay-gateway-nc-pod2.apple.com",
    "apple-pay-gateway-nc-pod3.apple.com",
    "apple-pay-gateway-nc-pod4.apple.com",
    "apple-pay-gateway-nc-pod5.apple.com",
    "apple-pay-gateway-pr-pod1.apple.com",
    "apple-pay-gateway-pr-pod2.apple.com",
    "apple-pay-gateway-pr-pod3.apple.com",
    "apple-pay-gateway-pr-pod4.apple.com",
    "apple-pay-gateway-pr-pod5.apple.com",
    "cn-apple-pay-gateway-sh-pod1.apple.com",
    "cn-apple-pay-gateway-sh-pod2.apple.com",
    "cn-apple-pay-gateway-sh-pod3.apple.com",
    "cn-apple-pay-gateway-tj-pod1.apple.com",
    "cn-apple-pay-gateway-tj-pod2.apple.com",
    "cn-apple-pay-gateway-tj-pod3.apple.com",
    "apple-pay-gateway-cert.apple.com",
    "cn-apple-pay-gateway-cert.apple.com",
];

/// The deployment's Apple Pay configuration (fixed at start-up).
#[derive(Debug, Clone)]
pub struct ApplePayConfig {
    /// Where merchants' identity certificates live (`<merchant id>.crt` + `.key`); unset: every
    /// merchant validates in the sandbox.
    pub identity_dir: Option<PathBuf>,
    /// The hosts a validation URL may name ([`APPLE_GATEWAY_HOSTS`]; a test's stand-in otherwise).
    pub gateway_hosts: Vec<String>,
    /// A root certificate (PEM) to trust besides the public ones: a test's stand-in gateway.
    pub extra_root_pem: Option<Vec<u8>>,
    /// The platform's domain-association file as Apple issued it
    /// (`CHECKOUT_APPLE_PAY_DOMAIN_ASSOCIATION`); unset: a sandbox file.
    pub domain_association: Option<Vec<u8>>,
}

impl Default for ApplePayConfig {
    fn default() -> Self {
        ApplePayConfig {
            identity_dir: None,
            gateway_hosts: APPLE_GATEWAY_HOSTS.iter().map(|h| (*h).to_owned()).collect(),
            extra_root_pem: None,
            domain_association: None,
        }
    }
}


/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Every write outside a transaction: see [`Writer`].
    pub writer: Writer,
    pub processor: Arc<dyn Processor>,
    pub settings: Arc<Settings>,
    pub limits: Arc<Limits>,
    /// Sends payment links (built from `settings.messaging`).
    pub messaging: Arc<crate::messaging::Messaging>,
}

