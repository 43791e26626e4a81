//! Optimizers under LM outages: an infrastructure failure is never scored as a bad candidate
//! or counted as a failed bootstrap.

use std::sync::Arc;

use cognate::core::{Example, LmError, Prediction};
use cognate::eval::InfraPolicy;
use cognate::optimize::{BootstrapFewShot, BootstrapFewShotWithRandomSearch, Error};
use cognate_testing::MockLm;

use crate::common::{Simple, asked_question, exact, reply, solve, trainset, with_lm};

/// Answers every question right, except that the questions in `down` get `503 Service
/// Unavailable`.
fn down_for(down: &'static [&'static str]) -> Arc<MockLm> {
    Arc::new(MockLm::from_fn(move |request| {
        let q = asked_question(request);
        if down.iter().any(|d| q.contains(d)) {
            Err(LmError::Http { status: 503, message: "overloaded".into(), retry_after: None })
        } else {
            Ok(reply(&[("answer", &solve(&q))]))
        }
    }))
}

fn question(i: usize) -> String {
    trainset(i + 1)[i].get("question").unwrap().as_str().unwrap().to_string()
}

fn leaked(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn search() -> BootstrapFewShotWithRandomSearch<fn(&Example, &Prediction) -> bool> {
    BootstrapFewShotWithRandomSearch::new(exact as fn(&Example, &Prediction) -> bool)
}

#[tokio::test]
async fn a_candidate_is_not_scored_down_by_an_outage() {
    let data = trainset(8);
    let down: &'static [&'static str] = Box::leak(Box::new([leaked(question(2)), leaked(question(5))]));
    // The zero-shot candidate answers every question it gets an answer for.
    let optimizer = search().with_restrict([-3]);

    // Default policy: 2 of 8 examples (25%) is an outage, not a score.
    let err = with_lm(down_for(down)).scope(optimizer.compile(&Simple::new(), &data, None)).await.unwrap_err();
    assert!(err.is_infrastructure(), "{err}");
    let Error::Eval(cognate::eval::Error::Infrastructure { infra_errors, examples, .. }) = &err else {
        panic!("expected an evaluation's infrastructure error, got {err}")
    };
    assert_eq!((*infra_errors, *examples), (1, 8));

    // Excluded: the candidate scores 100 over the six answered examples.
    let excluded = search().with_restrict([-3]).with_infra_policy(InfraPolicy::Exclude);
    let compiled = with_lm(down_for(down)).scope(excluded.compile(&Simple::new(), &data, None)).await.unwrap();
    assert_eq!(compiled.report.trials[0].score, Some(100.0));

    // Counted as zeros (DSPy's way), the outage costs the candidate 25 points.
    let counted = search().with_restrict([-3]).with_infra_policy(InfraPolicy::CountAsZero);
    let compiled = with_lm(down_for(down)).scope(counted.compile(&Simple::new(), &data, None)).await.unwrap();
    assert_eq!(compiled.report.trials[0].score, Some(75.0));
}

#[tokio::test]
async fn bootstrap_outages_do_not_use_up_the_error_budget() {
    let data = trainset(6);
    let down: &'static [&'static str] = Box::leak(Box::new([leaked(question(0)), leaked(question(3))]));

    // Default policy: 1 of 6 examples is more than 5%; the compile stops, naming the outage.
    let optimizer = BootstrapFewShot::new(exact).with_max_errors(1).with_max_labeled_demos(0);
    let err = with_lm(down_for(down)).scope(optimizer.compile(&Simple::new(), &data)).await.unwrap_err();
    let Error::Infrastructure { infra_errors, runs, examples, ref first, .. } = err else {
        panic!("expected an infrastructure error, got {err}")
    };
    assert_eq!((infra_errors, runs, examples), (1, 1, 6));
    assert!(first.to_string().contains("503"), "{first}");
    assert!(err.to_string().starts_with("stopped: 1 of 1 bootstrap runs hit infrastructure errors (more than 5% of 6"));

    // Excluded: with a budget of one error, two outages still leave a compiled program.
    let optimizer = BootstrapFewShot::new(exact)
        .with_max_errors(1)
        .with_max_labeled_demos(0)
        .with_max_bootstrapped_demos(4)
        .with_infra_policy(InfraPolicy::Exclude);
    let compiled = with_lm(down_for(down)).scope(optimizer.compile(&Simple::new(), &data)).await.unwrap();
    let trials = &compiled.report.trials;
    let flagged: Vec<bool> = trials.iter().map(|t| t.config["infrastructure"] == true).collect();
    assert_eq!(flagged, [true, false, false, true, false, false]);
    assert_eq!(compiled.program.predict.predictor().demos.len(), 4);

    // Counted as errors (DSPy's way), the first outage exhausts the budget of one.
    let optimizer = BootstrapFewShot::new(exact)
        .with_max_errors(1)
        .with_max_labeled_demos(0)
        .with_infra_policy(InfraPolicy::CountAsZero);
    let err = with_lm(down_for(down)).scope(optimizer.compile(&Simple::new(), &data)).await.unwrap_err();
    assert!(matches!(err, Error::TooManyErrors { errors: 1, max_errors: 1, .. }), "{err}");
}
