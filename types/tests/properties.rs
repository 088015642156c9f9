//! Property tests of the parsers that face hostile input: no panic on any string, and every
//! accepted value satisfies the rule it was accepted under.

use checkout_types::money::MinorUnit;
use checkout_types::validate::bank::{aba_valid, check_account_number, check_routing_number};
use checkout_types::validate::card::{CardBrand, CardNumber, format_card_number, format_expiry, luhn_valid, parse_expiry};
use checkout_types::validate::{check_postal_code, digits_only};
use proptest::prelude::*;

/// Appends the Luhn check digit to `body`.
fn with_check_digit(body: &str) -> String {
    (0..10).map(|d| format!("{body}{d}")).find(|n| luhn_valid(n)).unwrap_or_default()
}

proptest! {
    #[test]
    fn card_parser_never_panics_and_only_accepts_valid_numbers(s in "\\PC{0,40}") {
        if let Ok(card) = CardNumber::try_from(s.as_str()) {
            prop_assert!(luhn_valid(card.digits()));
            prop_assert!(card.brand().lengths().contains(&card.digits().len()));
            prop_assert_eq!(card.last4(), &card.digits()[card.digits().len() - 4..]);
        }
    }

    #[test]
    fn generated_visa_numbers_are_accepted(body in "4[0-9]{14}") {
        let n = with_check_digit(&body);
        let card = CardNumber::try_from(n.as_str());
        prop_assert!(card.is_ok());
        prop_assert_eq!(card.map(|c| c.brand()).ok(), Some(CardBrand::Visa));
    }

    #[test]
    fn one_wrong_digit_is_caught(body in "4[0-9]{14}", pos in 0usize..16, delta in 1u8..10) {
        let n = with_check_digit(&body);
        let mut bytes = n.into_bytes();
        bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
        let typo = String::from_utf8(bytes).unwrap_or_default();
        prop_assert!(CardNumber::try_from(typo.as_str()).is_err());
    }

    #[test]
    fn formatting_is_stable_and_keeps_digits(s in "[0-9 ]{0,30}") {
        let once = format_card_number(&s);
        prop_assert_eq!(format_card_number(&once), once.clone());
        prop_assert!(digits_only(&s).starts_with(&digits_only(&once)));
        let e = format_expiry(&s);
        prop_assert_eq!(format_expiry(&e), e.clone());
    }

    #[test]
    fn other_parsers_never_panic(s in "\\PC{0,40}") {
        let _ = parse_expiry(&s);
        let _ = check_postal_code(&s);
        if let Ok(r) = check_routing_number(&s) {
            prop_assert!(aba_valid(&r));
        }
        if let Ok(a) = check_account_number(&s) {
            prop_assert!((4..=17).contains(&a.len()));
        }
    }

    #[test]
    fn amounts_are_accepted_exactly_in_range(v in any::<i64>()) {
        prop_assert_eq!(MinorUnit::try_from(v).is_ok(), (1..=100_000_000).contains(&v));
    }
}
