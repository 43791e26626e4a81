#!/usr/bin/env python3
"""Reference log densities of Optuna's Parzen estimator for the Rust test
`search::tpe::parzen::tests::log_densities_match_optuna` (src/search/tpe/parzen.rs).

Each case builds Optuna's own `_ParzenEstimator` with the settings of the default
`TPESampler` (prior_weight 1.0, magic clip on, endpoints off, `default_weights`) over one
parameter, and evaluates `log_pdf` at a few points. The cases mirror the Rust ones: a Rust
`Kind::Numeric { low, high, step, log }` is an Optuna `FloatDistribution` (no step) or
`IntDistribution` (step 1), and `Kind::Categorical { n }` a `CategoricalDistribution` with
`n` choices observed as indices.

    python3 -m venv /tmp/optunavenv && /tmp/optunavenv/bin/pip install -r requirements.txt
    /tmp/optunavenv/bin/python parzen_reference.py            # print the Rust `cases` array
    /tmp/optunavenv/bin/python parzen_reference.py --check    # compare with parzen.rs exactly

`--check` reads the test in parzen.rs and fails unless every number in it (bounds,
observations, points and expected densities, in order) equals what this script computes,
bit for bit.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_weights

OPTUNA_VERSION = "5.0.0"
SOURCE = Path(__file__).resolve().parents[3] / "src" / "search" / "tpe" / "parzen.rs"
TEST = "fn log_densities_match_optuna()"

# (kind, observations, points); kind is ("numeric", low, high, step, log) or ("categorical", n).
CASES = [
    (("numeric", -10.0, 10.0, None, False), [3.0, -2.5, 7.1, 0.4], [-9.0, 0.0, 3.2, 9.9]),
    (("numeric", 1e-4, 1.0, None, True), [0.01, 0.003, 0.5], [1e-4, 0.002, 0.05, 0.9]),
    (("numeric", 0.0, 20.0, 1.0, False), [13.0, 4.0, 13.0, 19.0], [0.0, 5.0, 13.0, 20.0]),
    (("numeric", 1.0, 64.0, 1.0, True), [2.0, 8.0], [1.0, 3.0, 8.0, 64.0]),
    (("categorical", 4), [2.0, 2.0, 0.0], [0.0, 1.0, 2.0, 3.0]),
    # 30 observations, np.linspace(-9, 9, 30): the oldest 5 get ramped weights.
    (("numeric", -10.0, 10.0, None, False), [float(x) for x in np.linspace(-9.0, 9.0, 30)], [-9.0, 0.0, 9.0]),
]

PARAMETERS = _ParzenEstimatorParameters(
    prior_weight=1.0, consider_magic_clip=True, consider_endpoints=False, weights=default_weights, multivariate=False
)


def distribution(kind):
    if kind[0] == "categorical":
        return CategoricalDistribution(list(range(kind[1])))
    _, low, high, step, log = kind
    if step is None:
        return FloatDistribution(low, high, log=log)
    return IntDistribution(int(low), int(high), log=log, step=int(step))


def log_densities(kind, observations, points):
    estimator = _ParzenEstimator({"x": np.asarray(observations)}, {"x": distribution(kind)}, PARAMETERS)
    return [float(v) for v in estimator.log_pdf({"x": np.asarray(points)})]


def numbers(kind, observations, points, expected):
    """Every float of one case, in the order the Rust source spells them."""
    bounds = [] if kind[0] == "categorical" else [v for v in kind[1:4] if v is not None]
    return [*bounds, *observations, *points, *expected]


def rust(kind, observations, points, expected):
    """One case as a Rust tuple (format with rustfmt after pasting)."""
    if kind[0] == "categorical":
        head = f"Kind::Categorical {{ n: {kind[1]} }}"
    else:
        _, low, high, step, log = kind
        head = f"numeric({low!r}, {high!r}, {'None' if step is None else f'Some({step!r})'}, {str(log).lower()})"
    arr = lambda xs: "&[" + ", ".join(repr(x) for x in xs) + "]"  # noqa: E731
    return f"({head}, {arr(observations)}, {arr(points)}, {arr(expected)}),"


FLOAT = re.compile(r"-?\d+\.\d+(?:e-?\d+)?|-?\d+e-?\d+")


def source_numbers():
    text = SOURCE.read_text()
    start = text.index(TEST)
    end = text.index("for (kind, observations", start)
    body = "\n".join(line.split("//")[0] for line in text[start:end].splitlines())
    return [float(m) for m in FLOAT.findall(body)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help=f"compare with the numbers in {SOURCE.name}")
    args = parser.parse_args()
    if optuna.__version__ != OPTUNA_VERSION:
        sys.exit(f"optuna=={OPTUNA_VERSION} is required, found {optuna.__version__}")
    results = [(kind, obs, points, log_densities(kind, obs, points)) for kind, obs, points in CASES]
    if not args.check:
        for case in results:
            print(rust(*case))
        return 0
    want = [x for case in results for x in numbers(*case)]
    got = source_numbers()
    if got != want:
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                print(f"FAIL number {i}: parzen.rs has {g!r}, optuna {OPTUNA_VERSION} gives {w!r}", file=sys.stderr)
                break
        else:
            print(f"FAIL parzen.rs has {len(got)} numbers, the cases have {len(want)}", file=sys.stderr)
        return 1
    print(f"{SOURCE.name}: {len(results)} cases, {len(want)} numbers match optuna {OPTUNA_VERSION} exactly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
