//! [`KNNFewShot`]: at each call, demos bootstrapped from the training examples nearest to the
//! input (DSPy's `dspy.KNNFewShot`), and [`Knn`], the nearest-neighbour retriever behind it
//! (DSPy's `dspy.KNN`).

use std::sync::Arc;

use cognate_core::{Example, LmError, Values};
use cognate_eval::Metric;
use cognate_runtime::program::{Component, Visitor, VisitorMut};
use cognate_runtime::{Module, Program};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::embed::{Embedder, normalize};
use crate::{BootstrapFewShot, Error, Result};

/// The `k` training examples most similar to a query, by cosine similarity of their
/// embedded inputs.
///
/// As in DSPy, an example is embedded as its input fields `key: value` joined with ` | `
/// (strings as they are, other values as JSON), and a query as its fields the same way.
/// Vectors are L2-normalized here, so the dot product DSPy takes is a cosine whatever the
/// embedder (DSPy relies on the embedder normalizing). The nearest come first; ties go to the
/// later training example, as DSPy's `argsort()[-k:][::-1]` does.
///
/// ```
/// use cognate_core::{Example, Values};
/// use cognate_optimize::embed::HashingEmbedder;
/// use cognate_optimize::knn::Knn;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> cognate_optimize::Result<()> {
/// let trainset: Vec<Example> = ["capital of France", "legs of a spider", "capital of Peru"]
///     .iter()
///     .map(|q| Example::default().with("question", *q).with_inputs(["question"]))
///     .collect();
/// let knn = Knn::new(2, trainset, HashingEmbedder::default()).await?;
/// let mut query = Values::new();
/// query.insert("question".into(), "What is the capital of Spain?".into());
/// let nearest = knn.nearest(&query).await?;
/// assert!(nearest.iter().all(|e| e.get("question").unwrap().as_str().unwrap().starts_with("capital")));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Knn<E> {
    k: usize,
    trainset: Vec<Example>,
    vectors: Vec<Vec<f32>>,
    embedder: E,
}

/// `key: value | key: value` for the given fields.
fn render<'a>(fields: impl Iterator<Item = (&'a String, &'a serde_json::Value)>) -> String {
    fields
        .map(|(key, value)| match value {
            serde_json::Value::String(s) => format!("{key}: {s}"),
            other => format!("{key}: {other}"),
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

impl<E: Embedder> Knn<E> {
    /// Embeds the input fields of every training example.
    ///
    /// # Errors
    /// [`Error::Program`] when the embedder fails; [`Error::Config`] when it returns the
    /// wrong number of vectors.
    pub async fn new(k: usize, trainset: Vec<Example>, embedder: E) -> Result<Self> {
        let texts: Vec<String> = trainset.iter().map(|e| render(e.inputs().iter())).collect();
        let mut vectors = embedder.embed(&texts).await?;
        if vectors.len() != texts.len() {
            return Err(Error::Config(format!(
                "the embedder returned {} vectors for {} texts",
                vectors.len(),
                texts.len()
            )));
        }
        vectors.iter_mut().for_each(|v| normalize(v));
        Ok(Knn { k, trainset, vectors, embedder })
    }

    /// How many neighbours [`nearest`](Self::nearest) returns (at most).
    pub fn k(&self) -> usize {
        self.k
    }

    /// The training examples.
    pub fn trainset(&self) -> &[Example] {
        &self.trainset
    }

    /// The `k` training examples nearest to the query `fields`, nearest first.
    ///
    /// # Errors
    /// [`Error::Program`] when the embedder fails.
    pub async fn nearest(&self, fields: &Values) -> Result<Vec<Example>> {
        let query = self.embedder.embed(&[render(fields.iter())]).await?;
        let mut query =
            query.into_iter().next().ok_or_else(|| Error::Config("the embedder returned no vector".into()))?;
        normalize(&mut query);
        Ok(self.nearest_indices(&query).into_iter().map(|i| self.trainset[i].clone()).collect())
    }

    /// The indices of the `k` training vectors with the highest dot product with `query`.
    pub fn nearest_indices(&self, query: &[f32]) -> Vec<usize> {
        let scores: Vec<f32> = self.vectors.iter().map(|v| v.iter().zip(query).map(|(a, b)| a * b).sum()).collect();
        let mut order: Vec<usize> = (0..scores.len()).collect();
        // Ascending and stable, then the last k reversed: ties go to the later example.
        order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
        order.into_iter().rev().take(self.k).collect()
    }
}

/// DSPy's `KNNFewShot`: compiles a student into a [`KnnFewShotProgram`] that, at each call,
/// finds the `k` training examples nearest to the input ([`Knn`]), runs
/// [`BootstrapFewShot`] (configured as given: DSPy's `**few_shot_bootstrap_args`) with them as
/// the training set, and runs the compiled student on the input.
///
/// Each call therefore makes the bootstrap's teacher calls (up to one per neighbour and
/// round) before the answer; use [`LabeledFewShot`](crate::LabeledFewShot)-like settings
/// (`max_bootstrapped_demos = 0`) to attach the neighbours as labeled demos without LM calls.
///
/// ```
/// use cognate_core::{Example, Prediction};
/// use cognate_optimize::BootstrapFewShot;
/// use cognate_optimize::embed::HashingEmbedder;
/// use cognate_optimize::knn::KNNFewShot;
///
/// let metric = |e: &Example, p: &Prediction| e.get("answer") == p.get("answer");
/// let trainset = vec![Example::default().with("question", "2 + 2?").with("answer", "4").with_inputs(["question"])];
/// let knn = KNNFewShot::new(3, trainset, HashingEmbedder::default(), BootstrapFewShot::new(metric));
/// assert_eq!(knn.k(), 3);
/// ```
#[derive(Debug)]
pub struct KNNFewShot<Me, E> {
    k: usize,
    trainset: Vec<Example>,
    embedder: E,
    bootstrap: BootstrapFewShot<Me>,
}

impl<Me: Metric, E: Embedder> KNNFewShot<Me, E> {
    /// `k` neighbours from `trainset` by `embedder`, bootstrapped with `bootstrap`.
    pub fn new(k: usize, trainset: Vec<Example>, embedder: E, bootstrap: BootstrapFewShot<Me>) -> Self {
        KNNFewShot { k, trainset, embedder, bootstrap }
    }

    /// The number of neighbours.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Embeds the training set and wraps `student` (DSPy: a reset copy whose `forward`
    /// bootstraps per call; the bootstrap compiles the original `student`).
    ///
    /// # Errors
    /// When embedding the training set fails.
    pub async fn compile<P: Program>(self, student: &P) -> Result<KnnFewShotProgram<P, Me, E>> {
        self.build(student, None).await
    }

    /// As [`compile`](Self::compile), bootstrapping with `teacher`.
    ///
    /// # Errors
    /// As [`compile`](Self::compile).
    pub async fn compile_with_teacher<P: Program>(
        self,
        student: &P,
        teacher: &P,
    ) -> Result<KnnFewShotProgram<P, Me, E>> {
        self.build(student, Some(teacher)).await
    }

    async fn build<P: Program>(self, student: &P, teacher: Option<&P>) -> Result<KnnFewShotProgram<P, Me, E>> {
        let knn = Knn::new(self.k, self.trainset, self.embedder).await?;
        Ok(KnnFewShotProgram {
            student: student.clone(),
            shown: crate::reset_copy(student),
            teacher: teacher.cloned(),
            inner: Arc::new(Inner { knn, bootstrap: self.bootstrap }),
        })
    }
}

struct Inner<Me, E> {
    knn: Knn<E>,
    bootstrap: BootstrapFewShot<Me>,
}

/// The program [`KNNFewShot`] compiles: a module that bootstraps demos from the input's
/// nearest training examples at each call. As a [`Component`] it shows the student's reset
/// copy (no demos), as DSPy's compiled program does between calls.
pub struct KnnFewShotProgram<P, Me, E> {
    student: P,
    shown: P,
    teacher: Option<P>,
    inner: Arc<Inner<Me, E>>,
}

impl<P: Clone, Me, E> Clone for KnnFewShotProgram<P, Me, E> {
    fn clone(&self) -> Self {
        KnnFewShotProgram {
            student: self.student.clone(),
            shown: self.shown.clone(),
            teacher: self.teacher.clone(),
            inner: self.inner.clone(),
        }
    }
}

impl<P, Me, E> std::fmt::Debug for KnnFewShotProgram<P, Me, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnnFewShotProgram")
            .field("k", &self.inner.knn.k)
            .field("trainset", &self.inner.knn.trainset.len())
            .field("bootstrap", &self.inner.bootstrap)
            .finish_non_exhaustive()
    }
}

impl<P, Me, E> KnnFewShotProgram<P, Me, E>
where
    P: Program,
    P::Input: Serialize + DeserializeOwned,
    P::Output: Serialize,
    Me: Metric,
    E: Embedder,
{
    /// The retriever.
    pub fn knn(&self) -> &Knn<E> {
        &self.inner.knn
    }

    /// The student compiled for an input with these `fields`: [`BootstrapFewShot`] over its
    /// nearest examples.
    ///
    /// # Errors
    /// When the embedder fails or bootstrapping fails.
    pub async fn compile_for(&self, fields: &Values) -> Result<P> {
        let neighbours = self.inner.knn.nearest(fields).await?;
        let optimized = match &self.teacher {
            Some(teacher) => self.inner.bootstrap.compile_with_teacher(&self.student, teacher, &neighbours).await?,
            None => self.inner.bootstrap.compile(&self.student, &neighbours).await?,
        };
        Ok(optimized.program)
    }
}

impl<P, Me, E> Module for KnnFewShotProgram<P, Me, E>
where
    P: Program,
    P::Input: Serialize + DeserializeOwned,
    P::Output: Serialize,
    Me: Metric + 'static,
    E: Embedder + 'static,
{
    type Input = P::Input;
    type Output = P::Output;

    async fn forward(&self, input: P::Input) -> cognate_runtime::Result<P::Output> {
        let fields = cognate_core::to_values(&input, std::any::type_name::<P::Input>())?;
        let compiled = self.compile_for(&fields).await.map_err(into_program_error)?;
        compiled.call(input).await
    }
}

impl<P: Component, Me, E> Component for KnnFewShotProgram<P, Me, E> {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        self.shown.visit(path, visitor);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        self.shown.visit_mut(path, visitor);
    }
}

/// An optimizer error as a program error: the underlying program or LM error when there is
/// one, else the message.
fn into_program_error(error: Error) -> cognate_runtime::Error {
    match error {
        Error::Program(e) => e,
        Error::TooManyErrors { last, .. } => last,
        // The caller (an evaluation, an optimizer) stops on the budget's own error.
        Error::BudgetExceeded { limit, .. } => LmError::BudgetExceeded { limit }.into(),
        other => LmError::Other(format!("knn few-shot: {other}")).into(),
    }
}

#[cfg(test)]
mod tests {
    use cognate_core::BudgetLimit;

    use super::*;
    use crate::partial::PartialOptimization;

    /// A budget that stops the per-input bootstrap stops the caller too: the program's error
    /// is the LM's own `BudgetExceeded`, which Evaluate and the optimizers stop on.
    #[test]
    fn a_spent_budget_stays_a_budget_error_for_the_caller() {
        let limit = BudgetLimit::Calls { spent: 4, max: 4 };
        let error = Error::BudgetExceeded {
            optimizer: "BootstrapFewShot",
            limit,
            stopped_at: "bootstrap/1/0".into(),
            partial: Box::new(PartialOptimization::new(crate::OptimizationReport::new("BootstrapFewShot"))),
        };
        assert_eq!(into_program_error(error).budget_limit(), Some(limit));
    }
}
