// Two components cannot share a name: `answer.predict` must name one predictor.
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
struct Twice {
    answer: ChainOfThought<QA>,
    #[component(rename = "answer")]
    second: ChainOfThought<QA>,
}

impl Module for Twice {
    type Input = ();
    type Output = ();
    async fn forward(&self, _: ()) -> cognate::Result<()> {
        Ok(())
    }
}

fn main() {}
