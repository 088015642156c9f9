//! The `Idempotency-Key` of the current confirm attempt.
//!
//! One key per attempt: a retry of the same body (after a network error, a 5xx or a reload) sends
//! the same key, so the server answers with the first outcome instead of charging again; a decline
//! or any other final answer ends the attempt and the next one gets a new key.
//!
//! The key lives in `sessionStorage` under the session's id, so it survives a reload of the tab but
//! not the tab itself. Only the key is stored: never the card or bank details, nor a digest of them.
//! The body the key was sent with is remembered in memory only; after a reload the stored key is
//! reused for the first submit, and if the server says it was sent with another body
//! (`IDEMPOTENCY_KEY_REUSED`: the reload fetched a new fee quote, say) the caller starts a new
//! attempt. That cannot charge twice: the session itself is claimed once, whatever the key.
//! Where storage is refused (a sandboxed frame), the key is kept in memory for the page's life.

use leptos::prelude::{SetValue, StoredValue, WithValue, window};

/// The attempt of one session: its key, and the body it was last sent with on this page.
#[derive(Clone, Copy)]
pub struct Attempt {
    session_id: StoredValue<String>,
    sent: StoredValue<Option<(String, String)>>,
}

impl Attempt {
    /// The attempt for `session_id`, resuming a key this tab stored before a reload.
    pub fn new(session_id: &str) -> Self {
        Attempt { session_id: StoredValue::new(session_id.to_owned()), sent: StoredValue::new(None) }
    }

    fn storage_key(&self) -> String {
        self.session_id.with_value(|id| format!("checkout.key.{id}"))
    }

    /// The key to send `body` with: the current attempt's key when this body is the one it was
    /// sent with (or after a reload, when no body is known), a new key when the body changed.
    pub fn key_for(&self, body: &str) -> String {
        let same_body = self.sent.with_value(|s| s.as_ref().map(|(b, k)| (b == body).then(|| k.clone())));
        let key = match same_body {
            Some(Some(key)) => key,
            Some(None) => new_key(),
            None => self.stored().unwrap_or_else(new_key),
        };
        self.sent.set_value(Some((body.to_owned(), key.clone())));
        if let Some(s) = storage() {
            let _ = s.set_item(&self.storage_key(), &key);
        }
        key
    }

    /// Ends the attempt: the server gave a final answer for it. The next submit gets a new key.
    pub fn finish(&self) {
        self.sent.set_value(None);
        if let Some(s) = storage() {
            let _ = s.remove_item(&self.storage_key());
        }
    }

    fn stored(&self) -> Option<String> {
        storage()?.get_item(&self.storage_key()).ok().flatten().filter(|k| is_valid_key(k))
    }
}

/// What the server accepts as a key (1–255 visible ASCII characters): the shared rule of
/// `checkout_types::credential`, so a stored key the server would refuse is never resent.
pub fn is_valid_key(k: &str) -> bool {
    checkout_types::credential::IdempotencyKey::try_from(k).is_ok()
}

fn storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// A fresh key: a random UUID v4 from the browser's CSPRNG (`crypto.randomUUID`, secure
/// contexts). Keys only need to be unique per session and attempt, so outside a secure context
/// time and `Math.random` do.
fn new_key() -> String {
    window().crypto().map(|c| c.random_uuid()).unwrap_or_else(|_| {
        format!("k-{}-{}", js_sys::Date::now() as u64, js_sys::Math::random().to_bits())
    })
}
