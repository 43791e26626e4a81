//! The searched variables of a [`SearchSpace`] as sampler parameters: numbers, or categories
//! (bools, choices, modules, instruction candidates, demo-set candidates) searched by index.

use cognate_runtime::variable::{Configuration, Domain, SearchSpace};
use serde_json::Value;

use super::tpe::parzen::Kind;

/// One searched variable.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) kind: ParamKind,
    /// The variable's grid points (see [`Domain::grid`]).
    pub(crate) grid: Vec<Value>,
}

#[derive(Debug, Clone)]
pub(crate) enum ParamKind {
    Float {
        low: f64,
        high: f64,
        log: bool,
    },
    Int {
        low: i64,
        high: i64,
        step: i64,
    },
    /// One of these values, searched by index.
    Options(Vec<Value>),
    /// Nothing to search (text or demo sets without candidates): always this value.
    Fixed(Value),
}

impl Param {
    /// The variables a configuration of `space` gives values for (not frozen, not derived),
    /// in the space's order.
    pub(crate) fn of(space: &SearchSpace, points_per_float: usize) -> Vec<Param> {
        space
            .describe()
            .variables
            .into_iter()
            .filter(|v| !v.frozen && !matches!(v.domain, Domain::Derived))
            .map(|v| {
                let kind = match &v.domain {
                    Domain::Float { low, high, log } => ParamKind::Float { low: *low, high: *high, log: *log },
                    Domain::Int { low, high, step } => ParamKind::Int { low: *low, high: *high, step: *step },
                    Domain::Bool => ParamKind::Options(vec![Value::Bool(false), Value::Bool(true)]),
                    Domain::Choice { options } => ParamKind::Options(options.clone()),
                    Domain::Module { options } => {
                        ParamKind::Options(options.iter().cloned().map(Value::String).collect())
                    }
                    Domain::Text { candidates } if !candidates.is_empty() => {
                        ParamKind::Options(candidates.iter().cloned().map(Value::String).collect())
                    }
                    Domain::DemoSet { candidates, .. } if !candidates.is_empty() => ParamKind::Options(
                        candidates
                            .iter()
                            .map(|set| Value::Array(set.iter().map(|d| Value::Object(d.data.clone())).collect()))
                            .collect(),
                    ),
                    _ => ParamKind::Fixed(v.default.clone()),
                };
                let grid = v.domain.grid(points_per_float, &v.default);
                Param { name: v.name, kind, grid }
            })
            .collect()
    }

    /// The estimator kind, `None` for fixed parameters.
    pub(crate) fn parzen_kind(&self) -> Option<Kind> {
        match &self.kind {
            ParamKind::Float { low, high, log } => {
                Some(Kind::Numeric { low: *low, high: *high, step: None, log: *log })
            }
            ParamKind::Int { low, high, step } => {
                Some(Kind::Numeric { low: *low as f64, high: *high as f64, step: Some(*step as f64), log: false })
            }
            ParamKind::Options(options) => Some(Kind::Categorical { n: options.len() }),
            ParamKind::Fixed(_) => None,
        }
    }

    /// The value of a fixed parameter (`null` for others).
    pub(crate) fn fixed_value(&self) -> Value {
        match &self.kind {
            ParamKind::Fixed(v) => v.clone(),
            _ => Value::Null,
        }
    }

    /// The internal representation of this parameter's value in `config`: the number, or
    /// the option's index. `None` if absent or not a known option (e.g. a checkpoint written
    /// with other candidates).
    pub(crate) fn internal(&self, config: &Configuration) -> Option<f64> {
        let value = config.get(&self.name)?;
        match &self.kind {
            ParamKind::Float { .. } => value.as_f64(),
            ParamKind::Int { .. } => value.as_i64().map(|x| x as f64),
            ParamKind::Options(options) => options.iter().position(|o| o == value).map(|i| i as f64),
            ParamKind::Fixed(_) => None,
        }
    }

    /// The value for an internal representation.
    pub(crate) fn external(&self, x: f64) -> Value {
        match &self.kind {
            ParamKind::Float { low, high, .. } => Value::from(x.clamp(*low, *high)),
            ParamKind::Int { low, high, .. } => Value::from((x.round() as i64).clamp(*low, *high)),
            ParamKind::Options(options) => options[(x as usize).min(options.len() - 1)].clone(),
            ParamKind::Fixed(v) => v.clone(),
        }
    }
}
