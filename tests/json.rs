//! The widget's reader of JSON values (`checkout_widget::json`), in headless Chromium: what the API
//! answers, read into the typed contract as serde_json reads it on the server, and anything that
//! does not fit read as unreadable, never as something else. The reader names every field by hand
//! (issue #21), so every type it reads is written whole here by serde_json, as the API writes it,
//! and must read back equal: a misspelt or skipped field fails. The writer names them by hand too:
//! every request body and page event it writes must be the JSON serde_json writes for the same
//! value, field for field, `null` for `null` and absent for absent. `scripts/test` runs them with
//! the component tests.
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;

use checkout_types::confirm::{BankInput, CardInput, Challenge, ChallengeDone, ConfirmRequest, ConfirmResponse, InlineMethod, WalletTokenInput};
use checkout_types::device_wallet::{ApplePayLineItem, ApplePayOptions, ApplePayValidationRequest, GooglePayEnvironment, GooglePaySettings};
use checkout_types::error::{ErrorBody, ErrorTitle};
use checkout_types::links::{AgentView, LinkChannel, LinkState, LinkStatus, SendLink};
use checkout_types::money::{Currency, MinorUnit};
use checkout_types::payment::{MethodSummary, PaymentStatus, PaymentSummary};
use checkout_types::quote::{FeeQuote, FeeQuoteRequest, Funding, PaymentMethodKind};
use checkout_types::session::{AvsField, BankChannel, CardChannel, Channels, LineItem, Mode, SavedMethod, SessionConfig, SessionStatus};
use checkout_types::wallet::{AddMethod, MethodList, SelectMethod, Selected, UpdateMethod};
use checkout_widget::api::Failure;
use checkout_widget::json::{Fields, FromJs, ToJs, Unreadable, from_js, from_json, text_fields, to_json};
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
fn an_error_body_keeps_its_title_reference_and_the_text_fields_of_its_data() {
    let body: Failure = from_json(
        r#"{"title":"PAYMENT_ERROR","status":402,"detail":"declined","requestId":"req_9",
            "data":{"code":"card_declined","declineCode":"insufficient_funds","n":1.5,"o":{"a":"b"}}}"#,
    )
    .expect("an error body");
    assert_eq!(body.title, ErrorTitle::PaymentError);
    assert_eq!(body.request_id.as_deref(), Some("req_9"));
    let text = |k: &str| body.data.iter().find(|(name, _)| name == k).map(|(_, v)| v.as_str());
    assert_eq!((text("code"), text("declineCode")), (Some("card_declined"), Some("insufficient_funds")));
    assert_eq!((text("n"), text("o")), (None, None), "only text fields are kept");
    // Without data, or with a null one; an unknown title or no title at all is unreadable.
    assert_eq!(from_json::<Failure>(r#"{"title":"NOT_FOUND","status":404,"detail":"x"}"#).map(|f| f.data), Some(vec![]));
    assert_eq!(from_json::<Failure>(r#"{"title":"NOT_FOUND","data":null}"#).map(|f| f.data), Some(vec![]));
    assert_eq!(from_json::<Failure>(r#"{"title":"NOPE","status":404}"#), None);
    assert_eq!(from_json::<Failure>(r#"{"status":404}"#), None);
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
fn page_messages_read_field_by_field() {
    // What a merchant page posts (`govifi:credential`) arrives as a structured-clone value.
    let msg = Fields::of(parse(r#"{"type":"govifi:credential","bearer":"cs_1_secret_x","theme":{"--checkout-radius":"4px","--checkout-n":1}}"#))
        .ok()
        .expect("an object");
    assert_eq!(msg.get::<String>("type"), Ok("govifi:credential".to_owned()));
    assert_eq!(msg.get::<String>("bearer"), Ok("cs_1_secret_x".to_owned()));
    // The theme's text fields; the number is left out.
    let theme = text_fields(msg.get::<JsValue>("theme").expect("theme")).expect("pairs");
    assert_eq!(theme, vec![("--checkout-radius".to_owned(), "4px".to_owned())]);
    assert_eq!(text_fields(JsValue::NULL), Ok(vec![]));
    assert_eq!(text_fields(parse("[1]")), Err(Unreadable));
    // A message that is not an object, or a field of another type, is unreadable.
    assert!(Fields::of(parse(r#""govifi:credential""#)).is_err());
    assert!(Fields::of(JsValue::UNDEFINED).is_err());
    assert_eq!(msg.get::<u32>("bearer"), Err(Unreadable));
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
        apple_pay: Some(ApplePayOptions {
            country_code: "US".to_owned(),
            currency_code: "GBP".to_owned(),
            merchant_capabilities: vec!["supports3DS".to_owned()],
            supported_networks: vec!["visa".to_owned(), "masterCard".to_owned()],
            total: ApplePayLineItem { label: "Demo & Co".to_owned(), amount: "15.00".to_owned(), kind: "final".to_owned() },
        }),
        card_brands: vec!["VISA".to_owned(), "MASTERCARD".to_owned()],
        agent: Some(AgentView { channels: vec![LinkChannel::Text], phone: None, email: None, link_lifetime_minutes: 60, links: vec![] }),
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
        requires_action: Some(Challenge { challenge_id: "ch_1".to_owned(), url: "/challenge/ch_1".to_owned(), expires_at_utc: "2026-12-07T05:10:00Z".to_owned() }),
    });
    // An error body, as the API writes it, reads as what the widget keeps of it.
    let body = ErrorBody {
        title: ErrorTitle::PaymentError,
        status: 402,
        detail: "declined".to_owned(),
        data: Some(json!({"declineCode": "insufficient_funds", "sessionStatus": "FAILED", "attempt": 2})),
        request_id: Some("req_9".to_owned()),
    };
    let text = serde_json::to_string(&body).expect("serializable");
    assert_eq!(from_json::<Failure>(&text), Some(Failure::from(body)), "read back from {text}");
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

/// `value` written by the widget, as the same JSON serde_json writes for it (the API reads it with
/// serde, and `govifi.d.ts` is generated from the same serde attributes).
fn writes_as_serde<T: ToJs + serde::Serialize>(value: &T) {
    let ours = to_json(value).expect("written");
    let ours: serde_json::Value = serde_json::from_str(&ours).expect("JSON");
    assert_eq!(ours, serde_json::to_value(value).expect("serializable"));
}

/// `value` written by the widget and read by the API's serde reader as the same value.
fn the_api_reads<T: ToJs + serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    writes_as_serde(value);
    let text = to_json(value).expect("written");
    assert_eq!(serde_json::from_str::<T>(&text).ok().as_ref(), Some(value), "the API reads {text}");
}

fn card() -> InlineMethod {
    InlineMethod::Card {
        card: CardInput {
            number: "4242424242424242".to_owned(),
            exp_month: 12,
            exp_year: 2030,
            cvc: "123".to_owned(),
            name_on_card: Some("Ada Lovelace".to_owned()),
            zip_code: Some("94107".to_owned()),
        },
    }
}

#[wasm_bindgen_test]
fn every_request_body_is_written_as_the_api_reads_it() {
    let token = WalletTokenInput { token: r#"{"signature":"x"}"#.to_owned(), network: "VISA".to_owned(), last4: "1111".to_owned() };
    let methods = [
        card(),
        InlineMethod::Card {
            card: CardInput { number: "5555555555554444".to_owned(), exp_month: 1, exp_year: 2031, cvc: "999".to_owned(), name_on_card: None, zip_code: None },
        },
        InlineMethod::BankAccount {
            bank_account: BankInput {
                routing_number: "110000000".to_owned(),
                account_number: "000123456789".to_owned(),
                account_type: "savings".to_owned(),
                account_holder_name: "Ada Lovelace".to_owned(),
            },
        },
        InlineMethod::GooglePay { google_pay: token.clone() },
        InlineMethod::ApplePay { apple_pay: token },
    ];
    for method in &methods {
        the_api_reads(method);
        the_api_reads(&ConfirmRequest { quote_id: "q_1".to_owned(), payment_method_id: None, payment_method: Some(method.clone()), save_for_future: Some(true) });
        the_api_reads(&AddMethod { payment_method: method.clone(), nickname: Some("Work".to_owned()), default: true });
    }
    the_api_reads(&ConfirmRequest { quote_id: "q_1".to_owned(), payment_method_id: Some("pm_1".to_owned()), payment_method: None, save_for_future: None });
    the_api_reads(&AddMethod { payment_method: card(), nickname: None, default: false });
    the_api_reads(&FeeQuoteRequest { method: PaymentMethodKind::Card, brand: Some("VISA".to_owned()), funding: Some(Funding::Debit), payment_method_id: None });
    the_api_reads(&FeeQuoteRequest { method: PaymentMethodKind::BankAccount, brand: None, funding: None, payment_method_id: Some("pm_2".to_owned()) });
    the_api_reads(&UpdateMethod { nickname: Some("Home".to_owned()), default: Some(false) });
    the_api_reads(&UpdateMethod { nickname: None, default: None });
    the_api_reads(&SelectMethod { payment_method_id: "pm_1".to_owned() });
    the_api_reads(&ChallengeDone { challenge_id: "ch_1".to_owned() });
    the_api_reads(&ApplePayValidationRequest { validation_url: "https://apple-pay-gateway.apple.com/paymentservices/startSession".to_owned() });
    the_api_reads(&SendLink { channel: LinkChannel::Text, to: "+15551234567".to_owned() });
}

#[wasm_bindgen_test]
fn every_page_event_is_written_as_govifi_d_ts_declares_it() {
    use checkout_types::events::*;
    writes_as_serde(&Ready { session_id: "cs_1".to_owned(), mode: Mode::Payment, status: SessionStatus::Created, amount: Some(MinorUnit(1500)), currency_code: Currency::USD });
    writes_as_serde(&Ready { session_id: "cs_1".to_owned(), mode: Mode::Wallet, status: SessionStatus::Created, amount: None, currency_code: Currency::USD });
    writes_as_serde(&MethodChanged { method: PaymentMethodKind::Card, brand: Some("VISA") });
    writes_as_serde(&MethodChanged { method: PaymentMethodKind::BankAccount, brand: None });
    writes_as_serde(&WalletsUnavailable { wallets_unavailable: vec![PaymentMethodKind::GooglePay, PaymentMethodKind::ApplePay], blocked: true });
    writes_as_serde(&WalletChanged { payment_method: Some(saved_method("pm_1", PaymentMethodKind::Card)), removed: None });
    writes_as_serde(&WalletChanged { payment_method: None, removed: Some("pm_2".to_owned()) });
    writes_as_serde(&Quoted { quote_id: "q_1".to_owned(), amount: MinorUnit(2000), fee: MinorUnit(100), total: MinorUnit(2100), currency_code: Currency::EUR });
    writes_as_serde(&Paid { session_id: "cs_1".to_owned(), status: SessionStatus::Completed, payment: payment() });
    let bank = SavedMethod { brand: None, exp_month: None, exp_year: None, nickname: None, default: false, ..saved_method("pm_3", PaymentMethodKind::BankAccount) };
    writes_as_serde(&MethodDone { status: SessionStatus::Completed, payment_method_id: Some("pm_3".to_owned()), payment_method: bank.clone() });
    writes_as_serde(&MethodDone { status: SessionStatus::Completed, payment_method_id: None, payment_method: bank });
    writes_as_serde(&Failed { title: Some(ErrorTitle::PaymentError), message: "Declined".to_owned() });
    writes_as_serde(&Failed { title: None, message: "Network".to_owned() });
    writes_as_serde(&Resized { height: 640 });
    writes_as_serde(&Canceled {});
}

#[wasm_bindgen_test]
fn the_agents_part_of_the_config_reads_back_as_the_api_wrote_it() {
    let link = LinkState {
        id: "lnk_1".to_owned(),
        channel: LinkChannel::Text,
        to: "+15551234567".to_owned(),
        status: LinkStatus::Sent,
        reason: None,
        attempts: 1,
        created_at_utc: "2026-12-07T05:00:00Z".to_owned(),
        sent_at_utc: Some("2026-12-07T05:00:01Z".to_owned()),
        opened_at_utc: None,
        paid_at_utc: None,
        expires_at_utc: "2026-12-08T05:00:00Z".to_owned(),
    };
    round_trip(&AgentView {
        channels: vec![LinkChannel::Text, LinkChannel::Email],
        phone: Some("+15551234567".to_owned()),
        email: Some("payer@example.com".to_owned()),
        link_lifetime_minutes: 1440,
        links: vec![link],
    });
    round_trip(&AgentView { channels: vec![LinkChannel::Email], phone: None, email: None, link_lifetime_minutes: 60, links: vec![] });
}
