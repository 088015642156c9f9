//! Strong customer authentication (3-D Secure) before a session's card charge.
//!
//! The confirm asks [`gate`] after its checks and before its claim, so nothing is written for a
//! payment until the payer has authenticated. The processor says what the card needs
//! ([`AuthDecision`]): nothing, a frictionless authentication, a challenge, or (the directory
//! unreachable) nothing it can do. A challenge is a row of `challenges` keyed by the confirm's
//! session and `Idempotency-Key`: the first confirm answers `requiresAction` with it and charges
//! nothing; the sandbox's challenge page (the issuer's stand-in, `/challenge/{id}`) records the
//! payer's answer; the widget completes it ([`complete`], once); the same confirm with the same
//! key then charges (`challenged`) or declines (`authentication_failed`). A challenge nobody
//! completes expires and the session stays payable with a new attempt: never charged.

use checkout_types::confirm::{Challenge, ChallengeOutcome, ConfirmResponse};
use serde_json::json;
use sqlx::Row;

use crate::AppState;
use crate::db::{Write, now_ms, rfc3339};
use crate::domain::idempotency::{Answer, IdempotencyKey};
use crate::domain::method::Method;
use crate::domain::payment::Authentication;
use crate::domain::session::Session;
use crate::error::{ApiError, ApiResult};
use crate::processor::AuthDecision;

/// How long a payer has to complete a challenge.
pub const CHALLENGE_TTL_MS: i64 = 10 * 60 * 1000;

/// What the confirm does next.
pub enum Gate {
    /// Charge, recording this authentication outcome.
    Proceed(Authentication),
    /// Answer `requiresAction` (not stored under the key: the same key confirms again).
    Challenge(Answer),
}

fn outcome(outcome: &str, version: Option<String>, eci: &str) -> Authentication {
    Authentication { outcome: outcome.to_owned(), version, eci: Some(eci.to_owned()) }
}

fn declined(code: &str, message: &str) -> ApiError {
    ApiError::PaymentError { detail: message.to_owned(), data: json!({ "code": code, "message": message }) }
}

/// Decides whether the confirm of `method` under `key` may charge now. `force`: the risk rules
/// ask for a challenge whatever the issuer says (for a card; a wallet token or a bank account is
/// not challenged).
pub async fn gate(st: &AppState, s: &Session, method: &Method, key: &IdempotencyKey, fingerprint: &str, force: bool) -> ApiResult<Gate> {
    let card = method.kind() == checkout_types::quote::PaymentMethodKind::Card;
    let (version, always_fails) = match st.processor.authenticate(&method.source()) {
        AuthDecision::Challenge { version, always_fails } => (version, always_fails),
        _ if force && card => ("2.2.0".to_owned(), false),
        AuthDecision::NotRequired => return Ok(Gate::Proceed(outcome("not_required", None, "07"))),
        AuthDecision::Unavailable => return Ok(Gate::Proceed(outcome("unavailable", None, "07"))),
        AuthDecision::Frictionless { version, eci } => return Ok(Gate::Proceed(outcome("frictionless", Some(version), &eci))),
    };
    let now = now_ms();
    let existing = load(st, &s.id, key.as_str()).await?;
    let c = match existing {
        Some(c) => c,
        // A key that already took an attempt (another body, or a charge in flight) is judged by
        // its record, never answered with a new challenge.
        None if crate::domain::idempotency::lookup(&st.db, &s.id, key.as_str(), fingerprint).await?.is_some() => {
            return Err(crate::domain::idempotency::key_in_flight());
        }
        None => {
            let id = format!("ch_{}", uuid::Uuid::new_v4().simple());
            // The issuer that always fails has already answered: nothing the payer does helps.
            const INSERT: &str = "INSERT INTO challenges (id, session_id, idem_key, fingerprint, status, acs_result, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, 'PENDING', $5, $6, $7) ON CONFLICT (session_id, idem_key) DO NOTHING";
            let preset = always_fails.then(|| "FAILED".to_owned());
            let write = Write::one(INSERT).bind(&id).bind(&s.id).bind(key.as_str()).bind(fingerprint).bind(preset).bind(now).bind(now + CHALLENGE_TTL_MS);
            st.writer.once(write).await?;
            // A concurrent confirm with the same key may have inserted first: use whichever stands.
            load(st, &s.id, key.as_str()).await?.ok_or_else(|| anyhow::anyhow!("challenge {id} not stored"))?
        }
    };
    if c.fingerprint != fingerprint {
        return Err(ApiError::IdempotencyKeyReused);
    }
    match c.status.as_str() {
        "APPROVED" => Ok(Gate::Proceed(outcome("challenged", Some(version), "05"))),
        "FAILED" => Err(declined("authentication_failed", "The card issuer could not confirm it's you. Nothing was charged: try again or use another card.")),
        _ if c.expires_at <= now => Err(declined("authentication_expired", "The authentication timed out. Nothing was charged: please try again.")),
        _ => {
            tracing::info!(session = %s.id, challenge = %c.id, "payer asked to authenticate (3-D Secure)");
            let body = ConfirmResponse {
                session_id: s.id.clone(),
                status: s.state.status(),
                payment: None,
                redirect_url: None,
                requires_action: Some(Challenge {
                    challenge_id: c.id.clone(),
                    url: format!("{}/challenge/{}", st.settings.public_url, c.id),
                    expires_at_utc: rfc3339(c.expires_at),
                }),
            };
            Ok(Gate::Challenge(Answer { status: 200, body: serde_json::to_string(&body).map_err(anyhow::Error::from)? }))
        }
    }
}

/// A challenge row.
pub struct ChallengeRow {
    pub id: String,
    pub session_id: String,
    pub fingerprint: String,
    pub status: String,
    pub acs_result: Option<String>,
    pub expires_at: i64,
}

fn row(r: &sqlx::any::AnyRow) -> Result<ChallengeRow, sqlx::Error> {
    Ok(ChallengeRow {
        id: r.try_get("id")?,
        session_id: r.try_get("session_id")?,
        fingerprint: r.try_get("fingerprint")?,
        status: r.try_get("status")?,
        acs_result: r.try_get("acs_result")?,
        expires_at: r.try_get("expires_at")?,
    })
}

async fn load(st: &AppState, session_id: &str, key: &str) -> ApiResult<Option<ChallengeRow>> {
    let r = sqlx::query("SELECT * FROM challenges WHERE session_id = $1 AND idem_key = $2").bind(session_id).bind(key).fetch_optional(&st.db).await?;
    Ok(r.as_ref().map(row).transpose()?)
}

/// The session's challenges for the merchant's view, oldest first: `PENDING`, `APPROVED`,
/// `FAILED` (a failed authentication charges nothing, so it shows here, not as a payment) or
/// `EXPIRED`.
pub async fn for_session(db: &crate::db::Db, session_id: &str) -> ApiResult<Vec<serde_json::Value>> {
    let rows = sqlx::query("SELECT id, status, expires_at, created_at, completed_at FROM challenges WHERE session_id = $1 ORDER BY created_at, id")
        .bind(session_id)
        .fetch_all(db)
        .await?;
    let now = now_ms();
    rows.iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            let expires_at: i64 = r.try_get("expires_at")?;
            let status = if status == "PENDING" && expires_at <= now { "EXPIRED".to_owned() } else { status };
            Ok(json!({
                "challengeId": r.try_get::<String, _>("id")?,
                "status": status,
                "createdAtUtc": rfc3339(r.try_get("created_at")?),
                "completedAtUtc": r.try_get::<Option<i64>, _>("completed_at")?.map(rfc3339),
            }))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// A challenge by its id (the challenge page's capability: 128 random bits).
pub async fn by_id(st: &AppState, id: &str) -> ApiResult<Option<ChallengeRow>> {
    let r = sqlx::query("SELECT * FROM challenges WHERE id = $1").bind(id).fetch_optional(&st.db).await?;
    Ok(r.as_ref().map(row).transpose()?)
}

/// The challenge page's answer: the payer approved (or failed) it. Only while it is pending and
/// unanswered; an issuer that always fails has answered already.
pub async fn answer(st: &AppState, id: &str, approved: bool) -> ApiResult<bool> {
    const ANSWER: &str = "UPDATE challenges SET acs_result = $1 WHERE id = $2 AND status = 'PENDING' AND acs_result IS NULL AND expires_at > $3 RETURNING 1";
    let result = if approved { "APPROVED" } else { "FAILED" };
    Ok(st.writer.once(Write::one(ANSWER).bind(result).bind(id).bind(now_ms())).await?.is_some())
}

/// `POST /v1/sessions/{id}/challenge`: completes a challenge the payer answered, once: `410` for
/// an unknown or expired one, `409` for a second completion, `422` while the payer has not
/// answered.
pub async fn complete(st: &AppState, s: &Session, challenge_id: &str) -> ApiResult<ChallengeOutcome> {
    // An unknown or expired challenge is `410`, as an expired session is.
    let Some(c) = by_id(st, challenge_id).await?.filter(|c| c.session_id == s.id) else { return Err(ApiError::SessionTimeout) };
    if c.status != "PENDING" {
        return Err(ApiError::AlreadyProcessed { code: "challenge_completed", detail: "This challenge was already completed.".to_owned() });
    }
    let now = now_ms();
    if c.expires_at <= now {
        return Err(ApiError::SessionTimeout);
    }
    let Some(result) = c.acs_result.clone() else {
        return Err(ApiError::Unprocessable("The payer has not finished the challenge yet.".to_owned()));
    };
    const COMPLETE: &str = "UPDATE challenges SET status = acs_result, completed_at = $1 WHERE id = $2 AND status = 'PENDING' AND acs_result IS NOT NULL RETURNING 1";
    if st.writer.once(Write::one(COMPLETE).bind(now).bind(&c.id)).await?.is_none() {
        return Err(ApiError::AlreadyProcessed { code: "challenge_completed", detail: "This challenge was already completed.".to_owned() });
    }
    tracing::info!(session = %s.id, challenge = %c.id, result = %result, "authentication challenge completed");
    Ok(ChallengeOutcome { challenge_id: c.id, status: result })
}
