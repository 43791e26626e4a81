// Optimizers take programs: a struct without `#[program]` is not one, even with a `forward`.
// (A bare `Predict<QA>` would do: the built-in modules are programs.)
use cognate::core::{Example, Prediction};
use cognate::optimize::BootstrapFewShot;
use cognate::prelude::*;

/// Answer.
#[signature]
struct QA {
    #[input]
    question: String,
    #[output]
    answer: String,
}

#[derive(Clone)]
struct Rag {
    answer: Predict<QA>,
}

impl Module for Rag {
    type Input = QAInput;
    type Output = QAOutput;
    async fn forward(&self, input: QAInput) -> cognate::Result<QAOutput> {
        self.answer.forward(input).await
    }
}

async fn compile(rag: Rag) {
    let optimizer = BootstrapFewShot::new(|_: &Example, _: &Prediction| true);
    let _ = optimizer.compile(&rag, &[]).await;
}

fn main() {
    drop(compile);
}
