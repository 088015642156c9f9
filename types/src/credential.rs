//! The two credentials the widget sends, with the one validation rule each that both sides
//! apply: the widget before it sends, the API when it receives.

/// An `Idempotency-Key`: 1-255 visible ASCII characters (`!` to `~`). One per confirm attempt.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

/// Why a credential was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialError {
    /// Empty, longer than 255 characters, or holding a character outside `!`..=`~`.
    Malformed,
}

fn visible_ascii(s: &str) -> bool {
    !s.is_empty() && s.len() <= 255 && s.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

impl IdempotencyKey {
    /// The key as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for IdempotencyKey {
    type Error = CredentialError;
    fn try_from(s: &str) -> Result<Self, CredentialError> {
        if visible_ascii(s) { Ok(IdempotencyKey(s.to_owned())) } else { Err(CredentialError::Malformed) }
    }
}

/// The browser credential sent as a bearer token: a session's client secret
/// (`<session id>_secret_<random>`) or, for a CCG session, its id; 1-255 visible ASCII characters.
/// `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    /// The secret, to send as `Authorization: Bearer`.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The session id the secret names, if it has the `<id>_secret_<random>` form.
    pub fn session_id(&self) -> Option<&str> {
        session_of(&self.0)
    }
}

/// The session id a client secret names (`<id>_secret_<random>`), if it has that form.
pub fn session_of(secret: &str) -> Option<&str> {
    // The first `_secret_`, found by comparing bytes: `split_once` with a text pattern links core's
    // two-way string searcher into the widget's wasm (issue #21, about 1.5 kB of code).
    const MARK: &[u8] = b"_secret_";
    let at = secret.as_bytes().windows(MARK.len()).position(|w| w == MARK)?;
    secret.get(..at).filter(|id| !id.is_empty())
}

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientSecret(***)")
    }
}

impl TryFrom<&str> for ClientSecret {
    type Error = CredentialError;
    fn try_from(s: &str) -> Result<Self, CredentialError> {
        if visible_ascii(s) { Ok(ClientSecret(s.to_owned())) } else { Err(CredentialError::Malformed) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_key_bounds() {
        assert!(IdempotencyKey::try_from("a").is_ok());
        assert!(IdempotencyKey::try_from("9f0c3c1e-1b7e-4c1a-9d1e-2f4b7a1c0d3e").is_ok());
        assert!(IdempotencyKey::try_from("x".repeat(255).as_str()).is_ok());
        assert!(IdempotencyKey::try_from("x".repeat(256).as_str()).is_err());
        assert!(IdempotencyKey::try_from("").is_err());
        assert!(IdempotencyKey::try_from("has space").is_err());
        assert!(IdempotencyKey::try_from("ключ").is_err());
    }

    #[test]
    fn a_client_secret_names_its_session_and_never_prints_itself() {
        let s = ClientSecret::try_from("cs_abc_secret_0123456789abcdef").expect("valid");
        assert_eq!(s.session_id(), Some("cs_abc"));
        assert_eq!(format!("{s:?}"), "ClientSecret(***)");
        assert_eq!(ClientSecret::try_from("opaque").expect("valid").session_id(), None);
        assert!(ClientSecret::try_from("with space").is_err());
        // The first `_secret_` splits; an empty id or no marker names no session.
        assert_eq!(session_of("cs_a_secret_b_secret_c"), Some("cs_a"));
        assert_eq!(session_of("_secret_x"), None);
        assert_eq!(session_of("cs_a_secret"), None);
        assert_eq!(session_of("cs_a_secret_"), Some("cs_a"));
        assert_eq!(session_of("é_secret_x"), Some("é"));
    }
}
