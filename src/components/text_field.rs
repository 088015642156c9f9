//! One labelled input with its error message linked by `aria-describedby`.

use leptos::prelude::*;

/// A text input, its label, and its error.
#[component]
pub fn TextField(
    /// Element id, `name` and `data-testid`.
    id: &'static str,
    /// Visible label.
    label: String,
    /// Current value.
    value: Signal<String>,
    /// Called with the raw input on every keystroke.
    on_input: Callback<String>,
    /// Called when the field loses focus.
    on_blur: Callback<()>,
    /// Error message to show, if any.
    error: Signal<Option<&'static str>>,
    /// `autocomplete` token (`cc-number`, `cc-exp`, …).
    autocomplete: &'static str,
    /// `inputmode` (`numeric`, `text`).
    inputmode: &'static str,
    /// Greys the input out while a payment is in flight.
    disabled: Signal<bool>,
) -> impl IntoView {
    let err_id = format!("{id}-error");
    let described = err_id.clone();
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type="text"
                inputmode=inputmode
                autocomplete=autocomplete
                data-testid=id
                spellcheck="false"
                prop:value=move || value.get()
                prop:disabled=move || disabled.get()
                aria-invalid=move || crate::aria(error.get().is_some())
                aria-describedby=described
                on:input=move |ev| on_input.run(event_target_value(&ev))
                on:blur=move |_| on_blur.run(())
            />
            <p id=err_id class="field-error" aria-live="polite">{move || error.get().unwrap_or("")}</p>
        </div>
    }
}
