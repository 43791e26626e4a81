//! [`Domain`]: the set of values a variable may take, with checking, sampling and grids.

use cognate_core::Example;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use cognate_core::rng::RandomSource;

/// The set of values a variable may take.
///
/// Serializes with a `kind` tag: `{"kind": "int", "low": 1, "high": 5, "step": 1}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Domain {
    /// A float in `[low, high]`, searched on a linear or log scale.
    Float {
        /// Smallest value.
        low: f64,
        /// Largest value.
        high: f64,
        /// Search on a log scale.
        log: bool,
    },
    /// An integer in `[low, high]` in steps of `step` from `low`.
    Int {
        /// Smallest value.
        low: i64,
        /// Largest value.
        high: i64,
        /// Distance between allowed values.
        step: i64,
    },
    /// `true` or `false`.
    Bool,
    /// One of a list of values (strings, numbers, enum variants as their serde form).
    Choice {
        /// The allowed values, in order.
        options: Vec<Value>,
    },
    /// One of several named modules behind one interface (e.g. `predict` vs `chain_of_thought`).
    Module {
        /// The alternatives' names.
        options: Vec<String>,
    },
    /// Free text, with candidates proposed by optimizers (a predictor's instructions). Any
    /// string is valid; sampling and grids draw from the candidates.
    Text {
        /// The known candidates.
        candidates: Vec<String>,
    },
    /// A set of demos (a predictor's few-shot examples): a JSON array of objects. Sampling
    /// and grids draw from the candidate sets.
    DemoSet {
        /// The most demos in the set.
        max: usize,
        /// Candidate demo sets proposed by optimizers (the current demos first).
        #[serde(default)]
        candidates: Vec<Vec<Example>>,
    },
    /// Computed from other variables; never searched directly.
    Derived,
}

impl Domain {
    /// Checks that the domain itself is well formed (`low < high`, a step dividing the
    /// range, non-empty and unique options, ...).
    ///
    /// # Errors
    /// What is wrong, in lowercase prose.
    pub fn check_definition(&self) -> Result<(), String> {
        match self {
            Domain::Float { low, high, log } => {
                if !low.is_finite() || !high.is_finite() {
                    return Err(format!("range {low}..={high} is not finite"));
                }
                if low >= high {
                    return Err(format!("empty range {low}..={high}: low must be below high"));
                }
                if *log && *low <= 0.0 {
                    return Err(format!("log scale needs a positive low bound, got {low}"));
                }
                Ok(())
            }
            Domain::Int { low, high, step } => {
                if low >= high {
                    return Err(format!("empty range {low}..={high}: low must be below high"));
                }
                if *step <= 0 {
                    return Err(format!("step must be positive, got {step}"));
                }
                if (i128::from(*high) - i128::from(*low)) % i128::from(*step) != 0 {
                    return Err(format!("step {step} does not divide the range {low}..={high}"));
                }
                Ok(())
            }
            Domain::Choice { options } => unique(options.iter().map(Value::to_string)),
            Domain::Module { options } => unique(options.iter().map(|o| format!("`{o}`"))),
            Domain::Bool | Domain::Text { .. } | Domain::DemoSet { .. } | Domain::Derived => Ok(()),
        }
    }

    /// Checks that `value` is in the domain.
    ///
    /// # Errors
    /// Why it is not (`9 is outside 1..=5`), in lowercase prose.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        match self {
            Domain::Float { low, high, log } => {
                let x = value.as_f64().ok_or_else(|| format!("expected a number, got {value}"))?;
                if !(x >= *low && x <= *high) {
                    let scale = if *log { " (log scale)" } else { "" };
                    return Err(format!("{x} is outside {low}..={high}{scale}"));
                }
                Ok(())
            }
            Domain::Int { low, high, step } => {
                let x = value.as_i64().ok_or_else(|| format!("expected an integer, got {value}"))?;
                if x < *low || x > *high {
                    return Err(format!("{x} is outside {low}..={high}"));
                }
                if (i128::from(x) - i128::from(*low)) % i128::from(*step) != 0 {
                    return Err(format!("{x} is not on the grid {low}..={high} with step {step}"));
                }
                Ok(())
            }
            Domain::Bool => value.as_bool().map(drop).ok_or_else(|| format!("expected true or false, got {value}")),
            Domain::Choice { options } => {
                if options.contains(value) {
                    Ok(())
                } else {
                    let list: Vec<String> = options.iter().map(Value::to_string).collect();
                    Err(format!("{value} is not one of [{}]", list.join(", ")))
                }
            }
            Domain::Module { options } => match value.as_str() {
                Some(name) if options.iter().any(|o| o == name) => Ok(()),
                _ => Err(format!("{value} is not one of the modules [{}]", options.join(", "))),
            },
            Domain::Text { .. } => value.as_str().map(drop).ok_or_else(|| format!("expected a string, got {value}")),
            Domain::DemoSet { max, .. } => {
                let demos = value.as_array().ok_or_else(|| format!("expected an array of demos, got {value}"))?;
                if demos.len() > *max {
                    return Err(format!("{} demos is more than the maximum of {max}", demos.len()));
                }
                match demos.iter().position(|d| !d.is_object()) {
                    Some(i) => Err(format!("demo {i} is not an object")),
                    None => Ok(()),
                }
            }
            Domain::Derived => Ok(()),
        }
    }

    /// Draws a value uniformly (log-uniformly for log floats, on the step grid for ints).
    /// Text and demo-set domains draw from their candidates, or return `default` if there
    /// are none. `None` for derived variables.
    pub fn sample<R: RandomSource + ?Sized>(&self, rng: &mut R, default: &Value) -> Option<Value> {
        Some(match self {
            Domain::Float { low, high, log: false } => float(low + rng.next_f64() * (high - low), *low, *high),
            Domain::Float { low, high, log: true } => {
                let (a, b) = (low.ln(), high.ln());
                float((a + rng.next_f64() * (b - a)).exp(), *low, *high)
            }
            Domain::Int { low, high, step } => {
                let count = ((high - low) / step) as u64 + 1;
                Value::from(low + rng.below(count) as i64 * step)
            }
            Domain::Bool => Value::Bool(rng.below(2) == 1),
            Domain::Choice { options } => pick(rng, options).cloned().unwrap_or_else(|| default.clone()),
            Domain::Module { options } => {
                pick(rng, options).map(|o| Value::String(o.clone())).unwrap_or_else(|| default.clone())
            }
            Domain::Text { candidates } => {
                pick(rng, candidates).map(|c| Value::String(c.clone())).unwrap_or_else(|| default.clone())
            }
            Domain::DemoSet { candidates, .. } => {
                pick(rng, candidates).map(|c| demos_json(c)).unwrap_or_else(|| default.clone())
            }
            Domain::Derived => return None,
        })
    }

    /// The grid points of the domain: ints by step, both bools, every option or candidate,
    /// floats at `points_per_float` points (at least 2; geometric on a log scale). Text and
    /// demo sets without candidates give `[default]`; derived variables give none.
    pub fn grid(&self, points_per_float: usize, default: &Value) -> Vec<Value> {
        match self {
            Domain::Float { low, high, log } => {
                let n = points_per_float.max(2);
                (0..n)
                    .map(|i| {
                        let t = i as f64 / (n - 1) as f64;
                        let x = match (i, log) {
                            // The bounds exactly, whatever the rounding of exp(ln(x)).
                            (0, _) => *low,
                            (i, _) if i == n - 1 => *high,
                            (_, true) => (low.ln() + t * (high.ln() - low.ln())).exp(),
                            (_, false) => low + t * (high - low),
                        };
                        float(x, *low, *high)
                    })
                    .collect()
            }
            Domain::Int { low, high, step } => (0..=(high - low) / step).map(|k| Value::from(low + k * step)).collect(),
            Domain::Bool => vec![Value::Bool(false), Value::Bool(true)],
            Domain::Choice { options } => options.clone(),
            Domain::Module { options } => options.iter().cloned().map(Value::String).collect(),
            Domain::Text { candidates } if !candidates.is_empty() => {
                candidates.iter().cloned().map(Value::String).collect()
            }
            Domain::DemoSet { candidates, .. } if !candidates.is_empty() => {
                candidates.iter().map(|c| demos_json(c)).collect()
            }
            Domain::Text { .. } | Domain::DemoSet { .. } => vec![default.clone()],
            Domain::Derived => Vec::new(),
        }
    }
}

impl std::fmt::Display for Domain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Domain::Float { low, high, log } => write!(f, "float({low}..={high}{})", if *log { ", log" } else { "" }),
            Domain::Int { low, high, step } => write!(f, "int({low}..={high}, step = {step})"),
            Domain::Bool => f.write_str("bool"),
            Domain::Choice { options } => {
                let list: Vec<String> = options.iter().map(Value::to_string).collect();
                write!(f, "choice[{}]", list.join(", "))
            }
            Domain::Module { options } => write!(f, "module[{}]", options.join(", ")),
            Domain::Text { candidates } => write!(f, "text ({} candidates)", candidates.len()),
            Domain::DemoSet { max, candidates } => {
                write!(f, "demos (at most {max}, {} candidate sets)", candidates.len())
            }
            Domain::Derived => f.write_str("derived"),
        }
    }
}

/// A demo set as the JSON array it is configured with.
pub(crate) fn demos_json(demos: &[Example]) -> Value {
    Value::Array(demos.iter().map(|d| Value::Object(d.data.clone())).collect())
}

fn float(x: f64, low: f64, high: f64) -> Value {
    Value::from(x.clamp(low, high))
}

fn pick<'v, R: RandomSource + ?Sized, T>(rng: &mut R, items: &'v [T]) -> Option<&'v T> {
    if items.is_empty() { None } else { items.get(rng.below(items.len() as u64) as usize) }
}

fn unique(items: impl Iterator<Item = String>) -> Result<(), String> {
    let mut seen = Vec::new();
    for item in items {
        if seen.contains(&item) {
            return Err(format!("option {item} is listed twice"));
        }
        seen.push(item);
    }
    if seen.is_empty() { Err("no options to choose from".into()) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::variable::SeededRng;

    #[test]
    fn definitions() {
        let bad = [
            (Domain::Float { low: 1.0, high: 1.0, log: false }, "low must be below high"),
            (Domain::Float { low: 0.0, high: 1.0, log: true }, "positive low bound"),
            (Domain::Int { low: 0, high: 10, step: 3 }, "does not divide"),
            (Domain::Int { low: 0, high: 10, step: 0 }, "must be positive"),
            (Domain::Choice { options: vec![] }, "no options"),
            (Domain::Choice { options: vec![json!("a"), json!("a")] }, "listed twice"),
            (Domain::Module { options: vec!["p".into(), "p".into()] }, "listed twice"),
        ];
        for (domain, expected) in bad {
            let err = domain.check_definition().unwrap_err();
            assert!(err.contains(expected), "{domain}: {err}");
        }
        assert!(Domain::Int { low: 0, high: 10, step: 5 }.check_definition().is_ok());
    }

    #[test]
    fn checks_values() {
        let int = Domain::Int { low: 1, high: 9, step: 2 };
        assert!(int.check(&json!(3)).is_ok());
        assert_eq!(int.check(&json!(4)).unwrap_err(), "4 is not on the grid 1..=9 with step 2");
        assert_eq!(int.check(&json!(11)).unwrap_err(), "11 is outside 1..=9");
        assert!(int.check(&json!("3")).is_err());
        let float = Domain::Float { low: 0.0, high: 1.0, log: false };
        assert!(float.check(&json!(1.0)).is_ok());
        assert!(float.check(&json!(1.5)).is_err());
        assert!(Domain::Bool.check(&json!(1)).is_err());
        let demos = Domain::DemoSet { max: 1, candidates: vec![] };
        assert!(demos.check(&json!([{"q": "a"}])).is_ok());
        assert!(demos.check(&json!([{"q": "a"}, {"q": "b"}])).unwrap_err().contains("maximum of 1"));
        assert!(demos.check(&json!(["x"])).is_err());
        assert!(Domain::Text { candidates: vec![] }.check(&json!("anything")).is_ok());
    }

    #[test]
    fn samples_stay_inside() {
        let mut rng = SeededRng::new(1);
        let domains = [
            Domain::Float { low: -1.0, high: 1.0, log: false },
            Domain::Float { low: 1e-4, high: 1e-1, log: true },
            Domain::Int { low: 0, high: 100, step: 10 },
            Domain::Bool,
            Domain::Choice { options: vec![json!(1), json!("x")] },
        ];
        for domain in &domains {
            for _ in 0..200 {
                let v = domain.sample(&mut rng, &Value::Null).unwrap();
                assert!(domain.check(&v).is_ok(), "{domain}: {v}");
            }
        }
    }

    #[test]
    fn grids() {
        let log = Domain::Float { low: 1e-3, high: 1e-1, log: true };
        let points: Vec<f64> = log.grid(3, &Value::Null).iter().map(|v| v.as_f64().unwrap()).collect();
        assert!((points[1] - 1e-2).abs() < 1e-12, "{points:?}");
        assert_eq!((points[0], points[2]), (1e-3, 1e-1));
        assert_eq!(
            Domain::Int { low: 0, high: 10, step: 5 }.grid(9, &Value::Null),
            vec![json!(0), json!(5), json!(10)]
        );
        assert_eq!(Domain::Text { candidates: vec![] }.grid(3, &json!("d")), vec![json!("d")]);
        assert!(Domain::Derived.grid(3, &Value::Null).is_empty());
    }

    #[test]
    fn serde_is_tagged() {
        let d = Domain::Int { low: 1, high: 5, step: 1 };
        assert_eq!(serde_json::to_value(&d).unwrap(), json!({"kind": "int", "low": 1, "high": 5, "step": 1}));
        let back: Domain =
            serde_json::from_value(json!({"kind": "float", "low": 0.0, "high": 2.0, "log": false})).unwrap();
        assert_eq!(back, Domain::Float { low: 0.0, high: 2.0, log: false });
    }
}
