//! A session's confirm: charge exactly once.
//!
//! 1. The browser credential, the `Idempotency-Key`, the body.
//! 2. Pre-charge checks (quote, method); nothing is written yet. If they refuse, a key seen
//!    before answers from its record instead ([`idempotency::answer_from_key`]): replay, 409, 422.
//!    Then the risk rules ([`risk::assess`]: block, or require a challenge) and 3-D Secure
//!    ([`authentication::gate`]): a card that needs a challenge answers `requiresAction` and
//!    nothing is charged until the payer authenticated.
//! 3. [`claim`]: one atomic write takes the key, moves the session `INITIALIZED ->
//!    PAYMENT_PENDING` and inserts the attempt as a `PENDING` payment. Only its winner charges; a
//!    lost claim writes nothing. A payment that could not be recorded is refused here, before
//!    the processor is called.
//! 4. The processor, under the key `<session>:<Idempotency-Key>`.
//! 5. [`record::record_outcome`]: the payment, the session's move, the key's answer and the
//!    webhooks in one atomic write. Past the processor's deadline, [`record::mark_awaiting`]
//!    answers `202` and the worker records the outcome later through the same function.

use checkout_types::confirm::ConfirmRequest;
use checkout_types::payment::PaymentStatus;
use checkout_types::quote::PaymentMethodKind;

use crate::AppState;
use crate::db::{Write, now_ms};
use crate::domain::authentication::{self, Gate};
use crate::domain::risk;
use crate::domain::idempotency::{self, Answer, IdempotencyKey, answer_from_key, key_in_flight};
use crate::domain::method::{Method, parse_inline};
use crate::domain::payment::record::{self, Recorded};
use crate::domain::payment::{MAX_ATTEMPTS, PaymentRow};
use crate::domain::quote::StoredQuote;
use crate::domain::session::{self, Session, ensure_payable};
use crate::domain::wallet;
use crate::error::{ApiError, ApiResult};
use crate::extract::parse_json;
use crate::processor::ChargeRequest;

/// Runs a confirm for session `id`; the answer (stored under the key) or the refusal.
pub async fn run(st: &AppState, id: &str, headers: &axum::http::HeaderMap, peer: Option<std::net::IpAddr>, body: &[u8]) -> ApiResult<Answer> {
    let parsed = idempotency::key_from_headers(headers).and_then(|key| Ok((key, parse_json::<ConfirmRequest>(body)?)));
    let (key, req) = match parsed {
        Ok(ok) => ok,
        // A bad key or body is judged after the credential, as on every widget endpoint.
        Err(e) => {
            session::authorize_browser(&st.db, id, headers).await?;
            return Err(e);
        }
    };
    // The session and the request's quote in one query.
    let (session, quote) = match crate::domain::quote::load_session_with_quote(&st.db, id, &req.quote_id).await? {
        Some((s, q)) => (Some(s), q),
        None => (None, None),
    };
    let session = session::authorize_loaded_browser(&st.db, session, headers).await?;
    session::links::ensure_customer(&session)?;
    let fingerprint = idempotency::fingerprint(&req);
    // Nothing is written before the claim: a refusal here leaves the key free for a fresh retry.
    // A key used before shows up here too (its session is no longer payable, or the claim below
    // finds the key taken), so the key's record is read only then, not on every first try.
    let prepared = match prepare(st, &session, &req, quote).await {
        Ok(p) => p,
        Err(refused) => return answer_from_key(&st.db, &session.id, &key, &fingerprint, refused).await,
    };
    // The risk rules on what the merchant said and what this confirm shows: block (a decline,
    // nothing charged), a challenge for a card, or go on.
    let ip = st.limits.client_of(headers, peer);
    let fingerprint_of_card = match prepared.method.kind() {
        PaymentMethodKind::Card => st.processor.card_fingerprint(&prepared.method.source()),
        _ => None,
    };
    let card_declines = match (&fingerprint_of_card, st.settings.risk_rules) {
        (Some(fp), true) => risk::card_declines(&st.db, fp, &session.id, now_ms()).await?,
        _ => 0,
    };
    let seen = risk::Seen {
        card_declines,
        ip,
        user_agent: headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned),
        session_declines: session.attempts,
        ip_confirms: ip.map_or(0, |ip| st.limits.note_confirm(ip, &format!("{}:{}", session.id, key.as_str()), now_ms())),
    };
    let assessment = if st.settings.risk_rules {
        risk::assess(session.config.fraud.as_ref(), &seen)
    } else {
        risk::Assessment { decision: risk::Decision::Allow, score: 0, reasons: Vec::new() }
    };
    if assessment.decision != risk::Decision::Allow {
        tracing::info!(session = %session.id, score = assessment.score, reasons = ?assessment.reasons, decision = ?assessment.decision, "risk rules");
    }
    if assessment.decision == risk::Decision::Block {
        return answer_from_key(&st.db, &session.id, &key, &fingerprint, risk::blocked(&assessment)).await;
    }
    // 3-D Secure, still before anything is written for the payment: a challenge answers
    // `requiresAction` (the key stays free for the same confirm once the payer authenticated).
    let force = assessment.decision == risk::Decision::Challenge;
    let auth = match authentication::gate(st, &session, &prepared.method, &key, &fingerprint, force).await {
        Ok(Gate::Proceed(auth)) => auth,
        Ok(Gate::Challenge(answer)) => return Ok(answer),
        Err(refused) => return answer_from_key(&st.db, &session.id, &key, &fingerprint, refused).await,
    };
    match claim(st, &session, &prepared, &key, &fingerprint, auth, fingerprint_of_card).await? {
        Claimed::Won(attempt) => charge(st, &session, &key, &fingerprint, &prepared, attempt).await,
        // Another request took this key after our checks: it is in flight, or already answered.
        Claimed::KeyTaken => answer_from_key(&st.db, &session.id, &key, &fingerprint, key_in_flight()).await,
    }
}

struct Prepared {
    quote: StoredQuote,
    method: Method,
    /// Save the method to the wallet after a successful charge.
    save: bool,
}

async fn prepare(st: &AppState, s: &Session, req: &ConfirmRequest, quote: Option<StoredQuote>) -> ApiResult<Prepared> {
    ensure_payable(s)?;
    let quote = quote.ok_or_else(|| ApiError::Unprocessable("quoteId does not match a fee quote of this session.".to_owned()))?;
    if quote.expires_at <= now_ms() {
        return Err(ApiError::Unprocessable("The fee quote has expired. Request a new quote.".to_owned()));
    }
    if quote.amount_version != s.amount_version || Some(quote.amount) != s.amount {
        return Err(ApiError::Unprocessable(
            "The amount changed after this fee quote was made. Request a new quote.".to_owned(),
        ));
    }
    let method = match (&req.payment_method_id, &req.payment_method) {
        (Some(_), Some(_)) => {
            return Err(ApiError::InvalidRequest("Send paymentMethodId or paymentMethod, not both.".to_owned()));
        }
        (None, None) => return Err(ApiError::InvalidRequest("paymentMethod or paymentMethodId is required.".to_owned())),
        (Some(id), None) => Method::Saved(wallet::method_for_charge(&st.db, s, id).await?),
        (None, Some(inline)) => parse_inline(inline, &s.config.required_avs_fields)?,
    };
    session::ensure_brand_accepted(s, method.brand().as_deref())?;
    if quote.method != method.kind() {
        return Err(ApiError::Unprocessable(format!(
            "The fee quote was made for {} but the payment method is {}. Request a new quote.",
            quote.method.as_str(),
            method.kind().as_str()
        )));
    }
    if let (Some(quoted), Some(actual)) = (&quote.brand, method.brand()) {
        if *quoted != actual {
            return Err(ApiError::Unprocessable(
                "The fee quote was made for another card brand. Request a new quote.".to_owned(),
            ));
        }
    }
    let save = req.save_for_future == Some(true)
        && s.config.setup_future_usage != "off"
        && s.wallet_key.is_some()
        && !matches!(method, Method::Saved(_) | Method::Wallet { .. });
    Ok(Prepared { quote, method, save })
}

/// How a claim ended when it did not fail.
#[allow(clippy::large_enum_variant, reason = "one per request, moved once; boxing buys nothing")]
enum Claimed {
    /// This request charges: its `PENDING` attempt.
    Won(PaymentRow),
    /// A concurrent request holds the same `Idempotency-Key`.
    KeyTaken,
}

// The claim, on both backends: it claims the session only if the key is new, takes the key only
// with the claim, and inserts the attempt as a `PENDING` payment. Parameters: $1 now, $2 session,
// $3 the quote's amount version, $4 the attempt limit, $5 the key, $6 the request's fingerprint,
// $7 the payment id, $8-$10 amount / fee / total, $11-$14 method type / brand / last four / saved
// method id, $15 the processor's key, $16-$18 the authentication (outcome, version, ECI), $19 the card's fingerprint. It returns the attempt number when it won, else nothing
// (or NULL), and the caller asks why.

/// PostgreSQL: one autocommitted statement. Concurrent claims of one session queue on its row;
/// the loser re-reads it (no longer `INITIALIZED`) and claims nothing.
const CLAIM_POSTGRES: &str = "WITH c AS (
        UPDATE sessions SET state = 'PAYMENT_PENDING', attempts = attempts + 1, updated_at = $1
        WHERE id = $2 AND state = 'INITIALIZED' AND expires_at > $1 AND amount_version = $3 AND attempts < $4
          AND NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE session_id = $2 AND idem_key = $5)
        RETURNING id, merchant_id, merchant_transaction_id, currency, attempts),
    k AS (INSERT INTO idempotency_keys (session_id, idem_key, fingerprint, created_at) SELECT $2, $5, $6, $1 FROM c),
    p AS (INSERT INTO payments (id, merchant_id, session_id, merchant_transaction_id, attempt, amount, fee, total, currency,
            status, method_type, brand, last4, payment_method_id, processor_key, idem_key, created_at, updated_at,
            auth_outcome, auth_version, auth_eci, card_fingerprint)
          SELECT $7, c.merchant_id, c.id, COALESCE(c.merchant_transaction_id, c.id), c.attempts, $8, $9, $10, c.currency,
            'PENDING', $11, $12, $13, $14, $15, $5, $1, $1, $16, $17, $18, $19 FROM c)
    SELECT (SELECT attempts FROM c) AS attempts";

/// SQLite: three statements run as one atomic write by the SQLite writer
/// ([`crate::db::Writer`]). `changes()` is the row count of the statement just before it.
const CLAIM_SQLITE: &[&str] = &[
    "UPDATE sessions SET state = 'PAYMENT_PENDING', attempts = attempts + 1, updated_at = $1
     WHERE id = $2 AND state = 'INITIALIZED' AND expires_at > $1 AND amount_version = $3 AND attempts < $4
       AND NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE session_id = $2 AND idem_key = $5)
     RETURNING attempts",
    "INSERT INTO idempotency_keys (session_id, idem_key, fingerprint, created_at) SELECT $2, $5, $6, $1 WHERE changes() = 1",
    "INSERT INTO payments (id, merchant_id, session_id, merchant_transaction_id, attempt, amount, fee, total, currency,
        status, method_type, brand, last4, payment_method_id, processor_key, idem_key, created_at, updated_at,
        auth_outcome, auth_version, auth_eci, card_fingerprint)
     SELECT $7, merchant_id, id, COALESCE(merchant_transaction_id, id), attempts, $8, $9, $10, currency,
        'PENDING', $11, $12, $13, $14, $15, $5, $1, $1, $16, $17, $18, $19 FROM sessions WHERE id = $2 AND changes() = 1",
];

/// The atomic claim (see the module's step 3). A lost claim stores nothing, so a retry is judged
/// afresh.
async fn claim(
    st: &AppState,
    s: &Session,
    p: &Prepared,
    key: &IdempotencyKey,
    fingerprint: &str,
    auth: crate::domain::payment::Authentication,
    card_fingerprint: Option<String>,
) -> ApiResult<Claimed> {
    let quote = &p.quote;
    let now = now_ms();
    let mtid = s.merchant_transaction_id.as_deref().unwrap_or(&s.id);
    let amounts = (quote.amount, quote.fee, quote.total);
    let mut attempt = PaymentRow::pending(&s.merchant_id, mtid, amounts, s.currency, &p.method, format!("{}:{}", s.id, key.as_str()));
    attempt.session_id = Some(s.id.clone());
    attempt.idem_key = Some(key.as_str().to_owned());
    attempt.created_at = now;
    let write = Write::new(CLAIM_SQLITE, CLAIM_POSTGRES)
        .bind(now)
        .bind(&s.id)
        .bind(quote.amount_version)
        .bind(MAX_ATTEMPTS)
        .bind(key.as_str())
        .bind(fingerprint)
        .bind(&attempt.id)
        .bind(attempt.amount)
        .bind(attempt.fee)
        .bind(attempt.total)
        .bind(attempt.method.as_str())
        .bind(attempt.brand.clone())
        .bind(&attempt.last4)
        .bind(attempt.payment_method_id.clone())
        .bind(attempt.processor_key.clone())
        .bind(auth.outcome.clone())
        .bind(auth.version.clone())
        .bind(auth.eci.clone())
        .bind(card_fingerprint);
    attempt.authentication = Some(auth);
    let unique_violation = match st.writer.once(write).await {
        Ok(Some(n)) => {
            attempt.attempt = n;
            return Ok(Claimed::Won(attempt));
        }
        Ok(None) => false,
        // The key was taken between our read and our write (PostgreSQL), or the attempt's
        // (merchant, merchantTransactionId, attempt) is taken: the write undid itself.
        Err(e) if e.is_unique_violation() => true,
        Err(e) => return Err(e.into()),
    };
    if idempotency::lookup(&st.db, &s.id, key.as_str(), fingerprint).await?.is_some() {
        return Ok(Claimed::KeyTaken);
    }
    if unique_violation {
        tracing::error!(session = %s.id, "a payment of this merchant already holds this attempt's merchantTransactionId");
        return Err(ApiError::Unprocessable(
            "This session's merchantTransactionId is already used by another payment of this merchant. Nothing was charged."
                .to_owned(),
        ));
    }
    claim_lost(st, s, quote, now).await
}

/// Why a claim that took nothing lost: the session expired, is no longer payable, its amount
/// changed, or another request's claim holds it.
async fn claim_lost(st: &AppState, s: &Session, quote: &StoredQuote, now: i64) -> ApiResult<Claimed> {
    let fresh = session::load(&st.db, &s.id).await?.ok_or(ApiError::Unauthorized)?;
    if fresh.is_expired(now) {
        return Err(ApiError::SessionTimeout);
    }
    ensure_payable(&fresh)?;
    if fresh.amount_version != quote.amount_version {
        return Err(ApiError::Unprocessable(
            "The amount changed after this fee quote was made. Request a new quote.".to_owned(),
        ));
    }
    Err(ApiError::InProgress("A payment for this session is being processed.".to_owned()))
}

/// Charges the claimed attempt and records what the processor said (or marks it awaiting the
/// processor past the deadline).
async fn charge(
    st: &AppState,
    s: &Session,
    key: &IdempotencyKey,
    fingerprint: &str,
    p: &Prepared,
    attempt: PaymentRow,
) -> ApiResult<Answer> {
    let processor_key = attempt.processor_key.clone().unwrap_or_default();
    let charge = st.processor.charge(ChargeRequest {
        total: attempt.total,
        currency: attempt.currency,
        source: p.method.source(),
        idempotency_key: &processor_key,
        // A session that pre-authorizes holds a card's total (a bank account is always a sale);
        // the payer was shown the total, so a partial approval is declined, never accepted.
        capture: !(s.authorizes_card() && p.method.kind() != PaymentMethodKind::BankAccount),
        partial: false,
    });
    let deadline = std::time::Duration::from_millis(st.settings.processor_deadline_ms);
    let recorded = match tokio::time::timeout(deadline, charge).await {
        Err(_) => record::mark_awaiting(st, &attempt, Some(s)).await?.flatten(),
        Ok(outcome) => match record::record_outcome(st, &attempt, Some(s), &outcome).await? {
            Recorded::Now { payment, answer } => {
                if payment.status == PaymentStatus::Completed && p.save {
                    // Saving for later is a convenience: a failure here must not undo the payment.
                    let challenged = payment.authentication.as_ref().is_some_and(|a| a.outcome == "challenged");
                    if let Err(e) = wallet::save_method(st, s, &p.method, None, false, challenged).await {
                        tracing::warn!(session = %s.id, error = %e, "could not save the payment method for later");
                    }
                }
                answer
            }
            Recorded::Already => None,
        },
    };
    match recorded {
        Some((status, body)) => Ok(Answer { status, body }),
        // The worker recorded it first (this request outlived the claim's lease).
        None => answer_from_key(&st.db, &s.id, key, fingerprint, key_in_flight()).await,
    }
}
