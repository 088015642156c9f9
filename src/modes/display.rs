//! `PAYMENT_METHOD_DISPLAY`: one saved method, read-only.

use checkout_types::session::SessionConfig;
use leptos::prelude::*;

use crate::components::method_list::MethodText;
use crate::components::status::LoadError;
use crate::i18n::{Key, Locale};

/// The read-only method card.
#[component]
pub fn DisplayMode(
    /// The session's config.
    cfg: SessionConfig,
    /// Payer's language.
    locale: Locale,
) -> impl IntoView {
    let method = cfg.preselected_method_id.as_ref().and_then(|id| cfg.saved_methods.iter().find(|m| &m.id == id)).cloned();
    match method {
        Some(m) => view! {
            <section class="display" data-testid="method-display">
                <p class="merchant">{cfg.merchant_name.clone()}</p>
                <h2>{locale.t(Key::MethodOnFile)}</h2>
                <div class="method-card"><MethodText method=m locale=locale /></div>
            </section>
        }
        .into_any(),
        None => view! { <LoadError message=locale.t(Key::MethodUnavailable) retry=None /> }.into_any(),
    }
}
