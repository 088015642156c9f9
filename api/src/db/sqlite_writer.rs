//! The SQLite writer behind [`super::Writer::once`]: one thread owning one connection, which
//! commits the writes queued while it was busy together, in one transaction and one fsync (group
//! commit), each write inside its own savepoint.
//!
//! Why: through the pool, every write held this process's writer turn across two hand-offs
//! between threads (the statement batch, then the pool's ping on release) and its own fsync, so
//! writes of concurrent confirms queued behind each other at about 1,000/s while the CPU sat
//! half idle (`scripts/bench confirm sqlite`, 2026-12-01). Here a write is one hand-off, and
//! the fsync is shared by every write of the batch.
//!
//! Rules that keep each write as atomic and as durable as its own transaction:
//! - A caller is answered only after the batch's `COMMIT` returned: what it was told is on disk
//!   (`synchronous = FULL`).
//! - A write that fails is rolled back to its savepoint; the others of its batch still commit.
//! - If the transaction itself is lost (an I/O error makes SQLite roll it all back, or `COMMIT`
//!   fails), every write of the batch gets an error, none is reported done.
//! - The batch holds the process's writer turn (`SQLITE_WRITER`), so it never races the pool's
//!   write transactions for SQLite's lock; other processes on the same file wait in SQLite's
//!   busy handler, as before.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::Param;

/// Most writes committed together. Bounds how long the writer turn is held at a time.
const MAX_BATCH: usize = 64;

/// A write waiting for its batch: its statements, parameters and where to send the outcome.
struct Job {
    statements: Cow<'static, [&'static str]>,
    params: Vec<Param>,
    done: tokio::sync::oneshot::Sender<Result<Option<i64>, rusqlite::Error>>,
}

/// The handle the request tasks hold; the thread stops when the last handle is dropped.
pub(super) struct SqliteWriter {
    jobs: mpsc::Sender<Job>,
}

impl SqliteWriter {
    /// Opens its own connection to the database file (already migrated) and starts the thread.
    pub(super) fn start(path: PathBuf) -> anyhow::Result<Self> {
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Every statement the writer runs stays prepared: 21 distinct ones from `db::Write` callers
        // today, and the savepoint statements, with room for more.
        conn.set_prepared_statement_cache_capacity(64);
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new().name("sqlite-writer".to_owned()).spawn(move || run(conn, queue))?;
        Ok(Self { jobs })
    }

    /// Queues one write and waits for its batch to commit; the first column of the first row any
    /// of its statements returned (`RETURNING`), if there was one.
    pub(super) async fn write(&self, statements: Cow<'static, [&'static str]>, params: Vec<Param>) -> Result<Option<i64>, super::WriteError> {
        let (done, outcome) = tokio::sync::oneshot::channel();
        let _queued = Queued::new();
        self.jobs.send(Job { statements, params, done }).map_err(|_| super::WriteError::WriterStopped)?;
        outcome.await.map_err(|_| super::WriteError::WriterStopped)?.map_err(super::WriteError::Sqlite)
    }
}

/// One write queued or being committed, in the `checkout_sqlite_writer_queue` gauge (the writer
/// thread's backlog) for as long as its caller waits, however that wait ends.
struct Queued(metrics::Gauge);

impl Queued {
    fn new() -> Self {
        let gauge = metrics::gauge!("checkout_sqlite_writer_queue");
        gauge.increment(1.0);
        Queued(gauge)
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

fn run(conn: Connection, queue: mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        let turn = super::SQLITE_WRITER.blocking_lock();
        // Whatever queued while this thread committed the last batch or waited for the turn.
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let outcomes = commit(&conn, &batch);
        drop(turn);
        for (job, outcome) in batch.into_iter().zip(outcomes) {
            // A caller that went away (its task was cancelled) needs no answer.
            let _ = job.done.send(outcome);
        }
    }
}

/// Runs the batch in one transaction; one outcome per job, in order.
fn commit(conn: &Connection, batch: &[Job]) -> Vec<Result<Option<i64>, rusqlite::Error>> {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        return batch.iter().map(|_| Err(copy(&e))).collect();
    }
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        let outcome = in_savepoint(conn, job);
        if conn.is_autocommit() {
            // SQLite rolled the whole transaction back (e.g. an I/O error): nothing of this batch
            // is written, so nothing of it may be reported done.
            let lost = rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
                Some("the batch's transaction was rolled back".to_owned()),
            );
            return batch.iter().map(|_| Err(copy(&lost))).collect();
        }
        outcomes.push(outcome);
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => outcomes,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            batch.iter().map(|_| Err(copy(&e))).collect()
        }
    }
}

/// One job inside `SAVEPOINT job`: released when every statement ran, rolled back to otherwise.
fn in_savepoint(conn: &Connection, job: &Job) -> Result<Option<i64>, rusqlite::Error> {
    conn.prepare_cached("SAVEPOINT job")?.execute([])?;
    match run_statements(conn, job) {
        Ok(first) => {
            conn.prepare_cached("RELEASE job")?.execute([])?;
            Ok(first)
        }
        Err(e) => {
            // If the transaction is already gone, `commit` notices (autocommit) and fails the batch.
            let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
            Err(e)
        }
    }
}

/// The job's statements in order, each parameter `$N` bound to `params[N - 1]`; stops at the
/// first error, like a multi-statement batch.
fn run_statements(conn: &Connection, job: &Job) -> Result<Option<i64>, rusqlite::Error> {
    let mut first = None;
    for sql in job.statements.iter() {
        let mut stmt = conn.prepare_cached(sql)?;
        for i in 1..=stmt.parameter_count() {
            let n = stmt
                .parameter_name(i)
                .and_then(|name| name.strip_prefix('$'))
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or(rusqlite::Error::InvalidParameterCount(i, job.params.len()))?;
            match job.params.get(n.wrapping_sub(1)) {
                Some(Param::Int(v)) => stmt.raw_bind_parameter(i, v)?,
                Some(Param::Text(v)) => stmt.raw_bind_parameter(i, v)?,
                None => return Err(rusqlite::Error::InvalidParameterCount(n, job.params.len())),
            }
        }
        if stmt.column_count() == 0 {
            stmt.raw_execute()?;
        } else {
            let mut rows = stmt.raw_query();
            while let Some(row) = rows.next()? {
                if first.is_none() {
                    first = Some(row.get::<_, Option<i64>>(0)?);
                }
            }
        }
    }
    Ok(first.flatten())
}

/// rusqlite's error is not `Clone`; a batch-wide failure is told to every job of the batch.
fn copy(e: &rusqlite::Error) -> rusqlite::Error {
    match e {
        rusqlite::Error::SqliteFailure(code, msg) => rusqlite::Error::SqliteFailure(*code, msg.clone()),
        other => rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(other.to_string()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().expect("dir");
        let conn = Connection::open(dir.path().join("w.sqlite")).expect("open");
        conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT NOT NULL)").expect("schema");
        (dir, conn)
    }

    type Outcome = tokio::sync::oneshot::Receiver<Result<Option<i64>, rusqlite::Error>>;

    fn job(statements: &'static [&'static str], params: Vec<Param>) -> (Job, Outcome) {
        let (done, outcome) = tokio::sync::oneshot::channel();
        (Job { statements: Cow::Borrowed(statements), params, done }, outcome)
    }

    fn text(s: &str) -> Param {
        Param::Text(Some(s.to_owned()))
    }

    const INSERT_TWICE: &[&str] = &["INSERT INTO t (id, n) VALUES ($2, $1)", "INSERT INTO t (id, n) VALUES ($3, $1) RETURNING n + 1"];

    #[test]
    fn a_failing_write_is_undone_alone_and_the_rest_of_its_batch_commits() {
        let (_dir, conn) = open();
        let (a, _) = job(INSERT_TWICE, vec![Param::Int(Some(1)), text("a1"), text("a2")]);
        // Its first statement succeeds, its second hits the primary key: both must be undone.
        let (b, _) = job(INSERT_TWICE, vec![Param::Int(Some(2)), text("b1"), text("a1")]);
        let (c, _) = job(INSERT_TWICE, vec![Param::Int(Some(3)), text("c1"), text("c2")]);
        let outcomes = commit(&conn, &[a, b, c]);
        assert_eq!(outcomes[0].as_ref().ok(), Some(&Some(2)), "RETURNING of the second statement, $1 bound by name");
        let refused = outcomes[1].as_ref().expect_err("b violates the primary key");
        assert_eq!(refused.sqlite_error().map(|e| e.extended_code), Some(rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY));
        assert_eq!(outcomes[2].as_ref().ok(), Some(&Some(4)));
        assert!(conn.is_autocommit(), "the batch's transaction is closed");
        let ids: Vec<String> = conn
            .prepare("SELECT id FROM t ORDER BY id")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("ids");
        assert_eq!(ids, ["a1", "a2", "c1", "c2"], "nothing of b, everything of a and c");
    }

    #[test]
    fn a_parameter_the_write_did_not_bind_fails_that_write_only() {
        let (_dir, conn) = open();
        let (short, _) = job(INSERT_TWICE, vec![Param::Int(Some(1)), text("x1")]);
        let (ok, _) = job(INSERT_TWICE, vec![Param::Int(Some(1)), text("y1"), text("y2")]);
        let outcomes = commit(&conn, &[short, ok]);
        assert!(outcomes[0].is_err());
        assert!(outcomes[1].is_ok());
        let n: i64 = conn.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).expect("count");
        assert_eq!(n, 2, "y1 and y2 only; x1 was rolled back with its write");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_are_answered_once_committed_and_visible_to_another_connection() {
        let (dir, conn) = open();
        drop(conn);
        let path = dir.path().join("w.sqlite");
        let writer = std::sync::Arc::new(SqliteWriter::start(path.clone()).expect("writer"));
        let writes = (0..200).map(|i| {
            let writer = writer.clone();
            tokio::spawn(async move {
                let params = vec![Param::Int(Some(i)), Param::Text(Some(format!("{i}a"))), Param::Text(Some(format!("{i}b")))];
                writer.write(Cow::Borrowed(INSERT_TWICE), params).await
            })
        });
        for (i, w) in writes.collect::<Vec<_>>().into_iter().enumerate() {
            assert_eq!(w.await.expect("task").expect("write"), Some(i as i64 + 1));
        }
        // Another connection (as the pool is) sees every answered write.
        let other = Connection::open(&path).expect("open");
        let n: i64 = other.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).expect("count");
        assert_eq!(n, 400);
    }
}
