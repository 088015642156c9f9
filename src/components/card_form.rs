//! The card entry fields: number (grouped by brand, brand shown), expiry, CVC (length by brand),
//! name and ZIP. Errors appear once a field was left or a submit was tried.

use checkout_types::validate::FieldError;
use checkout_types::validate::card::{CardBrand, format_card_number, format_expiry};
use checkout_types::validate::digits_only;
use leptos::prelude::*;

use crate::components::text_field::TextField;
use crate::form::{CardDraft, CardErrors, Requirements};
use crate::i18n::{Key, Locale};

/// Which fields the payer has left at least once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Touched {
    pub number: bool,
    pub expiry: bool,
    pub cvc: bool,
    pub name: bool,
    pub zip: bool,
}

/// The card fields.
#[component]
pub fn CardForm(
    /// What the payer typed; written on every keystroke.
    draft: RwSignal<CardDraft>,
    /// Fields left at least once.
    touched: RwSignal<Touched>,
    /// Whether a submit was tried (then every error shows).
    submitted: Signal<bool>,
    /// Today's (year, month), for the expiry check.
    today: (u16, u8),
    /// Which optional fields are required.
    req: Requirements,
    /// Payer's language.
    locale: Locale,
    /// Disables the inputs while paying.
    disabled: Signal<bool>,
) -> impl IntoView {
    let errors = Memo::new(move |_| draft.with(|d| d.check(today, req)));
    let brand = Memo::new(move |_| draft.with(CardDraft::brand));
    let shown = move |pick: fn(&CardErrors) -> Option<FieldError>, seen: fn(&Touched) -> bool| {
        Signal::derive(move || {
            let show = submitted.get() || seen(&touched.get());
            errors.with(|e| if show { pick(e).map(|e| locale.field_error(e)) } else { None })
        })
    };
    let label = |key: Key, required: bool| {
        if required { locale.t(key).to_owned() } else { format!("{} {}", locale.t(key), locale.t(Key::Optional)) }
    };
    view! {
        <fieldset class="card-form" data-testid="card-form">
            <legend class="visually-hidden">{locale.t(Key::CardNumber)}</legend>
            <div class="brand-row" aria-live="polite">
                <span class="brand-icon" aria-hidden="true" data-brand=move || brand.get().wire_name()></span>
                <span class="brand" data-testid="card-brand" data-brand=move || brand.get().wire_name()>
                    {move || match brand.get() {
                        CardBrand::Unknown => String::new(),
                        b => b.display_name().to_owned(),
                    }}
                </span>
            </div>
            <TextField
                id="card-number"
                label=locale.t(Key::CardNumber).to_owned()
                value=Signal::derive(move || draft.with(|d| d.number.clone()))
                on_input=Callback::new(move |v: String| draft.update(|d| d.number = format_card_number(&v)))
                on_blur=Callback::new(move |()| touched.update(|t| t.number = true))
                error=shown(|e| e.number, |t| t.number)
                autocomplete="cc-number"
                inputmode="numeric"
                disabled=disabled
            />
            <div class="row">
                <TextField
                    id="card-expiry"
                    label=locale.t(Key::Expiry).to_owned()
                    value=Signal::derive(move || draft.with(|d| d.expiry.clone()))
                    on_input=Callback::new(move |v: String| draft.update(|d| d.expiry = format_expiry(&v)))
                    on_blur=Callback::new(move |()| touched.update(|t| t.expiry = true))
                    error=shown(|e| e.expiry, |t| t.expiry)
                    autocomplete="cc-exp"
                    inputmode="numeric"
                    disabled=disabled
                />
                <TextField
                    id="card-cvc"
                    label=locale.t(Key::Cvc).to_owned()
                    value=Signal::derive(move || draft.with(|d| d.cvc.clone()))
                    on_input=Callback::new(move |v: String| {
                        let mut d = digits_only(&v);
                        d.truncate(brand.get_untracked().cvc_length().max(3));
                        draft.update(|dr| dr.cvc = d);
                    })
                    on_blur=Callback::new(move |()| touched.update(|t| t.cvc = true))
                    error=shown(|e| e.cvc, |t| t.cvc)
                    autocomplete="cc-csc"
                    inputmode="numeric"
                    disabled=disabled
                />
            </div>
            <TextField
                id="card-name"
                label=label(Key::NameOnCard, req.name)
                value=Signal::derive(move || draft.with(|d| d.name.clone()))
                on_input=Callback::new(move |v: String| draft.update(|d| d.name = v))
                on_blur=Callback::new(move |()| touched.update(|t| t.name = true))
                error=shown(|e| e.name, |t| t.name)
                autocomplete="cc-name"
                inputmode="text"
                disabled=disabled
            />
            <TextField
                id="card-zip"
                label=label(Key::PostalCode, req.zip)
                value=Signal::derive(move || draft.with(|d| d.zip.clone()))
                on_input=Callback::new(move |v: String| draft.update(|d| d.zip = v.chars().take(10).collect()))
                on_blur=Callback::new(move |()| touched.update(|t| t.zip = true))
                error=shown(|e| e.zip, |t| t.zip)
                autocomplete="postal-code"
                inputmode="numeric"
                disabled=disabled
            />
        </fieldset>
    }
}
