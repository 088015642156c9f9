//! Whole-widget states: loading, and a load failure with an optional retry.

use leptos::prelude::*;

use crate::i18n::{Key, Locale};

/// Shown while the session config loads; never a blank screen. Hidden while the page's boot
/// screen (`index.html`, `loading.html`) still says it: the widget's first screen replaces both.
#[component]
pub fn Loading(
    /// Language of the message.
    locale: Locale,
) -> impl IntoView {
    view! {
        <div class="status loading" role="status" aria-live="polite" data-testid="checkout-loading" hidden=crate::booting()>
            <span class="spinner" aria-hidden="true"></span>
            <p>{locale.t(Key::Loading)}</p>
        </div>
    }
}

/// A failure that replaces the widget, with a retry button when retrying can help.
#[component]
pub fn LoadError(
    /// What happened, in the payer's language (with the request's reference, if any).
    #[prop(into)]
    message: String,
    /// Re-runs the failed load, and the retry button's words in the payer's language.
    retry: Option<(Callback<()>, &'static str)>,
) -> impl IntoView {
    view! {
        <div class="status failed" role="alert" data-testid="load-error">
            <p>{message}</p>
            {retry.map(|(r, label)| view! {
                <button type="button" class="secondary" on:click=move |_| r.run(())>
                    <span aria-hidden="true">"↻ "</span>{label}
                </button>
            })}
        </div>
    }
}
