//! Credentials: random tokens, hashing for storage, constant-time comparison, HMAC signatures.
//! Secrets are stored only as SHA-256 digests and compared with `subtle`, never with `==`.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// `n` random bytes from the OS, hex-encoded (so 16 bytes = 128 bits = 32 characters).
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    // The OS RNG failing is unrecoverable; refusing to mint a weak secret is the only safe answer.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut buf).expect("operating system random number generator");
    hex::encode(buf)
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Constant-time equality of two byte strings (length may leak, content does not).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Whether `presented` hashes to `stored_hash`, compared in constant time.
pub fn matches_hash(presented: &str, stored_hash: &str) -> bool {
    ct_eq(sha256_hex(presented.as_bytes()).as_bytes(), stored_hash.as_bytes())
}

/// A new client secret for a session: `<session id>_secret_<192 random bits>`.
pub fn new_client_secret(session_id: &str) -> String {
    format!("{session_id}_secret_{}", random_hex(24))
}

/// HMAC-SHA256 of `message` under `key`, hex-encoded.
pub fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_prefixed() {
        let a = new_client_secret("sess");
        let b = new_client_secret("sess");
        assert_ne!(a, b);
        assert!(a.starts_with("sess_secret_"));
        assert_eq!(a.len(), "sess_secret_".len() + 48);
    }

    #[test]
    fn hash_matching_is_exact() {
        let h = sha256_hex(b"sk_test_demo");
        assert!(matches_hash("sk_test_demo", &h));
        assert!(!matches_hash("sk_test_dem", &h));
        assert!(!matches_hash("", &h));
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        assert_eq!(
            hmac_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
