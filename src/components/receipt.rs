//! The success screen: what was paid, with what, and the payment id.

use checkout_types::confirm::PaymentSummary;
use checkout_types::money::format_money;
use leptos::html;
use leptos::prelude::*;

use crate::i18n::{Key, Locale};

/// Receipt of a completed payment; takes focus so the outcome is announced.
#[component]
pub fn Receipt(
    /// The completed payment.
    payment: PaymentSummary,
    /// Merchant paid.
    merchant: String,
    /// Payer's language.
    locale: Locale,
) -> impl IntoView {
    let heading = NodeRef::<html::H2>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let money = |m| format_money(m, payment.currency_code, locale.tag());
    let method = format!(
        "{} •••• {}",
        payment.payment_method.brand.clone().unwrap_or_else(|| payment.payment_method.kind.clone()),
        payment.payment_method.last4
    );
    view! {
        <section class="receipt" data-testid="receipt" role="status">
            <div class="check" aria-hidden="true">"✓"</div>
            <h2 tabindex="-1" node_ref=heading>{locale.t(Key::PaymentComplete)}</h2>
            <p class="merchant">{merchant}</p>
            <dl class="breakdown">
                <dt>{locale.t(Key::Amount)}</dt>
                <dd>{money(payment.amount)}</dd>
                <dt>{locale.t(Key::ConvenienceFee)}</dt>
                <dd>{money(payment.fee)}</dd>
                <dt class="total">{locale.t(Key::Total)}</dt>
                <dd class="total" data-testid="receipt-total">{money(payment.total)}</dd>
                <dt>{locale.t(Key::PaidWith)}</dt>
                <dd data-testid="receipt-method">{method}</dd>
                <dt>{locale.t(Key::PaymentId)}</dt>
                <dd><code data-testid="payment-id">{payment.id.clone()}</code></dd>
            </dl>
        </section>
    }
}
