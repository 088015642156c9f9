//! 3-D Secure: the sandbox's test cards (frictionless, challenge, challenge that fails,
//! authentication unavailable), the challenge's state machine (requiresAction charges nothing;
//! the issuer's page answers; the widget completes once; the same confirm then charges or
//! declines), and the outcome recorded on the payment.

use serde_json::{Value, json};

use crate::helpers::{Created, TestApp, VISA_OK, card_confirm, json_of, spawn_app, spawn_app_with};

const FRICTIONLESS: &str = "4000000000003055";
const CHALLENGE: &str = "4000000000003220";
const CHALLENGE_FAILS: &str = "4000000000003238";
const UNAVAILABLE: &str = "4000000000003097";

async fn quote(app: &TestApp, s: &Created) -> String {
    json_of(app.quote(&s.id, &s.secret, &json!({ "method": "CARD" })).await, 200).await["quoteId"].as_str().unwrap_or_default().to_owned()
}

/// The issuer's page answering for the payer (`approve` or `fail`).
async fn issuer_answers(app: &TestApp, challenge_id: &str, result: &str) {
    let r = app.http.post(app.url(&format!("/challenge/{challenge_id}"))).body(format!("result={result}")).header("content-type", "application/x-www-form-urlencoded").send().await.expect("answer");
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("page").contains("data-done"));
}

async fn complete(app: &TestApp, s: &Created, bearer: &str, challenge_id: &str) -> reqwest::Response {
    app.http.post(app.url(&format!("/v1/sessions/{}/challenge", s.id))).bearer_auth(bearer).json(&json!({ "challengeId": challenge_id })).send().await.expect("complete")
}

fn authentication_of(view: &Value) -> Value {
    view["data"]["payment"]["authentication"].clone()
}

#[tokio::test]
async fn frictionless_and_unavailable_cards_pay_at_once_and_record_how() {
    let app = spawn_app().await;
    for (card, expected) in [
        (FRICTIONLESS, json!({ "outcome": "frictionless", "version": "2.2.0", "eci": "05" })),
        (UNAVAILABLE, json!({ "outcome": "unavailable", "version": null, "eci": "07" })),
        (VISA_OK, json!({ "outcome": "not_required", "version": null, "eci": "07" })),
    ] {
        let s = app.payment_session(1_000).await;
        let q = quote(&app, &s).await;
        let paid = json_of(app.confirm(&s.id, &s.secret, Some("k1"), &card_confirm(&q, card)).await, 200).await;
        assert_eq!(paid["status"], "COMPLETED", "{card}");
        assert!(paid.get("requiresAction").is_none());
        assert_eq!(authentication_of(&app.merchant_get(&s.id).await), expected, "{card}");
    }
}

#[tokio::test]
async fn a_challenge_charges_nothing_until_the_payer_approves_then_the_same_confirm_pays_once() {
    let app = spawn_app().await;
    let s = app.payment_session(1_000).await;
    let q = quote(&app, &s).await;
    let body = card_confirm(&q, CHALLENGE);
    let first = json_of(app.confirm(&s.id, &s.secret, Some("k-ch"), &body).await, 200).await;
    let action = &first["requiresAction"];
    let id = action["challengeId"].as_str().expect("challenge").to_owned();
    assert_eq!(action["url"], format!("{}/challenge/{id}", app.base));
    assert!(first.get("payment").is_none());
    assert_eq!(app.payment_count(&s.id).await, 0, "nothing claimed or charged");
    // The same confirm again: the same challenge.
    let again = json_of(app.confirm(&s.id, &s.secret, Some("k-ch"), &body).await, 200).await;
    assert_eq!(again["requiresAction"]["challengeId"], id);
    // Not answered yet: 422; the page shows the payment.
    let early = json_of(complete(&app, &s, &s.secret, &id).await, 422).await;
    assert_eq!(early["detail"], "The payer has not finished the challenge yet.");
    let page = app.http.get(app.url(&format!("/challenge/{id}"))).send().await.expect("page");
    assert!(page.headers()["content-security-policy"].to_str().unwrap_or("").contains("frame-ancestors 'self'"));
    assert!(page.text().await.expect("page").contains("Demo Store · $10.00"));
    issuer_answers(&app, &id, "approve").await;
    // A forged secret, an unknown challenge, then the completion, then a second one.
    assert_eq!(json_of(complete(&app, &s, "cs_forged", &id).await, 401).await["title"], "UNAUTHORIZED");
    assert_eq!(json_of(complete(&app, &s, &s.secret, "ch_unknown").await, 410).await["title"], "SESSION_TIMEOUT");
    let done = json_of(complete(&app, &s, &s.secret, &id).await, 200).await;
    assert_eq!(done, json!({ "challengeId": id, "status": "APPROVED" }));
    assert_eq!(json_of(complete(&app, &s, &s.secret, &id).await, 409).await["title"], "SESSION_ALREADY_PROCESSED");
    let paid = json_of(app.confirm(&s.id, &s.secret, Some("k-ch"), &body).await, 200).await;
    assert_eq!(paid["status"], "COMPLETED");
    let replay = json_of(app.confirm(&s.id, &s.secret, Some("k-ch"), &body).await, 200).await;
    assert_eq!(replay, paid, "the key's answer replays");
    assert_eq!(app.payment_count(&s.id).await, 1);
    let view = app.merchant_get(&s.id).await;
    assert_eq!(authentication_of(&view), json!({ "outcome": "challenged", "version": "2.2.0", "eci": "05" }));
    let webhook: String = sqlx::query_scalar("SELECT body FROM webhook_events WHERE event_type = 'PAYMENT_SUCCEEDED' AND body LIKE $1")
        .bind(format!("%{}%", s.id))
        .fetch_one(&app.db)
        .await
        .expect("event");
    assert!(webhook.contains("\"outcome\":\"challenged\""), "{webhook}");
}

#[tokio::test]
async fn a_failed_or_abandoned_challenge_leaves_the_session_payable_and_uncharged() {
    let app = spawn_app().await;
    for (card, answer) in [(CHALLENGE, "fail"), (CHALLENGE_FAILS, "approve")] {
        let s = app.payment_session(1_000).await;
        let q = quote(&app, &s).await;
        let body = card_confirm(&q, card);
        let first = json_of(app.confirm(&s.id, &s.secret, Some("k-f"), &body).await, 200).await;
        let id = first["requiresAction"]["challengeId"].as_str().expect("challenge").to_owned();
        issuer_answers(&app, &id, answer).await;
        assert_eq!(json_of(complete(&app, &s, &s.secret, &id).await, 200).await["status"], "FAILED", "{card}");
        let declined = json_of(app.confirm(&s.id, &s.secret, Some("k-f"), &body).await, 422).await;
        assert_eq!(declined["data"]["code"], "authentication_failed");
        assert_eq!(app.payment_count(&s.id).await, 0);
        // The merchant sees the failed authentication (no payment was made).
        let view = app.merchant_get(&s.id).await;
        assert_eq!(view["data"]["authentications"][0]["status"], "FAILED");
        // Another card, a new attempt: charged once.
        let paid = json_of(app.confirm(&s.id, &s.secret, Some("k-f2"), &card_confirm(&q, VISA_OK)).await, 200).await;
        assert_eq!(paid["status"], "COMPLETED");
    }
    // Abandoned: the challenge expires, its key is declined, a new attempt pays.
    let s = app.payment_session(1_000).await;
    let q = quote(&app, &s).await;
    let body = card_confirm(&q, CHALLENGE);
    let id = json_of(app.confirm(&s.id, &s.secret, Some("k-a"), &body).await, 200).await["requiresAction"]["challengeId"].as_str().expect("id").to_owned();
    sqlx::query("UPDATE challenges SET expires_at = 1 WHERE id = $1").bind(&id).execute(&app.db).await.expect("age");
    assert_eq!(json_of(complete(&app, &s, &s.secret, &id).await, 410).await["title"], "SESSION_TIMEOUT");
    assert_eq!(json_of(app.confirm(&s.id, &s.secret, Some("k-a"), &body).await, 422).await["data"]["code"], "authentication_expired");
    let paid = json_of(app.confirm(&s.id, &s.secret, Some("k-a2"), &card_confirm(&q, VISA_OK)).await, 200).await;
    assert_eq!(paid["status"], "COMPLETED");
}

#[tokio::test]
async fn concurrent_completions_and_confirms_of_one_challenge_charge_once() {
    let app = spawn_app_with(checkout_api::limits::Limits::new(None, None)).await;
    let s = app.payment_session(1_000).await;
    let q = quote(&app, &s).await;
    let body = card_confirm(&q, CHALLENGE);
    let confirm_url = app.url(&format!("/v1/sessions/{}/confirm", s.id));
    let race = |url: String, json: Value, key: Option<&'static str>| {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let (http, url, json, secret) = (app.http.clone(), url.clone(), json.clone(), s.secret.clone());
            set.spawn(async move {
                let mut req = http.post(url).bearer_auth(secret).json(&json);
                if let Some(k) = key {
                    req = req.header("Idempotency-Key", k);
                }
                let r = req.send().await.expect("request");
                let status = r.status().as_u16();
                (status, r.json::<Value>().await.unwrap_or(Value::Null))
            });
        }
        set
    };
    // Ten confirms race for the first challenge: one challenge.
    let firsts = race(confirm_url.clone(), body.clone(), Some("k-race")).join_all().await;
    let mut ids: Vec<String> = firsts.iter().map(|(_, b)| b["requiresAction"]["challengeId"].as_str().unwrap_or("none").to_owned()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1, "{firsts:?}");
    issuer_answers(&app, &ids[0], "approve").await;
    let done = race(app.url(&format!("/v1/sessions/{}/challenge", s.id)), json!({ "challengeId": ids[0] }), None).join_all().await;
    let statuses: Vec<u16> = done.iter().map(|(st, _)| *st).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    let confirms = race(confirm_url, body, Some("k-race")).join_all().await;
    assert!(confirms.iter().all(|(st, _)| *st == 200 || *st == 409), "{confirms:?}");
    assert_eq!(app.payment_count(&s.id).await, 1, "one charge");
}

/// A $10.00 session with `signals` (CCG `fraudSignals`), channels card and Google Pay.
async fn session_with_signals(app: &TestApp, signals: Value) -> Created {
    let mut body = crate::helpers::payment_request(1_000);
    body["fraudSignals"] = signals;
    body["config"]["paymentMethodChannel"]["card"] = json!(["WEBFORM", "GOOGLE_PAY"]);
    let r = json_of(app.create_session(&body).await, 200).await;
    Created { id: r["data"]["checkoutSessionId"].as_str().unwrap_or_default().to_owned(), secret: r["data"]["clientSecret"].as_str().unwrap_or_default().to_owned() }
}

#[tokio::test]
async fn the_risk_rules_block_challenge_or_allow_from_the_session_s_fraud_signals() {
    let app = spawn_app().await;
    // Blocked: a readable decline, nothing claimed.
    let s = session_with_signals(&app, json!({ "merchantRiskScore": 90 })).await;
    let q = quote(&app, &s).await;
    let e = json_of(app.confirm(&s.id, &s.secret, Some("r1"), &card_confirm(&q, VISA_OK)).await, 422).await;
    assert_eq!((e["data"]["code"].as_str(), e["data"]["riskScore"].as_i64()), (Some("risk_blocked"), Some(90)));
    assert_eq!(app.payment_count(&s.id).await, 0);
    // Challenge: a card that needs none is challenged (a new account shipping elsewhere, asked
    // from another IP than the merchant saw: 25 + 15 + 15 = 55), then pays as `challenged`.
    let s = session_with_signals(&app, json!({ "accountAgeDays": 0, "shippingMatchesBilling": false, "customerIp": "203.0.113.7" })).await;
    let q = quote(&app, &s).await;
    let body = card_confirm(&q, VISA_OK);
    let first = json_of(app.confirm(&s.id, &s.secret, Some("r2"), &body).await, 200).await;
    let id = first["requiresAction"]["challengeId"].as_str().expect("a challenge").to_owned();
    issuer_answers(&app, &id, "approve").await;
    json_of(complete(&app, &s, &s.secret, &id).await, 200).await;
    assert_eq!(json_of(app.confirm(&s.id, &s.secret, Some("r2"), &body).await, 200).await["status"], "COMPLETED");
    assert_eq!(authentication_of(&app.merchant_get(&s.id).await)["outcome"], "challenged");
    // The same signals from the IP the merchant saw (40 < 50): allowed.
    let s = session_with_signals(&app, json!({ "accountAgeDays": 0, "shippingMatchesBilling": false, "customerIp": "127.0.0.1" })).await;
    let q = quote(&app, &s).await;
    assert_eq!(json_of(app.confirm(&s.id, &s.secret, Some("r3"), &card_confirm(&q, VISA_OK)).await, 200).await["status"], "COMPLETED");
    // A device wallet is not challenged: it pays.
    let s = session_with_signals(&app, json!({ "merchantRiskScore": 60 })).await;
    let q = json_of(app.quote(&s.id, &s.secret, &json!({ "method": "GOOGLE_PAY" })).await, 200).await;
    let wallet = json!({ "quoteId": q["quoteId"], "paymentMethod": { "type": "GOOGLE_PAY", "googlePay": { "token": "tok-risk", "network": "VISA", "last4": "1111" } } });
    assert_eq!(json_of(app.confirm(&s.id, &s.secret, Some("r4"), &wallet).await, 200).await["status"], "COMPLETED");
    // Earlier declines count: two declines at merchant score 30 reach 50, the third try is challenged.
    let s = session_with_signals(&app, json!({ "merchantRiskScore": 30 })).await;
    let q = quote(&app, &s).await;
    for k in ["d1", "d2"] {
        json_of(app.confirm(&s.id, &s.secret, Some(k), &card_confirm(&q, crate::helpers::VISA_DECLINED)).await, 422).await;
    }
    let third = json_of(app.confirm(&s.id, &s.secret, Some("d3"), &card_confirm(&q, VISA_OK)).await, 200).await;
    assert!(third["requiresAction"]["challengeId"].is_string(), "{third}");
}

#[tokio::test]
async fn fraud_signals_are_checked_in_both_dialects() {
    let app = spawn_app().await;
    let mut body = crate::helpers::payment_request(1_000);
    body["fraudSignals"] = json!({ "merchantRiskScore": 101 });
    assert_eq!(json_of(app.create_session(&body).await, 400).await["detail"], "fraudSignals.merchantRiskScore must be a whole number from 0 to 100.");
    let hosted = |signals: Value| {
        app.http
            .post(app.url("/v1/hosted-sessions"))
            .bearer_auth(crate::helpers::KEY)
            .header("X-Payment-Account-Uid", "demo")
            .json(&json!({ "amount": 1_000, "success_url": "https://shop.example/done", "cancel_url": "https://shop.example/cart", "fraud_signals": signals }))
            .send()
    };
    assert_eq!(hosted(json!({ "customer_ip": "203.0.113.7", "returning_customer": true })).await.expect("req").status(), 200);
    let bad = json_of(hosted(json!({ "customer_ip": "not an ip" })).await.expect("req"), 400).await;
    assert_eq!(bad["detail"], "fraud_signals.customerIp must be an IPv4 or IPv6 address.");
}

#[tokio::test]
async fn a_card_saved_after_a_challenge_is_flagged_authenticated() {
    let app = spawn_app().await;
    let body = json!({
        "customer": { "hsid": "h-3ds-save", "firstName": "Pat" },
        "payment": { "merchantTransactionId": uuid::Uuid::new_v4().to_string(), "amount": 1_000 },
        "config": { "modes": ["PAYMENT_WITH_WALLET"], "paymentMethodChannel": { "card": ["WEBFORM"] } }
    });
    let r = json_of(app.create_session(&body).await, 200).await;
    let s = Created { id: r["data"]["checkoutSessionId"].as_str().unwrap_or_default().to_owned(), secret: r["data"]["clientSecret"].as_str().unwrap_or_default().to_owned() };
    let q = quote(&app, &s).await;
    let mut confirm = card_confirm(&q, CHALLENGE);
    confirm["saveForFuture"] = json!(true);
    let first = json_of(app.confirm(&s.id, &s.secret, Some("save-1"), &confirm).await, 200).await;
    let id = first["requiresAction"]["challengeId"].as_str().expect("challenge").to_owned();
    issuer_answers(&app, &id, "approve").await;
    json_of(complete(&app, &s, &s.secret, &id).await, 200).await;
    assert_eq!(json_of(app.confirm(&s.id, &s.secret, Some("save-1"), &confirm).await, 200).await["status"], "COMPLETED");
    let flags: Vec<i64> = sqlx::query_scalar("SELECT authenticated FROM payment_methods").fetch_all(&app.db).await.expect("methods");
    assert_eq!(flags, [1]);
}

#[tokio::test]
async fn a_used_key_is_judged_by_its_record_before_any_challenge() {
    let app = spawn_app().await;
    // Two declines at merchant score 30 make every later card need a challenge (30 + 20 = 50).
    let s = session_with_signals(&app, json!({ "merchantRiskScore": 30 })).await;
    let q = quote(&app, &s).await;
    for k in ["used-1", "used-2"] {
        json_of(app.confirm(&s.id, &s.secret, Some(k), &card_confirm(&q, crate::helpers::VISA_DECLINED)).await, 422).await;
    }
    // The first key with another body: the key's own verdict, not a challenge.
    let e = json_of(app.confirm(&s.id, &s.secret, Some("used-1"), &card_confirm(&q, VISA_OK)).await, 422).await;
    assert_eq!(e["title"], "IDEMPOTENCY_KEY_REUSED");
    // The same body replays its decline.
    let again = json_of(app.confirm(&s.id, &s.secret, Some("used-1"), &card_confirm(&q, crate::helpers::VISA_DECLINED)).await, 422).await;
    assert_eq!(again["data"]["code"], "card_declined");
    assert_eq!(app.payment_count(&s.id).await, 2);
}

#[tokio::test]
async fn a_card_declined_in_other_sessions_is_challenged_and_another_card_is_not() {
    let app = spawn_app().await;
    // The same card declined once in each of two sessions (no risk signals there).
    for k in ["a", "b"] {
        let s = app.payment_session(1_000).await;
        let q = quote(&app, &s).await;
        json_of(app.confirm(&s.id, &s.secret, Some(k), &card_confirm(&q, crate::helpers::VISA_DECLINED)).await, 422).await;
    }
    let fps: Vec<String> = sqlx::query_scalar("SELECT card_fingerprint FROM payments").fetch_all(&app.db).await.expect("fingerprints");
    assert!(fps.len() == 2 && fps[0] == fps[1] && fps[0].starts_with("fp_") && !fps[0].contains("0002"), "{fps:?}");
    // At merchant score 30, its two declines (+20) reach 50: that card is challenged...
    let s = session_with_signals(&app, json!({ "merchantRiskScore": 30 })).await;
    let q = quote(&app, &s).await;
    let third = json_of(app.confirm(&s.id, &s.secret, Some("c"), &card_confirm(&q, crate::helpers::VISA_DECLINED)).await, 200).await;
    assert!(third["requiresAction"]["challengeId"].is_string(), "{third}");
    // ...another card is not.
    let other = json_of(app.confirm(&s.id, &s.secret, Some("d"), &card_confirm(&q, VISA_OK)).await, 200).await;
    assert_eq!(other["status"], "COMPLETED");
}
