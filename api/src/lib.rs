//! `checkout-api`: the HTTP API behind the checkout widget.
//!
//! Layout, one hop to any behaviour:
//! - [`sessions`]: create (CCG dialect), merchant view, widget config, expire, browser credential.
//! - [`hosted`]: the hosted-session dialect, `PATCH`, the signed success redirect.
//! - [`quotes`]: fee quotes; [`fees`]: the fee arithmetic and schedule lookup.
//! - [`confirm`]: exactly-once confirm; [`idempotency`]: the Idempotency-Key state machine.
//! - [`wallet`]: customers, saved methods, and the wallet modes' endpoints.
//! - [`payments`]: payment rows and their JSON shapes; [`payments_api`]: `/v2/payments`.
//! - [`notify`]: the TEXT / EMAIL link outbox for agent-assisted channels.
//! - [`webhooks`]: the durable outbox and its delivery worker (signed, retried with backoff).
//! - [`processor`]: the `Processor` trait and the sandbox processor (test cards).
//! - [`pages`]: the hosted/embed pages (Trunk's `dist/`), the demo merchant page, `/healthz`.
//! - [`demo`]: seeding the demo merchant for `serve --demo`; [`demo_site`]: the demo merchant's website.
//! - [`limits`]: per-session and per-client flood protection (429 + Retry-After) on browser endpoints.
//! - [`error`], [`extract`], [`secrets`], [`db`]: plumbing shared by all of the above.

pub mod confirm;
pub mod db;
pub mod demo;
pub mod demo_site;
pub mod error;
pub mod extract;
pub mod fees;
pub mod hosted;
pub mod idempotency;
pub mod limits;
pub mod notify;
pub mod openapi;
pub mod pages;
pub mod payments;
pub mod payments_api;
pub mod processor;
pub mod quotes;
pub mod secrets;
pub mod sessions;
pub mod wallet;
pub mod webhooks;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::db::Db;
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
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Every write outside a transaction: see [`db::Writer`].
    pub writer: db::Writer,
    pub processor: Arc<dyn Processor>,
    pub settings: Arc<Settings>,
    pub limits: Arc<limits::Limits>,
}

/// The whole HTTP surface. Tests drive it on port 0 through [`serve`].
pub fn app(state: AppState) -> Router {
    let (api, doc) = utoipa_axum::router::OpenApiRouter::with_openapi(openapi::base())
        .merge(sessions::router())
        .merge(hosted::router())
        .merge(quotes::router())
        .merge(wallet::router())
        .merge(payments_api::router())
        .merge(notify::router())
        .merge(confirm::router())
        .merge(pages::health_router())
        .split_for_parts();
    api.merge(openapi::router(doc))
        .merge(pages::router(&state.settings))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), limits::limit))
        .layer(axum::middleware::from_fn(run_to_completion))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Runs every request in its own task, so it finishes even when the client hangs up. A payer who
/// closes the tab mid-confirm must not leave the confirm half-done: the claim would wait out its
/// lease and the retry would get 409 meanwhile. It also keeps transactions from being abandoned
/// at an arbitrary await point.
async fn run_to_completion(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    match tokio::spawn(next.run(req)).await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(error = %e, "request task failed");
            axum::response::IntoResponse::into_response(error::ApiError::Internal(anyhow::anyhow!("request task failed")))
        }
    }
}

/// Serves the app on an already-bound listener until the process is told to stop.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let poll = std::time::Duration::from_millis(state.settings.webhook_backoff_ms.clamp(20, 1_000) as u64);
    tokio::spawn(webhooks::run_worker(state.clone(), poll));
    axum::serve(listener, app(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
