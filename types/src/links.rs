//! Agent-assisted payment links (the `TEXT` and `EMAIL` card channels): what the agent's widget
//! sends (`POST /v1/sessions/{id}/links`), the state of each link it follows, and the agent's part
//! of a session's config. One definition for the API and the agent's screen.

use serde::{Deserialize, Serialize};

/// A text recipient as E.164 (`+15551234567`): `+` and 8-15 digits, or a 10-digit US number
/// (spaces, dots, dashes and parentheses ignored).
pub fn phone(raw: &str) -> Option<String> {
    let t = raw.trim();
    let plus = t.starts_with('+');
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let only_separators = t.chars().all(|c| c.is_ascii_digit() || " .-()+".contains(c)) && t.matches('+').count() <= usize::from(plus);
    if !only_separators {
        return None;
    }
    match (plus, digits.len()) {
        (true, 8..=15) if !digits.starts_with('0') => Some(format!("+{digits}")),
        (false, 10) if !digits.starts_with(['0', '1']) => Some(format!("+1{digits}")),
        (false, 11) if digits.starts_with('1') => Some(format!("+{digits}")),
        _ => None,
    }
}

/// An email recipient: one `@`, a dotted domain, no spaces, at most 254 characters.
pub fn email(raw: &str) -> Option<String> {
    let t = raw.trim();
    let (local, domain) = t.split_once('@')?;
    let ok = t.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !t.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\",;".contains(c));
    ok.then(|| format!("{local}@{}", domain.to_ascii_lowercase()))
}

crate::wire_enum! {
    /// How a link reaches the customer.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "SCREAMING_SNAKE_CASE"))]
    pub enum LinkChannel {
        Text = "TEXT",
        Email = "EMAIL",
    }
}

crate::wire_enum! {
    /// A link's life: `QUEUED` (waiting for the provider), `SENT` (the provider took it), `FAILED`
    /// (every try failed: `reason`), `OPENED` (the customer's browser loaded it), `PAID` (the
    /// session was paid, or the method saved, while it lived), `EXPIRED` (its lifetime ended, the
    /// agent sent a newer one, or the session ended).
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "SCREAMING_SNAKE_CASE"))]
    pub enum LinkStatus {
        Queued = "QUEUED",
        Sent = "SENT",
        Failed = "FAILED",
        Opened = "OPENED",
        Paid = "PAID",
        Expired = "EXPIRED",
    }
}

/// `POST /v1/sessions/{id}/links`: send the customer a link by text (`to`: E.164 such as
/// `+15551234567`, or a 10-digit US number) or email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendLink {
    pub channel: LinkChannel,
    pub to: String,
}

/// One link as the agent and the merchant follow it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LinkState {
    pub id: String,
    pub channel: LinkChannel,
    /// Where it was sent (normalized: `+15551234567`, or the email address).
    pub to: String,
    pub status: LinkStatus,
    /// Why delivery failed (`FAILED`), in words for the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Delivery tries so far.
    pub attempts: i64,
    pub created_at_utc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at_utc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_at_utc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at_utc: Option<String>,
    pub expires_at_utc: String,
}

/// The agent's part of a session's config (`agent`), when the session is agent-assisted, lists
/// `TEXT` or `EMAIL`, and the reader is the agent (not the customer's link): the channels, the
/// customer's phone and email to prefill, and the links sent so far, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgentView {
    pub channels: Vec<LinkChannel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// How long a link lives, in minutes.
    pub link_lifetime_minutes: i64,
    pub links: Vec<LinkState>,
}
