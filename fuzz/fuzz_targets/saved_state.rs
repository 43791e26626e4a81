//! Saved program state: any bytes load into a program or give a typed error, and a failed
//! load changes nothing.
#![no_main]

use cognate::prelude::*;
use libfuzzer_sys::fuzz_target;

/// Answer the question.
#[signature]
struct QA {
    /// the question
    #[input]
    question: String,
    /// the answer
    #[output]
    answer: String,
    /// how many
    #[output]
    count: i64,
}

#[program]
#[derive(Clone)]
struct Pipeline {
    first: Predict<QA>,
    second: ChainOfThought<QA>,
}

impl Module for Pipeline {
    type Input = QAInput;
    type Output = String;

    async fn forward(&self, input: QAInput) -> cognate::Result<String> {
        let first = self.first.forward(input.clone()).await?;
        let second = self.second.forward(input).await?;
        Ok(format!("{} {}", first.answer, second.answer))
    }
}

fuzz_target!(|data: &[u8]| {
    let mut program = Pipeline { first: Predict::new(), second: ChainOfThought::new() };
    let before = program.save_to_string();
    if program.load_from_slice(data).is_err() {
        assert_eq!(program.save_to_string(), before, "a failed load changed the program");
    }
});
