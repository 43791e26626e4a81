// `#[program(crate = path)]` when `cognate` is reached through another path, such as a
// facade crate re-exporting it.

mod facade {
    pub use ::cognate::*;
}

use facade::{ComponentExt as _, Module, Predict, Program as _};

/// Answer.
#[facade::signature(crate = crate::facade)]
struct QA {
    #[input]
    question: String,
    #[output]
    answer: String,
}

#[facade::program(crate = crate::facade)]
#[derive(Clone)]
struct ThroughFacade {
    answer: Predict<QA>,
}

impl Module for ThroughFacade {
    type Input = String;
    type Output = String;
    async fn forward(&self, question: String) -> facade::Result<String> {
        Ok(self.answer.forward(QAInput { question }).await?.answer)
    }
}

fn main() {
    let program = ThroughFacade { answer: Predict::new() };
    assert_eq!(program.type_name(), "ThroughFacade");
    assert_eq!(program.named_predictors()[0].0, "answer");
}
