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
    Router::new().route("/", get(home)).route("/return", get(return_page)).with_state(state)
}

fn demo_merchant() -> Merchant {
    Merchant { id: crate::demo::DEMO_MERCHANT_ID.to_owned(), display_name: "Demo Store".to_owned() }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `/?mode=WALLET&customer=hsid`: which session the page embeds (default: a PAYMENT of $42).
#[derive(Deserialize)]
struct HomeQuery {
    mode: Option<String>,
    customer: Option<String>,
}

async fn home(State(st): State<AppState>, Query(q): Query<HomeQuery>) -> Response {
    let site = st.settings.demo_site.clone().unwrap_or_default();
    let merchant = demo_merchant();
    let mode = match q.mode.as_deref().map(Mode::parse) {
        None => Mode::Payment,
        Some(Some(m)) => m,
        Some(None) => return ApiError::InvalidRequest("mode must be one of the six session modes.".to_owned()).into_response(),
    };
    let customer = q.customer.unwrap_or_else(|| "demo-customer".to_owned());
    if customer.len() > 64 || !customer.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return ApiError::InvalidRequest("customer must be 1-64 letters, digits, '-' or '_'.".to_owned()).into_response();
    }
    let embedded = match crate::domain::session::ccg::create_demo(&st, &merchant, mode, 4_200, &customer).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let hosted = |layout: &str| {
        json!({
            "amount": 4_200,
            "description": "Annual membership",
            "success_url": format!("{site}/return?session_id={{CHECKOUT_SESSION_ID}}"),
            "cancel_url": format!("{site}/?canceled=1"),
            "allowed_methods": ["card", "ach"],
            "layout": layout,
        })
    };
    let popup = crate::domain::session::hosted::create_internal(&st, &merchant, hosted("popup")).await;
    let redirect = crate::domain::session::hosted::create_internal(&st, &merchant, hosted("redirect")).await;
    let ((_, popup_url), (_, redirect_url)) = match (popup, redirect) {
        (Ok(p), Ok(r)) => (p, r),
        (Err(e), _) | (_, Err(e)) => return e.into_response(),
    };
    let api = &st.settings.public_url;
    let html = DEMO_HTML
        .replace("{API}", &escape(api))
        .replace("{SRI}", &crate::pages::loader_sri())
        .replace("{MODE}", mode.as_str())
        .replace("{MODES}", &Mode::ALL.iter().map(|m| format!("<a href=\"/?mode={0}\" data-testid=\"mode-{0}\">{0}</a>", m.as_str())).collect::<Vec<_>>().join(" · "))
        .replace("{SESSION_ID}", &escape(&embedded.id))
        .replace("{CLIENT_SECRET}", &escape(&embedded.client_secret))
        .replace("{POPUP_URL}", &escape(&popup_url))
        .replace("{REDIRECT_URL}", &escape(&redirect_url));
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
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
  govifi-payment { --checkout-color-primary: #0b6e4f; }
  @media (max-width: 760px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header><strong>Demo Store</strong></header>
<main>
  <section aria-labelledby="order-h">
    <h1 id="order-h">Your order</h1>
    <p>Annual membership — <strong>$42.00</strong></p>
    <p class="muted">Test card 4242 4242 4242 4242, any future expiry, any CVC. Declined: 4000 0000 0000 0002.
      Bank: routing 110000000, account 000123456789.</p>
    <p class="muted">Embedded mode: <strong data-testid="embedded-mode">{MODE}</strong> (the demo customer's wallet).
      Try another: {MODES}</p>
    <h2>Other ways to pay</h2>
    <p><button type="button" id="popup" data-testid="popup-button">Pay in a popup</button>
       <a class="button" id="redirect" data-testid="redirect-link" href="{REDIRECT_URL}">Pay on the checkout page</a></p>
    <h2>Events</h2>
    <ol id="log" data-testid="event-log"></ol>
  </section>
  <section aria-label="Payment">
    <govifi-payment data-testid="embedded-checkout" checkout-session-id="{SESSION_ID}" client-secret="{CLIENT_SECRET}" locale="en"></govifi-payment>
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
  ['ready', 'change', 'quote', 'success', 'error', 'cancel', 'resize']
    .forEach((n) => el.addEventListener(n, (e) => log('element', n, e.detail)));
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
