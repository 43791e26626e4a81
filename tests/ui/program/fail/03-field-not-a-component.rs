// A field that is neither a module, a variable nor a program must be marked `#[skip]`.
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
    answer: Predict<QA>,
    top_k: usize,
}

impl Module for Rag {
    type Input = String;
    type Output = String;
    async fn forward(&self, question: String) -> cognate::Result<String> {
        Ok(self.answer.forward(QAInput { question }).await?.answer)
    }
}

fn main() {}
