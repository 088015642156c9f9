//! Money: integer minor units plus an ISO currency code. Never a float.

use serde::{Deserialize, Serialize};

/// Smallest accepted amount, in minor units.
pub const MIN_AMOUNT: i64 = 1;
/// Largest accepted amount, in minor units (one million dollars).
pub const MAX_AMOUNT: i64 = 100_000_000;

/// An amount in minor units (cents for USD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct MinorUnit(#[cfg_attr(feature = "ts", ts(type = "number"))] pub i64);

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountError;

impl TryFrom<i64> for MinorUnit {
    type Error = AmountError;
    /// Accepts 1 ..= 100,000,000 minor units.
    fn try_from(v: i64) -> Result<Self, Self::Error> {
        if (MIN_AMOUNT..=MAX_AMOUNT).contains(&v) {
            Ok(MinorUnit(v))
        } else {
            Err(AmountError)
        }
    }
}

/// The currencies the product settles in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Currency {
    #[default]
    USD,
    CAD,
    EUR,
    GBP,
}

impl Currency {
    /// Parses an ISO 4217 code, case-insensitively.
    pub fn parse(code: &str) -> Option<Currency> {
        match code.to_ascii_uppercase().as_str() {
            "USD" => Some(Currency::USD),
            "CAD" => Some(Currency::CAD),
            "EUR" => Some(Currency::EUR),
            "GBP" => Some(Currency::GBP),
            _ => None,
        }
    }

    /// The ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::USD => "USD",
            Currency::CAD => "CAD",
            Currency::EUR => "EUR",
            Currency::GBP => "GBP",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Currency::USD => "$",
            Currency::CAD => "CA$",
            Currency::EUR => "€",
            Currency::GBP => "£",
        }
    }
}

/// Minor units as a plain decimal string (`1234` → `"12.34"`, two places), as the device wallets'
/// sheets (Payment Request, Apple Pay) take amounts.
pub fn decimal(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Formats `amount` for a payer: `$1,234.56` in English, `1.234,56 $` style separators in Spanish.
pub fn format_money(amount: MinorUnit, currency: Currency, locale: &str) -> String {
    let neg = amount.0 < 0;
    let abs = amount.0.unsigned_abs();
    let (whole, cents) = (abs / 100, abs % 100);
    let spanish = locale.starts_with("es");
    let (group, decimal) = if spanish { ('.', ',') } else { (',', '.') };
    let digits = whole.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(ch);
    }
    let sign = if neg { "-" } else { "" };
    if spanish {
        format!("{sign}{grouped}{decimal}{cents:02}\u{a0}{}", currency.symbol())
    } else {
        format!("{sign}{}{grouped}{decimal}{cents:02}", currency.symbol())
    }
}
