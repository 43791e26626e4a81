//! `cargo bench -p cognate-bench --bench predict_overhead`: Cognate's overhead per
//! `Predict` call on an in-process LM, zero-shot and with 4 demos.

use cognate_bench::overhead::{OverheadConfig, predict_overhead};

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: run tiny then.
    let quick = !std::env::args().any(|a| a == "--bench");
    for demos in [0, 4] {
        let config =
            if quick { OverheadConfig::smoke() } else { OverheadConfig { demos, ..OverheadConfig::default() } };
        let s = predict_overhead(&OverheadConfig { demos, ..config });
        println!(
            "predict_overhead demos={demos}: median {:.2} µs/call, p95 {:.2}, min {:.2} ({} runs of {} calls)",
            s.median, s.p95, s.min, s.runs, config.calls_per_run
        );
    }
}
