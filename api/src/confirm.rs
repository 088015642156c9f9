//! `POST /v1/sessions/{id}/confirm`: charge exactly once.
//!
//! 1. Browser credential, `Idempotency-Key`, body.
//! 2. Pre-charge checks (quote, method); nothing is written yet. If they refuse, a key seen
//!    before answers from its record instead ([`crate::idempotency`]): replay, 409 or 422.
//! 3. One transaction takes the key (already taken: answer from its record, as in 2) and makes
//!    the atomic claim `INITIALIZED -> PAYMENT_PENDING` in one `UPDATE`: only its winner
//!    charges, and a lost claim leaves no key behind.
//! 4. The processor.
//! 5. One transaction records the payment, moves the session, queues the webhooks and stores
//!    the response under the key, so a retry replays it byte for byte.
//!
//! Two commits per charge (claim, record), each durable before the next step.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use bytes::Bytes;
use checkout_types::confirm::{BankInput, CardInput, ConfirmRequest, ConfirmResponse, InlineMethod, WalletTokenInput};
use checkout_types::error::{DeclineData, ErrorBody};
use checkout_types::quote::{Funding, PaymentMethodKind};
use checkout_types::validate::bank::{check_account_number, check_routing_number};
use checkout_types::validate::card::{CardBrand, CardNumber, check_cvc, check_expiry};
use checkout_types::validate::{FieldError, check_postal_code};
use serde_json::json;
use sqlx::Row;

use crate::AppState;
use crate::db::{now_ms, today_year_month};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IdempotencyKey, parse_json};
use crate::idempotency::{self, Seen};
use crate::payments::PaymentRow;
use crate::processor::{ChargeOutcome, ChargeRequest, ChargeSource};
use crate::quotes::{StoredQuote, ensure_payable};
use crate::secrets::sha256_hex;
use crate::sessions::{Session, SessionState, authorize_browser};

/// Attempts per `merchantTransactionId` before the session fails for good.
pub const MAX_ATTEMPTS: i64 = 5;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(confirm))
}

/// Charge the session exactly once. Requires the `Idempotency-Key` header (1-255 characters).
#[utoipa::path(post, path = "/v1/sessions/{id}/confirm", tag = "widget",
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "One per payment attempt")),
    request_body = ConfirmRequest, security(("client_secret" = [])),
    responses((status = 200, body = ConfirmResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 410, body = ErrorBody),
        (status = 422, description = "PAYMENT_ERROR (decline), UNPROCESSABLE_ENTITY or IDEMPOTENCY_KEY_REUSED", body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn confirm(State(st): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    match run(&st, &id, &headers, &body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn run(st: &AppState, id: &str, headers: &HeaderMap, body: &[u8]) -> ApiResult<Response> {
    let parsed = IdempotencyKey::from_headers(headers).and_then(|key| Ok((key, parse_json::<ConfirmRequest>(body)?)));
    let (key, req) = match parsed {
        Ok(ok) => ok,
        // A bad key or body is judged after the credential, as on every widget endpoint.
        Err(e) => {
            authorize_browser(&st.db, id, headers).await?;
            return Err(e);
        }
    };
    // The session and the request's quote in one query.
    let (session, quote) = match crate::sessions::load_with_quote(&st.db, id, &req.quote_id).await? {
        Some((s, q)) => (Some(s), q),
        None => (None, None),
    };
    let session = crate::sessions::authorize_loaded_browser(&st.db, session, headers).await?;
    let fingerprint = fingerprint(&req);
    // Nothing is written before the claim: a refusal here leaves the key free for a fresh retry.
    // A key used before shows up here too (its session is no longer payable, or the claim below
    // finds the key taken), so the key's record is read only then, not on every first try.
    let prepared = match prepare(st, &session, &req, quote).await {
        Ok(p) => p,
        Err(refused) => return answer_from_key(st, &session.id, &key, &fingerprint, refused).await,
    };
    match claim(st, &session, &prepared, &key, &fingerprint).await? {
        Claimed::Won(attempt) => charge_and_record(st, &session, &key, &prepared, attempt).await,
        // Another request took this key after our checks: it is in flight, or already answered.
        Claimed::KeyTaken => answer_from_key(st, &session.id, &key, &fingerprint, key_in_flight()).await,
    }
}

fn key_in_flight() -> ApiError {
    ApiError::InProgress("A confirm with this Idempotency-Key is still being processed. Retry shortly.".to_owned())
}

/// The answer for a key used before: the stored response, 422 for another body, 409 while in
/// flight. A key never used gets `otherwise`.
async fn answer_from_key(
    st: &AppState,
    session_id: &str,
    key: &IdempotencyKey,
    fingerprint: &str,
    otherwise: ApiError,
) -> ApiResult<Response> {
    match idempotency::lookup(&st.db, session_id, key.as_str(), fingerprint).await? {
        Some(Seen::Replay { status, body }) => Ok(json_response(status, body)),
        Some(Seen::Mismatch) => Err(ApiError::IdempotencyKeyReused),
        Some(Seen::InFlight) => Err(key_in_flight()),
        None => Err(otherwise),
    }
}

fn json_response(status: u16, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// A digest of the request that identifies "the same body" without keeping card data: the card
/// number and CVC enter only as brand, last four and lengths.
pub fn fingerprint(req: &ConfirmRequest) -> String {
    let method = match &req.payment_method {
        Some(InlineMethod::Card { card }) => {
            let digits = checkout_types::validate::digits_only(&card.number);
            let last4 = digits.get(digits.len().saturating_sub(4)..).unwrap_or("");
            json!({
                "type": "CARD",
                "brand": checkout_types::validate::card::CardBrand::detect(&digits).wire_name(),
                "last4": last4,
                "len": digits.len(),
                "exp": [card.exp_month, card.exp_year],
                "cvcLen": card.cvc.len(),
                "name": card.name_on_card,
                "zip": card.zip_code,
            })
        }
        Some(InlineMethod::BankAccount { bank_account: b }) => {
            let last4 = b.account_number.get(b.account_number.len().saturating_sub(4)..).unwrap_or("");
            json!({
                "type": "BANK_ACCOUNT",
                "routing": b.routing_number,
                "last4": last4,
                "len": b.account_number.len(),
                "accountType": b.account_type,
                "holder": b.account_holder_name,
            })
        }
        Some(InlineMethod::GooglePay { google_pay: w }) => wallet_fingerprint(PaymentMethodKind::GooglePay, w),
        Some(InlineMethod::ApplePay { apple_pay: w }) => wallet_fingerprint(PaymentMethodKind::ApplePay, w),
        None => serde_json::Value::Null,
    };
    let canonical = json!({
        "quoteId": req.quote_id,
        "paymentMethodId": req.payment_method_id,
        "saveForFuture": req.save_for_future,
        "method": method,
    });
    sha256_hex(canonical.to_string().as_bytes())
}

/// A wallet token enters the fingerprint only as its SHA-256.
fn wallet_fingerprint(kind: PaymentMethodKind, w: &WalletTokenInput) -> serde_json::Value {
    json!({ "type": kind.as_str(), "token": sha256_hex(w.token.as_bytes()), "network": w.network, "last4": w.last4 })
}

/// (expiry month, expiry year, name on card, ZIP, bank account type) of a method.
pub(crate) type DisplayFields = (Option<i64>, Option<i64>, Option<String>, Option<String>, Option<String>);

/// A parsed, checked method to charge (or save).
pub(crate) enum Method {
    Card { number: CardNumber, exp_month: u8, exp_year: u16, cvc: String, name: Option<String>, zip: Option<String> },
    Bank { routing: String, account: String, account_type: String },
    /// A device wallet's one-time token (`GOOGLE_PAY` or `APPLE_PAY`): charged, never saved.
    Wallet { kind: PaymentMethodKind, token: String, brand: CardBrand, last4: String },
    Saved(crate::wallet::SavedRow),
}

impl Method {
    pub(crate) fn kind(&self) -> &str {
        match self {
            Method::Card { .. } => "CARD",
            Method::Bank { .. } => "BANK_ACCOUNT",
            Method::Wallet { kind, .. } => kind.as_str(),
            Method::Saved(m) => &m.kind,
        }
    }
    pub(crate) fn brand(&self) -> Option<String> {
        match self {
            Method::Card { number, .. } => Some(number.brand().wire_name().to_owned()),
            Method::Bank { .. } => None,
            Method::Wallet { brand, .. } => Some(brand.wire_name().to_owned()),
            Method::Saved(m) => m.brand.clone(),
        }
    }
    pub(crate) fn last4(&self) -> String {
        match self {
            Method::Card { number, .. } => number.last4().to_owned(),
            Method::Bank { account, .. } => account[account.len() - 4..].to_owned(),
            Method::Wallet { last4, .. } => last4.clone(),
            Method::Saved(m) => m.last4.clone(),
        }
    }
    /// What the processor charges or vaults.
    pub(crate) fn source(&self) -> ChargeSource<'_> {
        match self {
            Method::Card { number, exp_month, exp_year, cvc, .. } => {
                ChargeSource::Card { number, exp_month: *exp_month, exp_year: *exp_year, cvc }
            }
            Method::Bank { routing, account, account_type } => {
                ChargeSource::Bank { routing_number: routing, account_number: account, account_type }
            }
            Method::Wallet { kind, token, .. } => ChargeSource::Wallet { wallet: kind.as_str(), token },
            Method::Saved(m) => crate::wallet::token_source(m),
        }
    }
    /// (expiry month, expiry year, name, ZIP, account type): what a saved method may show.
    pub(crate) fn display_fields(&self) -> DisplayFields {
        match self {
            Method::Card { exp_month, exp_year, name, zip, .. } => {
                (Some(i64::from(*exp_month)), Some(i64::from(*exp_year)), name.clone(), zip.clone(), None)
            }
            Method::Bank { account_type, .. } => (None, None, None, None, Some(account_type.clone())),
            Method::Wallet { .. } => (None, None, None, None, None),
            Method::Saved(m) => (m.exp_month, m.exp_year, m.name_on_card.clone(), m.zip_code.clone(), m.account_type.clone()),
        }
    }
    fn saved_id(&self) -> Option<String> {
        match self {
            Method::Saved(m) => Some(m.id.clone()),
            _ => None,
        }
    }
}

struct Prepared {
    quote: StoredQuote,
    method: Method,
    /// Save the method to the wallet after a successful charge.
    save: bool,
}

fn field_error(field: &str, e: FieldError) -> ApiError {
    let what = match e {
        FieldError::Required => "is required",
        FieldError::InvalidCardNumber => "is not a valid card number",
        FieldError::InvalidExpiry => "is not a valid expiry date",
        FieldError::ExpiredCard => "is in the past: the card has expired",
        FieldError::InvalidCvc => "has the wrong length for this card",
        FieldError::InvalidRoutingNumber => "is not a valid ABA routing number",
        FieldError::InvalidAccountNumber => "must be 4-17 digits",
        FieldError::AccountNumberMismatch => "does not match",
        FieldError::InvalidPostalCode => "is not a valid ZIP code",
    };
    ApiError::InvalidRequest(format!("{field} {what}."))
}

pub(crate) fn parse_card(card: &CardInput, s: &Session) -> ApiResult<Method> {
    parse_card_with(card, &s.config.required_avs_fields)
}

/// Checks an inline card against the shared parsers and the required AVS fields.
pub(crate) fn parse_card_with(card: &CardInput, avs: &[String]) -> ApiResult<Method> {
    let number =
        CardNumber::try_from(card.number.as_str()).map_err(|e| field_error("paymentMethod.card.number", e))?;
    check_expiry(card.exp_month, card.exp_year, today_year_month())
        .map_err(|e| field_error("paymentMethod.card.expMonth/expYear", e))?;
    check_cvc(&card.cvc, number.brand()).map_err(|e| field_error("paymentMethod.card.cvc", e))?;
    match card.zip_code.as_deref().map(str::trim).filter(|z| !z.is_empty()) {
        Some(z) => check_postal_code(z).map_err(|e| field_error("paymentMethod.card.zipCode", e))?,
        None if avs.iter().any(|f| f == "zip") => {
            return Err(field_error("paymentMethod.card.zipCode", FieldError::Required));
        }
        None => {}
    }
    let name = card.name_on_card.as_deref().map(str::trim).unwrap_or("");
    if name.is_empty() && avs.iter().any(|f| f == "cardholder") {
        return Err(field_error("paymentMethod.card.nameOnCard", FieldError::Required));
    }
    if name.chars().count() > 100 {
        return Err(ApiError::InvalidRequest("paymentMethod.card.nameOnCard is longer than 100 characters.".to_owned()));
    }
    let zip = card.zip_code.as_deref().map(str::trim).filter(|z| !z.is_empty()).map(str::to_owned);
    let name = Some(name.to_owned()).filter(|n| !n.is_empty());
    Ok(Method::Card { number, exp_month: card.exp_month, exp_year: card.exp_year, cvc: card.cvc.trim().to_owned(), name, zip })
}

/// Checks an inline method: a card (with the `avs` fields it must carry), a bank account, or a
/// device wallet's token.
pub(crate) fn parse_inline(m: &InlineMethod, avs: &[String]) -> ApiResult<Method> {
    match m {
        InlineMethod::Card { card } => parse_card_with(card, avs),
        InlineMethod::BankAccount { bank_account } => parse_bank(bank_account),
        InlineMethod::GooglePay { google_pay } => parse_wallet(PaymentMethodKind::GooglePay, google_pay),
        InlineMethod::ApplePay { apple_pay } => parse_wallet(PaymentMethodKind::ApplePay, apple_pay),
    }
}

/// Checks a device wallet's token and the card the wallet shows for it.
fn parse_wallet(kind: PaymentMethodKind, w: &WalletTokenInput) -> ApiResult<Method> {
    let field = if kind == PaymentMethodKind::GooglePay { "paymentMethod.googlePay" } else { "paymentMethod.applePay" };
    let token = w.token.trim();
    if token.is_empty() || token.len() > 16_384 {
        return Err(ApiError::InvalidRequest(format!("{field}.token must be 1-16384 characters.")));
    }
    let network = w.network.trim().to_ascii_uppercase();
    let brand = match network.as_str() {
        "CHINAUNIONPAY" => CardBrand::UnionPay,
        other => CardBrand::from_wire(other),
    };
    if brand == CardBrand::Unknown {
        return Err(ApiError::InvalidRequest(format!(
            "{field}.network must be one of VISA, MASTERCARD, AMEX, DISCOVER, DINERS, JCB or UNIONPAY."
        )));
    }
    if w.last4.len() != 4 || !w.last4.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::InvalidRequest(format!("{field}.last4 must be 4 digits.")));
    }
    Ok(Method::Wallet { kind, token: token.to_owned(), brand, last4: w.last4.clone() })
}

pub(crate) fn parse_bank(b: &BankInput) -> ApiResult<Method> {
    let routing = check_routing_number(&b.routing_number)
        .map_err(|e| field_error("paymentMethod.bankAccount.routingNumber", e))?;
    let account = check_account_number(&b.account_number)
        .map_err(|e| field_error("paymentMethod.bankAccount.accountNumber", e))?;
    let account_type = b.account_type.trim().to_ascii_lowercase();
    if account_type != "checking" && account_type != "savings" {
        return Err(ApiError::InvalidRequest(
            "paymentMethod.bankAccount.accountType must be `checking` or `savings`.".to_owned(),
        ));
    }
    let holder = b.account_holder_name.trim();
    if holder.is_empty() || holder.chars().count() > 100 {
        return Err(ApiError::InvalidRequest(
            "paymentMethod.bankAccount.accountHolderName must be 1-100 characters.".to_owned(),
        ));
    }
    Ok(Method::Bank { routing, account, account_type })
}

async fn prepare(st: &AppState, s: &Session, req: &ConfirmRequest, quote: Option<StoredQuote>) -> ApiResult<Prepared> {
    ensure_payable(s)?;
    let quote = quote.ok_or_else(|| ApiError::Unprocessable("quoteId does not match a fee quote of this session.".to_owned()))?;
    if quote.expires_at <= now_ms() {
        return Err(ApiError::Unprocessable("The fee quote has expired. Request a new quote.".to_owned()));
    }
    if quote.amount_version != s.amount_version || Some(quote.amount) != s.amount {
        return Err(ApiError::Unprocessable(
            "The amount changed after this fee quote was made. Request a new quote.".to_owned(),
        ));
    }
    let method = match (&req.payment_method_id, &req.payment_method) {
        (Some(_), Some(_)) => {
            return Err(ApiError::InvalidRequest("Send paymentMethodId or paymentMethod, not both.".to_owned()));
        }
        (None, None) => return Err(ApiError::InvalidRequest("paymentMethod or paymentMethodId is required.".to_owned())),
        (Some(id), None) => Method::Saved(crate::wallet::method_for_charge(&st.db, s, id).await?),
        (None, Some(inline)) => parse_inline(inline, &s.config.required_avs_fields)?,
    };
    if quote.method != method.kind() {
        return Err(ApiError::Unprocessable(format!(
            "The fee quote was made for {} but the payment method is {}. Request a new quote.",
            quote.method,
            method.kind()
        )));
    }
    if let (Some(quoted), Some(actual)) = (&quote.brand, method.brand()) {
        if *quoted != actual {
            return Err(ApiError::Unprocessable(
                "The fee quote was made for another card brand. Request a new quote.".to_owned(),
            ));
        }
    }
    let save = req.save_for_future == Some(true)
        && s.config.setup_future_usage != "off"
        && s.wallet_key.is_some()
        && !matches!(method, Method::Saved(_) | Method::Wallet { .. });
    Ok(Prepared { quote, method, save })
}

/// How a claim ended when it did not fail.
enum Claimed {
    /// This request charges; the attempt number.
    Won(i64),
    /// A concurrent request holds the same `Idempotency-Key`.
    KeyTaken,
}

/// The atomic claim, together with the `Idempotency-Key`: one `UPDATE` moves
/// `INITIALIZED -> PAYMENT_PENDING` if and only if the session is still payable, unexpired, at
/// the quoted amount and the key is new, and the key is stored only with it. A lost claim stores
/// no key, so a retry is judged afresh.
async fn claim(st: &AppState, s: &Session, p: &Prepared, key: &IdempotencyKey, fingerprint: &str) -> ApiResult<Claimed> {
    let quote = &p.quote;
    let now = now_ms();
    let claim = json!({
        "key": key.as_str(), "amount": quote.amount, "fee": quote.fee, "total": quote.total,
        "methodType": p.method.kind(), "brand": p.method.brand(), "last4": p.method.last4(),
        "paymentMethodId": p.method.saved_id(),
    });
    let write = crate::db::Write::new(CLAIM_SQLITE, CLAIM_POSTGRES)
        .bind(now)
        .bind(&s.id)
        .bind(quote.amount_version)
        .bind(MAX_ATTEMPTS)
        .bind(claim.to_string())
        .bind(key.as_str())
        .bind(fingerprint);
    match st.writer.once(write).await {
        Ok(Some(attempts)) => return Ok(Claimed::Won(attempts)),
        Ok(None) => {}
        // PostgreSQL: the key was taken between our read and our insert; the statement undid itself.
        Err(e) if e.is_unique_violation() => return Ok(Claimed::KeyTaken),
        Err(e) => return Err(e.into()),
    }
    if idempotency::lookup(&st.db, &s.id, key.as_str(), fingerprint).await?.is_some() {
        return Ok(Claimed::KeyTaken);
    }
    claim_lost(st, s, quote, now).await
}

// The claim, on both backends: it claims the session only if the key is new, and takes the key
// only with the claim. Parameters: $1 now, $2 session, $3 the quote's amount version, $4 the
// attempt limit, $5 the claim's summary, $6 the key, $7 the request's fingerprint. It returns the
// attempt number when it won, else nothing (or NULL), and the caller asks why.

/// PostgreSQL: one autocommitted statement. Concurrent claims of one session queue on its row;
/// the loser re-reads it (no longer `INITIALIZED`) and claims nothing.
const CLAIM_POSTGRES: &str = "WITH c AS (
        UPDATE sessions SET state = 'PAYMENT_PENDING', attempts = attempts + 1, updated_at = $1, claim_json = $5
        WHERE id = $2 AND state = 'INITIALIZED' AND expires_at > $1 AND amount_version = $3 AND attempts < $4
          AND NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE session_id = $2 AND idem_key = $6)
        RETURNING attempts),
    k AS (INSERT INTO idempotency_keys (session_id, idem_key, fingerprint, created_at) SELECT $2, $6, $7, $1 FROM c)
    SELECT (SELECT attempts FROM c) AS attempts";

/// SQLite: two statements run as one atomic write by the SQLite writer ([`crate::db::Writer`]).
/// `changes()` is the row count of the UPDATE just before it.
const CLAIM_SQLITE: &[&str] = &[
    "UPDATE sessions SET state = 'PAYMENT_PENDING', attempts = attempts + 1, updated_at = $1, claim_json = $5
     WHERE id = $2 AND state = 'INITIALIZED' AND expires_at > $1 AND amount_version = $3 AND attempts < $4
       AND NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE session_id = $2 AND idem_key = $6)
     RETURNING attempts",
    "INSERT INTO idempotency_keys (session_id, idem_key, fingerprint, created_at) SELECT $2, $6, $7, $1 WHERE changes() = 1",
];

/// Why a claim that took nothing lost: the session expired, is no longer payable, its amount
/// changed, or another request's claim holds it.
async fn claim_lost(st: &AppState, s: &Session, quote: &StoredQuote, now: i64) -> ApiResult<Claimed> {
    let fresh = crate::sessions::load(&st.db, &s.id).await?.ok_or(ApiError::Unauthorized)?;
    if fresh.is_expired(now) {
        return Err(ApiError::SessionTimeout);
    }
    ensure_payable(&fresh)?;
    if fresh.amount_version != quote.amount_version {
        return Err(ApiError::Unprocessable(
            "The amount changed after this fee quote was made. Request a new quote.".to_owned(),
        ));
    }
    Err(ApiError::InProgress("A payment for this session is being processed.".to_owned()))
}

async fn charge_and_record(
    st: &AppState,
    s: &Session,
    key: &IdempotencyKey,
    p: &Prepared,
    attempt: i64,
) -> ApiResult<Response> {
    let source = p.method.source();
    let processor_key = format!("{}:{}", s.id, key.as_str());
    let charge = st.processor.charge(ChargeRequest {
        total: p.quote.total,
        currency: s.currency,
        source,
        idempotency_key: &processor_key,
    });
    let deadline = std::time::Duration::from_millis(st.settings.processor_deadline_ms);
    let Ok(outcome) = tokio::time::timeout(deadline, charge).await else {
        return record_pending(st, s, key, p, attempt, &processor_key).await;
    };
    let payment_id = uuid::Uuid::now_v7().to_string();
    let now = now_ms();
    let mtid = s.merchant_transaction_id.clone().unwrap_or_else(|| s.id.clone());
    let (status, reference, funding, code, decline_code, message) = match &outcome {
        ChargeOutcome::Approved { reference, funding } => ("COMPLETED", Some(reference.clone()), *funding, None, None, None),
        ChargeOutcome::Declined { code, decline_code, message } => {
            ("FAILED", None, None, Some(code.clone()), decline_code.clone(), Some(message.clone()))
        }
    };
    // Everything the record needs is built first: the writer's turn (one at a time on SQLite)
    // holds only the five statements and the commit.
    let payment = PaymentRow {
        id: payment_id.clone(),
        merchant_id: s.merchant_id.clone(),
        merchant_transaction_id: mtid,
        attempt,
        amount: p.quote.amount,
        fee: p.quote.fee,
        total: p.quote.total,
        currency: s.currency,
        status: status.to_owned(),
        method_type: p.method.kind().to_owned(),
        brand: p.method.brand(),
        last4: p.method.last4(),
        error_code: code.clone(),
        decline_code: decline_code.clone(),
        error_message: message.clone(),
        payment_method_id: p.method.saved_id(),
        created_at: now,
    };
    let next_state = if status == "COMPLETED" {
        SessionState::PaymentCompleted
    } else if attempt >= MAX_ATTEMPTS {
        SessionState::PaymentFailed
    } else {
        SessionState::Initialized
    };
    let (http_status, body) = if status == "COMPLETED" {
        let redirect_url = match &s.config.success_url {
            Some(url) => Some(crate::hosted::signed_success_url(&st.db, &s.id, &s.merchant_id, url).await?),
            None => None,
        };
        let resp = ConfirmResponse {
            session_id: s.id.clone(),
            status: next_state.status(),
            payment: payment.summary(),
            redirect_url,
        };
        (StatusCode::OK, serde_json::to_string(&resp).map_err(anyhow::Error::from)?)
    } else {
        let decline = DeclineData {
            code: code.clone().unwrap_or_default(),
            message: message.clone().unwrap_or_default(),
            decline_code,
            payment_id: Some(payment_id.clone()),
            attempts_remaining: Some(u32::try_from((MAX_ATTEMPTS - attempt).max(0)).unwrap_or(0)),
        };
        let mut data = serde_json::to_value(&decline).map_err(anyhow::Error::from)?;
        data["sessionStatus"] = serde_json::to_value(next_state.status()).map_err(anyhow::Error::from)?;
        let body = ErrorBody {
            title: "PAYMENT_ERROR".to_owned(),
            status: 422,
            detail: message.unwrap_or_default(),
            data: Some(data),
        };
        (StatusCode::UNPROCESSABLE_ENTITY, serde_json::to_string(&body).map_err(anyhow::Error::from)?)
    };
    let event = if status == "COMPLETED" { "PAYMENT_SUCCEEDED" } else { "PAYMENT_FAILED" };
    let mut payload = crate::webhooks::payment_payload(&payment, &s.id);
    payload["final"] = serde_json::Value::Bool(next_state != SessionState::Initialized);
    let (event_id, event_body) = crate::webhooks::event(event, &payload, now);
    let completed = (next_state != SessionState::Initialized).then(|| {
        let completed = json!({ "checkoutSessionId": s.id, "status": next_state.status(), "paymentId": payment.id });
        crate::webhooks::event("CHECKOUT_SESSION_COMPLETED", &completed, now)
    });

    // One atomic write records everything (the payment, the session's move, the key's answer,
    // the webhooks): `db::Writer::once`.
    let (sqlite, postgres) = match completed.is_some() {
        false => (RECORD_SQLITE, RECORD_POSTGRES),
        true => (RECORD_FINAL_SQLITE, RECORD_FINAL_POSTGRES),
    };
    let (completed_id, completed_body) = completed.unzip();
    let record = crate::db::Write::new(sqlite, postgres)
        .bind(&payment.id)
        .bind(&payment.merchant_id)
        .bind(&s.id)
        .bind(&payment.merchant_transaction_id)
        .bind(attempt)
        .bind(payment.amount)
        .bind(payment.fee)
        .bind(payment.total)
        .bind(s.currency.code())
        .bind(status)
        .bind(&payment.method_type)
        .bind(&payment.brand)
        .bind(&payment.last4)
        .bind(funding.map(|f| if f == Funding::Debit { "debit" } else { "credit" }))
        .bind(reference)
        .bind(&payment.error_code)
        .bind(&payment.decline_code)
        .bind(&payment.error_message)
        .bind(&payment.payment_method_id)
        .bind(now)
        .bind(next_state.as_str())
        .bind(i64::from(http_status.as_u16()))
        .bind(&body)
        .bind(key.as_str())
        .bind(event_id)
        .bind(event)
        .bind(event_body)
        .bind(completed_id)
        .bind("CHECKOUT_SESSION_COMPLETED")
        .bind(completed_body);
    st.writer.once(record).await?;
    tracing::info!(session = %s.id, payment = %payment_id, status, attempt, "confirm recorded");
    if status == "COMPLETED" && p.save {
        // Saving for later is a convenience: a failure here must not undo the payment.
        if let Err(e) = crate::wallet::save_method(st, s, &p.method, None, false).await {
            tracing::warn!(session = %s.id, error = %e, "could not save the payment method for later");
        }
    }
    Ok(json_response(http_status.as_u16(), body))
}

// The record of a charge's outcome, one statement on each backend. Parameters: $1-$20 the
// payment row ($1 id, $2 merchant, $3 session, $20 now), $21 the session's next state, $22-$23
// the key's stored answer, $24 the key, $25-$27 the payment event, $28-$30 the session event
// (only in the `FINAL` forms; a non-final decline leaves the session payable and sends one event).
// SQLite runs the statements in order as one atomic write (the SQLite writer, `db::Writer`);
// PostgreSQL runs data-modifying CTEs as one atomic statement.
macro_rules! record_sql {
    (sqlite, $events:literal) => {
        &[
            "INSERT INTO payments (id, merchant_id, session_id, merchant_transaction_id, attempt, amount, fee, total,
                currency, status, method_type, brand, last4, funding, processor_ref, error_code, decline_code,
                error_message, payment_method_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)",
            "UPDATE sessions SET state = $21, payment_id = $1, updated_at = $20 WHERE id = $3 AND state = 'PAYMENT_PENDING'",
            "UPDATE idempotency_keys SET response_status = $22, response_body = $23 WHERE session_id = $3 AND idem_key = $24",
            concat!("INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at) VALUES ", $events),
        ]
    };
    (postgres, $events:literal) => {
        concat!(
            "WITH p AS (INSERT INTO payments (id, merchant_id, session_id, merchant_transaction_id, attempt, amount, fee,
                total, currency, status, method_type, brand, last4, funding, processor_ref, error_code, decline_code,
                error_message, payment_method_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)),
             s AS (UPDATE sessions SET state = $21, payment_id = $1, updated_at = $20 WHERE id = $3 AND state = 'PAYMENT_PENDING'),
             k AS (UPDATE idempotency_keys SET response_status = $22, response_body = $23 WHERE session_id = $3 AND idem_key = $24)
             INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at) VALUES ",
            $events
        )
    };
}
const RECORD_SQLITE: &[&str] = record_sql!(sqlite, "($25, $2, $26, $27, $20, $20)");
const RECORD_FINAL_SQLITE: &[&str] = record_sql!(sqlite, "($25, $2, $26, $27, $20, $20), ($28, $2, $29, $30, $20, $20)");
const RECORD_POSTGRES: &str = record_sql!(postgres, "($25, $2, $26, $27, $20, $20)");
const RECORD_FINAL_POSTGRES: &str = record_sql!(postgres, "($25, $2, $26, $27, $20, $20), ($28, $2, $29, $30, $20, $20)");

/// A session payment whose outcome the processor has not told us yet.
struct Awaiting<'a> {
    id: &'a str,
    merchant_id: &'a str,
    session_id: &'a str,
    merchant_transaction_id: &'a str,
    attempt: i64,
    /// (amount, fee, total)
    amounts: (i64, i64, i64),
    currency: &'a str,
    /// (type, brand, last4, saved method id)
    method: (&'a str, Option<String>, String, Option<String>),
    processor_key: &'a str,
    now: i64,
}

/// Inserts a `PENDING` payment that [`reconcile_pending`] will finish via `processor_key`.
async fn insert_awaiting(tx: &mut sqlx::AnyConnection, a: &Awaiting<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payments (id, merchant_id, session_id, merchant_transaction_id, attempt, amount, fee, total,
            currency, status, method_type, brand, last4, processor_ref, payment_method_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'PENDING', $10, $11, $12, $13, $14, $15, $15)",
    )
    .bind(a.id)
    .bind(a.merchant_id)
    .bind(a.session_id)
    .bind(a.merchant_transaction_id)
    .bind(a.attempt)
    .bind(a.amounts.0)
    .bind(a.amounts.1)
    .bind(a.amounts.2)
    .bind(a.currency)
    .bind(a.method.0)
    .bind(&a.method.1)
    .bind(&a.method.2)
    .bind(format!("awaiting:{}", a.processor_key))
    .bind(&a.method.3)
    .bind(a.now)
    .execute(tx)
    .await?;
    Ok(())
}

/// The processor missed its deadline: record the attempt as `PENDING` (the session stays
/// claimed), answer `202`, and let [`reconcile_pending`] finish it when the processor answers.
async fn record_pending(
    st: &AppState,
    s: &Session,
    key: &IdempotencyKey,
    p: &Prepared,
    attempt: i64,
    processor_key: &str,
) -> ApiResult<Response> {
    let payment_id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let mtid = s.merchant_transaction_id.clone().unwrap_or_else(|| s.id.clone());
    let mut tx = crate::db::begin_write(&st.db).await?;
    insert_awaiting(&mut tx, &Awaiting {
        id: &payment_id,
        merchant_id: &s.merchant_id,
        session_id: &s.id,
        merchant_transaction_id: &mtid,
        attempt,
        amounts: (p.quote.amount, p.quote.fee, p.quote.total),
        currency: s.currency.code(),
        method: (p.method.kind(), p.method.brand(), p.method.last4(), p.method.saved_id()),
        processor_key,
        now,
    })
    .await?;
    sqlx::query("UPDATE sessions SET payment_id = $1, updated_at = $2 WHERE id = $3")
        .bind(&payment_id)
        .bind(now)
        .bind(&s.id)
        .execute(&mut *tx)
        .await?;
    let payment = PaymentRow::by_id_in(&mut tx, &payment_id).await?;
    let resp = ConfirmResponse {
        session_id: s.id.clone(),
        status: SessionState::PaymentPending.status(),
        payment: payment.summary(),
        redirect_url: None,
    };
    let body = serde_json::to_string(&resp).map_err(anyhow::Error::from)?;
    sqlx::query(
        "UPDATE idempotency_keys SET response_status = 202, response_body = $1 WHERE session_id = $2 AND idem_key = $3",
    )
    .bind(&body)
    .bind(&s.id)
    .bind(key.as_str())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(session = %s.id, payment = %payment_id, attempt, "processor deadline passed; payment pending");
    Ok(json_response(202, body))
}

/// The worker's poll for payments awaiting the processor (index `payments_awaiting`).
pub const AWAITING_SQL: &str = "SELECT id, session_id, merchant_id, processor_ref, attempt FROM payments
     WHERE status = 'PENDING' AND processor_ref LIKE 'awaiting:%' LIMIT 50";

/// Finishes `PENDING` payments whose processor has answered since: the payment, its session and
/// the webhooks move in one transaction, exactly once even with several API nodes.
pub async fn reconcile_pending(st: &AppState) -> Result<usize, sqlx::Error> {
    let rows = sqlx::query(AWAITING_SQL).fetch_all(&st.db)
    .await?;
    let mut done = 0;
    for r in rows {
        let id: String = r.try_get("id")?;
        let reference: String = r.try_get("processor_ref")?;
        let Some(outcome) = st.processor.retrieve(reference.trim_start_matches("awaiting:")).await else { continue };
        let session_id: Option<String> = r.try_get("session_id")?;
        let merchant_id: String = r.try_get("merchant_id")?;
        let attempt: i64 = r.try_get("attempt")?;
        let (status, processor_ref, code, decline, message) = match &outcome {
            ChargeOutcome::Approved { reference, .. } => ("COMPLETED", Some(reference.clone()), None, None, None),
            ChargeOutcome::Declined { code, decline_code, message } => {
                ("FAILED", None, Some(code.clone()), decline_code.clone(), Some(message.clone()))
            }
        };
        let now = now_ms();
        let mut tx = crate::db::begin_write(&st.db).await?;
        let moved = sqlx::query(
            "UPDATE payments SET status = $1, processor_ref = $2, error_code = $3, decline_code = $4, error_message = $5,
                updated_at = $6 WHERE id = $7 AND status = 'PENDING'",
        )
        .bind(status)
        .bind(processor_ref)
        .bind(&code)
        .bind(&decline)
        .bind(&message)
        .bind(now)
        .bind(&id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved == 0 {
            continue;
        }
        let payment = PaymentRow::by_id_in(&mut tx, &id).await?;
        let final_state = if status == "COMPLETED" {
            Some(SessionState::PaymentCompleted)
        } else if attempt >= MAX_ATTEMPTS {
            Some(SessionState::PaymentFailed)
        } else {
            None
        };
        if let Some(sid) = &session_id {
            let next = final_state.unwrap_or(SessionState::Initialized);
            sqlx::query("UPDATE sessions SET state = $1, updated_at = $2 WHERE id = $3 AND state = 'PAYMENT_PENDING'")
                .bind(next.as_str())
                .bind(now)
                .bind(sid)
                .execute(&mut *tx)
                .await?;
        }
        let event = if status == "COMPLETED" { "PAYMENT_SUCCEEDED" } else { "PAYMENT_FAILED" };
        let mut payload = crate::webhooks::payment_payload(&payment, session_id.as_deref().unwrap_or(""));
        payload["final"] = serde_json::Value::Bool(final_state.is_some());
        let mut events = vec![(event, payload)];
        if let (Some(sid), Some(state)) = (&session_id, final_state) {
            events.push(("CHECKOUT_SESSION_COMPLETED", json!({ "checkoutSessionId": sid, "status": state.status(), "paymentId": id })));
        }
        crate::webhooks::enqueue(&mut tx, &merchant_id, &events).await?;
        tx.commit().await?;
        tracing::info!(payment = %id, status, "pending payment finished");
        done += 1;
    }
    Ok(done)
}

/// How long a claim may stay without a payment row before the worker settles it. A live confirm
/// records its outcome (or its pending payment) within the processor deadline.
pub const CLAIM_LEASE_MS: i64 = 30_000;

/// The worker's poll for claims orphaned by a crash (index `sessions_claimed`).
pub const STALE_CLAIMS_SQL: &str = "SELECT s.id, s.merchant_id, s.merchant_transaction_id, s.currency, s.attempts, s.claim_json
     FROM sessions s
     WHERE s.state = 'PAYMENT_PENDING' AND s.updated_at < $1
       AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.session_id = s.id AND p.attempt = s.attempts)
     LIMIT 50";

/// Settles claims orphaned by a crash between the claim and the record: the session is
/// `PAYMENT_PENDING` with no payment for the attempt. If the processor knows the charge it is
/// recorded as pending (then finished by [`reconcile_pending`]); if it never saw it, the claim
/// is released (session payable again, the attempt not counted, the key free) so the client's
/// retry with the same `Idempotency-Key` charges exactly once.
pub async fn recover_stale_claims(st: &AppState, lease_ms: i64) -> Result<usize, sqlx::Error> {
    let now = now_ms();
    let rows = sqlx::query(STALE_CLAIMS_SQL)
    .bind(now - lease_ms)
    .fetch_all(&st.db)
    .await?;
    let mut settled = 0;
    for r in rows {
        let sid: String = r.try_get("id")?;
        let attempts: i64 = r.try_get("attempts")?;
        let claim: serde_json::Value =
            r.try_get::<Option<String>, _>("claim_json")?.and_then(|c| serde_json::from_str(&c).ok()).unwrap_or_default();
        let key = claim["key"].as_str().unwrap_or_default().to_owned();
        let processor_key = format!("{sid}:{key}");
        let known = !key.is_empty() && st.processor.retrieve(&processor_key).await.is_some();
        let mut tx = crate::db::begin_write(&st.db).await?;
        if known {
            let mtid = r.try_get::<Option<String>, _>("merchant_transaction_id")?.unwrap_or_else(|| sid.clone());
            let (merchant_id, currency): (String, String) = (r.try_get("merchant_id")?, r.try_get("currency")?);
            let amount = |k: &str| claim[k].as_i64().unwrap_or(0);
            insert_awaiting(&mut tx, &Awaiting {
                id: &uuid::Uuid::new_v4().to_string(),
                merchant_id: &merchant_id,
                session_id: &sid,
                merchant_transaction_id: &mtid,
                attempt: attempts,
                amounts: (amount("amount"), amount("fee"), amount("total")),
                currency: &currency,
                method: (
                    claim["methodType"].as_str().unwrap_or("CARD"),
                    claim["brand"].as_str().map(str::to_owned),
                    claim["last4"].as_str().unwrap_or("").to_owned(),
                    claim["paymentMethodId"].as_str().map(str::to_owned),
                ),
                processor_key: &processor_key,
                now,
            })
            .await?;
        } else {
            let released = sqlx::query(
                "UPDATE sessions SET state = 'INITIALIZED', attempts = attempts - 1, claim_json = NULL, updated_at = $1
                 WHERE id = $2 AND state = 'PAYMENT_PENDING' AND attempts = $3",
            )
            .bind(now)
            .bind(&sid)
            .bind(attempts)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if released == 0 {
                continue;
            }
            sqlx::query("DELETE FROM idempotency_keys WHERE session_id = $1 AND response_status IS NULL")
                .bind(&sid)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        tracing::warn!(session = %sid, recorded = known, "settled a confirm claim orphaned by a crash");
        settled += 1;
    }
    Ok(settled)
}
