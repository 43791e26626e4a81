//! [`Describe`]: a program's structure as serde data — sub-programs, predictors with their
//! signatures, variables with their domains — and its rendering as a Mermaid flowchart.

use std::collections::HashMap;

use cognate_core::FieldDesc;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::component::{Component, Visitor};
use crate::predictor::Predictor;
use crate::variable::{Domain, DynVariable};

/// The structure of a program, from [`Describe::describe`].
///
/// Paths are DSPy's (`sub.generate_answer.predict`, `hops[0].predict`); each part names the
/// path of the program it belongs to in `program` (`""` is the described program itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramDescription {
    /// The described program's type name (`MultiHop`).
    pub type_name: String,
    /// Every sub-program, outermost first.
    pub programs: Vec<SubProgramDescription>,
    /// Every predictor, in field order.
    pub predictors: Vec<PredictorDescription>,
    /// Every declared variable, in field order.
    pub variables: Vec<VariableDescription>,
}

/// A program inside the described one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubProgramDescription {
    /// Its path (`sub`, `hops[1]`).
    pub path: String,
    /// Its type name.
    pub type_name: String,
    /// The path of the program holding it (`""` for the described program).
    pub program: String,
}

/// A predictor and its signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictorDescription {
    /// Its path (`generate_answer.predict`).
    pub path: String,
    /// The path of the program holding it.
    pub program: String,
    /// The signature's name (`QA`).
    pub signature: String,
    /// The current instructions.
    pub instructions: String,
    /// The input fields.
    pub inputs: Vec<FieldDescription>,
    /// The output fields (for `ChainOfThought`, `reasoning` first).
    pub outputs: Vec<FieldDescription>,
    /// How many demos it holds.
    pub demos: usize,
}

/// A signature field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDescription {
    /// The name prompts use.
    pub name: String,
    /// The type as DSPy spells it (`str`, `list[int]`, `Literal['a', 'b']`).
    #[serde(rename = "type")]
    pub ty: String,
    /// The description (empty when none).
    pub desc: String,
}

impl From<&FieldDesc> for FieldDescription {
    fn from(field: &FieldDesc) -> Self {
        FieldDescription { name: field.name.clone(), ty: field.ty.python_name(), desc: field.desc.clone() }
    }
}

/// A declared variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariableDescription {
    /// Its path (`hops`, `sub.strategy`).
    pub path: String,
    /// The path of the program holding it.
    pub program: String,
    /// The values it may take.
    pub domain: Domain,
    /// Its current value.
    pub value: Value,
}

/// A JSON value as a diagram shows it: strings without quotes.
fn short_json(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A domain as a diagram shows it: `float [0.1, 1] log`, `int [1, 5] step 1`, `choice {a, b}`.
fn domain_label(domain: &Domain) -> String {
    let list = |items: Vec<String>| items.join(", ");
    match domain {
        Domain::Float { low, high, log } => format!("float [{low}, {high}]{}", if *log { " log" } else { "" }),
        Domain::Int { low, high, step } => format!("int [{low}, {high}] step {step}"),
        Domain::Bool => "bool".into(),
        Domain::Choice { options } => format!("choice {{{}}}", list(options.iter().map(short_json).collect())),
        Domain::Module { options } => format!("module {{{}}}", list(options.clone())),
        Domain::Text { candidates } => format!("text ({} candidates)", candidates.len()),
        Domain::DemoSet { max, .. } => format!("demos (at most {max})"),
        Domain::Derived => "derived".into(),
    }
}

/// Describes any [`Component`]; `#[program]` structs are the usual ones.
pub trait Describe: Component {
    /// The structure: sub-programs, predictors and variables, with paths.
    fn describe(&self) -> ProgramDescription {
        let mut collect =
            Collect { root: None, stack: Vec::new(), out: Vec::new(), predictors: Vec::new(), vars: Vec::new() };
        self.visit("", &mut collect);
        ProgramDescription {
            type_name: collect.root.unwrap_or_else(|| short_type_name(std::any::type_name::<Self>())),
            programs: collect.out,
            predictors: collect.predictors,
            variables: collect.vars,
        }
    }

    /// The structure as a Mermaid flowchart (see [`ProgramDescription::to_mermaid`]).
    fn to_mermaid(&self) -> String {
        self.describe().to_mermaid()
    }
}

impl<T: Component + ?Sized> Describe for T {}

/// `Predict<QA>` for `cognate_runtime::predict::Predict<my::QA>`.
fn short_type_name(full: &str) -> String {
    let mut out = String::new();
    let mut segment = String::new();
    for c in full.chars() {
        match c {
            ':' => segment.clear(),
            '<' | '>' | ',' | ' ' | '[' | ']' | ';' | '&' | '(' | ')' => {
                out.push_str(&segment);
                segment.clear();
                out.push(c);
            }
            c => segment.push(c),
        }
    }
    out.push_str(&segment);
    out
}

struct Collect {
    root: Option<String>,
    stack: Vec<String>,
    out: Vec<SubProgramDescription>,
    predictors: Vec<PredictorDescription>,
    vars: Vec<VariableDescription>,
}

impl Collect {
    fn program(&self) -> String {
        self.stack.last().cloned().unwrap_or_default()
    }
}

impl<'a> Visitor<'a> for Collect {
    fn predictor(&mut self, path: &str, predictor: &'a Predictor) {
        let signature = predictor.signature();
        self.predictors.push(PredictorDescription {
            path: path.to_string(),
            program: self.program(),
            signature: signature.name.clone(),
            instructions: signature.instructions.clone(),
            inputs: signature.inputs.iter().map(FieldDescription::from).collect(),
            outputs: signature.outputs.iter().map(FieldDescription::from).collect(),
            demos: predictor.demos.len(),
        });
    }

    fn variable(&mut self, path: &str, variable: &'a dyn DynVariable) {
        self.vars.push(VariableDescription {
            path: path.to_string(),
            program: self.program(),
            domain: variable.domain().clone(),
            value: variable.value_json(),
        });
    }

    fn enter(&mut self, path: &str, type_name: &'static str) {
        if path.is_empty() && self.root.is_none() && self.stack.is_empty() {
            self.root = Some(type_name.to_string());
        } else {
            self.out.push(SubProgramDescription {
                path: path.to_string(),
                type_name: type_name.to_string(),
                program: self.program(),
            });
        }
        self.stack.push(path.to_string());
    }

    fn exit(&mut self, _path: &str) {
        self.stack.pop();
    }
}

impl ProgramDescription {
    /// A Mermaid flowchart: the program, its sub-programs (`[[...]]`) and predictors
    /// (`["path<br/>Signature: inputs → outputs"]`) linked by solid arrows, and its variables
    /// as hexagons (`{{"path<br/>domain = value"}}`) linked by dotted lines. Labels are quoted
    /// and escaped (`"`, `#`, `<`, `>`, `&` and backticks as Mermaid entity codes), so any
    /// name or value renders as text.
    pub fn to_mermaid(&self) -> String {
        use std::fmt::Write as _;

        let mut out = String::from("flowchart TD\n");
        let mut ids: HashMap<&str, String> = HashMap::new();
        ids.insert("", "program".to_string());
        // Writing to a `String` cannot fail.
        let _ = writeln!(out, "    program[[\"{}\"]]", escape(&self.type_name));
        for (i, sub) in self.programs.iter().enumerate() {
            let id = format!("program{}", i + 1);
            let _ = writeln!(out, "    {id}[[\"{}<br/>{}\"]]", escape(&sub.path), escape(&sub.type_name));
            let _ = writeln!(out, "    {} --> {id}", parent_id(&ids, &sub.program));
            ids.insert(&sub.path, id);
        }
        for (i, p) in self.predictors.iter().enumerate() {
            let names =
                |fields: &[FieldDescription]| fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ");
            let mut label = format!(
                "{}<br/>{}: {} → {}",
                escape(&p.path),
                escape(&p.signature),
                escape(&names(&p.inputs)),
                escape(&names(&p.outputs))
            );
            if p.demos > 0 {
                let _ = write!(label, "<br/>{} demo{}", p.demos, if p.demos == 1 { "" } else { "s" });
            }
            let _ = writeln!(out, "    predictor{i}[\"{label}\"]");
            let _ = writeln!(out, "    {} --> predictor{i}", parent_id(&ids, &p.program));
        }
        for (i, v) in self.variables.iter().enumerate() {
            let _ = writeln!(
                out,
                "    variable{i}{{{{\"{}<br/>{} = {}\"}}}}",
                escape(&v.path),
                escape(&domain_label(&v.domain)),
                escape(&short_json(&v.value))
            );
            let _ = writeln!(out, "    {} -.- variable{i}", parent_id(&ids, &v.program));
        }
        out
    }
}

fn parent_id(ids: &HashMap<&str, String>, program: &str) -> String {
    ids.get(program).cloned().unwrap_or_else(|| "program".to_string())
}

/// Escapes text for a quoted Mermaid label.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[path = "describe_tests.rs"]
mod tests;
