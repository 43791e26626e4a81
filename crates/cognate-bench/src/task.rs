//! The task both frameworks run: a two-input, two-output signature, a generated dataset and
//! the canned reply of the in-process LM. `python/bench_dspy.py` declares the same signature
//! (name, instructions, field descriptions and types) and generates the same examples.

use cognate::signature;
use cognate_core::Example;

/// Answer the question using the context. Also say how confident you are.
#[signature]
pub struct ContextQa {
    /// a passage that may hold the answer
    #[input]
    pub context: String,
    /// a factoid question
    #[input]
    pub question: String,
    /// often between 1 and 5 words
    #[output]
    pub answer: String,
    /// confidence between 0 and 1
    #[output]
    pub confidence: f64,
}

/// The reply of the in-process LM, in ChatAdapter's format.
pub const CANNED_REPLY: &str =
    "[[ ## answer ## ]]\ncobalt river echo\n\n[[ ## confidence ## ]]\n0.87\n\n[[ ## completed ## ]]\n";

/// The input of example `i`.
pub fn input(i: usize) -> ContextQaInput {
    ContextQaInput {
        context: format!("Passage {i}: the river town number {i} is known for its cobalt bridges and echo caves."),
        question: format!("What is town {i} known for?"),
    }
}

/// Example `i`: `context` and `question` as inputs and a gold `answer` (which the mock
/// server's three random words rarely match; the score is not what is measured).
pub fn example(i: usize) -> Example {
    let ContextQaInput { context, question } = input(i);
    Example::default()
        .with("context", context)
        .with("question", question)
        .with("answer", "cobalt bridges")
        .with_inputs(["context", "question"])
}

/// The first `n` examples (see [`example`]).
pub fn dataset(n: usize) -> Vec<Example> {
    (0..n).map(example).collect()
}

#[cfg(test)]
mod tests {
    use cognate_core::Signature;

    use super::*;

    #[test]
    fn the_canned_reply_parses_into_typed_outputs() {
        let values = cognate_adapters_parse(CANNED_REPLY);
        let out = ContextQa::output_from_values(&values).unwrap();
        assert_eq!(out.answer, "cobalt river echo");
        assert_eq!(out.confidence, 0.87);
    }

    fn cognate_adapters_parse(reply: &str) -> cognate_core::Values {
        use cognate::adapters::Adapter;
        cognate::adapters::ChatAdapter.parse(ContextQa::descriptor(), reply).unwrap()
    }

    #[test]
    fn dataset_inputs_match_the_typed_input() {
        let data = dataset(3);
        assert_eq!(data.len(), 3);
        assert_eq!(data[2].inputs()["question"], "What is town 2 known for?");
        assert_eq!(data[2].inputs().len(), 2);
    }
}
