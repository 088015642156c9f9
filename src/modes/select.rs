//! `PAYMENT_METHOD_SELECT`: choose one saved method (preselected from the session or the
//! default); choosing completes the session with that `paymentMethodId`. An empty wallet offers
//! to add a method first, then selects it.

use checkout_types::session::{BankChannel, CardChannel, SavedMethod, SessionConfig, SessionStatus};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiClient;
use crate::components::add_method::AddMethodForm;
use crate::components::error_banner::ErrorBanner;
use crate::components::method_list::{MethodRadios, MethodText};
use crate::components::status::LoadError;
use crate::embed::emit;
use crate::form::Requirements;
use crate::i18n::{Key, Locale};
use crate::modes::today;

/// The chooser.
#[component]
pub fn SelectMode(
    /// Client bound to this session.
    client: ApiClient,
    /// The session's config.
    cfg: SessionConfig,
    /// Payer's language.
    locale: Locale,
) -> impl IntoView {
    let client = StoredValue::new(client);
    // An empty wallet: the method the payer adds, then selects (listed if selecting it failed).
    let added = RwSignal::new(None::<SavedMethod>);
    let methods = Signal::derive({
        let list = cfg.saved_methods.clone();
        move || list.iter().cloned().chain(added.get()).collect::<Vec<_>>()
    });
    let selected = RwSignal::new(cfg.preselected_method_id.clone());
    let pending = RwSignal::new(false);
    let banner = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let already = cfg.status == SessionStatus::Completed;
    let choose = move |id: String| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        banner.set(None);
        spawn_local(async move {
            let r = client.get_value().select(&id).await;
            pending.set(false);
            match r {
                Ok(v) => {
                    emit("success", checkout_types::events::MethodDone {
                        status: SessionStatus::Completed,
                        payment_method_id: Some(id.clone()),
                        payment_method: v.payment_method,
                    });
                    done.set(Some(id));
                }
                Err(e) => banner.set(Some(locale.api_error(&e).to_owned())),
            }
        });
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(id) = selected.get_untracked() {
            choose(id);
        }
    };
    let on_saved = Callback::new(move |m: SavedMethod| {
        let id = m.id.clone();
        selected.set(Some(id.clone()));
        added.set(Some(m));
        choose(id);
    });
    let card_enabled = cfg.channels.card.contains(&CardChannel::Webform);
    let bank_enabled = cfg.channels.bank_account.contains(&BankChannel::Webform);
    let req = Requirements::from_avs(&cfg.required_avs_fields);
    let privacy = cfg.privacy_policy_url.clone();
    let merchant = cfg.merchant_name.clone();
    let all = cfg.saved_methods.clone();
    move || {
        if already {
            return view! { <LoadError message=locale.t(Key::AlreadyPaid) retry=None /> }.into_any();
        }
        match done.get() {
            Some(id) => {
                let m = all.iter().find(|m| m.id == id).cloned().or_else(|| added.get());
                view! {
                    <section class="receipt" data-testid="method-selected" role="status">
                        <div class="check" aria-hidden="true">"✓"</div>
                        <h2>{locale.t(Key::MethodSelected)}</h2>
                        {m.map(|m| view! { <p><MethodText method=m locale=locale /></p> })}
                    </section>
                }
                .into_any()
            }
            None if all.is_empty() && added.get().is_none() => view! {
                <header class="summary">
                    <p class="merchant" data-testid="merchant-name">{merchant.clone()}</p>
                    <h2>{locale.t(Key::AddMethod)}</h2>
                    <p class="muted" data-testid="wallet-empty">{locale.t(Key::NoSavedMethods)}</p>
                </header>
                <ErrorBanner message=banner />
                <AddMethodForm client=client card_enabled=card_enabled bank_enabled=bank_enabled req=req
                    merchant=merchant.clone() today=today() locale=locale on_saved=on_saved privacy=privacy.clone() />
            }.into_any(),
            None => view! {
                <form class="select" on:submit=submit novalidate=true>
                    <header class="summary"><p class="merchant" data-testid="merchant-name">{merchant.clone()}</p></header>
                    <MethodRadios methods=methods selected=selected legend=locale.t(Key::ChooseMethod) locale=locale
                        disabled=Signal::derive(move || pending.get()) />
                    <ErrorBanner message=banner />
                    <button type="submit" class="primary" data-testid="select-button"
                        prop:disabled=move || pending.get() || selected.get().is_none()>
                        {move || if pending.get() { locale.t(Key::Processing) } else { locale.t(Key::UseThisMethod) }}
                    </button>
                </form>
            }
            .into_any(),
        }
    }
}
