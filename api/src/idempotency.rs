//! Idempotency keys as a small state machine, per session:
//! `INSERT … ON CONFLICT DO NOTHING` decides who processes; the winner saves status + body in
//! the same transaction as the outcome; everyone else replays, waits (409) or is refused (422).

use sqlx::Row;

use crate::db::{Db, now_ms};
use crate::error::ApiResult;

/// What a request holding this key should do.
#[derive(Debug, PartialEq, Eq)]
pub enum Begin {
    /// First use of the key: process the request.
    Started,
    /// Same key, same body, finished: answer exactly this.
    Replay { status: u16, body: String },
    /// Same key, another body.
    Mismatch,
    /// Same key, same body, still being processed.
    InFlight,
}

/// Claims `key` for `session_id`, or says what happened to it before.
pub async fn begin(db: &Db, session_id: &str, key: &str, fingerprint: &str) -> ApiResult<Begin> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (session_id, idem_key, fingerprint, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (session_id, idem_key) DO NOTHING",
    )
    .bind(session_id)
    .bind(key)
    .bind(fingerprint)
    .bind(now_ms())
    .execute(db)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Begin::Started);
    }
    let row = sqlx::query(
        "SELECT fingerprint, response_status, response_body FROM idempotency_keys WHERE session_id = $1 AND idem_key = $2",
    )
    .bind(session_id)
    .bind(key)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        // Released between our insert and read: the other request failed before charging.
        return Ok(Begin::InFlight);
    };
    let stored: String = row.try_get("fingerprint")?;
    if !crate::secrets::ct_eq(stored.as_bytes(), fingerprint.as_bytes()) {
        return Ok(Begin::Mismatch);
    }
    let status: Option<i64> = row.try_get("response_status")?;
    let body: Option<String> = row.try_get("response_body")?;
    Ok(match (status, body) {
        (Some(status), Some(body)) => Begin::Replay { status: u16::try_from(status).unwrap_or(500), body },
        _ => Begin::InFlight,
    })
}

/// Gives the key back when the request was refused before anything was charged, so a retry is
/// judged afresh.
pub async fn release(db: &Db, session_id: &str, key: &str) -> ApiResult<()> {
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE session_id = $1 AND idem_key = $2 AND response_status IS NULL",
    )
    .bind(session_id)
    .bind(key)
    .execute(db)
    .await?;
    Ok(())
}
