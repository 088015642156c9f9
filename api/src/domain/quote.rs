//! Fee quotes: a quote fixes amount + fee + total for a method until it expires or the merchant
//! changes the amount; confirm charges exactly that.

use checkout_types::money::{MinorUnit, format_money};
use checkout_types::quote::{FeeQuote, FeeQuoteRequest, PaymentMethodKind};
use checkout_types::session::{BankChannel, CardChannel};

use sqlx::Row;

use crate::AppState;
use crate::db::{Db, Write, now_ms, rfc3339};
use crate::domain::session::{Session, ensure_payable};
use crate::domain::wallet;
use crate::error::{ApiError, ApiResult};
use crate::fees::schedule_for;

/// Quotes live ten minutes (never past the session's own expiry).
pub const QUOTE_TTL_MS: i64 = 10 * 60 * 1000;

/// A stored quote, as confirm needs it.
#[derive(Debug, Clone)]
pub struct StoredQuote {
    pub id: String,
    pub method: PaymentMethodKind,
    pub brand: Option<String>,
    pub amount: i64,
    pub fee: i64,
    pub total: i64,
    pub amount_version: i64,
    pub expires_at: i64,
}

fn channel_enabled(s: &Session, method: PaymentMethodKind) -> bool {
    let ch = &s.config.channels;
    match method {
        PaymentMethodKind::Card => ch.card.contains(&CardChannel::Webform),
        PaymentMethodKind::GooglePay => ch.card.contains(&CardChannel::GooglePay),
        PaymentMethodKind::ApplePay => ch.card.contains(&CardChannel::ApplePay),
        PaymentMethodKind::BankAccount => ch.bank_account.contains(&BankChannel::Webform),
    }
}

/// A quote is stored through the writer ([`crate::db::Writer`]): on SQLite it is committed with
/// the other writes queued at that moment, instead of waiting for SQLite's lock in its busy
/// handler, which sleeps up to 100 ms between tries (fee-quote p99 at 16 clients was 229 ms).
const INSERT_QUOTE: &str = "INSERT INTO fee_quotes (id, session_id, method, brand, funding, payment_method_id, amount, fee,
        total, currency, amount_version, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

/// Quotes the convenience fee of `req`'s method on a payable session, and stores the quote.
pub async fn create(st: &AppState, s: &Session, mut req: FeeQuoteRequest) -> ApiResult<FeeQuote> {
    ensure_payable(s)?;
    crate::domain::session::links::ensure_customer(s)?;
    if let Some(pm) = &req.payment_method_id {
        let saved = wallet::method_for_charge(&st.db, s, pm).await?;
        req.method = saved.kind;
        req.brand = saved.brand.clone();
    }
    if req.payment_method_id.is_none() && !channel_enabled(s, req.method) {
        return Err(ApiError::InvalidRequest(format!(
            "method {} is not enabled for this session.",
            req.method.as_str()
        )));
    }
    let brand = match req.brand.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) if b.len() <= 20 && b.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') => {
            Some(b.to_ascii_uppercase())
        }
        Some(_) => return Err(ApiError::InvalidRequest("brand must be a card network name such as VISA.".to_owned())),
        None => None,
    };
    let amount = s.amount.ok_or_else(|| anyhow::anyhow!("payable session {} without amount", s.id))?;
    let fee = schedule_for(&st.db, &s.merchant_id, req.method, req.funding).await?.fee_for(amount);
    let total = amount + fee;
    let now = now_ms();
    let expires_at = (now + QUOTE_TTL_MS).min(s.expires_at);
    let quote_id = format!("qt_{}", uuid::Uuid::new_v4().simple());
    let funding = req.funding.and_then(|f| serde_json::to_value(f).ok().and_then(|v| v.as_str().map(str::to_owned)));
    let insert = Write::one(INSERT_QUOTE)
        .bind(&quote_id)
        .bind(&s.id)
        .bind(req.method.as_str())
        .bind(brand)
        .bind(funding)
        .bind(&req.payment_method_id)
        .bind(amount)
        .bind(fee)
        .bind(total)
        .bind(s.currency.code())
        .bind(s.amount_version)
        .bind(expires_at)
        .bind(now);
    st.writer.once(insert).await?;
    let method_name = match req.method {
        PaymentMethodKind::BankAccount => "bank account",
        _ => "card",
    };
    let disclosure = if fee == 0 {
        format!("No convenience fee applies to {method_name} payments. Total charged: {}.", format_money(MinorUnit(total), s.currency, "en"))
    } else {
        format!(
            "A convenience fee of {} applies to {method_name} payments. Total charged: {}.",
            format_money(MinorUnit(fee), s.currency, "en"),
            format_money(MinorUnit(total), s.currency, "en")
        )
    };
    Ok(FeeQuote {
        quote_id,
        amount: MinorUnit(amount),
        fee: MinorUnit(fee),
        total: MinorUnit(total),
        currency_code: s.currency,
        expires_at: rfc3339(expires_at),
        disclosure,
    })
}

/// Loads a session and, in the same query, its fee quote `quote_id` (confirm's one read).
pub async fn load_session_with_quote(db: &Db, id: &str, quote_id: &str) -> ApiResult<Option<(Session, Option<StoredQuote>)>> {
    let row = sqlx::query(
        "SELECT s.*, m.display_name AS merchant_name, m.allowed_origins AS merchant_origins,
            m.wallet_settings_json AS merchant_wallet_settings,
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
        Some(qid) => Some(StoredQuote {
            id: qid,
            method: {
                let m: String = r.try_get("q_method")?;
                PaymentMethodKind::parse(&m).ok_or_else(|| anyhow::anyhow!("unknown quote method {m} in database"))?
            },
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
