//! The pool's connection check (`db::connect`): a connection idle for longer than a second is
//! pinged before use, so a backend that went away while it was idle (a restarted PostgreSQL, a
//! dropped socket) is replaced instead of failing the request that gets it. PostgreSQL only:
//! an SQLite connection is a file handle and cannot be killed from outside.

use std::time::Duration;

use sqlx::{Connection, Row};

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_connection_killed_while_idle_is_replaced_not_handed_out() {
    let app = spawn_app().await;
    if app.sqlite_file.is_some() {
        return;
    }
    let url = app.db.connect_options().database_url.to_string();
    let pool = checkout_api::db::connect(&url).await.expect("pool");
    let before: i32 = sqlx::query("SELECT pg_backend_pid()").fetch_one(&pool).await.expect("pid").get(0);

    // Every other backend of this database goes away, the pool's included.
    let mut admin = sqlx::AnyConnection::connect(&url).await.expect("admin connection");
    let killed: i64 = sqlx::query(
        "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()) t",
    )
    .fetch_one(&mut admin)
    .await
    .expect("terminate")
    .get(0);
    assert!(killed >= 1, "the pool's backend was terminated");

    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let after: i32 = sqlx::query("SELECT pg_backend_pid()").fetch_one(&pool).await.expect("a live connection").get(0);
    assert_ne!(before, after, "a new backend serves the query");
}

#[tokio::test]
async fn postgres_connections_dropped_under_the_api_answer_503_with_retry_after_then_recover_on_their_own() {
    let app = crate::helpers::spawn_app().await;
    if app.sqlite_file.is_some() {
        return; // a PostgreSQL fault; the SQLite file has no server to lose
    }
    let s = app.payment_session(1_000).await;
    let db: String = sqlx::Row::get(&sqlx::query("SELECT CAST(current_database() AS TEXT) AS d").fetch_one(&app.db).await.expect("db"), "d");
    let admin = std::env::var("TEST_POSTGRES_ADMIN_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let admin = sqlx::AnyPool::connect(&admin).await.expect("admin");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        // Every connection the API holds is cut, as a PostgreSQL restart or a proxy would.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT CAST(COUNT(pg_terminate_backend(pid)) AS BIGINT) FROM pg_stat_activity WHERE datname = '{db}' AND pid <> pg_backend_pid()"
        )))
        .fetch_one(&admin)
        .await
        .expect("terminate");
        // Each dead connection fails the one request that draws it (a 503), so recovery takes at
        // most the pool's size in requests (8 on two cores; the worker's queries draw some too).
        for _ in 0..10 {
            let r = app.config(&s.id, &s.secret).await;
            let status = r.status().as_u16();
            if status == 503 {
                assert_eq!(r.headers()["retry-after"], "1");
                let body: serde_json::Value = r.json().await.expect("json");
                assert_eq!(body["title"], "SERVICE_UNAVAILABLE");
            }
            statuses.push(status);
            if status == 200 {
                break;
            }
        }
    }
    assert!(statuses.iter().all(|s| *s == 200 || *s == 503), "never a 500: {statuses:?}");
    assert!(statuses.contains(&503), "the cut was felt (else this test tests nothing): {statuses:?}");
    assert_eq!(statuses.last(), Some(&200), "recovered on its own: {statuses:?}");
}
