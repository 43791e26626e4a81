"""Generates the DSPy parity fixtures for cognate-optimize.

Runs DSPy 3.4.1's LabeledFewShot and BootstrapFewShot with `dspy.utils.DummyLM` (scripted
answers, list mode: one answer per LM call, in call order) on a fixed dataset, for a
one-predictor and a two-predictor program, and BootstrapFewShotWithRandomSearch (DummyLM in
dict mode: answers by question), and writes the demos each predictor ends up with (and each
random-search candidate's score) to `fixtures.json`. It also records reference outputs of
CPython's `random.Random`.

The Rust tests (`tests/it/parity.rs`) replay the same scripts with `cognate_testing::MockLm`
and assert the same demos; they need no Python.

Regenerate (from the repository root):

    python3 -m venv /tmp/dspyvenv && /tmp/dspyvenv/bin/pip install dspy==3.4.1
    LITELLM_LOCAL_MODEL_COST_MAP=True /tmp/dspyvenv/bin/python \
        crates/cognate-optimize/tests/data/dspy-parity/make_fixtures.py
"""

import json
import os
import random
import sys

import dspy
from dspy.utils import DummyLM

HERE = os.path.dirname(os.path.abspath(__file__))

TRAINSET_SIZE = 10


def example(i):
    a, b = i + 1, 2 * i + 3
    return dspy.Example(question=f"What is {a} + {b}?", answer=str(a + b)).with_inputs("question")


TRAINSET = [example(i) for i in range(TRAINSET_SIZE)]


class Simple(dspy.Module):
    def __init__(self):
        super().__init__()
        self.predict = dspy.Predict("question -> answer")

    def forward(self, question):
        return self.predict(question=question)


class Two(dspy.Module):
    def __init__(self):
        super().__init__()
        self.draft = dspy.Predict("question -> draft")
        self.answer = dspy.Predict("question, draft -> answer")

    def forward(self, question):
        draft = self.draft(question=question).draft
        return self.answer(question=question, draft=draft)


PROGRAMS = {"simple": Simple, "two": Two}


def exact(example, prediction, trace=None):
    if "error" in prediction.answer:
        raise ValueError("metric failure requested by the script")
    return example.answer == prediction.answer


def graded(example, prediction, trace=None):
    """1.0 for the exact answer, 0.5 for an answer starting with the right digit, else 0."""
    if example.answer == prediction.answer:
        return 1.0
    if prediction.answer[:1] == example.answer[:1]:
        return 0.5
    return 0.0


METRICS = {"exact": exact, "graded": graded}


def answers_for(program, plan):
    """The scripted LM answers for a bootstrap plan.

    `plan` lists, in call order, (example index, outcome) for each teacher run, where outcome
    is "right", "wrong", "near" (right first digit) or "error" (the metric raises).
    """
    answers = []
    for index, outcome in plan:
        truth = TRAINSET[index].answer
        answer = {
            "right": truth,
            "wrong": "999",
            "near": truth[0] + "99",
            "error": "error",
        }[outcome]
        if program == "two":
            answers.append({"draft": f"draft for {index} ({outcome})"})
        answers.append({"answer": answer})
    return answers


def demos_of(program):
    return {name: [d.toDict() for d in p.demos] for name, p in program.named_predictors()}


def labeled_case(name, program, k, sample):
    compiled = dspy.LabeledFewShot(k=k).compile(PROGRAMS[program](), trainset=TRAINSET, sample=sample)
    return {
        "name": name,
        "optimizer": "LabeledFewShot",
        "program": program,
        "params": {"k": k, "sample": sample},
        "answers": [],
        "demos": demos_of(compiled),
    }


def bootstrap_case(name, program, plan, metric="exact", **params):
    answers = answers_for(program, plan)
    lm = DummyLM(list(answers))
    with dspy.context(lm=lm):
        optimizer = dspy.BootstrapFewShot(metric=METRICS[metric], **params)
        compiled = optimizer.compile(PROGRAMS[program](), trainset=TRAINSET)
    # Every scripted answer was used (rounds after the first call a copy of the LM that shares
    # the answer iterator, so the history alone does not count them).
    assert next(lm.answers, None) is None, f"{name}: DSPy made fewer calls than the plan has answers"
    return {
        "name": name,
        "optimizer": "BootstrapFewShot",
        "program": program,
        "metric": metric,
        "params": params,
        "answers": answers,
        "demos": demos_of(compiled),
    }


def random_search_case(name, wrong, **params):
    """BootstrapFewShotWithRandomSearch with DummyLM in dict mode (the answer depends only on
    the question asked, so evaluation threads do not change anything): right answers except
    for the examples in `wrong`. Records each candidate's score and demos by seed."""
    answers = {
        e.question: {"answer": "999" if i in wrong else e.answer} for i, e in enumerate(TRAINSET)
    }
    lm = DummyLM(answers)
    with dspy.context(lm=lm):
        optimizer = dspy.BootstrapFewShotWithRandomSearch(metric=exact, num_threads=1, **params)
        best = optimizer.compile(Simple(), trainset=TRAINSET)
    candidates = {
        str(c["seed"]): {"score": c["score"], "demos": demos_of(c["program"])} for c in best.candidate_programs
    }
    return {
        "name": name,
        "optimizer": "BootstrapFewShotWithRandomSearch",
        "program": "simple",
        "metric": "exact",
        "params": params,
        "answers_by_question": answers,
        "candidates": candidates,
        "demos": demos_of(best),
    }


def pyrandom_vectors():
    vectors = {"sample": [], "shuffle": [], "randint": [], "random": []}
    for seed in [0, 1, 2, 7, 42, 12345, 2**40 + 5]:
        for n, k in [(10, 3), (10, 10), (30, 6), (100, 5), (100, 30), (1000, 17), (5, 0)]:
            vectors["sample"].append({"seed": seed, "n": n, "k": k, "out": random.Random(seed).sample(range(n), k)})
        r = random.Random(seed)
        vectors["random"].append({"seed": seed, "out": [r.random() for _ in range(5)]})
    for seed in range(-3, 20):
        items = list(range(12))
        random.Random(seed).shuffle(items)
        vectors["shuffle"].append({"seed": seed, "n": 12, "out": items})
        vectors["randint"].append(
            {"seed": seed, "a": 1, "b": 4, "out": [random.Random(seed).randint(1, 4)]}
        )
    return vectors


def main():
    cases = [
        labeled_case("labeled_simple_k3", "simple", 3, True),
        labeled_case("labeled_two_k4", "two", 4, True),
        labeled_case("labeled_simple_k16", "simple", 16, True),
        labeled_case("labeled_simple_unsampled", "simple", 4, False),
        bootstrap_case(
            "bootstrap_simple_defaults",
            "simple",
            [(0, "right"), (1, "wrong"), (2, "right"), (3, "wrong"), (4, "right"), (5, "right")],
        ),
        bootstrap_case(
            "bootstrap_simple_small",
            "simple",
            [(0, "wrong"), (1, "right"), (2, "right"), (3, "right")],
            max_bootstrapped_demos=3,
            max_labeled_demos=5,
        ),
        bootstrap_case(
            "bootstrap_simple_metric_errors",
            "simple",
            [(0, "error"), (1, "right"), (2, "error"), (3, "wrong"), (4, "right")],
            max_bootstrapped_demos=2,
            max_labeled_demos=4,
        ),
        bootstrap_case(
            "bootstrap_simple_threshold",
            "simple",
            [(0, "near"), (1, "wrong"), (2, "near")],
            metric="graded",
            metric_threshold=0.5,
            max_bootstrapped_demos=2,
            max_labeled_demos=3,
        ),
        bootstrap_case(
            "bootstrap_simple_threshold_unmet",
            "simple",
            [(0, "near"), (1, "right"), (2, "near"), (3, "right")],
            metric="graded",
            metric_threshold=0.9,
            max_bootstrapped_demos=2,
            max_labeled_demos=4,
        ),
        bootstrap_case(
            "bootstrap_two_rounds",
            "two",
            [(0, "wrong"), (0, "right"), (1, "right"), (2, "wrong"), (2, "wrong"), (3, "wrong"), (3, "right")],
            max_bootstrapped_demos=3,
            max_labeled_demos=6,
            max_rounds=2,
        ),
        bootstrap_case(
            "bootstrap_two_no_labeled",
            "two",
            [(0, "right"), (1, "wrong"), (2, "right")],
            max_bootstrapped_demos=2,
            max_labeled_demos=0,
        ),
        random_search_case(
            "random_search_simple",
            wrong={1, 4, 5, 8},
            num_candidate_programs=5,
            max_bootstrapped_demos=3,
            max_labeled_demos=4,
        ),
    ]
    fixtures = {
        "dspy_version": dspy.__version__,
        "python": sys.version.split()[0],
        "trainset": [e.toDict() for e in TRAINSET],
        "cases": cases,
        "pyrandom": pyrandom_vectors(),
    }
    with open(os.path.join(HERE, "fixtures.json"), "w") as f:
        json.dump(fixtures, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases")


if __name__ == "__main__":
    main()
