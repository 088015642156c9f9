//! Wallet modes: ENTRY saves and completes, WALLET manages, PAYMENT_WITH_WALLET pays with a
//! saved method, SELECT completes with the chosen id, DISPLAY shows one; saved data is sanitized.

use serde_json::{Value, json};

use crate::helpers::{KEY, TestApp, VISA_DECLINED, VISA_OK, json_of, spawn_app};

fn session_body(mode: &str, hsid: &str, extra: Value) -> Value {
    let mut b = json!({
        "customer": { "firstName": "Jane", "hsid": hsid },
        "config": { "modes": [mode], "paymentMethodChannel": { "card": ["WEBFORM"], "bankAccount": ["WEBFORM"] } }
    });
    if let (Some(obj), Some(extra)) = (b.as_object_mut(), extra.as_object()) {
        obj.extend(extra.clone());
    }
    b
}

async fn session(app: &TestApp, mode: &str, hsid: &str, extra: Value) -> (String, String) {
    let r = json_of(app.create_session(&session_body(mode, hsid, extra)).await, 200).await;
    (r["data"]["checkoutSessionId"].as_str().expect("id").to_owned(), r["data"]["clientSecret"].as_str().expect("secret").to_owned())
}

fn card(number: &str) -> Value {
    json!({ "type": "CARD", "card": { "number": number, "expMonth": 4, "expYear": 2031, "cvc": "123", "nameOnCard": "Jane Doe", "zipCode": "54321" } })
}

async fn add(app: &TestApp, id: &str, secret: &str, body: Value) -> reqwest::Response {
    app.http.post(app.url(&format!("/v1/sessions/{id}/payment-methods"))).bearer_auth(secret).json(&body).send().await.expect("req")
}

/// Saves a card through an ENTRY session and returns its id.
async fn saved_card(app: &TestApp, hsid: &str, number: &str) -> String {
    let (id, secret) = session(app, "PAYMENT_METHOD_ENTRY", hsid, json!({})).await;
    let m = json_of(add(app, &id, &secret, json!({ "paymentMethod": card(number) })).await, 200).await;
    m["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn entry_saves_a_sanitized_method_and_completes() {
    let app = spawn_app().await;
    let (id, secret) = session(&app, "PAYMENT_METHOD_ENTRY", "hsid-1", json!({})).await;
    let m = json_of(add(&app, &id, &secret, json!({ "paymentMethod": card(VISA_OK), "nickname": "Work card" })).await, 200).await;
    let keys: Vec<&String> = m.as_object().expect("obj").keys().collect();
    assert_eq!(keys, vec!["brand", "default", "expMonth", "expYear", "id", "last4", "nickname", "type"]);
    assert_eq!((m["brand"].as_str(), m["last4"].as_str(), m["default"].as_bool()), (Some("VISA"), Some("4242"), Some(true)));
    let view = app.merchant_get(&id).await;
    assert_eq!(view["data"]["status"], "COMPLETED");
    assert_eq!(view["data"]["paymentMethodId"], m["id"]);
    let resp = &view["data"]["paymentMethodResponse"];
    assert_eq!(resp["paymentMethodType"], "CARD");
    assert_eq!(resp["card"]["cardBrand"], "VISA");
    assert_eq!(resp["card"]["expiryYear"], 2031);
    // One method per ENTRY session.
    let again = json_of(add(&app, &id, &secret, json!({ "paymentMethod": card(VISA_OK) })).await, 409).await;
    assert_eq!(again["data"]["code"], "already_completed");
    let stored = app.all_stored_text().await;
    assert!(!stored.contains(VISA_OK), "the PAN is not stored");
}

#[tokio::test]
async fn wallet_modes_require_a_customer_identifier() {
    let app = spawn_app().await;
    for mode in ["PAYMENT_METHOD_ENTRY", "WALLET", "PAYMENT_WITH_WALLET", "PAYMENT_METHOD_SELECT"] {
        let mut body = session_body(mode, "x", json!({}));
        body["customer"] = json!({ "firstName": "Guest" });
        let r = json_of(app.create_session(&body).await, 400).await;
        assert_eq!(r["detail"], format!("customer.hsid or customer.enterpriseId is required for {mode}."));
    }
    let r = json_of(app.create_session(&session_body("PAYMENT_METHOD_DISPLAY", "x", json!({}))).await, 400).await;
    assert_eq!(r["detail"], "paymentMethod.id is required for PAYMENT_METHOD_DISPLAY.");
    let r = json_of(app.create_session(&session_body("PAYMENT_METHOD_DISPLAY", "x", json!({"paymentMethod": {"id": "nope"}}))).await, 422).await;
    assert_eq!(r["detail"], "paymentMethod.id does not match a saved payment method of this customer.");
}

#[tokio::test]
async fn wallet_lists_renames_sets_default_and_removes() {
    let app = spawn_app().await;
    let first = saved_card(&app, "hsid-2", VISA_OK).await;
    let (id, secret) = session(&app, "WALLET", "hsid-2", json!({})).await;
    let bank = json!({ "type": "BANK_ACCOUNT", "bankAccount": { "routingNumber": "110000000", "accountNumber": "000123456789", "accountType": "checking", "accountHolderName": "Jane Doe" } });
    let second = json_of(add(&app, &id, &secret, json!({ "paymentMethod": bank })).await, 200).await;
    assert_eq!((second["type"].as_str(), second["last4"].as_str(), second["default"].as_bool()), (Some("BANK_ACCOUNT"), Some("6789"), Some(false)));
    let cfg = json_of(app.config(&id, &secret).await, 200).await;
    assert_eq!(cfg["savedMethods"].as_array().map(Vec::len), Some(2));
    assert_eq!(cfg["preselectedMethodId"], first.as_str());
    assert_eq!(app.merchant_get(&id).await["data"]["status"], "CREATED", "managing does not complete");

    let url = |pm: &str| app.url(&format!("/v1/sessions/{id}/payment-methods/{pm}"));
    let renamed = json_of(app.http.patch(url(second["id"].as_str().expect("id"))).bearer_auth(&secret).json(&json!({"nickname": "Checking", "default": true})).send().await.expect("req"), 200).await;
    assert_eq!((renamed["nickname"].as_str(), renamed["default"].as_bool()), (Some("Checking"), Some(true)));
    let list = json_of(app.http.get(app.url(&format!("/v1/sessions/{id}/payment-methods"))).bearer_auth(&secret).send().await.expect("req"), 200).await;
    let defaults: Vec<bool> = list["data"].as_array().expect("list").iter().map(|m| m["default"].as_bool().unwrap_or(false)).collect();
    assert_eq!(defaults, vec![true, false], "exactly one default, listed first");

    let after = json_of(app.http.delete(url(second["id"].as_str().expect("id"))).bearer_auth(&secret).send().await.expect("req"), 200).await;
    assert_eq!(after["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(after["data"][0]["id"], first.as_str());
    assert_eq!(after["data"][0]["default"], true, "the remaining method becomes default");
    // Removing a method that is not the default leaves the default alone.
    let third = json_of(add(&app, &id, &secret, json!({ "paymentMethod": bank })).await, 200).await;
    assert_eq!(third["default"], false);
    let after = json_of(app.http.delete(url(third["id"].as_str().expect("id"))).bearer_auth(&secret).send().await.expect("req"), 200).await;
    assert_eq!(after["data"].as_array().map(Vec::len), Some(1));
    assert_eq!((after["data"][0]["id"].as_str(), after["data"][0]["default"].as_bool()), (Some(first.as_str()), Some(true)));
    json_of(app.http.delete(url("nope")).bearer_auth(&secret).send().await.expect("req"), 404).await;
    // Another customer's session cannot see or touch this wallet.
    let (other, other_secret) = session(&app, "WALLET", "hsid-other", json!({})).await;
    let theirs = json_of(app.config(&other, &other_secret).await, 200).await;
    assert_eq!(theirs["savedMethods"], json!([]));
    json_of(app.http.delete(app.url(&format!("/v1/sessions/{other}/payment-methods/{first}"))).bearer_auth(&other_secret).send().await.expect("req"), 404).await;
}

#[tokio::test]
async fn pay_with_a_saved_method() {
    let app = spawn_app().await;
    let ok = saved_card(&app, "hsid-3", VISA_OK).await;
    let declining = saved_card(&app, "hsid-3", VISA_DECLINED).await;
    let extra = json!({ "payment": { "merchantTransactionId": uuid::Uuid::new_v4().to_string(), "amount": 5000 } });
    let (id, secret) = session(&app, "PAYMENT_WITH_WALLET", "hsid-3", extra).await;
    let q = json_of(app.quote(&id, &secret, &json!({"method": "CARD", "paymentMethodId": declining})).await, 200).await;
    assert_eq!(q["fee"], 148);
    let declined = json_of(app.confirm(&id, &secret, Some("k1"), &json!({"quoteId": q["quoteId"], "paymentMethodId": declining})).await, 422).await;
    assert_eq!(declined["data"]["code"], "card_declined", "a saved test card behaves like the card");
    let q = json_of(app.quote(&id, &secret, &json!({"method": "CARD", "paymentMethodId": ok})).await, 200).await;
    let paid = json_of(app.confirm(&id, &secret, Some("k2"), &json!({"quoteId": q["quoteId"], "paymentMethodId": ok})).await, 200).await;
    assert_eq!(paid["payment"]["total"], 5148);
    assert_eq!(paid["payment"]["paymentMethod"]["last4"], "4242");
    let view = app.merchant_get(&id).await;
    assert_eq!(view["data"]["status"], "COMPLETED");
    let unknown = saved_card(&app, "hsid-4", VISA_OK).await;
    let extra = json!({ "payment": { "merchantTransactionId": uuid::Uuid::new_v4().to_string(), "amount": 5000 } });
    let (id2, secret2) = session(&app, "PAYMENT_WITH_WALLET", "hsid-3", extra).await;
    let r = json_of(app.quote(&id2, &secret2, &json!({"method": "CARD", "paymentMethodId": unknown})).await, 422).await;
    assert_eq!(r["detail"], "paymentMethodId does not match a saved payment method of this customer.");
}

#[tokio::test]
async fn save_for_future_stores_the_card_after_a_successful_payment() {
    let app = spawn_app().await;
    let extra = json!({ "payment": { "merchantTransactionId": uuid::Uuid::new_v4().to_string(), "amount": 2000 } });
    let (id, secret) = session(&app, "PAYMENT_WITH_WALLET", "hsid-5", extra).await;
    let q = json_of(app.quote(&id, &secret, &json!({"method": "CARD"})).await, 200).await;
    json_of(app.confirm(&id, &secret, Some("k"), &json!({"quoteId": q["quoteId"], "paymentMethod": card(VISA_OK), "saveForFuture": true})).await, 200).await;
    let (w, ws) = session(&app, "WALLET", "hsid-5", json!({})).await;
    let cfg = json_of(app.config(&w, &ws).await, 200).await;
    assert_eq!(cfg["savedMethods"][0]["last4"], "4242");
}

#[tokio::test]
async fn select_completes_with_the_chosen_method_and_display_shows_one() {
    let app = spawn_app().await;
    let a = saved_card(&app, "hsid-6", VISA_OK).await;
    let b = saved_card(&app, "hsid-6", "5555555555554444").await;
    let (id, secret) = session(&app, "PAYMENT_METHOD_SELECT", "hsid-6", json!({"paymentMethod": {"id": b}})).await;
    let cfg = json_of(app.config(&id, &secret).await, 200).await;
    assert_eq!(cfg["preselectedMethodId"], b.as_str());
    let url = app.url(&format!("/v1/sessions/{id}/select"));
    json_of(app.http.post(&url).bearer_auth(&secret).json(&json!({"paymentMethodId": "nope"})).send().await.expect("req"), 422).await;
    let r = json_of(app.http.post(&url).bearer_auth(&secret).json(&json!({"paymentMethodId": a})).send().await.expect("req"), 200).await;
    assert_eq!(r["paymentMethodId"], a.as_str());
    let view = app.merchant_get(&id).await;
    assert_eq!((view["data"]["status"].as_str(), view["data"]["paymentMethodId"].as_str()), (Some("COMPLETED"), Some(a.as_str())));
    json_of(app.http.post(&url).bearer_auth(&secret).json(&json!({"paymentMethodId": b})).send().await.expect("req"), 409).await;

    let (d, ds) = session(&app, "PAYMENT_METHOD_DISPLAY", "hsid-6", json!({"paymentMethod": {"id": b}})).await;
    let cfg = json_of(app.config(&d, &ds).await, 200).await;
    assert_eq!(cfg["mode"], "PAYMENT_METHOD_DISPLAY");
    assert_eq!(cfg["preselectedMethodId"], b.as_str());
    let view = app.merchant_get(&d).await;
    assert_eq!(view["data"]["paymentMethod"]["card"]["cardBrand"], "MASTERCARD");
    // The merchant key never works as a browser credential.
    json_of(app.config(&d, KEY).await, 401).await;
}

#[tokio::test]
async fn the_generate_a_session_seed_sample_is_accepted_as_it_stands() {
    let app = spawn_app().await;
    // Verbatim from the sessions seed, trailing comma included.
    let sample = r#"{
"customer": {
"firstName": "foo",
"lastName": "bar",
"email": "foo.bar@email.com",
"ssnLastFour": "1234",
"dateOfBirth": "1970-31-12",
"phoneNumber": {
"number": "9876543210",
"countryCode": "1"
},
"zip5": "54321",
"hsid": "120c5730-e796-4448-8da9-081fde4e3e79",
"metadata": {}
},
"payment": {
"merchantTransactionId": "f32736c8-266a-4da1-af16-293fa02a351a",
"amount": 1200,
"authorizeCard": false,
},
"config": {
"modes": [
"PAYMENT_METHOD_ENTRY"
],
"paymentMethodChannel": {
"card": [
"WEBFORM",
"TEXT",
"EMAIL",
"GOOGLE_PAY",
"APPLE_PAY"
],
"bankAccount": [
"WEBFORM"
]
},
"privacyPolicyUrl": "https://merchant.com/privacypolicy"
}
}"#;
    let r = app
        .http
        .post(app.url("/v1/sessions"))
        .bearer_auth(KEY)
        .header("X-Merchant-Id", "demo")
        .header("content-type", "application/json")
        .body(sample)
        .send()
        .await
        .expect("req");
    let s = json_of(r, 200).await;
    let id = s["data"]["checkoutSessionId"].as_str().expect("id");
    let cfg = json_of(app.config(id, id).await, 200).await;
    assert_eq!(cfg["mode"], "PAYMENT_METHOD_ENTRY");
    assert_eq!(cfg["privacyPolicyUrl"], "https://merchant.com/privacypolicy");
}

/// The keys of `v` missing from `expected`'s list.
fn missing<'a>(v: &Value, expected: &[&'a str]) -> Vec<&'a str> {
    expected.iter().copied().filter(|k| v.get(*k).is_none()).collect()
}

/// Fields every session view carries, from the sessions contract's samples (the SELECT and
/// DISPLAY samples' full view, the PAYMENT and ENTRY samples' `sessionId` / `status`).
const VIEW: &[&str] = &[
    "sessionId", "id", "status", "checkoutSessionStatus", "checkoutRequest", "merchantId", "customerId", "paymentId",
    "paymentMethodId", "paymentMethod", "payment", "paymentMethodResponse", "error", "expiresAtUtc", "createdAtUtc",
];
const CHECKOUT_REQUEST: &[&str] = &[
    "paymentType", "authorizeCard", "merchantTransactionId", "amount", "statementDescriptorSuffix", "paymentDescription",
    "phoneNumber", "email", "firstName", "config", "metadata", "paymentMethod",
];
const PAYMENT: &[&str] = &[
    "id", "amount", "description", "merchantTransactionId", "merchantId", "paymentType", "currencyCode", "status",
    "paymentMethodId", "metadata", "error", "statementDescriptorSuffix",
];
const METHOD_RESPONSE: &[&str] = &["id", "paymentMethodType", "status", "card", "paymentMethodDetails", "nickname", "default"];

#[tokio::test]
async fn the_session_view_has_the_contract_s_fields_in_every_mode() {
    let app = spawn_app().await;
    let saved = saved_card(&app, "hsid-view", VISA_OK).await;
    let payment = || json!({ "payment": { "merchantTransactionId": uuid::Uuid::new_v4().to_string(), "amount": 5000, "metadata": { "order": "7" } } });
    let mut views = Vec::new();

    // PAYMENT, paid by card.
    let (id, secret) = session(&app, "PAYMENT", "hsid-view", payment()).await;
    let q = json_of(app.quote(&id, &secret, &json!({"method": "CARD", "brand": "VISA"})).await, 200).await;
    let body = crate::helpers::card_confirm(q["quoteId"].as_str().expect("quote"), VISA_OK);
    json_of(app.confirm(&id, &secret, Some("k"), &body).await, 200).await;
    let v = app.merchant_get(&id).await;
    assert_eq!(missing(&v["data"]["payment"], PAYMENT), Vec::<&str>::new(), "PAYMENT's payment");
    assert_eq!((v["data"]["checkoutRequest"]["paymentType"].as_str(), v["data"]["checkoutRequest"]["metadata"]["order"].as_str()), (Some("SALE"), Some("7")));
    views.push(("PAYMENT", v));

    // PAYMENT_WITH_WALLET: the session names the saved method it was paid with.
    let (id, secret) = session(&app, "PAYMENT_WITH_WALLET", "hsid-view", payment()).await;
    let q = json_of(app.quote(&id, &secret, &json!({"method": "CARD", "paymentMethodId": saved})).await, 200).await;
    json_of(app.confirm(&id, &secret, Some("k"), &json!({"quoteId": q["quoteId"], "paymentMethodId": saved})).await, 200).await;
    let v = app.merchant_get(&id).await;
    assert_eq!((v["data"]["paymentMethodId"].as_str(), v["data"]["payment"]["paymentMethodId"].as_str()), (Some(saved.as_str()), Some(saved.as_str())));
    views.push(("PAYMENT_WITH_WALLET", v));

    // PAYMENT_METHOD_ENTRY: the saved method as paymentMethodResponse.
    let (id, secret) = session(&app, "PAYMENT_METHOD_ENTRY", "hsid-view", json!({})).await;
    json_of(add(&app, &id, &secret, json!({ "paymentMethod": card(VISA_OK) })).await, 200).await;
    let v = app.merchant_get(&id).await;
    assert_eq!(missing(&v["data"]["paymentMethodResponse"], METHOD_RESPONSE), Vec::<&str>::new());
    views.push(("PAYMENT_METHOD_ENTRY", v));

    // PAYMENT_METHOD_SELECT: the selected id.
    let (id, secret) = session(&app, "PAYMENT_METHOD_SELECT", "hsid-view", json!({})).await;
    let url = app.url(&format!("/v1/sessions/{id}/select"));
    json_of(app.http.post(&url).bearer_auth(&secret).json(&json!({"paymentMethodId": saved})).send().await.expect("req"), 200).await;
    let v = app.merchant_get(&id).await;
    assert_eq!(v["data"]["paymentMethodId"], saved.as_str());
    views.push(("PAYMENT_METHOD_SELECT", v));

    // PAYMENT_METHOD_DISPLAY: the displayed method, and the request's paymentMethod.id.
    let (id, _) = session(&app, "PAYMENT_METHOD_DISPLAY", "hsid-view", json!({"paymentMethod": {"id": saved}})).await;
    let v = app.merchant_get(&id).await;
    assert_eq!((v["data"]["paymentMethod"]["id"].as_str(), v["data"]["checkoutRequest"]["paymentMethod"]["id"].as_str()), (Some(saved.as_str()), Some(saved.as_str())));
    views.push(("PAYMENT_METHOD_DISPLAY", v));

    // WALLET, open.
    let (id, _) = session(&app, "WALLET", "hsid-view", json!({})).await;
    views.push(("WALLET", app.merchant_get(&id).await));

    for (mode, v) in &views {
        let d = &v["data"];
        assert_eq!(missing(d, VIEW), Vec::<&str>::new(), "{mode}: {d}");
        assert_eq!(missing(&d["checkoutRequest"], CHECKOUT_REQUEST), Vec::<&str>::new(), "{mode}'s checkoutRequest");
        assert_eq!(d["checkoutRequest"]["config"]["modes"], json!([mode]));
        assert_eq!((d["customerId"].as_str(), d["checkoutRequest"]["firstName"].as_str()), (Some("hsid-view"), Some("Jane")), "{mode}");
        assert_eq!(d["checkoutSessionStatus"], d["status"]);
        assert!(v["url"].as_str().is_some_and(|u| u.ends_with(d["id"].as_str().unwrap_or("?"))), "{mode}");
    }
}

#[tokio::test]
async fn a_wallet_session_completes_when_the_payer_is_done_and_tells_the_merchant() {
    let app = spawn_app().await;
    let first = saved_card(&app, "hsid-done", VISA_OK).await;
    let (id, secret) = session(&app, "WALLET", "hsid-done", json!({})).await;
    let done_url = app.url(&format!("/v1/sessions/{id}/complete"));
    let done = json_of(app.http.post(&done_url).bearer_auth(&secret).send().await.expect("req"), 200).await;
    assert_eq!((done["status"].as_str(), done["defaultPaymentMethodId"].as_str()), (Some("COMPLETED"), Some(first.as_str())));
    assert_eq!(done["paymentMethods"].as_array().map(Vec::len), Some(1));
    let view = app.merchant_get(&id).await;
    assert_eq!((view["data"]["status"].as_str(), view["data"]["paymentMethodId"].as_str()), (Some("COMPLETED"), Some(first.as_str())));
    let events = sqlx::query("SELECT body FROM webhook_events WHERE event_type = 'CHECKOUT_SESSION_COMPLETED'")
        .fetch_all(&app.db).await.expect("events");
    let bodies: Vec<Value> = events.iter().map(|r| serde_json::from_str(&sqlx::Row::get::<String, _>(r, "body")).expect("json")).collect();
    let mine: Vec<&Value> = bodies.iter().filter(|b| b["payload"]["checkoutSessionId"] == id.as_str()).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0]["payload"]["mode"].as_str(), mine[0]["payload"]["paymentMethodCount"].as_i64()), (Some("WALLET"), Some(1)));
    // Done once; the finished session changes nothing more.
    let again = json_of(app.http.post(&done_url).bearer_auth(&secret).send().await.expect("req"), 409).await;
    assert_eq!(again["data"]["code"], "already_completed");
    let url = app.url(&format!("/v1/sessions/{id}/payment-methods/{first}"));
    json_of(app.http.delete(&url).bearer_auth(&secret).send().await.expect("req"), 409).await;
    // Only WALLET sessions are finished this way.
    let (select, select_secret) = session(&app, "PAYMENT_METHOD_SELECT", "hsid-done", json!({})).await;
    let r = app.http.post(app.url(&format!("/v1/sessions/{select}/complete"))).bearer_auth(&select_secret).send().await.expect("req");
    json_of(r, 422).await;
}

#[tokio::test]
async fn select_with_an_empty_wallet_adds_a_method_then_selects_it() {
    let app = spawn_app().await;
    let (id, secret) = session(&app, "PAYMENT_METHOD_SELECT", "hsid-empty", json!({})).await;
    assert_eq!(json_of(app.config(&id, &secret).await, 200).await["savedMethods"], json!([]));
    let m = json_of(add(&app, &id, &secret, json!({ "paymentMethod": card(VISA_OK) })).await, 200).await;
    assert_eq!(app.merchant_get(&id).await["data"]["status"], "CREATED", "adding does not complete a SELECT session");
    let url = app.url(&format!("/v1/sessions/{id}/select"));
    let r = json_of(app.http.post(&url).bearer_auth(&secret).json(&json!({"paymentMethodId": m["id"]})).send().await.expect("req"), 200).await;
    assert_eq!(r["status"], "COMPLETED");
    assert_eq!(app.merchant_get(&id).await["data"]["paymentMethodId"], m["id"]);
}
