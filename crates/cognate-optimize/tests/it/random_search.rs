//! BootstrapFewShotWithRandomSearch: the candidate scheme, best selection, early stop, and
//! checkpoint/resume.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use cognate::core::Example;
use cognate::optimize::pyrandom::PyRandom;
use cognate::optimize::{BootstrapFewShotWithRandomSearch, Error, OptimizationReport};
use cognate::prelude::*;
use cognate_testing::MockLm;
use serde_json::Value;

use crate::bootstrap::HangingLm;
use crate::common::{Simple, asked_question, demo_questions, exact, oracle, reply, solve, trainset, with_lm};

/// Answers correctly only with exactly `n` demos in the prompt (system + 2 per demo + question).
pub(crate) fn needs_demos(n: usize) -> Arc<MockLm> {
    Arc::new(MockLm::from_fn(move |request| {
        let q = asked_question(request);
        let demos = (request.messages.len() - 2) / 2;
        Ok(reply(&[("answer", &if demos == n { solve(&q) } else { "999".into() })]))
    }))
}

fn search() -> BootstrapFewShotWithRandomSearch<fn(&Example, &cognate::core::Prediction) -> bool> {
    BootstrapFewShotWithRandomSearch::new(exact as fn(&Example, &cognate::core::Prediction) -> bool)
}

fn seeds(report: &OptimizationReport) -> Vec<i64> {
    report.trials.iter().map(|t| t.config["seed"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn candidates_follow_dspys_scheme() {
    let data = trainset(10);
    let optimizer = search().with_num_candidate_programs(3).with_max_bootstrapped_demos(4).with_max_labeled_demos(6);
    let compiled = with_lm(oracle()).scope(optimizer.compile(&Simple::new(), &data, None)).await.unwrap();
    let report = &compiled.report;
    assert_eq!(report.optimizer, "BootstrapFewShotWithRandomSearch");
    assert_eq!(seeds(report), [-3, -2, -1, 0, 1, 2]);
    let ids: Vec<_> = report.trials.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids[0], "candidate/-3");
    let kinds: Vec<_> = report.trials.iter().map(|t| t.config["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["zero-shot", "labeled", "bootstrap", "bootstrap-shuffled", "bootstrap-shuffled", "bootstrap-shuffled"]
    );
    let demos: Vec<u64> = report.trials.iter().map(|t| t.config["demos"]["predict"].as_u64().unwrap()).collect();
    assert_eq!(demos, [0, 6, 6, 6, 6, 6]);
    for trial in &report.trials[3..] {
        let seed = trial.config["seed"].as_i64().unwrap();
        assert_eq!(trial.config["max_bootstrapped_demos"].as_i64().unwrap(), PyRandom::new(seed).randint(1, 4));
    }
    // The oracle makes every candidate score 100: the first (zero-shot) stays the best.
    assert!(report.trials.iter().all(|t| t.score == Some(100.0)));
    assert_eq!(report.best, Some(0));
    assert!(compiled.program.predict.predictor().demos.is_empty());
}

#[tokio::test]
async fn seeded_candidates_bootstrap_from_the_shuffled_trainset() {
    let data = trainset(10);
    // Restrict to seed 1 and keep only bootstrapped demos.
    let optimizer = search()
        .with_num_candidate_programs(3)
        .with_max_bootstrapped_demos(4)
        .with_max_labeled_demos(0)
        .with_restrict([1]);
    let compiled = with_lm(oracle()).scope(optimizer.compile(&Simple::new(), &data, None)).await.unwrap();
    assert_eq!(seeds(&compiled.report), [1]);
    let mut shuffled: Vec<usize> = (0..10).collect();
    PyRandom::new(1).shuffle(&mut shuffled);
    let size = PyRandom::new(1).randint(1, 4) as usize;
    let expected: Vec<String> =
        shuffled[..size].iter().map(|&i| format!("*{}", data[i].get("question").unwrap().as_str().unwrap())).collect();
    assert_eq!(demo_questions(&compiled.program)[0].1, expected);
}

#[tokio::test]
async fn the_best_candidate_wins_and_stop_at_score_stops() {
    let data = trainset(8);
    let valset = &trainset(12)[8..];
    // Bootstrapping uses an oracle teacher; evaluation rewards exactly 3 demos, which only a
    // seeded candidate whose random size is 3 has (labeled demos are off).
    let first_three = (0..).find(|&s| PyRandom::new(s).randint(1, 4) == 3).unwrap();
    let base = search()
        .with_num_candidate_programs(first_three as usize + 3)
        .with_max_bootstrapped_demos(4)
        .with_max_labeled_demos(0)
        .with_teacher_settings(Settings::default().with_lm(oracle()));
    let compiled = with_lm(needs_demos(3)).scope(base.compile(&Simple::new(), &data, Some(valset))).await.unwrap();
    let report = &compiled.report;
    let best = report.best_trial().unwrap();
    assert_eq!(best.config["seed"].as_i64().unwrap(), first_three);
    assert_eq!(best.score, Some(100.0));
    assert_eq!(compiled.program.predict.predictor().demos.len(), 3);
    assert_eq!(report.trials.len(), first_three as usize + 6);
    assert!(report.trials[..3].iter().all(|t| t.score == Some(0.0)));

    let stopping = base.with_stop_at_score(100.0);
    let compiled = with_lm(needs_demos(3)).scope(stopping.compile(&Simple::new(), &data, Some(valset))).await.unwrap();
    assert_eq!(compiled.report.trials.len(), first_three as usize + 4, "stops at the first perfect candidate");
}

#[tokio::test]
async fn configuration_errors() {
    let data = trainset(4);
    let err =
        with_lm(oracle()).scope(search().with_restrict([99]).compile(&Simple::new(), &data, None)).await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
    let err = with_lm(oracle())
        .scope(search().with_max_bootstrapped_demos(0).compile(&Simple::new(), &data, None))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
}

#[tokio::test]
async fn report_counts_bootstrap_and_evaluation_calls() {
    let data = trainset(6);
    let teacher = oracle();
    let student = oracle();
    let optimizer = search()
        .with_num_candidate_programs(1)
        .with_max_bootstrapped_demos(2)
        .with_teacher_settings(Settings::default().with_lm(teacher.clone()));
    let compiled = with_lm(student.clone()).scope(optimizer.compile(&Simple::new(), &data, None)).await.unwrap();
    let report = &compiled.report;
    let calls: Vec<u64> = report.trials.iter().map(|t| t.lm_calls).collect();
    // Evaluation: 6 calls each; bootstrapping (seed -1: 2 runs; seed 0: its random size).
    let size0 = PyRandom::new(0).randint(1, 2) as u64;
    assert_eq!(calls, [6, 6, 8, 6 + size0]);
    assert_eq!(report.lm_calls, (teacher.call_count() + student.call_count()) as u64);
    assert!(report.to_string().contains("candidate/-1"));
}

pub(crate) fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cognate-random-search-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("search.jsonl")
}

pub(crate) fn optimizer(
    n: usize,
) -> BootstrapFewShotWithRandomSearch<fn(&Example, &cognate::core::Prediction) -> bool> {
    search().with_num_candidate_programs(n).with_max_bootstrapped_demos(3).with_max_labeled_demos(0).with_num_threads(1)
}

#[tokio::test]
async fn a_search_with_more_candidates_resumes_the_finished_ones() {
    let data = trainset(8);
    let teacher_settings = || Settings::default().with_lm(oracle());
    let uninterrupted = with_lm(needs_demos(2))
        .scope(optimizer(3).with_teacher_settings(teacher_settings()).compile(&Simple::new(), &data, None))
        .await
        .unwrap();

    let path = temp("more");
    let first = optimizer(1).with_teacher_settings(teacher_settings()).with_checkpoint(&path);
    with_lm(needs_demos(2)).scope(first.compile(&Simple::new(), &data, None)).await.unwrap();

    let (student, teacher) = (needs_demos(2), oracle());
    let resumed =
        optimizer(3).with_teacher_settings(Settings::default().with_lm(teacher.clone())).with_checkpoint(&path);
    let resumed = with_lm(student.clone()).scope(resumed.compile(&Simple::new(), &data, None)).await.unwrap();
    let report = &resumed.report;
    assert_eq!(report.trials.iter().map(|t| t.resumed).collect::<Vec<_>>(), [true, true, true, true, false, false]);
    assert!(report.trials[..4].iter().all(|t| t.lm_calls == 0));
    let repeated: u64 = uninterrupted.report.trials[4..].iter().map(|t| t.lm_calls).sum();
    assert_eq!((student.call_count() + teacher.call_count()) as u64, repeated, "only the new candidates called the LM");
    assert_same_result(&resumed, &uninterrupted);
}

#[tokio::test]
async fn a_killed_search_resumes_without_repeating_finished_work() {
    let data = trainset(8);
    let teacher_settings = || Settings::default().with_lm(oracle());
    let (u_student, u_teacher) = (needs_demos(2), oracle());
    let uninterrupted = with_lm(u_student.clone())
        .scope(optimizer(3).with_teacher_settings(Settings::default().with_lm(u_teacher.clone())).compile(
            &Simple::new(),
            &data,
            None,
        ))
        .await
        .unwrap();
    let total = (u_student.call_count() + u_teacher.call_count()) as u64;

    // Kill during the evaluation of candidate 0 (evaluations: 8 calls each; -3, -2, -1 before it).
    let path = temp("killed");
    let gate = Arc::new(tokio::sync::Notify::new());
    let hanging =
        HangingLm { inner: needs_demos(2), hang_at: 8 * 3 + 5, calls: AtomicUsize::new(0), gate: gate.clone() };
    let killed = optimizer(3).with_teacher_settings(teacher_settings()).with_checkpoint(&path);
    let simple = Simple::new();
    let run = Settings::default().with_lm(Arc::new(hanging)).scope(killed.compile(&simple, &data, None));
    tokio::select! {
        _ = run => panic!("the search should hang"),
        () = gate.notified() => {}
    }
    // What the checkpoint saved: finished candidates and the bootstrap attempts of unfinished ones.
    let records: Vec<Value> =
        std::fs::read_to_string(&path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let finished: Vec<&str> = records
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .filter(|id| id.starts_with("candidate/") && id.matches('/').count() == 1)
        .collect();
    assert_eq!(finished, ["candidate/-3", "candidate/-2", "candidate/-1"]);
    let saved: u64 = records
        .iter()
        .filter(|r| {
            let id = r["id"].as_str().unwrap();
            finished.contains(&id) || !finished.iter().any(|f| id.starts_with(&format!("{f}/")))
        })
        .map(|r| r["value"]["lm_calls"].as_u64().unwrap())
        .sum();
    assert!(records.iter().any(|r| r["id"].as_str().unwrap().starts_with("candidate/0/bootstrap/")));

    let (student, teacher) = (needs_demos(2), oracle());
    let resumed =
        optimizer(3).with_teacher_settings(Settings::default().with_lm(teacher.clone())).with_checkpoint(&path);
    let resumed = with_lm(student.clone()).scope(resumed.compile(&Simple::new(), &data, None)).await.unwrap();
    assert_eq!(resumed.report.resumed_trials(), 3);
    assert_eq!((student.call_count() + teacher.call_count()) as u64, total - saved, "no finished work was redone");
    assert_same_result(&resumed, &uninterrupted);
}

pub(crate) fn assert_same_result(a: &cognate::optimize::Optimized<Simple>, b: &cognate::optimize::Optimized<Simple>) {
    assert_eq!(demo_questions(&a.program), demo_questions(&b.program));
    assert_eq!(a.report.best, b.report.best);
    let scores = |r: &OptimizationReport| r.trials.iter().map(|t| t.score).collect::<Vec<_>>();
    assert_eq!(scores(&a.report), scores(&b.report));
}
