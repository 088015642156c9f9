//! Typed client for the checkout API. Every call returns `Result<T, ApiError>`; the
//! `Idempotency-Key` of confirm is chosen by the caller (one per attempt) and sent here.

use checkout_types::confirm::ConfirmResponse;
use checkout_types::error::{ErrorBody, ErrorTitle};
use checkout_types::quote::{FeeQuote, FeeQuoteRequest};
use checkout_types::confirm::InlineMethod;
use checkout_types::session::{SavedMethod, SessionConfig};
use checkout_types::device_wallet::ApplePayValidationRequest;
use checkout_types::wallet::{AddMethod, MethodList, SelectMethod, Selected, UpdateMethod};
use crate::json::{Fields, FromJs, Unreadable, text_fields};

use crate::credentials::Credentials;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer (offline, DNS, CORS, server down).
    Network,
    /// The API answered with an error status; `body` is what the widget reads of its error body,
    /// if readable.
    Http { status: u16, body: Option<Failure> },
}

/// An error body (`checkout_types::error::ErrorBody` on the wire) as the widget reads it: its
/// title, the reference a payer quotes to support, and the text fields of its `data` (the
/// decline's codes, the session's status), which is all any screen reads. Kept as text pairs, not
/// as a `serde_json::Value`, whose map and number code would be in the wasm for these few fields
/// (issue #21).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub title: ErrorTitle,
    pub request_id: Option<String>,
    pub data: Vec<(String, String)>,
}

impl FromJs for Failure {
    /// `ErrorBody`'s title and reference, and the text fields of its `data` (the rest of `data` is
    /// not read: no screen shows it).
    fn from_js(v: wasm_bindgen::JsValue) -> Result<Failure, Unreadable> {
        let f = Fields::of(v)?;
        Ok(Failure { title: f.get("title")?, request_id: f.get("requestId")?, data: text_fields(f.raw("data"))? })
    }
}

impl From<ErrorBody> for Failure {
    /// What the widget reads of `body` (tests build answers this way, as the API does).
    fn from(body: ErrorBody) -> Failure {
        let fields = body.data.as_ref().and_then(serde_json::Value::as_object).into_iter().flatten();
        let data = fields.filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect();
        Failure { title: body.title, request_id: body.request_id, data }
    }
}

impl ApiError {
    /// The error's `title` (`PAYMENT_ERROR`, `SESSION_TIMEOUT`, …), if the API sent one.
    pub fn title(&self) -> Option<ErrorTitle> {
        match self {
            ApiError::Http { body: Some(b), .. } => Some(b.title),
            _ => None,
        }
    }

    /// The request's id the API named in its error body (`requestId`), for support.
    pub fn reference(&self) -> Option<&str> {
        match self {
            ApiError::Http { body: Some(b), .. } => b.request_id.as_deref(),
            _ => None,
        }
    }

    /// A successful answer this build could not read.
    pub fn unreadable(&self) -> bool {
        matches!(self, ApiError::Http { status: 200..=299, body: None })
    }

    /// A string field of the error's `data`.
    pub fn data_str(&self, field: &str) -> Option<String> {
        match self {
            ApiError::Http { body: Some(b), .. } => b.data.iter().find(|(k, _)| k == field).map(|(_, v)| v.clone()),
            _ => None,
        }
    }
}

/// The client of one session.
#[derive(Debug, Clone)]
pub struct ApiClient {
    base: String,
    creds: Credentials,
}

impl ApiClient {
    /// A client for the page's own origin.
    pub fn new(creds: Credentials) -> ApiClient {
        let base = leptos::prelude::window().location().origin().unwrap_or_default();
        ApiClient { base, creds }
    }

    /// The session's id.
    pub fn session_id(&self) -> &str {
        &self.creds.session_id
    }

    fn url(&self, tail: &str) -> String {
        format!("{}/v1/sessions/{}/{tail}", self.base, self.creds.session_id)
    }

    fn auth(&self) -> String {
        format!("Bearer {}", self.creds.bearer)
    }

    /// `GET /v1/sessions/{id}/config`. The first call takes the answer the page's inline script
    /// started fetching before the wasm loaded (`index.html`), when it was asked with this
    /// client's credential and got an answer; otherwise it asks the API itself.
    pub async fn config(&self) -> Result<SessionConfig, ApiError> {
        if let Some((status, body)) = prefetched_config(&self.creds.bearer).await {
            return parse(status, &body);
        }
        read(self.send("GET", "config", None, None).await)
    }

    /// `POST /v1/sessions/{id}/fee-quotes`.
    pub async fn quote(&self, req: &FeeQuoteRequest) -> Result<FeeQuote, ApiError> {
        let resp = self.send("POST", "fee-quotes", None, Some(&json(req)?)).await;
        read(resp)
    }

    /// `POST /v1/sessions/{id}/confirm` with the attempt's `Idempotency-Key`. The body is a
    /// [`ConfirmRequest`] as JSON text ([`crate::json::to_json`]): the caller writes it once and
    /// keys the attempt by the same text.
    pub async fn confirm(&self, body: &str, idempotency_key: &str) -> Result<ConfirmResponse, ApiError> {
        let resp = self.send("POST", "confirm", Some(idempotency_key), Some(body)).await;
        read(resp)
    }
}

impl ApiClient {
    // Each POST spells out its request: a shared generic helper measured +300 B gzip in the
    // payment build (a non-generic one +117 B), for no change in behaviour.

    /// `POST /v1/sessions/{id}/payment-methods`: save a method to the wallet.
    pub async fn add_method(&self, method: &InlineMethod, nickname: Option<String>) -> Result<SavedMethod, ApiError> {
        let body = AddMethod { payment_method: method.clone(), nickname, default: false };
        let resp = self.send("POST", "payment-methods", None, Some(&json(&body)?)).await;
        read(resp)
    }

    /// `PATCH /v1/sessions/{id}/payment-methods/{pm}`: rename and/or make default.
    pub async fn update_method(&self, id: &str, nickname: Option<String>, default: Option<bool>) -> Result<SavedMethod, ApiError> {
        let body = UpdateMethod { nickname, default };
        let resp = self.send("PATCH", &format!("payment-methods/{id}"), None, Some(&json(&body)?)).await;
        read(resp)
    }

    /// `DELETE /v1/sessions/{id}/payment-methods/{pm}`: the wallet afterwards.
    pub async fn remove_method(&self, id: &str) -> Result<Vec<SavedMethod>, ApiError> {
        let resp = self.send("DELETE", &format!("payment-methods/{id}"), None, None).await;
        read::<MethodList>(resp).map(|l| l.data)
    }

    /// `GET /v1/sessions/{id}/payment-methods`.
    pub async fn list_methods(&self) -> Result<Vec<SavedMethod>, ApiError> {
        let resp = self.send("GET", "payment-methods", None, None).await;
        read::<MethodList>(resp).map(|l| l.data)
    }

    /// `POST /v1/sessions/{id}/complete`: the payer is done with their wallet. The answer
    /// (`checkout_types::wallet::WalletDone`) is forwarded to the page as the browser parsed it,
    /// not read.
    pub async fn complete(&self) -> Result<wasm_bindgen::JsValue, ApiError> {
        let resp = self.send("POST", "complete", None, None).await;
        read(resp)
    }

    /// `POST /v1/sessions/{id}/wallets/apple-pay/merchant-session`: Apple's merchant session for
    /// Safari's `validationURL`, as the JSON text it came in (handed to Safari unread).
    pub async fn apple_pay_merchant_session(&self, validation_url: &str) -> Result<String, ApiError> {
        let body = json(&ApplePayValidationRequest { validation_url: validation_url.to_owned() })?;
        match self.send("POST", "wallets/apple-pay/merchant-session", None, Some(&body)).await? {
            (status, body) if (200..300).contains(&status) => Ok(body),
            (status, body) => Err(ApiError::Http { status, body: crate::json::from_json(&body) }),
        }
    }

    /// `POST /v1/sessions/{id}/links`: the agent sends the customer a payment link.
    #[cfg(feature = "agent")]
    pub async fn send_link(&self, req: &checkout_types::links::SendLink) -> Result<checkout_types::links::LinkState, ApiError> {
        let resp = self.send("POST", "links", None, Some(&json(req)?)).await;
        read(resp)
    }

    /// `POST /v1/sessions/{id}/challenge`: the payer finished the card issuer's challenge. Its
    /// outcome is not read: the confirm that follows decides.
    pub async fn complete_challenge(&self, challenge_id: &str) -> Result<(), ApiError> {
        let resp = self.send("POST", "challenge", None, Some(&json(&checkout_types::confirm::ChallengeDone { challenge_id: challenge_id.to_owned() })?)).await;
        resp.map(|_| ())
    }

    /// `POST /v1/sessions/{id}/select`.
    pub async fn select(&self, payment_method_id: &str) -> Result<Selected, ApiError> {
        let resp = self.send("POST", "select", None, Some(&json(&SelectMethod { payment_method_id: payment_method_id.to_owned() })?)).await;
        read(resp)
    }
}

/// Takes `window.__checkoutConfig` (once): `(status, body)` if it was fetched for `bearer` and the
/// server answered.
async fn prefetched_config(bearer: &str) -> Option<(u16, String)> {
    use js_sys::Reflect;
    use wasm_bindgen::JsCast;
    let window = leptos::prelude::window();
    let name = wasm_bindgen::JsValue::from_str("__checkoutConfig");
    let slot = Reflect::get(&window, &name).ok().filter(|v| v.is_object())?;
    let _ = Reflect::delete_property(&window, &name);
    if Reflect::get(&slot, &"bearer".into()).ok()?.as_string()? != bearer {
        return None;
    }
    let answer: js_sys::Promise = Reflect::get(&slot, &"answer".into()).ok()?.dyn_into().ok()?;
    let answer = wasm_bindgen_futures::JsFuture::from(answer).await.ok().filter(|v| v.is_object())?;
    let status = Reflect::get(&answer, &"status".into()).ok()?.as_f64()?;
    let body = Reflect::get(&answer, &"body".into()).ok()?.as_string()?;
    Some((status as u16, body))
}

/// An answer already read as text, judged like [`read`] does.
fn parse<T: FromJs>(status: u16, body: &str) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        crate::json::from_json(body).ok_or(ApiError::Http { status, body: None })
    } else {
        Err(ApiError::Http { status, body: crate::json::from_json::<Failure>(body) })
    }
}

fn read<T: FromJs>(answer: Result<(u16, String), ApiError>) -> Result<T, ApiError> {
    let (status, body) = answer?;
    parse(status, &body)
}

/// A request's body as JSON text.
fn json(body: &impl crate::json::ToJs) -> Result<String, ApiError> {
    crate::json::to_json(body).ok_or(ApiError::Network)
}

impl ApiClient {
    /// One call of the API through the browser's `fetch`: the status and body of its answer. No
    /// answer, or a body that cannot be read, is a network failure (for a confirm, a retry under
    /// the same key then gets the stored answer). Written once, not generic: every call above
    /// shares it (issue #21: gloo-net's request builder and its streams glue were not needed, -4.4 kB
    /// gzip on the payment build).
    async fn send(&self, method: &str, tail: &str, idempotency_key: Option<&str>, body: Option<&str>) -> Result<(u16, String), ApiError> {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
        let _ = headers.set("Authorization", &self.auth());
        if let Some(key) = idempotency_key {
            let _ = headers.set("Idempotency-Key", key);
        }
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        init.set_headers(&headers);
        if let Some(body) = body {
            let _ = headers.set("Content-Type", "application/json");
            init.set_body(&wasm_bindgen::JsValue::from_str(body));
        }
        let fetched = leptos::prelude::window().fetch_with_str_and_init(&self.url(tail), &init);
        let resp: web_sys::Response = JsFuture::from(fetched).await.map_err(|_| ApiError::Network)?.unchecked_into();
        let text = resp.text().map_err(|_| ApiError::Network)?;
        let body = JsFuture::from(text).await.map_err(|_| ApiError::Network)?.as_string().ok_or(ApiError::Network)?;
        Ok((resp.status(), body))
    }
}
