//! Cost growth: the background worker polls every second, so its queries must read only the
//! rows waiting for it, through an index, never the whole table; a merchant's lookups by
//! transaction id read that transaction's rows. Checked on the real query plans:
//! SQLite's `EXPLAIN QUERY PLAN`, and PostgreSQL's `EXPLAIN` with sequential scans disabled (a
//! `Seq Scan` left in the plan then means no index can serve the query).

use sqlx::Row;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_worker_s_polls_and_the_merchant_lookups_use_indexes_not_table_scans() {
    let app = spawn_app().await;
    let postgres = app.sqlite_file.is_none();
    let mut conn = app.db.acquire().await.expect("connection");
    if postgres {
        sqlx::query("SET enable_seqscan = off").execute(&mut *conn).await.expect("set");
    }
    for (name, sql, table) in [
        ("pending attempts (orphaned or awaiting the processor)", checkout_api::domain::worker::PENDING_SQL, "payments"),
        ("due webhooks", checkout_api::domain::worker::due_events_sql(&app.db), "webhook_events"),
        ("pending captures, voids and refunds", checkout_api::domain::worker::PENDING_OPERATIONS_SQL, "payment_operations"),
        ("expired holds", checkout_api::domain::worker::EXPIRED_HOLDS_SQL, "payments"),
        ("expired open sessions", checkout_api::domain::worker::EXPIRED_SESSIONS_SQL, "sessions"),
        ("a merchant's failed events", checkout_api::domain::webhooks::FAILED_EVENTS_SQL, "webhook_events"),
        ("metrics: webhook backlog", checkout_api::metrics::BACKLOG_SQL, "webhook_events"),
        ("metrics: failed events", checkout_api::metrics::FAILED_SQL, "webhook_events"),
        ("metrics: pending payments", checkout_api::metrics::PENDING_SQL, "payments"),
        ("a merchant transaction's attempts", checkout_api::domain::direct::ATTEMPTS_SQL, "payments"),
        ("a merchant transaction's latest attempt", checkout_api::domain::direct::LATEST_ATTEMPT_SQL, "payments"),
    ] {
        let explain = if postgres { format!("EXPLAIN {sql}") } else { format!("EXPLAIN QUERY PLAN {sql}") };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(explain));
        if sql.contains("merchant_transaction_id = $2") {
            q = q.bind("m").bind("t");
        } else if sql.contains("merchant_id = $1") {
            q = q.bind("m");
        } else if sql.contains("$1") {
            q = q.bind(0_i64);
        }
        let rows = q.fetch_all(&mut *conn).await.expect("explain");
        // SQLite's plan rows are (id, parent, notused, detail); PostgreSQL's are one text column.
        let plan: Vec<String> =
            rows.iter().map(|r| r.try_get::<String, _>(if postgres { 0 } else { 3 }).expect("plan line")).collect();
        let scans: Vec<&String> = plan
            .iter()
            .filter(|l| {
                let l = l.to_ascii_lowercase();
                // SQLite: `SCAN t` reads the table; `SCAN t USING INDEX i` reads a (partial) index.
                l.contains(&format!("seq scan on {table}"))
                    || (l.trim_start().starts_with(&format!("scan {table}")) && !l.contains("using"))
            })
            .collect();
        assert!(scans.is_empty(), "{name} scans {table}:\n{}", plan.join("\n"));
    }
}

/// A merchant who never set a webhook URL still gets events written (they can be listed and
/// redelivered), but nothing will deliver them: they are no backlog. The worker samples the backlog
/// gauge every second, so it must not read them at all: counted over the whole table, 2 million of
/// them made it a 0.56 s parallel scan of PostgreSQL each second (issue #21, 1M sessions stored).
#[tokio::test]
async fn the_webhook_backlog_counts_only_events_an_endpoint_will_receive_and_reads_none_of_the_others() {
    let app = spawn_app().await;
    let postgres = app.sqlite_file.is_none();
    sqlx::query("UPDATE merchants SET webhook_url = NULL WHERE id = 'demo'").execute(&app.db).await.expect("no URL");
    let events = 3_000;
    // Created in the last minute, not due for a day: the running worker leaves them alone.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64;
    let first = now - 60_000;
    for i in 0..events {
        sqlx::query(
            "INSERT INTO webhook_events (id, merchant_id, event_type, body, attempts, next_attempt_at, created_at)
             VALUES ($1, 'demo', 'PAYMENT_COMPLETED', '{}', 0, $2, $3)",
        )
        .bind(format!("evt_{i}"))
        .bind(now + 86_400_000)
        .bind(first + i64::from(i))
        .execute(&app.db)
        .await
        .expect("event");
    }
    if postgres {
        sqlx::query("ANALYZE webhook_events").execute(&app.db).await.expect("analyze");
    }
    let backlog = |db: checkout_api::db::Db| async move {
        let row = sqlx::query(checkout_api::metrics::BACKLOG_SQL).fetch_one(&db).await.expect("backlog");
        (row.try_get::<i64, _>("n").expect("n"), row.try_get::<Option<i64>, _>("oldest").expect("oldest"))
    };
    assert_eq!(backlog(app.db.clone()).await, (0, None), "no endpoint, no backlog");
    if postgres {
        // With the table's real statistics (no planner switches): neither the gauge nor the
        // worker's poll for due events reads them.
        for (name, sql) in [("the backlog", checkout_api::metrics::BACKLOG_SQL), ("the due poll", checkout_api::domain::worker::due_events_sql(&app.db))] {
            let mut explain = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN ANALYZE {sql}")));
            if sql.contains("$1") {
                explain = explain.bind(now + 2 * 86_400_000);
            }
            let plan: Vec<String> = explain
                .fetch_all(&app.db)
                .await
                .expect("explain")
                .iter()
                .map(|r| r.try_get::<String, _>(0).expect("plan line"))
                .collect();
            let read = plan.iter().filter(|l| l.contains("on webhook_events") && !l.contains("never executed")).count();
            assert_eq!(read, 0, "{name} read the events of a merchant without a URL:\n{}", plan.join("\n"));
        }
    }
    sqlx::query("UPDATE merchants SET webhook_url = 'http://127.0.0.1:9/hook' WHERE id = 'demo'").execute(&app.db).await.expect("URL");
    assert_eq!(backlog(app.db.clone()).await, (i64::from(events), Some(first)), "with an endpoint, every undelivered event");
}
