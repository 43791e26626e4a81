"""Regenerates dspy_metrics.json: metric cases computed with real DSPy (3.4.1).

    python crates/cognate-eval/tests/data/dspy_metrics.py > crates/cognate-eval/tests/data/dspy_metrics.json

Needs `pip install dspy==3.4.1`. The Rust test tests/it/dspy_metrics.rs checks every case.
"""

import json

import dspy
import dspy.evaluate.metrics as dspy_metrics
from dspy.datasets.gsm8k import parse_integer_answer
from dspy.evaluate.metrics import _passage_match, em_score, f1_score, hotpot_f1_score, normalize_text, precision_score

TEXTS = [
    "The,  Eiffel  Tower!", "A cat and an owl", "theatre anthem", "the-end", "an_apple", "O'Neil",
    "Café", "CAFÉ au lait", "ΣΟΦΟΣ", "", "   ", "Tab\tand\nnewline", "«Guillemets» and “quotes”",
    "The The the", "a.b.c", "1,000,000", "naïve résumé", "Straße", "İstanbul", "x\u00a0y\u2003z",
    "unit\x1cseparator", "the, a, an", "$5.00 (USD)", "ﬁne ligature",
]
PAIRS = [
    ("the Eiffel Tower", "Eiffel Tower"), ("Eiffel Tower is in Paris", "Paris"), ("a b b", "b b c"),
    ("x y y", "y y z"), ("", ""), ("Paris", ""), ("yes", "no"), ("Yes.", "yes"), ("noanswer", "no answer"),
    ("New York City", "new york"), ("the cat sat on the mat", "a cat on a mat"), ("Café", "cafe"),
    ("CAFÉ", "café"), ("1,000", "1000"), ("George Washington", "Washington, George"),
]
PASSAGES = [
    (["The Eiffel Tower is in Paris.", "..."], ["Eiffel Tower"]),
    (["The Eiffel Tower is in Paris."], ["tower paris"]),
    (["Born in São Paulo"], ["Sao Paulo"]),
    (["Born in São Paulo"], ["São Paulo"]),
    (["Parisian cafes"], ["Paris"]),
    (["anything"], [""]),
    (["costs 5€ today"], ["5 €"]),
    (["It was 1,000 years ago"], ["1000"]),
    (["It was 1,000 years ago"], ["1,000"]),
    (["first", "second has the Answer!"], ["answer", "zzz"]),
]
# DSPy prints a diagnostic to stdout for the empty-vs-empty edge case; keep the JSON clean.
dspy_metrics.print_message = lambda *args, **kwargs: None

INTEGERS = [
    "18", "$1,000.50 dollars", "-5", "3.99", ".5", "answer: 12\n#### 13", "no digits", "  \n 7 then 8",
    "The answer is 42.", "42\nbecause 6*7", "1/2", "x2 y3z", "",
]

print(json.dumps({
    "dspy_version": dspy.__version__,
    "normalize_text": [[t, normalize_text(t)] for t in TEXTS],
    "scores": [
        {"prediction": p, "ground_truth": g, "em": em_score(p, g), "f1": float(f1_score(p, g)),
         "precision": float(precision_score(p, g)), "hotpot_f1": float(hotpot_f1_score(p, g))}
        for p, g in PAIRS
    ],
    "passage_match": [[ps, ans, _passage_match(ps, ans)] for ps, ans in PASSAGES],
    "parse_integer_answer": [[t, parse_integer_answer(t)] for t in INTEGERS],
}, ensure_ascii=False, indent=1))
