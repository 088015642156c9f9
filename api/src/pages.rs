//! Pages: the widget build (`/widget/*`), the hosted page (`/pay/{id}`), embed page
//! (`/embed/{id}`) and a customer's payment link (`/link/{id}`) that load it, the `<govifi-payment>` loader (`/v1/govifi.js`), `/demo`
//! (demo mode: points at the demo merchant site), `/healthz`, and the JSON 404 for the rest.
//!
//! Security headers: every response gets `X-Content-Type-Options: nosniff` and
//! `Referrer-Policy: no-referrer`; widget pages get a CSP allowing only our own scripts (plus the
//! hash of Trunk's inline bootstrap and `'wasm-unsafe-eval'`), `object-src 'none'`,
//! `base-uri 'none'`, and `frame-ancestors` = the merchant's registered origins on `/embed/{id}`,
//! `'none'` on `/pay/{id}`, and `Permissions-Policy: payment=(self)` (the wallets run there).

use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use sha2::{Digest, Sha256, Sha384};
use sqlx::Row;
use tower::ServiceBuilder;
use tower_http::services::ServeDir;

use checkout_types::session::{Mode, PaymentScreen};

use crate::error::ApiError;
use crate::{AppState, Settings};

pub fn router(settings: &Settings) -> Router<AppState> {
    Router::new()
        .route("/", get(root))
        .route("/demo", get(demo_page))
        .route("/v1/govifi.js", get(loader))
        .route("/v1/govifi.d.ts", get(declarations))
        .nest_service(
            "/widget",
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn(cache_hashed_assets))
                .service(ServeDir::new(&settings.dist_dir).precompressed_br().precompressed_gzip()),
        )
        .route("/pay/{id}", get(hosted_page))
        .route("/embed/{id}", get(embed_page))
        .route("/link/{id}", get(link_page))
}

/// Trunk names every asset after its content hash (`checkout-widget-448ba42049724aa1_bg.wasm`),
/// so a browser may keep those for a year without asking again. Anything else under `/widget/`
/// is revalidated.
async fn cache_hashed_assets(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut resp = next.run(req).await;
    let value = if hashed && resp.status().is_success() { "public, max-age=31536000, immutable" } else { "no-cache" };
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    resp
}

/// `name-<16 hex digits>[_bg].ext`: a file Trunk named after its content.
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The `<govifi-payment>` loader, shipped inside the binary.
pub const LOADER_JS: &str = include_str!("../static/govifi.js");

/// The loader's TypeScript declarations (the element, its events' `detail`, `Govifi.mount`),
/// generated from the widget's Rust event types (`types/tests/typescript.rs`).
pub const DECLARATIONS_TS: &str = include_str!("../static/govifi.d.ts");

async fn declarations() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        DECLARATIONS_TS,
    )
        .into_response()
}

/// `sha384-…` of the loader, for merchants' `integrity` attribute.
pub fn loader_sri() -> String {
    format!("sha384-{}", b64(&Sha384::digest(LOADER_JS.as_bytes())))
}

async fn loader() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        LOADER_JS,
    )
        .into_response()
}

/// The widget's page (Trunk's `index.html` of `build`) and the CSP hashes of its inline scripts
/// (Trunk's bootstrap module and the config prefetch of `index.html`).
fn widget_index(settings: &Settings, build: Build) -> Option<(String, String)> {
    let html = std::fs::read_to_string(build.dir(settings).join("index.html")).ok()?;
    let hashes = inline_scripts(&html)
        .map(|body| format!("'sha256-{}'", b64(&Sha256::digest(body.as_bytes()))))
        .collect::<Vec<_>>()
        .join(" ");
    (!hashes.is_empty()).then_some((html, hashes))
}

/// The bodies of the `<script>` elements of `html` that have no `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        loop {
            let open = rest.find("<script")?;
            let tag_end = open + rest[open..].find('>')?;
            let body_end = tag_end + 1 + rest[tag_end + 1..].find("</script>")?;
            let (tag, body) = (&rest[open..tag_end], &rest[tag_end + 1..body_end]);
            rest = &rest[body_end..];
            if !tag.contains(" src=") {
                return Some(body);
            }
        }
    })
}

/// The widget's builds, split by entry point (scripts/build-widget): the payment modes in `dist/`,
/// a payment without device wallets in `dist/forms/`, a card-only payment in `dist/card/`, a
/// payment with the card form and Google Pay or Apple Pay alone in `dist/express/`, the
/// wallet-management modes in `dist/manage/`, the agent's screen in `dist/agent/`. A payer
/// downloads only the build their session needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// PAYMENT, PAYMENT_WITH_WALLET (and any unknown session: the widget shows its error).
    Pay,
    /// A payment session whose screen needs no device wallet (`PaymentScreen::Forms`, the rule
    /// the build checks again): the card and bank forms and saved methods.
    Forms,
    /// A payment session whose screen is the card form alone (`PaymentScreen::CardForm`). Issue
    /// #21: 17 kB gzip less than `Pay` for the most common session.
    Card,
    /// A payment session whose screen is the card form and the device wallets, no bank form or
    /// saved methods (`PaymentScreen::CardAndWallets`).
    Express,
    /// PAYMENT_METHOD_ENTRY, WALLET, PAYMENT_METHOD_SELECT, PAYMENT_METHOD_DISPLAY.
    Manage,
    /// The agent's screen of an agent-assisted session (`/pay` and `/embed`; the customer's link
    /// opens `/link/{id}`, the build of the session's mode).
    Agent,
}

impl Build {
    /// The build that holds `mode`.
    pub fn of(mode: Mode) -> Build {
        if mode.takes_payment() { Build::Pay } else { Build::Manage }
    }

    /// Its directory; a single build holding every mode (`trunk serve`, a dist/ without manage/)
    /// serves both.
    fn dir(self, settings: &Settings) -> std::path::PathBuf {
        let own = match self {
            Build::Pay => return settings.dist_dir.clone(),
            Build::Forms => settings.dist_dir.join("forms"),
            Build::Card => settings.dist_dir.join("card"),
            Build::Express => settings.dist_dir.join("express"),
            Build::Manage => settings.dist_dir.join("manage"),
            Build::Agent => settings.dist_dir.join("agent"),
        };
        if own.join("index.html").exists() { own } else { settings.dist_dir.clone() }
    }
}

fn widget_page(settings: &Settings, frame_ancestors: &str, build: Build) -> Response {
    let Some((html, script_hash)) = widget_index(settings, build) else {
        return ApiError::NotFound("The widget is not built on this server (run scripts/run).".to_owned()).into_response();
    };
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {script_hash}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors {frame_ancestors}"
    );
    let mut resp = Html(html).into_response();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        resp.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Device wallets (Payment Request, Apple Pay) may run in the page itself; a frame's effective
    // policy is this and its parent's `allow="payment"` together.
    resp.headers_mut().insert(HeaderName::from_static("permissions-policy"), HeaderValue::from_static("payment=(self)"));
    resp
}

/// The hosted page: full page or popup, never framed.
async fn hosted_page(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let facts = page_facts(&st, &id).await;
    widget_page(&st.settings, "'none'", facts.build())
}

/// The embed page: framable only by the session's merchant's registered origins.
async fn embed_page(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let facts = page_facts(&st, &id).await;
    let ancestors = if facts.origins.is_empty() { "'none'".to_owned() } else { facts.origins.join(" ") };
    widget_page(&st.settings, &ancestors, facts.build())
}

/// The customer's payment link (`/link/{id}#lk=...`): the hosted page of the session's mode,
/// never the agent's screen, never framed.
async fn link_page(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let facts = page_facts(&st, &id).await;
    widget_page(&st.settings, "'none'", facts.mode_build)
}

/// What serving session `id`'s page needs, read once.
struct PageFacts {
    /// The build of the session's mode (the customer's link serves it).
    mode_build: Build,
    /// The agent-assisted session's agent gets the agent's screen on `/pay` and `/embed`.
    assisted: bool,
    /// The merchant's registered origins.
    origins: Vec<String>,
}

impl PageFacts {
    /// The build `/pay` and `/embed` serve.
    fn build(&self) -> Build {
        if self.assisted { Build::Agent } else { self.mode_build }
    }
}

/// The payment build and no origins for an unknown session or a failed read.
async fn page_facts(st: &AppState, id: &str) -> PageFacts {
    let row = sqlx::query(
        "SELECT s.mode, s.config_json, s.wallet_key, m.allowed_origins FROM sessions s JOIN merchants m ON m.id = s.merchant_id WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(&st.db)
    .await;
    let Ok(Some(row)) = row else { return PageFacts { mode_build: Build::Pay, assisted: false, origins: Vec::new() } };
    let mode = row.try_get::<String, _>("mode").ok().and_then(|m| Mode::parse(&m));
    let origins = row.try_get::<String, _>("allowed_origins").map(|s| crate::domain::session::parse_origins(&s));
    let config = row.try_get::<String, _>("config_json").ok().and_then(|c| serde_json::from_str::<crate::domain::session::StoredConfig>(&c).ok());
    // A customer's wallet may list saved methods; an unreadable column counts as one.
    let wallet = row.try_get::<Option<String>, _>("wallet_key").map_or(true, |w| w.is_some());
    let mode_build = match (mode, &config) {
        (Some(m), Some(c)) if m.takes_payment() => match PaymentScreen::needed(m, &c.channels, wallet) {
            PaymentScreen::CardForm => Build::Card,
            PaymentScreen::Forms => Build::Forms,
            PaymentScreen::CardAndWallets => Build::Express,
            PaymentScreen::Everything => Build::Pay,
        },
        _ => mode.map_or(Build::Pay, Build::of),
    };
    PageFacts {
        mode_build,
        assisted: config.is_some_and(|c| crate::domain::session::links::assisted(&c)),
        origins: origins.unwrap_or_default(),
    }
}


fn b64(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
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

/// `/demo` on the API origin points at the demo merchant's own site (demo mode only).
async fn demo_page(State(st): State<AppState>) -> Response {
    match (&st.settings.demo_site, st.settings.demo) {
        (Some(site), true) => Redirect::to(&format!("{site}/")).into_response(),
        _ => not_found().await,
    }
}

#[cfg(test)]
mod tests {
    use super::inline_scripts;

    #[test]
    fn every_inline_script_is_found_and_external_ones_are_not() {
        let html = r#"<head><script>one()</script><script src="/x.js"></script>
            <script type="module">import two from '/two.js';</script></head>"#;
        assert_eq!(inline_scripts(html).collect::<Vec<_>>(), ["one()", "import two from '/two.js';"]);
        assert_eq!(inline_scripts("<p>no scripts</p>").count(), 0);
        assert_eq!(inline_scripts("<script>never closed").count(), 0);
    }
}
