//! `checkout-api`: the HTTP API behind the checkout widget.
//!
//! Layout, one hop to any behaviour. Imports run one way: handlers -> domain -> db.
//! - [`handlers`]: the routes, thin: parse, call the domain, answer (sessions, hosted, quotes,
//!   confirm, wallet, payments v2, notify). No handler imports another.
//! - [`domain`]: the rules and the queries of the tables each module owns: session, method,
//!   wallet, quote, idempotency, payment (and its one outcome function, `payment::record`),
//!   confirm, direct payments, outbox, notify, and the background worker.
//! - [`processor`]: the `Processor` trait and the sandbox processor (test cards).
//! - [`pages`]: the hosted/embed pages (Trunk's `dist/`), the `<govifi-payment>` loader, `/healthz`.
//! - [`demo`]: seeding the demo merchant for `serve --demo`; [`demo_site`]: the demo merchant's website.
//! - [`limits`]: per-session and per-client flood protection (429 + Retry-After) on browser endpoints.
//! - [`fees`]: the fee arithmetic and schedule lookup.
//! - [`request_id`]: one id per request, in the response header, error bodies and log lines.
//! - [`state`], [`error`], [`extract`], [`secrets`], [`db`]: plumbing shared by all of the above.

pub mod db;
pub mod demo;
pub mod demo_site;
pub mod domain;
pub mod error;
pub mod extract;
pub mod fees;
pub mod handlers;
pub mod html;
pub mod limits;
pub mod messaging;
pub mod openapi;
pub mod pages;
pub mod processor;
pub mod request_id;
pub mod secrets;
pub mod state;

pub use state::{AppState, Settings};

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub mod metrics;

use crate::handlers::{apple_pay, challenge, confirm, hosted, notify, payments, quotes, sessions, wallet, wallet_settings, webhooks};

/// The whole HTTP surface. Tests drive it on port 0 through [`serve`].
pub fn app(state: AppState) -> Router {
    let (api, doc) = utoipa_axum::router::OpenApiRouter::with_openapi(openapi::base())
        .merge(sessions::router())
        .merge(hosted::router())
        .merge(quotes::router())
        .merge(wallet::router())
        .merge(payments::router())
        .merge(notify::router())
        .merge(webhooks::router())
        .merge(wallet_settings::router())
        .merge(apple_pay::router())
        .merge(challenge::router())
        .merge(confirm::router())
        .merge(pages::health_router())
        .split_for_parts();
    api.merge(openapi::router(doc))
        .merge(pages::router(&state.settings))
        .merge(challenge::page_router())
        .fallback(pages::not_found)
        // Innermost, so it sees the matched route template.
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(axum::middleware::from_fn_with_state(state.clone(), limits::limit))
        .layer(axum::middleware::from_fn(request_id::assign))
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
    tokio::spawn(domain::worker::run(state.clone(), poll));
    axum::serve(listener, app(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
