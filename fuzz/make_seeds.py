#!/usr/bin/env python3
"""Writes the committed seed corpora under corpus/<target>/ from the project's own test data:
the DSPy 3.4.1 parse vectors and differential cases (adapters), the signatures they use
(signature), the GSM8K rows (dataset_line) and the saved states (saved_state).

    python3 fuzz/make_seeds.py
"""

import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ADAPTER_DATA = os.path.join(ROOT, "crates", "cognate-adapters", "tests", "data")
TARGETS = {"ChatAdapter": "adapter_chat", "JSONAdapter": "adapter_json", "XMLAdapter": "adapter_xml"}


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def spelled(sig):
    side = lambda fields: ", ".join(f"{f['name']}: {f['type']}" for f in fields)
    return f"{side(sig['inputs'])} -> {side(sig['outputs'])}"


cases = json.load(open(os.path.join(ADAPTER_DATA, "dspy-3.4.1", "vectors.json")))["parse_cases"]
cases += json.load(open(os.path.join(ADAPTER_DATA, "cognate-extra", "parse_fuzz_cases.json")))["parse_cases"][::8]
for case in cases:
    write(TARGETS[case["adapter"]], case["completion"])
    write("signature", spelled(case["signature"]))
for extra in ["list[list[dict[str, Optional[int]]]]", "Literal['a', \"b\", -1]", "q -> a: int | None", "a, b -> c"]:
    write("signature", extra)

rows = open(os.path.join(ROOT, "data", "gsm8k", "test.jsonl"), encoding="utf-8").read().splitlines()[:3]
write("dataset_line", "\n".join(rows) + "\n")
write("dataset_line", "question,answer\n\"what, is\",\"1\"\"2\"\n")
write("dataset_line", "\ufeff{\"question\": \"q\", \"answer\": \"a\"}\n")

state_dir = os.path.join(ROOT, "crates", "cognate-runtime", "tests", "data", "dspy-state")
for sub in ["dspy-written", "cognate-written"]:
    for name in sorted(os.listdir(os.path.join(state_dir, sub))):
        write("saved_state", open(os.path.join(state_dir, sub, name), "rb").read())
