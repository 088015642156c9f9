//! `spawn_app()` and typed helpers shared by every test.

use std::path::PathBuf;
use std::sync::Arc;

use checkout_api::db::{self, Db};
use checkout_api::limits::Limits;
use checkout_api::processor::sandbox::SandboxProcessor;
use checkout_api::{AppState, Settings, demo};
use serde_json::{Value, json};
use sqlx::Row;

pub const KEY: &str = "sk_test_demo";
pub const VISA_OK: &str = "4242424242424242";
pub const VISA_DECLINED: &str = "4000000000000002";

/// A running API with its own database.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub db: Db,
    /// The SQLite file, when the backend is SQLite.
    pub sqlite_file: Option<PathBuf>,
    /// The widget directory this server serves under `/widget/` (empty until a test writes it).
    pub dist: PathBuf,
    pub(crate) _dir: tempfile::TempDir,
}

/// A session created through the API.
pub struct Created {
    pub id: String,
    pub secret: String,
}

pub async fn fresh_database_url(dir: &std::path::Path) -> (String, Option<PathBuf>) {
    if std::env::var("TEST_DATABASE").as_deref() == Ok("postgres") {
        let admin = std::env::var("TEST_POSTGRES_ADMIN_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let name = format!("checkout_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&admin).await.expect("connect to PostgreSQL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&pool).await.expect("create test database");
        pool.close().await;
        let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin);
        (format!("{base}/{name}"), None)
    } else {
        let file = dir.join("checkout.db");
        (format!("sqlite://{}?mode=rwc", file.display()), Some(file))
    }
}

/// Starts the API on 127.0.0.1:0 with the demo merchant seeded and the default rate limits.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Limits::default()).await
}

/// Like [`spawn_app`] with other rate limits (`Limits::new(None, None)`: none, for races that
/// must reach the handlers rather than the limiter).
pub async fn spawn_app_with(limits: Limits) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, sqlite_file) = fresh_database_url(dir.path()).await;
    spawn_on(&url, sqlite_file, dir, limits).await
}

/// The API's state on its own database with the demo merchant seeded, and no server or worker
/// running on it: for calling the worker's steps directly, with nothing else racing them.
pub async fn state_without_server() -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _) = fresh_database_url(dir.path()).await;
    let db = db::connect(&url).await.expect("database");
    demo::seed(&db, KEY, "http://127.0.0.1").await.expect("seed");
    let state = state_on(&db, "http://127.0.0.1", dir.path().join("dist"), Limits::default());
    (state, dir)
}

/// The state the tests run the API with on `db`: the sandbox processor, a 50 ms webhook backoff,
/// a 500 ms processor deadline and the default 30 s claim lease.
pub fn state_on(db: &Db, public_url: &str, dist_dir: PathBuf, limits: Limits) -> AppState {
    let settings = Settings { public_url: public_url.to_owned(), dist_dir, demo: true, demo_site: None, webhook_backoff_ms: 50, processor_deadline_ms: 500, claim_lease_ms: 30_000, hold_ms: 7 * 24 * 3_600_000, apple_pay: Default::default(),
        messaging: checkout_api::messaging::MessagingConfig { email_from: "payments@checkout.test".to_owned(), ..Default::default() },
        risk_rules: true };
    let writer = db::Writer::new(db).expect("writer");
    let processor = Arc::new(checkout_api::metrics::Metered(SandboxProcessor::default()));
    let messaging = Arc::new(checkout_api::messaging::Messaging::new(settings.messaging.clone()));
    AppState { db: db.clone(), writer, processor, settings: Arc::new(settings), limits: Arc::new(limits), messaging }
}

/// An HTTP client whose connections come from `ip` (any 127.x.y.z reaches 127.0.0.1 on Linux):
/// a second "client address" for the per-client limits.
pub fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(ip.parse::<std::net::IpAddr>().expect("ip")).build().expect("client")
}

/// Two API nodes (own pools, own workers, own ports) on one fresh database.
pub async fn spawn_two_nodes() -> (TestApp, TestApp) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, sqlite_file) = fresh_database_url(dir.path()).await;
    let second_dir = tempfile::tempdir().expect("temp dir");
    let a = spawn_on(&url, sqlite_file.clone(), dir, Limits::new(None, None)).await;
    let b = spawn_on(&url, sqlite_file, second_dir, Limits::new(None, None)).await;
    (a, b)
}

/// No rate limits, and some settings changed.
pub async fn spawn_app_unlimited(change: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, sqlite_file) = fresh_database_url(dir.path()).await;
    spawn_configured(&url, sqlite_file, dir, Limits::new(None, None), change).await
}

/// Like [`spawn_app`] with some settings changed (Apple Pay's gateway, say).
pub async fn spawn_app_configured(change: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, sqlite_file) = fresh_database_url(dir.path()).await;
    spawn_configured(&url, sqlite_file, dir, Limits::default(), change).await
}

async fn spawn_on(url: &str, sqlite_file: Option<PathBuf>, dir: tempfile::TempDir, limits: Limits) -> TestApp {
    spawn_configured(url, sqlite_file, dir, limits, |_| {}).await
}

async fn spawn_configured(
    url: &str,
    sqlite_file: Option<PathBuf>,
    dir: tempfile::TempDir,
    limits: Limits,
    change: impl FnOnce(&mut Settings),
) -> TestApp {
    let db = db::connect(url).await.expect("database");
    demo::seed(&db, KEY, "http://127.0.0.1").await.expect("seed");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let mut state = state_on(&db, &base, dir.path().join("dist"), limits);
    let mut settings = (*state.settings).clone();
    change(&mut settings);
    state.messaging = Arc::new(checkout_api::messaging::Messaging::new(settings.messaging.clone()));
    state.settings = Arc::new(settings);
    tokio::spawn(checkout_api::serve(listener, state));
    TestApp { base, http: reqwest::Client::new(), db, sqlite_file, dist: dir.path().join("dist"), _dir: dir }
}

/// A valid CCG PAYMENT request.
pub fn payment_request(amount: i64) -> Value {
    json!({
        "customer": { "firstName": "Jane", "lastName": "Doe", "email": "jane@example.com" },
        "payment": { "merchantTransactionId": uuid::Uuid::new_v4().to_string(), "amount": amount },
        "config": { "modes": ["PAYMENT"], "paymentMethodChannel": { "card": ["WEBFORM"], "bankAccount": ["WEBFORM"] } }
    })
}

/// `{"type":"CARD","card":{…}}` confirm body.
pub fn card_confirm(quote_id: &str, number: &str) -> Value {
    json!({
        "quoteId": quote_id,
        "paymentMethod": { "type": "CARD", "card": { "number": number, "expMonth": 12, "expYear": 2034, "cvc": "123", "zipCode": "12345" } }
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `POST /v1/sessions` as the demo merchant.
    pub async fn create_session(&self, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url("/v1/sessions"))
            .bearer_auth(KEY)
            .header("X-Merchant-Id", "demo")
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Creates a PAYMENT session and returns its id and secret.
    pub async fn payment_session(&self, amount: i64) -> Created {
        let resp = self.create_session(&payment_request(amount)).await;
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.expect("json");
        Created {
            id: body["data"]["checkoutSessionId"].as_str().expect("id").to_owned(),
            secret: body["data"]["clientSecret"].as_str().expect("secret").to_owned(),
        }
    }

    /// `GET /v1/sessions/{id}` as the demo merchant.
    pub async fn merchant_get(&self, id: &str) -> Value {
        let resp = self
            .http
            .get(self.url(&format!("/v1/sessions/{id}")))
            .bearer_auth(KEY)
            .header("X-Merchant-Id", "demo")
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 200);
        resp.json().await.expect("json")
    }

    pub async fn config(&self, id: &str, bearer: &str) -> reqwest::Response {
        self.http.get(self.url(&format!("/v1/sessions/{id}/config"))).bearer_auth(bearer).send().await.expect("request")
    }

    pub async fn quote(&self, id: &str, bearer: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url(&format!("/v1/sessions/{id}/fee-quotes")))
            .bearer_auth(bearer)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// A CARD quote's id.
    pub async fn card_quote(&self, s: &Created) -> String {
        let resp = self.quote(&s.id, &s.secret, &json!({ "method": "CARD", "brand": "VISA" })).await;
        assert_eq!(resp.status(), 200);
        let q: Value = resp.json().await.expect("json");
        q["quoteId"].as_str().expect("quoteId").to_owned()
    }

    pub async fn confirm(&self, id: &str, bearer: &str, key: Option<&str>, body: &Value) -> reqwest::Response {
        let mut req = self.http.post(self.url(&format!("/v1/sessions/{id}/confirm"))).bearer_auth(bearer).json(body);
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        req.send().await.expect("request")
    }

    /// Number of payment rows for a session.
    pub async fn payment_count(&self, session_id: &str) -> i64 {
        sqlx::query("SELECT COUNT(*) AS n FROM payments WHERE session_id = $1")
            .bind(session_id)
            .fetch_one(&self.db)
            .await
            .expect("count")
            .try_get("n")
            .expect("n")
    }

    /// Every text value stored in every table, for card-data scans.
    pub async fn all_stored_text(&self) -> String {
        let mut out = String::new();
        for table in ["merchants", "fee_schedules", "sessions", "fee_quotes", "payments", "idempotency_keys", "customers", "payment_methods", "webhook_events", "notifications", "payment_operations"] {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}"))).fetch_all(&self.db).await.expect("scan");
            for row in rows {
                for i in 0..row.len() {
                    if let Ok(Some(s)) = row.try_get::<Option<String>, _>(i) {
                        out.push_str(&s);
                        out.push('\n');
                    }
                }
            }
        }
        if let Some(file) = &self.sqlite_file {
            for suffix in ["", "-wal"] {
                let path = PathBuf::from(format!("{}{suffix}", file.display()));
                if let Ok(bytes) = std::fs::read(&path) {
                    out.push_str(&String::from_utf8_lossy(&bytes));
                }
            }
        }
        out
    }
}

/// Reads a response as JSON, asserting its status. Every response carries an `x-request-id`;
/// an error body the API made carries the same id as `requestId`, which is checked here and then
/// taken out, so tests compare the rest of the body whole.
pub async fn json_of(resp: reqwest::Response, status: u16) -> Value {
    let got = resp.status().as_u16();
    let header = resp.headers().get("x-request-id").map(|v| v.to_str().expect("ascii").to_owned());
    let text = resp.text().await.expect("body");
    assert_eq!(got, status, "unexpected status; body: {text}");
    let header = header.expect("every response carries x-request-id");
    let mut body: Value = serde_json::from_str(&text).expect("JSON body");
    if let Some(id) = body.as_object_mut().and_then(|o| o.remove("requestId")) {
        assert_eq!(id.as_str(), Some(header.as_str()), "the error body names the request's id");
    }
    body
}

/// An error body read without its `requestId` (which must be there: every error body the API makes
/// names its request), for comparing bodies of different requests whole.
pub fn without_request_id(text: &str) -> Value {
    let mut body: Value = serde_json::from_str(text).expect("JSON body");
    let id = body.as_object_mut().and_then(|o| o.remove("requestId"));
    assert!(id.as_ref().and_then(Value::as_str).is_some_and(|id| id.starts_with("req_")), "requestId in {text}");
    body
}
