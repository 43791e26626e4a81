"""DSPy 3.4.1's side of the Cognate benchmarks; prints one JSON object per measurement.

    python bench_dspy.py overhead [--runs 15] [--calls 2000] [--demos 0]
    python bench_dspy.py evaluate --base-url http://127.0.0.1:8089/v1 [--latency-ms 50]
        [--concurrency 1,8,32,128,1024] [--seconds 5] [--min-examples 200]
        [--max-examples 5000] [--max-seconds 30] [--repeat 3]
    python bench_dspy.py optimize --base-url http://127.0.0.1:8089/v1 [--latency-ms 50] [--repeat 3] [--train 32]
        [--val 32] [--candidates 4] [--threads 8]

The task is the same as Cognate's (crates/cognate-bench/src/task.rs): the same signature
(name, instructions, fields, descriptions, types), the same generated examples, the same
canned reply for the in-process LM, and exact match on `answer` as the metric.
"""

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
import types
import warnings

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("DSPY_CACHEDIR", os.path.join(os.environ.get("TMPDIR", "/tmp"), "cognate-bench-dspy-cache"))
warnings.filterwarnings("ignore")

import dspy  # noqa: E402

CANNED_REPLY = "[[ ## answer ## ]]\ncobalt river echo\n\n[[ ## confidence ## ]]\n0.87\n\n[[ ## completed ## ]]\n"


class ContextQa(dspy.Signature):
    """Answer the question using the context. Also say how confident you are."""

    context: str = dspy.InputField(desc="a passage that may hold the answer")
    question: str = dspy.InputField(desc="a factoid question")
    answer: str = dspy.OutputField(desc="often between 1 and 5 words")
    confidence: float = dspy.OutputField(desc="confidence between 0 and 1")


def example_inputs(i):
    return {
        "context": f"Passage {i}: the river town number {i} is known for its cobalt bridges and echo caves.",
        "question": f"What is town {i} known for?",
    }


def dataset(n):
    return [dspy.Example(**example_inputs(i), answer="cobalt bridges").with_inputs("context", "question") for i in range(n)]


def exact_match(example, prediction, trace=None):
    return dspy.evaluate.answer_exact_match(example, prediction)


class CannedLM(dspy.BaseLM):
    """An in-process LM (DSPy's custom-LM interface): the same reply to every request, no IO."""

    def __init__(self):
        super().__init__(model="canned", cache=False)

    def forward(self, prompt=None, messages=None, **kwargs):
        message = types.SimpleNamespace(content=CANNED_REPLY, tool_calls=None, reasoning_content=None)
        choice = types.SimpleNamespace(message=message, finish_reason="stop", logprobs=None)
        usage = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
        return types.SimpleNamespace(choices=[choice], usage=usage, model="canned")


def stats(samples):
    ordered = sorted(samples)
    n = len(ordered)
    rank = max(1, min(n, -(-95 * n // 100)))  # nearest rank, as Cognate's Stats
    return {"runs": n, "median": statistics.median(ordered), "p95": ordered[rank - 1], "min": ordered[0], "max": ordered[-1]}


def emit(line):
    print(json.dumps(line), flush=True)


def overhead(args):
    dspy.configure(lm=CannedLM(), adapter=dspy.ChatAdapter())
    program = dspy.Predict(ContextQa)
    program.demos = [
        dspy.Example(**example_inputs(10_000 + i), answer=f"answer {i}", confidence=0.5) for i in range(args.demos)
    ]
    inputs = [example_inputs(i) for i in range(64)]
    for i in range(args.warmup):
        program(**inputs[i % 64])
    per_run = []
    for _ in range(args.runs):
        started = time.perf_counter()
        for i in range(args.calls):
            out = program(**inputs[i % 64])
        per_run.append((time.perf_counter() - started) * 1e6 / args.calls)
        assert out.answer == "cobalt river echo" and out.confidence == 0.87, out
    emit({"bench": "overhead", "framework": "dspy", "demos": args.demos, "calls_per_run": args.calls, "us_per_call": stats(per_run)})


def evaluate(args):
    lm = dspy.LM("openai/mock", api_base=args.base_url, api_key="x", cache=False, num_retries=0)
    dspy.configure(lm=lm, adapter=dspy.ChatAdapter())
    program = dspy.Predict(ContextQa)
    latency = args.latency_ms / 1000.0
    for c in [int(c) for c in args.concurrency.split(",")]:
        ideal = c / latency
        wanted = max(args.min_examples, int(ideal * args.seconds))
        # DSPy tops out near a few hundred examples/s: cap the run at --max-examples and at
        # about --max-seconds at the rate of a short probe, and say so in the output.
        n = min(wanted, args.max_examples)
        probe_n = min(n, max(c, 50))
        probe = timed_eval(program, dataset(probe_n), c)
        n = max(probe_n, min(n, int(probe["per_second"] * args.max_seconds)))
        runs = [timed_eval(program, dataset(n), c) for _ in range(args.repeat)]
        rates = [r["per_second"] for r in runs]
        s = stats(rates)
        emit({
            "bench": "evaluate",
            "framework": "dspy",
            "concurrency": c,
            "examples": n,
            "capped_from": wanted if n < wanted else None,
            "errors": sum(r["errors"] for r in runs),
            "per_second": s,
            "ideal_per_second": ideal,
            "fraction_of_ideal": s["median"] / ideal,
            "seconds": [r["seconds"] for r in runs],
        })


class QaProgram(dspy.Module):
    def __init__(self):
        super().__init__()
        self.predict = dspy.Predict(ContextQa)

    def forward(self, context, question):
        return self.predict(context=context, question=question)


def confident(example, prediction, trace=None):
    return prediction.confidence >= 50.0


def optimize(args):
    lm = dspy.LM("openai/mock", api_base=args.base_url, api_key="x", cache=False, num_retries=0)
    dspy.configure(lm=lm, adapter=dspy.ChatAdapter())
    data = dataset(args.train + args.val)
    trainset, valset = data[: args.train], data[args.train :]
    runs = {"BootstrapFewShot": [], "BootstrapFewShotWithRandomSearch": []}
    for _ in range(args.repeat):
        for name, compile_ in [
            ("BootstrapFewShot", lambda: dspy.BootstrapFewShot(
                metric=confident, max_bootstrapped_demos=4, max_labeled_demos=16).compile(QaProgram(), trainset=trainset)),
            ("BootstrapFewShotWithRandomSearch", lambda: dspy.BootstrapFewShotWithRandomSearch(
                metric=confident, max_bootstrapped_demos=4, max_labeled_demos=16,
                num_candidate_programs=args.candidates, num_threads=args.threads,
            ).compile(QaProgram(), trainset=trainset, valset=valset)),
        ]:
            calls_before = len(lm.history)
            started = time.perf_counter()
            with contextlib.redirect_stdout(sys.stderr):  # DSPy prints its progress
                compiled = compile_()
            seconds = time.perf_counter() - started
            runs[name].append({
                "seconds": seconds,
                "lm_calls": len(lm.history) - calls_before,
                "demos": len(compiled.predict.demos),
                "trials": len(getattr(compiled, "candidate_programs", []) or []) or None,
                "best_score": max((c["score"] for c in getattr(compiled, "candidate_programs", []) or []), default=None),
            })
    config = {"train": args.train, "val": args.val, "candidates": args.candidates, "threads": args.threads}
    for name, rs in runs.items():
        last = rs[-1]
        emit({
            "bench": "optimize", "framework": "dspy", "optimizer": name, "latency_ms": args.latency_ms, "config": config,
            "seconds": stats([r["seconds"] for r in rs]), "lm_calls": last["lm_calls"], "trials": last["trials"],
            "demos": last["demos"], "best_score": last["best_score"], "load_average": os.getloadavg()[0],
        })


def timed_eval(program, data, threads):
    evaluator = dspy.Evaluate(
        devset=data, metric=exact_match, num_threads=threads, display_progress=False, provide_traceback=False,
        max_errors=len(data) + 1,
    )
    started = time.perf_counter()
    result = evaluator(program)
    seconds = time.perf_counter() - started
    errors = sum(1 for _, prediction, _ in result.results if not hasattr(prediction, "answer"))
    return {"seconds": seconds, "per_second": len(data) / seconds, "errors": errors}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("overhead")
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--calls", type=int, default=1000)
    p.add_argument("--warmup", type=int, default=500)
    p.add_argument("--demos", type=int, default=0)
    p = sub.add_parser("evaluate")
    p.add_argument("--base-url", required=True)
    p.add_argument("--latency-ms", type=float, default=50)
    p.add_argument("--concurrency", default="1,8,32,128,1024")
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--min-examples", type=int, default=200)
    p.add_argument("--max-examples", type=int, default=5000)
    p.add_argument("--max-seconds", type=float, default=30)
    p.add_argument("--repeat", type=int, default=3)
    p = sub.add_parser("optimize")
    p.add_argument("--base-url", required=True)
    p.add_argument("--latency-ms", type=int, default=50, help="the server's latency (only recorded)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--train", type=int, default=32)
    p.add_argument("--val", type=int, default=32)
    p.add_argument("--candidates", type=int, default=4)
    p.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    {"overhead": overhead, "evaluate": evaluate, "optimize": optimize}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
