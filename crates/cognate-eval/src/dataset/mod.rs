//! Datasets: [`Loader`] reads examples from JSON Lines or CSV (whole or streaming) with a
//! field mapping; [`Dataset`] shuffles, samples and splits them deterministically for a seed.
//!
//! ```
//! use cognate_core::Example;
//! use cognate_eval::dataset::{Dataset, Split};
//!
//! let data: Dataset = (0..10).map(|i| Example::default().with("n", i)).collect();
//! let splits = data.split(Split::fractions(0.6, 0.2, 0.2), 42).unwrap();
//! assert_eq!((splits.train.len(), splits.dev.len(), splits.test.len()), (6, 2, 2));
//! // The same seed always gives the same split.
//! assert_eq!(splits.train, data.split(Split::fractions(0.6, 0.2, 0.2), 42).unwrap().train);
//! ```
//!
//! Randomness comes from [`SeededRng`] (xoshiro256**), so a seed gives the same order on every
//! platform.

mod loader;
mod mapping;
mod read;

use cognate_core::Example;
use cognate_core::rng::{RandomSource, SeededRng};

pub use loader::{Format, Loader, Rows};
pub use mapping::Expect;

use crate::error::{Error, Result};

/// A list of examples.
///
/// It dereferences to `[Example]`, so it can be passed wherever a slice is taken (such as
/// [`Evaluate::run`](crate::Evaluate::run)).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    examples: Vec<Example>,
}

impl Dataset {
    /// A dataset of these examples.
    pub fn new(examples: Vec<Example>) -> Self {
        Dataset { examples }
    }

    /// The examples.
    pub fn into_examples(self) -> Vec<Example> {
        self.examples
    }

    /// Marks the input fields of every example.
    #[must_use]
    pub fn with_inputs<I, S>(self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let keys: Vec<String> = keys.into_iter().map(Into::into).collect();
        self.examples.into_iter().map(|e| e.with_inputs(keys.iter().cloned())).collect()
    }

    /// The examples in an order determined by `seed` (Fisher–Yates over [`SeededRng`]).
    #[must_use]
    pub fn shuffled(mut self, seed: u64) -> Self {
        SeededRng::new(seed).shuffle(&mut self.examples);
        self
    }

    /// `n` examples drawn without replacement, in the order drawn: the first `n` of
    /// [`shuffled(seed)`](Self::shuffled).
    ///
    /// # Errors
    /// [`Error::Split`] when `n` exceeds the dataset's size.
    pub fn sample(&self, n: usize, seed: u64) -> Result<Dataset> {
        if n > self.len() {
            return Err(Error::Split(format!("cannot sample {n} examples from {}", self.len())));
        }
        let mut shuffled = self.clone().shuffled(seed);
        shuffled.examples.truncate(n);
        Ok(shuffled)
    }

    /// Shuffles with `seed`, then cuts train, dev and test parts in that order.
    ///
    /// # Errors
    /// [`Error::Split`] when the counts add up to more than the dataset's size, or the
    /// fractions are outside `0..=1` or add up to more than 1.
    pub fn split(&self, split: Split, seed: u64) -> Result<Splits> {
        let n = self.len();
        let [train, dev, test] = split.sizes(n)?;
        let mut rest = self.clone().shuffled(seed).examples.into_iter();
        let mut take = |k: usize| Dataset::new(rest.by_ref().take(k).collect());
        Ok(Splits { train: take(train), dev: take(dev), test: take(test) })
    }
}

/// How [`Dataset::split`] cuts a dataset.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Split {
    /// Exact sizes; examples beyond their sum are left out.
    Counts {
        /// Training examples.
        train: usize,
        /// Development (validation) examples.
        dev: usize,
        /// Test examples.
        test: usize,
    },
    /// Fractions of the dataset, each rounded down; when they add up to 1, test takes
    /// whatever rounding left over, so no example is dropped.
    Fractions {
        /// Training fraction.
        train: f64,
        /// Development fraction.
        dev: f64,
        /// Test fraction.
        test: f64,
    },
}

impl Split {
    /// A split by sizes.
    pub fn counts(train: usize, dev: usize, test: usize) -> Self {
        Split::Counts { train, dev, test }
    }

    /// A split by fractions.
    pub fn fractions(train: f64, dev: f64, test: f64) -> Self {
        Split::Fractions { train, dev, test }
    }

    fn sizes(self, n: usize) -> Result<[usize; 3]> {
        match self {
            Split::Counts { train, dev, test } => {
                let sum = train.saturating_add(dev).saturating_add(test);
                if sum > n {
                    return Err(Error::Split(format!(
                        "{train} + {dev} + {test} = {sum} examples requested, {n} available"
                    )));
                }
                Ok([train, dev, test])
            }
            Split::Fractions { train, dev, test } => {
                let fractions = [train, dev, test];
                if fractions.iter().any(|f| !(0.0..=1.0).contains(f)) || train + dev + test > 1.0 + 1e-9 {
                    return Err(Error::Split(format!(
                        "fractions {train}, {dev}, {test} must each be in 0..=1 and add up to at most 1"
                    )));
                }
                // The epsilon absorbs float error such as 0.7 * 10 = 6.999...
                let part = |f: f64| ((n as f64) * f + 1e-9).floor() as usize;
                let (train_n, dev_n) = (part(train), part(dev));
                let test_n = if (train + dev + test - 1.0).abs() < 1e-9 { n - train_n - dev_n } else { part(test) };
                Ok([train_n, dev_n, test_n])
            }
        }
    }
}

/// The parts made by [`Dataset::split`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Splits {
    /// Training examples.
    pub train: Dataset,
    /// Development (validation) examples.
    pub dev: Dataset,
    /// Test examples.
    pub test: Dataset,
}

impl std::ops::Deref for Dataset {
    type Target = [Example];
    fn deref(&self) -> &[Example] {
        &self.examples
    }
}

impl From<Vec<Example>> for Dataset {
    fn from(examples: Vec<Example>) -> Self {
        Dataset::new(examples)
    }
}

impl FromIterator<Example> for Dataset {
    fn from_iter<T: IntoIterator<Item = Example>>(iter: T) -> Self {
        Dataset::new(iter.into_iter().collect())
    }
}

impl IntoIterator for Dataset {
    type Item = Example;
    type IntoIter = std::vec::IntoIter<Example>;
    fn into_iter(self) -> Self::IntoIter {
        self.examples.into_iter()
    }
}

impl<'a> IntoIterator for &'a Dataset {
    type Item = &'a Example;
    type IntoIter = std::slice::Iter<'a, Example>;
    fn into_iter(self) -> Self::IntoIter {
        self.examples.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(n: i64) -> Dataset {
        (0..n).map(|i| Example::default().with("n", i)).collect()
    }

    fn ns(d: &Dataset) -> Vec<i64> {
        d.iter().map(|e| e.get("n").and_then(serde_json::Value::as_i64).unwrap()).collect()
    }

    fn check_sizes(n: i64, split: Split, expected: Result<[usize; 3], &str>) {
        let got = numbers(n).split(split, 1).map(|s| [s.train.len(), s.dev.len(), s.test.len()]);
        assert_eq!(got.map_err(|e| e.to_string()), expected.map_err(str::to_string), "{split:?}");
    }

    #[test]
    fn split_sizes() {
        check_sizes(10, Split::counts(5, 3, 2), Ok([5, 3, 2]));
        check_sizes(10, Split::counts(5, 3, 0), Ok([5, 3, 0]));
        check_sizes(10, Split::counts(5, 3, 3), Err("invalid split: 5 + 3 + 3 = 11 examples requested, 10 available"));
        check_sizes(10, Split::fractions(0.7, 0.2, 0.1), Ok([7, 2, 1]));
        check_sizes(11, Split::fractions(0.5, 0.25, 0.25), Ok([5, 2, 4]));
        check_sizes(11, Split::fractions(0.5, 0.2, 0.2), Ok([5, 2, 2]));
        check_sizes(
            10,
            Split::fractions(0.7, 0.3, 0.1),
            Err("invalid split: fractions 0.7, 0.3, 0.1 must each be in 0..=1 and add up to at most 1"),
        );
        check_sizes(
            10,
            Split::fractions(-0.1, 0.3, 0.1),
            Err("invalid split: fractions -0.1, 0.3, 0.1 must each be in 0..=1 and add up to at most 1"),
        );
    }

    #[test]
    fn seeded_operations_are_deterministic_and_partition() {
        let data = numbers(100);
        let a = data.split(Split::counts(60, 20, 20), 7).unwrap();
        let b = data.split(Split::counts(60, 20, 20), 7).unwrap();
        assert_eq!(a, b);
        let c = data.split(Split::counts(60, 20, 20), 8).unwrap();
        assert_ne!(ns(&a.train), ns(&c.train));
        let mut all: Vec<i64> = [ns(&a.train), ns(&a.dev), ns(&a.test)].concat();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        // Pinned (computed independently in Python: splitmix64-seeded xoshiro256**, rejection
        // sampling, Fisher–Yates from the back): a change of RNG or shuffle would silently
        // change every user's splits.
        assert_eq!(ns(&numbers(10).shuffled(0)), [4, 2, 1, 7, 5, 6, 3, 9, 8, 0]);
        assert_eq!(ns(&data.sample(5, 3).unwrap()), ns(&data.clone().shuffled(3))[..5]);
        assert!(data.sample(101, 3).is_err());
    }
}
