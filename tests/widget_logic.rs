//! The widget's pure logic, natively: card drafts, credentials from a location, messages.

use checkout_types::money::{Currency, MinorUnit};
use checkout_types::quote::FeeQuote;
use checkout_types::error::{ErrorBody, ErrorTitle};
use checkout_types::session::AvsField;
use checkout_types::validate::FieldError;
use checkout_widget::api::ApiError;
use checkout_widget::components::fee_summary::disclosure;
use checkout_widget::credentials::{Credentials, resolve, session_from_path};
use checkout_widget::form::{CardDraft, CardErrors, Requirements};
use checkout_widget::i18n::{Key, Locale};
use checkout_widget::modes::payment::flow::{Reaction, classify};

const TODAY: (u16, u8) = (2026, 11);

fn draft(number: &str, expiry: &str, cvc: &str) -> CardDraft {
    CardDraft { number: number.into(), expiry: expiry.into(), cvc: cvc.into(), ..CardDraft::default() }
}

#[test]
fn a_complete_card_becomes_a_confirm_card() {
    let d = CardDraft { zip: "12345".into(), name: " Ada Lovelace ".into(), ..draft("4242 4242 4242 4242", "12 / 34", "123") };
    let card = d.to_input(TODAY, Requirements::default()).expect("valid");
    assert_eq!(card.number, "4242424242424242");
    assert_eq!((card.exp_month, card.exp_year), (12, 2034));
    assert_eq!(card.name_on_card.as_deref(), Some("Ada Lovelace"));
    assert_eq!(card.zip_code.as_deref(), Some("12345"));
}

#[test]
fn every_field_reports_its_own_error() {
    let cases: [(CardDraft, Requirements, CardErrors); 5] = [
        (CardDraft::default(), Requirements::default(), CardErrors {
            number: Some(FieldError::Required),
            expiry: Some(FieldError::Required),
            cvc: Some(FieldError::Required),
            ..CardErrors::default()
        }),
        (draft("4242 4242 4242 4241", "12 / 34", "123"), Requirements::default(), CardErrors {
            number: Some(FieldError::InvalidCardNumber),
            ..CardErrors::default()
        }),
        (draft("4242 4242 4242 4242", "10 / 26", "123"), Requirements::default(), CardErrors {
            expiry: Some(FieldError::ExpiredCard),
            ..CardErrors::default()
        }),
        (draft("3782 822463 10005", "12 / 34", "123"), Requirements::default(), CardErrors {
            cvc: Some(FieldError::InvalidCvc),
            ..CardErrors::default()
        }),
        (draft("4242 4242 4242 4242", "12 / 34", "123"), Requirements { zip: true, name: true }, CardErrors {
            name: Some(FieldError::Required),
            zip: Some(FieldError::Required),
            ..CardErrors::default()
        }),
    ];
    for (d, req, want) in cases {
        assert_eq!(d.check(TODAY, req), want, "{d:?}");
    }
}

#[test]
fn requirements_follow_avs_fields() {
    let r = Requirements::from_avs(&[AvsField::Cardholder, AvsField::Zip]);
    assert_eq!(r, Requirements { zip: true, name: true });
    assert_eq!(Requirements::from_avs(&[]), Requirements::default());
}

#[test]
fn credentials_come_from_fragment_query_or_path() {
    let id = "0b0c6e7a-58f3-4d0e-9d51-6a7c0a1a2b3c";
    let secret = format!("{id}_secret_abc123");
    assert_eq!(
        resolve(&format!("#cs={secret}"), "", &format!("/pay/{id}"), None),
        Some(Credentials { session_id: id.into(), bearer: secret.clone() })
    );
    // After the fragment was removed, the stored secret is used.
    assert_eq!(
        resolve("", "", &format!("/pay/{id}"), Some(secret.clone())),
        Some(Credentials { session_id: id.into(), bearer: secret.clone() })
    );
    // Without a secret a CCG session opens by its id.
    assert_eq!(
        resolve("", &format!("?checkoutSessionId={id}"), "/app", None),
        Some(Credentials { session_id: id.into(), bearer: id.into() })
    );
    // A secret for another session than the path names is refused.
    assert_eq!(resolve("#cs=other_secret_x", "", &format!("/pay/{id}"), None), None);
    assert_eq!(resolve("", "", "/", None), None);
    assert_eq!(session_from_path("/embed/abc"), Some("abc".into()));
    assert_eq!(session_from_path("/pay/abc/extra"), None);
    // A customer's payment link: its credential names no session, the /link/{id} path does.
    assert_eq!(
        resolve("#lk=lk_0123abcd", "", &format!("/link/{id}"), None),
        Some(Credentials { session_id: id.into(), bearer: "lk_0123abcd".into() })
    );
    assert_eq!(resolve("", "", &format!("/link/{id}"), Some("lk_0123abcd".into())).map(|c| c.bearer), Some("lk_0123abcd".into()));
    assert_eq!(resolve("#lk=not-a-link-token", "", &format!("/link/{id}"), None).map(|c| c.bearer), Some(id.to_owned()));
}

#[test]
fn api_errors_read_as_sentences_in_both_languages() {
    let decline = ApiError::Http {
        status: 422,
        body: Some(
            checkout_types::error::ErrorBody {
                title: ErrorTitle::PaymentError,
                status: 422,
                detail: "Your card has insufficient funds.".into(),
                data: Some(serde_json::json!({"code": "card_declined", "declineCode": "insufficient_funds"})),
                request_id: None,
            }
            .into(),
        ),
    };
    assert_eq!(Locale::En.api_error(&decline), "Your card has insufficient funds.");
    assert_eq!(Locale::Es.api_error(&decline), "Su tarjeta no tiene fondos suficientes.");
    assert_eq!(Locale::En.api_error(&ApiError::Network), Locale::En.t(Key::NetworkError));
    let unknown = ApiError::Http { status: 500, body: None };
    assert!(!Locale::En.api_error(&unknown).contains("500"));
    assert_eq!(Locale::from_tag("es-MX"), Locale::Es);
    assert_eq!(Locale::from_tag("fr"), Locale::En);
}

#[test]
fn disclosure_uses_the_quote_figures() {
    let q = FeeQuote {
        quote_id: "qt_1".into(),
        amount: MinorUnit(1500),
        fee: MinorUnit(100),
        total: MinorUnit(1600),
        currency_code: Currency::USD,
        expires_at: String::new(),
        disclosure: String::new(),
    };
    assert_eq!(
        disclosure(Locale::En, &q),
        "A convenience fee of $1.00 applies to this payment method. You will be charged $16.00 in total."
    );
    assert!(disclosure(Locale::Es, &q).contains("1,00\u{a0}$"));
}

#[test]
fn bank_draft_checks_routing_account_twice_holder_and_mandate() {
    use checkout_widget::form::{BankDraft, BankErrors};
    let empty = BankDraft::default().check();
    assert_eq!(empty, BankErrors {
        routing: Some(FieldError::Required),
        account: Some(FieldError::Required),
        account_confirm: Some(FieldError::Required),
        holder: Some(FieldError::Required),
        mandate: Some(FieldError::Required),
    });
    let mut d = BankDraft {
        routing: "110000001".into(),
        account: "000123456789".into(),
        account_confirm: "000123456780".into(),
        holder: "Alex Doe".into(),
        mandate: true,
        ..BankDraft::default()
    };
    assert_eq!(d.check(), BankErrors {
        routing: Some(FieldError::InvalidRoutingNumber),
        account_confirm: Some(FieldError::AccountNumberMismatch),
        ..BankErrors::default()
    });
    d.routing = "110000000".into();
    d.account_confirm = "000123456789".into();
    let input = d.to_input().expect("valid");
    assert_eq!((input.routing_number.as_str(), input.account_number.as_str(), input.account_type.as_str()), ("110000000", "000123456789", "checking"));
}

#[test]
fn wallet_amounts_are_decimal_strings() {
    // The wallets' own requests are JS objects, tested in the browser (tests/express.rs).
    use checkout_types::money::decimal;
    for (minor, text) in [(0, "0.00"), (5, "0.05"), (1234, "12.34"), (100_000_000, "1000000.00"), (-250, "-2.50")] {
        assert_eq!(decimal(minor), text);
    }
}

fn failed(title: ErrorTitle, data: serde_json::Value) -> ApiError {
    ApiError::Http { status: title.status(), body: Some(ErrorBody::new(title, "detail", Some(data)).into()) }
}

#[test]
fn a_decline_ends_the_attempt_and_closes_the_screen_only_after_the_last_one() {
    let again = classify(&failed(ErrorTitle::PaymentError, serde_json::json!({"code": "card_declined", "sessionStatus": "CREATED"})));
    assert_eq!(again, Reaction::Declined { session_failed: false });
    let last = classify(&failed(ErrorTitle::PaymentError, serde_json::json!({"code": "card_declined", "sessionStatus": "FAILED"})));
    assert_eq!(last, Reaction::Declined { session_failed: true });
    assert!(again.ends_attempt() && last.ends_attempt());
}

#[test]
fn a_lost_answer_keeps_the_key_so_the_retry_cannot_charge_twice() {
    for e in [
        ApiError::Network,
        ApiError::Http { status: 502, body: None },
        failed(ErrorTitle::InternalError, serde_json::Value::Null),
        failed(ErrorTitle::TooManyRequests, serde_json::Value::Null),
    ] {
        assert_eq!(classify(&e), Reaction::RetrySameKey, "{e:?}");
        assert!(!classify(&e).ends_attempt());
    }
    let in_flight = classify(&failed(ErrorTitle::RequestInProgress, serde_json::Value::Null));
    assert_eq!(in_flight, Reaction::StillProcessing);
    assert!(!in_flight.ends_attempt());
}

#[test]
fn a_paid_or_closed_session_shows_its_receipt_or_why_it_closed() {
    let paid = failed(ErrorTitle::SessionAlreadyProcessed, serde_json::json!({"code": "already_confirmed"}));
    assert_eq!(classify(&paid), Reaction::AlreadyPaid);
    let closed = failed(ErrorTitle::SessionAlreadyProcessed, serde_json::json!({"code": "session_closed"}));
    assert_eq!(classify(&closed), Reaction::Closed(Key::SessionClosed));
    let expired = classify(&failed(ErrorTitle::SessionTimeout, serde_json::Value::Null));
    assert_eq!(expired, Reaction::Closed(Key::SessionExpired));
    assert!(!expired.ends_attempt(), "an expired session keeps the key: nothing more can be sent");
    assert_eq!(classify(&failed(ErrorTitle::UnprocessableEntity, serde_json::Value::Null)), Reaction::Requote);
    assert_eq!(classify(&failed(ErrorTitle::IdempotencyKeyReused, serde_json::Value::Null)), Reaction::FixErrors);
}

#[test]
fn an_error_the_api_answered_names_its_reference_for_support_in_both_languages() {
    let mut body = checkout_types::error::ErrorBody::new(ErrorTitle::InternalError, "detail", None);
    body.request_id = Some("req_0123abcd".into());
    let failed = ApiError::Http { status: 500, body: Some(body.into()) };
    assert_eq!(Locale::En.api_error(&failed), "Something went wrong. Please try again. Reference: req_0123abcd");
    assert_eq!(Locale::Es.api_error(&failed), "Algo salió mal. Vuelva a intentarlo. Referencia: req_0123abcd");
    // No answer, no reference.
    assert_eq!(Locale::En.api_error(&ApiError::Network), Locale::En.t(Key::NetworkError));
}

#[test]
fn only_a_successful_answer_the_build_cannot_read_counts_as_unreadable() {
    // Its retry loads the page again (a config meant for another build reads the same when asked
    // again); any other failure's retry asks again.
    assert!(ApiError::Http { status: 200, body: None }.unreadable());
    assert!(!ApiError::Http { status: 500, body: None }.unreadable());
    assert!(!failed(ErrorTitle::ServiceUnavailable, serde_json::Value::Null).unreadable());
    assert!(!ApiError::Network.unreadable());
}
