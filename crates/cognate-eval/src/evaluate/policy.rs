//! [`InfraPolicy`]: what an evaluation (or an optimizer scoring candidates) does with examples
//! whose LM call failed for infrastructure reasons.

/// What to do with examples that hit an *infrastructure* error — the LM could not be reached
/// or did not answer (time-outs, refused or dropped connections, `429`/`5xx`, `401`/`403`,
/// `Too many open files`; see [`cognate_runtime::Error::is_infrastructure`]) — as opposed to a
/// program failure (an unparsable or wrong answer), which is always scored with the failure
/// score.
///
/// The default, [`InfraPolicy::Fail`] at 5%, never scores an outage as wrong answers: a few
/// infrastructure failures are left out of the score, and more than 5% of the examples fail
/// the run with [`Error::Infrastructure`](crate::Error::Infrastructure).
///
/// ```
/// use cognate_eval::InfraPolicy;
///
/// let policy = InfraPolicy::default();
/// assert_eq!(policy, InfraPolicy::Fail { max_fraction: 0.05 });
/// // Of 100 examples, 5 may fail for infrastructure reasons; the 6th fails the run.
/// assert_eq!(policy.max_failures(100), Some(5));
/// assert_eq!(InfraPolicy::Exclude.max_failures(100), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum InfraPolicy {
    /// Leave infrastructure failures out of the score, and fail the run as soon as more than
    /// `max_fraction` (between 0 and 1) of the examples hit one. `0.0` fails on the first.
    Fail {
        /// The largest fraction of the examples allowed to fail for infrastructure reasons.
        max_fraction: f64,
    },
    /// Leave infrastructure failures out of the score and never fail the run for them: the
    /// score is over the examples the LM answered.
    Exclude,
    /// Score infrastructure failures with the failure score and count them against
    /// `max_errors`, like program failures (what DSPy does).
    CountAsZero,
}

impl Default for InfraPolicy {
    /// [`InfraPolicy::Fail`] with `max_fraction` 0.05.
    fn default() -> Self {
        InfraPolicy::Fail { max_fraction: 0.05 }
    }
}

impl InfraPolicy {
    /// [`InfraPolicy::Fail`] with `max_fraction` clamped to `0..=1` (NaN is 0).
    pub fn fail_above(max_fraction: f64) -> Self {
        let max_fraction = if max_fraction.is_nan() { 0.0 } else { max_fraction.clamp(0.0, 1.0) };
        InfraPolicy::Fail { max_fraction }
    }

    /// Whether infrastructure failures are left out of the score (all but `CountAsZero`).
    pub fn excludes(self) -> bool {
        !matches!(self, InfraPolicy::CountAsZero)
    }

    /// The most infrastructure failures allowed among `examples` examples before the run
    /// fails: `floor(max_fraction × examples)` for `Fail`, `None` (no limit) otherwise.
    pub fn max_failures(self, examples: usize) -> Option<usize> {
        match self {
            InfraPolicy::Fail { max_fraction } => {
                let fraction = if max_fraction.is_nan() { 0.0 } else { max_fraction.clamp(0.0, 1.0) };
                // The small epsilon keeps `0.05 × 100` at 5 despite binary rounding.
                Some((fraction * examples as f64 + 1e-9).floor() as usize)
            }
            InfraPolicy::Exclude | InfraPolicy::CountAsZero => None,
        }
    }

    /// The fraction for `Fail`, else `None`.
    pub fn max_fraction(self) -> Option<f64> {
        match self {
            InfraPolicy::Fail { max_fraction } => Some(max_fraction),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        let check = |policy: InfraPolicy, examples, expected| assert_eq!(policy.max_failures(examples), expected);
        check(InfraPolicy::default(), 20, Some(1));
        check(InfraPolicy::default(), 19, Some(0));
        check(InfraPolicy::default(), 100_000, Some(5000));
        check(InfraPolicy::fail_above(0.0), 100, Some(0));
        check(InfraPolicy::fail_above(2.0), 7, Some(7));
        check(InfraPolicy::fail_above(f64::NAN), 7, Some(0));
        check(InfraPolicy::Exclude, 7, None);
        check(InfraPolicy::CountAsZero, 7, None);
        assert!(InfraPolicy::Exclude.excludes() && InfraPolicy::default().excludes());
        assert!(!InfraPolicy::CountAsZero.excludes());
    }
}
