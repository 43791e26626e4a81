//! Module choice: alternative modules with the same input and output behind one interface,
//! and a variable selecting the one that runs.

use futures::future::BoxFuture;

use super::{Variable, domain::Domain};
use crate::chain_of_thought::ChainOfThought;
use crate::module::Module;
use crate::predict::Predict;
use crate::program::{Component, Visitor, VisitorMut, child_path};
use crate::{Error, Result};
use cognate_core::Signature;

/// One alternative, type-erased: a module whose output is mapped to the common output.
trait Alternative<I, O>: Send + Sync {
    fn forward_boxed(&self, input: I) -> BoxFuture<'_, Result<O>>;
    fn component(&self) -> &dyn Component;
    fn component_mut(&mut self) -> &mut dyn Component;
    fn clone_box(&self) -> Box<dyn Alternative<I, O>>;
}

struct Mapped<M, F> {
    module: M,
    map: F,
}

impl<M, F, O> Alternative<M::Input, O> for Mapped<M, F>
where
    M: Module + Component + Clone + 'static,
    F: Fn(M::Output) -> O + Clone + Send + Sync + 'static,
    O: Send + 'static,
{
    fn forward_boxed(&self, input: M::Input) -> BoxFuture<'_, Result<O>> {
        Box::pin(async move { self.module.forward(input).await.map(&self.map) })
    }
    fn component(&self) -> &dyn Component {
        &self.module
    }
    fn component_mut(&mut self) -> &mut dyn Component {
        &mut self.module
    }
    fn clone_box(&self) -> Box<dyn Alternative<M::Input, O>> {
        Box::new(Mapped { module: self.module.clone(), map: self.map.clone() })
    }
}

/// Named alternative modules taking `I` and returning `O`, one of them selected by a
/// variable with [`Domain::Module`]. It is a [`Module`] (running the selected alternative)
/// and a [`Component`]:
///
/// - the choice variable is visited at the field's own path (`strategy`; `choice` at the
///   root), its value the selected alternative's name;
/// - every alternative (selected or not) is visited at `<path>.<name>`, so a `Predict`
///   named `predict` is the predictor `strategy.predict` and a `ChainOfThought` named
///   `chain_of_thought` is `strategy.chain_of_thought.predict`. Saved state and optimizers
///   cover all of them.
///
/// The first alternative added is the default. See [`ReasoningStrategy`] for the common
/// Predict-or-ChainOfThought choice.
pub struct ModuleChoice<I, O> {
    alternatives: Vec<(String, Box<dyn Alternative<I, O>>)>,
    choice: Variable<String>,
}

impl<I: Send + 'static, O: Send + 'static> Default for ModuleChoice<I, O> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I: Send + 'static, O: Send + 'static> ModuleChoice<I, O> {
    /// A choice with no alternatives yet (running it is an error until one is added).
    pub fn new() -> Self {
        ModuleChoice {
            alternatives: Vec::new(),
            choice: Variable::unchecked(Domain::Module { options: Vec::new() }, String::new()),
        }
    }

    /// Adds the alternative `name`, a module returning `O`.
    ///
    /// # Panics
    /// If `name` is empty or already taken (a programming error in the program's constructor).
    #[must_use]
    pub fn with<M>(self, name: &str, module: M) -> Self
    where
        M: Module<Input = I, Output = O> + Component + Clone + 'static,
    {
        self.with_mapped(name, module, |o| o)
    }

    /// Adds the alternative `name`, a module whose output `map` turns into `O` (e.g. a
    /// `ChainOfThought`'s `WithReasoning<T>` into `T`).
    ///
    /// # Panics
    /// As [`ModuleChoice::with`].
    #[must_use]
    pub fn with_mapped<M, F>(mut self, name: &str, module: M, map: F) -> Self
    where
        M: Module<Input = I> + Component + Clone + 'static,
        F: Fn(M::Output) -> O + Clone + Send + Sync + 'static,
    {
        assert!(!name.is_empty(), "a module choice alternative needs a name");
        assert!(self.alternatives.iter().all(|(n, _)| n != name), "module choice alternative `{name}` added twice");
        self.alternatives.push((name.to_string(), Box::new(Mapped { module, map })));
        let default = if self.alternatives.len() == 1 { name.to_string() } else { self.choice.default_value().clone() };
        self.rebuild_choice(default, self.choice.get());
        self
    }

    /// Makes `name` the default (and current) alternative.
    ///
    /// # Panics
    /// If there is no alternative `name`.
    #[must_use]
    pub fn with_default(mut self, name: &str) -> Self {
        assert!(self.names().any(|n| n == name), "module choice has no alternative `{name}`");
        self.rebuild_choice(name.to_string(), name.to_string());
        self
    }

    fn rebuild_choice(&mut self, default: String, current: String) {
        let options = self.names().map(String::from).collect();
        // Names are unique and `default` is one of them, so the domain is well formed.
        let mut choice = Variable::unchecked(Domain::Module { options }, default);
        let _ = choice.set(current);
        self.choice = choice;
    }

    /// The alternatives' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.alternatives.iter().map(|(n, _)| n.as_str())
    }

    /// The selected alternative's name.
    pub fn selected(&self) -> &str {
        self.choice.value()
    }

    /// Selects the alternative `name`.
    ///
    /// # Errors
    /// [`Error::Variable`] if there is no such alternative.
    pub fn select(&mut self, name: &str) -> Result<()> {
        self.choice.set(name.to_string())
    }

    /// The choice variable.
    pub fn variable(&self) -> &Variable<String> {
        &self.choice
    }

    /// The alternative `name` as a component (to inspect its predictors).
    pub fn alternative(&self, name: &str) -> Option<&dyn Component> {
        self.alternatives.iter().find(|(n, _)| n == name).map(|(_, a)| a.component())
    }

    /// The alternative `name` as a component, mutably.
    pub fn alternative_mut(&mut self, name: &str) -> Option<&mut dyn Component> {
        self.alternatives.iter_mut().find(|(n, _)| n == name).map(|(_, a)| a.component_mut())
    }
}

impl<I: Send + 'static, O: Send + 'static> Module for ModuleChoice<I, O> {
    type Input = I;
    type Output = O;

    async fn forward(&self, input: I) -> Result<O> {
        let selected = self.selected();
        match self.alternatives.iter().find(|(n, _)| n == selected) {
            Some((_, alternative)) => alternative.forward_boxed(input).await,
            None => Err(Error::Variable {
                name: "module choice".into(),
                reason: if self.alternatives.is_empty() {
                    "has no alternatives to run".into()
                } else {
                    format!("no alternative `{selected}` to run")
                },
            }),
        }
    }
}

impl<I: Send + 'static, O: Send + 'static> Component for ModuleChoice<I, O> {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        let var_path = if path.is_empty() { "choice" } else { path };
        visitor.variable(var_path, &self.choice);
        for (name, alternative) in &self.alternatives {
            alternative.component().visit(&child_path(path, name), visitor);
        }
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        let var_path = if path.is_empty() { "choice" } else { path };
        visitor.variable(var_path, &mut self.choice);
        for (name, alternative) in &mut self.alternatives {
            alternative.component_mut().visit_mut(&child_path(path, name), visitor);
        }
    }
}

impl<I, O> Clone for ModuleChoice<I, O> {
    fn clone(&self) -> Self {
        ModuleChoice {
            alternatives: self.alternatives.iter().map(|(n, a)| (n.clone(), a.clone_box())).collect(),
            choice: self.choice.clone(),
        }
    }
}

impl<I, O> std::fmt::Debug for ModuleChoice<I, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.alternatives.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ModuleChoice").field("alternatives", &names).field("selected", &self.choice.value()).finish()
    }
}

/// Predict or ChainOfThought for the same signature `S`, returning `S::Output` either way
/// (the chain of thought's reasoning is dropped). Alternatives `predict` (the default) and
/// `chain_of_thought`; the predictors are `<field>.predict` and
/// `<field>.chain_of_thought.predict`.
///
/// ```
/// # use cognate_core::{Signature, SignatureDesc};
/// # use std::sync::OnceLock;
/// # #[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
/// # struct QAInput { question: String }
/// # #[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
/// # struct QAOutput { answer: String }
/// # struct QA;
/// # impl Signature for QA {
/// #     type Input = QAInput;
/// #     type Output = QAOutput;
/// #     fn try_descriptor() -> cognate_core::Result<&'static SignatureDesc> {
/// #         static D: OnceLock<SignatureDesc> = OnceLock::new();
/// #         Ok(D.get_or_init(|| SignatureDesc::parse("question -> answer").unwrap()))
/// #     }
/// # }
/// use cognate_runtime::variable::{Domain, SearchSpace};
/// use cognate_runtime::{ComponentExt, ReasoningStrategy};
///
/// // As a `#[program]` field `strategy`; `forward` returns `QAOutput` either way.
/// let strategy = ReasoningStrategy::<QA>::new();
/// let paths: Vec<String> = strategy.named_predictors().into_iter().map(|(p, _)| p).collect();
/// assert_eq!(paths, ["predict", "chain_of_thought.predict"]); // `strategy.predict`, ... in a program
/// let space = SearchSpace::of(&strategy);
/// assert_eq!(space.domain("choice"), Some(&Domain::Module { options: vec!["predict".into(), "chain_of_thought".into()] }));
/// ```
pub struct ReasoningStrategy<S: Signature> {
    choice: ModuleChoice<S::Input, S::Output>,
}

impl<S: Signature> ReasoningStrategy<S> {
    /// The two alternatives, `predict` selected.
    pub fn new() -> Self {
        let choice = ModuleChoice::new().with("predict", Predict::<S>::new()).with_mapped(
            "chain_of_thought",
            ChainOfThought::<S>::new(),
            |r| r.output,
        );
        ReasoningStrategy { choice }
    }

    /// The two alternatives, `name` (`predict` or `chain_of_thought`) as the default.
    ///
    /// # Panics
    /// If `name` is neither.
    #[must_use]
    pub fn with_default(mut self, name: &str) -> Self {
        self.choice = self.choice.with_default(name);
        self
    }
}

impl<S: Signature> Default for ReasoningStrategy<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Signature> std::ops::Deref for ReasoningStrategy<S> {
    type Target = ModuleChoice<S::Input, S::Output>;
    fn deref(&self) -> &Self::Target {
        &self.choice
    }
}

impl<S: Signature> std::ops::DerefMut for ReasoningStrategy<S> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.choice
    }
}

impl<S: Signature> Clone for ReasoningStrategy<S> {
    fn clone(&self) -> Self {
        ReasoningStrategy { choice: self.choice.clone() }
    }
}

impl<S: Signature> std::fmt::Debug for ReasoningStrategy<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ReasoningStrategy").field(&self.choice).finish()
    }
}

impl<S: Signature> Module for ReasoningStrategy<S> {
    type Input = S::Input;
    type Output = S::Output;

    fn forward(&self, input: S::Input) -> impl Future<Output = Result<S::Output>> + Send {
        self.choice.forward(input)
    }
}

impl<S: Signature> Component for ReasoningStrategy<S> {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        self.choice.visit(path, visitor);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        self.choice.visit_mut(path, visitor);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ComponentExt;

    /// A module with no LM: returns its number (or its number as text).
    #[derive(Clone)]
    struct Const(u32);

    impl Module for Const {
        type Input = ();
        type Output = u32;
        async fn forward(&self, _: ()) -> Result<u32> {
            Ok(self.0)
        }
    }

    impl Component for Const {
        fn visit<'a>(&'a self, _: &str, _: &mut dyn Visitor<'a>) {}
        fn visit_mut<'a>(&'a mut self, _: &str, _: &mut dyn VisitorMut<'a>) {}
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    #[test]
    fn runs_the_selected_alternative() {
        let mut choice: ModuleChoice<(), String> = ModuleChoice::new()
            .with_mapped("one", Const(1), |n| n.to_string())
            .with_mapped("two", Const(2), |n| format!("{n}!"));
        assert_eq!(choice.selected(), "one");
        assert_eq!(block_on(choice.forward(())).unwrap(), "1");
        let copy = choice.clone();
        choice.select("two").unwrap();
        assert_eq!(block_on(choice.forward(())).unwrap(), "2!");
        assert_eq!(block_on(copy.forward(())).unwrap(), "1", "clones are independent");
        assert!(choice.select("three").is_err());
        assert_eq!(choice.selected(), "two");
        assert_eq!(format!("{choice:?}"), r#"ModuleChoice { alternatives: ["one", "two"], selected: "two" }"#);
        assert_eq!(choice.variable().default_value(), "one");
        assert!(choice.alternative("two").is_some() && choice.alternative("three").is_none());
    }

    #[test]
    fn the_choice_is_a_variable_at_the_field_path() {
        let choice = ModuleChoice::<(), u32>::new().with("a", Const(1)).with("b", Const(2)).with_default("b");
        let vars = choice.named_variables();
        assert_eq!(vars.len(), 1);
        assert_eq!(vars[0].0, "choice");
        assert_eq!(vars[0].1.value_json(), serde_json::json!("b"));
        assert_eq!(vars[0].1.domain(), &Domain::Module { options: vec!["a".into(), "b".into()] });
    }

    #[test]
    fn an_empty_choice_is_an_error_to_run() {
        let empty = ModuleChoice::<(), u32>::new();
        let err = block_on(empty.forward(())).unwrap_err().to_string();
        assert_eq!(err, "variable `module choice`: has no alternatives to run");
    }

    #[test]
    #[should_panic(expected = "module choice alternative `a` added twice")]
    fn duplicate_names_panic() {
        let _ = ModuleChoice::<(), u32>::new().with("a", Const(1)).with("a", Const(2));
    }
}
