//! The checkout session: its model and states, loading it, the browser credential every widget
//! call goes through, the state checks (payable, open, mode), and the signed success redirect.
//! Creation lives in [`create`] (shared by both dialects: [`ccg`], [`hosted`]); a merchant's
//! changes (amount, cancel) in [`change`]; agent-assisted payment links in [`links`].

pub mod ccg;
pub mod change;
pub mod create;
pub mod hosted;
pub mod links;
pub mod view;

use axum::http::HeaderMap;
use checkout_types::credential::ClientSecret;
use checkout_types::money::Currency;
use checkout_types::session::{AvsField, Channels, Mode, SessionStatus};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Db, now_ms};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Merchant, bearer};
use crate::secrets::{ct_eq, hmac_hex, matches_hash};

/// Internal session states (the Sessions seed's table); merchants see [`SessionStatus`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    PendingInitialization,
    Initialized,
    PaymentPending,
    PaymentCompleted,
    PaymentFailed,
    TimedOut,
    Canceled,
}

impl SessionState {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::PendingInitialization => "PENDING_INITIALIZATION",
            SessionState::Initialized => "INITIALIZED",
            SessionState::PaymentPending => "PAYMENT_PENDING",
            SessionState::PaymentCompleted => "PAYMENT_COMPLETED",
            SessionState::PaymentFailed => "PAYMENT_FAILED",
            SessionState::TimedOut => "TIMED_OUT",
            SessionState::Canceled => "CANCELED",
        }
    }

    pub fn parse(s: &str) -> SessionState {
        match s {
            "PENDING_INITIALIZATION" => SessionState::PendingInitialization,
            "INITIALIZED" => SessionState::Initialized,
            "PAYMENT_PENDING" => SessionState::PaymentPending,
            "PAYMENT_COMPLETED" => SessionState::PaymentCompleted,
            "PAYMENT_FAILED" => SessionState::PaymentFailed,
            "TIMED_OUT" => SessionState::TimedOut,
            _ => SessionState::Canceled,
        }
    }

    /// The merchant-visible status.
    pub fn status(self) -> SessionStatus {
        match self {
            SessionState::PendingInitialization => SessionStatus::Accepted,
            SessionState::Initialized | SessionState::PaymentPending => SessionStatus::Created,
            SessionState::PaymentCompleted => SessionStatus::Completed,
            SessionState::PaymentFailed => SessionStatus::Failed,
            SessionState::TimedOut => SessionStatus::Expired,
            SessionState::Canceled => SessionStatus::Canceled,
        }
    }
}

/// What we keep of `config` (and the hosted dialect's options) for the widget.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredConfig {
    pub channels: Channels,
    #[serde(default)]
    pub privacy_policy_url: Option<String>,
    pub locale: String,
    pub setup_future_usage: String,
    #[serde(default)]
    pub required_avs_fields: Vec<AvsField>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub preselected_method_id: Option<String>,
    /// Hosted dialect: where to send the payer after paying (`{CHECKOUT_SESSION_ID}` replaced).
    #[serde(default)]
    pub success_url: Option<String>,
    /// Hosted dialect: where to send the payer on cancel.
    #[serde(default)]
    pub cancel_url: Option<String>,
    /// Hosted dialect: `embedded`, `hosted`, `popup` (close the popup on success) or `redirect`.
    #[serde(default)]
    pub layout: Option<String>,
    /// Theme: `--checkout-*` custom property -> value.
    #[serde(default)]
    pub appearance: std::collections::BTreeMap<String, String>,
    /// CCG `assistedByAgent: true` or an `agent`: an agent sends the customer links
    /// ([`links`]) on the `TEXT` / `EMAIL` channels.
    #[serde(default)]
    pub assisted_by_agent: bool,
    /// The agent as the merchant described them (`agent`), kept for the merchant's view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<Value>,
    /// Who link emails come from (`config.senderEmailAddress`), else the deployment's sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_email: Option<String>,
    /// A link's lifetime (`config.linkLifetimeMinutes`), else [`links::DEFAULT_LINK_TTL_MS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_ttl_ms: Option<i64>,
    /// The card brands the session takes (`config.cardBrands`, wire names); empty: every brand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub card_brands: Vec<String>,
    /// What the merchant knows of the customer (`fraudSignals`), for the risk rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraud: Option<crate::domain::risk::FraudSignals>,
}

/// Parses a session's `cardBrands` (`VISA`, `MASTERCARD`, `AMEX`, `DISCOVER`, `DINERS`, `JCB`,
/// `UNIONPAY`), `field` naming it in the error.
pub fn parse_card_brands(field: &str, brands: Option<&[String]>) -> ApiResult<Vec<String>> {
    use checkout_types::validate::card::CardBrand;
    let mut out = Vec::new();
    for b in brands.unwrap_or_default() {
        let brand = CardBrand::from_wire(&b.trim().to_ascii_uppercase());
        if brand == CardBrand::Unknown {
            return Err(ApiError::InvalidRequest(format!(
                "{field}: unknown brand; use VISA, MASTERCARD, AMEX, DISCOVER, DINERS, JCB or UNIONPAY."
            )));
        }
        if !out.iter().any(|o| o == brand.wire_name()) {
            out.push(brand.wire_name().to_owned());
        }
    }
    if brands.is_some() && out.is_empty() {
        return Err(ApiError::InvalidRequest(format!("{field} must name at least one brand (or be left out: every brand).")));
    }
    Ok(out)
}

/// A card (or a wallet's card) of a brand the session does not take is declined before any
/// processor sees it: `422 PAYMENT_ERROR`, code `card_brand_not_accepted`.
pub fn ensure_brand_accepted(s: &Session, brand: Option<&str>) -> ApiResult<()> {
    let taken = &s.config.card_brands;
    match brand {
        Some(b) if !taken.is_empty() && !taken.iter().any(|t| t == b) => {
            let message = "This card brand is not accepted for this payment. Please use another card.";
            Err(ApiError::PaymentError {
                detail: message.to_owned(),
                data: serde_json::json!({ "code": "card_brand_not_accepted", "message": message, "acceptedBrands": taken }),
            })
        }
        _ => Ok(()),
    }
}

/// A session row.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub merchant_id: String,
    pub dialect: String,
    pub mode: Mode,
    pub state: SessionState,
    pub amount: Option<i64>,
    pub currency: Currency,
    pub amount_version: i64,
    pub merchant_transaction_id: Option<String>,
    pub config: StoredConfig,
    pub payment_json: Value,
    /// The customer as the merchant sent it, identity documents dropped.
    pub customer_json: Value,
    pub payment_id: Option<String>,
    pub payment_method_id: Option<String>,
    /// The merchant's customer identifier whose wallet this session uses, if any.
    pub wallet_key: Option<String>,
    pub attempts: i64,
    pub expires_at: i64,
    pub created_at: i64,
    /// The merchant's display name and allowed origins (read with the session, one query).
    pub merchant_name: String,
    pub merchant_origins: String,
    /// The merchant's wallet settings as stored (`domain::wallet_settings`), read with the session.
    pub merchant_wallet_settings: Option<String>,
    /// Set by [`authorize_browser`] when the caller is a customer's link (its id), not the
    /// session's own credential.
    pub via_link: Option<String>,
    secret_hash: String,
}

impl Session {
    pub(crate) fn from_row(r: &AnyRow) -> ApiResult<Session> {
        let mode: String = r.try_get("mode")?;
        let config: String = r.try_get("config_json")?;
        let payment: String = r.try_get("payment_json")?;
        let currency: String = r.try_get("currency")?;
        Ok(Session {
            id: r.try_get("id")?,
            merchant_id: r.try_get("merchant_id")?,
            dialect: r.try_get("dialect")?,
            mode: Mode::parse(&mode).ok_or_else(|| anyhow::anyhow!("unknown mode {mode} in database"))?,
            state: SessionState::parse(&r.try_get::<String, _>("state")?),
            amount: r.try_get("amount")?,
            currency: Currency::parse(&currency).unwrap_or_default(),
            amount_version: r.try_get("amount_version")?,
            merchant_transaction_id: r.try_get("merchant_transaction_id")?,
            config: serde_json::from_str(&config).map_err(anyhow::Error::from)?,
            payment_json: serde_json::from_str(&payment).map_err(anyhow::Error::from)?,
            customer_json: serde_json::from_str(&r.try_get::<String, _>("customer_json")?).unwrap_or(Value::Null),
            payment_id: r.try_get("payment_id")?,
            payment_method_id: r.try_get("payment_method_id")?,
            wallet_key: r.try_get("wallet_key")?,
            attempts: r.try_get("attempts")?,
            expires_at: r.try_get("expires_at")?,
            created_at: r.try_get("created_at")?,
            merchant_name: r.try_get("merchant_name")?,
            merchant_origins: r.try_get("merchant_origins")?,
            merchant_wallet_settings: r.try_get("merchant_wallet_settings")?,
            via_link: None,
            secret_hash: r.try_get("secret_hash")?,
        })
    }

    /// Whether the session's TTL has run out.
    /// Whether the merchant asked to pre-authorize (`payment.authorizeCard: true`): a card is
    /// held, not charged, and captured later through `/v2/payments/{id}/capture`.
    pub fn authorizes_card(&self) -> bool {
        self.payment_json.get("authorizeCard") == Some(&Value::Bool(true))
    }

    pub fn is_expired(&self, now: i64) -> bool {
        now >= self.expires_at
    }
}

/// Loads a session by id.
pub async fn load(db: &Db, id: &str) -> ApiResult<Option<Session>> {
    let row = sqlx::query(
        "SELECT s.*, m.display_name AS merchant_name, m.allowed_origins AS merchant_origins, m.wallet_settings_json AS merchant_wallet_settings
         FROM sessions s JOIN merchants m ON m.id = s.merchant_id WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(Session::from_row).transpose()
}

/// A session whose TTL ran out reads as `TIMED_OUT` (merchant status `EXPIRED`) unless it already
/// moved on; the worker writes it, with its `CHECKOUT_SESSION_EXPIRED` event, within a poll
/// ([`change::end`]). Nothing is written here: a read stays a read.
pub fn time_out_if_due(s: &mut Session, now: i64) {
    if s.is_expired(now) && matches!(s.state, SessionState::PendingInitialization | SessionState::Initialized) {
        s.state = SessionState::TimedOut;
    }
}

/// The browser credential check shared by every widget endpoint: the bearer must be the
/// session's client secret (or, for CCG sessions, its checkout session id). Unknown session and
/// wrong secret are the same `401`; a session past its TTL is `410` to every browser call.
pub async fn authorize_browser(db: &Db, id: &str, headers: &HeaderMap) -> ApiResult<Session> {
    let token = browser_credential(headers)?;
    let s = load(db, id).await?.ok_or(ApiError::Unauthorized)?;
    authorize_loaded(db, s, &token).await
}

/// The bearer of a widget call, by the shared rule of `checkout_types::credential` (a client
/// secret, or a CCG session's id: 1-255 visible ASCII characters); anything else is `401`.
fn browser_credential(headers: &HeaderMap) -> ApiResult<ClientSecret> {
    let token = bearer(headers).ok_or(ApiError::Unauthorized)?;
    ClientSecret::try_from(token).map_err(|_| ApiError::Unauthorized)
}

/// [`authorize_browser`] for a session its caller already loaded (`None`: no such session).
pub async fn authorize_loaded_browser(db: &Db, s: Option<Session>, headers: &HeaderMap) -> ApiResult<Session> {
    let token = browser_credential(headers)?;
    authorize_loaded(db, s.ok_or(ApiError::Unauthorized)?, &token).await
}

/// The credential check: the session's client secret, a CCG session's id, or the credential of
/// one of its live payment links (`lk_...`, [`links::live_link`]; an ended link is `410`).
async fn authorize_loaded(db: &Db, mut s: Session, token: &ClientSecret) -> ApiResult<Session> {
    let token = token.expose();
    if token.starts_with("lk_") {
        s.via_link = Some(links::live_link(db, &s.id, token).await?);
    } else {
        let by_secret = matches_hash(token, &s.secret_hash);
        let by_id = s.dialect == "CCG" && ct_eq(token.as_bytes(), s.id.as_bytes());
        if !(by_secret || by_id) {
            return Err(ApiError::Unauthorized);
        }
    }
    crate::request_id::note_session(&s.id, &s.merchant_id);
    let now = now_ms();
    if s.is_expired(now) {
        return Err(ApiError::SessionTimeout);
    }
    Ok(s)
}

/// Loads a session of this merchant; another merchant's session is the same 404 as none.
pub async fn load_owned(db: &Db, merchant: &Merchant, id: &str) -> ApiResult<Session> {
    match load(db, id).await? {
        Some(s) if s.merchant_id == merchant.id => {
            crate::request_id::note_session(&s.id, &s.merchant_id);
            Ok(s)
        }
        _ => Err(ApiError::NotFound("No session with this id for this merchant.".to_owned())),
    }
}


/// Refuses calls on a session that cannot take a payment right now.
pub fn ensure_payable(s: &Session) -> ApiResult<()> {
    if !s.mode.takes_payment() {
        return Err(ApiError::Unprocessable("This session does not take a payment.".to_owned()));
    }
    match s.state {
        SessionState::Initialized | SessionState::PendingInitialization => Ok(()),
        SessionState::PaymentPending => {
            Err(ApiError::InProgress("A payment for this session is being processed.".to_owned()))
        }
        SessionState::PaymentCompleted => Err(ApiError::AlreadyProcessed {
            code: "already_confirmed",
            detail: "This session has already been paid.".to_owned(),
        }),
        SessionState::PaymentFailed | SessionState::Canceled => Err(ApiError::AlreadyProcessed {
            code: "session_closed",
            detail: "This session is closed and can no longer be paid.".to_owned(),
        }),
        SessionState::TimedOut => Err(ApiError::SessionTimeout),
    }
}

/// Refuses wallet actions on a session that already completed (or is being paid).
pub fn ensure_open(s: &Session) -> ApiResult<()> {
    match s.state {
        SessionState::Initialized => Ok(()),
        SessionState::PaymentPending => Err(ApiError::InProgress("A payment for this session is being processed.".to_owned())),
        _ => Err(ApiError::AlreadyProcessed { code: "already_completed", detail: "This session is already complete.".to_owned() }),
    }
}

/// Refuses an action the session's mode does not offer.
pub fn ensure_mode(s: &Session, modes: &[Mode]) -> ApiResult<()> {
    if modes.contains(&s.mode) {
        Ok(())
    } else {
        Err(ApiError::Unprocessable(format!("This action is not available in {} mode.", s.mode.as_str())))
    }
}

/// The signed success redirect for a completed session:
/// `success_url` with `{CHECKOUT_SESSION_ID}` replaced, plus
/// `checkout_signature=t=<unix seconds>,v1=<hex HMAC-SHA256(webhook secret, "<t>.<session id>.COMPLETED")>`.
pub async fn signed_success_url(db: &Db, session_id: &str, merchant_id: &str, success_url: &str) -> ApiResult<String> {
    let secret: String = sqlx::query("SELECT webhook_secret FROM merchants WHERE id = $1")
        .bind(merchant_id)
        .fetch_one(db)
        .await?
        .try_get("webhook_secret")?;
    let t = now_ms() / 1000;
    let sig = hmac_hex(secret.as_bytes(), format!("{t}.{session_id}.COMPLETED").as_bytes());
    let url = success_url.replace("{CHECKOUT_SESSION_ID}", session_id);
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b.to_owned(), Some(f.to_owned())),
        None => (url, None),
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    let mut out = format!("{base}{sep}checkout_signature=t={t},v1={sig}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(&f);
    }
    Ok(out)
}


/// Checks a `checkout_signature` (`t=…,v1=…`) of a success redirect, as a merchant would:
/// HMAC-SHA256 over `"<t>.<session id>.COMPLETED"` with the merchant's webhook secret, and `t`
/// no older than `max_age_secs`.
pub fn verify_signature(secret: &str, session_id: &str, signature: &str, now_secs: i64, max_age_secs: i64) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in signature.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = Some(v),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return false };
    let expected = hmac_hex(secret.as_bytes(), format!("{t}.{session_id}.COMPLETED").as_bytes());
    (now_secs - t).abs() <= max_age_secs && ct_eq(expected.as_bytes(), v1.as_bytes())
}

/// A merchant's registered origins as stored (`https://a.example https://b.example`, space or comma
/// separated) -> the valid origins only.
pub fn parse_origins(s: &str) -> Vec<String> {
    s.split([' ', ','])
        .map(str::trim)
        .filter(|o| {
            (o.starts_with("https://") || o.starts_with("http://"))
                && !o[o.find("://").map_or(0, |i| i + 3)..].contains(['/', '?', '#', '*', ';', '\'', '"'])
        })
        .map(str::to_owned)
        .collect()
}
