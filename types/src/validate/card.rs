//! Card numbers (brand, Luhn, length, formatting), expiry and CVC.

use super::{FieldError, digits_only};

/// Card networks the widget recognises while the payer types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Diners,
    Jcb,
    UnionPay,
    Unknown,
}

fn prefix_in(d: &str, len: usize, lo: u32, hi: u32) -> bool {
    d.get(..len).and_then(|p| p.parse::<u32>().ok()).is_some_and(|p| (lo..=hi).contains(&p))
}

impl CardBrand {
    /// Detects the network from the leading digits (works on partial input).
    pub fn detect(digits: &str) -> CardBrand {
        let d = digits;
        if d.starts_with('4') {
            CardBrand::Visa
        } else if prefix_in(d, 2, 51, 55) || prefix_in(d, 4, 2221, 2720) {
            CardBrand::Mastercard
        } else if d.starts_with("34") || d.starts_with("37") {
            CardBrand::Amex
        } else if d.starts_with("6011") || prefix_in(d, 3, 644, 649) || d.starts_with("65") {
            CardBrand::Discover
        } else if prefix_in(d, 3, 300, 305) || d.starts_with("36") || d.starts_with("38") || d.starts_with("39") {
            CardBrand::Diners
        } else if prefix_in(d, 4, 3528, 3589) {
            CardBrand::Jcb
        } else if d.starts_with("62") || d.starts_with("81") {
            CardBrand::UnionPay
        } else {
            CardBrand::Unknown
        }
    }

    /// Wire name, as the API reports `cardBrand`.
    pub fn wire_name(self) -> &'static str {
        match self {
            CardBrand::Visa => "VISA",
            CardBrand::Mastercard => "MASTERCARD",
            CardBrand::Amex => "AMEX",
            CardBrand::Discover => "DISCOVER",
            CardBrand::Diners => "DINERS",
            CardBrand::Jcb => "JCB",
            CardBrand::UnionPay => "UNIONPAY",
            CardBrand::Unknown => "UNKNOWN",
        }
    }

    /// Parses a wire name (`VISA`, `AMEX`, …); anything else is `Unknown`.
    pub fn from_wire(name: &str) -> CardBrand {
        [
            CardBrand::Visa,
            CardBrand::Mastercard,
            CardBrand::Amex,
            CardBrand::Discover,
            CardBrand::Diners,
            CardBrand::Jcb,
            CardBrand::UnionPay,
        ]
        .into_iter()
        .find(|b| b.wire_name() == name)
        .unwrap_or(CardBrand::Unknown)
    }

    /// Name a payer reads.
    pub fn display_name(self) -> &'static str {
        match self {
            CardBrand::Visa => "Visa",
            CardBrand::Mastercard => "Mastercard",
            CardBrand::Amex => "American Express",
            CardBrand::Discover => "Discover",
            CardBrand::Diners => "Diners Club",
            CardBrand::Jcb => "JCB",
            CardBrand::UnionPay => "UnionPay",
            CardBrand::Unknown => "Card",
        }
    }

    /// Valid PAN lengths for the network.
    pub fn lengths(self) -> &'static [usize] {
        match self {
            CardBrand::Visa => &[13, 16, 19],
            CardBrand::Mastercard => &[16],
            CardBrand::Amex => &[15],
            CardBrand::Discover | CardBrand::Jcb | CardBrand::UnionPay => &[16, 17, 18, 19],
            CardBrand::Diners => &[14, 15, 16, 17, 18, 19],
            CardBrand::Unknown => &[12, 13, 14, 15, 16, 17, 18, 19],
        }
    }

    /// Longest PAN for the network (for the input's max length).
    pub fn max_length(self) -> usize {
        self.lengths().iter().copied().max().unwrap_or(19)
    }

    /// CVC digits the network uses.
    pub fn cvc_length(self) -> usize {
        if self == CardBrand::Amex { 4 } else { 3 }
    }

    /// Digit groups for display: Amex 4-6-5, 14-digit Diners 4-6-4, others blocks of 4.
    fn groups(self, len: usize) -> &'static [usize] {
        match (self, len) {
            (CardBrand::Amex, _) => &[4, 6, 5],
            (CardBrand::Diners, 14) => &[4, 6, 4],
            _ => &[4, 4, 4, 4, 3],
        }
    }
}

/// Luhn mod-10 check over an all-digit string.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Formats what the payer typed into the brand's digit groups, e.g. `4242 4242 4242 4242`.
/// Extra digits beyond the brand's longest PAN are dropped.
pub fn format_card_number(input: &str) -> String {
    let mut d = digits_only(input);
    let brand = CardBrand::detect(&d);
    d.truncate(brand.max_length());
    let mut out = String::with_capacity(d.len() + 4);
    let mut rest = d.as_str();
    for &g in brand.groups(d.len()) {
        if rest.is_empty() {
            break;
        }
        // `split_at_checked`, not `&rest[..take]`: slicing by index links core's slice-error
        // formatting into the widget's wasm (issue #21); these are ASCII digits, so it never fails.
        let Some((group, tail)) = rest.split_at_checked(g.min(rest.len())) else { break };
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(group);
        rest = tail;
    }
    out
}

/// A PAN that passed length and Luhn checks. Digits only. Never log it.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber(String);

impl CardNumber {
    /// The digits, for the processor only.
    pub fn digits(&self) -> &str {
        &self.0
    }
    /// Detected network.
    pub fn brand(&self) -> CardBrand {
        CardBrand::detect(&self.0)
    }
    /// Last four digits, safe to show and store.
    pub fn last4(&self) -> &str {
        self.0.get(self.0.len().saturating_sub(4)..).unwrap_or_default()
    }
}

impl std::fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CardNumber(****{})", self.last4())
    }
}

impl TryFrom<&str> for CardNumber {
    type Error = FieldError;
    /// Accepts spaces and dashes between digits; anything else is refused.
    fn try_from(s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(FieldError::Required);
        }
        if !s.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-') {
            return Err(FieldError::InvalidCardNumber);
        }
        let d = digits_only(s);
        let brand = CardBrand::detect(&d);
        if !brand.lengths().contains(&d.len()) || !luhn_valid(&d) {
            return Err(FieldError::InvalidCardNumber);
        }
        Ok(CardNumber(d))
    }
}

/// Parses `MM/YY`, `MM / YY`, `MMYY` or `MM/YYYY` into (month, four-digit year).
pub fn parse_expiry(s: &str) -> Result<(u8, u16), FieldError> {
    let d = digits_only(s);
    if d.is_empty() {
        return Err(FieldError::Required);
    }
    let (m, y) = match d.len() {
        4 | 6 => d.split_at_checked(2).ok_or(FieldError::InvalidExpiry)?,
        _ => return Err(FieldError::InvalidExpiry),
    };
    let month: u8 = m.parse().map_err(|_| FieldError::InvalidExpiry)?;
    let mut year: u16 = y.parse().map_err(|_| FieldError::InvalidExpiry)?;
    if year < 100 {
        year += 2000;
    }
    if !(1..=12).contains(&month) {
        return Err(FieldError::InvalidExpiry);
    }
    Ok((month, year))
}

/// A card is valid through the last day of its expiry month. `today` is (year, month).
pub fn check_expiry(month: u8, year: u16, today: (u16, u8)) -> Result<(), FieldError> {
    if !(1..=12).contains(&month) || !(2000..=2099).contains(&year) {
        return Err(FieldError::InvalidExpiry);
    }
    if (year, month) < today {
        return Err(FieldError::ExpiredCard);
    }
    if year > today.0 + 50 {
        return Err(FieldError::InvalidExpiry);
    }
    Ok(())
}

/// Formats typing into `MM / YY` as the payer goes.
pub fn format_expiry(input: &str) -> String {
    let mut d = digits_only(input);
    // A lone leading digit above 1 is a month: "4" -> "04".
    if d.len() == 1 && d.as_bytes()[0] > b'1' {
        d.insert(0, '0');
    }
    d.truncate(4);
    match d.split_at_checked(2) {
        Some((month, year)) if !year.is_empty() => format!("{month} / {year}"),
        _ => d,
    }
}

/// CVC: digits only, 3 long (4 for Amex).
pub fn check_cvc(cvc: &str, brand: CardBrand) -> Result<(), FieldError> {
    let c = cvc.trim();
    if c.is_empty() {
        return Err(FieldError::Required);
    }
    if c.len() == brand.cvc_length() && c.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(FieldError::InvalidCvc)
    }
}
