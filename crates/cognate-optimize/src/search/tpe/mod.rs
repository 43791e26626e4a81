//! [`Tpe`]: the tree-structured Parzen estimator, as Optuna's default `TPESampler` runs it
//! (independent, univariate).
//!
//! After `n_startup_trials` random trials, each proposal:
//! 1. splits the finished trials into the `γ(n) = min(⌈0.1·n⌉, 25)` best ("below", good)
//!    and the rest ("above"), keeping trial order inside each group;
//! 2. fits, per variable, a Parzen estimator `l(x)` on the good trials' values and `g(x)` on
//!    the others' (truncated Gaussians for numbers, smoothed counts for
//!    categories, each with a prior kernel);
//! 3. draws `n_ei_candidates` values from `l(x)` and keeps the one maximizing
//!    `log l(x) − log g(x)` (the expected-improvement criterion of Bergstra et al. 2011).

pub(crate) mod parzen;
pub(crate) mod truncnorm;

use cognate_runtime::variable::{Configuration, RandomSource};
use serde::{Deserialize, Serialize};

use super::params::Param;
use parzen::{Parzen, Settings};

/// Settings of the TPE sampler; [`Default`] gives Optuna's defaults.
///
/// ```
/// use cognate_optimize::search::Tpe;
///
/// let tpe = Tpe::default().with_startup_trials(5);
/// assert_eq!((tpe.n_startup_trials, tpe.n_ei_candidates, tpe.prior_weight), (5, 24, 1.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tpe {
    /// Random trials before the estimators take over (10).
    pub n_startup_trials: usize,
    /// Candidates drawn from `l(x)` per proposal (24).
    pub n_ei_candidates: usize,
    /// Weight of the prior kernel against one observation (1.0).
    pub prior_weight: f64,
    /// Clip bandwidths from below at `range / min(100, 1 + kernels)` (true).
    pub consider_magic_clip: bool,
    /// Let the outermost kernels measure their bandwidth to the range bounds (false).
    pub consider_endpoints: bool,
}

impl Default for Tpe {
    fn default() -> Self {
        Tpe {
            n_startup_trials: 10,
            n_ei_candidates: 24,
            prior_weight: 1.0,
            consider_magic_clip: true,
            consider_endpoints: false,
        }
    }
}

impl Tpe {
    /// Sets the number of random startup trials.
    #[must_use]
    pub fn with_startup_trials(mut self, n: usize) -> Self {
        self.n_startup_trials = n;
        self
    }

    /// Sets the number of candidates drawn per proposal (at least 1).
    #[must_use]
    pub fn with_ei_candidates(mut self, n: usize) -> Self {
        self.n_ei_candidates = n.max(1);
        self
    }

    /// Sets the prior kernel's weight (non-negative).
    #[must_use]
    pub fn with_prior_weight(mut self, weight: f64) -> Self {
        self.prior_weight = weight.max(0.0);
        self
    }

    fn settings(&self) -> Settings {
        Settings {
            prior_weight: self.prior_weight,
            consider_magic_clip: self.consider_magic_clip,
            consider_endpoints: self.consider_endpoints,
        }
    }

    /// Draws `n_ei_candidates` values per parameter from `l(x)` and scores each with
    /// `log l(x) − log g(x)`, fitting the estimators on the finished trials `history`
    /// (oldest first, with scores to maximize).
    pub(crate) fn candidates<R: RandomSource + ?Sized>(
        &self,
        params: &[Param],
        history: &[(Configuration, f64)],
        rng: &mut R,
    ) -> Candidates {
        let (below, above) = split(history, gamma(history.len()));
        let n = self.n_ei_candidates.max(1);
        let mut columns = Vec::with_capacity(params.len());
        for param in params {
            let Some(kind) = param.parzen_kind() else {
                columns.push(Column { values: vec![0.0; n], scores: vec![0.0; n] });
                continue;
            };
            let observe =
                |group: &[usize]| -> Vec<f64> { group.iter().filter_map(|&i| param.internal(&history[i].0)).collect() };
            let l = Parzen::new(&observe(&below), &kind, self.settings());
            let g = Parzen::new(&observe(&above), &kind, self.settings());
            let values: Vec<f64> = (0..n).map(|_| l.sample(rng)).collect();
            let scores = values
                .iter()
                .map(|&x| {
                    let score = l.log_pdf(x) - g.log_pdf(x);
                    if score.is_nan() { f64::NEG_INFINITY } else { score }
                })
                .collect();
            columns.push(Column { values, scores });
        }
        Candidates { columns }
    }
}

/// One parameter's candidates and their acquisition values.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    values: Vec<f64>,
    scores: Vec<f64>,
}

impl Column {
    /// The index of the best candidate (the first of ties).
    fn best(&self) -> usize {
        let mut best = 0;
        for (i, s) in self.scores.iter().enumerate() {
            if *s > self.scores[best] {
                best = i;
            }
        }
        best
    }
}

/// The candidates of one TPE proposal, per parameter.
#[derive(Debug, Clone)]
pub(crate) struct Candidates {
    columns: Vec<Column>,
}

impl Candidates {
    /// Optuna's univariate choice: each parameter's best candidate, independently.
    pub(crate) fn best(&self, params: &[Param]) -> Configuration {
        self.assemble(params, |column| column.best())
    }

    /// The `n` joint candidates (row `j` takes every parameter's `j`-th draw, a sample of the
    /// product of the `l(x)`), best summed acquisition first: fallbacks when the univariate
    /// choice breaks a constraint.
    pub(crate) fn rows(&self, params: &[Param]) -> Vec<Configuration> {
        let n = self.columns.first().map_or(0, |c| c.values.len());
        let mut order: Vec<(usize, f64)> =
            (0..n).map(|j| (j, self.columns.iter().map(|c| c.scores[j]).sum::<f64>())).collect();
        order.sort_by(|a, b| b.1.total_cmp(&a.1));
        order.into_iter().map(|(j, _)| self.assemble(params, |_| j)).collect()
    }

    fn assemble(&self, params: &[Param], index: impl Fn(&Column) -> usize) -> Configuration {
        params
            .iter()
            .zip(&self.columns)
            .map(|(param, column)| {
                let value = match param.parzen_kind() {
                    None => param.fixed_value(),
                    Some(_) => param.external(column.values[index(column)]),
                };
                (param.name.clone(), value)
            })
            .collect()
    }
}

/// Optuna's default `γ(n) = min(⌈0.1·n⌉, 25)`: how many trials count as good.
pub(crate) fn gamma(n: usize) -> usize {
    n.div_ceil(10).min(25)
}

/// The indices of the `n_below` best trials and of the others, each in trial order. Ties
/// keep trial order (a stable sort), NaN scores rank last.
pub(crate) fn split(history: &[(Configuration, f64)], n_below: usize) -> (Vec<usize>, Vec<usize>) {
    let key = |i: usize| if history[i].1.is_nan() { f64::NEG_INFINITY } else { history[i].1 };
    let mut order: Vec<usize> = (0..history.len()).collect();
    order.sort_by(|&a, &b| key(b).total_cmp(&key(a)));
    let n_below = n_below.min(order.len());
    let mut below = order[..n_below].to_vec();
    let mut above = order[n_below..].to_vec();
    below.sort_unstable();
    above.sort_unstable();
    (below, above)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_is_optunas_default() {
        let cases = [(0, 0), (1, 1), (10, 1), (11, 2), (100, 10), (249, 25), (1000, 25)];
        for (n, expected) in cases {
            assert_eq!(gamma(n), expected, "gamma({n})");
        }
    }

    #[test]
    fn split_takes_the_best_and_keeps_trial_order() {
        let history: Vec<(Configuration, f64)> =
            [0.1, 0.9, 0.5, 0.9, f64::NAN, 0.7].iter().map(|&s| (Configuration::new(), s)).collect();
        assert_eq!(split(&history, 3), (vec![1, 3, 5], vec![0, 2, 4]));
        assert_eq!(split(&history, 1), (vec![1], vec![0, 2, 3, 4, 5]));
    }
}
