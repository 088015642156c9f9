//! One module per session mode. [`render`] dispatches on the session's mode.

pub mod payment;

use checkout_types::session::{Mode, SessionConfig};
use leptos::prelude::*;

use crate::api::ApiClient;
use crate::components::status::LoadError;
use crate::i18n::Locale;

/// The view for the session's mode.
pub fn render(client: ApiClient, cfg: SessionConfig, locale: Locale) -> AnyView {
    match cfg.mode {
        Mode::Payment => view! { <payment::PaymentMode client=client cfg=cfg locale=locale /> }.into_any(),
        // The API only creates PAYMENT sessions today; any other mode means a newer API than
        // this widget build, so say so instead of rendering something half-working.
        _ => {
            let msg = match locale {
                Locale::En => "This checkout needs a newer version of the payment page. Please reload.",
                Locale::Es => "Este pago necesita una versión más reciente de la página. Recargue la página.",
            };
            view! { <LoadError message=msg retry=None /> }.into_any()
        }
    }
}
