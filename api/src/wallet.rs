//! Wallets: a merchant's customers (keyed by the identifier the merchant sends: `hsid`,
//! `enterpriseId`, `customer_id`) and their saved payment methods, and the widget endpoints of
//! the wallet modes: add (ENTRY completes the session), list, rename / set default, remove
//! (WALLET), and select (SELECT completes the session with the chosen id).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use checkout_types::confirm::InlineMethod;
use checkout_types::error::ErrorBody;
use checkout_types::session::{Mode, SavedMethod};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::confirm::{Method, parse_bank, parse_card};
use crate::db::{Db, Write, now_ms};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::processor::{ChargeSource, TokenOutcome};
use crate::sessions::{Session, SessionState, authorize_browser};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, add))
        .routes(routes!(update, remove))
        .routes(routes!(select))
}

/// A saved method as stored: a processor token and what may be shown.
#[derive(Debug, Clone)]
pub struct SavedRow {
    pub id: String,
    pub kind: String,
    pub token: String,
    pub brand: Option<String>,
    pub last4: String,
    pub exp_month: Option<i64>,
    pub exp_year: Option<i64>,
    pub name_on_card: Option<String>,
    pub zip_code: Option<String>,
    pub account_type: Option<String>,
    pub nickname: Option<String>,
    pub is_default: bool,
}

impl SavedRow {
    fn from_row(r: &AnyRow) -> Result<SavedRow, sqlx::Error> {
        Ok(SavedRow {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            token: r.try_get("processor_token")?,
            brand: r.try_get("brand")?,
            last4: r.try_get("last4")?,
            exp_month: r.try_get("exp_month")?,
            exp_year: r.try_get("exp_year")?,
            name_on_card: r.try_get("name_on_card")?,
            zip_code: r.try_get("zip_code")?,
            account_type: r.try_get("account_type")?,
            nickname: r.try_get("nickname")?,
            is_default: r.try_get::<i64, _>("is_default")? != 0,
        })
    }

    /// What the browser may see: id, type, brand, last4, expiry, nickname, default. Never more.
    pub fn sanitized(&self) -> SavedMethod {
        SavedMethod {
            id: self.id.clone(),
            kind: self.kind.clone(),
            brand: self.brand.clone(),
            last4: self.last4.clone(),
            exp_month: self.exp_month.and_then(|m| u8::try_from(m).ok()),
            exp_year: self.exp_year.and_then(|y| u16::try_from(y).ok()),
            nickname: self.nickname.clone(),
            default: self.is_default,
        }
    }

    /// The merchant's view (`paymentMethodResponse` / `paymentMethod` of the sessions seed).
    pub fn merchant_json(&self) -> Value {
        let details = if self.kind == "CARD" {
            json!({ "type": "CARD", "nameOnCard": self.name_on_card, "cardBrand": self.brand, "expiryMonth": self.exp_month,
                    "expiryYear": self.exp_year, "last4": self.last4, "zipCode": self.zip_code, "status": "ACTIVE" })
        } else {
            json!({ "type": "BANK_ACCOUNT", "accountType": self.account_type, "last4": self.last4, "status": "ACTIVE" })
        };
        let key = if self.kind == "CARD" { "card" } else { "bankAccount" };
        json!({
            "id": self.id, "paymentMethodType": self.kind, "status": "COMPLETED",
            key: details, "paymentMethodDetails": details, "nickname": self.nickname, "default": self.is_default,
        })
    }
}

/// The merchant's customer identifier in a CCG `customer` object, if any.
pub fn wallet_key_of(customer: &Value) -> Option<String> {
    ["hsid", "enterpriseId", "enterpriseIdentifier", "customerId"]
        .iter()
        .find_map(|k| customer.get(*k).and_then(Value::as_str))
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.len() <= 100)
        .map(str::to_owned)
}

/// Active methods of a wallet, default first, then newest.
pub async fn list_for(db: &Db, merchant_id: &str, wallet_key: &str) -> Result<Vec<SavedRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT pm.* FROM payment_methods pm JOIN customers c ON c.id = pm.customer_id
         WHERE c.merchant_id = $1 AND c.external_id = $2 AND pm.status = 'ACTIVE'
         ORDER BY pm.is_default DESC, pm.created_at DESC, pm.id",
    )
    .bind(merchant_id)
    .bind(wallet_key)
    .fetch_all(db)
    .await?;
    rows.iter().map(SavedRow::from_row).collect()
}

/// One active method of a wallet.
pub async fn find(db: &Db, merchant_id: &str, wallet_key: &str, id: &str) -> Result<Option<SavedRow>, sqlx::Error> {
    Ok(list_for(db, merchant_id, wallet_key).await?.into_iter().find(|m| m.id == id))
}

/// A saved method by id, regardless of wallet (for the merchant's session view).
pub async fn by_id(db: &Db, id: &str) -> Result<Option<SavedRow>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM payment_methods WHERE id = $1").bind(id).fetch_optional(db).await?;
    row.as_ref().map(SavedRow::from_row).transpose()
}

fn wallet_of(s: &Session) -> ApiResult<&str> {
    s.wallet_key.as_deref().ok_or_else(|| ApiError::Unprocessable("This session has no customer wallet.".to_owned()))
}

/// Tokenizes `method` with the processor and stores it in the session's wallet.
pub(crate) async fn save_method(
    st: &AppState,
    s: &Session,
    method: &Method,
    nickname: Option<String>,
    make_default: bool,
) -> ApiResult<SavedRow> {
    let wallet = wallet_of(s)?;
    let source = method.source();
    let token = match st.processor.tokenize(&source).await {
        TokenOutcome::Saved { token, .. } => token,
        TokenOutcome::Declined { code, message } => {
            return Err(ApiError::PaymentError {
                detail: message.clone(),
                data: json!({ "code": code, "message": message }),
            });
        }
    };
    let now = now_ms();
    const ENSURE_CUSTOMER: &str = "INSERT INTO customers (id, merchant_id, external_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (merchant_id, external_id) DO NOTHING";
    let customer = Write::one(ENSURE_CUSTOMER).bind(uuid::Uuid::new_v4().to_string()).bind(&s.merchant_id).bind(wallet).bind(now);
    st.writer.once(customer).await?;
    let customer_id: String = sqlx::query("SELECT id FROM customers WHERE merchant_id = $1 AND external_id = $2")
        .bind(&s.merchant_id)
        .bind(wallet)
        .fetch_one(&st.db)
        .await?
        .try_get("id")?;
    let first = list_for(&st.db, &s.merchant_id, wallet).await?.is_empty();
    let id = uuid::Uuid::new_v4().to_string();
    let (exp_month, exp_year, name, zip, account_type) = method.display_fields();
    let mut tx = crate::db::begin_write(&st.db).await?;
    if make_default || first {
        sqlx::query("UPDATE payment_methods SET is_default = 0, updated_at = $1 WHERE customer_id = $2")
            .bind(now)
            .bind(&customer_id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO payment_methods (id, customer_id, kind, processor_token, brand, last4, exp_month, exp_year,
            name_on_card, zip_code, account_type, nickname, is_default, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'ACTIVE', $14, $14)",
    )
    .bind(&id)
    .bind(&customer_id)
    .bind(method.kind())
    .bind(&token)
    .bind(method.brand())
    .bind(method.last4())
    .bind(exp_month)
    .bind(exp_year)
    .bind(name)
    .bind(zip)
    .bind(account_type)
    .bind(nickname)
    .bind(i64::from(make_default || first))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    find(&st.db, &s.merchant_id, wallet, &id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("saved method {id} not found")))
}

/// Completes a session with a payment method (ENTRY after saving, SELECT after choosing).
async fn complete_with_method(db: &Db, s: &Session, method_id: &str) -> ApiResult<()> {
    let mut tx = crate::db::begin_write(db).await?;
    let done = sqlx::query(
        "UPDATE sessions SET state = 'PAYMENT_COMPLETED', payment_method_id = $1, updated_at = $2
         WHERE id = $3 AND state = 'INITIALIZED'",
    )
    .bind(method_id)
    .bind(now_ms())
    .bind(&s.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 1 {
        let completed = json!({ "checkoutSessionId": s.id, "status": "COMPLETED", "mode": s.mode, "paymentMethodId": method_id });
        crate::webhooks::enqueue(&mut tx, &s.merchant_id, &[("CHECKOUT_SESSION_COMPLETED", completed)]).await?;
        tx.commit().await?;
        Ok(())
    } else {
        Err(ApiError::AlreadyProcessed { code: "already_completed", detail: "This session is already complete.".to_owned() })
    }
}

fn ensure_open(s: &Session) -> ApiResult<()> {
    match s.state {
        SessionState::Initialized => Ok(()),
        SessionState::PaymentPending => Err(ApiError::InProgress("A payment for this session is being processed.".to_owned())),
        _ => Err(ApiError::AlreadyProcessed { code: "already_completed", detail: "This session is already complete.".to_owned() }),
    }
}

fn ensure_mode(s: &Session, modes: &[Mode]) -> ApiResult<()> {
    if modes.contains(&s.mode) {
        Ok(())
    } else {
        Err(ApiError::Unprocessable(format!("This action is not available in {} mode.", s.mode.as_str())))
    }
}

/// `{data: [...]}` of sanitized methods.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(crate) struct MethodList {
    data: Vec<SavedMethod>,
}

/// The wallet's saved methods (sanitized).
#[utoipa::path(get, path = "/v1/sessions/{id}/payment-methods", tag = "wallet", params(("id" = String, Path)),
    security(("client_secret" = [])),
    responses((status = 200, body = MethodList), (status = 401, body = ErrorBody), (status = 410, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn list(State(st): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult<Json<MethodList>> {
    let s = authorize_browser(&st.db, &id, &headers).await?;
    let wallet = wallet_of(&s)?;
    let data = list_for(&st.db, &s.merchant_id, wallet).await?.iter().map(SavedRow::sanitized).collect();
    Ok(Json(MethodList { data }))
}

/// Add a method to the wallet.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AddMethod {
    payment_method: InlineMethod,
    nickname: Option<String>,
    #[serde(default)]
    default: bool,
}

fn parse_nickname(n: Option<String>) -> ApiResult<Option<String>> {
    match n.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()) {
        Some(n) if n.chars().count() > 40 => Err(ApiError::InvalidRequest("nickname is longer than 40 characters.".to_owned())),
        other => Ok(other),
    }
}

/// Save a card or bank account. In `PAYMENT_METHOD_ENTRY` this completes the session.
#[utoipa::path(post, path = "/v1/sessions/{id}/payment-methods", tag = "wallet", params(("id" = String, Path)),
    request_body = AddMethod, security(("client_secret" = [])),
    responses((status = 200, body = SavedMethod), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn add(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<AddMethod>,
) -> ApiResult<Json<SavedMethod>> {
    let s = authorize_browser(&st.db, &id, &headers).await?;
    ensure_mode(&s, &[Mode::PaymentMethodEntry, Mode::Wallet, Mode::PaymentWithWallet])?;
    ensure_open(&s)?;
    let ch = &s.config.channels;
    let method = match &req.payment_method {
        InlineMethod::Card { card } if !ch.card.is_empty() => parse_card(card, &s)?,
        InlineMethod::BankAccount { bank_account } if !ch.bank_account.is_empty() => parse_bank(bank_account)?,
        InlineMethod::GooglePay { .. } | InlineMethod::ApplePay { .. } => {
            return Err(ApiError::InvalidRequest(
                "A device wallet token pays once and cannot be saved: add a card or bank account instead.".to_owned(),
            ));
        }
        _ => return Err(ApiError::InvalidRequest("This payment method type is not enabled for this session.".to_owned())),
    };
    let saved = save_method(&st, &s, &method, parse_nickname(req.nickname)?, req.default).await?;
    if s.mode == Mode::PaymentMethodEntry {
        complete_with_method(&st.db, &s, &saved.id).await?;
    }
    Ok(Json(saved.sanitized()))
}

/// Rename or make default.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateMethod {
    nickname: Option<String>,
    default: Option<bool>,
}

/// Rename a saved method or make it the default (`WALLET` mode).
#[utoipa::path(patch, path = "/v1/sessions/{id}/payment-methods/{pm}", tag = "wallet",
    params(("id" = String, Path), ("pm" = String, Path)), request_body = UpdateMethod, security(("client_secret" = [])),
    responses((status = 200, body = SavedMethod), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn update(
    State(st): State<AppState>,
    Path((id, pm)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateMethod>,
) -> ApiResult<Json<SavedMethod>> {
    let s = authorize_browser(&st.db, &id, &headers).await?;
    ensure_mode(&s, &[Mode::Wallet])?;
    let wallet = wallet_of(&s)?;
    let m = find(&st.db, &s.merchant_id, wallet, &pm).await?.ok_or_else(|| ApiError::NotFound("No such saved payment method.".to_owned()))?;
    let now = now_ms();
    let mut tx = crate::db::begin_write(&st.db).await?;
    if let Some(n) = req.nickname {
        sqlx::query("UPDATE payment_methods SET nickname = $1, updated_at = $2 WHERE id = $3")
            .bind(parse_nickname(Some(n))?)
            .bind(now)
            .bind(&m.id)
            .execute(&mut *tx)
            .await?;
    }
    if req.default == Some(true) {
        sqlx::query(
            "UPDATE payment_methods SET is_default = CASE WHEN id = $1 THEN 1 ELSE 0 END, updated_at = $2
             WHERE customer_id = (SELECT customer_id FROM payment_methods WHERE id = $1)",
        )
        .bind(&m.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let fresh = find(&st.db, &s.merchant_id, wallet, &pm).await?.ok_or_else(|| ApiError::NotFound("No such saved payment method.".to_owned()))?;
    Ok(Json(fresh.sanitized()))
}

// Removes method $2 (its token too) and makes method $3, if any, the default; $1 is now.
const REMOVE_SQLITE: &[&str] = &[
    "UPDATE payment_methods SET status = 'REMOVED', is_default = 0, processor_token = '', updated_at = $1 WHERE id = $2",
    "UPDATE payment_methods SET is_default = 1, updated_at = $1 WHERE id = $3",
];
const REMOVE_POSTGRES: &str = "WITH removed AS (
        UPDATE payment_methods SET status = 'REMOVED', is_default = 0, processor_token = '', updated_at = $1 WHERE id = $2)
    UPDATE payment_methods SET is_default = 1, updated_at = $1 WHERE id = $3";

/// Remove a saved method (`WALLET` mode). The newest remaining method becomes the default.
#[utoipa::path(delete, path = "/v1/sessions/{id}/payment-methods/{pm}", tag = "wallet",
    params(("id" = String, Path), ("pm" = String, Path)), security(("client_secret" = [])),
    responses((status = 200, body = MethodList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 410, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn remove(
    State(st): State<AppState>,
    Path((id, pm)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Json<MethodList>> {
    let s = authorize_browser(&st.db, &id, &headers).await?;
    ensure_mode(&s, &[Mode::Wallet])?;
    let wallet = wallet_of(&s)?;
    let methods = list_for(&st.db, &s.merchant_id, wallet).await?;
    let m = methods.iter().find(|m| m.id == pm).ok_or_else(|| ApiError::NotFound("No such saved payment method.".to_owned()))?;
    // Removing the default makes the newest of the rest the default, in the same write: the
    // wallet is never left without one. `list_for` lists the default first, then newest first.
    let next_default = if m.is_default { methods.iter().find(|r| r.id != m.id).map(|r| r.id.clone()) } else { None };
    let remove = Write::new(REMOVE_SQLITE, REMOVE_POSTGRES).bind(now_ms()).bind(&m.id).bind(next_default);
    st.writer.once(remove).await?;
    let data = list_for(&st.db, &s.merchant_id, wallet).await?.iter().map(SavedRow::sanitized).collect();
    Ok(Json(MethodList { data }))
}

/// Choose a method (`PAYMENT_METHOD_SELECT`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SelectMethod {
    payment_method_id: String,
}

/// Select a saved method; completes the session with that `paymentMethodId`.
#[utoipa::path(post, path = "/v1/sessions/{id}/select", tag = "wallet", params(("id" = String, Path)),
    request_body = SelectMethod, security(("client_secret" = [])),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "Rate limited (per session or per client); see Retry-After", body = ErrorBody)))]
pub(crate) async fn select(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SelectMethod>,
) -> ApiResult<Json<Value>> {
    let s = authorize_browser(&st.db, &id, &headers).await?;
    ensure_mode(&s, &[Mode::PaymentMethodSelect])?;
    ensure_open(&s)?;
    let wallet = wallet_of(&s)?;
    let m = find(&st.db, &s.merchant_id, wallet, &req.payment_method_id)
        .await?
        .ok_or_else(|| ApiError::Unprocessable("paymentMethodId does not match a saved payment method of this customer.".to_owned()))?;
    complete_with_method(&st.db, &s, &m.id).await?;
    Ok(Json(json!({ "sessionId": s.id, "status": "COMPLETED", "paymentMethodId": m.id, "paymentMethod": m.sanitized() })))
}

/// For confirm: a saved method of the session's wallet, ready to charge.
pub async fn method_for_charge(db: &Db, s: &Session, id: &str) -> ApiResult<SavedRow> {
    let wallet = wallet_of(s)?;
    find(db, &s.merchant_id, wallet, id)
        .await?
        .ok_or_else(|| ApiError::Unprocessable("paymentMethodId does not match a saved payment method of this customer.".to_owned()))
}

/// What ChargeSource a saved method charges with.
pub fn token_source(m: &SavedRow) -> ChargeSource<'_> {
    ChargeSource::Token(&m.token)
}
