//! Component tests in headless Chromium (wasm-bindgen-test): each mounts one component into the
//! real DOM, types into it through real `input` / `blur` events, and reads what the payer sees.
//! `scripts/test` runs them with `wasm-bindgen-test-runner` and Debian's chromedriver.
#![cfg(target_arch = "wasm32")]

use checkout_types::money::{Currency, MinorUnit};
use checkout_types::quote::FeeQuote;
use checkout_widget::api::ApiError;
use checkout_widget::components::card_form::{CardForm, Touched};
use checkout_widget::components::fee_summary::{FeeSummary, QuoteState};
use checkout_widget::form::{CardDraft, Requirements};
use checkout_widget::i18n::Locale;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, Event, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh container in the page; the component is mounted into it and left there.
fn container() -> HtmlElement {
    let doc = document();
    let div: HtmlElement = doc.create_element("div").expect("div").unchecked_into();
    doc.body().expect("body").append_child(&div).expect("append");
    div
}

fn find(root: &HtmlElement, selector: &str) -> Element {
    root.query_selector(selector).expect("selector").unwrap_or_else(|| panic!("{selector} not rendered"))
}

fn input(root: &HtmlElement, testid: &str) -> HtmlInputElement {
    find(root, &format!("[data-testid={testid}]")).unchecked_into()
}

/// Types `text` the way a browser reports it: the value changes, then `input` fires.
fn type_into(field: &HtmlInputElement, text: &str) {
    field.set_value(text);
    field.dispatch_event(&Event::new("input").expect("event")).expect("dispatch");
}

fn leave(field: &HtmlInputElement) {
    field.dispatch_event(&Event::new("blur").expect("event")).expect("dispatch");
}

/// Lets Leptos apply what an event or a signal changed (effects run on the next tick).
async fn settle() {
    leptos::task::tick().await;
    leptos::task::tick().await;
}

fn text(root: &HtmlElement, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default().trim().to_owned()
}

fn mount_card_form(locale: Locale) -> (HtmlElement, RwSignal<CardDraft>, RwSignal<bool>) {
    let root = container();
    let draft = RwSignal::new(CardDraft::default());
    let submitted = RwSignal::new(false);
    let handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <CardForm
                draft=draft
                touched=RwSignal::new(Touched::default())
                submitted=submitted.into()
                today=(2026, 11)
                req=Requirements { zip: true, name: false }
                locale=locale
                disabled=Signal::derive(|| false)
            />
        }
    });
    handle.forget();
    (root, draft, submitted)
}

#[wasm_bindgen_test]
async fn the_card_number_is_grouped_by_brand_and_the_brand_shown_as_typed() {
    let (root, draft, _) = mount_card_form(Locale::En);
    settle().await;
    let number = input(&root, "card-number");
    type_into(&number, "4242424242424242");
    settle().await;
    assert_eq!(number.value(), "4242 4242 4242 4242");
    assert_eq!(text(&root, "[data-testid=card-brand]"), "Visa");
    assert_eq!(draft.get_untracked().number, "4242 4242 4242 4242");

    type_into(&number, "378282246310005");

    settle().await;
    assert_eq!(number.value(), "3782 822463 10005", "Amex groups 4-6-5");
    assert_eq!(find(&root, "[data-testid=card-brand]").get_attribute("data-brand").as_deref(), Some("AMEX"));
    let cvc = input(&root, "card-cvc");
    type_into(&cvc, "12345");
    settle().await;
    assert_eq!(cvc.value(), "1234", "Amex CVC is 4 digits");

    type_into(&number, "4242");

    settle().await;
    type_into(&cvc, "12345");
    settle().await;
    assert_eq!(cvc.value(), "123", "Visa CVC is 3 digits");
    assert_eq!(number.get_attribute("autocomplete").as_deref(), Some("cc-number"));
    assert_eq!(cvc.get_attribute("autocomplete").as_deref(), Some("cc-csc"));
}

#[wasm_bindgen_test]
async fn an_error_shows_after_leaving_the_field_linked_and_announced() {
    let (root, _, _) = mount_card_form(Locale::En);
    settle().await;
    let number = input(&root, "card-number");
    type_into(&number, "4242 4242 4242 4241");
    settle().await;
    assert_eq!(text(&root, "#card-number-error"), "", "no error while typing");
    assert_eq!(number.get_attribute("aria-invalid").as_deref(), Some("false"));
    leave(&number);
    settle().await;
    let error = text(&root, "#card-number-error");
    assert!(!error.is_empty(), "an error after leaving the field");
    assert_eq!(number.get_attribute("aria-invalid").as_deref(), Some("true"));
    let described = number.get_attribute("aria-describedby").unwrap_or_default();
    assert!(described.split_whitespace().any(|id| id == "card-number-error"), "{described}");
    assert_eq!(find(&root, "#card-number-error").get_attribute("aria-live").as_deref(), Some("polite"));
    type_into(&number, "4242 4242 4242 4242");
    settle().await;
    assert_eq!(text(&root, "#card-number-error"), "", "fixed: the error goes away");
}

#[wasm_bindgen_test]
async fn a_submit_shows_every_missing_field_in_spanish() {
    let (root, _, submitted) = mount_card_form(Locale::Es);
    settle().await;
    assert_eq!(text(&root, "#card-zip-error"), "");
    submitted.set(true);
    settle().await;
    for id in ["card-number", "card-expiry", "card-cvc", "card-zip"] {
        assert!(!text(&root, &format!("#{id}-error")).is_empty(), "{id} shows its error on submit");
    }
    assert_eq!(text(&root, "#card-name-error"), "", "the name is optional for this session");
    let label = text(&root, "label[for=card-number]");
    assert!(label.contains("tarjeta"), "Spanish label: {label}");
}

#[wasm_bindgen_test]
async fn the_fee_summary_shows_amount_fee_total_and_the_disclosure() {
    let root = container();
    let quote = RwSignal::new(QuoteState::Loading);
    let retried = RwSignal::new(0);
    let retry = Callback::new(move |()| retried.update(|n| *n += 1));
    leptos::mount::mount_to(root.clone(), move || view! { <FeeSummary quote=quote locale=Locale::En retry=retry /> })
        .forget();
    settle().await;
    assert!(!text(&root, "[data-testid=quote-loading]").is_empty(), "pending state while quoting");

    quote.set(QuoteState::Ready(FeeQuote {
        quote_id: "qt_1".to_owned(),
        amount: MinorUnit(14_227),
        fee: MinorUnit(420),
        total: MinorUnit(14_647),
        currency_code: Currency::USD,
        expires_at: "2026-11-23T12:00:00.000Z".to_owned(),
        disclosure: String::new(),
    }));

    settle().await;
    assert_eq!(text(&root, "[data-testid=fee-amount]"), "$142.27");
    assert_eq!(text(&root, "[data-testid=fee-fee]"), "$4.20");
    assert_eq!(text(&root, "[data-testid=fee-total]"), "$146.47");
    assert_eq!(
        text(&root, "[data-testid=fee-disclosure]"),
        "A convenience fee of $4.20 applies to this payment method. You will be charged $146.47 in total."
    );

    quote.set(QuoteState::Failed(ApiError::Network));

    settle().await;
    let banner = find(&root, "[data-testid=quote-error]");
    assert!(!banner.text_content().unwrap_or_default().trim().is_empty(), "a readable error");
    let button: HtmlElement = banner.query_selector("button").expect("selector").expect("retry button").unchecked_into();
    button.click();
    settle().await;
    assert_eq!(retried.get_untracked(), 1, "retry asks for a new quote");
}
