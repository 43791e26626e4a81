#!/usr/bin/env python3
"""Saved-state fixtures shared by DSPy 3.4.1 and Cognate.

Setup (once):

    python3 -m venv /tmp/dspyvenv && /tmp/dspyvenv/bin/pip install dspy==3.4.1

Direction 1, DSPy -> Cognate (writes `dspy-written/*.json` and `infer_prefix.json`):

    /tmp/dspyvenv/bin/python make_fixtures.py

Direction 2, Cognate -> DSPy (loads every `cognate-written/*.json`, which the Rust test
`tests/it/state.rs` writes with `COGNATE_BLESS=1`, into the equivalent DSPy program with
`program.load(path)` and checks that instructions, prefixes, descriptions, demos and LMs
came through):

    /tmp/dspyvenv/bin/python make_fixtures.py --check-cognate

The programs below mirror the Cognate test programs in `tests/it/state.rs` field for field
(same predictor paths, signatures, instructions and demos). No LM is called.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Literal

import dspy
import pydantic
from dspy.signatures.signature import infer_prefix

HERE = Path(__file__).resolve().parent
DSPY_DIR = HERE / "dspy-written"
COGNATE_DIR = HERE / "cognate-written"

# `prefix=` is deprecated in DSPy 3.x but still stored and saved, which is what is tested here.
warnings.filterwarnings("ignore", message="The 'prefix' argument", category=DeprecationWarning)

# --- programs -------------------------------------------------------------------------


class Citation(pydantic.BaseModel):
    title: str
    year: int


class Classify(dspy.Signature):
    """Classify the claim and cite one source."""

    claim: str = dspy.InputField(desc="the claim to check")
    sources: list[str] = dspy.InputField(prefix="Evidence:")
    verdict: Literal["true", "false", "unsure"] = dspy.OutputField(desc="the verdict")
    confidence: int = dspy.OutputField(prefix="Confidence (0-100):", desc="how sure, from 0 to 100")
    citation: Citation = dspy.OutputField()


class Summarizer(dspy.Module):
    def __init__(self):
        super().__init__()
        self.summarize = dspy.Predict("passages: list[str] -> summary")


class MultiHop(dspy.Module):
    """ChainOfThought + Predict + a list of Predicts + a nested sub-module."""

    def __init__(self, hops: int = 2):
        super().__init__()
        self.generate_answer = dspy.ChainOfThought("context: list[str], question -> answer")
        self.rewrite = dspy.Predict("question -> query")
        self.hops = [dspy.Predict("context: list[str], question -> search_query") for _ in range(hops)]
        self.inner = Summarizer()


class Classifier(dspy.Module):
    def __init__(self):
        super().__init__()
        self.classify = dspy.Predict(Classify)


def build_qa() -> dspy.Module:
    return dspy.Predict("question -> answer")


def build_multi_hop() -> dspy.Module:
    return MultiHop()


def build_typed() -> dspy.Module:
    return Classifier()


PROGRAMS = {"qa": build_qa, "multi_hop": build_multi_hop, "typed": build_typed}

# --- the learned state the fixtures carry ------------------------------------------------


def set_instructions(predict: dspy.Predict, text: str) -> None:
    predict.signature = predict.signature.with_instructions(text)


def configure_qa(p: dspy.Predict) -> None:
    set_instructions(p, "Answer the question in one word.")
    p.demos = [
        dspy.Example(question="What is the capital of France?", answer="Paris"),
        dspy.Example(question="2 + 2?", answer="4", augmented=True),
    ]


def configure_multi_hop(p: MultiHop) -> None:
    set_instructions(p.generate_answer.predict, "Answer using only the context.")
    p.generate_answer.predict.demos = [
        dspy.Example(
            context=["Paris is the capital of France."],
            question="Capital of France?",
            reasoning="The context says Paris.",
            answer="Paris",
            augmented=True,
        ),
        dspy.Example(context=[], question="Who wrote Hamlet?", answer="Shakespeare"),
    ]
    set_instructions(p.rewrite, "Rewrite the question as a search query.")
    # An LM of its own, with an endpoint: loaders must not silently adopt `api_base`.
    p.rewrite.lm = dspy.LM("openai/gpt-4o-mini", temperature=0.3, max_tokens=200, api_base="http://localhost:9999/v1")
    set_instructions(p.hops[0], "Write a search query for the first hop.")
    p.hops[0].demos = [dspy.Example(context=["a"], question="q0", search_query="s0")]
    # hops[1] keeps its default instructions and no demos.
    set_instructions(p.inner.summarize, "Summarize the passages in one sentence.")


def configure_typed(p: Classifier) -> None:
    p.classify.demos = [
        dspy.Example(
            claim="Water boils at 100 C at sea level.",
            sources=["Physics handbook"],
            verdict="true",
            confidence=95,
            citation=Citation(title="Physics handbook", year=2001),
            augmented=True,
        ),
        dspy.Example(claim="The moon is made of cheese.", sources=[], verdict="false", confidence=99,
                     citation={"title": "Apollo reports", "year": 1972}),
    ]


CONFIGURE = {"qa": configure_qa, "multi_hop": configure_multi_hop, "typed": configure_typed}

PREFIX_NAMES = [
    "question", "question_text", "camelCaseName", "HTMLParser", "text2number", "2text", "a", "answer_2",
    "getHTTPResponse", "x_y_z", "ABC", "aBC", "ABCd", "snake__double", "_private", "trailing_", "reasoning",
    "userID", "ID", "id", "v2", "v2_api", "APIKey", "mixed_CaseName", "num_3d_points", "ÜberName", "über_name",
    "URL", "urlPath", "someURLPath", "HTTP2Server", "x", "X", "xY", "Xy", "ab12cd", "AB12CD", "__dunder__",
    "context_list", "passage_ids", "déjà_vu", "a1B2c3", "search_query", "aB", "AbCdEf", "ABcDE", "a_B_c",
    "already_UPPER", "ÉCOLE", "école_Ä", "x1_y2", "data2D", "get2ndItem", "mp3Player", "R2D2",
]


def write(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def make() -> None:
    DSPY_DIR.mkdir(exist_ok=True)
    for name, build in PROGRAMS.items():
        program = build()
        CONFIGURE[name](program)
        program.save(str(DSPY_DIR / f"{name}.json"))
        print(f"wrote dspy-written/{name}.json")
    write(HERE / "infer_prefix.json", {n: infer_prefix(n) + ":" for n in PREFIX_NAMES})
    print("wrote infer_prefix.json")


# --- direction 2 ---------------------------------------------------------------------------


def check_cognate() -> int:
    failures = 0
    files = sorted(COGNATE_DIR.glob("*.json"))
    if not files:
        print("no cognate-written fixtures; run `COGNATE_BLESS=1 cargo test -p cognate-tests --test it state`")
        return 1
    for path in files:
        saved = json.loads(path.read_text())
        program = PROGRAMS[path.stem]()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            program.load(str(path))  # must not raise: unknown top-level keys and Cognate's metadata are ignored
        loaded = dict(program.named_predictors())
        # A bare predictor's state is flat (DSPy writes it so too); otherwise one section per predictor.
        sections = {"self": saved} if "signature" in saved else saved
        # Every predictor in the program has its section, and nothing else but Cognate's own sections.
        assert set(sections) - {"metadata", "cognate"} == set(loaded), (path.name, sorted(saved), sorted(loaded))
        for pred_path, predict in loaded.items():
            want = sections[pred_path]
            sig = predict.signature
            assert sig.instructions == want["signature"]["instructions"], (path.name, pred_path, sig.instructions)
            fields = list(sig.fields.values())
            assert len(fields) == len(want["signature"]["fields"]), (path.name, pred_path)
            for field, wf in zip(fields, want["signature"]["fields"], strict=True):
                assert field.json_schema_extra["prefix"] == wf["prefix"], (path.name, pred_path, wf)
                assert field.json_schema_extra["desc"] == wf["description"], (path.name, pred_path, wf)
            got_demos = [dict(d) for d in predict.demos]
            assert got_demos == want["demos"], (path.name, pred_path, got_demos)
            if want["lm"] is None:
                assert predict.lm is None, (path.name, pred_path)
            else:
                assert predict.lm is not None and predict.lm.model == want["lm"]["model"], (path.name, pred_path)
            # And DSPy writes back what it read (the state survives a DSPy round trip).
            again = predict.dump_state()
            assert again["signature"] == want["signature"] and again["demos"] == want["demos"], (path.name, pred_path)
            print(f"ok   {path.name}: {pred_path}: {len(fields)} fields, {len(got_demos)} demos"
                  f", lm={None if predict.lm is None else predict.lm.model}")
        # Spot checks on values the Rust test sets, so a wrong fixture cannot pass by agreeing with itself.
        failures += spot_check(path.stem, program)
    print("all cognate-written fixtures load into DSPy" if failures == 0 else f"{failures} failures")
    return 1 if failures else 0


def spot_check(name: str, program) -> int:
    try:
        if name == "qa":
            assert program.signature.instructions == "Answer the question in one word."
            assert program.demos[1]["augmented"] is True
        elif name == "multi_hop":
            cot = program.generate_answer.predict
            assert cot.signature.instructions == "Answer using only the context."
            assert cot.demos[0]["reasoning"] == "The context says Paris." and cot.demos[0]["augmented"] is True
            assert program.rewrite.lm.model == "openai/gpt-4o-mini"
            assert program.hops[1].signature.instructions == (
                "Given the fields `context`, `question`, produce the fields `search_query`."
            )
            assert program.inner.summarize.signature.instructions == "Summarize the passages in one sentence."
        elif name == "typed":
            sig = program.classify.signature
            assert sig.fields["sources"].json_schema_extra["prefix"] == "Evidence:"
            assert sig.fields["confidence"].json_schema_extra["desc"] == "how sure, from 0 to 100"
            assert sig.fields["citation"].json_schema_extra["desc"] == "${citation}"
            assert program.classify.demos[0]["citation"] == {"title": "Physics handbook", "year": 2001}
        return 0
    except AssertionError as e:  # pragma: no cover - reported, not raised
        print(f"FAIL {name}: {e!r}")
        return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check-cognate", action="store_true", help="load cognate-written fixtures into DSPy")
    args = parser.parse_args()
    assert dspy.__version__ == "3.4.1", f"expected dspy 3.4.1, found {dspy.__version__}"
    if args.check_cognate:
        return check_cognate()
    make()
    return 0


if __name__ == "__main__":
    sys.exit(main())
