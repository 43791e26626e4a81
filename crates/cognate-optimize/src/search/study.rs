//! [`Sampler`] and [`Study`]: proposing configurations of a search space (ask) and learning
//! from their scores (tell), independently of what is being optimized.

use cognate_runtime::variable::{Configuration, SearchSpace, SeededRng};
use cognate_runtime::{Error, Result};
use serde::{Deserialize, Serialize};

use super::params::Param;
use super::tpe::Tpe;

/// How a [`Study`] proposes configurations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Sampler {
    /// Every variable drawn uniformly (log-uniformly on log scales), constraints enforced by
    /// rejection.
    Random,
    /// Every point of the grid once, in [`SearchSpace::grid`] order (the last variable varies
    /// fastest), skipping points that break a constraint.
    Grid {
        /// Grid points per float variable (at least 2).
        points_per_float: usize,
    },
    /// Tree-structured Parzen estimator (Optuna's default sampler).
    Tpe(Tpe),
}

impl Sampler {
    /// A grid with 5 points per float variable.
    pub fn grid() -> Self {
        Sampler::Grid { points_per_float: 5 }
    }

    /// TPE with Optuna's defaults.
    pub fn tpe() -> Self {
        Sampler::Tpe(Tpe::default())
    }

    /// The sampler's name for reports: `random`, `grid` or `tpe`.
    pub fn name(&self) -> &'static str {
        match self {
            Sampler::Random => "random",
            Sampler::Grid { .. } => "grid",
            Sampler::Tpe(_) => "tpe",
        }
    }
}

impl Default for Sampler {
    /// TPE with Optuna's defaults.
    fn default() -> Self {
        Sampler::tpe()
    }
}

/// An ask-and-tell search over a [`SearchSpace`], maximizing a score.
///
/// [`ask`](Self::ask) proposes the next configuration (valid: constraints hold, derived
/// values filled in); [`tell`](Self::tell) records its score. A proposal depends only on the
/// seed, the trial number (`history().len()`) and the history, so replaying a recorded
/// history with `tell` (as [`VariableSearch`](super::VariableSearch) does when resuming from
/// a checkpoint) brings the study to the state an uninterrupted run would have.
///
/// ```
/// use cognate_optimize::search::{Sampler, Study};
/// use cognate_runtime::variable::{SearchSpace, Variable};
/// use cognate_runtime::{Component, Visitor, VisitorMut};
///
/// struct Knob { x: Variable<f64> }
/// impl Component for Knob {
///     fn visit<'a>(&'a self, _: &str, v: &mut dyn Visitor<'a>) { self.x.visit("x", v) }
///     fn visit_mut<'a>(&'a mut self, _: &str, v: &mut dyn VisitorMut<'a>) { self.x.visit_mut("x", v) }
/// }
///
/// let space = SearchSpace::of(&Knob { x: Variable::float(-5.0, 5.0, 0.0).unwrap() });
/// let mut study = Study::new(space, Sampler::tpe(), 7);
/// for _ in 0..40 {
///     let config = study.ask().unwrap().unwrap();
///     let x = config["x"].as_f64().unwrap();
///     study.tell(config, -(x - 2.0).powi(2));
/// }
/// let (best, _) = study.best().unwrap();
/// assert!((best["x"].as_f64().unwrap() - 2.0).abs() < 0.5);
/// ```
#[derive(Debug, Clone)]
pub struct Study {
    space: SearchSpace,
    params: Vec<Param>,
    sampler: Sampler,
    seed: u64,
    max_rejections: usize,
    history: Vec<(Configuration, f64)>,
    /// The grid index before which every point is done or invalid.
    grid_cursor: u128,
}

impl Study {
    /// A study of `space` with `sampler`, seeded with `seed`. Constraints are enforced by
    /// rejecting up to 1000 proposals per trial ([`with_max_rejections`](Self::with_max_rejections)).
    pub fn new(space: SearchSpace, sampler: Sampler, seed: u64) -> Self {
        let points = match sampler {
            Sampler::Grid { points_per_float } => points_per_float,
            _ => 2,
        };
        let params = Param::of(&space, points);
        Study { space, params, sampler, seed, max_rejections: 1000, history: Vec::new(), grid_cursor: 0 }
    }

    /// Sets how many proposals breaking a constraint are rejected per trial before
    /// [`ask`](Self::ask) fails.
    #[must_use]
    pub fn with_max_rejections(mut self, max_rejections: usize) -> Self {
        self.max_rejections = max_rejections;
        self
    }

    /// The search space.
    pub fn space(&self) -> &SearchSpace {
        &self.space
    }

    /// The sampler.
    pub fn sampler(&self) -> &Sampler {
        &self.sampler
    }

    /// The finished trials, oldest first: configuration and score.
    pub fn history(&self) -> &[(Configuration, f64)] {
        &self.history
    }

    /// The best finished trial (the earliest of ties).
    pub fn best(&self) -> Option<(&Configuration, f64)> {
        let mut best: Option<(&Configuration, f64)> = None;
        for (config, score) in &self.history {
            if best.is_none_or(|(_, b)| *score > b) {
                best = Some((config, *score));
            }
        }
        best
    }

    /// How many grid points the space has (saturating), for [`Sampler::Grid`].
    pub fn grid_size(&self) -> u128 {
        self.params.iter().map(|p| p.grid.len() as u128).try_fold(1u128, u128::checked_mul).unwrap_or(u128::MAX)
    }

    /// Proposes the configuration of the next trial. `None` when a grid is exhausted.
    ///
    /// # Errors
    /// [`Error::SearchSpace`] when every proposal of a trial broke a constraint (naming the
    /// constraints); [`Error::Variable`] when a derived variable cannot be computed.
    pub fn ask(&mut self) -> Result<Option<Configuration>> {
        let mut rng = SeededRng::new(trial_seed(self.seed, self.history.len()));
        match self.sampler {
            Sampler::Random => self.space.sample_valid(&mut rng, self.max_rejections).map(Some),
            Sampler::Tpe(tpe) if self.history.len() < tpe.n_startup_trials => {
                self.space.sample_valid(&mut rng, self.max_rejections).map(Some)
            }
            Sampler::Tpe(tpe) => self.ask_tpe(&tpe, &mut rng).map(Some),
            Sampler::Grid { .. } => self.ask_grid(),
        }
    }

    /// Records the score of a finished trial (higher is better).
    pub fn tell(&mut self, config: Configuration, score: f64) {
        self.history.push((config, score));
    }

    /// The univariate TPE proposal; when it breaks a constraint, the joint candidates of the
    /// same draw by summed acquisition, then fresh draws, up to `max_rejections` rejections.
    fn ask_tpe(&self, tpe: &Tpe, rng: &mut SeededRng) -> Result<Configuration> {
        let mut failures: Vec<(String, usize)> = Vec::new();
        let mut rejected = 0;
        while rejected <= self.max_rejections {
            let candidates = tpe.candidates(&self.params, &self.history, rng);
            let proposals = std::iter::once(candidates.best(&self.params)).chain(candidates.rows(&self.params));
            for proposal in proposals {
                match self.space.complete(&proposal) {
                    Ok(config) => return Ok(config),
                    Err(Error::Variable { name, reason }) if is_violation(&reason) => {
                        match failures.iter_mut().find(|(n, _)| *n == name) {
                            Some((_, count)) => *count += 1,
                            None => failures.push((name, 1)),
                        }
                        rejected += 1;
                        if rejected > self.max_rejections {
                            break;
                        }
                    }
                    Err(other) => return Err(other),
                }
            }
        }
        failures.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let list: Vec<String> = failures.iter().map(|(n, c)| format!("`{n}` ({c} times)")).collect();
        Err(Error::SearchSpace(format!(
            "tpe found no configuration satisfying the constraints in {} proposals; failing: {}",
            self.max_rejections + 1,
            list.join(", ")
        )))
    }

    fn ask_grid(&mut self) -> Result<Option<Configuration>> {
        let size = self.grid_size();
        while self.grid_cursor < size {
            let point = self.grid_point(self.grid_cursor);
            if self.history.iter().any(|(done, _)| same_point(done, &point)) {
                self.grid_cursor += 1;
                continue;
            }
            match self.space.complete(&point) {
                Ok(config) => return Ok(Some(config)),
                // A point breaking a constraint is skipped; other errors are real.
                Err(Error::Variable { reason, .. }) if is_violation(&reason) => {
                    self.grid_cursor += 1;
                }
                Err(other) => return Err(other),
            }
        }
        Ok(None)
    }

    /// The grid point at `index` (last variable fastest, as [`SearchSpace::grid`]).
    fn grid_point(&self, mut index: u128) -> Configuration {
        let mut values = vec![serde_json::Value::Null; self.params.len()];
        for (slot, param) in values.iter_mut().zip(&self.params).rev() {
            let n = param.grid.len() as u128;
            *slot = param.grid[(index % n) as usize].clone();
            index /= n;
        }
        self.params.iter().map(|p| p.name.clone()).zip(values).collect()
    }
}

/// Whether `done` (a completed configuration, derived values included) is the grid point `point`.
fn same_point(done: &Configuration, point: &Configuration) -> bool {
    point.iter().all(|(name, value)| done.get(name) == Some(value))
}

/// Whether a validation error is a broken constraint (rather than a bad value).
fn is_violation(reason: &str) -> bool {
    reason.starts_with("constraint violated")
}

/// The seed of trial `index`'s generator.
fn trial_seed(seed: u64, index: usize) -> u64 {
    seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17)
}
