//! Pure parsers for what a payer types. The widget uses them for instant hints, the API for
//! its verdict, so both always agree. No I/O, no allocation beyond the parsed value.

pub mod bank;
pub mod card;

/// A field-level problem, named by a stable code the widget translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldError {
    /// Nothing was entered.
    Required,
    /// Card number fails length or Luhn, or contains non-digits.
    InvalidCardNumber,
    /// Expiry is not a real MM/YY.
    InvalidExpiry,
    /// Expiry is in the past.
    ExpiredCard,
    /// CVC has the wrong length for the brand.
    InvalidCvc,
    /// Routing number is not 9 digits or fails the ABA checksum.
    InvalidRoutingNumber,
    /// Account number is not 4-17 digits.
    InvalidAccountNumber,
    /// The two account-number entries differ.
    AccountNumberMismatch,
    /// Postal code is not 5 digits (or ZIP+4).
    InvalidPostalCode,
}

impl FieldError {
    /// Stable code, used as the i18n key and in API error details.
    pub fn code(self) -> &'static str {
        match self {
            FieldError::Required => "required",
            FieldError::InvalidCardNumber => "invalid_number",
            FieldError::InvalidExpiry => "invalid_expiry",
            FieldError::ExpiredCard => "expired_card",
            FieldError::InvalidCvc => "invalid_cvc",
            FieldError::InvalidRoutingNumber => "invalid_routing_number",
            FieldError::InvalidAccountNumber => "invalid_account_number",
            FieldError::AccountNumberMismatch => "account_number_mismatch",
            FieldError::InvalidPostalCode => "invalid_postal_code",
        }
    }
}

/// Keeps only ASCII digits (payers type spaces and dashes).
pub fn digits_only(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// US postal code: 5 digits or ZIP+4 (`12345-6789`).
pub fn check_postal_code(s: &str) -> Result<(), FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(FieldError::Required);
    }
    let b = s.as_bytes();
    let five = |b: &[u8]| b.len() == 5 && b.iter().all(u8::is_ascii_digit);
    let ok = five(b)
        || (b.len() == 10 && five(&b[..5]) && b[5] == b'-' && b[6..].iter().all(u8::is_ascii_digit));
    if ok { Ok(()) } else { Err(FieldError::InvalidPostalCode) }
}
