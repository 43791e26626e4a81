//! Runs Cognate's side of the benchmarks and prints one JSON object per measurement.
//!
//! ```sh
//! cognate-bench overhead [--runs 15] [--calls 20000] [--demos 0]
//! cognate-bench evaluate --base-url http://127.0.0.1:8089/v1 [--latency-ms 50] \
//!     [--concurrency 1,8,32,128,1024] [--seconds 5] [--min-examples 200] [--repeat 3] [--workers 0]
//! cognate-bench memory --base-url http://127.0.0.1:8089/v1 [--concurrency 1024] [--examples 100000] [--lazy true] [--workers 0]
//! cognate-bench optimize --base-url http://127.0.0.1:8089/v1 [--latency-ms 50] [--repeat 3] [--train 32] [--val 32] \
//!     [--candidates 4] [--threads 8]
//! ```

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Duration;

use cognate_bench::Stats;
use cognate_bench::memory::evaluate_memory;
use cognate_bench::optimize::{OptimizeConfig, optimizer_wall_times};
use cognate_bench::overhead::{OverheadConfig, predict_overhead};
use cognate_bench::throughput::{client, evaluate_throughput, examples_for};
use serde_json::json;

const USAGE: &str = "usage: cognate-bench overhead [--runs N] [--calls N] [--demos N]\n       \
     cognate-bench evaluate --base-url URL [--latency-ms 50] [--concurrency 1,8,32,128,1024] \
     [--seconds 5] [--min-examples 200] [--repeat 3] [--workers 0]\n       \
     cognate-bench memory --base-url URL [--concurrency 1024] [--examples 100000] [--lazy true] [--workers 0]\n       \
     cognate-bench optimize --base-url URL [--latency-ms 50] [--repeat 3] [--train 32] [--val 32] [--candidates 4] [--threads 8]";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(command) = args.next() else {
        eprintln!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let flags = match parse_flags(args) {
        Ok(flags) => flags,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let result = match command.as_str() {
        "overhead" => overhead(&flags),
        "evaluate" => evaluate(&flags),
        "optimize" => optimize(&flags),
        "memory" => memory(&flags),
        _ => Err(format!("unknown command `{command}`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}

type Flags = HashMap<String, String>;

fn parse_flags(mut args: impl Iterator<Item = String>) -> Result<Flags, String> {
    let mut flags = Flags::new();
    while let Some(flag) = args.next() {
        let name = flag.strip_prefix("--").ok_or_else(|| format!("unexpected argument `{flag}`"))?;
        let value = args.next().ok_or_else(|| format!("`{flag}` needs a value"))?;
        flags.insert(name.to_owned(), value);
    }
    Ok(flags)
}

fn get<T: std::str::FromStr>(flags: &Flags, name: &str, default: T) -> Result<T, String> {
    match flags.get(name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| format!("invalid value `{v}` for `--{name}`")),
    }
}

fn overhead(flags: &Flags) -> Result<(), String> {
    let default = OverheadConfig::default();
    let config = OverheadConfig {
        warmup_calls: get(flags, "warmup", default.warmup_calls)?,
        calls_per_run: get(flags, "calls", default.calls_per_run)?,
        runs: get(flags, "runs", default.runs)?,
        demos: get(flags, "demos", default.demos)?,
    };
    let stats: Stats = predict_overhead(&config);
    let line = json!({
        "bench": "overhead",
        "framework": "cognate",
        "demos": config.demos,
        "calls_per_run": config.calls_per_run,
        "us_per_call": stats,
    });
    println!("{line}");
    Ok(())
}

fn evaluate(flags: &Flags) -> Result<(), String> {
    let base_url = flags.get("base-url").ok_or("`--base-url` is required")?.clone();
    let latency = Duration::from_millis(get(flags, "latency-ms", 50u64)?);
    let seconds: f64 = get(flags, "seconds", 5.0)?;
    let min_examples: usize = get(flags, "min-examples", 200)?;
    let repeat: usize = get(flags, "repeat", 3)?;
    let concurrency: Vec<usize> = flags
        .get("concurrency")
        .map_or("1,8,32,128,1024", String::as_str)
        .split(',')
        .map(|c| c.trim().parse().map_err(|_| format!("invalid concurrency `{c}`")))
        .collect::<Result<_, _>>()?;
    // `--workers 0`: a current-thread runtime; otherwise a multi-thread one (default: one
    // worker per core). The evaluation runs as a spawned task, on a worker, as a server's
    // request handler would.
    let workers: usize = get(flags, "workers", 0)?;
    let mut builder = if workers == 0 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(workers);
        b
    };
    let runtime = builder.enable_all().build().map_err(|e| format!("cannot start tokio: {e}"))?;
    let lm = client(&base_url);
    let task = runtime.spawn(async move {
        // Warm up: open connections and fault in the code paths.
        let max = concurrency.iter().copied().max().unwrap_or(1);
        let _ = evaluate_throughput(&lm, max, max, latency).await;
        for &c in &concurrency {
            let examples = examples_for(c, latency, seconds, min_examples);
            let runs: Vec<_> = {
                let mut runs = Vec::with_capacity(repeat);
                for _ in 0..repeat.max(1) {
                    runs.push(evaluate_throughput(&lm, c, examples, latency).await);
                }
                runs
            };
            let rates: Vec<f64> = runs.iter().map(|r| r.per_second).collect();
            let stats = Stats::of(&rates);
            let ideal = runs[0].ideal_per_second;
            let line = json!({
                "bench": "evaluate",
                "framework": "cognate",
                "concurrency": c,
                "examples": examples,
                "errors": runs.iter().map(|r| r.errors).sum::<usize>(),
                "per_second": stats,
                "ideal_per_second": ideal,
                "fraction_of_ideal": stats.median / ideal,
                "seconds": runs.iter().map(|r| r.seconds).collect::<Vec<_>>(),
                "cpu_us_per_example": runs.iter().map(|r| r.cpu_us_per_example).collect::<Vec<_>>(),
                "load_average": load_average(),
            });
            println!("{line}");
        }
    });
    runtime.block_on(task).map_err(|e| format!("the benchmark task failed: {e}"))
}

fn runtime(workers: usize) -> Result<tokio::runtime::Runtime, String> {
    let mut builder = if workers == 0 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(workers);
        b
    };
    builder.enable_all().build().map_err(|e| format!("cannot start tokio: {e}"))
}

fn memory(flags: &Flags) -> Result<(), String> {
    let base_url = flags.get("base-url").ok_or("`--base-url` is required")?.clone();
    let concurrency: usize = get(flags, "concurrency", 1024)?;
    let examples: usize = get(flags, "examples", 100_000)?;
    let lazy: bool = get(flags, "lazy", true)?;
    let runtime = runtime(get(flags, "workers", 0)?)?;
    let lm = client(&base_url);
    let task = runtime.spawn(async move {
        let m = evaluate_memory(&lm, concurrency, examples, lazy).await;
        let line = json!({"bench": "memory", "framework": "cognate", "result": m});
        println!("{line}");
    });
    runtime.block_on(task).map_err(|e| format!("the benchmark task failed: {e}"))
}

fn optimize(flags: &Flags) -> Result<(), String> {
    let base_url = flags.get("base-url").ok_or("`--base-url` is required")?.clone();
    let repeat: usize = get(flags, "repeat", 3)?;
    // Only recorded: the server's latency, for the tables.
    let latency_ms: u64 = get(flags, "latency-ms", 50)?;
    let default = OptimizeConfig::default();
    let config = OptimizeConfig {
        train: get(flags, "train", default.train)?,
        val: get(flags, "val", default.val)?,
        candidates: get(flags, "candidates", default.candidates)?,
        threads: get(flags, "threads", default.threads)?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start tokio: {e}"))?;
    let lm = std::sync::Arc::new(client(&base_url));
    let task = runtime.spawn(async move {
        let mut by_optimizer: Vec<Vec<cognate_bench::optimize::OptimizerRun>> = Vec::new();
        for _ in 0..repeat.max(1) {
            for (i, run) in optimizer_wall_times(lm.clone(), &config).await.into_iter().enumerate() {
                if by_optimizer.len() <= i {
                    by_optimizer.push(Vec::new());
                }
                by_optimizer[i].push(run);
            }
        }
        for runs in by_optimizer {
            let seconds: Vec<f64> = runs.iter().map(|r| r.seconds).collect();
            let last = &runs[runs.len() - 1];
            let line = json!({
                "bench": "optimize",
                "framework": "cognate",
                "optimizer": last.optimizer,
                "latency_ms": latency_ms,
                "config": config,
                "seconds": Stats::of(&seconds),
                "lm_calls": last.lm_calls,
                "trials": last.trials,
                "demos": last.demos,
                "best_score": last.best_score,
                "load_average": load_average(),
            });
            println!("{line}");
        }
    });
    runtime.block_on(task).map_err(|e| format!("the benchmark task failed: {e}"))
}

/// The 1-minute load average, from `/proc/loadavg` (Linux).
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}
