//! Wallets: a merchant's customers (keyed by the identifier the merchant sends: `hsid`,
//! `enterpriseId`, `customer_id`) and their saved payment methods: saving one (tokenized by the
//! processor), listing, renaming, making default, removing, and completing an ENTRY or SELECT
//! session with a method.

use checkout_types::confirm::InlineMethod;
use checkout_types::session::{Mode, SessionStatus};
use checkout_types::wallet::{AddMethod, Selected, SelectMethod, UpdateMethod, WalletDone};
use serde_json::{Value, json};
use sqlx::Row;

use crate::AppState;
use crate::db::{Db, Write, now_ms};
use crate::domain::method::{Method, SavedRow, parse_bank, parse_card};
use crate::domain::outbox;
use crate::domain::session::Session;
use crate::error::{ApiError, ApiResult};
use crate::processor::TokenOutcome;

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

pub fn wallet_of(s: &Session) -> ApiResult<&str> {
    s.wallet_key.as_deref().ok_or_else(|| ApiError::Unprocessable("This session has no customer wallet.".to_owned()))
}

/// Tokenizes `method` with the processor and stores it in the session's wallet; `authenticated`:
/// the payer passed a 3-D Secure challenge with it.
pub async fn save_method(
    st: &AppState,
    s: &Session,
    method: &Method,
    nickname: Option<String>,
    make_default: bool,
    authenticated: bool,
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
            name_on_card, zip_code, account_type, nickname, is_default, status, created_at, updated_at, authenticated)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'ACTIVE', $14, $14, $15)",
    )
    .bind(&id)
    .bind(&customer_id)
    .bind(method.kind().as_str())
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
    .bind(i64::from(authenticated))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    find(&st.db, &s.merchant_id, wallet, &id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("saved method {id} not found")))
}


/// Completes a session with a payment method (ENTRY after saving, SELECT after choosing, WALLET
/// with its default when the payer is done), and queues its `CHECKOUT_SESSION_COMPLETED` event
/// (with `extra` fields) in the same transaction.
async fn complete_with_method(db: &Db, s: &Session, method_id: Option<&str>, extra: serde_json::Value) -> ApiResult<()> {
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
        let mut completed = json!({ "checkoutSessionId": s.id, "status": SessionStatus::Completed, "mode": s.mode, "paymentMethodId": method_id });
        if let (Some(body), Some(extra)) = (completed.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        outbox::enqueue(&mut tx, &s.merchant_id, &[("CHECKOUT_SESSION_COMPLETED", completed)]).await?;
        tx.commit().await?;
        Ok(())
    } else {
        Err(ApiError::AlreadyProcessed { code: "already_completed", detail: "This session is already complete.".to_owned() })
    }
}

fn parse_nickname(n: Option<String>) -> ApiResult<Option<String>> {
    match n.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()) {
        Some(n) if n.chars().count() > 40 => Err(ApiError::InvalidRequest("nickname is longer than 40 characters.".to_owned())),
        other => Ok(other),
    }
}

/// Saves a card or bank account to the session's wallet (the caller checked mode and state);
/// in `PAYMENT_METHOD_ENTRY` this completes the session.
pub async fn add(st: &AppState, s: &Session, req: AddMethod) -> ApiResult<SavedRow> {
    crate::domain::session::links::ensure_customer(s)?;
    let ch = &s.config.channels;
    let method = match &req.payment_method {
        InlineMethod::Card { card } if !ch.card.is_empty() => parse_card(card, &s.config.required_avs_fields)?,
        InlineMethod::BankAccount { bank_account } if !ch.bank_account.is_empty() => parse_bank(bank_account)?,
        InlineMethod::GooglePay { .. } | InlineMethod::ApplePay { .. } => {
            return Err(ApiError::InvalidRequest(
                "A device wallet token pays once and cannot be saved: add a card or bank account instead.".to_owned(),
            ));
        }
        _ => return Err(ApiError::InvalidRequest("This payment method type is not enabled for this session.".to_owned())),
    };
    crate::domain::session::ensure_brand_accepted(s, method.brand().as_deref())?;
    let nickname = parse_nickname(req.nickname)?;
    let saved = save_method(st, s, &method, nickname, req.default, false).await?;
    if s.mode == Mode::PaymentMethodEntry {
        complete_with_method(&st.db, s, Some(&saved.id), json!({})).await?;
    }
    Ok(saved)
}

fn no_such_method() -> ApiError {
    ApiError::NotFound("No such saved payment method.".to_owned())
}

/// Renames a saved method and/or makes it the default.
pub async fn update(st: &AppState, s: &Session, pm: &str, req: UpdateMethod) -> ApiResult<SavedRow> {
    let wallet = wallet_of(s)?;
    let m = find(&st.db, &s.merchant_id, wallet, pm).await?.ok_or_else(no_such_method)?;
    let nickname = req.nickname.map(|n| parse_nickname(Some(n))).transpose()?;
    let now = now_ms();
    let mut tx = crate::db::begin_write(&st.db).await?;
    if let Some(n) = nickname {
        sqlx::query("UPDATE payment_methods SET nickname = $1, updated_at = $2 WHERE id = $3")
            .bind(n)
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
    find(&st.db, &s.merchant_id, wallet, pm).await?.ok_or_else(no_such_method)
}

// Removes method $2 (its token too) and makes method $3, if any, the default; $1 is now.
const REMOVE_SQLITE: &[&str] = &[
    "UPDATE payment_methods SET status = 'REMOVED', is_default = 0, processor_token = '', updated_at = $1 WHERE id = $2",
    "UPDATE payment_methods SET is_default = 1, updated_at = $1 WHERE id = $3",
];
const REMOVE_POSTGRES: &str = "WITH removed AS (
        UPDATE payment_methods SET status = 'REMOVED', is_default = 0, processor_token = '', updated_at = $1 WHERE id = $2)
    UPDATE payment_methods SET is_default = 1, updated_at = $1 WHERE id = $3";

/// Removes a saved method; the wallet afterwards. Removing the default makes the newest of the
/// rest the default, in the same write: the wallet is never left without one.
pub async fn remove(st: &AppState, s: &Session, pm: &str) -> ApiResult<Vec<SavedRow>> {
    let wallet = wallet_of(s)?;
    let methods = list_for(&st.db, &s.merchant_id, wallet).await?;
    let m = methods.iter().find(|m| m.id == pm).ok_or_else(no_such_method)?;
    // `list_for` lists the default first, then newest first.
    let next_default = if m.is_default { methods.iter().find(|r| r.id != m.id).map(|r| r.id.clone()) } else { None };
    let remove = Write::new(REMOVE_SQLITE, REMOVE_POSTGRES).bind(now_ms()).bind(&m.id).bind(next_default);
    st.writer.once(remove).await?;
    Ok(list_for(&st.db, &s.merchant_id, wallet).await?)
}

/// Completes a `PAYMENT_METHOD_SELECT` session with the chosen saved method.
pub async fn select(st: &AppState, s: &Session, req: SelectMethod) -> ApiResult<Selected> {
    let m = method_for_charge(&st.db, s, &req.payment_method_id).await?;
    complete_with_method(&st.db, s, Some(&m.id), json!({})).await?;
    Ok(Selected { session_id: s.id.clone(), status: SessionStatus::Completed, payment_method_id: m.id.clone(), payment_method: m.sanitized() })
}

/// The payer is done managing a `WALLET` session: it completes with the wallet as it stands (its
/// default as `paymentMethodId`), and the merchant is told (`CHECKOUT_SESSION_COMPLETED`).
pub async fn finish(st: &AppState, s: &Session) -> ApiResult<WalletDone> {
    let methods = list_for(&st.db, &s.merchant_id, wallet_of(s)?).await?;
    let default = methods.iter().find(|m| m.is_default).map(|m| m.id.clone());
    complete_with_method(&st.db, s, default.as_deref(), json!({ "paymentMethodCount": methods.len() })).await?;
    Ok(WalletDone {
        session_id: s.id.clone(),
        status: SessionStatus::Completed,
        default_payment_method_id: default,
        payment_methods: methods.iter().map(SavedRow::sanitized).collect(),
    })
}

/// A saved method of the session's wallet, ready to charge (confirm, quotes, select).
pub async fn method_for_charge(db: &Db, s: &Session, id: &str) -> ApiResult<SavedRow> {
    let wallet = wallet_of(s)?;
    find(db, &s.merchant_id, wallet, id)
        .await?
        .ok_or_else(|| ApiError::Unprocessable("paymentMethodId does not match a saved payment method of this customer.".to_owned()))
}

/// The methods of a session's wallet (none without a wallet), for the widget's config.
pub async fn of_session(db: &Db, s: &Session) -> Result<Vec<SavedRow>, sqlx::Error> {
    match &s.wallet_key {
        Some(w) => list_for(db, &s.merchant_id, w).await,
        None => Ok(vec![]),
    }
}

