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
