//! `checkout-api serve`: read configuration (flags or environment), connect and migrate the
//! database, seed the demo merchant when asked, and serve.

use std::path::PathBuf;
use std::sync::Arc;

use axum::http::HeaderName;
use checkout_api::limits::{Limits, Quota};
use checkout_api::processor::sandbox::SandboxProcessor;
use checkout_api::{AppState, Settings, db, demo};
use clap::{Args, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "checkout-api", version, about = "Checkout API: sessions, fee quotes, confirm, hosted pages")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the widget pages.
    Serve(ServeArgs),
    /// Register a merchant: prints its API key and webhook secret once.
    AddMerchant(AddMerchantArgs),
    /// Change a merchant's name, origins, webhook URL or device-wallet settings (the rest stays).
    UpdateMerchant(UpdateMerchantArgs),
}

#[derive(Args)]
struct UpdateMerchantArgs {
    /// The merchant id (`X-Merchant-Id`).
    #[arg(long)]
    id: String,
    /// Name shown to payers.
    #[arg(long)]
    name: Option<String>,
    /// Origins allowed to embed the widget and receive popup messages, space separated.
    #[arg(long)]
    origins: Option<String>,
    /// Where webhooks are POSTed.
    #[arg(long)]
    webhook_url: Option<String>,
    /// A JSON file of device-wallet settings, as `PUT /v1/wallet-settings` takes them
    /// (`{"googlePay": {...}, "applePay": {...}}`). Apple Pay's identity certificate and key are
    /// not in it: they go in `CHECKOUT_APPLE_PAY_IDENTITY_DIR` as `<id>.crt` and `<id>.key`.
    #[arg(long)]
    wallet_settings: Option<PathBuf>,
    /// The default sender of this merchant's payment-link emails (a session's
    /// `senderEmailAddress` wins; without either, `CHECKOUT_EMAIL_FROM`).
    #[arg(long)]
    email_from: Option<String>,
    /// `sqlite://FILE?mode=rwc` (default) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://checkout.db?mode=rwc")]
    database_url: String,
}

#[derive(Args)]
struct AddMerchantArgs {
    /// The merchant id (`X-Merchant-Id`).
    #[arg(long)]
    id: String,
    /// Name shown to payers.
    #[arg(long)]
    name: String,
    /// Origins allowed to embed the widget and receive popup messages, space separated.
    #[arg(long, default_value = "")]
    origins: String,
    /// Where webhooks are POSTed (https in production).
    #[arg(long)]
    webhook_url: Option<String>,
    /// `sqlite://FILE?mode=rwc` (default) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://checkout.db?mode=rwc")]
    database_url: String,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CHECKOUT_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// `sqlite://FILE?mode=rwc` (default) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://checkout.db?mode=rwc")]
    database_url: String,
    /// Seed the demo merchant (`X-Merchant-Id: demo`) and serve the demo page. Local use only.
    #[arg(long, env = "CHECKOUT_DEMO")]
    demo: bool,
    /// API key of the demo merchant.
    #[arg(long, env = "CHECKOUT_DEMO_API_KEY", default_value = "sk_test_demo", hide_env_values = true)]
    demo_api_key: String,
    /// Demo mode: where the demo merchant's website listens (default: the API's port + 1).
    #[arg(long, env = "CHECKOUT_DEMO_LISTEN")]
    demo_listen: Option<String>,
    /// Base URL browsers use to reach this server (defaults to http://<listen address>).
    #[arg(long, env = "CHECKOUT_PUBLIC_URL")]
    public_url: Option<String>,
    /// How old (ms) an orphaned confirm claim must be before it is settled (crash recovery).
    #[arg(long, env = "CHECKOUT_CLAIM_LEASE_MS", default_value_t = checkout_api::domain::worker::CLAIM_LEASE_MS, hide = true)]
    claim_lease_ms: i64,
    /// How long a pre-authorization (`authorizeCard: true`) holds the amount before the worker
    /// voids it, in seconds (7 days).
    #[arg(long, env = "CHECKOUT_HOLD_SECONDS", default_value_t = 7 * 24 * 3600)]
    hold_seconds: i64,
    /// Rate limit per session on the browser endpoints that write: `PER_SECOND/BURST` or `off`.
    #[arg(long, env = "CHECKOUT_SESSION_LIMIT", default_value = "2/30", value_parser = parse_quota)]
    session_limit: QuotaArg,
    /// Rate limit per client address on every browser endpoint: `PER_SECOND/BURST` or `off`.
    #[arg(long, env = "CHECKOUT_CLIENT_LIMIT", default_value = "20/200", value_parser = parse_quota)]
    client_limit: QuotaArg,
    /// Behind a reverse proxy: the header holding the client address (its right-most entry),
    /// e.g. `X-Forwarded-For`. Without it the TCP peer is the client.
    #[arg(long, env = "CHECKOUT_CLIENT_IP_HEADER")]
    client_ip_header: Option<HeaderName>,
    /// Where to serve `GET /metrics` (Prometheus text format), e.g. `127.0.0.1:9464`; never on the
    /// public listener. Unset: no metrics are kept.
    #[arg(long, env = "CHECKOUT_METRICS_LISTEN")]
    metrics_listen: Option<String>,
    /// Apple Pay in production: the directory holding each merchant's merchant identity
    /// certificate and key from Apple (`<merchant id>.crt`, `<merchant id>.key`, PEM). A merchant
    /// without both validates in the sandbox.
    #[arg(long, env = "CHECKOUT_APPLE_PAY_IDENTITY_DIR")]
    apple_pay_identity_dir: Option<PathBuf>,
    /// Apple Pay: the domain-association file Apple issued for this platform, served at
    /// `/.well-known/apple-developer-merchantid-domain-association` (unset: a sandbox file).
    #[arg(long, env = "CHECKOUT_APPLE_PAY_DOMAIN_ASSOCIATION")]
    apple_pay_domain_association: Option<PathBuf>,
    /// Payment links by email: the SMTP server, e.g. `smtp://127.0.0.1:2525`,
    /// `smtp://user:password@smtp.example.com:587?tls=required` or `smtps://user:password@host`.
    #[arg(long, env = "CHECKOUT_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Payment links by email: the default sender (a session's `senderEmailAddress` wins).
    #[arg(long, env = "CHECKOUT_EMAIL_FROM", default_value = "payments@checkout.localhost")]
    email_from: String,
    /// Payment links by text: the SMS provider's messages URL, with the account id and token as
    /// user and password (basic auth), e.g. `https://ACCOUNT:TOKEN@sms.example.com/2010-04-01/Accounts/ACCOUNT/Messages.json`.
    #[arg(long, env = "CHECKOUT_SMS_URL", hide_env_values = true)]
    sms_url: Option<String>,
    /// Payment links by text: the number they come from (E.164).
    #[arg(long, env = "CHECKOUT_SMS_FROM")]
    sms_from: Option<String>,
    /// The risk rules on confirms (fraud signals, velocity, declines): `on` (default) or `off`.
    #[arg(long, env = "CHECKOUT_RISK_RULES", default_value = "on", value_parser = ["on", "off"])]
    risk_rules: String,
    /// Directory holding the Trunk-built widget.
    #[arg(long, env = "CHECKOUT_DIST_DIR", default_value = "dist")]
    dist_dir: PathBuf,
}

/// A parsed `PER_SECOND/BURST` quota; `None` is `off`.
#[derive(Clone, Copy)]
struct QuotaArg(Option<Quota>);

fn parse_quota(s: &str) -> Result<QuotaArg, String> {
    Quota::parse(s).map(QuotaArg)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // `CHECKOUT_LOG_FORMAT=json`: one JSON object a line, the request's span (request_id, method,
    // path) under `span`; anything else: human text.
    if std::env::var("CHECKOUT_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        tracing_subscriber::fmt().json().with_current_span(true).with_span_list(false).with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let args = match Cli::parse().command {
        Command::Serve(args) => args,
        Command::AddMerchant(m) => {
            let pool = db::connect(&m.database_url).await?;
            let (key, webhook_secret) = demo::add_merchant(&pool, &m.id, &m.name, &m.origins, m.webhook_url.as_deref()).await?;
            println!("merchant {} created\nAPI key (shown once): {key}\nwebhook secret: {webhook_secret}", m.id);
            return Ok(());
        }
        Command::UpdateMerchant(m) => {
            let wallet = match &m.wallet_settings {
                Some(path) => {
                    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                    Some(serde_json::from_str::<checkout_types::device_wallet::WalletSettings>(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?)
                }
                None => None,
            };
            let pool = db::connect(&m.database_url).await?;
            demo::update_merchant(&pool, &m.id, m.name.as_deref(), m.origins.as_deref(), m.webhook_url.as_deref(), wallet.as_ref(), m.email_from.as_deref()).await?;
            println!("merchant {} updated", m.id);
            return Ok(());
        }
    };
    let pool = db::connect(&args.database_url).await?;
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    let addr = listener.local_addr()?;
    let public_url = args.public_url.unwrap_or_else(|| format!("http://{addr}")).trim_end_matches('/').to_owned();
    let demo_listener = if args.demo {
        let addr = match &args.demo_listen {
            Some(a) => a.clone(),
            None => format!("{}:{}", addr.ip(), addr.port().saturating_add(1)),
        };
        Some(tokio::net::TcpListener::bind(&addr).await?)
    } else {
        None
    };
    let demo_site = match &demo_listener {
        Some(l) => Some(format!("http://{}", l.local_addr()?)),
        None => None,
    };
    if args.demo {
        demo::seed(&pool, &args.demo_api_key, demo_site.as_deref().unwrap_or_default()).await?;
    }
    if !args.dist_dir.join("index.html").exists() {
        tracing::warn!(dist = %args.dist_dir.display(), "widget build not found: run `trunk build` (scripts/run does)");
    }
    let settings =
        Settings {
        public_url: public_url.clone(),
        dist_dir: args.dist_dir,
        demo: args.demo,
        demo_site: demo_site.clone(),
        webhook_backoff_ms: 1_000,
        processor_deadline_ms: 2_000,
        claim_lease_ms: args.claim_lease_ms,
        hold_ms: args.hold_seconds.saturating_mul(1000),
        apple_pay: checkout_api::state::ApplePayConfig {
            identity_dir: args.apple_pay_identity_dir,
            domain_association: match &args.apple_pay_domain_association {
                Some(path) => Some(std::fs::read(path).map_err(|e| anyhow::anyhow!("CHECKOUT_APPLE_PAY_DOMAIN_ASSOCIATION {}: {e}", path.display()))?),
                None => None,
            },
            ..Default::default()
        },
        messaging: checkout_api::messaging::MessagingConfig {
            smtp_url: args.smtp_url,
            email_from: args.email_from,
            sms_url: args.sms_url,
            sms_from: args.sms_from,
            demo: args.demo,
        },
        risk_rules: args.risk_rules == "on",
    };
    let mut limits = Limits::new(args.session_limit.0, args.client_limit.0);
    if let Some(header) = args.client_ip_header {
        limits = limits.with_client_ip_header(header);
    }
    if let Some(addr) = &args.metrics_listen {
        let handle = checkout_api::metrics::install().ok_or_else(|| anyhow::anyhow!("metrics recorder already installed"))?;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        tracing::info!(addr = %listener.local_addr()?, "metrics on /metrics");
        tokio::spawn(async move { axum::serve(listener, checkout_api::metrics::router(handle)).await });
    }
    let writer = db::Writer::new(&pool)?;
    let processor = Arc::new(checkout_api::metrics::Metered(SandboxProcessor::default()));
    let messaging = Arc::new(checkout_api::messaging::Messaging::new(settings.messaging.clone()));
    let state = AppState { db: pool, writer, processor, settings: Arc::new(settings), limits: Arc::new(limits), messaging };
    tracing::info!(%addr, "checkout-api listening");
    if let (Some(listener), Some(site)) = (demo_listener, &demo_site) {
        let site_router = checkout_api::demo_site::router(state.clone());
        tokio::spawn(async move { axum::serve(listener, site_router).await });
        println!("Demo merchant page: {site}/");
    }
    checkout_api::serve(listener, state).await?;
    Ok(())
}
