//! The widget's reader of JSON values (`checkout_widget::json`), in headless Chromium: what the API
//! answers, read into the typed contract as serde_json reads it on the server, and anything that
//! does not fit read as unreadable, never as something else. `scripts/test` runs them with the
//! component tests.
#![cfg(target_arch = "wasm32")]

use checkout_types::error::{ErrorBody, ErrorTitle};
use checkout_types::money::{Currency, MinorUnit};
use checkout_types::quote::FeeQuote;
use checkout_types::session::{Mode, SessionConfig};
use checkout_widget::json::{Unreadable, from_js, from_json};
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
