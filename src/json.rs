//! JSON in the widget, through the browser: text is parsed by `JSON.parse` and written by
//! `JSON.stringify`. The API's answers are read out of the parsed JS value field by field
//! ([`FromJs`], one impl per type below) and written into one by serde-wasm-bindgen. Neither
//! serde_json's parser and writer nor any serde `Deserialize` is in the wasm (issue #21).
//!
//! Why by hand, not serde: a derived `Deserialize` is a visitor per type that matches every field
//! name, driven by a deserializer instantiated per type; reading the payment build's answers that
//! way was about 34 kB of wasm (13.9 kB gzip, measured by removing the reads). Here a field is one
//! call of a non-generic getter with its wire name. The names are the contract's (`checkout_types`,
//! camelCase as serde writes them): `tests/json.rs` writes a whole value of every type read here
//! with serde_json, as the API does, and asserts this reader gives back the same value, so a name
//! misspelt here, or a field the types gain and this reader skips, fails there.
//!
//! As serde would: a missing `Option` or a `null` is `None`; a missing `#[serde(default)]` field is
//! its default; anything of the wrong shape (a fraction where an amount is due, an unknown enum
//! name, a missing required field) is [`Unreadable`], never a zero or a default. Unknown fields are
//! ignored. An error carries no message: the widget never shows one (an unreadable answer is an
//! unreadable answer), and messages bring formatting code into the wasm.

use std::collections::BTreeMap;

use checkout_types::confirm::ConfirmResponse;
use checkout_types::device_wallet::GooglePaySettings;
use checkout_types::error::ErrorBody;
use checkout_types::money::{Currency, MinorUnit};
use checkout_types::payment::{MethodSummary, PaymentSummary};
use checkout_types::quote::FeeQuote;
use checkout_types::session::{Channels, LineItem, SavedMethod, SessionConfig};
use checkout_types::wallet::{MethodList, Selected};
use js_sys::{Array, Object, Reflect};
use serde_json::Value;
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

/// JSON text read into `T`: parsed by the browser (`JSON.parse`), then read from the JS value.
pub fn from_json<T: FromJs>(text: &str) -> Option<T> {
    T::from_js(js_sys::JSON::parse(text).ok()?).ok()
}

/// `value` read as `T`.
pub fn from_js<T: FromJs>(value: JsValue) -> Read<T> {
    T::from_js(value)
}

/// A value as a plain JS value: serialized by serde-wasm-bindgen, JSON-compatible (maps as objects,
/// `None` as `null`), as serde_json would write it.
pub fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> Option<JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).ok()
}

/// A value as JSON text, written by the browser (`JSON.stringify`): serde_json's writer is not in
/// the wasm either (issue #21).
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Option<String> {
    js_sys::JSON::stringify(&to_js(value)?).ok()?.as_string()
}

/// Integers JSON carries exactly (`Number.MAX_SAFE_INTEGER`).
const SAFE: f64 = 9_007_199_254_740_991.0;

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
    fn raw(&self, name: &str) -> JsValue {
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
fn entries(v: JsValue) -> Read<Vec<(String, JsValue)>> {
    let fields = Fields::of(v)?;
    let mut out = Vec::new();
    for pair in Object::entries(fields.0.unchecked_ref()).iter() {
        let pair: Array = pair.unchecked_into();
        out.push((String::from_js(pair.get(0))?, pair.get(1)));
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

impl FromJs for Value {
    /// Any JSON value, as serde_json holds it: whole numbers within JSON's safe range as integers.
    fn from_js(v: JsValue) -> Read<Value> {
        if nullish(&v) {
            Ok(Value::Null)
        } else if let Some(b) = v.as_bool() {
            Ok(Value::Bool(b))
        } else if let Some(n) = v.as_f64() {
            Ok(match int(&v, -SAFE, SAFE) {
                Ok(i) if i >= 0 => Value::from(i as u64),
                Ok(i) => Value::from(i),
                Err(_) => serde_json::Number::from_f64(n).map(Value::Number).ok_or(Unreadable)?,
            })
        } else if let Some(s) = v.as_string() {
            Ok(Value::String(s))
        } else if Array::is_array(&v) {
            Vec::<Value>::from_js(v).map(Value::Array)
        } else if v.is_object() {
            let mut map = serde_json::Map::new();
            for (name, value) in entries(v)? {
                map.insert(name, Value::from_js(value)?);
            }
            Ok(Value::Object(map))
        } else {
            Err(Unreadable)
        }
    }
}

/// `FromJs` for `wire_enum!` types: the wire name, exactly.
macro_rules! wire_names {
    ($($ty:ty),+ $(,)?) => {
        $(impl FromJs for $ty {
            fn from_js(v: JsValue) -> Read<$ty> {
                <$ty>::parse(&String::from_js(v)?).ok_or(Unreadable)
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
            agent: f.get("agent")?,
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

impl FromJs for ErrorBody {
    fn from_js(v: JsValue) -> Read<ErrorBody> {
        let f = Fields::of(v)?;
        Ok(ErrorBody {
            title: f.get("title")?,
            status: f.get("status")?,
            detail: f.get("detail")?,
            data: f.get("data")?,
            request_id: f.get("requestId")?,
        })
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
