//! The merchant's view of a session (`GET /v1/sessions/{id}`), shaped as the sessions contract
//! shows it for every mode: the status (also as `checkoutSessionStatus`), the mode's result
//! (`payment` for the payment modes, `paymentMethodResponse` for PAYMENT_METHOD_ENTRY, the selected
//! `paymentMethodId` for SELECT and PAYMENT_WITH_WALLET, the displayed `paymentMethod` for
//! DISPLAY), every payment attempt, the `customerId` whose wallet it uses, and the request it was
//! created with (`checkoutRequest`, as stored: identity documents were never kept).

use checkout_types::money::Currency;
use checkout_types::payment::PaymentStatus;
use checkout_types::session::{Mode, SessionStatus};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{Session, load_owned, time_out_if_due};
use crate::AppState;
use crate::db::{now_ms, rfc3339};
use crate::domain::payment::PaymentRow;
use crate::domain::wallet;
use crate::error::ApiResult;
use crate::extract::Merchant;

/// `GET /v1/sessions/{id}`'s answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionViewAnswer {
    pub url: String,
    pub data: SessionView,
}

/// A session as its merchant sees it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub session_id: String,
    /// The same as `sessionId`.
    pub id: String,
    pub status: SessionStatus,
    /// The same as `status`.
    pub checkout_session_status: SessionStatus,
    pub mode: Mode,
    pub merchant_id: String,
    /// The customer identifier whose wallet the session uses (hsid, enterprise id or customer id);
    /// null for a guest.
    pub customer_id: Option<String>,
    pub amount: Option<i64>,
    pub currency_code: Currency,
    pub merchant_transaction_id: Option<String>,
    /// The request the session was created with, as stored.
    #[schema(value_type = Object)]
    pub checkout_request: Value,
    /// Payment modes: the successful attempt (or else the latest), shaped as the sessions seed.
    #[schema(value_type = Option<Object>)]
    pub payment: Option<Value>,
    pub payment_id: Option<String>,
    /// SELECT: the method selected; PAYMENT_WITH_WALLET: the saved method paid with; ENTRY: the
    /// method saved.
    pub payment_method_id: Option<String>,
    /// PAYMENT_METHOD_ENTRY: the method the payer saved.
    #[schema(value_type = Option<Object>)]
    pub payment_method_response: Option<Value>,
    /// PAYMENT_METHOD_DISPLAY: the method displayed.
    #[schema(value_type = Option<Object>)]
    pub payment_method: Option<Value>,
    #[schema(value_type = Vec<Object>)]
    pub payment_attempts: Vec<Value>,
    /// The latest attempt's decline, if it failed.
    #[schema(value_type = Option<Object>)]
    pub error: Option<Value>,
    /// The payment links an agent sent (agent-assisted sessions), newest first, with their
    /// delivery states.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<checkout_types::links::LinkState>,
    /// The 3-D Secure challenges of the session's confirms (`PENDING`, `APPROVED`, `FAILED`,
    /// `EXPIRED`): a failed authentication charges nothing and shows here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub authentications: Vec<Value>,
    pub expires_at_utc: String,
    pub created_at_utc: String,
}

/// The request a session was created with, from what was stored of it.
fn checkout_request(s: &Session) -> Value {
    let (p, c) = (&s.payment_json, &s.customer_json);
    let takes_payment = s.mode.takes_payment();
    let field = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    json!({
        "paymentType": takes_payment.then(|| if s.authorizes_card() { "PRE_AUTH" } else { "SALE" }),
        "authorizeCard": takes_payment.then(|| s.authorizes_card()),
        "partialAuthorization": field(p, "partialAuthorization"),
        "merchantTransactionId": s.merchant_transaction_id,
        "amount": s.amount,
        "currencyCode": takes_payment.then_some(s.currency),
        "statementDescriptorSuffix": field(p, "statementDescriptorSuffix"),
        "paymentDescription": s.config.description,
        "lineItems": field(p, "lineItems"),
        "phoneNumber": field(c, "phoneNumber"),
        "email": field(c, "email"),
        "firstName": field(c, "firstName"),
        "lastName": field(c, "lastName"),
        "customer": c,
        "config": {
            "modes": [s.mode],
            "paymentMethodChannel": { "card": s.config.channels.card, "bankAccount": s.config.channels.bank_account },
            "privacyPolicyUrl": s.config.privacy_policy_url,
            "locale": s.config.locale,
            "senderEmailAddress": s.config.sender_email,
            "linkLifetimeMinutes": s.config.link_ttl_ms.map(|ms| ms / 60_000),
        },
        "agent": s.config.agent,
        "assistedByAgent": s.config.assisted_by_agent.then_some(true),
        "metadata": field(p, "metadata"),
        "paymentMethod": s.config.preselected_method_id.as_ref().map(|id| json!({ "id": id })),
    })
}

/// The view of session `id` of this merchant.
pub async fn merchant_view(st: &AppState, merchant: &Merchant, id: &str) -> ApiResult<SessionViewAnswer> {
    let mut s = load_owned(&st.db, merchant, id).await?;
    time_out_if_due(&mut s, now_ms());
    let attempts = PaymentRow::for_session(&st.db, &s.id).await?;
    let paid = attempts
        .iter()
        .find(|p| matches!(p.status, PaymentStatus::Completed | PaymentStatus::Authorized | PaymentStatus::Voided));
    let shown = paid.or_else(|| attempts.last());
    let error = attempts.last().filter(|p| p.status == PaymentStatus::Failed).map(|p| {
        json!({ "code": p.error_code, "declineCode": p.decline_code, "message": p.error_message })
    });
    let method_of = |id: Option<String>| async move {
        match id {
            Some(id) => wallet::by_id(&st.db, &id).await.map(|m| m.map(|m| m.merchant_json())),
            None => Ok::<_, sqlx::Error>(None),
        }
    };
    let (method_response, displayed) = match s.mode {
        Mode::PaymentMethodEntry => (method_of(s.payment_method_id.clone()).await?, None),
        Mode::PaymentMethodDisplay => (None, method_of(s.config.preselected_method_id.clone()).await?),
        _ => (None, None),
    };
    // PAYMENT_WITH_WALLET: the saved method the payment used.
    let payment_method_id = s.payment_method_id.clone().or_else(|| paid.and_then(|p| p.payment_method_id.clone()));
    let status = s.state.status();
    Ok(SessionViewAnswer {
        url: format!("{}/v1/sessions/{}", st.settings.public_url, s.id),
        data: SessionView {
            session_id: s.id.clone(),
            id: s.id.clone(),
            status,
            checkout_session_status: status,
            mode: s.mode,
            merchant_id: s.merchant_id.clone(),
            customer_id: s.wallet_key.clone(),
            amount: s.amount,
            currency_code: s.currency,
            merchant_transaction_id: s.merchant_transaction_id.clone(),
            checkout_request: checkout_request(&s),
            payment: shown.map(|p| p.session_payment_json(&s)),
            payment_id: s.payment_id.clone(),
            payment_method_id,
            payment_method_response: method_response,
            payment_method: displayed,
            payment_attempts: attempts.iter().map(PaymentRow::attempt_json).collect(),
            error,
            links: super::links::states(&st.db, &s.id).await?,
            authentications: crate::domain::authentication::for_session(&st.db, &s.id).await?,
            expires_at_utc: rfc3339(s.expires_at),
            created_at_utc: rfc3339(s.created_at),
        },
    })
}
