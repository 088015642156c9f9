//! Agent-assisted channels: TEXT / EMAIL links queued in an outbox the merchant can read.

use serde_json::json;

use crate::helpers::{KEY, json_of, spawn_app};

#[tokio::test]
async fn text_and_email_channels_queue_a_link_without_the_secret() {
    let app = spawn_app().await;
    let body = json!({
        "customer": { "hsid": "h-1", "email": "pat@example.com", "phoneNumber": { "number": "9876543210", "countryCode": "1" } },
        "config": { "modes": ["PAYMENT_METHOD_ENTRY"], "paymentMethodChannel": { "card": ["WEBFORM", "TEXT", "EMAIL"] } }
    });
    let s = json_of(app.create_session(&body).await, 200).await;
    let id = s["data"]["checkoutSessionId"].as_str().expect("id");
    let r = app.http.get(app.url(&format!("/v1/sessions/{id}/notifications"))).bearer_auth(KEY).header("X-Merchant-Id", "demo")
        .send().await.expect("req");
    let list = json_of(r, 200).await;
    let items = list["data"].as_array().expect("list");
    assert_eq!(items.len(), 2);
    assert_eq!((items[0]["channel"].as_str(), items[0]["recipient"].as_str()), (Some("TEXT"), Some("+19876543210")));
    assert_eq!((items[1]["channel"].as_str(), items[1]["recipient"].as_str()), (Some("EMAIL"), Some("pat@example.com")));
    for item in items {
        assert_eq!(item["link"], format!("{}/pay/{id}", app.base));
        assert_eq!(item["status"], "QUEUED");
    }
    // The link opens the session by id (a CCG credential), never with the secret.
    let secret = s["data"]["clientSecret"].as_str().expect("secret");
    assert!(!list.to_string().contains(secret));
    json_of(app.config(id, id).await, 200).await;

    let mut missing = body.clone();
    missing["customer"] = json!({ "hsid": "h-1", "email": "pat@example.com" });
    let r = json_of(app.create_session(&missing).await, 400).await;
    assert_eq!(r["detail"], "customer.phoneNumber {number, countryCode} is required for the TEXT channel.");
}
