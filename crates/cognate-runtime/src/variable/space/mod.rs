//! [`SearchSpace`]: every variable of a program, declared or built in, and what optimizers
//! do with them (validate, sample, enumerate, apply).

mod apply;
mod grid;
mod ops;
#[cfg(test)]
mod tests;

use crate::{Error, Result};
use cognate_core::{Example, SharedLm};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use grid::Grid;

use super::domain::demos_json;
use super::{Constraint, Deriver, Domain, DynVariable, parent_path};
use crate::predictor::Predictor;
use crate::program::{Component, Visitor, child_path};

/// The adapters an `<predictor>.adapter` variable chooses among, by their DSPy names.
pub(crate) const ADAPTERS: [&str; 3] = ["ChatAdapter", "JSONAdapter", "XMLAdapter"];

/// The built-in variables every predictor contributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    Instructions,
    Demos,
    Lm,
    Adapter,
    Temperature,
}

impl Builtin {
    fn suffix(self) -> &'static str {
        match self {
            Builtin::Instructions => "instructions",
            Builtin::Demos => "demos",
            Builtin::Lm => "lm",
            Builtin::Adapter => "adapter",
            Builtin::Temperature => "temperature",
        }
    }
}

/// Where a dimension's value goes.
#[derive(Clone)]
pub(crate) enum Source {
    /// A declared variable (a `Variable`, a module choice, a `Derived`) at the dimension's path.
    Declared { deriver: Option<Deriver> },
    /// A predictor's built-in variable.
    Builtin { predictor: String, kind: Builtin },
}

/// One variable of the space.
#[derive(Clone)]
pub(crate) struct Dim {
    pub(crate) name: String,
    pub(crate) domain: Domain,
    pub(crate) default: Value,
    /// The value in the program when the space was built (what frozen variables keep).
    pub(crate) current: Value,
    pub(crate) source: Source,
}

impl Dim {
    pub(crate) fn deriver(&self) -> Option<&Deriver> {
        match &self.source {
            Source::Declared { deriver } => deriver.as_ref(),
            Source::Builtin { .. } => None,
        }
    }
}

/// The variables of a program, declared and built in, with its constraints.
///
/// Built with [`SearchSpace::of`]; every predictor at path `p` contributes:
///
/// | variable | domain | default |
/// |---|---|---|
/// | `p.instructions` | [`Domain::Text`], candidates = the current instructions + those added | current |
/// | `p.demos` | [`Domain::DemoSet`] (at most 16, or [`with_max_demos`](Self::with_max_demos)), candidates = the current demos + those added | current |
/// | `p.lm` | choice among the LMs of [`with_lms`](Self::with_lms) by name (only with LMs) | the registered LM the predictor uses, else the first |
/// | `p.adapter` | choice among `ChatAdapter`, `JSONAdapter`, `XMLAdapter` | current, else `ChatAdapter` |
/// | `p.temperature` | float `0.0..=2.0` ([`with_temperature_range`](Self::with_temperature_range)) | current, else 0.0 |
///
/// Optimizers that do not tune some of them freeze them with [`exclude`](Self::exclude) or
/// [`only`](Self::only): frozen variables are not in configurations (a configuration that
/// names one is invalid), are not changed by [`apply`](Self::apply), and keep the value
/// they had when the space was built for derived variables and constraints.
#[derive(Clone)]
pub struct SearchSpace {
    pub(crate) dims: Vec<Dim>,
    /// Constraints with their scope (the path of the struct holding them).
    pub(crate) constraints: Vec<(String, Constraint)>,
    pub(crate) lms: Vec<(String, SharedLm)>,
    predictor_lms: Vec<(String, Option<SharedLm>)>,
    excluded: Vec<String>,
    only: Option<Vec<String>>,
    builtins_frozen: bool,
}

impl SearchSpace {
    /// Gathers the variables and constraints of `program`, in visiting (field) order.
    pub fn of<C: Component + ?Sized>(program: &C) -> Self {
        struct Collect {
            space: SearchSpace,
        }
        impl<'a> Visitor<'a> for Collect {
            fn predictor(&mut self, path: &str, predictor: &'a Predictor) {
                self.space.push_predictor(path, predictor);
            }
            fn variable(&mut self, path: &str, variable: &'a dyn DynVariable) {
                let value = variable.value_json();
                let current =
                    if variable.deriver().is_some() || !value.is_null() { value } else { variable.default_json() };
                self.space.dims.push(Dim {
                    name: path.to_string(),
                    domain: variable.domain().clone(),
                    default: variable.default_json(),
                    current,
                    source: Source::Declared { deriver: variable.deriver() },
                });
            }
            fn constraint(&mut self, path: &str, constraint: &'a Constraint) {
                self.space.constraints.push((parent_path(path).to_string(), constraint.clone()));
            }
        }
        let mut collect = Collect {
            space: SearchSpace {
                dims: Vec::new(),
                constraints: Vec::new(),
                lms: Vec::new(),
                predictor_lms: Vec::new(),
                excluded: Vec::new(),
                only: None,
                builtins_frozen: false,
            },
        };
        program.visit("", &mut collect);
        collect.space
    }

    fn push_predictor(&mut self, path: &str, predictor: &Predictor) {
        let instructions = Value::String(predictor.instructions().to_string());
        let demos = demos_json(&predictor.demos);
        let adapter = Value::from(predictor.adapter.as_ref().map_or("ChatAdapter", |a| a.name()));
        let temperature = Value::from(predictor.config.temperature.map_or(0.0, f64::from).clamp(0.0, 2.0));
        let dims = [
            (
                Builtin::Instructions,
                Domain::Text { candidates: vec![predictor.instructions().to_string()] },
                instructions,
            ),
            (
                Builtin::Demos,
                Domain::DemoSet { max: predictor.demos.len().max(16), candidates: vec![predictor.demos.clone()] },
                demos,
            ),
            (Builtin::Adapter, Domain::Choice { options: ADAPTERS.iter().map(|a| Value::from(*a)).collect() }, adapter),
            (Builtin::Temperature, Domain::Float { low: 0.0, high: 2.0, log: false }, temperature),
        ];
        for (kind, domain, value) in dims {
            self.dims.push(Dim {
                name: child_path(path, kind.suffix()),
                domain,
                default: value.clone(),
                current: value,
                source: Source::Builtin { predictor: path.to_string(), kind },
            });
        }
        self.predictor_lms.push((path.to_string(), predictor.lm.clone()));
    }

    /// Adds the `<predictor>.lm` variables: a choice among `lms` by name. The default is the
    /// registered LM a predictor already uses (same `Arc`), else the first.
    #[must_use]
    pub fn with_lms<N: Into<String>>(mut self, lms: impl IntoIterator<Item = (N, SharedLm)>) -> Self {
        self.lms.extend(lms.into_iter().map(|(n, lm)| (n.into(), lm)));
        self.dims.retain(|d| !matches!(d.source, Source::Builtin { kind: Builtin::Lm, .. }));
        if self.lms.is_empty() {
            return self;
        }
        let options: Vec<Value> = self.lms.iter().map(|(n, _)| Value::from(n.as_str())).collect();
        for (path, current) in self.predictor_lms.clone() {
            let registered =
                current.as_ref().and_then(|lm| self.lms.iter().find(|(_, r)| std::sync::Arc::ptr_eq(r, lm)));
            let default = Value::from(registered.unwrap_or(&self.lms[0]).0.as_str());
            let demos = child_path(&path, Builtin::Demos.suffix());
            let at = self.dims.iter().position(|d| d.name == demos).map_or(self.dims.len(), |i| i + 1);
            self.dims.insert(
                at,
                Dim {
                    name: child_path(&path, Builtin::Lm.suffix()),
                    domain: Domain::Choice { options: options.clone() },
                    default: default.clone(),
                    current: default,
                    source: Source::Builtin { predictor: path.clone(), kind: Builtin::Lm },
                },
            );
        }
        self
    }

    /// Sets the range of every `<predictor>.temperature` (defaults are clamped into it).
    ///
    /// # Panics
    /// If `low >= high` or a bound is negative or not finite.
    #[must_use]
    pub fn with_temperature_range(mut self, low: f64, high: f64) -> Self {
        assert!(
            low.is_finite() && high.is_finite() && 0.0 <= low && low < high,
            "bad temperature range {low}..={high}"
        );
        for dim in &mut self.dims {
            if let Source::Builtin { kind: Builtin::Temperature, .. } = dim.source {
                dim.domain = Domain::Float { low, high, log: false };
                dim.default = Value::from(dim.default.as_f64().unwrap_or(low).clamp(low, high));
                dim.current = Value::from(dim.current.as_f64().unwrap_or(low).clamp(low, high));
            }
        }
        self
    }

    /// Sets the most demos a `<predictor>.demos` variable may hold.
    #[must_use]
    pub fn with_max_demos(mut self, max: usize) -> Self {
        for dim in &mut self.dims {
            if let Domain::DemoSet { max: m, .. } = &mut dim.domain {
                *m = max;
            }
        }
        self
    }

    /// Freezes the variables matching any of `patterns`: an exact name, `*.suffix` (e.g.
    /// `*.temperature`) or `prefix.*` (e.g. `generate.*`).
    #[must_use]
    pub fn exclude<P: Into<String>>(mut self, patterns: impl IntoIterator<Item = P>) -> Self {
        self.excluded.extend(patterns.into_iter().map(Into::into));
        self
    }

    /// Freezes every variable except those matching `patterns` (same forms as
    /// [`exclude`](Self::exclude)). Derived variables are never frozen: they are always
    /// computed and applied.
    #[must_use]
    pub fn only<P: Into<String>>(mut self, patterns: impl IntoIterator<Item = P>) -> Self {
        self.only = Some(patterns.into_iter().map(Into::into).collect());
        self
    }

    /// Freezes every predictor's built-in variables (keeps declared ones).
    #[must_use]
    pub fn without_builtins(mut self) -> Self {
        self.builtins_frozen = true;
        self
    }

    /// Whether `name` is a variable of the space that is not frozen.
    pub fn is_active(&self, name: &str) -> bool {
        self.dims.iter().any(|d| d.name == name && self.active(d))
    }

    pub(crate) fn active(&self, dim: &Dim) -> bool {
        if dim.deriver().is_some() {
            // Derived variables follow the others; freezing one would leave it stale.
            return true;
        }
        let matches = |p: &String| pattern_matches(p, &dim.name);
        let builtin = matches!(dim.source, Source::Builtin { .. });
        let frozen = (builtin && self.builtins_frozen) || self.excluded.iter().any(matches);
        !frozen && self.only.as_ref().is_none_or(|only| only.iter().any(matches))
    }

    /// The names of the variables that are not frozen, in order.
    pub fn names(&self) -> Vec<&str> {
        self.dims.iter().filter(|d| self.active(d)).map(|d| d.name.as_str()).collect()
    }

    /// The domain of the variable `name`.
    pub fn domain(&self, name: &str) -> Option<&Domain> {
        self.dims.iter().find(|d| d.name == name).map(|d| &d.domain)
    }

    /// Adds a candidate instruction for the text variable `name` (`<predictor>.instructions`).
    ///
    /// # Errors
    /// [`Error::Variable`] if there is no such text variable.
    pub fn add_instruction_candidate(&mut self, name: &str, instructions: impl Into<String>) -> Result<()> {
        match self.dims.iter_mut().find(|d| d.name == name).map(|d| &mut d.domain) {
            Some(Domain::Text { candidates }) => {
                let text = instructions.into();
                if !candidates.contains(&text) {
                    candidates.push(text);
                }
                Ok(())
            }
            _ => Err(Error::Variable { name: name.to_string(), reason: "not a text variable of the space".into() }),
        }
    }

    /// Adds a candidate demo set for the demo-set variable `name` (`<predictor>.demos`).
    ///
    /// # Errors
    /// [`Error::Variable`] if there is no such variable or the set is larger than its maximum.
    pub fn add_demo_candidate(&mut self, name: &str, demos: Vec<Example>) -> Result<()> {
        match self.dims.iter_mut().find(|d| d.name == name).map(|d| &mut d.domain) {
            Some(Domain::DemoSet { max, candidates }) => {
                if demos.len() > *max {
                    return Err(Error::Variable {
                        name: name.to_string(),
                        reason: format!("{} demos is more than the maximum of {max}", demos.len()),
                    });
                }
                if !candidates.contains(&demos) {
                    candidates.push(demos);
                }
                Ok(())
            }
            _ => Err(Error::Variable { name: name.to_string(), reason: "not a demo-set variable of the space".into() }),
        }
    }

    /// The space as serde data: every variable with its domain, default and whether it is
    /// built in or frozen; the constraints' names; the registered LMs' names.
    pub fn describe(&self) -> SpaceDescription {
        SpaceDescription {
            variables: self
                .dims
                .iter()
                .map(|d| VariableDescription {
                    name: d.name.clone(),
                    domain: d.domain.clone(),
                    default: d.default.clone(),
                    builtin: matches!(d.source, Source::Builtin { .. }),
                    frozen: !self.active(d),
                })
                .collect(),
            constraints: self.constraints.iter().map(|(scope, c)| child_path(scope, c.name())).collect(),
            lms: self.lms.iter().map(|(n, _)| n.clone()).collect(),
        }
    }
}

/// `name` matches an exact name, `*.suffix` or `prefix.*`.
fn pattern_matches(pattern: &str, name: &str) -> bool {
    if let Some(suffix) = pattern.strip_prefix("*.") {
        name.ends_with(&format!(".{suffix}")) || name == suffix
    } else if let Some(prefix) = pattern.strip_suffix(".*") {
        name.starts_with(&format!("{prefix}."))
    } else {
        pattern == name
    }
}

impl std::fmt::Debug for SearchSpace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchSpace")
            .field("variables", &self.names())
            .field("constraints", &self.describe().constraints)
            .finish()
    }
}

impl Serialize for SearchSpace {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.describe().serialize(serializer)
    }
}

/// A search space as data (see [`SearchSpace::describe`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpaceDescription {
    /// Every variable, frozen ones included.
    pub variables: Vec<VariableDescription>,
    /// The constraints' full names (`<scope>.<name>`).
    pub constraints: Vec<String>,
    /// The names of the LMs `<predictor>.lm` chooses among.
    pub lms: Vec<String>,
}

/// One variable of a [`SpaceDescription`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariableDescription {
    /// Its path.
    pub name: String,
    /// Its domain.
    pub domain: Domain,
    /// Its default value.
    pub default: Value,
    /// Whether it is a predictor's built-in variable.
    pub builtin: bool,
    /// Whether it is frozen (excluded from configurations).
    pub frozen: bool,
}
