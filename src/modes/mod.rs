//! One module per session mode. [`render`] dispatches on the session's mode; `PAYMENT` and
//! `PAYMENT_WITH_WALLET` share [`payment`] (saved methods appear when the session has a wallet).

#[cfg(feature = "agent")]
pub mod agent;
pub mod display;
pub mod method_entry;
pub mod payment;
pub mod select;
pub mod wallet;

#[cfg_attr(not(any(feature = "payment", feature = "manage")), allow(unused_imports, reason = "the agent's build dispatches on no mode"))]
use checkout_types::session::{Mode, SessionConfig};
use leptos::prelude::*;

use crate::api::ApiClient;
use crate::i18n::Locale;

/// The view for the session's mode. A build holds the modes of its features (`payment` and its
/// parts, `manage`, `agent`; see Cargo.toml): the code of the others is not in its wasm, and a
/// payment build shows only the payment sessions it holds ([`payment::holds`]). The server
/// serves the build that holds the session; were a page ever loaded with another one, the payer
/// reads the "couldn't load, try again" screen, whose retry loads the page again from the server.
pub fn render(client: ApiClient, cfg: SessionConfig, locale: Locale) -> AnyView {
    // The agent of an agent-assisted session gets the send-a-link screen in every mode, and no
    // other: only the agent's build holds it. Another build never gets here with an agent's
    // config: it cannot read one (`crate::json`), so the agent reads the couldn't-load screen,
    // whose retry loads the page again (never a card form for the agent).
    #[cfg(feature = "agent")]
    if cfg.agent.is_some() {
        return view! { <agent::AgentMode client=client cfg=cfg locale=locale /> }.into_any();
    }
    match cfg.mode {
        #[cfg(feature = "payment")]
        Mode::Payment | Mode::PaymentWithWallet if payment::holds(&cfg) => {
            view! { <payment::PaymentMode client=client cfg=cfg locale=locale /> }.into_any()
        }
        #[cfg(feature = "manage")]
        Mode::PaymentMethodEntry => view! { <method_entry::MethodEntryMode client=client cfg=cfg locale=locale /> }.into_any(),
        #[cfg(feature = "manage")]
        Mode::Wallet => view! { <wallet::WalletMode client=client cfg=cfg locale=locale /> }.into_any(),
        #[cfg(feature = "manage")]
        Mode::PaymentMethodSelect => view! { <select::SelectMode client=client cfg=cfg locale=locale /> }.into_any(),
        #[cfg(feature = "manage")]
        Mode::PaymentMethodDisplay => view! { <display::DisplayMode cfg=cfg locale=locale /> }.into_any(),
        #[allow(unreachable_patterns, reason = "reachable only in a build without every mode")]
        _ => other_build(locale),
    }
}

/// A mode this build does not hold: the load-failure screen, whose retry reloads the page.
#[allow(dead_code, reason = "used only in a build without every mode")]
fn other_build(locale: Locale) -> AnyView {
    let retry = Some((reload(), locale.t(crate::i18n::Key::Retry)));
    view! { <crate::components::status::LoadError message=locale.t(crate::i18n::Key::NetworkError) retry=retry /> }.into_any()
}

/// A retry that loads the page again, from the server, which serves the build that holds the
/// session.
pub fn reload() -> Callback<()> {
    Callback::new(|()| {
        let _ = window().location().reload();
    })
}

/// Today's (year, month) in UTC, from the browser clock.
pub fn today() -> (u16, u8) {
    let d = js_sys::Date::new_0();
    (d.get_utc_full_year() as u16, (d.get_utc_month() + 1) as u8)
}
