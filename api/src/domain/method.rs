//! Payment methods as the API charges or saves them: an inline card, bank account or device
//! wallet token parsed and checked against the shared rules of `checkout_types::validate`, or a
//! saved method ([`SavedRow`]: a processor token and what may be shown) of the customer's wallet,
//! whose queries live in [`crate::domain::wallet`].

use checkout_types::confirm::{BankInput, CardInput, InlineMethod, WalletTokenInput};
use checkout_types::quote::PaymentMethodKind;
use checkout_types::session::{AvsField, SavedMethod};
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;
use checkout_types::validate::bank::{check_account_number, check_routing_number};
use checkout_types::validate::card::{CardBrand, CardNumber, check_cvc, check_expiry};
use checkout_types::validate::{FieldError, check_postal_code};

use crate::db::today_year_month;
use crate::error::{ApiError, ApiResult};
use crate::processor::ChargeSource;

/// A saved method as stored: a processor token and what may be shown.
#[derive(Debug, Clone)]
pub struct SavedRow {
    pub id: String,
    pub kind: PaymentMethodKind,
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
    /// Saved after passing a 3-D Secure challenge.
    pub authenticated: bool,
}

impl SavedRow {
    pub(crate) fn from_row(r: &AnyRow) -> Result<SavedRow, sqlx::Error> {
        Ok(SavedRow {
            id: r.try_get("id")?,
            kind: {
                let kind: String = r.try_get("kind")?;
                PaymentMethodKind::parse(&kind).ok_or_else(|| sqlx::Error::Decode(format!("unknown payment method kind {kind}").into()))?
            },
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
            authenticated: r.try_get::<i64, _>("authenticated").is_ok_and(|a| a != 0),
        })
    }

    /// What the browser may see: id, type, brand, last4, expiry, nickname, default. Never more.
    pub fn sanitized(&self) -> SavedMethod {
        SavedMethod {
            id: self.id.clone(),
            kind: self.kind,
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
        let details = if self.kind == PaymentMethodKind::Card {
            json!({ "type": "CARD", "nameOnCard": self.name_on_card, "cardBrand": self.brand, "expiryMonth": self.exp_month,
                    "expiryYear": self.exp_year, "last4": self.last4, "zipCode": self.zip_code, "status": "ACTIVE" })
        } else {
            json!({ "type": "BANK_ACCOUNT", "accountType": self.account_type, "last4": self.last4, "status": "ACTIVE" })
        };
        let key = if self.kind == PaymentMethodKind::Card { "card" } else { "bankAccount" };
        json!({
            "id": self.id, "paymentMethodType": self.kind, "status": "COMPLETED",
            key: details, "paymentMethodDetails": details, "nickname": self.nickname, "default": self.is_default,
            "authenticated": self.authenticated,
        })
    }
}

/// (expiry month, expiry year, name on card, ZIP, bank account type) of a method.
pub type DisplayFields = (Option<i64>, Option<i64>, Option<String>, Option<String>, Option<String>);

/// A parsed, checked method to charge (or save).
pub enum Method {
    Card { number: CardNumber, exp_month: u8, exp_year: u16, cvc: String, name: Option<String>, zip: Option<String> },
    Bank { routing: String, account: String, account_type: String },
    /// A device wallet's one-time token (`GOOGLE_PAY` or `APPLE_PAY`): charged, never saved.
    Wallet { kind: PaymentMethodKind, token: String, brand: CardBrand, last4: String },
    Saved(SavedRow),
}

impl Method {
    pub fn kind(&self) -> PaymentMethodKind {
        match self {
            Method::Card { .. } => PaymentMethodKind::Card,
            Method::Bank { .. } => PaymentMethodKind::BankAccount,
            Method::Wallet { kind, .. } => *kind,
            Method::Saved(m) => m.kind,
        }
    }
    pub fn brand(&self) -> Option<String> {
        match self {
            Method::Card { number, .. } => Some(number.brand().wire_name().to_owned()),
            Method::Bank { .. } => None,
            Method::Wallet { brand, .. } => Some(brand.wire_name().to_owned()),
            Method::Saved(m) => m.brand.clone(),
        }
    }
    pub fn last4(&self) -> String {
        match self {
            Method::Card { number, .. } => number.last4().to_owned(),
            Method::Bank { account, .. } => account[account.len() - 4..].to_owned(),
            Method::Wallet { last4, .. } => last4.clone(),
            Method::Saved(m) => m.last4.clone(),
        }
    }
    /// What the processor charges or vaults.
    pub fn source(&self) -> ChargeSource<'_> {
        match self {
            Method::Card { number, exp_month, exp_year, cvc, .. } => {
                ChargeSource::Card { number, exp_month: *exp_month, exp_year: *exp_year, cvc }
            }
            Method::Bank { routing, account, account_type } => {
                ChargeSource::Bank { routing_number: routing, account_number: account, account_type }
            }
            Method::Wallet { kind, token, .. } => ChargeSource::Wallet { wallet: kind.as_str(), token },
            Method::Saved(m) => ChargeSource::Token(&m.token),
        }
    }
    /// (expiry month, expiry year, name, ZIP, account type): what a saved method may show.
    pub fn display_fields(&self) -> DisplayFields {
        match self {
            Method::Card { exp_month, exp_year, name, zip, .. } => {
                (Some(i64::from(*exp_month)), Some(i64::from(*exp_year)), name.clone(), zip.clone(), None)
            }
            Method::Bank { account_type, .. } => (None, None, None, None, Some(account_type.clone())),
            Method::Wallet { .. } => (None, None, None, None, None),
            Method::Saved(m) => (m.exp_month, m.exp_year, m.name_on_card.clone(), m.zip_code.clone(), m.account_type.clone()),
        }
    }
    /// The saved method's id, when this is one.
    pub fn saved_id(&self) -> Option<String> {
        match self {
            Method::Saved(m) => Some(m.id.clone()),
            _ => None,
        }
    }
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

/// Checks an inline card against the shared parsers and the required AVS fields.
pub fn parse_card(card: &CardInput, avs: &[AvsField]) -> ApiResult<Method> {
    let number =
        CardNumber::try_from(card.number.as_str()).map_err(|e| field_error("paymentMethod.card.number", e))?;
    check_expiry(card.exp_month, card.exp_year, today_year_month())
        .map_err(|e| field_error("paymentMethod.card.expMonth/expYear", e))?;
    check_cvc(&card.cvc, number.brand()).map_err(|e| field_error("paymentMethod.card.cvc", e))?;
    match card.zip_code.as_deref().map(str::trim).filter(|z| !z.is_empty()) {
        Some(z) => check_postal_code(z).map_err(|e| field_error("paymentMethod.card.zipCode", e))?,
        None if avs.contains(&AvsField::Zip) => {
            return Err(field_error("paymentMethod.card.zipCode", FieldError::Required));
        }
        None => {}
    }
    let name = card.name_on_card.as_deref().map(str::trim).unwrap_or("");
    if name.is_empty() && avs.contains(&AvsField::Cardholder) {
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
pub fn parse_inline(m: &InlineMethod, avs: &[AvsField]) -> ApiResult<Method> {
    match m {
        InlineMethod::Card { card } => parse_card(card, avs),
        InlineMethod::BankAccount { bank_account } => parse_bank(bank_account),
        InlineMethod::GooglePay { google_pay } => parse_wallet(PaymentMethodKind::GooglePay, google_pay),
        InlineMethod::ApplePay { apple_pay } => parse_wallet(PaymentMethodKind::ApplePay, apple_pay),
    }
}

/// Checks a device wallet's token and the card the wallet shows for it.
pub fn parse_wallet(kind: PaymentMethodKind, w: &WalletTokenInput) -> ApiResult<Method> {
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

pub fn parse_bank(b: &BankInput) -> ApiResult<Method> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn card(number: &str, zip: Option<&str>, name: Option<&str>) -> CardInput {
        CardInput {
            number: number.to_owned(),
            exp_month: 12,
            exp_year: 2040,
            cvc: "123".to_owned(),
            name_on_card: name.map(str::to_owned),
            zip_code: zip.map(str::to_owned),
        }
    }

    fn detail(e: ApiError) -> String {
        e.parts().1.detail
    }

    #[test]
    fn a_card_is_typed_by_its_number_and_shows_only_brand_and_last_four() {
        let m = parse_card(&card("4242 4242 4242 4242", None, None), &[]).expect("valid");
        assert_eq!((m.kind(), m.brand().as_deref(), m.last4().as_str()), (PaymentMethodKind::Card, Some("VISA"), "4242"));
        assert_eq!(m.saved_id(), None);
    }

    #[test]
    fn required_avs_fields_are_enforced_and_named_in_the_error() {
        let zip = parse_card(&card("4242424242424242", None, Some("Pat")), &[AvsField::Zip]).err().map(detail);
        assert_eq!(zip.as_deref(), Some("paymentMethod.card.zipCode is required."));
        let name = parse_card(&card("4242424242424242", Some("12345"), None), &[AvsField::Cardholder]).err().map(detail);
        assert_eq!(name.as_deref(), Some("paymentMethod.card.nameOnCard is required."));
        assert!(parse_card(&card("4242424242424242", Some("12345"), Some("Pat")), &[AvsField::Zip, AvsField::Cardholder]).is_ok());
    }

    #[test]
    fn a_bad_card_number_never_appears_in_the_error() {
        let e = parse_card(&card("4242424242424241", None, None), &[]).err().map(detail).expect("refused");
        assert_eq!(e, "paymentMethod.card.number is not a valid card number.");
    }

    #[test]
    fn a_bank_account_needs_a_valid_routing_number_and_account_type() {
        let ok = BankInput {
            routing_number: "110000000".to_owned(),
            account_number: "000123456789".to_owned(),
            account_type: "Checking".to_owned(),
            account_holder_name: "Pat Doe".to_owned(),
        };
        let m = parse_bank(&ok).expect("valid");
        assert_eq!((m.kind(), m.last4().as_str(), m.brand()), (PaymentMethodKind::BankAccount, "6789", None));
        assert_eq!(m.display_fields().4.as_deref(), Some("checking"));
        let bad_routing = BankInput { routing_number: "110000001".to_owned(), ..ok.clone() };
        assert_eq!(parse_bank(&bad_routing).err().map(detail).as_deref(), Some("paymentMethod.bankAccount.routingNumber is not a valid ABA routing number."));
        let bad_type = BankInput { account_type: "brokerage".to_owned(), ..ok };
        assert!(parse_bank(&bad_type).is_err());
    }

    #[test]
    fn a_device_wallet_token_is_typed_as_its_wallet_with_the_network_s_brand() {
        let w = WalletTokenInput { token: "tok".to_owned(), network: "chinaunionpay".to_owned(), last4: "0005".to_owned() };
        let m = parse_wallet(PaymentMethodKind::ApplePay, &w).expect("valid");
        assert_eq!((m.kind(), m.brand().as_deref(), m.last4().as_str()), (PaymentMethodKind::ApplePay, Some("UNIONPAY"), "0005"));
        let unknown = WalletTokenInput { network: "BANKCARD".to_owned(), ..w.clone() };
        assert!(parse_wallet(PaymentMethodKind::GooglePay, &unknown).err().map(detail).is_some_and(|d| d.starts_with("paymentMethod.googlePay.network")));
        let empty = WalletTokenInput { token: " ".to_owned(), ..w };
        assert_eq!(parse_wallet(PaymentMethodKind::GooglePay, &empty).err().map(detail).as_deref(), Some("paymentMethod.googlePay.token must be 1-16384 characters."));
    }
}
