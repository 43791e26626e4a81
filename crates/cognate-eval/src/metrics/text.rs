//! SQuAD-style text normalization and token scores, matching DSPy's
//! `dspy.evaluate.metrics` (`normalize_text`, `em_score`, `f1_score`, ...) and its DPR
//! tokenizer for passage matching.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalizes text for comparisons, as DSPy's `normalize_text`: Unicode NFD, lowercase,
/// remove ASCII punctuation (Python's `string.punctuation`), remove the articles `a`, `an`,
/// `the` as whole words, collapse whitespace.
///
/// ```
/// assert_eq!(cognate_eval::metrics::normalize_text("The,  Eiffel  Tower!"), "eiffel tower");
/// ```
pub fn normalize_text(text: &str) -> String {
    let lowered: String = text.nfd().collect::<String>().to_lowercase();
    let no_punct: String = lowered.chars().filter(|c| !c.is_ascii_punctuation()).collect();
    let no_articles = remove_articles(&no_punct);
    no_articles.split(is_python_whitespace).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Python's `\w` for `str` patterns: alphanumeric (as `str.isalnum`) or `_`.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Python's `str.split()` separators: Unicode whitespace plus the ASCII separators 0x1C-0x1F.
fn is_python_whitespace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `re.sub(r"\b(a|an|the)\b", " ", text)`: a maximal run of word characters equal to an
/// article is replaced by one space.
fn remove_articles(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if matches!(word.as_str(), "a" | "an" | "the") {
            out.push(' ');
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if is_word_char(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn tokens(text: &str) -> Vec<String> {
    normalize_text(text).split(' ').filter(|t| !t.is_empty()).map(str::to_string).collect()
}

/// The count of tokens the two lists share (multiset intersection).
fn overlap(prediction: &[String], ground_truth: &[String]) -> usize {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for t in ground_truth {
        *counts.entry(t.as_str()).or_default() += 1;
    }
    let mut same = 0;
    for t in prediction {
        if let Some(n) = counts.get_mut(t.as_str()).filter(|n| **n > 0) {
            *n -= 1;
            same += 1;
        }
    }
    same
}

/// Whether the normalized texts are equal (DSPy's `em_score`).
pub fn exact_match_score(prediction: &str, ground_truth: &str) -> bool {
    normalize_text(prediction) == normalize_text(ground_truth)
}

/// Token-level F1 of normalized texts (DSPy's `f1_score`); 0 when no token is shared,
/// including when both are empty.
pub fn f1_score(prediction: &str, ground_truth: &str) -> f64 {
    f1_of_tokens(&tokens(prediction), &tokens(ground_truth))
}

fn f1_of_tokens(prediction: &[String], ground_truth: &[String]) -> f64 {
    let same = overlap(prediction, ground_truth);
    if same == 0 {
        return 0.0;
    }
    let precision = same as f64 / prediction.len() as f64;
    let recall = same as f64 / ground_truth.len() as f64;
    2.0 * precision * recall / (precision + recall)
}

/// Token-level precision of the prediction (DSPy's `precision_score`).
pub fn precision_score(prediction: &str, ground_truth: &str) -> f64 {
    let (p, g) = (tokens(prediction), tokens(ground_truth));
    let same = overlap(&p, &g);
    if same == 0 { 0.0 } else { same as f64 / p.len() as f64 }
}

/// HotPotQA's F1 (DSPy's `hotpot_f1_score`): 0 when either side is `yes`, `no` or
/// `noanswer` and they differ, else [`f1_score`].
pub fn hotpot_f1_score(prediction: &str, ground_truth: &str) -> f64 {
    let (p, g) = (normalize_text(prediction), normalize_text(ground_truth));
    let special = |s: &str| matches!(s, "yes" | "no" | "noanswer");
    if (special(&p) || special(&g)) && p != g {
        return 0.0;
    }
    f1_score(&p, &g)
}

/// Whether `passage` contains one of `answers` as a run of tokens, after [`normalize_text`]
/// and DPR's tokenizer, as DSPy's `answer_passage_match` checks a passage. An empty answer
/// matches every passage (as in DSPy).
///
/// DPR tokenizes with the regex `[\p{L}\p{N}\p{M}]+|[^\p{Z}\p{C}]` and lowercases tokens.
/// Here letters and numbers are Rust's `char::is_alphanumeric`, marks come from
/// `unicode-normalization`, and `\p{Z}\p{C}` is approximated by whitespace, control
/// characters and the common format characters (soft hyphen, zero-width and bidi marks, BOM).
pub fn has_answer(passage: &str, answers: &[&str]) -> bool {
    let text = dpr_tokens(&normalize_text(passage));
    answers.iter().any(|answer| {
        let answer = dpr_tokens(&normalize_text(answer));
        answer.is_empty() || text.windows(answer.len()).any(|w| w == answer.as_slice())
    })
}

fn is_format_char(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

fn dpr_tokens(text: &str) -> Vec<String> {
    let is_word = |c: char| c.is_alphanumeric() || is_combining_mark(c);
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.nfd() {
        if is_word(c) {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word).to_lowercase());
        }
        if !(c.is_whitespace() || c.is_control() || is_format_char(c)) {
            out.push(c.to_lowercase().collect());
        }
    }
    if !word.is_empty() {
        out.push(word.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(normalize_text(input), expected, "input: {input:?}");
    }

    #[test]
    fn normalizes_like_dspy() {
        check("The,  Eiffel  Tower!", "eiffel tower");
        check("A cat and an owl", "cat and owl");
        check("theatre anthem", "theatre anthem");
        check("the-end", "theend"); // punctuation goes before articles
        check("  Paris.\n", "paris");
        check("an_apple", "anapple");
        check("O'Neil", "oneil");
        check("Café", "cafe\u{301}");
        check("ΣΟΦΟΣ", "σοφος");
        check("", "");
    }

    fn check_f1(prediction: &str, gold: &str, expected: f64) {
        let got = f1_score(prediction, gold);
        assert!((got - expected).abs() < 1e-12, "f1({prediction:?}, {gold:?}) = {got}, expected {expected}");
    }

    #[test]
    fn token_scores() {
        check_f1("the Eiffel Tower", "Eiffel Tower", 1.0);
        check_f1("Eiffel Tower is in Paris", "Paris", 2.0 * 0.2 / 1.2);
        check_f1("x y y", "y y z", 2.0 / 3.0);
        check_f1("a b b", "b b c", 0.8); // `a` is an article: "b b" vs "b b c"
        check_f1("", "", 0.0);
        check_f1("x", "y", 0.0);
        assert!((precision_score("eiffel tower in paris", "eiffel tower") - 0.5).abs() < 1e-12);
        assert_eq!(hotpot_f1_score("yes", "no"), 0.0);
        assert_eq!(hotpot_f1_score("Yes.", "yes"), 1.0);
        assert!(exact_match_score("The Paris!", "paris"));
    }

    #[test]
    fn passage_matching() {
        assert!(has_answer("The Eiffel Tower is in Paris.", &["eiffel tower"]));
        assert!(!has_answer("The Eiffel Tower is in Paris.", &["tower paris"]));
        assert!(has_answer("Born in São Paulo", &["Sao Paulo", "São Paulo"]));
        assert!(!has_answer("Parisian cafes", &["Paris"]));
        assert!(has_answer("anything", &[""]));
        assert!(has_answer("costs 5€ today", &["5 €"]));
    }
}
