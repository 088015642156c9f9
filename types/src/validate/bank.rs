//! US bank accounts: ABA routing-number checksum and account-number shape.

use super::{FieldError, digits_only};

/// ABA checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10), nine digits.
pub fn aba_valid(routing: &str) -> bool {
    let b = routing.as_bytes();
    if b.len() != 9 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let d: Vec<u32> = b.iter().map(|c| u32::from(c - b'0')).collect();
    let sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8]);
    sum.is_multiple_of(10) && d.iter().any(|&x| x != 0)
}

/// Routing number as typed (spaces allowed) -> checked nine digits.
pub fn check_routing_number(s: &str) -> Result<String, FieldError> {
    if s.trim().is_empty() {
        return Err(FieldError::Required);
    }
    if !s.chars().all(|c| c.is_ascii_digit() || c == ' ') {
        return Err(FieldError::InvalidRoutingNumber);
    }
    let d = digits_only(s);
    if aba_valid(&d) { Ok(d) } else { Err(FieldError::InvalidRoutingNumber) }
}

/// Account number: 4 to 17 digits.
pub fn check_account_number(s: &str) -> Result<String, FieldError> {
    if s.trim().is_empty() {
        return Err(FieldError::Required);
    }
    if !s.chars().all(|c| c.is_ascii_digit() || c == ' ') {
        return Err(FieldError::InvalidAccountNumber);
    }
    let d = digits_only(s);
    if (4..=17).contains(&d.len()) { Ok(d) } else { Err(FieldError::InvalidAccountNumber) }
}
