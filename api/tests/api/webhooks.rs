//! Webhooks: written to the outbox with the payment, delivered signed, and nothing lost while the
//! receiver is down (a real HTTP receiver that starts late).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use serde_json::Value;
use sqlx::Row;

use crate::helpers::{VISA_DECLINED, VISA_OK, card_confirm, json_of, spawn_app, state_without_server};

type Received = Arc<Mutex<Vec<(HeaderMap, String)>>>;

async fn start_receiver(addr: std::net::SocketAddr, received: Received) {
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let received = received.clone();
            async move {
                received.lock().expect("lock").push((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(addr).await.expect("rebind receiver port");
    tokio::spawn(async move { axum::serve(listener, app).await });
}

/// How many stored webhook events match `condition`.
async fn events_where(db: &checkout_api::db::Db, condition: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM webhook_events WHERE {condition}")))
        .fetch_one(db)
        .await
        .expect("count")
        .try_get(0)
        .expect("n")
}

#[tokio::test]
async fn events_wait_for_a_receiver_that_is_down_and_arrive_signed() {
    let app = spawn_app().await;
    // A port with nobody listening: the receiver is down.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = probe.local_addr().expect("addr");
    drop(probe);
    sqlx::query("UPDATE merchants SET webhook_url = $1 WHERE id = 'demo'")
        .bind(format!("http://{addr}/hook"))
        .execute(&app.db)
        .await
        .expect("set url");

    let s = app.payment_session(1_500).await;
    let q = app.card_quote(&s).await;
    json_of(app.confirm(&s.id, &s.secret, Some("a"), &card_confirm(&q, VISA_DECLINED)).await, 422).await;
    json_of(app.confirm(&s.id, &s.secret, Some("b"), &card_confirm(&q, VISA_OK)).await, 200).await;

    tokio::time::sleep(Duration::from_millis(400)).await;
    let pending = sqlx::query("SELECT attempts, last_error FROM webhook_events WHERE delivered_at IS NULL")
        .fetch_all(&app.db)
        .await
        .expect("rows");
    assert_eq!(pending.len(), 3, "PAYMENT_FAILED, PAYMENT_SUCCEEDED, CHECKOUT_SESSION_COMPLETED");
    assert!(pending.iter().all(|r| r.try_get::<i64, _>("attempts").unwrap_or(0) >= 1), "retried while down");
    assert!(pending.iter().all(|r| r.try_get::<Option<String>, _>("last_error").ok().flatten().as_deref() == Some("connection failed")));

    let received: Received = Arc::default();
    start_receiver(addr, received.clone()).await;
    let mut delivered = 0;
    for _ in 0..100 {
        delivered = events_where(&app.db, "delivered_at IS NOT NULL").await;
        if delivered == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(delivered, 3, "every event delivered once the receiver is up");

    let secret: String = sqlx::query("SELECT webhook_secret FROM merchants WHERE id = 'demo'")
        .fetch_one(&app.db)
        .await
        .expect("row")
        .try_get("webhook_secret")
        .expect("secret");
    let got = received.lock().expect("lock").clone();
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for (headers, body) in &got {
        let sig = headers["checkout-signature"].to_str().expect("ascii");
        let (t, v1) = sig.strip_prefix("t=").and_then(|r| r.split_once(",v1=")).expect("t=…,v1=…");
        assert_eq!(v1, checkout_api::secrets::hmac_hex(secret.as_bytes(), format!("{t}.{body}").as_bytes()));
        let event: Value = serde_json::from_str(body).expect("json");
        assert_eq!(headers["checkout-event-id"].to_str().expect("ascii"), event["id"].as_str().expect("id"));
        ids.insert(event["id"].as_str().expect("id").to_owned());
        names.insert(event["name"].as_str().expect("name").to_owned());
        if event["name"] == "PAYMENT_SUCCEEDED" {
            let p = &event["payload"];
            assert_eq!((p["amount"].as_i64(), p["total"].as_i64(), p["status"].as_str()), (Some(1_500), Some(1_600), Some("COMPLETED")));
            assert_eq!(p["paymentAllocations"][0]["paymentMethod"]["card"]["lastFour"], "4242");
        }
        if event["name"] == "PAYMENT_FAILED" {
            assert_eq!(event["payload"]["paymentAllocations"][0]["error"]["code"], "card_declined");
            assert_eq!(event["payload"]["final"], false, "retries remain");
        }
    }
    assert_eq!(ids.len(), 3);
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        vec!["CHECKOUT_SESSION_COMPLETED", "PAYMENT_FAILED", "PAYMENT_SUCCEEDED"]
    );
    assert!(!got.iter().any(|(_, b)| b.contains(VISA_OK)), "no card numbers in webhooks");
}

/// A backlog larger than one round (20) is delivered by one call of the worker's step, not at 20
/// events per poll: a merchant taking more than 20 payments a second must not fall behind.
#[tokio::test]
async fn a_backlog_is_delivered_in_one_worker_step_not_twenty_events_per_poll() {
    let (st, _dir) = state_without_server().await;
    let received: Received = Arc::default();
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = probe.local_addr().expect("addr");
    drop(probe);
    start_receiver(addr, received.clone()).await;
    sqlx::query("UPDATE merchants SET webhook_url = $1 WHERE id = 'demo'")
        .bind(format!("http://{addr}/hook"))
        .execute(&st.db)
        .await
        .expect("set url");
    let now = checkout_api::db::now_ms();
    for i in 0..45 {
        let (id, body) = checkout_api::domain::outbox::event("PAYMENT_SUCCEEDED", &serde_json::json!({ "n": i }), now);
        sqlx::query("INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at) VALUES ($1, 'demo', 'PAYMENT_SUCCEEDED', $2, $3, $3)")
            .bind(id)
            .bind(body)
            .bind(now)
            .execute(&st.db)
            .await
            .expect("event");
    }
    let client = reqwest::Client::new();
    let done = checkout_api::domain::worker::deliver_due(&st, &client).await.expect("deliver");
    assert_eq!(done, checkout_api::domain::worker::Delivered { sent: 45, more_due: false });
    assert_eq!(received.lock().expect("lock").len(), 45);
    assert_eq!(events_where(&st.db, "delivered_at IS NULL").await, 0);
}
