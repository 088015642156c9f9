//! JSON in the widget, through the browser: text is parsed by `JSON.parse` and written by
//! `JSON.stringify`. The API's answers are read out of the parsed JS value field by field
//! ([`FromJs`], one impl per type below); request bodies, page events and the wallets' requests
//! are written into one field by field ([`ToJs`]). Neither serde_json's parser and writer nor any
//! serde `Deserialize` or `Serializer` is in the wasm (issue #21), nor `serde_json::Value`: the
//! contract types what the config and the confirm answer carry (Apple Pay's options, the agent's
//! screen, the 3-D Secure challenge), and an error body is read as `crate::api::Failure` (its
//! reader is there), the text fields of its `data` alone. A `Value` reader and writer and its map
//! were 1.7 kB brotli of the payment build.
//!
//! Why by hand, not serde: a derived `Deserialize` is a visitor per type that matches every field
//! name, driven by a deserializer instantiated per type; reading the payment build's answers that
//! way was about 34 kB of wasm (13.9 kB gzip, measured by removing the reads). Writing through
//! serde-wasm-bindgen's `Serializer` instantiated it per type, with its interned-name cache. Here a
//! field is one call of a non-generic getter or setter with its wire name. The names are the
//! contract's (`checkout_types`, camelCase as serde writes them): `tests/json.rs` writes a whole
//! value of every type read here with serde_json, as the API does, and asserts this reader gives
//! back the same value; and it writes every type written here both ways and asserts the two JSON
//! values are equal. So a name misspelt here, or a field the types gain and this code skips, fails
//! there.
//!
//! As serde would: a missing `Option` or a `null` is `None`; a missing `#[serde(default)]` field is
//! its default; anything of the wrong shape (a fraction where an amount is due, an unknown enum
//! name, a missing required field) is [`Unreadable`], never a zero or a default. Unknown fields are
//! ignored. An error carries no message: the widget never shows one (an unreadable answer is an
//! unreadable answer), and messages bring formatting code into the wasm. Written, a `None` is
//! `null`, or no field where the type skips it (`skip_serializing_if = "Option::is_none"`).

use std::collections::BTreeMap;

use checkout_types::confirm::{Challenge, ChallengeDone, ConfirmRequest, ConfirmResponse, InlineMethod};
use checkout_types::device_wallet::{ApplePayLineItem, ApplePayOptions, ApplePayValidationRequest, GooglePaySettings};
use checkout_types::events;
use checkout_types::money::{Currency, MinorUnit};
use checkout_types::payment::{MethodSummary, PaymentSummary};
use checkout_types::quote::{FeeQuote, FeeQuoteRequest};
use checkout_types::session::{Channels, LineItem, SavedMethod, SessionConfig};
use checkout_types::wallet::{AddMethod, MethodList, SelectMethod, Selected, UpdateMethod};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// A value that does not fit the type asked for. Deliberately without a message (see the module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable;

type Read<T> = Result<T, Unreadable>;

/// A type the widget reads out of a JS value (an API answer, a page's message, a wallet's answer).
pub trait FromJs: Sized {
    /// `value` read as `Self`.
    fn from_js(value: JsValue) -> Read<Self>;
}

/// A type the widget writes as a JS value (a request body, a page event, a wallet's request), as
/// serde_json would write it.
pub trait ToJs {
    /// `self` as a plain JS value.
    fn to_js(&self) -> JsValue;
}

/// JSON text read into `T`: parsed by the browser (`JSON.parse`), then read from the JS value.
pub fn from_json<T: FromJs>(text: &str) -> Option<T> {
    T::from_js(js_sys::JSON::parse(text).ok()?).ok()
}

/// `value` read as `T`.
pub fn from_js<T: FromJs>(value: JsValue) -> Read<T> {
    T::from_js(value)
}

/// A value as a plain JS value (see [`ToJs`]).
pub fn to_js<T: ToJs + ?Sized>(value: &T) -> JsValue {
    value.to_js()
}

/// A value as JSON text, written by the browser (`JSON.stringify`): serde_json's writer is not in
/// the wasm either (issue #21).
pub fn to_json<T: ToJs + ?Sized>(value: &T) -> Option<String> {
    stringify(&value.to_js())
}

#[inline(never)]
fn stringify(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok()?.as_string()
}

/// Integers JSON carries exactly (`Number.MAX_SAFE_INTEGER`).
const SAFE: f64 = 9_007_199_254_740_991.0;

/// `null` or `undefined`.
#[inline(never)]
fn nullish(v: &JsValue) -> bool {
    v.is_null() || v.is_undefined()
}

/// A whole number within `min..=max`.
#[inline(never)]
fn int(v: &JsValue, min: f64, max: f64) -> Read<i64> {
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && n >= min && n <= max => Ok(n as i64),
        _ => Err(Unreadable),
    }
}

/// An object's fields, read by name.
pub struct Fields(JsValue);

impl Fields {
    /// `value` if it is an object (not an array, not null).
    #[inline(never)]
    pub fn of(value: JsValue) -> Read<Fields> {
        if value.is_object() && !Array::is_array(&value) { Ok(Fields(value)) } else { Err(Unreadable) }
    }

    /// The field `name` as it came (`undefined` when absent).
    #[inline(never)]
    pub fn raw(&self, name: &str) -> JsValue {
        Reflect::get(&self.0, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    }

    /// The field `name`, required (an `Option` is `None` when it is absent or `null`).
    pub fn get<T: FromJs>(&self, name: &str) -> Read<T> {
        T::from_js(self.raw(name))
    }

    /// The field `name`, or `T`'s default when it is absent (`#[serde(default)]`).
    pub fn or_default<T: FromJs + Default>(&self, name: &str) -> Read<T> {
        let v = self.raw(name);
        if v.is_undefined() { Ok(T::default()) } else { T::from_js(v) }
    }
}

impl FromJs for JsValue {
    /// Any value, as the browser parsed it (an answer forwarded to the page unread).
    fn from_js(v: JsValue) -> Read<JsValue> {
        Ok(v)
    }
}

impl FromJs for String {
    fn from_js(v: JsValue) -> Read<String> {
        v.as_string().ok_or(Unreadable)
    }
}

impl FromJs for bool {
    fn from_js(v: JsValue) -> Read<bool> {
        v.as_bool().ok_or(Unreadable)
    }
}

impl FromJs for i64 {
    fn from_js(v: JsValue) -> Read<i64> {
        int(&v, -SAFE, SAFE)
    }
}

impl FromJs for u8 {
    fn from_js(v: JsValue) -> Read<u8> {
        int(&v, 0.0, 255.0).map(|n| n as u8)
    }
}

impl FromJs for u16 {
    fn from_js(v: JsValue) -> Read<u16> {
        int(&v, 0.0, 65_535.0).map(|n| n as u16)
    }
}

impl FromJs for u32 {
    fn from_js(v: JsValue) -> Read<u32> {
        int(&v, 0.0, 4_294_967_295.0).map(|n| n as u32)
    }
}

impl FromJs for MinorUnit {
    fn from_js(v: JsValue) -> Read<MinorUnit> {
        i64::from_js(v).map(MinorUnit)
    }
}

impl FromJs for Currency {
    /// The ISO code exactly as written (serde's derived names are case-sensitive).
    fn from_js(v: JsValue) -> Read<Currency> {
        let code = String::from_js(v)?;
        Currency::parse(&code).filter(|c| c.code() == code).ok_or(Unreadable)
    }
}

impl<T: FromJs> FromJs for Option<T> {
    fn from_js(v: JsValue) -> Read<Option<T>> {
        if nullish(&v) { Ok(None) } else { T::from_js(v).map(Some) }
    }
}

/// The items of an array.
#[inline(never)]
fn items(v: JsValue) -> Read<Array> {
    if Array::is_array(&v) { Ok(v.unchecked_into()) } else { Err(Unreadable) }
}

// Loops, not `collect`: collecting `Result`s instantiates an adapter per item type, and collecting
// into a map sorts the pairs first (std's stable sort: 8 kB of wasm), where inserting does not.

impl<T: FromJs> FromJs for Vec<T> {
    fn from_js(v: JsValue) -> Read<Vec<T>> {
        let items = items(v)?;
        let mut out = Vec::new();
        for item in items.iter() {
            out.push(T::from_js(item)?);
        }
        Ok(out)
    }
}

/// An object's `[name, value]` pairs.
#[inline(never)]
pub fn entries(v: JsValue) -> Read<Vec<(String, JsValue)>> {
    let fields = Fields::of(v)?;
    let mut out = Vec::new();
    for pair in Object::entries(fields.0.unchecked_ref()).iter() {
        let pair: Array = pair.unchecked_into();
        out.push((String::from_js(pair.get(0))?, pair.get(1)));
    }
    Ok(out)
}

/// An object's text fields, as `[name, text]` pairs; fields of other types are left out, and
/// `null` or `undefined` has none (an error body's `data`, a page's theme).
#[inline(never)]
pub fn text_fields(v: JsValue) -> Read<Vec<(String, String)>> {
    let mut out = Vec::new();
    if !nullish(&v) {
        for (name, value) in entries(v)? {
            if let Some(text) = value.as_string() {
                out.push((name, text));
            }
        }
    }
    Ok(out)
}

impl FromJs for BTreeMap<String, String> {
    fn from_js(v: JsValue) -> Read<BTreeMap<String, String>> {
        let mut map = BTreeMap::new();
        for (name, value) in entries(v)? {
            map.insert(name, String::from_js(value)?);
        }
        Ok(map)
    }
}

/// `FromJs` and `ToJs` for `wire_enum!` types: the wire name, exactly.
macro_rules! wire_names {
    ($($ty:ty),+ $(,)?) => {
        $(impl FromJs for $ty {
            fn from_js(v: JsValue) -> Read<$ty> {
                <$ty>::parse(&String::from_js(v)?).ok_or(Unreadable)
            }
        }
        impl ToJs for $ty {
            fn to_js(&self) -> JsValue {
                self.as_str().to_js()
            }
        })+
    };
}

wire_names!(
    checkout_types::session::Mode,
    checkout_types::session::SessionStatus,
    checkout_types::session::CardChannel,
    checkout_types::session::BankChannel,
    checkout_types::session::AvsField,
    checkout_types::quote::PaymentMethodKind,
    checkout_types::quote::Funding,
    checkout_types::payment::PaymentStatus,
    checkout_types::error::ErrorTitle,
    checkout_types::device_wallet::GooglePayEnvironment,
);
#[cfg(feature = "agent")]
wire_names!(checkout_types::links::LinkChannel, checkout_types::links::LinkStatus);

impl FromJs for SessionConfig {
    fn from_js(v: JsValue) -> Read<SessionConfig> {
        let f = Fields::of(v)?;
        Ok(SessionConfig {
            session_id: f.get("sessionId")?,
            mode: f.get("mode")?,
            status: f.get("status")?,
            amount: f.get("amount")?,
            currency_code: f.get("currencyCode")?,
            merchant_name: f.get("merchantName")?,
            merchant_id: f.or_default("merchantId")?,
            description: f.get("description")?,
            privacy_policy_url: f.get("privacyPolicyUrl")?,
            locale: f.get("locale")?,
            expires_at: f.get("expiresAt")?,
            channels: f.get("channels")?,
            saved_methods: f.or_default("savedMethods")?,
            preselected_method_id: f.get("preselectedMethodId")?,
            required_avs_fields: f.or_default("requiredAvsFields")?,
            setup_future_usage: f.get("setupFutureUsage")?,
            payment: f.get("payment")?,
            merchant_origins: f.or_default("merchantOrigins")?,
            appearance: f.or_default("appearance")?,
            can_save: f.or_default("canSave")?,
            close_on_success: f.or_default("closeOnSuccess")?,
            cancel_url: f.get("cancelUrl")?,
            redirect_url: f.get("redirectUrl")?,
            line_items: f.or_default("lineItems")?,
            google_pay: f.get("googlePay")?,
            apple_pay: f.get("applePay")?,
            card_brands: f.or_default("cardBrands")?,
            #[cfg(feature = "agent")]
            agent: f.get("agent")?,
            // A build without the agent's screen has no reader for the agent's part: a config that
            // carries one is for the agent's build, and this one refuses it (`crate::modes::render`).
            #[cfg(not(feature = "agent"))]
            agent: if nullish(&f.raw("agent")) { None } else { return Err(Unreadable) },
        })
    }
}

impl FromJs for Channels {
    fn from_js(v: JsValue) -> Read<Channels> {
        let f = Fields::of(v)?;
        Ok(Channels { card: f.or_default("card")?, bank_account: f.or_default("bankAccount")? })
    }
}

impl FromJs for SavedMethod {
    fn from_js(v: JsValue) -> Read<SavedMethod> {
        let f = Fields::of(v)?;
        Ok(SavedMethod {
            id: f.get("id")?,
            kind: f.get("type")?,
            brand: f.get("brand")?,
            last4: f.get("last4")?,
            exp_month: f.get("expMonth")?,
            exp_year: f.get("expYear")?,
            nickname: f.get("nickname")?,
            default: f.or_default("default")?,
        })
    }
}

impl FromJs for LineItem {
    fn from_js(v: JsValue) -> Read<LineItem> {
        let f = Fields::of(v)?;
        Ok(LineItem { name: f.get("name")?, quantity: f.get("quantity")?, amount: f.get("amount")? })
    }
}

impl FromJs for GooglePaySettings {
    /// Only the known fields: anything else is refused, as the API's reader refuses it.
    fn from_js(v: JsValue) -> Read<GooglePaySettings> {
        let f = Fields::of(v)?;
        let known = ["environment", "merchantId", "gateway", "gatewayMerchantId"];
        if Object::keys(f.0.unchecked_ref::<Object>()).iter().any(|k| k.as_string().is_none_or(|k| !known.contains(&k.as_str()))) {
            return Err(Unreadable);
        }
        Ok(GooglePaySettings {
            environment: f.get("environment")?,
            merchant_id: f.get("merchantId")?,
            gateway: f.get("gateway")?,
            gateway_merchant_id: f.get("gatewayMerchantId")?,
        })
    }
}

impl FromJs for PaymentSummary {
    fn from_js(v: JsValue) -> Read<PaymentSummary> {
        let f = Fields::of(v)?;
        Ok(PaymentSummary {
            id: f.get("id")?,
            amount: f.get("amount")?,
            fee: f.get("fee")?,
            total: f.get("total")?,
            currency_code: f.get("currencyCode")?,
            status: f.get("status")?,
            payment_method: f.get("paymentMethod")?,
        })
    }
}

impl FromJs for MethodSummary {
    fn from_js(v: JsValue) -> Read<MethodSummary> {
        let f = Fields::of(v)?;
        Ok(MethodSummary { kind: f.get("type")?, brand: f.get("brand")?, last4: f.get("last4")? })
    }
}

impl FromJs for FeeQuote {
    fn from_js(v: JsValue) -> Read<FeeQuote> {
        let f = Fields::of(v)?;
        Ok(FeeQuote {
            quote_id: f.get("quoteId")?,
            amount: f.get("amount")?,
            fee: f.get("fee")?,
            total: f.get("total")?,
            currency_code: f.get("currencyCode")?,
            expires_at: f.get("expiresAt")?,
            disclosure: f.get("disclosure")?,
        })
    }
}

impl FromJs for ConfirmResponse {
    fn from_js(v: JsValue) -> Read<ConfirmResponse> {
        let f = Fields::of(v)?;
        Ok(ConfirmResponse {
            session_id: f.get("sessionId")?,
            status: f.get("status")?,
            payment: f.get("payment")?,
            redirect_url: f.get("redirectUrl")?,
            requires_action: f.get("requiresAction")?,
        })
    }
}

impl FromJs for Challenge {
    fn from_js(v: JsValue) -> Read<Challenge> {
        let f = Fields::of(v)?;
        Ok(Challenge { challenge_id: f.get("challengeId")?, url: f.get("url")?, expires_at_utc: f.get("expiresAtUtc")? })
    }
}

impl FromJs for ApplePayOptions {
    fn from_js(v: JsValue) -> Read<ApplePayOptions> {
        let f = Fields::of(v)?;
        Ok(ApplePayOptions {
            country_code: f.get("countryCode")?,
            currency_code: f.get("currencyCode")?,
            merchant_capabilities: f.get("merchantCapabilities")?,
            supported_networks: f.get("supportedNetworks")?,
            total: f.get("total")?,
        })
    }
}

impl FromJs for ApplePayLineItem {
    fn from_js(v: JsValue) -> Read<ApplePayLineItem> {
        let f = Fields::of(v)?;
        Ok(ApplePayLineItem { label: f.get("label")?, amount: f.get("amount")?, kind: f.get("type")? })
    }
}

impl FromJs for MethodList {
    fn from_js(v: JsValue) -> Read<MethodList> {
        Ok(MethodList { data: Fields::of(v)?.get("data")? })
    }
}

impl FromJs for Selected {
    fn from_js(v: JsValue) -> Read<Selected> {
        let f = Fields::of(v)?;
        Ok(Selected {
            session_id: f.get("sessionId")?,
            status: f.get("status")?,
            payment_method_id: f.get("paymentMethodId")?,
            payment_method: f.get("paymentMethod")?,
        })
    }
}

#[cfg(feature = "agent")]
impl FromJs for checkout_types::links::LinkState {
    fn from_js(v: JsValue) -> Read<checkout_types::links::LinkState> {
        let f = Fields::of(v)?;
        Ok(checkout_types::links::LinkState {
            id: f.get("id")?,
            channel: f.get("channel")?,
            to: f.get("to")?,
            status: f.get("status")?,
            reason: f.get("reason")?,
            attempts: f.get("attempts")?,
            created_at_utc: f.get("createdAtUtc")?,
            sent_at_utc: f.get("sentAtUtc")?,
            opened_at_utc: f.get("openedAtUtc")?,
            paid_at_utc: f.get("paidAtUtc")?,
            expires_at_utc: f.get("expiresAtUtc")?,
        })
    }
}

// The writer. Fields go in the order the types declare them, as serde writes them.

/// An object written field by field.
pub struct Obj(Object);

impl Obj {
    /// An empty object.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Obj {
        Obj(Object::new())
    }

    #[inline(never)]
    fn put(&self, name: &str, value: &JsValue) {
        let _ = Reflect::set(&self.0, &JsValue::from_str(name), value);
    }

    /// The field `name`.
    pub fn set<T: ToJs + ?Sized>(self, name: &str, value: &T) -> Obj {
        self.put(name, &value.to_js());
        self
    }

    /// The field `name` if `value` is `Some`: `skip_serializing_if = "Option::is_none"`.
    pub fn some<T: ToJs>(self, name: &str, value: &Option<T>) -> Obj {
        if let Some(value) = value {
            self.put(name, &value.to_js());
        }
        self
    }

    /// The object.
    pub fn done(self) -> JsValue {
        self.0.into()
    }
}

impl ToJs for str {
    fn to_js(&self) -> JsValue {
        JsValue::from_str(self)
    }
}

impl ToJs for String {
    fn to_js(&self) -> JsValue {
        JsValue::from_str(self)
    }
}

impl ToJs for JsValue {
    fn to_js(&self) -> JsValue {
        self.clone()
    }
}

impl<T: ToJs + ?Sized> ToJs for &T {
    fn to_js(&self) -> JsValue {
        (**self).to_js()
    }
}

impl ToJs for bool {
    fn to_js(&self) -> JsValue {
        JsValue::from_bool(*self)
    }
}

macro_rules! numbers {
    ($($ty:ty),+) => {
        $(impl ToJs for $ty {
            fn to_js(&self) -> JsValue {
                JsValue::from_f64(*self as f64)
            }
        })+
    };
}

numbers!(i32, i64, u8, u16, u32);

impl ToJs for MinorUnit {
    fn to_js(&self) -> JsValue {
        self.0.to_js()
    }
}

impl ToJs for Currency {
    fn to_js(&self) -> JsValue {
        self.code().to_js()
    }
}

impl<T: ToJs> ToJs for Option<T> {
    fn to_js(&self) -> JsValue {
        match self {
            Some(v) => v.to_js(),
            None => JsValue::NULL,
        }
    }
}

impl<T: ToJs> ToJs for [T] {
    fn to_js(&self) -> JsValue {
        let out = Array::new();
        for item in self {
            out.push(&item.to_js());
        }
        out.into()
    }
}

impl<T: ToJs> ToJs for Vec<T> {
    fn to_js(&self) -> JsValue {
        self.as_slice().to_js()
    }
}

impl ToJs for SavedMethod {
    fn to_js(&self) -> JsValue {
        Obj::new()
            .set("id", &self.id)
            .set("type", &self.kind)
            .set("brand", &self.brand)
            .set("last4", &self.last4)
            .set("expMonth", &self.exp_month)
            .set("expYear", &self.exp_year)
            .set("nickname", &self.nickname)
            .set("default", &self.default)
            .done()
    }
}

impl ToJs for MethodSummary {
    fn to_js(&self) -> JsValue {
        Obj::new().set("type", &self.kind).set("brand", &self.brand).set("last4", &self.last4).done()
    }
}

impl ToJs for PaymentSummary {
    fn to_js(&self) -> JsValue {
        Obj::new()
            .set("id", &self.id)
            .set("amount", &self.amount)
            .set("fee", &self.fee)
            .set("total", &self.total)
            .set("currencyCode", &self.currency_code)
            .set("status", &self.status)
            .set("paymentMethod", &self.payment_method)
            .done()
    }
}

impl ToJs for FeeQuoteRequest {
    fn to_js(&self) -> JsValue {
        Obj::new()
            .set("method", &self.method)
            .some("brand", &self.brand)
            .some("funding", &self.funding)
            .some("paymentMethodId", &self.payment_method_id)
            .done()
    }
}

impl ToJs for InlineMethod {
    /// `{"type": "CARD", "card": {..}}` and so on: serde's internally tagged enum.
    fn to_js(&self) -> JsValue {
        let obj = Obj::new();
        match self {
            InlineMethod::Card { card } => obj.set("type", "CARD").set(
                "card",
                &Obj::new()
                    .set("number", &card.number)
                    .set("expMonth", &card.exp_month)
                    .set("expYear", &card.exp_year)
                    .set("cvc", &card.cvc)
                    .some("nameOnCard", &card.name_on_card)
                    .some("zipCode", &card.zip_code)
                    .done(),
            ),
            InlineMethod::BankAccount { bank_account: bank } => obj.set("type", "BANK_ACCOUNT").set(
                "bankAccount",
                &Obj::new()
                    .set("routingNumber", &bank.routing_number)
                    .set("accountNumber", &bank.account_number)
                    .set("accountType", &bank.account_type)
                    .set("accountHolderName", &bank.account_holder_name)
                    .done(),
            ),
            InlineMethod::GooglePay { google_pay: token } => obj.set("type", "GOOGLE_PAY").set("googlePay", &wallet_token(token)),
            InlineMethod::ApplePay { apple_pay: token } => obj.set("type", "APPLE_PAY").set("applePay", &wallet_token(token)),
        }
        .done()
    }
}

fn wallet_token(token: &checkout_types::confirm::WalletTokenInput) -> JsValue {
    Obj::new().set("token", &token.token).set("network", &token.network).set("last4", &token.last4).done()
}

impl ToJs for ConfirmRequest {
    fn to_js(&self) -> JsValue {
        Obj::new()
            .set("quoteId", &self.quote_id)
            .some("paymentMethodId", &self.payment_method_id)
            .some("paymentMethod", &self.payment_method)
            .some("saveForFuture", &self.save_for_future)
            .done()
    }
}

impl ToJs for AddMethod {
    fn to_js(&self) -> JsValue {
        Obj::new()
            .set("paymentMethod", &self.payment_method)
            .some("nickname", &self.nickname)
            .set("default", &self.default)
            .done()
    }
}

impl ToJs for UpdateMethod {
    fn to_js(&self) -> JsValue {
        Obj::new().some("nickname", &self.nickname).some("default", &self.default).done()
    }
}

impl ToJs for SelectMethod {
    fn to_js(&self) -> JsValue {
        Obj::new().set("paymentMethodId", &self.payment_method_id).done()
    }
}

impl ToJs for ChallengeDone {
    fn to_js(&self) -> JsValue {
        Obj::new().set("challengeId", &self.challenge_id).done()
    }
}

impl ToJs for ApplePayValidationRequest {
    fn to_js(&self) -> JsValue {
        Obj::new().set("validationUrl", &self.validation_url).done()
    }
}

#[cfg(feature = "agent")]
impl FromJs for checkout_types::links::AgentView {
    fn from_js(v: JsValue) -> Read<checkout_types::links::AgentView> {
        let f = Fields::of(v)?;
        Ok(checkout_types::links::AgentView {
            channels: f.get("channels")?,
            phone: f.get("phone")?,
            email: f.get("email")?,
            link_lifetime_minutes: f.get("linkLifetimeMinutes")?,
            links: f.get("links")?,
        })
    }
}

#[cfg(feature = "agent")]
impl ToJs for checkout_types::links::SendLink {
    fn to_js(&self) -> JsValue {
        Obj::new().set("channel", &self.channel).set("to", &self.to).done()
    }
}

// The page events (`checkout_types::events`; `api/static/govifi.d.ts` declares them).

impl ToJs for events::Ready {
    fn to_js(&self) -> JsValue {
        Obj::new()
            .set("sessionId", &self.session_id)
            .set("mode", &self.mode)
            .set("status", &self.status)
            .set("amount", &self.amount)
            .set("currencyCode", &self.currency_code)
            .done()
    }
}

impl ToJs for events::MethodChanged {
    fn to_js(&self) -> JsValue {
        Obj::new().set("method", &self.method).set("brand", &self.brand).done()
    }
}

impl ToJs for events::WalletsUnavailable {
    fn to_js(&self) -> JsValue {
        Obj::new().set("walletsUnavailable", &self.wallets_unavailable).set("blocked", &self.blocked).done()
    }
}

impl ToJs for events::WalletChanged {
    fn to_js(&self) -> JsValue {
        Obj::new().some("paymentMethod", &self.payment_method).some("removed", &self.removed).done()
    }
}

impl ToJs for events::Quoted {
    fn to_js(&self) -> JsValue {
        Obj::new()
            .set("quoteId", &self.quote_id)
            .set("amount", &self.amount)
            .set("fee", &self.fee)
            .set("total", &self.total)
            .set("currencyCode", &self.currency_code)
            .done()
    }
}

impl ToJs for events::Paid {
    fn to_js(&self) -> JsValue {
        Obj::new().set("sessionId", &self.session_id).set("status", &self.status).set("payment", &self.payment).done()
    }
}

impl ToJs for events::MethodDone {
    fn to_js(&self) -> JsValue {
        Obj::new()
            .set("status", &self.status)
            .some("paymentMethodId", &self.payment_method_id)
            .set("paymentMethod", &self.payment_method)
            .done()
    }
}

impl ToJs for events::Failed {
    fn to_js(&self) -> JsValue {
        Obj::new().set("title", &self.title).set("message", &self.message).done()
    }
}

impl ToJs for events::Resized {
    fn to_js(&self) -> JsValue {
        Obj::new().set("height", &self.height).done()
    }
}

impl ToJs for events::Canceled {
    fn to_js(&self) -> JsValue {
        Obj::new().done()
    }
}
