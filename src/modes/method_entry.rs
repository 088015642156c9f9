//! `PAYMENT_METHOD_ENTRY`: add one card or bank account to the customer's wallet; the saved
//! method is shown and the session completes.

use checkout_types::session::{BankChannel, CardChannel, SavedMethod, SessionConfig, SessionStatus};
use leptos::prelude::*;

use crate::api::ApiClient;
use crate::components::add_method::AddMethodForm;
use crate::components::method_list::MethodText;
use crate::components::status::LoadError;
use crate::embed::emit;
use crate::form::Requirements;
use crate::i18n::{Key, Locale};
use crate::modes::today;

/// The add-a-method screen.
#[component]
pub fn MethodEntryMode(
    /// Client bound to this session.
    client: ApiClient,
    /// The session's config.
    cfg: SessionConfig,
    /// Payer's language.
    locale: Locale,
) -> impl IntoView {
    let client = StoredValue::new(client);
    let saved = RwSignal::new(None::<SavedMethod>);
    let done_before = cfg.status == SessionStatus::Completed;
    let on_saved = Callback::new(move |m: SavedMethod| {
        emit("success", checkout_types::events::MethodDone { status: SessionStatus::Completed, payment_method_id: None, payment_method: m.clone() });
        saved.set(Some(m));
    });
    let merchant = cfg.merchant_name.clone();
    let privacy = cfg.privacy_policy_url.clone();
    let card_enabled = cfg.channels.card.contains(&CardChannel::Webform);
    let bank_enabled = cfg.channels.bank_account.contains(&BankChannel::Webform);
    let req = Requirements::from_avs(&cfg.required_avs_fields);
    move || match saved.get() {
        Some(m) => view! {
            <section class="receipt" data-testid="method-saved" role="status">
                <div class="check" aria-hidden="true">"✓"</div>
                <h2>{locale.t(Key::MethodSaved)}</h2>
                <p><MethodText method=m locale=locale /></p>
            </section>
        }
        .into_any(),
        None if done_before => view! { <LoadError message=locale.t(Key::AlreadyPaid) retry=None /> }.into_any(),
        None => view! {
            <header class="summary">
                <p class="merchant" data-testid="merchant-name">{merchant.clone()}</p>
                <h2>{locale.t(Key::AddMethod)}</h2>
            </header>
            <AddMethodForm client=client card_enabled=card_enabled bank_enabled=bank_enabled req=req
                merchant=merchant.clone() today=today() locale=locale on_saved=on_saved privacy=privacy.clone() />
        }
        .into_any(),
    }
}
