//! `/openapi.json`: the OpenAPI 3 document, generated from the handlers' `#[utoipa::path]`
//! attributes as each feature module registers its routes (so a route cannot exist undocumented).

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi, OpenApiBuilder};

use crate::AppState;

/// Title, version and the three credentials every operation refers to.
pub fn base() -> OpenApi {
    let mut doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Checkout API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some("Checkout sessions, fee quotes, exactly-once confirm. Errors are `{title, status, detail, data?}`."))
                .build(),
        )
        .build();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "merchant_key",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("Merchant secret API key")).build()),
    );
    components.add_security_scheme(
        "merchant_id",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Merchant-Id"))),
    );
    components.add_security_scheme(
        "client_secret",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("The session's client secret (or, for CCG sessions, its checkoutSessionId)"))
                .build(),
        ),
    );
    doc
}

/// Serves the finished document.
pub fn router(doc: OpenApi) -> Router<AppState> {
    let json = std::sync::Arc::new(doc);
    Router::new().route("/openapi.json", get(move || async move { Json(json.as_ref().clone()) }))
}
