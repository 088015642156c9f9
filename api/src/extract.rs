//! Request extractors whose rejections are our error shape: JSON bodies, merchant auth, and
//! the browser credential's bearer token.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use sqlx::Row;

use crate::AppState;
use crate::error::ApiError;
use crate::secrets::matches_hash;

/// `Json<T>` whose failures are `400 INVALID_REQUEST` with the offending field's path.
/// Values are never echoed (they could be card data); only paths and shapes are.
pub struct ApiJson<T>(pub T);

/// Removes commas that directly precede `}` or `]` (outside strings). The published sample
/// requests carry such commas; accepting them costs nothing and changes no valid document.
pub fn strip_trailing_commas(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let (mut in_string, mut escaped) = (false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            out.push(b);
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if b == b'"' {
            in_string = true;
        } else if b == b',' {
            let next = bytes[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
            if matches!(next, Some(b'}' | b']')) {
                continue;
            }
        }
        out.push(b);
    }
    out
}

/// Parses a JSON body into `T`, describing failures without echoing values.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    match parse_strict(bytes) {
        Err(e) if e.to_string().contains("Malformed JSON body.") => {
            parse_strict(&strip_trailing_commas(bytes)).map_err(|_| e)
        }
        other => other,
    }
}

fn parse_strict<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let what = match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof | serde_json::error::Category::Io => {
                "Malformed JSON body.".to_owned()
            }
            serde_json::error::Category::Data => {
                let msg = inner.to_string();
                if msg.starts_with("missing field") || msg.starts_with("unknown field") || msg.starts_with("unknown variant")
                {
                    // Field and variant names come from our own schema, not from the payer.
                    let msg = msg.split(" at line").next().unwrap_or(&msg).to_owned();
                    if path == "." { format!("Invalid request body: {msg}.") } else { format!("Invalid `{path}`: {msg}.") }
                } else {
                    format!("Invalid type or value at `{path}`.")
                }
            }
        };
        ApiError::InvalidRequest(what)
    })
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::InvalidRequest("The request body could not be read.".to_owned()))?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// The bearer token of an `Authorization: Bearer …` header, if well-formed.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// An authenticated merchant: `Authorization: Bearer <key>` plus `X-Merchant-Id`
/// (or `X-Payment-Account-Uid`, the hosted-session dialect's name for the same id).
#[derive(Debug, Clone)]
pub struct Merchant {
    pub id: String,
    pub display_name: String,
}

impl FromRequestParts<AppState> for Merchant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let key = bearer(&parts.headers).ok_or(ApiError::Unauthorized)?.to_owned();
        let id = ["x-merchant-id", "x-payment-account-uid"]
            .iter()
            .find_map(|h| parts.headers.get(*h).and_then(|v| v.to_str().ok()))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::InvalidRequest("The X-Merchant-Id header is required.".to_owned()))?
            .to_owned();
        let row = sqlx::query("SELECT id, display_name, api_key_hash FROM merchants WHERE id = $1")
            .bind(&id)
            .fetch_optional(&state.db)
            .await?
            .ok_or(ApiError::MerchantNotFound)?;
        let hash: String = row.try_get("api_key_hash")?;
        if !matches_hash(&key, &hash) {
            return Err(ApiError::Unauthorized);
        }
        crate::request_id::note_merchant(&id);
        Ok(Merchant { id, display_name: row.try_get("display_name")? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_commas_are_tolerated_but_nothing_else() {
        assert_eq!(strip_trailing_commas(br#"{"a": [1, 2,], "b": "x,}",}"#), br#"{"a": [1, 2], "b": "x,}"}"#.to_vec());
        let v: serde_json::Value = parse_json(br#"{"a": {"b": false,},}"#).expect("lenient");
        assert_eq!(v, serde_json::json!({"a": {"b": false}}));
        assert!(parse_json::<serde_json::Value>(b"{\"a\": ,}").is_err());
        assert!(parse_json::<serde_json::Value>(b"{\"a\": 1").is_err());
    }

    #[test]
    fn json_errors_never_echo_values() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Card {
            number: u64,
        }
        let err = parse_json::<Card>(br#"{"number":"4242424242424242"}"#).expect_err("type error");
        let (_, body) = err.parts();
        assert!(!body.detail.contains("4242"), "{}", body.detail);
        assert!(body.detail.contains("number"), "{}", body.detail);
        let err = parse_json::<Card>(b"{").expect_err("syntax error");
        assert_eq!(err.parts().1.detail, "Malformed JSON body.");
    }
}
