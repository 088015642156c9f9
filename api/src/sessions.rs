//! Checkout sessions: creation (CCG dialect), the merchant's view, the widget's config, early
//! expiry, and the browser-credential check every widget endpoint goes through.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use checkout_types::money::{Currency, MAX_AMOUNT, MIN_AMOUNT, MinorUnit};
use checkout_types::session::{BankChannel, CardChannel, Channels, Mode, SessionConfig, SessionStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::AppState;
use crate::db::{Db, now_ms, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Merchant, bearer};
use checkout_types::error::ErrorBody;
use crate::payments::PaymentRow;
use crate::secrets::{ct_eq, matches_hash, new_client_secret, sha256_hex};

/// CCG sessions live 15 minutes.
pub const CCG_TTL_MS: i64 = 15 * 60 * 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_ccg))
        .routes(routes!(create_ccg_v2))
        .routes(routes!(get_for_merchant, patch))
        .routes(routes!(expire))
        .routes(routes!(config))
}

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

    fn parse(s: &str) -> SessionState {
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
    pub required_avs_fields: Vec<String>,
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
}

/// Appearance keys a merchant may set (either case style) and the CSS property each sets.
const APPEARANCE: &[(&str, &str, &str, Kind)] = &[
    ("colorPrimary", "color_primary", "--checkout-color-primary", Kind::Color),
    ("colorPrimaryText", "color_primary_text", "--checkout-color-primary-text", Kind::Color),
    ("colorBackground", "color_background", "--checkout-color-bg", Kind::Color),
    ("colorText", "color_text", "--checkout-color-text", Kind::Color),
    ("colorError", "color_error", "--checkout-color-error", Kind::Color),
    ("borderRadius", "border_radius", "--checkout-radius", Kind::Length),
    ("spacingUnit", "spacing_unit", "--checkout-space", Kind::Length),
    ("fontFamily", "font_family", "--checkout-font", Kind::Font),
];

#[derive(Clone, Copy)]
enum Kind {
    Color,
    Length,
    Font,
}

fn valid_value(kind: Kind, v: &str) -> bool {
    match kind {
        Kind::Color => {
            v.len() <= 9 && v.starts_with('#') && matches!(v.len(), 4 | 5 | 7 | 9) && v[1..].bytes().all(|b| b.is_ascii_hexdigit())
        }
        Kind::Length => {
            let num = v.trim_end_matches("px").trim_end_matches("rem");
            num.len() != v.len() && !num.is_empty() && num.len() <= 5 && num.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        }
        Kind::Font => {
            !v.is_empty()
                && v.len() <= 100
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b" ,-'\"".contains(&b))
        }
    }
}

/// Parses an `appearance` / `branding` object into CSS custom properties; unknown keys and
/// unsafe values are refused, so nothing but a colour, a length or a font list reaches the page.
pub fn parse_appearance(field: &str, v: Option<&Value>) -> ApiResult<std::collections::BTreeMap<String, String>> {
    let mut out = std::collections::BTreeMap::new();
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(out) };
    let obj = v.as_object().ok_or_else(|| ApiError::InvalidRequest(format!("{field} must be an object.")))?;
    for (key, value) in obj {
        let Some((_, _, css, kind)) = APPEARANCE.iter().find(|(camel, snake, _, _)| key == camel || key == snake) else {
            return Err(ApiError::InvalidRequest(format!(
                "{field}: unknown key `{}`; use colorPrimary, colorPrimaryText, colorBackground, colorText, colorError, borderRadius, spacingUnit or fontFamily.",
                key.chars().take(40).collect::<String>()
            )));
        };
        match value.as_str() {
            Some(s) if valid_value(*kind, s.trim()) => {
                out.insert((*css).to_owned(), s.trim().to_owned());
            }
            _ => return Err(ApiError::InvalidRequest(format!("{field}.{key} is not a valid value."))),
        }
    }
    Ok(out)
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
    secret_hash: String,
}

impl Session {
    fn from_row(r: &AnyRow) -> ApiResult<Session> {
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
            payment_id: r.try_get("payment_id")?,
            payment_method_id: r.try_get("payment_method_id")?,
            wallet_key: r.try_get("wallet_key")?,
            attempts: r.try_get("attempts")?,
            expires_at: r.try_get("expires_at")?,
            created_at: r.try_get("created_at")?,
            merchant_name: r.try_get("merchant_name")?,
            merchant_origins: r.try_get("merchant_origins")?,
            secret_hash: r.try_get("secret_hash")?,
        })
    }

    /// Whether the session's TTL has run out.
    pub fn is_expired(&self, now: i64) -> bool {
        now >= self.expires_at
    }
}

/// Loads a session by id.
pub async fn load(db: &Db, id: &str) -> ApiResult<Option<Session>> {
    let row = sqlx::query(
        "SELECT s.*, m.display_name AS merchant_name, m.allowed_origins AS merchant_origins
         FROM sessions s JOIN merchants m ON m.id = s.merchant_id WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(Session::from_row).transpose()
}

/// Loads a session and, in the same query, its fee quote `quote_id` (confirm's one read).
pub async fn load_with_quote(db: &Db, id: &str, quote_id: &str) -> ApiResult<Option<(Session, Option<crate::quotes::StoredQuote>)>> {
    let row = sqlx::query(
        "SELECT s.*, m.display_name AS merchant_name, m.allowed_origins AS merchant_origins,
            q.id AS q_id, q.method AS q_method, q.brand AS q_brand, q.amount AS q_amount, q.fee AS q_fee,
            q.total AS q_total, q.amount_version AS q_amount_version, q.expires_at AS q_expires_at
         FROM sessions s JOIN merchants m ON m.id = s.merchant_id
         LEFT JOIN fee_quotes q ON q.session_id = s.id AND q.id = $2
         WHERE s.id = $1",
    )
    .bind(id)
    .bind(quote_id)
    .fetch_optional(db)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let quote = match r.try_get::<Option<String>, _>("q_id")? {
        Some(qid) => Some(crate::quotes::StoredQuote {
            id: qid,
            method: r.try_get("q_method")?,
            brand: r.try_get("q_brand")?,
            amount: r.try_get("q_amount")?,
            fee: r.try_get("q_fee")?,
            total: r.try_get("q_total")?,
            amount_version: r.try_get("q_amount_version")?,
            expires_at: r.try_get("q_expires_at")?,
        }),
        None => None,
    };
    Ok(Some((Session::from_row(&r)?, quote)))
}

/// Marks a session whose TTL ran out as `TIMED_OUT`, unless it already moved on.
async fn time_out_if_due(db: &Db, s: &mut Session, now: i64) -> ApiResult<()> {
    if s.is_expired(now) && matches!(s.state, SessionState::PendingInitialization | SessionState::Initialized) {
        sqlx::query(
            "UPDATE sessions SET state = 'TIMED_OUT', updated_at = $1
             WHERE id = $2 AND state IN ('PENDING_INITIALIZATION', 'INITIALIZED')",
        )
        .bind(now)
        .bind(&s.id)
        .execute(db)
        .await?;
        if let Some(fresh) = load(db, &s.id).await? {
            *s = fresh;
        }
    }
    Ok(())
}

/// The browser credential check shared by every widget endpoint: the bearer must be the
/// session's client secret (or, for CCG sessions, its checkout session id). Unknown session and
/// wrong secret are the same `401`; a session past its TTL is `410` to every browser call.
pub async fn authorize_browser(db: &Db, id: &str, headers: &HeaderMap) -> ApiResult<Session> {
    let token = bearer(headers).ok_or(ApiError::Unauthorized)?;
    let s = load(db, id).await?.ok_or(ApiError::Unauthorized)?;
    authorize_loaded(db, s, token).await
}

/// [`authorize_browser`] for a session its caller already loaded (`None`: no such session).
pub async fn authorize_loaded_browser(db: &Db, s: Option<Session>, headers: &HeaderMap) -> ApiResult<Session> {
    let token = bearer(headers).ok_or(ApiError::Unauthorized)?;
    authorize_loaded(db, s.ok_or(ApiError::Unauthorized)?, token).await
}

async fn authorize_loaded(db: &Db, mut s: Session, token: &str) -> ApiResult<Session> {
    let by_secret = matches_hash(token, &s.secret_hash);
    let by_id = s.dialect == "CCG" && ct_eq(token.as_bytes(), s.id.as_bytes());
    if !(by_secret || by_id) {
        return Err(ApiError::Unauthorized);
    }
    let now = now_ms();
    if s.is_expired(now) {
        time_out_if_due(db, &mut s, now).await?;
        return Err(ApiError::SessionTimeout);
    }
    Ok(s)
}

/// Everything needed to insert a session, whichever dialect asked for it.
pub struct NewSession {
    pub merchant_id: String,
    pub dialect: &'static str,
    pub mode: Mode,
    pub amount: Option<i64>,
    pub currency: Currency,
    pub merchant_transaction_id: Option<String>,
    pub customer: Value,
    pub config: StoredConfig,
    pub payment: Value,
    pub ttl_ms: i64,
    pub wallet_key: Option<String>,
}

/// A freshly created session and its one-time-visible credential.
pub struct CreatedSession {
    pub id: String,
    pub client_secret: String,
    pub expires_at: i64,
}

/// Inserts a session ready for the widget (`INITIALIZED`, merchant-visible `CREATED`), through the
/// writer ([`crate::db::Writer`]): on SQLite, committed with the writes queued at that moment.
pub async fn insert(writer: &crate::db::Writer, new: NewSession, id: String) -> ApiResult<CreatedSession> {
    const INSERT_SESSION: &str = "INSERT INTO sessions (id, merchant_id, dialect, mode, state, secret_hash, amount, currency,
            merchant_transaction_id, customer_json, config_json, payment_json, expires_at, created_at, updated_at,
            wallet_key)
         VALUES ($1, $2, $3, $4, 'INITIALIZED', $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14)";
    let now = now_ms();
    let client_secret = new_client_secret(&id);
    let expires_at = now + new.ttl_ms;
    let write = crate::db::Write::one(INSERT_SESSION)
        .bind(&id)
        .bind(new.merchant_id)
        .bind(new.dialect)
        .bind(new.mode.as_str())
        .bind(sha256_hex(client_secret.as_bytes()))
        .bind(new.amount)
        .bind(new.currency.code())
        .bind(new.merchant_transaction_id)
        .bind(new.customer.to_string())
        .bind(serde_json::to_string(&new.config).map_err(anyhow::Error::from)?)
        .bind(new.payment.to_string())
        .bind(expires_at)
        .bind(now)
        .bind(new.wallet_key);
    match writer.once(write).await {
        Ok(_) => Ok(CreatedSession { id, client_secret, expires_at }),
        Err(e) if e.is_unique_violation() => Err(ApiError::InvalidRequest(
            "payment.merchantTransactionId is already used by another session of this merchant.".to_owned(),
        )),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// POST /v1/sessions (CCG dialect)

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CcgCreate {
    /// Payer identity; `hsid` / `enterpriseId` select the wallet experience.
    #[schema(value_type = Object)]
    customer: Option<Value>,
    payment: Option<CcgPayment>,
    payment_method: Option<MethodRef>,
    config: Option<CcgConfig>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct CcgPayment {
    merchant_transaction_id: Option<String>,
    amount: Option<i64>,
    #[serde(default)]
    authorize_card: Option<bool>,
    #[serde(default)]
    partial_authorization: Option<bool>,
    #[serde(default)]
    currency_code: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    statement_descriptor_suffix: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    metadata: Option<Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
struct MethodRef {
    id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct CcgConfig {
    modes: Option<Vec<String>>,
    payment_method_channel: Option<ChannelsIn>,
    privacy_policy_url: Option<String>,
    locale: Option<String>,
    /// Theme: `colorPrimary`, `borderRadius`, `fontFamily`, … (see README).
    #[schema(value_type = Option<Object>)]
    appearance: Option<Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ChannelsIn {
    #[serde(default)]
    card: Vec<String>,
    #[serde(default)]
    bank_account: Vec<String>,
}

fn parse_channels(c: Option<ChannelsIn>) -> ApiResult<Channels> {
    let Some(c) = c else {
        return Ok(Channels { card: vec![CardChannel::Webform], bank_account: vec![] });
    };
    let mut out = Channels::default();
    for s in &c.card {
        let ch = match s.as_str() {
            "WEBFORM" => CardChannel::Webform,
            "TEXT" => CardChannel::Text,
            "EMAIL" => CardChannel::Email,
            "GOOGLE_PAY" => CardChannel::GooglePay,
            "APPLE_PAY" => CardChannel::ApplePay,
            _ => {
                return Err(ApiError::InvalidRequest(format!(
                    "config.paymentMethodChannel.card: unknown channel `{}`; use WEBFORM, TEXT, EMAIL, GOOGLE_PAY or APPLE_PAY.",
                    truncate(s, 40)
                )));
            }
        };
        if !out.card.contains(&ch) {
            out.card.push(ch);
        }
    }
    for s in &c.bank_account {
        if s != "WEBFORM" {
            return Err(ApiError::InvalidRequest(format!(
                "config.paymentMethodChannel.bankAccount: unknown channel `{}`; use WEBFORM.",
                truncate(s, 40)
            )));
        }
        if out.bank_account.is_empty() {
            out.bank_account.push(BankChannel::Webform);
        }
    }
    if out.card.is_empty() && out.bank_account.is_empty() {
        return Err(ApiError::InvalidRequest("config.paymentMethodChannel enables no channel.".to_owned()));
    }
    Ok(out)
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Locale: `en` or `es` (a region suffix is kept, e.g. `es-MX`); anything else is refused.
pub fn parse_locale(l: Option<&str>) -> ApiResult<String> {
    match l.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok("en".to_owned()),
        Some(l) if (l.starts_with("en") || l.starts_with("es")) && l.len() <= 10 => Ok(l.to_owned()),
        Some(_) => Err(ApiError::InvalidRequest("config.locale must be `en` or `es`.".to_owned())),
    }
}

/// Validates an amount in minor units.
pub fn parse_amount(field: &str, amount: Option<i64>) -> ApiResult<i64> {
    let a = amount.ok_or_else(|| ApiError::InvalidRequest(format!("{field} is required.")))?;
    MinorUnit::try_from(a).map(|m| m.0).map_err(|_| {
        ApiError::InvalidRequest(format!("{field} must be between {MIN_AMOUNT} and {MAX_AMOUNT} minor units."))
    })
}

/// Validates a `merchantTransactionId` (1-50 characters).
pub fn parse_merchant_transaction_id(field: &str, id: Option<&str>) -> ApiResult<String> {
    match id.map(str::trim) {
        Some(s) if !s.is_empty() && s.chars().count() <= 50 => Ok(s.to_owned()),
        Some(_) => Err(ApiError::InvalidRequest(format!("{field} must be 1-50 characters."))),
        None => Err(ApiError::InvalidRequest(format!("{field} is required."))),
    }
}

fn ccg_to_new(merchant: &Merchant, req: CcgCreate) -> ApiResult<NewSession> {
    let customer = match req.customer {
        Some(Value::Object(c)) => c,
        Some(_) => return Err(ApiError::InvalidRequest("customer must be an object.".to_owned())),
        None => return Err(ApiError::InvalidRequest("customer is required.".to_owned())),
    };
    let config = req.config.ok_or_else(|| ApiError::InvalidRequest("config is required.".to_owned()))?;
    let modes = config.modes.unwrap_or_default();
    let mode = match modes.as_slice() {
        [one] => Mode::parse(one).ok_or_else(|| {
            ApiError::InvalidRequest(format!(
                "config.modes: unknown mode `{}`; use PAYMENT, PAYMENT_METHOD_ENTRY, PAYMENT_WITH_WALLET, WALLET, PAYMENT_METHOD_SELECT or PAYMENT_METHOD_DISPLAY.",
                truncate(one, 40)
            ))
        })?,
        _ => return Err(ApiError::InvalidRequest("config.modes must hold exactly one mode.".to_owned())),
    };
    let channels = parse_channels(config.payment_method_channel)?;
    let wallet_key = crate::wallet::wallet_key_of(&Value::Object(customer.clone()));
    if mode != Mode::Payment && wallet_key.is_none() {
        return Err(ApiError::InvalidRequest(format!(
            "customer.hsid or customer.enterpriseId is required for {}.",
            mode.as_str()
        )));
    }
    let preselected = req.payment_method.and_then(|m| m.id).map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
    if mode == Mode::PaymentMethodDisplay && preselected.is_none() {
        return Err(ApiError::InvalidRequest("paymentMethod.id is required for PAYMENT_METHOD_DISPLAY.".to_owned()));
    }
    let (payment, amount, mtid, currency) = if mode.takes_payment() {
        let payment =
            req.payment.ok_or_else(|| ApiError::InvalidRequest("payment is required for this mode.".to_owned()))?;
        let amount = parse_amount("payment.amount", payment.amount)?;
        let mtid = parse_merchant_transaction_id(
            "payment.merchantTransactionId",
            payment.merchant_transaction_id.as_deref(),
        )?;
        if payment.authorize_card == Some(true) && payment.partial_authorization != Some(true) {
            return Err(ApiError::InvalidRequest(
                "payment.authorizeCard: true requires payment.partialAuthorization: true.".to_owned(),
            ));
        }
        let currency = match payment.currency_code.as_deref() {
            None => Currency::USD,
            Some(c) => Currency::parse(c).ok_or_else(|| {
                ApiError::InvalidRequest("payment.currencyCode is not a supported currency.".to_owned())
            })?,
        };
        (Some(payment), Some(amount), Some(mtid), currency)
    } else {
        (None, None, None, Currency::USD)
    };
    if let Some(url) = &config.privacy_policy_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2048 {
            return Err(ApiError::InvalidRequest("config.privacyPolicyUrl must be an http(s) URL.".to_owned()));
        }
    }
    // Keep only what the product uses; identity documents (SSN digits, birth date) are dropped.
    let keep = ["firstName", "lastName", "name", "email", "hsid", "enterpriseId", "enterpriseIdentifier", "phoneNumber", "zip5", "metadata"];
    let customer: serde_json::Map<String, Value> =
        customer.into_iter().filter(|(k, _)| keep.contains(&k.as_str())).collect();
    let description = payment.as_ref().and_then(|p| p.description.clone());
    Ok(NewSession {
        merchant_id: merchant.id.clone(),
        dialect: "CCG",
        mode,
        amount,
        currency,
        merchant_transaction_id: mtid,
        wallet_key,
        customer: Value::Object(customer),
        config: StoredConfig {
            channels,
            privacy_policy_url: config.privacy_policy_url,
            locale: parse_locale(config.locale.as_deref())?,
            setup_future_usage: if mode == Mode::PaymentWithWallet { "on_session" } else { "off" }.to_owned(),
            required_avs_fields: vec![],
            description,
            preselected_method_id: preselected,
            success_url: None,
            cancel_url: None,
            layout: None,
            appearance: parse_appearance("config.appearance", config.appearance.as_ref())?,
        },
        payment: match &payment {
            Some(p) => serde_json::to_value(p).map_err(anyhow::Error::from)?,
            None => json!({}),
        },
        ttl_ms: CCG_TTL_MS,
    })
}

/// URLs a merchant hands to the browser.
pub fn urls(base: &str, id: &str, secret: &str) -> (String, String, String) {
    (
        format!("{base}/v1/sessions/{id}"),
        format!("{base}/pay/{id}#cs={secret}"),
        format!("{base}/embed/{id}"),
    )
}

/// Create a checkout session (CCG dialect).
#[utoipa::path(post, path = "/v1/sessions", tag = "sessions", request_body = CcgCreate,
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = CreateSessionResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn create_ccg(
    State(st): State<AppState>,
    merchant: Merchant,
    ApiJson(req): ApiJson<CcgCreate>,
) -> ApiResult<Json<Value>> {
    create_ccg_inner(st, merchant, req).await
}

/// Create a checkout session (CCG dialect, v2 path; same contract as `/v1/sessions`).
#[utoipa::path(post, path = "/v2/sessions", tag = "sessions", request_body = CcgCreate,
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = CreateSessionResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn create_ccg_v2(
    State(st): State<AppState>,
    merchant: Merchant,
    ApiJson(req): ApiJson<CcgCreate>,
) -> ApiResult<Json<Value>> {
    create_ccg_inner(st, merchant, req).await
}

/// `{url, data}` answer of session creation.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CreateSessionResponse {
    url: String,
    data: CreateSessionData,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateSessionData {
    checkout_session_id: String,
    session_id: String,
    status: SessionStatus,
    hosted_url: String,
    url: String,
    embed_url: String,
    client_secret: String,
    expires_at: String,
}

async fn create_ccg_inner(st: AppState, merchant: Merchant, req: CcgCreate) -> ApiResult<Json<Value>> {
    let new = ccg_to_new(&merchant, req)?;
    let assisted = crate::notify::recipients(&new.config.channels.card, &new.customer)?;
    if let (Some(pm), Some(wallet)) = (&new.config.preselected_method_id, &new.wallet_key) {
        if crate::wallet::find(&st.db, &merchant.id, wallet, pm).await?.is_none() {
            return Err(ApiError::Unprocessable(
                "paymentMethod.id does not match a saved payment method of this customer.".to_owned(),
            ));
        }
    }
    let merchant_id = new.merchant_id.clone();
    let created = insert(&st.writer, new, uuid::Uuid::new_v4().to_string()).await?;
    crate::notify::queue(&st, &merchant_id, &created.id, &assisted).await?;
    let (url, hosted, embed) = urls(&st.settings.public_url, &created.id, &created.client_secret);
    Ok(Json(json!({
        "url": url,
        "data": {
            "checkoutSessionId": created.id,
            "sessionId": created.id,
            "status": "CREATED",
            "hostedUrl": hosted,
            "url": url,
            "embedUrl": embed,
            "clientSecret": created.client_secret,
            "expiresAt": rfc3339(created.expires_at),
        }
    })))
}

/// Creates a PAYMENT session for the demo page, through the same validation as the API.
pub async fn create_demo_payment(st: &AppState, merchant: &Merchant, amount: i64) -> ApiResult<CreatedSession> {
    let req: CcgCreate = serde_json::from_value(json!({
        "customer": { "firstName": "Demo", "lastName": "Payer" },
        "payment": {
            "merchantTransactionId": format!("demo-{}", uuid::Uuid::new_v4().simple()),
            "amount": amount,
            "description": "Annual membership",
        },
        "config": { "modes": ["PAYMENT"], "paymentMethodChannel": { "card": ["WEBFORM"] } }
    }))
    .map_err(anyhow::Error::from)?;
    insert(&st.writer, ccg_to_new(merchant, req)?, uuid::Uuid::new_v4().to_string()).await
}

// ---------------------------------------------------------------------------------------------
// GET /v1/sessions/{id} (merchant)

/// Loads a session of this merchant; another merchant's session is the same 404 as none.
pub async fn load_owned(db: &Db, merchant: &Merchant, id: &str) -> ApiResult<Session> {
    match load(db, id).await? {
        Some(s) if s.merchant_id == merchant.id => Ok(s),
        _ => Err(ApiError::NotFound("No session with this id for this merchant.".to_owned())),
    }
}

/// A session as its merchant sees it: status, the mode's result, every payment attempt.
#[utoipa::path(get, path = "/v1/sessions/{id}", tag = "sessions", params(("id" = String, Path)),
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, description = "`{url, data: {sessionId, status, payment, paymentAttempts, ...}}`", body = Object),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn get_for_merchant(
    State(st): State<AppState>,
    merchant: Merchant,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut s = load_owned(&st.db, &merchant, &id).await?;
    time_out_if_due(&st.db, &mut s, now_ms()).await?;
    let attempts = PaymentRow::for_session(&st.db, &s.id).await?;
    let payment = attempts
        .iter()
        .find(|p| p.status == "COMPLETED")
        .or_else(|| attempts.last())
        .map(|p| p.session_payment_json(&s));
    let last_error = attempts.last().filter(|p| p.status == "FAILED").map(|p| {
        json!({ "code": p.error_code, "declineCode": p.decline_code, "message": p.error_message })
    });
    let url = format!("{}/v1/sessions/{}", st.settings.public_url, s.id);
    let db = &st.db;
    let method_of = |id: Option<String>| async move {
        match id {
            Some(id) => crate::wallet::by_id(db, &id).await.map(|m| m.map(|m| m.merchant_json())),
            None => Ok::<_, sqlx::Error>(None),
        }
    };
    let completed_method = method_of(s.payment_method_id.clone()).await?;
    let (method_response, displayed) = match s.mode {
        Mode::PaymentMethodEntry => (completed_method, None),
        Mode::PaymentMethodDisplay => (None, method_of(s.config.preselected_method_id.clone()).await?),
        _ => (None, None),
    };
    Ok(Json(json!({
        "url": url,
        "data": {
            "sessionId": s.id,
            "id": s.id,
            "status": s.state.status(),
            "mode": s.mode,
            "merchantId": s.merchant_id,
            "amount": s.amount,
            "currencyCode": s.currency,
            "merchantTransactionId": s.merchant_transaction_id,
            "payment": payment,
            "paymentId": s.payment_id,
            "paymentMethodId": s.payment_method_id,
            "paymentMethodResponse": method_response,
            "paymentMethod": displayed,
            "paymentAttempts": attempts.iter().map(PaymentRow::attempt_json).collect::<Vec<_>>(),
            "error": last_error,
            "expiresAtUtc": rfc3339(s.expires_at),
            "createdAtUtc": rfc3339(s.created_at),
        }
    })))
}

/// Cancel a session that has not completed (`CANCELED`).
#[utoipa::path(post, path = "/v1/sessions/{id}/expire", tag = "sessions", params(("id" = String, Path)),
    security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub(crate) async fn expire(
    State(st): State<AppState>,
    merchant: Merchant,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    cancel(&st, &merchant, &id).await.map(Json)
}

/// Change the amount before the payer pays (`{"amount": N}` or `{"payment": {"amount": N}}`);
/// earlier quotes stop being valid.
#[utoipa::path(patch, path = "/v1/sessions/{id}", tag = "sessions", params(("id" = String, Path)),
    request_body = crate::hosted::PatchSession, security(("merchant_key" = [], "merchant_id" = [])),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody)))]
pub(crate) async fn patch(
    State(st): State<AppState>,
    merchant: Merchant,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<crate::hosted::PatchSession>,
) -> ApiResult<Json<Value>> {
    crate::hosted::apply_patch(&st, &merchant, &id, req).await.map(Json)
}

/// Cancels a session that has not completed; canceling twice is fine.
pub async fn cancel(st: &AppState, merchant: &Merchant, id: &str) -> ApiResult<Value> {
    let s = load_owned(&st.db, merchant, id).await?;
    const CANCEL: &str = "UPDATE sessions SET state = 'CANCELED', updated_at = $1
         WHERE id = $2 AND state IN ('PENDING_INITIALIZATION', 'INITIALIZED') RETURNING 1";
    if st.writer.once(crate::db::Write::one(CANCEL).bind(now_ms()).bind(&s.id)).await?.is_none() {
        let s = load_owned(&st.db, merchant, id).await?;
        if s.state == SessionState::Canceled {
            return Ok(json!({ "data": { "sessionId": s.id, "status": SessionStatus::Canceled } }));
        }
        return Err(ApiError::AlreadyProcessed {
            code: "not_cancelable",
            detail: format!("The session is {:?} and can no longer be canceled.", s.state.status()),
        });
    }
    Ok(json!({ "data": { "sessionId": s.id, "status": SessionStatus::Canceled } }))
}

// ---------------------------------------------------------------------------------------------
// GET /v1/sessions/{id}/config (browser)

/// What the widget renders for this session.
#[utoipa::path(get, path = "/v1/sessions/{id}/config", tag = "widget", params(("id" = String, Path)),
    security(("client_secret" = [])),
    responses((status = 200, body = SessionConfig), (status = 401, body = ErrorBody), (status = 410, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn config(State(st): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult<Json<SessionConfig>> {
    let s = authorize_browser(&st.db, &id, &headers).await?;
    // The merchant's name and origins came with the session: an unpaid session is one query.
    let merchant_name = s.merchant_name.clone();
    let merchant_origins = crate::pages::parse_origins(&s.merchant_origins);
    let payment = match &s.payment_id {
        Some(pid) => PaymentRow::by_id(&st.db, pid).await?.map(|p| p.summary()),
        None => None,
    };
    let saved = match &s.wallet_key {
        Some(w) => crate::wallet::list_for(&st.db, &s.merchant_id, w).await?,
        None => vec![],
    };
    let redirect_url = match (&payment, &s.config.success_url) {
        (Some(_), Some(url)) if s.state == SessionState::PaymentCompleted => {
            Some(crate::hosted::signed_success_url(&st.db, &s.id, &s.merchant_id, url).await?)
        }
        _ => None,
    };
    Ok(Json(SessionConfig {
        session_id: s.id.clone(),
        mode: s.mode,
        status: s.state.status(),
        amount: s.amount.map(MinorUnit),
        currency_code: s.currency,
        merchant_name,
        merchant_id: s.merchant_id.clone(),
        description: s.config.description.clone(),
        privacy_policy_url: s.config.privacy_policy_url.clone(),
        locale: s.config.locale.clone(),
        expires_at: rfc3339(s.expires_at),
        channels: s.config.channels.clone(),
        saved_methods: saved.iter().map(crate::wallet::SavedRow::sanitized).collect(),
        preselected_method_id: s
            .config
            .preselected_method_id
            .clone()
            .filter(|id| saved.iter().any(|m| &m.id == id))
            .or_else(|| saved.iter().find(|m| m.is_default).map(|m| m.id.clone())),
        required_avs_fields: s.config.required_avs_fields.clone(),
        setup_future_usage: s.config.setup_future_usage.clone(),
        payment,
        cancel_url: s.config.cancel_url.clone(),
        redirect_url,
        merchant_origins,
        close_on_success: s.config.layout.as_deref() == Some("popup"),
        can_save: s.wallet_key.is_some() && s.config.setup_future_usage != "off",
        appearance: s.config.appearance.clone(),
    }))
}
