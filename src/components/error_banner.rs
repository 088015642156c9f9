//! The banner for errors of an action (decline, network), announced to screen readers.

use leptos::prelude::*;

/// Shows `message` when set; an assertive live region so it is read out at once.
#[component]
pub fn ErrorBanner(
    /// The current error, if any.
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="banner-slot" role="alert" aria-live="assertive">
            {move || message.get().map(|m| view! {
                <p class="banner error" data-testid="error-banner">{m}</p>
            })}
        </div>
    }
}
