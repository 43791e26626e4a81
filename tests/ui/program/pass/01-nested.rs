// Nested programs, collections of modules, a generic program and a renamed field, with the
// paths DSPy would give them.
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
struct Inner {
    answer: Predict<QA>,
}

impl Module for Inner {
    type Input = String;
    type Output = String;
    async fn forward(&self, question: String) -> cognate::Result<String> {
        Ok(self.answer.forward(QAInput { question }).await?.answer)
    }
}

/// A generic wrapper: `M` gets a `Component` bound.
#[program]
#[derive(Clone)]
struct Twice<M> {
    first: M,
    second: M,
}

impl<M: Module<Input = String, Output = String> + Clone + 'static> Module for Twice<M> {
    type Input = String;
    type Output = String;
    async fn forward(&self, question: String) -> cognate::Result<String> {
        let once = self.first.forward(question).await?;
        self.second.forward(once).await
    }
}

#[program]
#[derive(Clone)]
struct Outer {
    generate_answer: ChainOfThought<QA>,
    hops: Vec<ChainOfThought<QA>>,
    maybe: Option<Predict<QA>>,
    boxed: Box<Inner>,
    sub: Inner,
    #[component(rename = "pair")]
    twice: Twice<Inner>,
    r#type: Predict<QA>,
    #[skip]
    passages: Vec<String>,
}

impl Module for Outer {
    type Input = String;
    type Output = String;
    async fn forward(&self, question: String) -> cognate::Result<String> {
        let _ = &self.passages;
        self.sub.forward(question).await
    }
}

fn paths<P: Program>(program: &P) -> Vec<String> {
    program.named_predictors().into_iter().map(|(path, _)| path).collect()
}

fn main() {
    let inner = || Inner { answer: Predict::new() };
    let outer = Outer {
        generate_answer: ChainOfThought::new(),
        hops: vec![ChainOfThought::new(), ChainOfThought::new()],
        maybe: None,
        boxed: Box::new(inner()),
        sub: inner(),
        twice: Twice { first: inner(), second: inner() },
        r#type: Predict::new(),
        passages: Vec::new(),
    };
    assert_eq!(
        paths(&outer),
        [
            "generate_answer.predict",
            "hops[0].predict",
            "hops[1].predict",
            "boxed.answer",
            "sub.answer",
            "pair.first.answer",
            "pair.second.answer",
            "type",
        ]
    );
    assert_eq!(outer.type_name(), "Outer");
    assert_eq!(outer.twice.type_name(), "Twice");
    let described = outer.describe();
    assert_eq!(described.programs.len(), 5, "boxed, sub, pair, pair.first, pair.second");
}
