//! The CCG dialect of session creation (`POST /v1/sessions`, `/v2/sessions`): its request body
//! and how it maps onto [`NewSession`], any of the six modes.

use checkout_types::money::Currency;
use checkout_types::session::{BankChannel, CardChannel, Channels, Mode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::StoredConfig;
use super::create::{CreatedSession, NewSession, insert, parse_amount, parse_appearance, parse_line_items, parse_locale, parse_merchant_transaction_id, truncate};
use crate::AppState;
use crate::domain::wallet;
use crate::error::{ApiError, ApiResult};
use crate::extract::Merchant;

/// CCG sessions live 15 minutes.
pub const CCG_TTL_MS: i64 = 15 * 60 * 1000;

// POST /v1/sessions (CCG dialect)

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CcgCreate {
    /// Payer identity; `hsid` / `enterpriseId` select the wallet experience.
    #[schema(value_type = Object)]
    customer: Option<Value>,
    payment: Option<CcgPayment>,
    payment_method: Option<MethodRef>,
    config: Option<CcgConfig>,
    /// The call-centre agent helping the customer (any JSON: an id, a name, an object). With
    /// `TEXT` / `EMAIL` channels the agent's widget sends the customer a payment link.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    agent: Option<Value>,
    /// `true`: an agent is helping (as `agent` does).
    #[serde(default)]
    assisted_by_agent: Option<bool>,
    /// What the merchant knows of the customer, for the risk rules: `customerIp`, `userAgent`,
    /// `accountAgeDays`, `returningCustomer`, `shippingMatchesBilling`, `merchantRiskScore` (0-100).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    fraud_signals: Option<Value>,
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
    /// What the amount is for: `[{name, quantity?, amount}]`, `amount` the line's total.
    #[serde(default, skip_serializing)]
    #[schema(value_type = Option<Vec<Object>>)]
    line_items: Option<Vec<Value>>,
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
    /// Where "Cancel" takes the payer on the hosted page (embedded and in a popup it raises the
    /// `cancel` event instead). Without it the widget offers no cancel.
    cancel_url: Option<String>,
    locale: Option<String>,
    /// Theme: `colorPrimary`, `borderRadius`, `fontFamily`, … (see README).
    #[schema(value_type = Option<Object>)]
    appearance: Option<Value>,
    /// Who the link emails of an agent-assisted session come from.
    sender_email_address: Option<String>,
    /// How long an agent's payment link lives, in minutes (5 to 10,080; default 1,440 = 24 h).
    link_lifetime_minutes: Option<i64>,
    /// The card brands this session takes (`VISA`, `MASTERCARD`, `AMEX`, `DISCOVER`, `DINERS`,
    /// `JCB`, `UNIONPAY`); left out: every brand. Device wallets offer only these networks.
    card_brands: Option<Vec<String>>,
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


pub fn ccg_to_new(merchant: &Merchant, req: CcgCreate) -> ApiResult<NewSession> {
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
    let wallet_key = wallet::wallet_key_of(&Value::Object(customer.clone()));
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
    if let Some(url) = &config.cancel_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2048 || url.contains(char::is_whitespace) {
            return Err(ApiError::InvalidRequest("config.cancelUrl must be an http(s) URL.".to_owned()));
        }
    }
    let agent = req.agent.filter(|a| !a.is_null() && a != &json!("") && a != &json!({}));
    if agent.as_ref().is_some_and(|a| a.to_string().len() > 2_048) {
        return Err(ApiError::InvalidRequest("agent must be at most 2,048 characters of JSON.".to_owned()));
    }
    let assisted_by_agent = req.assisted_by_agent.unwrap_or(false) || agent.is_some();
    let sender_email = match config.sender_email_address.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Some(
            super::links::email(e).ok_or_else(|| ApiError::InvalidRequest("config.senderEmailAddress must be an email address.".to_owned()))?,
        ),
        None => None,
    };
    let link_ttl_ms = match config.link_lifetime_minutes {
        Some(m) if (5..=10_080).contains(&m) => Some(m * 60_000),
        Some(_) => return Err(ApiError::InvalidRequest("config.linkLifetimeMinutes must be 5 to 10080 (7 days).".to_owned())),
        None => None,
    };
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
            cancel_url: config.cancel_url,
            layout: None,
            appearance: parse_appearance("config.appearance", config.appearance.as_ref())?,
            assisted_by_agent,
            agent,
            sender_email,
            link_ttl_ms,
            card_brands: super::parse_card_brands("config.cardBrands", config.card_brands.as_deref())?,
            fraud: crate::domain::risk::parse("fraudSignals", req.fraud_signals.as_ref())?,
        },
        payment: match &payment {
            Some(p) => {
                let mut stored = serde_json::to_value(p).map_err(anyhow::Error::from)?;
                let items = parse_line_items("payment.lineItems", p.line_items.as_deref())?;
                stored["lineItems"] = serde_json::to_value(items).map_err(anyhow::Error::from)?;
                stored
            }
            None => json!({}),
        },
        ttl_ms: CCG_TTL_MS,
    })
}


/// Creates a CCG session: checks, the preselected method's ownership, the insert. (An
/// agent-assisted session's links are sent by the agent, [`super::links`].)
pub async fn create(st: &AppState, merchant: &Merchant, req: CcgCreate) -> ApiResult<CreatedSession> {
    let new = ccg_to_new(merchant, req)?;
    if let (Some(pm), Some(wallet)) = (&new.config.preselected_method_id, &new.wallet_key) {
        if wallet::find(&st.db, &merchant.id, wallet, pm).await?.is_none() {
            return Err(ApiError::Unprocessable(
                "paymentMethod.id does not match a saved payment method of this customer.".to_owned(),
            ));
        }
    }
    insert(st, new, uuid::Uuid::new_v4().to_string()).await
}

/// Creates a PAYMENT session for the demo page, through the same validation as the API.
pub async fn create_demo_payment(st: &AppState, merchant: &Merchant, amount: i64) -> ApiResult<CreatedSession> {
    let choice = DemoChoice {
        mode: Mode::Payment,
        customer: String::new(),
        amount,
        locale: "en".to_owned(),
        card: vec!["WEBFORM".to_owned()],
        bank: false,
        color: None,
        agent: false,
    };
    create_demo(st, merchant, &choice).await
}

/// What the demo site's playground asks for: a mode, its customer's wallet, an amount, a locale,
/// the channels and a theme colour.
#[derive(Debug, Clone)]
pub struct DemoChoice {
    pub mode: Mode,
    /// An hsid: the wallet the session uses (empty: a guest).
    pub customer: String,
    pub amount: i64,
    pub locale: String,
    /// Card channels (`WEBFORM`, `GOOGLE_PAY`, `APPLE_PAY`, `TEXT`, `EMAIL`).
    pub card: Vec<String>,
    pub bank: bool,
    /// `#rrggbb` for `colorPrimary`, if any.
    pub color: Option<String>,
    /// An agent helps the customer: the embedded element is the agent's send-a-link screen.
    pub agent: bool,
}

/// A demo session from the playground's choices, through the same checks as a merchant's
/// `POST /v1/sessions` (a bad choice is the API's own `400`/`422`). DISPLAY shows the wallet's
/// first method (a `422` when it is empty, as for any merchant).
pub async fn create_demo(st: &AppState, merchant: &Merchant, c: &DemoChoice) -> ApiResult<CreatedSession> {
    let mut channels = json!({ "card": c.card });
    if c.bank {
        channels["bankAccount"] = json!(["WEBFORM"]);
    }
    let mut body = json!({
        "customer": { "firstName": "Demo", "lastName": "Payer", "email": "demo.payer@example.com", "phoneNumber": "+15555550123" },
        "config": { "modes": [c.mode], "paymentMethodChannel": channels, "locale": c.locale,
                    "privacyPolicyUrl": "https://example.com/privacy" }
    });
    if c.mode.takes_payment() {
        body["payment"] = json!({
            "merchantTransactionId": format!("demo-{}", uuid::Uuid::new_v4().simple()),
            "amount": c.amount,
            "description": "Annual membership",
        });
    }
    if !c.customer.is_empty() {
        body["customer"]["hsid"] = json!(c.customer);
    }
    if let Some(color) = &c.color {
        body["config"]["appearance"] = json!({ "colorPrimary": color });
    }
    if c.agent {
        body["agent"] = json!({ "id": "demo-agent", "name": "Demo Agent" });
    }
    if let Some(site) = &st.settings.demo_site {
        body["config"]["cancelUrl"] = json!(format!("{site}/?canceled=1"));
    }
    if c.mode == Mode::PaymentMethodDisplay {
        let methods = crate::domain::wallet::list_for(&st.db, &merchant.id, &c.customer).await?;
        let shown = methods.first().map(|m| m.id.clone()).unwrap_or_default();
        body["paymentMethod"] = json!({ "id": shown });
    }
    let req: CcgCreate = serde_json::from_value(body).map_err(anyhow::Error::from)?;
    insert(st, ccg_to_new(merchant, req)?, uuid::Uuid::new_v4().to_string()).await
}
