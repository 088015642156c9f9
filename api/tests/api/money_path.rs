//! The seams between the ways into the money path (session confirm, the background worker's
//! recovery, `/v2/payments`): each test pins a way a charge was lost, misreported or left hanging
//! before the path was written once (issue #17).

use std::time::Duration;

use serde_json::{Value, json};
use sqlx::Row;

use crate::helpers::{KEY, TestApp, VISA_OK, card_confirm, json_of, payment_request, spawn_app};

fn direct(mtid: &str, method: Value) -> Value {
    json!({
        "merchantTransactionId": mtid, "amount": 2_500,
        "customer": { "hsid": "cust-1" },
        "paymentAllocations": [{ "amount": 2_500, "paymentMethod": method }],
    })
}

fn card(number: &str) -> Value {
    json!({ "type": "CARD", "card": { "number": number, "expMonth": 12, "expYear": 2034, "cvc": "123" } })
}

async fn pay_direct(app: &TestApp, body: &Value) -> reqwest::Response {
    app.http.post(app.url("/v2/payments")).bearer_auth(KEY).header("X-Merchant-Id", "demo").json(body).send().await.expect("req")
}

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).bind(bind).fetch_one(&app.db).await.expect("count").try_get(0).expect("n")
}

#[tokio::test]
async fn a_merchant_transaction_id_paid_directly_is_refused_at_session_create_not_after_the_charge() {
    let app = spawn_app().await;
    json_of(pay_direct(&app, &direct("order-1", card(VISA_OK))).await, 200).await;
    let mut req = payment_request(1_500);
    req["payment"]["merchantTransactionId"] = json!("order-1");
    let refused = json_of(app.create_session(&req).await, 400).await;
    assert_eq!(
        refused,
        json!({ "title": "INVALID_REQUEST", "status": 400,
                "detail": "payment.merchantTransactionId is already used by a payment of this merchant (POST /v2/payments)." })
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions WHERE merchant_transaction_id = $1", "order-1").await, 0, "no half-written session");
}

#[tokio::test]
async fn a_hosted_session_s_id_used_as_a_direct_merchant_transaction_id_never_breaks_its_confirm() {
    let app = spawn_app().await;
    let created = json_of(
        app.http
            .post(app.url("/v1/hosted-sessions"))
            .bearer_auth(KEY)
            .header("X-Merchant-Id", "demo")
            .json(&json!({ "amount": 1_500, "success_url": "https://shop.example/ok", "cancel_url": "https://shop.example/no" }))
            .send()
            .await
            .expect("req"),
        200,
    )
    .await;
    let id = created["session_id"].as_str().expect("id").to_owned();
    // A hosted session's payments carry its id as their merchantTransactionId: a direct payment
    // may not take it first, or the session's record would collide with it after the charge.
    let taken = json_of(pay_direct(&app, &direct(&id, card(VISA_OK))).await, 422).await;
    assert_eq!(taken["detail"], "merchantTransactionId belongs to a checkout session.");
    let s = crate::helpers::Created { id: id.clone(), secret: created["client_secret"].as_str().expect("secret").to_owned() };
    let quote = app.card_quote(&s).await;
    let paid = json_of(app.confirm(&s.id, &s.secret, Some("k1"), &card_confirm(&quote, VISA_OK)).await, 200).await;
    assert_eq!(paid["payment"]["status"], "COMPLETED");
}

#[tokio::test]
async fn a_direct_payment_orphaned_by_a_crash_is_released_by_the_worker_and_the_retry_charges_once() {
    let app = spawn_app().await;
    // The state a crash between the attempt's claim and its record leaves: a PENDING attempt the
    // processor never saw, claimed long ago (past the 30 s lease).
    sqlx::query(
        "INSERT INTO payments (id, merchant_id, session_id, merchant_transaction_id, attempt, amount, fee, total, currency,
            status, method_type, brand, last4, request_json, created_at, updated_at)
         VALUES ('crashed-1', 'demo', NULL, 'order-crash', 1, 2500, 0, 2500, 'USD', 'PENDING', 'CARD', 'VISA', '4242', '{}', 0, 0)",
    )
    .execute(&app.db)
    .await
    .expect("claim");
    let mut last = Value::Null;
    for _ in 0..60 {
        last = pay_direct(&app, &direct("order-crash", card(VISA_OK))).await.json().await.expect("json");
        if last["data"]["status"] != "PENDING" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(last["data"]["status"], "COMPLETED", "{last}");
    assert_eq!(last["data"]["attempt"], 1, "the orphaned claim did not use up an attempt");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM payments WHERE merchant_transaction_id = $1", "order-crash").await, 1);
}

#[tokio::test]
async fn a_replayed_202_answers_the_outcome_the_worker_settled() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let body = card_confirm(&app.card_quote(&s).await, checkout_api::processor::sandbox::SLOW_CARD);
    let pending = json_of(app.confirm(&s.id, &s.secret, Some("slow"), &body).await, 202).await;
    assert_eq!(pending["payment"]["status"], "PENDING");
    for _ in 0..80 {
        if app.merchant_get(&s.id).await["data"]["status"] == "COMPLETED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let replay = json_of(app.confirm(&s.id, &s.secret, Some("slow"), &body).await, 200).await;
    assert_eq!(replay["status"], "COMPLETED");
    assert_eq!(replay["payment"]["status"], "COMPLETED");
    assert_eq!(replay["payment"]["id"], pending["payment"]["id"]);
    assert_eq!(app.payment_count(&s.id).await, 1);
}

#[tokio::test]
async fn one_failing_row_never_stops_the_worker_s_batch() {
    let (st, _dir) = crate::helpers::state_without_server().await;
    let attempt = |id: &'static str, mtid: &'static str, method: &'static str, created_at: i64| {
        let db = st.db.clone();
        async move {
            sqlx::query(
                "INSERT INTO payments (id, merchant_id, session_id, merchant_transaction_id, attempt, amount, fee, total, currency,
                    status, method_type, last4, processor_key, request_json, created_at, updated_at)
                 VALUES ($1, 'demo', NULL, $2, 1, 2500, 0, 2500, 'USD', 'PENDING', $3, '4242', $1, '{}', $4, 0)",
            )
            .bind(id)
            .bind(mtid)
            .bind(method)
            .bind(created_at)
            .execute(&db)
            .await
            .expect("attempt");
        }
    };
    // First in the batch: an attempt this version cannot read (a method type it does not know,
    // as a newer version or a damaged row would leave). Second: an orphan the processor never saw.
    attempt("unreadable", "order-x", "CRYPTO", 0).await;
    attempt("orphan", "order-y", "CARD", 1).await;
    let settled = checkout_api::domain::worker::settle_pending(&st, checkout_api::domain::worker::CLAIM_LEASE_MS).await.expect("a pass");
    assert_eq!((settled.failed, settled.released), (1, 1), "{settled:?}");
    let left: Vec<String> = sqlx::query("SELECT id FROM payments ORDER BY id")
        .fetch_all(&st.db)
        .await
        .expect("rows")
        .iter()
        .map(|r| r.try_get("id").expect("id"))
        .collect();
    assert_eq!(left, vec!["unreadable".to_owned()], "the orphan was released, the unreadable row is left for an operator");
}

#[tokio::test]
async fn device_wallet_payments_are_typed_as_their_wallet_in_webhooks_and_v2() {
    let app = spawn_app().await;
    let wallet = json!({ "type": "GOOGLE_PAY", "googlePay": { "token": "tok-wallet", "network": "VISA", "last4": "1111" } });
    let p = json_of(pay_direct(&app, &direct("order-gpay", wallet)).await, 200).await;
    let method = &p["data"]["paymentAllocations"][0]["paymentMethod"];
    assert_eq!(method["type"], "GOOGLE_PAY", "{p}");
    assert_eq!(method["last4"], "1111");
    let apple = json!({ "type": "APPLE_PAY", "applePay": { "token": "tok-apple", "network": "MASTERCARD", "last4": "4444" } });
    let got = json_of(pay_direct(&app, &direct("order-apay", apple)).await, 200).await;
    let fetched = json_of(
        app.http
            .get(app.url(&format!("/v2/payments/{}", got["data"]["id"].as_str().expect("id"))))
            .bearer_auth(KEY)
            .header("X-Merchant-Id", "demo")
            .send()
            .await
            .expect("req"),
        200,
    )
    .await;
    assert_eq!(fetched["data"]["paymentAllocations"][0]["paymentMethod"]["type"], "APPLE_PAY");
    let bodies: Vec<String> = sqlx::query("SELECT body FROM webhook_events WHERE event_type = 'PAYMENT_SUCCEEDED' ORDER BY id")
        .fetch_all(&app.db)
        .await
        .expect("events")
        .iter()
        .map(|r| r.try_get("body").expect("body"))
        .collect();
    let types: Vec<Value> = bodies
        .iter()
        .map(|b| serde_json::from_str::<Value>(b).expect("json")["payload"]["paymentAllocations"][0]["paymentMethod"]["type"].clone())
        .collect();
    assert_eq!(types, vec![json!("GOOGLE_PAY"), json!("APPLE_PAY")]);
}
