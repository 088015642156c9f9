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
}

