//! The bank-account fields: routing number (ABA checksum), account number entered twice,
//! account type, holder name, and the debit authorization the payer must accept.

use checkout_types::validate::FieldError;
use checkout_types::validate::digits_only;
use leptos::prelude::*;

use crate::components::text_field::TextField;
use crate::form::{BankDraft, BankErrors};
use crate::i18n::{Key, Locale};

/// Which bank fields the payer has left at least once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BankTouched {
    pub routing: bool,
    pub account: bool,
    pub account_confirm: bool,
    pub holder: bool,
}

/// The bank fields.
#[component]
pub fn BankForm(
    /// What the payer typed.
    draft: RwSignal<BankDraft>,
    /// Fields left at least once.
    touched: RwSignal<BankTouched>,
    /// Whether a submit was tried (then every error shows).
    submitted: Signal<bool>,
    /// The authorization sentence (names merchant and total).
    mandate_text: Signal<String>,
    /// Payer's language.
    locale: Locale,
    /// Disables the inputs while paying.
    disabled: Signal<bool>,
) -> impl IntoView {
    let errors = Memo::new(move |_| draft.with(BankDraft::check));
    let shown = move |pick: fn(&BankErrors) -> Option<FieldError>, seen: fn(&BankTouched) -> bool| {
        Signal::derive(move || {
            let show = submitted.get() || seen(&touched.get());
            errors.with(|e| if show { pick(e).map(|e| locale.field_error(e)) } else { None })
        })
    };
    let digits = |v: &str, max: usize| digits_only(v).chars().take(max).collect::<String>();
    let mandate_error = move || {
        (submitted.get() && errors.with(|e| e.mandate.is_some())).then(|| locale.field_error(FieldError::Required))
    };
    view! {
        <fieldset class="bank-form" data-testid="bank-form">
            <legend class="visually-hidden">{locale.t(Key::PayByBank)}</legend>
            <TextField
                id="bank-routing"
                label=locale.t(Key::RoutingNumber).to_owned()
                value=Signal::derive(move || draft.with(|d| d.routing.clone()))
                on_input=Callback::new(move |v: String| draft.update(|d| d.routing = digits(&v, 9)))
                on_blur=Callback::new(move |()| touched.update(|t| t.routing = true))
                error=shown(|e| e.routing, |t| t.routing)
                autocomplete="off"
                inputmode="numeric"
                disabled=disabled
            />
            <TextField
                id="bank-account"
                label=locale.t(Key::AccountNumber).to_owned()
                value=Signal::derive(move || draft.with(|d| d.account.clone()))
                on_input=Callback::new(move |v: String| draft.update(|d| d.account = digits(&v, 17)))
                on_blur=Callback::new(move |()| touched.update(|t| t.account = true))
                error=shown(|e| e.account, |t| t.account)
                autocomplete="off"
                inputmode="numeric"
                disabled=disabled
            />
            <TextField
                id="bank-account-confirm"
                label=locale.t(Key::ConfirmAccountNumber).to_owned()
                value=Signal::derive(move || draft.with(|d| d.account_confirm.clone()))
                on_input=Callback::new(move |v: String| draft.update(|d| d.account_confirm = digits(&v, 17)))
                on_blur=Callback::new(move |()| touched.update(|t| t.account_confirm = true))
                error=shown(|e| e.account_confirm, |t| t.account_confirm)
                autocomplete="off"
                inputmode="numeric"
                disabled=disabled
            />
            <div class="field">
                <label for="bank-account-type">{locale.t(Key::AccountType)}</label>
                <select
                    id="bank-account-type"
                    data-testid="bank-account-type"
                    prop:disabled=move || disabled.get()
                    on:change=move |ev| draft.update(|d| d.account_type = event_target_value(&ev))
                >
                    <option value="checking" selected=true>{locale.t(Key::Checking)}</option>
                    <option value="savings">{locale.t(Key::Savings)}</option>
                </select>
            </div>
            <TextField
                id="bank-holder"
                label=locale.t(Key::AccountHolder).to_owned()
                value=Signal::derive(move || draft.with(|d| d.holder.clone()))
                on_input=Callback::new(move |v: String| draft.update(|d| d.holder = v))
                on_blur=Callback::new(move |()| touched.update(|t| t.holder = true))
                error=shown(|e| e.holder, |t| t.holder)
                autocomplete="name"
                inputmode="text"
                disabled=disabled
            />
            <div class="field mandate" class:has-error=move || mandate_error().is_some()>
                <label class="checkbox">
                    <input
                        type="checkbox"
                        id="bank-mandate"
                        data-testid="bank-mandate"
                        aria-describedby="bank-mandate-error"
                        prop:checked=move || draft.with(|d| d.mandate)
                        prop:disabled=move || disabled.get()
                        on:change=move |ev| draft.update(|d| d.mandate = event_target_checked(&ev))
                    />
                    <span>{move || mandate_text.get()}</span>
                </label>
                <p id="bank-mandate-error" class="field-error" aria-live="polite">{move || mandate_error().unwrap_or("")}</p>
            </div>
        </fieldset>
    }
}
