//! Idempotency keys as a small state machine, per session. A key is written together with the
//! session's claim, by one claim (`CLAIM_SQLITE` / `CLAIM_POSTGRES` in `confirm.rs`), so a key
//! exists exactly when a charge was started under it; its response is written with the outcome.
//! Everyone else holding the key replays the stored answer, waits (409), or is refused (422) for
//! a different body.

use sqlx::Row;

use crate::db::Db;
use crate::error::ApiResult;

/// What happened to a key before.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    /// Same key, same body, finished: answer exactly this.
    Replay { status: u16, body: String },
    /// Same key, another body.
    Mismatch,
    /// Same key, same body, still being processed.
    InFlight,
}

/// The key's history for `session_id`, or `None` when it was never used (or was given back).
pub async fn lookup(db: &Db, session_id: &str, key: &str, fingerprint: &str) -> ApiResult<Option<Seen>> {
    let row = sqlx::query(
        "SELECT fingerprint, response_status, response_body FROM idempotency_keys WHERE session_id = $1 AND idem_key = $2",
    )
    .bind(session_id)
    .bind(key)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let stored: String = row.try_get("fingerprint")?;
    if !crate::secrets::ct_eq(stored.as_bytes(), fingerprint.as_bytes()) {
        return Ok(Some(Seen::Mismatch));
    }
    let status: Option<i64> = row.try_get("response_status")?;
    let body: Option<String> = row.try_get("response_body")?;
    Ok(Some(match (status, body) {
        (Some(status), Some(body)) => Seen::Replay { status: u16::try_from(status).unwrap_or(500), body },
        _ => Seen::InFlight,
    }))
}
