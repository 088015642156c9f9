//! Agent-assisted payment links: the agent sends, a real SMTP conversation (a sink speaking SMTP
//! on a port of its own) or an HTTP SMS provider stand-in receives, the customer opens the link
//! and pays, and the link's states follow: QUEUED, SENT, OPENED, PAID (with its webhook), FAILED
//! with a reason, EXPIRED.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::{Created, KEY, TestApp, VISA_OK, card_confirm, json_of, spawn_app, spawn_app_configured};

/// An SMTP server that accepts every message and keeps its DATA: EHLO, MAIL, RCPT, DATA (dot
/// terminated, dot-unstuffed), RSET, NOOP, QUIT.
async fn smtp_sink() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("smtp://{}", listener.local_addr().expect("addr"));
    let mail = Arc::new(Mutex::new(Vec::new()));
    let kept = mail.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink.test ESMTP\r\n").await;
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink.test\r\n250 8BITMIME\r\n",
                        "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                        "DATA" => {
                            let _ = write.write_all(b"354 go ahead\r\n").await;
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                                data.push('\n');
                            }
                            kept.lock().expect("lock").push(data);
                            b"250 OK queued\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"502 not implemented\r\n",
                    };
                    let _ = write.write_all(answer).await;
                }
            });
        }
    });
    (url, mail)
}

/// An SMS provider stand-in: `POST /2010-04-01/Accounts/AC1/Messages.json` (form-encoded, basic
/// auth), answering the scripted statuses in turn (the last one from then on); keeps each
/// request's form and Authorization header.
async fn sms_provider(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<(Value, String)>>>) {
    type Seen = Arc<Mutex<Vec<(Value, String)>>>;
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let router = axum::Router::new()
        .route(
            "/2010-04-01/Accounts/AC1/Messages.json",
            post(|State((seen, statuses)): State<(Seen, Arc<Vec<u16>>)>, headers: HeaderMap, body: String| async move {
                let form: Value = serde_json::to_value(
                    url_form(&body),
                )
                .unwrap_or(Value::Null);
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                let n = {
                    let mut s = seen.lock().expect("lock");
                    s.push((form, auth));
                    s.len()
                };
                let status = statuses.get(n - 1).or(statuses.last()).copied().unwrap_or(201);
                let body = if status < 300 { json!({ "sid": format!("SM{n}"), "status": "queued" }) } else { json!({ "code": 21211, "message": format!("scripted {status}") }) };
                (StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), axum::Json(body))
            }),
        )
        .with_state((seen.clone(), Arc::new(statuses)));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://AC1:s3cr3t-token@{}/2010-04-01/Accounts/AC1/Messages.json", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, seen)
}

fn url_form(body: &str) -> std::collections::BTreeMap<String, String> {
    body.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            let dec = |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
            (dec(k), dec(v))
        })
        .collect()
}

/// An agent-assisted PAYMENT session of $20.00 (the customer's email known, no phone).
async fn assisted_session(app: &TestApp, extra: Value) -> Created {
    let mut body = json!({
        "customer": { "firstName": "Pat", "lastName": "Payer", "email": "pat@example.com" },
        "payment": { "merchantTransactionId": uuid::Uuid::new_v4().to_string(), "amount": 2_000 },
        "config": { "modes": ["PAYMENT"], "paymentMethodChannel": { "card": ["WEBFORM", "TEXT", "EMAIL"] } },
        "assistedByAgent": true,
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            if k == "config" {
                for (ck, cv) in v.as_object().into_iter().flatten() {
                    b["config"][ck] = cv.clone();
                }
            } else {
                b.insert(k.clone(), v.clone());
            }
        }
    }
    let r = json_of(app.create_session(&body).await, 200).await;
    Created { id: r["data"]["checkoutSessionId"].as_str().expect("id").to_owned(), secret: r["data"]["clientSecret"].as_str().expect("secret").to_owned() }
}

async fn send(app: &TestApp, s: &Created, bearer: &str, body: Value) -> reqwest::Response {
    app.http.post(app.url(&format!("/v1/sessions/{}/links", s.id))).bearer_auth(bearer).json(&body).send().await.expect("send")
}

/// The session's links as the agent's config shows them, newest first.
async fn agent_links(app: &TestApp, s: &Created) -> Vec<Value> {
    let cfg = json_of(app.config(&s.id, &s.secret).await, 200).await;
    cfg["agent"]["links"].as_array().cloned().unwrap_or_default()
}

/// Waits (up to 10 s) until the newest link has `status`.
async fn until_status(app: &TestApp, s: &Created, status: &str) -> Value {
    for _ in 0..200 {
        let links = agent_links(app, s).await;
        if links.first().is_some_and(|l| l["status"] == status) {
            return links[0].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the link never became {status}: {:?}", agent_links(app, s).await);
}

/// The link in a message body (quoted-printable soft breaks and `=3D` undone).
fn link_in(text: &str) -> String {
    let plain = text.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let start = plain.find("http://").expect("a link in the message");
    plain[start..].split(|c: char| c.is_whitespace() || c == '"' || c == '<').next().expect("link").to_owned()
}

#[tokio::test]
async fn an_emailed_link_reaches_the_customer_who_pays_and_the_agent_sees_each_state() {
    let (smtp, mail) = smtp_sink().await;
    let app = spawn_app_configured(move |s| s.messaging.smtp_url = Some(smtp)).await;
    let s = assisted_session(&app, json!({ "config": { "senderEmailAddress": "billing@shop.example" } })).await;

    // The agent's view: the channels and the customer's email to prefill; no links yet.
    let cfg = json_of(app.config(&s.id, &s.secret).await, 200).await;
    assert_eq!(cfg["agent"]["channels"], json!(["TEXT", "EMAIL"]));
    assert_eq!(cfg["agent"]["email"], "pat@example.com");
    assert!(cfg["agent"].get("phone").is_none());
    assert_eq!(cfg["agent"]["linkLifetimeMinutes"], 1440);
    // The agent never takes card details.
    let e = json_of(app.quote(&s.id, &s.secret, &json!({ "method": "CARD" })).await, 403).await;
    assert_eq!(e["title"], "FORBIDDEN");

    let queued = json_of(send(&app, &s, &s.secret, json!({ "channel": "EMAIL", "to": "Pat@Example.com" })).await, 200).await;
    assert_eq!((queued["status"].as_str(), queued["to"].as_str(), queued["channel"].as_str()), (Some("QUEUED"), Some("Pat@example.com"), Some("EMAIL")));
    let sent = until_status(&app, &s, "SENT").await;
    assert_eq!(sent["attempts"], 1);
    let message = mail.lock().expect("lock").first().cloned().expect("one email");
    assert!(message.contains("From: \"Demo Store\" <billing@shop.example>"), "{message}");
    assert!(message.contains("To: Pat@example.com"), "{message}");
    assert!(message.contains("Subject: Demo Store: your secure payment link"), "{message}");
    assert!(message.contains("multipart/alternative") && message.contains("text/html"), "{message}");
    assert!(message.replace("=\n", "").contains("Demo Store sent you a secure link to pay $20.00."), "{message}");
    let link = link_in(&message);
    let prefix = format!("{}/link/{}#lk=", app.base, s.id);
    assert!(link.starts_with(&prefix), "{link}");
    assert!(!message.contains(&s.secret), "the session's secret is never in a message");
    let token = link[prefix.len()..].to_owned();

    // The customer opens it: their config has no agent part; the link is OPENED.
    let customer = json_of(app.config(&s.id, &token).await, 200).await;
    assert!(customer.get("agent").is_none(), "{customer}");
    assert_eq!(until_status(&app, &s, "OPENED").await["openedAtUtc"].is_string(), true);
    // The customer pays with the link's credential.
    let q = json_of(app.quote(&s.id, &token, &json!({ "method": "CARD" })).await, 200).await;
    let paid = json_of(app.confirm(&s.id, &token, Some("link-pay-1"), &card_confirm(q["quoteId"].as_str().expect("quote"), VISA_OK)).await, 200).await;
    assert_eq!(paid["status"], "COMPLETED");
    let link_state = until_status(&app, &s, "PAID").await;
    assert!(link_state["paidAtUtc"].is_string());
    // The merchant's view lists it, and a PAYMENT_LINK_PAID webhook was written.
    let view = app.merchant_get(&s.id).await;
    assert_eq!(view["data"]["links"][0]["status"], "PAID");
    assert_eq!(view["data"]["checkoutRequest"]["assistedByAgent"], true);
    let events: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM webhook_events WHERE event_type = 'PAYMENT_LINK_PAID' AND body LIKE $1")
        .bind(format!("%{}%", s.id))
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(events, 1);
    // No stored row holds the session's secret; the link's credential is in the link alone.
    assert!(!app.all_stored_text().await.contains(&s.secret));
    for table in ["sessions", "fee_quotes", "payments", "idempotency_keys", "webhook_events"] {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}"))).fetch_all(&app.db).await.expect("scan");
        for row in rows {
            use sqlx::Row;
            for i in 0..row.len() {
                let text = row.try_get::<Option<String>, _>(i).ok().flatten().unwrap_or_default();
                assert!(!text.contains(&token), "the link's credential in {table}");
            }
        }
    }
    let hash: String = sqlx::query_scalar("SELECT token_hash FROM notifications WHERE session_id = $1").bind(&s.id).fetch_one(&app.db).await.expect("hash");
    assert!(!hash.contains(&token) && hash.len() == 64);
}

#[tokio::test]
async fn a_resend_revokes_the_old_link_and_an_expired_link_stops_working() {
    let (smtp, mail) = smtp_sink().await;
    let app = spawn_app_configured(move |s| s.messaging.smtp_url = Some(smtp)).await;
    // The merchant's default sender (update-merchant --email-from) serves a session that names none.
    checkout_api::demo::update_merchant(&app.db, "demo", None, None, None, None, Some("billing@merchant.example")).await.expect("sender");
    let s = assisted_session(&app, json!({ "config": { "linkLifetimeMinutes": 30 } })).await;
    json_of(send(&app, &s, &s.secret, json!({ "channel": "EMAIL", "to": "pat@example.com" })).await, 200).await;
    until_status(&app, &s, "SENT").await;
    let first_mail = mail.lock().expect("lock").first().cloned().expect("mail");
    assert!(first_mail.contains("From: \"Demo Store\" <billing@merchant.example>"), "{first_mail}");
    let first: String = sqlx::query_scalar("SELECT link FROM notifications WHERE session_id = $1").bind(&s.id).fetch_one(&app.db).await.expect("link");
    let first_token = first.split("#lk=").nth(1).expect("token").to_owned();
    json_of(app.config(&s.id, &first_token).await, 200).await;
    // The session now lives as long as its link (30 min), past its own 15.
    let expires: i64 = sqlx::query_scalar("SELECT expires_at FROM sessions WHERE id = $1").bind(&s.id).fetch_one(&app.db).await.expect("expiry");
    let link_end: i64 = sqlx::query_scalar("SELECT expires_at FROM notifications WHERE session_id = $1").bind(&s.id).fetch_one(&app.db).await.expect("end");
    assert_eq!(expires, link_end);

    // A resend: the old link ends (EXPIRED), its credential is refused; the new one works.
    json_of(send(&app, &s, &s.secret, json!({ "channel": "EMAIL", "to": "pat.other@example.com" })).await, 200).await;
    let links = agent_links(&app, &s).await;
    assert_eq!(links.iter().map(|l| l["status"].as_str().unwrap_or("")).collect::<Vec<_>>()[1..], ["EXPIRED"]);
    let e = json_of(app.config(&s.id, &first_token).await, 410).await;
    assert_eq!(e["title"], "SESSION_TIMEOUT");
    let forged = json_of(app.config(&s.id, "lk_0000000000000000000000000000000000000000000000").await, 401).await;
    assert_eq!(forged["title"], "UNAUTHORIZED");
    // The customer's link cannot send links itself.
    until_status(&app, &s, "SENT").await;
    let second: String = sqlx::query_scalar("SELECT link FROM notifications WHERE session_id = $1 AND revoked_at IS NULL").bind(&s.id).fetch_one(&app.db).await.expect("link");
    let second_token = second.split("#lk=").nth(1).expect("token").to_owned();
    let e = json_of(send(&app, &s, &second_token, json!({ "channel": "EMAIL", "to": "eve@example.com" })).await, 403).await;
    assert_eq!(e["title"], "FORBIDDEN");
    // Past its lifetime the link is refused and the worker marks it EXPIRED.
    sqlx::query("UPDATE notifications SET expires_at = 1 WHERE session_id = $1 AND revoked_at IS NULL").bind(&s.id).execute(&app.db).await.expect("age");
    json_of(app.config(&s.id, &second_token).await, 410).await;
    until_status(&app, &s, "EXPIRED").await;
}

#[tokio::test]
async fn a_text_is_posted_to_the_sms_provider_and_retried_after_a_500() {
    let (app, s, seen) = texting_checkout(vec![500, 201]).await;
    let queued = json_of(send(&app, &s, &s.secret, json!({ "channel": "TEXT", "to": "(555) 123-4567" })).await, 200).await;
    assert_eq!(queued["to"], "+15551234567");
    let sent = until_status(&app, &s, "SENT").await;
    assert_eq!(sent["attempts"], 2, "one 500, then accepted");
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 2);
    let (form, auth) = &seen[1];
    assert_eq!((form["To"].as_str(), form["From"].as_str()), (Some("+15551234567"), Some("+15005550006")));
    let body = form["Body"].as_str().expect("body");
    assert!(body.starts_with("Demo Store: pay $20.00 securely at ") && body.contains(&format!("/link/{}#lk=lk_", s.id)), "{body}");
    use base64::Engine;
    assert_eq!(auth, &format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("AC1:s3cr3t-token")));
}

/// A checkout whose texts go to an SMS provider answering `statuses`, and an agent's session.
async fn texting_checkout(statuses: Vec<u16>) -> (TestApp, Created, Arc<Mutex<Vec<(Value, String)>>>) {
    let (sms, seen) = sms_provider(statuses).await;
    let app = spawn_app_configured(move |s| {
        s.messaging.sms_url = Some(sms);
        s.messaging.sms_from = Some("+15005550006".to_owned());
    })
    .await;
    let s = assisted_session(&app, json!({})).await;
    (app, s, seen)
}

#[tokio::test]
async fn a_provider_that_keeps_failing_shows_the_agent_why_and_a_refusal_is_not_retried() {
    let (app, s, seen) = texting_checkout(vec![503]).await;
    json_of(send(&app, &s, &s.secret, json!({ "channel": "TEXT", "to": "+15551234567" })).await, 200).await;
    let failed = until_status(&app, &s, "FAILED").await;
    assert_eq!(failed["attempts"], 5);
    assert_eq!(failed["reason"], "the SMS provider answered 503: scripted 503");
    assert_eq!(seen.lock().expect("lock").len(), 5);
    // A 400 (say, a number the provider refuses) fails at once.
    let (app, s, seen) = texting_checkout(vec![400]).await;
    json_of(send(&app, &s, &s.secret, json!({ "channel": "TEXT", "to": "+15551234567" })).await, 200).await;
    let failed = until_status(&app, &s, "FAILED").await;
    assert_eq!((failed["attempts"].as_i64(), failed["reason"].as_str()), (Some(1), Some("the SMS provider answered 400: scripted 400")));
    assert_eq!(seen.lock().expect("lock").len(), 1);
    // The provider's credentials are in no stored row.
    assert!(!app.all_stored_text().await.contains("s3cr3t-token"));
}

#[tokio::test]
async fn links_are_checked_and_the_entry_sample_without_a_phone_is_accepted() {
    let app = spawn_app().await;
    // The contract's PAYMENT_METHOD_ENTRY sample: WEBFORM, TEXT, EMAIL and no phone number.
    let entry = json!({
        "customer": { "hsid": "h-entry", "email": "pat@example.com" },
        "config": { "modes": ["PAYMENT_METHOD_ENTRY"], "paymentMethodChannel": { "card": ["WEBFORM", "TEXT", "EMAIL"] } },
        "agent": { "id": "agent-7", "name": "Sam" }
    });
    let r = json_of(app.create_session(&entry).await, 200).await;
    let e = Created { id: r["data"]["checkoutSessionId"].as_str().expect("id").to_owned(), secret: r["data"]["clientSecret"].as_str().expect("s").to_owned() };
    let cfg = json_of(app.config(&e.id, &e.secret).await, 200).await;
    assert_eq!(cfg["agent"]["channels"], json!(["TEXT", "EMAIL"]));
    for (body, detail) in [
        (json!({ "channel": "TEXT", "to": "12345" }), "to must be a phone number in E.164 form (+15551234567) or a 10-digit US number."),
        (json!({ "channel": "EMAIL", "to": "not-an-address" }), "to must be an email address."),
    ] {
        let err = json_of(send(&app, &e, &e.secret, body.clone()).await, 400).await;
        assert_eq!(err["detail"], detail, "{body}");
    }
    let err = json_of(send(&app, &e, &e.secret, json!({ "channel": "FAX", "to": "x" })).await, 400).await;
    assert_eq!(err["title"], "INVALID_REQUEST");
    // Without a transport configured (and not in demo mode) the link fails with the reason.
    json_of(send(&app, &e, &e.secret, json!({ "channel": "EMAIL", "to": "pat@example.com" })).await, 200).await;
    let failed = until_status(&app, &e, "FAILED").await;
    assert_eq!(failed["reason"], "email delivery is not configured on this server (CHECKOUT_SMTP_URL)");
    // A session without an agent has no agent view and takes no links.
    let mut plain = crate::helpers::payment_request(1_000);
    plain["config"]["paymentMethodChannel"]["card"] = json!(["WEBFORM", "TEXT", "EMAIL"]);
    let r = json_of(app.create_session(&plain).await, 200).await;
    let p = Created { id: r["data"]["checkoutSessionId"].as_str().expect("id").to_owned(), secret: r["data"]["clientSecret"].as_str().expect("s").to_owned() };
    assert!(json_of(app.config(&p.id, &p.secret).await, 200).await.get("agent").is_none());
    let err = json_of(send(&app, &p, &p.secret, json!({ "channel": "EMAIL", "to": "pat@example.com" })).await, 400).await;
    assert_eq!(err["detail"], "channel EMAIL is not an agent-assisted channel of this session.");
    let bad = json_of(app.create_session(&json!({
        "customer": {}, "payment": { "merchantTransactionId": "m-bad-ttl", "amount": 100 },
        "config": { "modes": ["PAYMENT"], "linkLifetimeMinutes": 1 }
    })).await, 400).await;
    assert_eq!(bad["detail"], "config.linkLifetimeMinutes must be 5 to 10080 (7 days).");
    let _ = KEY;
}
