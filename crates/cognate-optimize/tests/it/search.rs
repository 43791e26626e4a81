//! VariableSearch and the Study samplers: TPE against random search, grid enumeration, mixed
//! variables (floats, ints, choices, module choices, instructions, demo sets), constraints,
//! checkpoint/resume and seeded determinism.

use std::collections::HashSet;
use std::sync::Arc;

use cognate_core::{Example, Prediction, SignatureDesc, Values};
use cognate_eval::InfraPolicy;
use cognate_optimize::search::{Sampler, Study, Tpe, VariableSearch};
use cognate_optimize::{Error, OptimizationReport};
use cognate_runtime::program::child_path;
use cognate_runtime::variable::{Constraint, Constraints, Derived, ModuleChoice};
use cognate_runtime::{
    Component, ComponentExt, Configuration, Module, Predictor, SearchSpace, Settings, Variable, Visitor, VisitorMut,
};
use cognate_testing::MockLm;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// A synthetic space scored by a closure.

/// Variables of every numeric and categorical kind, plus an optional constraint.
#[derive(Clone)]
struct Knobs {
    x: Variable<f64>,
    lr: Variable<f64>,
    k: Variable<i64>,
    style: Variable<String>,
    constraints: Constraints,
}

impl Knobs {
    fn new() -> Self {
        Knobs {
            x: Variable::float(-10.0, 10.0, 0.0).unwrap(),
            lr: Variable::float_log(1e-4, 1.0, 1e-1).unwrap(),
            k: Variable::int(0, 20, 1, 0).unwrap(),
            style: Variable::choice_str(["a", "b", "c", "d"], "a").unwrap(),
            constraints: Constraints::new(),
        }
    }
}

impl Component for Knobs {
    fn visit<'a>(&'a self, path: &str, v: &mut dyn Visitor<'a>) {
        self.x.visit(&child_path(path, "x"), v);
        self.lr.visit(&child_path(path, "lr"), v);
        self.k.visit(&child_path(path, "k"), v);
        self.style.visit(&child_path(path, "style"), v);
        self.constraints.visit(&child_path(path, "constraints"), v);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, v: &mut dyn VisitorMut<'a>) {
        self.x.visit_mut(&child_path(path, "x"), v);
        self.lr.visit_mut(&child_path(path, "lr"), v);
        self.k.visit_mut(&child_path(path, "k"), v);
        self.style.visit_mut(&child_path(path, "style"), v);
    }
}

/// Maximum 0 at x = 3.7, lr = 0.01, k = 13, style = "c".
fn objective(c: &Configuration) -> f64 {
    let x = c["x"].as_f64().unwrap();
    let lr = c["lr"].as_f64().unwrap();
    let k = c["k"].as_i64().unwrap();
    let style = if c["style"] == "c" { 0.0 } else { -1.0 };
    -(x - 3.7).powi(2) / 10.0 - (lr.ln() - 0.01f64.ln()).powi(2) / 4.0 - (k - 13).abs() as f64 / 4.0 + style
}

fn best_after(sampler: Sampler, seed: u64, trials: usize) -> f64 {
    let mut study = Study::new(SearchSpace::of(&Knobs::new()), sampler, seed);
    for _ in 0..trials {
        let config = study.ask().unwrap().unwrap();
        let score = objective(&config);
        study.tell(config, score);
    }
    study.best().unwrap().1
}

#[test]
fn tpe_beats_random_search_on_a_synthetic_objective() {
    let seeds = 0..12u64;
    let (mut tpe_total, mut random_total, mut tpe_wins) = (0.0, 0.0, 0);
    for seed in seeds.clone() {
        let tpe = best_after(Sampler::tpe(), seed, 60);
        let random = best_after(Sampler::Random, seed, 60);
        tpe_total += -tpe;
        random_total += -random;
        tpe_wins += usize::from(tpe > random);
    }
    let n = seeds.count() as f64;
    let (tpe_regret, random_regret) = (tpe_total / n, random_total / n);
    println!(
        "mean regret after 60 trials over {n} seeds: tpe {tpe_regret:.4}, random {random_regret:.4}, tpe wins {tpe_wins}"
    );
    assert!(tpe_regret < 0.5 * random_regret, "tpe {tpe_regret} vs random {random_regret}");
    assert!(tpe_wins >= 9, "tpe won on {tpe_wins} of {n} seeds");
}

#[test]
fn samplers_are_deterministic_given_a_seed() {
    for sampler in [Sampler::Random, Sampler::Tpe(Tpe::default().with_startup_trials(3))] {
        let run = |seed| {
            let mut study = Study::new(SearchSpace::of(&Knobs::new()), sampler, seed);
            (0..15)
                .map(|_| {
                    let config = study.ask().unwrap().unwrap();
                    study.tell(config.clone(), objective(&config));
                    config
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(4), run(4), "{}", sampler.name());
        assert_ne!(run(4), run(5), "{}", sampler.name());
    }
}

#[test]
fn every_proposal_is_inside_the_domains() {
    let space = SearchSpace::of(&Knobs::new());
    let mut study = Study::new(space.clone(), Sampler::Tpe(Tpe::default().with_startup_trials(2)), 1);
    for _ in 0..40 {
        let config = study.ask().unwrap().unwrap();
        space.validate(&config).unwrap();
        let k = config["k"].as_i64().unwrap();
        assert!((0..=20).contains(&k));
        let score = objective(&config);
        study.tell(config, score);
    }
}

// ---------------------------------------------------------------------------------------------
// Grids and constraints.

fn budgeted() -> Knobs {
    let mut knobs = Knobs::new();
    knobs.k = Variable::int(0, 4, 2, 0).unwrap();
    knobs.style = Variable::choice_str(["a", "b"], "a").unwrap();
    knobs.constraints = Constraints::new()
        .with(Constraint::new("not_both", |s| Ok(!(s.get::<i64>("k")? == 4 && s.get::<String>("style")? == "b"))));
    knobs
}

#[test]
fn grid_search_enumerates_every_valid_point_exactly_once() {
    let space = SearchSpace::of(&budgeted()).only(["k", "style", "lr"]);
    let expected: Vec<Configuration> =
        space.grid(3).map(Result::unwrap).filter(|c| space.validate(c).is_ok()).collect();
    // 3 lr × 3 k × 2 styles = 18, minus the 3 with k = 4 and style = b.
    assert_eq!(expected.len(), 15);
    let mut study = Study::new(space, Sampler::Grid { points_per_float: 3 }, 0);
    assert_eq!(study.grid_size(), 18);
    let mut seen = Vec::new();
    while let Some(config) = study.ask().unwrap() {
        study.tell(config.clone(), 0.0);
        seen.push(config);
    }
    assert_eq!(seen, expected);
    let unique: HashSet<String> = seen.iter().map(|c| serde_json::to_string(c).unwrap()).collect();
    assert_eq!(unique.len(), seen.len());
}

#[test]
fn constraints_hold_for_every_sampler_and_impossible_ones_fail_cleanly() {
    for sampler in [Sampler::Random, Sampler::Tpe(Tpe::default().with_startup_trials(4))] {
        let space = SearchSpace::of(&budgeted());
        let mut study = Study::new(space.clone(), sampler, 3);
        for _ in 0..30 {
            let config = study.ask().unwrap().unwrap();
            assert!(!(config["k"] == 4 && config["style"] == "b"), "{config}");
            space.validate(&config).unwrap();
            let score = objective(&config);
            study.tell(config, score);
        }
    }
    let mut impossible = Knobs::new();
    impossible.constraints = Constraints::new().with(Constraint::new("never", |_| Ok(false)));
    for sampler in [Sampler::Random, Sampler::Tpe(Tpe::default().with_startup_trials(0))] {
        let mut study = Study::new(SearchSpace::of(&impossible), sampler, 0).with_max_rejections(20);
        let err = study.ask().unwrap_err().to_string();
        assert!(err.contains("`never` (21 times)"), "{}: {err}", sampler.name());
    }
    let mut grid = Study::new(SearchSpace::of(&impossible), Sampler::Grid { points_per_float: 2 }, 0);
    assert_eq!(grid.ask().unwrap(), None);
}

/// Knobs plus a derived variable computed from `k`.
#[derive(Clone)]
struct WithDerived {
    knobs: Knobs,
    doubled: Derived<i64>,
}

impl Component for WithDerived {
    fn visit<'a>(&'a self, path: &str, v: &mut dyn Visitor<'a>) {
        self.knobs.visit(path, v);
        self.doubled.visit(&child_path(path, "doubled"), v);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, v: &mut dyn VisitorMut<'a>) {
        self.knobs.visit_mut(path, v);
        self.doubled.visit_mut(&child_path(path, "doubled"), v);
    }
}

#[test]
fn derived_variables_are_computed_never_searched() {
    let program = WithDerived { knobs: budgeted(), doubled: Derived::new(|s| Ok(2 * s.get::<i64>("k")?)) };
    let space = SearchSpace::of(&program);
    for sampler in [Sampler::Random, Sampler::Tpe(Tpe::default().with_startup_trials(2)), Sampler::grid()] {
        let mut study = Study::new(space.clone(), sampler, 9);
        for _ in 0..12 {
            let config = study.ask().unwrap().unwrap();
            assert_eq!(config["doubled"], json!(2 * config["k"].as_i64().unwrap()), "{config}");
            space.validate(&config).unwrap();
            let score = objective(&config);
            study.tell(config, score);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A real program: a module choice between two predictors, instructions and demo sets, and
// declared float/int/choice variables, scored on a scripted LM.

#[derive(Clone)]
struct Tuned {
    strategy: ModuleChoice<Values, Prediction>,
    x: Variable<f64>,
    k: Variable<i64>,
    style: Variable<String>,
}

impl Tuned {
    fn new() -> Self {
        let predictor = || Predictor::new(SignatureDesc::parse("question -> answer").unwrap());
        Tuned {
            strategy: ModuleChoice::new().with("direct", predictor()).with("careful", predictor()),
            x: Variable::float(0.0, 2.0, 0.0).unwrap(),
            k: Variable::int(0, 5, 1, 0).unwrap(),
            style: Variable::choice_str(["plain", "formal", "casual"], "plain").unwrap(),
        }
    }
}

impl Component for Tuned {
    fn visit<'a>(&'a self, path: &str, v: &mut dyn Visitor<'a>) {
        self.strategy.visit(&child_path(path, "strategy"), v);
        self.x.visit(&child_path(path, "x"), v);
        self.k.visit(&child_path(path, "k"), v);
        self.style.visit(&child_path(path, "style"), v);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, v: &mut dyn VisitorMut<'a>) {
        self.strategy.visit_mut(&child_path(path, "strategy"), v);
        self.x.visit_mut(&child_path(path, "x"), v);
        self.k.visit_mut(&child_path(path, "k"), v);
        self.style.visit_mut(&child_path(path, "style"), v);
    }
}

impl Module for Tuned {
    type Input = Values;
    type Output = Prediction;

    async fn forward(&self, input: Values) -> cognate_runtime::Result<Prediction> {
        let mut prediction = self.strategy.forward(input).await?;
        prediction.data.insert("x".into(), json!(self.x.get()));
        prediction.data.insert("k".into(), json!(self.k.get()));
        prediction.data.insert("style".into(), json!(self.style.get()));
        Ok(prediction)
    }
}

/// Answers `right` when told to think carefully, `+demo` when the golden demo is in the prompt.
fn scripted_lm() -> Arc<MockLm> {
    Arc::new(MockLm::from_fn(|request| {
        let all: String = request.messages.iter().map(|m| m.content.as_str()).collect();
        let answer = format!(
            "{}{}",
            if request.messages[0].content.contains("carefully") { "right" } else { "wrong" },
            if all.contains("GOLDEN") { "+demo" } else { "" }
        );
        Ok(format!("[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]"))
    }))
}

fn metric(_: &Example, p: &Prediction) -> f64 {
    let answer = p.get("answer").and_then(Value::as_str).unwrap_or("");
    let x = p.get("x").and_then(Value::as_f64).unwrap();
    0.3 * f64::from(u8::from(answer.starts_with("right")))
        + 0.1 * f64::from(u8::from(answer.ends_with("+demo")))
        + 0.2 * f64::from(u8::from(p.get("style") == Some(&json!("formal"))))
        + 0.2 * (1.0 - (x - 0.7).abs() / 2.0)
        + 0.2 * (1.0 - (p.get("k").and_then(Value::as_i64).unwrap() - 3).abs() as f64 / 5.0)
}

fn trainset() -> Vec<Example> {
    ["What is 2 + 2?", "Name a prime."]
        .iter()
        .map(|q| Example::default().with("question", *q).with("answer", "right").with_inputs(["question"]))
        .collect()
}

fn tuned_space(program: &Tuned) -> SearchSpace {
    let mut space = SearchSpace::of(program).exclude(["*.adapter", "*.temperature"]);
    for p in ["strategy.direct", "strategy.careful"] {
        space.add_instruction_candidate(&format!("{p}.instructions"), "Think carefully, then answer.").unwrap();
        let golden = Example::default().with("question", "GOLDEN question").with("answer", "right");
        space.add_demo_candidate(&format!("{p}.demos"), vec![golden]).unwrap();
    }
    space
}

async fn search(
    search: &VariableSearch<fn(&Example, &Prediction) -> f64>,
    lm: Arc<MockLm>,
) -> (Tuned, OptimizationReport) {
    let program = Tuned::new();
    let space = tuned_space(&program);
    let optimized =
        Settings::default().with_lm(lm).scope(search.compile_space(&program, space, &trainset())).await.unwrap();
    (optimized.program, optimized.report)
}

fn tuned_search() -> VariableSearch<fn(&Example, &Prediction) -> f64> {
    VariableSearch::new(metric as fn(&Example, &Prediction) -> f64).with_concurrency(1)
}

#[tokio::test]
async fn tpe_tunes_mixed_variables_of_a_program() {
    let lm = scripted_lm();
    let (best, report) = search(&tuned_search().with_trials(60).with_seed(11), lm.clone()).await;
    assert_eq!(report.trials.len(), 60);
    let names: Vec<&str> =
        ["strategy", "strategy.direct.instructions", "strategy.careful.demos", "x", "k", "style"].to_vec();
    for trial in &report.trials {
        for name in &names {
            assert!(trial.config.get(*name).is_some(), "{name} missing from {}", trial.config);
        }
    }
    let best_trial = report.best_trial().unwrap();
    let config = &best_trial.config;
    println!("best of 60 TPE trials: {} with {config}", best_trial.score.unwrap());
    assert!(best_trial.score.unwrap() >= 90.0, "{report}");
    // The returned program has the best configuration applied.
    let selected = config["strategy"].as_str().unwrap();
    assert_eq!(best.strategy.selected(), selected);
    assert_eq!(best.x.get(), config["x"].as_f64().unwrap());
    assert_eq!(json!(best.style.get()), config["style"]);
    let path = format!("strategy.{selected}");
    let (_, predictor) = best.named_predictors().into_iter().find(|(p, _)| *p == path).unwrap();
    assert_eq!(json!(predictor.instructions()), config[format!("{path}.instructions")]);
    assert_eq!(predictor.demos.len(), config[format!("{path}.demos")].as_array().unwrap().len());
    // Cost accounting: every evaluated (not cached) trial made one call per example.
    let evaluated = report.trials.iter().filter(|t| t.lm_calls > 0).count();
    assert_eq!(report.lm_calls as usize, evaluated * 2);
    assert_eq!(lm.call_count(), evaluated * 2);
}

#[tokio::test]
async fn grid_search_over_a_program_evaluates_each_point_once() {
    let lm = scripted_lm();
    let program = Tuned::new();
    let space = tuned_space(&program).only(["strategy", "strategy.careful.instructions", "style"]);
    let search = tuned_search().with_sampler(Sampler::grid());
    // Inputs built by hand (here: the example's input fields, prefixed).
    let to_input = |e: &Example| {
        let mut inputs = e.inputs();
        let question = format!("Q: {}", inputs["question"].as_str().unwrap());
        inputs.insert("question".into(), json!(question));
        Ok(inputs)
    };
    let optimized = Settings::default()
        .with_lm(lm.clone())
        .scope(search.compile_space_with(&program, space, &trainset(), to_input))
        .await
        .unwrap();
    let (best, report) = (optimized.program, optimized.report);
    // 2 strategies × 2 instructions × 3 styles.
    assert_eq!(report.trials.len(), 12);
    assert_eq!(lm.call_count(), 24);
    assert!(lm.requests().iter().all(|r| r.messages.last().unwrap().content.contains("Q: ")));
    let unique: HashSet<String> = report.trials.iter().map(|t| t.config.to_string()).collect();
    assert_eq!(unique.len(), 12);
    let config = &report.best_trial().unwrap().config;
    assert_eq!(config["strategy"], "careful");
    assert_eq!(config["strategy.careful.instructions"], "Think carefully, then answer.");
    assert_eq!(config["style"], "formal");
    assert_eq!(best.strategy.selected(), "careful");
}

/// Like `scripted_lm`, except that a careful prompt for "Name a prime." gets `503`.
fn overloaded_when_careful() -> Arc<MockLm> {
    Arc::new(MockLm::from_fn(|request| {
        let careful = request.messages[0].content.contains("carefully");
        if careful && request.messages.last().unwrap().content.contains("Name a prime.") {
            return Err(cognate_core::LmError::Http { status: 503, message: "overloaded".into(), retry_after: None });
        }
        let answer = if careful { "right" } else { "wrong" };
        Ok(format!("[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]"))
    }))
}

/// A grid search over two points — the default instructions (wrong answers) and careful ones
/// (right answers, but one of the two calls fails with 503) — under `policy`.
async fn careful_search(policy: InfraPolicy) -> Result<cognate_optimize::Optimized<Tuned>, Error> {
    let right = |_: &Example, p: &Prediction| f64::from(u8::from(p.get("answer") == Some(&json!("right"))));
    let program = Tuned::new();
    let space = tuned_space(&program).only(["strategy.direct.instructions"]);
    let search = VariableSearch::new(right).with_sampler(Sampler::grid()).with_infra_policy(policy);
    Settings::default()
        .with_lm(overloaded_when_careful())
        .scope(search.compile_space(&program, space, &trainset()))
        .await
}

#[tokio::test]
async fn an_outage_does_not_score_a_trial_down() {
    let run = careful_search;
    let scores = |report: &OptimizationReport| report.trials.iter().map(|t| t.score.unwrap()).collect::<Vec<_>>();

    let excluded = run(InfraPolicy::Exclude).await.unwrap();
    assert_eq!(scores(&excluded.report), [0.0, 100.0]);
    let counted = run(InfraPolicy::CountAsZero).await.unwrap();
    assert_eq!(scores(&counted.report), [0.0, 50.0]);
    // The default policy refuses to score a trial half of whose examples hit an outage.
    let Err(err) = run(InfraPolicy::default()).await else { panic!("expected the search to fail") };
    assert!(
        matches!(&err, Error::Eval(cognate_eval::Error::Infrastructure { infra_errors: 1, examples: 2, .. })),
        "{err}"
    );
    assert!(err.is_infrastructure());
}

// ---------------------------------------------------------------------------------------------
// Checkpoints.

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cognate-search-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("search.jsonl")
}

#[tokio::test]
async fn a_resumed_search_replays_finished_trials_and_proposes_what_an_uninterrupted_run_would() {
    let tpe = Sampler::Tpe(Tpe::default().with_startup_trials(3));
    let configs = |r: &OptimizationReport| r.trials.iter().map(|t| t.config.clone()).collect::<Vec<_>>();

    let uninterrupted_lm = scripted_lm();
    let (_, uninterrupted) =
        search(&tuned_search().with_sampler(tpe).with_trials(9).with_seed(5), uninterrupted_lm).await;

    // A run "killed" after 4 trials, then resumed to 9.
    let path = temp_path("resume");
    let first_lm = scripted_lm();
    let base = || tuned_search().with_sampler(tpe).with_seed(5).with_checkpoint(&path);
    let (_, first) = search(&base().with_trials(4), first_lm.clone()).await;
    assert_eq!(configs(&first), configs(&uninterrupted)[..4].to_vec());
    let second_lm = scripted_lm();
    let (_, resumed) = search(&base().with_trials(9), second_lm.clone()).await;

    assert_eq!(configs(&resumed), configs(&uninterrupted));
    assert_eq!(resumed.resumed_trials(), 4);
    assert!(resumed.trials[..4].iter().all(|t| t.resumed && t.lm_calls == 0));
    let scores = |r: &OptimizationReport| r.trials.iter().map(|t| t.score).collect::<Vec<_>>();
    assert_eq!(scores(&resumed), scores(&uninterrupted));
    // The resumed run only evaluated the 5 new trials (2 examples each, minus cache hits).
    let new_calls: u64 = resumed.trials[4..].iter().map(|t| t.lm_calls).sum();
    assert_eq!(second_lm.call_count() as u64, new_calls);
    assert!(new_calls <= 10 && new_calls > 0);
    assert_eq!(resumed.lm_calls, new_calls);
    // A checkpoint written by another search is refused.
    let err = Settings::default()
        .with_lm(scripted_lm())
        .scope(tuned_search().with_sampler(tpe).with_seed(6).with_checkpoint(&path).compile_space(
            &Tuned::new(),
            tuned_space(&Tuned::new()),
            &trainset(),
        ))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, Error::CheckpointMismatch { .. }), "{err}");
}

#[tokio::test]
async fn an_unsatisfiable_space_fails_the_search_with_the_constraint_named() {
    #[derive(Clone)]
    struct Impossible(Tuned, Constraints);
    impl Component for Impossible {
        fn visit<'a>(&'a self, path: &str, v: &mut dyn Visitor<'a>) {
            self.0.visit(path, v);
            self.1.visit(&child_path(path, "constraints"), v);
        }
        fn visit_mut<'a>(&'a mut self, path: &str, v: &mut dyn VisitorMut<'a>) {
            self.0.visit_mut(path, v);
        }
    }
    impl Module for Impossible {
        type Input = Values;
        type Output = Prediction;
        async fn forward(&self, input: Values) -> cognate_runtime::Result<Prediction> {
            self.0.forward(input).await
        }
    }
    let program = Impossible(
        Tuned::new(),
        Constraints::new().with(Constraint::new("x_small", |s| Ok(s.get::<f64>("x")? < -1.0))),
    );
    let lm = scripted_lm();
    let err = Settings::default()
        .with_lm(lm.clone())
        .scope(tuned_search().with_max_rejections(5).compile(&program, &trainset()))
        .await
        .err()
        .unwrap();
    assert!(
        matches!(&err, Error::Program(cognate_runtime::Error::SearchSpace(m)) if m.contains("`x_small` (6 times)")),
        "{err}"
    );
    assert_eq!(lm.call_count(), 0);
}

#[tokio::test]
async fn same_seed_same_search_and_empty_trainsets_are_refused() {
    let run = |seed| async move {
        let (_, report) = search(&tuned_search().with_trials(14).with_seed(seed), scripted_lm()).await;
        report.trials.iter().map(|t| (t.config.clone(), t.score)).collect::<Vec<_>>()
    };
    assert_eq!(run(2).await, run(2).await);
    assert_ne!(run(2).await, run(3).await);
    let err = tuned_search().compile(&Tuned::new(), &[]).await.err().unwrap();
    assert!(matches!(err, Error::Config(_)), "{err}");
}

// ---------------------------------------------------------------------------------------------
// LM budgets.

/// A dollar budget stops the search at a trial with the best configuration so far; the same
/// search resumed from its checkpoint with a larger budget finishes as an uninterrupted one.
#[tokio::test]
async fn a_dollar_budget_stops_the_search_and_a_larger_one_resumes_it() {
    use cognate_core::{BudgetLimit, LanguageModelExt, SharedLm};
    use cognate_lm::{Budget, ModelPrice, PriceTable, UsageTracker};

    let prices = || PriceTable::empty().with("mock-lm", ModelPrice::per_million(1000.0, 1000.0));
    let tpe = Sampler::Tpe(Tpe::default().with_startup_trials(3));
    let base = || tuned_search().with_sampler(tpe).with_trials(9).with_seed(5);
    let configs = |r: &OptimizationReport| r.trials.iter().map(|t| t.config.clone()).collect::<Vec<_>>();
    let scores = |r: &OptimizationReport| r.trials.iter().map(|t| t.score).collect::<Vec<_>>();

    let tracker = UsageTracker::new().with_prices(prices());
    let program = Tuned::new();
    let full = Settings::default()
        .with_lm(tracker.wrap(scripted_lm()))
        .scope(base().compile_space(&program, tuned_space(&program), &trainset()))
        .await
        .unwrap()
        .report;
    let total = tracker.snapshot().cost().unwrap();

    let path = temp_path("budget");
    let budget = Budget::dollars(total / 2.0).with_prices(prices());
    let lm: SharedLm = Arc::new(scripted_lm().layer(budget.clone()));
    let err = Settings::default()
        .with_lm(lm)
        .scope(base().with_checkpoint(&path).compile_space(&program, tuned_space(&program), &trainset()))
        .await
        .err()
        .expect("the budget should stop the search");
    let Error::BudgetExceeded { optimizer, limit, ref stopped_at, ref partial } = err else { panic!("{err}") };
    assert_eq!(optimizer, "VariableSearch");
    assert!(matches!(limit, BudgetLimit::Dollars { spent, max } if spent >= max), "{limit:?}");
    let finished = partial.report.trials.len();
    assert!((1..9).contains(&finished), "{finished}");
    assert_eq!(*stopped_at, format!("trial/{finished}"));
    assert_eq!(configs(&partial.report), configs(&full)[..finished].to_vec());
    assert_eq!(scores(&partial.report), scores(&full)[..finished].to_vec());
    let best = partial.report.best_trial().expect("a best trial so far");
    assert_eq!(partial.best_score, best.score);
    assert_eq!(Some(&Value::Object(partial.best_config.clone().unwrap().as_map().clone())), Some(&best.config));
    // The best configuration so far applies to the program.
    let mut best_program = Tuned::new();
    assert!(partial.apply_config(&tuned_space(&best_program), &mut best_program).unwrap());

    let budget = Budget::dollars(total * 10.0).with_prices(prices());
    let lm: SharedLm = Arc::new(scripted_lm().layer(budget.clone()));
    let resumed = Settings::default()
        .with_lm(lm)
        .scope(base().with_checkpoint(&path).compile_space(&program, tuned_space(&program), &trainset()))
        .await
        .unwrap()
        .report;
    assert_eq!(configs(&resumed), configs(&full));
    assert_eq!(scores(&resumed), scores(&full));
    assert_eq!(resumed.resumed_trials(), finished);
    assert!(budget.spent().dollars < total, "finished trials were not paid for again");
}
