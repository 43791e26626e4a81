//! Each benchmark runs once on tiny sizes. Nothing here asserts anything about time.

use std::time::Duration;

use cognate_bench::overhead::{OverheadConfig, predict_overhead};
use cognate_bench::throughput::{client, evaluate_throughput, examples_for};
use cognate_testing::{MockServer, MockServerConfig};

#[test]
fn overhead_runs() {
    let stats = predict_overhead(&OverheadConfig::smoke());
    assert_eq!(stats.runs, 1);
    assert!(stats.median > 0.0);
    let zero_shot = predict_overhead(&OverheadConfig { demos: 0, ..OverheadConfig::smoke() });
    assert_eq!(zero_shot.runs, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluate_runs_against_the_mock_server() {
    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let lm = client(server.base_url());
    let t = evaluate_throughput(&lm, 3, 7, Duration::from_millis(50)).await;
    assert_eq!((t.examples, t.errors, t.concurrency), (7, 0, 3));
    assert_eq!(t.ideal_per_second, 60.0);
    assert_eq!(server.request_count(), 7);
}

#[test]
fn examples_cover_the_requested_time() {
    let latency = Duration::from_millis(50);
    assert_eq!(examples_for(1, latency, 5.0, 200), 200);
    assert_eq!(examples_for(1024, latency, 5.0, 200), 102_400);
}

#[test]
fn cpu_time_is_readable_on_linux() {
    if cfg!(target_os = "linux") {
        let before = cognate_bench::throughput::process_cpu_seconds().unwrap();
        let mut x = 0u64;
        for i in 0..50_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i));
        }
        assert!(cognate_bench::throughput::process_cpu_seconds().unwrap() >= before);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn optimizers_run_against_the_mock_server() {
    use cognate_bench::optimize::{OptimizeConfig, optimizer_wall_times};
    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let lm = std::sync::Arc::new(client(server.base_url()));
    let config = OptimizeConfig { train: 4, val: 4, candidates: 1, threads: 2 };
    let runs = optimizer_wall_times(lm, &config).await;
    let names: Vec<_> = runs.iter().map(|r| r.optimizer.as_str()).collect();
    assert_eq!(names, ["BootstrapFewShot", "BootstrapFewShotWithRandomSearch"]);
    // Zero-shot, labeled-only, unshuffled bootstrap and one seeded candidate.
    assert_eq!(runs[1].trials, 4);
    assert!(runs.iter().all(|r| r.lm_calls > 0));
}
