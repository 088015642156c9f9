//! One module per session mode. [`render`] dispatches on the session's mode; `PAYMENT` and
//! `PAYMENT_WITH_WALLET` share [`payment`] (saved methods appear when the session has a wallet).

pub mod display;
pub mod method_entry;
pub mod payment;
pub mod select;
pub mod wallet;

use checkout_types::session::{Mode, SessionConfig};
use leptos::prelude::*;

use crate::api::ApiClient;
use crate::i18n::Locale;

/// The view for the session's mode.
pub fn render(client: ApiClient, cfg: SessionConfig, locale: Locale) -> AnyView {
    match cfg.mode {
        Mode::Payment | Mode::PaymentWithWallet => {
            view! { <payment::PaymentMode client=client cfg=cfg locale=locale /> }.into_any()
        }
        Mode::PaymentMethodEntry => view! { <method_entry::MethodEntryMode client=client cfg=cfg locale=locale /> }.into_any(),
        Mode::Wallet => view! { <wallet::WalletMode client=client cfg=cfg locale=locale /> }.into_any(),
        Mode::PaymentMethodSelect => view! { <select::SelectMode client=client cfg=cfg locale=locale /> }.into_any(),
        Mode::PaymentMethodDisplay => view! { <display::DisplayMode cfg=cfg locale=locale /> }.into_any(),
    }
}

/// Today's (year, month) in UTC, from the browser clock.
pub fn today() -> (u16, u8) {
    let d = js_sys::Date::new_0();
    (d.get_utc_full_year() as u16, (d.get_utc_month() + 1) as u8)
}
