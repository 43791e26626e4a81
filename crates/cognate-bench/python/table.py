"""Prints the Markdown tables of docs/benchmarks.md from run.sh's JSON lines."""

import json
import sys


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip().startswith("{")]
    overhead = {(r["framework"], r["demos"]): r["us_per_call"] for r in rows if r["bench"] == "overhead"}
    if overhead:
        print("| Demos | Cognate µs/call (median, p95) | DSPy 3.4.1 µs/call (median, p95) | Ratio |")
        print("|---|---|---|---|")
        for demos in sorted({d for _, d in overhead}):
            c, d = overhead.get(("cognate", demos)), overhead.get(("dspy", demos))
            cell = lambda s: f"{s['median']:.2f} ({s['p95']:.2f})" if s else "—"  # noqa: E731
            ratio = f"{d['median'] / c['median']:.0f}×" if c and d else "—"
            print(f"| {demos} | {cell(c)} | {cell(d)} | {ratio} |")
        print()
    evaluate = {(r["framework"], r["concurrency"]): r for r in rows if r["bench"] == "evaluate"}
    if evaluate:
        print("| Concurrency | Ideal ex/s | Cognate ex/s | Cognate % of ideal | DSPy 3.4.1 ex/s | DSPy % of ideal |")
        print("|---|---|---|---|---|---|")
        for c in sorted({c for _, c in evaluate}):
            cog, dsp = evaluate.get(("cognate", c)), evaluate.get(("dspy", c))
            ideal = (cog or dsp)["ideal_per_second"]

            def cells(r):
                if not r:
                    return "not run", "—"
                note = f" ({r['examples']} ex{', capped' if r.get('capped_from') else ''})"
                errors = f", {r['errors']} errors" if r["errors"] else ""
                return f"{r['per_second']['median']:,.0f}{note}{errors}", f"{100 * r['fraction_of_ideal']:.1f}%"

            print(f"| {c} | {ideal:,.0f} | {' | '.join(cells(cog))} | {' | '.join(cells(dsp))} |")
        print()
    optimize = {(r["framework"], r["optimizer"], r.get("latency_ms", 50)): r for r in rows if r["bench"] == "optimize"}
    if optimize:
        print("| Optimizer | Server latency | Cognate s (median, min–max) | DSPy 3.4.1 s (median, min–max) | LM calls (Cognate / DSPy) | Speed-up |")
        print("|---|---|---|---|---|---|")
        for name, latency in sorted({(n, l) for _, n, l in optimize}, key=lambda k: (k[0], -k[1])):
            cog, dsp = optimize.get(("cognate", name, latency)), optimize.get(("dspy", name, latency))
            cell = lambda r: f"{r['seconds']['median']:.3f} ({r['seconds']['min']:.3f}–{r['seconds']['max']:.3f})" if r else "—"  # noqa: E731
            calls = f"{cog['lm_calls'] if cog else '—'} / {dsp['lm_calls'] if dsp else '—'}"
            speedup = f"{dsp['seconds']['median'] / cog['seconds']['median']:.2f}×" if cog and dsp else "—"
            print(f"| {name} | {latency} ms | {cell(cog)} | {cell(dsp)} | {calls} | {speedup} |")


if __name__ == "__main__":
    main(sys.argv[1])
