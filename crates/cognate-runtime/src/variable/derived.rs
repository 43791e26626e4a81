//! [`Derived<T>`]: a variable computed from the others, and [`Scope`], the view of a
//! configuration that derived variables and constraints read.

use std::sync::Arc;

use crate::{Error, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::value::VariableValue;
use super::{Configuration, DynVariable, domain::Domain};
use crate::program::{Component, Visitor, VisitorMut, child_path};

/// A configuration seen from the struct that declares a derived variable or a constraint:
/// `scope.get::<u32>("hops")` reads the sibling field `hops` (the variable `<parent>.hops`),
/// wherever the program is nested.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'c> {
    config: &'c Configuration,
    prefix: &'c str,
}

impl<'c> Scope<'c> {
    /// `config` seen from the struct at path `prefix` (`""` for the root).
    pub fn new(config: &'c Configuration, prefix: &'c str) -> Self {
        Scope { config, prefix }
    }

    /// The struct's path (`""` for the root).
    pub fn prefix(&self) -> &str {
        self.prefix
    }

    /// The whole configuration.
    pub fn configuration(&self) -> &'c Configuration {
        self.config
    }

    /// The JSON value of `name` (relative to the scope), if set.
    pub fn value(&self, name: &str) -> Option<&'c Value> {
        self.config.get(&child_path(self.prefix, name))
    }

    /// The value of `name` (relative to the scope) as a `T`.
    ///
    /// # Errors
    /// [`Error::Variable`] if the configuration has no such variable or its value is not a `T`.
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<T> {
        let path = child_path(self.prefix, name);
        let value = self.config.get(&path).ok_or_else(|| Error::Variable {
            name: path.clone(),
            reason: "not in the configuration (read by a derived variable or a constraint)".into(),
        })?;
        serde_json::from_value(value.clone()).map_err(|e| Error::Variable {
            reason: format!("{value} is not a `{}`: {e}", std::any::type_name::<T>()),
            name: path,
        })
    }
}

/// The function of a derived variable, type-erased: the scope in, the value as JSON out.
pub type Deriver = Arc<dyn Fn(&Scope<'_>) -> Result<Value> + Send + Sync>;

/// A value computed from other variables, e.g. `max_tokens = 200 * hops`:
///
/// ```
/// use cognate_runtime::variable::Derived;
///
/// let max_tokens: Derived<u32> = Derived::new(|s| Ok(200 * s.get::<u32>("hops")?));
/// assert_eq!(max_tokens.get(), None); // computed when a configuration is applied
/// ```
///
/// The closure reads the configuration through a [`Scope`] rooted at the struct holding the
/// field, so `"hops"` is the sibling field. A derived variable is part of the search space
/// with [`Domain::Derived`]: never sampled, always computed (after the sampled variables,
/// in declaration order, so it may read derived variables declared before it), and set by
/// [`SearchSpace::apply`](super::SearchSpace::apply). Until then [`Derived::get`] is `None`;
/// [`SearchSpace::refresh_derived`](super::SearchSpace::refresh_derived) computes it from the
/// program's current values.
pub struct Derived<T> {
    value: Option<T>,
    derive: Deriver,
}

impl<T: VariableValue> Derived<T> {
    /// A derived variable computed by `f`.
    pub fn new<F>(f: F) -> Self
    where
        F: Fn(&Scope<'_>) -> Result<T> + Send + Sync + 'static,
    {
        let derive: Deriver = Arc::new(move |scope| {
            let value = f(scope)?;
            serde_json::to_value(value)
                .map_err(|e| Error::Variable { name: scope.prefix().to_string(), reason: e.to_string() })
        });
        Derived { value: None, derive }
    }

    /// The last computed value.
    pub fn get(&self) -> Option<T> {
        self.value.clone()
    }

    /// Computes the value for `config` seen from `prefix`, without storing it.
    ///
    /// # Errors
    /// What the closure returns.
    pub fn compute(&self, config: &Configuration, prefix: &str) -> Result<T> {
        let json = (self.derive)(&Scope::new(config, prefix))?;
        serde_json::from_value(json).map_err(|e| Error::Variable { name: prefix.to_string(), reason: e.to_string() })
    }
}

impl<T: Clone> Clone for Derived<T> {
    fn clone(&self) -> Self {
        Derived { value: self.value.clone(), derive: self.derive.clone() }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Derived<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Derived").field("value", &self.value).finish_non_exhaustive()
    }
}

impl<T: VariableValue> DynVariable for Derived<T> {
    fn domain(&self) -> &Domain {
        &Domain::Derived
    }
    fn value_json(&self) -> Value {
        self.value.as_ref().and_then(|v| serde_json::to_value(v).ok()).unwrap_or(Value::Null)
    }
    fn default_json(&self) -> Value {
        Value::Null
    }
    fn set_json(&mut self, value: Value) -> Result<()> {
        self.check_json("derived variable", &value)?;
        self.value = serde_json::from_value(value).ok();
        Ok(())
    }
    fn check_json(&self, name: &str, value: &Value) -> Result<()> {
        serde_json::from_value::<T>(value.clone()).map(drop).map_err(|e| Error::Variable {
            name: name.to_string(),
            reason: format!("{value} does not fit `{}`: {e}", std::any::type_name::<T>()),
        })
    }
    fn deriver(&self) -> Option<Deriver> {
        Some(self.derive.clone())
    }
}

impl<T: VariableValue> Component for Derived<T> {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        visitor.variable(path, self);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        visitor.variable(path, self);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn computes_from_the_scope() {
        let d: Derived<u32> = Derived::new(|s| Ok(200 * s.get::<u32>("hops")?));
        let config: Configuration = serde_json::from_value(json!({"sub.hops": 3, "hops": 1})).unwrap();
        assert_eq!(d.compute(&config, "sub").unwrap(), 600);
        assert_eq!(d.compute(&config, "").unwrap(), 200);
        let err = d.compute(&config, "other").unwrap_err().to_string();
        assert!(err.contains("`other.hops`") && err.contains("not in the configuration"), "{err}");
        let wrong: Configuration = serde_json::from_value(json!({"hops": "x"})).unwrap();
        assert!(d.compute(&wrong, "").unwrap_err().to_string().contains("is not a `u32`"));
    }

    #[test]
    fn set_json_stores_the_value() {
        let mut d: Derived<u32> = Derived::new(|_| Ok(1));
        assert_eq!(d.value_json(), Value::Null);
        d.set_json(json!(5)).unwrap();
        assert_eq!(d.get(), Some(5));
        assert!(d.set_json(json!(-1)).is_err());
        assert_eq!(d.clone().get(), Some(5));
    }
}
