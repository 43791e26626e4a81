// `#[component(...)]` only knows `rename`.
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
    #[component(name = "generate", rename = "generate_answer")]
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
