//! Parity with DSPy 3.4.1: the demos LabeledFewShot, BootstrapFewShot and each
//! BootstrapFewShotWithRandomSearch candidate end with (and the candidates' scores), and
//! CPython's `random.Random`, against fixtures written by
//! `tests/data/dspy-parity/make_fixtures.py`.

use std::sync::Arc;

use cognate::core::{Example, Prediction};
use cognate::eval::Score;
use cognate::optimize::pyrandom::PyRandom;
use cognate::optimize::{BootstrapFewShot, BootstrapFewShotWithRandomSearch, LabeledFewShot};
use cognate::prelude::*;
use cognate_testing::MockLm;
use serde_json::{Map, Value};

use crate::common::{Simple, Two, demos_json, reply_from, with_lm};

fn fixtures() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dspy-parity/fixtures.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn trainset(fixtures: &Value) -> Vec<Example> {
    fixtures["trainset"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| Example::new(row.as_object().unwrap().clone()).with_inputs(["question"]))
        .collect()
}

/// DSPy's `exact` metric of the fixture script (raises when the answer says "error").
fn exact(example: &Example, prediction: &Prediction) -> cognate::Result<Score> {
    let answer = prediction.get("answer").and_then(Value::as_str).unwrap_or_default();
    if answer.contains("error") {
        // The script's metric raises: a failure of the program, not of the LM.
        let source = <serde_json::Error as serde::de::Error>::custom("metric failure requested by the script");
        return Err(cognate::core::Error::Conversion { what: "the metric's input".into(), source }.into());
    }
    Ok(Score::from(example.get("answer") == prediction.get("answer")))
}

/// DSPy's `graded` metric of the fixture script.
fn graded(example: &Example, prediction: &Prediction) -> f64 {
    let truth = example.get("answer").and_then(Value::as_str).unwrap_or_default();
    let answer = prediction.get("answer").and_then(Value::as_str).unwrap_or_default();
    if truth == answer {
        1.0
    } else if answer.chars().next().is_some() && answer.chars().next() == truth.chars().next() {
        0.5
    } else {
        0.0
    }
}

/// Asserts the demos match exactly, key order included.
fn assert_same_demos(case: &str, ours: &Map<String, Value>, theirs: &Value) {
    let theirs = theirs.as_object().unwrap();
    assert_eq!(ours.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>(), "{case}: predictor paths");
    for (path, expected) in theirs {
        let got = &ours[path];
        assert_eq!(got, expected, "{case}: demos of `{path}`");
        for (g, e) in got.as_array().unwrap().iter().zip(expected.as_array().unwrap()) {
            let gk: Vec<_> = g.as_object().unwrap().keys().collect();
            let ek: Vec<_> = e.as_object().unwrap().keys().collect();
            assert_eq!(gk, ek, "{case}: key order of a demo of `{path}`");
        }
    }
}

fn usize_param(params: &Value, key: &str, default: usize) -> usize {
    params.get(key).and_then(Value::as_u64).map_or(default, |v| v as usize)
}

async fn run_bootstrap<P>(case: &Value, student: P, trainset: &[Example]) -> Map<String, Value>
where
    P: Program + ComponentExt,
    P::Input: serde::de::DeserializeOwned,
    P::Output: serde::Serialize,
{
    let params = &case["params"];
    let replies: Vec<String> =
        case["answers"].as_array().unwrap().iter().map(|a| reply_from(a.as_object().unwrap())).collect();
    let expected_calls = replies.len();
    let lm = Arc::new(MockLm::new(replies));
    fn configure<Me: cognate::eval::Metric>(b: BootstrapFewShot<Me>, params: &Value) -> BootstrapFewShot<Me> {
        b.with_metric_threshold(params.get("metric_threshold").and_then(Value::as_f64))
            .with_max_bootstrapped_demos(usize_param(params, "max_bootstrapped_demos", 4))
            .with_max_labeled_demos(usize_param(params, "max_labeled_demos", 16))
            .with_max_rounds(usize_param(params, "max_rounds", 1))
    }
    let compiled = match case["metric"].as_str().unwrap() {
        "exact" => {
            with_lm(lm.clone()).scope(configure(BootstrapFewShot::new(exact), params).compile(&student, trainset)).await
        }
        "graded" => {
            with_lm(lm.clone())
                .scope(configure(BootstrapFewShot::new(graded), params).compile(&student, trainset))
                .await
        }
        other => panic!("unknown metric {other}"),
    }
    .unwrap();
    assert_eq!(lm.call_count(), expected_calls, "{}: LM calls", case["name"]);
    demos_json(&compiled.program)
}

#[tokio::test]
async fn demos_match_dspy() {
    let fixtures = fixtures();
    assert_eq!(fixtures["dspy_version"], "3.4.1");
    let trainset = trainset(&fixtures);
    let cases = fixtures["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let params = &case["params"];
        let program = case["program"].as_str().unwrap();
        let ours = match case["optimizer"].as_str().unwrap() {
            "LabeledFewShot" => {
                let optimizer = LabeledFewShot::new()
                    .with_k(usize_param(params, "k", 16))
                    .with_sample(params["sample"].as_bool().unwrap());
                match program {
                    "simple" => demos_json(&optimizer.compile(&Simple::new(), &trainset).await.unwrap().program),
                    _ => demos_json(&optimizer.compile(&Two::new(), &trainset).await.unwrap().program),
                }
            }
            "BootstrapFewShot" => match program {
                "simple" => run_bootstrap(case, Simple::new(), &trainset).await,
                _ => run_bootstrap(case, Two::new(), &trainset).await,
            },
            "BootstrapFewShotWithRandomSearch" => {
                check_random_search(case, &trainset).await;
                continue;
            }
            other => panic!("unknown optimizer {other}"),
        };
        assert_same_demos(name, &ours, &case["demos"]);
    }
}

/// DummyLM's dict mode: the answer of the first key contained in the last message.
fn dict_mode(answers: &Map<String, Value>) -> Arc<MockLm> {
    let answers = answers.clone();
    Arc::new(MockLm::from_fn(move |request| {
        let last = &request.messages.last().unwrap().content;
        let fields = answers.iter().find(|(question, _)| last.contains(question.as_str())).map(|(_, f)| f).unwrap();
        Ok(reply_from(fields.as_object().unwrap()))
    }))
}

/// Every candidate's score and demos, built alone with `restrict`, then the whole search.
async fn check_random_search(case: &Value, trainset: &[Example]) {
    let name = case["name"].as_str().unwrap();
    let params = &case["params"];
    let answers = case["answers_by_question"].as_object().unwrap();
    let search = || {
        BootstrapFewShotWithRandomSearch::new(exact)
            .with_num_candidate_programs(usize_param(params, "num_candidate_programs", 16))
            .with_max_bootstrapped_demos(usize_param(params, "max_bootstrapped_demos", 4))
            .with_max_labeled_demos(usize_param(params, "max_labeled_demos", 16))
            .with_num_threads(1)
    };
    let candidates = case["candidates"].as_object().unwrap();
    assert_eq!(candidates.len(), usize_param(params, "num_candidate_programs", 16) + 3);
    for (seed, expected) in candidates {
        let seed: i64 = seed.parse().unwrap();
        let compiled = with_lm(dict_mode(answers))
            .scope(search().with_restrict([seed]).compile(&Simple::new(), trainset, None))
            .await
            .unwrap();
        assert_eq!(compiled.report.trials[0].score, expected["score"].as_f64(), "{name}: score of seed {seed}");
        assert_same_demos(&format!("{name} seed {seed}"), &demos_json(&compiled.program), &expected["demos"]);
    }
    let best = with_lm(dict_mode(answers)).scope(search().compile(&Simple::new(), trainset, None)).await.unwrap();
    assert_same_demos(name, &demos_json(&best.program), &case["demos"]);
}

#[test]
fn pyrandom_matches_cpython() {
    let fixtures = fixtures();
    let vectors = &fixtures["pyrandom"];
    let as_i64 = |v: &Value| v.as_i64().unwrap();
    for case in vectors["sample"].as_array().unwrap() {
        let (n, k) = (case["n"].as_u64().unwrap() as usize, case["k"].as_u64().unwrap() as usize);
        let got = PyRandom::new(as_i64(&case["seed"])).sample_indices(n, k);
        let want: Vec<usize> = case["out"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
        assert_eq!(got, want, "sample {case}");
    }
    for case in vectors["shuffle"].as_array().unwrap() {
        let mut items: Vec<u64> = (0..case["n"].as_u64().unwrap()).collect();
        PyRandom::new(as_i64(&case["seed"])).shuffle(&mut items);
        let want: Vec<u64> = case["out"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
        assert_eq!(items, want, "shuffle {case}");
    }
    for case in vectors["randint"].as_array().unwrap() {
        let got = PyRandom::new(as_i64(&case["seed"])).randint(as_i64(&case["a"]), as_i64(&case["b"]));
        assert_eq!(got, as_i64(&case["out"][0]), "randint {case}");
    }
    for case in vectors["random"].as_array().unwrap() {
        let mut rng = PyRandom::new(as_i64(&case["seed"]));
        for want in case["out"].as_array().unwrap() {
            assert_eq!(rng.random(), want.as_f64().unwrap(), "random {case}");
        }
    }
}
