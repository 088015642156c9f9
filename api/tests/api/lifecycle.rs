//! Session lifecycle events (`CHECKOUT_SESSION_CANCELED`, `CHECKOUT_SESSION_EXPIRED`, each sent
//! once, with the state change) and a merchant's webhooks by API: set the URL, rotate the secret,
//! list the events given up after their retry window, redeliver one.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use sqlx::Row;

use crate::helpers::{KEY, TestApp, json_of, spawn_app};

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).bind(bind).fetch_one(&app.db).await.expect("count").try_get(0).expect("n")
}

/// Waits up to 5 s for `sql` (one text parameter) to count at least `n`.
async fn eventually(app: &TestApp, sql: &str, bind: &str, n: i64) -> i64 {
    for _ in 0..100 {
        let got = count(app, sql, bind).await;
        if got >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    count(app, sql, bind).await
}

async fn merchant(app: &TestApp, method: reqwest::Method, path: &str, body: Option<Value>) -> reqwest::Response {
    let mut req = app.http.request(method, app.url(path)).bearer_auth(KEY).header("X-Merchant-Id", "demo");
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.expect("request")
}

const SESSION_EVENTS: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM webhook_events WHERE event_type = $1";

#[tokio::test]
async fn canceling_a_session_sends_checkout_session_canceled_once() {
    let app = spawn_app().await;
    let s = app.payment_session(1_000).await;
    for _ in 0..2 {
        let r = json_of(merchant(&app, reqwest::Method::POST, &format!("/v1/sessions/{}/expire", s.id), None).await, 200).await;
        assert_eq!(r["data"]["status"], "CANCELED");
    }
    assert_eq!(count(&app, SESSION_EVENTS, "CHECKOUT_SESSION_CANCELED").await, 1, "one event for one change");
    let body: String = sqlx::query("SELECT body FROM webhook_events WHERE event_type = 'CHECKOUT_SESSION_CANCELED'")
        .fetch_one(&app.db).await.expect("event").try_get("body").expect("body");
    let body: Value = serde_json::from_str(&body).expect("json");
    assert_eq!((body["payload"]["checkoutSessionId"].as_str(), body["payload"]["status"].as_str()), (Some(s.id.as_str()), Some("CANCELED")));
}

#[tokio::test]
async fn an_expired_session_reads_expired_and_the_worker_sends_checkout_session_expired_once() {
    let app = spawn_app().await;
    let open = app.payment_session(1_000).await;
    let paying = app.payment_session(1_000).await;
    let past = checkout_api::db::now_ms() - 1;
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2 OR id = $3").bind(past).bind(&open.id).bind(&paying.id).execute(&app.db).await.expect("age");
    // A payment in flight is never expired under it.
    sqlx::query("UPDATE sessions SET state = 'PAYMENT_PENDING' WHERE id = $1").bind(&paying.id).execute(&app.db).await.expect("claim");
    assert_eq!(app.merchant_get(&open.id).await["data"]["status"], "EXPIRED", "expired the moment its TTL ran out");
    assert_eq!(eventually(&app, SESSION_EVENTS, "CHECKOUT_SESSION_EXPIRED", 1).await, 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(count(&app, SESSION_EVENTS, "CHECKOUT_SESSION_EXPIRED").await, 1, "once, for the open session only");
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM sessions WHERE id = $1 AND state = 'TIMED_OUT'", &open.id).await, 1);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM sessions WHERE id = $1 AND state = 'PAYMENT_PENDING'", &paying.id).await, 1);
    let cancel = json_of(merchant(&app, reqwest::Method::POST, &format!("/v1/sessions/{}/expire", open.id), None).await, 409).await;
    assert_eq!(cancel["detail"], "The session is EXPIRED and can no longer be canceled.");
    json_of(app.config(&open.id, &open.secret).await, 410).await;
}

type Received = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver on port 0 that answers 500 while `failing` is set.
async fn receiver(failing: Arc<AtomicBool>, received: Received) -> String {
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let (failing, received) = (failing.clone(), received.clone());
            async move {
                if failing.load(Ordering::SeqCst) {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                received.lock().expect("lock").push((headers, body));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn a_merchant_sets_its_webhook_url_rotates_its_secret_and_redelivers_an_event_given_up_after_its_window() {
    let app = spawn_app().await;
    let view = json_of(merchant(&app, reqwest::Method::GET, "/v1/webhook-endpoint", None).await, 200).await;
    assert_eq!(view["data"], json!({ "url": null, "pendingEvents": 0, "failedEvents": 0 }));
    let bad = json_of(merchant(&app, reqwest::Method::PUT, "/v1/webhook-endpoint", Some(json!({ "url": "ftp://x" }))).await, 400).await;
    assert_eq!(bad["detail"], "url must be an absolute http(s) URL of at most 2048 characters.");

    let failing = Arc::new(AtomicBool::new(true));
    let received: Received = Arc::default();
    let url = receiver(failing.clone(), received.clone()).await;
    let set = json_of(merchant(&app, reqwest::Method::PUT, "/v1/webhook-endpoint", Some(json!({ "url": url }))).await, 200).await;
    assert_eq!(set["data"]["url"], url.as_str());

    // An event whose 3-day window is over: its next refusal fails it for good.
    let now = checkout_api::db::now_ms();
    let created = now - checkout_api::domain::worker::RETRY_WINDOW_MS;
    let (id, body) = checkout_api::domain::outbox::event("PAYMENT_SUCCEEDED", &json!({ "n": 1 }), created);
    sqlx::query("INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at) VALUES ($1, 'demo', 'PAYMENT_SUCCEEDED', $2, $3, $4)")
        .bind(&id).bind(&body).bind(now).bind(created).execute(&app.db).await.expect("event");
    let failed_sql = "SELECT CAST(COUNT(*) AS BIGINT) FROM webhook_events WHERE id = $1 AND failed_at IS NOT NULL";
    assert_eq!(eventually(&app, failed_sql, &id, 1).await, 1, "given up");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(count(&app, "SELECT attempts FROM webhook_events WHERE id = $1", &id).await, 1, "not retried after it failed");
    let listed = json_of(merchant(&app, reqwest::Method::GET, "/v1/webhook-events/failed", None).await, 200).await;
    assert_eq!((listed["data"][0]["id"].as_str(), listed["data"][0]["lastError"].as_str()), (Some(id.as_str()), Some("HTTP 500")));
    assert_eq!(json_of(merchant(&app, reqwest::Method::GET, "/v1/webhook-endpoint", None).await, 200).await["data"]["failedEvents"], 1);

    let rotated = json_of(merchant(&app, reqwest::Method::POST, "/v1/webhook-endpoint/rotate-secret", None).await, 200).await;
    let secret = rotated["data"]["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("whsec_") && secret.len() == 54, "{secret}");
    failing.store(false, Ordering::SeqCst);
    json_of(merchant(&app, reqwest::Method::POST, "/v1/webhook-events/nope/redeliver", None).await, 404).await;
    let again = json_of(merchant(&app, reqwest::Method::POST, &format!("/v1/webhook-events/{id}/redeliver"), None).await, 200).await;
    assert_eq!(again["data"]["status"], "PENDING");
    let delivered = "SELECT CAST(COUNT(*) AS BIGINT) FROM webhook_events WHERE id = $1 AND delivered_at IS NOT NULL";
    assert_eq!(eventually(&app, delivered, &id, 1).await, 1, "redelivered");
    let (headers, got) = received.lock().expect("lock").last().cloned().expect("one delivery");
    assert_eq!(got, body);
    let sig = headers.get("checkout-signature").and_then(|v| v.to_str().ok()).expect("signature").to_owned();
    let t: i64 = sig.split(',').next().and_then(|p| p.strip_prefix("t=")).and_then(|t| t.parse().ok()).expect("t");
    assert_eq!(sig, checkout_api::domain::outbox::signature(&secret, t, &got), "signed with the rotated secret");

    let cleared = json_of(merchant(&app, reqwest::Method::PUT, "/v1/webhook-endpoint", Some(json!({ "url": null }))).await, 200).await;
    assert_eq!(cleared["data"]["url"], Value::Null);
}
