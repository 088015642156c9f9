//! `PAYMENT` mode: a one-time payment by card or bank account (whichever the session enables).
//! Quote the fee for the method (again when the card brand or the method changes), show amount +
//! fee + total before the pay button, confirm once per attempt with an `Idempotency-Key`, then
//! show the receipt (and return to the merchant's success URL) or a readable decline.
//!
//! [`flow`] decides (phases, what each failure means); this module shows and wires it.

pub mod flow;

use checkout_types::confirm::{ConfirmRequest, ConfirmResponse, InlineMethod};
use checkout_types::payment::PaymentStatus;
use checkout_types::error::ErrorTitle;
use checkout_types::money::format_money;
use checkout_types::quote::{FeeQuoteRequest, PaymentMethodKind};
use checkout_types::events;
use checkout_types::session::{BankChannel, CardChannel, PaymentScreen, SessionConfig, SessionStatus};
use checkout_types::validate::card::CardBrand;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiClient, ApiError};
use crate::attempt::Attempt;
use crate::components::bank_form::{BankForm, BankTouched};
use crate::components::card_form::{CardForm, Touched};
use crate::components::error_banner::ErrorBanner;
use crate::components::fee_summary::{FeeSummary, QuoteState};
use crate::components::method_list::MethodRadios;
use crate::components::receipt::Receipt;
use crate::components::status::LoadError;
use crate::embed::emit;
use crate::express::{self, SheetError, Wallet};
use crate::form::{BankDraft, CardDraft, Requirements};
use crate::i18n::{Key, Locale};
use crate::modes::today;
use flow::{Phase, Reaction, classify, initial_phase};

/// The payment screen this build holds: its parts' features (`more-methods`, `device-wallets`),
/// which the builds' features (`pay`, `forms`, `express`, `card`) enable (Cargo.toml).
pub const BUILD: PaymentScreen = PaymentScreen::of(cfg!(feature = "more-methods"), cfg!(feature = "device-wallets"));
/// Whether it holds the device wallets, and the bank form and saved methods. The compiler drops
/// every use of what a build lacks below, since each is behind one of these constants.
const WALLETS: bool = BUILD.device_wallets();
const MORE_METHODS: bool = BUILD.more_methods();

/// Whether this build can show the session's payment screen: the session needs no part the build
/// lacks. The API serves the build the session needs by the same rules ([`PaymentScreen::needed`]),
/// so a page it served never fails this. Each part is asked only where the build lacks it, so the
/// whole build keeps no check at all.
pub fn holds(cfg: &SessionConfig) -> bool {
    (MORE_METHODS || !PaymentScreen::needs_more_methods(cfg.mode, &cfg.channels, !cfg.saved_methods.is_empty()))
        && (WALLETS || !PaymentScreen::needs_device_wallets(&cfg.channels))
}

/// While a payment is pending, re-reads the session every 1.5 s until it settles.
fn poll_outcome(client: StoredValue<ApiClient>, phase: RwSignal<Phase>, banner: RwSignal<Option<String>>, locale: Locale) {
    set_timeout(
        move || {
            spawn_local(async move {
                match client.get_value().config().await {
                    Ok(cfg) if cfg.payment.as_ref().is_some_and(|p| p.status == PaymentStatus::Pending) => {
                        poll_outcome(client, phase, banner, locale);
                    }
                    Ok(cfg) => {
                        let next = initial_phase(&cfg);
                        if next == Phase::Form {
                            // The slow attempt was declined: the payer may try again.
                            banner.set(Some(locale.decline("card_declined", None).to_owned()));
                        }
                        phase.set(next);
                    }
                    Err(_) => poll_outcome(client, phase, banner, locale),
                }
            });
        },
        std::time::Duration::from_millis(1500),
    );
}

/// The one-time payment screen.
#[component]
pub fn PaymentMode(
    /// Client bound to this session.
    client: ApiClient,
    /// The session's config.
    cfg: SessionConfig,
    /// Payer's language.
    locale: Locale,
) -> impl IntoView {
    let client = StoredValue::new(client);
    let phase = RwSignal::new(initial_phase(&cfg));
    let draft = RwSignal::new(CardDraft::default());
    let touched = RwSignal::new(Touched::default());
    let bank = RwSignal::new(BankDraft::default());
    let bank_touched = RwSignal::new(BankTouched::default());
    let card_enabled = cfg.channels.card.contains(&CardChannel::Webform);
    let bank_enabled = MORE_METHODS && cfg.channels.bank_account.contains(&BankChannel::Webform);
    let method = RwSignal::new(if card_enabled { PaymentMethodKind::Card } else { PaymentMethodKind::BankAccount });
    let saved_methods = if MORE_METHODS { cfg.saved_methods.clone() } else { Vec::new() };
    let has_saved = !saved_methods.is_empty();
    let use_saved = RwSignal::new(has_saved);
    let selected_saved = RwSignal::new(cfg.preselected_method_id.clone().or_else(|| saved_methods.first().map(|m| m.id.clone())));
    let saved_list = Signal::derive({
        let list = saved_methods.clone();
        move || list.clone()
    });
    let save_for_later = RwSignal::new(false);
    let can_save = cfg.can_save;
    let submitted = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let banner = RwSignal::new(None::<String>);
    let quote = RwSignal::new(QuoteState::Loading);
    let quote_generation = StoredValue::new(0u32);
    if phase.get_untracked() == Phase::Processing {
        poll_outcome(client, phase, banner, locale);
    }
    // The current attempt's Idempotency-Key: a retry of the same body, or a reload, reuses it.
    let attempt = Attempt::new(client.with_value(|c| c.session_id().to_owned()).as_str());
    let req = Requirements::from_avs(&cfg.required_avs_fields);
    let close_popup = cfg.close_on_success && crate::embed::is_popup();
    let today = today();

    let fetch_quote = move |(kind, brand, saved): (PaymentMethodKind, CardBrand, Option<String>)| {
        let generation = quote_generation.get_value().wrapping_add(1);
        quote_generation.set_value(generation);
        quote.set(QuoteState::Loading);
        let request = FeeQuoteRequest {
            method: kind,
            brand: (kind == PaymentMethodKind::Card && brand != CardBrand::Unknown).then(|| brand.wire_name().to_owned()),
            funding: None,
            payment_method_id: saved,
        };
        spawn_local(async move {
            let result = client.get_value().quote(&request).await;
            if quote_generation.get_value() == generation {
                quote.set(match result {
                    Ok(q) => QuoteState::Ready(q),
                    Err(e) => QuoteState::Failed(e),
                });
            }
        });
    };
    // What the fee depends on: the method, and for cards the brand.
    let quote_key = Memo::new(move |_| {
        if use_saved.get() {
            if let Some(id) = selected_saved.get() {
                return (PaymentMethodKind::Card, CardBrand::Unknown, Some(id));
            }
        }
        let kind = method.get();
        (kind, if kind == PaymentMethodKind::Card { draft.with(CardDraft::brand) } else { CardBrand::Unknown }, None)
    });
    Effect::new(move |_| {
        let key = quote_key.get();
        if phase.get_untracked() == Phase::Form {
            fetch_quote(key);
        }
    });
    let requote = Callback::new(move |()| fetch_quote(quote_key.get_untracked()));
    // `checkout-ready`: config loaded and the form interactive (read by scripts/bench).
    Effect::new(move |_| {
        if let Some(perf) = window().performance() {
            let _ = perf.mark("checkout-ready");
        }
    });
    // Events for the embedding page: what changed, what it costs, how it ended.
    Effect::new(move |_| {
        let (kind, brand, _) = quote_key.get();
        emit("change", events::MethodChanged { method: kind, brand: (brand != CardBrand::Unknown).then(|| brand.wire_name()) });
    });
    Effect::new(move |_| {
        if let QuoteState::Ready(q) = quote.get() {
            emit("quote", events::Quoted { quote_id: q.quote_id, amount: q.amount, fee: q.fee, total: q.total, currency_code: q.currency_code });
        }
    });
    let session_id = client.with_value(|c| c.session_id().to_owned());
    Effect::new(move |_| {
        if let Phase::Paid(p, _) = phase.get() {
            emit("success", events::Paid { session_id: session_id.clone(), status: SessionStatus::Completed, payment: p });
            if close_popup {
                set_timeout(|| { let _ = window().close(); }, std::time::Duration::from_millis(1500));
            }
        }
    });

    let on_error_inner = move |e: ApiError| {
        let reaction = classify(&e);
        if reaction.ends_attempt() {
            attempt.finish();
        }
        match reaction {
            Reaction::Declined { session_failed: true } => phase.set(Phase::Closed(Key::SessionClosed)),
            Reaction::Declined { session_failed: false } => {
                banner.set(Some(format!("{} {}", locale.api_error(&e), locale.t(Key::TryAgainOrOtherCard))));
            }
            // Show the receipt of the payment that went through.
            Reaction::AlreadyPaid => spawn_local(async move {
                match client.get_value().config().await {
                    Ok(c) => phase.set(initial_phase(&c)),
                    Err(_) => phase.set(Phase::Closed(Key::AlreadyPaid)),
                }
            }),
            Reaction::Closed(key) => phase.set(Phase::Closed(key)),
            Reaction::Requote => {
                banner.set(Some(locale.t(Key::QuoteChanged).to_owned()));
                fetch_quote(quote_key.get_untracked());
            }
            Reaction::StillProcessing => banner.set(Some(locale.t(Key::StillProcessing).to_owned())),
            Reaction::FixErrors => banner.set(Some(locale.t(Key::FixErrors).to_owned())),
            // The API answered (5xx, 429, ...): its reference, for support; no answer: the network.
            Reaction::RetrySameKey if e.reference().is_some() => banner.set(Some(locale.api_error(&e))),
            Reaction::RetrySameKey => banner.set(Some(locale.t(Key::NetworkError).to_owned())),
        }
    };

    let on_error = move |e: ApiError| {
        emit("error", events::Failed { title: e.title(), message: locale.api_error(&e) });
        on_error_inner(e)
    };
    // 3-D Secure: the challenge the payer is completing, and the confirm to send again (same
    // body, so the same Idempotency-Key) once they have.
    let challenge = RwSignal::new(None::<(String, String)>);
    let last_body = StoredValue::new(None::<ConfirmRequest>);
    // The outcome of a confirm, from the form or from a device wallet.
    let on_result = move |result: Result<ConfirmResponse, ApiError>| match result {
        Ok(ConfirmResponse { requires_action: Some(c), .. }) => challenge.set(Some((c.challenge_id, c.url))),
        Ok(ConfirmResponse { payment: Some(p), .. }) if p.status == PaymentStatus::Pending => {
            attempt.finish();
            phase.set(Phase::Processing);
            poll_outcome(client, phase, banner, locale);
        }
        Ok(ConfirmResponse { payment: Some(p), redirect_url, .. }) => {
            attempt.finish();
            phase.set(Phase::Paid(p, redirect_url));
        }
        Ok(_) => banner.set(Some(locale.t(Key::NetworkError).to_owned())),
        Err(e) => on_error(e),
    };
    // Sends the form's confirm (after completing the challenge `after`, if any): one place that
    // awaits the confirm for the form.
    let send = move |body: ConfirmRequest, after: Option<String>| {
        pending.set(true);
        spawn_local(async move {
            if let Some(id) = after {
                // Whatever the completion says (done before a reload, say), the confirm decides.
                let _ = client.get_value().complete_challenge(&id).await;
            }
            let result = confirm(&client.get_value(), attempt, &body).await;
            challenge.set(None);
            pending.set(false);
            on_result(result);
        });
    };
    // The challenge page (same origin) says the payer answered, or closed it with Escape.
    let challenge_done = move |id: String| {
        if challenge.with_untracked(|c| c.as_ref().is_none_or(|(current, _)| *current != id)) {
            return;
        }
        if let Some(body) = last_body.get_value() {
            send(body, Some(id));
        }
    };
    let challenge_cancel = move || {
        if challenge.get_untracked().is_some() {
            challenge.set(None);
            // Abandoned: nothing was charged, and the next try is a new attempt.
            attempt.finish();
            banner.set(Some(locale.t(Key::ChallengeCanceled).to_owned()));
        }
    };
    // One listener for the page's life (a leaked closure: the mode is never unmounted before the
    // page goes; leptos's window_event_listener measured heavier).
    let listener = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        if window().location().origin().ok().as_deref() != Some(e.origin().as_str()) {
            return;
        }
        let data = e.data();
        let get = |k: &str| js_sys::Reflect::get(&data, &wasm_bindgen::JsValue::from_str(k)).ok();
        if get("type").and_then(|t| t.as_string()).as_deref() != Some("govifi:challenge") {
            return;
        }
        match get("challengeId").and_then(|v| v.as_string()) {
            Some(id) if get("done").and_then(|v| v.as_bool()) == Some(true) => challenge_done(id),
            _ if get("cancel").and_then(|v| v.as_bool()) == Some(true) => challenge_cancel(),
            _ => {}
        }
    });
    let _ = window().add_event_listener_with_callback("message", wasm_bindgen::JsCast::unchecked_ref(listener.as_ref()));
    listener.forget();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        banner.set(None);
        let saved_choice = if use_saved.get_untracked() { selected_saved.get_untracked() } else { None };
        let inline = match method.get_untracked() {
            _ if saved_choice.is_some() => None,
            PaymentMethodKind::BankAccount => {
                bank.with_untracked(BankDraft::to_input).ok().map(|b| InlineMethod::BankAccount { bank_account: b })
            }
            _ => draft.with_untracked(|d| d.to_input(today, req)).ok().map(|card| InlineMethod::Card { card }),
        };
        if inline.is_none() && saved_choice.is_none() {
            banner.set(Some(locale.t(Key::FixErrors).to_owned()));
            return;
        }
        let QuoteState::Ready(q) = quote.get_untracked() else {
            fetch_quote(quote_key.get_untracked());
            return;
        };
        let save = (can_save && inline.is_some() && save_for_later.get_untracked()).then_some(true);
        let body = ConfirmRequest {
            quote_id: q.quote_id,
            payment_method_id: saved_choice,
            payment_method: inline,
            save_for_future: save,
        };
        last_body.set_value(Some(body.clone()));
        send(body, None);
    };

    // What the screen shows of the config, read before the config moves into `cfg_store` below.
    let merchant = cfg.merchant_name.clone();
    let amount = cfg.amount.map(|a| format_money(a, cfg.currency_code, locale.tag())).unwrap_or_default();
    let description = cfg.description.clone();
    // What the amount is for, as the merchant listed it (each line's total).
    let currency = cfg.currency_code;
    let lines = cfg
        .line_items
        .iter()
        .map(|li| {
            let amount = format_money(li.amount, currency, locale.tag());
            if li.quantity > 1 { format!("{} × {}: {amount}", li.name, li.quantity) } else { format!("{}: {amount}", li.name) }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let privacy = cfg.privacy_policy_url.clone();
    let cancel_url = cfg.cancel_url.clone();

    // Device wallets (Apple Pay, Google Pay): offered only where the page may use them and the
    // browser says it can pay with them; each has its own quote (its own fee plan).
    let express = RwSignal::new(Vec::<Wallet>::new());
    let wallet_quotes = [RwSignal::new(QuoteState::Loading), RwSignal::new(QuoteState::Loading)];
    let quote_of = move |w: Wallet| wallet_quotes[w as usize];
    let wallets = if WALLETS { Wallet::enabled(&cfg) } else { Vec::new() };
    // The config itself, for the wallets' sheets (moved, not copied: a copy linked SessionConfig's
    // clone, 1.4 kB of the wasm).
    let cfg_store = StoredValue::new(cfg);
    let fetch_wallet_quote = move |w: Wallet| {
        quote_of(w).set(QuoteState::Loading);
        spawn_local(async move {
            let request = FeeQuoteRequest { method: w.kind(), brand: None, funding: None, payment_method_id: None };
            quote_of(w).set(match client.get_value().quote(&request).await {
                Ok(q) => QuoteState::Ready(q),
                Err(e) => QuoteState::Failed(e),
            });
        });
    };
    if !wallets.is_empty() && phase.get_untracked() == Phase::Form {
        spawn_local(async move {
            let permitted = express::permitted();
            let mut usable = Vec::new();
            for &w in &wallets {
                if permitted && cfg_store.with_value(|c| express::can_pay(w, c)).await {
                    usable.push(w);
                    fetch_wallet_quote(w);
                }
            }
            if usable.is_empty() {
                // The card form stands alone; the page learns why.
                let unavailable = wallets.iter().map(|w| w.kind()).collect();
                emit("change", events::WalletsUnavailable { wallets_unavailable: unavailable, blocked: !permitted });
            }
            express.set(usable);
        });
    }
    let wallet_pay = move |w: Wallet| {
        if pending.get_untracked() {
            return;
        }
        let QuoteState::Ready(q) = quote_of(w).get_untracked() else { return };
        banner.set(None);
        // The sheet must open inside the click: browsers show it only for a user gesture.
        let labels = (locale.t(Key::Amount), locale.t(Key::ConvenienceFee));
        let Some(shown) = cfg_store.with_value(|c| express::open(w, c, &q, labels, client.get_value())) else {
            banner.set(Some(locale.t(Key::WalletUnavailable).to_owned()));
            return;
        };
        pending.set(true);
        spawn_local(async move {
            match express::token(w, shown).await {
                Err(SheetError::Canceled) => pending.set(false),
                Err(SheetError::Failed) => {
                    pending.set(false);
                    banner.set(Some(locale.t(Key::WalletUnavailable).to_owned()));
                }
                Ok((handle, token)) => {
                    let method = match w {
                        Wallet::GooglePay => InlineMethod::GooglePay { google_pay: token },
                        Wallet::ApplePay => InlineMethod::ApplePay { apple_pay: token },
                    };
                    let body = ConfirmRequest {
                        quote_id: q.quote_id,
                        payment_method_id: None,
                        payment_method: Some(method),
                        save_for_future: None,
                    };
                    let result = confirm(&client.get_value(), attempt, &body).await;
                    express::complete(w, &handle, result.is_ok());
                    pending.set(false);
                    if result.as_ref().is_err_and(|e| classify(e) == Reaction::Requote) {
                        fetch_wallet_quote(w);
                    }
                    on_result(result);
                }
            }
        });
    };

    let amount_for_mandate = amount.clone();
    // The amount as the latest quote states it: a merchant's PATCH shows here once re-quoted.
    let amount_now = Signal::derive(move || match quote.get() {
        QuoteState::Ready(q) => format_money(q.amount, q.currency_code, locale.tag()),
        _ => amount.clone(),
    });
    let pay_label = move || {
        if pending.get() {
            return locale.t(Key::Processing).to_owned();
        }
        match quote.get() {
            QuoteState::Ready(q) => locale.pay_label(&format_money(q.total, q.currency_code, locale.tag())),
            _ => locale.t(Key::Pay).to_owned(),
        }
    };
    let disabled = Signal::derive(move || pending.get());
    let total_text = move || match quote.get() {
        QuoteState::Ready(q) => format_money(q.total, q.currency_code, locale.tag()),
        _ => amount_for_mandate.clone(),
    };
    let mandate_merchant = merchant.clone();
    let mandate_text = Signal::derive(move || locale.mandate(&mandate_merchant, &total_text()));
    let top_level = is_top_level();
    let redirect_allowed = top_level && !crate::embed::is_popup();
    let tab = move |kind: PaymentMethodKind, key: Key, id: &'static str| {
        view! {
            <button
                type="button"
                role="tab"
                id=id
                data-testid=id
                class="tab"
                aria-selected=move || crate::aria(!use_saved.get() && method.get() == kind)
                prop:disabled=move || pending.get()
                on:click=move |_| {
                    use_saved.set(false);
                    method.set(kind);
                    submitted.set(false);
                    banner.set(None);
                }
            >
                {locale.t(key)}
            </button>
        }
    };

    move || match phase.get() {
        Phase::Paid(p, redirect) => {
            let redirect = redirect.filter(|_| redirect_allowed);
            view! { <Receipt payment=p merchant=merchant.clone() locale=locale redirect_url=redirect /> }.into_any()
        }
        Phase::Closed(key) => view! { <LoadError message=locale.t(key) retry=None /> }.into_any(),
        Phase::Processing => view! {
            <div class="status loading" role="status" aria-live="polite" data-testid="payment-processing">
                <span class="spinner" aria-hidden="true"></span>
                <p>{locale.t(Key::StillProcessing)}</p>
            </div>
        }.into_any(),
        Phase::Form => view! {
            <form class="pay" on:submit=submit novalidate=true aria-busy=move || crate::aria(pending.get())
                prop:inert=move || challenge.with(Option::is_some)>
                <header class="summary">
                    <p class="merchant" data-testid="merchant-name">{locale.t(Key::PayTo)} " " {merchant.clone()}</p>
                    <p class="amount" data-testid="amount">{amount_now}</p>
                    {description.clone().map(|d| view! { <p class="muted">{d}</p> })}
                    {(!lines.is_empty()).then(|| view! {
                        <p class="line-items" data-testid="line-items">{lines.clone()}</p>
                    })}
                </header>
                {move || {
                    let wallets = if WALLETS { express.get() } else { Vec::new() };
                    (!wallets.is_empty()).then(|| view! {
                        <div class="express" data-testid="express">
                            {wallets.into_iter().map(|w| {
                                let (id, label) = match w {
                                    Wallet::GooglePay => ("google-pay", Key::PayWithGooglePay),
                                    Wallet::ApplePay => ("apple-pay", Key::PayWithApplePay),
                                };
                                view! {
                                    <button type="button" class=format!("wallet-button {id}") data-testid=id aria-label=locale.t(label)
                                        prop:disabled=move || pending.get() || !matches!(quote_of(w).get(), QuoteState::Ready(_))
                                        on:click=move |_| wallet_pay(w)>
                                        <span>{locale.t(label)}</span>
                                    </button>
                                    {move || match quote_of(w).get() {
                                        QuoteState::Loading => view! {
                                            <p class="muted wallet-note" data-testid="wallet-note" aria-live="polite">
                                                <span class="spinner small" aria-hidden="true"></span>
                                                {locale.t(Key::QuoteLoading)}
                                            </p>
                                        }.into_any(),
                                        QuoteState::Failed(e) => view! {
                                            <p class="banner error wallet-note" data-testid="wallet-quote-error" aria-live="polite">
                                                {locale.api_error(&e)} " "
                                                <button type="button" class="link" on:click=move |_| fetch_wallet_quote(w)>{locale.t(Key::Retry)}</button>
                                            </p>
                                        }.into_any(),
                                        QuoteState::Ready(q) => view! {
                                            <p class="muted wallet-note" data-testid="wallet-note" aria-live="polite">
                                                {locale.wallet_note(w.name(), &format_money(q.total, q.currency_code, locale.tag()), &format_money(q.fee, q.currency_code, locale.tag()))}
                                            </p>
                                        }.into_any(),
                                    }}
                                }
                            }).collect_view()}
                            <p class="divider"><span>{locale.t(Key::OrPayAnotherWay)}</span></p>
                        </div>
                    })
                }}
                {(has_saved || (card_enabled && bank_enabled)).then(|| view! {
                    <div class="tabs" role="tablist" aria-label=locale.t(Key::PaymentMethod)>
                        {has_saved.then(|| view! {
                            <button type="button" role="tab" id="tab-saved" data-testid="tab-saved" class="tab"
                                aria-selected=move || crate::aria(use_saved.get())
                                prop:disabled=move || pending.get()
                                on:click=move |_| { use_saved.set(true); submitted.set(false); banner.set(None); }>
                                {locale.t(Key::SavedMethods)}
                            </button>
                        })}
                        {card_enabled.then(|| tab(PaymentMethodKind::Card, Key::PayByCard, "tab-card"))}
                        {bank_enabled.then(|| tab(PaymentMethodKind::BankAccount, Key::PayByBank, "tab-bank"))}
                    </div>
                })}
                {move || if MORE_METHODS && use_saved.get() {
                    view! {
                        <MethodRadios methods=saved_list selected=selected_saved legend=locale.t(Key::ChooseMethod)
                            locale=locale disabled=disabled />
                    }.into_any()
                } else { match method.get() {
                    PaymentMethodKind::BankAccount if MORE_METHODS => view! {
                        <BankForm
                            draft=bank
                            touched=bank_touched
                            submitted=submitted.into()
                            mandate_text=mandate_text
                            locale=locale
                            disabled=disabled
                        />
                    }.into_any(),
                    _ => view! {
                        <CardForm
                            draft=draft
                            touched=touched
                            submitted=submitted.into()
                            today=today
                            req=req
                            locale=locale
                            disabled=disabled
                        />
                    }.into_any(),
                }}}
                {move || (can_save && !use_saved.get()).then(|| view! {
                    <label class="checkbox save-later">
                        <input type="checkbox" data-testid="save-for-later"
                            prop:checked=move || save_for_later.get()
                            prop:disabled=move || pending.get()
                            on:change=move |ev| save_for_later.set(event_target_checked(&ev)) />
                        <span>{locale.t(Key::SaveForLater)}</span>
                    </label>
                })}
                <FeeSummary quote=quote locale=locale retry=requote />
                <ErrorBanner message=banner />
                <button
                    type="submit"
                    class="primary"
                    data-testid="pay-button"
                    prop:disabled=move || pending.get() || !matches!(quote.get(), QuoteState::Ready(_))
                    aria-busy=move || crate::aria(pending.get())
                >
                    {move || pending.get().then(|| view! { <span class="spinner small" aria-hidden="true"></span> })}
                    {pay_label}
                </button>
                <p class="secure-note">{locale.t(Key::SecureNote)}</p>
                // Cancel: on the hosted page a link to the merchant's cancel URL; embedded or in a
                // popup, the `cancel` event for the merchant's page (a popup then closes).
                {cancel_url.clone().map(|url| view! {
                    <p class="cancel"><a href=url data-testid="cancel-link" on:click=move |ev| {
                        emit("cancel", events::Canceled {});
                        if !redirect_allowed {
                            ev.prevent_default();
                            if top_level {
                                let _ = window().close();
                            }
                        }
                    }>{locale.t(Key::CancelAndReturn)}</a></p>
                })}
                {privacy.clone().map(|url| view! {
                    <p class="privacy"><a href=url target="_blank" rel="noopener noreferrer">{locale.t(Key::PrivacyPolicy)}</a></p>
                })}
            </form>
            // The card issuer's challenge (3-D Secure), over the form (made inert while it shows).
            {move || challenge.get().map(|(_, url)| view! {
                <div class="challenge-backdrop">
                    <div class="challenge" role="dialog" aria-modal="true" aria-labelledby="challenge-title" data-testid="challenge"
                        on:keydown=move |e| if e.key() == "Escape" { challenge_cancel() }>
                        <div class="challenge-head">
                            <h2 id="challenge-title" tabindex="-1" autofocus=true>{locale.t(Key::ConfirmItsYou)}</h2>
                            <button type="button" class="link" data-testid="challenge-close" on:click=move |_| challenge_cancel()>
                                {locale.t(Key::Cancel)}
                            </button>
                        </div>
                        <p class="muted">{locale.t(Key::ChallengeIntro)}</p>
                        <iframe src=url title=locale.t(Key::ChallengeFrame) data-testid="challenge-frame"></iframe>
                    </div>
                </div>
            })}
        }.into_any(),
    }
}

/// Whether the widget is the top-level page (hosted), not inside a frame (embedded).
fn is_top_level() -> bool {
    let w = window();
    w.top().ok().flatten().is_some_and(|top| top == w)
}

/// Confirms `body` under the attempt's key. A key stored before a reload may have been sent with
/// another body (the reload fetched a new quote): the server then answers `IDEMPOTENCY_KEY_REUSED`
/// and the body goes once more under a new key. No second charge is possible: the session is
/// claimed once, whatever the key, and a paid session answers `already_confirmed`.
async fn confirm(client: &ApiClient, attempt: Attempt, body: &ConfirmRequest) -> Result<ConfirmResponse, ApiError> {
    // Written once: the same text is sent and keys the attempt.
    let text = crate::json::to_json(body).ok_or(ApiError::Network)?;
    // One send in a loop of at most two, not two sends: each await holds a whole request's state.
    let mut renewed = false;
    loop {
        match client.confirm(&text, &attempt.key_for(&text)).await {
            Err(e) if !renewed && e.title() == Some(ErrorTitle::IdempotencyKeyReused) => {
                attempt.finish();
                renewed = true;
            }
            result => return result,
        }
    }
}
