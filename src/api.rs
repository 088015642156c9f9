//! Typed client for the checkout API. Every call returns `Result<T, ApiError>`; the
//! `Idempotency-Key` of confirm is chosen by the caller (one per attempt) and sent here.

use checkout_types::confirm::{ConfirmRequest, ConfirmResponse};
use checkout_types::error::{ErrorBody, ErrorTitle};
use checkout_types::quote::{FeeQuote, FeeQuoteRequest};
use checkout_types::confirm::InlineMethod;
use checkout_types::session::{SavedMethod, SessionConfig};
use checkout_types::device_wallet::ApplePayValidationRequest;
use checkout_types::wallet::{AddMethod, MethodList, SelectMethod, Selected, UpdateMethod};
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;

use crate::credentials::Credentials;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer (offline, DNS, CORS, server down).
    Network,
    /// The API answered with an error status; `body` is its `{title, status, detail}` if parseable.
    Http { status: u16, body: Option<ErrorBody> },
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

    /// A string field of the error's `data`.
    pub fn data_str(&self, field: &str) -> Option<String> {
        match self {
            ApiError::Http { body: Some(b), .. } => {
                b.data.as_ref()?.get(field)?.as_str().map(str::to_owned)
            }
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
        let resp = Request::get(&self.url("config")).header("Authorization", &self.auth()).send().await;
        read(resp).await
    }

    /// `POST /v1/sessions/{id}/fee-quotes`.
    pub async fn quote(&self, req: &FeeQuoteRequest) -> Result<FeeQuote, ApiError> {
        let resp = Request::post(&self.url("fee-quotes"))
            .header("Authorization", &self.auth())
            .json(req)
            .map_err(|_| ApiError::Network)?
            .send()
            .await;
        read(resp).await
    }

    /// `POST /v1/sessions/{id}/confirm` with the attempt's `Idempotency-Key`.
    pub async fn confirm(&self, req: &ConfirmRequest, idempotency_key: &str) -> Result<ConfirmResponse, ApiError> {
        let resp = Request::post(&self.url("confirm"))
            .header("Authorization", &self.auth())
            .header("Idempotency-Key", idempotency_key)
            .json(req)
            .map_err(|_| ApiError::Network)?
            .send()
            .await;
        read(resp).await
    }
}

impl ApiClient {
    // Each POST spells out its request: a shared generic helper measured +300 B gzip in the
    // payment build (a non-generic one +117 B), for no change in behaviour.

    /// `POST /v1/sessions/{id}/payment-methods`: save a method to the wallet.
    pub async fn add_method(&self, method: &InlineMethod, nickname: Option<String>) -> Result<SavedMethod, ApiError> {
        let body = AddMethod { payment_method: method.clone(), nickname, default: false };
        let resp = Request::post(&self.url("payment-methods"))
            .header("Authorization", &self.auth())
            .json(&body)
            .map_err(|_| ApiError::Network)?
            .send()
            .await;
        read(resp).await
    }

    /// `PATCH /v1/sessions/{id}/payment-methods/{pm}`: rename and/or make default.
    pub async fn update_method(&self, id: &str, nickname: Option<String>, default: Option<bool>) -> Result<SavedMethod, ApiError> {
        let body = UpdateMethod { nickname, default };
        let resp = Request::patch(&self.url(&format!("payment-methods/{id}")))
            .header("Authorization", &self.auth())
            .json(&body)
            .map_err(|_| ApiError::Network)?
            .send()
            .await;
        read(resp).await
    }

    /// `DELETE /v1/sessions/{id}/payment-methods/{pm}`: the wallet afterwards.
    pub async fn remove_method(&self, id: &str) -> Result<Vec<SavedMethod>, ApiError> {
        let resp = Request::delete(&self.url(&format!("payment-methods/{id}")))
            .header("Authorization", &self.auth())
            .send()
            .await;
        read::<MethodList>(resp).await.map(|l| l.data)
    }

    /// `GET /v1/sessions/{id}/payment-methods`.
    pub async fn list_methods(&self) -> Result<Vec<SavedMethod>, ApiError> {
        let resp = Request::get(&self.url("payment-methods")).header("Authorization", &self.auth()).send().await;
        read::<MethodList>(resp).await.map(|l| l.data)
    }

    /// `POST /v1/sessions/{id}/complete`: the payer is done with their wallet. The answer
    /// (`checkout_types::wallet::WalletDone`) is forwarded to the page as it came, not parsed.
    pub async fn complete(&self) -> Result<serde_json::Value, ApiError> {
        let resp = Request::post(&self.url("complete")).header("Authorization", &self.auth()).send().await;
        read(resp).await
    }

    /// `POST /v1/sessions/{id}/wallets/apple-pay/merchant-session`: Apple's merchant session for
    /// Safari's `validationURL`, as the JSON text it came in (handed to Safari unread).
    pub async fn apple_pay_merchant_session(&self, validation_url: &str) -> Result<String, ApiError> {
        let resp = Request::post(&self.url("wallets/apple-pay/merchant-session"))
            .header("Authorization", &self.auth())
            .json(&ApplePayValidationRequest { validation_url: validation_url.to_owned() })
            .map_err(|_| ApiError::Network)?
            .send()
            .await;
        match text(resp).await? {
            (status, body) if (200..300).contains(&status) => Ok(body),
            (status, body) => Err(ApiError::Http { status, body: serde_json::from_str::<ErrorBody>(&body).ok() }),
        }
    }

    /// `POST /v1/sessions/{id}/links`: the agent sends the customer a payment link.
    #[cfg(feature = "agent")]
    pub async fn send_link(&self, req: &checkout_types::links::SendLink) -> Result<checkout_types::links::LinkState, ApiError> {
        let resp = Request::post(&self.url("links"))
            .header("Authorization", &self.auth())
            .json(req)
            .map_err(|_| ApiError::Network)?
            .send()
            .await;
        read(resp).await
    }

    /// `POST /v1/sessions/{id}/challenge`: the payer finished the card issuer's challenge. Its
    /// outcome is not read: the confirm that follows decides.
    pub async fn complete_challenge(&self, challenge_id: &str) -> Result<(), ApiError> {
        let resp = Request::post(&self.url("challenge"))
            .header("Authorization", &self.auth())
            .json(&checkout_types::confirm::ChallengeDone { challenge_id: challenge_id.to_owned() })
            .map_err(|_| ApiError::Network)?
            .send()
            .await;
        text(resp).await.map(|_| ())
    }

    /// `POST /v1/sessions/{id}/select`.
    pub async fn select(&self, payment_method_id: &str) -> Result<Selected, ApiError> {
        let resp = Request::post(&self.url("select"))
            .header("Authorization", &self.auth())
            .json(&SelectMethod { payment_method_id: payment_method_id.to_owned() })
            .map_err(|_| ApiError::Network)?
            .send()
            .await;
        read(resp).await
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
fn parse<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        serde_json::from_str(body).map_err(|_| ApiError::Http { status, body: None })
    } else {
        Err(ApiError::Http { status, body: serde_json::from_str::<ErrorBody>(body).ok() })
    }
}

async fn read<T: DeserializeOwned>(resp: Result<Response, gloo_net::Error>) -> Result<T, ApiError> {
    let (status, body) = text(resp).await?;
    parse(status, &body)
}

/// The status and body of an answer; a body that cannot be read is a network failure (for a
/// confirm, a retry under the same key then gets the stored answer).
async fn text(resp: Result<Response, gloo_net::Error>) -> Result<(u16, String), ApiError> {
    let resp = resp.map_err(|_| ApiError::Network)?;
    let status = resp.status();
    Ok((status, resp.text().await.map_err(|_| ApiError::Network)?))
}
