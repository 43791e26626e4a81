//! The on-disk tier: one SQLite database (`cognate-lm-cache.sqlite3`) in the cache directory.
//!
//! One table maps a key (hex SHA-256) to the response's JSON, its size and when it was last
//! used; triggers keep a one-row `totals` table equal to the sum of the sizes, so the size
//! bound is checked without scanning. Every write is one `BEGIN IMMEDIATE` transaction (the
//! write lock is taken up front, so two writers never deadlock upgrading a read lock), and the
//! database runs in WAL mode with a busy time-out: readers never block the writer, and many
//! processes can share the directory. All of it is blocking; the layer calls it on tokio's
//! blocking pool.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

/// The database's file name inside the cache directory.
pub(crate) const FILE_NAME: &str = "cognate-lm-cache.sqlite3";

/// The schema version (`PRAGMA user_version`) this code reads and writes.
const SCHEMA_VERSION: i64 = 1;

/// How long a statement waits for another connection's (or process's) lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A read refreshes an entry's last-used time only when it is older than this, so hits
/// seldom write (eviction is least-recently-used to this precision).
const TOUCH_AFTER_MS: i64 = 60_000;

/// The size the write-ahead log is truncated to after a checkpoint (it grows to about 4 MiB,
/// SQLite's 1,000-page auto-checkpoint, between checkpoints).
const WAL_SIZE_LIMIT: i64 = 4 << 20;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
    key       TEXT PRIMARY KEY NOT NULL,
    value     BLOB NOT NULL,
    size      INTEGER NOT NULL,
    last_used INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_last_used ON entries (last_used);
CREATE TABLE IF NOT EXISTS totals (
    id      INTEGER PRIMARY KEY CHECK (id = 0),
    bytes   INTEGER NOT NULL,
    entries INTEGER NOT NULL
);
INSERT OR IGNORE INTO totals (id, bytes, entries) VALUES (0, 0, 0);
CREATE TRIGGER IF NOT EXISTS entries_inserted AFTER INSERT ON entries BEGIN
    UPDATE totals SET bytes = bytes + new.size, entries = entries + 1 WHERE id = 0;
END;
CREATE TRIGGER IF NOT EXISTS entries_deleted AFTER DELETE ON entries BEGIN
    UPDATE totals SET bytes = bytes - old.size, entries = entries - 1 WHERE id = 0;
END;
CREATE TRIGGER IF NOT EXISTS entries_resized AFTER UPDATE OF size ON entries BEGIN
    UPDATE totals SET bytes = bytes - old.size + new.size WHERE id = 0;
END;
";

/// Why the store could not be opened or used (logged, never returned to a caller).
#[derive(Debug)]
pub(crate) enum DiskError {
    CreateDir { path: PathBuf, source: std::io::Error },
    Sqlite(rusqlite::Error),
    NewerSchema { found: i64 },
}

impl std::fmt::Display for DiskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiskError::CreateDir { path, source } => {
                write!(f, "cannot create the cache directory {}: {source}", path.display())
            }
            DiskError::Sqlite(e) => write!(f, "sqlite: {e}"),
            DiskError::NewerSchema { found } => write!(
                f,
                "the cache database has schema version {found}, newer than the {SCHEMA_VERSION} this version of cognate-lm reads"
            ),
        }
    }
}

impl From<rusqlite::Error> for DiskError {
    fn from(e: rusqlite::Error) -> Self {
        DiskError::Sqlite(e)
    }
}

/// How much the store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DiskTotals {
    pub(crate) entries: u64,
    pub(crate) bytes: u64,
}

/// The SQLite store. One connection, used by one blocking thread at a time.
#[derive(Debug)]
pub(crate) struct DiskStore {
    conn: Mutex<Connection>,
    path: PathBuf,
    max_bytes: u64,
}

impl DiskStore {
    /// Opens (or creates) the store in `dir`, creating the directory if needed.
    pub(crate) fn open(dir: &Path, max_bytes: u64) -> Result<DiskStore, DiskError> {
        std::fs::create_dir_all(dir).map_err(|source| DiskError::CreateDir { path: dir.to_owned(), source })?;
        let path = dir.join(FILE_NAME);
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Only takes effect on a database with no tables yet: freed pages can then be given
        // back to the file system after an eviction.
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
        // WAL: readers and the writer do not block each other; NORMAL sync is safe in WAL
        // (a power loss may lose the last commits, never corrupt the file).
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::debug!(target: "cognate::lm", path = %path.display(), mode, "lm cache database is not in WAL mode");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Truncate the write-ahead log back to this size after a checkpoint.
        conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(DiskError::NewerSchema { found: version });
        }
        tx.execute_batch(SCHEMA)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        Ok(DiskStore { conn: Mutex::new(conn), path, max_bytes })
    }

    /// The database file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The largest total size of the stored values (and keys), in bytes.
    pub(crate) fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable (SQLite rolls back an
        // unfinished transaction when the next one begins, or when the connection closes).
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The stored value of `key`, refreshing its last-used time when it is stale. A value
    /// that is neither text nor bytes reads as empty.
    pub(crate) fn get(&self, key: &str) -> Result<Option<Vec<u8>>, DiskError> {
        let conn = self.conn();
        let row = conn
            .prepare_cached("SELECT value, last_used FROM entries WHERE key = ?1")?
            .query_row([key], |row| {
                // A value of another SQL type than text or bytes (a damaged row) reads as
                // empty, which does not decode: the caller removes it.
                let value = match row.get_ref(0)? {
                    ValueRef::Blob(bytes) | ValueRef::Text(bytes) => bytes.to_vec(),
                    ValueRef::Null | ValueRef::Integer(_) | ValueRef::Real(_) => Vec::new(),
                };
                Ok((value, row.get::<_, i64>(1).unwrap_or(0)))
            })
            .optional()?;
        let Some((value, last_used)) = row else { return Ok(None) };
        let now = now_ms();
        if now.saturating_sub(last_used) > TOUCH_AFTER_MS {
            // Best effort: a busy database only makes eviction a little less exact.
            let touched = conn
                .prepare_cached("UPDATE entries SET last_used = ?2 WHERE key = ?1")
                .and_then(|mut update| update.execute(params![key, now]));
            if let Err(e) = touched {
                tracing::debug!(target: "cognate::lm", error = %e, "lm cache could not refresh an entry's last use");
            }
        }
        Ok(Some(value))
    }

    /// Stores `value` under `key` (replacing what was there), then evicts the least recently
    /// used entries while the total is over the bound. A value larger than the whole bound is
    /// not stored (returns `false`).
    pub(crate) fn put(&self, key: &str, value: &[u8]) -> Result<bool, DiskError> {
        let size = entry_size(key, value);
        if size > self.max_bytes {
            return Ok(false);
        }
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.prepare_cached(
            "INSERT INTO entries (key, value, size, last_used) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, size = excluded.size, last_used = excluded.last_used",
        )?
        .execute(params![key, value, to_i64(size), now_ms()])?;
        let mut evicted = 0;
        let total = total_bytes(&tx)?;
        if total > self.max_bytes {
            // Down to 90% of the bound, so that the next writes do not each evict again: the
            // least recently used entries (other than this one) whose sizes add up to the excess.
            let target = self.max_bytes - self.max_bytes / 10;
            evicted = tx
                .prepare_cached(
                    "DELETE FROM entries WHERE key IN (
                         SELECT key FROM (
                             SELECT key, size, SUM(size) OVER (ORDER BY last_used, key) AS running
                             FROM entries WHERE key <> ?1
                         ) WHERE running - size < ?2
                     )",
                )?
                .execute(params![key, to_i64(total - target)])?;
        }
        tx.commit()?;
        if evicted > 0 {
            tracing::debug!(target: "cognate::lm", evicted, path = %self.path.display(), "lm cache evicted entries from disk");
            // Give the freed pages back to the file system; best effort.
            if let Err(e) = conn.execute_batch("PRAGMA incremental_vacuum") {
                tracing::debug!(target: "cognate::lm", error = %e, "lm cache could not shrink its database");
            }
        }
        Ok(true)
    }

    /// Removes `key` (a value that could not be read).
    pub(crate) fn remove(&self, key: &str) -> Result<(), DiskError> {
        self.conn().prepare_cached("DELETE FROM entries WHERE key = ?1")?.execute([key])?;
        Ok(())
    }

    /// How much the store holds.
    pub(crate) fn totals(&self) -> Result<DiskTotals, DiskError> {
        let conn = self.conn();
        let (entries, bytes) =
            conn.query_row("SELECT entries, bytes FROM totals WHERE id = 0", [], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(DiskTotals { entries: to_u64(entries), bytes: to_u64(bytes) })
    }
}

/// The size an entry counts for: its value and its key.
fn entry_size(key: &str, value: &[u8]) -> u64 {
    (key.len() + value.len()) as u64
}

fn total_bytes(conn: &Connection) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT bytes FROM totals WHERE id = 0")?.query_row([], |row| row.get::<_, i64>(0)).map(to_u64)
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
