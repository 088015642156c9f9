//! Amount, convenience fee and total from the API's quote, with the disclosure, shown before
//! the pay button. The widget never computes a fee itself.

use checkout_types::money::format_money;
use checkout_types::quote::FeeQuote;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::{Key, Locale};

/// Where the current quote stands.
#[derive(Debug, Clone, PartialEq)]
pub enum QuoteState {
    Loading,
    Ready(FeeQuote),
    Failed(ApiError),
}

/// The fee breakdown.
#[component]
pub fn FeeSummary(
    /// The current quote.
    quote: RwSignal<QuoteState>,
    /// Payer's language.
    locale: Locale,
    /// Re-requests a failed quote.
    retry: Callback<()>,
) -> impl IntoView {
    let money = move |q: &FeeQuote, m| format_money(m, q.currency_code, locale.tag());
    view! {
        <section class="fee-summary" data-testid="fee-summary" aria-live="polite">
            {move || match quote.get() {
                QuoteState::Loading => view! {
                    <p class="muted" data-testid="quote-loading">
                        <span class="spinner small" aria-hidden="true"></span>
                        {locale.t(Key::QuoteLoading)}
                    </p>
                }.into_any(),
                QuoteState::Failed(e) => view! {
                    <p class="banner error" data-testid="quote-error">
                        {locale.api_error(&e)} " "
                        <button type="button" class="link" on:click=move |_| retry.run(())>{locale.t(Key::Retry)}</button>
                    </p>
                }.into_any(),
                QuoteState::Ready(q) => view! {
                    <dl class="breakdown">
                        <dt>{locale.t(Key::Amount)}</dt>
                        <dd data-testid="fee-amount">{money(&q, q.amount)}</dd>
                        <dt>{locale.t(Key::ConvenienceFee)}</dt>
                        <dd data-testid="fee-fee">{money(&q, q.fee)}</dd>
                        <dt class="total">{locale.t(Key::Total)}</dt>
                        <dd class="total" data-testid="fee-total">{money(&q, q.total)}</dd>
                    </dl>
                    <p class="disclosure" data-testid="fee-disclosure">{disclosure(locale, &q)}</p>
                }.into_any(),
            }}
        </section>
    }
}

/// The disclosure sentence in the payer's language, from the quote's figures.
pub fn disclosure(locale: Locale, q: &FeeQuote) -> String {
    let fee = format_money(q.fee, q.currency_code, locale.tag());
    let total = format_money(q.total, q.currency_code, locale.tag());
    match (locale, q.fee.0 == 0) {
        (Locale::En, true) => format!("No convenience fee applies. You will be charged {total}."),
        (Locale::Es, true) => format!("No se aplica ningún cargo por servicio. Se le cobrará {total}."),
        (Locale::En, false) => {
            format!("A convenience fee of {fee} applies to this payment method. You will be charged {total} in total.")
        }
        (Locale::Es, false) => {
            format!("Se aplica un cargo por servicio de {fee} a este método de pago. Se le cobrará un total de {total}.")
        }
    }
}
