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
        ("due webhooks", checkout_api::domain::worker::DUE_EVENTS_SQL, "webhook_events"),
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
