// `forward` is ordinary async Rust: a loop, a branch, an early return and `tokio::join!`.
use cognate::prelude::*;

/// Write a query.
#[signature]
struct GenerateQuery {
    #[input]
    question: String,
    #[input]
    context: Vec<String>,
    #[output]
    query: String,
}

/// Answer.
#[signature]
struct QA {
    #[input]
    question: String,
    #[input]
    context: Vec<String>,
    #[output]
    answer: String,
}

#[program]
#[derive(Clone)]
struct MultiHop {
    hops: Vec<Predict<GenerateQuery>>,
    answer: ChainOfThought<QA>,
    check: Predict<QA>,
    #[skip]
    max_context: usize,
}

impl Module for MultiHop {
    type Input = String;
    type Output = String;

    async fn forward(&self, question: String) -> cognate::Result<String> {
        if question.is_empty() {
            return Ok(String::new());
        }
        let mut context = Vec::new();
        for hop in &self.hops {
            let out = hop.forward(GenerateQueryInput { question: question.clone(), context: context.clone() }).await?;
            if context.len() >= self.max_context {
                break;
            }
            context.push(out.query);
        }
        let (answer, check) = tokio::join!(
            self.answer.forward(QAInput { question: question.clone(), context: context.clone() }),
            self.check.forward(QAInput { question, context }),
        );
        let (answer, check) = (answer?, check?);
        Ok(if answer.answer == check.answer { answer.answer.clone() } else { check.answer })
    }
}

fn assert_send<T: Send>(_: &T) {}

fn main() {
    let program = MultiHop {
        hops: vec![Predict::new(), Predict::new()],
        answer: ChainOfThought::new(),
        check: Predict::new(),
        max_context: 3,
    };
    assert_send(&program.call("q".into()));
    assert_eq!(program.named_predictors().len(), 4);
}
