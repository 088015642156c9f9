//! The demo merchant's own website, on its own port (so another origin than the API, as in
//! production). It does what a merchant's server and page do: creates sessions server-side,
//! embeds `<govifi-payment>`, opens the hosted page as a popup or by redirect, logs the events
//! the element dispatches, and verifies the signed success redirect on its return page.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::json;
use sqlx::Row;

use checkout_types::session::Mode;

use crate::AppState;
use crate::db::now_ms;
use crate::error::ApiError;
use crate::extract::Merchant;

/// The demo site's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/return", get(return_page))
        .route("/merchant-view/{id}", get(merchant_view))
        .route("/merchant-links/{id}", get(merchant_links))
        .with_state(state)
}

fn demo_merchant() -> Merchant {
    Merchant { id: crate::demo::DEMO_MERCHANT_ID.to_owned(), display_name: "Demo Store".to_owned() }
}

/// `<option>`s of `values`, `selected` selected.
fn options<'a>(values: impl Iterator<Item = &'a str>, selected: &str) -> String {
    values
        .map(|v| format!("<option value=\"{0}\"{1}>{0}</option>", escape(v), if v == selected { " selected" } else { "" }))
        .collect()
}

use crate::html::escape;

/// The playground's choices (`/?mode=WALLET&customer=…&amount=…&locale=es&card=WEBFORM,GOOGLE_PAY&bank=1&color=%23aa0000&wallets=blocked`);
/// every one optional: the default is a guest PAYMENT of $42.00 by card, in English.
/// The links sent for a session, with their URLs, as the merchant's server reads them
/// (`GET /v1/sessions/{id}/notifications`): the playground shows them when nothing is delivered.
async fn merchant_links(State(st): State<AppState>, axum::extract::Path(id): axum::extract::Path<String>) -> Response {
    let listed = match crate::domain::session::load_owned(&st.db, &demo_merchant(), &id).await {
        Ok(s) => crate::domain::session::links::merchant_list(&st.db, &s.id).await,
        Err(e) => Err(e),
    };
    match listed {
        Ok(data) => ([(header::CACHE_CONTROL, "no-store")], axum::Json(json!({ "data": data }))).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
struct HomeQuery {
    mode: Option<String>,
    customer: Option<String>,
    amount: Option<i64>,
    locale: Option<String>,
    card: Option<String>,
    bank: Option<String>,
    color: Option<String>,
    /// `agent=1`: an agent-assisted session (with TEXT and EMAIL): the element is the agent's screen.
    agent: Option<String>,
    /// `wallets=blocked`: the page sends `Permissions-Policy: payment=()`, as a merchant page that
    /// blocks device wallets would (the element then shows the card form alone and says why).
    wallets: Option<String>,
}

fn bad(detail: &str) -> Response {
    ApiError::InvalidRequest(detail.to_owned()).into_response()
}

async fn home(State(st): State<AppState>, Query(q): Query<HomeQuery>) -> Response {
    let site = st.settings.demo_site.clone().unwrap_or_default();
    let merchant = demo_merchant();
    let mode = match q.mode.as_deref().filter(|m| !m.is_empty()).map(Mode::parse) {
        None => Mode::Payment,
        Some(Some(m)) => m,
        Some(None) => return bad("mode must be one of the six session modes."),
    };
    // The wallet modes use the demo customer's wallet unless another is named; PAYMENT is a guest.
    let default_customer = if mode == Mode::Payment { "" } else { "demo-customer" };
    let customer = q.customer.filter(|c| !c.is_empty()).unwrap_or_else(|| default_customer.to_owned());
    if customer.len() > 64 || !customer.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return bad("customer must be up to 64 letters, digits, '-' or '_'.");
    }
    let agent = q.agent.as_deref().is_some_and(|a| a == "1" || a == "on");
    let mut card: Vec<String> = match q.card.as_deref().filter(|c| !c.is_empty()) {
        None => vec!["WEBFORM".to_owned()],
        Some(list) => list.split(',').map(|c| c.trim().to_ascii_uppercase()).collect(),
    };
    // An agent sends links: the session needs a link channel.
    if agent && !card.iter().any(|c| c == "TEXT" || c == "EMAIL") {
        card.extend(["TEXT".to_owned(), "EMAIL".to_owned()]);
    }
    let color = q.color.filter(|c| !c.is_empty());
    let choice = crate::domain::session::ccg::DemoChoice {
        mode,
        customer,
        amount: q.amount.unwrap_or(4_200),
        locale: q.locale.filter(|l| !l.is_empty()).unwrap_or_else(|| "en".to_owned()),
        card,
        bank: q.bank.as_deref().is_some_and(|b| b == "1" || b == "on"),
        color,
        agent,
    };
    // A bad choice is answered as the API answers a merchant: its own 400 or 422.
    let embedded = match crate::domain::session::ccg::create_demo(&st, &merchant, &choice).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let hosted = |layout: &str| {
        json!({
            "amount": choice.amount,
            "description": "Annual membership",
            "success_url": format!("{site}/return?session_id={{CHECKOUT_SESSION_ID}}"),
            "cancel_url": format!("{site}/?canceled=1"),
            "allowed_methods": ["card", "ach"],
            "layout": layout,
        })
    };
    // PAYMENT: popup and redirect are hosted-dialect sessions with success and cancel URLs; the
    // other modes open a session of the same choices on its hosted page.
    let (popup_url, redirect_url) = if mode == Mode::Payment {
        let popup = crate::domain::session::hosted::create_internal(&st, &merchant, hosted("popup")).await;
        let redirect = crate::domain::session::hosted::create_internal(&st, &merchant, hosted("redirect")).await;
        match (popup, redirect) {
            (Ok((_, p)), Ok((_, r))) => (p, r),
            (Err(e), _) | (_, Err(e)) => return e.into_response(),
        }
    } else {
        let popup = crate::domain::session::ccg::create_demo(&st, &merchant, &choice).await;
        let redirect = crate::domain::session::ccg::create_demo(&st, &merchant, &choice).await;
        match (popup, redirect) {
            (Ok(p), Ok(r)) => {
                let base = &st.settings.public_url;
                let hosted = |c: &crate::domain::session::create::CreatedSession| crate::domain::session::create::urls(base, &c.id, &c.client_secret).1;
                (hosted(&p), hosted(&r))
            }
            (Err(e), _) | (_, Err(e)) => return e.into_response(),
        }
    };
    let api = &st.settings.public_url;
    let html = DEMO_HTML
        .replace("{API}", &escape(api))
        .replace("{SRI}", &crate::pages::loader_sri())
        .replace("{MODE}", mode.as_str())
        .replace("{MODE_OPTIONS}", &options(Mode::ALL.iter().map(|m| m.as_str()), mode.as_str()))
        .replace("{LOCALE_OPTIONS}", &options(["en", "es"].into_iter(), &choice.locale))
        .replace("{LOCALE}", &escape(&choice.locale))
        .replace("{AMOUNT_TEXT}", &checkout_types::money::format_money(checkout_types::money::MinorUnit(choice.amount), checkout_types::money::Currency::USD, "en"))
        .replace("{AMOUNT}", &choice.amount.to_string())
        .replace("{CUSTOMER}", &escape(&choice.customer))
        .replace("{COLOR}", &escape(choice.color.as_deref().unwrap_or("#0b6e4f")))
        .replace("{BANK_CHECKED}", if choice.bank { "checked" } else { "" })
        .replace("{AGENT_CHECKED}", if choice.agent { "checked" } else { "" })
        .replace("{CARD_BOXES}", &["WEBFORM", "GOOGLE_PAY", "APPLE_PAY", "TEXT", "EMAIL"].iter().map(|c| {
            let on = if choice.card.iter().any(|x| x == c) { " checked" } else { "" };
            format!("<label><input type=\"checkbox\" name=\"card\" value=\"{c}\"{on}> {c}</label>")
        }).collect::<String>())
        .replace("{SESSION_ID}", &escape(&embedded.id))
        .replace("{CLIENT_SECRET}", &escape(&embedded.client_secret))
        .replace("{POPUP_URL}", &escape(&popup_url))
        .replace("{REDIRECT_URL}", &escape(&redirect_url));
    let policy = if q.wallets.as_deref() == Some("blocked") { "payment=()" } else { "payment=*" };
    ([(header::CACHE_CONTROL, "no-store"), (header::HeaderName::from_static("permissions-policy"), policy)], Html(html)).into_response()
}

/// What the merchant's server reads about a session (`GET /v1/sessions/{id}` with its key), for
/// the playground's "merchant's view" panel.
async fn merchant_view(State(st): State<AppState>, axum::extract::Path(id): axum::extract::Path<String>) -> Response {
    match crate::domain::session::view::merchant_view(&st, &demo_merchant(), &id).await {
        Ok(v) => ([(header::CACHE_CONTROL, "no-store")], axum::Json(v)).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
struct ReturnQuery {
    session_id: Option<String>,
    checkout_signature: Option<String>,
}

/// The success URL: verify the signature server-side before trusting the redirect.
async fn return_page(State(st): State<AppState>, Query(q): Query<ReturnQuery>) -> Response {
    let (Some(id), Some(sig)) = (q.session_id, q.checkout_signature) else {
        return Html("<p>Missing session_id or checkout_signature.</p>".to_owned()).into_response();
    };
    let secret: String = match sqlx::query("SELECT webhook_secret FROM merchants WHERE id = $1")
        .bind(crate::demo::DEMO_MERCHANT_ID)
        .fetch_one(&st.db)
        .await
        .and_then(|r| r.try_get("webhook_secret"))
    {
        Ok(s) => s,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let ok = crate::domain::session::verify_signature(&secret, &id, &sig, now_ms() / 1000, 600);
    let verdict = if ok { "Payment verified" } else { "Signature invalid" };
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{verdict}</title></head>\
         <body style=\"font-family:system-ui;padding:2rem\"><h1 data-testid=\"verdict\">{verdict}</h1>\
         <p>Order session <code data-testid=\"return-session\">{}</code>.</p><p><a href=\"/\">Back to the store</a></p></body></html>",
        escape(&id)
    ))
    .into_response()
}

const DEMO_HTML: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo Store · Checkout</title>
<script src="{API}/v1/govifi.js" integrity="{SRI}" crossorigin="anonymous"></script>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2433; }
  header { background: #1d2433; color: #fff; padding: 1rem 2rem; }
  main { display: grid; grid-template-columns: minmax(240px, 1fr) minmax(320px, 480px); gap: 2rem; padding: 2rem; max-width: 1000px; margin: 0 auto; }
  section { background: #fff; border-radius: 12px; padding: 1.5rem; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  .muted { color: #5b6477; font-size: .9rem; }
  button, .button { font: inherit; padding: .6rem 1rem; border-radius: 8px; border: 1px solid #c9ced8; background: #fff; cursor: pointer; color: inherit; text-decoration: none; display: inline-block; margin: .25rem 0; }
  #log { font: 12px/1.4 ui-monospace, monospace; max-height: 280px; overflow: auto; padding-left: 1.2rem; }
  #view { font: 11px/1.4 ui-monospace, monospace; max-height: 320px; overflow: auto; background: #f4f5f7; padding: .5rem; }
  .playground { display: grid; gap: .4rem; margin: .5rem 0; }
  .playground fieldset { border: 1px solid #c9ced8; border-radius: 8px; display: flex; flex-wrap: wrap; gap: .5rem; }
  govifi-payment { --checkout-color-primary: #0b6e4f; }
  @media (max-width: 760px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header><strong>Demo Store</strong></header>
<main>
  <section aria-labelledby="order-h">
    <h1 id="order-h">Your order</h1>
    <p>Annual membership — <strong data-testid="order-amount">{AMOUNT_TEXT}</strong></p>
    <p class="muted">Test card 4242 4242 4242 4242, any future expiry, any CVC. Declined: 4000 0000 0000 0002.
      Bank: routing 110000000, account 000123456789.</p>
    <details open><summary>Playground: every choice makes a real session through the API</summary>
    <form method="get" action="/" data-testid="playground" class="playground">
      <label>Mode <select name="mode" data-testid="choice-mode">{MODE_OPTIONS}</select></label>
      <label>Amount (cents) <input name="amount" type="number" min="1" value="{AMOUNT}" data-testid="choice-amount"></label>
      <label>Locale <select name="locale" data-testid="choice-locale">{LOCALE_OPTIONS}</select></label>
      <label>Customer (wallet) <input name="customer" value="{CUSTOMER}" placeholder="guest" data-testid="choice-customer"></label>
      <fieldset><legend>Card channels</legend>{CARD_BOXES}</fieldset>
      <label><input type="checkbox" name="bank" value="1" {BANK_CHECKED} data-testid="choice-bank"> Bank account</label>
      <label><input type="checkbox" name="agent" value="1" {AGENT_CHECKED} data-testid="choice-agent"> Agent-assisted (send a link by text or email)</label>
      <label>Theme colour <input name="color" type="color" value="{COLOR}" data-testid="choice-color"></label>
      <button type="submit" data-testid="choice-apply">Create the session</button>
    </form>
    </details>
    <p class="muted">Embedded: <strong data-testid="embedded-mode">{MODE}</strong>. The card form's checkbox list joins
      into <code>card=</code>; a choice the API refuses shows its error as a merchant would get it.</p>
    <h2>Other ways to pay</h2>
    <p><button type="button" id="popup" data-testid="popup-button">Pay in a popup</button>
       <a class="button" id="redirect" data-testid="redirect-link" href="{REDIRECT_URL}">Pay on the checkout page</a></p>
    <h2>Events</h2>
    <ol id="log" data-testid="event-log"></ol>
  </section>
  <section aria-label="Payment">
    <govifi-payment data-testid="embedded-checkout" checkout-session-id="{SESSION_ID}" client-secret="{CLIENT_SECRET}" locale="{LOCALE}"></govifi-payment>
    <h2>The merchant's view</h2>
    <p class="muted"><code>GET /v1/sessions/{SESSION_ID}</code>, read by the merchant's server after each event.</p>
    <pre id="view" data-testid="merchant-view"></pre>
    <h2>Payment links</h2>
    <p class="muted">The links an agent sent (<code>GET /v1/sessions/{SESSION_ID}/notifications</code>). Without
      <code>CHECKOUT_SMTP_URL</code> / <code>CHECKOUT_SMS_URL</code> nothing leaves this machine: open one here as the customer.</p>
    <ul id="links" data-testid="demo-links"></ul>
  </section>
</main>
<script>
  const API = "{API}";
  const log = (source, name, detail) => {
    const li = document.createElement('li');
    li.dataset.testid = 'log-entry';
    li.textContent = source + ' ' + name + ' ' + JSON.stringify(detail);
    document.getElementById('log').appendChild(li);
  };
  const el = document.querySelector('govifi-payment');
  const links = () => fetch('/merchant-links/{SESSION_ID}').then((r) => r.json()).then((d) => {
    const ul = document.getElementById('links');
    ul.textContent = '';
    (d.data || []).slice().reverse().forEach((l) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = l.link; a.target = '_blank'; a.rel = 'noopener'; a.textContent = l.channel + ' to ' + l.to;
      li.append(a, ' ' + l.status);
      ul.appendChild(li);
    });
  }).catch(() => {});
  setInterval(links, 2000);
  links();
  const view = () => fetch('/merchant-view/{SESSION_ID}').then((r) => r.json()).then((v) => {
    document.getElementById('view').textContent = JSON.stringify(v.data ?? v, null, 2);
  }).catch(() => {});
  view();
  ['ready', 'change', 'quote', 'success', 'error', 'cancel', 'resize']
    .forEach((n) => el.addEventListener(n, (e) => { log('element', n, e.detail); if (n !== 'resize') view(); }));
  // The checkboxes join into one card= parameter.
  document.querySelector('[data-testid=playground]').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const q = new URLSearchParams();
    for (const [k, v] of f) if (k !== 'card' && v !== '') q.set(k, v);
    q.set('card', f.getAll('card').join(','));
    location.search = q.toString();
  });
  let popup = null;
  document.getElementById('popup').addEventListener('click', () => {
    popup = window.open("{POPUP_URL}", 'checkout', 'width=480,height=760');
  });
  window.addEventListener('message', (e) => {
    if (e.origin !== API || !popup || e.source !== popup) return;
    if (e.data && e.data.type === 'govifi:event') log('popup', e.data.name, e.data.detail);
  });
</script>
</body>
</html>
"#;
