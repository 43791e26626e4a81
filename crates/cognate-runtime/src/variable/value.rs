//! [`Variable<T>`]: a typed, validated value with a default and a domain.

use crate::{Error, Result};
use cognate_core::TypeDesc;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{DynVariable, domain::Domain};
use crate::program::{Component, Visitor, VisitorMut};

/// What a variable can hold: any serde value that is cheap enough to clone.
pub trait VariableValue: Serialize + DeserializeOwned + Clone + std::fmt::Debug + Send + Sync + 'static {}

impl<T> VariableValue for T where T: Serialize + DeserializeOwned + Clone + std::fmt::Debug + Send + Sync + 'static {}

/// A float type for [`Variable::float`]: `f32` or `f64`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a `float(...)` variable",
    label = "a float variable needs `f32` or `f64`",
    note = "declare `int(...)` for integer types, `choice[...]` for other values"
)]
pub trait FloatValue: VariableValue + Copy {}
impl FloatValue for f32 {}
impl FloatValue for f64 {}

/// An integer type for [`Variable::int`] (`i8` … `i64`, `u8` … `u64`, `isize`, `usize`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold an `int(...)` variable",
    label = "an int variable needs an integer type (`u32`, `i64`, `usize`, ...)",
    note = "declare `float(...)` for `f32`/`f64`, `choice[...]` for other values"
)]
pub trait IntValue: VariableValue + Copy {}
macro_rules! int_values {
    ($($t:ty),*) => { $(impl IntValue for $t {})* };
}
int_values!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

/// A typed variable: its current value, its default, and the [`Domain`] both must lie in.
///
/// Declare one with `cognate::variable!` (literal arguments are checked at compile time) or
/// with the constructors below, which check their arguments at run time:
///
/// ```
/// use cognate_runtime::variable::Variable;
///
/// let mut hops = Variable::<u32>::int(1, 5, 1, 2).unwrap();
/// assert_eq!(hops.get(), 2);
/// hops.set(4).unwrap();
/// assert!(hops.set(9).is_err()); // outside 1..=5: nothing changes
/// assert_eq!(hops.get(), 4);
/// assert!(Variable::<f64>::float(1.0, 0.0, 0.5).is_err()); // low >= high
/// ```
///
/// Values cross the search space as JSON (their serde form), so a `Variable<MyEnum>` is
/// configured with the variant's serde name.
#[derive(Debug, Clone)]
pub struct Variable<T> {
    value: T,
    default: T,
    domain: Domain,
}

impl<T: VariableValue> Variable<T> {
    /// A variable over `domain`, checking the domain and that `default` is in it.
    ///
    /// # Errors
    /// [`Error::Variable`] (named `variable`) if the domain is malformed or the default is
    /// outside it.
    pub fn with_domain(domain: Domain, default: T) -> Result<Self> {
        domain.check_definition().map_err(invalid)?;
        let json = to_json(&default)?;
        domain.check(&json).map_err(|reason| invalid(format!("default {reason}")))?;
        Ok(Variable { value: default.clone(), default, domain })
    }

    /// A variable over `domain` without checks, for domains well formed by construction.
    pub(crate) fn unchecked(domain: Domain, default: T) -> Self {
        Variable { value: default.clone(), default, domain }
    }

    /// A variable holding one of `options` (strings, numbers, enum variants, ...).
    ///
    /// # Errors
    /// [`Error::Variable`] if `options` is empty, has duplicates, or lacks `default`.
    pub fn choice(options: impl IntoIterator<Item = T>, default: T) -> Result<Self> {
        let options = options.into_iter().map(|o| to_json(&o)).collect::<Result<Vec<_>>>()?;
        Self::with_domain(Domain::Choice { options }, default)
    }

    /// The current value.
    pub fn get(&self) -> T {
        self.value.clone()
    }

    /// The current value, by reference.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The default value.
    pub fn default_value(&self) -> &T {
        &self.default
    }

    /// The domain.
    pub fn domain(&self) -> &Domain {
        &self.domain
    }

    /// Sets the value if it is in the domain; otherwise nothing changes.
    ///
    /// # Errors
    /// [`Error::Variable`] (named `variable`) saying why the value is not allowed.
    pub fn set(&mut self, value: T) -> Result<()> {
        let json = to_json(&value)?;
        self.domain.check(&json).map_err(invalid)?;
        self.value = value;
        Ok(())
    }

    /// Restores the default value.
    pub fn reset(&mut self) {
        self.value = self.default.clone();
    }
}

impl<T: FloatValue> Variable<T> {
    /// A float in `low..=high`, sampled uniformly.
    ///
    /// # Errors
    /// [`Error::Variable`] if `low >= high`, a bound is not finite, or `default` is outside.
    pub fn float(low: T, high: T, default: T) -> Result<Self> {
        Self::float_domain(low, high, false, default)
    }

    /// A float in `low..=high` sampled on a log scale (learning rates, thresholds).
    ///
    /// # Errors
    /// As [`Variable::float`], and if `low <= 0`.
    pub fn float_log(low: T, high: T, default: T) -> Result<Self> {
        Self::float_domain(low, high, true, default)
    }

    fn float_domain(low: T, high: T, log: bool, default: T) -> Result<Self> {
        let (low, high) = (number(&low)?, number(&high)?);
        Self::with_domain(Domain::Float { low, high, log }, default)
    }
}

impl<T: IntValue> Variable<T> {
    /// An integer in `low..=high` on the grid `low, low + step, ...`.
    ///
    /// # Errors
    /// [`Error::Variable`] if `low >= high`, `step <= 0`, `step` does not divide
    /// `high - low`, or `default` is outside the grid.
    pub fn int(low: T, high: T, step: T, default: T) -> Result<Self> {
        let int = |v: &T| to_json(v)?.as_i64().ok_or_else(|| invalid("integer out of the i64 range".into()));
        let domain = Domain::Int { low: int(&low)?, high: int(&high)?, step: int(&step)? };
        Self::with_domain(domain, default)
    }
}

impl Variable<bool> {
    /// A boolean.
    pub fn bool(default: bool) -> Self {
        Variable { value: default, default, domain: Domain::Bool }
    }
}

impl Variable<String> {
    /// A choice among strings: `Variable::choice_str(["terse", "verbose"], "terse")`.
    ///
    /// # Errors
    /// As [`Variable::choice`].
    pub fn choice_str<'s>(options: impl IntoIterator<Item = &'s str>, default: &str) -> Result<Self> {
        Self::choice(options.into_iter().map(String::from), default.to_string())
    }
}

impl<T: VariableValue + cognate_core::schema::FieldType> Variable<T> {
    /// A choice among every variant of a unit-variant enum (deriving `Serialize`,
    /// `Deserialize` and `JsonSchema`), in declaration order.
    ///
    /// # Errors
    /// [`Error::Variable`] if `T` is not such an enum or a variant does not deserialize.
    pub fn variants(default: T) -> Result<Self> {
        let options = match TypeDesc::of::<T>() {
            Ok(TypeDesc::Literal(members)) => members.iter().map(|m| m.to_json()).collect::<Vec<_>>(),
            Ok(other) => {
                return Err(invalid(format!(
                    "`{}` is `{}`, not an enum of unit variants",
                    std::any::type_name::<T>(),
                    other.python_name()
                )));
            }
            Err(e) => return Err(invalid(e.to_string())),
        };
        for option in &options {
            serde_json::from_value::<T>(option.clone())
                .map_err(|e| invalid(format!("variant {option} does not deserialize: {e}")))?;
        }
        Self::with_domain(Domain::Choice { options }, default)
    }
}

impl<T: VariableValue> DynVariable for Variable<T> {
    fn domain(&self) -> &Domain {
        &self.domain
    }
    fn value_json(&self) -> Value {
        to_json(&self.value).unwrap_or(Value::Null)
    }
    fn default_json(&self) -> Value {
        to_json(&self.default).unwrap_or(Value::Null)
    }
    fn set_json(&mut self, value: Value) -> Result<()> {
        self.check_json("", &value)?;
        self.value = serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
        Ok(())
    }
    fn check_json(&self, name: &str, value: &Value) -> Result<()> {
        let named = |reason: String| Error::Variable { name: name.to_string(), reason };
        self.domain.check(value).map_err(named)?;
        serde_json::from_value::<T>(value.clone())
            .map(drop)
            .map_err(|e| named(format!("{value} does not fit `{}`: {e}", std::any::type_name::<T>())))
    }
}

/// Serializes as its current value (the domain and default live in the program's code).
impl<T: VariableValue> Serialize for Variable<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.value_json().serialize(serializer)
    }
}

impl<T: VariableValue> Component for Variable<T> {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        visitor.variable(path, self);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        visitor.variable(path, self);
    }
}

/// Unwraps a constructor result from `variable!`: literal arguments were checked at compile
/// time, so this only fails for non-literal arguments, with the constructor's message.
#[doc(hidden)]
#[track_caller]
pub fn expect_declared<T>(result: Result<T>) -> T {
    match result {
        Ok(v) => v,
        Err(e) => panic!("invalid `variable!` declaration: {e}"),
    }
}

fn invalid(reason: String) -> Error {
    Error::Variable { name: String::new(), reason }
}

/// The JSON form of a value. An `f32` becomes its shortest decimal (`0.7`, not the widened
/// `0.699999988079071`), so bounds, defaults and configurations written as `0.7` agree.
fn to_json<T: Serialize + 'static>(value: &T) -> Result<Value> {
    if let Some(x) = (value as &dyn std::any::Any).downcast_ref::<f32>() {
        return Ok(x.to_string().parse::<f64>().ok().map_or(Value::Null, Value::from));
    }
    serde_json::to_value(value).map_err(|e| invalid(format!("value does not serialize: {e}")))
}

fn number<T: Serialize + 'static>(value: &T) -> Result<f64> {
    to_json(value)?.as_f64().ok_or_else(|| invalid("bound is not a finite number".into()))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
    #[serde(rename_all = "lowercase")]
    enum Style {
        Terse,
        Verbose,
    }

    fn reason(r: Result<impl std::fmt::Debug>) -> String {
        match r.unwrap_err() {
            Error::Variable { reason, .. } => reason,
            other => panic!("{other}"),
        }
    }

    #[test]
    fn constructors_validate() {
        assert!(reason(Variable::<f64>::float(0.0, 1.0, 1.5)).contains("outside"));
        assert!(reason(Variable::<f64>::float_log(0.0, 1.0, 0.5)).contains("positive low"));
        assert!(reason(Variable::<u32>::int(0, 10, 3, 0)).contains("does not divide"));
        assert!(reason(Variable::<u32>::int(0, 10, 5, 3)).contains("not on the grid"));
        assert!(reason(Variable::<i32>::choice([1, 1], 1)).contains("twice"));
        assert!(reason(Variable::choice_str(["a"], "b")).contains("not one of"));
        assert!(reason(Variable::<u32>::choice([], 1)).contains("no options"));
        // f32 bounds, defaults and configured values compare through their shortest decimals.
        let mut v = Variable::<f32>::float(0.1, 0.7, 0.7).unwrap();
        assert_eq!(v.get(), 0.7);
        assert_eq!(v.domain(), &Domain::Float { low: 0.1, high: 0.7, log: false });
        assert_eq!(v.value_json(), json!(0.7));
        v.set_json(json!(0.1)).unwrap();
        v.set_json(json!(0.6999999)).unwrap();
        assert_eq!(v.value_json(), json!(0.6999999));
        assert!(Variable::<f32>::float(0.7, 0.8, 0.7).is_ok());
        assert!(Variable::<f32>::float(f32::NAN, 1.0, 0.5).is_err());
    }

    #[test]
    fn set_and_json() {
        let mut v = Variable::<f32>::float_log(1e-4, 1e-1, 1e-3).unwrap();
        v.set(0.01).unwrap();
        assert!(v.set(0.5).is_err());
        assert_eq!(v.get(), 0.01);
        let dynv: &mut dyn DynVariable = &mut v;
        dynv.set_json(json!(0.05)).unwrap();
        assert!(dynv.set_json(json!("x")).is_err());
        assert_eq!(v.get(), 0.05);
        v.reset();
        assert_eq!(v.get(), 1e-3);
        let mut b = Variable::bool(true);
        b.set_json(json!(false)).unwrap();
        assert!(!b.get());
        assert_eq!(serde_json::to_value(&b).unwrap(), json!(false));
        assert_eq!(serde_json::to_value(&v).unwrap(), json!(0.001));
    }

    #[test]
    fn enum_variants() {
        let mut v = Variable::variants(Style::Terse).unwrap();
        assert_eq!(v.domain(), &Domain::Choice { options: vec![json!("terse"), json!("verbose")] });
        v.set_json(json!("verbose")).unwrap();
        assert_eq!(v.get(), Style::Verbose);
        assert!(reason(Variable::variants(3u8)).contains("not an enum"));
        let explicit = Variable::choice([Style::Verbose], Style::Verbose).unwrap();
        assert_eq!(explicit.default_json(), json!("verbose"));
    }

    #[test]
    fn check_json_names_the_variable_and_the_type() {
        let v = Variable::<u8>::int(0, 200, 1, 0).unwrap();
        let err = v.check_json("x.n", &json!(1.5)).unwrap_err().to_string();
        assert_eq!(err, "variable `x.n`: expected an integer, got 1.5");
    }
}
