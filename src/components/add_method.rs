//! Adding a card or bank account to the wallet (ENTRY, WALLET): the entry forms, an optional
//! nickname, and a Save button with its pending and error states.

use checkout_types::confirm::InlineMethod;
use checkout_types::session::SavedMethod;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiClient;
use crate::components::bank_form::{BankForm, BankTouched};
use crate::components::card_form::{CardForm, Touched};
use crate::components::error_banner::ErrorBanner;
use crate::components::text_field::TextField;
use crate::form::{BankDraft, CardDraft, Requirements};
use crate::i18n::{Key, Locale};

/// The add-a-method form.
#[component]
pub fn AddMethodForm(
    /// Client bound to the session.
    client: StoredValue<ApiClient>,
    /// Whether card entry is enabled.
    card_enabled: bool,
    /// Whether bank-account entry is enabled.
    bank_enabled: bool,
    /// Required AVS fields.
    req: Requirements,
    /// Merchant name, for the bank authorization.
    merchant: String,
    /// Today's (year, month).
    today: (u16, u8),
    /// Payer's language.
    locale: Locale,
    /// Called with the saved method.
    on_saved: Callback<SavedMethod>,
    /// Shows a Cancel button calling this.
    #[prop(optional)]
    on_cancel: Option<Callback<()>>,
    /// The merchant's privacy policy, linked under the form (it collects the payer's data).
    #[prop(optional_no_strip)]
    privacy: Option<String>,
) -> impl IntoView {
    let bank_tab = RwSignal::new(!card_enabled && bank_enabled);
    let card = RwSignal::new(CardDraft::default());
    let card_touched = RwSignal::new(Touched::default());
    let bank = RwSignal::new(BankDraft::default());
    let bank_touched = RwSignal::new(BankTouched::default());
    let nickname = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let banner = RwSignal::new(None::<String>);
    let disabled = Signal::derive(move || pending.get());
    let mandate = Signal::derive(move || locale.mandate_save(&merchant));

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        banner.set(None);
        let method = if bank_tab.get_untracked() {
            bank.with_untracked(BankDraft::to_input).ok().map(|b| InlineMethod::BankAccount { bank_account: b })
        } else {
            card.with_untracked(|d| d.to_input(today, req)).ok().map(|c| InlineMethod::Card { card: c })
        };
        let Some(method) = method else {
            banner.set(Some(locale.t(Key::FixErrors).to_owned()));
            return;
        };
        let nick = Some(nickname.get_untracked().trim().to_owned()).filter(|n| !n.is_empty());
        pending.set(true);
        spawn_local(async move {
            let result = client.get_value().add_method(&method, nick).await;
            pending.set(false);
            match result {
                Ok(saved) => on_saved.run(saved),
                Err(e) => banner.set(Some(locale.api_error(&e).to_owned())),
            }
        });
    };
    let tab = move |is_bank: bool, key: Key, id: &'static str| {
        view! {
            <button type="button" role="tab" id=id data-testid=id class="tab"
                aria-selected=move || crate::aria(bank_tab.get() == is_bank)
                prop:disabled=move || pending.get()
                on:click=move |_| { bank_tab.set(is_bank); submitted.set(false); banner.set(None); }>
                {locale.t(key)}
            </button>
        }
    };
    view! {
        <form class="add-method" data-testid="add-method" on:submit=submit novalidate=true>
            {(card_enabled && bank_enabled).then(|| view! {
                <div class="tabs" role="tablist" aria-label=locale.t(Key::PaymentMethod)>
                    {tab(false, Key::PayByCard, "tab-card")}
                    {tab(true, Key::PayByBank, "tab-bank")}
                </div>
            })}
            {move || if bank_tab.get() {
                view! { <BankForm draft=bank touched=bank_touched submitted=submitted.into() mandate_text=mandate locale=locale disabled=disabled /> }.into_any()
            } else {
                view! { <CardForm draft=card touched=card_touched submitted=submitted.into() today=today req=req locale=locale disabled=disabled /> }.into_any()
            }}
            <TextField
                id="method-nickname"
                label=format!("{} {}", locale.t(Key::Nickname), locale.t(Key::Optional))
                value=Signal::derive(move || nickname.get())
                on_input=Callback::new(move |v: String| nickname.set(v.chars().take(40).collect()))
                on_blur=Callback::new(|()| {})
                error=Signal::derive(|| None)
                autocomplete="off"
                inputmode="text"
                disabled=disabled
            />
            <ErrorBanner message=banner />
            <button type="submit" class="primary" data-testid="save-method" prop:disabled=move || pending.get()>
                {move || if pending.get() { locale.t(Key::Saving) } else { locale.t(Key::Save) }}
            </button>
            {on_cancel.map(|c| view! {
                <button type="button" class="secondary wide" data-testid="cancel-add" on:click=move |_| c.run(())>
                    {locale.t(Key::Cancel)}
                </button>
            })}
            {privacy.map(|url| view! {
                <p class="privacy"><a href=url target="_blank" rel="noopener noreferrer" data-testid="privacy-link">{locale.t(Key::PrivacyPolicy)}</a></p>
            })}
        </form>
    }
}
