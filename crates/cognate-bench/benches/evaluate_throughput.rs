//! `cargo bench -p cognate-bench --bench evaluate_throughput`: `Evaluate` throughput at
//! concurrency 1, 8, 32, 128 and 1024 against the mock server with 50 ms of latency.
//!
//! Set `COGNATE_BENCH_BASE_URL` to a running `cognate-mock-lm --latency-ms 50` (the honest
//! setup: the server in its own process, see `run.sh`); without it, a `MockServer` is started
//! in this process on its own single-threaded runtime.

use std::time::Duration;

use cognate_bench::throughput::{client, evaluate_throughput, examples_for};
use cognate_testing::{MockServer, MockServerConfig};

const LATENCY: Duration = Duration::from_millis(50);

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let (base_url, _server) = match std::env::var("COGNATE_BENCH_BASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let (tx, rx) = std::sync::mpsc::channel();
            let server = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
                rt.block_on(async {
                    let server = MockServer::start(MockServerConfig::default().with_latency(LATENCY))
                        .await
                        .expect("the mock server starts");
                    tx.send(server.base_url().to_owned()).expect("the bench waits for the url");
                    std::future::pending::<()>().await;
                });
            });
            (rx.recv().expect("the mock server's url"), Some(server))
        }
    };
    let lm = client(&base_url);
    // A current-thread runtime, as `cognate-bench evaluate` uses by default (see docs/benchmarks.md).
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    rt.block_on(async {
        for c in [1, 8, 32, 128, 1024] {
            let n = if quick { c.min(4) } else { examples_for(c, LATENCY, 5.0, 200) };
            let t = evaluate_throughput(&lm, c, n, LATENCY).await;
            println!(
                "evaluate c={c:>4}: {:>9.1} examples/s = {:>5.1}% of ideal ({} examples in {:.2} s, {} errors)",
                t.per_second,
                100.0 * t.fraction_of_ideal,
                t.examples,
                t.seconds,
                t.errors
            );
        }
    });
    // The in-process server thread never ends; exiting the process stops it.
    std::process::exit(0);
}
