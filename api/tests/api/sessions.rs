//! Sessions: creation (CCG dialect), merchant auth, widget config and the browser credential.

use serde_json::{Value, json};

use crate::helpers::{KEY, json_of, payment_request, spawn_app};

#[tokio::test]
async fn create_returns_credentials_and_urls() {
    let app = spawn_app().await;
    let body = json_of(app.create_session(&payment_request(1500)).await, 200).await;
    let d = &body["data"];
    let id = d["checkoutSessionId"].as_str().expect("id");
    assert_eq!(d["sessionId"], id);
    assert_eq!(d["status"], "CREATED");
    let secret = d["clientSecret"].as_str().expect("secret");
    assert!(secret.starts_with(&format!("{id}_secret_")));
    assert!(secret.len() >= id.len() + "_secret_".len() + 32, "at least 128 bits of randomness");
    let hosted = d["hostedUrl"].as_str().expect("hostedUrl");
    assert_eq!(hosted, format!("{}/pay/{id}#cs={secret}", app.base));
    assert!(!hosted.split('#').next().unwrap_or("").contains("secret"), "secret only in the fragment");
    assert_eq!(d["url"], format!("{}/v1/sessions/{id}", app.base));
    assert_eq!(d["embedUrl"], format!("{}/embed/{id}", app.base));
    assert!(d["expiresAt"].as_str().expect("expiresAt").ends_with('Z'));
    assert!(uuid::Uuid::parse_str(id).is_ok_and(|u| u.get_version_num() == 4));
}

#[tokio::test]
async fn seed_sample_payment_request_is_accepted() {
    let app = spawn_app().await;
    let sample = json!({
        "customer": {
            "firstName": "Jane", "lastName": "Doe", "email": "jane.doe@example.com",
            "hsid": "120c5730-e796-4448-8da9-081fde4e3e79",
            "phoneNumber": { "number": "9876543210", "countryCode": "1" }, "zip5": "54321",
            "ssnLastFour": "1234", "dateOfBirth": "1970-31-12"
        },
        "payment": { "merchantTransactionId": "ORDER-12345", "statementDescriptorSuffix": "Test Order", "amount": 15000, "authorizeCard": false },
        "config": { "modes": ["PAYMENT"], "paymentMethodChannel": { "card": ["WEBFORM", "GOOGLE_PAY", "APPLE_PAY"], "bankAccount": ["WEBFORM"] } }
    });
    json_of(app.create_session(&sample).await, 200).await;
    // Identity documents are not kept.
    let stored = app.all_stored_text().await;
    assert!(!stored.contains("1970-31-12") && !stored.contains("ssnLastFour"));
}

#[tokio::test]
async fn merchant_auth_is_required_and_checked() {
    let app = spawn_app().await;
    let url = app.url("/v1/sessions");
    let body = payment_request(1500);
    let none = app.http.post(&url).header("X-Merchant-Id", "demo").json(&body).send().await.expect("req");
    assert_eq!(
        json_of(none, 401).await,
        json!({"title": "UNAUTHORIZED", "status": 401, "detail": "Missing or invalid credentials."})
    );
    let wrong = app.http.post(&url).bearer_auth("sk_test_wrong").header("X-Merchant-Id", "demo").json(&body);
    assert_eq!(json_of(wrong.send().await.expect("req"), 401).await["title"], "UNAUTHORIZED");
    let unknown = app.http.post(&url).bearer_auth(KEY).header("X-Merchant-Id", "nope").json(&body);
    assert_eq!(
        json_of(unknown.send().await.expect("req"), 404).await,
        json!({"title": "MERCHANT_NOT_FOUND", "status": 404, "detail": "No active merchant matches the merchant id header."})
    );
    let no_id = app.http.post(&url).bearer_auth(KEY).json(&body).send().await.expect("req");
    assert_eq!(json_of(no_id, 400).await["detail"], "The X-Merchant-Id header is required.");
}

#[tokio::test]
async fn bad_create_requests_get_400_and_write_nothing() {
    let app = spawn_app().await;
    let malformed = app
        .http
        .post(app.url("/v1/sessions"))
        .bearer_auth(KEY)
        .header("X-Merchant-Id", "demo")
        .header("content-type", "application/json")
        .body("{\"customer\": {")
        .send()
        .await
        .expect("req");
    assert_eq!(
        json_of(malformed, 400).await,
        json!({"title": "INVALID_REQUEST", "status": 400, "detail": "Malformed JSON body."})
    );
    let mut cases: Vec<(Value, &str)> = vec![];
    let mut b = payment_request(0);
    cases.push((b.clone(), "payment.amount must be between 1 and 100000000 minor units."));
    b["payment"]["amount"] = json!(100_000_001);
    cases.push((b.clone(), "payment.amount must be between 1 and 100000000 minor units."));
    b["payment"]["amount"] = json!(12.5);
    cases.push((b.clone(), "Invalid type or value at `payment.amount`."));
    let mut b = payment_request(100);
    b["config"]["modes"] = json!(["PAYMENT", "WALLET"]);
    cases.push((b.clone(), "config.modes must hold exactly one mode."));
    b["config"]["modes"] = json!(["SHOPPING"]);
    cases.push((b.clone(), "config.modes: unknown mode `SHOPPING`; use PAYMENT, PAYMENT_METHOD_ENTRY, PAYMENT_WITH_WALLET, WALLET, PAYMENT_METHOD_SELECT or PAYMENT_METHOD_DISPLAY."));
    let mut b = payment_request(100);
    b.as_object_mut().expect("obj").remove("payment");
    cases.push((b, "payment is required for this mode."));
    let mut b = payment_request(100);
    b.as_object_mut().expect("obj").remove("customer");
    cases.push((b, "customer is required."));
    let mut b = payment_request(100);
    b["payment"]["merchantTransactionId"] = json!("x".repeat(51));
    cases.push((b, "payment.merchantTransactionId must be 1-50 characters."));
    let mut b = payment_request(100);
    b["payment"]["authorizeCard"] = json!(true);
    cases.push((b, "payment.authorizeCard: true requires payment.partialAuthorization: true."));
    let mut b = payment_request(100);
    b["config"]["paymentMethodChannel"]["card"] = json!(["FAX"]);
    cases.push((b, "config.paymentMethodChannel.card: unknown channel `FAX`; use WEBFORM, TEXT, EMAIL, GOOGLE_PAY or APPLE_PAY."));
    for (body, detail) in cases {
        let got = json_of(app.create_session(&body).await, 400).await;
        assert_eq!(got, json!({"title": "INVALID_REQUEST", "status": 400, "detail": detail}), "{body}");
    }
    let n: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) AS n FROM sessions").fetch_one(&app.db).await.expect("count"),
        "n",
    )
    .expect("n");
    assert_eq!(n, 0, "no half-written rows");
}

#[tokio::test]
async fn merchant_transaction_id_is_unique_per_merchant() {
    let app = spawn_app().await;
    let body = payment_request(100);
    json_of(app.create_session(&body).await, 200).await;
    let dup = json_of(app.create_session(&body).await, 400).await;
    assert_eq!(dup["detail"], "payment.merchantTransactionId is already used by another session of this merchant.");
}

#[tokio::test]
async fn config_accepts_secret_or_session_id_and_nothing_else() {
    let app = spawn_app().await;
    let a = app.payment_session(1500).await;
    let b = app.payment_session(1500).await;
    let by_secret = json_of(app.config(&a.id, &a.secret).await, 200).await;
    assert_eq!(by_secret["sessionId"], a.id.as_str());
    assert_eq!(by_secret["mode"], "PAYMENT");
    assert_eq!(by_secret["status"], "CREATED");
    assert_eq!(by_secret["amount"], 1500);
    assert_eq!(by_secret["currencyCode"], "USD");
    assert_eq!(by_secret["merchantName"], "Demo Store");
    assert_eq!(by_secret["channels"], json!({"card": ["WEBFORM"], "bankAccount": ["WEBFORM"]}));
    assert_eq!(by_secret["savedMethods"], json!([]));
    json_of(app.config(&a.id, &a.id).await, 200).await;

    let unauthorized = json!({"title": "UNAUTHORIZED", "status": 401, "detail": "Missing or invalid credentials."});
    let forged = format!("{}_secret_{}", a.id, "0".repeat(48));
    for bearer in [forged.as_str(), b.secret.as_str(), b.id.as_str(), "x"] {
        assert_eq!(json_of(app.config(&a.id, bearer).await, 401).await, unauthorized, "{bearer}");
    }
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_eq!(json_of(app.config(&unknown, &unknown).await, 401).await, unauthorized);
    let no_header = app.http.get(app.url(&format!("/v1/sessions/{}/config", a.id))).send().await.expect("req");
    assert_eq!(json_of(no_header, 401).await, unauthorized);
}

#[tokio::test]
async fn expired_sessions_answer_410_and_show_expired() {
    let app = spawn_app().await;
    let s = app.payment_session(1500).await;
    sqlx::query("UPDATE sessions SET expires_at = 0 WHERE id = $1").bind(&s.id).execute(&app.db).await.expect("age");
    assert_eq!(
        json_of(app.config(&s.id, &s.secret).await, 410).await,
        json!({"title": "SESSION_TIMEOUT", "status": 410, "detail": "The checkout session has expired. Create a new session."})
    );
    assert_eq!(json_of(app.quote(&s.id, &s.secret, &json!({"method": "CARD"})).await, 410).await["title"], "SESSION_TIMEOUT");
    assert_eq!(app.merchant_get(&s.id).await["data"]["status"], "EXPIRED");
}

#[tokio::test]
async fn merchants_only_see_their_own_sessions() {
    let app = spawn_app().await;
    let s = app.payment_session(1500).await;
    sqlx::query(
        "INSERT INTO merchants (id, display_name, api_key_hash, webhook_secret, created_at) VALUES ('other', 'Other', $1, 'x', 0)",
    )
    .bind(checkout_api::secrets::sha256_hex(b"sk_other"))
    .execute(&app.db)
    .await
    .expect("merchant");
    let resp = app
        .http
        .get(app.url(&format!("/v1/sessions/{}", s.id)))
        .bearer_auth("sk_other")
        .header("X-Merchant-Id", "other")
        .send()
        .await
        .expect("req");
    assert_eq!(json_of(resp, 404).await["title"], "NOT_FOUND");
    let mine = app.merchant_get(&s.id).await;
    assert_eq!(mine["data"]["status"], "CREATED");
    assert_eq!(mine["data"]["amount"], 1500);
    assert_eq!(mine["data"]["payment"], Value::Null);
}

#[tokio::test]
async fn expire_cancels_and_blocks_payment() {
    let app = spawn_app().await;
    let s = app.payment_session(1500).await;
    let resp = app
        .http
        .post(app.url(&format!("/v1/sessions/{}/expire", s.id)))
        .bearer_auth(KEY)
        .header("X-Merchant-Id", "demo")
        .send()
        .await
        .expect("req");
    assert_eq!(json_of(resp, 200).await["data"]["status"], "CANCELED");
    assert_eq!(app.merchant_get(&s.id).await["data"]["status"], "CANCELED");
    let q = json_of(app.quote(&s.id, &s.secret, &json!({"method": "CARD"})).await, 409).await;
    assert_eq!(q["data"]["code"], "session_closed");
}

#[tokio::test]
async fn health_and_unknown_routes() {
    let app = spawn_app().await;
    let h = app.http.get(app.url("/healthz")).send().await.expect("req");
    assert_eq!(json_of(h, 200).await, json!({"status": "ok"}));
    let nf = app.http.get(app.url("/v1/nothing")).send().await.expect("req");
    assert_eq!(json_of(nf, 404).await["title"], "NOT_FOUND");
}

#[tokio::test]
async fn loader_is_served_with_the_sri_hash_the_readme_publishes() {
    let app = spawn_app().await;
    let resp = app.http.get(app.url("/v1/govifi.js")).send().await.expect("req");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    let body = resp.text().await.expect("body");
    assert!(body.contains("customElements.define('govifi-payment'"));
    let sri = checkout_api::pages::loader_sri();
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README");
    assert!(readme.contains(&sri), "README must publish the loader's current SRI hash {sri}");
}

#[tokio::test]
async fn a_ccg_session_may_name_a_cancel_url_which_the_widget_config_carries() {
    let app = crate::helpers::spawn_app().await;
    let mut body = crate::helpers::payment_request(1_000);
    body["config"]["cancelUrl"] = serde_json::json!("javascript:alert(1)");
    let r = crate::helpers::json_of(app.create_session(&body).await, 400).await;
    assert_eq!(r["detail"], "config.cancelUrl must be an http(s) URL.");
    body["config"]["cancelUrl"] = serde_json::json!("https://shop.example/cart");
    let s = crate::helpers::json_of(app.create_session(&body).await, 200).await;
    let id = s["data"]["checkoutSessionId"].as_str().expect("id");
    let cfg = crate::helpers::json_of(app.config(id, s["data"]["clientSecret"].as_str().expect("secret")).await, 200).await;
    assert_eq!(cfg["cancelUrl"], "https://shop.example/cart");
}

#[tokio::test]
async fn line_items_are_checked_stored_as_name_quantity_amount_and_given_to_the_widget() {
    let app = crate::helpers::spawn_app().await;
    let mut body = crate::helpers::payment_request(3_000);
    for (items, detail) in [
        (serde_json::json!([{ "amount": 100 }]), "payment.lineItems[0].name must be 1-100 characters."),
        (serde_json::json!([{ "name": "Fee", "amount": -1 }]), "payment.lineItems[0].amount must be the line's total, 0 to 100000000 minor units."),
        (serde_json::json!([{ "name": "Fee", "amount": 1, "quantity": 0 }]), "payment.lineItems[0].quantity must be an integer from 1 to 10000."),
    ] {
        body["payment"]["lineItems"] = items;
        let r = crate::helpers::json_of(app.create_session(&body).await, 400).await;
        assert_eq!(r["detail"], detail);
    }
    body["payment"]["lineItems"] = serde_json::json!([{ "name": "Membership", "amount": 2500 }, { "description": "Guest pass", "quantity": 2, "amount": 500 }]);
    let s = crate::helpers::json_of(app.create_session(&body).await, 200).await;
    let (id, secret) = (s["data"]["checkoutSessionId"].as_str().expect("id"), s["data"]["clientSecret"].as_str().expect("secret"));
    let cfg = crate::helpers::json_of(app.config(id, secret).await, 200).await;
    assert_eq!(cfg["lineItems"], serde_json::json!([
        { "name": "Membership", "quantity": 1, "amount": 2500 }, { "name": "Guest pass", "quantity": 2, "amount": 500 }]));
    // A PATCH replaces them, checked the same way.
    let patch = |items: serde_json::Value| app.http.patch(app.url(&format!("/v1/sessions/{id}"))).bearer_auth(crate::helpers::KEY)
        .header("X-Merchant-Id", "demo").json(&serde_json::json!({ "line_items": items })).send();
    crate::helpers::json_of(patch(serde_json::json!([{ "name": "" , "amount": 1 }])).await.expect("req"), 400).await;
    crate::helpers::json_of(patch(serde_json::json!([{ "name": "Membership", "amount": 3000 }])).await.expect("req"), 200).await;
    let cfg = crate::helpers::json_of(app.config(id, secret).await, 200).await;
    assert_eq!(cfg["lineItems"], serde_json::json!([{ "name": "Membership", "quantity": 1, "amount": 3000 }]));
}
