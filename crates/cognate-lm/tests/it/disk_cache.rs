//! The disk tier across processes: a cache written by one process is read by the next
//! (zero model calls), and two processes writing one directory at once corrupt nothing.
//!
//! Each test runs this binary again as a child process, with `COGNATE_CACHE_CHILD` naming its
//! role (`fill` or `write-<n>`) and `COGNATE_CACHE_DIR` the directory; the child runs only
//! its test (`--exact`), does its part and exits. Not a skip: the variables are set only by
//! these tests, on the children they spawn.

#![cfg(feature = "disk-cache")]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;

use cognate_core::{LanguageModel, LanguageModelExt, LmError, LmRequest, Message};
use cognate_lm::{Cache, CachedLm};
use cognate_testing::MockLm;
use tokio::task::JoinSet;

const CHILD_ENV: &str = "COGNATE_CACHE_CHILD";
const DIR_ENV: &str = "COGNATE_CACHE_DIR";
/// What a writer child prints when its cache is open, and before its count of model calls.
const READY: &str = "cognate-cache-ready";
const CALLS: &str = "cognate-cache-model-calls ";

/// Keys each process writes alone, and keys both write.
const OWN: usize = 300;
const SHARED: usize = 300;
/// Concurrent tasks per process.
const TASKS: usize = 8;

fn ask(question: &str) -> LmRequest {
    LmRequest::new(vec![Message::user(question)])
}

/// A model whose answer is a function of the question (so both processes store the same
/// value under a shared key).
fn echo() -> MockLm {
    MockLm::from_fn(|r| Ok(format!("re: {}", r.messages[0].content)))
}

/// A model that must not be called.
fn unreachable_model() -> MockLm {
    MockLm::from_fn(|r| Err(LmError::Other(format!("the model was called for {:?}", r.messages[0].content))))
}

/// A fresh directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("cognate-disk-cache-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs test `name` of this binary as a child with `role`, stdin and stdout piped.
fn spawn_child(name: &str, role: &str, dir: &Path) -> Child {
    cognate_testing::rerun_test(module_path!(), name)
        .env(CHILD_ENV, role)
        .env(DIR_ENV, dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// This process's role, when it is a child.
fn child_role() -> Option<(String, PathBuf)> {
    Some((std::env::var(CHILD_ENV).ok()?, std::env::var_os(DIR_ENV)?.into()))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Every key either process writes.
fn all_keys() -> Vec<String> {
    let own = (0..2).flat_map(|p| (0..OWN).map(move |i| format!("process {p} key {i}")));
    own.chain((0..SHARED).map(|i| format!("shared key {i}"))).collect()
}

/// Reads every key back through a new cache whose model fails: each must be a disk hit with
/// the right value.
async fn assert_all_on_disk(dir: &Path, keys: &[String]) {
    let model = unreachable_model();
    let lm = model.clone().layer(Cache::disk(dir));
    assert!(lm.is_persistent());
    for key in keys {
        let reply = lm.complete(ask(key)).await.unwrap_or_else(|e| panic!("`{key}` is not on disk: {e}"));
        assert!(reply.cache_hit, "{key}");
        assert_eq!(reply.choices[0].text, format!("re: {key}"));
    }
    assert_eq!(model.call_count(), 0);
    assert_eq!(lm.disk_usage().await.unwrap().entries, keys.len() as u64);
}

/// SQLite's own check of the file, and the totals kept by triggers against the rows.
fn assert_not_corrupt(dir: &Path) {
    let db = rusqlite::Connection::open(dir.join("cognate-lm-cache.sqlite3")).unwrap();
    let check: String = db.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let rows: (i64, i64) = db
        .query_row("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM entries", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    let totals: (i64, i64) =
        db.query_row("SELECT entries, bytes FROM totals", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(rows, totals);
}

#[test]
fn the_disk_cache_survives_a_process_restart() {
    if let Some((role, dir)) = child_role() {
        assert_eq!(role, "fill");
        runtime().block_on(async {
            let model = echo();
            let lm = model.clone().layer(Cache::disk(&dir));
            assert!(lm.is_persistent());
            for i in 0..100 {
                assert!(!lm.complete(ask(&format!("question {i}"))).await.unwrap().cache_hit);
            }
            assert_eq!(model.call_count(), 100);
        });
        return;
    }
    let dir = TempDir::new("restart");
    let child = spawn_child("the_disk_cache_survives_a_process_restart", "fill", &dir.0);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "the child failed: {output:?}");
    let keys: Vec<String> = (0..100).map(|i| format!("question {i}")).collect();
    runtime().block_on(assert_all_on_disk(&dir.0, &keys));
    assert_not_corrupt(&dir.0);
}

/// One process's part: `TASKS` tasks write this process's own keys and the shared ones,
/// through a cache with no memory tier (every call goes to the disk).
async fn write_keys(lm: CachedLm<MockLm>, process: usize) {
    let lm = Arc::new(lm);
    let mut tasks = JoinSet::new();
    for task in 0..TASKS {
        let lm = Arc::clone(&lm);
        tasks.spawn(async move {
            for i in (task..OWN.max(SHARED)).step_by(TASKS) {
                if i < OWN {
                    lm.complete(ask(&format!("process {process} key {i}"))).await.unwrap();
                }
                if i < SHARED {
                    lm.complete(ask(&format!("shared key {i}"))).await.unwrap();
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
}

#[test]
fn two_processes_writing_one_directory_corrupt_nothing() {
    let name = "two_processes_writing_one_directory_corrupt_nothing";
    if let Some((role, dir)) = child_role() {
        let process: usize = role.strip_prefix("write-").unwrap().parse().unwrap();
        runtime().block_on(async {
            let model = echo();
            let lm = model.clone().layer(Cache::disk(&dir).with_memory_entries(0));
            assert!(lm.is_persistent());
            // Ready; wait for the parent's go so that both processes write at once.
            println!("{READY}");
            let mut go = String::new();
            std::io::stdin().read_line(&mut go).unwrap();
            write_keys(lm, process).await;
            println!("{CALLS}{}", model.call_count());
        });
        return;
    }
    let dir = TempDir::new("two-writers");
    let mut children: Vec<Child> = (0..2).map(|p| spawn_child(name, &format!("write-{p}"), &dir.0)).collect();
    let mut outputs = Vec::new();
    for child in &mut children {
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // libtest prints `test <name> ... ` before the test's own output, on the same line.
        let ready = lines.by_ref().map_while(Result::ok).any(|line| line.ends_with(READY));
        assert!(ready, "a child did not open its cache");
        outputs.push(lines);
    }
    for child in &mut children {
        child.stdin.take().unwrap().write_all(b"go\n").unwrap();
    }
    let mut calls = 0;
    for (child, lines) in children.iter_mut().zip(outputs) {
        let reported: Vec<String> = lines.map_while(Result::ok).collect();
        let status = child.wait().unwrap();
        assert!(status.success(), "a child failed ({status}): {reported:?}");
        let line = reported.iter().find_map(|l| l.split_once(CALLS)).expect("the child reports its calls").1;
        calls += line.trim().parse::<usize>().unwrap();
    }
    // Each own key was computed once; a shared key once or twice (both may miss at once).
    assert!((2 * OWN + SHARED..=2 * OWN + 2 * SHARED).contains(&calls), "{calls} model calls");
    runtime().block_on(assert_all_on_disk(&dir.0, &all_keys()));
    assert_not_corrupt(&dir.0);
}
