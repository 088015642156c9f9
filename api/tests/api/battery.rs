//! The reliability battery's races, attempt cap, forged credentials and floods (issue #6).
//! Fast sizes run in `scripts/test`; `BATTERY_FULL=1` (set by `scripts/reliability`) runs the
//! full sizes: 100-way races over 1,000 sessions, 10,000 forged credentials.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::helpers::{Created, KEY, TestApp, VISA_DECLINED, VISA_OK, card_confirm, client_from, json_of, spawn_app};

/// `fast` normally, `full` under `BATTERY_FULL=1`.
fn scale(fast: usize, full: usize) -> usize {
    if std::env::var("BATTERY_FULL").is_ok_and(|v| v == "1") { full } else { fast }
}

/// The API without rate limits: races must reach the handlers, not stop at the limiter.
/// No rate limits, and no risk rules: this battery's load is adversarial on purpose (100 confirms
/// at once from one address, waves of declines), which the risk rules rightly challenge or block;
/// its subject is keys and attempts.
async fn unlimited() -> TestApp {
    crate::helpers::spawn_app_unlimited(|s| s.risk_rules = false).await
}

/// Sends every `(key, body)` confirm for `s` at once; returns (status, body text) in order.
async fn confirm_all(app: &TestApp, s: &Created, requests: Vec<(String, Value)>) -> Vec<(u16, String)> {
    let mut set = JoinSet::new();
    for (i, (key, body)) in requests.into_iter().enumerate() {
        let (http, url, secret) = (app.http.clone(), app.url(&format!("/v1/sessions/{}/confirm", s.id)), s.secret.clone());
        set.spawn(async move {
            let r = http.post(url).bearer_auth(secret).header("Idempotency-Key", key).json(&body).send().await.expect("request");
            (i, r.status().as_u16(), r.text().await.expect("body"))
        });
    }
    let mut out = vec![(0, String::new()); set.len()];
    while let Some(done) = set.join_next().await {
        let (i, status, body) = done.expect("task");
        out[i] = (status, body);
    }
    out
}

fn title(body: &str) -> String {
    serde_json::from_str::<Value>(body).ok().and_then(|v| v["title"].as_str().map(str::to_owned)).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_confirms_with_one_key_charge_once_and_agree() {
    let app = unlimited().await;
    for round in 0..scale(2, 1_000) {
        let s = app.payment_session(1_500).await;
        let body = card_confirm(&app.card_quote(&s).await, VISA_OK);
        let answers = confirm_all(&app, &s, (0..100).map(|_| ("one-key".to_owned(), body.clone())).collect()).await;
        let ok: Vec<&String> = answers.iter().filter(|(st, _)| *st == 200).map(|(_, b)| b).collect();
        for (status, body) in &answers {
            assert!(*status == 200 || (*status == 409 && title(body) == "REQUEST_IN_PROGRESS"), "round {round}: {status} {body}");
        }
        assert!(!ok.is_empty(), "round {round}: someone got the outcome");
        assert!(ok.windows(2).all(|w| w[0] == w[1]), "round {round}: every 2xx body is identical");
        assert_eq!(app.payment_count(&s.id).await, 1, "round {round}: exactly one charge");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_confirms_with_different_keys_charge_once() {
    let app = unlimited().await;
    for round in 0..scale(2, 100) {
        let s = app.payment_session(1_500).await;
        let body = card_confirm(&app.card_quote(&s).await, VISA_OK);
        let answers = confirm_all(&app, &s, (0..100).map(|i| (format!("key-{i}"), body.clone())).collect()).await;
        let mut by_status = BTreeMap::new();
        for (status, _) in &answers {
            *by_status.entry(*status).or_insert(0) += 1;
        }
        assert_eq!(by_status, BTreeMap::from([(200, 1), (409, 99)]), "round {round}");
        assert_eq!(app.payment_count(&s.id).await, 1, "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_key_with_another_body_is_422_every_time() {
    let app = unlimited().await;
    let reused = json!({"title": "IDEMPOTENCY_KEY_REUSED", "status": 422, "detail": "This Idempotency-Key was already used with a different request body."});
    // After the key finished: every other body is refused, also 100 at once.
    let s = app.payment_session(1_500).await;
    let quote = app.card_quote(&s).await;
    json_of(app.confirm(&s.id, &s.secret, Some("k"), &card_confirm(&quote, VISA_DECLINED)).await, 422).await;
    let answers = confirm_all(&app, &s, (0..100).map(|_| ("k".to_owned(), card_confirm(&quote, VISA_OK))).collect()).await;
    for (status, body) in &answers {
        assert_eq!(*status, 422);
        assert_eq!(crate::helpers::without_request_id(body), reused);
    }
    // Racing: two bodies under one key at once. Whichever body took the key, the other is refused.
    let s = app.payment_session(1_500).await;
    let quote = app.card_quote(&s).await;
    let a = card_confirm(&quote, VISA_OK);
    let mut b = a.clone();
    b["paymentMethod"]["card"]["expYear"] = json!(2035);
    let answers = confirm_all(&app, &s, (0..100).map(|i| ("race".to_owned(), if i % 2 == 0 { a.clone() } else { b.clone() })).collect()).await;
    let winner_is_a = answers.iter().step_by(2).any(|(st, _)| *st == 200);
    for (i, (status, body)) in answers.iter().enumerate() {
        let same_as_winner = (i % 2 == 0) == winner_is_a;
        if same_as_winner {
            assert!(*status == 200 || *status == 409, "{status} {body}");
        } else {
            assert_eq!((*status, title(body)), (422, "IDEMPOTENCY_KEY_REUSED".to_owned()), "{body}");
        }
    }
    assert_eq!(app.payment_count(&s.id).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_retries_never_make_a_sixth_attempt() {
    let app = unlimited().await;
    // Session confirms: waves of 50 declined retries with fresh keys until the session fails.
    let s = app.payment_session(1_500).await;
    let quote = app.card_quote(&s).await;
    for wave in 0..20 {
        let answers = confirm_all(&app, &s, (0..50).map(|i| (format!("w{wave}-{i}"), card_confirm(&quote, VISA_DECLINED))).collect()).await;
        assert!(answers.iter().all(|(st, _)| [409, 422].contains(st)), "{answers:?}");
        if app.merchant_get(&s.id).await["data"]["status"] == "FAILED" {
            break;
        }
    }
    assert_eq!(app.merchant_get(&s.id).await["data"]["status"], "FAILED");
    assert_eq!(app.payment_count(&s.id).await, 5);
    let after = confirm_all(&app, &s, (0..50).map(|i| (format!("after-{i}"), card_confirm(&quote, VISA_OK))).collect()).await;
    assert!(after.iter().all(|(st, _)| *st == 409), "a failed session takes no more attempts");
    assert_eq!(app.payment_count(&s.id).await, 5);

    // /v2/payments: 50 concurrent payments per merchantTransactionId, waves until refused.
    let mtid = format!("order-{}", uuid::Uuid::new_v4());
    let body = json!({
        "merchantTransactionId": mtid, "amount": 5000, "currencyCode": "USD", "authorizeCard": false, "partialAuthorization": false,
        "customer": { "enterpriseIdentifier": "123456789" },
        "paymentAllocations": [{ "amount": 5000, "paymentMethod": { "type": "CARD", "card": { "number": VISA_DECLINED, "expMonth": 12, "expYear": 2034, "cvc": "123" } } }]
    });
    for _ in 0..20 {
        let mut set = JoinSet::new();
        for _ in 0..50 {
            let (http, url, body) = (app.http.clone(), app.url("/v2/payments"), body.clone());
            set.spawn(async move {
                let r = http.post(url).bearer_auth(KEY).header("X-Merchant-Id", "demo").json(&body).send().await.expect("request");
                r.status().as_u16()
            });
        }
        let statuses = set.join_all().await;
        // 200 is the attempt in flight returned as it stands (PENDING); 409 lost the race for
        // the attempt number; 422 is a decline.
        assert!(statuses.iter().all(|s| [200, 409, 422].contains(s)), "{statuses:?}");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE merchant_transaction_id = $1")
            .bind(&mtid)
            .fetch_one(&app.db)
            .await
            .expect("count");
        assert!(n <= 5, "{n} attempts");
        if n == 5 {
            break;
        }
    }
    let r = app.http.post(app.url("/v2/payments")).bearer_auth(KEY).header("X-Merchant-Id", "demo").json(&body).send().await.expect("request");
    let sixth = json_of(r, 422).await;
    assert_eq!(sixth["detail"], "merchantTransactionId has used all 5 attempts. Use a new merchantTransactionId.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_cross_session_and_expired_credentials_get_identical_answers() {
    let app = unlimited().await;
    let a = app.payment_session(1_500).await;
    let b = app.payment_session(1_500).await;
    let expired = app.payment_session(1_500).await;
    let quote = app.card_quote(&a).await;
    let expired_quote = app.card_quote(&expired).await;
    sqlx::query("UPDATE sessions SET expires_at = 0 WHERE id = $1").bind(&expired.id).execute(&app.db).await.expect("age");
    let n = scale(1_000, 10_000);
    let mut set = JoinSet::new();
    let mut answers = Vec::with_capacity(n);
    for i in 0..n {
        let random = uuid::Uuid::new_v4().simple().to_string();
        // (session, bearer, 410 expected)
        let (id, bearer, gone) = match i % 6 {
            0 => (a.id.clone(), format!("{}_secret_{random}{random}", a.id), false),
            1 => (a.id.clone(), b.secret.clone(), false),
            2 => (a.id.clone(), b.id.clone(), false),
            3 => (uuid::Uuid::new_v4().to_string(), random, false),
            4 => (expired.id.clone(), format!("{}_secret_{random}", expired.id), false),
            _ => (expired.id.clone(), expired.secret.clone(), true),
        };
        let (http, base) = (app.http.clone(), app.base.clone());
        let (q, eq) = (quote.clone(), expired_quote.clone());
        set.spawn(async move {
            let req = match i % 3 {
                0 => http.get(format!("{base}/v1/sessions/{id}/config")),
                1 => http.post(format!("{base}/v1/sessions/{id}/fee-quotes")).json(&json!({"method": "CARD"})),
                _ => http
                    .post(format!("{base}/v1/sessions/{id}/confirm"))
                    .header("Idempotency-Key", format!("forged-{i}"))
                    .json(&card_confirm(if gone { &eq } else { &q }, VISA_OK)),
            };
            let r = req.bearer_auth(bearer).send().await.expect("request");
            (gone, r.status().as_u16(), r.text().await.expect("body"))
        });
        if set.len() >= 32 {
            answers.push(set.join_next().await.expect("task").expect("task"));
        }
    }
    answers.extend(set.join_all().await);
    let unauthorized = r#"{"title":"UNAUTHORIZED","status":401,"detail":"Missing or invalid credentials."}"#;
    let timeout = r#"{"title":"SESSION_TIMEOUT","status":410,"detail":"The checkout session has expired. Create a new session."}"#;
    let mut wrong = 0;
    for (gone, status, body) in &answers {
        let expected = if *gone { (410, timeout) } else { (401, unauthorized) };
        let same = *status == expected.0 && crate::helpers::without_request_id(body) == serde_json::from_str::<Value>(expected.1).expect("json");
        if !same {
            wrong += 1;
            eprintln!("unexpected: {status} {body}");
        }
    }
    assert_eq!((answers.len(), wrong), (n, 0), "100% 401/410 with identical bodies");
    for s in [&a, &b, &expired] {
        assert_eq!(app.payment_count(&s.id).await, 0, "nothing was charged");
    }
    json_of(app.config(&a.id, &a.secret).await, 200).await;
}

#[tokio::test]
async fn a_flooding_client_gets_429_and_other_clients_are_served() {
    let app = spawn_app().await; // the default limits: 200 at once per client, then 20/s
    let a = app.payment_session(1_500).await;
    let (flooder, payer) = (client_from("127.0.0.2"), client_from("127.0.0.3"));
    let config = app.url(&format!("/v1/sessions/{}/config", a.id));
    let mut limited = None;
    for i in 0..400 {
        let guess = format!("{}_secret_{:048}", a.id, i);
        let r = flooder.get(&config).bearer_auth(guess).send().await.expect("request");
        if r.status() == 429 {
            limited = Some((i, r));
            break;
        }
        assert_eq!(r.status(), 401);
    }
    let (after, r) = limited.expect("a client guessing secrets is limited");
    assert!((200..300).contains(&after), "limited after the burst of 200, not before: {after}");
    let retry: u64 = r.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!((1..=2).contains(&retry));
    assert_eq!(r.json::<Value>().await.expect("json")["title"], "TOO_MANY_REQUESTS");
    // A flooder that keeps on is limited on every session (about one token per 50 ms comes
    // back); another client is served on the same session.
    let b = app.payment_session(1_500).await;
    let mut refused = 0;
    for _ in 0..50 {
        let r = flooder.get(app.url(&format!("/v1/sessions/{}/config", b.id))).bearer_auth(&b.secret).send().await.expect("request");
        refused += usize::from(r.status() == 429);
    }
    assert!(refused >= 35, "only {refused} of 50 refused");
    let served = payer.get(&config).bearer_auth(&a.secret).send().await.expect("request");
    assert_eq!(json_of(served, 200).await["sessionId"], a.id.as_str());
    let quote = payer.post(app.url(&format!("/v1/sessions/{}/fee-quotes", a.id))).bearer_auth(&a.secret).json(&json!({"method": "CARD"})).send().await.expect("request");
    json_of(quote, 200).await;
    // Merchant endpoints are not limited per client.
    let merchant = flooder.get(app.url(&format!("/v1/sessions/{}", a.id))).bearer_auth(KEY).header("X-Merchant-Id", "demo").send().await.expect("request");
    assert_eq!(merchant.status(), 200);
}
