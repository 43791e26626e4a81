// Optimizers deep-copy programs: a program must be `Clone`.
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
struct Rag {
    answer: Predict<QA>,
}

impl Module for Rag {
    type Input = String;
    type Output = String;
    async fn forward(&self, question: String) -> cognate::Result<String> {
        Ok(self.answer.forward(QAInput { question }).await?.answer)
    }
}

fn main() {}
