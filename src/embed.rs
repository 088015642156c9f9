//! The widget's side of embedding. Three ways to be shown:
//! - **Embedded** (`/embed/{id}` inside `<govifi-payment>`'s iframe): say hello to the parent,
//!   receive the credential (and theme) by `postMessage`, then report events to that parent's
//!   origin only.
//! - **Popup** (hosted page opened by `window.open`): report the outcome to `window.opener`, with
//!   the target origin pinned to each of the merchant's registered origins.
//! - **Full page** (hosted page, top level): nothing to report; redirects are the modes' business.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::credentials::{Credentials, session_of_secret};

/// Where events go.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// The embedding page, at the origin that handed us the credential.
    Parent(String),
    /// The window that opened this popup, at each of the merchant's origins.
    Opener(Vec<String>),
}

thread_local! {
    static TARGET: RefCell<Option<Target>> = const { RefCell::new(None) };
}

/// Whether this page runs inside a frame.
pub fn in_frame() -> bool {
    let w = window();
    !w.top().ok().flatten().is_some_and(|top| top == w)
}

/// Whether this page was opened by another window (a popup).
pub fn is_popup() -> bool {
    window().opener().ok().is_some_and(|o| !o.is_null() && !o.is_undefined())
}

/// For a popup, remember the merchant's origins as the targets of [`emit`].
pub fn target_opener(origins: Vec<String>) {
    if is_popup() && !in_frame() && !origins.is_empty() {
        TARGET.with(|t| *t.borrow_mut() = Some(Target::Opener(origins)));
    }
}

/// `{type, <field>: value, ...}`: a message for another window.
fn message(kind: &str, fields: &[(&str, &wasm_bindgen::JsValue)]) -> wasm_bindgen::JsValue {
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"type".into(), &kind.into());
    for (name, value) in fields {
        let _ = js_sys::Reflect::set(&msg, &(*name).into(), value);
    }
    msg.into()
}

/// Reports an event (`ready`, `change`, `quote`, `success`, `error`, `cancel`, `resize`) to the
/// embedding page or opener, if there is one. Never sends card data: callers pass summaries.
/// `detail` is one of `checkout_types::events` (merchants' `govifi.d.ts` is generated from them),
/// or the API's own answer forwarded as it came (WALLET's `WalletDone`).
pub fn emit(name: &str, detail: impl crate::json::ToJs) {
    let Some(target) = TARGET.with(|t| t.borrow().clone()) else { return };
    let detail = detail.to_js();
    let msg = message("govifi:event", &[("name", &name.into()), ("detail", &detail)]);
    let w = window();
    match target {
        Target::Parent(origin) => {
            if let Ok(Some(parent)) = w.parent() {
                let _ = parent.post_message(&msg, &origin);
            }
        }
        Target::Opener(origins) => {
            // A cross-origin opener fails `instanceof Window`, so no checked cast here.
            if let Ok(opener) = w.opener().map(|o| o.unchecked_into::<web_sys::Window>()) {
                for origin in origins {
                    let _ = opener.post_message(&msg, &origin);
                }
            }
        }
    }
}

/// Applies forwarded theme variables (only `--checkout-*` names, only plain values; a value that
/// is not text is skipped).
fn apply_theme(theme: wasm_bindgen::JsValue) {
    let Ok(vars) = crate::json::text_fields(theme) else { return };
    apply_vars(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
}

/// Sets `--checkout-*` custom properties on the document (session appearance, element theme).
pub fn apply_vars<'a>(vars: impl IntoIterator<Item = (&'a str, &'a str)>) {
    let Some(root) = document().document_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) else {
        return;
    };
    let style = root.style();
    for (name, value) in vars {
        let safe = name.starts_with("--checkout-")
            && name.len() <= 64
            && value.len() <= 200
            && !value.contains([';', '{', '}', '<', '>']);
        if safe {
            let _ = style.set_property(name, value);
        }
    }
}

/// Reports the page height whenever it changes, so the element fits its content.
fn observe_size() {
    let report = Closure::<dyn FnMut()>::new(move || {
        // The body's own height: the document element never gets shorter than the frame.
        if let Some(body) = document().body() {
            emit("resize", checkout_types::events::Resized { height: body.scroll_height() });
        }
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(report.as_ref().unchecked_ref()) {
        if let Some(body) = document().body() {
            observer.observe(&body);
        }
    }
    report.forget();
}

/// In an embed frame: asks the parent for the credential and resolves once a well-formed one
/// for `session_id` arrives from the parent window. Anything else is ignored.
pub fn request_credential(session_id: String, on_credential: impl Fn(Credentials) + 'static) {
    let expected = session_id.clone();
    let handler = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        if TARGET.with(|t| t.borrow().is_some()) {
            return;
        }
        let from_parent = match (ev.source(), window().parent()) {
            (Some(src), Ok(Some(parent))) => wasm_bindgen::JsValue::from(src) == wasm_bindgen::JsValue::from(parent),
            _ => false,
        };
        if !from_parent {
            return;
        }
        let Ok(msg) = crate::json::Fields::of(ev.data()) else { return };
        if msg.get::<String>("type").ok().as_deref() != Some("govifi:credential") {
            return;
        }
        let Ok(bearer) = msg.get::<String>("bearer") else { return };
        let bearer = bearer.as_str();
        let belongs = bearer == expected || session_of_secret(bearer) == Some(expected.as_str());
        if !belongs || bearer.len() > 300 {
            return;
        }
        TARGET.with(|t| *t.borrow_mut() = Some(Target::Parent(ev.origin())));
        apply_theme(msg.get("theme").unwrap_or(wasm_bindgen::JsValue::UNDEFINED));
        observe_size();
        on_credential(Credentials { session_id: expected.clone(), bearer: bearer.to_owned() });
    });
    let _ = window().add_event_listener_with_callback("message", handler.as_ref().unchecked_ref());
    handler.forget();
    if let Ok(Some(parent)) = window().parent() {
        // The hello carries only the session id, so any origin may read it.
        let hello = message("govifi:hello", &[("sessionId", &session_id.as_str().into())]);
        let _ = parent.post_message(&hello, "*");
    }
}
