//! Payment records: one row per charge attempt, and the shapes merchants and the widget see.

use checkout_types::confirm::{MethodSummary, PaymentStatus, PaymentSummary};
use checkout_types::money::{Currency, MinorUnit};
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Db, rfc3339};
use crate::sessions::Session;

/// A row of `payments`. Holds brand and last four only, never a card number.
#[derive(Debug, Clone)]
pub struct PaymentRow {
    pub id: String,
    pub merchant_id: String,
    pub merchant_transaction_id: String,
    pub attempt: i64,
    pub amount: i64,
    pub fee: i64,
    pub total: i64,
    pub currency: Currency,
    pub status: String,
    pub method_type: String,
    pub brand: Option<String>,
    pub last4: String,
    pub error_code: Option<String>,
    pub decline_code: Option<String>,
    pub error_message: Option<String>,
    pub payment_method_id: Option<String>,
    pub created_at: i64,
}

impl PaymentRow {
    pub(crate) fn from_row(r: &AnyRow) -> Result<PaymentRow, sqlx::Error> {
        let currency: String = r.try_get("currency")?;
        Ok(PaymentRow {
            id: r.try_get("id")?,
            merchant_id: r.try_get("merchant_id")?,
            merchant_transaction_id: r.try_get("merchant_transaction_id")?,
            attempt: r.try_get("attempt")?,
            amount: r.try_get("amount")?,
            fee: r.try_get("fee")?,
            total: r.try_get("total")?,
            currency: Currency::parse(&currency).unwrap_or_default(),
            status: r.try_get("status")?,
            method_type: r.try_get("method_type")?,
            brand: r.try_get("brand")?,
            last4: r.try_get("last4")?,
            error_code: r.try_get("error_code")?,
            decline_code: r.try_get("decline_code")?,
            error_message: r.try_get("error_message")?,
            payment_method_id: r.try_get("payment_method_id")?,
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

    fn payment_status(&self) -> PaymentStatus {
        match self.status.as_str() {
            "COMPLETED" => PaymentStatus::Completed,
            "FAILED" => PaymentStatus::Failed,
            "PENDING" => PaymentStatus::Pending,
            _ => PaymentStatus::Initiated,
        }
    }

    /// The widget's and confirm response's view.
    pub fn summary(&self) -> PaymentSummary {
        PaymentSummary {
            id: self.id.clone(),
            amount: MinorUnit(self.amount),
            fee: MinorUnit(self.fee),
            total: MinorUnit(self.total),
            currency_code: self.currency,
            status: self.payment_status(),
            payment_method: MethodSummary {
                kind: self.method_type.clone(),
                brand: self.brand.clone(),
                last4: self.last4.clone(),
            },
        }
    }

    /// `payment` in the merchant's `GET /v1/sessions/{id}`, shaped as in the sessions seed.
    pub fn session_payment_json(&self, s: &Session) -> Value {
        let p = &s.payment_json;
        let error = self.error_code.as_ref().map(|code| {
            json!({ "code": code, "declineCode": self.decline_code, "message": self.error_message })
        });
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
            "status": self.payment_status(),
            "paymentMethodId": Value::Null,
            "paymentMethod": { "type": self.method_type, "brand": self.brand, "last4": self.last4 },
            "metadata": p.get("metadata").cloned().unwrap_or_else(|| json!({})),
            "error": error,
            "statementDescriptorSuffix": p.get("statementDescriptorSuffix").cloned().unwrap_or(Value::Null),
            "paymentDateUtc": rfc3339(self.created_at),
        })
    }

    /// One entry of `paymentAttempts`.
    pub fn attempt_json(&self) -> Value {
        json!({
            "id": self.id,
            "attempt": self.attempt,
            "status": self.payment_status(),
            "amount": self.amount,
            "fee": self.fee,
            "total": self.total,
            "errorCode": self.error_code,
            "declineCode": self.decline_code,
        })
    }
}

impl PaymentRow {
    /// One payment by id, inside a transaction (it must exist).
    pub async fn by_id_in(conn: &mut sqlx::AnyConnection, id: &str) -> Result<PaymentRow, sqlx::Error> {
        let row = sqlx::query("SELECT * FROM payments WHERE id = $1").bind(id).fetch_one(conn).await?;
        PaymentRow::from_row(&row)
    }
}
