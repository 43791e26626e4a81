//! `#[program]` end to end: DSPy paths for nested programs, mutable visitation, a program
//! with a loop, a branch and `tokio::join!` on a scripted LM, deep copies, spans carrying
//! predictor paths, and `describe()`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use cognate::core::{Example, LmRequest, Values};
use cognate::prelude::*;
use cognate::{Domain, DynVariable, Visitor, VisitorMut};
use cognate_testing::MockLm;
use serde_json::{Value, json};

/// Write a search query that helps answer the question.
#[signature]
pub struct GenerateQuery {
    #[input]
    pub question: String,
    #[input]
    pub context: Vec<String>,
    #[output]
    pub query: String,
}

/// Answer the question from the context.
#[signature]
pub struct AnswerQ {
    #[input]
    pub question: String,
    #[input]
    pub context: Vec<String>,
    /// often between 1 and 5 words
    #[output]
    pub answer: String,
}

/// A variable for these tests, standing in for `Variable::choice_str(["terse", "chatty"], "terse")`
/// (same domain and value, so `describe()` shows the same thing).
#[derive(Debug, Clone)]
struct Style {
    domain: Domain,
    value: Value,
}

impl Style {
    fn new() -> Self {
        Style { domain: Domain::Choice { options: vec![json!("terse"), json!("chatty")] }, value: json!("terse") }
    }
}

impl DynVariable for Style {
    fn domain(&self) -> &Domain {
        &self.domain
    }
    fn value_json(&self) -> Value {
        self.value.clone()
    }
    fn default_json(&self) -> Value {
        json!("terse")
    }
    fn set_json(&mut self, value: Value) -> cognate::Result<()> {
        self.value = value;
        Ok(())
    }
}

impl Component for Style {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        visitor.variable(path, self);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        visitor.variable(path, self);
    }
}

#[program]
#[derive(Clone)]
struct Checker {
    answer: Predict<AnswerQ>,
}

impl Module for Checker {
    type Input = (String, Vec<String>);
    type Output = String;
    async fn forward(&self, (question, context): (String, Vec<String>)) -> cognate::Result<String> {
        Ok(self.answer.forward(AnswerQInput { question, context }).await?.answer)
    }
}

#[program]
#[derive(Clone)]
struct MultiHop {
    generate_answer: ChainOfThought<AnswerQ>,
    hops: Vec<ChainOfThought<GenerateQuery>>,
    sub: Checker,
    #[component(rename = "answer_style")]
    style: Style,
    #[skip]
    passages: Vec<String>,
}

impl MultiHop {
    fn new(hops: usize) -> Self {
        MultiHop {
            generate_answer: ChainOfThought::new(),
            hops: (0..hops).map(|_| ChainOfThought::new()).collect(),
            sub: Checker { answer: Predict::new() },
            style: Style::new(),
            passages: vec!["seed passage".into()],
        }
    }
}

impl Module for MultiHop {
    type Input = String;
    type Output = String;

    async fn forward(&self, question: String) -> cognate::Result<String> {
        // An early return.
        if question.trim().is_empty() {
            return Ok("no question".into());
        }
        let mut context = self.passages.clone();
        // A loop over the hops.
        for hop in &self.hops {
            let out = hop.forward(GenerateQueryInput { question: question.clone(), context: context.clone() }).await?;
            context.push(out.query.clone());
        }
        // Two modules at once; the nested program through its own `call`.
        let (main, check) = tokio::join!(
            self.generate_answer.forward(AnswerQInput { question: question.clone(), context: context.clone() }),
            self.sub.call((question, context)),
        );
        let (main, check) = (main?, check?);
        // A branch.
        if main.answer == check { Ok(main.answer.clone()) } else { Ok(format!("{} (checker: {check})", main.answer)) }
    }
}

fn paths<C: Component>(program: &C) -> Vec<String> {
    program.named_predictors().into_iter().map(|(path, _)| path).collect()
}

/// Replies by looking at what the prompt asks for; hop queries are numbered in call order.
fn scripted() -> MockLm {
    let hops = AtomicU64::new(0);
    MockLm::from_fn(move |request: &LmRequest| {
        let system = &request.messages[0].content;
        let reasoning = system.contains("`reasoning`");
        let text = if system.contains("`query`") {
            let hop = hops.fetch_add(1, Ordering::Relaxed) + 1;
            format!("[[ ## reasoning ## ]]\nthink\n\n[[ ## query ## ]]\nhop-query-{hop}\n\n[[ ## completed ## ]]")
        } else if reasoning {
            "[[ ## reasoning ## ]]\nthink\n\n[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]".to_string()
        } else {
            "[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]".to_string()
        };
        Ok(text)
    })
}

fn settings(lm: &MockLm) -> Settings {
    Settings::default().with_lm(Arc::new(lm.clone()))
}

#[test]
fn named_predictors_use_dspy_paths() {
    let program = MultiHop::new(2);
    assert_eq!(paths(&program), ["generate_answer.predict", "hops[0].predict", "hops[1].predict", "sub.answer"]);
    let variables: Vec<String> = program.named_variables().into_iter().map(|(p, _)| p).collect();
    assert_eq!(variables, ["answer_style"], "renamed, and `#[skip]` fields are not visited");
    assert_eq!(program.type_name(), "MultiHop");
    assert_eq!(paths(&MultiHop::new(0)), ["generate_answer.predict", "sub.answer"]);
}

#[program]
#[derive(Clone)]
struct Experts {
    by_topic: std::collections::BTreeMap<String, ChainOfThought<AnswerQ>>,
    pair: (Predict<AnswerQ>, Checker),
    fallback: Option<Box<Checker>>,
}

impl Module for Experts {
    type Input = ();
    type Output = ();
    async fn forward(&self, _: ()) -> cognate::Result<()> {
        Ok(())
    }
}

#[test]
fn dicts_tuples_and_options_use_dspy_paths() {
    let mut experts = Experts {
        by_topic: [("math", ChainOfThought::new()), ("art", ChainOfThought::new())]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        pair: (Predict::new(), Checker { answer: Predict::new() }),
        fallback: None,
    };
    assert_eq!(paths(&experts), ["by_topic['art'].predict", "by_topic['math'].predict", "pair[0]", "pair[1].answer"]);
    experts.fallback = Some(Box::new(Checker { answer: Predict::new() }));
    assert_eq!(paths(&experts).last().map(String::as_str), Some("fallback.answer"));
}

#[test]
fn mutable_visitation_sets_instructions_demos_and_variables() {
    let mut program = MultiHop::new(1);
    for (path, predictor) in program.named_predictors_mut() {
        predictor.set_instructions(format!("Instructions for {path}."));
        predictor.demos.push(Example::new(json!({"question": path}).as_object().unwrap().clone()));
    }
    for (_, variable) in program.named_variables_mut() {
        variable.set_json(json!("chatty")).unwrap();
    }
    assert_eq!(program.sub.answer.predictor().instructions(), "Instructions for sub.answer.");
    assert_eq!(program.hops[0].predictor().demos[0].data["question"], json!("hops[0].predict"));
    assert_eq!(program.generate_answer.predictor().instructions(), "Instructions for generate_answer.predict.");
    assert_eq!(program.style.value_json(), json!("chatty"));
}

#[tokio::test]
async fn runs_end_to_end_with_a_loop_a_branch_and_join() {
    let lm = scripted();
    let mut program = MultiHop::new(2);
    program.sub.answer.predictor_mut().set_instructions("Check the answer.");
    let answer = settings(&lm).scope(program.call("Capital of France?".into())).await.unwrap();
    assert_eq!(answer, "Paris");
    let requests = lm.requests();
    assert_eq!(requests.len(), 4, "two hops, then the answer and the checker");
    // The second hop saw the first hop's query in its context, the answer saw both.
    let user = |i: usize| requests[i].messages.last().unwrap().content.clone();
    assert!(user(1).contains("hop-query-1") && !user(1).contains("hop-query-2"), "{}", user(1));
    assert!(user(2).contains("hop-query-2") && user(3).contains("hop-query-2"));
    assert!(requests.iter().any(|r| r.messages[0].content.contains("Check the answer.")));

    // The early return.
    let out = settings(&lm).scope(program.call("  ".into())).await.unwrap();
    assert_eq!(out, "no question");
    assert_eq!(lm.call_count(), 4, "no LM call after the early return");
}

#[tokio::test]
async fn call_batch_keeps_input_order() {
    let lm = scripted();
    let program = MultiHop::new(0);
    let inputs = vec!["".to_string(), "q1".to_string(), " ".to_string()];
    let out = settings(&lm).scope(program.call_batch(inputs, 2)).await;
    let out: Vec<String> = out.into_iter().map(Result::unwrap).collect();
    assert_eq!(out, ["no question", "Paris", "no question"]);
    assert_eq!(lm.call_count(), 2, "one question reached the LM, twice (answer and checker)");
}

#[tokio::test]
async fn trace_entries_carry_predictor_paths() {
    let lm = scripted();
    let program = MultiHop::new(1);
    let (answer, trace) = settings(&lm).scope(cognate::traced(program.call("q?".into()))).await;
    answer.unwrap();
    let mut names: Vec<String> = trace.into_iter().map(|e| e.predictor).collect();
    names.sort();
    assert_eq!(names, ["generate_answer.predict", "hops[0].predict", "sub.answer"]);

    // Through `forward`, unbound predictors fall back to their signature's name ...
    let (_, trace) = settings(&lm).scope(cognate::traced(program.forward("q?".into()))).await;
    assert!(trace.iter().any(|e| e.predictor == "GenerateQuery"), "{trace:?}");
    // ... and `bind_paths` names them for good.
    let mut bound = program.clone();
    bound.bind_paths();
    let (_, trace) = settings(&lm).scope(cognate::traced(bound.forward("q?".into()))).await;
    let mut names: Vec<String> = trace.into_iter().map(|e| e.predictor).collect();
    names.sort();
    assert_eq!(names, ["generate_answer.predict", "hops[0].predict", "sub.answer"]);
}

#[test]
fn clones_are_deep_copies_of_learnable_state() {
    let lm: cognate::SharedLm = Arc::new(scripted());
    let mut original = MultiHop::new(1);
    original.generate_answer = ChainOfThought::new().with_lm(lm.clone()).with_instructions("Original.");
    let mut copy = original.clone();
    copy.generate_answer.predictor_mut().set_instructions("Changed.");
    copy.hops[0].predictor_mut().demos.push(Example::new(Values::new()));
    copy.sub.answer.predictor_mut().config.temperature = Some(1.0);
    copy.named_variables_mut()[0].1.set_json(json!("chatty")).unwrap();

    assert_eq!(original.generate_answer.predictor().instructions(), "Original.");
    assert!(original.hops[0].predictor().demos.is_empty());
    assert_eq!(original.sub.answer.predictor().config.temperature, None);
    assert_eq!(original.style.value_json(), json!("terse"));
    // LMs are shared, as DSPy's deepcopy shares them.
    let (a, b) = (original.generate_answer.predictor().lm.as_ref(), copy.generate_answer.predictor().lm.as_ref());
    assert!(Arc::ptr_eq(a.unwrap(), b.unwrap()));
}

#[test]
fn describe_and_mermaid() {
    let mut program = MultiHop::new(1);
    program.hops[0].predictor_mut().demos.push(Example::new(Values::new()));
    let d = program.describe();
    assert_eq!(d.type_name, "MultiHop");
    assert_eq!(d.programs.len(), 1);
    assert_eq!((d.programs[0].path.as_str(), d.programs[0].type_name.as_str()), ("sub", "Checker"));
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(
        json["predictors"][0]["outputs"],
        json!([
            {"name": "reasoning", "type": "str", "desc": ""},
            {"name": "answer", "type": "str", "desc": "often between 1 and 5 words"},
        ])
    );
    assert_eq!(json["predictors"][1]["demos"], json!(1));
    assert_eq!(json["predictors"][2]["program"], json!("sub"));
    assert_eq!(
        json["variables"][0],
        json!({"path": "answer_style", "program": "", "domain": {"kind": "choice", "options": ["terse", "chatty"]}, "value": "terse"})
    );
    let expected = r#"flowchart TD
    program[["MultiHop"]]
    program1[["sub<br/>Checker"]]
    program --> program1
    predictor0["generate_answer.predict<br/>AnswerQ: question, context → reasoning, answer"]
    program --> predictor0
    predictor1["hops[0].predict<br/>GenerateQuery: question, context → reasoning, query<br/>1 demo"]
    program --> predictor1
    predictor2["sub.answer<br/>AnswerQ: question, context → answer"]
    program1 --> predictor2
    variable0{{"answer_style<br/>choice {terse, chatty} = terse"}}
    program -.- variable0
"#;
    assert_eq!(program.to_mermaid(), expected);
}

#[test]
fn the_guide_shows_the_real_mermaid_rendering() {
    let guide = include_str!("../../docs/programs.md");
    let rendered = MultiHop::new(2).to_mermaid();
    assert!(guide.contains(&format!("```mermaid\n{rendered}```")), "docs/programs.md is out of date:\n{rendered}");
}

/// A tiny `tracing` subscriber recording every span's name and fields.
#[derive(Clone, Default)]
struct Capture(Arc<CaptureInner>);

#[derive(Default)]
struct CaptureInner {
    next: AtomicU64,
    spans: Mutex<HashMap<u64, SpanRecord>>,
    stack: Mutex<Vec<u64>>,
}

/// A span's name, fields and parent span id.
type SpanRecord = (String, HashMap<String, String>, Option<u64>);

struct Fields<'a>(&'a mut HashMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_string(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let id = self.0.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = HashMap::new();
        span.record(&mut Fields(&mut fields));
        let parent = span
            .parent()
            .map(tracing::span::Id::into_u64)
            .or_else(|| if span.is_contextual() { self.0.stack.lock().unwrap().last().copied() } else { None });
        self.0.spans.lock().unwrap().insert(id, (span.metadata().name().to_string(), fields, parent));
        tracing::span::Id::from_u64(id)
    }
    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        if let Some((_, fields, _)) = self.0.spans.lock().unwrap().get_mut(&span.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, span: &tracing::span::Id) {
        self.0.stack.lock().unwrap().push(span.into_u64());
    }
    fn exit(&self, _: &tracing::span::Id) {
        self.0.stack.lock().unwrap().pop();
    }
}

impl Capture {
    /// `(name, fields, parent name)` of every span.
    fn spans(&self) -> Vec<(String, HashMap<String, String>, Option<String>)> {
        let spans = self.0.spans.lock().unwrap();
        let mut ids: Vec<_> = spans.keys().copied().collect();
        ids.sort();
        ids.into_iter()
            .map(|id| {
                let (name, fields, parent) = &spans[&id];
                (
                    name.clone(),
                    fields.clone(),
                    parent
                        .and_then(|p| spans.get(&p))
                        .map(|(n, f, _)| format!("{n}:{}", f.get("program").cloned().unwrap_or_default())),
                )
            })
            .collect()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn spans_carry_program_and_predictor_paths() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    cognate_testing::keep_callsites_interested();
    let lm = scripted();
    let program = MultiHop::new(2);
    settings(&lm).scope(program.call("Capital of France?".into())).await.unwrap();

    let spans = capture.spans();
    let programs: Vec<_> = spans.iter().filter(|s| s.0 == "program").collect();
    assert_eq!(programs.len(), 2, "{spans:?}");
    assert_eq!(programs[0].1["program"], "MultiHop");
    assert!(!programs[0].1.contains_key("path"), "the root has no path: {:?}", programs[0].1);
    assert_eq!(programs[1].1["program"], "Checker");
    assert_eq!(programs[1].1["path"], "sub", "a nested call knows where it sits");
    assert_eq!(programs[1].2.as_deref(), Some("program:MultiHop"));

    let mut lm_calls: Vec<(String, Option<String>)> =
        spans.iter().filter(|s| s.0 == "lm_call").map(|s| (s.1["cognate.predictor"].clone(), s.2.clone())).collect();
    lm_calls.sort();
    assert_eq!(
        lm_calls,
        [
            ("generate_answer.predict".to_string(), Some("program:MultiHop".to_string())),
            ("hops[0].predict".to_string(), Some("program:MultiHop".to_string())),
            ("hops[1].predict".to_string(), Some("program:MultiHop".to_string())),
            ("sub.answer".to_string(), Some("program:Checker".to_string())),
        ]
    );
}

#[tokio::test]
async fn a_sub_program_called_on_its_own_uses_its_own_paths() {
    let lm = scripted();
    let program = MultiHop::new(0);
    let (out, trace) = settings(&lm).scope(cognate::traced(program.sub.call(("q".into(), vec![])))).await;
    assert_eq!(out.unwrap(), "Paris");
    assert_eq!(trace[0].predictor, "answer");
}
