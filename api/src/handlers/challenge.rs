//! 3-D Secure challenges ([`crate::domain::authentication`]): the widget completes one
//! (`POST /v1/sessions/{id}/challenge`, browser credential), and the sandbox's card issuer shows
//! its challenge page on the checkout's origin (`GET` / `POST /challenge/{id}`), which the widget
//! frames. Parse, call the domain, answer.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use checkout_types::confirm::{ChallengeDone, ChallengeOutcome};
use checkout_types::error::ErrorBody;
use checkout_types::money::{MinorUnit, format_money};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::{authentication, session};
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::html::escape;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(complete))
}

/// The plain routes of the sandbox issuer's challenge page (not part of the API's contract).
pub fn page_router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/challenge/{id}", axum::routing::get(page).post(answer))
        .route("/challenge/challenge.js", axum::routing::get(script))
}

/// Completes a challenge the payer answered: `APPROVED` or `FAILED`, once. Then send the same
/// confirm with the same `Idempotency-Key`.
#[utoipa::path(post, path = "/v1/sessions/{id}/challenge", tag = "widget", params(("id" = String, Path)),
    request_body = ChallengeDone, security(("client_secret" = [])),
    responses((status = 200, body = ChallengeOutcome), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, description = "Already completed", body = ErrorBody),
        (status = 410, description = "Unknown or expired challenge (or session)", body = ErrorBody),
        (status = 422, description = "The payer has not answered yet", body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn complete(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ChallengeDone>,
) -> ApiResult<Json<ChallengeOutcome>> {
    let s = session::authorize_browser(&st.db, &id, &headers).await?;
    authentication::complete(&st, &s, &req.challenge_id).await.map(Json)
}

const SCRIPT: &str = "(function () {
  var me = document.currentScript, id = me.getAttribute('data-challenge');
  function tell(what) { var m = { type: 'govifi:challenge', challengeId: id }; m[what] = true; parent.postMessage(m, location.origin); }
  if (me.hasAttribute('data-done')) tell('done');
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') tell('cancel'); });
})();";

async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")], SCRIPT).into_response()
}

/// `ancestors`: who may frame the page: the checkout's own pages, and the merchant's registered
/// origins (the embedded widget is framed by them, so the challenge is too).
fn page_html(title: &str, body: &str, id: &str, done: bool, ancestors: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>body{{font-family:system-ui,sans-serif;margin:0;padding:1.25rem;color:#1d2433}}\
         .bank{{font-weight:700;letter-spacing:.02em;color:#3b4a6b}}h1{{font-size:1.2rem}}button{{font:inherit;padding:.7rem 1rem;\
         border-radius:8px;border:1px solid #1d2433;margin:.25rem .5rem .25rem 0;cursor:pointer;min-width:8rem}}\
         .approve{{background:#1d2433;color:#fff}}</style></head><body><main>{body}</main>\
         <script src=\"/challenge/challenge.js\" data-challenge=\"{id}\"{done}></script></body></html>",
        title = escape(title),
        id = escape(id),
        done = if done { " data-done" } else { "" },
    );
    let mut resp = Html(html).into_response();
    let h = resp.headers_mut();
    let csp = format!("default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'self' {ancestors}; base-uri 'none'");
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// The sandbox issuer's challenge page: the payment, and Approve / Fail.
async fn page(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let (what, ancestors) = frame_facts(&st, &id).await;
    let Some(what) = what else { return page_html("Challenge not found", "<h1>This challenge has ended.</h1>", &id, false, &ancestors) };
    let what = escape(&what);
    let body = format!(
        "<p class=\"bank\">Sandbox Bank · 3-D Secure</p><h1>Confirm this payment</h1><p>{what}</p>\
         <p>Sandbox challenge: approve to authenticate, or fail to see a declined authentication.</p>\
         <form method=\"post\"><button class=\"approve\" name=\"result\" value=\"approve\" data-testid=\"challenge-approve\">Approve</button>\
         <button name=\"result\" value=\"fail\" data-testid=\"challenge-fail\">Fail</button></form>"
    );
    page_html("Confirm this payment", &body, &id, false, &ancestors)
}

/// What the page says of the payment (merchant and amount; `None`: no such challenge), and the
/// merchant's registered origins.
async fn frame_facts(st: &AppState, id: &str) -> (Option<String>, String) {
    let Some(c) = authentication::by_id(st, id).await.ok().flatten() else { return (None, String::new()) };
    match session::load(&st.db, &c.session_id).await.ok().flatten() {
        Some(s) => (
            Some(format!("{} · {}", s.merchant_name, s.amount.map(|a| format_money(MinorUnit(a), s.currency, "en")).unwrap_or_default())),
            session::parse_origins(&s.merchant_origins).join(" "),
        ),
        None => (Some(String::new()), String::new()),
    }
}

/// The payer's answer on the challenge page (form `result=approve|fail`).
async fn answer(State(st): State<AppState>, Path(id): Path<String>, body: String) -> Response {
    let approved = body.split('&').any(|kv| kv == "result=approve");
    let (_, ancestors) = frame_facts(&st, &id).await;
    match authentication::answer(&st, &id, approved).await {
        Ok(_) => page_html("Done", "<p class=\"bank\">Sandbox Bank · 3-D Secure</p><h1>Done. Returning to the checkout…</h1>", &id, true, &ancestors),
        Err(_) => page_html("Try again", "<h1>Something went wrong. Close this and try again.</h1>", &id, false, &ancestors),
    }
}
