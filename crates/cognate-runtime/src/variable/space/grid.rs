//! [`Grid`]: the cartesian product of every variable's grid points, lazily.

use crate::Result;
use serde_json::Value;

use super::SearchSpace;
use crate::variable::Configuration;

/// An iterator over every point of a search space's grid (see [`SearchSpace::grid`]).
/// Points are produced one at a time (the last variable varies fastest); only the
/// per-variable value lists are held in memory.
#[derive(Debug, Clone)]
pub struct Grid<'s> {
    space: &'s SearchSpace,
    names: Vec<String>,
    values: Vec<Vec<Value>>,
    counters: Vec<usize>,
    remaining: u128,
}

impl SearchSpace {
    /// Enumerates the cartesian product of the variables' grid points: ints by step, both
    /// bools, every choice, floats at `points_per_float` points (at least 2; geometric on
    /// log scales), text and demo-set variables over their candidates. Each item is a
    /// configuration with derived values computed (an `Err` if one cannot be); constraints
    /// are not applied, filter with [`validate`](Self::validate).
    pub fn grid(&self, points_per_float: usize) -> Grid<'_> {
        let dims: Vec<_> = self.sampled_dims().collect();
        let names = dims.iter().map(|d| d.name.clone()).collect();
        let values: Vec<Vec<Value>> = dims.iter().map(|d| d.domain.grid(points_per_float, &d.default)).collect();
        let remaining = values.iter().map(|v| v.len() as u128).try_fold(1u128, u128::checked_mul).unwrap_or(u128::MAX);
        Grid { space: self, names, counters: vec![0; values.len()], values, remaining }
    }
}

impl Grid<'_> {
    /// How many configurations are left (all of them before the first `next`), saturating
    /// at `u128::MAX`.
    pub fn size(&self) -> u128 {
        self.remaining
    }
}

impl Iterator for Grid<'_> {
    type Item = Result<Configuration>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let config: Configuration = self
            .names
            .iter()
            .zip(&self.values)
            .zip(&self.counters)
            .map(|((name, values), &i)| (name.clone(), values[i].clone()))
            .collect();
        for (counter, values) in self.counters.iter_mut().zip(&self.values).rev() {
            *counter += 1;
            if *counter < values.len() {
                break;
            }
            *counter = 0;
        }
        Some(self.space.derive(&config).map(|(completed, _)| completed))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.remaining).unwrap_or(usize::MAX);
        (n, usize::try_from(self.remaining).ok())
    }
}
