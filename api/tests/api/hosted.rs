//! The hosted-session dialect, PATCH, and the signed success redirect.

use serde_json::{Value, json};
use sqlx::Row;

use crate::helpers::{KEY, TestApp, VISA_OK, card_confirm, json_of, spawn_app};

fn sample() -> Value {
    json!({
        "amount": 14227,
        "currency": "USD",
        "description": "Utility bill — account #4471",
        "customer_id": "cus_88420",
        "customer_email": "alex@example.com",
        "success_url": "https://shop.example/receipt?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://shop.example/billing",
        "layout": "embedded",
        "allowed_methods": ["card", "ach", "apple_pay"],
        "setup_future_usage": "on_session",
        "expires_in_seconds": 1800,
        "required_avs_fields": ["cardholder", "zip"],
        "metadata": { "invoice": "INV-2026-0611" }
    })
}

async fn create_hosted(app: &TestApp, body: &Value) -> reqwest::Response {
    app.http
        .post(app.url("/v1/hosted-sessions"))
        .bearer_auth(KEY)
        .header("X-Payment-Account-Uid", "demo")
        .json(body)
        .send()
        .await
        .expect("req")
}

async fn patch(app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
    app.http.patch(app.url(path)).bearer_auth(KEY).header("X-Merchant-Id", "demo").json(body).send().await.expect("req")
}

#[tokio::test]
async fn seed_sample_creates_a_payment_session() {
    let app = spawn_app().await;
    let before = checkout_api::db::now_ms();
    let s = json_of(create_hosted(&app, &sample()).await, 200).await;
    let id = s["session_id"].as_str().expect("session_id");
    assert!(id.starts_with("cs_"));
    let secret = s["client_secret"].as_str().expect("secret");
    assert!(secret.starts_with(&format!("{id}_secret_")));
    assert_eq!(s["hosted_url"], format!("{}/pay/{id}#cs={secret}", app.base));
    assert_eq!(s["embed_url"], format!("{}/embed/{id}", app.base));

    let cfg = json_of(app.config(id, secret).await, 200).await;
    assert_eq!(cfg["mode"], "PAYMENT");
    assert_eq!(cfg["amount"], 14227);
    assert_eq!(cfg["description"], "Utility bill — account #4471");
    assert_eq!(cfg["channels"], json!({"card": ["WEBFORM", "APPLE_PAY"], "bankAccount": ["WEBFORM"]}));
    assert_eq!(cfg["requiredAvsFields"], json!(["cardholder", "zip"]));
    assert_eq!(cfg["setupFutureUsage"], "on_session");
    assert_eq!(cfg["cancelUrl"], "https://shop.example/billing");
    let expires = sqlx::query("SELECT expires_at FROM sessions WHERE id = $1").bind(id).fetch_one(&app.db).await.expect("row");
    let expires: i64 = expires.try_get("expires_at").expect("expires_at");
    assert!((before + 1_800_000..before + 1_810_000).contains(&expires));

    // Hosted sessions always need the secret: the bare id is not a credential.
    json_of(app.config(id, id).await, 401).await;
}

#[tokio::test]
async fn hosted_requests_are_validated() {
    let app = spawn_app().await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("success_url", Value::Null, "success_url is required."),
        ("cancel_url", json!("ftp://x"), "cancel_url must be an absolute http(s) URL."),
        ("amount", json!(0), "amount must be between 1 and 100000000 minor units."),
        ("expires_in_seconds", json!(10), "expires_in_seconds must be between 60 and 86400."),
        ("allowed_methods", json!(["cash"]), "allowed_methods: unknown method `cash`; use card, ach, apple_pay or google_pay."),
        ("setup_future_usage", json!("always"), "setup_future_usage must be off, on_session or off_session."),
        ("required_avs_fields", json!(["ssn"]), "required_avs_fields: unknown field `ssn`; use cardholder or zip."),
        ("currency", json!("XYZ"), "currency is not supported."),
    ];
    for (field, value, detail) in cases {
        let mut body = sample();
        if value.is_null() {
            body.as_object_mut().expect("obj").remove(field);
        } else {
            body[field] = value;
        }
        let got = json_of(create_hosted(&app, &body).await, 400).await;
        assert_eq!(got, json!({"title": "INVALID_REQUEST", "status": 400, "detail": detail}), "{field}");
    }
}

#[tokio::test]
async fn success_redirect_is_substituted_and_signed() {
    let app = spawn_app().await;
    let s = json_of(create_hosted(&app, &sample()).await, 200).await;
    let (id, secret) = (s["session_id"].as_str().expect("id"), s["client_secret"].as_str().expect("secret"));
    let quote = json_of(app.quote(id, secret, &json!({"method": "CARD", "brand": "VISA"})).await, 200).await;
    let mut body = card_confirm(quote["quoteId"].as_str().expect("quote"), VISA_OK);
    body["paymentMethod"]["card"].as_object_mut().expect("card").remove("zipCode");
    let no_zip = json_of(app.confirm(id, secret, Some("k0"), &body).await, 400).await;
    assert_eq!(no_zip["detail"], "paymentMethod.card.zipCode is required.");
    body["paymentMethod"]["card"]["zipCode"] = json!("12345");
    let no_name = json_of(app.confirm(id, secret, Some("k0"), &body).await, 400).await;
    assert_eq!(no_name["detail"], "paymentMethod.card.nameOnCard is required.");
    body["paymentMethod"]["card"]["nameOnCard"] = json!("Alex Doe");
    let paid = json_of(app.confirm(id, secret, Some("k1"), &body).await, 200).await;
    assert_eq!(paid["payment"]["total"], 14227 + 420);
    let url = paid["redirectUrl"].as_str().expect("redirectUrl");
    let prefix = format!("https://shop.example/receipt?session_id={id}&checkout_signature=t=");
    assert!(url.starts_with(&prefix), "{url}");
    let (t, sig) = url[prefix.len()..].split_once(",v1=").expect("signature parts");
    let secret_row = sqlx::query("SELECT webhook_secret FROM merchants WHERE id = 'demo'").fetch_one(&app.db).await.expect("row");
    let key: String = secret_row.try_get("webhook_secret").expect("secret");
    assert_eq!(sig, checkout_api::secrets::hmac_hex(key.as_bytes(), format!("{t}.{id}.COMPLETED").as_bytes()));
    let cfg = json_of(app.config(id, secret).await, 200).await;
    assert!(cfg["redirectUrl"].as_str().is_some_and(|u| u.starts_with(&prefix)));
    // Hosted payments are recorded under the session id as transaction id.
    let view = app.merchant_get(id).await;
    assert_eq!(view["data"]["payment"]["merchantTransactionId"], id);
    assert_eq!(view["data"]["payment"]["metadata"], json!({"invoice": "INV-2026-0611"}));
}

#[tokio::test]
async fn patch_changes_the_amount_and_voids_older_quotes() {
    let app = spawn_app().await;
    let s = json_of(create_hosted(&app, &sample()).await, 200).await;
    let (id, secret) = (s["session_id"].as_str().expect("id"), s["client_secret"].as_str().expect("secret"));
    let old = json_of(app.quote(id, secret, &json!({"method": "CARD"})).await, 200).await;
    let patched = json_of(patch(&app, &format!("/v1/hosted-sessions/{id}"), &json!({"amount": 20000, "line_items": [{"name": "Late fee", "amount": 5773}]})).await, 200).await;
    assert_eq!(patched["data"]["amount"], 20000);
    let mut body = card_confirm(old["quoteId"].as_str().expect("q"), VISA_OK);
    body["paymentMethod"]["card"]["nameOnCard"] = json!("Alex Doe");
    let stale = json_of(app.confirm(id, secret, Some("k1"), &body).await, 422).await;
    assert_eq!(stale["detail"], "The amount changed after this fee quote was made. Request a new quote.");
    let fresh = json_of(app.quote(id, secret, &json!({"method": "CARD"})).await, 200).await;
    assert_eq!((fresh["amount"].as_i64(), fresh["fee"].as_i64()), (Some(20000), Some(590)));
    body["quoteId"] = fresh["quoteId"].clone();
    let paid = json_of(app.confirm(id, secret, Some("k2"), &body).await, 200).await;
    assert_eq!(paid["payment"]["total"], 20590);
    let late = json_of(patch(&app, &format!("/v1/hosted-sessions/{id}"), &json!({"amount": 1})).await, 409).await;
    assert_eq!(late["data"]["code"], "already_confirmed");
    let nothing = json_of(patch(&app, &format!("/v1/sessions/{id}"), &json!({})).await, 400).await;
    assert_eq!(nothing["detail"], "Nothing to change: send amount and/or line_items.");
}

#[tokio::test]
async fn ccg_sessions_patch_through_the_sessions_path() {
    let app = spawn_app().await;
    let s = app.payment_session(1_000).await;
    let r = json_of(patch(&app, &format!("/v1/sessions/{}", s.id), &json!({"payment": {"amount": 2_500}})).await, 200).await;
    assert_eq!(r["data"]["amount"], 2_500);
    let cfg = json_of(app.config(&s.id, &s.secret).await, 200).await;
    assert_eq!(cfg["amount"], 2_500);
    json_of(patch(&app, &format!("/v1/sessions/{}", s.id), &json!({"amount": -5})).await, 400).await;
}

#[tokio::test]
async fn hosted_expire_cancels() {
    let app = spawn_app().await;
    let s = json_of(create_hosted(&app, &sample()).await, 200).await;
    let id = s["session_id"].as_str().expect("id");
    let r = app
        .http
        .post(app.url(&format!("/v1/hosted-sessions/{id}/expire")))
        .bearer_auth(KEY)
        .header("X-Payment-Account-Uid", "demo")
        .send()
        .await
        .expect("req");
    assert_eq!(json_of(r, 200).await["data"]["status"], "CANCELED");
    assert_eq!(app.merchant_get(id).await["data"]["status"], "CANCELED");
}

#[tokio::test]
async fn confirm_racing_patch_or_expire_ends_in_one_consistent_state() {
    let app = spawn_app().await;
    for round in 0..6 {
        let s = json_of(create_hosted(&app, &sample()).await, 200).await;
        let (id, secret) = (s["session_id"].as_str().expect("id").to_owned(), s["client_secret"].as_str().expect("secret").to_owned());
        let quote = json_of(app.quote(&id, &secret, &json!({"method": "CARD"})).await, 200).await;
        let mut body = card_confirm(quote["quoteId"].as_str().expect("q"), VISA_OK);
        body["paymentMethod"]["card"]["nameOnCard"] = json!("Alex Doe");
        let confirm = app.confirm(&id, &secret, Some("k"), &body);
        let other = async {
            if round % 2 == 0 {
                patch(&app, &format!("/v1/hosted-sessions/{id}"), &json!({"amount": 99_999})).await
            } else {
                app.http.post(app.url(&format!("/v1/hosted-sessions/{id}/expire"))).bearer_auth(KEY)
                    .header("X-Merchant-Id", "demo").send().await.expect("req")
            }
        };
        let (c, o) = tokio::join!(confirm, other);
        let (c_status, o_status) = (c.status().as_u16(), o.status().as_u16());
        let c_body: Value = c.json().await.expect("json");
        let view = app.merchant_get(&id).await;
        let status = view["data"]["status"].as_str().unwrap_or_default().to_owned();
        if c_status == 200 {
            // Paid: the other call lost, and the charge is what the confirm said.
            assert_eq!(status, "COMPLETED");
            assert_eq!(o_status, 409, "{round}: patch/expire after payment must fail");
            assert_eq!(view["data"]["payment"]["total"], c_body["payment"]["total"]);
            assert_eq!(c_body["payment"]["amount"], 14227);
        } else {
            // The other call won: nothing was charged.
            assert!(matches!(c_status, 409 | 422), "{round}: {c_status} {c_body}");
            assert_eq!(o_status, 200);
            assert_eq!(app.payment_count(&id).await, 0);
            assert!(status == "CREATED" || status == "CANCELED", "{status}");
        }
    }
}

#[tokio::test]
async fn appearance_becomes_checked_css_variables() {
    let app = spawn_app().await;
    let mut body = sample();
    body["branding"] = json!({ "color_primary": "#0b6e4f", "border_radius": "4px", "font_family": "Inter, sans-serif" });
    let s = json_of(create_hosted(&app, &body).await, 200).await;
    let cfg = json_of(app.config(s["session_id"].as_str().expect("id"), s["client_secret"].as_str().expect("secret")).await, 200).await;
    assert_eq!(
        cfg["appearance"],
        json!({ "--checkout-color-primary": "#0b6e4f", "--checkout-font": "Inter, sans-serif", "--checkout-radius": "4px" })
    );
    for (key, value, detail) in [
        ("color_primary", json!("red; background: url(x)"), "branding.color_primary is not a valid value."),
        ("border_radius", json!("4"), "branding.border_radius is not a valid value."),
        ("font_family", json!("x}</style>"), "branding.font_family is not a valid value."),
        ("shadow", json!("none"), "branding: unknown key `shadow`; use colorPrimary, colorPrimaryText, colorBackground, colorText, colorError, borderRadius, spacingUnit or fontFamily."),
    ] {
        let mut bad = sample();
        bad["branding"] = json!({ key: value });
        assert_eq!(json_of(create_hosted(&app, &bad).await, 400).await["detail"], detail);
    }
    let mut ccg = crate::helpers::payment_request(100);
    ccg["config"]["appearance"] = json!({ "colorPrimary": "#123" });
    let r = json_of(app.create_session(&ccg).await, 200).await;
    let id = r["data"]["checkoutSessionId"].as_str().expect("id");
    assert_eq!(json_of(app.config(id, id).await, 200).await["appearance"], json!({ "--checkout-color-primary": "#123" }));
}

#[tokio::test]
async fn widget_assets_are_served_precompressed_and_cached_by_content_hash() {
    let app = crate::helpers::spawn_app().await;
    std::fs::create_dir_all(&app.dist).expect("dist");
    let wasm = b"\0asm fake module bytes".repeat(50);
    std::fs::write(app.dist.join("checkout-widget-448ba42049724aa1_bg.wasm"), &wasm).expect("wasm");
    std::fs::write(app.dist.join("checkout-widget-448ba42049724aa1_bg.wasm.gz"), b"gzipped bytes").expect("gz");
    std::fs::write(app.dist.join("notes.txt"), b"not hashed").expect("txt");
    let url = app.url("/widget/checkout-widget-448ba42049724aa1_bg.wasm");

    let gz = app.http.get(&url).header("Accept-Encoding", "gzip, br").send().await.expect("request");
    assert_eq!(gz.status(), 200);
    assert_eq!(gz.headers()["content-encoding"], "gzip", "the precompressed copy (no .br here)");
    assert_eq!(gz.headers()["content-type"], "application/wasm");
    assert_eq!(gz.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(gz.bytes().await.expect("body").as_ref(), b"gzipped bytes");

    let plain = app.http.get(&url).send().await.expect("request");
    assert!(plain.headers().get("content-encoding").is_none(), "no Accept-Encoding: the file itself");
    assert_eq!(plain.bytes().await.expect("body").as_ref(), wasm.as_slice());

    let other = app.http.get(app.url("/widget/notes.txt")).send().await.expect("request");
    assert_eq!(other.headers()["cache-control"], "no-cache", "only content-hashed names are immutable");
    let missing = app.http.get(app.url("/widget/app-0123456789abcdef.js")).send().await.expect("request");
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["cache-control"], "no-cache");
}

#[test]
fn hashed_asset_names_are_recognized() {
    use checkout_api::pages::is_hashed_asset;
    assert!(is_hashed_asset("/checkout-widget-448ba42049724aa1_bg.wasm"));
    assert!(is_hashed_asset("/checkout-widget-448ba42049724aa1.js"));
    assert!(is_hashed_asset("/main-cc527e902ef02524.css"));
    assert!(!is_hashed_asset("/index.html"));
    assert!(!is_hashed_asset("/vanilla.html"));
    assert!(!is_hashed_asset("/main-cc527e90.css"));
}

/// A stand-in for one of the widget's builds: its page names the build, in its body and in the
/// inline script the CSP must allow.
fn build_page(build: &str) -> String {
    format!("<!DOCTYPE html><html><head><script>/*{build}*/</script></head><body>{build}</body></html>")
}

#[tokio::test]
async fn each_page_is_served_the_build_that_holds_its_session_s_mode() {
    let app = crate::helpers::spawn_app().await;
    let manage = app.dist.join("manage");
    std::fs::create_dir_all(&manage).expect("dist/manage");
    std::fs::write(app.dist.join("index.html"), build_page("pay build")).expect("pay index");
    std::fs::write(manage.join("index.html"), build_page("manage build")).expect("manage index");
    let pay = app.payment_session(1_000).await;
    let body = json!({ "customer": { "hsid": "h-build" }, "config": { "modes": ["WALLET"] } });
    let wallet = json_of(app.create_session(&body).await, 200).await;
    let wallet = wallet["data"]["checkoutSessionId"].as_str().expect("id").to_owned();
    for (id, expected) in [(pay.id.as_str(), "pay build"), (wallet.as_str(), "manage build"), ("unknown", "pay build")] {
        for path in ["pay", "embed"] {
            let r = app.http.get(app.url(&format!("/{path}/{id}"))).send().await.expect("request");
            assert_eq!(r.status(), 200);
            let csp = r.headers()["content-security-policy"].to_str().expect("csp").to_owned();
            // The device wallets may run in the page (and, framed, where the parent allows it).
            assert_eq!(r.headers()["permissions-policy"], "payment=(self)");
            let html = r.text().await.expect("html");
            assert!(html.contains(expected), "/{path}/{id}: {html}");
            // The CSP allows exactly that build's inline script.
            let script = format!("/*{expected}*/");
            let hash = format!("'sha256-{}'", base64_sha256(script.as_bytes()));
            assert!(csp.contains(&hash), "{csp}");
        }
    }
    // A dist/ without manage/ (one build holding every mode) serves every session.
    std::fs::remove_dir_all(&manage).expect("rm manage");
    let html = app.http.get(app.url(&format!("/pay/{wallet}"))).send().await.expect("request").text().await.expect("html");
    assert!(html.contains("pay build"));
}

#[tokio::test]
async fn a_payment_is_served_the_lightest_build_that_holds_it() {
    let app = crate::helpers::spawn_app().await;
    let light = ["card", "forms", "express"];
    for build in light {
        std::fs::create_dir_all(app.dist.join(build)).expect("a build directory");
        std::fs::write(app.dist.join(build).join("index.html"), build_page(&format!("{build} build"))).expect("index");
    }
    std::fs::write(app.dist.join("index.html"), build_page("pay build")).expect("pay index");
    let session = |customer: Value, mode: &str, card: Value, bank: Value| {
        json!({
            "customer": customer,
            "payment": { "merchantTransactionId": uuid::Uuid::new_v4().to_string(), "amount": 1_500 },
            "config": { "modes": [mode], "paymentMethodChannel": { "card": card, "bankAccount": bank } }
        })
    };
    let cases = [
        ("card only", session(json!({}), "PAYMENT", json!(["WEBFORM"]), json!([])), "card build"),
        ("card and agent links", session(json!({}), "PAYMENT", json!(["WEBFORM", "TEXT", "EMAIL"]), json!([])), "card build"),
        ("a bank account", session(json!({}), "PAYMENT", json!(["WEBFORM"]), json!(["WEBFORM"])), "forms build"),
        ("bank account only", session(json!({}), "PAYMENT", json!([]), json!(["WEBFORM"])), "forms build"),
        ("a customer's wallet (saved methods)", session(json!({ "hsid": "h-card-build" }), "PAYMENT", json!(["WEBFORM"]), json!([])), "forms build"),
        ("PAYMENT_WITH_WALLET", session(json!({ "hsid": "h-card-build" }), "PAYMENT_WITH_WALLET", json!(["WEBFORM"]), json!([])), "forms build"),
        ("Google Pay", session(json!({}), "PAYMENT", json!(["WEBFORM", "GOOGLE_PAY"]), json!([])), "express build"),
        ("Apple Pay alone", session(json!({}), "PAYMENT", json!(["APPLE_PAY"]), json!([])), "express build"),
        ("Apple Pay and a bank account", session(json!({}), "PAYMENT", json!(["WEBFORM", "APPLE_PAY"]), json!(["WEBFORM"])), "pay build"),
        ("Google Pay and a customer's wallet", session(json!({ "hsid": "h-card-build" }), "PAYMENT_WITH_WALLET", json!(["GOOGLE_PAY"]), json!([])), "pay build"),
    ];
    let mut card_only = String::new();
    for (what, body, expected) in cases {
        let created = json_of(app.create_session(&body).await, 200).await;
        let id = created["data"]["checkoutSessionId"].as_str().expect("id").to_owned();
        for path in ["pay", "embed"] {
            let html = app.http.get(app.url(&format!("/{path}/{id}"))).send().await.expect("request").text().await.expect("html");
            assert!(html.contains(expected), "{what}, /{path}: {html}");
        }
        if what == "card only" {
            card_only = id;
        }
    }
    // A dist/ without the lighter builds serves the whole payment build to every payment.
    for build in light {
        std::fs::remove_dir_all(app.dist.join(build)).expect("rm");
    }
    let html = app.http.get(app.url(&format!("/pay/{card_only}"))).send().await.expect("request").text().await.expect("html");
    assert!(html.contains("pay build"), "{html}");
}

fn base64_sha256(data: &[u8]) -> String {
    use sha2::Digest;
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(data))
}

#[tokio::test]
async fn the_typescript_declarations_are_served_beside_the_loader() {
    let app = crate::helpers::spawn_app().await;
    let r = app.http.get(app.url("/v1/govifi.d.ts")).send().await.expect("request");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let text = r.text().await.expect("text");
    assert_eq!(text, checkout_api::pages::DECLARATIONS_TS);
    assert!(text.contains("export interface GovifiEventDetailMap") && text.contains("export type Paid = "), "{text}");
}
