//! Wall time of `BootstrapFewShot` and `BootstrapFewShotWithRandomSearch` on the benchmark
//! task, through an OpenAI-compatible server (the mock, with 50 ms of latency).
//!
//! The metric passes when the predicted `confidence` is at least 50: the mock server draws it
//! from the prompt's last user message, so about half the examples pass, and DSPy (whose
//! prompts are byte-identical) sees the same answers. `python/bench_dspy.py optimize` runs
//! the same optimizers with the same settings.

use std::time::Instant;

use cognate::optimize::{BootstrapFewShot, BootstrapFewShotWithRandomSearch};
use cognate::{Module, Predict, Settings, program};
use cognate_core::{Example, Prediction, SharedLm};
use serde::Serialize;

use crate::task::{ContextQa, ContextQaInput, ContextQaOutput, dataset};

/// The program both frameworks optimize: one `Predict` (DSPy: a module whose `forward` calls
/// `self.predict`).
#[program]
#[derive(Clone, Debug)]
pub struct QaProgram {
    /// The only predictor.
    pub predict: Predict<ContextQa>,
}

impl Default for QaProgram {
    fn default() -> Self {
        QaProgram { predict: Predict::new() }
    }
}

impl Module for QaProgram {
    type Input = ContextQaInput;
    type Output = ContextQaOutput;

    async fn forward(&self, input: ContextQaInput) -> cognate::Result<ContextQaOutput> {
        self.predict.forward(input).await
    }
}

/// The metric: the predicted confidence is at least 50.
pub fn confident(_example: &Example, prediction: &Prediction) -> bool {
    prediction.get("confidence").and_then(serde_json::Value::as_f64).is_some_and(|c| c >= 50.0)
}

/// Sizes and settings of the optimizer runs (the same in `bench_dspy.py`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OptimizeConfig {
    /// Training examples (the first of the generated dataset).
    pub train: usize,
    /// Validation examples for random search (the ones after the training set).
    pub val: usize,
    /// Random search's seeded candidates (DSPy's `num_candidate_programs`).
    pub candidates: usize,
    /// Random search's evaluation threads.
    pub threads: usize,
}

impl Default for OptimizeConfig {
    fn default() -> Self {
        OptimizeConfig { train: 32, val: 32, candidates: 4, threads: 8 }
    }
}

/// One optimizer run.
#[derive(Debug, Clone, Serialize)]
pub struct OptimizerRun {
    /// `BootstrapFewShot` or `BootstrapFewShotWithRandomSearch`.
    pub optimizer: String,
    /// Wall time, in seconds.
    pub seconds: f64,
    /// LM calls the run made.
    pub lm_calls: u64,
    /// Trials (candidate programs) in the report.
    pub trials: usize,
    /// Demos on the returned program's predictor.
    pub demos: usize,
    /// The best candidate's score (random search), in percent.
    pub best_score: Option<f64>,
}

/// Runs `BootstrapFewShot` (4 bootstrapped, 16 labeled demos) and then random search
/// (`config.candidates` seeded candidates plus the three fixed ones) with `lm`.
///
/// # Panics
/// If an optimizer fails (the mock server always answers).
pub async fn optimizer_wall_times(lm: SharedLm, config: &OptimizeConfig) -> Vec<OptimizerRun> {
    let data = dataset(config.train + config.val);
    let (trainset, valset) = data.split_at(config.train);
    let settings = Settings::default().with_lm(lm);
    let student = QaProgram::default();
    let metric = confident as fn(&Example, &Prediction) -> bool;

    let started = Instant::now();
    let bootstrap = BootstrapFewShot::new(metric).with_max_bootstrapped_demos(4).with_max_labeled_demos(16);
    let compiled = settings.clone().scope(bootstrap.compile(&student, trainset)).await.expect("BootstrapFewShot runs");
    let bootstrap_run = OptimizerRun {
        optimizer: "BootstrapFewShot".into(),
        seconds: started.elapsed().as_secs_f64(),
        lm_calls: compiled.report.lm_calls,
        trials: compiled.report.trials.len(),
        demos: compiled.program.predict.predictor().demos.len(),
        best_score: None,
    };

    let started = Instant::now();
    let search = BootstrapFewShotWithRandomSearch::new(metric)
        .with_max_bootstrapped_demos(4)
        .with_max_labeled_demos(16)
        .with_num_candidate_programs(config.candidates)
        .with_num_threads(config.threads);
    let compiled = settings.scope(search.compile(&student, trainset, Some(valset))).await.expect("random search runs");
    let best_score = compiled.report.best.and_then(|i| compiled.report.trials[i].score);
    let search_run = OptimizerRun {
        optimizer: "BootstrapFewShotWithRandomSearch".into(),
        seconds: started.elapsed().as_secs_f64(),
        lm_calls: compiled.report.lm_calls,
        trials: compiled.report.trials.len(),
        demos: compiled.program.predict.predictor().demos.len(),
        best_score,
    };
    vec![bootstrap_run, search_run]
}
