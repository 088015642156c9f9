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
use checkout_types::device_wallet::ApplePayOptions;
use checkout_types::money::{Currency, decimal};
use checkout_types::quote::{FeeQuote, PaymentMethodKind};
use checkout_types::session::{CardChannel, SessionConfig};
use js_sys::{Array, Function, JSON, Promise, Reflect};
use leptos::prelude::window;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::api::ApiClient;
use crate::json::Obj;

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
    pub fn method_data(cfg: &SessionConfig) -> JsValue {
        let g = cfg.google_pay.as_ref();
        let merchant_info = Obj::new().set("merchantName", &cfg.merchant_name).some("merchantId", &g.and_then(|g| g.merchant_id.as_ref()));
        let card = Obj::new()
            .set("type", "CARD")
            .set(
                "parameters",
                &Obj::new()
                    .set("allowedAuthMethods", &["PAN_ONLY", "CRYPTOGRAM_3DS"][..])
                    .set("allowedCardNetworks", &google_networks(&cfg.card_brands))
                    .done(),
            )
            .set(
                "tokenizationSpecification",
                &Obj::new()
                    .set("type", "PAYMENT_GATEWAY")
                    .set(
                        "parameters",
                        &Obj::new()
                            .set("gateway", g.map_or("govifi", |g| g.gateway.as_str()))
                            .set("gatewayMerchantId", g.map_or(cfg.merchant_id.as_str(), |g| g.gateway_merchant_id.as_str()))
                            .done(),
                    )
                    .done(),
            );
        Obj::new()
            .set("supportedMethods", "https://google.com/pay")
            .set(
                "data",
                &Obj::new()
                    .set("environment", g.map_or("TEST", |g| g.environment.as_str()))
                    .set("apiVersion", &2u8)
                    .set("apiVersionMinor", &0u8)
                    .set("merchantInfo", &merchant_info.done())
                    .set("allowedPaymentMethods", &[card.done()][..])
                    .done(),
            )
            .done()
    }

    /// Reads the wallet's answer: Google Pay's `PaymentResponse.details` (token, network, last
    /// four) or Apple Pay's `ApplePayPayment` (`token.paymentData` as JSON text, the network, and
    /// the last four of the card's display name, e.g. `"Visa 0224"`).
    pub fn token_from(self, details: &JsValue) -> Option<WalletTokenInput> {
        let t = match self {
            Wallet::GooglePay => {
                let data = at(details, &["paymentMethodData"])?;
                let token = text_at(&data, &["tokenizationData", "token"])?;
                let network = text_at(&data, &["info", "cardNetwork"])?;
                let last4 = text_at(&data, &["info", "cardDetails"])?;
                WalletTokenInput { token, network, last4 }
            }
            Wallet::ApplePay => {
                let token = at(details, &["token"])?;
                let data = at(&token, &["paymentData"]).filter(|d| d.is_object() && !Array::is_array(d))?;
                let data = JSON::stringify(&data).ok()?.as_string()?;
                let network = text_at(&token, &["paymentMethod", "network"])?;
                let name = text_at(&token, &["paymentMethod", "displayName"])?;
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

/// The field at `path` of a JS value, each step an object's own field.
fn at(value: &JsValue, path: &[&str]) -> Option<JsValue> {
    let mut here = value.clone();
    for name in path {
        if !here.is_object() {
            return None;
        }
        here = Reflect::get(&here, &JsValue::from_str(name)).ok()?;
    }
    Some(here)
}

/// The text at `path` (see [`at`]), if it is text.
fn text_at(value: &JsValue, path: &[&str]) -> Option<String> {
    at(value, path)?.as_string()
}

/// A `PaymentItem`: `{label, amount: {currency, value}}`, the value in the wallets' decimal format.
fn item(label: &str, currency: Currency, minor: i64) -> JsValue {
    let amount = Obj::new().set("currency", currency.code()).set("value", &decimal(minor)).done();
    Obj::new().set("label", label).set("amount", &amount).done()
}

/// `PaymentDetailsInit`: the total, with the amount and the convenience fee as display items.
/// Built as JS objects field by field (`crate::json::Obj`), as every request of the widget is.
pub fn details(quote: &FeeQuote, merchant: &str, amount_label: &str, fee_label: &str) -> JsValue {
    let line = |label: &str, minor: i64| item(label, quote.currency_code, minor);
    Obj::new()
        .set("total", &line(merchant, quote.total.0))
        .set("displayItems", &[line(amount_label, quote.amount.0), line(fee_label, quote.fee.0)][..])
        .done()
}

/// Apple's `ApplePayPaymentRequest`: the session's options, with the quoted total and, as its two
/// lines, the amount and the convenience fee (`labels`).
pub fn apple_pay_request(options: &ApplePayOptions, quote: &FeeQuote, labels: (&str, &str)) -> JsValue {
    let line = |label: &str, minor: i64, kind: &str| Obj::new().set("label", label).set("amount", &decimal(minor)).set("type", kind).done();
    Obj::new()
        .set("countryCode", &options.country_code)
        .set("currencyCode", &options.currency_code)
        .set("merchantCapabilities", &options.merchant_capabilities[..])
        .set("supportedNetworks", &options.supported_networks[..])
        .set("total", &line(&options.total.label, quote.total.0, &options.total.kind))
        .set("lineItems", &[line(labels.0, quote.amount.0, "final"), line(labels.1, quote.fee.0, "final")][..])
        .done()
}

fn new_request(methods: &JsValue, details: &JsValue) -> Option<JsValue> {
    let ctor = Reflect::get(&window(), &JsValue::from_str("PaymentRequest")).ok()?.dyn_into::<Function>().ok()?;
    let args = Array::of2(&Array::of1(methods), details);
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

/// Whether the browser can pay with `wallet` now. Any failure reads as "no". The question is put
/// at once (it reads `cfg` only here, so the caller lends it); the answer is awaited.
pub fn can_pay(wallet: Wallet, cfg: &SessionConfig) -> impl Future<Output = bool> + use<> {
    let asked: Result<bool, Promise> = if wallet == Wallet::ApplePay {
        Ok(apple_pay_session().is_some_and(|ctor| {
            let yes = |name: &str, args: &Array| call(&ctor, name, args).and_then(|v| v.as_bool()) == Some(true);
            yes("supportsVersion", &Array::of1(&JsValue::from_f64(3.0))) && yes("canMakePayments", &Array::new())
        }))
    } else {
        let placeholder = Obj::new().set("total", &item(&cfg.merchant_name, cfg.currency_code, cfg.amount.map_or(0, |a| a.0))).done();
        let promise = new_request(&Wallet::method_data(cfg), &placeholder)
            .and_then(|request| call(&request, "canMakePayment", &Array::new()))
            .and_then(|p| p.dyn_into::<Promise>().ok());
        match promise {
            Some(promise) => Err(promise),
            None => Ok(false),
        }
    };
    async move {
        match asked {
            Ok(answer) => answer,
            Err(promise) => JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()).unwrap_or(false),
        }
    }
}

/// Opens the wallet's sheet for `quote`. Must run inside the click handler: browsers show it only
/// during a user gesture. Returns the pending sheet: it settles with the payer's authorization.
/// Apple Pay validates the merchant first, through `client`.
pub fn open(wallet: Wallet, cfg: &SessionConfig, quote: &FeeQuote, labels: (&str, &str), client: ApiClient) -> Option<Promise> {
    if wallet == Wallet::GooglePay {
        let request = new_request(&Wallet::method_data(cfg), &details(quote, &cfg.merchant_name, labels.0, labels.1))?;
        return call(&request, "show", &Array::new())?.dyn_into::<Promise>().ok();
    }
    let request = apple_pay_request(cfg.apple_pay.as_ref()?, quote, labels);
    let session = Reflect::construct(&apple_pay_session()?, &Array::of2(&JsValue::from_f64(3.0), &request)).ok()?;
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
    match wallet.token_from(&details) {
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
        Wallet::ApplePay => call(handle, "completePayment", &Array::of1(&Obj::new().set("status", &u8::from(!ok)).done())),
    };
}
