// Wiring mistake: passing one module's output where another's input is expected is an
// ordinary type error at the argument.
use cognate::prelude::*;

/// Write a query.
#[signature]
struct GenerateQuery {
    #[input]
    question: String,
    #[output]
    query: String,
}

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
    query: Predict<GenerateQuery>,
    answer: Predict<QA>,
}

impl Module for Rag {
    type Input = String;
    type Output = String;
    async fn forward(&self, question: String) -> cognate::Result<String> {
        let query = self.query.forward(GenerateQueryInput { question }).await?;
        Ok(self.answer.forward(query).await?.answer)
    }
}

fn main() {}
