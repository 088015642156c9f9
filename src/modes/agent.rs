//! The agent's screen of an agent-assisted session (`TEXT` / `EMAIL` channels): a call-centre
//! agent sends the customer a secure payment link and follows it (sent, delivery failed with the
//! reason, opened, paid, expired). It never shows a card field: the agent's build holds no card
//! form at all, and the API refuses card entry with the agent's credential.
//!
//! The send is `POST /v1/sessions/{id}/links`; the states come from re-reading the session's
//! config every two seconds until the link is paid or has expired.

use checkout_types::links::{LinkChannel, LinkState, LinkStatus, SendLink};
use checkout_types::money::format_money;
use checkout_types::session::{Mode, SessionConfig};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiClient;
use crate::components::error_banner::ErrorBanner;
use crate::i18n::Locale;

/// The agent's strings (English, Spanish).
#[derive(Clone, Copy)]
enum Text {
    Title,
    Never,
    ByText,
    ByEmail,
    Phone,
    Email,
    Send,
    Resend,
    Sending,
    BadPhone,
    BadEmail,
    SaveMethod,
}

fn t(locale: Locale, key: Text) -> &'static str {
    use Text::*;
    let es = locale == Locale::Es;
    match key {
        Title => if es { "Enviar al cliente un enlace seguro" } else { "Send the customer a secure link" },
        Never => if es {
            "No tome nunca los datos de la tarjeta por teléfono: el cliente paga en su propio dispositivo."
        } else {
            "Never take card details over the phone: the customer pays on their own device."
        },
        ByText => if es { "Mensaje de texto" } else { "Text message" },
        ByEmail => if es { "Correo electrónico" } else { "Email" },
        Phone => if es { "Número de móvil" } else { "Mobile number" },
        Email => if es { "Dirección de correo" } else { "Email address" },
        Send => if es { "Enviar enlace" } else { "Send link" },
        Resend => if es { "Enviar un enlace nuevo" } else { "Send a new link" },
        Sending => if es { "Enviando…" } else { "Sending…" },
        BadPhone => if es {
            "Escriba un número como +15551234567 o uno de EE. UU. de 10 dígitos."
        } else {
            "Enter a number like +15551234567, or a 10-digit US number."
        },
        BadEmail => if es { "Escriba una dirección de correo como nombre@ejemplo.com." } else { "Enter an email address like name@example.com." },
        SaveMethod => if es { "Guardar un método de pago" } else { "Save a payment method" },
    }
}

/// The line that follows the newest link.
fn status_line(locale: Locale, link: &LinkState, cfg: &SessionConfig) -> String {
    let es = locale == Locale::Es;
    let to = &link.to;
    match link.status {
        LinkStatus::Queued => if es { format!("Enviando el enlace a {to}…") } else { format!("Sending the link to {to}…") },
        LinkStatus::Sent => if es {
            format!("Enlace enviado a {to}. Esperando a que el cliente lo abra.")
        } else {
            format!("Link sent to {to}. Waiting for the customer to open it.")
        },
        LinkStatus::Failed => {
            let reason = link.reason.clone().unwrap_or_default();
            if es { format!("No se pudo entregar a {to}: {reason}.") } else { format!("Delivery to {to} failed: {reason}.") }
        }
        LinkStatus::Opened => if es { "El cliente abrió el enlace.".to_owned() } else { "The customer opened the link.".to_owned() },
        LinkStatus::Expired => if es { "El enlace caducó. Envíe uno nuevo.".to_owned() } else { "The link expired. Send a new one.".to_owned() },
        LinkStatus::Paid => match (&cfg.payment, cfg.mode) {
            (Some(p), _) => {
                let money = |m| format_money(m, p.currency_code, locale.tag());
                let last4 = &p.payment_method.last4;
                if es {
                    format!("Pagado: {} ({} + {} de cargo por servicio), •••• {last4}.", money(p.total), money(p.amount), money(p.fee))
                } else {
                    format!("Paid: {} ({} + {} convenience fee), •••• {last4}.", money(p.total), money(p.amount), money(p.fee))
                }
            }
            (None, Mode::PaymentMethodEntry) => if es {
                "El cliente guardó su método de pago.".to_owned()
            } else {
                "The customer saved their payment method.".to_owned()
            },
            (None, _) => if es { "Pagado.".to_owned() } else { "Paid.".to_owned() },
        },
    }
}

/// The agent's screen.
#[component]
pub fn AgentMode(
    /// Client bound to this session (the agent's credential).
    client: ApiClient,
    /// The session's config, with its `agent` part.
    cfg: SessionConfig,
    /// The agent's language.
    locale: Locale,
) -> impl IntoView {
    let Some(agent) = cfg.agent.clone() else {
        return view! { <p class="banner error">{crate::i18n::Locale::t(locale, crate::i18n::Key::NetworkError)}</p> }.into_any();
    };
    let client = StoredValue::new(client);
    let cfg = RwSignal::new(cfg);
    let links = RwSignal::new(agent.links.clone());
    let channel = RwSignal::new(agent.channels.first().copied().unwrap_or(LinkChannel::Email));
    let phone = RwSignal::new(agent.phone.clone().unwrap_or_default());
    let email = RwSignal::new(agent.email.clone().unwrap_or_default());
    let submitted = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let banner = RwSignal::new(None::<String>);

    // Follows the links until the newest is paid or expired.
    let polling = StoredValue::new(false);
    fn follow(client: StoredValue<ApiClient>, cfg: RwSignal<SessionConfig>, links: RwSignal<Vec<LinkState>>, polling: StoredValue<bool>) {
        if polling.get_value() {
            return;
        }
        polling.set_value(true);
        set_timeout(
            move || {
                spawn_local(async move {
                    polling.set_value(false);
                    if let Ok(fresh) = client.get_value().config().await {
                        if let Some(a) = &fresh.agent {
                            links.set(a.links.clone());
                        }
                        cfg.set(fresh);
                    }
                    let done = links.with_untracked(|l| l.first().is_some_and(|l| matches!(l.status, LinkStatus::Paid | LinkStatus::Expired)));
                    if !done {
                        follow(client, cfg, links, polling);
                    }
                });
            },
            std::time::Duration::from_millis(2000),
        );
    }
    if links.with_untracked(|l| l.first().is_some_and(|l| !matches!(l.status, LinkStatus::Paid | LinkStatus::Expired))) {
        follow(client, cfg, links, polling);
    }

    let field_error = move || -> Option<&'static str> {
        match channel.get() {
            LinkChannel::Text if checkout_types::links::phone(&phone.get()).is_some() => None,
            LinkChannel::Text => Some(t(locale, Text::BadPhone)),
            LinkChannel::Email if checkout_types::links::email(&email.get()).is_some() => None,
            LinkChannel::Email => Some(t(locale, Text::BadEmail)),
        }
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if pending.get_untracked() || field_error().is_some() {
            return;
        }
        let ch = channel.get_untracked();
        let to = if ch == LinkChannel::Text { phone.get_untracked() } else { email.get_untracked() };
        pending.set(true);
        banner.set(None);
        spawn_local(async move {
            match client.get_value().send_link(&SendLink { channel: ch, to }).await {
                Ok(link) => {
                    links.update(|l| {
                        for old in l.iter_mut().filter(|o| !matches!(o.status, LinkStatus::Paid)) {
                            old.status = LinkStatus::Expired;
                        }
                        l.insert(0, link);
                    });
                    follow(client, cfg, links, polling);
                }
                Err(e) => banner.set(Some(locale.api_error(&e))),
            }
            pending.set(false);
        });
    };

    let merchant = cfg.with_untracked(|c| c.merchant_name.clone());
    let what = cfg.with_untracked(|c| match c.amount {
        Some(a) if c.mode != Mode::PaymentMethodEntry => format_money(a, c.currency_code, locale.tag()),
        _ => t(locale, Text::SaveMethod).to_owned(),
    });
    let channels = agent.channels.clone();
    let show_error = move || if submitted.get() { field_error() } else { None };
    let latest = move || links.with(|l| l.first().cloned());
    let paid = move || latest().is_some_and(|l| l.status == LinkStatus::Paid);
    view! {
        <section class="agent" data-testid="agent-panel">
            <header class="summary">
                <p class="merchant" data-testid="merchant-name">{merchant}</p>
                <p class="amount" data-testid="amount">{what}</p>
            </header>
            <h2>{t(locale, Text::Title)}</h2>
            <p class="muted">{t(locale, Text::Never)}</p>
            <ErrorBanner message=banner />
            <form class="send-link" on:submit=submit novalidate=true aria-busy=move || crate::aria(pending.get()) hidden=paid>
                {(channels.len() > 1).then(|| view! {
                    <fieldset class="channels">
                        <legend class="visually-hidden">{t(locale, Text::Title)}</legend>
                        {channels.iter().map(|&c| {
                            let (id, label) = match c {
                                LinkChannel::Text => ("channel-text", t(locale, Text::ByText)),
                                LinkChannel::Email => ("channel-email", t(locale, Text::ByEmail)),
                            };
                            view! {
                                <label class="radio" for=id>
                                    <input type="radio" name="channel" id=id data-testid=id
                                        prop:checked=move || channel.get() == c
                                        on:change=move |_| { channel.set(c); submitted.set(false); } />
                                    {label}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                })}
                {move || {
                    let (id, label, value, autocomplete, inputmode) = match channel.get() {
                        LinkChannel::Text => ("link-phone", t(locale, Text::Phone), phone, "tel", "tel"),
                        LinkChannel::Email => ("link-email", t(locale, Text::Email), email, "email", "email"),
                    };
                    let err_id = format!("{id}-error");
                    view! {
                        <div class="field" class:has-error=move || show_error().is_some()>
                            <label for=id>{label}</label>
                            <input id=id name=id type="text" data-testid=id autocomplete=autocomplete inputmode=inputmode
                                prop:value=move || value.get() prop:disabled=move || pending.get()
                                aria-invalid=move || crate::aria(show_error().is_some()) aria-describedby=err_id.clone()
                                on:input=move |ev| value.set(event_target_value(&ev)) />
                            <p id=err_id class="field-error" aria-live="polite">{move || show_error().unwrap_or("")}</p>
                        </div>
                    }
                }}
                <button type="submit" class="primary" data-testid="send-link" prop:disabled=move || pending.get()>
                    {move || if pending.get() {
                        t(locale, Text::Sending)
                    } else if latest().is_some() {
                        t(locale, Text::Resend)
                    } else {
                        t(locale, Text::Send)
                    }}
                </button>
            </form>
            <p class="link-status" role="status" aria-live="polite" data-testid="link-status">
                {move || latest().map(|l| cfg.with(|c| status_line(locale, &l, c)))}
            </p>
        </section>
    }
    .into_any()
}
