//! Sending payment links to customers: email over SMTP (`lettre`; `CHECKOUT_SMTP_URL`) and text
//! messages through an HTTP SMS provider (`CHECKOUT_SMS_URL`, `CHECKOUT_SMS_FROM`). The provider's
//! API is the widely used shape: `POST` to its messages URL, form-encoded `To`, `From`, `Body`,
//! HTTP basic auth (the account id and token, as the URL's user and password), `201` with the
//! message's JSON when accepted, an error JSON with a `message` otherwise.
//!
//! Without a transport configured, the demo logs one line per link (recipient masked, no link)
//! and calls it sent, so a newcomer can follow the flow; outside the demo the link fails with the
//! reason. Credentials in the URLs are never logged or recorded.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::db::rfc3339;

/// What a link message says: the merchant, the amount (or that it saves a method), the link and
/// when it stops working.
#[derive(Debug, Clone)]
pub struct Message {
    pub merchant: String,
    /// Formatted (`$21.00`); `None` for a session that saves a method.
    pub amount: Option<String>,
    pub saves_method: bool,
    pub link: String,
    /// Unix ms.
    pub expires_at: i64,
    /// The session's `senderEmailAddress`, if any.
    pub sender_email: Option<String>,
}

/// How one delivery ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// `permanent`: trying again cannot help (the provider refused the message or the recipient).
    Failed { reason: String, permanent: bool },
}

/// The deployment's transports, fixed at start-up.
#[derive(Debug, Clone, Default)]
pub struct MessagingConfig {
    /// `smtp://host:port` (plain, for a local relay), `smtp://user:pass@host:587?tls=required`,
    /// `smtps://user:pass@host` (lettre's URL syntax).
    pub smtp_url: Option<String>,
    /// The default sender, e.g. `payments@checkout.example`.
    pub email_from: String,
    /// The SMS provider's messages URL, with `user:password@` for basic auth.
    pub sms_url: Option<String>,
    /// The number texts come from (E.164).
    pub sms_from: Option<String>,
    /// Demo mode: no transport logs and counts as sent.
    pub demo: bool,
}

/// The transports.
#[derive(Debug)]
pub struct Messaging {
    cfg: MessagingConfig,
    http: reqwest::Client,
}

fn failed(reason: impl Into<String>, permanent: bool) -> Outcome {
    Outcome::Failed { reason: reason.into(), permanent }
}

impl Messaging {
    pub fn new(cfg: MessagingConfig) -> Messaging {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
        Messaging { cfg, http }
    }

    fn what(msg: &Message) -> String {
        match (&msg.amount, msg.saves_method) {
            (_, true) | (None, _) => "save a payment method".to_owned(),
            (Some(a), false) => format!("pay {a}"),
        }
    }

    fn until(msg: &Message) -> String {
        // `2026-12-08T09:30:00.000Z` -> `2026-12-08 09:30 UTC`
        let t = rfc3339(msg.expires_at);
        format!("{} {} UTC", &t[..10], &t[11..16])
    }

    /// The email's subject, plain-text and HTML bodies.
    pub fn email_parts(msg: &Message) -> (String, String, String) {
        let (what, until) = (Self::what(msg), Self::until(msg));
        let subject = format!("{}: your secure payment link", msg.merchant);
        let text = format!(
            "{m} sent you a secure link to {what}.\n\n{link}\n\nThe link works until {until}. It is for you only: {m} will never ask for your card number by phone or email.\n",
            m = msg.merchant,
            link = msg.link,
        );
        let esc = crate::html::escape;
        let html = format!(
            "<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><p>{m} sent you a secure link to {what}.</p>\
             <p><a href=\"{link}\" style=\"display:inline-block;padding:12px 20px;background:#0b6e4f;color:#fff;text-decoration:none;border-radius:6px\">Open the secure payment page</a></p>\
             <p>The link works until {until}. It is for you only: {m} will never ask for your card number by phone or email.</p></body></html>",
            m = esc(&msg.merchant),
            what = esc(&what),
            link = esc(&msg.link),
        );
        (subject, text, html)
    }

    /// The text message's body.
    pub fn text_body(msg: &Message) -> String {
        format!("{}: {} securely at {} (until {}).", msg.merchant, Self::what(msg), msg.link, Self::until(msg))
    }

    /// Sends the link by email.
    pub async fn email(&self, to: &str, msg: &Message) -> Outcome {
        let Some(url) = &self.cfg.smtp_url else {
            return self.unconfigured("EMAIL", "email delivery is not configured on this server (CHECKOUT_SMTP_URL)");
        };
        let from_address = msg.sender_email.as_deref().unwrap_or(&self.cfg.email_from);
        let (Ok(from), Ok(to)) = (format!("{} <{from_address}>", msg.merchant.replace(['<', '>', '"', '\r', '\n'], "")).parse::<Mailbox>(), to.parse::<Mailbox>())
        else {
            return failed("the sender or recipient address is not valid for email", true);
        };
        let (subject, text, html) = Self::email_parts(msg);
        let email = match lettre::Message::builder().from(from).to(to).subject(subject).multipart(MultiPart::alternative_plain_html(text, html)) {
            Ok(m) => m,
            Err(_) => return failed("the email could not be composed", true),
        };
        let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(url) {
            Ok(t) => t.timeout(Some(Duration::from_secs(15))).build(),
            Err(_) => return failed("CHECKOUT_SMTP_URL is not a valid SMTP URL", true),
        };
        match transport.send(email).await {
            Ok(_) => Outcome::Sent,
            Err(e) if e.is_permanent() => failed(format!("the mail server refused it ({})", e.status().map_or_else(|| "5xx".to_owned(), |c| c.to_string())), true),
            Err(e) if e.is_transient() => failed(format!("the mail server asked to try later ({})", e.status().map_or_else(|| "4xx".to_owned(), |c| c.to_string())), false),
            Err(_) => failed("the mail server could not be reached", false),
        }
    }

    /// Sends the link by text message.
    pub async fn text(&self, to: &str, msg: &Message) -> Outcome {
        let (Some(url), Some(from)) = (&self.cfg.sms_url, &self.cfg.sms_from) else {
            return self.unconfigured("TEXT", "text delivery is not configured on this server (CHECKOUT_SMS_URL, CHECKOUT_SMS_FROM)");
        };
        let Ok(mut url) = reqwest::Url::parse(url) else {
            return failed("CHECKOUT_SMS_URL is not a valid URL", true);
        };
        let user = percent_decoded(url.username());
        let password = url.password().map(percent_decoded);
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let form = [("To", to), ("From", from.as_str()), ("Body", &Self::text_body(msg))];
        let resp = self.http.post(url).basic_auth(user, password).form(&form).send().await;
        match resp {
            Ok(r) if r.status().is_success() => Outcome::Sent,
            Ok(r) => {
                let status = r.status();
                // The provider's own words, if it sent any (never echoing what we sent).
                let said = r.json::<serde_json::Value>().await.ok().and_then(|v| v["message"].as_str().map(|m| m.chars().take(200).collect::<String>()));
                let reason = match said {
                    Some(m) => format!("the SMS provider answered {}: {m}", status.as_u16()),
                    None => format!("the SMS provider answered {}", status.as_u16()),
                };
                let permanent = status.is_client_error() && status != reqwest::StatusCode::TOO_MANY_REQUESTS;
                failed(reason, permanent)
            }
            Err(_) => failed("the SMS provider could not be reached", false),
        }
    }

    fn unconfigured(&self, channel: &str, reason: &str) -> Outcome {
        if self.cfg.demo {
            tracing::info!(channel, "payment link ready for delivery: no transport configured (demo), the demo page shows it");
            Outcome::Sent
        } else {
            failed(reason, true)
        }
    }
}

fn percent_decoded(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg() -> Message {
        Message {
            merchant: "Demo <Store>".to_owned(),
            amount: Some("$21.00".to_owned()),
            saves_method: false,
            link: "https://pay.example/link/cs_1#lk=lk_abc".to_owned(),
            expires_at: 1_796_000_000_000,
            sender_email: None,
        }
    }

    #[tokio::test]
    async fn without_a_transport_the_demo_counts_a_link_sent_and_anything_else_fails_with_the_reason() {
        let demo = Messaging::new(MessagingConfig { demo: true, email_from: "a@b.example".to_owned(), ..Default::default() });
        assert_eq!(demo.email("pat@example.com", &msg()).await, Outcome::Sent);
        assert_eq!(demo.text("+15551234567", &msg()).await, Outcome::Sent);
        let live = Messaging::new(MessagingConfig { email_from: "a@b.example".to_owned(), ..Default::default() });
        assert_eq!(
            live.text("+15551234567", &msg()).await,
            Outcome::Failed { reason: "text delivery is not configured on this server (CHECKOUT_SMS_URL, CHECKOUT_SMS_FROM)".to_owned(), permanent: true }
        );
    }

    #[test]
    fn messages_name_the_merchant_the_amount_the_link_and_its_end() {
        let (subject, text, html) = Messaging::email_parts(&msg());
        assert_eq!(subject, "Demo <Store>: your secure payment link");
        assert!(text.contains("Demo <Store> sent you a secure link to pay $21.00.") && text.contains("https://pay.example/link/cs_1#lk=lk_abc"), "{text}");
        assert!(text.contains("until 2026-11-30 "), "{text}");
        assert!(html.contains("Demo &lt;Store&gt;") && !html.contains("<Store>"), "{html}");
        let sms = Messaging::text_body(&Message { saves_method: true, ..msg() });
        assert!(sms.starts_with("Demo <Store>: save a payment method securely at https://pay.example/link/cs_1#lk=lk_abc"), "{sms}");
    }
}
