//! Agent-assisted payment links (card channels `TEXT` and `EMAIL`). A call-centre agent never
//! hears or types a card number: their widget sends the customer a link instead
//! (`POST /v1/sessions/{id}/links`). Each link is a row of the `notifications` outbox:
//! - its own credential, `lk_<random>`, only in the link's fragment (`/link/{id}#lk=...`) and
//!   stored hashed for the check; it opens that one session while the link lives (24 h by
//!   default, `config.linkLifetimeMinutes`), apart from the session's own 15 minutes, which the
//!   send extends to the link's end;
//! - a send revokes the session's earlier links (a resend makes the old link stop working);
//! - the worker delivers it ([`deliver_due`]: email over SMTP, text through the SMS provider,
//!   [`crate::messaging`]), retrying with backoff, and records the outcome (`SENT`, or `FAILED`
//!   with the reason); the customer's first load marks it `OPENED`; [`settle`] marks it `PAID`
//!   (with a `PAYMENT_LINK_PAID` webhook) once its session completed, or `EXPIRED`.

use checkout_types::links::{AgentView, LinkChannel, LinkState, LinkStatus, SendLink};
use checkout_types::money::{MinorUnit, format_money};
use checkout_types::session::CardChannel;
use serde_json::{Value, json};
use sqlx::Row;

use super::{Session, SessionState};
use crate::AppState;
use crate::db::{Db, Write, now_ms, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::messaging::{Message, Outcome};
use crate::secrets::{random_hex, sha256_hex};

/// A link lives a day unless the session says otherwise.
pub const DEFAULT_LINK_TTL_MS: i64 = 24 * 3_600_000;
/// Tries before a link is `FAILED` (the backoff doubles from the webhook base between them).
pub const MAX_ATTEMPTS: i64 = 5;
/// How long a worker's claim on a delivery holds before another node may try.
const CLAIM_MS: i64 = 60_000;

/// Whether a session's config makes it agent-assisted with a link channel (its pages then serve
/// the agent's screen; the customer's link serves the mode's).
pub fn assisted(c: &super::StoredConfig) -> bool {
    c.assisted_by_agent && c.channels.card.iter().any(|ch| matches!(ch, CardChannel::Text | CardChannel::Email))
}

/// The link channels an agent may use on `s`: none unless the session is agent-assisted.
pub fn channels(s: &Session) -> Vec<LinkChannel> {
    if !assisted(&s.config) {
        return Vec::new();
    }
    let card = &s.config.channels.card;
    [(CardChannel::Text, LinkChannel::Text), (CardChannel::Email, LinkChannel::Email)]
        .into_iter()
        .filter(|(c, _)| card.contains(c))
        .map(|(_, l)| l)
        .collect()
}

/// Whether the reader of `s` is its agent: an agent-assisted session read with the session's own
/// credential (the customer reads it through a link).
pub fn read_by_agent(s: &Session) -> bool {
    !channels(s).is_empty() && s.via_link.is_none()
}

/// The agent's screen takes no card or bank details: card entry on an agent-assisted session
/// needs the customer's link.
pub fn ensure_customer(s: &Session) -> ApiResult<()> {
    if read_by_agent(s) {
        return Err(ApiError::Forbidden(
            "This session is agent-assisted: the customer enters their details through the link the agent sends.".to_owned(),
        ));
    }
    Ok(())
}

pub use checkout_types::links::{email, phone};

/// The customer's phone and email as the merchant sent them, to prefill the agent's form.
fn prefill(customer: &Value) -> (Option<String>, Option<String>) {
    let p = &customer["phoneNumber"];
    let raw_phone = match p {
        Value::String(s) => Some(s.clone()),
        Value::Object(_) => p["number"].as_str().map(|n| format!("+{}{n}", p["countryCode"].as_str().unwrap_or("1"))),
        _ => None,
    };
    (raw_phone.as_deref().and_then(phone), customer["email"].as_str().and_then(email))
}

fn link_url(st: &AppState, session_id: &str, token: &str) -> String {
    format!("{}/link/{session_id}#lk={token}", st.settings.public_url)
}

// Sending a link, one atomic write. $1 now, $2 session, $3 link id, $4 merchant, $5 channel,
// $6 recipient, $7 the link, $8 token hash, $9 the link's end. Earlier live links of the session
// end (revoked), the new one is queued, and the session lives at least as long as the link.
const SEND_SQLITE: &[&str] = &[
    "UPDATE notifications SET status = 'EXPIRED', revoked_at = $1
      WHERE session_id = $2 AND status IN ('QUEUED', 'SENT', 'OPENED', 'FAILED')",
    "INSERT INTO notifications (id, merchant_id, session_id, channel, recipient, link, status, created_at, token_hash,
         attempts, next_attempt_at, expires_at)
     VALUES ($3, $4, $2, $5, $6, $7, 'QUEUED', $1, $8, 0, $1, $9)",
    "UPDATE sessions SET expires_at = CASE WHEN expires_at < $9 THEN $9 ELSE expires_at END, updated_at = $1 WHERE id = $2",
];
const SEND_POSTGRES: &str = "WITH revoked AS (
        UPDATE notifications SET status = 'EXPIRED', revoked_at = $1
         WHERE session_id = $2 AND status IN ('QUEUED', 'SENT', 'OPENED', 'FAILED') RETURNING id),
    queued AS (
        INSERT INTO notifications (id, merchant_id, session_id, channel, recipient, link, status, created_at, token_hash,
            attempts, next_attempt_at, expires_at)
        VALUES ($3, $4, $2, $5, $6, $7, 'QUEUED', $1, $8, 0, $1, $9) RETURNING id),
    lives AS (
        UPDATE sessions SET expires_at = GREATEST(expires_at, $9), updated_at = $1 WHERE id = $2 RETURNING id)
    SELECT (SELECT COUNT(*) FROM revoked) AS revoked";

/// `POST /v1/sessions/{id}/links` by the agent: checks the channel and the recipient, revokes the
/// session's earlier links and queues this one for the worker to deliver.
pub async fn send(st: &AppState, s: &Session, req: &SendLink) -> ApiResult<LinkState> {
    if s.via_link.is_some() {
        return Err(ApiError::Forbidden("Only the agent sends payment links.".to_owned()));
    }
    if !channels(s).contains(&req.channel) {
        return Err(ApiError::InvalidRequest(format!(
            "channel {} is not an agent-assisted channel of this session.",
            req.channel.as_str()
        )));
    }
    if !matches!(s.state, SessionState::PendingInitialization | SessionState::Initialized) {
        return Err(ApiError::AlreadyProcessed {
            code: "session_closed",
            detail: format!("The session is {} and takes no more links.", s.state.status().as_str()),
        });
    }
    let to = match req.channel {
        LinkChannel::Text => phone(&req.to).ok_or_else(|| {
            ApiError::InvalidRequest("to must be a phone number in E.164 form (+15551234567) or a 10-digit US number.".to_owned())
        })?,
        LinkChannel::Email => email(&req.to).ok_or_else(|| ApiError::InvalidRequest("to must be an email address.".to_owned()))?,
    };
    let now = now_ms();
    let token = format!("lk_{}", random_hex(24));
    let id = format!("lnk_{}", uuid::Uuid::now_v7().simple());
    let expires_at = now + s.config.link_ttl_ms.unwrap_or(DEFAULT_LINK_TTL_MS);
    let write = Write::new(SEND_SQLITE, SEND_POSTGRES)
        .bind(now)
        .bind(&s.id)
        .bind(&id)
        .bind(&s.merchant_id)
        .bind(req.channel.as_str())
        .bind(&to)
        .bind(link_url(st, &s.id, &token))
        .bind(sha256_hex(token.as_bytes()))
        .bind(expires_at);
    st.writer.once(write).await?;
    tracing::info!(session = %s.id, link = %id, channel = req.channel.as_str(), to = %masked(&to), "payment link queued");
    // What was just written, without reading it back.
    Ok(LinkState {
        id,
        channel: req.channel,
        to,
        status: LinkStatus::Queued,
        reason: None,
        attempts: 0,
        created_at_utc: rfc3339(now),
        sent_at_utc: None,
        opened_at_utc: None,
        paid_at_utc: None,
        expires_at_utc: rfc3339(expires_at),
    })
}

/// A recipient for logs: the last two digits of a number, the first letter and domain of an email.
pub fn masked(to: &str) -> String {
    match to.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => format!("***{}", &to[to.len().saturating_sub(2)..]),
    }
}

fn state_of(r: &sqlx::any::AnyRow) -> ApiResult<LinkState> {
    let channel: String = r.try_get("channel")?;
    let status: String = r.try_get("status")?;
    let at = |col: &str| r.try_get::<Option<i64>, _>(col).map(|v| v.map(rfc3339));
    let status = LinkStatus::parse(&status).unwrap_or(LinkStatus::Queued);
    Ok(LinkState {
        id: r.try_get("id")?,
        channel: LinkChannel::parse(&channel).unwrap_or(LinkChannel::Email),
        to: r.try_get("recipient")?,
        status,
        reason: r.try_get::<Option<String>, _>("last_error")?.filter(|_| status == LinkStatus::Failed),
        attempts: r.try_get("attempts")?,
        created_at_utc: rfc3339(r.try_get("created_at")?),
        sent_at_utc: at("sent_at")?,
        opened_at_utc: at("opened_at")?,
        paid_at_utc: at("paid_at")?,
        expires_at_utc: rfc3339(r.try_get::<Option<i64>, _>("expires_at")?.unwrap_or(0)),
    })
}

/// The links of a session, newest first.
pub async fn states(db: &Db, session_id: &str) -> ApiResult<Vec<LinkState>> {
    let rows = sqlx::query("SELECT * FROM notifications WHERE session_id = $1 ORDER BY created_at DESC, id DESC")
        .bind(session_id)
        .fetch_all(db)
        .await?;
    rows.iter().map(state_of).collect()
}

/// `GET /v1/sessions/{id}/notifications` (merchant): the links with their URLs (the merchant may
/// show one to the customer itself), oldest first.
pub async fn merchant_list(db: &Db, session_id: &str) -> ApiResult<Vec<Value>> {
    let rows = sqlx::query("SELECT * FROM notifications WHERE session_id = $1 ORDER BY created_at, id").bind(session_id).fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let state = state_of(r)?;
            let mut v = serde_json::to_value(&state).map_err(anyhow::Error::from)?;
            v["recipient"] = json!(state.to);
            v["link"] = json!(r.try_get::<String, _>("link")?);
            Ok(v)
        })
        .collect()
}

/// The agent's part of the config, for the agent.
pub async fn agent_view(db: &Db, s: &Session) -> ApiResult<Option<AgentView>> {
    if !read_by_agent(s) {
        return Ok(None);
    }
    let (phone, email) = prefill(&s.customer_json);
    Ok(Some(AgentView {
        channels: channels(s),
        phone,
        email,
        link_lifetime_minutes: s.config.link_ttl_ms.unwrap_or(DEFAULT_LINK_TTL_MS) / 60_000,
        links: states(db, &s.id).await?,
    }))
}

/// The live link of `session_id` whose credential is `token`: `Some(id)`; a link that ended is
/// `410`, an unknown one `401`.
pub async fn live_link(db: &Db, session_id: &str, token: &str) -> ApiResult<String> {
    let row = sqlx::query("SELECT id, status, expires_at, revoked_at FROM notifications WHERE token_hash = $1 AND session_id = $2")
        .bind(sha256_hex(token.as_bytes()))
        .bind(session_id)
        .fetch_optional(db)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let ended = row.try_get::<Option<i64>, _>("revoked_at")?.is_some()
        || row.try_get::<Option<i64>, _>("expires_at")?.is_none_or(|e| e <= now_ms())
        || row.try_get::<String, _>("status")? == "EXPIRED";
    if ended {
        return Err(ApiError::SessionTimeout);
    }
    Ok(row.try_get("id")?)
}

/// The customer's browser loaded the session through link `id`: `OPENED` (once).
pub async fn mark_opened(st: &AppState, id: &str) -> ApiResult<()> {
    const OPENED: &str = "UPDATE notifications SET status = 'OPENED', opened_at = $1 WHERE id = $2 AND status IN ('QUEUED', 'SENT')";
    st.writer.once(Write::one(OPENED).bind(now_ms()).bind(id)).await?;
    Ok(())
}

/// What the worker needs to deliver one link.
struct Due {
    id: String,
    channel: String,
    recipient: String,
    link: String,
    attempts: i64,
    next_attempt_at: i64,
    expires_at: i64,
    merchant_name: String,
    amount: Option<i64>,
    currency: String,
    mode: String,
    config_json: String,
    merchant_sender: Option<String>,
}

const DUE_SQL: &str = "SELECT n.id, n.channel, n.recipient, n.link, n.attempts, n.next_attempt_at, n.expires_at,
        m.display_name AS merchant_name, m.link_email_from, s.amount, s.currency, s.mode, s.config_json
     FROM notifications n JOIN sessions s ON s.id = n.session_id JOIN merchants m ON m.id = n.merchant_id
     WHERE n.status = 'QUEUED' AND n.next_attempt_at <= $1 AND n.token_hash IS NOT NULL
     ORDER BY n.next_attempt_at LIMIT 20";

/// Delivers the links due now: each claimed (so two nodes never send one twice), sent, and its
/// outcome recorded: `SENT`, a retry after backoff, or `FAILED` after [`MAX_ATTEMPTS`].
pub async fn deliver_due(st: &AppState) -> ApiResult<usize> {
    let now = now_ms();
    let rows = sqlx::query(DUE_SQL).bind(now).fetch_all(&st.db).await?;
    let mut sent = 0;
    for r in rows {
        let due = Due {
            id: r.try_get("id")?,
            channel: r.try_get("channel")?,
            recipient: r.try_get("recipient")?,
            link: r.try_get("link")?,
            attempts: r.try_get("attempts")?,
            next_attempt_at: r.try_get("next_attempt_at")?,
            expires_at: r.try_get::<Option<i64>, _>("expires_at")?.unwrap_or(now),
            merchant_name: r.try_get("merchant_name")?,
            amount: r.try_get("amount")?,
            currency: r.try_get("currency")?,
            mode: r.try_get("mode")?,
            config_json: r.try_get("config_json")?,
            merchant_sender: r.try_get("link_email_from")?,
        };
        // The claim: moves the next try past the lease, only if nobody did since the read.
        const CLAIM: &str = "UPDATE notifications SET next_attempt_at = $1 WHERE id = $2 AND status = 'QUEUED' AND next_attempt_at = $3 RETURNING 1";
        let claimed = st.writer.once(Write::one(CLAIM).bind(now + CLAIM_MS).bind(&due.id).bind(due.next_attempt_at)).await?;
        if claimed.is_none() {
            continue;
        }
        if deliver(st, &due).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

async fn deliver(st: &AppState, due: &Due) -> ApiResult<bool> {
    let config: Value = serde_json::from_str(&due.config_json).unwrap_or(Value::Null);
    let currency = checkout_types::money::Currency::parse(&due.currency).unwrap_or_default();
    let amount = due.amount.map(|a| format_money(MinorUnit(a), currency, "en"));
    let message = Message {
        merchant: due.merchant_name.clone(),
        amount,
        saves_method: due.mode == "PAYMENT_METHOD_ENTRY",
        link: due.link.clone(),
        expires_at: due.expires_at,
        // The session's sender, else the merchant's default (else the deployment's).
        sender_email: config["senderEmail"].as_str().map(str::to_owned).or_else(|| due.merchant_sender.clone()),
    };
    let outcome = match due.channel.as_str() {
        "TEXT" => st.messaging.text(&due.recipient, &message).await,
        _ => st.messaging.email(&due.recipient, &message).await,
    };
    let now = now_ms();
    let attempts = due.attempts + 1;
    let (write, delivered) = match &outcome {
        Outcome::Sent => {
            const SENT: &str = "UPDATE notifications SET status = 'SENT', sent_at = $1, attempts = $2, last_error = NULL
                WHERE id = $3 AND status = 'QUEUED'";
            (Write::one(SENT).bind(now).bind(attempts).bind(&due.id), true)
        }
        Outcome::Failed { reason, permanent } if *permanent || attempts >= MAX_ATTEMPTS => {
            const FAILED: &str = "UPDATE notifications SET status = 'FAILED', attempts = $1, last_error = $2 WHERE id = $3 AND status = 'QUEUED'";
            (Write::one(FAILED).bind(attempts).bind(reason.clone()).bind(&due.id), false)
        }
        Outcome::Failed { reason, .. } => {
            const RETRY: &str = "UPDATE notifications SET attempts = $1, last_error = $2, next_attempt_at = $3 WHERE id = $4 AND status = 'QUEUED'";
            let next = now + crate::domain::outbox::backoff_ms(st.settings.webhook_backoff_ms, attempts);
            (Write::one(RETRY).bind(attempts).bind(reason.clone()).bind(next).bind(&due.id), false)
        }
    };
    st.writer.once(write).await?;
    match &outcome {
        Outcome::Sent => tracing::info!(link = %due.id, channel = %due.channel, to = %masked(&due.recipient), attempts, "payment link delivered"),
        Outcome::Failed { reason, .. } => {
            tracing::warn!(link = %due.id, channel = %due.channel, to = %masked(&due.recipient), attempts, reason = %reason, "payment link delivery failed")
        }
    }
    Ok(delivered)
}

// Links whose session completed while they lived: PAID, with the merchant's PAYMENT_LINK_PAID
// event in the same write. $1 now, $2 link id, $3 event id, $4 merchant, $5 body.
const PAID_SQLITE: &[&str] = &[
    "UPDATE notifications SET status = 'PAID', paid_at = $1 WHERE id = $2 AND status IN ('QUEUED', 'SENT', 'OPENED') RETURNING 1",
    "INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at)
     SELECT $3, $4, 'PAYMENT_LINK_PAID', $5, $1, $1 WHERE changes() = 1",
];
const PAID_POSTGRES: &str = "WITH l AS (
        UPDATE notifications SET status = 'PAID', paid_at = $1 WHERE id = $2 AND status IN ('QUEUED', 'SENT', 'OPENED') RETURNING id),
    e AS (INSERT INTO webhook_events (id, merchant_id, event_type, body, next_attempt_at, created_at)
          SELECT $3, $4, 'PAYMENT_LINK_PAID', $5, $1, $1 FROM l)
    SELECT (SELECT COUNT(*) FROM l) AS paid";

/// The worker's pass over live links: `PAID` once their session completed (and the merchant's
/// `PAYMENT_LINK_PAID` webhook), `EXPIRED` past their lifetime or when their session ended
/// otherwise. Returns how many changed.
pub async fn settle(st: &AppState, now: i64) -> ApiResult<usize> {
    let rows = sqlx::query(
        "SELECT n.id, n.merchant_id, n.session_id, n.channel, s.state, s.payment_id FROM notifications n JOIN sessions s ON s.id = n.session_id
          WHERE n.status IN ('QUEUED', 'SENT', 'OPENED') AND n.token_hash IS NOT NULL
            AND (s.state NOT IN ('PENDING_INITIALIZATION', 'INITIALIZED', 'PAYMENT_PENDING') OR n.expires_at <= $1)
          LIMIT 100",
    )
    .bind(now)
    .fetch_all(&st.db)
    .await?;
    let mut changed = 0;
    for r in rows {
        let id: String = r.try_get("id")?;
        let state = SessionState::parse(&r.try_get::<String, _>("state")?);
        let write = if state == SessionState::PaymentCompleted {
            let body = json!({
                "linkId": id,
                "checkoutSessionId": r.try_get::<String, _>("session_id")?,
                "channel": r.try_get::<String, _>("channel")?,
                "paymentId": r.try_get::<Option<String>, _>("payment_id")?,
            });
            let (event_id, event_body) = crate::domain::outbox::event("PAYMENT_LINK_PAID", &body, now);
            Write::new(PAID_SQLITE, PAID_POSTGRES)
                .bind(now)
                .bind(&id)
                .bind(event_id)
                .bind(r.try_get::<String, _>("merchant_id")?)
                .bind(event_body)
        } else {
            const EXPIRE: &str = "UPDATE notifications SET status = 'EXPIRED' WHERE id = $1 AND status IN ('QUEUED', 'SENT', 'OPENED')";
            Write::one(EXPIRE).bind(&id)
        };
        st.writer.once(write).await?;
        changed += 1;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_e164_or_ten_us_digits() {
        for (raw, want) in [
            ("+15551234567", Some("+15551234567")),
            ("(555) 123-4567", Some("+15551234567")),
            ("555.123.4567", Some("+15551234567")),
            ("1 555 123 4567", Some("+15551234567")),
            ("+44 20 7946 0958", Some("+442079460958")),
            ("5551234", None),
            ("+0123456789", None),
            ("0551234567", None),
            ("555-123-456a", None),
            ("+1555+1234567", None),
            ("", None),
        ] {
            assert_eq!(phone(raw).as_deref(), want, "{raw}");
        }
    }

    #[test]
    fn email_addresses_are_checked_and_their_domain_lowercased() {
        assert_eq!(email(" Pat@Example.COM ").as_deref(), Some("Pat@example.com"));
        for bad in ["pat", "pat@", "@example.com", "pat@example", "pat@@example.com", "pa t@example.com", "pat@example.com,eve@x.io", "pat@.com"] {
            assert_eq!(email(bad), None, "{bad}");
        }
    }

    #[test]
    fn recipients_are_masked_in_logs() {
        assert_eq!(masked("+15551234567"), "***67");
        assert_eq!(masked("pat@example.com"), "p***@example.com");
    }
}
