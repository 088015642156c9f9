//! HTML escaping for the few pages and emails the API writes itself (the demo site, the sandbox
//! issuer's challenge page, payment-link emails).

/// `s` with `& < > "` escaped, for HTML text and attribute values.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
