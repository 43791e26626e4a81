//! Evaluate under an LM budget: when the budget runs out the run stops cleanly — no example is
//! started after the first refused call, those running finish, refused examples are neither
//! scored nor counted as errors — and returns `Error::BudgetExceeded` with what it evaluated.

use std::sync::Arc;
use std::time::Duration;

use cognate_core::{
    BudgetLimit, Choice, FinishReason, LanguageModel, LanguageModelExt, LmError, LmRequest, LmResponse, Usage,
};
use cognate_eval::metrics::{ExactMatch, NumericMatch};
use cognate_eval::{Error, InfraPolicy};
use cognate_lm::Budget;
use futures::StreamExt;

use super::{dataset, program, question_number, quiet, reply, settings};

/// Answers each question right after `(i + 1)` seconds of tokio time, reporting 100 prompt and
/// 10 completion tokens as `gpt-4o-mini`.
struct Priced;

impl LanguageModel for Priced {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let i = question_number(&request);
        tokio::time::sleep(Duration::from_secs(i as u64 + 1)).await;
        let choice = Choice { text: reply(&i.to_string()), finish_reason: Some(FinishReason::Stop) };
        Ok(LmResponse {
            choices: vec![choice],
            usage: Usage::new(100, 10),
            model: "gpt-4o-mini".into(),
            cache_hit: false,
        })
    }
    fn model_name(&self) -> &str {
        "gpt-4o-mini"
    }
}

fn stopped(err: Error) -> (BudgetLimit, usize, usize, cognate_eval::EvaluationResult) {
    match err {
        Error::BudgetExceeded { limit, completed, examples, partial } => (limit, completed, examples, *partial),
        other => panic!("expected BudgetExceeded, got {other}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_call_budget_stops_the_run_with_the_examples_evaluated() {
    let budget = Budget::calls(10);
    let evaluate = quiet(NumericMatch::new()).with_concurrency(4);
    let (program, data) = (program(), dataset(50));
    let run = settings(Priced.layer(budget.clone())).scope(evaluate.run(&program, &data));
    let (limit, completed, examples, partial) = stopped(run.await.unwrap_err());
    assert_eq!(limit, BudgetLimit::Calls { spent: 10, max: 10 });
    assert_eq!((completed, examples), (10, 50));
    // Dataset order, every evaluated example scored right: a refusal is not a wrong answer.
    assert_eq!(partial.records.iter().map(|r| r.index).collect::<Vec<_>>(), (0..10).collect::<Vec<_>>());
    let s = &partial.summary;
    assert_eq!((s.completed, s.scored, s.errors, s.infra_errors, s.average_score), (10, 10, 0, 0, 1.0));
    // No example was started after the first refusal: at most one per concurrent slot was refused.
    let refused = budget.spent().refused;
    assert!((1..=4).contains(&refused), "{refused}");
    assert_eq!(s.usage.calls, 10 + refused);
    assert_eq!((s.usage.cancelled, s.usage.errors), (0, refused));
    let text = Error::BudgetExceeded { limit, completed, examples, partial: Box::new(partial.clone()) }.to_string();
    assert_eq!(text, "evaluation stopped: the LM budget ran out (10 of 10 calls made) after 10 of 50 examples");
}

/// A dollar budget is charged as calls finish: the calls running when it runs out finish (they
/// are paid for) and are in the result; none is cancelled.
#[tokio::test(start_paused = true)]
async fn a_dollar_budget_lets_running_examples_finish() {
    // One call costs 100 × $0.15 + 10 × $0.60 per million = $0.000021.
    let budget = Budget::dollars(0.000_001);
    let evaluate = quiet(NumericMatch::new()).with_concurrency(4);
    let (program, data) = (program(), dataset(20));
    let run = settings(Priced.layer(budget.clone())).scope(evaluate.run(&program, &data));
    let (limit, completed, _, partial) = stopped(run.await.unwrap_err());
    // Examples 0-3 started together; 0 finished first and spent the budget; the next example
    // started was refused; 1-3 were running and finished.
    assert_eq!(completed, 4);
    assert_eq!(partial.records.iter().map(|r| r.index).collect::<Vec<_>>(), [0, 1, 2, 3]);
    let BudgetLimit::Dollars { spent, max } = limit else { panic!("{limit:?}") };
    assert!((spent - 0.000_021).abs() < 1e-12 && max == 0.000_001, "{spent}");
    assert!((budget.spent().dollars - 4.0 * 0.000_021).abs() < 1e-12);
    let usage = partial.summary.usage;
    assert_eq!((usage.cancelled, usage.calls_tokens_unknown, usage.prompt_tokens), (0, 0, 400));
    assert!((usage.cost_usd - 4.0 * 0.000_021).abs() < 1e-12);
    assert!(partial.summary.to_string().contains("$0.0001"), "{}", partial.summary);
}

/// Whatever the infrastructure policy, a refused call is never scored: `CountAsZero` scores
/// LM failures as 0, but a spent budget stops the run instead.
#[tokio::test(start_paused = true)]
async fn refusals_are_never_scored_as_wrong_answers() {
    for policy in [InfraPolicy::CountAsZero, InfraPolicy::Exclude, InfraPolicy::default()] {
        let evaluate = quiet(NumericMatch::new()).with_concurrency(1).with_infra_policy(policy);
        let (program, data) = (program(), dataset(10));
        let run = settings(Priced.layer(Budget::tokens(300))).scope(evaluate.run(&program, &data));
        let (limit, completed, _, partial) = stopped(run.await.unwrap_err());
        assert_eq!(limit, BudgetLimit::Tokens { spent: 330, max: 300 }, "{policy:?}");
        assert_eq!(completed, 3, "{policy:?}");
        assert_eq!((partial.summary.average_score, partial.summary.errors), (1.0, 0), "{policy:?}");
    }
}

/// The stream says why it stopped and skips the refused examples.
#[tokio::test(start_paused = true)]
async fn the_stream_reports_the_spent_budget() {
    let evaluate = quiet(ExactMatch::new()).with_concurrency(2);
    let (program, data) = (program(), dataset(8));
    let lm = Arc::new(Priced.layer(Budget::calls(3)));
    let records = settings(lm)
        .scope(async {
            let mut stream = evaluate.stream(&program, &data);
            let mut indices = Vec::new();
            while let Some(record) = stream.next().await {
                assert!(record.error.is_none(), "{:?}", record.error);
                indices.push(record.index);
            }
            assert_eq!(stream.lm_budget_exceeded(), Some(BudgetLimit::Calls { spent: 3, max: 3 }));
            assert!(!stream.budget_exceeded() && !stream.infra_exceeded());
            indices
        })
        .await;
    assert_eq!(records, [0, 1, 2]);
}

/// Without a budget nothing changes, and the summary carries the module's full usage.
#[tokio::test(start_paused = true)]
async fn an_unspent_budget_changes_nothing() {
    let budget = Budget::dollars(1.0).with_calls(100);
    let evaluate = quiet(NumericMatch::new()).with_concurrency(8);
    let result = settings(Priced.layer(budget.clone())).scope(evaluate.run(&program(), &dataset(12))).await.unwrap();
    assert_eq!((result.summary.completed, result.summary.average_score), (12, 1.0));
    assert_eq!(budget.spent().calls, 12);
    assert_eq!(result.summary.usage.calls, 12);
    assert!((result.summary.usage.cost().unwrap() - 12.0 * 0.000_021).abs() < 1e-12);
    assert!(result.summary.usage.mean_latency().is_some());
}
