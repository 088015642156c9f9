//! Fee quotes: `POST /v1/sessions/{id}/fee-quotes`. The quote fixes amount + fee + total for a
//! method until it expires or the merchant changes the amount; confirm charges exactly that.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use checkout_types::error::ErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use checkout_types::money::{MinorUnit, format_money};
use checkout_types::quote::{FeeQuote, FeeQuoteRequest, PaymentMethodKind};
use checkout_types::session::{BankChannel, CardChannel};

use crate::AppState;
use crate::db::{now_ms, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::fees::schedule_for;
use crate::sessions::{Session, SessionState, authorize_browser};

/// Quotes live ten minutes (never past the session's own expiry).
pub const QUOTE_TTL_MS: i64 = 10 * 60 * 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create))
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

/// Quote the convenience fee for a method; confirm charges exactly the quoted total.
#[utoipa::path(post, path = "/v1/sessions/{id}/fee-quotes", tag = "widget", params(("id" = String, Path)),
    request_body = FeeQuoteRequest, security(("client_secret" = [])),
    responses((status = 200, body = FeeQuote), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn create(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<FeeQuoteRequest>,
) -> ApiResult<Json<FeeQuote>> {
    let s = authorize_browser(&st.db, &id, &headers).await?;
    ensure_payable(&s)?;
    let mut req = req;
    if let Some(pm) = &req.payment_method_id {
        let saved = crate::wallet::method_for_charge(&st.db, &s, pm).await?;
        req.method = if saved.kind == "CARD" { PaymentMethodKind::Card } else { PaymentMethodKind::BankAccount };
        req.brand = saved.brand.clone();
    }
    if req.payment_method_id.is_none() && !channel_enabled(&s, req.method) {
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
    let insert = crate::db::Write::one(INSERT_QUOTE)
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
    Ok(Json(FeeQuote {
        quote_id,
        amount: MinorUnit(amount),
        fee: MinorUnit(fee),
        total: MinorUnit(total),
        currency_code: s.currency,
        expires_at: rfc3339(expires_at),
        disclosure,
    }))
}

/// A stored quote, as confirm needs it.
#[derive(Debug, Clone)]
pub struct StoredQuote {
    pub id: String,
    pub method: String,
    pub brand: Option<String>,
    pub amount: i64,
    pub fee: i64,
    pub total: i64,
    pub amount_version: i64,
    pub expires_at: i64,
}

