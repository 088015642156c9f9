//! Table tests for the shared parsers: every rule the widget hints at and the API enforces.

use checkout_types::money::{Currency, MinorUnit, format_money};
use checkout_types::validate::bank::{aba_valid, check_account_number, check_routing_number};
use checkout_types::validate::card::{
    CardBrand, CardNumber, check_cvc, check_expiry, format_card_number, format_expiry, luhn_valid, parse_expiry,
};
use checkout_types::validate::{FieldError, check_postal_code};

#[test]
fn brands_are_detected_from_leading_digits() {
    let cases = [
        ("4242424242424242", CardBrand::Visa),
        ("5555555555554444", CardBrand::Mastercard),
        ("2223003122003222", CardBrand::Mastercard),
        ("378282246310005", CardBrand::Amex),
        ("6011111111111117", CardBrand::Discover),
        ("3056930009020004", CardBrand::Diners),
        ("36227206271667", CardBrand::Diners),
        ("3566002020360505", CardBrand::Jcb),
        ("6200000000000005", CardBrand::UnionPay),
        ("9999", CardBrand::Unknown),
        ("", CardBrand::Unknown),
    ];
    for (n, want) in cases {
        assert_eq!(CardBrand::detect(n), want, "{n}");
    }
}

#[test]
fn luhn_accepts_test_cards_and_rejects_typos() {
    for n in ["4242424242424242", "4000000000000002", "378282246310005", "6011111111111117"] {
        assert!(luhn_valid(n), "{n}");
    }
    for n in ["4242424242424241", "1234567812345678", "", "42a2"] {
        assert!(!luhn_valid(n), "{n}");
    }
}

#[test]
fn card_number_parse_checks_length_luhn_and_characters() {
    assert_eq!(CardNumber::try_from("4242 4242 4242 4242").map(|c| c.last4().to_owned()), Ok("4242".into()));
    assert_eq!(CardNumber::try_from("4242-4242-4242-4242").map(|c| c.brand()), Ok(CardBrand::Visa));
    assert_eq!(CardNumber::try_from(""), Err(FieldError::Required));
    assert_eq!(CardNumber::try_from("4242 4242 4242 4241"), Err(FieldError::InvalidCardNumber));
    assert_eq!(CardNumber::try_from("4242 4242 4242"), Err(FieldError::InvalidCardNumber));
    assert_eq!(CardNumber::try_from("4242x4242x4242x4242"), Err(FieldError::InvalidCardNumber));
    // Amex is 15 digits; a 16-digit Amex-prefixed number is refused even if Luhn-valid.
    assert_eq!(CardNumber::try_from("3782822463100052"), Err(FieldError::InvalidCardNumber));
}

#[test]
fn card_number_debug_never_shows_the_pan() {
    let c = CardNumber::try_from("4242424242424242").expect("valid");
    assert_eq!(format!("{c:?}"), "CardNumber(****4242)");
}

#[test]
fn numbers_are_grouped_by_brand() {
    assert_eq!(format_card_number("4242424242424242"), "4242 4242 4242 4242");
    assert_eq!(format_card_number("378282246310005"), "3782 822463 10005");
    assert_eq!(format_card_number("36227206271667"), "3622 720627 1667");
    assert_eq!(format_card_number("42424"), "4242 4");
    assert_eq!(format_card_number(""), "");
    assert_eq!(format_card_number("4"), "4");
    assert_eq!(format_card_number("3782 8224 6310 0059 99"), "3782 822463 10005");
}

#[test]
fn expiry_parsing_and_checks() {
    assert_eq!(parse_expiry("12 / 34"), Ok((12, 2034)));
    assert_eq!(parse_expiry("0130"), Ok((1, 2030)));
    assert_eq!(parse_expiry("01/2030"), Ok((1, 2030)));
    assert_eq!(parse_expiry("13/30"), Err(FieldError::InvalidExpiry));
    assert_eq!(parse_expiry("1/3"), Err(FieldError::InvalidExpiry));
    assert_eq!(parse_expiry(""), Err(FieldError::Required));
    let today = (2026, 11);
    assert_eq!(check_expiry(11, 2026, today), Ok(()));
    assert_eq!(check_expiry(10, 2026, today), Err(FieldError::ExpiredCard));
    assert_eq!(check_expiry(1, 2030, today), Ok(()));
    assert_eq!(check_expiry(0, 2030, today), Err(FieldError::InvalidExpiry));
    assert_eq!(check_expiry(1, 2090, today), Err(FieldError::InvalidExpiry));
    assert_eq!(format_expiry("4"), "04");
    assert_eq!(format_expiry("1234"), "12 / 34");
    assert_eq!(format_expiry("12 / 345"), "12 / 34");
    // Each side of the split after the month (written without slicing by index, issue #21).
    assert_eq!(format_expiry("1"), "1");
    assert_eq!(format_expiry("12"), "12");
    assert_eq!(format_expiry("123"), "12 / 3");
    assert_eq!(parse_expiry("123"), Err(FieldError::InvalidExpiry));
}

#[test]
fn cvc_length_follows_brand() {
    assert_eq!(check_cvc("123", CardBrand::Visa), Ok(()));
    assert_eq!(check_cvc("1234", CardBrand::Visa), Err(FieldError::InvalidCvc));
    assert_eq!(check_cvc("1234", CardBrand::Amex), Ok(()));
    assert_eq!(check_cvc("123", CardBrand::Amex), Err(FieldError::InvalidCvc));
    assert_eq!(check_cvc("12a", CardBrand::Visa), Err(FieldError::InvalidCvc));
    assert_eq!(check_cvc(" ", CardBrand::Visa), Err(FieldError::Required));
}

#[test]
fn aba_checksum() {
    for r in ["110000000", "021000021", "011401533", "091000019"] {
        assert!(aba_valid(r), "{r}");
    }
    for r in ["110000001", "12345678", "1100000000", "000000000", "11000000a"] {
        assert!(!aba_valid(r), "{r}");
    }
    assert_eq!(check_routing_number("110 000 000"), Ok("110000000".into()));
    assert_eq!(check_routing_number(""), Err(FieldError::Required));
    assert_eq!(check_account_number("000123456789"), Ok("000123456789".into()));
    assert_eq!(check_account_number("123"), Err(FieldError::InvalidAccountNumber));
    assert_eq!(check_account_number("123456789012345678"), Err(FieldError::InvalidAccountNumber));
}

#[test]
fn postal_codes() {
    assert_eq!(check_postal_code("12345"), Ok(()));
    assert_eq!(check_postal_code("12345-6789"), Ok(()));
    assert_eq!(check_postal_code("1234"), Err(FieldError::InvalidPostalCode));
    assert_eq!(check_postal_code(""), Err(FieldError::Required));
}

#[test]
fn amounts_are_bounded_and_formatted_per_locale() {
    assert!(MinorUnit::try_from(0).is_err());
    assert!(MinorUnit::try_from(1).is_ok());
    assert!(MinorUnit::try_from(100_000_000).is_ok());
    assert!(MinorUnit::try_from(100_000_001).is_err());
    assert_eq!(format_money(MinorUnit(123456), Currency::USD, "en"), "$1,234.56");
    assert_eq!(format_money(MinorUnit(5), Currency::USD, "en"), "$0.05");
    assert_eq!(format_money(MinorUnit(100000000), Currency::USD, "en"), "$1,000,000.00");
    assert_eq!(format_money(MinorUnit(123456), Currency::USD, "es"), "1.234,56\u{a0}$");
}
