//! The variable system end to end: `variable!` declarations in a program, the search
//! space's built-in variables, validation, seeded sampling (every kind), constraints and
//! the unsatisfiable case, grids, serde, and atomic `apply`.

use std::collections::BTreeSet;
use std::sync::Arc;

use cognate::Error;
use cognate::core::{Example, SharedLm};
use cognate::program::child_path;
use cognate::variable::{Configuration, Constraint, Constraints, Derived, Domain, SearchSpace, SeededRng};
use cognate::{Component, ComponentExt, Module, Predict, ReasoningStrategy, Settings, Variable, Visitor, VisitorMut};
use cognate_testing::MockLm;
use serde_json::{Value, json};

/// Answer questions.
#[cognate::signature]
struct QA {
    #[input]
    question: String,
    #[output]
    answer: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Style {
    Terse,
    Verbose,
    Socratic,
}

/// A program with one variable of every kind, `Component` written by hand.
#[derive(Clone)]
struct Knobs {
    answer: Predict<QA>,
    strategy: ReasoningStrategy<QA>,
    temperature: Variable<f64>,
    learning_rate: Variable<f64>,
    hops: Variable<u32>,
    cache: Variable<bool>,
    tone: Variable<String>,
    style: Variable<Style>,
    max_tokens: Derived<u32>,
    constraints: Constraints,
}

impl Knobs {
    fn new() -> Self {
        Knobs {
            answer: Predict::new(),
            strategy: ReasoningStrategy::new(),
            temperature: cognate::variable!(float(0.0..=1.0), default = 0.5),
            learning_rate: cognate::variable!(float(1e-4..=1e-1, log), default = 1e-3),
            hops: cognate::variable!(int(1..=9, step = 2), default = 3),
            cache: cognate::variable!(bool, default = true),
            tone: cognate::variable!(choice["plain", "formal"], default = "plain"),
            style: cognate::variable!(choice(Style), default = Style::Terse),
            max_tokens: Derived::new(|s| Ok(200 * s.get::<u32>("hops")?)),
            // Long searches only without the cache.
            constraints: Constraints::new()
                .with(Constraint::new("cache_budget", |s| Ok(!s.get::<bool>("cache")? || s.get::<u32>("hops")? <= 5))),
        }
    }
}

macro_rules! visit_fields {
    ($self:ident, $path:ident, $v:ident, $method:ident, [$($field:ident),*]) => {
        $( $self.$field.$method(&child_path($path, stringify!($field)), $v); )*
    };
}

impl Component for Knobs {
    fn visit<'a>(&'a self, path: &str, v: &mut dyn Visitor<'a>) {
        visit_fields!(
            self,
            path,
            v,
            visit,
            [answer, strategy, temperature, learning_rate, hops, cache, tone, style, max_tokens, constraints]
        );
    }
    fn visit_mut<'a>(&'a mut self, path: &str, v: &mut dyn VisitorMut<'a>) {
        visit_fields!(
            self,
            path,
            v,
            visit_mut,
            [answer, strategy, temperature, learning_rate, hops, cache, tone, style, max_tokens, constraints]
        );
    }
}

/// A nested program: the same knobs under `inner`.
struct Outer {
    inner: Knobs,
}

impl Component for Outer {
    fn visit<'a>(&'a self, path: &str, v: &mut dyn Visitor<'a>) {
        self.inner.visit(&child_path(path, "inner"), v);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, v: &mut dyn VisitorMut<'a>) {
        self.inner.visit_mut(&child_path(path, "inner"), v);
    }
}

const DECLARED: [&str; 8] =
    ["strategy", "temperature", "learning_rate", "hops", "cache", "tone", "style", "max_tokens"];

fn builtins(predictor: &str) -> Vec<String> {
    ["instructions", "demos", "adapter", "temperature"].iter().map(|s| format!("{predictor}.{s}")).collect()
}

fn variable_error(result: cognate::Result<impl std::fmt::Debug>) -> (String, String) {
    match result {
        Err(Error::Variable { name, reason }) => (name, reason),
        other => panic!("expected a variable error, got {other:?}"),
    }
}

#[test]
fn the_space_holds_declared_and_built_in_variables_in_field_order() {
    let space = SearchSpace::of(&Knobs::new());
    let mut expected = builtins("answer");
    expected.push("strategy".into());
    expected.extend(builtins("strategy.predict"));
    expected.extend(builtins("strategy.chain_of_thought.predict"));
    expected.extend(DECLARED[1..].iter().map(|s| s.to_string()));
    assert_eq!(space.names(), expected);
    assert_eq!(
        space.domain("strategy"),
        Some(&Domain::Module { options: vec!["predict".into(), "chain_of_thought".into()] })
    );
    assert_eq!(space.domain("hops"), Some(&Domain::Int { low: 1, high: 9, step: 2 }));
    assert_eq!(space.domain("max_tokens"), Some(&Domain::Derived));
    assert_eq!(space.domain("answer.temperature"), Some(&Domain::Float { low: 0.0, high: 2.0, log: false }));
    assert_eq!(space.describe().constraints, vec!["cache_budget"]);

    // Nested programs prefix every path; derived variables and constraints read their own struct.
    let nested = SearchSpace::of(&Outer { inner: Knobs::new() });
    assert!(nested.names().contains(&"inner.strategy.chain_of_thought.predict.instructions"));
    assert_eq!(nested.describe().constraints, vec!["inner.cache_budget"]);
    let config = nested.default_configuration().unwrap();
    assert_eq!(config["inner.max_tokens"], json!(600));
    nested.validate(&config).unwrap();

    // LMs are a variable only once registered; the default is the LM a predictor already uses.
    let a: SharedLm = Arc::new(MockLm::default().with_model_name("a"));
    let b: SharedLm = Arc::new(MockLm::default().with_model_name("b"));
    let mut program = Knobs::new();
    program.answer = Predict::new().with_lm(b.clone());
    let space = SearchSpace::of(&program).with_lms([("a", a), ("b", b)]);
    assert_eq!(&space.names()[..3], ["answer.instructions", "answer.demos", "answer.lm"]);
    let defaults = space.default_configuration().unwrap();
    assert_eq!(defaults["answer.lm"], json!("b"));
    assert_eq!(defaults["strategy.predict.lm"], json!("a"));
}

#[test]
fn default_configuration_is_every_default_with_derived_values() {
    let space = SearchSpace::of(&Knobs::new());
    let config = space.default_configuration().unwrap();
    assert_eq!(config["hops"], json!(3));
    assert_eq!(config["max_tokens"], json!(600));
    assert_eq!(config["strategy"], json!("predict"));
    assert_eq!(config["style"], json!("terse"));
    assert_eq!(config["answer.instructions"], json!("Answer questions."));
    assert_eq!(config["answer.demos"], json!([]));
    assert_eq!(config["answer.adapter"], json!("ChatAdapter"));
    assert_eq!(config["answer.temperature"], json!(0.0));
    assert_eq!(config.len(), space.names().len());
    space.validate(&config).unwrap();
}

#[test]
fn sampling_covers_every_kind_of_variable() {
    let mut space = SearchSpace::of(&Knobs::new()).with_lms([
        ("small", Arc::new(MockLm::default()) as SharedLm),
        ("large", Arc::new(MockLm::default()) as SharedLm),
    ]);
    space.add_instruction_candidate("answer.instructions", "Answer briefly.").unwrap();
    let demo = Example::default().with("question", "1+1?").with("answer", "2");
    space.add_demo_candidate("answer.demos", vec![demo.clone()]).unwrap();
    assert!(space.add_demo_candidate("hops", vec![]).is_err(), "hops is not a demo set");

    let mut rng = SeededRng::new(11);
    let mut seen: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    let (mut low_lr, n) = (0, 400);
    for _ in 0..n {
        let config = space.sample_valid(&mut rng, 100).unwrap();
        space.validate(&config).unwrap();
        assert_eq!(config["max_tokens"], json!(200 * config["hops"].as_u64().unwrap()));
        assert!(!(config["cache"] == json!(true) && config["hops"].as_u64().unwrap() > 5), "{config}");
        let temperature = config["temperature"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&temperature));
        let lr = config["learning_rate"].as_f64().unwrap();
        assert!((1e-4..=1e-1).contains(&lr));
        if lr < 1e-2 {
            low_lr += 1;
        }
        let t = config["answer.temperature"].as_f64().unwrap();
        assert!((0.0..=2.0).contains(&t));
        for (name, value) in config.iter() {
            let shown = if value.is_f64() { "float".to_string() } else { value.to_string() };
            seen.entry(name.clone()).or_default().insert(shown);
        }
    }
    // Log-uniform: 1e-2 is two thirds of the way on a log scale (a uniform draw would put
    // 9% of the samples below it).
    assert!((220..=310).contains(&low_lr), "{low_lr} of {n} below 1e-2");
    let values = |name: &str| seen[name].iter().cloned().collect::<Vec<_>>();
    assert_eq!(values("hops"), ["1", "3", "5", "7", "9"]);
    assert_eq!(values("cache"), ["false", "true"]);
    assert_eq!(values("tone"), ["\"formal\"", "\"plain\""]);
    assert_eq!(values("style"), ["\"socratic\"", "\"terse\"", "\"verbose\""]);
    assert_eq!(values("strategy"), ["\"chain_of_thought\"", "\"predict\""]);
    assert_eq!(values("answer.instructions"), ["\"Answer briefly.\"", "\"Answer questions.\""]);
    assert_eq!(values("answer.demos"), ["[]", r#"[{"question":"1+1?","answer":"2"}]"#]);
    assert_eq!(values("answer.lm"), ["\"large\"", "\"small\""]);
    assert_eq!(values("answer.adapter"), ["\"ChatAdapter\"", "\"JSONAdapter\"", "\"XMLAdapter\""]);
    assert_eq!(values("max_tokens"), ["1000", "1400", "1800", "200", "600"]);
}

#[test]
fn seeded_sampling_is_reproducible() {
    let space = SearchSpace::of(&Knobs::new());
    let draw = |seed| {
        let mut rng = SeededRng::new(seed);
        (0..20).map(|_| space.sample(&mut rng).unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(draw(5), draw(5));
    assert_ne!(draw(5), draw(6));
}

#[test]
fn validation_names_the_variable_and_never_falls_back_to_defaults() {
    let space = SearchSpace::of(&Knobs::new());
    let good = space.default_configuration().unwrap();
    let with = |name: &str, value: Value| {
        let mut c = good.clone();
        c.insert(name, value);
        c
    };
    let without = |name: &str| {
        let mut c = good.clone();
        c.remove(name);
        c
    };
    let cases: Vec<(Configuration, &str, &str)> = vec![
        (with("hops", json!(4)), "hops", "4 is not on the grid 1..=9 with step 2"),
        (with("hops", json!(11)), "hops", "11 is outside 1..=9"),
        (with("temperature", json!(1.5)), "temperature", "1.5 is outside 0..=1"),
        (with("learning_rate", json!(0.5)), "learning_rate", "0.5 is outside 0.0001..=0.1 (log scale)"),
        (with("cache", json!("yes")), "cache", "expected true or false, got \"yes\""),
        (with("tone", json!("loud")), "tone", "\"loud\" is not one of [\"plain\", \"formal\"]"),
        (with("style", json!("rude")), "style", "\"rude\" is not one of [\"terse\", \"verbose\", \"socratic\"]"),
        (
            with("strategy", json!("react")),
            "strategy",
            "\"react\" is not one of the modules [predict, chain_of_thought]",
        ),
        (with("answer.instructions", json!(3)), "answer.instructions", "expected a string, got 3"),
        (with("answer.demos", json!(["x"])), "answer.demos", "demo 0 is not an object"),
        (with("answer.adapter", json!("YAMLAdapter")), "answer.adapter", "is not one of"),
        (with("answer.temperature", json!(2.5)), "answer.temperature", "2.5 is outside 0..=2"),
        (with("max_tokens", json!(1)), "max_tokens", "derived value is 600, but the configuration says 1"),
        (with("hop", json!(1)), "hop", "unknown variable: not in the search space"),
        (with("answer.lm", json!("a")), "answer.lm", "unknown variable"),
        (without("hops"), "hops", "missing from the configuration"),
        (without("answer.demos"), "answer.demos", "missing from the configuration"),
        (with("hops", json!(7)).with("max_tokens", 1400), "cache_budget", "constraint violated by this configuration"),
    ];
    for (config, name, reason) in cases {
        let (got_name, got_reason) = variable_error(space.validate(&config));
        assert_eq!(got_name, name, "{config}");
        assert!(got_reason.contains(reason), "{name}: {got_reason}");
    }
    // The derived value may be left out: it is computed.
    space.validate(&without("max_tokens")).unwrap();
    assert_eq!(space.complete(&without("max_tokens")).unwrap()["max_tokens"], json!(600));
    // A frozen variable may not appear.
    let frozen = SearchSpace::of(&Knobs::new()).exclude(["*.temperature"]);
    let (name, reason) = variable_error(frozen.validate(&good));
    assert_eq!((name.as_str(), reason.as_str()), ("answer.temperature", "frozen: excluded from the search space"));
    let e = Error::Variable { name: "hops".into(), reason: "11 is outside 1..=9".into() };
    assert_eq!(e.to_string(), "variable `hops`: 11 is outside 1..=9");
}

#[test]
fn unsatisfiable_constraints_end_in_an_error_after_bounded_rejections() {
    let mut program = Knobs::new();
    program.constraints = Constraints::new()
        .with(Constraint::new("never", |_| Ok(false)))
        .with(Constraint::new("hops_fit", |s| Ok(s.get::<u32>("hops")? > 100)));
    let space = SearchSpace::of(&program);
    let err = space.sample_valid(&mut SeededRng::new(1), 49).unwrap_err();
    let Error::SearchSpace(message) = &err else { panic!("{err:?}") };
    assert_eq!(message, "no configuration satisfied the constraints in 50 samples; failing: `never` (50 times)");

    // A constraint that reads a missing variable is an error naming both.
    program.constraints = Constraints::new().with(Constraint::new("typo", |s| Ok(s.get::<u32>("hopz")? > 1)));
    let space = SearchSpace::of(&program);
    let (name, reason) = variable_error(space.validate(&space.default_configuration().unwrap()));
    assert_eq!(name, "typo");
    assert!(reason.contains("`hopz`") && reason.contains("not in the configuration"), "{reason}");
}

#[test]
fn grids_enumerate_the_cartesian_product_lazily() {
    let space = SearchSpace::of(&Knobs::new()).without_builtins();
    // strategy 2 × temperature 3 × learning_rate 3 × hops 5 × cache 2 × tone 2 × style 3
    let grid = space.grid(3);
    assert_eq!(grid.size(), 2 * 3 * 3 * 5 * 2 * 2 * 3);
    let configs: Vec<Configuration> = grid.map(Result::unwrap).collect();
    assert_eq!(configs.len(), 1080);
    let distinct: BTreeSet<String> = configs.iter().map(|c| serde_json::to_string(c).unwrap()).collect();
    assert_eq!(distinct.len(), 1080);
    for c in &configs {
        assert_eq!(c["max_tokens"], json!(200 * c["hops"].as_u64().unwrap()));
    }
    assert_eq!(configs[0]["learning_rate"], json!(1e-4));
    let lrs: BTreeSet<String> = configs.iter().map(|c| c["learning_rate"].to_string()).collect();
    assert!(lrs.contains("0.1") && lrs.len() == 3, "{lrs:?}");
    let valid = configs.iter().filter(|c| space.validate(c).is_ok()).count();
    // cache = true and hops in {7, 9} break the constraint: 2 of 10 (cache, hops) pairs.
    assert_eq!(valid, 1080 / 10 * 8);

    // Text and demo-set variables take their candidates.
    let mut space = SearchSpace::of(&Knobs::new()).only(["answer.instructions", "answer.demos", "hops"]);
    space.add_instruction_candidate("answer.instructions", "Be brief.").unwrap();
    space.add_instruction_candidate("answer.instructions", "Be brief.").unwrap();
    assert_eq!(space.grid(2).size(), 2 * 5);
    let mut g = space.grid(2);
    g.next();
    assert_eq!(g.size(), 9);
    // Huge spaces report their size without enumerating.
    let big = SearchSpace::of(&vec![Knobs::new(); 40]).without_builtins();
    assert_eq!(big.grid(10).size(), u128::MAX);
}

#[test]
fn configurations_and_space_descriptions_round_trip_through_serde() {
    let space = SearchSpace::of(&Knobs::new()).exclude(["strategy.*"]);
    let config = space.sample(&mut SeededRng::new(3)).unwrap();
    let text = serde_json::to_string_pretty(&config).unwrap();
    let back: Configuration = serde_json::from_str(&text).unwrap();
    assert_eq!(back, config);
    assert_eq!(back.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), space.names());

    let description = space.describe();
    let json = serde_json::to_value(&space).unwrap();
    assert_eq!(json, serde_json::to_value(&description).unwrap());
    let back: cognate::variable::SpaceDescription = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, description);
    let hops = json["variables"].as_array().unwrap().iter().find(|v| v["name"] == "hops").unwrap();
    assert_eq!(
        hops,
        &json!({"name": "hops", "domain": {"kind": "int", "low": 1, "high": 9, "step": 2}, "default": 3, "builtin": false, "frozen": false})
    );
    let frozen = json["variables"].as_array().unwrap().iter().find(|v| v["name"] == "strategy.predict.demos").unwrap();
    assert_eq!(frozen["frozen"], json!(true));
    assert!(config.to_string().starts_with("{answer.instructions = \"Answer questions.\""), "{config}");
}

fn snapshot(p: &Knobs) -> Vec<String> {
    let mut out: Vec<String> = p.named_variables().iter().map(|(n, v)| format!("{n}={}", v.value_json())).collect();
    out.extend(p.named_predictors().iter().map(|(n, p)| format!("{n}={p:?}")));
    out
}

#[test]
fn apply_sets_everything_or_nothing() {
    let small: SharedLm = Arc::new(MockLm::default().with_model_name("small"));
    let mut program = Knobs::new();
    let space = SearchSpace::of(&program).with_lms([("small", small.clone())]);
    let mut config = space.default_configuration().unwrap();
    config.insert("hops", 5);
    config.insert("max_tokens", 1000);
    config.insert("style", "socratic");
    config.insert("strategy", "chain_of_thought");
    config.insert("answer.instructions", "Answer in one word.");
    config.insert("answer.demos", json!([{"question": "2+2?", "answer": "4"}]));
    config.insert("answer.adapter", "XMLAdapter");
    config.insert("answer.temperature", 0.25);

    // One bad value anywhere: nothing changes.
    let before = snapshot(&program);
    let mut bad = config.clone();
    bad.insert("strategy.predict.temperature", 7.0);
    assert!(space.apply(&bad, &mut program).is_err());
    assert_eq!(snapshot(&program), before);
    // A constraint violation: nothing changes either.
    let mut bad = config.clone();
    bad.insert("hops", 7);
    bad.remove("max_tokens");
    let (name, _) = variable_error(space.apply(&bad, &mut program));
    assert_eq!(name, "cache_budget");
    assert_eq!(snapshot(&program), before);

    space.apply(&config, &mut program).unwrap();
    assert_eq!(program.hops.get(), 5);
    assert_eq!(program.max_tokens.get(), Some(1000));
    assert_eq!(program.style.get(), Style::Socratic);
    assert_eq!(program.strategy.selected(), "chain_of_thought");
    let p = program.answer.predictor();
    assert_eq!(p.instructions(), "Answer in one word.");
    assert_eq!(p.demos, vec![Example::default().with("question", "2+2?").with("answer", "4")]);
    assert_eq!(p.adapter.as_ref().unwrap().name(), "XMLAdapter");
    assert_eq!(p.config.temperature, Some(0.25));
    assert!(Arc::ptr_eq(p.lm.as_ref().unwrap(), &small));
    // Applying what the program now holds is a no-op.
    let after = snapshot(&program);
    space.apply(&config, &mut program).unwrap();
    assert_eq!(snapshot(&program), after);

    // Frozen variables are left alone.
    let frozen = SearchSpace::of(&program).only(["hops"]);
    frozen.apply(&Configuration::new().with("hops", 1), &mut program).unwrap();
    assert_eq!(program.hops.get(), 1);
    assert_eq!(program.max_tokens.get(), Some(200));
    assert_eq!(program.answer.predictor().instructions(), "Answer in one word.");
}

#[test]
fn refresh_derived_computes_from_current_values() {
    let mut program = Knobs::new();
    assert_eq!(program.max_tokens.get(), None);
    SearchSpace::refresh_derived(&mut program).unwrap();
    assert_eq!(program.max_tokens.get(), Some(600));
    program.hops.set(9).unwrap();
    SearchSpace::refresh_derived(&mut program).unwrap();
    assert_eq!(program.max_tokens.get(), Some(1800));
}

#[tokio::test]
async fn module_choice_runs_the_selected_alternative() {
    let lm = MockLm::new([
        "[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]",
        "[[ ## reasoning ## ]]\nIt is the capital.\n\n[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]",
    ]);
    let settings = Settings::default().with_lm(Arc::new(lm.clone()));
    let mut program = Knobs::new();
    let input = QAInput { question: "Capital of France?".into() };

    let out = settings.clone().scope(program.strategy.forward(input.clone())).await.unwrap();
    assert_eq!(out.answer, "Paris");
    assert!(!lm.last_request().unwrap().messages[0].content.contains("reasoning"));

    let space = SearchSpace::of(&program).without_builtins();
    let config = space.default_configuration().unwrap().with("strategy", "chain_of_thought");
    space.apply(&config, &mut program).unwrap();
    let out = settings.scope(program.strategy.forward(input)).await.unwrap();
    assert_eq!(out.answer, "Paris");
    assert!(lm.last_request().unwrap().messages[0].content.contains("`reasoning`"));

    // Every alternative's predictor is visible (for optimizers and saved state).
    let names: Vec<String> = program.named_predictors().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["answer", "strategy.predict", "strategy.chain_of_thought.predict"]);
    assert!(program.strategy.select("react").is_err());
    assert_eq!(program.strategy.selected(), "chain_of_thought");
}

#[test]
fn runtime_constructors_reject_what_the_macro_rejects_at_compile_time() {
    assert!(Variable::<f64>::float(0.0, 1.0, 2.0).is_err());
    assert!(Variable::<u32>::int(0, 10, 3, 0).is_err());
    assert!(Variable::<u32>::int(0, 10, 0, 0).is_err());
    assert!(Variable::<f64>::float_log(-1.0, 1.0, 0.5).is_err());
    assert!(Variable::choice_str([], "a").is_err());
    assert!(Variable::choice_str(["a", "a"], "a").is_err());
    assert!(Variable::choice([Style::Terse], Style::Verbose).is_err());
    let hi = 4u32;
    let result =
        std::panic::catch_unwind(|| -> Variable<u32> { cognate::variable!(int(1..=hi, step = 2), default = 1) });
    assert!(result.is_err(), "a non-literal range that the step does not divide panics");
    let v: Variable<u32> = cognate::variable!(int(1..=hi + 1, step = 2), default = 1);
    assert_eq!(v.domain(), &Domain::Int { low: 1, high: 5, step: 2 });
}

/// The same kinds of fields in a `#[program]`: the generated `Component` visits them.
#[cognate::program]
#[derive(Clone)]
struct Searcher {
    strategy: ReasoningStrategy<QA>,
    hops: Variable<u32>,
    max_tokens: Derived<u32>,
    constraints: Constraints,
}

impl Module for Searcher {
    type Input = QAInput;
    type Output = QAOutput;
    async fn forward(&self, input: QAInput) -> cognate::Result<QAOutput> {
        self.strategy.forward(input).await
    }
}

#[test]
fn program_macro_fields_join_the_search_space() {
    let mut program = Searcher {
        strategy: ReasoningStrategy::new().with_default("chain_of_thought"),
        hops: cognate::variable!(int(1..=4), default = 2),
        max_tokens: Derived::new(|s| Ok(256 * s.get::<u32>("hops")?)),
        constraints: Constraints::new().with(Constraint::new("few_hops", |s| Ok(s.get::<u32>("hops")? < 4))),
    };
    let space = SearchSpace::of(&program).without_builtins();
    assert_eq!(space.names(), ["strategy", "hops", "max_tokens"]);
    assert_eq!(space.describe().constraints, ["few_hops"]);
    let config = space.default_configuration().unwrap();
    assert_eq!(config.to_string(), "{strategy = \"chain_of_thought\", hops = 2, max_tokens = 512}");
    let config = space.sample_valid(&mut SeededRng::new(9), 100).unwrap();
    space.apply(&config, &mut program).unwrap();
    assert_eq!(json!(program.hops.get()), config["hops"]);
    assert_eq!(program.max_tokens.get(), Some(256 * program.hops.get()));
    assert_ne!(program.hops.get(), 4);
}
