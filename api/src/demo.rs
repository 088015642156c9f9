//! Demo mode: the `demo` merchant (`sk_test_demo` unless `CHECKOUT_DEMO_API_KEY` says otherwise),
//! its fee schedule, for local use only. Outside demo mode no merchant or key exists by default.

use crate::db::{Db, now_ms};
use crate::secrets::{random_hex, sha256_hex};

/// The demo merchant's id (`X-Merchant-Id: demo`).
pub const DEMO_MERCHANT_ID: &str = "demo";

/// Creates or refreshes the demo merchant and its fee schedule. Idempotent.
pub async fn seed(db: &Db, api_key: &str, allowed_origins: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO merchants (id, display_name, api_key_hash, allowed_origins, webhook_secret, created_at)
         VALUES ($1, 'Demo Store', $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET api_key_hash = excluded.api_key_hash, allowed_origins = excluded.allowed_origins",
    )
    .bind(DEMO_MERCHANT_ID)
    .bind(sha256_hex(api_key.as_bytes()))
    .bind(allowed_origins)
    .bind(format!("whsec_{}", random_hex(24)))
    .bind(now_ms())
    .execute(db)
    .await?;
    seed_fees(db, DEMO_MERCHANT_ID).await
}

/// The standard fee schedule. Cards: 2.95%, at least $1.00. Bank accounts: flat $1.50.
/// Wallet buttons: as cards.
async fn seed_fees(db: &Db, merchant_id: &str) -> Result<(), sqlx::Error> {
    for (method, bps, fixed, min) in
        [("CARD", 295, 0, 100), ("GOOGLE_PAY", 295, 0, 100), ("APPLE_PAY", 295, 0, 100), ("BANK_ACCOUNT", 0, 150, 0)]
    {
        sqlx::query(
            "INSERT INTO fee_schedules (merchant_id, method, funding, percent_bps, fixed_minor, min_minor, max_minor)
             VALUES ($1, $2, '', $3, $4, $5, NULL) ON CONFLICT (merchant_id, method, funding) DO NOTHING",
        )
        .bind(merchant_id)
        .bind(method)
        .bind(bps as i64)
        .bind(fixed as i64)
        .bind(min as i64)
        .execute(db)
        .await?;
    }
    Ok(())
}

/// Registers a new merchant with the standard fee schedule; returns its API key and webhook
/// secret (the key is stored only as a hash, so this is the only time it is visible).
pub async fn add_merchant(
    db: &Db,
    id: &str,
    name: &str,
    origins: &str,
    webhook_url: Option<&str>,
) -> anyhow::Result<(String, String)> {
    if webhook_url.is_some_and(|u| !(u.starts_with("https://") || u.starts_with("http://"))) {
        anyhow::bail!("webhook URL must be http(s)");
    }
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        anyhow::bail!("merchant id must be 1-64 letters, digits, - or _");
    }
    let key = format!("sk_live_{}", random_hex(24));
    let webhook_secret = format!("whsec_{}", random_hex(24));
    sqlx::query(
        "INSERT INTO merchants (id, display_name, api_key_hash, allowed_origins, webhook_secret, created_at, webhook_url)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(name)
    .bind(sha256_hex(key.as_bytes()))
    .bind(crate::domain::session::parse_origins(origins).join(" "))
    .bind(&webhook_secret)
    .bind(now_ms())
    .bind(webhook_url)
    .execute(db)
    .await?;
    seed_fees(db, id).await?;
    Ok((key, webhook_secret))
}

/// `checkout-api update-merchant`: changes what is given (name, origins, webhook URL, device-wallet
/// settings as `PUT /v1/wallet-settings` takes them, checked the same way, the payment links'
/// default sender) and keeps the rest.
pub async fn update_merchant(
    db: &Db,
    id: &str,
    name: Option<&str>,
    origins: Option<&str>,
    webhook_url: Option<&str>,
    wallet_settings: Option<&checkout_types::device_wallet::WalletSettings>,
    email_from: Option<&str>,
) -> anyhow::Result<()> {
    let email_from = match email_from {
        Some(e) => Some(crate::domain::session::links::email(e).ok_or_else(|| anyhow::anyhow!("--email-from must be an email address"))?),
        None => None,
    };
    if webhook_url.is_some_and(|u| !(u.starts_with("https://") || u.starts_with("http://"))) {
        anyhow::bail!("webhook URL must be http(s)");
    }
    if name.is_some_and(|n| n.trim().is_empty() || n.chars().count() > 100) {
        anyhow::bail!("merchant name must be 1-100 characters");
    }
    let wallet_json = match wallet_settings {
        Some(w) => {
            crate::domain::wallet_settings::check(w).map_err(|e| anyhow::anyhow!("wallet settings: {}", e.parts().1.detail))?;
            Some(serde_json::to_string(w)?)
        }
        None => None,
    };
    let done = sqlx::query(
        "UPDATE merchants SET display_name = COALESCE($1, display_name), allowed_origins = COALESCE($2, allowed_origins),
                webhook_url = COALESCE($3, webhook_url), wallet_settings_json = COALESCE($4, wallet_settings_json),
                link_email_from = COALESCE($6, link_email_from)
          WHERE id = $5",
    )
    .bind(name.map(str::trim))
    .bind(origins.map(|o| crate::domain::session::parse_origins(o).join(" ")))
    .bind(webhook_url)
    .bind(wallet_json)
    .bind(id)
    .bind(email_from)
    .execute(db)
    .await?;
    if done.rows_affected() == 0 {
        anyhow::bail!("no merchant `{id}`");
    }
    Ok(())
}
