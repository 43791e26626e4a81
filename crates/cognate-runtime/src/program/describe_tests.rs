use cognate_core::{Example, SignatureDesc};
use serde_json::json;

use super::*;
use crate::program::component::{VisitorMut, child_path};

/// A variable for these tests (the real ones come from `variable!`).
#[derive(Debug, Clone)]
struct Knob {
    domain: Domain,
    value: Value,
}

impl DynVariable for Knob {
    fn domain(&self) -> &Domain {
        &self.domain
    }
    fn value_json(&self) -> Value {
        self.value.clone()
    }
    fn default_json(&self) -> Value {
        self.value.clone()
    }
    fn set_json(&mut self, value: Value) -> crate::Result<()> {
        self.value = value;
        Ok(())
    }
}

impl Component for Knob {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        visitor.variable(path, self);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        visitor.variable(path, self);
    }
}

/// What `#[program] struct Inner { answer: Predictor }` generates.
struct Inner {
    answer: Predictor,
}

impl Component for Inner {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        visitor.enter(path, "Inner");
        self.answer.visit(&child_path(path, "answer"), visitor);
        visitor.exit(path);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        self.answer.visit_mut(&child_path(path, "answer"), visitor);
    }
}

struct Outer {
    query: Predictor,
    subs: Vec<Inner>,
    style: Knob,
}

impl Component for Outer {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        visitor.enter(path, "Outer");
        self.query.visit(&child_path(path, "query"), visitor);
        self.subs.visit(&child_path(path, "subs"), visitor);
        self.style.visit(&child_path(path, "style"), visitor);
        visitor.exit(path);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        self.query.visit_mut(&child_path(path, "query"), visitor);
        self.subs.visit_mut(&child_path(path, "subs"), visitor);
        self.style.visit_mut(&child_path(path, "style"), visitor);
    }
}

fn outer() -> Outer {
    let sig = |s: &str| SignatureDesc::parse(s).unwrap();
    let mut query = Predictor::new(sig("question -> query").with_instructions("Write a \"search\" query."));
    query.demos.push(Example::new(json!({"question": "q", "query": "x"}).as_object().unwrap().clone()));
    Outer {
        query,
        subs: vec![Inner { answer: Predictor::new(sig("context: list[str], question -> answer: int")) }],
        style: Knob { domain: Domain::Choice { options: vec![json!("terse"), json!("<b>")] }, value: json!("terse") },
    }
}

#[test]
fn describes_programs_predictors_and_variables_with_paths() {
    let d = outer().describe();
    assert_eq!(d.type_name, "Outer");
    assert_eq!(
        d.programs,
        [SubProgramDescription { path: "subs[0]".into(), type_name: "Inner".into(), program: String::new() }]
    );
    let paths: Vec<_> = d.predictors.iter().map(|p| (p.path.as_str(), p.program.as_str())).collect();
    assert_eq!(paths, [("query", ""), ("subs[0].answer", "subs[0]")]);
    let answer = &d.predictors[1];
    assert_eq!(answer.signature, "StringSignature");
    assert_eq!(
        answer.inputs[0],
        FieldDescription { name: "context".into(), ty: "list[str]".into(), desc: String::new() }
    );
    assert_eq!(answer.outputs[0].ty, "int");
    assert_eq!((d.predictors[0].demos, answer.demos), (1, 0));
    assert_eq!(d.variables[0].path, "style");
    assert_eq!(d.variables[0].value, json!("terse"));
}

#[test]
fn descriptions_serialize_with_domain_kinds_and_dspy_types() {
    let value = serde_json::to_value(outer().describe()).unwrap();
    assert_eq!(value["variables"][0]["domain"], json!({"kind": "choice", "options": ["terse", "<b>"]}));
    assert_eq!(value["predictors"][1]["inputs"][0]["type"], json!("list[str]"));
    let back: ProgramDescription = serde_json::from_value(value).unwrap();
    assert_eq!(back, outer().describe());
}

#[test]
fn mermaid_snapshot() {
    let expected = r#"flowchart TD
    program[["Outer"]]
    program1[["subs[0]<br/>Inner"]]
    program --> program1
    predictor0["query<br/>StringSignature: question → query<br/>1 demo"]
    program --> predictor0
    predictor1["subs[0].answer<br/>StringSignature: context, question → answer"]
    program1 --> predictor1
    variable0{{"style<br/>choice {terse, #lt;b#gt;} = terse"}}
    program -.- variable0
"#;
    assert_eq!(outer().to_mermaid(), expected);
}

#[test]
fn labels_are_escaped() {
    assert_eq!(escape(r#"a "b" #1 <i> & `c`"#), "a #quot;b#quot; #35;1 #lt;i#gt; #amp; #96;c#96;");
    assert_eq!(escape("two\nlines"), "two lines");
}

#[test]
fn domains_have_short_labels() {
    let label = |d: Domain| domain_label(&d);
    assert_eq!(label(Domain::Float { low: 0.1, high: 1.0, log: true }), "float [0.1, 1] log");
    assert_eq!(label(Domain::Int { low: 1, high: 5, step: 2 }), "int [1, 5] step 2");
    assert_eq!(label(Domain::Bool), "bool");
    assert_eq!(label(Domain::Module { options: vec!["predict".into(), "cot".into()] }), "module {predict, cot}");
    assert_eq!(label(Domain::Text { candidates: vec!["a".into()] }), "text (1 candidates)");
    assert_eq!(label(Domain::DemoSet { max: 4, candidates: Vec::new() }), "demos (at most 4)");
    assert_eq!(label(Domain::Derived), "derived");
}

#[test]
fn a_bare_predictor_is_described_under_its_type_name() {
    let p = Predictor::new(SignatureDesc::parse("a -> b").unwrap());
    let d = p.describe();
    assert_eq!(d.type_name, "Predictor");
    assert_eq!(d.predictors[0].path, "self");
    assert_eq!(short_type_name("cognate_runtime::predict::Predict<my::QA>"), "Predict<QA>");
}
