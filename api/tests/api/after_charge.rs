//! After the charge: pre-authorization, capture, void, hold expiry, partial approval and refunds
//! (SPEC "After the charge"), through the real API on SQLite and PostgreSQL.

use checkout_api::processor::sandbox::{HALF_CARD, REFUND_FAILS_CARD};
use serde_json::{Value, json};
use sqlx::Row;

use crate::helpers::{KEY, TestApp, VISA_OK, card_confirm, json_of, spawn_app, spawn_app_with, state_on};

fn payment(mtid: &str, number: &str, authorize: bool) -> Value {
    json!({
        "merchantTransactionId": mtid,
        "amount": 5000,
        "currencyCode": "USD",
        "authorizeCard": authorize,
        "partialAuthorization": authorize,
        "customer": { "enterpriseIdentifier": "123456789" },
        "paymentAllocations": [{ "amount": 5000, "paymentMethod": { "type": "CARD", "card": { "number": number, "expMonth": 12, "expYear": 2034, "cvc": "123" } } }]
    })
}

async fn post(app: &TestApp, path: &str, key: Option<&str>, body: Option<&Value>) -> reqwest::Response {
    let mut req = app.http.post(app.url(path)).bearer_auth(KEY).header("X-Merchant-Id", "demo");
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await.expect("request")
}

async fn get(app: &TestApp, id: &str) -> Value {
    let r = app.http.get(app.url(&format!("/v2/payments/{id}"))).bearer_auth(KEY).header("X-Merchant-Id", "demo").send().await.expect("req");
    json_of(r, 200).await
}

/// A direct payment's id and data.
async fn pay(app: &TestApp, body: &Value, status: u16) -> (String, Value) {
    let r = json_of(post(app, "/v2/payments", None, Some(body)).await, status).await;
    let data = if status == 422 { r["data"]["data"].clone() } else { r["data"].clone() };
    (data["id"].as_str().unwrap_or_default().to_owned(), r)
}

async fn events(app: &TestApp, kind: &str) -> Vec<Value> {
    let rows = sqlx::query("SELECT body FROM webhook_events WHERE event_type = $1 ORDER BY created_at, id")
        .bind(kind)
        .fetch_all(&app.db)
        .await
        .expect("events");
    rows.iter().map(|r| serde_json::from_str(&r.try_get::<String, _>("body").expect("body")).expect("json")).collect()
}

#[tokio::test]
async fn a_pre_authorization_holds_then_one_capture_takes_part_and_completes_it() {
    let app = spawn_app().await;
    let (id, held) = pay(&app, &payment("hold-1", VISA_OK, true), 200).await;
    let d = &held["data"];
    assert_eq!((d["status"].as_str(), d["authorizedAmount"].as_i64(), d["capturedAmount"].as_i64()), (Some("AUTHORIZED"), Some(5000), None));
    assert!(d["holdExpiresAtUtc"].as_str().is_some_and(|t| t.ends_with('Z')), "{d}");
    let succeeded = events(&app, "PAYMENT_SUCCEEDED").await;
    assert_eq!(succeeded[0]["payload"]["status"], "AUTHORIZED", "the hold's event says what it is");

    let too_much = json_of(post(&app, &format!("/v2/payments/{id}/capture"), None, Some(&json!({ "amount": 5001 }))).await, 422).await;
    assert_eq!(too_much["detail"], "amount exceeds the authorized amount (5000).");
    assert_eq!(get(&app, &id).await["data"]["status"], "AUTHORIZED", "a refused capture moves nothing");

    let captured = json_of(post(&app, &format!("/v2/payments/{id}/capture"), None, Some(&json!({ "amount": 3000 }))).await, 200).await;
    assert_eq!((captured["data"]["type"].as_str(), captured["data"]["status"].as_str(), captured["data"]["amount"].as_i64()), (Some("CAPTURE"), Some("SUCCEEDED"), Some(3000)));
    assert_eq!(captured["payment"]["status"], "COMPLETED");
    assert_eq!((captured["payment"]["capturedAmount"].as_i64(), captured["payment"]["refundableAmount"].as_i64()), (Some(3000), Some(3000)));
    let view = get(&app, &id).await;
    assert_eq!((view["data"]["status"].as_str(), view["data"]["authorizedAmount"].as_i64(), view["data"]["capturedAmount"].as_i64()), (Some("COMPLETED"), Some(5000), Some(3000)));
    assert_eq!(view["data"]["holdExpiresAtUtc"], Value::Null);
    assert_eq!(view["data"]["operations"].as_array().map(Vec::len), Some(1));
    assert_eq!(events(&app, "PAYMENT_CAPTURED").await[0]["payload"]["payment"]["capturedAmount"], 3000);

    let again = json_of(post(&app, &format!("/v2/payments/{id}/capture"), None, None).await, 422).await;
    assert_eq!(again["detail"], "Only an AUTHORIZED payment can be captured; this payment is COMPLETED.");
    let void = json_of(post(&app, &format!("/v2/payments/{id}/void"), None, None).await, 422).await;
    assert_eq!(void["detail"], "Only an AUTHORIZED payment can be voided; this payment is COMPLETED.");
}

#[tokio::test]
async fn a_capture_with_the_same_key_replays_and_with_another_body_is_refused() {
    let app = spawn_app().await;
    let (id, _) = pay(&app, &payment("hold-2", VISA_OK, true), 200).await;
    let path = format!("/v2/payments/{id}/capture");
    let first = post(&app, &path, Some("cap-1"), None).await;
    assert_eq!(first.status(), 200);
    let first = first.text().await.expect("body");
    let replay = post(&app, &path, Some("cap-1"), None).await.text().await.expect("body");
    assert_eq!(first, replay, "byte for byte");
    let other = json_of(post(&app, &path, Some("cap-1"), Some(&json!({ "amount": 10 }))).await, 422).await;
    assert_eq!(other["title"], "IDEMPOTENCY_KEY_REUSED");
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM payment_operations").fetch_one(&app.db).await.expect("n").try_get("n").expect("n");
    assert_eq!(n, 1, "one capture");
}

#[tokio::test]
async fn a_void_releases_the_hold_and_nothing_can_be_taken_after_it() {
    let app = spawn_app().await;
    let (id, _) = pay(&app, &payment("hold-3", VISA_OK, true), 200).await;
    let bad = json_of(post(&app, &format!("/v2/payments/{id}/void"), None, Some(&json!({ "amount": 1 }))).await, 400).await;
    assert_eq!(bad["detail"], "A void releases the whole hold; it takes no fields.");
    let voided = json_of(post(&app, &format!("/v2/payments/{id}/void"), None, None).await, 200).await;
    assert_eq!((voided["data"]["type"].as_str(), voided["payment"]["status"].as_str()), (Some("VOID"), Some("VOIDED")));
    assert_eq!(get(&app, &id).await["data"]["status"], "VOIDED");
    json_of(post(&app, &format!("/v2/payments/{id}/capture"), None, None).await, 422).await;
    let refund = json_of(post(&app, &format!("/v2/payments/{id}/refunds"), Some("r-1"), None).await, 422).await;
    assert_eq!(refund["detail"], "Only a COMPLETED payment can be refunded; this payment is VOIDED.");
    assert_eq!(events(&app, "PAYMENT_VOIDED").await.len(), 1);
}

#[tokio::test]
async fn an_uncaptured_hold_is_voided_by_the_worker_when_it_expires_and_not_before() {
    let app = spawn_app().await;
    let (id, _) = pay(&app, &payment("hold-4", VISA_OK, true), 200).await;
    let st = state_on(&app.db, &app.base, app.dist.clone(), checkout_api::limits::Limits::default());
    let now = checkout_api::db::now_ms();
    assert_eq!(checkout_api::domain::worker::expire_holds(&st, now + 6 * 24 * 3_600_000).await.expect("pass"), 0, "6 days: still held");
    assert_eq!(checkout_api::domain::worker::expire_holds(&st, now + 8 * 24 * 3_600_000).await.expect("pass"), 1, "8 days: voided");
    let view = get(&app, &id).await;
    assert_eq!(view["data"]["status"], "VOIDED");
    assert_eq!(view["data"]["operations"][0]["reason"], "expired");
    assert_eq!(checkout_api::domain::worker::expire_holds(&st, now + 9 * 24 * 3_600_000).await.expect("pass"), 0, "voided once");
}

#[tokio::test]
async fn a_partial_approval_is_taken_only_when_the_merchant_accepts_it_and_reports_both_amounts() {
    let app = spawn_app().await;
    let (_, held) = pay(&app, &payment("half-1", HALF_CARD, true), 200).await;
    let d = &held["data"];
    assert_eq!((d["status"].as_str(), d["amount"].as_i64(), d["authorizedAmount"].as_i64()), (Some("AUTHORIZED"), Some(5000), Some(2500)));
    let mut sale = payment("half-2", HALF_CARD, false);
    sale["partialAuthorization"] = json!(true);
    let (_, sold) = pay(&app, &sale, 200).await;
    assert_eq!((sold["data"]["status"].as_str(), sold["data"]["capturedAmount"].as_i64()), (Some("COMPLETED"), Some(2500)));
    let (_, refused) = pay(&app, &payment("half-3", HALF_CARD, false), 422).await;
    assert_eq!(refused["data"]["paymentAllocations"][0]["error"]["errorDetails"]["declineCode"], "insufficient_funds");
}

#[tokio::test]
async fn a_bank_account_cannot_be_pre_authorized() {
    let app = spawn_app().await;
    let mut b = payment("bank-1", VISA_OK, true);
    b["paymentAllocations"][0]["paymentMethod"] = json!({ "type": "BANK_ACCOUNT", "bankAccount": {
        "routingNumber": "011000015", "accountNumber": "000123456789", "accountType": "CHECKING", "accountHolderName": "Jane Doe" } });
    let r = json_of(post(&app, "/v2/payments", None, Some(&b)).await, 400).await;
    assert_eq!(r["detail"], "authorizeCard: true applies to cards; a bank account payment is always a sale.");
}

#[tokio::test]
async fn refunds_partial_then_the_rest_never_exceed_the_captured_amount_and_replay_by_key() {
    let app = spawn_app().await;
    let (id, _) = pay(&app, &payment("refund-1", VISA_OK, false), 200).await;
    let path = format!("/v2/payments/{id}/refunds");
    let missing = json_of(post(&app, &path, None, Some(&json!({ "amount": 100 }))).await, 400).await;
    assert_eq!(missing["detail"], "The Idempotency-Key header is required.");
    let zero = json_of(post(&app, &path, Some("r-0"), Some(&json!({ "amount": 0 }))).await, 400).await;
    assert_eq!(zero["detail"], "amount must be at least 1 minor unit.");

    let first = post(&app, &path, Some("r-1"), Some(&json!({ "amount": 2000, "reason": "damaged" }))).await;
    assert_eq!(first.status(), 200);
    let first_text = first.text().await.expect("body");
    let first: Value = serde_json::from_str(&first_text).expect("json");
    assert_eq!((first["data"]["type"].as_str(), first["data"]["status"].as_str(), first["data"]["reason"].as_str()), (Some("REFUND"), Some("SUCCEEDED"), Some("damaged")));
    assert_eq!(first["payment"]["refundableAmount"], 3000);
    let replay = post(&app, &path, Some("r-1"), Some(&json!({ "amount": 2000, "reason": "damaged" }))).await.text().await.expect("body");
    assert_eq!(replay, first_text, "the same key and body: the first answer, byte for byte, no second refund");
    let reused = json_of(post(&app, &path, Some("r-1"), Some(&json!({ "amount": 2500 }))).await, 422).await;
    assert_eq!(reused["title"], "IDEMPOTENCY_KEY_REUSED");

    let over = json_of(post(&app, &path, Some("r-2"), Some(&json!({ "amount": 3001 }))).await, 422).await;
    assert_eq!(over["detail"], "amount exceeds the refundable amount (3000).");
    let rest = json_of(post(&app, &path, Some("r-3"), None).await, 200).await;
    assert_eq!((rest["data"]["amount"].as_i64(), rest["payment"]["refundableAmount"].as_i64()), (Some(3000), Some(0)));
    let done = json_of(post(&app, &path, Some("r-4"), Some(&json!({ "amount": 1 }))).await, 422).await;
    assert_eq!(done["detail"], "The payment is already fully refunded.");

    let view = get(&app, &id).await;
    assert_eq!((view["data"]["refundedAmount"].as_i64(), view["data"]["refundableAmount"].as_i64()), (Some(5000), Some(0)));
    let amounts: Vec<i64> = view["data"]["refunds"].as_array().expect("refunds").iter().map(|r| r["amount"].as_i64().unwrap_or(0)).collect();
    assert_eq!(amounts, vec![2000, 3000]);
    let evts = events(&app, "REFUND_SUCCEEDED").await;
    assert_eq!(evts.len(), 2);
    assert_eq!(evts[0]["payload"]["paymentId"], id.as_str());
}

#[tokio::test]
async fn a_refund_the_processor_refuses_is_failed_and_gives_its_amount_back() {
    let app = spawn_app().await;
    let (id, _) = pay(&app, &payment("refund-2", REFUND_FAILS_CARD, false), 200).await;
    let r = json_of(post(&app, &format!("/v2/payments/{id}/refunds"), Some("rf-1"), Some(&json!({ "amount": 1000 }))).await, 422).await;
    assert_eq!((r["title"].as_str(), r["detail"].as_str()), (Some("PAYMENT_ERROR"), Some("The card's issuer refused the refund.")));
    assert_eq!((r["data"]["data"]["status"].as_str(), r["data"]["data"]["error"]["code"].as_str()), (Some("FAILED"), Some("refund_failed")));
    assert_eq!(r["data"]["payment"]["refundableAmount"], 5000, "the failed refund's amount is refundable again");
    let view = get(&app, &id).await;
    assert_eq!((view["data"]["refundedAmount"].as_i64(), view["data"]["refunds"][0]["status"].as_str()), (Some(0), Some("FAILED")));
    assert_eq!(events(&app, "REFUND_FAILED").await.len(), 1);
}

#[tokio::test]
async fn concurrent_refunds_with_distinct_keys_never_exceed_the_captured_amount() {
    let app = spawn_app_with(checkout_api::limits::Limits::new(None, None)).await;
    let (id, _) = pay(&app, &payment("refund-3", VISA_OK, false), 200).await;
    let path = format!("/v2/payments/{id}/refunds");
    let mut set = tokio::task::JoinSet::new();
    for i in 0..12 {
        let (http, url) = (app.http.clone(), app.url(&path));
        set.spawn(async move {
            let r = http.post(url).bearer_auth(KEY).header("X-Merchant-Id", "demo").header("Idempotency-Key", format!("c-{i}"))
                .json(&json!({ "amount": 1000 })).send().await.expect("request");
            r.status().as_u16()
        });
    }
    let statuses = set.join_all().await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 422 || *s == 409), "{statuses:?}");
    let sum: i64 = sqlx::query("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS s FROM payment_operations WHERE payment_id = $1 AND status = 'SUCCEEDED'")
        .bind(&id)
        .fetch_one(&app.db)
        .await
        .expect("sum")
        .try_get("s")
        .expect("s");
    assert_eq!(sum, 5000);
    assert_eq!(get(&app, &id).await["data"]["refundableAmount"], 0);
}

#[tokio::test]
async fn a_session_that_pre_authorizes_holds_the_total_and_the_merchant_captures_it() {
    let app = spawn_app().await;
    let mut req = crate::helpers::payment_request(4000);
    req["payment"]["authorizeCard"] = json!(true);
    req["payment"]["partialAuthorization"] = json!(true);
    let s = json_of(app.create_session(&req).await, 200).await;
    let (sid, secret) = (s["data"]["checkoutSessionId"].as_str().expect("id"), s["data"]["clientSecret"].as_str().expect("secret"));
    let created = crate::helpers::Created { id: sid.to_owned(), secret: secret.to_owned() };
    let quote = app.card_quote(&created).await;
    let paid = json_of(app.confirm(sid, secret, Some("k-1"), &card_confirm(&quote, VISA_OK)).await, 200).await;
    assert_eq!((paid["status"].as_str(), paid["payment"]["status"].as_str()), (Some("COMPLETED"), Some("AUTHORIZED")));
    let total = paid["payment"]["total"].as_i64().expect("total");
    let view = app.merchant_get(sid).await;
    let p = &view["data"]["payment"];
    assert_eq!((p["status"].as_str(), p["paymentType"].as_str(), p["authorizedAmount"].as_i64()), (Some("AUTHORIZED"), Some("PRE_AUTH"), Some(total)));
    let pid = p["id"].as_str().expect("payment id");
    let captured = json_of(post(&app, &format!("/v2/payments/{pid}/capture"), None, None).await, 200).await;
    assert_eq!((captured["payment"]["status"].as_str(), captured["payment"]["capturedAmount"].as_i64()), (Some("COMPLETED"), Some(total)));
    assert_eq!(app.merchant_get(sid).await["data"]["payment"]["capturedAmount"], total);
}

#[tokio::test]
async fn an_operation_a_crash_orphaned_is_released_if_the_processor_never_saw_it_and_recorded_if_it_did() {
    let app = spawn_app().await;
    let (id, _) = pay(&app, &payment("crash-1", VISA_OK, false), 200).await;
    // Two refund claims as a crash leaves them: PENDING, reserved, never answered.
    for (op, amount) in [("op-a", 1000_i64), ("op-b", 2000)] {
        sqlx::query("UPDATE payments SET refund_reserved = refund_reserved + $1 WHERE id = $2").bind(amount).bind(&id).execute(&app.db).await.expect("reserve");
        sqlx::query("INSERT INTO payment_operations (id, payment_id, merchant_id, kind, amount, status, processor_key, idem_key, fingerprint, created_at, updated_at)
                     VALUES ($1, $2, 'demo', 'REFUND', $3, 'PENDING', $4, $1, 'x', 0, 0)")
            .bind(op).bind(&id).bind(amount).bind(format!("op:{op}")).execute(&app.db).await.expect("claim");
    }
    let st = state_on(&app.db, &app.base, app.dist.clone(), checkout_api::limits::Limits::default());
    let reference: String = sqlx::query("SELECT processor_ref FROM payments WHERE id = $1").bind(&id).fetch_one(&app.db).await.expect("ref").try_get("processor_ref").expect("ref");
    // The processor saw op-b (refunded) before the crash; it never saw op-a.
    st.processor
        .operate(checkout_api::processor::OperationRequest {
            kind: checkout_types::payment::OperationKind::Refund,
            charge_reference: &reference,
            amount: 2000,
            currency: checkout_types::money::Currency::USD,
            idempotency_key: "op:op-b",
        })
        .await;
    let settled = checkout_api::domain::worker::settle_operations(&st, 0).await.expect("settle");
    assert_eq!((settled.recorded, settled.released, settled.failed), (1, 1, 0));
    let view = get(&app, &id).await;
    assert_eq!((view["data"]["refundedAmount"].as_i64(), view["data"]["refundableAmount"].as_i64()), (Some(2000), Some(3000)));
    let statuses: Vec<&str> = view["data"]["refunds"].as_array().expect("refunds").iter().filter_map(|r| r["status"].as_str()).collect();
    assert_eq!(statuses, vec!["SUCCEEDED"], "op-a released, op-b recorded");
}

#[tokio::test]
async fn other_merchants_cannot_touch_a_payment_and_card_data_is_not_stored() {
    let app = spawn_app().await;
    let (id, _) = pay(&app, &payment("mine-1", VISA_OK, true), 200).await;
    sqlx::query("INSERT INTO merchants (id, display_name, api_key_hash, webhook_secret, created_at) VALUES ('other', 'Other', $1, 'x', 0)")
        .bind(checkout_api::secrets::sha256_hex(b"sk_other"))
        .execute(&app.db)
        .await
        .expect("merchant");
    for op in ["capture", "void", "refunds"] {
        let r = app.http.post(app.url(&format!("/v2/payments/{id}/{op}"))).bearer_auth("sk_other").header("X-Merchant-Id", "other")
            .header("Idempotency-Key", "x").send().await.expect("req");
        json_of(r, 404).await;
    }
    json_of(post(&app, &format!("/v2/payments/{id}/capture"), None, None).await, 200).await;
    json_of(post(&app, &format!("/v2/payments/{id}/refunds"), Some("r"), None).await, 200).await;
    assert!(!app.all_stored_text().await.contains(VISA_OK), "no card number stored");
}

#[tokio::test]
async fn a_refund_retried_after_its_claim_was_released_reaches_the_processor_under_the_same_key_and_refunds_once() {
    // A server whose processor this test can reach.
    let dir = tempfile::tempdir().expect("dir");
    let (url, _) = crate::helpers::fresh_database_url(dir.path()).await;
    let db = checkout_api::db::connect(&url).await.expect("db");
    checkout_api::demo::seed(&db, KEY, "http://127.0.0.1").await.expect("seed");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let st = state_on(&db, &base, dir.path().join("dist"), checkout_api::limits::Limits::default());
    tokio::spawn(checkout_api::serve(listener, st.clone()));
    let app = TestApp { base, http: reqwest::Client::new(), db: db.clone(), sqlite_file: None, dist: dir.path().join("dist"), _dir: dir };
    let (id, _) = pay(&app, &payment("released-1", VISA_OK, false), 200).await;
    let reference: String = sqlx::query("SELECT processor_ref FROM payments WHERE id = $1").bind(&id).fetch_one(&db).await.expect("ref").try_get("processor_ref").expect("ref");
    // The interrupted request reached the processor with key k-1; its claim was then released.
    let first = st.processor
        .operate(checkout_api::processor::OperationRequest {
            kind: checkout_types::payment::OperationKind::Refund,
            charge_reference: &reference,
            amount: 700,
            currency: checkout_types::money::Currency::USD,
            idempotency_key: &format!("op:{id}:k-1"),
        })
        .await;
    let checkout_api::processor::OperationOutcome::Succeeded { reference: refunded } = first else { panic!("{first:?}") };
    // The merchant's retry with the same key: claimed again, and the processor answers the first refund.
    let r = json_of(post(&app, &format!("/v2/payments/{id}/refunds"), Some("k-1"), Some(&json!({ "amount": 700 }))).await, 200).await;
    assert_eq!(r["data"]["status"], "SUCCEEDED");
    let stored: String = sqlx::query("SELECT processor_ref FROM payment_operations WHERE payment_id = $1").bind(&id).fetch_one(&db).await
        .expect("op").try_get("processor_ref").expect("ref");
    assert_eq!(stored, refunded, "the processor's first refund, not a second one");
}
