//! Device wallets through the browser's Payment Request API: Google Pay, when the session enables
//! the `GOOGLE_PAY` channel and the browser says it can pay with it (`canMakePayment`). Where the
//! API is missing, refuses or throws, the button is never shown: the card form is always there.
//!
//! The sheet shows the quoted total (amount + convenience fee, as two display items). The wallet
//! answers with a one-time token and the card it shows (network, last four), which the confirm
//! call sends as `{"type":"GOOGLE_PAY","googlePay":{token, network, last4}}`.
//!
//! Apple Pay is not offered: its sheet needs the merchant validated with Apple (a merchant
//! identity certificate held by the server), which this deployment does not have; an `APPLE_PAY`
//! channel is accepted on sessions and quotes, and its button stays hidden rather than broken.

use checkout_types::confirm::WalletTokenInput;
use checkout_types::quote::{FeeQuote, PaymentMethodKind};
use checkout_types::session::{CardChannel, SessionConfig};
use js_sys::{Array, Function, JSON, Promise, Reflect};
use leptos::prelude::window;
use serde_json::{Value, json};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A device wallet the widget can offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wallet {
    GooglePay,
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
        }
    }

    /// The wallets the session enables, in display order (before asking the browser).
    pub fn enabled(cfg: &SessionConfig) -> Vec<Wallet> {
        cfg.channels.card.contains(&CardChannel::GooglePay).then_some(Wallet::GooglePay).into_iter().collect()
    }

    /// `PaymentMethodData` for this wallet: Google Pay API v2, cards tokenized for the gateway,
    /// with the merchant's settings (environment, Google merchant id, gateway and its merchant id)
    /// as the session's config carries them.
    pub fn method_data(self, cfg: &SessionConfig) -> Value {
        let g = cfg.google_pay.as_ref();
        let mut merchant_info = json!({ "merchantName": cfg.merchant_name });
        if let Some(id) = g.and_then(|g| g.merchant_id.as_ref()) {
            merchant_info["merchantId"] = json!(id);
        }
        match self {
            Wallet::GooglePay => json!({
                "supportedMethods": "https://google.com/pay",
                "data": {
                    "environment": g.map_or("TEST", |g| g.environment.as_str()),
                    "apiVersion": 2,
                    "apiVersionMinor": 0,
                    "merchantInfo": merchant_info,
                    "allowedPaymentMethods": [{
                        "type": "CARD",
                        "parameters": {
                            "allowedAuthMethods": ["PAN_ONLY", "CRYPTOGRAM_3DS"],
                            "allowedCardNetworks": ["AMEX", "DISCOVER", "JCB", "MASTERCARD", "VISA"]
                        },
                        "tokenizationSpecification": {
                            "type": "PAYMENT_GATEWAY",
                            "parameters": {
                                "gateway": g.map_or("govifi", |g| g.gateway.as_str()),
                                "gatewayMerchantId": g.map_or(cfg.merchant_id.as_str(), |g| g.gateway_merchant_id.as_str()),
                            }
                        }
                    }]
                }
            }),
        }
    }

    /// Reads the wallet's answer (`PaymentResponse.details`): token, network and last four.
    pub fn token_from(self, details: &Value) -> Option<WalletTokenInput> {
        match self {
            Wallet::GooglePay => {
                let data = details.get("paymentMethodData")?;
                let token = data.pointer("/tokenizationData/token")?.as_str()?.to_owned();
                let network = data.pointer("/info/cardNetwork")?.as_str()?.to_owned();
                let last4 = data.pointer("/info/cardDetails")?.as_str()?.to_owned();
                Some(WalletTokenInput { token, network, last4 }).filter(|t| !t.token.is_empty())
            }
        }
    }
}

/// `PaymentDetailsInit`: the total, with the amount and the convenience fee as display items.
pub fn details(quote: &FeeQuote, merchant: &str, amount_label: &str, fee_label: &str) -> Value {
    let money = |minor: i64| json!({ "currency": quote.currency_code.code(), "value": decimal(minor) });
    json!({
        "total": { "label": merchant, "amount": money(quote.total.0) },
        "displayItems": [
            { "label": amount_label, "amount": money(quote.amount.0) },
            { "label": fee_label, "amount": money(quote.fee.0) }
        ]
    })
}

/// Minor units as the Payment Request API's decimal string (`1234` → `"12.34"`).
pub fn decimal(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn to_js(v: &Value) -> Option<JsValue> {
    JSON::parse(&v.to_string()).ok()
}

fn new_request(methods: &Value, details: &Value) -> Option<JsValue> {
    let ctor = Reflect::get(&window(), &JsValue::from_str("PaymentRequest")).ok()?.dyn_into::<Function>().ok()?;
    let args = Array::of2(&Array::of1(&to_js(methods)?), &to_js(details)?);
    Reflect::construct(&ctor, &args).ok()
}

fn call(target: &JsValue, name: &str, args: &Array) -> Option<JsValue> {
    let f = Reflect::get(target, &JsValue::from_str(name)).ok()?.dyn_into::<Function>().ok()?;
    f.apply(target, args).ok()
}

/// Whether the browser can pay with `wallet` now. Any failure reads as "no".
pub async fn can_pay(wallet: Wallet, cfg: &SessionConfig) -> bool {
    let placeholder = json!({ "total": { "label": cfg.merchant_name, "amount": { "currency": cfg.currency_code.code(), "value": decimal(cfg.amount.map_or(0, |a| a.0)) } } });
    let Some(request) = new_request(&wallet.method_data(cfg), &placeholder) else { return false };
    let Some(promise) = call(&request, "canMakePayment", &Array::new()).and_then(|p| p.dyn_into::<Promise>().ok()) else {
        return false;
    };
    JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()).unwrap_or(false)
}

/// Opens the wallet's sheet. Must run inside the click handler: browsers show it only during a
/// user gesture. Returns the pending `show()` promise.
pub fn open(wallet: Wallet, cfg: &SessionConfig, details: &Value) -> Option<Promise> {
    let request = new_request(&wallet.method_data(cfg), details)?;
    call(&request, "show", &Array::new())?.dyn_into::<Promise>().ok()
}

/// Waits for the sheet: the `PaymentResponse` (to complete later) and the token it carries.
pub async fn token(wallet: Wallet, shown: Promise) -> Result<(JsValue, WalletTokenInput), SheetError> {
    let response = JsFuture::from(shown).await.map_err(|e| {
        let name = Reflect::get(&e, &JsValue::from_str("name")).ok().and_then(|n| n.as_string());
        if name.as_deref() == Some("AbortError") { SheetError::Canceled } else { SheetError::Failed }
    })?;
    let details = Reflect::get(&response, &JsValue::from_str("details")).map_err(|_| SheetError::Failed)?;
    let parsed = JSON::stringify(&details).ok().and_then(|s| s.as_string()).and_then(|s| serde_json::from_str::<Value>(&s).ok());
    match parsed.as_ref().and_then(|d| wallet.token_from(d)) {
        Some(t) => Ok((response, t)),
        None => {
            complete(&response, false);
            Err(SheetError::Failed)
        }
    }
}

/// Closes the sheet with the outcome of the payment.
pub fn complete(response: &JsValue, ok: bool) {
    let _ = call(response, "complete", &Array::of1(&JsValue::from_str(if ok { "success" } else { "fail" })));
}
