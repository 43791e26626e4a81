#!/usr/bin/env python3
"""Differential parse cases for Cognate: random completions for the signatures of the DSPy 3.4.1
parse vectors, with DSPy's own verdict on each.

Every case reuses the signature of one `parse_cases` entry of ../dspy-3.4.1/vectors.json and a
completion assembled from a pool of tricky values (Python literals, JSON fragments, code fences,
truncation, repeated and self-closing XML tags, the case's own expected values in each adapter's
syntax). The expected result comes from the installed dspy==3.4.1 through the same `run_parse`
as the reference vectors, so the schema is identical to `parse_cases`.

    pip install -r ../dspy-3.4.1/requirements.txt
    python make_parse_fuzz_cases.py > parse_fuzz_cases.json
"""

import json
import os
import random
import sys
import warnings

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "dspy-3.4.1")
sys.path.insert(0, REF)
import generate as G  # noqa: E402

PER_CASE = 8
POOL = [
    "True", "False", "yes", "no", "y", "1", "0", "2", "3", "1.0", "3.5", "-2.25", "1e-05", " 42 ", "None", "null", "",
    "Literal['a']", "'approve'", '"reject"', "[1, 2]", "['a', 'b',]", '["1", "2"]', "[]", "{}", "{'k': 1}",
    '{"k": "v"}', "{k: 2,}", "```json\n[1, 2]\n```", '```\n{"a": 1}\n```', "Sure: [3]", "n/a", "hello world",
    "x, y", "(1, 2)", "[1, 2", "{'a': [1", "'quoted'", '"dq"', "multi\nline\ntext", "  spaced  ", "a & b",
    "<b>bold</b>", "42 apples", "[True, None]", "{'text': 'x', 'counts': 'y', 'notes': 'no', 'email': False}",
    "bug", "feature", "medium", "approve", "[{'a': 1}]", "1,000", "0.30000000000000004", "9007199254740993",
    '["x"]', '{"x-y": 1}',
]
XPOOL = POOL + [
    "<item>1</item><item>2</item>", "<item>a</item>", '<entry key="k v">1</entry>', "<a>1</a><b>x</b>", "<k>v</k>",
    " ", "<![CDATA[<x>]]>", "&amp;", "&lt;tag&gt;", "<p>t</p> tail", "<item><k>1</k></item>",
]


def jsonish(rng, text):
    r = rng.random()
    if r < 0.4:
        return json.dumps(text)
    if r < 0.7:
        return text if text else '""'
    return "'" + text + "'"


def xml_of(rng, tag, v):
    if isinstance(v, list):
        return f"<{tag}>" + "".join(xml_of(rng, "item", x) for x in v) + f"</{tag}>"
    if isinstance(v, dict):
        parts = []
        for k, x in v.items():
            if k.replace("-", "_").replace(".", "_").isidentifier():
                parts.append(xml_of(rng, k, x))
            else:
                parts.append(xml_of(rng, "entry", x).replace("<entry>", f'<entry key="{k}">', 1))
        return f"<{tag}>" + "".join(parts) + f"</{tag}>"
    if v is None:
        return rng.choice([f"<{tag}/>", f"<{tag}></{tag}>", f"<{tag}> </{tag}>"])
    if isinstance(v, bool):
        t = rng.choice(["true", "True", "yes", "1"]) if v else rng.choice(["false", "no", "0"])
    else:
        t = str(v)
    return f"<{tag}>" + t.replace("&", "&amp;").replace("<", "&lt;") + f"</{tag}>"


def completion(rng, case):
    outs = [o["name"] for o in case["signature"]["outputs"]]
    exp = case.get("expected") or {}
    own = {n: [json.dumps(v), repr(v), str(v)] for n, v in exp.items() if v is not None}
    names = [n for n in outs if rng.random() < 0.9]
    if rng.random() < 0.3:
        rng.shuffle(names)
    adapter = case["adapter"]
    if adapter == "ChatAdapter":
        text = "\n\n".join(f"[[ ## {n} ## ]]\n{rng.choice(POOL + own.get(n, []) * 8)}" for n in names)
        text += "\n\n[[ ## completed ## ]]"
    elif adapter == "JSONAdapter":
        items = [f'"{n}": {rng.choice([jsonish(rng, rng.choice(POOL))] + own.get(n, [])[:1] * 3)}' for n in names]
        text = "{" + ", ".join(items) + "}"
        if rng.random() < 0.2:
            text = "Here: " + text
    else:
        parts = []
        for n in names:
            if n in exp and rng.random() < 0.4:
                parts.append(xml_of(rng, n, exp[n]))
            elif rng.random() < 0.1:
                parts.append(f"<{n}/>")
            elif rng.random() < 0.1:
                parts.append(f"<{n}>{rng.choice(XPOOL)}</{n}><{n}>{rng.choice(XPOOL)}</{n}>")
            else:
                parts.append(f"<{n}>{rng.choice(XPOOL)}</{n}>")
        text = "\n".join(parts)
    if rng.random() < 0.1:
        text = text[: rng.randrange(len(text) + 1)]
    return text


def main():
    with open(os.path.join(REF, "vectors.json"), encoding="utf-8") as fh:
        doc = json.load(fh)
    cases = []
    for base in doc["parse_cases"]:
        rng = random.Random(f"fuzz-{base['id']}")
        for k in range(PER_CASE):
            case = {key: base[key] for key in ("kind", "scenario", "adapter", "signature")}
            case["id"] = f"{base['id']}-fuzz{k}"
            case["completion"] = completion(rng, base)
            case.update(G.run_parse(case))
            cases.append(case)
    out = {
        "about": "DSPy 3.4.1 verdicts on random completions; see make_parse_fuzz_cases.py",
        "dspy_version": G.dspy.__version__,
        "parse_cases": cases,
    }
    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
