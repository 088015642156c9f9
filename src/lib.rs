//! The checkout widget: a Leptos client-side app compiled to WebAssembly.
//!
//! Layout:
//! - [`credentials`]: where the session id / client secret come from (`#cs=` fragment, query, path).
//! - [`embed`]: the postMessage bridge to `<govifi-payment>` and popup openers; events out.
//! - [`api`]: the typed API client (`Result<T, ApiError>`), the only place that talks HTTP.
//! - [`json`]: reads the typed contract out of what `JSON.parse` (or a page's message) gave.
//! - [`i18n`]: every string the payer reads, in English and Spanish.
//! - [`form`]: pure card-form logic (drafts, validation, request building), tested natively.
//! - [`modes`]: one module per session mode; [`App`] loads the config and dispatches on it.
//! - [`components`]: the pieces modes are built from (card form, fee summary, banners, receipt).
//!
//! Validation rules themselves live in `checkout_types::validate`, shared with the API.

pub mod api;
pub mod attempt;
pub mod components;
pub mod credentials;
pub mod embed;
pub mod express;
pub mod form;
pub mod i18n;
pub mod json;
pub mod modes;

use leptos::prelude::*;

use crate::api::ApiClient;
use crate::components::status::{LoadError, Loading};
use crate::i18n::Locale;

/// Mounts [`App`] on `<body>`, after the page's boot screen (`index.html`: the card form's
/// skeleton; `loading.html`: a loading line), which stays until the widget's first screen.
pub fn start() {
    leptos::mount::mount_to_body(App);
}

/// An ARIA state's value (`aria-busy`, `aria-selected`, `aria-invalid`): a static text, not
/// `bool::to_string`'s formatted allocation.
pub(crate) fn aria(on: bool) -> &'static str {
    if on { "true" } else { "false" }
}

/// The id of the page's boot screen (`index.html`, `loading.html`).
const BOOT_SCREEN: &str = "checkout-boot";

/// Whether the page's boot screen still shows.
pub(crate) fn booting() -> bool {
    document().get_element_by_id(BOOT_SCREEN).is_some()
}

/// Removes the page's boot screen: called while the widget's first screen (the mode, or an error)
/// is built, in the same task that attaches it, so no frame is painted between them.
fn boot_done() {
    if let Some(boot) = document().get_element_by_id(BOOT_SCREEN) {
        boot.remove();
    }
}

/// Reads the credential, loads the session's config, renders its mode.
#[component]
pub fn App() -> impl IntoView {
    let locale = Locale::from_tag(&credentials::locale_hint().unwrap_or_default());
    let path = window().location().pathname().unwrap_or_default();
    let embed_id = credentials::session_from_path(&path).filter(|_| path.starts_with("/embed/") && embed::in_frame());
    if let Some(id) = embed_id {
        // Embedded: the credential arrives from <govifi-payment> by postMessage.
        let creds = RwSignal::new(None::<credentials::Credentials>);
        embed::request_credential(id, move |c| creds.set(Some(c)));
        return view! {
            <main class="checkout" data-testid="checkout">
                <h1 class="visually-hidden">{locale.t(i18n::Key::SecureCheckout)}</h1>
                {move || match creds.get() {
                    None => view! { <Loading locale=locale /> }.into_any(),
                    Some(c) => view! { <Checkout client=ApiClient::new(c) fallback_locale=locale /> }.into_any(),
                }}
            </main>
        }
        .into_any();
    }
    let creds = credentials::from_location();
    view! {
        <main class="checkout" data-testid="checkout">
            <h1 class="visually-hidden">{locale.t(i18n::Key::SecureCheckout)}</h1>
            {match creds {
                Some(c) => view! { <Checkout client=ApiClient::new(c) fallback_locale=locale /> }.into_any(),
                None => {
                    boot_done();
                    view! { <LoadError message=locale.t(i18n::Key::MissingCredential) retry=None /> }.into_any()
                }
            }}
        </main>
    }
    .into_any()
}

/// Loads the config with a visible loading state and a retry on failure.
#[component]
fn Checkout(client: ApiClient, fallback_locale: Locale) -> impl IntoView {
    // The config, read by a plain task into a signal. A `LocalResource` here carried Leptos' async
    // derived signals and transitions (and std's channels under them) into the wasm for this one
    // read (issue #21: -10.7 kB gzip of the payment build without it, 198.2 -> 187.5 kB of wasm).
    let config = RwSignal::new(None::<Result<checkout_types::session::SessionConfig, api::ApiError>>);
    let load = {
        let client = client.clone();
        move || {
            let client = client.clone();
            leptos::task::spawn_local(async move { config.set(Some(client.config().await)) });
        }
    };
    load();
    let retry = Callback::new(move |()| {
        config.set(None);
        load();
    });
    move || {
        // The answer moves out of the signal into its screen (a `get` copied the whole config, and
        // linked SessionConfig's clone into the wasm); the closure still runs again on every `set`.
        config.track();
        let Some(loaded) = config.try_update_untracked(Option::take).flatten() else {
            return view! { <Loading locale=fallback_locale /> }.into_any();
        };
        // The widget's first screen, the mode or the error: the page's boot screen goes now.
        boot_done();
        match loaded {
            Err(e) => {
                embed::emit("error", checkout_types::events::Failed { title: e.title(), message: fallback_locale.api_error(&e) });
                // An answer this build cannot read (a config meant for another build, or a page
                // older than the API) reads the same when asked again: its retry loads the page.
                let retry = if e.unreadable() { modes::reload() } else { retry };
                view! { <LoadError message=fallback_locale.api_error(&e) retry=Some((retry, fallback_locale.t(i18n::Key::Retry))) /> }.into_any()
            }
            Ok(cfg) => {
                embed::apply_vars(cfg.appearance.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                embed::target_opener(cfg.merchant_origins.clone());
                embed::emit("ready", checkout_types::events::Ready {
                    session_id: cfg.session_id.clone(),
                    mode: cfg.mode,
                    status: cfg.status,
                    amount: cfg.amount,
                    currency_code: cfg.currency_code,
                });
                let locale = Locale::from_tag(&cfg.locale);
                modes::render(client.clone(), cfg, locale)
            }
        }
    }
}
