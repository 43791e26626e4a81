//! [`Cache`]: answers a request it has seen before without calling the model again, from
//! memory and (with [`Cache::disk`]) from a SQLite database that survives restarts and can be
//! shared by several processes.
//!
//! ```
//! use cognate_core::{LanguageModel, LanguageModelExt, LmRequest, Message};
//! use cognate_lm::layer::cache::Cache;
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let mock = MockLm::new(["4", "four"]);
//! let lm = mock.clone().layer(Cache::memory(1_000));
//! let ask = || LmRequest::new(vec![Message::user("What is 2 + 2?")]);
//!
//! let first = lm.complete(ask()).await.unwrap();
//! let again = lm.complete(ask()).await.unwrap(); // the same request: served from the cache
//! assert_eq!((first.cache_hit, again.cache_hit), (false, true));
//! assert_eq!(again.choices[0].text, "4");
//! assert_eq!(mock.call_count(), 1);
//!
//! // Another rollout of the same request is another entry: a fresh sample.
//! let mut fresh = ask();
//! fresh.rollout_id = Some(1);
//! assert_eq!(lm.complete(fresh).await.unwrap().choices[0].text, "four");
//! assert_eq!(mock.call_count(), 2);
//! # }
//! ```
//!
//! # What is cached
//!
//! Successful responses, keyed by [`CacheKey`]: the SHA-256 of the request's canonical form
//! (model name, messages, every sampling field, the rollout id; never credentials). Errors are
//! never cached. Like DSPy, a request with `temperature > 0` or `n > 1` is cached too: the same
//! request gets the same answer; ask for a fresh sample with another
//! [`rollout_id`](cognate_core::LmRequest::rollout_id) (the
//! [`Rollout`](super::rollout::Rollout) layer gives every call a fresh one).
//!
//! A hit is a clone of the original response with [`cache_hit`](LmResponse::cache_hit) set and
//! the original call's `usage` (the usage layer counts those tokens as served from cache), and a
//! `debug` event `lm cache hit` on target `cognate::lm` with `cached = true`, the tier
//! (`memory` or `disk`) and the key.
//!
//! # Tiers and bounds
//!
//! The memory tier is a [moka](https://docs.rs/moka) cache bounded by entries (default
//! [`DEFAULT_MEMORY_ENTRIES`]) or by bytes ([`with_memory_bytes`](Cache::with_memory_bytes)),
//! evicting by its TinyLFU policy. Concurrent calls with one key are coalesced: one of them
//! reads the disk or calls the model and the others wait for its outcome, success or error.
//!
//! The disk tier ([`Cache::disk`], feature `disk-cache`) is one SQLite database,
//! `cognate-lm-cache.sqlite3` in the directory, bounded in bytes (default
//! [`DEFAULT_DISK_BYTES`], counting keys and response JSON): a write that takes it over the
//! bound evicts the least recently used entries (to the minute) down to 90% of it. It runs in
//! WAL mode with a busy time-out, each write one immediate transaction, so any number of tasks
//! and processes can share a directory. Its calls run on tokio's blocking pool.
//!
//! # Failures
//!
//! The cache never makes a call fail. A directory that cannot be opened (not creatable, not
//! a database, written by a newer version) degrades the cache to memory with a `warn` event
//! ([`CachedLm::is_persistent`] says which you got); an unreadable entry is a miss, removed
//! and then replaced; a failed disk read or write is a `warn` event and a miss.
//!
//! Place the cache outside retries and rate limits (hits skip them) and inside usage
//! accounting (hits are counted): `client.layer(retry).layer(cache).layer(usage)`.

#[cfg(feature = "disk-cache")]
mod disk;
mod key;

#[cfg(feature = "disk-cache")]
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cognate_core::{LanguageModel, Layer, LmError, LmRequest, LmResponse, SharedLm};

#[cfg(feature = "disk-cache")]
use self::disk::DiskStore;
pub use self::key::CacheKey;

/// The memory tier's default bound, in entries.
pub const DEFAULT_MEMORY_ENTRIES: u64 = 10_000;

/// The disk tier's default bound: 1 GiB of keys and response JSON.
#[cfg(feature = "disk-cache")]
pub const DEFAULT_DISK_BYTES: u64 = 1 << 30;

/// How the memory tier is bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MemoryBound {
    Entries(u64),
    Bytes(u64),
}

/// The layer: wraps a model in a [`CachedLm`]. See the [module docs](self).
///
/// Each [`layer`](Layer::layer) call builds its own tiers (and opens the disk store then, a
/// few milliseconds of blocking IO: build stacks at start-up); clones of the resulting
/// [`CachedLm`] share them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Cache {
    memory: MemoryBound,
    namespace: String,
    #[cfg(feature = "disk-cache")]
    disk: Option<(PathBuf, u64)>,
}

impl Default for Cache {
    /// In memory, [`DEFAULT_MEMORY_ENTRIES`] entries.
    fn default() -> Self {
        Cache::memory(DEFAULT_MEMORY_ENTRIES)
    }
}

impl Cache {
    /// An in-memory cache of at most `capacity` responses.
    pub fn memory(capacity: u64) -> Cache {
        Cache {
            memory: MemoryBound::Entries(capacity),
            namespace: String::new(),
            #[cfg(feature = "disk-cache")]
            disk: None,
        }
    }

    /// A persistent cache in `dir` (created if needed), at most [`DEFAULT_DISK_BYTES`], with
    /// the in-memory tier ([`DEFAULT_MEMORY_ENTRIES`]) in front. A directory that cannot be
    /// opened degrades it to memory with a warning.
    ///
    /// ```
    /// use cognate_core::{LanguageModel, LanguageModelExt, LmRequest, Message};
    /// use cognate_lm::layer::cache::Cache;
    /// use cognate_testing::MockLm;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let dir = std::env::temp_dir().join(format!("cognate-cache-doc-{}", std::process::id()));
    /// let ask = || LmRequest::new(vec![Message::user("What is 2 + 2?")]);
    /// {
    ///     let lm = MockLm::new(["4"]).layer(Cache::disk(&dir).with_disk_bytes(64 << 20));
    ///     assert!(lm.is_persistent());
    ///     lm.complete(ask()).await.unwrap();
    /// }
    /// // A new process (here: a new cache on the same directory) finds the answer on disk.
    /// let never_called = MockLm::default(); // fails every call
    /// let lm = never_called.clone().layer(Cache::disk(&dir));
    /// let reply = lm.complete(ask()).await.unwrap();
    /// assert!(reply.cache_hit);
    /// assert_eq!((reply.choices[0].text.as_str(), never_called.call_count()), ("4", 0));
    /// # drop(lm); std::fs::remove_dir_all(&dir).unwrap();
    /// # }
    /// ```
    #[cfg(feature = "disk-cache")]
    pub fn disk(dir: impl Into<PathBuf>) -> Cache {
        Cache { disk: Some((dir.into(), DEFAULT_DISK_BYTES)), ..Cache::default() }
    }

    /// Bounds the memory tier to `entries` responses (replacing a byte bound).
    pub fn with_memory_entries(mut self, entries: u64) -> Cache {
        self.memory = MemoryBound::Entries(entries);
        self
    }

    /// Bounds the memory tier to about `bytes` of responses (their texts and model names;
    /// replacing an entry bound).
    pub fn with_memory_bytes(mut self, bytes: u64) -> Cache {
        self.memory = MemoryBound::Bytes(bytes);
        self
    }

    /// Bounds the disk tier to `bytes` of keys and response JSON (default
    /// [`DEFAULT_DISK_BYTES`]); a response larger than the whole bound is not stored on disk.
    /// No effect on an in-memory cache.
    #[cfg(feature = "disk-cache")]
    pub fn with_disk_bytes(mut self, bytes: u64) -> Cache {
        if let Some((_, max)) = &mut self.disk {
            *max = bytes;
        }
        self
    }

    /// Puts this cache's entries in a namespace of their own, part of every key: two clients
    /// that give one model name to different models (two local servers, say) sharing a
    /// directory must use two namespaces. Default: `""`.
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Cache {
        self.namespace = namespace.into();
        self
    }
}

impl<L: LanguageModel> Layer<L> for Cache {
    type Lm = CachedLm<L>;

    fn layer(&self, inner: L) -> CachedLm<L> {
        let builder = moka::future::Cache::builder();
        let memory = match self.memory {
            MemoryBound::Entries(entries) => builder.max_capacity(entries).build(),
            MemoryBound::Bytes(bytes) => builder.max_capacity(bytes).weigher(|_, value| weight(value)).build(),
        };
        #[cfg(feature = "disk-cache")]
        let disk = self.disk.as_ref().and_then(|(dir, max_bytes)| match DiskStore::open(dir, *max_bytes) {
            Ok(store) => Some(Arc::new(store)),
            Err(e) => {
                tracing::warn!(
                    target: "cognate::lm",
                    dir = %dir.display(),
                    error = %e,
                    "lm cache cannot open its directory; caching in memory only"
                );
                None
            }
        });
        CachedLm {
            inner,
            tiers: Arc::new(Tiers {
                memory,
                namespace: self.namespace.clone(),
                #[cfg(feature = "disk-cache")]
                disk,
            }),
        }
    }
}

/// The memory tier's weight of a response, for a byte bound.
fn weight(response: &Arc<LmResponse>) -> u32 {
    let text: usize = response.choices.iter().map(|c| c.text.len() + 16).sum();
    u32::try_from(64 + response.model.len() + text).unwrap_or(u32::MAX)
}

/// What a disk tier holds: [`CachedLm::disk_usage`].
#[cfg(feature = "disk-cache")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DiskUsage {
    /// Stored responses.
    pub entries: u64,
    /// Their size: keys and response JSON, in bytes.
    pub bytes: u64,
    /// The bound on `bytes`.
    pub max_bytes: u64,
}

/// The tiers a [`CachedLm`] and its clones share.
struct Tiers {
    memory: moka::future::Cache<CacheKey, Arc<LmResponse>>,
    namespace: String,
    #[cfg(feature = "disk-cache")]
    disk: Option<Arc<DiskStore>>,
}

/// Where a call's response came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The memory tier, or a concurrent call with the same key.
    Memory,
    /// The disk tier.
    Disk,
    /// The wrapped model.
    Model,
}

/// Answers from its cache when it can, else forwards to the model it wraps and caches the
/// successful response. Built by [`Cache`]; see the [module docs](self).
///
/// # Cancel safety
/// Dropping a call's future abandons it: nothing is cached for it, and a concurrent call with
/// the same key that was waiting for it makes the call itself. A disk write already started
/// finishes on the blocking pool.
pub struct CachedLm<L = SharedLm> {
    inner: L,
    tiers: Arc<Tiers>,
}

impl<L: Clone> Clone for CachedLm<L> {
    /// Shares the cache.
    fn clone(&self) -> Self {
        CachedLm { inner: self.inner.clone(), tiers: Arc::clone(&self.tiers) }
    }
}

impl<L: LanguageModel> std::fmt::Debug for CachedLm<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("CachedLm");
        s.field("inner", &self.inner.model_name()).field("namespace", &self.tiers.namespace);
        #[cfg(feature = "disk-cache")]
        s.field("disk", &self.disk_path());
        s.finish()
    }
}

impl<L> CachedLm<L> {
    /// Whether responses are also stored on disk: `false` for an in-memory cache, and for a
    /// disk cache whose directory could not be opened (it then logged a warning and caches in
    /// memory only).
    pub fn is_persistent(&self) -> bool {
        #[cfg(feature = "disk-cache")]
        {
            self.tiers.disk.is_some()
        }
        #[cfg(not(feature = "disk-cache"))]
        {
            false
        }
    }

    /// The database file of the disk tier, when there is one.
    #[cfg(feature = "disk-cache")]
    pub fn disk_path(&self) -> Option<&Path> {
        self.tiers.disk.as_deref().map(DiskStore::path)
    }

    /// What the disk tier holds now (`None` without one, or when it cannot be read; counts
    /// written by other processes sharing the directory included).
    ///
    /// # Cancel safety
    /// Dropping the future abandons the answer; the read still finishes on the blocking pool.
    #[cfg(feature = "disk-cache")]
    pub async fn disk_usage(&self) -> Option<DiskUsage> {
        let store = Arc::clone(self.tiers.disk.as_ref()?);
        let max_bytes = store.max_bytes();
        let totals = blocking(move || store.totals()).await?.ok()?;
        Some(DiskUsage { entries: totals.entries, bytes: totals.bytes, max_bytes })
    }

    /// The model it wraps.
    pub fn inner(&self) -> &L {
        &self.inner
    }
}

impl<L: LanguageModel> LanguageModel for CachedLm<L> {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let key = CacheKey::of(&self.tiers.namespace, self.inner.model_name(), &request);
        let mut source = Source::Memory;
        let filled = &mut source;
        let entry = self
            .tiers
            .memory
            .entry(key)
            .or_try_insert_with(async move {
                #[cfg(feature = "disk-cache")]
                if let Some(found) = self.disk_get(key).await {
                    *filled = Source::Disk;
                    return Ok(Arc::new(found));
                }
                let response = self.inner.complete(request).await?;
                *filled = Source::Model;
                Ok(Arc::new(response))
            })
            .await
            .map_err(Arc::unwrap_or_clone)?;
        let model = self.inner.model_name();
        match source {
            Source::Model => {
                tracing::debug!(target: "cognate::lm", cached = false, %key, model, "lm cache miss");
                #[cfg(feature = "disk-cache")]
                self.disk_put(key, Arc::clone(entry.value())).await;
            }
            Source::Memory | Source::Disk => {
                let tier = if source == Source::Disk { "disk" } else { "memory" };
                tracing::debug!(target: "cognate::lm", cached = true, tier, %key, model, "lm cache hit");
            }
        }
        let mut response = LmResponse::clone(&entry.into_value());
        response.cache_hit = source != Source::Model;
        // Into the call's span (a module's `lm_call`), when it declares the field.
        tracing::Span::current().record("cognate.cache_hit", response.cache_hit);
        Ok(response)
    }

    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn supports_json_schema(&self) -> bool {
        self.inner.supports_json_schema()
    }
}

#[cfg(feature = "disk-cache")]
impl<L> CachedLm<L> {
    /// The response stored on disk under `key`; `None` when there is none, when the disk
    /// tier is off, and when it cannot be read (logged; an unreadable entry is removed).
    async fn disk_get(&self, key: CacheKey) -> Option<LmResponse> {
        /// What the disk holds under a key.
        enum Lookup {
            Missing,
            Found(LmResponse),
            Unreadable(String),
        }
        let store = Arc::clone(self.tiers.disk.as_ref()?);
        // Decoding runs on the blocking pool too: a cached reply can be megabytes.
        let found = blocking(move || -> Result<Lookup, disk::DiskError> {
            let hex = key.to_string();
            let Some(bytes) = store.get(&hex)? else { return Ok(Lookup::Missing) };
            match serde_json::from_slice::<LmResponse>(&bytes) {
                Ok(response) if !response.choices.is_empty() => Ok(Lookup::Found(response)),
                Ok(_) => {
                    store.remove(&hex)?;
                    Ok(Lookup::Unreadable("a response with no choices".into()))
                }
                Err(e) => {
                    store.remove(&hex)?;
                    Ok(Lookup::Unreadable(e.to_string()))
                }
            }
        })
        .await;
        match found {
            Some(Ok(Lookup::Found(response))) => Some(response),
            Some(Ok(Lookup::Missing)) => None,
            Some(Ok(Lookup::Unreadable(reason))) => {
                tracing::warn!(
                    target: "cognate::lm",
                    %key,
                    reason,
                    "lm cache entry on disk is unreadable; treated as a miss and replaced"
                );
                None
            }
            Some(Err(e)) => {
                tracing::warn!(target: "cognate::lm", %key, error = %e, "lm cache cannot read from disk; treated as a miss");
                None
            }
            None => {
                tracing::warn!(target: "cognate::lm", %key, "lm cache disk read did not finish; treated as a miss");
                None
            }
        }
    }

    /// Stores `response` on disk under `key`, when the disk tier is on; failures are logged.
    async fn disk_put(&self, key: CacheKey, response: Arc<LmResponse>) {
        let Some(store) = self.tiers.disk.as_ref().map(Arc::clone) else { return };
        let written = blocking(move || {
            // Serializing a response cannot fail (string keys, finite numbers only).
            let json = serde_json::to_vec(&*response).unwrap_or_default();
            store.put(&key.to_string(), &json)
        })
        .await;
        match written {
            Some(Ok(true)) => {}
            Some(Ok(false)) => {
                tracing::debug!(target: "cognate::lm", %key, "lm cache response is larger than the disk bound; kept in memory only");
            }
            Some(Err(e)) => {
                tracing::warn!(target: "cognate::lm", %key, error = %e, "lm cache cannot write to disk; kept in memory only");
            }
            None => {
                tracing::warn!(target: "cognate::lm", %key, "lm cache disk write did not finish; kept in memory only");
            }
        }
    }
}

/// Runs blocking `f` on tokio's blocking pool when called inside a runtime (inline
/// otherwise); `None` when it panicked.
#[cfg(feature = "disk-cache")]
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => runtime.spawn_blocking(f).await.ok(),
        Err(_) => Some(f()),
    }
}

#[cfg(test)]
mod tests;
