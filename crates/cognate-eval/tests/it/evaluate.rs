//! Integration tests of `Evaluate`, datasets and exports.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cognate_core::{
    Choice, Example, FinishReason, LanguageModel, LmError, LmRequest, LmResponse, Prediction, SignatureDesc, Usage,
};
use cognate_eval::dataset::{Expect, Loader, Split};
use cognate_eval::metrics::{ExactMatch, NumericMatch, SemanticF1};
use cognate_eval::{Error, Evaluate, InfraPolicy, Score, Stage};
use cognate_runtime::{Predict, Predictor, Settings};
use cognate_testing::{MockLm, MockServer, MockServerConfig};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

mod budget;
mod faults;
mod infra;

/// Answer questions about numbers.
#[cognate_macros::signature(crate = cognate_eval)]
struct Echo {
    /// the question
    #[input]
    question: String,
    /// the answer
    #[output]
    answer: String,
}

fn reply(answer: &str) -> String {
    format!("[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]")
}

/// The question in a ChatAdapter prompt (`q17` -> 17).
fn question_number(request: &LmRequest) -> usize {
    let text = &request.messages.last().expect("a user message").content;
    let after = text.split("[[ ## question ## ]]\n").nth(1).expect("a question field");
    after.lines().next().unwrap().trim_start_matches('q').parse().expect("a numbered question")
}

fn dataset(n: usize) -> Vec<Example> {
    (0..n)
        .map(|i| {
            Example::default().with("question", format!("q{i}")).with("answer", i.to_string()).with_inputs(["question"])
        })
        .collect()
}

fn program() -> Predictor {
    Predictor::new(SignatureDesc::parse("question -> answer").unwrap())
}

/// Answers with the question's number after a latency chosen per question (tokio time).
struct SlowLm {
    latency: fn(usize) -> Duration,
}

impl LanguageModel for SlowLm {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let i = question_number(&request);
        tokio::time::sleep((self.latency)(i)).await;
        let choice = Choice { text: reply(&i.to_string()), finish_reason: Some(FinishReason::Stop) };
        Ok(LmResponse { choices: vec![choice], usage: Usage::default(), model: "slow".into(), cache_hit: false })
    }
    fn model_name(&self) -> &str {
        "slow"
    }
}

fn settings(lm: impl LanguageModel) -> Settings {
    Settings::default().with_lm(Arc::new(lm))
}

fn quiet<M: cognate_eval::Metric>(metric: M) -> Evaluate<M> {
    Evaluate::new(metric).with_progress(false)
}

#[tokio::test(start_paused = true)]
async fn results_keep_dataset_order_under_jittery_latency() {
    let data = dataset(300);
    let lm = SlowLm { latency: |i| Duration::from_millis((i as u64 * 7919) % 53) };
    let evaluate = quiet(ExactMatch::new()).with_concurrency(16);
    let program = program();
    // The stream captures the settings when it is made: make it inside the scope.
    let streamed: Vec<usize> = settings(lm)
        .scope(async {
            let stream = evaluate.stream(&program, &data);
            stream.map(|r| if r.is_error() { usize::MAX } else { r.index }).collect::<Vec<_>>().await
        })
        .await;
    assert_eq!(streamed.len(), 300);
    assert_eq!(streamed.iter().copied().collect::<HashSet<_>>().len(), 300);
    assert_ne!(streamed, (0..300).collect::<Vec<_>>(), "jitter should reorder completions");

    let lm = SlowLm { latency: |i| Duration::from_millis((i as u64 * 7919) % 53) };
    let result = settings(lm).scope(evaluate.run(&program, &data)).await.unwrap();
    let indices: Vec<usize> = result.records.iter().map(|r| r.index).collect();
    assert_eq!(indices, (0..300).collect::<Vec<_>>());
    for r in &result.records {
        assert_eq!(r.prediction.as_ref().unwrap().get("answer"), Some(&json!(r.index.to_string())));
        assert_eq!(r.example, data[r.index]);
    }
    assert_eq!(result.summary.average_score, 1.0);
    assert_eq!(result.summary.lm_calls, 300);
}

#[tokio::test(start_paused = true)]
async fn the_stream_yields_in_completion_order() {
    let data = dataset(40);
    // Later examples answer sooner: with everything in flight, they complete in reverse.
    let lm = SlowLm { latency: |i| Duration::from_millis(100 - i as u64) };
    let evaluate = quiet(ExactMatch::new()).with_concurrency(64);
    let program = program();
    let streamed: Vec<usize> =
        settings(lm).scope(async { evaluate.stream(&program, &data).map(|r| r.index).collect::<Vec<_>>().await }).await;
    assert_eq!(streamed, (0..40).rev().collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn concurrency_is_bounded() {
    #[derive(Clone)]
    struct Counting {
        now: Arc<AtomicUsize>,
        peak: Arc<AtomicUsize>,
    }
    impl LanguageModel for Counting {
        async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
            let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.peak.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.now.fetch_sub(1, Ordering::SeqCst);
            let i = question_number(&request);
            let choice = Choice { text: reply(&i.to_string()), finish_reason: None };
            Ok(LmResponse { choices: vec![choice], usage: Usage::default(), model: "c".into(), cache_hit: false })
        }
        fn model_name(&self) -> &str {
            "c"
        }
    }
    let lm = Counting { now: Arc::default(), peak: Arc::default() };
    let result =
        settings(lm.clone()).scope(quiet(ExactMatch::new()).with_concurrency(7).run(&program(), &dataset(50))).await;
    assert_eq!(result.unwrap().summary.completed, 50);
    assert_eq!(lm.peak.load(Ordering::SeqCst), 7);
}

fn failing_lm() -> MockLm {
    // Even questions fail, odd ones get the right answer.
    MockLm::from_fn(|request| {
        let i = question_number(request);
        if i % 2 == 0 {
            Err(LmError::Http { status: 500, message: "boom".into(), retry_after: None })
        } else {
            Ok(reply(&i.to_string()))
        }
    })
}

#[tokio::test]
async fn the_error_budget_stops_the_run_with_partial_results() {
    let lm = failing_lm();
    // DSPy's behaviour: LM failures are scored as failures and count against the budget.
    let evaluate =
        quiet(ExactMatch::new()).with_concurrency(1).with_max_errors(3).with_infra_policy(InfraPolicy::CountAsZero);
    let err = settings(lm.clone()).scope(evaluate.run(&program(), &dataset(30))).await.unwrap_err();
    let Error::TooManyErrors { errors, max_errors, partial } = err else { panic!("expected TooManyErrors") };
    assert_eq!((errors, max_errors), (3, 3));
    // 0 1 2 3 4: the third failure (question 4) reaches the budget; nothing after it runs.
    assert_eq!(partial.records.iter().map(|r| r.index).collect::<Vec<_>>(), (0..5).collect::<Vec<_>>());
    assert_eq!((partial.summary.errors, partial.summary.infra_errors), (0, 3));
    assert_eq!((partial.summary.completed, partial.summary.scored), (5, 5));
    assert_eq!(partial.summary.examples, 30);
    assert_eq!(lm.call_count(), 5);
    assert_eq!(partial.summary.lm_calls, 5);

    // Within budget: the run completes (15 failures, budget 16); without one, too.
    let ok = settings(failing_lm()).scope(evaluate.clone().with_max_errors(16).run(&program(), &dataset(30))).await;
    assert_eq!(ok.unwrap().summary.infra_errors, 15);
    let ok = settings(failing_lm()).scope(evaluate.clone().with_max_errors(None).run(&program(), &dataset(30))).await;
    assert_eq!(ok.unwrap().summary.infra_errors, 15);

    // The default budget is DSPy's 10: the 10th failure (question 18) stops the run.
    assert_eq!(cognate_eval::DEFAULT_MAX_ERRORS, 10);
    let default = quiet(ExactMatch::new()).with_concurrency(1).with_infra_policy(InfraPolicy::CountAsZero);
    let err = settings(failing_lm()).scope(default.run(&program(), &dataset(30))).await.unwrap_err();
    let Error::TooManyErrors { errors, max_errors, partial } = err else { panic!("expected TooManyErrors") };
    assert_eq!((errors, max_errors, partial.summary.completed), (10, 10, 19));
}

#[tokio::test]
async fn failures_get_the_failure_score_and_say_where_they_failed() {
    let data = dataset(6);
    let metric = |example: &Example, prediction: &Prediction| -> cognate_runtime::Result<Score> {
        if example.get("question") == Some(&json!("q5")) {
            return Err(LmError::Other("judge unavailable".into()).into());
        }
        Ok(Score::from(example.get("answer") == prediction.get("answer")).with_feedback("checked"))
    };
    let evaluate = quiet(metric).with_failure_score(0.25).with_infra_policy(InfraPolicy::CountAsZero);
    let program = Predict::<Echo>::new();
    let result = settings(failing_lm())
        .scope(evaluate.run_with(&program, &data, |example| {
            let question = example.get("question").and_then(Value::as_str).unwrap_or_default().to_string();
            if question == "q3" {
                return Err(LmError::Other("cannot build input".into()).into());
            }
            Ok(EchoInput { question })
        }))
        .await
        .unwrap();
    let stages: Vec<Option<Stage>> = result.records.iter().map(|r| r.error.as_ref().map(|e| e.stage)).collect();
    assert_eq!(
        stages,
        [Some(Stage::Module), None, Some(Stage::Module), Some(Stage::Input), Some(Stage::Module), Some(Stage::Metric)]
    );
    let scores: Vec<f64> = result.records.iter().map(|r| r.score.value).collect();
    assert_eq!(scores, [0.25, 1.0, 0.25, 0.25, 0.25, 0.25]);
    assert_eq!(result.records[1].score.feedback.as_deref(), Some("checked"));
    // A metric failure keeps the prediction.
    assert_eq!(result.records[5].prediction.as_ref().unwrap().get("answer"), Some(&json!("5")));
    assert!(
        result.records[3].error.as_ref().unwrap().to_string().contains("input failed: "),
        "{:?}",
        result.records[3].error
    );
    // The input failure is the program's; the LM and judge failures are infrastructure.
    assert_eq!((result.summary.errors, result.summary.infra_errors), (1, 4));
    assert!((result.summary.average_score - 2.25 / 6.0).abs() < 1e-12);
    // q3 never reached the LM.
    assert_eq!(result.summary.lm_calls, 5);
}

/// The summary breaks failures out by kind and counts adapter fallbacks; the failing examples
/// can be listed.
#[tokio::test]
async fn the_summary_breaks_out_fallbacks_parse_failures_and_timeouts() {
    use cognate_core::TimeoutLimit;
    use cognate_eval::FailureKind;

    // q1: prose for ChatAdapter, JSON for the JSONAdapter retry (a fallback that parses);
    // q2: prose both times (a fallback, then a parse failure); q3: a time-out; q4: a 503;
    // q5: the metric fails; the others answer right.
    let lm = MockLm::from_fn(|request| {
        let i = question_number_any(request);
        let json_retry = request.response_format.is_some();
        match i {
            1 if json_retry => Ok(r#"{"answer": "1"}"#.into()),
            1 | 2 => Ok(format!("I think the answer is {i}.")),
            3 => Err(LmError::Timeout { limit: TimeoutLimit::Request, after: Duration::from_secs(30) }),
            4 => Err(LmError::Http { status: 503, message: "overloaded".into(), retry_after: None }),
            _ => Ok(reply(&i.to_string())),
        }
    });
    let metric = |example: &Example, prediction: &Prediction| -> cognate_runtime::Result<Score> {
        if example.get("question") == Some(&json!("q5")) {
            return Err(cognate_core::Error::Conversion {
                what: "judge".into(),
                source: serde_json::from_str::<u8>("x").unwrap_err(),
            }
            .into());
        }
        Ok(Score::from(example.get("answer") == prediction.get("answer")))
    };
    let evaluate = quiet(metric).with_concurrency(1).with_infra_policy(InfraPolicy::Exclude);
    let result = settings(lm).scope(evaluate.run(&Predict::<Echo>::new(), &dataset(8))).await.unwrap();

    let kinds: Vec<Option<FailureKind>> =
        result.records.iter().map(|r| r.error.as_ref().map(cognate_eval::Failure::kind)).collect();
    assert_eq!(
        kinds,
        [
            None,
            None,
            Some(FailureKind::Parse),
            Some(FailureKind::Timeout),
            Some(FailureKind::Infrastructure),
            Some(FailureKind::Program),
            None,
            None
        ]
    );
    let fallbacks: Vec<u64> = result.records.iter().map(|r| r.adapter_fallbacks).collect();
    assert_eq!(fallbacks, [0, 1, 1, 0, 0, 0, 0, 0]);
    assert_eq!(result.records[1].prediction.as_ref().unwrap().get("answer"), Some(&json!("1")));

    let s = &result.summary;
    assert_eq!((s.completed, s.errors, s.parse_failures), (8, 2, 1));
    assert_eq!((s.infra_errors, s.timeouts, s.adapter_fallbacks), (2, 1, 2));
    assert_eq!((s.scored, s.total_score), (6, 4.0));
    // q1 and q2 each made two calls (the JSONAdapter retry included).
    assert_eq!(s.lm_calls, 10);
    let line = s.to_string();
    for part in [
        ", 2 errors (1 unparsable replies)",
        ", 2 infrastructure errors (1 time-outs; not scored)",
        "; 10 LM calls (2 adapter fallbacks),",
    ] {
        assert!(line.contains(part), "{part:?} not in {line}");
    }
    // The new counts survive a JSON round trip, and older summaries without them still load.
    let back: cognate_eval::Summary = serde_json::from_value(serde_json::to_value(s).unwrap()).unwrap();
    assert_eq!(&back, s);
    let mut old = serde_json::to_value(s).unwrap();
    for key in ["parse_failures", "timeouts", "adapter_fallbacks"] {
        old.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(serde_json::from_value::<cognate_eval::Summary>(old).unwrap().timeouts, 0);

    // The failing examples, on request.
    assert_eq!(result.failures().map(|r| r.index).collect::<Vec<_>>(), [2, 3, 4, 5]);
    let report = result.failure_report().to_string();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 5, "{report}");
    assert_eq!(lines[0], "4 of 8 examples failed:");
    let expect = [
        ("#2", "parse", "module failed"),
        ("#3", "timeout", "module failed"),
        ("#4", "infrastructure", "503"),
        ("#5", "program", "metric failed"),
    ];
    for (line, (index, kind, text)) in lines[1..].iter().zip(expect) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!((words[0], words[1]), (index, kind), "{line}");
        assert!(line.contains(text), "{line}");
        assert!(line.chars().count() < 340, "{line}");
    }
    let exported = result.records[3].to_json();
    assert_eq!(
        (exported["error"]["kind"].as_str(), exported["adapter_fallbacks"].as_u64()),
        (Some("timeout"), Some(0))
    );
    assert_eq!(result.records[1].to_json()["adapter_fallbacks"], 1);
    // Nothing failed: a one-line report.
    let clean = quiet(ExactMatch::new());
    let ok = settings(SlowLm { latency: |_| Duration::ZERO }).scope(clean.run(&program(), &dataset(3))).await.unwrap();
    assert_eq!(ok.failure_report().to_string(), "0 of 3 examples failed");
}

/// The question's number in a ChatAdapter or JSONAdapter prompt (`q17` -> 17).
fn question_number_any(request: &LmRequest) -> usize {
    let text = &request.messages.last().expect("a user message").content;
    let start = text.find("\nq").expect("a numbered question") + 2;
    text[start..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().expect("a number")
}

/// Holds every request until the test lets it through.
struct GateLm {
    gate: Arc<Semaphore>,
    requests: Arc<AtomicUsize>,
}

impl LanguageModel for GateLm {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.gate.acquire().await.expect("open gate").forget();
        let choice = Choice { text: reply(&question_number(&request).to_string()), finish_reason: None };
        Ok(LmResponse { choices: vec![choice], usage: Usage::default(), model: "gate".into(), cache_hit: false })
    }
    fn model_name(&self) -> &str {
        "gate"
    }
}

#[tokio::test]
async fn dropping_the_stream_stops_new_calls() {
    let gate = Arc::new(Semaphore::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let lm = GateLm { gate: Arc::clone(&gate), requests: Arc::clone(&requests) };
    let data = dataset(100);
    let evaluate = quiet(ExactMatch::new()).with_concurrency(4);
    let program = program();
    settings(lm)
        .scope(async {
            let mut stream = evaluate.stream(&program, &data);
            gate.add_permits(2);
            let first = stream.next().await.unwrap();
            let second = stream.next().await.unwrap();
            assert!(!first.is_error() && !second.is_error());
            // One more poll starts the next four calls, which wait at the gate.
            assert!(futures::FutureExt::now_or_never(stream.next()).is_none());
            let seen = requests.load(Ordering::SeqCst);
            assert_eq!(seen, 6);
            drop(stream);
            gate.add_permits(1000);
            for _ in 0..100 {
                tokio::task::yield_now().await;
            }
            assert_eq!(requests.load(Ordering::SeqCst), seen, "no request after the drop");
            // The abandoned in-flight calls never took their permits.
            assert_eq!(gate.available_permits(), 1000);
        })
        .await;
}

#[tokio::test(start_paused = true)]
async fn dropping_the_run_future_stops_new_calls() {
    let gate = Arc::new(Semaphore::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let lm = GateLm { gate: Arc::clone(&gate), requests: Arc::clone(&requests) };
    let data = dataset(100);
    let evaluate = quiet(ExactMatch::new()).with_concurrency(8);
    let program = program();
    let run = settings(lm).scope(evaluate.run(&program, &data));
    assert!(tokio::time::timeout(Duration::from_secs(1), run).await.is_err());
    assert_eq!(requests.load(Ordering::SeqCst), 8);
    gate.add_permits(1000);
    tokio::task::yield_now().await;
    assert_eq!(requests.load(Ordering::SeqCst), 8);
}

#[tokio::test]
async fn totals_count_lm_calls_and_tokens_exactly() {
    let usage = Usage::new(11, 3);
    // One LM for both the program and the judge; the judge's prompt mentions `ground_truth`.
    let lm = MockLm::from_fn(|request| {
        if request.messages[0].content.contains("ground_truth") {
            Ok("[[ ## reasoning ## ]]\nok\n\n[[ ## recall ## ]]\n1.0\n\n[[ ## precision ## ]]\n0.5\n\n[[ ## completed ## ]]".into())
        } else {
            Ok("[[ ## response ## ]]\nsome response\n\n[[ ## completed ## ]]".into())
        }
    })
    .with_usage(usage);
    let data: Vec<Example> = (0..25)
        .map(|i| {
            Example::default().with("question", format!("q{i}")).with("response", "gold").with_inputs(["question"])
        })
        .collect();
    let program = Predictor::new(SignatureDesc::parse("question -> response").unwrap());
    let evaluate = quiet(SemanticF1::new()).with_concurrency(5);
    let result = settings(lm.clone()).scope(evaluate.run(&program, &data)).await.unwrap();
    let s = &result.summary;
    assert_eq!((s.examples, s.completed, s.errors), (25, 25, 0));
    assert_eq!((s.lm_calls, s.prompt_tokens, s.completion_tokens), (25, 275, 75));
    assert_eq!((s.metric_usage.calls, s.metric_usage.prompt_tokens, s.metric_usage.completion_tokens), (25, 275, 75));
    assert_eq!(lm.call_count(), 50);
    assert!((s.average_score - 2.0 / 3.0).abs() < 1e-12);
    assert!(s.wall_time > Duration::ZERO);
    let text = s.to_string();
    assert!(text.starts_with("average score 0.667 (66.7%) over 25 of 25 examples, 0 errors; 25 LM calls, 275 prompt + 75 completion tokens (metric: 25 LM calls, 350 tokens); "), "{text}");
}

#[tokio::test]
async fn exports_parse_back() {
    let data = dataset(5);
    let evaluate = quiet(ExactMatch::new()).with_infra_policy(InfraPolicy::Exclude);
    let result = settings(failing_lm()).scope(evaluate.run(&program(), &data)).await.unwrap();

    let mut jsonl = Vec::new();
    result.write_jsonl(&mut jsonl).unwrap();
    let lines: Vec<Value> =
        String::from_utf8(jsonl).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[1]["index"], 1);
    assert_eq!(lines[1]["example"], json!({"question": "q1", "answer": "1"}));
    assert_eq!(lines[1]["prediction"], json!({"answer": "1"}));
    assert_eq!((lines[1]["score"].clone(), lines[1]["error"].clone()), (json!(1.0), Value::Null));
    assert_eq!(lines[0]["prediction"], Value::Null);
    assert_eq!(lines[0]["error"]["stage"], "module");
    assert!(lines[0]["error"]["message"].as_str().unwrap().contains("500"), "{}", lines[0]["error"]);
    assert_eq!(lines[0]["error"]["infrastructure"], true);

    let mut csv_bytes = Vec::new();
    result.write_csv(&mut csv_bytes).unwrap();
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "index",
            "example.question",
            "example.answer",
            "prediction.answer",
            "score",
            "feedback",
            "error",
            "elapsed_ms"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    let cells = |row: &csv::StringRecord| row.iter().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(cells(&rows[3])[..6], ["3", "q3", "3", "3", "1", ""]);
    assert_eq!(cells(&rows[2])[3..5], ["", "0"]);
    assert!(rows[2][6].starts_with("module failed: "), "{:?}", &rows[2]);

    let dir = temp_dir("exports");
    result.save_jsonl(dir.join("r.jsonl")).unwrap();
    result.save_csv(dir.join("r.csv")).unwrap();
    assert_eq!(std::fs::read_to_string(dir.join("r.jsonl")).unwrap().lines().count(), 5);
    assert_eq!(std::fs::read_to_string(dir.join("r.csv")).unwrap().lines().count(), 6);
    // Exports replace the file atomically: no temporary file is left next to it.
    std::fs::write(dir.join("r.jsonl"), "stale\n").unwrap();
    result.save_jsonl(dir.join("r.jsonl")).unwrap();
    assert_eq!(std::fs::read_to_string(dir.join("r.jsonl")).unwrap().lines().count(), 5);
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["r.csv", "r.jsonl"]);
    assert!(matches!(result.save_csv(dir.join("missing/r.csv")), Err(cognate_eval::Error::Io { .. })));
    let _ = std::fs::remove_dir_all(dir);
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cognate-eval-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/gsm8k_sample.jsonl")
}

#[test]
fn loads_the_gsm8k_sample_with_a_mapping() {
    let loader = Loader::jsonl(sample())
        .field("question")
        .field("answer")
        .field_as("solution", "reasoning")
        .expect("answer", Expect::String)
        .with_inputs(["question"]);
    let data = loader.load().unwrap();
    assert_eq!(data.len(), 20);
    assert_eq!(data[0].data.keys().collect::<Vec<_>>(), ["question", "answer", "reasoning"]);
    assert_eq!(data[0].get("answer"), Some(&json!("18")));
    assert!(data[0].get("reasoning").and_then(Value::as_str).unwrap().ends_with("#### 18"));
    assert_eq!(data[0].inputs().keys().collect::<Vec<_>>(), ["question"]);
    // The gold answer agrees with the solution's `####` line, as NumericMatch reads them.
    for e in data.iter() {
        let (answer, solution) =
            (e.get("answer").and_then(Value::as_str).unwrap(), e.get("reasoning").and_then(Value::as_str).unwrap());
        assert_eq!(
            cognate_eval::metrics::extract_number(answer, true),
            cognate_eval::metrics::extract_number(solution, true)
        );
    }
    // Streaming reads the same rows.
    assert_eq!(loader.rows().unwrap().map(Result::unwrap).collect::<Vec<_>>(), data.into_examples());
}

#[test]
fn seeded_splits_of_the_sample_are_deterministic() {
    let data = Loader::jsonl(sample()).load().unwrap();
    let ids =
        |d: &cognate_eval::Dataset| d.iter().map(|e| e.get("id").and_then(Value::as_u64).unwrap()).collect::<Vec<_>>();
    let a = data.split(Split::counts(10, 5, 5), 42).unwrap();
    let b = data.split(Split::counts(10, 5, 5), 42).unwrap();
    assert_eq!((ids(&a.train), ids(&a.dev), ids(&a.test)), (ids(&b.train), ids(&b.dev), ids(&b.test)));
    let c = data.split(Split::fractions(0.5, 0.25, 0.25), 43).unwrap();
    assert_ne!(ids(&a.train), ids(&c.train));
    let mut all = [ids(&a.train), ids(&a.dev), ids(&a.test)].concat();
    all.sort_unstable();
    assert_eq!(all, (0..20).collect::<Vec<_>>());
}

#[test]
fn bad_rows_name_the_file_line_and_field() {
    let dir = temp_dir("rows");
    let mut text = String::new();
    for i in 1..=16 {
        text.push_str(&format!("{{\"question\": \"q{i}\", \"answer\": \"{i}\"}}\n"));
    }
    text.push_str("{\"question\": \"q17\", \"answer\": null}\n");
    let path = dir.join("data.jsonl");
    std::fs::write(&path, &text).unwrap();
    let err =
        Loader::jsonl(&path).field("question").field("answer").expect("answer", Expect::String).load().unwrap_err();
    assert_eq!(err.to_string(), format!("{}:17: field \"answer\": expected a string, got null", path.display()));
    assert!(matches!(err, Error::Row { line: 17, .. }));

    // Streaming yields the 16 good rows first.
    let rows: Vec<_> = Loader::jsonl(&path).expect("answer", Expect::String).rows().unwrap().collect();
    assert_eq!(rows.iter().filter(|r| r.is_ok()).count(), 16);

    let csv_path = dir.join("data.csv");
    std::fs::write(&csv_path, "question,solution\nq1,#### 1\n").unwrap();
    let err = Loader::csv(&csv_path).field("question").field_as("answer", "answer").load().unwrap_err();
    assert_eq!(err.to_string(), format!("{}:1: field \"answer\": missing column `answer`", csv_path.display()));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn predict_over_http_on_a_thousand_examples() {
    let config = MockServerConfig::default().with_latency(Duration::from_millis(10)).with_reply(|request| {
        // Right for all but every tenth question.
        let i = question_number(request);
        reply(&if i % 10 == 0 { "wrong".to_string() } else { i.to_string() })
    });
    let server = MockServer::start(config).await.unwrap();
    let client = cognate_lm::OpenAiClient::new("mock-lm").with_base_url(server.base_url());
    let data = dataset(1000);
    let program = Predict::<Echo>::new();
    let evaluate = quiet(NumericMatch::new()).with_concurrency(128);
    let started = std::time::Instant::now();
    let result = settings(client).scope(evaluate.run(&program, &data)).await.unwrap();
    let elapsed = started.elapsed();
    eprintln!("1000 examples over HTTP at concurrency 128: {elapsed:?}");
    let s = &result.summary;
    assert_eq!((s.completed, s.errors), (1000, 0));
    assert!((s.average_score - 0.9).abs() < 1e-12, "{s}");
    assert_eq!(s.lm_calls, 1000);
    assert_eq!(server.request_count(), 1000);
    let server_usage = server.usage();
    assert_eq!((s.prompt_tokens, s.completion_tokens), (server_usage.prompt_tokens, server_usage.completion_tokens));
    assert!(s.prompt_tokens > 0);
    // 1000 calls of 10 ms at 128 in flight: about 8 rounds; far below the 10 s it would take one by one.
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    server.shutdown().await;
}
