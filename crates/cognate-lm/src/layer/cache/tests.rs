use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use cognate_core::{Choice, LanguageModelExt, Message, Usage};
use cognate_testing::{EventLog, MockLm};
use futures::future::join_all;

use super::*;

fn ask(question: &str) -> LmRequest {
    LmRequest::new(vec![Message::user(question)])
}

/// Answers `re: <question>` after yielding to the executor `yields` times (so that concurrent
/// callers overlap on a current-thread runtime), or fails while `fail` is set; counts calls.
#[derive(Default)]
struct Counting {
    calls: AtomicUsize,
    yields: usize,
    fail: std::sync::atomic::AtomicBool,
}

impl LanguageModel for Counting {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        self.calls.fetch_add(1, SeqCst);
        for _ in 0..self.yields {
            tokio::task::yield_now().await;
        }
        if self.fail.load(SeqCst) {
            return Err(LmError::Http { status: 503, message: "overloaded".into(), retry_after: None });
        }
        let text = format!("re: {}", request.messages.last().map_or("", |m| m.content.as_str()));
        Ok(LmResponse {
            choices: vec![Choice { text, finish_reason: None }],
            usage: Usage::new(5, 2),
            model: "counting".into(),
            cache_hit: false,
        })
    }

    fn model_name(&self) -> &str {
        "counting"
    }
}

fn counting(yields: usize) -> Arc<Counting> {
    Arc::new(Counting { yields, ..Counting::default() })
}

#[tokio::test]
async fn hits_are_marked_and_forward_identity() {
    let mock = MockLm::new(["a"]).with_model_name("m").with_json_schema_support(true);
    let lm = mock.clone().layer(Cache::default());
    assert_eq!((lm.model_name(), lm.supports_json_schema(), lm.is_persistent()), ("m", true, false));
    let first = lm.complete(ask("q")).await.unwrap();
    let second = lm.complete(ask("q")).await.unwrap();
    assert!(!first.cache_hit && second.cache_hit);
    assert_eq!(LmResponse { cache_hit: false, ..second }, first, "a hit is the original response");
    assert_eq!(mock.call_count(), 1);
    // Clones share the cache.
    assert!(lm.clone().complete(ask("q")).await.unwrap().cache_hit);
}

#[tokio::test]
async fn hits_and_misses_are_debug_events_with_the_key() {
    let log = EventLog::default();
    let _guard = log.install();
    let lm = MockLm::new(["a"]).layer(Cache::memory(10));
    lm.complete(ask("q")).await.unwrap();
    lm.complete(ask("q")).await.unwrap();
    let key = CacheKey::of("", "mock-lm", &ask("q")).to_string();
    let miss = log.events_with("cognate::lm", "lm cache miss");
    let hit = log.events_with("cognate::lm", "lm cache hit");
    assert_eq!((miss.len(), hit.len()), (1, 1));
    assert_eq!((miss[0].field("cached"), miss[0].field("key")), (Some("false"), Some(key.as_str())));
    assert_eq!((hit[0].field("cached"), hit[0].field("tier")), (Some("true"), Some("memory")));
    assert_eq!(hit[0].level, tracing::Level::DEBUG);
}

#[tokio::test]
async fn errors_are_never_cached() {
    let mock = MockLm::default();
    mock.push_error(LmError::Http { status: 500, message: "boom".into(), retry_after: None });
    mock.push_reply("ok");
    let lm = mock.clone().layer(Cache::memory(10));
    let err = lm.complete(ask("q")).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert!(!lm.complete(ask("q")).await.unwrap().cache_hit);
    assert!(lm.complete(ask("q")).await.unwrap().cache_hit);
    assert_eq!(mock.call_count(), 2);
}

#[tokio::test]
async fn sampled_requests_are_cached_and_rollout_ids_give_fresh_samples() {
    let mock = MockLm::new(["a", "b", "c"]);
    let lm = mock.clone().layer(Cache::memory(10));
    let mut hot = ask("q");
    hot.temperature = Some(1.0);
    hot.n = Some(2);
    let first = lm.complete(hot.clone()).await.unwrap();
    assert_eq!(lm.complete(hot.clone()).await.unwrap().choices, first.choices);
    hot.rollout_id = Some(1);
    hot.n = None;
    assert_eq!(lm.complete(hot).await.unwrap().choices[0].text, "c");
    assert_eq!(mock.call_count(), 2);
}

#[tokio::test]
async fn concurrent_calls_with_one_key_make_one_call() {
    let model = counting(50);
    let lm = Arc::clone(&model).layer(Cache::memory(10));
    let replies = join_all((0..20).map(|_| lm.complete(ask("q")))).await;
    assert_eq!(model.calls.load(SeqCst), 1);
    let hits = replies.iter().filter(|r| r.as_ref().unwrap().cache_hit).count();
    assert_eq!(hits, 19);
    assert!(replies.iter().all(|r| r.as_ref().unwrap().choices[0].text == "re: q"));

    // A failure is shared by the calls that waited for it, and not cached.
    model.fail.store(true, SeqCst);
    let replies = join_all((0..5).map(|_| lm.complete(ask("other")))).await;
    assert!(replies.iter().all(|r| r.as_ref().unwrap_err().status() == Some(503)));
    assert_eq!(model.calls.load(SeqCst), 2);
    model.fail.store(false, SeqCst);
    assert!(!lm.complete(ask("other")).await.unwrap().cache_hit);
}

#[tokio::test]
async fn a_cancelled_call_leaves_nothing_behind() {
    let model = counting(1_000);
    let lm = Arc::clone(&model).layer(Cache::memory(10));
    // Polled once, then dropped mid-call.
    let mut call = Box::pin(lm.complete(ask("q")));
    assert!(futures::FutureExt::now_or_never(call.as_mut()).is_none());
    drop(call);
    let reply = lm.complete(ask("q")).await.unwrap();
    assert!(!reply.cache_hit);
    assert_eq!(model.calls.load(SeqCst), 2);
}

#[tokio::test]
async fn the_memory_tier_is_bounded_by_entries() {
    let model = counting(0);
    let lm = Arc::clone(&model).layer(Cache::memory(5));
    for i in 0..200 {
        lm.complete(ask(&format!("q{i}"))).await.unwrap();
    }
    lm.tiers.memory.run_pending_tasks().await;
    assert!(lm.tiers.memory.entry_count() <= 5, "{} entries", lm.tiers.memory.entry_count());
    // Evicted entries are misses: asking everything again calls the model again.
    for i in 0..200 {
        lm.complete(ask(&format!("q{i}"))).await.unwrap();
    }
    assert!(model.calls.load(SeqCst) >= 390, "{} calls", model.calls.load(SeqCst));
}

#[tokio::test]
async fn the_memory_tier_can_be_bounded_by_bytes() {
    let model = counting(0);
    let lm = Arc::clone(&model).layer(Cache::memory(1_000_000).with_memory_bytes(4_096));
    let long = "x".repeat(1_000);
    for i in 0..50 {
        lm.complete(ask(&format!("{i} {long}"))).await.unwrap();
    }
    lm.tiers.memory.run_pending_tasks().await;
    let weighted = lm.tiers.memory.weighted_size();
    assert!(weighted <= 4_096, "{weighted} bytes");
    assert!(lm.tiers.memory.entry_count() <= 4);
}

#[cfg(feature = "disk-cache")]
mod on_disk {
    use std::path::PathBuf;

    use super::*;
    use crate::layer::cache::disk::FILE_NAME;

    /// A fresh directory under the system's temporary directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!("cognate-cache-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            TempDir(dir)
        }

        fn db(&self) -> rusqlite::Connection {
            rusqlite::Connection::open(self.0.join(FILE_NAME)).unwrap()
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[tokio::test]
    async fn responses_survive_a_new_cache_on_the_same_directory() {
        let dir = TempDir::new("survive");
        let first = counting(0);
        {
            let lm = Arc::clone(&first).layer(Cache::disk(&dir.0));
            assert!(lm.is_persistent());
            assert_eq!(lm.disk_path(), Some(dir.0.join(FILE_NAME).as_path()));
            for i in 0..20 {
                assert!(!lm.complete(ask(&format!("q{i}"))).await.unwrap().cache_hit);
            }
            let usage = lm.disk_usage().await.unwrap();
            assert_eq!((usage.entries, usage.max_bytes), (20, DEFAULT_DISK_BYTES));
        }
        let second = counting(0);
        let lm = Arc::clone(&second).layer(Cache::disk(&dir.0));
        let log = EventLog::default();
        let _guard = log.install();
        for i in 0..20 {
            let reply = lm.complete(ask(&format!("q{i}"))).await.unwrap();
            assert!(reply.cache_hit);
            assert_eq!(reply.choices[0].text, format!("re: q{i}"));
            assert_eq!(reply.usage.total_tokens, 7, "the original call's usage");
        }
        assert_eq!(second.calls.load(SeqCst), 0);
        let hits = log.events_with("cognate::lm", "lm cache hit");
        assert_eq!(hits.len(), 20);
        assert!(hits.iter().all(|e| e.field("tier") == Some("disk")));
        // Once read, an entry is in memory too.
        lm.complete(ask("q0")).await.unwrap();
        assert_eq!(log.events_with("cognate::lm", "lm cache hit").last().unwrap().field("tier"), Some("memory"));
    }

    #[tokio::test]
    async fn an_unopenable_directory_degrades_to_memory_with_a_warning() {
        let dir = TempDir::new("unopenable");
        std::fs::create_dir_all(&dir.0).unwrap();
        let file = dir.0.join("a-file");
        std::fs::write(&file, "not a directory").unwrap();
        let log = EventLog::default();
        let _guard = log.install();
        let mock = MockLm::new(["a"]);
        let lm = mock.clone().layer(Cache::disk(file.join("cache")));
        assert!(!lm.is_persistent());
        assert_eq!(lm.disk_path(), None);
        assert_eq!(lm.disk_usage().await, None);
        let warnings = log.events_with("cognate::lm", "lm cache cannot open its directory");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].level, tracing::Level::WARN);
        assert!(warnings[0].field("dir").unwrap().ends_with("cache"));
        assert!(warnings[0].field("error").unwrap().contains("cannot create the cache directory"));
        // It still caches, in memory.
        lm.complete(ask("q")).await.unwrap();
        assert!(lm.complete(ask("q")).await.unwrap().cache_hit);
        assert_eq!(mock.call_count(), 1);
    }

    #[tokio::test]
    async fn a_file_that_is_not_a_database_degrades_to_memory() {
        let dir = TempDir::new("not-a-db");
        std::fs::create_dir_all(&dir.0).unwrap();
        std::fs::write(dir.0.join(FILE_NAME), vec![0xA5; 8192]).unwrap();
        let log = EventLog::default();
        let _guard = log.install();
        let lm = MockLm::new(["a"]).layer(Cache::disk(&dir.0));
        assert!(!lm.is_persistent());
        let warnings = log.events_with("cognate::lm", "lm cache cannot open its directory");
        assert_eq!(warnings.len(), 1, "{:?}", log.events());
        // The file is left as it was: it may be someone else's.
        assert_eq!(std::fs::read(dir.0.join(FILE_NAME)).unwrap(), vec![0xA5; 8192]);
    }

    #[tokio::test]
    async fn a_database_of_a_newer_version_is_left_alone() {
        let dir = TempDir::new("newer");
        drop(MockLm::default().layer(Cache::disk(&dir.0)));
        dir.db().pragma_update(None, "user_version", 2).unwrap();
        let log = EventLog::default();
        let _guard = log.install();
        let lm = MockLm::default().layer(Cache::disk(&dir.0));
        assert!(!lm.is_persistent());
        let warnings = log.events_with("cognate::lm", "lm cache cannot open its directory");
        assert!(warnings[0].field("error").unwrap().contains("schema version 2"), "{warnings:?}");
    }

    #[tokio::test]
    async fn an_unreadable_entry_is_a_miss_and_is_replaced() {
        let dir = TempDir::new("corrupt-row");
        let model = counting(0);
        let lm = Arc::clone(&model).layer(Cache::disk(&dir.0));
        for q in ["a", "b", "c"] {
            lm.complete(ask(q)).await.unwrap();
        }
        let key = |q: &str| CacheKey::of("", "counting", &ask(q)).to_string();
        let db = dir.db();
        db.execute("UPDATE entries SET value = x'7b2263686f69636573223a' WHERE key = ?1", [key("a")]).unwrap();
        let no_choices =
            r#"{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2},"model":"m"}"#;
        db.execute("UPDATE entries SET value = ?2 WHERE key = ?1", (key("b"), no_choices.as_bytes())).unwrap();
        // A value of the wrong SQL type.
        db.execute("UPDATE entries SET value = 12 WHERE key = ?1", [key("c")]).unwrap();
        drop(lm);

        let log = EventLog::default();
        let _guard = log.install();
        let lm = Arc::clone(&model).layer(Cache::disk(&dir.0));
        for q in ["a", "b", "c"] {
            let reply = lm.complete(ask(q)).await.unwrap();
            assert!(!reply.cache_hit, "{q}");
            assert_eq!(reply.choices[0].text, format!("re: {q}"));
        }
        assert_eq!(model.calls.load(SeqCst), 6);
        let unreadable = log.events_with("cognate::lm", "lm cache entry on disk is unreadable");
        assert_eq!(unreadable.len(), 3);
        assert_eq!(unreadable[1].field("reason"), Some("a response with no choices"));
        assert_eq!(unreadable[0].level, tracing::Level::WARN);
        // All three were replaced by the fresh responses.
        drop(lm);
        let again = counting(0);
        let lm = Arc::clone(&again).layer(Cache::disk(&dir.0));
        for q in ["a", "b", "c"] {
            assert!(lm.complete(ask(q)).await.unwrap().cache_hit, "{q}");
        }
        assert_eq!(again.calls.load(SeqCst), 0);
        assert_eq!(lm.disk_usage().await.unwrap().entries, 3);
    }

    #[tokio::test]
    async fn disk_failures_are_warnings_never_errors() {
        let dir = TempDir::new("broken");
        let model = counting(0);
        let lm = Arc::clone(&model).layer(Cache::disk(&dir.0));
        lm.complete(ask("before")).await.unwrap();
        dir.db().execute_batch("DROP TABLE entries").unwrap();
        let log = EventLog::default();
        let _guard = log.install();
        let reply = lm.complete(ask("after")).await.unwrap();
        assert_eq!(reply.choices[0].text, "re: after");
        assert_eq!(log.events_with("cognate::lm", "lm cache cannot read from disk").len(), 1);
        let write = log.events_with("cognate::lm", "lm cache cannot write to disk");
        assert_eq!(write.len(), 1);
        assert!(write[0].field("error").unwrap().contains("no such table"), "{write:?}");
        // Still cached in memory.
        assert!(lm.complete(ask("after")).await.unwrap().cache_hit);
    }

    #[tokio::test]
    async fn the_disk_tier_is_bounded_in_bytes_and_evicts_the_least_recently_used() {
        let dir = TempDir::new("bounded");
        let bound = 32 * 1024;
        let model = counting(0);
        // No memory tier, so every hit reads the disk.
        let lm = Arc::clone(&model).layer(Cache::disk(&dir.0).with_memory_entries(0).with_disk_bytes(bound));
        let long = "x".repeat(900);
        for i in 0..400 {
            lm.complete(ask(&format!("{i} {long}"))).await.unwrap();
            let usage = lm.disk_usage().await.unwrap();
            assert!(usage.bytes <= bound, "{} bytes after {i} writes", usage.bytes);
            // Eviction takes it down to 90% of the bound, no further (entries are ~1 KB).
            if i >= 40 {
                assert!(usage.bytes > bound * 8 / 10, "{} bytes after {i} writes", usage.bytes);
            }
        }
        let usage = lm.disk_usage().await.unwrap();
        assert!(usage.entries >= 20, "{usage:?}");
        // The totals kept by the triggers agree with the rows.
        let db = dir.db();
        let (rows, bytes): (u64, u64) =
            db.query_row("SELECT COUNT(*), SUM(size) FROM entries", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        assert_eq!((rows, bytes), (usage.entries, usage.bytes));
        // The newest entries are the ones kept.
        let calls = model.calls.load(SeqCst);
        assert!(lm.complete(ask(&format!("399 {long}"))).await.unwrap().cache_hit);
        assert!(!lm.complete(ask(&format!("0 {long}"))).await.unwrap().cache_hit);
        assert_eq!(model.calls.load(SeqCst), calls + 1);
        // The space is given back: after a checkpoint the file is a few times the bound, not the
        // 400 KB written.
        drop(lm);
        db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
        let file = std::fs::metadata(dir.0.join(FILE_NAME)).unwrap().len();
        assert!(file <= 4 * bound, "{file} bytes on disk");
    }

    #[tokio::test]
    async fn a_disk_hit_refreshes_a_stale_last_use_so_eviction_spares_it() {
        let dir = TempDir::new("touch");
        let long = "z".repeat(900);
        let model = counting(0);
        let lm = Arc::clone(&model).layer(Cache::disk(&dir.0).with_memory_entries(0).with_disk_bytes(16 * 1024));
        for i in 0..10 {
            lm.complete(ask(&format!("{i} {long}"))).await.unwrap();
        }
        // Everything was used long ago; entry 0 (the oldest) is read again now.
        let db = dir.db();
        db.execute("UPDATE entries SET last_used = 1000", []).unwrap();
        assert!(lm.complete(ask(&format!("0 {long}"))).await.unwrap().cache_hit);
        let key = CacheKey::of("", "counting", &ask(&format!("0 {long}"))).to_string();
        let used: i64 = db.query_row("SELECT last_used FROM entries WHERE key = ?1", [&key], |r| r.get(0)).unwrap();
        assert!(used > 1_000_000_000_000, "last use not refreshed: {used}");
        // New writes push the total over the bound: the eviction takes stale entries (1 to 9),
        // never entry 0, read since.
        for i in 10..20 {
            lm.complete(ask(&format!("{i} {long}"))).await.unwrap();
        }
        let stored = |i: usize| {
            let key = CacheKey::of("", "counting", &ask(&format!("{i} {long}"))).to_string();
            db.query_row("SELECT COUNT(*) FROM entries WHERE key = ?1", [&key], |r| r.get::<_, i64>(0)).unwrap() == 1
        };
        assert!(stored(0));
        assert!((10..20).all(stored));
        let evicted = (1..10).filter(|&i| !stored(i)).count();
        assert!(evicted >= 5, "{evicted} stale entries evicted");
    }

    #[tokio::test]
    async fn a_response_larger_than_the_disk_bound_stays_in_memory() {
        let dir = TempDir::new("too-large");
        let lm = counting(0).layer(Cache::disk(&dir.0).with_disk_bytes(100));
        lm.complete(ask(&"y".repeat(500))).await.unwrap();
        assert_eq!(lm.disk_usage().await.unwrap().entries, 0);
        assert!(lm.complete(ask(&"y".repeat(500))).await.unwrap().cache_hit);
    }

    #[test]
    fn the_disk_tier_works_outside_a_runtime_too() {
        let dir = TempDir::new("no-runtime");
        let lm = counting(0).layer(Cache::disk(&dir.0));
        let run = |lm: &CachedLm<Arc<Counting>>| futures::executor::block_on(lm.complete(ask("q"))).unwrap();
        assert!(!run(&lm).cache_hit);
        drop(lm);
        let lm = counting(0).layer(Cache::disk(&dir.0));
        assert!(run(&lm).cache_hit);
    }
}
