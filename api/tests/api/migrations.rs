//! Migration 0009 (one money path) on a database an earlier version left mid-flight: its
//! attempts awaiting the processor, a direct payment in flight, a confirm claim orphaned without a
//! payment row, and transaction ids of sessions and direct payments (both backends).

use sqlx::Row;

/// A database with migrations 0001-0008 applied (the version before the money path became one).
async fn database_before_0009(dir: &std::path::Path) -> String {
    sqlx::any::install_default_drivers();
    let (url, _) = crate::helpers::fresh_database_url(dir).await;
    let old = dir.join("migrations-0008");
    std::fs::create_dir_all(&old).expect("dir");
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).expect("migrations") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name").to_string_lossy().into_owned();
        if name.as_str() < "0009" {
            std::fs::copy(&path, old.join(&name)).expect("copy");
        }
    }
    let pool = sqlx::AnyPool::connect(&url).await.expect("connect");
    sqlx::migrate::Migrator::new(old.as_path()).await.expect("migrator").run(&pool).await.expect("migrate to 0008");
    pool.close().await;
    url
}

async fn exec(db: &sqlx::AnyPool, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(db).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn text(db: &sqlx::AnyPool, sql: &str) -> Option<String> {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(db).await.expect("row").try_get(0).expect("text")
}

#[tokio::test]
async fn migration_0009_carries_over_pending_attempts_and_releases_orphaned_claims() {
    let dir = tempfile::tempdir().expect("dir");
    let url = database_before_0009(dir.path()).await;
    let old = sqlx::AnyPool::connect(&url).await.expect("connect");
    let session = |id: &str, state: &str, mtid: &str, attempts: i64| {
        format!(
            "INSERT INTO sessions (id, merchant_id, dialect, mode, state, secret_hash, amount, currency, merchant_transaction_id,
                customer_json, config_json, payment_json, attempts, expires_at, created_at, updated_at)
             VALUES ('{id}', 'm', 'CCG', 'PAYMENT', '{state}', 'h', 1500, 'USD', {mtid}, '{{}}', '{{}}', '{{}}', {attempts}, 9999999999999, 1, 1)"
        )
    };
    let payment = |id: &str, session: &str, mtid: &str, status: &str, processor_ref: &str| {
        format!(
            "INSERT INTO payments (id, merchant_id, session_id, merchant_transaction_id, attempt, amount, fee, total, currency, status,
                method_type, last4, processor_ref, created_at, updated_at)
             VALUES ('{id}', 'm', {session}, '{mtid}', 1, 1500, 0, 1500, 'USD', '{status}', 'CARD', '4242', {processor_ref}, 1, 1)"
        )
    };
    exec(&old, "INSERT INTO merchants (id, display_name, api_key_hash, webhook_secret, created_at) VALUES ('m', 'M', 'h', 's', 0)").await;
    // A confirm past the processor's deadline: its payment awaits the processor under 'awaiting:<session>:<key>'.
    exec(&old, &session("s-slow", "PAYMENT_PENDING", "'order-slow'", 1)).await;
    exec(&old, &payment("p-slow", "'s-slow'", "order-slow", "PENDING", "'awaiting:s-slow:key:with:colons'")).await;
    // A direct payment claimed and not yet answered (charged under its payment id).
    exec(&old, &payment("p-direct", "NULL", "order-direct", "PENDING", "NULL")).await;
    // A confirm claim orphaned by a crash: session claimed, key in flight, no payment row.
    exec(&old, &session("s-orphan", "PAYMENT_PENDING", "'order-orphan'", 1)).await;
    exec(&old, "INSERT INTO idempotency_keys (session_id, idem_key, fingerprint, created_at) VALUES ('s-orphan', 'k1', 'f', 1)").await;
    // A hosted session (no merchantTransactionId: its payments carry its id) and a paid one.
    exec(&old, &session("cs_hosted", "INITIALIZED", "NULL", 0)).await;
    exec(&old, &session("s-paid", "PAYMENT_COMPLETED", "'order-paid'", 1)).await;
    exec(&old, &payment("p-paid", "'s-paid'", "order-paid", "COMPLETED", "'sbx_1'")).await;
    exec(&old, "INSERT INTO idempotency_keys (session_id, idem_key, fingerprint, response_status, response_body, created_at) VALUES ('s-paid', 'k2', 'f', 200, '{}', 1)").await;
    old.close().await;

    let db = checkout_api::db::connect(&url).await.expect("migrate to 0009");
    let slow = sqlx::query("SELECT processor_key, idem_key, awaiting_processor, processor_ref FROM payments WHERE id = 'p-slow'")
        .fetch_one(&db)
        .await
        .expect("p-slow");
    assert_eq!(slow.try_get::<Option<String>, _>("processor_key").expect("key").as_deref(), Some("s-slow:key:with:colons"));
    assert_eq!(slow.try_get::<Option<String>, _>("idem_key").expect("idem").as_deref(), Some("key:with:colons"));
    assert_eq!(slow.try_get::<i64, _>("awaiting_processor").expect("awaiting"), 1);
    assert_eq!(slow.try_get::<Option<String>, _>("processor_ref").expect("ref"), None);
    assert_eq!(text(&db, "SELECT processor_key FROM payments WHERE id = 'p-direct'").await.as_deref(), Some("p-direct"));
    assert_eq!(text(&db, "SELECT state FROM sessions WHERE id = 's-orphan'").await.as_deref(), Some("INITIALIZED"));
    let orphan_left: i64 = sqlx::query("SELECT COUNT(*) FROM idempotency_keys WHERE session_id = 's-orphan'")
        .fetch_one(&db)
        .await
        .expect("count")
        .try_get(0)
        .expect("n");
    assert_eq!(orphan_left, 0, "the orphaned claim's key is free for the retry");
    assert_eq!(text(&db, "SELECT state FROM sessions WHERE id = 's-slow'").await.as_deref(), Some("PAYMENT_PENDING"), "a claim with its payment is not touched");
    assert_eq!(text(&db, "SELECT state FROM sessions WHERE id = 's-paid'").await.as_deref(), Some("PAYMENT_COMPLETED"));
    let owners: Vec<(String, Option<String>)> =
        sqlx::query("SELECT merchant_transaction_id, session_id FROM merchant_transactions ORDER BY merchant_transaction_id")
            .fetch_all(&db)
            .await
            .expect("owners")
            .iter()
            .map(|r| (r.try_get(0).expect("mtid"), r.try_get(1).expect("session")))
            .collect();
    let owner = |m: &str, s: Option<&str>| (m.to_owned(), s.map(str::to_owned));
    assert_eq!(
        owners,
        vec![
            owner("cs_hosted", Some("cs_hosted")),
            owner("order-direct", None),
            owner("order-orphan", Some("s-orphan")),
            owner("order-paid", Some("s-paid")),
            owner("order-slow", Some("s-slow")),
        ]
    );
}
