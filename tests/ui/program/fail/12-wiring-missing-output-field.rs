// Wiring mistake: reading an output the signature does not have is an ordinary rustc error
// in `forward`, pointing at the field access.
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
    generate_answer: ChainOfThought<QA>,
}

impl Module for Rag {
    type Input = String;
    type Output = String;
    async fn forward(&self, question: String) -> cognate::Result<String> {
        let out = self.generate_answer.forward(QAInput { question }).await?;
        Ok(out.confidence)
    }
}

fn main() {}
