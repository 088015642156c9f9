//! `/openapi.json`: every documented operation is routed, and every route is documented.

use serde_json::Value;

use crate::helpers::{json_of, spawn_app};

/// The routes the API serves (besides pages), as (method, path template).
const ROUTES: &[(&str, &str)] = &[
    ("post", "/v1/sessions"),
    ("post", "/v2/sessions"),
    ("get", "/v1/sessions/{id}"),
    ("patch", "/v1/sessions/{id}"),
    ("post", "/v1/hosted-sessions"),
    ("patch", "/v1/hosted-sessions/{id}"),
    ("post", "/v1/hosted-sessions/{id}/expire"),
    ("post", "/v1/sessions/{id}/expire"),
    ("get", "/v1/sessions/{id}/config"),
    ("post", "/v1/sessions/{id}/fee-quotes"),
    ("post", "/v1/sessions/{id}/confirm"),
    ("get", "/healthz"),
    ("get", "/v1/sessions/{id}/payment-methods"),
    ("post", "/v1/sessions/{id}/payment-methods"),
    ("patch", "/v1/sessions/{id}/payment-methods/{pm}"),
    ("delete", "/v1/sessions/{id}/payment-methods/{pm}"),
    ("post", "/v1/sessions/{id}/select"),
    ("post", "/v1/sessions/{id}/complete"),
    ("get", "/v1/sessions/{id}/notifications"),
    ("post", "/v2/payments"),
    ("get", "/v2/payments"),
    ("get", "/v2/payments/{id}"),
    ("post", "/v2/payments/{id}/capture"),
    ("post", "/v2/payments/{id}/void"),
    ("post", "/v2/payments/{id}/refunds"),
    ("get", "/v1/webhook-endpoint"),
    ("put", "/v1/webhook-endpoint"),
    ("post", "/v1/webhook-endpoint/rotate-secret"),
    ("get", "/v1/webhook-events/failed"),
    ("post", "/v1/webhook-events/{id}/redeliver"),
    ("get", "/v1/wallet-settings"),
    ("put", "/v1/wallet-settings"),
    ("get", "/v1/wallet-settings/apple-pay/domain-association"),
    ("post", "/v1/sessions/{id}/wallets/apple-pay/merchant-session"),
    ("get", "/.well-known/apple-developer-merchantid-domain-association"),
    ("post", "/v1/sessions/{id}/links"),
    ("post", "/v1/sessions/{id}/challenge"),
];

#[tokio::test]
async fn openapi_document_matches_the_routes() {
    let app = spawn_app().await;
    let doc = json_of(app.http.get(app.url("/openapi.json")).send().await.expect("req"), 200).await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(p, ops)| ops.as_object().into_iter().flatten().map(move |(m, _)| (m.clone(), p.clone())))
        .collect();
    documented.sort();
    let mut expected: Vec<(String, String)> = ROUTES.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
    expected.sort();
    assert_eq!(documented, expected);

    // Every documented operation is really routed: no "No such endpoint" 404 from the fallback.
    for (method, path) in &documented {
        let url = app.url(&path.replace("{id}", "00000000-0000-4000-8000-000000000000").replace("{pm}", "x"));
        let resp = match method.as_str() {
            "get" => app.http.get(&url),
            "delete" => app.http.delete(&url),
            "patch" => app.http.patch(&url).header("content-type", "application/json").body("{}"),
            "put" => app.http.put(&url).header("content-type", "application/json").body("{}"),
            _ => app.http.post(&url).header("content-type", "application/json").body("{}"),
        }
        .send()
        .await
        .expect("req");
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(
            !(status == 404 && body["detail"] == "No such endpoint."),
            "{method} {path} is documented but not routed"
        );
        assert!(status < 500, "{method} {path} answered {status}");
    }
    for schema in ["SessionConfig", "FeeQuote", "FeeQuoteRequest", "ConfirmRequest", "ConfirmResponse", "ErrorBody"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "schema {schema}");
    }
}
