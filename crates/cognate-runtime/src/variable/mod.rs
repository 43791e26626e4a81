//! Variables: the tunable knobs of a program, and what optimizers search over.
//!
//! - [`Variable<T>`]: a typed value with a default and a [`Domain`] (float or int range,
//!   bool, choice). Declare one with `cognate::variable!` (checked at compile time) or with
//!   its constructors ([`Variable::float`], [`Variable::int`], ...).
//! - [`ModuleChoice`] and [`ReasoningStrategy`]: alternative modules behind one interface,
//!   with a variable choosing which runs.
//! - [`Derived<T>`]: a value computed from other variables; [`Constraint`] /
//!   [`Constraints`]: named predicates a configuration must satisfy.
//! - [`SearchSpace`]: every variable of a program (declared ones plus each predictor's
//!   built-in `instructions`, `demos`, `lm`, `adapter` and `temperature`), with validation,
//!   seeded sampling, grids and [`SearchSpace::apply`].
//!
//! ```
//! use cognate_runtime::variable::{Configuration, SearchSpace, SeededRng, Variable};
//! use cognate_runtime::{Component, Visitor, VisitorMut};
//!
//! struct Knobs {
//!     hops: Variable<u32>,
//! }
//! impl Component for Knobs {
//!     fn visit<'a>(&'a self, path: &str, v: &mut dyn Visitor<'a>) {
//!         self.hops.visit(&cognate_runtime::program::child_path(path, "hops"), v);
//!     }
//!     fn visit_mut<'a>(&'a mut self, path: &str, v: &mut dyn VisitorMut<'a>) {
//!         self.hops.visit_mut(&cognate_runtime::program::child_path(path, "hops"), v);
//!     }
//! }
//!
//! let mut program = Knobs { hops: Variable::int(1, 4, 1, 2).unwrap() };
//! let space = SearchSpace::of(&program);
//! let config = space.sample(&mut SeededRng::new(7)).unwrap();
//! space.apply(&config, &mut program).unwrap();
//! assert_eq!(serde_json::json!(program.hops.get()), config["hops"]);
//!
//! let bad: Configuration = serde_json::from_str(r#"{"hops": 9}"#).unwrap();
//! assert!(space.validate(&bad).is_err());
//! ```

mod choice;
mod config;
mod constraint;
mod derived;
mod domain;
mod space;
mod value;

use serde_json::Value;

pub use choice::{ModuleChoice, ReasoningStrategy};
pub use cognate_core::rng::{RandomSource, SeededRng};
pub use config::Configuration;
pub use constraint::{Constraint, Constraints};
pub use derived::{Derived, Deriver, Scope};
pub use domain::Domain;
pub use space::{Grid, SearchSpace, SpaceDescription, VariableDescription};
pub use value::{FloatValue, IntValue, Variable, VariableValue};

#[doc(hidden)]
pub use value::expect_declared;

/// A variable seen through the program walk, whatever its Rust type.
pub trait DynVariable: Send + Sync + std::fmt::Debug {
    /// Its domain.
    fn domain(&self) -> &Domain;
    /// Its current value as JSON.
    fn value_json(&self) -> Value;
    /// Its default value as JSON.
    fn default_json(&self) -> Value;
    /// Sets its value from JSON.
    ///
    /// # Errors
    /// [`Error::Variable`](crate::Error::Variable) if the value is outside the domain or of the wrong type.
    fn set_json(&mut self, value: Value) -> crate::Result<()>;
    /// Checks a value without setting it: `Ok` means [`DynVariable::set_json`] will accept it.
    /// The default checks the domain only; `name` goes into the error.
    ///
    /// # Errors
    /// [`Error::Variable`](crate::Error::Variable) naming `name` and what is wrong.
    fn check_json(&self, name: &str, value: &Value) -> crate::Result<()> {
        self.domain().check(value).map_err(|reason| crate::Error::Variable { name: name.to_string(), reason })
    }
    /// For a derived variable, the function computing its value from the others.
    fn deriver(&self) -> Option<Deriver> {
        None
    }
}

/// The path of the struct holding the part at `path`: `a.b` → `a`, `a[2]` → `a`, `a` → ``.
pub(crate) fn parent_path(path: &str) -> &str {
    match path.rfind(['.', '[']) {
        Some(i) => &path[..i],
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::parent_path;

    #[test]
    fn parent_paths() {
        assert_eq!(parent_path("hops"), "");
        assert_eq!(parent_path("a.b"), "a");
        assert_eq!(parent_path("a.b.c"), "a.b");
        assert_eq!(parent_path("hops[2]"), "hops");
        assert_eq!(parent_path(""), "");
    }
}
