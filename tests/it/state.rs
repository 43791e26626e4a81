//! Saved state in DSPy's layout, both directions, against fixtures written by DSPy 3.4.1
//! (`crates/cognate-runtime/tests/data/dspy-state/`, made by its `make_fixtures.py`).
//!
//! - DSPy → Cognate: each `dspy-written/*.json` loads into the equivalent Cognate program.
//! - Cognate → DSPy: each program below, configured like the DSPy one, writes exactly
//!   `cognate-written/*.json` (modulo `metadata`); `make_fixtures.py --check-cognate` loads
//!   those files into DSPy. Re-bless them with `COGNATE_BLESS=1`.

use std::path::PathBuf;
use std::sync::Arc;

use cognate::Error;
use cognate::core::{Example, FieldDesc, SharedLm, Values, infer_prefix};
use cognate::program::child_path;
use cognate::variable::Variable;
use cognate::{ChainOfThought, Component, ComponentExt, Module, Predict, Predictor, SaveState, Visitor, VisitorMut};
use cognate::{program, signature};
use cognate_testing::MockLm;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

// --- the programs (mirroring make_fixtures.py) ---------------------------------------------

#[signature]
struct QA {
    #[input]
    question: String,
    #[output]
    answer: String,
}

#[signature]
struct GenerateAnswer {
    #[input]
    context: Vec<String>,
    #[input]
    question: String,
    #[output]
    answer: String,
}

#[signature]
struct Rewrite {
    #[input]
    question: String,
    #[output]
    query: String,
}

#[signature]
struct Hop {
    #[input]
    context: Vec<String>,
    #[input]
    question: String,
    #[output]
    search_query: String,
}

#[signature]
struct Summarize {
    #[input]
    passages: Vec<String>,
    #[output]
    summary: String,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    True,
    False,
    Unsure,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
struct Citation {
    title: String,
    year: i64,
}

/// Classify the claim and cite one source.
#[signature]
struct Classify {
    /// the claim to check
    #[input]
    claim: String,
    #[input(prefix = "Evidence:")]
    sources: Vec<String>,
    /// the verdict
    #[output]
    verdict: Verdict,
    #[output(prefix = "Confidence (0-100):", desc = "how sure, from 0 to 100")]
    confidence: i64,
    #[output]
    citation: Citation,
}

/// A hand-written component (no `#[program]`), nested in a `#[program]`.
#[derive(Clone)]
struct Summarizer {
    summarize: Predict<Summarize>,
}

impl Component for Summarizer {
    fn visit<'a>(&'a self, path: &str, v: &mut dyn Visitor<'a>) {
        self.summarize.visit(&child_path(path, "summarize"), v);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, v: &mut dyn VisitorMut<'a>) {
        self.summarize.visit_mut(&child_path(path, "summarize"), v);
    }
}

/// ChainOfThought + Predict + a list of Predicts + a nested component + two variables.
#[program]
#[derive(Clone)]
struct MultiHop {
    generate_answer: ChainOfThought<GenerateAnswer>,
    rewrite: Predict<Rewrite>,
    hops: Vec<Predict<Hop>>,
    inner: Summarizer,
    max_hops: Variable<i64>,
    style: Variable<String>,
}

impl MultiHop {
    fn new() -> Self {
        MultiHop {
            generate_answer: ChainOfThought::new(),
            rewrite: Predict::new(),
            hops: vec![Predict::new(), Predict::new()],
            inner: Summarizer { summarize: Predict::new() },
            max_hops: Variable::int(1, 4, 1, 2).unwrap(),
            style: Variable::choice_str(["terse", "verbose"], "terse").unwrap(),
        }
    }
}

impl Module for MultiHop {
    type Input = String;
    type Output = String;

    async fn forward(&self, question: String) -> cognate::Result<String> {
        let mut context = Vec::new();
        for hop in self.hops.iter().take(self.max_hops.get() as usize) {
            let out = hop.forward(HopInput { context: context.clone(), question: question.clone() }).await?;
            context.push(out.search_query);
        }
        Ok(self.generate_answer.forward(GenerateAnswerInput { context, question }).await?.answer.clone())
    }
}

#[program]
#[derive(Clone)]
struct Classifier {
    classify: Predict<Classify>,
}

impl Module for Classifier {
    type Input = ClassifyInput;
    type Output = ClassifyOutput;

    async fn forward(&self, input: ClassifyInput) -> cognate::Result<ClassifyOutput> {
        self.classify.forward(input).await
    }
}

// --- the learned state (mirroring make_fixtures.py's configure_*) ----------------------------

fn values(v: Value) -> Values {
    v.as_object().expect("an object").clone()
}

fn demo(v: Value) -> Example {
    Example::new(values(v))
}

fn qa_demos() -> Vec<Value> {
    vec![
        json!({"question": "What is the capital of France?", "answer": "Paris"}),
        json!({"question": "2 + 2?", "answer": "4", "augmented": true}),
    ]
}

fn cot_demos() -> Vec<Value> {
    vec![
        json!({"context": ["Paris is the capital of France."], "question": "Capital of France?",
               "reasoning": "The context says Paris.", "answer": "Paris", "augmented": true}),
        json!({"context": [], "question": "Who wrote Hamlet?", "answer": "Shakespeare"}),
    ]
}

fn typed_demos() -> Vec<Value> {
    vec![
        json!({"claim": "Water boils at 100 C at sea level.", "sources": ["Physics handbook"], "verdict": "true",
               "confidence": 95, "citation": {"title": "Physics handbook", "year": 2001}, "augmented": true}),
        json!({"claim": "The moon is made of cheese.", "sources": [], "verdict": "false", "confidence": 99,
               "citation": {"title": "Apollo reports", "year": 1972}}),
    ]
}

fn gpt_4o_mini() -> SharedLm {
    Arc::new(MockLm::new(Vec::<String>::new()).with_model_name("openai/gpt-4o-mini"))
}

fn configured_qa() -> Predict<QA> {
    Predict::<QA>::new()
        .with_instructions("Answer the question in one word.")
        .with_demos(qa_demos().into_iter().map(demo).collect())
}

fn configured_multi_hop() -> MultiHop {
    let mut p = MultiHop::new();
    p.generate_answer = ChainOfThought::new()
        .with_instructions("Answer using only the context.")
        .with_demos(cot_demos().into_iter().map(demo).collect());
    p.rewrite = Predict::new().with_instructions("Rewrite the question as a search query.").with_lm(gpt_4o_mini());
    p.hops[0] = Predict::new()
        .with_instructions("Write a search query for the first hop.")
        .with_demos(vec![demo(json!({"context": ["a"], "question": "q0", "search_query": "s0"}))]);
    p.inner.summarize = Predict::new().with_instructions("Summarize the passages in one sentence.");
    p.max_hops.set(3).unwrap();
    p.style.set("verbose".into()).unwrap();
    p
}

fn configured_typed() -> Classifier {
    Classifier { classify: Predict::new().with_demos(typed_demos().into_iter().map(demo).collect()) }
}

// --- fixtures -----------------------------------------------------------------------------

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../crates/cognate-runtime/tests/data/dspy-state")
}

fn dspy_written(name: &str) -> PathBuf {
    data_dir().join("dspy-written").join(format!("{name}.json"))
}

fn read_json(path: &PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn without_metadata(mut state: Value) -> Value {
    state.as_object_mut().unwrap().remove("metadata");
    state
}

fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("cognate-state-{}-{name}.json", std::process::id()))
}

fn field_meta(p: &Predictor) -> Vec<(String, Option<String>, String)> {
    let sig = p.signature();
    sig.inputs.iter().chain(&sig.outputs).map(|f| (f.name.clone(), f.prefix.clone(), f.desc.clone())).collect()
}

fn data(demos: &[Example]) -> Vec<Value> {
    demos.iter().map(|d| Value::Object(d.data.clone())).collect()
}

fn state_error(err: Error) -> (String, String) {
    match err {
        Error::State { path, reason } => (path, reason),
        other => panic!("expected Error::State, got {other:?}"),
    }
}

// --- DSPy → Cognate -------------------------------------------------------------------------

#[test]
fn infer_prefix_matches_dspy_on_every_vector() {
    let vectors = read_json(&data_dir().join("infer_prefix.json"));
    let vectors = vectors.as_object().unwrap();
    assert!(vectors.len() > 50);
    for (name, want) in vectors {
        assert_eq!(infer_prefix(name), want.as_str().unwrap(), "infer_prefix({name:?})");
    }
}

#[test]
fn dspy_single_predict_loads() {
    let mut qa = Predict::<QA>::new();
    qa.load(dspy_written("qa")).unwrap();
    let p = qa.predictor();
    assert_eq!(p.instructions(), "Answer the question in one word.");
    assert_eq!(data(&p.demos), qa_demos());
    assert_eq!(p.demos[1].get("augmented"), Some(&json!(true)), "bootstrapped demos keep their flag");
    assert_eq!(p.demos[0].input_keys.as_deref(), Some(&["question".to_string()][..]), "inputs come from the signature");
    assert_eq!(
        field_meta(p),
        [("question".into(), None, String::new()), ("answer".into(), None, String::new())],
        "DSPy's inferred prefixes and `${{name}}` descriptions load as Cognate's defaults"
    );
    assert!(p.lm.is_none() && p.saved_lm.is_none());
}

#[test]
fn dspy_multi_predictor_program_loads() {
    let mut mh = MultiHop::new();
    let before_vars = (mh.max_hops.get(), mh.style.get());
    mh.load(dspy_written("multi_hop")).unwrap();

    let paths: Vec<String> = mh.named_predictors().into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, ["generate_answer.predict", "rewrite", "hops[0]", "hops[1]", "inner.summarize"]);

    let cot = mh.generate_answer.predictor();
    assert_eq!(cot.instructions(), "Answer using only the context.");
    assert_eq!(data(&cot.demos), cot_demos());
    assert_eq!(cot.demos[0].input_keys, Some(vec!["context".to_string(), "question".to_string()]));
    let reasoning = &cot.signature().outputs[0];
    assert_eq!((reasoning.name.as_str(), reasoning.prefix.as_deref()), ("reasoning", None));
    assert_eq!(reasoning.effective_prefix(), "Reasoning:", "DSPy 3.4.1 writes the inferred prefix");

    let rewrite = mh.rewrite.predictor();
    assert_eq!(rewrite.instructions(), "Rewrite the question as a search query.");
    assert!(rewrite.lm.is_none(), "no LM is built from a file");
    assert_eq!(
        rewrite.saved_lm,
        Some(json!({"_dspy_lm_class": "dspy.clients.lm.LM", "model": "openai/gpt-4o-mini", "model_type": "chat",
                    "cache": true, "num_retries": 3, "temperature": 0.3, "max_tokens": 200,
                    "finetuning_model": null, "launch_kwargs": {}, "train_kwargs": {}})),
        "the LM dict is kept without its `api_base`"
    );

    assert_eq!(mh.hops[0].predictor().instructions(), "Write a search query for the first hop.");
    assert_eq!(
        data(&mh.hops[0].predictor().demos),
        [json!({"context": ["a"], "question": "q0", "search_query": "s0"})]
    );
    assert_eq!(mh.hops[1].predictor().instructions(), "", "DSPy's default sentence loads as no instructions");
    assert_eq!(
        mh.hops[1].predictor().signature().effective_instructions(),
        "Given the fields `context`, `question`, produce the fields `search_query`."
    );
    assert_eq!(mh.inner.summarize.predictor().instructions(), "Summarize the passages in one sentence.");
    assert_eq!((mh.max_hops.get(), mh.style.get()), before_vars, "a DSPy file has no variable values");
}

#[test]
fn dspy_typed_signature_loads() {
    let mut c = Classifier { classify: Predict::new() };
    // Start from different descriptions so the test sees them being loaded.
    for name in ["claim", "verdict", "confidence"] {
        c.classify.predictor_mut().set_field_meta(name, Some("Wrong:".into()), "wrong");
    }
    c.load(dspy_written("typed")).unwrap();
    let p = c.classify.predictor();
    assert_eq!(p.instructions(), "Classify the claim and cite one source.");
    assert_eq!(
        field_meta(p),
        [
            ("claim".into(), None, "the claim to check".into()),
            ("sources".into(), Some("Evidence:".into()), String::new()),
            ("verdict".into(), None, "the verdict".into()),
            ("confidence".into(), Some("Confidence (0-100):".into()), "how sure, from 0 to 100".into()),
            ("citation".into(), None, String::new()),
        ]
    );
    assert_eq!(data(&p.demos), typed_demos());
    // Pydantic values arrive as JSON objects and convert to the Rust types.
    let citation: Citation = serde_json::from_value(p.demos[0].get("citation").unwrap().clone()).unwrap();
    assert_eq!(citation, Citation { title: "Physics handbook".into(), year: 2001 });
    let verdict: Verdict = serde_json::from_value(p.demos[1].get("verdict").unwrap().clone()).unwrap();
    assert_eq!(verdict, Verdict::False);
}

#[test]
fn dspy_files_come_back_out_unchanged() {
    /// The file minus `metadata`, with `api_base` dropped from the LM dicts (flat or not).
    fn expected(file: &Value) -> Value {
        let mut want = without_metadata(file.clone());
        let map = want.as_object_mut().unwrap();
        let sections: Vec<&mut Value> =
            if map.contains_key("signature") { vec![&mut want] } else { map.values_mut().collect() };
        for section in sections {
            if let Some(lm) = section.get_mut("lm").and_then(Value::as_object_mut) {
                lm.remove("api_base");
            }
        }
        want
    }
    fn check(name: &str, program: &mut dyn FnMut(&Value) -> Value) {
        let file = read_json(&dspy_written(name));
        let mut dumped = program(&file);
        dumped.as_object_mut().unwrap().remove("cognate");
        assert_eq!(dumped, expected(&file), "{name}");
    }
    check("qa", &mut |f| {
        let mut p = Predict::<QA>::new();
        p.load_state(f).unwrap();
        p.dump_state()
    });
    check("multi_hop", &mut |f| {
        let mut p = MultiHop::new();
        p.load_state(f).unwrap();
        p.dump_state()
    });
    check("typed", &mut |f| {
        let mut p = Classifier { classify: Predict::new() };
        p.load_state(f).unwrap();
        p.dump_state()
    });
}

// --- Cognate → DSPy -------------------------------------------------------------------------

/// Compares the state `program` writes with `cognate-written/<name>.json` (or writes that
/// file under `COGNATE_BLESS=1`), and returns the parsed state.
fn check_cognate_written(name: &str, program: &dyn SaveStateDyn) -> Value {
    let text = program.text();
    let written: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        written["metadata"],
        json!({"dependency_versions": {"dspy": "3.4.1"}, "cognate": {"version": env!("CARGO_PKG_VERSION")}})
    );
    assert!(text.ends_with("}\n") && text.contains("\n  \"metadata\": {\n    \"dependency_versions\""));
    let path = data_dir().join("cognate-written").join(format!("{name}.json"));
    if std::env::var_os("COGNATE_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    assert_eq!(
        without_metadata(written.clone()),
        without_metadata(read_json(&path)),
        "{name}: re-bless with COGNATE_BLESS=1"
    );
    written
}

/// `SaveState` has generic methods, so tests pass programs through this object-safe view.
trait SaveStateDyn {
    fn text(&self) -> String;
}

impl<T: SaveState> SaveStateDyn for T {
    fn text(&self) -> String {
        self.save_to_string()
    }
}

/// Cognate's sections for the same program equal DSPy's, but for the differences listed.
fn assert_same_sections(name: &str, cognate: &Value, known_differences: &[(&str, &str)]) {
    let dspy = read_json(&dspy_written(name));
    for (path, section) in dspy.as_object().unwrap() {
        if path == "metadata" {
            continue;
        }
        let mut ours = cognate[path].clone();
        let mut theirs = section.clone();
        for (p, pointer) in known_differences {
            if p == path {
                *ours.pointer_mut(pointer).unwrap() = Value::Null;
                *theirs.pointer_mut(pointer).unwrap() = Value::Null;
            }
        }
        assert_eq!(ours, theirs, "{name}: {path}");
    }
}

#[test]
fn cognate_writes_the_committed_fixtures() {
    let qa = check_cognate_written("qa", &configured_qa());
    assert_same_sections("qa", &qa, &[]);
    assert_eq!(qa.get("traces"), Some(&json!([])), "a bare predictor is written flat, as DSPy does");
    assert_eq!(qa.get("cognate"), None, "and without Cognate's section when it has no variables");

    let mh = check_cognate_written("multi_hop", &configured_multi_hop());
    assert_same_sections(
        "multi_hop",
        &mh,
        &[
            // DSPy writes its whole LM config; Cognate writes the model of the LM it holds.
            ("rewrite", "/lm"),
        ],
    );
    assert_eq!(mh["generate_answer.predict"]["signature"]["fields"][2]["prefix"], json!("Reasoning:"));
    assert_eq!(mh["rewrite"]["lm"], json!({"model": "openai/gpt-4o-mini"}));
    assert_eq!(mh["cognate"], json!({"variables": {"max_hops": 3, "style": "verbose"}}));

    let typed = check_cognate_written("typed", &configured_typed());
    assert_same_sections("typed", &typed, &[]);
}

// --- round trips ----------------------------------------------------------------------------

#[test]
fn save_then_load_restores_everything() {
    let original = configured_multi_hop();
    let file = temp_file("round-trip");
    original.save(&file).unwrap();

    let mut loaded = MultiHop::new();
    loaded.load(&file).unwrap();
    std::fs::remove_file(&file).unwrap();

    assert_eq!((loaded.max_hops.get(), loaded.style.get()), (3, "verbose".to_string()));
    assert_eq!(loaded.generate_answer.predictor().instructions(), "Answer using only the context.");
    assert_eq!(data(&loaded.generate_answer.predictor().demos), cot_demos());
    assert_eq!(loaded.rewrite.predictor().saved_lm, Some(json!({"model": "openai/gpt-4o-mini"})));
    assert_eq!(loaded.dump_state(), original.dump_state());

    // In memory too.
    let mut again = MultiHop::new();
    again.load_from_str(&original.save_to_string()).unwrap();
    assert_eq!(again.dump_state(), original.dump_state());
}

#[test]
fn an_lm_for_the_saved_model_keeps_the_saved_settings() {
    let mut mh = MultiHop::new();
    mh.load(dspy_written("multi_hop")).unwrap();
    mh.rewrite.predictor_mut().lm = Some(gpt_4o_mini());
    let mut want = read_json(&dspy_written("multi_hop"))["rewrite"]["lm"].clone();
    want.as_object_mut().unwrap().remove("api_base");
    assert_eq!(mh.dump_state()["rewrite"]["lm"], want);

    // Another model replaces them.
    mh.rewrite.predictor_mut().lm = Some(Arc::new(MockLm::new(Vec::<String>::new()).with_model_name("local/llama")));
    assert_eq!(mh.dump_state()["rewrite"]["lm"], json!({"model": "local/llama"}));
}

#[test]
fn custom_field_meta_round_trips() {
    let mut c = configured_typed();
    c.classify.predictor_mut().set_instructions("Be careful.");
    c.classify.predictor_mut().set_field_meta("citation", Some("Source:".into()), "where it comes from");
    let text = c.save_to_string();
    let mut d = Classifier { classify: Predict::new() };
    d.load_from_slice(text.as_bytes()).unwrap();
    assert_eq!(d.classify.predictor().instructions(), "Be careful.");
    let citation = d.classify.predictor().signature().field("citation").unwrap().clone();
    assert_eq!(
        citation,
        FieldDesc { prefix: Some("Source:".into()), desc: "where it comes from".into(), ..citation.clone() }
    );
    assert_eq!(d.dump_state(), c.dump_state());
}

// --- errors ---------------------------------------------------------------------------------

fn multi_hop_state() -> Value {
    configured_multi_hop().dump_state()
}

#[test]
fn missing_predictor_names_it_and_lists_the_sections() {
    let mut state = multi_hop_state();
    state.as_object_mut().unwrap().remove("hops[1]");
    let err = MultiHop::new().load_state(&state).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot load state at `hops[1]`: the state has no section for this predictor (it has: \
         `generate_answer.predict`, `rewrite`, `hops[0]`, `inner.summarize`)"
    );

    let err = MultiHop::new().load(dspy_written("qa")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot load state at `generate_answer.predict`: the state has no section for this predictor: it is the \
         flat state of a single predictor (saved from a bare `Predict`)"
    );

    let err = Predict::<QA>::new().load(dspy_written("multi_hop")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot load state at `self`: the state has no section for this predictor (it has: \
         `generate_answer.predict`, `rewrite`, `hops[0]`, `hops[1]`, `inner.summarize`)"
    );
}

#[test]
fn wrong_field_count_says_where() {
    let mut state = multi_hop_state();
    state["generate_answer.predict"]["signature"]["fields"].as_array_mut().unwrap().pop();
    let err = MultiHop::new().load_state(&state).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot load state at `generate_answer.predict.signature.fields`: expected 4 fields, found 3 \
         (the program's signature has context, question, reasoning, answer)"
    );
}

#[test]
fn malformed_sections_say_where() {
    type Edit = fn(&mut Value);
    let cases: [(Edit, &str, &str); 9] = [
        (
            |s| s["hops[0]"]["demos"] = json!([{"question": "q"}, {"question": "r"}, "oops"]),
            "hops[0].demos[2]",
            "expected an object, found a string",
        ),
        (|s| s["hops[0]"]["demos"] = json!({}), "hops[0].demos", "expected an array, found an object"),
        (|s| s["rewrite"] = json!([]), "rewrite", "expected an object, found an array"),
        (
            |s| s["rewrite"]["signature"]["instructions"] = json!(3),
            "rewrite.signature.instructions",
            "expected a string, found a number",
        ),
        (
            |s| {
                s["rewrite"].as_object_mut().unwrap().remove("signature");
            },
            "rewrite.signature",
            "expected an object, found null (or nothing)",
        ),
        (
            |s| s["inner.summarize"]["signature"]["fields"][1] = json!({"prefix": "Summary:"}),
            "inner.summarize.signature.fields[1].description",
            "expected a string, found null (or nothing)",
        ),
        (|s| s["rewrite"]["lm"] = json!("gpt-4o"), "rewrite.lm", "expected an object or null, found a string"),
        (|s| s["cognate"]["variables"]["max_hops"] = json!(9), "cognate.variables.max_hops", ""),
        (
            |s| {
                s["cognate"]["variables"].as_object_mut().unwrap().remove("style");
            },
            "cognate.variables.style",
            "the state has no value for this variable (it has: `max_hops`)",
        ),
    ];
    for (edit, want_path, want_reason) in cases {
        let mut state = multi_hop_state();
        edit(&mut state);
        let (path, reason) = state_error(MultiHop::new().load_state(&state).unwrap_err());
        assert_eq!(path, want_path);
        if want_reason.is_empty() {
            assert!(reason.contains("9 is outside"), "{reason}");
        } else {
            assert_eq!(reason, want_reason, "at {path}");
        }
    }
}

#[test]
fn bad_json_and_unreadable_files_are_typed() {
    let (path, reason) = state_error(MultiHop::new().load_from_str("{\n  \"rewrite\": {,\n}").unwrap_err());
    assert_eq!(path, "line 2, column 15");
    assert_eq!(reason, "invalid JSON: key must be a string");

    let (path, reason) = state_error(MultiHop::new().load_from_str("[1, 2]").unwrap_err());
    assert_eq!((path.as_str(), reason.as_str()), ("(top level)", "expected a JSON object, found an array"));

    let missing = temp_file("does-not-exist");
    match MultiHop::new().load(&missing).unwrap_err() {
        Error::Io { action, path, source } => {
            assert_eq!(action, "cannot read state from");
            assert_eq!(path, missing);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected Error::Io, got {other:?}"),
    }
}

#[test]
fn extra_sections_are_ignored_like_dspy_does() {
    let mut state = multi_hop_state();
    state["old_module.predict"] = json!({"anything": true});
    state["metadata"] = json!({"dependency_versions": {"python": "3.12", "dspy": "9.9"}});
    let mut mh = MultiHop::new();
    mh.load_state(&state).unwrap();
    assert_eq!(mh.max_hops.get(), 3);
}

#[test]
fn failed_loads_change_nothing() {
    let fresh = || {
        let mut mh = MultiHop::new();
        mh.generate_answer.predictor_mut().set_instructions("keep me");
        mh.hops[1].predictor_mut().demos = vec![demo(json!({"question": "keep"}))];
        mh
    };
    let before = fresh().dump_state();
    // Good sections before a bad one, in predictor order and in variable order.
    let bad: [fn(&mut Value); 3] = [
        |s| s["inner.summarize"]["demos"] = json!([1]),
        |s| s["cognate"]["variables"]["style"] = json!("shouty"),
        |s| s["inner.summarize"]["signature"]["fields"] = json!([]),
    ];
    for edit in bad {
        let mut state = multi_hop_state();
        edit(&mut state);
        let mut mh = fresh();
        mh.load_state(&state).unwrap_err();
        assert_eq!(mh.dump_state(), before);
        assert_eq!((mh.max_hops.get(), mh.style.get()), (2, "terse".to_string()));
    }
}
