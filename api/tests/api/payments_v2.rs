//! `/v2/payments`: every validation rule and edge case of the payments seeds.

use serde_json::{Value, json};

use crate::helpers::{KEY, TestApp, VISA_DECLINED, VISA_OK, json_of, spawn_app};

fn body(mtid: &str, number: &str) -> Value {
    json!({
        "merchantTransactionId": mtid,
        "amount": 5000,
        "currencyCode": "USD",
        "authorizeCard": false,
        "partialAuthorization": false,
        "customer": { "enterpriseIdentifier": "123456789" },
        "metadata": { "orderId": "12345" },
        "paymentAllocations": [{ "amount": 5000, "paymentMethod": { "type": "CARD", "card": { "number": number, "expMonth": 12, "expYear": 2034, "cvc": "123" } } }]
    })
}

async fn pay(app: &TestApp, body: &Value) -> reqwest::Response {
    app.http.post(app.url("/v2/payments")).bearer_auth(KEY).header("X-Merchant-Id", "demo").json(body).send().await.expect("req")
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.http.get(app.url(path)).bearer_auth(KEY).header("X-Merchant-Id", "demo").send().await.expect("req")
}

#[tokio::test]
async fn validation_rules_are_400() {
    let app = spawn_app().await;
    let cases: Vec<(Box<dyn Fn(&mut Value)>, &str)> = vec![
        (Box::new(|b| b["paymentAllocations"] = json!([])), "paymentAllocations must contain exactly 1 item."),
        (Box::new(|b| { let a = b["paymentAllocations"][0].clone(); b["paymentAllocations"] = json!([a.clone(), a]); }), "paymentAllocations must contain exactly 1 item."),
        (Box::new(|b| b["paymentAllocations"][0]["amount"] = json!(4999)), "paymentAllocations[0].amount must equal amount."),
        (Box::new(|b| { b["amount"] = json!(0); b["paymentAllocations"][0]["amount"] = json!(0); }), "amount must be between 1 and 100000000 minor units."),
        (Box::new(|b| { b["amount"] = json!(100_000_001); b["paymentAllocations"][0]["amount"] = json!(100_000_001); }), "amount must be between 1 and 100000000 minor units."),
        (Box::new(|b| b["merchantTransactionId"] = json!("x".repeat(51))), "merchantTransactionId must be 1-50 characters."),
        (Box::new(|b| b["merchantTransactionId"] = json!("")), "merchantTransactionId must be 1-50 characters."),
        (Box::new(|b| b["paymentAllocations"][0]["paymentMethodId"] = json!("pm")), "paymentAllocations[0] needs either paymentMethodId or paymentMethod, not both."),
        (Box::new(|b| { b["paymentAllocations"][0].as_object_mut().map(|o| o.remove("paymentMethod")); }), "paymentAllocations[0] needs either paymentMethodId or paymentMethod, not both."),
        (Box::new(|b| b["authorizeCard"] = json!(true)), "authorizeCard: true requires partialAuthorization: true."),
        (Box::new(|b| b["customer"] = json!({ "firstName": "No id" })), "customer must have an identifier: hsid, enterpriseIdentifier or metadata."),
    ];
    for (mutate, detail) in cases {
        let mut b = body("m-1", VISA_OK);
        mutate(&mut b);
        let r = json_of(pay(&app, &b).await, 400).await;
        assert_eq!(r, json!({"title": "INVALID_REQUEST", "status": 400, "detail": detail}), "{b}");
    }
    // metadata alone identifies a customer; authorizeCard with partialAuthorization is fine.
    let mut b = body("m-2", VISA_OK);
    b["customer"] = json!({ "metadata": { "crm": "42" } });
    b["authorizeCard"] = json!(true);
    b["partialAuthorization"] = json!(true);
    json_of(pay(&app, &b).await, 200).await;
}

#[tokio::test]
async fn success_then_duplicate_returns_the_existing_payment() {
    let app = spawn_app().await;
    let first = json_of(pay(&app, &body("order-1", VISA_OK)).await, 200).await;
    let d = &first["data"];
    assert_eq!((d["status"].as_str(), d["amount"].as_i64(), d["attempt"].as_i64()), (Some("COMPLETED"), Some(5000), Some(1)));
    assert_eq!(d["paymentAllocations"][0]["paymentMethod"]["card"], json!({"lastFour": "4242", "brand": "visa"}));
    assert_eq!(d["metadata"], json!({"orderId": "12345"}));
    let again = json_of(pay(&app, &body("order-1", VISA_DECLINED)).await, 200).await;
    assert_eq!(again["data"]["id"], d["id"], "no new processing");
    let by_id = json_of(get(&app, &format!("/v2/payments/{}", d["id"].as_str().expect("id"))).await, 200).await;
    assert_eq!(by_id["data"], first["data"]);
    let by_mtid = json_of(get(&app, "/v2/payments?merchantTransactionId=order-1").await, 200).await;
    assert_eq!(by_mtid["data"]["id"], d["id"]);
    json_of(get(&app, "/v2/payments?merchantTransactionId=nope").await, 404).await;
    json_of(get(&app, "/v2/payments/nope").await, 404).await;
}

#[tokio::test]
async fn five_attempts_then_422() {
    let app = spawn_app().await;
    for i in 1..=5 {
        let r = json_of(pay(&app, &body("order-2", VISA_DECLINED)).await, 422).await;
        assert_eq!(r["title"], "PAYMENT_ERROR");
        assert_eq!(r["detail"], "Your card was declined.");
        assert_eq!(r["data"]["attempt"], i);
        assert_eq!(r["data"]["paymentAllocations"][0]["error"]["errorDetails"]["declineCode"], "generic_decline");
    }
    let sixth = json_of(pay(&app, &body("order-2", VISA_OK)).await, 422).await;
    assert_eq!(sixth["title"], "UNPROCESSABLE_ENTITY");
    assert_eq!(sixth["detail"], "merchantTransactionId has used all 5 attempts. Use a new merchantTransactionId.");
}

#[tokio::test]
async fn retry_after_failure_may_change_the_card() {
    let app = spawn_app().await;
    json_of(pay(&app, &body("order-3", "4000000000000069")).await, 422).await;
    let ok = json_of(pay(&app, &body("order-3", VISA_OK)).await, 200).await;
    assert_eq!(ok["data"]["attempt"], 2);
}

#[tokio::test]
async fn saved_methods_must_belong_to_the_customer() {
    let app = spawn_app().await;
    let mut b = body("order-4", VISA_OK);
    b["paymentAllocations"][0] = json!({ "amount": 5000, "paymentMethodId": "7b30960f-8a19-4ae0-8d73-46849365f81d" });
    let r = json_of(pay(&app, &b).await, 422).await;
    assert_eq!(r["detail"], "paymentMethodId does not match a saved payment method of this customer.");
}

#[tokio::test]
async fn session_transaction_ids_are_not_reused_and_other_merchants_see_nothing() {
    let app = spawn_app().await;
    let resp = app.create_session(&crate::helpers::payment_request(100)).await;
    let s = json_of(resp, 200).await;
    let sid = s["data"]["checkoutSessionId"].as_str().expect("id");
    let mtid: String = sqlx::Row::try_get(
        &sqlx::query("SELECT merchant_transaction_id FROM sessions WHERE id = $1").bind(sid).fetch_one(&app.db).await.expect("row"),
        "merchant_transaction_id",
    )
    .expect("mtid");
    json_of(pay(&app, &body(&mtid, VISA_OK)).await, 422).await;
    let p = json_of(pay(&app, &body("order-5", VISA_OK)).await, 200).await;
    sqlx::query("INSERT INTO merchants (id, display_name, api_key_hash, webhook_secret, created_at) VALUES ('other', 'Other', $1, 'x', 0)")
        .bind(checkout_api::secrets::sha256_hex(b"sk_other"))
        .execute(&app.db)
        .await
        .expect("merchant");
    let r = app.http.get(app.url(&format!("/v2/payments/{}", p["data"]["id"].as_str().expect("id"))))
        .bearer_auth("sk_other").header("X-Merchant-Id", "other").send().await.expect("req");
    json_of(r, 404).await;
}

#[tokio::test]
async fn slow_processor_answers_202_pending_and_get_shows_the_final_state() {
    let app = spawn_app().await;
    let r = json_of(pay(&app, &body("order-slow", checkout_api::processor::sandbox::SLOW_CARD)).await, 202).await;
    assert_eq!(r["data"]["status"], "PENDING");
    let id = r["data"]["id"].as_str().expect("id").to_owned();
    let dup = json_of(pay(&app, &body("order-slow", VISA_OK)).await, 200).await;
    assert_eq!((dup["data"]["id"].as_str(), dup["data"]["status"].as_str()), (Some(id.as_str()), Some("PENDING")));
    let mut status = Value::Null;
    for _ in 0..80 {
        status = json_of(get(&app, &format!("/v2/payments/{id}")).await, 200).await["data"]["status"].clone();
        if status == "COMPLETED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "COMPLETED");
}
