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
    // Cards: 2.95%, at least $1.00. Bank accounts: flat $1.50. Wallet buttons: as cards.
    for (method, bps, fixed, min) in
        [("CARD", 295, 0, 100), ("GOOGLE_PAY", 295, 0, 100), ("APPLE_PAY", 295, 0, 100), ("BANK_ACCOUNT", 0, 150, 0)]
    {
        sqlx::query(
            "INSERT INTO fee_schedules (merchant_id, method, funding, percent_bps, fixed_minor, min_minor, max_minor)
             VALUES ($1, $2, '', $3, $4, $5, NULL) ON CONFLICT (merchant_id, method, funding) DO NOTHING",
        )
        .bind(DEMO_MERCHANT_ID)
        .bind(method)
        .bind(bps as i64)
        .bind(fixed as i64)
        .bind(min as i64)
        .execute(db)
        .await?;
    }
    Ok(())
}
