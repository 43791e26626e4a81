//! Optimizers for Cognate: DSPy's few-shot optimizers ([`LabeledFewShot`],
//! [`BootstrapFewShot`], [`BootstrapFewShotWithRandomSearch`]), [`Ensemble`], and the shared
//! [`OptimizationReport`] and [`Checkpoint`].
//!
//! ```
//! use cognate_core::{Example, SignatureDesc};
//! use cognate_optimize::LabeledFewShot;
//! use cognate_runtime::Predictor;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> cognate_optimize::Result<()> {
//! let trainset: Vec<Example> = (1..=20)
//!     .map(|i| Example::default().with("question", format!("{i} + {i}?")).with("answer", 2 * i).with_inputs(["question"]))
//!     .collect();
//! let student = Predictor::new(SignatureDesc::parse("question -> answer").unwrap());
//! let compiled = LabeledFewShot::new().with_k(4).compile(&student, &trainset).await?;
//! assert_eq!(compiled.program.demos.len(), 4);
//! println!("{}", compiled.report);
//! # Ok(()) }
//! ```
//!
//! See `docs/optimizers.md` for a guide.

pub mod bootstrap;
pub mod checkpoint;
pub mod embed;
pub mod ensemble;
mod error;
pub mod knn;
pub mod labeled;
pub mod partial;
pub mod program;
pub mod pyrandom;
pub mod random_search;
pub mod report;
pub mod search;

pub use bootstrap::BootstrapFewShot;
pub use checkpoint::Checkpoint;
pub use ensemble::{Ensemble, EnsembledProgram};
pub use error::{Error, Result};
pub use knn::KNNFewShot;
pub use labeled::LabeledFewShot;
pub use partial::PartialOptimization;
pub use program::{DemoSets, Optimized, demos_of, reset_copy, set_demos};
pub use random_search::BootstrapFewShotWithRandomSearch;
pub use report::{OptimizationReport, Trial};
pub use search::VariableSearch;
