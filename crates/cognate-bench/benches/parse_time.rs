//! `cargo bench -p cognate-bench --bench parse_time`: adapter parse time on junk and
//! well-formed replies from 64 KiB to 8 MiB (see `docs/benchmarks.md`).
//!
//! `SIZES_KIB` (comma-separated, default `64,256,1024,4096,8192`) and `REPEAT` (default 3)
//! change the grid.

use cognate_bench::parse_time::measure;

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: run tiny then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let sizes: Vec<usize> = if quick {
        vec![4 << 10]
    } else {
        std::env::var("SIZES_KIB")
            .unwrap_or_else(|_| "64,256,1024,4096,8192".into())
            .split(',')
            .map(|s| s.trim().parse::<usize>().expect("SIZES_KIB: comma-separated integers") << 10)
            .collect()
    };
    let repeat = std::env::var("REPEAT").ok().and_then(|r| r.parse().ok()).unwrap_or(if quick { 1 } else { 3 });
    println!("| shape | adapter | size | time | ns/byte |");
    println!("|---|---|---:|---:|---:|");
    measure(&sizes, repeat, |p| {
        println!(
            "| {} | {} | {} KiB | {:.1} ms | {:.1} |",
            p.shape.name(),
            p.adapter,
            p.bytes >> 10,
            p.time.as_secs_f64() * 1e3,
            p.ns_per_byte()
        );
    });
}
