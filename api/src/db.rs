//! Storage: one `AnyPool` over SQLite (default, a file) or PostgreSQL (a `postgres://` URL).
//! Both run the same portable migrations in `api/migrations/`; columns are TEXT and BIGINT,
//! timestamps are unix milliseconds, so every query below the handlers works on both.
//!
//! Every write outside a transaction goes through [`Writer`]: on SQLite a thread of its own that
//! group-commits them ([`sqlite_writer`]), on PostgreSQL one autocommitted statement each.
//! Reads, and the few multi-statement transactions ([`begin_write`]), use the pool.

use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Connection, Executor, Row};

mod sqlite_writer;

/// The shared pool.
pub type Db = AnyPool;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connects, applies SQLite pragmas (WAL, `synchronous=FULL`, foreign keys), runs migrations.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    let sqlite = url.starts_with("sqlite:");
    let pool = AnyPoolOptions::new()
        .max_connections(if sqlite { 8 } else { postgres_pool_size() })
        .acquire_timeout(Duration::from_secs(10))
        // A connection that has been idle for a while is pinged before use (a restarted
        // PostgreSQL or a dropped socket is replaced, not handed to a request); a busy one is
        // not. sqlx's default pings on every acquire: one more round trip per statement. The
        // trade: a backend killed within a second of its connection's last use fails the one
        // statement that next uses it (sqlx then drops the connection). Confirms survive that
        // (the same key retries; an orphaned claim is settled by the worker's lease).
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= IDLE_PING_AFTER {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Idle time after which a pooled connection is pinged before it serves a request.
const IDLE_PING_AFTER: Duration = Duration::from_secs(1);

/// PostgreSQL connections: four per core. On the 2-core bench machine (2026-11-24) 8 gave config
/// reads at 64 clients a p99 of 9.3 ms against 10.3-11 ms with 16 and 14-15 ms with 32, and
/// confirms lost nothing (each confirm statement autocommits, so a connection is held per
/// statement): more backends than cores only queue inside PostgreSQL instead of in the pool.
fn postgres_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(4 * cores).unwrap_or(32).clamp(4, 32)
}

/// One SQLite writer at a time in this process. SQLite has a single write lock; without this,
/// transactions racing for it wait in SQLite's busy handler, which sleeps 25-100 ms between tries
/// (p99 of confirm at 16 clients was 420-490 ms). Queued here, they take turns without sleeping.
static SQLITE_WRITER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A write transaction: on SQLite it holds this process's writer turn until commit or rollback;
/// on PostgreSQL it is a plain transaction. Derefs to the connection, like `Transaction`.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::MutexGuard<'static, ()>>,
}

/// Whether `db` is SQLite (else PostgreSQL).
pub fn is_sqlite(db: &Db) -> bool {
    db.connect_options().database_url.scheme() == "sqlite"
}

/// Begins a write transaction (see [`WriteTx`]). Never nest one inside another.
pub async fn begin_write(db: &Db) -> Result<WriteTx, sqlx::Error> {
    let turn = if is_sqlite(db) { Some(SQLITE_WRITER.lock().await) } else { None };
    Ok(WriteTx { tx: db.begin().await?, _turn: turn })
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

/// A value for a write's `$N` parameter; `None` is SQL NULL of that type.
#[derive(Debug, Clone)]
pub enum Param {
    Int(Option<i64>),
    Text(Option<String>),
}

/// What [`Write::bind`] takes.
pub trait Bind {
    fn param(self) -> Param;
}
impl Bind for i64 {
    fn param(self) -> Param {
        Param::Int(Some(self))
    }
}
impl Bind for Option<i64> {
    fn param(self) -> Param {
        Param::Int(self)
    }
}
impl Bind for &str {
    fn param(self) -> Param {
        Param::Text(Some(self.to_owned()))
    }
}
impl Bind for String {
    fn param(self) -> Param {
        Param::Text(Some(self))
    }
}
impl Bind for &String {
    fn param(self) -> Param {
        Param::Text(Some(self.clone()))
    }
}
impl Bind for Option<String> {
    fn param(self) -> Param {
        Param::Text(self)
    }
}
impl Bind for &Option<String> {
    fn param(self) -> Param {
        Param::Text(self.clone())
    }
}
impl Bind for Option<&str> {
    fn param(self) -> Param {
        Param::Text(self.map(str::to_owned))
    }
}

/// One atomic write, in both dialects, with its parameters: on SQLite a list of statements run
/// in order as one unit; on PostgreSQL one statement (a data-modifying CTE).
pub struct Write {
    sqlite: Cow<'static, [&'static str]>,
    postgres: &'static str,
    params: Vec<Param>,
}

impl Write {
    pub fn new(sqlite: &'static [&'static str], postgres: &'static str) -> Self {
        Self { sqlite: Cow::Borrowed(sqlite), postgres, params: Vec::new() }
    }
    /// One statement that both dialects understand.
    pub fn one(sql: &'static str) -> Self {
        Self { sqlite: Cow::Owned(vec![sql]), postgres: sql, params: Vec::new() }
    }
    /// The next parameter (`$1`, `$2`, … in order of the calls).
    pub fn bind(mut self, value: impl Bind) -> Self {
        self.params.push(value.param());
        self
    }
}

/// Why a write did not happen. Nothing of it is stored.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// From sqlx: the PostgreSQL writer, or a read on the pool before or after a write.
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error("sqlite: {0}")]
    Sqlite(#[source] rusqlite::Error),
    #[error("the SQLite writer thread stopped")]
    WriterStopped,
}

impl WriteError {
    /// A unique constraint refused the write (PostgreSQL reports a concurrent key this way).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            WriteError::Sqlx(e) => e.as_database_error().is_some_and(|d| d.is_unique_violation()),
            WriteError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => {
                f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            }
            _ => false,
        }
    }
}

impl From<WriteError> for crate::error::ApiError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Sqlx(e) => e.into(),
            other => crate::error::ApiError::Internal(anyhow::Error::new(other).context("database write")),
        }
    }
}

/// Where every write outside a transaction goes (session creation, fee quotes, the confirm's
/// claim and record, the webhook worker's updates, ...): on SQLite the group-committing writer
/// thread ([`sqlite_writer`]), on PostgreSQL the pool, one autocommitted statement each. A plain
/// write on the pool would instead wait for SQLite's lock in its busy handler, which sleeps up to
/// 100 ms between tries. Cheap to clone; one per database, made by [`Writer::new`].
#[derive(Clone)]
pub struct Writer(WriterKind);

#[derive(Clone)]
enum WriterKind {
    Sqlite(std::sync::Arc<sqlite_writer::SqliteWriter>),
    Postgres(Db),
}

impl Writer {
    /// For the database of `db` (connected and migrated by [`connect`]).
    pub fn new(db: &Db) -> anyhow::Result<Self> {
        if !is_sqlite(db) {
            return Ok(Self(WriterKind::Postgres(db.clone())));
        }
        let url = db.connect_options().database_url.to_string();
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
        let file = options.get_filename();
        // sqlx names an in-memory database `file:sqlx-in-memory-N`; the writer's own connection
        // could not reach it (and would create a file of that name instead).
        if file.as_os_str() == ":memory:" || file.to_string_lossy().starts_with("file:sqlx-in-memory") {
            anyhow::bail!("DATABASE_URL: an in-memory SQLite database is not supported; use a file, e.g. sqlite://checkout.db?mode=rwc");
        }
        let writer = sqlite_writer::SqliteWriter::start(file.to_path_buf())?;
        Ok(Self(WriterKind::Sqlite(std::sync::Arc::new(writer))))
    }

    /// Runs `write` atomically and durably; the first column of the first row it returned
    /// (`RETURNING`), if any and not NULL. Never call it while holding a [`WriteTx`]: on SQLite
    /// the writer thread waits for the same writer turn, so the two would wait for each other.
    pub async fn once(&self, write: Write) -> Result<Option<i64>, WriteError> {
        match &self.0 {
            WriterKind::Sqlite(w) => w.write(write.sqlite, write.params).await,
            WriterKind::Postgres(db) => {
                let mut query = sqlx::query(write.postgres);
                for p in write.params {
                    query = match p {
                        Param::Int(v) => query.bind(v),
                        Param::Text(v) => query.bind(v),
                    };
                }
                let rows = query.fetch_all(db).await?;
                match rows.first() {
                    Some(row) if !row.columns().is_empty() => Ok(row.try_get::<Option<i64>, _>(0)?),
                    _ => Ok(None),
                }
            }
        }
    }
}

/// Now, in unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Unix milliseconds as RFC 3339 UTC, e.g. `2026-11-23T08:15:00.000Z`.
pub fn rfc3339(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    t.format(&fmt).unwrap_or_default()
}

/// (year, month) of today in UTC, for card-expiry checks.
pub fn today_year_month() -> (u16, u8) {
    let t = time::OffsetDateTime::now_utc();
    (t.year() as u16, u8::from(t.month()))
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn an_in_memory_database_is_refused_with_a_clear_error_not_a_stray_file() {
        let pool = super::connect("sqlite::memory:").await.expect("an in-memory pool connects");
        let err = super::Writer::new(&pool).err().expect("the writer refuses it");
        assert!(err.to_string().contains("in-memory SQLite database is not supported"), "{err}");
        let stray = std::fs::read_dir(".").expect("cwd").flatten().any(|e| e.file_name().to_string_lossy().starts_with("file:sqlx"));
        assert!(!stray, "no file named after the in-memory database");
    }
}
