//! Saved program state in DSPy's JSON layout: [`SaveState`] (`save` / `load` and in-memory
//! twins) for every [`Component`].
//!
//! A state file holds one section per predictor, keyed by its DSPy path, exactly as DSPy
//! 3.4.1's `program.save("x.json")` writes it, then Cognate's own section and DSPy's metadata:
//!
//! ```json
//! {
//!   "generate_answer.predict": {
//!     "traces": [], "train": [],
//!     "demos": [{"question": "...", "answer": "...", "augmented": true}],
//!     "signature": {"instructions": "...", "fields": [{"prefix": "Question:", "description": "${question}"}]},
//!     "lm": null
//!   },
//!   "cognate": {"variables": {"hops": 2}},
//!   "metadata": {"dependency_versions": {"dspy": "3.4.1"}, "cognate": {"version": "0.1.0"}}
//! }
//! ```
//!
//! Files written by DSPy load here and files written here load into DSPy (DSPy reads only
//! its predictors' sections and `metadata.dependency_versions`). `docs/saved-state.md`
//! describes the format, what is kept and dropped, and how LMs are handled.

use std::path::Path;

use crate::{Error, Result};
use cognate_core::{Example, FieldDesc, SignatureDesc, infer_prefix};
use serde_json::{Map, Value, json};

use crate::predictor::Predictor;
use crate::program::component::{Component, ComponentExt};
use crate::program::value_check::check_value;
use crate::variable::Domain;

/// The top-level key of Cognate's own section (variable values). DSPy ignores it.
pub const COGNATE_KEY: &str = "cognate";
/// The top-level key of the metadata section, as DSPy names it.
pub const METADATA_KEY: &str = "metadata";
/// The DSPy release whose layout is read and written, recorded in `metadata.dependency_versions`.
pub const DSPY_FORMAT_VERSION: &str = "3.4.1";
/// Keys of a saved `lm` dict that are never loaded: endpoints (as DSPy's loader drops them
/// unless told otherwise) and credentials.
pub const UNSAFE_LM_KEYS: &[&str] = &["api_base", "base_url", "model_list", "api_key"];

/// The path reported for problems with the document as a whole.
const ROOT: &str = "(top level)";
/// The path of a predictor that is the whole program (DSPy's name for it).
const ROOT_PREDICTOR: &str = "self";

/// Saving and loading a program's learnable state. Implemented for every [`Component`].
///
/// Saved: each predictor's instructions, field prefixes and descriptions, demos and LM
/// settings (in DSPy's layout), and each declared variable's value (in Cognate's section).
/// Not saved: call options, adapters, and anything that is not a predictor or a variable.
pub trait SaveState: Component {
    /// The state as JSON: one section per predictor, then Cognate's section. This is what
    /// [`SaveState::save`] writes, minus the `metadata` section.
    ///
    /// A program that is a single predictor (a bare `Predict`, path `self`) is written flat,
    /// its section's keys at the top level, as DSPy writes a bare `dspy.Predict`; Cognate's
    /// section is then left out unless there are variables.
    fn dump_state(&self) -> Value {
        let predictors = self.named_predictors();
        let variables: Map<String, Value> =
            self.named_variables().into_iter().map(|(path, var)| (path, var.value_json())).collect();
        let mut state = Map::new();
        match predictors.as_slice() {
            [(path, predictor)] if path == ROOT_PREDICTOR => {
                if let Value::Object(section) = dump_predictor(predictor) {
                    state = section;
                }
                if variables.is_empty() {
                    return Value::Object(state);
                }
            }
            _ => {
                for (path, predictor) in predictors {
                    state.insert(path, dump_predictor(predictor));
                }
            }
        }
        state.insert(COGNATE_KEY.into(), json!({ "variables": variables }));
        Value::Object(state)
    }

    /// The file contents [`SaveState::save`] writes: [`SaveState::dump_state`] plus the
    /// `metadata` section, indented by two spaces with a final newline, as DSPy writes it.
    fn save_to_string(&self) -> String {
        let mut state = self.dump_state();
        if let Value::Object(map) = &mut state {
            map.insert(METADATA_KEY.into(), metadata());
        }
        let mut text = serde_json::to_string_pretty(&state).expect("a JSON value always serializes");
        text.push('\n');
        text
    }

    /// Writes the state to `path` (DSPy uses a `.json` name; any name works here).
    ///
    /// The write is atomic ([`crate::fs::write_atomic`]): should the process die or the disk
    /// fill up meanwhile, `path` keeps its previous content.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be written; `path` is then unchanged.
    fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        crate::fs::write_atomic(path, self.save_to_string()).map_err(|source| Error::Io {
            action: "cannot write state to",
            path: path.to_path_buf(),
            source,
        })
    }

    /// Loads a state (as [`SaveState::dump_state`] or DSPy's `dump_state` returns it, with or
    /// without `metadata`).
    ///
    /// Every predictor of the program must have its section with as many fields as its
    /// signature; sections for predictors the program does not have are ignored, as DSPy
    /// ignores them. Variable values are loaded when the state has Cognate's section (a DSPy
    /// file has none, so variables keep their values).
    ///
    /// Loading is atomic: everything is checked before anything changes, and on an error the
    /// program is left as it was.
    ///
    /// # Errors
    /// [`Error::State`] naming where the state does not fit: a missing predictor section (with
    /// the sections present), a wrong field count, a demo that is not an object, a demo value
    /// that does not fit its field's type (`hops[0].demos[2].answer`), a value of the wrong
    /// JSON type, or a variable value outside its domain.
    fn load_state(&mut self, state: &Value) -> Result<()> {
        let Value::Object(state) = state else {
            return Err(Error::State {
                path: ROOT.into(),
                reason: format!("expected a JSON object, found {}", kind(state)),
            });
        };
        let plans = self
            .named_predictors()
            .into_iter()
            .map(|(path, predictor)| plan_predictor(state, &path, predictor))
            .collect::<Result<Vec<_>>>()?;
        let variables = {
            let vars = self.named_variables();
            let values = plan_variables(state, vars.iter().map(|(p, v)| (p.as_str(), v.domain())))?;
            if let Some(values) = &values {
                for ((path, var), value) in vars.iter().zip(values) {
                    if let Some(value) = value {
                        var.check_json(path, value).map_err(|e| variable_error(path, e))?;
                    }
                }
            }
            values
        };

        if let Some(values) = variables {
            let mut vars = self.named_variables_mut();
            let mut previous: Vec<Option<Value>> = Vec::with_capacity(vars.len());
            for (i, value) in values.into_iter().enumerate() {
                let Some(value) = value else {
                    previous.push(None);
                    continue;
                };
                previous.push(Some(vars[i].1.value_json()));
                if let Err(err) = vars[i].1.set_json(value) {
                    // Checked above, so only a variable whose `check_json` is looser than its
                    // `set_json` gets here: put back the ones already set, newest first.
                    for (j, old) in previous.into_iter().enumerate().take(i).rev() {
                        if let Some(old) = old {
                            let _ = vars[j].1.set_json(old);
                        }
                    }
                    return Err(variable_error(&vars[i].0, err));
                }
            }
        }
        for ((path, predictor), plan) in self.named_predictors_mut().into_iter().zip(plans) {
            plan.apply(&path, predictor);
        }
        Ok(())
    }

    /// Loads a state from JSON text. See [`SaveState::load_state`].
    ///
    /// # Errors
    /// [`Error::State`] for invalid JSON (at `line L, column C`), including a key repeated
    /// within one object and nesting deeper than [`crate::json::MAX_DEPTH`] levels, or a
    /// state that does not fit.
    fn load_from_str(&mut self, json: &str) -> Result<()> {
        self.load_from_slice(json.as_bytes())
    }

    /// Loads a state from JSON bytes. See [`SaveState::load_state`].
    ///
    /// # Errors
    /// As [`SaveState::load_from_str`].
    fn load_from_slice(&mut self, json: &[u8]) -> Result<()> {
        self.load_state(&parse_json(json)?)
    }

    /// Loads the state saved at `path` by [`SaveState::save`] or by DSPy's `program.save`.
    /// See [`SaveState::load_state`].
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read; otherwise as [`SaveState::load_from_str`].
    fn load(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            action: "cannot read state from",
            path: path.to_path_buf(),
            source,
        })?;
        self.load_from_slice(&bytes)
    }
}

impl<T: Component + ?Sized> SaveState for T {}

/// DSPy's `metadata` section plus Cognate's version. DSPy compares each entry of
/// `dependency_versions` with its own and only warns on a mismatch; Python and cloudpickle
/// versions are left out because Cognate has neither.
fn metadata() -> Value {
    json!({
        "dependency_versions": { "dspy": DSPY_FORMAT_VERSION },
        "cognate": { "version": env!("CARGO_PKG_VERSION") },
    })
}

/// One predictor's section, as DSPy's `Predict.dump_state` writes it.
fn dump_predictor(predictor: &Predictor) -> Value {
    let sig = predictor.signature();
    let fields: Vec<Value> = sig
        .inputs
        .iter()
        .chain(&sig.outputs)
        .map(|f| json!({ "prefix": f.effective_prefix(), "description": dspy_description(f) }))
        .collect();
    let demos: Vec<Value> = predictor.demos.iter().map(|d| Value::Object(d.data.clone())).collect();
    json!({
        "traces": [],
        "train": [],
        "demos": demos,
        "signature": { "instructions": sig.effective_instructions(), "fields": fields },
        "lm": dump_lm(predictor),
    })
}

/// DSPy stores `${name}` as the description of a field declared without one.
fn dspy_description(field: &FieldDesc) -> String {
    if field.desc.is_empty() { format!("${{{}}}", field.name) } else { field.desc.clone() }
}

/// The predictor's own LM as `{"model": name}`, keeping the other settings of a loaded `lm`
/// dict for the same model; else the loaded dict as it was; else `null`.
fn dump_lm(predictor: &Predictor) -> Value {
    match (&predictor.lm, &predictor.saved_lm) {
        (Some(lm), saved) => {
            let model = lm.model_name();
            let mut dict = match saved {
                Some(Value::Object(m)) if m.get("model").and_then(Value::as_str) == Some(model) => m.clone(),
                _ => Map::new(),
            };
            dict.entry("model").or_insert_with(|| Value::String(model.to_string()));
            Value::Object(dict)
        }
        (None, Some(saved)) => saved.clone(),
        (None, None) => Value::Null,
    }
}

/// Everything a predictor's section will change, checked before anything is applied.
struct PredictorPlan {
    instructions: String,
    /// Per field in signature order: name, prefix (`None`: the inferred one), description.
    fields: Vec<(String, Option<String>, String)>,
    /// `None` when the section has no `demos` (they are kept, as DSPy keeps them).
    demos: Option<Vec<Example>>,
    lm: Option<Value>,
    dropped_lm_keys: Vec<String>,
}

impl PredictorPlan {
    fn apply(self, path: &str, predictor: &mut Predictor) {
        predictor.set_instructions(self.instructions);
        for (name, prefix, desc) in self.fields {
            predictor.set_field_meta(&name, prefix, desc);
        }
        if let Some(demos) = self.demos {
            predictor.demos = demos;
        }
        if !self.dropped_lm_keys.is_empty() {
            tracing::warn!(target: "cognate::program", predictor = %path, keys = ?self.dropped_lm_keys,
                "ignoring endpoint and credential keys of a saved LM; configure the LM in code");
        }
        predictor.saved_lm = self.lm;
    }
}

fn plan_predictor(state: &Map<String, Value>, path: &str, predictor: &Predictor) -> Result<PredictorPlan> {
    let err = |at: String, reason: String| Error::State { path: at, reason };
    let flat;
    let section = if path == ROOT_PREDICTOR && !state.contains_key(path) && state.contains_key("signature") {
        // A bare predictor's state is flat (see `SaveState::dump_state`).
        flat = Value::Object(state.clone());
        Some(&flat)
    } else {
        state.get(path)
    };
    let Some(section) = section else {
        if state.contains_key("signature") {
            return Err(err(
                path.into(),
                "the state has no section for this predictor: it is the flat state of a single predictor \
                 (saved from a bare `Predict`)"
                    .into(),
            ));
        }
        let present: Vec<String> =
            state.keys().filter(|k| *k != COGNATE_KEY && *k != METADATA_KEY).map(|k| format!("`{k}`")).collect();
        let present = if present.is_empty() { "none".to_string() } else { present.join(", ") };
        return Err(err(path.into(), format!("the state has no section for this predictor (it has: {present})")));
    };
    let section = expect_object(section, path)?;
    if section.contains_key("extended_signature") {
        return Err(err(
            format!("{path}.extended_signature"),
            "state from DSPy 2.5 or older (`extended_signature`) is not supported; re-save it with DSPy 2.6+".into(),
        ));
    }

    let sig_path = format!("{path}.signature");
    let signature = expect_object(section.get("signature").unwrap_or(&Value::Null), &sig_path)?;
    let instructions_path = format!("{sig_path}.instructions");
    let instructions = expect_str(signature.get("instructions").unwrap_or(&Value::Null), &instructions_path)?;
    let desc = predictor.signature();
    let instructions = if instructions == default_instructions(desc) { String::new() } else { instructions.into() };

    let fields_path = format!("{sig_path}.fields");
    let saved_fields = expect_array(signature.get("fields").unwrap_or(&Value::Null), &fields_path)?;
    let own_fields: Vec<&FieldDesc> = desc.inputs.iter().chain(&desc.outputs).collect();
    if saved_fields.len() != own_fields.len() {
        let names: Vec<&str> = own_fields.iter().map(|f| f.name.as_str()).collect();
        return Err(err(
            fields_path,
            format!(
                "expected {} fields, found {} (the program's signature has {})",
                own_fields.len(),
                saved_fields.len(),
                names.join(", ")
            ),
        ));
    }
    let mut fields = Vec::with_capacity(own_fields.len());
    for (i, (saved, own)) in saved_fields.iter().zip(&own_fields).enumerate() {
        let at = format!("{fields_path}[{i}]");
        let saved = expect_object(saved, &at)?;
        let prefix = expect_str(saved.get("prefix").unwrap_or(&Value::Null), &format!("{at}.prefix"))?;
        let description = expect_str(saved.get("description").unwrap_or(&Value::Null), &format!("{at}.description"))?;
        let prefix = if prefix == infer_prefix(&own.name) { None } else { Some(prefix.to_string()) };
        let description =
            if description == format!("${{{}}}", own.name) { String::new() } else { description.to_string() };
        fields.push((own.name.clone(), prefix, description));
    }

    let demos = match section.get("demos") {
        None => None,
        Some(demos) => {
            let demos_path = format!("{path}.demos");
            let inputs = desc.input_names();
            let demos = expect_array(demos, &demos_path)?
                .iter()
                .enumerate()
                .map(|(i, demo)| {
                    let demo_path = format!("{demos_path}[{i}]");
                    let data = expect_object(demo, &demo_path)?;
                    for field in own_fields.iter().filter(|f| data.contains_key(&f.name)) {
                        check_value(&data[&field.name], &field.ty)
                            .map_err(|(below, reason)| err(format!("{demo_path}.{}{below}", field.name), reason))?;
                    }
                    Ok(Example::new(data.clone()).with_inputs(inputs.iter().cloned()))
                })
                .collect::<Result<Vec<_>>>()?;
            Some(demos)
        }
    };

    let (lm, dropped_lm_keys) = match section.get("lm") {
        None | Some(Value::Null) => (None, Vec::new()),
        Some(Value::Object(dict)) => {
            let mut dict = dict.clone();
            let dropped: Vec<String> =
                UNSAFE_LM_KEYS.iter().filter(|k| dict.remove(**k).is_some()).map(|k| k.to_string()).collect();
            (Some(Value::Object(dict)), dropped)
        }
        Some(other) => {
            return Err(err(format!("{path}.lm"), format!("expected an object or null, found {}", kind(other))));
        }
    };
    if section.get("fields").is_some_and(|f| f.as_object().is_some_and(|m| !m.is_empty())) {
        tracing::warn!(target: "cognate::program", predictor = %path,
            "ignoring DSPy's per-field decision overrides (`fields`), which Cognate does not support");
    }
    Ok(PredictorPlan { instructions, fields, demos, lm, dropped_lm_keys })
}

/// The instructions DSPy and Cognate use when none are given, for `desc`'s fields.
fn default_instructions(desc: &SignatureDesc) -> String {
    SignatureDesc { instructions: String::new(), ..desc.clone() }.effective_instructions()
}

/// The values for the variables at `paths` from Cognate's section, in order; `None` when the
/// state has no Cognate section or no `variables` in it (a DSPy file). A derived variable
/// that is missing or `null` gets `None` (it is computed from the others).
fn plan_variables<'p>(
    state: &Map<String, Value>,
    paths: impl Iterator<Item = (&'p str, &'p Domain)>,
) -> Result<Option<Vec<Option<Value>>>> {
    let Some(section) = state.get(COGNATE_KEY) else { return Ok(None) };
    let section = expect_object(section, COGNATE_KEY)?;
    let Some(variables) = section.get("variables") else { return Ok(None) };
    let at = format!("{COGNATE_KEY}.variables");
    let variables = expect_object(variables, &at)?;
    paths
        .map(|(path, domain)| match (variables.get(path), domain) {
            (None | Some(Value::Null), Domain::Derived) => Ok(None),
            (Some(value), _) => Ok(Some(value.clone())),
            (None, _) => {
                let present: Vec<String> = variables.keys().map(|k| format!("`{k}`")).collect();
                let present = if present.is_empty() { "none".to_string() } else { present.join(", ") };
                Err(Error::State {
                    path: format!("{at}.{path}"),
                    reason: format!("the state has no value for this variable (it has: {present})"),
                })
            }
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// A variable's error as a state error at its place in Cognate's section.
fn variable_error(path: &str, err: Error) -> Error {
    let reason = match err {
        Error::Variable { reason, .. } => reason,
        other => other.to_string(),
    };
    Error::State { path: format!("{COGNATE_KEY}.variables.{path}"), reason }
}

fn parse_json(bytes: &[u8]) -> Result<Value> {
    crate::json::from_slice(bytes).map_err(|e| {
        let full = e.to_string();
        let position = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&position).unwrap_or(&full);
        Error::State {
            path: format!("line {}, column {}", e.line(), e.column()),
            reason: format!("invalid JSON: {message}"),
        }
    })
}

fn expect_object<'v>(value: &'v Value, path: &str) -> Result<&'v Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| Error::State { path: path.into(), reason: format!("expected an object, found {}", kind(value)) })
}

fn expect_array<'v>(value: &'v Value, path: &str) -> Result<&'v Vec<Value>> {
    value
        .as_array()
        .ok_or_else(|| Error::State { path: path.into(), reason: format!("expected an array, found {}", kind(value)) })
}

fn expect_str<'v>(value: &'v Value, path: &str) -> Result<&'v str> {
    value
        .as_str()
        .ok_or_else(|| Error::State { path: path.into(), reason: format!("expected a string, found {}", kind(value)) })
}

/// `null` (also for a missing key), `a string`, ... for error messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null (or nothing)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognate_core::TypeDesc;

    fn predictor() -> Predictor {
        let sig = SignatureDesc::parse("question -> answer").unwrap();
        let mut p = Predictor::new(sig);
        p.set_field_meta("answer", Some("Final Answer:".into()), "short");
        p
    }

    #[test]
    fn dumps_dspy_defaults_and_reads_them_back_as_defaults() {
        let p = predictor();
        let state = p.dump_state();
        assert_eq!(
            state["signature"],
            json!({
                "instructions": "Given the fields `question`, produce the fields `answer`.",
                "fields": [
                    {"prefix": "Question:", "description": "${question}"},
                    {"prefix": "Final Answer:", "description": "short"},
                ]
            })
        );
        let mut q = Predictor::new(SignatureDesc::parse("question -> answer").unwrap());
        q.load_state(&state).unwrap();
        assert_eq!(q.instructions(), "", "the default sentence loads as `no instructions`");
        assert_eq!(q.signature().inputs[0].prefix, None);
        assert_eq!(q.signature().inputs[0].desc, "");
        assert_eq!(
            q.signature().outputs[0],
            FieldDesc::new("answer", TypeDesc::Str).with_prefix("Final Answer:").with_desc("short")
        );
    }

    #[test]
    fn strips_the_position_from_json_errors() {
        let err = predictor().load_from_str("{\n  \"self\": [1,,]\n}").unwrap_err();
        let Error::State { path, reason } = err else { panic!("{err:?}") };
        assert_eq!(path, "line 2, column 14");
        assert!(reason.starts_with("invalid JSON: ") && !reason.contains("line"), "{reason}");
    }

    #[test]
    fn drops_unsafe_lm_keys() {
        let mut p = predictor();
        let mut state = p.dump_state();
        state["lm"] =
            json!({"model": "openai/gpt-4o-mini", "api_base": "http://evil", "api_key": "sk", "temperature": 0.2});
        p.load_state(&state).unwrap();
        assert_eq!(p.saved_lm, Some(json!({"model": "openai/gpt-4o-mini", "temperature": 0.2})));
        assert_eq!(p.dump_state()["lm"], json!({"model": "openai/gpt-4o-mini", "temperature": 0.2}));
    }

    #[test]
    fn a_bare_predictor_is_flat_but_also_loads_from_a_self_section() {
        let p = predictor();
        let flat = p.dump_state();
        assert_eq!(
            flat.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["traces", "train", "demos", "signature", "lm"]
        );
        let mut q = Predictor::new(SignatureDesc::parse("question -> answer").unwrap());
        q.load_state(&json!({ "self": flat })).unwrap();
        assert_eq!(q.signature(), p.signature());
    }

    fn state_error(result: Result<()>) -> (String, String) {
        match result {
            Err(Error::State { path, reason }) => (path, reason),
            other => panic!("expected a state error, got {other:?}"),
        }
    }

    #[test]
    fn duplicate_keys_are_an_error_naming_the_key_and_line() {
        let mut p = predictor();
        let demos = p.dump_state()["demos"].clone();
        let signature = p.dump_state()["signature"].to_string();
        let text =
            format!("{{\n  \"demos\": [],\n  \"signature\": {signature},\n  \"demos\": [{{\"answer\": \"x\"}}]\n}}");
        let (path, reason) = state_error(p.load_from_str(&text));
        assert_eq!((path.as_str(), reason.as_str()), ("line 4, column 9", "invalid JSON: duplicate key `demos`"));
        let nested = text
            .replace("\"demos\": [],", "\"traces\": [],")
            .replace("[{\"answer\": \"x\"}]", "[{\"answer\": \"x\", \"answer\": \"y\"}]");
        let (path, reason) = state_error(p.load_from_str(&nested));
        assert_eq!((path.as_str(), reason.as_str()), ("line 4, column 36", "invalid JSON: duplicate key `answer`"));
        assert_eq!(p.dump_state()["demos"], demos, "nothing was applied");
    }

    #[test]
    fn a_million_levels_of_nesting_is_an_error_naming_the_limit() {
        let mut p = predictor();
        for deep in ["[".repeat(1_000_000), format!("{{\"demos\": [{{\"answer\": {}", "[".repeat(1_000_000))] {
            let (path, reason) = state_error(p.load_from_str(&deep));
            assert_eq!(reason, "invalid JSON: nested deeper than 100 levels (the limit)");
            assert!(path.starts_with("line 1, column "), "{path}");
        }
    }

    #[test]
    fn demo_values_must_fit_their_fields_and_a_bad_one_changes_nothing() {
        let sig = SignatureDesc::parse("question -> answer: int, notes: list[str]").unwrap();
        let mut p = Predictor::new(sig);
        p.demos = vec![Example::default().with("question", "q0").with("answer", 7)];
        let mut state = p.dump_state();
        state["signature"]["instructions"] = json!("new instructions");
        state["demos"] = json!([
            {"question": "q1", "answer": "3", "notes": ["a"], "augmented": true},
            {"question": "q2", "answer": [1, 2]},
        ]);
        let (path, reason) = state_error(p.load_state(&state));
        assert_eq!(path, "demos[1].answer".replace("demos", "self.demos"));
        assert_eq!(reason, "expected a value of type `int`, found an array ([1,2])");
        assert_eq!(p.instructions(), "", "nothing was applied");
        assert_eq!(p.demos.len(), 1);

        state["demos"][1] = json!({"question": "q2", "notes": ["a", 3, {"x": 1}]});
        let (path, _) = state_error(p.load_state(&state));
        assert_eq!(path, "self.demos[1].notes[2]");

        state["demos"][1] = json!({"question": "q2", "answer": 4.0, "notes": []});
        p.load_state(&state).unwrap();
        assert_eq!(p.instructions(), "new instructions");
        assert_eq!(p.demos.len(), 2);
    }
}
