//! [`Component`]: the parts of a program an optimizer can see — predictors and variables —
//! found by walking the program with a [`Visitor`].

use crate::chain_of_thought::ChainOfThought;
use crate::predict::Predict;
use crate::predictor::Predictor;
use crate::variable::DynVariable;
use cognate_core::Signature;

/// Reads the parts of a program. Every method has an empty default.
///
/// Paths are DSPy's: fields joined with `.`, list items as `name[i]`, so a
/// `ChainOfThought` in field `generate_answer` is the predictor `generate_answer.predict`.
pub trait Visitor<'a> {
    /// A predictor at `path`.
    fn predictor(&mut self, path: &str, predictor: &'a Predictor) {
        let _ = (path, predictor);
    }
    /// A variable at `path`.
    fn variable(&mut self, path: &str, variable: &'a dyn DynVariable) {
        let _ = (path, variable);
    }
    /// A constraint in the field at `path`; it reads the variables of the struct holding
    /// that field (see [`Constraint`](crate::variable::Constraint)).
    fn constraint(&mut self, path: &str, constraint: &'a crate::variable::Constraint) {
        let _ = (path, constraint);
    }
    /// Entering a sub-program (or module) of type `type_name` at `path` (`""` for the root).
    fn enter(&mut self, path: &str, type_name: &'static str) {
        let _ = (path, type_name);
    }
    /// Leaving what [`Visitor::enter`] entered.
    fn exit(&mut self, path: &str) {
        let _ = path;
    }
}

/// Changes the parts of a program. Every method has an empty default.
pub trait VisitorMut<'a> {
    /// A predictor at `path`.
    fn predictor(&mut self, path: &str, predictor: &'a mut Predictor) {
        let _ = (path, predictor);
    }
    /// A variable at `path`.
    fn variable(&mut self, path: &str, variable: &'a mut dyn DynVariable) {
        let _ = (path, variable);
    }
}

/// A part of a program: a module, a variable, a sub-program, or a collection of them.
/// `#[program]` implements it for program structs by visiting each field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a field of a `#[program]`",
    label = "not a module, a variable or a program",
    note = "fields of a `#[program]` must be modules (`Predict`, `ChainOfThought`, ...), `Variable`s, other programs, or be marked `#[skip]`"
)]
pub trait Component {
    /// Shows every predictor and variable under `path` to `visitor`.
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>);
    /// Hands every predictor and variable under `path` to `visitor`, mutably.
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>);
}

/// `parent.name`, or `name` at the root.
pub fn child_path(parent: &str, name: &str) -> String {
    if parent.is_empty() { name.to_string() } else { format!("{parent}.{name}") }
}

/// `parent[index]`.
pub fn index_path(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// The name of a predictor visited at the root (DSPy calls it `self`).
fn root_name(path: &str) -> &str {
    if path.is_empty() { "self" } else { path }
}

impl Component for Predictor {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        visitor.predictor(root_name(path), self);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        visitor.predictor(root_name(path), self);
    }
}

impl<S: Signature> Component for Predict<S> {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        self.predictor().visit(path, visitor);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        self.predictor_mut().visit_mut(path, visitor);
    }
}

/// Like DSPy, a `ChainOfThought` in field `f` holds the predictor `f.predict`.
impl<S: Signature> Component for ChainOfThought<S> {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        visitor.predictor(&child_path(path, "predict"), self.predictor());
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        visitor.predictor(&child_path(path, "predict"), self.predictor_mut());
    }
}

impl<T: Component> Component for Vec<T> {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        for (i, item) in self.iter().enumerate() {
            item.visit(&index_path(path, i), visitor);
        }
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        for (i, item) in self.iter_mut().enumerate() {
            item.visit_mut(&index_path(path, i), visitor);
        }
    }
}

impl<T: Component> Component for Option<T> {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        if let Some(item) = self {
            item.visit(path, visitor);
        }
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        if let Some(item) = self {
            item.visit_mut(path, visitor);
        }
    }
}

impl<T: Component + ?Sized> Component for Box<T> {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        (**self).visit(path, visitor);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        (**self).visit_mut(path, visitor);
    }
}

/// `parent['key']`, DSPy's path of a dict item.
pub fn key_path(parent: &str, key: &str) -> String {
    format!("{parent}['{key}']")
}

/// Like a DSPy dict attribute: each item at `name['key']`, in key order.
impl<T: Component> Component for std::collections::BTreeMap<String, T> {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        for (key, item) in self {
            item.visit(&key_path(path, key), visitor);
        }
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        for (key, item) in self.iter_mut() {
            item.visit_mut(&key_path(path, key), visitor);
        }
    }
}

/// Like a DSPy tuple attribute: each element at `name[i]`.
macro_rules! tuple_component {
    ($($name:ident $index:tt),+) => {
        impl<$($name: Component),+> Component for ($($name,)+) {
            fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
                $(self.$index.visit(&index_path(path, $index), visitor);)+
            }
            fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
                $(self.$index.visit_mut(&index_path(path, $index), visitor);)+
            }
        }
    };
}
tuple_component!(A 0, B 1);
tuple_component!(A 0, B 1, C 2);
tuple_component!(A 0, B 1, C 2, D 3);

/// Read access to a program's parts, for every [`Component`].
pub trait ComponentExt: Component {
    /// Every predictor with its path, in field order.
    fn named_predictors(&self) -> Vec<(String, &Predictor)> {
        struct Collect<'a>(Vec<(String, &'a Predictor)>);
        impl<'a> Visitor<'a> for Collect<'a> {
            fn predictor(&mut self, path: &str, predictor: &'a Predictor) {
                self.0.push((path.to_string(), predictor));
            }
        }
        let mut c = Collect(Vec::new());
        self.visit("", &mut c);
        c.0
    }

    /// Every predictor with its path, mutably.
    fn named_predictors_mut(&mut self) -> Vec<(String, &mut Predictor)> {
        struct Collect<'a>(Vec<(String, &'a mut Predictor)>);
        impl<'a> VisitorMut<'a> for Collect<'a> {
            fn predictor(&mut self, path: &str, predictor: &'a mut Predictor) {
                self.0.push((path.to_string(), predictor));
            }
        }
        let mut c = Collect(Vec::new());
        self.visit_mut("", &mut c);
        c.0
    }

    /// Every declared variable with its path (predictors' built-in variables are not included;
    /// see the search space).
    fn named_variables(&self) -> Vec<(String, &dyn DynVariable)> {
        struct Collect<'a>(Vec<(String, &'a dyn DynVariable)>);
        impl<'a> Visitor<'a> for Collect<'a> {
            fn variable(&mut self, path: &str, variable: &'a dyn DynVariable) {
                self.0.push((path.to_string(), variable));
            }
        }
        let mut c = Collect(Vec::new());
        self.visit("", &mut c);
        c.0
    }

    /// Every declared variable with its path, mutably.
    fn named_variables_mut(&mut self) -> Vec<(String, &mut dyn DynVariable)> {
        struct Collect<'a>(Vec<(String, &'a mut dyn DynVariable)>);
        impl<'a> VisitorMut<'a> for Collect<'a> {
            fn variable(&mut self, path: &str, variable: &'a mut dyn DynVariable) {
                self.0.push((path.to_string(), variable));
            }
        }
        let mut c = Collect(Vec::new());
        self.visit_mut("", &mut c);
        c.0
    }
}

impl<T: Component + ?Sized> ComponentExt for T {}
