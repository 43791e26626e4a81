//! Summary statistics over repeated runs.

use serde::Serialize;

/// The spread of one measurement over repeated runs (all values in the measurement's unit).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stats {
    /// Number of runs.
    pub runs: usize,
    /// The median run.
    pub median: f64,
    /// The 95th percentile (nearest rank).
    pub p95: f64,
    /// The fastest run.
    pub min: f64,
    /// The slowest run.
    pub max: f64,
}

impl Stats {
    /// Statistics of `samples`. An empty slice gives zeros.
    pub fn of(samples: &[f64]) -> Stats {
        if samples.is_empty() {
            return Stats { runs: 0, median: 0.0, p95: 0.0, min: 0.0, max: 0.0 };
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        // Nearest rank: the smallest value with at least 95% of the samples at or below it.
        let rank = ((0.95 * n as f64).ceil() as usize).clamp(1, n);
        Stats { runs: n, median, p95: sorted[rank - 1], min: sorted[0], max: sorted[n - 1] }
    }
}

#[cfg(test)]
mod tests {
    use super::Stats;

    #[test]
    fn median_and_p95() {
        let s = Stats::of(&[5.0, 1.0, 3.0, 2.0, 4.0]);
        assert_eq!((s.runs, s.median, s.p95, s.min, s.max), (5, 3.0, 5.0, 1.0, 5.0));
        let s = Stats::of(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!(s.median, 2.5);
        let many: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(Stats::of(&many).p95, 95.0);
        assert_eq!(Stats::of(&[]).runs, 0);
    }
}
