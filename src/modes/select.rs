//! `PAYMENT_METHOD_SELECT`: choose one saved method (preselected from the session or the
//! default); choosing completes the session with that `paymentMethodId`.

use checkout_types::session::{SessionConfig, SessionStatus};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiClient;
use crate::components::error_banner::ErrorBanner;
use crate::components::method_list::{MethodRadios, MethodText};
use crate::components::status::LoadError;
use crate::embed::emit;
use crate::i18n::{Key, Locale};

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
    let methods = Signal::derive({
        let list = cfg.saved_methods.clone();
        move || list.clone()
    });
    let selected = RwSignal::new(cfg.preselected_method_id.clone());
    let pending = RwSignal::new(false);
    let banner = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let already = cfg.status == SessionStatus::Completed;
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(id) = selected.get_untracked() else { return };
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
                    emit("success", serde_json::json!({ "status": "COMPLETED", "paymentMethodId": id, "paymentMethod": v.payment_method }));
                    done.set(Some(id));
                }
                Err(e) => banner.set(Some(locale.api_error(&e).to_owned())),
            }
        });
    };
    let merchant = cfg.merchant_name.clone();
    let all = cfg.saved_methods.clone();
    move || {
        if already {
            return view! { <LoadError message=locale.t(Key::AlreadyPaid) retry=None /> }.into_any();
        }
        match done.get() {
            Some(id) => {
                let m = all.iter().find(|m| m.id == id).cloned();
                view! {
                    <section class="receipt" data-testid="method-selected" role="status">
                        <div class="check" aria-hidden="true">"✓"</div>
                        <h2>{locale.t(Key::MethodSelected)}</h2>
                        {m.map(|m| view! { <p><MethodText method=m locale=locale /></p> })}
                    </section>
                }
                .into_any()
            }
            None if all.is_empty() => view! { <LoadError message=locale.t(Key::NoSavedMethods) retry=None /> }.into_any(),
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
