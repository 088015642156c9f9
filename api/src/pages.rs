//! Pages: the widget build (`/widget/*`), the hosted page (`/pay/{id}`) and embed page
//! (`/embed/{id}`) that load it, the demo merchant page (`/demo`, demo mode only), `/healthz`,
//! and the JSON 404 for everything else.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::ApiError;
use crate::extract::Merchant;
use crate::{AppState, Settings};

pub fn router(settings: &Settings) -> Router<AppState> {
    let index = settings.dist_dir.join("index.html");
    Router::new()
        .route("/", get(root))
        .route("/demo", get(demo_page))
        .nest_service("/widget", ServeDir::new(&settings.dist_dir))
        .route_service("/pay/{id}", ServeFile::new(&index))
        .route_service("/embed/{id}", ServeFile::new(&index))
}

/// Unknown routes: the error shape, not an empty body.
pub async fn not_found() -> Response {
    ApiError::NotFound("No such endpoint.".to_owned()).into_response()
}

async fn root(State(st): State<AppState>) -> Response {
    if st.settings.demo {
        return Redirect::to("/demo").into_response();
    }
    Json(json!({ "service": "checkout-api", "health": "/healthz" })).into_response()
}

/// `/healthz` as a documented route.
pub fn health_router() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(healthz))
}

/// 200 when the database answers, 503 otherwise.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = Object), (status = 503, body = Object)))]
pub(crate) async fn healthz(State(st): State<AppState>) -> Response {
    match sqlx::query("SELECT 1").execute(&st.db).await {
        Ok(_) => Json(json!({ "status": "ok" })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" }))).into_response()
        }
    }
}

const DEMO_AMOUNT: i64 = 4_200;

/// The demo merchant's checkout page: creates a session server-side (as a merchant backend
/// would) and shows the widget for it.
async fn demo_page(State(st): State<AppState>) -> Response {
    if !st.settings.demo {
        return not_found().await;
    }
    let merchant = Merchant { id: crate::demo::DEMO_MERCHANT_ID.to_owned(), display_name: "Demo Store".to_owned() };
    let created = match crate::sessions::create_demo_payment(&st, &merchant, DEMO_AMOUNT).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let (_, hosted, _) = crate::sessions::urls("", &created.id, &created.client_secret);
    let html = DEMO_HTML.replace("{HOSTED}", &hosted).replace("{SESSION_ID}", &created.id);
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

const DEMO_HTML: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Demo Store · Checkout</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2433; }
  header { background: #1d2433; color: #fff; padding: 1rem 2rem; }
  main { display: grid; grid-template-columns: minmax(220px, 1fr) minmax(320px, 480px); gap: 2rem; padding: 2rem; max-width: 960px; margin: 0 auto; }
  section { background: #fff; border-radius: 12px; padding: 1.5rem; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  iframe { width: 100%; min-height: 640px; border: 0; }
  dl { display: grid; grid-template-columns: 1fr auto; gap: .5rem; }
  .muted { color: #5b6477; font-size: .9rem; }
  @media (max-width: 720px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header><strong>Demo Store</strong></header>
<main>
  <section aria-labelledby="order-h">
    <h1 id="order-h">Your order</h1>
    <dl><dt>Annual membership</dt><dd>$42.00</dd></dl>
    <p class="muted">Order session <code data-testid="demo-session-id">{SESSION_ID}</code>.
      Test card 4242 4242 4242 4242, any future expiry, any CVC.
      Decline with 4000 0000 0000 0002.</p>
    <p><a href="/demo">Start a new order</a></p>
  </section>
  <section aria-label="Payment">
    <iframe title="Secure checkout" src="{HOSTED}" data-testid="checkout-frame"></iframe>
  </section>
</main>
</body>
</html>
"#;
