//! Saved payment methods: a labelled radio group (or a plain list for display), each showing
//! brand, last four, expiry, nickname and the default badge. Never more than that.

use checkout_types::quote::PaymentMethodKind;
use checkout_types::session::SavedMethod;
use checkout_types::validate::card::CardBrand;
use leptos::prelude::*;

use crate::i18n::{Key, Locale};

/// "Visa •••• 4242" / "Bank account •••• 6789".
pub fn method_label(m: &SavedMethod, locale: Locale) -> String {
    let name = match m.brand.as_deref() {
        Some(b) if m.kind == PaymentMethodKind::Card => CardBrand::from_wire(b).display_name(),
        _ if m.kind == PaymentMethodKind::BankAccount => locale.t(Key::PayByBank),
        _ => "Card",
    };
    format!("{name} •••• {}", m.last4)
}

/// "Expires 04/31", for cards.
pub fn expiry_label(m: &SavedMethod, locale: Locale) -> Option<String> {
    match (m.exp_month, m.exp_year) {
        (Some(mm), Some(yy)) => Some(format!("{} {mm:02}/{:02}", locale.t(Key::Expires), yy % 100)),
        _ => None,
    }
}

/// One method's text: label, nickname, expiry, default badge.
#[component]
pub fn MethodText(
    /// The method.
    method: SavedMethod,
    /// Payer's language.
    locale: Locale,
) -> impl IntoView {
    view! {
        <span class="method-text">
            <span class="brand-icon" aria-hidden="true"
                data-brand=method.brand.clone().filter(|_| method.kind == PaymentMethodKind::Card).unwrap_or_else(|| "BANK".to_owned())></span>
            <span class="method-label">{method_label(&method, locale)}</span>
            {method.nickname.clone().map(|n| view! { <span class="method-nickname">{n}</span> })}
            {expiry_label(&method, locale).map(|e| view! { <span class="muted">{e}</span> })}
            {method.default.then(|| view! { <span class="badge">{locale.t(Key::DefaultBadge)}</span> })}
        </span>
    }
}

/// A radio group over `methods`; writes the chosen id into `selected`.
#[component]
pub fn MethodRadios(
    /// The methods to choose from.
    methods: Signal<Vec<SavedMethod>>,
    /// The chosen method's id.
    selected: RwSignal<Option<String>>,
    /// Group label.
    legend: &'static str,
    /// Payer's language.
    locale: Locale,
    /// Disables the radios while something is in flight.
    disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <fieldset class="method-list" data-testid="method-list">
            <legend>{legend}</legend>
            // Rebuilt whole when the list changes (a method added in SELECT mode): the lists are a
            // few methods long, and a keyed <For> carried its diffing and an IndexMap into the
            // payment build for a list that never changes there (issue #21).
            {move || methods.get().into_iter().map(|m| {
                let id = m.id.clone();
                let check_id = m.id.clone();
                view! {
                    <label class="method-option" data-testid="method-option">
                        <input
                            type="radio"
                            name="saved-method"
                            value=id.clone()
                            prop:checked=move || selected.get().as_deref() == Some(check_id.as_str())
                            prop:disabled=move || disabled.get()
                            on:change=move |_| selected.set(Some(id.clone()))
                        />
                        <MethodText method=m locale=locale />
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}
