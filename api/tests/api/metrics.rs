//! `GET /metrics` on its own listener: requests by route template and status, confirms by
//! outcome, idempotent replays, payments and refunds recorded, processor latency, the worker's
//! gauges. The recorder is the process's, shared with the other tests: counts only grow, so
//! these assertions read "at least".

use serde_json::json;

use crate::helpers::{KEY, VISA_DECLINED, VISA_OK, card_confirm, json_of, spawn_app, state_on};

/// The value of the first sample line starting with `name{` that holds every label of `labels`.
fn value(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| labels.iter().all(|lab| l.contains(lab)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_confirms_replays_payments_and_refunds_and_sample_the_worker() {
    let handle = checkout_api::metrics::install().expect("the recorder");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let metrics_url = format!("http://{}/metrics", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, checkout_api::metrics::router(handle)).await });
    let app = spawn_app().await;

    let s = app.payment_session(1_500).await;
    let q = app.card_quote(&s).await;
    json_of(app.confirm(&s.id, &s.secret, Some("m-1"), &card_confirm(&q, VISA_DECLINED)).await, 422).await;
    json_of(app.confirm(&s.id, &s.secret, Some("m-2"), &card_confirm(&q, VISA_OK)).await, 200).await;
    json_of(app.confirm(&s.id, &s.secret, Some("m-2"), &card_confirm(&q, VISA_OK)).await, 200).await;
    json_of(app.confirm(&s.id, &s.secret, Some("m-3"), &card_confirm(&q, VISA_OK)).await, 409).await;
    let pay = json!({ "merchantTransactionId": "metrics-1", "amount": 900, "customer": { "hsid": "m" },
        "paymentAllocations": [{ "amount": 900, "paymentMethod": { "type": "CARD", "card": { "number": VISA_OK, "expMonth": 12, "expYear": 2034, "cvc": "123" } } }] });
    let paid = json_of(app.http.post(app.url("/v2/payments")).bearer_auth(KEY).header("X-Merchant-Id", "demo").json(&pay).send().await.expect("req"), 200).await;
    let id = paid["data"]["id"].as_str().expect("id");
    let refund = app.http.post(app.url(&format!("/v2/payments/{id}/refunds"))).bearer_auth(KEY).header("X-Merchant-Id", "demo")
        .header("Idempotency-Key", "r").send().await.expect("req");
    json_of(refund, 200).await;
    checkout_api::metrics::sample(&state_on(&app.db, &app.base, app.dist.clone(), Default::default())).await.expect("sample");

    let resp = reqwest::get(&metrics_url).await.expect("metrics");
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().expect("ct").starts_with("text/plain"));
    let text = resp.text().await.expect("text");
    let confirm_route = r#"route="/v1/sessions/{id}/confirm""#;
    for (name, labels) in [
        ("checkout_http_requests_total", vec![confirm_route, r#"method="POST""#, r#"status="200""#]),
        ("checkout_http_requests_total", vec![confirm_route, r#"status="409""#]),
        ("checkout_http_request_duration_seconds_count", vec![confirm_route]),
        ("checkout_confirms_total", vec![r#"outcome="completed""#]),
        ("checkout_confirms_total", vec![r#"outcome="declined""#]),
        ("checkout_confirms_total", vec![r#"outcome="SESSION_ALREADY_PROCESSED""#]),
        ("checkout_idempotent_replays_total", vec![r#"of="confirm""#]),
        ("checkout_payments_recorded_total", vec![r#"way="session""#, r#"status="FAILED""#]),
        ("checkout_payments_recorded_total", vec![r#"way="direct""#, r#"status="COMPLETED""#]),
        ("checkout_payment_operations_total", vec![r#"kind="REFUND""#, r#"status="SUCCEEDED""#]),
        ("checkout_processor_call_seconds_count", vec![r#"call="charge""#]),
        ("checkout_processor_call_seconds_count", vec![r#"call="operate""#]),
    ] {
        let v = value(&text, name, &labels).unwrap_or_else(|| panic!("{name} {labels:?} missing:\n{text}"));
        assert!(v >= 1.0, "{name} {labels:?} = {v}");
    }
    for gauge in ["checkout_webhook_backlog", "checkout_webhook_oldest_age_seconds", "checkout_webhook_failed_events",
        "checkout_payments_pending", "checkout_db_pool_connections"] {
        assert!(value(&text, gauge, &[]).is_some(), "{gauge} missing:\n{text}");
    }
    if app.sqlite_file.is_some() {
        assert!(value(&text, "checkout_sqlite_writer_queue", &[]).is_some_and(|v| v >= 0.0), "writer queue gauge");
    }
    // Routes are templates: no session or payment id becomes a label.
    assert!(!text.contains(&s.id) && !text.contains(id), "an id in a label");
}
