//! Apple Pay's server side: the merchant session (sandbox, and the production request against a
//! local HTTPS stand-in for Apple's gateway that, like Apple's, refuses a client without the
//! merchant identity certificate), the domain-association file, the config the widget starts
//! `ApplePaySession` with, and an Apple Pay token paying or declining.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use checkout_api::state::ApplePayConfig;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::helpers::{Created, KEY, TestApp, json_of, payment_request, spawn_app, spawn_app_configured};

const APPLE_URL: &str = "https://apple-pay-gateway-cert.apple.com/paymentservices/paymentSession";

async fn apple_pay_session(app: &TestApp) -> Created {
    let mut body = payment_request(2_000);
    body["config"]["paymentMethodChannel"]["card"] = json!(["WEBFORM", "APPLE_PAY"]);
    let resp = json_of(app.create_session(&body).await, 200).await;
    Created {
        id: resp["data"]["checkoutSessionId"].as_str().unwrap_or_default().to_owned(),
        secret: resp["data"]["clientSecret"].as_str().unwrap_or_default().to_owned(),
    }
}

async fn merchant_session(app: &TestApp, s: &Created, bearer: &str, url: &str) -> reqwest::Response {
    app.http
        .post(app.url(&format!("/v1/sessions/{}/wallets/apple-pay/merchant-session", s.id)))
        .bearer_auth(bearer)
        .json(&json!({ "validationUrl": url }))
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn the_sandbox_merchant_session_answers_only_apples_hosts_and_the_session_s_secret() {
    let app = spawn_app().await;
    let s = apple_pay_session(&app).await;
    let ms = json_of(merchant_session(&app, &s, &s.secret, APPLE_URL).await, 200).await;
    assert_eq!(ms["domainName"], "127.0.0.1", "the checkout's own host runs Apple Pay");
    assert_eq!(ms["displayName"], "Demo Store");
    assert!(ms["merchantSessionIdentifier"].as_str().is_some_and(|m| m.starts_with("SSH_SANDBOX_")), "{ms}");
    for bad in ["https://evil.example/paymentSession", "http://apple-pay-gateway.apple.com/x", "https://apple-pay-gateway.apple.com.evil.example/x"] {
        let e = json_of(merchant_session(&app, &s, &s.secret, bad).await, 400).await;
        assert_eq!(e["detail"], "validationUrl must be an https URL on one of Apple's Apple Pay gateway hosts.", "{bad}");
    }
    let forged = json_of(merchant_session(&app, &s, "cs_forged_secret", APPLE_URL).await, 401).await;
    assert_eq!(forged["title"], "UNAUTHORIZED");
    // A session without the channel is refused.
    let plain = app.payment_session(1_000).await;
    let e = json_of(merchant_session(&app, &plain, &plain.secret, APPLE_URL).await, 400).await;
    assert_eq!(e["detail"], "Apple Pay is not enabled for this session.");
}

#[tokio::test]
async fn the_config_carries_apple_pay_s_request_from_the_merchant_s_settings() {
    let app = spawn_app().await;
    let s = apple_pay_session(&app).await;
    let cfg = json_of(app.config(&s.id, &s.secret).await, 200).await;
    assert_eq!(
        cfg["applePay"],
        json!({
            "countryCode": "US", "currencyCode": "USD", "merchantCapabilities": ["supports3DS"],
            "supportedNetworks": ["visa", "masterCard", "amex", "discover", "jcb", "chinaUnionPay"],
            "total": { "label": "Demo Store", "amount": "20.00", "type": "final" }
        })
    );
    let settings = json!({ "applePay": { "merchantIdentifier": "merchant.com.example.shop", "displayName": "Example Shop", "domains": ["shop.example.com"] } });
    let put = app.http.put(app.url("/v1/wallet-settings")).bearer_auth(KEY).header("X-Merchant-Id", "demo").json(&settings).send().await.expect("put");
    assert_eq!(put.status(), 200);
    let cfg = json_of(app.config(&s.id, &s.secret).await, 200).await;
    assert_eq!(cfg["applePay"]["total"]["label"], "Example Shop");
    let ms = json_of(merchant_session(&app, &s, &s.secret, APPLE_URL).await, 200).await;
    assert_eq!(ms["displayName"], "Example Shop");
    assert!(cfg.get("googlePay").is_none(), "Google Pay is not enabled on this session");
}

#[tokio::test]
async fn the_domain_association_file_is_served_to_apple_and_handed_to_the_merchant() {
    let app = spawn_app().await;
    let public = app.http.get(app.url("/.well-known/apple-developer-merchantid-domain-association")).send().await.expect("get");
    assert_eq!(public.status(), 200);
    let file = public.text().await.expect("text");
    assert!(!file.is_empty() && file.bytes().all(|b| b.is_ascii_hexdigit()), "{file}");
    let merchant = app.http.get(app.url("/v1/wallet-settings/apple-pay/domain-association")).bearer_auth(KEY).header("X-Merchant-Id", "demo").send().await.expect("get");
    assert_eq!(merchant.status(), 200);
    assert_eq!(merchant.text().await.expect("text"), file);
    let anonymous = app.http.get(app.url("/v1/wallet-settings/apple-pay/domain-association")).send().await.expect("get");
    assert_eq!(anonymous.status(), 401);

    // The file Apple issued, when configured, is served as it is.
    let issued = b"7B2276657273696F6E223A317D".to_vec();
    let app = spawn_app_configured(|s| s.apple_pay.domain_association = Some(issued.clone())).await;
    let public = app.http.get(app.url("/.well-known/apple-developer-merchantid-domain-association")).send().await.expect("get");
    assert_eq!(public.bytes().await.expect("bytes").to_vec(), issued);
}

#[tokio::test]
async fn an_apple_pay_token_pays_as_apple_pay_and_the_sandbox_s_test_token_declines() {
    let app = spawn_app().await;
    let s = apple_pay_session(&app).await;
    let q = json_of(app.quote(&s.id, &s.secret, &json!({"method": "APPLE_PAY"})).await, 200).await;
    let quote = q["quoteId"].as_str().unwrap_or_default();
    // Apple's paymentData, as the widget forwards it (JSON text).
    let payment_data = |data: &str| json!({ "version": "EC_v1", "data": data, "signature": "MIAGCSqGSIb3", "header": { "ephemeralPublicKey": "MFkw", "publicKeyHash": "LbsU", "transactionId": "a1b2" } }).to_string();
    let confirm = |data: &str| json!({ "quoteId": quote, "paymentMethod": { "type": "APPLE_PAY", "applePay": { "token": payment_data(data), "network": "MasterCard", "last4": "4444" } } });
    let declined = json_of(app.confirm(&s.id, &s.secret, Some("ap1"), &confirm("sandbox_declined")).await, 422).await;
    assert_eq!(declined["data"]["code"], "card_declined");
    let paid = json_of(app.confirm(&s.id, &s.secret, Some("ap2"), &confirm("ZW5jcnlwdGVk")).await, 200).await;
    assert_eq!(paid["payment"]["paymentMethod"], json!({ "type": "APPLE_PAY", "brand": "MASTERCARD", "last4": "4444" }));
    let view = app.merchant_get(&s.id).await;
    let statuses: Vec<&str> = view["data"]["paymentAttempts"].as_array().map(|a| a.iter().filter_map(|x| x["status"].as_str()).collect()).unwrap_or_default();
    assert_eq!(statuses, ["FAILED", "COMPLETED"]);
}

/// Certificates for the stand-in: a CA, the gateway's certificate for `localhost`, and a merchant
/// identity certificate (client) signed by the same CA.
struct Pki {
    ca_pem: String,
    server: (String, String),
    client: (String, String),
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().expect("key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).expect("ca");
    let server_key = KeyPair::generate().expect("key");
    let server = CertificateParams::new(vec!["localhost".to_owned()]).expect("params").signed_by(&server_key, &ca_cert, &ca_key).expect("server");
    let client_key = KeyPair::generate().expect("key");
    let client = CertificateParams::new(vec!["merchant.com.example.shop".to_owned()]).expect("params").signed_by(&client_key, &ca_cert, &ca_key).expect("client");
    Pki { ca_pem: ca_cert.pem(), server: (server.pem(), server_key.serialize_pem()), client: (client.pem(), client_key.serialize_pem()) }
}

/// TLS in front of the stand-in's router, requiring a client certificate from the CA.
struct TlsListener {
    tcp: TcpListener,
    tls: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else { continue };
            // A client without the identity certificate fails here, as it would at Apple.
            if let Ok(tls) = self.tls.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

fn pem_certs(pem: &str) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()).map(|c| c.expect("cert")).collect()
}

/// Apple's gateway, as a stand-in: `POST /paymentservices/paymentSession` over TLS that requires
/// the merchant's identity certificate; records each request body and answers `status` with a
/// merchant session.
async fn apple_gateway(pki: &Pki, status: StatusCode) -> (String, Arc<Mutex<Vec<Value>>>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in pem_certs(&pki.ca_pem) {
        roots.add(c).expect("root");
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build().expect("verifier");
    use rustls::pki_types::pem::PemObject;
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(pki.server.1.as_bytes()).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(pem_certs(&pki.server.0), key)
        .expect("server config");
    let tcp = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = tcp.local_addr().expect("addr").port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let router = axum::Router::new()
        .route(
            "/paymentservices/paymentSession",
            post(|State((seen, status)): State<(Arc<Mutex<Vec<Value>>>, StatusCode)>, Json(body): Json<Value>| async move {
                seen.lock().expect("lock").push(body);
                (status, Json(json!({ "epochTimestamp": 1, "expiresAt": 2, "merchantSessionIdentifier": "SSH_FROM_APPLE", "nonce": "n", "signature": "s" })))
            }),
        )
        .with_state((received.clone(), status));
    let listener = TlsListener { tcp, tls: TlsAcceptor::from(Arc::new(config)) };
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("https://localhost:{port}/paymentservices/paymentSession"), received)
}

/// A checkout whose Apple Pay trusts the stand-in's CA and host, with `identity` (certificate,
/// key) in its identity directory for the demo merchant.
async fn production_checkout(pki: &Pki, identity: Option<&(String, String)>) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    if let Some((crt, key)) = identity {
        std::fs::write(dir.path().join("demo.crt"), crt).expect("write");
        std::fs::write(dir.path().join("demo.key"), key).expect("write");
    }
    let cfg = ApplePayConfig {
        identity_dir: Some(dir.path().to_owned()),
        gateway_hosts: vec!["localhost".to_owned()],
        extra_root_pem: Some(pki.ca_pem.clone().into_bytes()),
        domain_association: None,
    };
    let app = spawn_app_configured(move |s| s.apple_pay = cfg).await;
    let settings = json!({ "applePay": { "merchantIdentifier": "merchant.com.example.shop", "displayName": "Example Shop", "domains": ["shop.example.com"] } });
    let put = app.http.put(app.url("/v1/wallet-settings")).bearer_auth(KEY).header("X-Merchant-Id", "demo").json(&settings).send().await.expect("put");
    assert_eq!(put.status(), 200);
    (app, dir)
}

#[tokio::test]
async fn in_production_the_merchant_is_validated_with_apple_over_tls_with_its_identity_certificate() {
    let pki = pki();
    let (url, received) = apple_gateway(&pki, StatusCode::OK).await;
    let (app, _dir) = production_checkout(&pki, Some(&pki.client)).await;
    let s = apple_pay_session(&app).await;
    let ms = json_of(merchant_session(&app, &s, &s.secret, &url).await, 200).await;
    assert_eq!(ms["merchantSessionIdentifier"], "SSH_FROM_APPLE", "Apple's answer is passed through");
    let sent = received.lock().expect("lock").clone();
    assert_eq!(
        sent,
        [json!({ "merchantIdentifier": "merchant.com.example.shop", "displayName": "Example Shop", "initiative": "web", "initiativeContext": "127.0.0.1" })]
    );
    // The stand-in's host is refused like any other when it is not one of the configured hosts.
    let e = json_of(merchant_session(&app, &s, &s.secret, &url.replace("localhost", "127.0.0.1")).await, 400).await;
    assert_eq!(e["title"], "INVALID_REQUEST");
    // No key material in the stored rows.
    assert!(!app.all_stored_text().await.contains("PRIVATE KEY"));
}

#[tokio::test]
async fn apple_refusing_the_merchant_is_a_readable_error_never_a_5xx() {
    let pki = pki();
    // Apple answers 400 (say, a domain not registered).
    let (url, received) = apple_gateway(&pki, StatusCode::BAD_REQUEST).await;
    let (app, _dir) = production_checkout(&pki, Some(&pki.client)).await;
    let s = apple_pay_session(&app).await;
    let e = json_of(merchant_session(&app, &s, &s.secret, &url).await, 422).await;
    assert_eq!(e["detail"], "Apple Pay could not validate this merchant right now; pay by card or try again.");
    assert_eq!(received.lock().expect("lock").len(), 1);

    // A certificate Apple does not know (another CA): the TLS handshake fails, nothing is sent.
    let stranger = pki_stranger_identity();
    let (url, received) = apple_gateway(&pki, StatusCode::OK).await;
    let (app, _dir2) = production_checkout(&pki, Some(&stranger)).await;
    let s = apple_pay_session(&app).await;
    let e = json_of(merchant_session(&app, &s, &s.secret, &url).await, 422).await;
    assert_eq!(e["title"], "UNPROCESSABLE_ENTITY");
    assert!(received.lock().expect("lock").is_empty());
}

/// An identity certificate from a CA the gateway does not trust.
fn pki_stranger_identity() -> (String, String) {
    pki().client
}

#[tokio::test]
async fn a_session_s_card_brands_limit_the_wallets_networks_and_refuse_other_cards_before_any_charge() {
    let app = spawn_app().await;
    let mut body = payment_request(2_000);
    body["config"]["paymentMethodChannel"]["card"] = json!(["WEBFORM", "GOOGLE_PAY", "APPLE_PAY"]);
    body["config"]["cardBrands"] = json!(["visa", "MASTERCARD"]);
    let r = json_of(app.create_session(&body).await, 200).await;
    let s = Created { id: r["data"]["checkoutSessionId"].as_str().unwrap_or_default().to_owned(), secret: r["data"]["clientSecret"].as_str().unwrap_or_default().to_owned() };
    let cfg = json_of(app.config(&s.id, &s.secret).await, 200).await;
    assert_eq!(cfg["cardBrands"], json!(["VISA", "MASTERCARD"]));
    assert_eq!(cfg["applePay"]["supportedNetworks"], json!(["visa", "masterCard"]));
    // An American Express card is declined by the checkout itself: no attempt, no charge.
    let q = json_of(app.quote(&s.id, &s.secret, &json!({ "method": "CARD" })).await, 200).await;
    let quote = q["quoteId"].as_str().unwrap_or_default();
    let amex = json!({ "quoteId": quote, "paymentMethod": { "type": "CARD", "card": { "number": "378282246310005", "expMonth": 12, "expYear": 2034, "cvc": "1234", "zipCode": "12345" } } });
    let e = json_of(app.confirm(&s.id, &s.secret, Some("amex-1"), &amex).await, 422).await;
    assert_eq!((e["title"].as_str(), e["data"]["code"].as_str()), (Some("PAYMENT_ERROR"), Some("card_brand_not_accepted")));
    let aq = json_of(app.quote(&s.id, &s.secret, &json!({ "method": "APPLE_PAY" })).await, 200).await;
    let amex_wallet = json!({ "quoteId": aq["quoteId"], "paymentMethod": { "type": "APPLE_PAY", "applePay": { "token": "{\"data\":\"x\"}", "network": "AmEx", "last4": "0005" } } });
    let e = json_of(app.confirm(&s.id, &s.secret, Some("amex-2"), &amex_wallet).await, 422).await;
    assert_eq!(e["data"]["code"], "card_brand_not_accepted");
    assert_eq!(app.payment_count(&s.id).await, 0, "nothing reached the processor");
    let paid = json_of(app.confirm(&s.id, &s.secret, Some("visa-1"), &crate::helpers::card_confirm(quote, crate::helpers::VISA_OK)).await, 200).await;
    assert_eq!(paid["status"], "COMPLETED");
    // An unknown brand is refused at creation.
    body["config"]["cardBrands"] = json!(["VISA", "CASH"]);
    let bad = json_of(app.create_session(&body).await, 400).await;
    assert_eq!(bad["detail"], "config.cardBrands: unknown brand; use VISA, MASTERCARD, AMEX, DISCOVER, DINERS, JCB or UNIONPAY.");
}
