//! The widget's view of a checkout session: what `GET /v1/sessions/{id}/config` answers.

use serde::{Deserialize, Serialize};

use crate::payment::PaymentSummary;
use crate::quote::PaymentMethodKind;
use crate::money::{Currency, MinorUnit};

crate::wire_enum! {
    /// The six widget modes; a session holds exactly one.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "SCREAMING_SNAKE_CASE"))]
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename_all = "SCREAMING_SNAKE_CASE"))]
    pub enum Mode {
        Payment = "PAYMENT",
        PaymentMethodEntry = "PAYMENT_METHOD_ENTRY",
        PaymentWithWallet = "PAYMENT_WITH_WALLET",
        Wallet = "WALLET",
        PaymentMethodSelect = "PAYMENT_METHOD_SELECT",
        PaymentMethodDisplay = "PAYMENT_METHOD_DISPLAY",
    }
}

impl Mode {
    /// Whether the mode moves money (and so needs `payment`).
    pub fn takes_payment(self) -> bool {
        matches!(self, Mode::Payment | Mode::PaymentWithWallet)
    }
}

crate::wire_enum! {
    /// Card channels a merchant can enable.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "SCREAMING_SNAKE_CASE"))]
    pub enum CardChannel {
        Webform = "WEBFORM",
        Text = "TEXT",
        Email = "EMAIL",
        GooglePay = "GOOGLE_PAY",
        ApplePay = "APPLE_PAY",
    }
}

crate::wire_enum! {
    /// Bank-account channels a merchant can enable.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "SCREAMING_SNAKE_CASE"))]
    pub enum BankChannel {
        Webform = "WEBFORM",
    }
}

/// `config.paymentMethodChannel`: only what is listed renders.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Channels {
    #[serde(default)]
    pub card: Vec<CardChannel>,
    #[serde(default)]
    pub bank_account: Vec<BankChannel>,
}

/// What a payment session's screen needs beyond the card form: the bank form and saved methods,
/// the device wallets (Google Pay, Apple Pay), both or neither. The widget has one build for each
/// (issue #21: `card`, `forms`, `express`, `pay`); the API serves the one the session needs
/// (api/src/pages.rs) and the build checks the same rule again (`src/modes/payment`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentScreen {
    /// The card form alone: a `PAYMENT` session with no saved methods, no bank account and no
    /// device wallet (TEXT and EMAIL links open the card form too).
    CardForm,
    /// The card and bank forms and saved methods, no device wallet.
    Forms,
    /// The card form and the device wallets, no bank form or saved methods.
    CardAndWallets,
    /// Everything: both forms, saved methods and the device wallets.
    Everything,
}

impl PaymentScreen {
    /// The screen with the bank form and saved methods (`more_methods`) and the device wallets.
    pub const fn of(more_methods: bool, device_wallets: bool) -> PaymentScreen {
        match (more_methods, device_wallets) {
            (false, false) => PaymentScreen::CardForm,
            (true, false) => PaymentScreen::Forms,
            (false, true) => PaymentScreen::CardAndWallets,
            (true, true) => PaymentScreen::Everything,
        }
    }

    /// Whether it holds the bank form and the saved methods.
    pub const fn more_methods(self) -> bool {
        matches!(self, PaymentScreen::Forms | PaymentScreen::Everything)
    }

    /// Whether it holds Google Pay and Apple Pay.
    pub const fn device_wallets(self) -> bool {
        matches!(self, PaymentScreen::CardAndWallets | PaymentScreen::Everything)
    }

    /// The screen a payment session in `mode` with `channels` needs. `saved_methods`: whether it
    /// may list saved methods (the API: the session has a customer's wallet; the widget: its
    /// config lists some), so the API's answer is never lighter than the widget's.
    pub fn needed(mode: Mode, channels: &Channels, saved_methods: bool) -> PaymentScreen {
        PaymentScreen::of(Self::needs_more_methods(mode, channels, saved_methods), Self::needs_device_wallets(channels))
    }

    /// Whether it needs the bank form or saved methods: anything but a `PAYMENT` session without
    /// saved methods or a bank account.
    pub fn needs_more_methods(mode: Mode, channels: &Channels, saved_methods: bool) -> bool {
        mode != Mode::Payment || saved_methods || !channels.bank_account.is_empty()
    }

    /// Whether it needs the device wallets: Google Pay or Apple Pay among its card channels.
    pub fn needs_device_wallets(channels: &Channels) -> bool {
        channels.card.iter().any(|c| matches!(c, CardChannel::GooglePay | CardChannel::ApplePay))
    }
}

crate::wire_enum! {
    /// Merchant-visible session status.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "SCREAMING_SNAKE_CASE"))]
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename_all = "SCREAMING_SNAKE_CASE"))]
    pub enum SessionStatus {
        Accepted = "ACCEPTED",
        Created = "CREATED",
        Completed = "COMPLETED",
        Failed = "FAILED",
        Expired = "EXPIRED",
        Canceled = "CANCELED",
    }
}

impl SessionStatus {
    /// Terminal statuses never change again.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            SessionStatus::Completed | SessionStatus::Failed | SessionStatus::Expired | SessionStatus::Canceled
        )
    }
}

crate::wire_enum! {
    /// A card field a merchant may require for address verification (`required_avs_fields`).
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "lowercase"))]
    pub enum AvsField {
        /// The name on the card.
        Cardholder = "cardholder",
        /// The billing ZIP code.
        Zip = "zip",
    }
}

/// A saved payment method as the browser may see it: never more than this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SavedMethod {
    pub id: String,
    /// `CARD` or `BANK_ACCOUNT`.
    #[serde(rename = "type")]
    pub kind: PaymentMethodKind,
    #[serde(default)]
    pub brand: Option<String>,
    pub last4: String,
    #[serde(default)]
    pub exp_month: Option<u8>,
    #[serde(default)]
    pub exp_year: Option<u16>,
    #[serde(default)]
    pub nickname: Option<String>,
    #[serde(default)]
    pub default: bool,
}

/// `GET /v1/sessions/{id}/config`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionConfig {
    pub session_id: String,
    pub mode: Mode,
    pub status: SessionStatus,
    #[serde(default)]
    pub amount: Option<MinorUnit>,
    pub currency_code: Currency,
    pub merchant_name: String,
    /// The merchant's id: its account at the payment gateway, as device wallets ask for it.
    #[serde(default)]
    pub merchant_id: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub privacy_policy_url: Option<String>,
    pub locale: String,
    pub expires_at: String,
    pub channels: Channels,
    #[serde(default)]
    pub saved_methods: Vec<SavedMethod>,
    #[serde(default)]
    pub preselected_method_id: Option<String>,
    /// e.g. `["cardholder", "zip"]`.
    #[serde(default)]
    pub required_avs_fields: Vec<AvsField>,
    /// `off`, `on_session` or `off_session`.
    pub setup_future_usage: String,
    /// Set once the session completed with a payment.
    #[serde(default)]
    pub payment: Option<PaymentSummary>,
    /// The merchant's registered origins: the only targets of popup messages.
    #[serde(default)]
    pub merchant_origins: Vec<String>,
    /// Theme set by the merchant on the session: CSS custom properties (`--checkout-*`) and values.
    #[serde(default)]
    pub appearance: std::collections::BTreeMap<String, String>,
    /// Whether the payer may save the method for later (a wallet and `setupFutureUsage` allow it).
    #[serde(default)]
    pub can_save: bool,
    /// Opened as a popup: close it once the outcome was posted to the opener.
    #[serde(default)]
    pub close_on_success: bool,
    /// Where "cancel" takes the payer (hosted sessions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_url: Option<String>,
    /// The signed success URL, once the session completed (hosted sessions with `success_url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// What the amount is for, listed above the total (payment modes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line_items: Vec<LineItem>,
    /// Google Pay's request parameters, when the session enables `GOOGLE_PAY`: the merchant's
    /// settings (`PUT /v1/wallet-settings`) or the sandbox's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_pay: Option<crate::device_wallet::GooglePaySettings>,
    /// Apple Pay's payment request, when the session enables `APPLE_PAY`: the widget starts
    /// `ApplePaySession` with it and the quoted total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_pay: Option<crate::device_wallet::ApplePayOptions>,
    /// The card brands the session takes (`VISA`, `MASTERCARD`, …); empty: every brand. Device
    /// wallets offer only these networks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub card_brands: Vec<String>,
    /// The agent's screen, for an agent-assisted session read by the agent; absent for the
    /// customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<crate::links::AgentView>,
}

/// One line of what the payer pays for: a name, how many, and the line's total. Read by the API
/// through `serde_json::Value` (below); the widget reads it with its own reader (`src/json.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineItem {
    /// 1-100 characters.
    pub name: String,
    /// 1-10,000.
    pub quantity: u32,
    /// The line's total, minor units.
    pub amount: MinorUnit,
}

impl<'de> Deserialize<'de> for LineItem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let bad = || <D::Error as serde::de::Error>::custom("a line item is {name, quantity, amount}");
        Ok(LineItem {
            name: v.get("name").and_then(serde_json::Value::as_str).ok_or_else(bad)?.to_owned(),
            quantity: v.get("quantity").and_then(serde_json::Value::as_u64).and_then(|q| u32::try_from(q).ok()).ok_or_else(bad)?,
            amount: MinorUnit(v.get("amount").and_then(serde_json::Value::as_i64).ok_or_else(bad)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payment_needs_the_card_form_alone_unless_it_has_a_bank_account_saved_methods_or_a_device_wallet() {
        use CardChannel::{ApplePay, Email, GooglePay, Text, Webform};
        use PaymentScreen::{CardAndWallets, CardForm, Everything, Forms};
        let ch = |card: &[CardChannel], bank: &[BankChannel]| Channels { card: card.to_vec(), bank_account: bank.to_vec() };
        let bank = [BankChannel::Webform];
        let cases = [
            (Mode::Payment, ch(&[Webform], &[]), false, CardForm),
            (Mode::Payment, ch(&[Webform, Text, Email], &[]), false, CardForm),
            (Mode::Payment, ch(&[Webform], &[]), true, Forms),
            (Mode::PaymentWithWallet, ch(&[Webform], &[]), false, Forms),
            (Mode::Payment, ch(&[Webform], &bank), false, Forms),
            (Mode::Payment, ch(&[], &bank), false, Forms),
            (Mode::Payment, ch(&[Webform, GooglePay], &[]), false, CardAndWallets),
            (Mode::Payment, ch(&[ApplePay], &[]), false, CardAndWallets),
            (Mode::Payment, ch(&[Webform, ApplePay], &bank), true, Everything),
            (Mode::Payment, ch(&[Webform, GooglePay], &bank), false, Everything),
            (Mode::PaymentWithWallet, ch(&[GooglePay], &[]), true, Everything),
        ];
        for (mode, channels, saved, screen) in cases {
            assert_eq!(PaymentScreen::needed(mode, &channels, saved), screen, "{mode:?} {channels:?} saved={saved}");
        }
    }
}
