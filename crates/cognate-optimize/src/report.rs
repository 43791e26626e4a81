//! [`OptimizationReport`]: what an optimizer tried, how each trial scored, and what the whole
//! run cost (LM calls, tokens, wall time).
//!
//! Every optimizer in this crate returns one next to the optimized program. It serializes to
//! JSON (durations as seconds) and displays as a table:
//!
//! ```
//! use std::time::Duration;
//! use cognate_optimize::{OptimizationReport, Trial};
//!
//! let mut report = OptimizationReport::new("BootstrapFewShotWithRandomSearch");
//! report.push(Trial::new("seed=-3", serde_json::json!({"seed": -3})).with_score(40.0));
//! report.push(Trial::new("seed=-2", serde_json::json!({"seed": -2})).with_score(60.0));
//! report.best = report.best_by_score();
//! assert_eq!(report.best, Some(1));
//! assert!(report.to_string().contains("seed=-2"));
//! ```

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The outcome of one optimization run: every trial (candidate program or configuration), the
/// index of the best, and the run's totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OptimizationReport {
    /// The optimizer's name, e.g. `BootstrapFewShot`.
    pub optimizer: String,
    /// The trials, in the order the optimizer defined them.
    pub trials: Vec<Trial>,
    /// Index into [`trials`](Self::trials) of the trial whose program was returned, when the
    /// optimizer compares trials.
    pub best: Option<usize>,
    /// LM calls made by this run (calls replayed from a checkpoint are not counted).
    pub lm_calls: u64,
    /// Prompt tokens of this run's calls.
    pub prompt_tokens: u64,
    /// Completion tokens of this run's calls.
    pub completion_tokens: u64,
    /// Wall time of the whole run.
    #[serde(with = "seconds")]
    pub wall_time: Duration,
}

/// One trial: a candidate program or configuration the optimizer built and (usually) scored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Trial {
    /// A stable identifier, also the trial's key in a [`Checkpoint`](crate::Checkpoint).
    pub id: String,
    /// What was tried: the optimizer-specific configuration (seed, demo counts, variable values...).
    pub config: serde_json::Value,
    /// The trial's score, when it was evaluated (DSPy's scale: a percentage for evaluations).
    pub score: Option<f64>,
    /// LM calls the trial made (zero when it was resumed from a checkpoint).
    pub lm_calls: u64,
    /// Prompt tokens of the trial's calls.
    pub prompt_tokens: u64,
    /// Completion tokens of the trial's calls.
    pub completion_tokens: u64,
    /// Wall time of the trial.
    #[serde(with = "seconds")]
    pub wall_time: Duration,
    /// Whether the result was read from a checkpoint instead of being computed.
    pub resumed: bool,
}

impl Trial {
    /// A trial with no score and no cost yet.
    pub fn new(id: impl Into<String>, config: serde_json::Value) -> Self {
        Trial { id: id.into(), config, ..Trial::default() }
    }

    /// Sets the score.
    #[must_use]
    pub fn with_score(mut self, score: f64) -> Self {
        self.score = Some(score);
        self
    }

    /// Total tokens (prompt + completion).
    pub fn tokens(&self) -> u64 {
        self.prompt_tokens + self.completion_tokens
    }
}

impl OptimizationReport {
    /// An empty report for `optimizer`.
    pub fn new(optimizer: impl Into<String>) -> Self {
        OptimizationReport { optimizer: optimizer.into(), ..OptimizationReport::default() }
    }

    /// Appends a trial, adds its LM calls and tokens to the report's totals, and returns its
    /// index.
    pub fn push(&mut self, trial: Trial) -> usize {
        self.lm_calls += trial.lm_calls;
        self.prompt_tokens += trial.prompt_tokens;
        self.completion_tokens += trial.completion_tokens;
        self.trials.push(trial);
        self.trials.len() - 1
    }

    /// The best trial, if [`best`](Self::best) is set.
    pub fn best_trial(&self) -> Option<&Trial> {
        self.best.and_then(|i| self.trials.get(i))
    }

    /// The index of the highest-scoring trial; ties go to the earliest. `None` when no trial
    /// has a score.
    pub fn best_by_score(&self) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (i, trial) in self.trials.iter().enumerate() {
            let Some(score) = trial.score else { continue };
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((i, score));
            }
        }
        best.map(|(i, _)| i)
    }

    /// Total tokens (prompt + completion).
    pub fn tokens(&self) -> u64 {
        self.prompt_tokens + self.completion_tokens
    }

    /// Trials read from a checkpoint.
    pub fn resumed_trials(&self) -> usize {
        self.trials.iter().filter(|t| t.resumed).count()
    }
}

impl fmt::Display for OptimizationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} trials, {} LM calls, {} tokens ({} prompt + {} completion), {:.2}s",
            self.optimizer,
            self.trials.len(),
            self.lm_calls,
            self.tokens(),
            self.prompt_tokens,
            self.completion_tokens,
            self.wall_time.as_secs_f64()
        )?;
        if self.trials.is_empty() {
            return Ok(());
        }
        let id_width = self.trials.iter().map(|t| t.id.chars().count()).max().unwrap_or(0).max(5);
        writeln!(
            f,
            "  {:<id_width$}  {:>8}  {:>8}  {:>10}  {:>8}  config",
            "trial", "score", "calls", "tokens", "secs"
        )?;
        for (i, t) in self.trials.iter().enumerate() {
            let marker = if self.best == Some(i) { '*' } else { ' ' };
            let score = t.score.map_or_else(|| "-".to_owned(), |s| format!("{s:.2}"));
            let resumed = if t.resumed { " (resumed)" } else { "" };
            writeln!(
                f,
                "{marker} {:<id_width$}  {score:>8}  {:>8}  {:>10}  {:>8.2}  {}{resumed}",
                t.id,
                t.lm_calls,
                t.tokens(),
                t.wall_time.as_secs_f64(),
                t.config
            )?;
        }
        Ok(())
    }
}

/// Serializes a [`Duration`] as fractional seconds.
mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_durations_as_seconds_and_round_trips() {
        let mut report = OptimizationReport::new("X");
        let mut trial = Trial::new("a", serde_json::json!({"k": 1})).with_score(50.0);
        trial.wall_time = Duration::from_millis(1500);
        trial.lm_calls = 3;
        report.push(trial);
        report.wall_time = Duration::from_secs(2);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["wall_time"], 2.0);
        assert_eq!(json["trials"][0]["wall_time"], 1.5);
        let back: OptimizationReport = serde_json::from_value(json).unwrap();
        assert_eq!(back, report);
    }

    #[test]
    fn best_by_score_prefers_the_earliest_of_ties_and_skips_unscored() {
        let mut report = OptimizationReport::new("X");
        report.push(Trial::new("a", serde_json::Value::Null));
        report.push(Trial::new("b", serde_json::Value::Null).with_score(2.0));
        report.push(Trial::new("c", serde_json::Value::Null).with_score(2.0));
        assert_eq!(report.best_by_score(), Some(1));
        assert_eq!(OptimizationReport::new("Y").best_by_score(), None);
    }

    #[test]
    fn display_marks_the_best_and_resumed_trials() {
        let mut report = OptimizationReport::new("X");
        report.push(Trial::new("first", serde_json::Value::Null).with_score(1.0));
        let mut t = Trial::new("second", serde_json::Value::Null).with_score(3.0);
        t.resumed = true;
        report.push(t);
        report.best = Some(1);
        let text = report.to_string();
        assert!(text.contains("* second"), "{text}");
        assert!(text.contains("(resumed)"), "{text}");
        assert!(text.starts_with("X: 2 trials"), "{text}");
    }
}
