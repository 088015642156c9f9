//! What a card payer does not need before the card form works, loaded after it (issue #21): the
//! bank form, the saved-method list, the receipt and the challenge dialog each live in a wasm chunk
//! of their own, fetched when first shown (and all of them right after the form is interactive, see
//! [`prefetch`]), so the payment build's first download holds the card form and not the rest.
//!
//! Each piece is a function marked as a split point for `wasm_split_cli` (`#[wasm_split]` of
//! `wasm_split_helpers`): with the `split` feature, `scripts/build-widget` splits the linked wasm
//! after the build (`scripts/split-dist.mjs`), and calling the function first loads its chunk.
//! Without the feature (`trunk serve`, the manage and agent builds, the widget's tests) the same
//! functions are plain calls and [`deferred`] shows their view at once.
//!
//! A chunk that fails to load never leaves a blank: the payer reads the couldn't-load line with a
//! retry, which loads it again (a failed load is not cached).
#![allow(unsafe_code, reason = "only #[wasm_split]'s generated loader glue: an extern import and its no_mangle export")]

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use checkout_types::payment::PaymentSummary;
use checkout_types::session::SavedMethod;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::bank_form::{BankForm, BankTouched};
use crate::components::method_list::MethodRadios;
use crate::components::receipt::Receipt;
use crate::components::status::{LoadError, Loading};
use crate::form::BankDraft;
use crate::i18n::{Key, Locale};

/// A chunk did not arrive (the browser's console says why); asking again may succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable;

#[cfg(feature = "split")]
impl From<wasm_split_helpers::SplitLoaderError> for Unavailable {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        Unavailable
    }
}

/// A piece of the screen whose code may still be on its way.
pub type Piece = Pin<Box<dyn Future<Output = Result<AnyView, Unavailable>>>>;

// With chunks, a split function is `async` and fails if its chunk did not load; without, it is
// the plain function (and never fails). `piece!` makes both a `Piece`.
#[cfg(feature = "split")]
macro_rules! piece {
    ($call:expr) => {
        Box::pin(async move { $call.await })
    };
}
#[cfg(not(feature = "split"))]
macro_rules! piece {
    ($call:expr) => {
        Box::pin(async move { $call })
    };
}

#[cfg_attr(feature = "split", wasm_split_helpers::wasm_split(bank, fallible, preload(preload_bank)))]
#[allow(clippy::too_many_arguments, reason = "the bank form's props, passed through the chunk's boundary")]
fn bank_form(
    owner: Owner,
    draft: RwSignal<BankDraft>,
    touched: RwSignal<BankTouched>,
    submitted: Signal<bool>,
    mandate_text: Signal<String>,
    locale: Locale,
    disabled: Signal<bool>,
) -> Result<AnyView, Unavailable> {
    Ok(owner.with(|| {
        view! { <BankForm draft=draft touched=touched submitted=submitted mandate_text=mandate_text locale=locale disabled=disabled /> }
            .into_any()
    }))
}

/// The bank-account fields ([`BankForm`]).
pub fn bank(
    draft: RwSignal<BankDraft>,
    touched: RwSignal<BankTouched>,
    submitted: Signal<bool>,
    mandate_text: Signal<String>,
    locale: Locale,
    disabled: Signal<bool>,
) -> Piece {
    let owner = Owner::current().unwrap_or_default();
    piece!(bank_form(owner, draft, touched, submitted, mandate_text, locale, disabled))
}

#[cfg_attr(feature = "split", wasm_split_helpers::wasm_split(saved, fallible, preload(preload_saved)))]
fn saved_list(
    owner: Owner,
    methods: Signal<Vec<SavedMethod>>,
    selected: RwSignal<Option<String>>,
    locale: Locale,
    disabled: Signal<bool>,
) -> Result<AnyView, Unavailable> {
    Ok(owner.with(|| {
        view! { <MethodRadios methods=methods selected=selected legend=locale.t(Key::ChooseMethod) locale=locale disabled=disabled /> }
            .into_any()
    }))
}

/// The saved methods to pay with ([`MethodRadios`]).
pub fn saved(methods: Signal<Vec<SavedMethod>>, selected: RwSignal<Option<String>>, locale: Locale, disabled: Signal<bool>) -> Piece {
    let owner = Owner::current().unwrap_or_default();
    piece!(saved_list(owner, methods, selected, locale, disabled))
}

#[cfg_attr(feature = "split", wasm_split_helpers::wasm_split(receipt, fallible, preload(preload_receipt)))]
fn receipt_view(owner: Owner, payment: PaymentSummary, merchant: String, locale: Locale, redirect_url: Option<String>) -> Result<AnyView, Unavailable> {
    Ok(owner.with(|| view! { <Receipt payment=payment merchant=merchant locale=locale redirect_url=redirect_url /> }.into_any()))
}

/// The receipt of a completed payment ([`Receipt`]).
pub fn receipt(payment: PaymentSummary, merchant: String, locale: Locale, redirect_url: Option<String>) -> Piece {
    let owner = Owner::current().unwrap_or_default();
    piece!(receipt_view(owner, payment, merchant, locale, redirect_url))
}

#[cfg_attr(feature = "split", wasm_split_helpers::wasm_split(challenge, fallible, preload(preload_challenge)))]
fn challenge_view(owner: Owner, url: String, locale: Locale, cancel: Callback<()>) -> Result<AnyView, Unavailable> {
    Ok(owner.with(|| {
        view! {
            <div class="challenge-backdrop">
                <div class="challenge" role="dialog" aria-modal="true" aria-labelledby="challenge-title" data-testid="challenge"
                    on:keydown=move |e| if e.key() == "Escape" { cancel.run(()) }>
                    <div class="challenge-head">
                        <h2 id="challenge-title" tabindex="-1" autofocus=true>{locale.t(Key::ConfirmItsYou)}</h2>
                        <button type="button" class="link" data-testid="challenge-close" on:click=move |_| cancel.run(())>
                            {locale.t(Key::Cancel)}
                        </button>
                    </div>
                    <p class="muted">{locale.t(Key::ChallengeIntro)}</p>
                    <iframe src=url title=locale.t(Key::ChallengeFrame) data-testid="challenge-frame"></iframe>
                </div>
            </div>
        }
        .into_any()
    }))
}

/// The card issuer's challenge (3-D Secure) in a dialog over the form; `cancel` closes it.
pub fn challenge(url: String, locale: Locale, cancel: Callback<()>) -> Piece {
    let owner = Owner::current().unwrap_or_default();
    piece!(challenge_view(owner, url, locale, cancel))
}

/// Fetches every chunk of this module without showing anything: called once the card form is
/// interactive, so a payer who then picks the bank tab, pays or meets a challenge waits for no
/// download. A chunk that fails here is fetched again when shown.
pub fn prefetch() {
    #[cfg(feature = "split")]
    spawn_local(async {
        let _ = preload_bank().await;
        let _ = preload_saved().await;
        let _ = preload_receipt().await;
        let _ = preload_challenge().await;
    });
}

/// Where a [`deferred`] piece stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Waiting,
    Failed,
    Shown,
}

/// Shows the piece `load` makes: at once when its code is here (a build without chunks, or a chunk
/// loaded before), else the loading line until it is; if it cannot be fetched, the couldn't-load
/// line with a retry. Not generic, so it is in the wasm once whatever it shows.
pub fn deferred(locale: Locale, load: Rc<dyn Fn() -> Piece>) -> AnyView {
    let stage = RwSignal::new(Stage::Waiting);
    let shown = StoredValue::new_local(None::<AnyView>);
    let load = StoredValue::new_local(load);
    // The piece is built under this owner, a retry's too (a click runs under none).
    let owner = Owner::current().unwrap_or_default();
    let settle = move |result: Result<AnyView, Unavailable>| match result {
        Ok(view) => {
            shown.set_value(Some(view));
            stage.try_set(Stage::Shown);
        }
        Err(Unavailable) => {
            stage.try_set(Stage::Failed);
        }
    };
    let start = move || {
        let mut piece = owner.with(|| load.with_value(|f| f()));
        // One poll now: a piece whose code is here is shown in this render, with no loading flash.
        match piece.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(result) => settle(result),
            Poll::Pending => spawn_local(async move { settle(piece.await) }),
        }
    };
    start();
    let retry = Callback::new(move |()| {
        stage.set(Stage::Waiting);
        start();
    });
    (move || match stage.get() {
        Stage::Waiting => view! { <Loading locale=locale /> }.into_any(),
        Stage::Failed => view! { <LoadError message=locale.t(Key::NetworkError) retry=Some((retry, locale.t(Key::Retry))) /> }.into_any(),
        Stage::Shown => shown.try_update_value(Option::take).flatten().unwrap_or_else(|| ().into_any()),
    })
    .into_any()
}
