//! Where the widget's credential comes from, in order: the `#cs=<client secret>` fragment of a
//! hosted URL, or `#lk=<link credential>` of a customer's payment link (read once, then removed
//! from the address bar and kept in sessionStorage for reloads), a `checkoutSessionId` query
//! parameter, or the `/pay/{id}` / `/embed/{id}` / `/link/{id}` path.
//! Secrets never travel in a query string.

use leptos::prelude::window;

/// The session to load and the bearer to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub session_id: String,
    pub bearer: String,
}

/// `cs` from a `#cs=…&…` fragment, or a customer's payment link credential `#lk=lk_…`.
pub fn secret_from_fragment(hash: &str) -> Option<String> {
    let h = hash.trim_start_matches('#');
    param(h, "cs").or_else(|| param(h, "lk").filter(|t| t.starts_with("lk_")))
}

/// A named parameter of an `a=1&b=2` string (leading `?` allowed).
pub fn param(s: &str, name: &str) -> Option<String> {
    s.trim_start_matches('?')
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// The session id a client secret belongs to (`<id>_secret_<random>`): the shared rule of
/// `checkout_types::credential`.
pub fn session_of_secret(secret: &str) -> Option<&str> {
    checkout_types::credential::session_of(secret)
}

/// `{id}` of `/pay/{id}` or `/embed/{id}`.
pub fn session_from_path(path: &str) -> Option<String> {
    let mut parts = path.trim_matches('/').split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("pay" | "embed" | "link"), Some(id), None) if !id.is_empty() => Some(id.to_owned()),
        _ => None,
    }
}

/// Picks the credential from the pieces of a location and a stored secret, if any.
pub fn resolve(hash: &str, search: &str, path: &str, stored: Option<String>) -> Option<Credentials> {
    let path_id = session_from_path(path).or_else(|| param(search, "checkoutSessionId"));
    let secret = secret_from_fragment(hash).or(stored);
    match secret {
        // A payment link's credential names no session: the path does.
        Some(token) if token.starts_with("lk_") => path_id.map(|id| Credentials { session_id: id, bearer: token }),
        Some(secret) => {
            let id = session_of_secret(&secret)?.to_owned();
            if path_id.as_deref().is_some_and(|p| p != id) {
                return None;
            }
            Some(Credentials { session_id: id, bearer: secret })
        }
        None => path_id.map(|id| Credentials { bearer: id.clone(), session_id: id }),
    }
}

fn storage_key(path: &str) -> String {
    format!("checkout.cs.{path}")
}

/// Reads the current page's credential (see the module docs).
pub fn from_location() -> Option<Credentials> {
    let w = window();
    let loc = w.location();
    let (hash, search, path) = (loc.hash().ok()?, loc.search().ok()?, loc.pathname().ok()?);
    // Storage is read only when the fragment holds no secret (a reload): in a cold page the first
    // read loads the storage area from the browser process (0.7 ms, median of 15 cold loads; #21).
    let from_fragment = secret_from_fragment(&hash).is_some();
    let stored = if from_fragment { None } else { storage().and_then(|s| s.get_item(&storage_key(&path)).ok().flatten()) };
    let creds = resolve(&hash, &search, &path, stored)?;
    if from_fragment {
        if let Some(s) = storage() {
            let _ = s.set_item(&storage_key(&path), &creds.bearer);
        }
        if let Ok(history) = w.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{search}")));
        }
    }
    Some(creds)
}

fn storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// `?locale=` of the page, used until the session's own locale is known.
pub fn locale_hint() -> Option<String> {
    param(&window().location().search().ok()?, "locale")
}
