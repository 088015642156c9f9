//! The widget's reader of JSON values (`checkout_widget::json`), in headless Chromium: what the API
//! answers, read into the typed contract as serde_json reads it on the server, and anything that
//! does not fit read as unreadable, never as something else. The reader names every field by hand
//! (issue #21), so every type it reads is written whole here by serde_json, as the API writes it,
//! and must read back equal: a misspelt or skipped field fails. `scripts/test` runs them with the
//! component tests.
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;

use checkout_types::confirm::ConfirmResponse;
use checkout_types::device_wallet::{GooglePayEnvironment, GooglePaySettings};
use checkout_types::error::{ErrorBody, ErrorTitle};
use checkout_types::links::{LinkChannel, LinkState, LinkStatus};
use checkout_types::money::{Currency, MinorUnit};
use checkout_types::payment::{MethodSummary, PaymentStatus, PaymentSummary};
use checkout_types::quote::{FeeQuote, PaymentMethodKind};
use checkout_types::session::{AvsField, BankChannel, CardChannel, Channels, LineItem, Mode, SavedMethod, SessionConfig, SessionStatus};
use checkout_types::wallet::{MethodList, Selected};
use checkout_widget::json::{FromJs, Unreadable, from_js, from_json};
use serde_json::json;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn parse(text: &str) -> JsValue {
    js_sys::JSON::parse(text).expect("valid JSON")
}

#[wasm_bindgen_test]
fn a_fee_quote_reads_as_the_server_wrote_it() {
    let quote: FeeQuote = from_json(
        r#"{"quoteId":"q_1","amount":2000,"fee":100,"total":2100,"currencyCode":"USD","expiresAt":"2026-12-07T05:00:00Z",
            "disclosure":"A convenience fee applies.","brand":null,"unknownField":[1,{"a":null}]}"#,
    )
    .expect("a quote");
    assert_eq!(quote.quote_id, "q_1");
    assert_eq!((quote.amount, quote.fee, quote.total), (MinorUnit(2000), MinorUnit(100), MinorUnit(2100)));
    assert_eq!(quote.currency_code, Currency::USD);
}

#[wasm_bindgen_test]
fn the_same_text_reads_the_same_through_serde_json() {
    // The server's reader and the widget's agree on a whole session config.
    let text = r##"{"sessionId":"cs_1","mode":"PAYMENT","status":"CREATED","amount":1500,"currencyCode":"EUR",
        "merchantName":"Demo","merchantId":"demo","description":null,"locale":"es","expiresAt":"2026-12-07T05:00:00Z",
        "channels":{"card":["WEBFORM"],"bankAccount":["WEBFORM"]},"savedMethods":[],"requiredAvsFields":["zip"],
        "setupFutureUsage":"off","merchantOrigins":["https://shop.example"],"closeOnSuccess":false,"canSave":false,
        "appearance":{"--checkout-color-primary":"#000"}}"##;
    let ours: Option<SessionConfig> = from_json(text);
    let theirs: Option<SessionConfig> = serde_json::from_str(text).ok();
    assert!(theirs.is_some(), "the sample is a config");
    assert_eq!(ours.as_ref().map(|c| (c.mode, c.amount, c.currency_code)), Some((Mode::Payment, Some(MinorUnit(1500)), Currency::EUR)));
    assert_eq!(serde_json::to_value(&ours).ok(), serde_json::to_value(&theirs).ok());
}

#[wasm_bindgen_test]
fn an_error_body_keeps_its_title_reference_and_data() {
    let body: ErrorBody = from_json(
        r#"{"title":"PAYMENT_ERROR","status":402,"detail":"declined","requestId":"req_9","data":{"declineCode":"insufficient_funds","n":1.5}}"#,
    )
    .expect("an error body");
    assert_eq!(body.title, ErrorTitle::PaymentError);
    assert_eq!(body.request_id.as_deref(), Some("req_9"));
    let data = body.data.expect("data");
    assert_eq!(data["declineCode"], "insufficient_funds");
    assert_eq!(data["n"], 1.5);
}

#[wasm_bindgen_test]
fn a_value_of_the_wrong_shape_is_unreadable_not_something_else() {
    // A fraction where an amount is due, a string where a number is, an unknown enum name, a
    // missing required field: each is an error, never a zero or a default.
    assert_eq!(from_js::<MinorUnit>(parse("12.5")), Err(Unreadable));
    assert_eq!(from_js::<MinorUnit>(parse(r#""1250""#)), Err(Unreadable));
    assert_eq!(from_js::<u16>(parse("70000")), Err(Unreadable));
    assert_eq!(from_js::<Currency>(parse(r#""XYZ""#)), Err(Unreadable));
    assert_eq!(from_js::<Mode>(parse(r#""NOT_A_MODE""#)), Err(Unreadable));
    assert!(from_json::<FeeQuote>(r#"{"quoteId":"q_1"}"#).is_none());
    assert!(from_json::<FeeQuote>("not json").is_none());
    assert_eq!(from_js::<i64>(parse("-42")), Ok(-42));
    assert_eq!(from_js::<Option<String>>(parse("null")), Ok(None));
    assert_eq!(from_js::<Vec<Option<u8>>>(parse("[1,null,3]")), Ok(vec![Some(1), None, Some(3)]));
}

#[wasm_bindgen_test]
fn page_messages_read_as_json_values() {
    // What a merchant page posts (`govifi:credential`) arrives as a structured-clone value.
    let msg: serde_json::Value = from_js(parse(r#"{"type":"govifi:credential","bearer":"cs_1_secret_x","theme":{"--checkout-radius":"4px"}}"#))
        .expect("a value");
    assert_eq!(msg["type"], "govifi:credential");
    assert_eq!(msg["theme"]["--checkout-radius"], "4px");
    assert_eq!(from_js::<serde_json::Value>(JsValue::UNDEFINED), Ok(serde_json::Value::Null));
}

/// `value` written by serde_json (as the API writes it) and read back by the widget.
fn round_trip<T: FromJs + serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let text = serde_json::to_string(value).expect("serializable");
    assert_eq!(from_json::<T>(&text).as_ref(), Some(value), "read back from {text}");
    // And the server's own reader agrees on the same text.
    assert_eq!(serde_json::from_str::<T>(&text).ok().as_ref(), Some(value));
}

fn saved_method(id: &str, kind: PaymentMethodKind) -> SavedMethod {
    SavedMethod {
        id: id.to_owned(),
        kind,
        brand: Some("VISA".to_owned()),
        last4: "4242".to_owned(),
        exp_month: Some(12),
        exp_year: Some(2030),
        nickname: Some("Work card".to_owned()),
        default: true,
    }
}

fn payment() -> PaymentSummary {
    PaymentSummary {
        id: "pay_1".to_owned(),
        amount: MinorUnit(2000),
        fee: MinorUnit(100),
        total: MinorUnit(2100),
        currency_code: Currency::CAD,
        status: PaymentStatus::Authorized,
        payment_method: MethodSummary { kind: PaymentMethodKind::Card, brand: Some("VISA".to_owned()), last4: "4242".to_owned() },
    }
}

#[wasm_bindgen_test]
fn a_whole_session_config_reads_back_as_the_api_wrote_it() {
    // Every optional field set and every list filled: each one the reader names is exercised.
    let config = SessionConfig {
        session_id: "cs_1".to_owned(),
        mode: Mode::PaymentWithWallet,
        status: SessionStatus::Completed,
        amount: Some(MinorUnit(1500)),
        currency_code: Currency::GBP,
        merchant_name: "Demo & Co".to_owned(),
        merchant_id: "demo".to_owned(),
        description: Some("Order 42".to_owned()),
        privacy_policy_url: Some("https://shop.example/privacy".to_owned()),
        locale: "es".to_owned(),
        expires_at: "2026-12-07T05:00:00Z".to_owned(),
        channels: Channels { card: vec![CardChannel::Webform], bank_account: vec![BankChannel::Webform] },
        saved_methods: vec![saved_method("pm_1", PaymentMethodKind::Card), saved_method("pm_2", PaymentMethodKind::BankAccount)],
        preselected_method_id: Some("pm_2".to_owned()),
        required_avs_fields: vec![AvsField::Cardholder, AvsField::Zip],
        setup_future_usage: "on_session".to_owned(),
        payment: Some(payment()),
        merchant_origins: vec!["https://shop.example".to_owned()],
        appearance: BTreeMap::from([("--checkout-color-primary".to_owned(), "#000".to_owned()), ("--checkout-radius".to_owned(), "4px".to_owned())]),
        can_save: true,
        close_on_success: true,
        cancel_url: Some("https://shop.example/cancel".to_owned()),
        redirect_url: Some("https://shop.example/done?checkout_signature=t=1,v1=ab".to_owned()),
        line_items: vec![LineItem { name: "Permit".to_owned(), quantity: 2, amount: MinorUnit(1000) }],
        google_pay: Some(GooglePaySettings {
            environment: GooglePayEnvironment::Production,
            merchant_id: Some("BCR2DN4T".to_owned()),
            gateway: "example".to_owned(),
            gateway_merchant_id: "demo".to_owned(),
        }),
        apple_pay: Some(json!({"merchantCapabilities": ["supports3DS"], "countryCode": "US", "n": -1.5, "big": 9007199254740991u64})),
        card_brands: vec!["VISA".to_owned(), "MASTERCARD".to_owned()],
        agent: Some(json!({"channels": ["TEXT"], "links": [], "phone": null})),
    };
    round_trip(&config);
}

#[wasm_bindgen_test]
fn a_session_config_without_its_optional_fields_reads_as_the_server_reads_it() {
    // Only the required fields: every default the reader fills is serde's.
    let text = r#"{"sessionId":"cs_1","mode":"WALLET","status":"CREATED","currencyCode":"USD","merchantName":"Demo",
        "locale":"en","expiresAt":"2026-12-07T05:00:00Z","channels":{},"setupFutureUsage":"off"}"#;
    let theirs: SessionConfig = serde_json::from_str(text).expect("the server reads it");
    assert_eq!(from_json::<SessionConfig>(text), Some(theirs));
    // A required field missing, or a list of the wrong shape, is unreadable.
    assert_eq!(from_json::<SessionConfig>(&text.replace(r#""locale":"en","#, "")), None);
    assert_eq!(from_json::<SessionConfig>(&text.replace(r#""channels":{}"#, r#""channels":{"card":"WEBFORM"}"#)), None);
    assert_eq!(from_json::<SessionConfig>(&text.replace(r#""currencyCode":"USD""#, r#""currencyCode":"usd""#)), None);
}

#[wasm_bindgen_test]
fn every_other_answer_reads_back_as_the_api_wrote_it() {
    round_trip(&FeeQuote {
        quote_id: "q_1".to_owned(),
        amount: MinorUnit(2000),
        fee: MinorUnit(100),
        total: MinorUnit(2100),
        currency_code: Currency::EUR,
        expires_at: "2026-12-07T05:00:00Z".to_owned(),
        disclosure: "A convenience fee applies.".to_owned(),
    });
    round_trip(&ConfirmResponse {
        session_id: "cs_1".to_owned(),
        status: SessionStatus::Completed,
        payment: Some(payment()),
        redirect_url: Some("https://shop.example/done".to_owned()),
        requires_action: Some(json!({"type": "THREE_D_SECURE", "challengeId": "ch_1", "url": "/challenge/ch_1"})),
    });
    round_trip(&ErrorBody {
        title: ErrorTitle::PaymentError,
        status: 402,
        detail: "declined".to_owned(),
        data: Some(json!({"declineCode": "insufficient_funds"})),
        request_id: Some("req_9".to_owned()),
    });
    round_trip(&MethodList { data: vec![saved_method("pm_1", PaymentMethodKind::Card)] });
    round_trip(&Selected {
        session_id: "cs_1".to_owned(),
        status: SessionStatus::Completed,
        payment_method_id: "pm_1".to_owned(),
        payment_method: saved_method("pm_1", PaymentMethodKind::Card),
    });
    round_trip(&LinkState {
        id: "lnk_1".to_owned(),
        channel: LinkChannel::Email,
        to: "payer@example.com".to_owned(),
        status: LinkStatus::Failed,
        reason: Some("mailbox unavailable".to_owned()),
        attempts: 3,
        created_at_utc: "2026-12-07T05:00:00Z".to_owned(),
        sent_at_utc: Some("2026-12-07T05:00:01Z".to_owned()),
        opened_at_utc: Some("2026-12-07T05:00:02Z".to_owned()),
        paid_at_utc: Some("2026-12-07T05:00:03Z".to_owned()),
        expires_at_utc: "2026-12-08T05:00:00Z".to_owned(),
    });
}

#[wasm_bindgen_test]
fn google_pay_settings_with_a_field_the_contract_does_not_name_are_unreadable_as_on_the_server() {
    let text = r#"{"environment":"TEST","gateway":"example","gatewayMerchantId":"demo","extra":1}"#;
    assert!(serde_json::from_str::<GooglePaySettings>(text).is_err());
    assert_eq!(from_json::<GooglePaySettings>(text), None);
    assert!(from_json::<GooglePaySettings>(&text.replace(r#","extra":1"#, "")).is_some());
}
