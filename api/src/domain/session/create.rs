//! Creating a session, whichever dialect asked: the checks both dialects share (amount,
//! `merchantTransactionId`, locale, appearance) and the one insert.

use checkout_types::money::{Currency, MAX_AMOUNT, MIN_AMOUNT, MinorUnit};
use checkout_types::session::{LineItem, Mode};
use serde_json::Value;

use super::StoredConfig;
use sqlx::Row;

use crate::AppState;
use crate::db::{Write, now_ms};
use crate::error::{ApiError, ApiResult};
use crate::secrets::{new_client_secret, sha256_hex};


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

/// The session, and the `merchantTransactionId` its payments will carry (a hosted session's own
/// id when it has none) registered for it in `merchant_transactions`, in one atomic write: a
/// transaction id already used by another session or by `/v2/payments` refuses the session here,
/// before anything is charged (it used to pass, then the charge's record hit the payments'
/// unique key: a 500 after the money moved).
const INSERT_SQLITE: &[&str] = &[
    "INSERT INTO sessions (id, merchant_id, dialect, mode, state, secret_hash, amount, currency,
        merchant_transaction_id, customer_json, config_json, payment_json, expires_at, created_at, updated_at, wallet_key)
     VALUES ($1, $2, $3, $4, 'INITIALIZED', $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14)",
    "INSERT INTO merchant_transactions (merchant_id, merchant_transaction_id, session_id, created_at)
     VALUES ($2, COALESCE($8, $1), $1, $13)",
];
const INSERT_POSTGRES: &str = "WITH s AS (
        INSERT INTO sessions (id, merchant_id, dialect, mode, state, secret_hash, amount, currency,
            merchant_transaction_id, customer_json, config_json, payment_json, expires_at, created_at, updated_at, wallet_key)
        VALUES ($1, $2, $3, $4, 'INITIALIZED', $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14) RETURNING id)
    INSERT INTO merchant_transactions (merchant_id, merchant_transaction_id, session_id, created_at)
    SELECT $2, COALESCE($8, s.id), s.id, $13 FROM s";

pub async fn insert(st: &AppState, new: NewSession, id: String) -> ApiResult<CreatedSession> {
    let now = now_ms();
    let client_secret = new_client_secret(&id);
    let expires_at = now + new.ttl_ms;
    let (merchant_id, mtid) = (new.merchant_id.clone(), new.merchant_transaction_id.clone().unwrap_or_else(|| id.clone()));
    let write = Write::new(INSERT_SQLITE, INSERT_POSTGRES)
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
    match st.writer.once(write).await {
        Ok(_) => Ok(CreatedSession { id, client_secret, expires_at }),
        Err(e) if e.is_unique_violation() => {
            let owner = sqlx::query("SELECT session_id FROM merchant_transactions WHERE merchant_id = $1 AND merchant_transaction_id = $2")
                .bind(&merchant_id)
                .bind(&mtid)
                .fetch_optional(&st.db)
                .await?;
            let by_session = match owner {
                Some(row) => row.try_get::<Option<String>, _>("session_id")?.is_some(),
                None => true,
            };
            Err(ApiError::InvalidRequest(if by_session {
                "payment.merchantTransactionId is already used by another session of this merchant.".to_owned()
            } else {
                "payment.merchantTransactionId is already used by a payment of this merchant (POST /v2/payments).".to_owned()
            }))
        }
        Err(e) => Err(e.into()),
    }
}

/// URLs a merchant hands to the browser: the session's API URL, `hostedUrl` (secret in the
/// fragment) and `embedUrl`.
pub fn urls(base: &str, id: &str, secret: &str) -> (String, String, String) {
    (
        format!("{base}/v1/sessions/{id}"),
        format!("{base}/pay/{id}#cs={secret}"),
        format!("{base}/embed/{id}"),
    )
}

pub(crate) fn truncate(s: &str, n: usize) -> String {
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

/// Validates line items (`field`: the request's name for them): up to 100 objects
/// `{name (or description), quantity? (default 1), amount}`, `amount` the line's total, 0 to
/// 100,000,000 minor units. Stored as `{name, quantity, amount}` and listed above the total.
pub fn parse_line_items(field: &str, items: Option<&[Value]>) -> ApiResult<Vec<LineItem>> {
    let bad = |detail: String| ApiError::InvalidRequest(detail);
    let Some(items) = items else { return Ok(vec![]) };
    if items.len() > 100 {
        return Err(bad(format!("{field} holds at most 100 items.")));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let name = v
                .get("name")
                .or_else(|| v.get("description"))
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|n| !n.is_empty() && n.chars().count() <= 100)
                .ok_or_else(|| bad(format!("{field}[{i}].name must be 1-100 characters.")))?;
            let quantity = match v.get("quantity") {
                None | Some(Value::Null) => 1,
                Some(q) => q
                    .as_u64()
                    .filter(|q| (1..=10_000).contains(q))
                    .and_then(|q| u32::try_from(q).ok())
                    .ok_or_else(|| bad(format!("{field}[{i}].quantity must be an integer from 1 to 10000.")))?,
            };
            let amount = v
                .get("amount")
                .and_then(Value::as_i64)
                .filter(|a| (0..=MAX_AMOUNT).contains(a))
                .ok_or_else(|| bad(format!("{field}[{i}].amount must be the line's total, 0 to {MAX_AMOUNT} minor units.")))?;
            Ok(LineItem { name: name.to_owned(), quantity, amount: MinorUnit(amount) })
        })
        .collect()
}

/// Validates a `merchantTransactionId` (1-50 characters).
pub fn parse_merchant_transaction_id(field: &str, id: Option<&str>) -> ApiResult<String> {
    match id.map(str::trim) {
        Some(s) if !s.is_empty() && s.chars().count() <= 50 => Ok(s.to_owned()),
        Some(_) => Err(ApiError::InvalidRequest(format!("{field} must be 1-50 characters."))),
        None => Err(ApiError::InvalidRequest(format!("{field} is required."))),
    }
}
