//! Agent-assisted channels. When a session enables card `TEXT` or `EMAIL`, the payer is to be
//! sent a link to the hosted page (by session id only: no secret in a message). The link and its
//! recipient are written to the `notifications` outbox with the session, `QUEUED`, and the
//! merchant (or the agent's tool) reads them at `GET /v1/sessions/{id}/notifications`. This
//! deployment sends no SMS or email itself.

use checkout_types::session::CardChannel;
use serde_json::{Value, json};
use sqlx::Row;

use crate::AppState;
use crate::db::{Db, now_ms, rfc3339};
use crate::error::{ApiError, ApiResult};

/// The recipient for each agent-assisted channel a session enables, or why one is missing.
pub fn recipients(channels: &[CardChannel], customer: &Value) -> ApiResult<Vec<(&'static str, String)>> {
    let mut out = Vec::new();
    if channels.contains(&CardChannel::Text) {
        let phone = &customer["phoneNumber"];
        let number = phone["number"].as_str().map(str::trim).unwrap_or("");
        let code = phone["countryCode"].as_str().map(str::trim).unwrap_or("1");
        let digits = |s: &str| !s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(number) || !digits(code) {
            return Err(ApiError::InvalidRequest(
                "customer.phoneNumber {number, countryCode} is required for the TEXT channel.".to_owned(),
            ));
        }
        out.push(("TEXT", format!("+{code}{number}")));
    }
    if channels.contains(&CardChannel::Email) {
        let email = customer["email"].as_str().map(str::trim).unwrap_or("");
        let plausible = email.len() <= 254 && email.split_once('@').is_some_and(|(a, d)| !a.is_empty() && d.contains('.'));
        if !plausible {
            return Err(ApiError::InvalidRequest("customer.email is required for the EMAIL channel.".to_owned()));
        }
        out.push(("EMAIL", email.to_owned()));
    }
    Ok(out)
}

/// Queues the links of a new session.
pub async fn queue(st: &AppState, merchant_id: &str, session_id: &str, to: &[(&'static str, String)]) -> ApiResult<()> {
    let link = format!("{}/pay/{session_id}", st.settings.public_url);
    let now = now_ms();
    // Ids in queueing order, so the list reads in the order the channels were queued.
    for (n, (channel, recipient)) in to.iter().enumerate() {
        const QUEUE: &str = "INSERT INTO notifications (id, merchant_id, session_id, channel, recipient, link, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'QUEUED', $7)";
        let write = crate::db::Write::one(QUEUE)
            .bind(format!("ntf_{session_id}_{n}"))
            .bind(merchant_id)
            .bind(session_id)
            .bind(*channel)
            .bind(recipient)
            .bind(&link)
            .bind(now);
        st.writer.once(write).await?;
    }
    Ok(())
}

/// The messages queued for a session, oldest first.
pub async fn list(db: &Db, session_id: &str) -> ApiResult<Vec<Value>> {
    let rows = sqlx::query("SELECT * FROM notifications WHERE session_id = $1 ORDER BY created_at, id")
        .bind(session_id)
        .fetch_all(db)
        .await?;
    let mut data = Vec::new();
    for r in rows {
        let sent: Option<i64> = r.try_get("sent_at")?;
        data.push(json!({
            "id": r.try_get::<String, _>("id")?,
            "channel": r.try_get::<String, _>("channel")?,
            "recipient": r.try_get::<String, _>("recipient")?,
            "link": r.try_get::<String, _>("link")?,
            "status": r.try_get::<String, _>("status")?,
            "createdAtUtc": rfc3339(r.try_get("created_at")?),
            "sentAtUtc": sent.map(rfc3339),
        }));
    }
    Ok(data)
}
