//! The device wallets' requests and answers (`checkout_widget::express`), in headless Chromium: the
//! objects handed to the Payment Request API, and the token read out of what the wallet answers.
//! They are JS objects built and read field by field (issue #21), so each is compared here with
//! the JSON the wallets' documented formats expect. The journeys themselves (a scripted wallet in
//! the page, one charge) are in `e2e/express.spec.ts`. `scripts/test` runs them.
#![cfg(target_arch = "wasm32")]

use checkout_types::money::{Currency, MinorUnit};
use checkout_types::quote::FeeQuote;
use checkout_types::session::SessionConfig;
use checkout_types::device_wallet::{ApplePayLineItem, ApplePayOptions};
use checkout_widget::express::{Wallet, apple_pay_request, details};
use serde_json::{Value, json};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A JS value as serde_json reads its JSON text.
fn json_of(value: &JsValue) -> Value {
    serde_json::from_str(&js_sys::JSON::stringify(value).expect("JSON").as_string().expect("text")).expect("JSON")
}

fn js(value: Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).expect("JSON")
}

fn config(extra: Value) -> SessionConfig {
    let mut c = json!({"sessionId": "cs_1", "mode": "PAYMENT", "status": "CREATED", "amount": 2000, "currencyCode": "USD",
        "merchantName": "Shop", "merchantId": "demo", "locale": "en", "expiresAt": "2026-12-07T05:00:00Z",
        "channels": {"card": ["WEBFORM", "GOOGLE_PAY"]}, "setupFutureUsage": "off"});
    c.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
    serde_json::from_value(c).expect("a config")
}

#[wasm_bindgen_test]
fn the_google_pay_sheet_itemizes_the_fee_in_decimal_strings() {
    let q = FeeQuote {
        quote_id: "qt_1".into(),
        amount: MinorUnit(2000),
        fee: MinorUnit(100),
        total: MinorUnit(2100),
        currency_code: Currency::USD,
        expires_at: String::new(),
        disclosure: String::new(),
    };
    assert_eq!(
        json_of(&details(&q, "Shop", "Amount", "Convenience fee")),
        json!({
            "total": {"label": "Shop", "amount": {"currency": "USD", "value": "21.00"}},
            "displayItems": [
                {"label": "Amount", "amount": {"currency": "USD", "value": "20.00"}},
                {"label": "Convenience fee", "amount": {"currency": "USD", "value": "1.00"}},
            ],
        })
    );
}

#[wasm_bindgen_test]
fn the_google_pay_method_data_carries_the_merchants_settings_and_networks() {
    let cfg = config(json!({"cardBrands": ["VISA", "MASTERCARD", "DINERS"],
        "googlePay": {"environment": "PRODUCTION", "merchantId": "BCR2DN4T", "gateway": "examplegateway", "gatewayMerchantId": "acct-42"}}));
    assert_eq!(
        json_of(&Wallet::method_data(&cfg)),
        json!({"supportedMethods": "https://google.com/pay", "data": {
            "environment": "PRODUCTION", "apiVersion": 2, "apiVersionMinor": 0,
            "merchantInfo": {"merchantName": "Shop", "merchantId": "BCR2DN4T"},
            "allowedPaymentMethods": [{
                "type": "CARD",
                "parameters": {"allowedAuthMethods": ["PAN_ONLY", "CRYPTOGRAM_3DS"], "allowedCardNetworks": ["MASTERCARD", "VISA"]},
                "tokenizationSpecification": {"type": "PAYMENT_GATEWAY", "parameters": {"gateway": "examplegateway", "gatewayMerchantId": "acct-42"}},
            }],
        }})
    );
    // Without settings: the test environment, the platform's gateway, the merchant's own id, no
    // Google merchant id, every network Google Pay knows of ours.
    let data = json_of(&Wallet::method_data(&config(json!({}))))["data"].clone();
    assert_eq!(data["environment"], "TEST");
    assert_eq!(data["merchantInfo"], json!({"merchantName": "Shop"}));
    assert_eq!(data["allowedPaymentMethods"][0]["parameters"]["allowedCardNetworks"], json!(["AMEX", "DISCOVER", "JCB", "MASTERCARD", "VISA"]));
    assert_eq!(data["allowedPaymentMethods"][0]["tokenizationSpecification"]["parameters"], json!({"gateway": "govifi", "gatewayMerchantId": "demo"}));
}

#[wasm_bindgen_test]
fn a_google_pay_answer_gives_token_network_and_last4_or_nothing() {
    let ok = js(json!({"paymentMethodData": {"info": {"cardNetwork": "MASTERCARD", "cardDetails": "4444"},
        "tokenizationData": {"type": "PAYMENT_GATEWAY", "token": "{\"signedMessage\":\"x\"}"}}}));
    let t = Wallet::GooglePay.token_from(&ok).expect("token");
    assert_eq!((t.network.as_str(), t.last4.as_str(), t.token.as_str()), ("MASTERCARD", "4444", "{\"signedMessage\":\"x\"}"));
    for broken in [
        json!({}),
        json!(null),
        json!({"paymentMethodData": "x"}),
        json!({"paymentMethodData": {"info": {"cardNetwork": "VISA"}, "tokenizationData": {"token": "t"}}}),
        json!({"paymentMethodData": {"info": {"cardNetwork": "VISA", "cardDetails": 1234}, "tokenizationData": {"token": "t"}}}),
        json!({"paymentMethodData": {"info": {"cardNetwork": "VISA", "cardDetails": "1"}, "tokenizationData": {"token": ""}}}),
    ] {
        assert!(Wallet::GooglePay.token_from(&js(broken.clone())).is_none(), "{broken}");
    }
}

#[wasm_bindgen_test]
fn the_apple_pay_request_is_the_sessions_options_with_the_quoted_total_and_the_fee_as_a_line() {
    let options = ApplePayOptions {
        country_code: "US".into(),
        currency_code: "USD".into(),
        merchant_capabilities: vec!["supports3DS".into()],
        supported_networks: vec!["visa".into(), "masterCard".into()],
        total: ApplePayLineItem { label: "Example Shop".into(), amount: "20.00".into(), kind: "final".into() },
    };
    let q = FeeQuote {
        quote_id: "qt_1".into(),
        amount: MinorUnit(2000),
        fee: MinorUnit(125),
        total: MinorUnit(2125),
        currency_code: Currency::USD,
        expires_at: String::new(),
        disclosure: String::new(),
    };
    assert_eq!(
        json_of(&apple_pay_request(&options, &q, ("Amount", "Convenience fee"))),
        json!({
            "countryCode": "US", "currencyCode": "USD", "merchantCapabilities": ["supports3DS"], "supportedNetworks": ["visa", "masterCard"],
            "total": {"label": "Example Shop", "amount": "21.25", "type": "final"},
            "lineItems": [
                {"label": "Amount", "amount": "20.00", "type": "final"},
                {"label": "Convenience fee", "amount": "1.25", "type": "final"},
            ],
        })
    );
}

#[wasm_bindgen_test]
fn an_apple_pay_answer_gives_its_payment_data_as_json_text_and_the_cards_last4() {
    let payment_data = json!({"version": "EC_v1", "data": "c2lnbmVk", "signature": "MIAGCSqGSIb3DQEHAqCAMIACAQEx",
        "header": {"ephemeralPublicKey": "MFkwEwYH", "publicKeyHash": "LbsUwAT6", "transactionId": "aa11"}});
    let answer = js(json!({"token": {"paymentData": payment_data, "paymentMethod": {"network": "Visa", "displayName": "Visa 0224"}}}));
    let t = Wallet::ApplePay.token_from(&answer).expect("token");
    assert_eq!((t.network.as_str(), t.last4.as_str()), ("Visa", "0224"));
    assert_eq!(serde_json::from_str::<Value>(&t.token).expect("JSON text"), payment_data);
    for broken in [
        json!({"token": {"paymentData": "text", "paymentMethod": {"network": "Visa", "displayName": "Visa 0224"}}}),
        json!({"token": {"paymentData": [1], "paymentMethod": {"network": "Visa", "displayName": "Visa 0224"}}}),
        json!({"token": {"paymentData": {"v": 1}, "paymentMethod": {"network": "Visa", "displayName": "Vi"}}}),
        json!({"token": {"paymentData": {"v": 1}, "paymentMethod": {"displayName": "Visa 0224"}}}),
    ] {
        assert!(Wallet::ApplePay.token_from(&js(broken.clone())).is_none(), "{broken}");
    }
}
