// A signature is one fixed contract: no type or lifetime parameters. The one error is the
// macro's: the generated items still exist (as stubs), so code using them reports nothing.
use cognate::{Module, Predict, signature};

#[signature]
struct QA<T> {
    #[input]
    question: T,
    #[output]
    answer: String,
}

async fn ask(predict: &Predict<QA<String>>) -> cognate::Result<String> {
    let out: QAOutput = predict.forward(QAInput { question: "Why?".to_string() }).await?;
    Ok(out.answer)
}

fn main() {
    let predict = Predict::<QA<String>>::new();
    let _ = ask(&predict);
}
