//! Applying a configuration to a program, atomically.

use std::sync::Arc;

use crate::Result;
use cognate_adapters::{Adapter, ChatAdapter, JsonAdapter, XmlAdapter};
use cognate_core::Example;
use serde_json::Value;

use super::ops::variable;
use super::{Builtin, SearchSpace, Source};
use crate::predictor::Predictor;
use crate::program::{Component, VisitorMut};
use crate::variable::{Configuration, DynVariable};

/// What [`SearchSpace::apply`] will do to one predictor, checked before anything changes.
enum Change {
    Instructions(String),
    Demos(Vec<Example>),
    Lm(usize),
    Adapter(Arc<dyn Adapter>),
    Temperature(f32),
}

impl SearchSpace {
    /// Validates `config` (see [`validate`](Self::validate)), then sets every variable it
    /// names on `program`: declared variables, derived values, and the predictors' built-in
    /// variables (instructions, demos, the registered LM by name, the adapter by name,
    /// `config.temperature`). Atomic: if anything is wrong — including a value that fits
    /// the domain but not the variable's Rust type, or a variable of the space the program
    /// does not have — nothing changes. Frozen variables are left as they are.
    ///
    /// # Errors
    /// [`Error::Variable`](crate::Error::Variable) naming the offending variable.
    pub fn apply<C: Component + ?Sized>(&self, config: &Configuration, program: &mut C) -> Result<()> {
        let completed = self.complete(config)?;

        struct Collect<'a> {
            variables: Vec<(String, &'a mut dyn DynVariable)>,
            predictors: Vec<(String, &'a mut Predictor)>,
        }
        impl<'a> VisitorMut<'a> for Collect<'a> {
            fn predictor(&mut self, path: &str, predictor: &'a mut Predictor) {
                self.predictors.push((path.to_string(), predictor));
            }
            fn variable(&mut self, path: &str, variable: &'a mut dyn DynVariable) {
                self.variables.push((path.to_string(), variable));
            }
        }
        let mut parts = Collect { variables: Vec::new(), predictors: Vec::new() };
        program.visit_mut("", &mut parts);

        // Check every change first.
        let mut variable_changes: Vec<(usize, Value)> = Vec::new();
        let mut predictor_changes: Vec<(usize, Change)> = Vec::new();
        for (name, value) in completed.iter() {
            let dim = self.dims.iter().find(|d| &d.name == name).ok_or_else(|| variable(name, "unknown variable"))?;
            match &dim.source {
                Source::Declared { .. } => {
                    let index = parts
                        .variables
                        .iter()
                        .position(|(p, _)| p == name)
                        .ok_or_else(|| variable(name, "the program has no such variable"))?;
                    parts.variables[index].1.check_json(name, value)?;
                    variable_changes.push((index, value.clone()));
                }
                Source::Builtin { predictor, kind } => {
                    let index = parts
                        .predictors
                        .iter()
                        .position(|(p, _)| p == predictor)
                        .ok_or_else(|| variable(name, format!("the program has no predictor `{predictor}`")))?;
                    predictor_changes.push((index, self.change(name, *kind, value)?));
                }
            }
        }

        // Then make them; none of these can fail.
        for (index, value) in variable_changes {
            let (name, var) = &mut parts.variables[index];
            var.set_json(value).map_err(|e| variable(name, format!("unexpected failure after validation: {e}")))?;
        }
        for (index, change) in predictor_changes {
            let predictor = &mut *parts.predictors[index].1;
            match change {
                Change::Instructions(text) => predictor.set_instructions(text),
                Change::Demos(demos) => predictor.demos = demos,
                Change::Lm(i) => predictor.lm = Some(self.lms[i].1.clone()),
                Change::Adapter(adapter) => predictor.adapter = Some(adapter),
                Change::Temperature(t) => predictor.config.temperature = Some(t),
            }
        }
        Ok(())
    }

    fn change(&self, name: &str, kind: Builtin, value: &Value) -> Result<Change> {
        Ok(match kind {
            Builtin::Instructions => {
                Change::Instructions(value.as_str().ok_or_else(|| variable(name, "expected a string"))?.to_string())
            }
            Builtin::Demos => Change::Demos(
                serde_json::from_value(value.clone()).map_err(|e| variable(name, format!("bad demos: {e}")))?,
            ),
            Builtin::Lm => {
                let wanted = value.as_str().unwrap_or_default();
                Change::Lm(
                    self.lms
                        .iter()
                        .position(|(n, _)| n == wanted)
                        .ok_or_else(|| variable(name, format!("no registered LM {value}")))?,
                )
            }
            Builtin::Adapter => Change::Adapter(match value.as_str() {
                Some("ChatAdapter") => Arc::new(ChatAdapter),
                Some("JSONAdapter") => Arc::new(JsonAdapter),
                Some("XMLAdapter") => Arc::new(XmlAdapter),
                _ => return Err(variable(name, format!("unknown adapter {value}"))),
            }),
            Builtin::Temperature => {
                Change::Temperature(value.as_f64().ok_or_else(|| variable(name, "expected a number"))? as f32)
            }
        })
    }

    /// Computes every derived variable of `program` from the current values of its other
    /// variables and stores it (what `apply` does for a configuration).
    ///
    /// # Errors
    /// If a derived variable cannot be computed.
    pub fn refresh_derived<C: Component + ?Sized>(program: &mut C) -> Result<()> {
        let space = SearchSpace::of(&*program).only(Vec::<String>::new());
        // Every variable is frozen at its current value, so `derive` reads them all.
        let (_, scratch) = space.derive(&Configuration::new())?;
        struct Set<'c> {
            derived: Vec<&'c str>,
            scratch: &'c Configuration,
            error: Option<crate::Error>,
        }
        impl<'a> VisitorMut<'a> for Set<'_> {
            fn variable(&mut self, path: &str, variable: &'a mut dyn DynVariable) {
                if self.derived.contains(&path) {
                    if let Err(e) = variable.set_json(self.scratch[path].clone()) {
                        self.error.get_or_insert(e);
                    }
                }
            }
        }
        let derived: Vec<&str> = space.dims.iter().filter(|d| d.deriver().is_some()).map(|d| d.name.as_str()).collect();
        let mut set = Set { derived, scratch: &scratch, error: None };
        program.visit_mut("", &mut set);
        set.error.map_or(Ok(()), Err)
    }
}
