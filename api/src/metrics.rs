//! Metrics in the Prometheus text format (`metrics` + `metrics-exporter-prometheus`), served on
//! a listener of their own (`CHECKOUT_METRICS_LISTEN`), never on the public one. What is counted
//! where:
//! - every request, by route template, method and status, with its latency: [`track`];
//! - confirms by outcome (`handlers/confirm.rs`), idempotent replays (`domain/idempotency.rs`,
//!   `domain/payment/operation.rs`), payments and operations recorded by status
//!   (`domain/payment/record.rs`, `operation.rs`), processor calls' latency ([`Metered`]);
//! - the worker's view each pass: webhook backlog and its oldest event's age, failed events,
//!   payments pending, pool connections ([`sample`]); the SQLite writer's queue (`db/`).

use std::sync::OnceLock;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sqlx::Row;

use crate::AppState;
use crate::db::now_ms;
use crate::processor::{ChargeOutcome, ChargeRequest, ChargeSource, OperationOutcome, OperationRequest, Processor, TokenOutcome};

/// Latency buckets, seconds: 5 ms to 10 s.
const BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's recorder (once; later calls return the same handle). `None` if another
/// recorder was installed first.
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new().set_buckets(BUCKETS).ok()?;
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .clone()
}

/// `GET /metrics` for the metrics listener.
pub fn router(handle: PrometheusHandle) -> Router {
    Router::new().route("/metrics", get(render)).with_state(handle)
}

async fn render(State(handle): State<PrometheusHandle>) -> Response {
    handle.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render()).into_response()
}

/// Counts every request by its route template (never the raw path: ids would make a series each),
/// method and status, and times it.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |m| m.as_str()).to_owned();
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    histogram!("checkout_http_request_duration_seconds", "route" => route.clone(), "method" => method.clone())
        .record(start.elapsed().as_secs_f64());
    counter!("checkout_http_requests_total", "route" => route, "method" => method, "status" => status).increment(1);
    resp
}

/// Events waiting for delivery to a merchant's endpoint, and the oldest one's creation: counted
/// per merchant with a webhook URL (index `webhook_events_undelivered`, partial on undelivered).
/// The events of a merchant without a URL are no backlog (nothing delivers them) and are never
/// read: counted over the whole table, 2 million of them made this gauge a 0.56 s parallel scan
/// of PostgreSQL every second, and every request's p99 (even `/healthz`'s) tripled (issue #21).
pub const BACKLOG_SQL: &str = "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n, MIN(oldest) AS oldest FROM (
       SELECT (SELECT COUNT(*) FROM webhook_events e
                WHERE e.merchant_id = m.id AND e.delivered_at IS NULL AND e.failed_at IS NULL) AS n,
              (SELECT MIN(e.created_at) FROM webhook_events e
                WHERE e.merchant_id = m.id AND e.delivered_at IS NULL AND e.failed_at IS NULL) AS oldest
       FROM merchants m WHERE m.webhook_url IS NOT NULL AND m.webhook_url <> '') per_merchant";
/// Events given up after their retry window (index `webhook_events_failed`).
pub const FAILED_SQL: &str = "SELECT COUNT(*) AS n FROM webhook_events WHERE failed_at IS NOT NULL";
/// Payment attempts not yet recorded (index `payments_awaiting`).
pub const PENDING_SQL: &str = "SELECT COUNT(*) AS n FROM payments WHERE status = 'PENDING'";

/// The worker's gauges, sampled each pass.
pub async fn sample(st: &AppState) -> Result<(), sqlx::Error> {
    let backlog = sqlx::query(BACKLOG_SQL).fetch_one(&st.db).await?;
    let n: i64 = backlog.try_get("n")?;
    let oldest: Option<i64> = backlog.try_get("oldest")?;
    gauge!("checkout_webhook_backlog").set(n as f64);
    gauge!("checkout_webhook_oldest_age_seconds").set(oldest.map_or(0.0, |t| (now_ms() - t).max(0) as f64 / 1000.0));
    let failed: i64 = sqlx::query(FAILED_SQL).fetch_one(&st.db).await?.try_get("n")?;
    gauge!("checkout_webhook_failed_events").set(failed as f64);
    let pending: i64 = sqlx::query(PENDING_SQL).fetch_one(&st.db).await?.try_get("n")?;
    gauge!("checkout_payments_pending").set(pending as f64);
    gauge!("checkout_db_pool_connections", "state" => "open").set(f64::from(st.db.size()));
    gauge!("checkout_db_pool_connections", "state" => "idle").set(st.db.num_idle() as f64);
    Ok(())
}

/// A processor that times every call (`checkout_processor_call_seconds{call}`) and counts charge
/// outcomes; otherwise exactly the processor it wraps.
pub struct Metered<P>(pub P);

fn timed(call: &'static str, start: Instant) {
    histogram!("checkout_processor_call_seconds", "call" => call).record(start.elapsed().as_secs_f64());
}

#[async_trait::async_trait]
impl<P: Processor> Processor for Metered<P> {
    async fn charge(&self, req: ChargeRequest<'_>) -> ChargeOutcome {
        let start = Instant::now();
        let outcome = self.0.charge(req).await;
        timed("charge", start);
        outcome
    }
    async fn retrieve(&self, idempotency_key: &str) -> Option<ChargeOutcome> {
        let start = Instant::now();
        let outcome = self.0.retrieve(idempotency_key).await;
        timed("retrieve", start);
        outcome
    }
    async fn operate(&self, req: OperationRequest<'_>) -> OperationOutcome {
        let start = Instant::now();
        let outcome = self.0.operate(req).await;
        timed("operate", start);
        outcome
    }
    async fn retrieve_operation(&self, idempotency_key: &str) -> Option<OperationOutcome> {
        self.0.retrieve_operation(idempotency_key).await
    }
    async fn tokenize(&self, source: &ChargeSource<'_>) -> TokenOutcome {
        let start = Instant::now();
        let outcome = self.0.tokenize(source).await;
        timed("tokenize", start);
        outcome
    }
    fn funding_of(&self, number: &checkout_types::validate::card::CardNumber) -> checkout_types::quote::Funding {
        self.0.funding_of(number)
    }
    fn authenticate(&self, source: &crate::processor::ChargeSource<'_>) -> crate::processor::AuthDecision {
        self.0.authenticate(source)
    }
    fn card_fingerprint(&self, source: &crate::processor::ChargeSource<'_>) -> Option<String> {
        self.0.card_fingerprint(source)
    }
}
