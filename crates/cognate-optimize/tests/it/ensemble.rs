//! Ensemble.

use std::sync::Arc;

use cognate::optimize::Ensemble;
use cognate::optimize::ensemble::{Majority, Outputs, reduce_fn};
use cognate::optimize::pyrandom::PyRandom;
use cognate::prelude::*;
use cognate_testing::MockLm;

use crate::common::{QAInput, QAOutput, Simple, reply};

fn answering(answer: &'static str) -> (Simple, Arc<MockLm>) {
    let lm = Arc::new(MockLm::from_fn(move |_| Ok(reply(&[("answer", answer)]))));
    let mut program = Simple::new();
    program.predict.predictor_mut().lm = Some(lm.clone());
    (program, lm)
}

fn input() -> QAInput {
    QAInput { question: "Capital of France?".into() }
}

#[tokio::test]
async fn majority_votes_on_the_normalized_last_field_and_returns_the_first_holder() {
    let programs: Vec<Simple> =
        ["Lyon", "Paris", "the paris.", "Lyon!", "PARIS"].into_iter().map(|a| answering(a).0).collect();
    let ensemble = Ensemble::new(Majority::default()).compile(programs).unwrap();
    let out: QAOutput = ensemble.forward(input()).await.unwrap();
    assert_eq!(out.answer, "Paris");

    // Ties go to the value seen first.
    let programs: Vec<Simple> = ["Lyon", "Paris", "Paris", "lyon"].into_iter().map(|a| answering(a).0).collect();
    let out = Ensemble::new(Majority::on("answer")).compile(programs).unwrap().forward(input()).await.unwrap();
    assert_eq!(out.answer, "Lyon");
}

#[tokio::test]
async fn outputs_and_closures_reduce() {
    let programs: Vec<Simple> = ["a", "b"].into_iter().map(|a| answering(a).0).collect();
    let all = Ensemble::new(Outputs).compile(programs.clone()).unwrap().forward(input()).await.unwrap();
    assert_eq!(all.iter().map(|o| o.answer.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    let joined = Ensemble::new(reduce_fn(|outs: Vec<QAOutput>| {
        Ok(outs.into_iter().map(|o| o.answer).collect::<Vec<_>>().join("+"))
    }))
    .compile(programs)
    .unwrap()
    .forward(input())
    .await
    .unwrap();
    assert_eq!(joined, "a+b");
}

#[tokio::test]
async fn size_samples_programs_with_the_seeded_generator() {
    let pairs: Vec<(Simple, Arc<MockLm>)> = ["a", "b", "c", "d", "e"].into_iter().map(answering).collect();
    let ensemble = Ensemble::new(Outputs).with_size(2).compile(pairs.iter().map(|(p, _)| p.clone()).collect()).unwrap();
    let mut rng = PyRandom::new(0);
    for _ in 0..3 {
        let expected = rng.sample_indices(5, 2);
        let out = ensemble.forward(input()).await.unwrap();
        let names: Vec<String> = expected.iter().map(|&i| ["a", "b", "c", "d", "e"][i].to_string()).collect();
        assert_eq!(out.into_iter().map(|o| o.answer).collect::<Vec<_>>(), names);
    }
    let calls: usize = pairs.iter().map(|(_, lm)| lm.call_count()).sum();
    assert_eq!(calls, 6);
}

#[tokio::test]
async fn deterministic_ensembles_pick_the_same_programs_for_the_same_input() {
    let programs: Vec<Simple> = ["a", "b", "c", "d", "e", "f"].into_iter().map(|a| answering(a).0).collect();
    let ensemble = Ensemble::new(Outputs).with_size(3).with_deterministic(true).compile(programs).unwrap();
    let first: Vec<String> = ensemble.forward(input()).await.unwrap().into_iter().map(|o| o.answer).collect();
    for _ in 0..3 {
        let again: Vec<String> = ensemble.forward(input()).await.unwrap().into_iter().map(|o| o.answer).collect();
        assert_eq!(again, first);
    }
}

#[test]
fn predictors_are_listed_under_programs_and_empty_ensembles_are_rejected() {
    let programs = vec![Simple::new(), Simple::new()];
    let ensemble = Ensemble::new(Majority::default()).compile(programs).unwrap();
    let paths: Vec<String> = ensemble.named_predictors().into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, ["programs[0].predict", "programs[1].predict"]);
    assert!(Ensemble::new(Outputs).compile(Vec::<Simple>::new()).is_err());
}
