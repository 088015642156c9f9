//! The success screen: what was paid, with what, and the payment id.

use checkout_types::quote::PaymentMethodKind;
use checkout_types::payment::PaymentSummary;
use checkout_types::money::format_money;
use checkout_types::validate::card::CardBrand;
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
    /// Signed success URL: after a moment, the payer is taken back to the merchant.
    redirect_url: Option<String>,
) -> impl IntoView {
    let heading = NodeRef::<html::H2>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let money = |m| format_money(m, payment.currency_code, locale.tag());
    let label = match payment.payment_method.brand.as_deref() {
        Some(b) => CardBrand::from_wire(b).display_name(),
        None => locale.t(Key::PayByBank),
    };
    let method = match payment.payment_method.kind {
        PaymentMethodKind::GooglePay => format!("Google Pay · {label} •••• {}", payment.payment_method.last4),
        PaymentMethodKind::ApplePay => format!("Apple Pay · {label} •••• {}", payment.payment_method.last4),
        PaymentMethodKind::Card | PaymentMethodKind::BankAccount => format!("{label} •••• {}", payment.payment_method.last4),
    };
    if let Some(url) = redirect_url.clone() {
        set_timeout(
            move || {
                let _ = window().location().assign(&url);
            },
            std::time::Duration::from_millis(2500),
        );
    }
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
            {redirect_url.map(|url| view! {
                <p class="muted" data-testid="redirect-note">
                    <a href=url>{locale.t(Key::ReturningToMerchant)}</a>
                </p>
            })}
        </section>
    }
}
