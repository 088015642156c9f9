//! Apple Pay on the web, the server's half: merchant validation and the domain-association file.
//!
//! When the payer taps the Apple Pay button, Safari asks the page to validate the merchant
//! (`onvalidatemerchant`, with a `validationURL` on one of Apple's gateway hosts). The widget
//! hands that URL to `POST /v1/sessions/{id}/wallets/apple-pay/merchant-session`, and this module
//! answers the opaque merchant session Safari needs to show the sheet:
//! - **production**, when the operator put the merchant's identity certificate and key in
//!   `CHECKOUT_APPLE_PAY_IDENTITY_DIR` (`<merchant id>.crt` and `<merchant id>.key`, PEM): the
//!   merchant validation request Apple documents (`POST` to the validation URL over TLS with that
//!   certificate as the client's, `{merchantIdentifier, displayName, initiative: "web",
//!   initiativeContext: <the checkout's host>}`), and Apple's answer passed through unread;
//! - **sandbox** otherwise: a merchant session of the same shape, made here, that only a stand-in
//!   wallet accepts.
//!
//! The validation URL is checked against Apple's documented gateway hosts before anything is sent,
//! so the endpoint cannot be used to make this server call anywhere else. The certificate's key
//! never reaches the database, a log or an answer.

use std::path::{Path, PathBuf};
use std::time::Duration;

use checkout_types::session::CardChannel;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::state::{APPLE_GATEWAY_HOSTS, ApplePayConfig};
use crate::db::now_ms;
use crate::domain::session::{Session, ensure_payable};
use crate::domain::wallet_settings;
use crate::error::{ApiError, ApiResult};

/// How long Apple's gateway may take to answer a merchant validation.
const VALIDATION_TIMEOUT: Duration = Duration::from_secs(10);

/// The merchant's identity certificate and key files, if the operator provided both.
fn identity_files(cfg: &ApplePayConfig, merchant_id: &str) -> Option<(PathBuf, PathBuf)> {
    // Merchant ids are checked at creation (letters, digits, `_`, `-`), so they name a file inside
    // the directory; anything else never reaches the file system.
    if merchant_id.is_empty() || !merchant_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return None;
    }
    let dir = cfg.identity_dir.as_deref()?;
    let (crt, key) = (dir.join(format!("{merchant_id}.crt")), dir.join(format!("{merchant_id}.key")));
    (crt.is_file() && key.is_file()).then_some((crt, key))
}

/// Checks a validation URL: `https`, no credentials, the default port, one of the gateway hosts.
pub fn check_validation_url(cfg: &ApplePayConfig, raw: &str) -> ApiResult<reqwest::Url> {
    let refuse = || ApiError::InvalidRequest("validationUrl must be an https URL on one of Apple's Apple Pay gateway hosts.".to_owned());
    let url = reqwest::Url::parse(raw.trim()).map_err(|_| refuse())?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let ok = url.scheme() == "https"
        && url.username().is_empty()
        && url.password().is_none()
        && url.fragment().is_none()
        && cfg.gateway_hosts.iter().any(|h| h.eq_ignore_ascii_case(&host))
        // A stand-in listens on its own port; Apple's hosts only on 443.
        && (url.port().is_none() || !APPLE_GATEWAY_HOSTS.contains(&host.as_str()));
    if ok { Ok(url) } else { Err(refuse()) }
}

/// The host Apple Pay runs on for this deployment: the checkout's own (the hosted page and the
/// embed frame are served from it).
fn initiative_context(st: &AppState) -> String {
    reqwest::Url::parse(&st.settings.public_url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default()
}

/// `POST /v1/sessions/{id}/wallets/apple-pay/merchant-session`: the merchant session Safari asks
/// for, for a payable session that offers Apple Pay.
pub async fn merchant_session(st: &AppState, s: &Session, validation_url: &str) -> ApiResult<Value> {
    ensure_payable(s)?;
    if !s.config.channels.card.contains(&CardChannel::ApplePay) {
        return Err(ApiError::InvalidRequest("Apple Pay is not enabled for this session.".to_owned()));
    }
    let cfg = &st.settings.apple_pay;
    let url = check_validation_url(cfg, validation_url)?;
    let settings = wallet_settings::apple_pay_for(s);
    let domain = initiative_context(st);
    let host = url.host_str().unwrap_or_default().to_owned();
    match identity_files(cfg, &s.merchant_id) {
        Some((crt, key)) => {
            let body = json!({
                "merchantIdentifier": settings.merchant_identifier,
                "displayName": settings.display_name,
                "initiative": "web",
                "initiativeContext": domain,
            });
            let answer = validate_with_apple(cfg, &crt, &key, url, &body).await;
            match &answer {
                Ok(_) => tracing::info!(session = %s.id, gateway = %host, "apple pay merchant validated"),
                Err(e) => tracing::warn!(session = %s.id, gateway = %host, error = %e, "apple pay merchant validation failed"),
            }
            answer.map_err(|_| {
                ApiError::Unprocessable("Apple Pay could not validate this merchant right now; pay by card or try again.".to_owned())
            })
        }
        None => {
            tracing::info!(session = %s.id, gateway = %host, "apple pay merchant validated (sandbox)");
            Ok(sandbox_merchant_session(&settings.merchant_identifier, &settings.display_name, &domain))
        }
    }
}

/// The merchant validation request: TLS with the merchant's identity certificate as the client's.
async fn validate_with_apple(cfg: &ApplePayConfig, crt: &Path, key: &Path, url: reqwest::Url, body: &Value) -> anyhow::Result<Value> {
    let mut pem = tokio::fs::read(crt).await?;
    pem.push(b'\n');
    pem.extend(tokio::fs::read(key).await?);
    let identity = reqwest::Identity::from_pem(&pem).map_err(|_| anyhow::anyhow!("identity certificate or key unreadable"))?;
    let mut client = reqwest::Client::builder().use_rustls_tls().identity(identity).timeout(VALIDATION_TIMEOUT).redirect(reqwest::redirect::Policy::none());
    if let Some(root) = &cfg.extra_root_pem {
        client = client.add_root_certificate(reqwest::Certificate::from_pem(root)?);
    }
    let resp = client.build()?.post(url).json(body).send().await?;
    let status = resp.status();
    if !status.is_success() {
        anyhow::bail!("gateway answered {status}");
    }
    let session: Value = resp.json().await?;
    if !session.is_object() {
        anyhow::bail!("gateway answered something other than a merchant session");
    }
    Ok(session)
}

fn hex_sha256(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// A merchant session shaped as Apple's (the fields Safari reads), valid five minutes.
fn sandbox_merchant_session(merchant_identifier: &str, display_name: &str, domain: &str) -> Value {
    let now = now_ms();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let nonce = id[..8].to_owned();
    json!({
        "epochTimestamp": now,
        "expiresAt": now + 5 * 60 * 1000,
        "merchantSessionIdentifier": format!("SSH_SANDBOX_{}", id.to_ascii_uppercase()),
        "nonce": nonce,
        "merchantIdentifier": hex_sha256(&[merchant_identifier]).to_ascii_uppercase(),
        "domainName": domain,
        "displayName": display_name,
        "signature": hex_sha256(&[merchant_identifier, domain, &id, &now.to_string()]),
        "operationalAnalyticsIdentifier": format!("{display_name}:{}", hex_sha256(&[merchant_identifier]).to_ascii_uppercase()),
        "retries": 0,
        "sandbox": true,
    })
}

/// The domain-association file the checkout's origin serves and merchants host on their own
/// registered domains: the one Apple issued (`CHECKOUT_APPLE_PAY_DOMAIN_ASSOCIATION`), or, in the
/// sandbox, a file naming this deployment (Apple never fetches it; its shape is Apple's: hex).
pub fn domain_association(st: &AppState) -> Vec<u8> {
    match &st.settings.apple_pay.domain_association {
        Some(file) => file.clone(),
        None => {
            let body = json!({ "sandbox": true, "issuer": st.settings.public_url, "version": 1 }).to_string();
            hex::encode(body).into_bytes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_urls_reach_only_apples_gateway_hosts() {
        let cfg = ApplePayConfig::default();
        for ok in [
            "https://apple-pay-gateway.apple.com/paymentservices/startSession",
            "https://apple-pay-gateway-cert.apple.com/paymentservices/paymentSession",
            "https://cn-apple-pay-gateway-tj-pod3.apple.com/paymentservices/startSession",
            "https://APPLE-PAY-GATEWAY-NC-POD2.apple.com/paymentservices/startSession",
        ] {
            assert!(check_validation_url(&cfg, ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://apple-pay-gateway.apple.com/paymentservices/startSession",
            "https://apple-pay-gateway.apple.com.evil.example/x",
            "https://evil.example/apple-pay-gateway.apple.com",
            "https://user:pw@apple-pay-gateway.apple.com/x",
            "https://apple-pay-gateway.apple.com:8443/x",
            "https://apple-pay-gateway-nc-pod6.apple.com/x",
            "https://127.0.0.1/x",
            "not a url",
            "",
        ] {
            assert!(check_validation_url(&cfg, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn identity_files_need_both_files_and_a_plain_merchant_id() {
        let dir = tempfile::tempdir().expect("dir");
        let cfg = ApplePayConfig { identity_dir: Some(dir.path().to_owned()), ..ApplePayConfig::default() };
        std::fs::write(dir.path().join("m1.crt"), "x").expect("write");
        assert!(identity_files(&cfg, "m1").is_none(), "a certificate without its key is not production");
        std::fs::write(dir.path().join("m1.key"), "x").expect("write");
        assert!(identity_files(&cfg, "m1").is_some());
        assert!(identity_files(&cfg, "../m1").is_none());
        assert!(identity_files(&ApplePayConfig::default(), "m1").is_none());
    }

    #[test]
    fn the_sandbox_merchant_session_has_apples_fields() {
        let s = sandbox_merchant_session("merchant.com.example", "Example", "pay.example.com");
        for k in ["epochTimestamp", "expiresAt", "merchantSessionIdentifier", "nonce", "merchantIdentifier", "domainName", "displayName", "signature"] {
            assert!(s.get(k).is_some(), "{k}");
        }
        assert_eq!(s["domainName"], "pay.example.com");
    }
}
