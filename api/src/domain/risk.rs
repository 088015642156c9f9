//! Fraud signals and the sandbox's risk rules.
//!
//! A merchant may give a session what it knows of the customer (`fraudSignals` in the CCG
//! dialect, `fraud_signals` in the hosted one): the customer's IP and user agent as the merchant
//! saw them, the account's age in days, whether they bought before, whether shipping matches
//! billing, and the merchant's own risk score (0-100). The checkout adds what it sees itself at the
//! confirm: the confirm's IP and user agent, the session's earlier declines, the card's declines
//! in the last day, and how many attempts came from that IP in the last ten minutes (on this node).
//!
//! The rules, documented so a merchant can test each one (see [`assess`]): the score starts at
//! the merchant's risk score and moves by
//! - account younger than a day +25, younger than 30 days +10;
//! - a returning customer -15, a first purchase +10;
//! - shipping differs from billing +15;
//! - the confirm's IP differs from the customer's IP the merchant gave +15; its user agent +10;
//! - 2-3 earlier declines in the session +20, 4 or more +40;
//! - 2-3 declines of the same card (the processor's fingerprint) in 24 hours in other sessions +20,
//!   4 or more +40;
//! - 10-29 confirms from the IP in ten minutes +20, 30 or more +60;
//!
//! clamped to 0-100. At 80 or more the payment is blocked (a decline the payer can read, never a
//! 5xx); at 50 or more the card must pass a 3-D Secure challenge (a wallet or bank account is not
//! challenged); below, it is allowed.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};

/// What the merchant knows of the customer, as stored with the session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FraudSignals {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ip: Option<IpAddr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_age_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returning_customer: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_matches_billing: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_risk_score: Option<i64>,
}

fn bad(field: &str, what: &str) -> ApiError {
    ApiError::InvalidRequest(format!("{field}.{what}"))
}

/// Reads a session's fraud signals (`field` names the object in errors). Accepts camelCase (CCG)
/// and snake_case (hosted) names.
pub fn parse(field: &str, v: Option<&Value>) -> ApiResult<Option<FraudSignals>> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(None) };
    let Some(o) = v.as_object() else { return Err(ApiError::InvalidRequest(format!("{field} must be an object."))) };
    let get = |camel: &str, snake: &str| o.get(camel).or_else(|| o.get(snake)).filter(|v| !v.is_null());
    let known = [
        "customerIp", "customer_ip", "userAgent", "user_agent", "accountAgeDays", "account_age_days", "returningCustomer",
        "returning_customer", "shippingMatchesBilling", "shipping_matches_billing", "merchantRiskScore", "merchant_risk_score",
    ];
    if let Some(k) = o.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ApiError::InvalidRequest(format!(
            "{field}: unknown signal `{}`; use customerIp, userAgent, accountAgeDays, returningCustomer, shippingMatchesBilling or merchantRiskScore.",
            k.chars().take(40).collect::<String>()
        )));
    }
    let int = |camel: &str, snake: &str, max: i64| -> ApiResult<Option<i64>> {
        match get(camel, snake) {
            None => Ok(None),
            Some(v) => v.as_i64().filter(|n| (0..=max).contains(n)).map(Some).ok_or_else(|| bad(field, &format!("{camel} must be a whole number from 0 to {max}."))),
        }
    };
    let flag = |camel: &str, snake: &str| -> ApiResult<Option<bool>> {
        match get(camel, snake) {
            None => Ok(None),
            Some(v) => v.as_bool().map(Some).ok_or_else(|| bad(field, &format!("{camel} must be true or false."))),
        }
    };
    let customer_ip = match get("customerIp", "customer_ip") {
        None => None,
        Some(v) => Some(v.as_str().and_then(|s| s.trim().parse::<IpAddr>().ok()).ok_or_else(|| bad(field, "customerIp must be an IPv4 or IPv6 address."))?),
    };
    let user_agent = match get("userAgent", "user_agent") {
        None => None,
        Some(v) => Some(v.as_str().filter(|s| !s.is_empty() && s.len() <= 512).map(str::to_owned).ok_or_else(|| bad(field, "userAgent must be 1-512 characters."))?),
    };
    Ok(Some(FraudSignals {
        customer_ip,
        user_agent,
        account_age_days: int("accountAgeDays", "account_age_days", 36_500)?,
        returning_customer: flag("returningCustomer", "returning_customer")?,
        shipping_matches_billing: flag("shippingMatchesBilling", "shipping_matches_billing")?,
        merchant_risk_score: int("merchantRiskScore", "merchant_risk_score", 100)?,
    }))
}

/// What the checkout sees at the confirm.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// Earlier declined attempts of this session.
    pub session_declines: i64,
    /// Declines of this card (by the processor's fingerprint) in the last 24 hours, in other sessions.
    pub card_declines: i64,
    /// Confirms from `ip` in the last ten minutes, this one included.
    pub ip_confirms: usize,
}

/// The rules' verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Challenge,
    Block,
}

/// The score, the verdict and the rules that moved the score (for the log and the decline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub decision: Decision,
    pub score: i64,
    pub reasons: Vec<&'static str>,
}

/// Applies the rules of the module's documentation.
pub fn assess(signals: Option<&FraudSignals>, seen: &Seen) -> Assessment {
    let default = FraudSignals::default();
    let f = signals.unwrap_or(&default);
    let mut score = f.merchant_risk_score.unwrap_or(0);
    let mut reasons = Vec::new();
    if f.merchant_risk_score.is_some_and(|s| s > 0) {
        reasons.push("merchant_risk_score");
    }
    let mut add = |points: i64, why: &'static str| {
        score += points;
        reasons.push(why);
    };
    match f.account_age_days {
        Some(0) => add(25, "new_account"),
        Some(d) if d < 30 => add(10, "young_account"),
        _ => {}
    }
    match f.returning_customer {
        Some(true) => add(-15, "returning_customer"),
        Some(false) => add(10, "first_purchase"),
        None => {}
    }
    if f.shipping_matches_billing == Some(false) {
        add(15, "shipping_differs");
    }
    if let (Some(given), Some(seen_ip)) = (f.customer_ip, seen.ip)
        && given != seen_ip
    {
        add(15, "ip_mismatch");
    }
    if let (Some(given), Some(seen_ua)) = (&f.user_agent, &seen.user_agent)
        && given != seen_ua
    {
        add(10, "user_agent_mismatch");
    }
    match seen.session_declines {
        d if d >= 4 => add(40, "repeated_declines"),
        d if d >= 2 => add(20, "repeated_declines"),
        _ => {}
    }
    match seen.card_declines {
        d if d >= 4 => add(40, "card_declines"),
        d if d >= 2 => add(20, "card_declines"),
        _ => {}
    }
    match seen.ip_confirms {
        n if n >= 30 => add(60, "ip_velocity"),
        n if n >= 10 => add(20, "ip_velocity"),
        _ => {}
    }
    let score = score.clamp(0, 100);
    let decision = match score {
        s if s >= 80 => Decision::Block,
        s if s >= 50 => Decision::Challenge,
        _ => Decision::Allow,
    };
    Assessment { decision, score, reasons }
}

/// Declines of the card with `fingerprint` in the 24 hours before `now` in other sessions than
/// `session_id` (that session's own declines are their own signal: counted once, not twice).
pub async fn card_declines(db: &crate::db::Db, fingerprint: &str, session_id: &str, now: i64) -> ApiResult<i64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM payments
          WHERE card_fingerprint = $1 AND created_at > $2 AND status = 'FAILED' AND session_id <> $3",
    )
    .bind(fingerprint)
    .bind(now - 24 * 3_600_000)
    .bind(session_id)
        .fetch_one(db)
        .await?;
    Ok(n)
}

/// The decline a blocked payment gets: readable, never a 5xx, nothing charged.
pub fn blocked(a: &Assessment) -> ApiError {
    let message = "This payment can't be accepted. Nothing was charged: please contact the merchant.";
    ApiError::PaymentError {
        detail: message.to_owned(),
        data: serde_json::json!({ "code": "risk_blocked", "message": message, "riskScore": a.score }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score_of(f: FraudSignals, seen: Seen) -> (Decision, i64) {
        let a = assess(Some(&f), &seen);
        (a.decision, a.score)
    }

    #[test]
    fn each_signal_moves_the_score_by_its_documented_weight() {
        let none = Seen::default();
        let ip: IpAddr = "203.0.113.7".parse().expect("ip");
        let other: IpAddr = "198.51.100.9".parse().expect("ip");
        assert_eq!(score_of(FraudSignals::default(), none.clone()), (Decision::Allow, 0));
        assert_eq!(score_of(FraudSignals { account_age_days: Some(0), ..Default::default() }, none.clone()).1, 25);
        assert_eq!(score_of(FraudSignals { account_age_days: Some(29), ..Default::default() }, none.clone()).1, 10);
        assert_eq!(score_of(FraudSignals { account_age_days: Some(30), ..Default::default() }, none.clone()).1, 0);
        assert_eq!(score_of(FraudSignals { returning_customer: Some(false), ..Default::default() }, none.clone()).1, 10);
        assert_eq!(score_of(FraudSignals { merchant_risk_score: Some(40), returning_customer: Some(true), ..Default::default() }, none.clone()).1, 25);
        assert_eq!(score_of(FraudSignals { shipping_matches_billing: Some(false), ..Default::default() }, none.clone()).1, 15);
        let at = |ip: IpAddr| Seen { ip: Some(ip), ..Default::default() };
        assert_eq!(score_of(FraudSignals { customer_ip: Some(ip), ..Default::default() }, at(ip)).1, 0);
        assert_eq!(score_of(FraudSignals { customer_ip: Some(ip), ..Default::default() }, at(other)).1, 15);
        let ua = Seen { user_agent: Some("B".to_owned()), ..Default::default() };
        assert_eq!(score_of(FraudSignals { user_agent: Some("A".to_owned()), ..Default::default() }, ua).1, 10);
        for (declines, points) in [(1, 0), (2, 20), (3, 20), (4, 40)] {
            assert_eq!(assess(None, &Seen { session_declines: declines, ..Default::default() }).score, points, "{declines} declines");
            assert_eq!(assess(None, &Seen { card_declines: declines, ..Default::default() }).score, points, "{declines} card declines");
        }
        for (confirms, points) in [(9, 0), (10, 20), (29, 20), (30, 60)] {
            assert_eq!(assess(None, &Seen { ip_confirms: confirms, ..Default::default() }).score, points, "{confirms} confirms");
        }
    }

    #[test]
    fn fifty_challenges_and_eighty_blocks() {
        let s = |score| score_of(FraudSignals { merchant_risk_score: Some(score), ..Default::default() }, Seen::default()).0;
        assert_eq!((s(49), s(50), s(79), s(80), s(100)), (Decision::Allow, Decision::Challenge, Decision::Challenge, Decision::Block, Decision::Block));
        // Signals add up: a new account shipping elsewhere from another IP, at merchant score 30.
        let ip: IpAddr = "203.0.113.7".parse().expect("ip");
        let f = FraudSignals { merchant_risk_score: Some(30), account_age_days: Some(0), shipping_matches_billing: Some(false), customer_ip: Some(ip), ..Default::default() };
        let a = assess(Some(&f), &Seen { ip: Some("192.0.2.1".parse().expect("ip")), ..Default::default() });
        assert_eq!((a.decision, a.score, a.reasons), (Decision::Block, 85, vec!["merchant_risk_score", "new_account", "shipping_differs", "ip_mismatch"]));
    }

    #[test]
    fn signals_are_checked() {
        let e = |v: Value| parse("fraudSignals", Some(&v)).err().map(|e| e.parts().1.detail);
        assert_eq!(e(serde_json::json!({ "merchantRiskScore": 101 })).as_deref(), Some("fraudSignals.merchantRiskScore must be a whole number from 0 to 100."));
        assert_eq!(e(serde_json::json!({ "customerIp": "300.1.1.1" })).as_deref(), Some("fraudSignals.customerIp must be an IPv4 or IPv6 address."));
        assert!(e(serde_json::json!({ "creditScore": 1 })).is_some_and(|d| d.starts_with("fraudSignals: unknown signal `creditScore`")));
        let ok = parse("fraud_signals", Some(&serde_json::json!({ "customer_ip": "2001:db8::1", "returning_customer": true }))).expect("ok").expect("some");
        assert_eq!((ok.customer_ip.map(|i| i.to_string()), ok.returning_customer), (Some("2001:db8::1".to_owned()), Some(true)));
    }
}
