//! Payments: one row per charge attempt, whichever way it came in (a session's confirm or
//! `POST /v2/payments`), and every shape merchants and the widget see of it. How a processor's
//! answer becomes a recorded payment is [`record`]: written once, for every caller.
//!
//! An attempt's life: claimed `PENDING` before the processor is called (with the key the
//! processor deduplicates it by), then `COMPLETED` or `FAILED` by [`record::record_outcome`];
//! marked as awaiting the processor when it missed its deadline; released (deleted) by the
//! worker only if a crash orphaned it and the processor never saw it.

pub mod operation;
pub mod record;

use checkout_types::payment::{MethodSummary, OperationKind, OperationStatus, PaymentStatus, PaymentSummary};
use checkout_types::money::{Currency, MinorUnit};
use checkout_types::quote::PaymentMethodKind;
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Db, rfc3339};
use crate::domain::method::Method;
use crate::domain::session::Session;
use crate::extract::Merchant;

/// Attempts per `merchantTransactionId` before the session (or the direct payment) fails for good.
pub const MAX_ATTEMPTS: i64 = 5;

/// A row of `payments`. Holds brand and last four only, never a card number.
#[derive(Debug, Clone)]
pub struct PaymentRow {
    pub id: String,
    pub merchant_id: String,
    /// The checkout session it belongs to; `None` for `/v2/payments`.
    pub session_id: Option<String>,
    pub merchant_transaction_id: String,
    pub attempt: i64,
    pub amount: i64,
    pub fee: i64,
    pub total: i64,
    pub currency: Currency,
    pub status: PaymentStatus,
    pub method: PaymentMethodKind,
    pub brand: Option<String>,
    pub last4: String,
    pub error_code: Option<String>,
    pub decline_code: Option<String>,
    pub error_message: Option<String>,
    pub payment_method_id: Option<String>,
    /// The key the processor deduplicates this attempt's charge by.
    pub processor_key: Option<String>,
    /// The session's `Idempotency-Key` this attempt answers (session payments).
    pub idem_key: Option<String>,
    /// The processor missed its deadline; its answer is fetched by the worker.
    pub awaiting_processor: bool,
    /// The processor's reference of the charge or hold (captures, voids and refunds name it).
    pub processor_ref: Option<String>,
    /// What the processor approved: held (`AUTHORIZED`) or charged.
    pub authorized_amount: Option<i64>,
    /// What was taken: a sale's approved amount, or a hold's capture.
    pub captured_amount: Option<i64>,
    /// Refunds claimed or succeeded (see migration 0010).
    pub refund_reserved: i64,
    /// When the worker voids an uncaptured hold.
    pub hold_expires_at: Option<i64>,
    /// How the payer was authenticated (3-D Secure), for session payments.
    pub authentication: Option<Authentication>,
    pub created_at: i64,
}

/// A payment's authentication outcome: `frictionless`, `challenged`, `not_required` or
/// `unavailable`, the protocol version and the ECI-like result (`05` authenticated, `06`
/// attempted, `07` none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authentication {
    pub outcome: String,
    pub version: Option<String>,
    pub eci: Option<String>,
}

impl Authentication {
    pub fn json(&self) -> Value {
        json!({ "outcome": self.outcome, "version": self.version, "eci": self.eci })
    }
}

fn decode(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unknown {what} {value} in payments").into())
}

impl PaymentRow {
    /// A new attempt as it is claimed, before the processor is called: `PENDING`, charging
    /// `method` for `(amount, fee, total)` under `processor_key`. The caller sets what belongs to
    /// its way in (the session and its key, or the attempt number of a direct payment).
    pub fn pending(merchant_id: &str, mtid: &str, (amount, fee, total): (i64, i64, i64), currency: Currency, method: &Method, processor_key: String) -> PaymentRow {
        PaymentRow {
            id: uuid::Uuid::now_v7().to_string(),
            merchant_id: merchant_id.to_owned(),
            session_id: None,
            merchant_transaction_id: mtid.to_owned(),
            attempt: 0,
            amount,
            fee,
            total,
            currency,
            status: PaymentStatus::Pending,
            method: method.kind(),
            brand: method.brand(),
            last4: method.last4(),
            error_code: None,
            decline_code: None,
            error_message: None,
            payment_method_id: method.saved_id(),
            processor_key: Some(processor_key),
            idem_key: None,
            awaiting_processor: false,
            processor_ref: None,
            authorized_amount: None,
            captured_amount: None,
            refund_reserved: 0,
            hold_expires_at: None,
            authentication: None,
            created_at: crate::db::now_ms(),
        }
    }

    pub(crate) fn from_row(r: &AnyRow) -> Result<PaymentRow, sqlx::Error> {
        let currency: String = r.try_get("currency")?;
        let status: String = r.try_get("status")?;
        let method: String = r.try_get("method_type")?;
        Ok(PaymentRow {
            id: r.try_get("id")?,
            merchant_id: r.try_get("merchant_id")?,
            session_id: r.try_get("session_id")?,
            merchant_transaction_id: r.try_get("merchant_transaction_id")?,
            attempt: r.try_get("attempt")?,
            amount: r.try_get("amount")?,
            fee: r.try_get("fee")?,
            total: r.try_get("total")?,
            currency: Currency::parse(&currency).unwrap_or_default(),
            status: PaymentStatus::parse(&status).ok_or_else(|| decode("status", &status))?,
            method: PaymentMethodKind::parse(&method).ok_or_else(|| decode("method type", &method))?,
            brand: r.try_get("brand")?,
            last4: r.try_get("last4")?,
            error_code: r.try_get("error_code")?,
            decline_code: r.try_get("decline_code")?,
            error_message: r.try_get("error_message")?,
            payment_method_id: r.try_get("payment_method_id")?,
            processor_key: r.try_get("processor_key")?,
            idem_key: r.try_get("idem_key")?,
            awaiting_processor: r.try_get::<i64, _>("awaiting_processor")? != 0,
            processor_ref: r.try_get("processor_ref")?,
            authorized_amount: r.try_get("authorized_amount")?,
            captured_amount: r.try_get("captured_amount")?,
            refund_reserved: r.try_get("refund_reserved")?,
            hold_expires_at: r.try_get("hold_expires_at")?,
            authentication: r.try_get::<Option<String>, _>("auth_outcome").ok().flatten().map(|outcome| Authentication {
                outcome,
                version: r.try_get("auth_version").ok().flatten(),
                eci: r.try_get("auth_eci").ok().flatten(),
            }),
            created_at: r.try_get("created_at")?,
        })
    }

    /// Every attempt of a session, oldest first.
    pub async fn for_session(db: &Db, session_id: &str) -> Result<Vec<PaymentRow>, sqlx::Error> {
        let rows = sqlx::query("SELECT * FROM payments WHERE session_id = $1 ORDER BY attempt")
            .bind(session_id)
            .fetch_all(db)
            .await?;
        rows.iter().map(PaymentRow::from_row).collect()
    }

    /// One payment by id.
    pub async fn by_id(db: &Db, id: &str) -> Result<Option<PaymentRow>, sqlx::Error> {
        let row = sqlx::query("SELECT * FROM payments WHERE id = $1").bind(id).fetch_optional(db).await?;
        row.as_ref().map(PaymentRow::from_row).transpose()
    }

    /// The widget's and confirm response's view.
    pub fn summary(&self) -> PaymentSummary {
        PaymentSummary {
            id: self.id.clone(),
            amount: MinorUnit(self.amount),
            fee: MinorUnit(self.fee),
            total: MinorUnit(self.total),
            currency_code: self.currency,
            status: self.status,
            payment_method: MethodSummary { kind: self.method, brand: self.brand.clone(), last4: self.last4.clone() },
        }
    }

    /// The method the payment used, as webhooks and `/v2/payments` show it: its type, last four
    /// and brand, and the same under the type's own key (`card`, `bankAccount`, `googlePay`,
    /// `applePay`), as in the payments seeds.
    pub fn method_json(&self) -> Value {
        let brand = self.brand.as_deref().map(str::to_ascii_lowercase);
        let (key, details) = match self.method {
            PaymentMethodKind::Card => ("card", json!({ "lastFour": self.last4, "brand": brand })),
            PaymentMethodKind::BankAccount => ("bankAccount", json!({ "lastFour": self.last4 })),
            PaymentMethodKind::GooglePay => ("googlePay", json!({ "lastFour": self.last4, "brand": brand, "network": self.brand })),
            PaymentMethodKind::ApplePay => ("applePay", json!({ "lastFour": self.last4, "brand": brand, "network": self.brand })),
        };
        let mut method = json!({ "id": self.payment_method_id, "type": self.method, "last4": self.last4 });
        if self.method != PaymentMethodKind::BankAccount {
            method["cardBrand"] = json!(self.brand);
        }
        method[key] = details;
        method
    }

    /// The decline, as webhooks and `/v2/payments` show it.
    fn error_json(&self) -> Option<Value> {
        self.error_code.as_ref().map(|c| json!({ "code": c, "declineCode": self.decline_code, "message": self.error_message }))
    }

    /// `payment` in the merchant's `GET /v1/sessions/{id}`, shaped as in the sessions seed.
    pub fn session_payment_json(&self, s: &Session) -> Value {
        let p = &s.payment_json;
        json!({
            "id": self.id,
            "amount": self.amount,
            "fee": self.fee,
            "total": self.total,
            "description": p.get("description").cloned().unwrap_or(Value::Null),
            "merchantTransactionId": self.merchant_transaction_id,
            "merchantId": self.merchant_id,
            "paymentType": if p.get("authorizeCard") == Some(&Value::Bool(true)) { "PRE_AUTH" } else { "SALE" },
            "currencyCode": self.currency,
            "status": self.status,
            "authorizedAmount": self.authorized_amount,
            "capturedAmount": self.captured_amount,
            "paymentMethodId": self.payment_method_id,
            "paymentMethod": { "type": self.method, "brand": self.brand, "last4": self.last4 },
            "metadata": p.get("metadata").cloned().unwrap_or_else(|| json!({})),
            "error": self.error_json(),
            "statementDescriptorSuffix": p.get("statementDescriptorSuffix").cloned().unwrap_or(Value::Null),
            "authentication": self.authentication.as_ref().map(Authentication::json),
            "paymentDateUtc": rfc3339(self.created_at),
        })
    }

    /// One entry of `paymentAttempts`.
    pub fn attempt_json(&self) -> Value {
        json!({
            "id": self.id,
            "attempt": self.attempt,
            "status": self.status,
            "amount": self.amount,
            "fee": self.fee,
            "total": self.total,
            "errorCode": self.error_code,
            "declineCode": self.decline_code,
            "authentication": self.authentication.as_ref().map(Authentication::json),
        })
    }

    /// The payments seeds' webhook payload (`PAYMENT_SUCCEEDED`, `PAYMENT_FAILED`); `last` says
    /// whether no attempt will follow (completed, or the last one allowed).
    pub fn webhook_payload(&self, last: bool) -> Value {
        json!({
            "id": self.id,
            "checkoutSessionId": self.session_id.as_deref().unwrap_or(""),
            "merchantTransactionId": self.merchant_transaction_id,
            "amount": self.amount,
            "fee": self.fee,
            "total": self.total,
            "currencyCode": self.currency,
            "status": self.status,
            "paymentAllocations": [{ "id": self.id, "amount": self.amount, "status": self.status,
                                     "paymentMethod": self.method_json(), "error": self.error_json() }],
            "authentication": self.authentication.as_ref().map(Authentication::json),
            "paymentDateUtc": rfc3339(self.created_at),
            "final": last,
        })
    }

    /// A direct payment's public shape (`{url, data}` of the payments seeds' responses).
    /// `request` holds the descriptive fields the payment was created with.
    /// `ops` are its captures, voids and refunds, oldest first.
    pub fn direct_json(&self, merchant: &Merchant, request: &Value, base: &str, ops: &[operation::OperationRow]) -> Value {
        let error = self.error_code.as_ref().map(|code| {
            json!({ "title": "PAYMENT_ERROR", "detail": self.error_message,
                    "errorDetails": { "code": code, "message": self.error_message, "declineCode": self.decline_code } })
        });
        let field = |k: &str, default: Value| request.get(k).cloned().unwrap_or(default);
        let refunds: Vec<Value> = ops.iter().filter(|o| o.kind == OperationKind::Refund).map(operation::OperationRow::json).collect();
        let refunded: i64 = ops
            .iter()
            .filter(|o| o.kind == OperationKind::Refund && o.status == OperationStatus::Succeeded)
            .map(|o| o.amount)
            .sum();
        json!({
            "url": format!("{base}/v2/payments/{}", self.id),
            "data": {
                "id": self.id,
                "merchantTransactionId": self.merchant_transaction_id,
                "amount": self.amount,
                "currencyCode": self.currency,
                "status": self.status,
                "attempt": self.attempt,
                "authorizedAmount": self.authorized_amount,
                "capturedAmount": self.captured_amount,
                "refundedAmount": refunded,
                "refundableAmount": operation::refundable(self),
                "holdExpiresAtUtc": self.hold_expires_at.map(rfc3339),
                "refunds": refunds,
                "operations": ops.iter().map(operation::OperationRow::json).collect::<Vec<_>>(),
                "authorizeCard": field("authorizeCard", Value::Bool(false)),
                "partialAuthorization": field("partialAuthorization", Value::Bool(false)),
                "description": field("description", Value::Null),
                "statementDescriptorSuffix": field("statementDescriptorSuffix", Value::Null),
                "customer": field("customer", Value::Null),
                "metadata": field("metadata", Value::Null),
                "paymentAllocations": [{ "id": self.id, "amount": self.amount, "status": self.status,
                                         "authorizedAmount": self.authorized_amount, "capturedAmount": self.captured_amount,
                                         "paymentMethod": self.method_json(), "error": error }],
                "authentication": self.authentication.as_ref().map(Authentication::json),
                "paymentDateUtc": rfc3339(self.created_at),
                "merchant": { "id": merchant.id, "name": merchant.display_name },
            }
        })
    }
}
