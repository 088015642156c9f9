//! Fee quotes and confirm: fees, success, declines, idempotency, exactly-once under concurrency,
//! and card data never stored.

use serde_json::{Value, json};

use crate::helpers::{VISA_DECLINED, VISA_OK, card_confirm, json_of, spawn_app};

#[tokio::test]
async fn quotes_come_from_the_fee_schedule() {
    let app = spawn_app().await;
    for (amount, method, fee) in [(1_500, "CARD", 100), (10_000, "CARD", 295), (14_227, "CARD", 420), (14_227, "BANK_ACCOUNT", 150)] {
        let s = app.payment_session(amount).await;
        let q = json_of(app.quote(&s.id, &s.secret, &json!({"method": method})).await, 200).await;
        assert_eq!(q["amount"], amount);
        assert_eq!(q["fee"], fee, "{method} on {amount}");
        assert_eq!(q["total"], amount + fee);
        assert_eq!(q["currencyCode"], "USD");
        assert!(q["quoteId"].as_str().is_some_and(|id| id.starts_with("qt_")));
        assert!(q["disclosure"].as_str().is_some_and(|d| d.contains("convenience fee")));
    }
}

#[tokio::test]
async fn quote_rejects_disabled_methods_and_bad_bodies() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let gp = json_of(app.quote(&s.id, &s.secret, &json!({"method": "GOOGLE_PAY"})).await, 400).await;
    assert_eq!(gp["detail"], "method GOOGLE_PAY is not enabled for this session.");
    let bad = json_of(app.quote(&s.id, &s.secret, &json!({"method": "CASH"})).await, 400).await;
    assert_eq!(bad["title"], "INVALID_REQUEST");
    let extra = json_of(app.quote(&s.id, &s.secret, &json!({"method": "CARD", "fee": 0})).await, 400).await;
    assert_eq!(extra["title"], "INVALID_REQUEST");
}

#[tokio::test]
async fn confirm_charges_amount_plus_quoted_fee() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let quote = app.card_quote(&s).await;
    let resp = json_of(app.confirm(&s.id, &s.secret, Some("k1"), &card_confirm(&quote, VISA_OK)).await, 200).await;
    assert_eq!(resp["sessionId"], s.id.as_str());
    assert_eq!(resp["status"], "COMPLETED");
    let p = &resp["payment"];
    assert_eq!((p["amount"].as_i64(), p["fee"].as_i64(), p["total"].as_i64()), (Some(1_500), Some(100), Some(1_600)));
    assert_eq!(p["status"], "COMPLETED");
    assert_eq!(p["paymentMethod"], json!({"type": "CARD", "brand": "VISA", "last4": "4242"}));

    let merchant = app.merchant_get(&s.id).await;
    let d = &merchant["data"];
    assert_eq!(d["status"], "COMPLETED");
    assert_eq!(d["payment"]["id"], p["id"]);
    assert_eq!(d["payment"]["total"], 1_600);
    assert_eq!(d["payment"]["paymentType"], "SALE");
    assert_eq!(d["paymentAttempts"].as_array().map(Vec::len), Some(1));

    let cfg = json_of(app.config(&s.id, &s.secret).await, 200).await;
    assert_eq!(cfg["status"], "COMPLETED");
    assert_eq!(cfg["payment"]["id"], p["id"]);
}

#[tokio::test]
async fn decline_keeps_session_payable_with_a_new_key() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let quote = app.card_quote(&s).await;
    let declined = json_of(app.confirm(&s.id, &s.secret, Some("a1"), &card_confirm(&quote, VISA_DECLINED)).await, 422).await;
    assert_eq!(declined["title"], "PAYMENT_ERROR");
    assert_eq!(declined["detail"], "Your card was declined.");
    assert_eq!(declined["data"]["code"], "card_declined");
    assert_eq!(declined["data"]["declineCode"], "generic_decline");
    assert_eq!(declined["data"]["attemptsRemaining"], 4);
    assert_eq!(declined["data"]["sessionStatus"], "CREATED");
    assert_eq!(app.merchant_get(&s.id).await["data"]["status"], "CREATED");

    let ok = json_of(app.confirm(&s.id, &s.secret, Some("a2"), &card_confirm(&quote, VISA_OK)).await, 200).await;
    assert_eq!(ok["status"], "COMPLETED");
    let d = app.merchant_get(&s.id).await;
    let attempts = d["data"]["paymentAttempts"].as_array().cloned().unwrap_or_default();
    assert_eq!(attempts.iter().map(|a| a["status"].clone()).collect::<Vec<_>>(), vec![json!("FAILED"), json!("COMPLETED")]);
}

#[tokio::test]
async fn every_test_card_maps_to_its_decline() {
    let app = spawn_app().await;
    for (card, code, decline) in [
        ("4000000000009995", "card_declined", Some("insufficient_funds")),
        ("4000000000000069", "expired_card", None),
        ("4000000000000127", "incorrect_cvc", None),
        ("4000000000000119", "processing_error", None),
    ] {
        let s = app.payment_session(2_000).await;
        let quote = app.card_quote(&s).await;
        let r = json_of(app.confirm(&s.id, &s.secret, Some("k"), &card_confirm(&quote, card)).await, 422).await;
        assert_eq!(r["data"]["code"], code, "{card}");
        assert_eq!(r["data"]["declineCode"], decline.map_or(Value::Null, Value::from), "{card}");
    }
}

#[tokio::test]
async fn same_key_same_body_replays_byte_for_byte() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let body = card_confirm(&app.card_quote(&s).await, VISA_OK);
    let first = app.confirm(&s.id, &s.secret, Some("same"), &body).await;
    assert_eq!(first.status(), 200);
    let first = first.bytes().await.expect("body");
    let again = app.confirm(&s.id, &s.secret, Some("same"), &body).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.bytes().await.expect("body"), first);
    assert_eq!(app.payment_count(&s.id).await, 1);

    // A decline replays too (same key, same body): no second attempt.
    let s2 = app.payment_session(1_500).await;
    let body2 = card_confirm(&app.card_quote(&s2).await, VISA_DECLINED);
    let d1 = app.confirm(&s2.id, &s2.secret, Some("d"), &body2).await.bytes().await.expect("body");
    let d2 = app.confirm(&s2.id, &s2.secret, Some("d"), &body2).await;
    assert_eq!(d2.status(), 422);
    assert_eq!(d2.bytes().await.expect("body"), d1);
    assert_eq!(app.payment_count(&s2.id).await, 1);
}

#[tokio::test]
async fn same_key_different_body_is_refused() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let quote = app.card_quote(&s).await;
    json_of(app.confirm(&s.id, &s.secret, Some("k"), &card_confirm(&quote, VISA_DECLINED)).await, 422).await;
    let other = json_of(app.confirm(&s.id, &s.secret, Some("k"), &card_confirm(&quote, VISA_OK)).await, 422).await;
    assert_eq!(
        other,
        json!({"title": "IDEMPOTENCY_KEY_REUSED", "status": 422, "detail": "This Idempotency-Key was already used with a different request body."})
    );
    assert_eq!(app.payment_count(&s.id).await, 1);
}

#[tokio::test]
async fn second_confirm_after_success_is_409() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let quote = app.card_quote(&s).await;
    json_of(app.confirm(&s.id, &s.secret, Some("k1"), &card_confirm(&quote, VISA_OK)).await, 200).await;
    let again = json_of(app.confirm(&s.id, &s.secret, Some("k2"), &card_confirm(&quote, VISA_OK)).await, 409).await;
    assert_eq!(
        again,
        json!({"title": "SESSION_ALREADY_PROCESSED", "status": 409, "detail": "This session has already been paid.", "data": {"code": "already_confirmed"}})
    );
    assert_eq!(app.payment_count(&s.id).await, 1);
}

#[tokio::test]
async fn confirm_input_errors_are_4xx_and_charge_nothing() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let quote = app.card_quote(&s).await;
    let body = card_confirm(&quote, VISA_OK);

    let missing_key = json_of(app.confirm(&s.id, &s.secret, None, &body).await, 400).await;
    assert_eq!(missing_key["detail"], "The Idempotency-Key header is required.");
    let long_key = "k".repeat(256);
    json_of(app.confirm(&s.id, &s.secret, Some(&long_key), &body).await, 400).await;
    json_of(app.confirm(&s.id, "wrong", Some("k"), &body).await, 401).await;
    let malformed = app
        .http
        .post(app.url(&format!("/v1/sessions/{}/confirm", s.id)))
        .bearer_auth(&s.secret)
        .header("Idempotency-Key", "m")
        .body("{not json")
        .send()
        .await
        .expect("req");
    assert_eq!(json_of(malformed, 400).await["detail"], "Malformed JSON body.");

    let mut bad_luhn = card_confirm(&quote, "4242424242424241");
    let r = json_of(app.confirm(&s.id, &s.secret, Some("b1"), &bad_luhn).await, 400).await;
    assert_eq!(r["detail"], "paymentMethod.card.number is not a valid card number.");
    assert!(!r.to_string().contains("4242424242424241"), "never echo card numbers");
    bad_luhn["paymentMethod"]["card"]["number"] = json!(VISA_OK);
    bad_luhn["paymentMethod"]["card"]["expYear"] = json!(2020);
    let r = json_of(app.confirm(&s.id, &s.secret, Some("b2"), &bad_luhn).await, 400).await;
    assert_eq!(r["detail"], "paymentMethod.card.expMonth/expYear is in the past: the card has expired.");
    let mut bad_cvc = card_confirm(&quote, VISA_OK);
    bad_cvc["paymentMethod"]["card"]["cvc"] = json!("12");
    json_of(app.confirm(&s.id, &s.secret, Some("b3"), &bad_cvc).await, 400).await;
    let neither = json_of(app.confirm(&s.id, &s.secret, Some("b4"), &json!({"quoteId": quote})).await, 400).await;
    assert_eq!(neither["detail"], "paymentMethod or paymentMethodId is required.");
    let wrong_quote = json_of(app.confirm(&s.id, &s.secret, Some("b5"), &card_confirm("qt_nope", VISA_OK)).await, 422).await;
    assert_eq!(wrong_quote["detail"], "quoteId does not match a fee quote of this session.");
    let amex_body = json!({
        "quoteId": quote,
        "paymentMethod": {"type": "CARD", "card": {"number": "378282246310005", "expMonth": 1, "expYear": 2040, "cvc": "1234"}}
    });
    let brand = json_of(app.confirm(&s.id, &s.secret, Some("b6"), &amex_body).await, 422).await;
    assert_eq!(brand["detail"], "The fee quote was made for another card brand. Request a new quote.");
    assert_eq!(app.payment_count(&s.id).await, 0);

    // A refused key is released: the same key with a corrected body goes through.
    json_of(app.confirm(&s.id, &s.secret, Some("b1"), &body).await, 200).await;
    assert_eq!(app.payment_count(&s.id).await, 1);
}

#[tokio::test]
async fn expired_quote_is_refused() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let quote = app.card_quote(&s).await;
    sqlx::query("UPDATE fee_quotes SET expires_at = 0 WHERE id = $1").bind(&quote).execute(&app.db).await.expect("age");
    let r = json_of(app.confirm(&s.id, &s.secret, Some("k"), &card_confirm(&quote, VISA_OK)).await, 422).await;
    assert_eq!(r["detail"], "The fee quote has expired. Request a new quote.");
}

#[tokio::test]
async fn five_declines_fail_the_session() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let quote = app.card_quote(&s).await;
    for i in 1..=5 {
        let r = json_of(app.confirm(&s.id, &s.secret, Some(&format!("k{i}")), &card_confirm(&quote, VISA_DECLINED)).await, 422).await;
        assert_eq!(r["data"]["attemptsRemaining"], 5 - i);
    }
    assert_eq!(app.merchant_get(&s.id).await["data"]["status"], "FAILED");
    let sixth = json_of(app.confirm(&s.id, &s.secret, Some("k6"), &card_confirm(&quote, VISA_OK)).await, 409).await;
    assert_eq!(sixth["data"]["code"], "session_closed");
    assert_eq!(app.payment_count(&s.id).await, 5);
}

#[tokio::test]
async fn concurrent_confirms_with_different_keys_charge_once() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let body = card_confirm(&app.card_quote(&s).await, VISA_OK);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (http, url, secret, body) =
            (app.http.clone(), app.url(&format!("/v1/sessions/{}/confirm", s.id)), s.secret.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let r = http.post(url).bearer_auth(secret).header("Idempotency-Key", format!("key-{i}")).json(&body).send().await;
            r.expect("req").status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    assert_eq!(app.payment_count(&s.id).await, 1);
    // A key is taken only with the claim: the losers' keys stay free, only the winner's is stored.
    let keys = sqlx::query("SELECT COUNT(*) FROM idempotency_keys WHERE session_id = $1")
        .bind(&s.id)
        .fetch_one(&app.db)
        .await
        .expect("count keys");
    assert_eq!(sqlx::Row::get::<i64, _>(&keys, 0), 1);
}

#[tokio::test]
async fn concurrent_confirms_with_one_key_charge_once_and_agree() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let body = card_confirm(&app.card_quote(&s).await, VISA_OK);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (http, url, secret, body) =
            (app.http.clone(), app.url(&format!("/v1/sessions/{}/confirm", s.id)), s.secret.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let r = http.post(url).bearer_auth(secret).header("Idempotency-Key", "one-key").json(&body).send().await;
            let r = r.expect("req");
            (r.status().as_u16(), r.text().await.expect("body"))
        }));
    }
    let mut ok_bodies = Vec::new();
    for t in tasks {
        let (status, body) = t.await.expect("task");
        assert!(status == 200 || status == 409, "{status} {body}");
        if status == 200 {
            ok_bodies.push(body);
        }
    }
    assert!(!ok_bodies.is_empty());
    assert!(ok_bodies.windows(2).all(|w| w[0] == w[1]), "every 2xx body identical");
    assert_eq!(app.payment_count(&s.id).await, 1);
}

#[tokio::test]
async fn card_numbers_and_cvcs_are_never_stored() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let quote = app.card_quote(&s).await;
    let mut body = card_confirm(&quote, VISA_DECLINED);
    body["paymentMethod"]["card"]["cvc"] = json!("987");
    json_of(app.confirm(&s.id, &s.secret, Some("x1"), &body).await, 422).await;
    let mut body = card_confirm(&quote, VISA_OK);
    body["paymentMethod"]["card"]["cvc"] = json!("987");
    json_of(app.confirm(&s.id, &s.secret, Some("x2"), &body).await, 200).await;
    let stored = app.all_stored_text().await;
    assert!(stored.contains("4242"), "the scan sees stored text (last4)");
    for needle in [VISA_OK, VISA_DECLINED, "\"987\"", "cvc"] {
        assert!(!stored.contains(needle), "found {needle} in storage");
    }
}

#[tokio::test]
async fn a_processor_past_its_deadline_gets_202_pending_then_completes_in_the_background() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let quote = app.card_quote(&s).await;
    let body = card_confirm(&quote, checkout_api::processor::sandbox::SLOW_CARD);
    let pending = json_of(app.confirm(&s.id, &s.secret, Some("slow"), &body).await, 202).await;
    assert_eq!(pending["status"], "CREATED");
    assert_eq!(pending["payment"]["status"], "PENDING");
    // While pending: no second charge, by any key.
    let other = json_of(app.confirm(&s.id, &s.secret, Some("other"), &card_confirm(&quote, VISA_OK)).await, 409).await;
    assert_eq!(other["title"], "REQUEST_IN_PROGRESS");
    let view = app.merchant_get(&s.id).await;
    assert_eq!(view["data"]["status"], "CREATED");
    assert_eq!(view["data"]["payment"]["status"], "PENDING");
    let mut status = Value::Null;
    for _ in 0..80 {
        status = app.merchant_get(&s.id).await["data"]["status"].clone();
        if status == "COMPLETED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "COMPLETED", "finished by the background worker");
    let view = app.merchant_get(&s.id).await;
    assert_eq!(view["data"]["payment"]["status"], "COMPLETED");
    assert_eq!(view["data"]["paymentAttempts"].as_array().map(Vec::len), Some(1));
    let cfg = json_of(app.config(&s.id, &s.secret).await, 200).await;
    assert_eq!(cfg["payment"]["status"], "COMPLETED");
}

#[tokio::test]
async fn a_flooded_session_gets_429_and_others_keep_working() {
    let app = spawn_app().await;
    let a = app.payment_session(1_500).await;
    let b = app.payment_session(1_500).await;
    let mut limited = None;
    for _ in 0..40 {
        let r = app.quote(&a.id, &a.secret, &json!({"method": "CARD"})).await;
        if r.status() == 429 {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("the flood is limited");
    let retry: u64 = r.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!((1..=2).contains(&retry));
    assert_eq!(
        json_of(r, 429).await,
        json!({"title": "TOO_MANY_REQUESTS", "status": 429, "detail": "Too many requests. Retry later."})
    );
    json_of(app.quote(&b.id, &b.secret, &json!({"method": "CARD"})).await, 200).await;
    json_of(app.http.get(app.url("/healthz")).send().await.expect("req"), 200).await;
}

#[tokio::test]
async fn a_claim_orphaned_by_a_crash_is_released_and_the_retry_charges_once() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let quote = app.card_quote(&s).await;
    let body = card_confirm(&quote, VISA_OK);
    // The state a crash between claim and record leaves behind: key in flight, session claimed,
    // its attempt PENDING and never seen by the processor.
    let parsed: checkout_types::confirm::ConfirmRequest = serde_json::from_value(body.clone()).expect("request");
    sqlx::query("INSERT INTO idempotency_keys (session_id, idem_key, fingerprint, created_at) VALUES ($1, 'crash-key', $2, 0)")
        .bind(&s.id)
        .bind(checkout_api::domain::idempotency::fingerprint(&parsed))
        .execute(&app.db)
        .await
        .expect("key");
    sqlx::query("UPDATE sessions SET state = 'PAYMENT_PENDING', attempts = 1, updated_at = 0 WHERE id = $1")
        .bind(&s.id)
        .execute(&app.db)
        .await
        .expect("claim");
    sqlx::query(
        "INSERT INTO payments (id, merchant_id, session_id, merchant_transaction_id, attempt, amount, fee, total, currency, status,
            method_type, brand, last4, processor_key, idem_key, created_at, updated_at)
         SELECT 'crashed', merchant_id, id, merchant_transaction_id, 1, 1500, 0, 1500, 'USD', 'PENDING', 'CARD', 'VISA', '4242',
            id || ':crash-key', 'crash-key', 0, 0 FROM sessions WHERE id = $1",
    )
    .bind(&s.id)
    .execute(&app.db)
    .await
    .expect("attempt");
    let stuck = json_of(app.confirm(&s.id, &s.secret, Some("crash-key"), &body).await, 409).await;
    assert_eq!(stuck["title"], "REQUEST_IN_PROGRESS");

    let state = crate::helpers::state_on(&app.db, &app.base, std::path::PathBuf::from("dist"), Default::default());
    let settled = checkout_api::domain::worker::settle_pending(&state, checkout_api::domain::worker::CLAIM_LEASE_MS).await.expect("recover");
    assert_eq!(settled.released, 1);
    assert_eq!(app.merchant_get(&s.id).await["data"]["status"], "CREATED");

    let paid = json_of(app.confirm(&s.id, &s.secret, Some("crash-key"), &body).await, 200).await;
    assert_eq!(paid["status"], "COMPLETED");
    assert_eq!(app.payment_count(&s.id).await, 1);
    let view = app.merchant_get(&s.id).await;
    assert_eq!(view["data"]["paymentAttempts"][0]["attempt"], 1, "the orphaned claim did not use up an attempt");
}

#[tokio::test]
async fn two_api_nodes_on_one_database_still_charge_once() {
    let (a, b) = crate::helpers::spawn_two_nodes().await;
    for _ in 0..3 {
        let s = a.payment_session(1_500).await;
        let body = card_confirm(&a.card_quote(&s).await, VISA_OK);
        let mut tasks = Vec::new();
        for i in 0..20 {
            let node = if i % 2 == 0 { &a } else { &b };
            let (http, url, secret, body) =
                (node.http.clone(), node.url(&format!("/v1/sessions/{}/confirm", s.id)), s.secret.clone(), body.clone());
            tasks.push(tokio::spawn(async move {
                let r = http.post(url).bearer_auth(secret).header("Idempotency-Key", format!("k{}", i % 4)).json(&body).send().await;
                r.expect("req").status().as_u16()
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.expect("task"));
        }
        assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
        assert!(statuses.contains(&200));
        assert_eq!(a.payment_count(&s.id).await, 1, "{statuses:?}");
        assert_eq!(b.merchant_get(&s.id).await["data"]["status"], "COMPLETED");
    }
}

#[tokio::test]
async fn a_payer_who_hangs_up_mid_confirm_gets_the_outcome_on_retry() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let body = card_confirm(&app.card_quote(&s).await, checkout_api::processor::sandbox::SLOW_CARD);
    // The client gives up after 150 ms, while the processor is still working (deadline 500 ms).
    let impatient = reqwest::Client::builder().timeout(std::time::Duration::from_millis(150)).build().expect("client");
    let hung_up = impatient
        .post(app.url(&format!("/v1/sessions/{}/confirm", s.id)))
        .bearer_auth(&s.secret)
        .header("Idempotency-Key", "tab-closed")
        .json(&body)
        .send()
        .await;
    assert!(hung_up.is_err_and(|e| e.is_timeout()));
    // The confirm went on without the client: after the deadline, the same key replays its answer
    // at once (without it, the claim would sit until its 30 s lease ran out: 409 meanwhile).
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let replay = json_of(app.confirm(&s.id, &s.secret, Some("tab-closed"), &body).await, 202).await;
    assert_eq!(replay["payment"]["status"], "PENDING");
    assert_eq!(app.payment_count(&s.id).await, 1);
}

/// A session that takes Google Pay and Apple Pay next to the card form.
async fn wallet_session(app: &crate::helpers::TestApp) -> crate::helpers::Created {
    let mut body = crate::helpers::payment_request(2_000);
    body["config"]["paymentMethodChannel"]["card"] = json!(["WEBFORM", "GOOGLE_PAY", "APPLE_PAY"]);
    let resp = json_of(app.create_session(&body).await, 200).await;
    crate::helpers::Created {
        id: resp["data"]["checkoutSessionId"].as_str().unwrap_or_default().to_owned(),
        secret: resp["data"]["clientSecret"].as_str().unwrap_or_default().to_owned(),
    }
}

fn wallet_confirm(quote_id: &str, kind: &str, token: &str) -> Value {
    let field = if kind == "GOOGLE_PAY" { "googlePay" } else { "applePay" };
    json!({ "quoteId": quote_id, "paymentMethod": { "type": kind, field: { "token": token, "network": "Visa", "last4": "1111" } } })
}

#[tokio::test]
async fn a_device_wallet_token_pays_at_the_wallet_s_quote_and_is_never_stored() {
    let app = spawn_app().await;
    for kind in ["GOOGLE_PAY", "APPLE_PAY"] {
        let s = wallet_session(&app).await;
        let cfg = json_of(app.config(&s.id, &s.secret).await, 200).await;
        assert_eq!(cfg["merchantId"], "demo");
        assert_eq!(cfg["channels"]["card"], json!(["WEBFORM", "GOOGLE_PAY", "APPLE_PAY"]));
        let q = json_of(app.quote(&s.id, &s.secret, &json!({"method": kind})).await, 200).await;
        let quote = q["quoteId"].as_str().unwrap_or_default();
        let token = format!("wallet-token-{kind}-e3b0c44298fc1c149afbf4c8996fb924");
        let body = wallet_confirm(quote, kind, &token);
        let paid = json_of(app.confirm(&s.id, &s.secret, Some("w1"), &body).await, 200).await;
        assert_eq!(paid["status"], "COMPLETED");
        assert_eq!(paid["payment"]["total"], 2_000 + q["fee"].as_i64().unwrap_or(-1));
        assert_eq!(paid["payment"]["paymentMethod"], json!({"type": kind, "brand": "VISA", "last4": "1111"}));
        // The same key and body replay; the token appears in no answer and no stored row.
        let again = app.confirm(&s.id, &s.secret, Some("w1"), &body).await.text().await.unwrap_or_default();
        assert_eq!(serde_json::from_str::<Value>(&again).ok(), Some(paid.clone()));
        assert!(!again.contains(&token));
        assert!(!app.merchant_get(&s.id).await.to_string().contains(&token));
        assert!(!app.all_stored_text().await.contains(&token), "{kind} token stored");
    }
}

#[tokio::test]
async fn wallet_declines_quote_mismatches_and_bad_tokens_are_clear_errors() {
    let app = spawn_app().await;
    let s = wallet_session(&app).await;
    let q = json_of(app.quote(&s.id, &s.secret, &json!({"method": "GOOGLE_PAY"})).await, 200).await;
    let quote = q["quoteId"].as_str().unwrap_or_default();
    let declined = json_of(app.confirm(&s.id, &s.secret, Some("d1"), &wallet_confirm(quote, "GOOGLE_PAY", "sandbox_declined")).await, 422).await;
    assert_eq!((declined["title"].as_str(), declined["data"]["code"].as_str()), (Some("PAYMENT_ERROR"), Some("card_declined")));
    // A Google Pay quote does not pay with Apple Pay.
    let other = json_of(app.confirm(&s.id, &s.secret, Some("d2"), &wallet_confirm(quote, "APPLE_PAY", "t")).await, 422).await;
    assert_eq!(other["title"], "UNPROCESSABLE_ENTITY");
    for (field, value) in [("token", json!("")), ("network", json!("CASH")), ("last4", json!("12a4")), ("last4", json!("12345"))] {
        let mut body = wallet_confirm(quote, "GOOGLE_PAY", "t");
        body["paymentMethod"]["googlePay"][field] = value;
        let e = json_of(app.confirm(&s.id, &s.secret, Some(&format!("bad-{field}")), &body).await, 400).await;
        assert!(e["detail"].as_str().is_some_and(|d| d.starts_with(&format!("paymentMethod.googlePay.{field}"))), "{e}");
    }
    // Nothing was charged: the session still pays, once.
    let ok = json_of(app.confirm(&s.id, &s.secret, Some("d3"), &wallet_confirm(quote, "GOOGLE_PAY", "ok-token")).await, 200).await;
    assert_eq!(ok["status"], "COMPLETED");
    let attempts = app.merchant_get(&s.id).await["data"]["paymentAttempts"].as_array().map(Vec::len);
    assert_eq!(attempts, Some(2));
    // A session without the wallet channel refuses its quote.
    let plain = app.payment_session(1_000).await;
    let refused = json_of(app.quote(&plain.id, &plain.secret, &json!({"method": "APPLE_PAY"})).await, 400).await;
    assert_eq!(refused["title"], "INVALID_REQUEST");
}
