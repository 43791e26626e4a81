//! LM budgets stop BootstrapFewShot and BootstrapFewShotWithRandomSearch cleanly: a typed
//! error saying where they stopped, with the best so far; resumed from the checkpoint with a
//! larger budget, the run completes as an uninterrupted one would. (VariableSearch: `search.rs`.)

use std::sync::Arc;

use cognate::core::{BudgetLimit, Example, LanguageModelExt, Prediction, SharedLm};
use cognate::optimize::{BootstrapFewShot, Error, OptimizationReport};
use cognate::prelude::*;
use cognate_lm::{Budget, ModelPrice, PriceTable, UsageTracker};

use crate::common::{Simple, demo_questions, exact, oracle, trainset, with_lm};
use crate::random_search::{assert_same_result, needs_demos, optimizer, temp};

fn bootstrap() -> BootstrapFewShot<fn(&Example, &Prediction) -> bool> {
    BootstrapFewShot::new(exact as fn(&Example, &Prediction) -> bool)
        .with_max_bootstrapped_demos(4)
        .with_max_labeled_demos(6)
}

#[tokio::test]
async fn bootstrap_stops_with_the_demos_so_far_and_resumes_with_a_larger_budget() {
    let data = trainset(10);
    let full = with_lm(oracle()).scope(bootstrap().compile(&Simple::new(), &data)).await.unwrap();

    // Two calls: the third bootstrap attempt is refused.
    let path = temp("bootstrap-budget");
    let budget = Budget::calls(2);
    let lm: SharedLm = Arc::new(oracle().layer(budget.clone()));
    let err = Settings::default()
        .with_lm(lm)
        .scope(bootstrap().with_checkpoint(&path).compile(&Simple::new(), &data))
        .await
        .unwrap_err();
    assert_eq!(err.budget_limit(), Some(BudgetLimit::Calls { spent: 2, max: 2 }));
    assert!(!err.is_infrastructure());
    let Error::BudgetExceeded { optimizer, ref stopped_at, ref partial, .. } = err else { panic!("{err}") };
    assert_eq!((optimizer, stopped_at.as_str()), ("BootstrapFewShot", "bootstrap/2/0"));
    assert_eq!(
        partial.report.trials.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        ["bootstrap/0/0", "bootstrap/1/0"]
    );
    assert_eq!(partial.best_score, None);
    // The best so far: the student trained on the two demos bootstrapped, topped up with labeled ones.
    let program = partial.program(&Simple::new()).unwrap();
    let (_, questions) = &demo_questions(&program)[0];
    assert_eq!(questions.len(), 6);
    assert_eq!(questions.iter().filter(|q| q.starts_with('*')).count(), 2);
    assert_eq!(
        err.to_string(),
        "BootstrapFewShot stopped at bootstrap/2/0: the LM budget ran out (2 of 2 calls made); 2 trials finished"
    );

    // Resumed with a larger budget: the two finished attempts are replayed, the rest run.
    let budget = Budget::calls(100);
    let lm: SharedLm = Arc::new(oracle().layer(budget.clone()));
    let resumed = Settings::default()
        .with_lm(lm)
        .scope(bootstrap().with_checkpoint(&path).compile(&Simple::new(), &data))
        .await
        .unwrap();
    assert_eq!(demo_questions(&resumed.program), demo_questions(&full.program));
    assert_eq!(resumed.report.resumed_trials(), 2);
    assert_eq!(budget.spent().calls, 2, "only the attempts not yet made called the LM");
}

/// $1000 per million tokens for the mock model, so that each call costs cents.
fn prices() -> PriceTable {
    PriceTable::empty().with("mock-lm", ModelPrice::per_million(1000.0, 1000.0))
}

fn scores(report: &OptimizationReport) -> Vec<Option<f64>> {
    report.trials.iter().map(|t| t.score).collect()
}

#[tokio::test]
async fn a_dollar_budget_stops_random_search_and_a_larger_one_resumes_it() {
    let data = trainset(8);
    // What the whole search costs.
    let tracker = UsageTracker::new().with_prices(prices());
    let teacher = Settings::default().with_lm(tracker.wrap(oracle()));
    let full = Settings::default()
        .with_lm(tracker.wrap(needs_demos(2)))
        .scope(optimizer(3).with_teacher_settings(teacher).compile(&Simple::new(), &data, None))
        .await
        .unwrap();
    let total = tracker.snapshot().cost().unwrap();

    // Half of it: the search stops part-way, the student and the teacher sharing one budget.
    let path = temp("budget");
    let budget = Budget::dollars(total / 2.0).with_prices(prices());
    let teacher = Settings::default().with_lm(Arc::new(oracle().layer(budget.clone())));
    let student: SharedLm = Arc::new(needs_demos(2).layer(budget.clone()));
    let err = Settings::default()
        .with_lm(student)
        .scope(optimizer(3).with_teacher_settings(teacher).with_checkpoint(&path).compile(&Simple::new(), &data, None))
        .await
        .unwrap_err();
    let Error::BudgetExceeded { optimizer: name, limit, ref stopped_at, ref partial } = err else { panic!("{err}") };
    assert_eq!(name, "BootstrapFewShotWithRandomSearch");
    let BudgetLimit::Dollars { spent, max } = limit else { panic!("{limit:?}") };
    assert!(spent >= max && (max - total / 2.0).abs() < 1e-12, "{spent} {max}");
    let finished = partial.report.trials.len();
    assert!(finished >= 1 && finished < full.report.trials.len(), "{finished}");
    assert_eq!(stopped_at.split('/').take(2).collect::<Vec<_>>().join("/"), full.report.trials[finished].id);
    // The finished candidates scored as in the full run; the best so far is kept.
    assert_eq!(scores(&partial.report), scores(&full.report)[..finished].to_vec());
    let best = scores(&full.report)[..finished].iter().flatten().copied().fold(f64::MIN, f64::max);
    assert_eq!(partial.best_score, Some(best));
    assert!(partial.program(&Simple::new()).is_some());
    assert!(err.to_string().contains(&format!("{finished} trials finished, best score {best:.2}")), "{err}");

    // Resumed with ten times the money: completes, with the uninterrupted run's result.
    let budget = Budget::dollars(total * 10.0).with_prices(prices());
    let teacher = Settings::default().with_lm(Arc::new(oracle().layer(budget.clone())));
    let student: SharedLm = Arc::new(needs_demos(2).layer(budget.clone()));
    let resumed = Settings::default()
        .with_lm(student)
        .scope(optimizer(3).with_teacher_settings(teacher).with_checkpoint(&path).compile(&Simple::new(), &data, None))
        .await
        .unwrap();
    assert_same_result(&resumed, &full);
    assert_eq!(resumed.report.resumed_trials(), finished);
    assert!(budget.spent().dollars < total, "finished candidates were not paid for again");
}
