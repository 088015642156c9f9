//! Request ids: the reference a caller quotes to support, from the answer to the log line.

use serde_json::Value;

use crate::helpers::{KEY, VISA_DECLINED, card_confirm, json_of, spawn_app};

fn id_of(r: &reqwest::Response) -> String {
    r.headers().get("x-request-id").expect("x-request-id").to_str().expect("ascii").to_owned()
}

#[tokio::test]
async fn every_answer_names_its_request_and_a_caller_s_plain_id_is_kept() {
    let app = spawn_app().await;
    let made = app.http.get(app.url("/healthz")).send().await.expect("req");
    let id = id_of(&made);
    assert!(id.starts_with("req_") && id.len() == 36, "{id}");
    assert_ne!(id_of(&app.http.get(app.url("/healthz")).send().await.expect("req")), id, "one id per request");

    // A proxy's or a merchant's own id is kept, on the header and in the error body.
    let get = |id: String| {
        app.http.get(app.url("/v1/sessions/no-such-session")).bearer_auth(KEY).header("X-Merchant-Id", "demo").header("x-request-id", id).send()
    };
    let kept = get("support-trace.42".to_owned()).await.expect("req");
    assert_eq!(id_of(&kept), "support-trace.42");
    let body: Value = kept.json().await.expect("json");
    assert_eq!((body["title"].as_str(), body["requestId"].as_str()), (Some("NOT_FOUND"), Some("support-trace.42")));
    // Anything else is replaced: too long, or characters a log line should not carry.
    for hostile in ["x".repeat(65), "a b".to_owned(), "id\"quoted".to_owned()] {
        let replaced = get(hostile.clone()).await.expect("req");
        assert!(id_of(&replaced).starts_with("req_"), "{hostile:?} kept");
    }
}

#[tokio::test]
async fn a_replayed_confirm_is_the_first_answer_byte_for_byte_under_its_own_request_id() {
    let app = spawn_app().await;
    let s = app.payment_session(1_500).await;
    let body = card_confirm(&app.card_quote(&s).await, VISA_DECLINED);
    let first = app.confirm(&s.id, &s.secret, Some("k"), &body).await;
    let first_id = id_of(&first);
    let first_text = first.text().await.expect("body");
    let again = app.confirm(&s.id, &s.secret, Some("k"), &body).await;
    assert_ne!(id_of(&again), first_id);
    assert_eq!(again.text().await.expect("body"), first_text, "a stored answer carries no request id of its own");
    // An error the API makes now names the request.
    let bad = app.confirm(&s.id, &s.secret, None, &body).await;
    let bad_id = id_of(&bad);
    let err: Value = serde_json::from_str(&bad.text().await.expect("body")).expect("json");
    assert_eq!(err["requestId"].as_str(), Some(bad_id.as_str()));
    json_of(app.http.get(app.url("/healthz")).send().await.expect("req"), 200).await;
}
