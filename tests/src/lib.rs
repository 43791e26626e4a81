//! Test-only package: `ui/` (trybuild), `it/` (integration tests against loopback servers) and
//! `live/` (the live lane against a real local LM). This library holds what `it/` and `live/`
//! share: a DSPy ChatAdapter prompt sent as a raw request, and a reader of the reply's sections.

use cognate_core::{LmRequest, Message};

/// A ChainOfThought-style ChatAdapter system prompt with typed outputs.
pub const QA_SYSTEM: &str = "Your input fields are:\n1. `question` (str): a trivia question\n\
Your output fields are:\n1. `reasoning` (str): \n2. `answer` (str): often between 1 and 5 words\n\
3. `confidence` (float):\n\
All interactions will be structured in the following way, with the appropriate values filled in.\n\n\
[[ ## question ## ]]\n{question}\n\n[[ ## reasoning ## ]]\n{reasoning}\n\n[[ ## answer ## ]]\n{answer}\n\n\
[[ ## confidence ## ]]\n{confidence}        # note: the value you produce must be a single float value\n\n\
[[ ## completed ## ]]\nIn adhering to this structure, your objective is: \n        Answer questions with short factoid answers.";

/// The request DSPy's ChatAdapter sends for `question` under [`QA_SYSTEM`].
pub fn qa_request(question: &str) -> LmRequest {
    LmRequest::new(vec![
        Message::system(QA_SYSTEM),
        Message::user(format!(
            "[[ ## question ## ]]\n{question}\n\nRespond with the corresponding output fields, starting with the field \
             `[[ ## reasoning ## ]]`, then `[[ ## answer ## ]]`, then `[[ ## confidence ## ]]` (must be formatted as a \
             valid Python float), and then ending with the marker for `[[ ## completed ## ]]`."
        )),
    ])
}

/// The `[[ ## name ## ]]` sections of a ChatAdapter reply, in order, with trimmed values.
pub fn sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("[[ ## ").and_then(|l| l.strip_suffix(" ## ]]")) {
            out.push((name.to_owned(), String::new()));
        } else if let Some((_, value)) = out.last_mut() {
            if !value.is_empty() {
                value.push('\n');
            }
            value.push_str(line);
        }
    }
    out.into_iter().map(|(n, v)| (n, v.trim().to_owned())).collect()
}
