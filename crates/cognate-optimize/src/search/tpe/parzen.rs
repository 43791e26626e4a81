//! The Parzen estimator of one parameter: a weighted mixture of one kernel per observation
//! plus a prior kernel, as Optuna's TPE builds for `l(x)` (good trials) and `g(x)` (the rest).
//!
//! - Numeric parameters get truncated Gaussian kernels centred on the observations (in log
//!   space for log scales; integer steps widen the range by half a step each side and turn
//!   densities into the mass of the step's cell). A kernel's bandwidth is the larger distance
//!   to its sorted neighbours (the range bounds count as neighbours, except for the outermost
//!   kernels unless `consider_endpoints`), clipped to `[range / min(100, 1 + kernels), range]`
//!   (the "magic clip"). The prior kernel sits mid-range with the whole range as bandwidth.
//! - Categorical parameters get one row of probabilities per observation: `prior_weight /
//!   kernels` on every option plus 1 on the observed one, normalized; the prior row is uniform.
//!
//! Observation weights follow Optuna's default: all 1 below 25 observations, else a linear
//! ramp from `1/n` up to 1 for the oldest `n − 25` and 1 for the newest 25. The prior kernel
//! weighs `prior_weight`; weights are normalized.

use cognate_runtime::variable::RandomSource;

use super::truncnorm;

/// The smallest bandwidth without the magic clip.
const EPS: f64 = 1e-12;

/// What a parameter is, in the estimator's internal representation (numbers, or option
/// indices for categorical parameters).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    /// A number in `[low, high]`, on the `step` grid from `low` when there is one.
    Numeric { low: f64, high: f64, step: Option<f64>, log: bool },
    /// One of `n` options, observed and sampled as indices.
    Categorical { n: usize },
}

/// Optuna's Parzen estimator settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Settings {
    pub(crate) prior_weight: f64,
    pub(crate) consider_magic_clip: bool,
    pub(crate) consider_endpoints: bool,
}

/// A one-dimensional Parzen estimator.
#[derive(Debug, Clone)]
pub(crate) struct Parzen {
    /// Normalized kernel weights; the last kernel is the prior.
    weights: Vec<f64>,
    kernels: Kernels,
}

#[derive(Debug, Clone)]
enum Kernels {
    Numeric {
        mus: Vec<f64>,
        sigmas: Vec<f64>,
        /// The kernels' support, transformed (log, widened by half steps).
        low: f64,
        high: f64,
        /// The parameter's own bounds.
        orig_low: f64,
        orig_high: f64,
        step: Option<f64>,
        log: bool,
    },
    Categorical {
        rows: Vec<Vec<f64>>,
    },
}

/// Optuna's default observation weights (oldest first).
pub(crate) fn default_weights(n: usize) -> Vec<f64> {
    if n < 25 {
        return vec![1.0; n];
    }
    let ramp = n - 25;
    let first = 1.0 / n as f64;
    let mut w: Vec<f64> = (0..ramp)
        .map(|i| if ramp == 1 { first } else { first + (1.0 - first) * i as f64 / (ramp - 1) as f64 })
        .collect();
    w.extend(std::iter::repeat_n(1.0, 25));
    w
}

impl Parzen {
    /// The estimator of `observations` (oldest first, internal representation).
    pub(crate) fn new(observations: &[f64], kind: &Kind, settings: Settings) -> Self {
        let n = observations.len();
        let mut weights = if n == 0 { vec![1.0] } else { default_weights(n) };
        if n > 0 {
            weights.push(settings.prior_weight);
        }
        let total: f64 = weights.iter().sum();
        weights.iter_mut().for_each(|w| *w /= total);
        let kernels = match *kind {
            Kind::Categorical { n: options } => {
                Kernels::Categorical { rows: categorical_rows(observations, options, settings) }
            }
            Kind::Numeric { low, high, step, log } => {
                let (mut lo, mut hi) = (low, high);
                if let Some(step) = step {
                    lo -= step / 2.0;
                    hi += step / 2.0;
                }
                let transform = |x: f64| if log { x.ln() } else { x };
                let (lo, hi) = (transform(lo), transform(hi));
                let mut mus: Vec<f64> = observations.iter().map(|&x| transform(x)).collect();
                let mut sigmas = bandwidths(&mus, lo, hi, settings);
                mus.push(0.5 * (lo + hi));
                sigmas.push(hi - lo);
                Kernels::Numeric { mus, sigmas, low: lo, high: hi, orig_low: low, orig_high: high, step, log }
            }
        };
        Parzen { weights, kernels }
    }

    /// Draws a value (internal representation).
    pub(crate) fn sample<R: RandomSource + ?Sized>(&self, rng: &mut R) -> f64 {
        let k = pick(&self.weights, rng.next_f64());
        match &self.kernels {
            Kernels::Categorical { rows } => pick(&rows[k], rng.next_f64()) as f64,
            Kernels::Numeric { mus, sigmas, low, high, orig_low, orig_high, step, log } => {
                let x = truncnorm::sample(rng.next_f64(), *low, *high, mus[k], sigmas[k]);
                let x = if *log { x.exp() } else { x };
                match step {
                    Some(step) => (orig_low + ((x - orig_low) / step).round() * step).clamp(*orig_low, *orig_high),
                    None => x.clamp(*orig_low, *orig_high),
                }
            }
        }
    }

    /// The log density (log probability for categorical and stepped parameters) at `x`.
    pub(crate) fn log_pdf(&self, x: f64) -> f64 {
        let mut terms = Vec::with_capacity(self.weights.len());
        for (k, w) in self.weights.iter().enumerate() {
            let component = match &self.kernels {
                Kernels::Categorical { rows } => rows[k].get(x as usize).copied().unwrap_or(0.0).ln(),
                Kernels::Numeric { mus, sigmas, low, high, step, log, .. } => {
                    let (mu, sigma) = (mus[k], sigmas[k]);
                    let transform = |v: f64| if *log { v.ln() } else { v };
                    match step {
                        None => truncnorm::logpdf(transform(x), *low, *high, mu, sigma),
                        Some(step) => {
                            let left = (transform(x - step / 2.0) - mu) / sigma;
                            let right = (transform(x + step / 2.0) - mu) / sigma;
                            truncnorm::log_gauss_mass(left, right)
                                - truncnorm::log_gauss_mass((low - mu) / sigma, (high - mu) / sigma)
                        }
                    }
                }
            };
            terms.push(w.ln() + component);
        }
        terms.into_iter().fold(f64::NEG_INFINITY, truncnorm::log_sum)
    }
}

/// The index `u` falls on in the cumulative `weights` (the last index absorbs rounding).
fn pick(weights: &[f64], u: f64) -> usize {
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if u < acc {
            return i;
        }
    }
    weights.len() - 1
}

/// One probability row per observation plus the uniform prior row.
fn categorical_rows(observations: &[f64], options: usize, settings: Settings) -> Vec<Vec<f64>> {
    if observations.is_empty() {
        return vec![vec![1.0 / options as f64; options]];
    }
    let kernels = observations.len() + 1;
    let base = settings.prior_weight / kernels as f64;
    let mut rows: Vec<Vec<f64>> = observations
        .iter()
        .map(|&x| {
            let mut row = vec![base; options];
            if let Some(cell) = row.get_mut(x as usize) {
                *cell += 1.0;
            }
            row
        })
        .collect();
    rows.push(vec![base; options]);
    for row in &mut rows {
        let sum: f64 = row.iter().sum();
        let sum = if sum == 0.0 { 1.0 } else { sum };
        row.iter_mut().for_each(|p| *p /= sum);
    }
    rows
}

/// The bandwidth of each kernel centred on `mus` (same order), in a range `[low, high]`.
fn bandwidths(mus: &[f64], low: f64, high: f64, settings: Settings) -> Vec<f64> {
    let n = mus.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| mus[a].total_cmp(&mus[b]));
    let mut points = Vec::with_capacity(n + 2);
    points.push(low);
    points.extend(order.iter().map(|&i| mus[i]));
    points.push(high);
    let mut sorted: Vec<f64> = (1..=n).map(|i| (points[i] - points[i - 1]).max(points[i + 1] - points[i])).collect();
    if !settings.consider_endpoints && points.len() >= 4 {
        sorted[0] = points[2] - points[1];
        sorted[n - 1] = points[n] - points[n - 1];
    }
    let max_sigma = high - low;
    let min_sigma =
        if settings.consider_magic_clip { (high - low) / f64::min(100.0, 1.0 + (n + 1) as f64) } else { EPS };
    let mut sigmas = vec![0.0; n];
    for (rank, &i) in order.iter().enumerate() {
        sigmas[i] = sorted[rank].clamp(min_sigma, max_sigma);
    }
    sigmas
}

#[cfg(test)]
mod tests {
    use cognate_runtime::variable::SeededRng;

    use super::*;

    const OPTUNA: Settings = Settings { prior_weight: 1.0, consider_magic_clip: true, consider_endpoints: false };

    #[test]
    fn weights_ramp_after_25() {
        assert_eq!(default_weights(3), vec![1.0; 3]);
        let w = default_weights(30);
        assert_eq!(w.len(), 30);
        assert!((w[0] - 1.0 / 30.0).abs() < 1e-12);
        assert!((w[4] - 1.0).abs() < 1e-12 && w[5..].iter().all(|&x| x == 1.0));
        assert!(w[..5].windows(2).all(|p| p[0] < p[1]));
    }

    #[test]
    fn bandwidths_follow_neighbours_and_clip() {
        // Range [0, 10], observations 9, 2, 3 → sorted points 0 | 2 3 9 | 10.
        let raw = Settings { consider_magic_clip: false, ..OPTUNA };
        // Without endpoints the outer kernels use their inner gap: 2 → 1, 9 → 6; 3 → max(1, 6).
        assert_eq!(bandwidths(&[9.0, 2.0, 3.0], 0.0, 10.0, raw), vec![6.0, 1.0, 6.0]);
        // With endpoints 2 → max(2, 1) = 2.
        let ends = Settings { consider_endpoints: true, ..raw };
        assert_eq!(bandwidths(&[9.0, 2.0, 3.0], 0.0, 10.0, ends), vec![6.0, 2.0, 6.0]);
        // The magic clip: 4 kernels → at least 10 / 5 = 2.
        assert_eq!(bandwidths(&[9.0, 2.0, 3.0], 0.0, 10.0, OPTUNA), vec![6.0, 2.0, 6.0]);
        assert_eq!(bandwidths(&[5.0], 0.0, 10.0, OPTUNA), vec![5.0]);
    }

    #[test]
    fn categorical_prefers_observed_options() {
        let kind = Kind::Categorical { n: 3 };
        let p = Parzen::new(&[1.0, 1.0, 2.0], &kind, OPTUNA);
        let probs: Vec<f64> = (0..3).map(|i| p.log_pdf(i as f64).exp()).collect();
        assert!((probs.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{probs:?}");
        assert!(probs[1] > probs[2] && probs[2] > probs[0], "{probs:?}");
        let empty = Parzen::new(&[], &kind, OPTUNA);
        assert!((empty.log_pdf(0.0).exp() - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn numeric_density_concentrates_and_samples_stay_inside() {
        let kind = Kind::Numeric { low: 0.0, high: 10.0, step: None, log: false };
        let p = Parzen::new(&[7.0, 7.2, 6.9], &kind, OPTUNA);
        assert!(p.log_pdf(7.0) > p.log_pdf(1.0));
        let mut rng = SeededRng::new(5);
        let draws: Vec<f64> = (0..500).map(|_| p.sample(&mut rng)).collect();
        assert!(draws.iter().all(|x| (0.0..=10.0).contains(x)));
        let near = draws.iter().filter(|x| (5.0..9.0).contains(*x)).count();
        assert!(near > 250, "{near} of 500 near the observations");
    }

    #[test]
    fn stepped_log_parameters_are_probability_masses() {
        let kind = Kind::Numeric { low: 1.0, high: 16.0, step: Some(1.0), log: true };
        let p = Parzen::new(&[2.0, 3.0], &kind, OPTUNA);
        let total: f64 = (1..=16).map(|i| p.log_pdf(f64::from(i)).exp()).sum();
        assert!((total - 1.0).abs() < 1e-6, "{total}");
        let mut rng = SeededRng::new(9);
        for _ in 0..200 {
            let x = p.sample(&mut rng);
            assert!(x.fract() == 0.0 && (1.0..=16.0).contains(&x), "{x}");
        }
    }

    /// Log densities Optuna 5.0.0's `_ParzenEstimator` computes for the same observations
    /// (default settings). `tests/data/optuna-tpe/parzen_reference.py` prints these cases and,
    /// with `--check`, verifies every number below against Optuna bit for bit.
    #[test]
    fn log_densities_match_optuna() {
        let numeric = |low, high, step, log| Kind::Numeric { low, high, step, log };
        type Case<'a> = (Kind, &'a [f64], &'a [f64], &'a [f64]);
        let cases: [Case<'_>; 6] = [
            (
                numeric(-10.0, 10.0, None, false),
                &[3.0, -2.5, 7.1, 0.4],
                &[-9.0, 0.0, 3.2, 9.9],
                &[-4.284669540570475, -2.6057733576081525, -2.6678818366149475, -3.356147316114793],
            ),
            (
                numeric(1e-4, 1.0, None, true),
                &[0.01, 0.003, 0.5],
                &[1e-4, 0.002, 0.05, 0.9],
                &[-2.87906570588695, -2.0382996768758224, -2.1656681167743086, -2.4278592902111145],
            ),
            (
                numeric(0.0, 20.0, Some(1.0), false),
                &[13.0, 4.0, 13.0, 19.0],
                &[0.0, 5.0, 13.0, 20.0],
                &[-3.6144883713414746, -3.24758162844134, -2.8360378976054585, -2.9930357526758975],
            ),
            (
                numeric(1.0, 64.0, Some(1.0), true),
                &[2.0, 8.0],
                &[1.0, 3.0, 8.0, 64.0],
                &[-1.5636267237086088, -2.4279056177024185, -3.4794212514037075, -6.438324863453645],
            ),
            (
                Kind::Categorical { n: 4 },
                &[2.0, 2.0, 0.0],
                &[0.0, 1.0, 2.0, 3.0],
                &[-1.268511325463507, -1.8562979903656256, -0.9007865453381897, -1.8562979903656256],
            ),
            (
                numeric(-10.0, 10.0, None, false),
                // 30 observations, `np.linspace(-9, 9, 30)`: the oldest 5 get ramped weights.
                &[
                    -9.0,
                    -8.379310344827585,
                    -7.758620689655173,
                    -7.137931034482758,
                    -6.517241379310345,
                    -5.896551724137931,
                    -5.275862068965517,
                    -4.655172413793103,
                    -4.0344827586206895,
                    -3.413793103448276,
                    -2.793103448275862,
                    -2.1724137931034484,
                    -1.5517241379310338,
                    -0.931034482758621,
                    -0.3103448275862064,
                    0.3103448275862064,
                    0.931034482758621,
                    1.5517241379310356,
                    2.1724137931034484,
                    2.793103448275863,
                    3.413793103448276,
                    4.03448275862069,
                    4.655172413793103,
                    5.275862068965518,
                    5.896551724137932,
                    6.517241379310345,
                    7.137931034482758,
                    7.758620689655174,
                    8.379310344827587,
                    9.0,
                ],
                &[-9.0, 0.0, 9.0],
                &[-4.8262195027353405, -2.8440788045698158, -3.1616505288797336],
            ),
        ];
        for (kind, observations, xs, expected) in cases {
            let p = Parzen::new(observations, &kind, OPTUNA);
            for (x, want) in xs.iter().zip(expected) {
                let got = p.log_pdf(*x);
                assert!((got - want).abs() < 1e-6, "{kind:?} at {x}: {got} vs optuna {want}");
            }
        }
    }
}
