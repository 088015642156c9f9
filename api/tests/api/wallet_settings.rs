//! A merchant's device-wallet settings: checked, stored, and what a session's config gives the
//! widget for Google Pay.

use serde_json::{Value, json};

use crate::helpers::{KEY, TestApp, json_of, spawn_app};

async fn put(app: &TestApp, body: &Value) -> reqwest::Response {
    app.http.put(app.url("/v1/wallet-settings")).bearer_auth(KEY).header("X-Merchant-Id", "demo").json(body).send().await.expect("req")
}

async fn google_pay_config(app: &TestApp) -> Value {
    let mut req = crate::helpers::payment_request(1_000);
    req["config"]["paymentMethodChannel"]["card"] = json!(["WEBFORM", "GOOGLE_PAY"]);
    let s = json_of(app.create_session(&req).await, 200).await;
    let cfg = json_of(app.config(s["data"]["checkoutSessionId"].as_str().expect("id"), s["data"]["clientSecret"].as_str().expect("secret")).await, 200).await;
    cfg["googlePay"].clone()
}

#[tokio::test]
async fn wallet_settings_are_checked_stored_and_given_to_the_widget_for_google_pay() {
    let app = spawn_app().await;
    // Unset: the sandbox's defaults.
    assert_eq!(json_of(app.http.get(app.url("/v1/wallet-settings")).bearer_auth(KEY).header("X-Merchant-Id", "demo").send().await.expect("req"), 200).await, json!({}));
    assert_eq!(google_pay_config(&app).await, json!({ "environment": "TEST", "gateway": "govifi", "gatewayMerchantId": "demo" }));
    for (body, detail) in [
        (json!({ "googlePay": { "environment": "PRODUCTION", "gateway": "gw", "gatewayMerchantId": "m" } }),
         "googlePay.environment PRODUCTION needs googlePay.merchantId (Google's merchant id)."),
        (json!({ "googlePay": { "environment": "TEST", "gateway": "gw<script>", "gatewayMerchantId": "m" } }),
         "googlePay.gateway must be 1-64 letters, digits, '.', '_' or '-'."),
        (json!({ "applePay": { "merchantIdentifier": "com.example", "displayName": "Shop" } }),
         "applePay.merchantIdentifier must look like merchant.com.example (up to 128 characters)."),
        (json!({ "applePay": { "merchantIdentifier": "merchant.com.example", "displayName": "Shop", "domains": ["https://shop.example.com/"] } }),
         "applePay.domains must be up to 20 domain names such as shop.example.com (no scheme, no path)."),
    ] {
        let r = json_of(put(&app, &body).await, 400).await;
        assert_eq!(r["detail"], detail, "{body}");
    }
    let unknown = json_of(put(&app, &json!({ "samsungPay": {} })).await, 400).await;
    assert_eq!(unknown["title"], "INVALID_REQUEST");
    let settings = json!({
        "googlePay": { "environment": "PRODUCTION", "merchantId": "BCR2DN4TQ2M6R4Z1", "gateway": "examplegateway", "gatewayMerchantId": "acct-123" },
        "applePay": { "merchantIdentifier": "merchant.com.example.shop", "displayName": "Demo Store", "domains": ["shop.example.com"] }
    });
    assert_eq!(json_of(put(&app, &settings).await, 200).await, settings);
    assert_eq!(json_of(app.http.get(app.url("/v1/wallet-settings")).bearer_auth(KEY).header("X-Merchant-Id", "demo").send().await.expect("req"), 200).await, settings);
    assert_eq!(google_pay_config(&app).await, settings["googlePay"]);
    // A session without Google Pay carries none.
    let plain = json_of(app.create_session(&crate::helpers::payment_request(1_000)).await, 200).await;
    let cfg = json_of(app.config(plain["data"]["checkoutSessionId"].as_str().expect("id"), plain["data"]["clientSecret"].as_str().expect("s")).await, 200).await;
    assert!(cfg.get("googlePay").is_none(), "{cfg}");
}

#[tokio::test]
async fn the_update_merchant_command_sets_wallet_settings_checked_like_the_api() {
    let dir = tempfile::tempdir().expect("dir");
    let (url, _) = crate::helpers::fresh_database_url(dir.path()).await;
    let db = checkout_api::db::connect(&url).await.expect("db");
    checkout_api::demo::seed(&db, KEY, "http://127.0.0.1").await.expect("seed");
    let run = |file: &std::path::Path, name: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_checkout-api"))
            .args(["update-merchant", "--id", "demo", "--name", name, "--wallet-settings"])
            .arg(file)
            .env("DATABASE_URL", &url)
            .output()
            .expect("run checkout-api")
    };
    let good = dir.path().join("wallets.json");
    let settings = json!({ "applePay": { "merchantIdentifier": "merchant.com.example.demo", "displayName": "Demo", "domains": ["shop.example.com"] } });
    std::fs::write(&good, settings.to_string()).expect("write");
    let out = run(&good, "Demo Store Two");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(checkout_api::domain::wallet_settings::get_on(&db, "demo").await.expect("get"), serde_json::from_value(settings).expect("settings"));
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, json!({ "googlePay": { "environment": "PRODUCTION", "gateway": "g", "gatewayMerchantId": "m" } }).to_string()).expect("write");
    let out = run(&bad, "Never Stored");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("PRODUCTION needs googlePay.merchantId"), "{}", String::from_utf8_lossy(&out.stderr));
    let name: String = sqlx::query_scalar("SELECT display_name FROM merchants WHERE id = 'demo'").fetch_one(&db).await.expect("name");
    assert_eq!(name, "Demo Store Two", "the good run's name stayed; the bad run changed nothing");
}
