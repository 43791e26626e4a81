//! [`Constraint`]: a named predicate over a configuration, e.g. `hops * 256 <= max_tokens`.

use std::sync::Arc;

use crate::Result;

use super::{Configuration, Scope};
use crate::program::{Component, Visitor, VisitorMut};

type Check = Arc<dyn Fn(&Scope<'_>) -> Result<bool> + Send + Sync>;

/// A named predicate every configuration of the search space must satisfy.
///
/// Put one (or a [`Constraints`] list) in a program field; it reads variables through a
/// [`Scope`] rooted at the struct holding the field, like [`Derived`](super::Derived):
///
/// ```
/// use cognate_runtime::variable::{Constraint, Constraints};
///
/// let constraints = Constraints::new()
///     .with(Constraint::new("budget", |s| Ok(s.get::<u32>("hops")? * 256 <= s.get::<u32>("max_tokens")?)));
/// assert_eq!(constraints.iter().next().unwrap().name(), "budget");
/// ```
///
/// A configuration that breaks it fails [`SearchSpace::validate`](super::SearchSpace::validate)
/// with `Error::Variable { name: "<scope>.budget", reason: "constraint violated ..." }`.
#[derive(Clone)]
pub struct Constraint {
    name: String,
    check: Check,
}

impl Constraint {
    /// A constraint called `name` (unique within its struct), holding when `check` is `Ok(true)`.
    pub fn new<F>(name: impl Into<String>, check: F) -> Self
    where
        F: Fn(&Scope<'_>) -> Result<bool> + Send + Sync + 'static,
    {
        Constraint { name: name.into(), check: Arc::new(check) }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether `config`, seen from `prefix`, satisfies it.
    ///
    /// # Errors
    /// What the predicate returns (e.g. a variable it reads is missing).
    pub fn holds(&self, config: &Configuration, prefix: &str) -> Result<bool> {
        (self.check)(&Scope::new(config, prefix))
    }
}

impl std::fmt::Debug for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Constraint").field("name", &self.name).finish_non_exhaustive()
    }
}

/// A constraint field is visited at its own path; its scope is the struct holding it.
impl Component for Constraint {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        visitor.constraint(path, self);
    }
    fn visit_mut<'a>(&'a mut self, _path: &str, _visitor: &mut dyn VisitorMut<'a>) {}
}

/// A list of [`Constraint`]s in one program field (typically `constraints`).
#[derive(Debug, Clone, Default)]
pub struct Constraints(Vec<Constraint>);

impl Constraints {
    /// No constraints.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a constraint.
    #[must_use]
    pub fn with(mut self, constraint: Constraint) -> Self {
        self.0.push(constraint);
        self
    }

    /// The constraints, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Constraint> {
        self.0.iter()
    }
}

impl FromIterator<Constraint> for Constraints {
    fn from_iter<I: IntoIterator<Item = Constraint>>(iter: I) -> Self {
        Constraints(iter.into_iter().collect())
    }
}

/// Every constraint is visited at the field's path (so they share the field's scope).
impl Component for Constraints {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        for c in &self.0 {
            visitor.constraint(path, c);
        }
    }
    fn visit_mut<'a>(&'a mut self, _path: &str, _visitor: &mut dyn VisitorMut<'a>) {}
}
