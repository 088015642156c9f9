//! Device wallets: Google Pay through the browser's Payment Request API, and Apple Pay through
//! Safari's `ApplePaySession`, each when the session enables its channel and the browser says it
//! can pay with it (`canMakePayment()`, `ApplePaySession.canMakePayments()`). Where an API is
//! missing, refuses, throws or is blocked by the page's Permissions-Policy, its button is never
//! shown: the card form is always there.
//!
//! The sheet shows the quoted total (amount + convenience fee, as two lines). Apple Pay first asks
//! the page to validate the merchant (`onvalidatemerchant`): the widget passes Safari's validation
//! URL to the API, which answers Apple's merchant session. The wallet answers with a one-time
//! token and the card it shows (network, last four), which the confirm call sends as
//! `{"type":"GOOGLE_PAY","googlePay":{token, network, last4}}` (or `APPLE_PAY` / `applePay`, the
//! token being Apple's `paymentData` as JSON text).

use checkout_types::confirm::WalletTokenInput;
use checkout_types::money::decimal;
use checkout_types::quote::{FeeQuote, PaymentMethodKind};
use checkout_types::session::{CardChannel, SessionConfig};
use js_sys::{Array, Function, JSON, Promise, Reflect};
use leptos::prelude::window;
use serde_json::Value;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::api::ApiClient;

/// A device wallet the widget can offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wallet {
    GooglePay = 0,
    ApplePay = 1,
}

/// How a wallet sheet ended without a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetError {
    /// The payer closed the sheet.
    Canceled,
    /// The browser or the wallet could not show it, or answered something unreadable.
    Failed,
}

impl Wallet {
    /// The method fee quotes and confirms name.
    pub fn kind(self) -> PaymentMethodKind {
        match self {
            Wallet::GooglePay => PaymentMethodKind::GooglePay,
            Wallet::ApplePay => PaymentMethodKind::ApplePay,
        }
    }

    /// The wallet's name, as its owner writes it (never translated).
    pub fn name(self) -> &'static str {
        match self {
            Wallet::GooglePay => "Google Pay",
            Wallet::ApplePay => "Apple Pay",
        }
    }

    /// The wallets the session enables, in display order (before asking the browser).
    pub fn enabled(cfg: &SessionConfig) -> Vec<Wallet> {
        let card = &cfg.channels.card;
        let mut out = Vec::new();
        if card.contains(&CardChannel::ApplePay) && cfg.apple_pay.is_some() {
            out.push(Wallet::ApplePay);
        }
        if card.contains(&CardChannel::GooglePay) {
            out.push(Wallet::GooglePay);
        }
        out
    }

    /// `PaymentMethodData` for this wallet: Google Pay API v2, cards tokenized for the gateway,
    /// with the merchant's settings (environment, Google merchant id, gateway and its merchant id)
    /// as the session's config carries them.
    pub fn method_data(cfg: &SessionConfig) -> Value {
        let g = cfg.google_pay.as_ref();
        let mut merchant_info = obj(vec![("merchantName", s(&cfg.merchant_name))]);
        if let Some(id) = g.and_then(|g| g.merchant_id.as_ref()) {
            merchant_info["merchantId"] = s(id);
        }
        let networks = google_networks(&cfg.card_brands).into_iter().map(s).collect();
        obj(vec![
            ("supportedMethods", s("https://google.com/pay")),
            ("data", obj(vec![
                ("environment", s(g.map_or("TEST", |g| g.environment.as_str()))),
                ("apiVersion", Value::from(2)),
                ("apiVersionMinor", Value::from(0)),
                ("merchantInfo", merchant_info),
                ("allowedPaymentMethods", Value::Array(vec![obj(vec![
                    ("type", s("CARD")),
                    ("parameters", obj(vec![
                        ("allowedAuthMethods", Value::Array(vec![s("PAN_ONLY"), s("CRYPTOGRAM_3DS")])),
                        ("allowedCardNetworks", Value::Array(networks)),
                    ])),
                    ("tokenizationSpecification", obj(vec![
                        ("type", s("PAYMENT_GATEWAY")),
                        ("parameters", obj(vec![
                            ("gateway", s(g.map_or("govifi", |g| g.gateway.as_str()))),
                            ("gatewayMerchantId", s(g.map_or(cfg.merchant_id.as_str(), |g| g.gateway_merchant_id.as_str()))),
                        ])),
                    ])),
                ])])),
            ])),
        ])
    }

    /// Reads the wallet's answer: Google Pay's `PaymentResponse.details` (token, network, last
    /// four) or Apple Pay's `ApplePayPayment` (`token.paymentData` as JSON text, the network, and
    /// the last four of the card's display name, e.g. `"Visa 0224"`).
    pub fn token_from(self, details: &Value) -> Option<WalletTokenInput> {
        let t = match self {
            Wallet::GooglePay => {
                let data = details.get("paymentMethodData")?;
                let token = data.pointer("/tokenizationData/token")?.as_str()?.to_owned();
                let network = data.pointer("/info/cardNetwork")?.as_str()?.to_owned();
                let last4 = data.pointer("/info/cardDetails")?.as_str()?.to_owned();
                WalletTokenInput { token, network, last4 }
            }
            Wallet::ApplePay => {
                let token = details.get("token")?;
                let data = crate::json::to_json(token.get("paymentData").filter(|d| d.is_object())?)?;
                let network = token.pointer("/paymentMethod/network")?.as_str()?.to_owned();
                let name = token.pointer("/paymentMethod/displayName")?.as_str()?;
                let last4 = name.get(name.len().checked_sub(4)?..)?.to_owned();
                WalletTokenInput { token: data, network, last4 }
            }
        };
        Some(t).filter(|t| !t.token.is_empty())
    }
}

/// Google Pay's networks among those the session takes (every one Google Pay knows of ours when
/// the session names none).
fn google_networks(brands: &[String]) -> Vec<&'static str> {
    ["AMEX", "DISCOVER", "JCB", "MASTERCARD", "VISA"].into_iter().filter(|n| brands.is_empty() || brands.iter().any(|b| b == n)).collect()
}

/// `PaymentDetailsInit`: the total, with the amount and the convenience fee as display items.
pub fn details(quote: &FeeQuote, merchant: &str, amount_label: &str, fee_label: &str) -> Value {
    let money = |minor: i64| obj(vec![("currency", s(quote.currency_code.code())), ("value", Value::String(decimal(minor)))]);
    let line = |label: &str, minor: i64| obj(vec![("label", s(label)), ("amount", money(minor))]);
    obj(vec![
        ("total", line(merchant, quote.total.0)),
        ("displayItems", Value::Array(vec![line(amount_label, quote.amount.0), line(fee_label, quote.fee.0)])),
    ])
}

/// A JSON object of `fields`, built directly: serde_json's `json!` goes through `to_value(..).unwrap()`,
/// which brings serde_json's error messages into the wasm (issue #21).
/// Inserted one by one, not collected: collecting sorts first, a sort per call site in the wasm.
fn obj(fields: Vec<(&str, Value)>) -> Value {
    let mut map = serde_json::Map::new();
    for (key, value) in fields {
        map.insert(key.to_owned(), value);
    }
    Value::Object(map)
}

fn s(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn new_request(methods: &Value, details: &Value) -> Option<JsValue> {
    let ctor = Reflect::get(&window(), &JsValue::from_str("PaymentRequest")).ok()?.dyn_into::<Function>().ok()?;
    let args = Array::of2(&Array::of1(&crate::json::to_js(methods)), &crate::json::to_js(details));
    Reflect::construct(&ctor, &args).ok()
}

fn call(target: &JsValue, name: &str, args: &Array) -> Option<JsValue> {
    let f = Reflect::get(target, &JsValue::from_str(name)).ok()?.dyn_into::<Function>().ok()?;
    f.apply(target, args).ok()
}

/// Whether the page may use the Payment Request API and Apple Pay at all: `false` when a
/// Permissions-Policy (the merchant's page not passing `allow="payment"` to the frame, or a header)
/// blocks `payment`. Browsers without the policy API say nothing: `true`.
pub fn permitted() -> bool {
    let doc = JsValue::from(window().document());
    ["permissionsPolicy", "featurePolicy"]
        .iter()
        .find_map(|name| Reflect::get(&doc, &JsValue::from_str(name)).ok().filter(JsValue::is_object))
        .and_then(|policy| call(&policy, "allowsFeature", &Array::of1(&JsValue::from_str("payment"))))
        .is_none_or(|v| v.as_bool() != Some(false))
}

fn apple_pay_session() -> Option<Function> {
    Reflect::get(&window(), &JsValue::from_str("ApplePaySession")).ok()?.dyn_into::<Function>().ok()
}

/// Whether the browser can pay with `wallet` now. Any failure reads as "no".
pub async fn can_pay(wallet: Wallet, cfg: &SessionConfig) -> bool {
    if wallet == Wallet::ApplePay {
        let Some(ctor) = apple_pay_session() else { return false };
        let yes = |name: &str, args: &Array| call(&ctor, name, args).and_then(|v| v.as_bool()) == Some(true);
        return yes("supportsVersion", &Array::of1(&JsValue::from_f64(3.0))) && yes("canMakePayments", &Array::new());
    }
    let amount = obj(vec![("currency", s(cfg.currency_code.code())), ("value", Value::String(decimal(cfg.amount.map_or(0, |a| a.0))))]);
    let placeholder = obj(vec![("total", obj(vec![("label", s(&cfg.merchant_name)), ("amount", amount)]))]);
    let Some(request) = new_request(&Wallet::method_data(cfg), &placeholder) else { return false };
    let Some(promise) = call(&request, "canMakePayment", &Array::new()).and_then(|p| p.dyn_into::<Promise>().ok()) else {
        return false;
    };
    JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()).unwrap_or(false)
}

/// Opens the wallet's sheet for `quote`. Must run inside the click handler: browsers show it only
/// during a user gesture. Returns the pending sheet: it settles with the payer's authorization.
/// Apple Pay validates the merchant first, through `client`.
pub fn open(wallet: Wallet, cfg: &SessionConfig, quote: &FeeQuote, labels: (&str, &str), client: ApiClient) -> Option<Promise> {
    let details = details(quote, &cfg.merchant_name, labels.0, labels.1);
    if wallet == Wallet::GooglePay {
        let request = new_request(&Wallet::method_data(cfg), &details)?;
        return call(&request, "show", &Array::new())?.dyn_into::<Promise>().ok();
    }
    // Apple's ApplePayPaymentRequest: the config's, with the quoted total and its two lines.
    let mut request = cfg.apple_pay.clone()?;
    let line = |item: &Value| obj(vec![("label", item["label"].clone()), ("amount", item["amount"]["value"].clone()), ("type", s("final"))]);
    request["total"]["amount"] = details["total"]["amount"]["value"].clone();
    request["lineItems"] = Value::Array(details["displayItems"].as_array()?.iter().map(line).collect());
    let session = Reflect::construct(&apple_pay_session()?, &Array::of2(&JsValue::from_f64(3.0), &crate::json::to_js(&request))).ok()?;
    let mut settle = |resolve: Function, reject: Function| {
        let on = |name: &str, f: JsValue| {
            let _ = Reflect::set(&session, &JsValue::from_str(name), &f);
        };
        let (s, fail, client) = (session.clone(), reject.clone(), client.clone());
        on("onvalidatemerchant", Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let url = Reflect::get(&event, &JsValue::from_str("validationURL")).ok().and_then(|u| u.as_string()).unwrap_or_default();
            let (s, fail, client) = (s.clone(), fail.clone(), client.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match client.apple_pay_merchant_session(&url).await.ok().and_then(|text| JSON::parse(&text).ok()) {
                    Some(merchant_session) => {
                        let _ = call(&s, "completeMerchantValidation", &Array::of1(&merchant_session));
                    }
                    None => {
                        let _ = call(&s, "abort", &Array::new());
                        let _ = fail.call1(&JsValue::NULL, &JsValue::from_str("validation"));
                    }
                }
            });
        }).into_js_value());
        let s = session.clone();
        on("onpaymentauthorized", Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let payment = Reflect::get(&event, &JsValue::from_str("payment")).unwrap_or_default();
            let _ = resolve.call1(&JsValue::NULL, &Array::of2(&s, &payment));
        }).into_js_value());
        on("oncancel", Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("AbortError"));
        }).into_js_value());
    };
    let sheet = Promise::new(&mut settle);
    call(&session, "begin", &Array::new())?;
    Some(sheet)
}

/// Waits for the sheet: what to complete later (Google Pay's `PaymentResponse`, Apple Pay's
/// session) and the token the payer authorized.
pub async fn token(wallet: Wallet, shown: Promise) -> Result<(JsValue, WalletTokenInput), SheetError> {
    let answer = JsFuture::from(shown).await.map_err(|e| {
        let name = Reflect::get(&e, &JsValue::from_str("name")).ok().and_then(|n| n.as_string()).or_else(|| e.as_string());
        if name.as_deref() == Some("AbortError") { SheetError::Canceled } else { SheetError::Failed }
    })?;
    let (handle, details) = match wallet {
        Wallet::GooglePay => (answer.clone(), Reflect::get(&answer, &JsValue::from_str("details")).map_err(|_| SheetError::Failed)?),
        Wallet::ApplePay => {
            let pair: Array = answer.dyn_into().map_err(|_| SheetError::Failed)?;
            (pair.get(0), pair.get(1))
        }
    };
    let parsed = crate::json::from_js::<Value>(details).ok();
    match parsed.as_ref().and_then(|d| wallet.token_from(d)) {
        Some(t) => Ok((handle, t)),
        None => {
            complete(wallet, &handle, false);
            Err(SheetError::Failed)
        }
    }
}

/// Closes the sheet with the outcome of the payment (`complete("success"|"fail")`, or Apple Pay's
/// `completePayment({status})`: `STATUS_SUCCESS` 0, `STATUS_FAILURE` 1).
pub fn complete(wallet: Wallet, handle: &JsValue, ok: bool) {
    let _ = match wallet {
        Wallet::GooglePay => call(handle, "complete", &Array::of1(&JsValue::from_str(if ok { "success" } else { "fail" }))),
        Wallet::ApplePay => call(handle, "completePayment", &Array::of1(&crate::json::to_js(&obj(vec![("status", Value::from(if ok { 0 } else { 1 }))])))),
    };
}
