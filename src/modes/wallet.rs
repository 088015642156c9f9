//! `WALLET`: the customer manages saved methods: rename, make default, remove (after a
//! confirmation step), and add new ones; "Done" completes the session (`success` with the wallet).

use checkout_types::events::WalletChanged;
use checkout_types::session::{BankChannel, CardChannel, SavedMethod, SessionConfig};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiClient;
use crate::components::add_method::AddMethodForm;
use crate::components::error_banner::ErrorBanner;
use crate::components::method_list::{MethodText, method_label};
use crate::embed::emit;
use crate::form::Requirements;
use crate::i18n::{Key, Locale};
use crate::modes::today;

/// What one row is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RowState {
    Idle,
    Renaming(String),
    ConfirmRemove,
}

/// The wallet manager.
#[component]
pub fn WalletMode(
    /// Client bound to this session.
    client: ApiClient,
    /// The session's config.
    cfg: SessionConfig,
    /// Payer's language.
    locale: Locale,
) -> impl IntoView {
    let client = StoredValue::new(client);
    let methods = RwSignal::new(cfg.saved_methods.clone());
    let editing = RwSignal::new(None::<(String, RowState)>);
    let adding = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let banner = RwSignal::new(None::<String>);
    let finished = RwSignal::new(false);
    let merchant = cfg.merchant_name.clone();
    let privacy = cfg.privacy_policy_url.clone();
    let card_enabled = cfg.channels.card.contains(&CardChannel::Webform);
    let bank_enabled = cfg.channels.bank_account.contains(&BankChannel::Webform);
    let req = Requirements::from_avs(&cfg.required_avs_fields);

    let refresh = move || {
        spawn_local(async move {
            match client.get_value().list_methods().await {
                Ok(list) => methods.set(list),
                Err(e) => banner.set(Some(locale.api_error(&e).to_owned())),
            }
        });
    };
    let update = move |id: String, nickname: Option<String>, default: Option<bool>| {
        pending.set(true);
        banner.set(None);
        spawn_local(async move {
            let r = client.get_value().update_method(&id, nickname, default).await;
            pending.set(false);
            match r {
                Ok(m) => {
                    editing.set(None);
                    emit("change", WalletChanged { payment_method: Some(m), removed: None });
                    refresh();
                }
                Err(e) => banner.set(Some(locale.api_error(&e).to_owned())),
            }
        });
    };
    let remove = move |id: String| {
        pending.set(true);
        banner.set(None);
        spawn_local(async move {
            let r = client.get_value().remove_method(&id).await;
            pending.set(false);
            match r {
                Ok(list) => {
                    editing.set(None);
                    emit("change", WalletChanged { payment_method: None, removed: Some(id) });
                    methods.set(list);
                }
                Err(e) => banner.set(Some(locale.api_error(&e).to_owned())),
            }
        });
    };
    let finish = move |_| {
        pending.set(true);
        banner.set(None);
        spawn_local(async move {
            let r = client.get_value().complete().await;
            pending.set(false);
            match r {
                Ok(done) => {
                    emit("success", done);
                    finished.set(true);
                }
                Err(e) => banner.set(Some(locale.api_error(&e).to_owned())),
            }
        });
    };
    let on_saved = Callback::new(move |m: SavedMethod| {
        adding.set(false);
        emit("change", WalletChanged { payment_method: Some(m), removed: None });
        refresh();
    });
    let row = move |m: SavedMethod| {
        let id = m.id.clone();
        let label = method_label(&m, locale);
        let state = Memo::new({
            let id = id.clone();
            move |_| editing.with(|e| e.as_ref().filter(|(eid, _)| *eid == id).map(|(_, s)| s.clone())).unwrap_or(RowState::Idle)
        });
        let (id_a, id_b, id_c, id_d, id_e) = (id.clone(), id.clone(), id.clone(), id.clone(), id.clone());
        let nickname = m.nickname.clone().unwrap_or_default();
        let is_default = m.default;
        view! {
            <li class="wallet-row" data-testid="wallet-row">
                <MethodText method=m.clone() locale=locale />
                {move || match state.get() {
                    RowState::Idle => {
                        let (id_a, id_b, id_c) = (id_a.clone(), id_b.clone(), id_c.clone());
                        let nickname = nickname.clone();
                        view! {
                            <div class="row-actions">
                                <button type="button" class="link" aria-label=format!("{} {}", locale.t(Key::Rename), label)
                                    prop:disabled=move || pending.get()
                                    on:click=move |_| editing.set(Some((id_a.clone(), RowState::Renaming(nickname.clone()))))>
                                    {locale.t(Key::Rename)}
                                </button>
                                {(!is_default).then(|| view! {
                                    <button type="button" class="link" prop:disabled=move || pending.get()
                                        on:click=move |_| update(id_b.clone(), None, Some(true))>
                                        {locale.t(Key::MakeDefault)}
                                    </button>
                                })}
                                <button type="button" class="link danger" prop:disabled=move || pending.get()
                                    on:click=move |_| editing.set(Some((id_c.clone(), RowState::ConfirmRemove)))>
                                    {locale.t(Key::Remove)}
                                </button>
                            </div>
                        }.into_any()
                    }
                    RowState::Renaming(current) => {
                        let (id_d, id_save) = (id_d.clone(), id_d.clone());
                        let value = RwSignal::new(current);
                        view! {
                            <form class="row-actions" on:submit=move |ev| { ev.prevent_default(); update(id_save.clone(), Some(value.get_untracked()), None); }>
                                <label class="visually-hidden" for=format!("nick-{id_d}")>{locale.t(Key::Nickname)}</label>
                                <input id=format!("nick-{id_d}") data-testid="nickname-input" type="text" maxlength="40"
                                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                                <button type="submit" class="link" prop:disabled=move || pending.get()>{locale.t(Key::Save)}</button>
                                <button type="button" class="link" on:click=move |_| editing.set(None)>{locale.t(Key::Cancel)}</button>
                            </form>
                        }.into_any()
                    }
                    RowState::ConfirmRemove => {
                        let id_e = id_e.clone();
                        view! {
                            <div class="row-actions confirm" role="alertdialog" aria-label=locale.t(Key::RemoveConfirm)>
                                <span>{locale.t(Key::RemoveConfirm)}</span>
                                <button type="button" class="link danger" data-testid="confirm-remove" prop:disabled=move || pending.get()
                                    on:click=move |_| remove(id_e.clone())>
                                    {locale.t(Key::Remove)}
                                </button>
                                <button type="button" class="link" on:click=move |_| editing.set(None)>{locale.t(Key::Keep)}</button>
                            </div>
                        }.into_any()
                    }
                }}
            </li>
        }
    };
    view! {
        {move || finished.get().then(|| view! {
            <section class="receipt" data-testid="wallet-done-receipt" role="status">
                <div class="check" aria-hidden="true">"✓"</div>
                <h2>{locale.t(Key::WalletSaved)}</h2>
            </section>
        })}
        <div class="wallet-manage" prop:hidden=move || finished.get()>
        <header class="summary">
            <p class="merchant" data-testid="merchant-name">{merchant.clone()}</p>
            <h2>{locale.t(Key::YourWallet)}</h2>
        </header>
        <ErrorBanner message=banner />
        {move || {
            let list = methods.get();
            if list.is_empty() {
                view! { <p class="muted" data-testid="wallet-empty">{locale.t(Key::NoSavedMethods)}</p> }.into_any()
            } else {
                view! { <ul class="wallet" data-testid="wallet-list">{list.into_iter().map(row).collect_view()}</ul> }.into_any()
            }
        }}
        {move || if adding.get() {
            view! {
                <AddMethodForm client=client card_enabled=card_enabled bank_enabled=bank_enabled req=req
                    merchant=merchant.clone() today=today() locale=locale on_saved=on_saved
                    on_cancel=Callback::new(move |()| adding.set(false)) privacy=privacy.clone() />
            }.into_any()
        } else {
            view! {
                <button type="button" class="secondary wide" data-testid="add-method-button" on:click=move |_| adding.set(true)>
                    {locale.t(Key::AddMethod)}
                </button>
            }.into_any()
        }}
        <button type="button" class="primary" data-testid="wallet-done" prop:disabled=move || pending.get()
            aria-busy=move || crate::aria(pending.get()) on:click=finish>
            {locale.t(Key::Done)}
        </button>
        </div>
    }
}
