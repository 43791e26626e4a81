//! BootstrapFewShot's selection logic on scripted LMs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cognate::core::{Example, LmError, Prediction, Usage};
use cognate::eval::{InfraPolicy, Score};
use cognate::optimize::{BootstrapFewShot, Error};
use cognate::prelude::*;
use cognate_testing::MockLm;
use serde_json::Value;

use crate::common::{QA, Simple, Two, asked_question, demo_questions, exact, oracle, reply, solve, trainset, with_lm};

fn questions(range: std::ops::Range<usize>) -> Vec<String> {
    trainset(20)[range].iter().map(|e| e.get("question").unwrap().as_str().unwrap().to_string()).collect()
}

/// An LM that answers correctly except for the listed questions.
fn wrong_on(bad: &'static [usize]) -> Arc<MockLm> {
    let bad_questions: Vec<String> = bad.iter().map(|&i| questions(i..i + 1).remove(0)).collect();
    Arc::new(MockLm::from_fn(move |request| {
        let q = asked_question(request);
        let answer = if bad_questions.contains(&q) { "999".to_string() } else { solve(&q) };
        Ok(reply(&[("answer", &answer)]))
    }))
}

#[tokio::test]
async fn bootstraps_until_max_bootstrapped_demos_then_fills_with_labeled() {
    let data = trainset(10);
    let lm = wrong_on(&[1]);
    let optimizer = BootstrapFewShot::new(exact).with_max_bootstrapped_demos(3).with_max_labeled_demos(5);
    let compiled = with_lm(lm.clone()).scope(optimizer.compile(&Simple::new(), &data)).await.unwrap();
    // Examples 0, 2, 3 succeed; 1 fails; bootstrapping stops after 4 runs.
    assert_eq!(lm.call_count(), 4);
    let demos = &compiled.program.predict.predictor().demos;
    assert_eq!(demos.len(), 5);
    let augmented: Vec<_> = demos.iter().filter(|d| d.get("augmented") == Some(&Value::Bool(true))).collect();
    assert_eq!(augmented.len(), 3);
    let q = questions(0..4);
    assert_eq!(
        augmented.iter().map(|d| d.get("question").unwrap().as_str().unwrap()).collect::<Vec<_>>(),
        [q[0].as_str(), q[2].as_str(), q[3].as_str()]
    );
    // Augmented demos hold inputs then outputs, after the flag; the answer is the LM's.
    assert_eq!(augmented[0].data.keys().collect::<Vec<_>>(), ["augmented", "question", "answer"]);
    // Labeled demos come from the examples that were not bootstrapped, never from bootstrapped ones.
    for labeled in &demos[3..] {
        assert!(labeled.get("augmented").is_none());
        let question = labeled.get("question").unwrap().as_str().unwrap();
        assert!(![&q[0], &q[2], &q[3]].contains(&&question.to_string()), "{question}");
    }
    // One trial per attempt, scored.
    let report = &compiled.report;
    assert_eq!(report.optimizer, "BootstrapFewShot");
    assert_eq!(report.trials.len(), 4);
    assert_eq!(report.trials.iter().map(|t| t.score).collect::<Vec<_>>(), [Some(1.0), Some(0.0), Some(1.0), Some(1.0)]);
    assert_eq!(report.trials[1].id, "bootstrap/1/0");
    assert_eq!(report.lm_calls, 4);
}

#[tokio::test]
async fn zero_bootstrapped_demos_makes_no_calls_and_samples_labeled_only() {
    let data = trainset(6);
    let lm = oracle();
    let optimizer = BootstrapFewShot::new(exact).with_max_bootstrapped_demos(0).with_max_labeled_demos(4);
    let compiled = with_lm(lm.clone()).scope(optimizer.compile(&Simple::new(), &data)).await.unwrap();
    assert_eq!(lm.call_count(), 0);
    let demos = &compiled.program.predict.predictor().demos;
    assert_eq!(demos.len(), 4);
    assert!(demos.iter().all(|d| d.get("augmented").is_none()));
}

#[tokio::test]
async fn metric_threshold_decides_success() {
    let data = trainset(4);
    // Right answers score 1.0, wrong ones 0.4.
    let metric = |e: &Example, p: &Prediction| if exact(e, p) { 1.0 } else { 0.4 };
    let lm = wrong_on(&[0, 1, 2, 3]);
    let lenient = BootstrapFewShot::new(metric).with_max_bootstrapped_demos(2).with_max_labeled_demos(0);
    let compiled = with_lm(lm.clone()).scope(lenient.compile(&Simple::new(), &data)).await.unwrap();
    assert_eq!(compiled.program.predict.predictor().demos.len(), 2, "0.4 is truthy without a threshold");

    let strict = BootstrapFewShot::new(metric)
        .with_max_bootstrapped_demos(2)
        .with_max_labeled_demos(0)
        .with_metric_threshold(0.5);
    let compiled = with_lm(lm.clone()).scope(strict.compile(&Simple::new(), &data)).await.unwrap();
    assert!(compiled.program.predict.predictor().demos.is_empty(), "0.4 < 0.5");
    assert_eq!(compiled.report.trials.len(), 4, "every example was tried");
}

#[tokio::test]
async fn later_rounds_sample_at_temperature_one_and_can_succeed() {
    let data = trainset(3);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let calls: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let lm = {
        let seen = seen.clone();
        Arc::new(MockLm::from_fn(move |request| {
            let q = asked_question(request);
            seen.lock().unwrap().push(request.temperature);
            let mut calls = calls.lock().unwrap();
            let n = calls.entry(q.clone()).or_default();
            *n += 1;
            // Each question is answered wrongly the first time, rightly the second.
            Ok(reply(&[("answer", &if *n == 1 { "999".to_string() } else { solve(&q) })]))
        }))
    };
    let optimizer =
        BootstrapFewShot::new(exact).with_max_rounds(3).with_max_bootstrapped_demos(2).with_max_labeled_demos(0);
    let compiled = with_lm(lm.clone()).scope(optimizer.compile(&Simple::new(), &data)).await.unwrap();
    assert_eq!(lm.call_count(), 4, "two rounds for each of two examples");
    assert_eq!(*seen.lock().unwrap(), [None, Some(1.0), None, Some(1.0)]);
    let ids: Vec<_> = compiled.report.trials.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["bootstrap/0/0", "bootstrap/0/1", "bootstrap/1/0", "bootstrap/1/1"]);
    assert_eq!(compiled.program.predict.predictor().demos.len(), 2);
}

#[tokio::test]
async fn multi_predictor_traces_give_each_predictor_its_own_demos() {
    let data = trainset(8);
    let optimizer = BootstrapFewShot::new(exact).with_max_bootstrapped_demos(2).with_max_labeled_demos(5);
    let compiled = with_lm(oracle()).scope(optimizer.compile(&Two::new(), &data)).await.unwrap();
    let program = &compiled.program;
    let draft = &program.draft.predictor().demos;
    let answer = &program.answer.predictor().demos;
    assert_eq!(draft.len(), 5);
    assert_eq!(answer.len(), 5);
    assert_eq!(draft[0].data.keys().collect::<Vec<_>>(), ["augmented", "question", "draft"]);
    assert_eq!(answer[0].data.keys().collect::<Vec<_>>(), ["augmented", "question", "draft", "answer"]);
    assert_eq!(answer[0].get("draft"), draft[0].get("draft"), "the answer predictor saw the draft");
    // The labeled sample is drawn from one generator for both predictors, so they differ.
    let shown = demo_questions(program);
    assert_eq!(shown[0].1[..2], shown[1].1[..2]);
    assert_ne!(shown[0].1[2..], shown[1].1[2..]);
}

#[tokio::test]
async fn the_teacher_never_sees_the_example_it_is_bootstrapping_as_a_demo() {
    let data = trainset(4);
    let leaks = Arc::new(Mutex::new(0));
    let lm = {
        let leaks = leaks.clone();
        Arc::new(MockLm::from_fn(move |request| {
            let q = asked_question(request);
            let earlier: String =
                request.messages[..request.messages.len() - 1].iter().map(|m| m.content.clone()).collect();
            if earlier.contains(&q) {
                *leaks.lock().unwrap() += 1;
            }
            // The teacher has labeled demos: the other examples appear in its prompt.
            assert!(request.messages.len() > 2, "the teacher runs with labeled demos");
            Ok(reply(&[("answer", &solve(&q))]))
        }))
    };
    let optimizer = BootstrapFewShot::new(exact).with_max_bootstrapped_demos(4).with_max_labeled_demos(4);
    with_lm(lm.clone()).scope(optimizer.compile(&Simple::new(), &data)).await.unwrap();
    assert_eq!(lm.call_count(), 4);
    assert_eq!(*leaks.lock().unwrap(), 0);
}

#[tokio::test]
async fn max_errors_stops_the_compile_and_fewer_errors_are_tolerated() {
    let data = trainset(6);
    let failing = || {
        Arc::new(MockLm::from_fn(|request| {
            let q = asked_question(request);
            if q.contains("What is 1 + 3?") || q.contains("What is 2 + 5?") {
                Err(LmError::Other("boom".into()))
            } else {
                Ok(reply(&[("answer", &solve(&q))]))
            }
        }))
    };
    // LM failures counted as errors, as DSPy counts them.
    let strict = BootstrapFewShot::new(exact)
        .with_max_errors(2)
        .with_max_labeled_demos(0)
        .with_infra_policy(InfraPolicy::CountAsZero);
    let err = with_lm(failing()).scope(strict.compile(&Simple::new(), &data)).await.unwrap_err();
    assert!(matches!(err, Error::TooManyErrors { errors: 2, max_errors: 2, .. }), "{err}");

    let lenient = BootstrapFewShot::new(exact)
        .with_max_errors(3)
        .with_max_labeled_demos(0)
        .with_max_bootstrapped_demos(2)
        .with_infra_policy(InfraPolicy::CountAsZero);
    let compiled = with_lm(failing()).scope(lenient.compile(&Simple::new(), &data)).await.unwrap();
    let trials = &compiled.report.trials;
    assert_eq!(trials.len(), 4);
    assert!(trials[0].config["error"].as_str().unwrap().contains("boom"));
    assert_eq!(compiled.program.predict.predictor().demos.len(), 2);
}

/// Every optimizer has Evaluate's error budget by default: DSPy's 10, the 10th failure stops.
#[tokio::test]
async fn the_default_error_budget_is_dspys_ten_everywhere() {
    use cognate::eval::{DEFAULT_MAX_ERRORS, Evaluate};
    use cognate::optimize::{BootstrapFewShotWithRandomSearch, VariableSearch};

    assert_eq!(DEFAULT_MAX_ERRORS, 10);
    let data = trainset(20);
    // Every reply is unparsable (a program failure, whatever the InfraPolicy).
    let garbled = || Arc::new(MockLm::from_fn(|_| Ok("no fields here".to_string())));

    let bootstrap = BootstrapFewShot::new(exact).with_max_bootstrapped_demos(20).with_max_labeled_demos(0);
    let err = with_lm(garbled()).scope(bootstrap.compile(&Simple::new(), &data)).await.unwrap_err();
    assert!(matches!(err, Error::TooManyErrors { errors: 10, max_errors: 10, .. }), "{err}");
    // Without a budget, every example is tried.
    let unlimited = bootstrap.with_max_errors(None);
    let compiled = with_lm(garbled()).scope(unlimited.compile(&Simple::new(), &data)).await.unwrap();
    assert_eq!(compiled.report.trials.len(), 20);

    let err = with_lm(garbled())
        .scope(Evaluate::new(exact).with_progress(false).run(&Simple::new(), &data))
        .await
        .unwrap_err();
    assert!(
        matches!(err, cognate::eval::Error::TooManyErrors { errors: 10, max_errors: 10, ref partial } if partial.summary.completed >= 10),
        "{err}"
    );

    // Random search: the zero-shot candidate's evaluation hits the budget.
    let search = BootstrapFewShotWithRandomSearch::new(exact).with_num_candidate_programs(0);
    let err = with_lm(garbled()).scope(search.compile(&Simple::new(), &data, None)).await.unwrap_err();
    assert!(err.to_string().contains("10 errors reached the budget of 10"), "{err}");

    // Variable search: each trial's evaluation has the same budget.
    let search = VariableSearch::new(exact).with_trials(1);
    let err = with_lm(garbled()).scope(search.compile(&Simple::new(), &data)).await.unwrap_err();
    assert!(err.to_string().contains("10 errors reached the budget of 10"), "{err}");
}

/// The optimizers have no bar: they log progress lines on `cognate::optimize` (bootstrap
/// after each tenth of the training set; random and variable search after each candidate or
/// trial), with how far they got and the best score so far.
#[tokio::test(flavor = "current_thread")]
async fn optimizers_log_progress_lines() {
    use cognate::optimize::{BootstrapFewShotWithRandomSearch, VariableSearch};
    use cognate_testing::EventLog;

    let log = EventLog::default();
    let _guard = log.install();
    let data = trainset(20);
    let field = |e: &cognate_testing::LoggedEvent, name: &str| e.field(name).unwrap().to_string();

    let bootstrap = BootstrapFewShot::new(exact).with_max_bootstrapped_demos(20).with_max_labeled_demos(0);
    with_lm(wrong_on(&[4])).scope(bootstrap.compile(&Simple::new(), &data)).await.unwrap();
    let lines = log.events_with("cognate::optimize", "bootstrap progress");
    let done: Vec<String> = lines.iter().map(|e| field(e, "done")).collect();
    for step in (2..=20).step_by(2) {
        assert!(done.contains(&step.to_string()), "no line at {step}: {done:?}");
    }
    let last = lines.last().unwrap();
    assert_eq!(
        (field(last, "total"), field(last, "bootstrapped"), field(last, "errors")),
        ("20".into(), "19".into(), "0".into())
    );
    assert_eq!(last.level, tracing::Level::INFO);
    assert!(last.message().contains("20/20 examples tried, 19 of 20 demos bootstrapped"), "{}", last.message());

    let search =
        BootstrapFewShotWithRandomSearch::new(exact).with_num_candidate_programs(2).with_max_bootstrapped_demos(2);
    with_lm(oracle()).scope(search.compile(&Simple::new(), &data[..6], None)).await.unwrap();
    let lines = log.events_with("cognate::optimize", "candidate evaluated");
    let progress: Vec<(String, String)> = lines.iter().map(|e| (field(e, "done"), field(e, "total"))).collect();
    assert_eq!(progress, (1..=5).map(|d| (d.to_string(), "5".to_string())).collect::<Vec<_>>());
    assert!(lines.iter().all(|e| e.field("best").is_some()));
    assert_eq!(field(lines.last().unwrap(), "best"), "100.0");

    let search = VariableSearch::new(exact).with_trials(3);
    with_lm(oracle()).scope(search.compile(&Simple::new(), &data[..4])).await.unwrap();
    let lines = log.events_with("cognate::optimize", "trial finished");
    let progress: Vec<(String, String)> = lines.iter().map(|e| (field(e, "done"), field(e, "total"))).collect();
    assert_eq!(progress, [("1", "3"), ("2", "3"), ("3", "3")].map(|(d, t)| (d.to_string(), t.to_string())));
    assert!(lines[2].message().starts_with("trial finished: 3/3 trials"), "{}", lines[2].message());
}

#[tokio::test]
async fn a_metric_error_counts_as_an_error() {
    let data = trainset(3);
    let metric =
        |_: &Example, _: &Prediction| -> cognate::Result<Score> { Err(LmError::Other("judge down".into()).into()) };
    let err = with_lm(oracle())
        .scope(
            BootstrapFewShot::new(metric)
                .with_max_errors(1)
                .with_infra_policy(InfraPolicy::CountAsZero)
                .compile(&Simple::new(), &data),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("judge down"), "{err}");
}

#[tokio::test]
async fn teacher_settings_route_the_teachers_calls() {
    let data = trainset(3);
    let student_lm = Arc::new(MockLm::new(Vec::<String>::new()));
    let teacher_lm = oracle();
    let optimizer = BootstrapFewShot::new(exact)
        .with_max_bootstrapped_demos(2)
        .with_teacher_settings(Settings::default().with_lm(teacher_lm.clone()));
    let compiled = with_lm(student_lm.clone()).scope(optimizer.compile(&Simple::new(), &data)).await.unwrap();
    assert_eq!(student_lm.call_count(), 0);
    assert_eq!(teacher_lm.call_count(), 2);
    assert_eq!(compiled.report.lm_calls, 2);
}

#[tokio::test]
async fn a_compiled_teacher_keeps_its_demos_and_an_uncompiled_one_is_relabeled() {
    let data = trainset(4);
    let mut teacher = Simple::new();
    teacher.predict.predictor_mut().demos =
        vec![Example::default().with("question", "marker question").with("answer", "0")];
    let count_marker = |lm: &MockLm| {
        lm.requests().iter().filter(|r| r.messages.iter().any(|m| m.content.contains("marker question"))).count()
    };

    let lm = oracle();
    let kept = BootstrapFewShot::new(exact).with_max_bootstrapped_demos(1).with_compiled_teacher(true);
    with_lm(lm.clone()).scope(kept.compile_with_teacher(&Simple::new(), &teacher, &data)).await.unwrap();
    assert_eq!(count_marker(&lm), 1);

    let lm = oracle();
    let relabeled = BootstrapFewShot::new(exact).with_max_bootstrapped_demos(1);
    with_lm(lm.clone()).scope(relabeled.compile_with_teacher(&Simple::new(), &teacher, &data)).await.unwrap();
    assert_eq!(count_marker(&lm), 0);
}

#[tokio::test]
async fn report_counts_calls_tokens_and_time() {
    let data = trainset(3);
    let usage = Usage::new(11, 3);
    let lm = Arc::new(MockLm::from_fn(|r| Ok(reply(&[("answer", &solve(&asked_question(r)))]))).with_usage(usage));
    let optimizer = BootstrapFewShot::new(exact).with_max_bootstrapped_demos(3);
    let compiled = with_lm(lm).scope(optimizer.compile(&Two::new(), &data)).await.unwrap();
    let report = &compiled.report;
    assert_eq!(report.lm_calls, 6, "two predictors, three examples");
    assert_eq!((report.prompt_tokens, report.completion_tokens), (66, 18));
    assert!(report.trials.iter().all(|t| t.lm_calls == 2 && t.tokens() == 28 && !t.resumed));
    assert!(report.wall_time >= report.trials[0].wall_time);
    let text = report.to_string();
    assert!(text.contains("BootstrapFewShot: 3 trials, 6 LM calls, 84 tokens"), "{text}");
}

#[tokio::test]
async fn a_checkpointed_compile_resumes_without_repeating_attempts() {
    let dir = std::env::temp_dir().join(format!("cognate-bootstrap-resume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("bootstrap.jsonl");
    let data = trainset(8);
    let optimizer = BootstrapFewShot::new(exact).with_max_bootstrapped_demos(3).with_max_labeled_demos(5);

    let fresh = with_lm(wrong_on(&[1])).scope(optimizer.compile(&Simple::new(), &data)).await.unwrap();

    // First run with the checkpoint, stopped after the third LM call: the call hangs and the
    // compile future is dropped.
    let gate = Arc::new(tokio::sync::Notify::new());
    let hanging = HangingLm { inner: wrong_on(&[1]), hang_at: 3, calls: Default::default(), gate: gate.clone() };
    let checkpointed =
        BootstrapFewShot::new(exact).with_max_bootstrapped_demos(3).with_max_labeled_demos(5).with_checkpoint(&path);
    let simple = Simple::new();
    let run = Settings::default().with_lm(Arc::new(hanging)).scope(checkpointed.compile(&simple, &data));
    tokio::select! {
        _ = run => panic!("the run should hang"),
        () = gate.notified() => {}
    }
    let lines = std::fs::read_to_string(&path).unwrap();
    assert_eq!(lines.lines().count(), 2, "two attempts finished before the kill");

    let lm = wrong_on(&[1]);
    let resumed = with_lm(lm.clone()).scope(checkpointed.compile(&Simple::new(), &data)).await.unwrap();
    assert_eq!(lm.call_count(), 2, "only the interrupted attempt and the next one run");
    assert_eq!(demo_questions(&resumed.program), demo_questions(&fresh.program));
    assert_eq!(resumed.report.resumed_trials(), 2);
    assert_eq!(resumed.report.lm_calls, 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Forwards to a mock, but the `hang_at`-th call never completes (and wakes `gate`).
pub(crate) struct HangingLm {
    pub(crate) inner: Arc<MockLm>,
    pub(crate) hang_at: usize,
    pub(crate) calls: std::sync::atomic::AtomicUsize,
    pub(crate) gate: Arc<tokio::sync::Notify>,
}

impl cognate::LanguageModel for HangingLm {
    async fn complete(&self, request: cognate::LmRequest) -> Result<cognate::LmResponse, LmError> {
        let n = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if n == self.hang_at {
            self.gate.notify_one();
            std::future::pending::<()>().await;
        }
        cognate::LanguageModel::complete(&*self.inner, request).await
    }

    fn model_name(&self) -> &str {
        "hanging"
    }
}

/// Calls its one predictor twice per input: a warm-up question, then the real one.
#[program]
#[derive(Clone, Debug)]
struct Twice {
    predict: Predict<crate::common::QA>,
}

impl Module for Twice {
    type Input = crate::common::QAInput;
    type Output = crate::common::QAOutput;

    async fn forward(&self, input: Self::Input) -> cognate::Result<Self::Output> {
        let warm_up = crate::common::QAInput { question: format!("{} (warm-up)", input.question) };
        self.predict.forward(warm_up).await?;
        self.predict.forward(input).await
    }
}

#[tokio::test]
async fn a_predictor_called_several_times_keeps_one_demo_per_example() {
    let data = trainset(8);
    let optimizer = BootstrapFewShot::new(exact).with_max_bootstrapped_demos(8).with_max_labeled_demos(0);
    let program = Twice { predict: Predict::new() };
    let lm = oracle();
    let compiled = with_lm(lm.clone()).scope(optimizer.compile(&program, &data)).await.unwrap();
    assert_eq!(lm.call_count(), 16);
    let demos = &compiled.program.predict.predictor().demos;
    assert_eq!(demos.len(), 8, "one demo per successful example, not one per call");
    let mut warm_ups = 0;
    for (demo, example) in demos.iter().zip(&data) {
        let question = demo.get("question").unwrap().as_str().unwrap();
        let original = example.get("question").unwrap().as_str().unwrap();
        if question == original {
            assert_eq!(demo.get("answer"), example.get("answer"));
        } else {
            assert_eq!(question, format!("{original} (warm-up)"));
            warm_ups += 1;
        }
    }
    // The last call or, half the time, an earlier one: both kinds occur over 8 examples.
    assert!(warm_ups > 0 && warm_ups < 8, "{warm_ups} warm-up demos");
}

/// `Predict<S>` and `ChainOfThought<S>` are programs on their own, as `dspy.Predict` is a
/// module: `Evaluate` and `BootstrapFewShot` take them with no `#[program]` wrapper, and their
/// predictors sit at DSPy's paths (`self`, `predict`).
#[tokio::test]
async fn bare_predict_and_chain_of_thought_are_programs() {
    use cognate::eval::Evaluate;

    let data = trainset(6);
    let evaluate = Evaluate::new(exact).with_progress(false);
    let optimizer = BootstrapFewShot::new(exact).with_max_bootstrapped_demos(2).with_max_labeled_demos(3);

    let lm = wrong_on(&[0]);
    let predict = Predict::<QA>::new();
    let before = with_lm(lm.clone()).scope(evaluate.run(&predict, &data)).await.unwrap();
    assert_eq!((before.summary.scored, before.summary.total_score), (6, 5.0));
    let compiled = with_lm(lm.clone()).scope(optimizer.compile(&predict, &data)).await.unwrap();
    let q = questions(0..3);
    let demos = demo_questions(&compiled.program);
    assert_eq!(demos.len(), 1);
    assert_eq!(demos[0].0, "self");
    // Example 0 fails, 1 and 2 are bootstrapped, then one labeled demo.
    assert_eq!(demos[0].1[..2], [format!("*{}", q[1]), format!("*{}", q[2])]);
    assert_eq!(demos[0].1.len(), 3);
    assert!(predict.predictor().demos.is_empty(), "the student is not changed");
    let after = with_lm(lm).scope(evaluate.run(&compiled.program, &data)).await.unwrap();
    assert_eq!(after.summary.scored, 6);

    // ChainOfThought: the reasoning is part of the bootstrapped demos.
    let lm = Arc::new(MockLm::from_fn(|request| {
        let question = asked_question(request);
        Ok(reply(&[("reasoning", "add the two numbers"), ("answer", &solve(&question))]))
    }));
    let cot = ChainOfThought::<QA>::new();
    let before = with_lm(lm.clone()).scope(evaluate.run(&cot, &data)).await.unwrap();
    assert_eq!(before.score(), 1.0);
    assert_eq!(before.records[0].prediction.as_ref().unwrap().get("reasoning").unwrap(), "add the two numbers");
    let compiled = with_lm(lm).scope(optimizer.compile(&cot, &data)).await.unwrap();
    let predictors = compiled.program.named_predictors();
    assert_eq!(predictors.len(), 1);
    assert_eq!(predictors[0].0, "predict");
    let demo = &predictors[0].1.demos[0];
    assert_eq!(demo.data.keys().collect::<Vec<_>>(), ["augmented", "question", "reasoning", "answer"]);
}
