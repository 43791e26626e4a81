// A rename is a Python attribute name: DSPy paths join names with `.`.
use cognate::prelude::*;

/// Answer.
#[signature]
struct QA {
    #[input]
    question: String,
    #[output]
    answer: String,
}

#[program]
#[derive(Clone)]
struct Rag {
    #[component(rename = "generate.answer")]
    answer: Predict<QA>,
}

impl Module for Rag {
    type Input = ();
    type Output = ();
    async fn forward(&self, _: ()) -> cognate::Result<()> {
        Ok(())
    }
}

fn main() {}
