"""The long run of the property-based tests: many random examples per property.

Run from the project root (data home defaults to ../shared/data)::

    .venv/bin/python benchmarks/fuzz_properties.py                 # fuzz profile: 2,000 examples per property
    .venv/bin/python benchmarks/fuzz_properties.py --examples 500 -k metrics
    .venv/bin/python benchmarks/fuzz_properties.py --profile ci    # what `make test` runs

Runs ``tests/test_properties.py`` under pytest with the chosen Hypothesis
profile (see that module's docstring) and ``--hypothesis-show-statistics``,
then prints a Markdown table: per property, the examples tried and the time
taken. The ``fuzz`` profile draws new random examples on every run and keeps
failing ones in Hypothesis' example database (``.hypothesis/``), so a failure
found here is replayed first by the next run; the failing example is printed
with a ``@reproduce_failure`` blob. The exit status is pytest's.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"

_TEST = re.compile(r"^tests/test_properties\.py::(\S+):$")
_COUNTS = re.compile(r"- (\d+) passing, (\d+) failing, and (\d+) invalid")
_TIME = re.compile(r"- during (\w+) phase \(([\d.]+) seconds\)")
_SUMMARY = re.compile(r"^(FAILED|ERROR|XPASS|XFAIL) |^=+ .*(passed|failed|error)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=["ci", "fuzz"], default="fuzz")
    parser.add_argument("--examples", type=int, default=None, help="examples per property (default: the profile's)")
    parser.add_argument("-k", default=None, help="pytest -k expression selecting properties")
    parser.add_argument("--seed", default=None, help="Hypothesis seed (default: random)")
    args = parser.parse_args(argv)

    env = dict(os.environ, SKLEARN_EMOJI_HYPOTHESIS_PROFILE=args.profile)
    if "SKLEARN_EMOJI_DATA" not in env and SHARED.exists():
        env["SKLEARN_EMOJI_DATA"] = str(SHARED)
    if args.examples:
        env["SKLEARN_EMOJI_HYPOTHESIS_EXAMPLES"] = str(args.examples)
    cmd = [sys.executable, "-m", "pytest", "tests/test_properties.py", "-q", "--hypothesis-show-statistics"]
    cmd += ["-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"]
    if args.k:
        cmd += ["-k", args.k]
    if args.seed is not None:
        cmd += [f"--hypothesis-seed={args.seed}"]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    total = time.perf_counter() - start
    out = done.stdout + done.stderr

    stats, current = {}, None  # property -> [passing, failing, invalid, seconds]
    for line in out.splitlines():
        line = line.strip()
        m = _TEST.match(line)
        if m:
            current = stats.setdefault(m.group(1), [0, 0, 0, 0.0])
        elif current is not None and (m := _COUNTS.search(line)):
            for i in range(3):
                current[i] += int(m.group(i + 1))
        elif current is not None and (m := _TIME.search(line)):
            current[3] += float(m.group(2))
    print(f"profile {args.profile}, examples per property: {args.examples or 'the profile default'}")
    print()
    print("| property | passing | failing | invalid | time (s) |")
    print("|---|---:|---:|---:|---:|")
    for name, (ok, bad, invalid, seconds) in stats.items():
        print(f"| {name} | {ok} | {bad} | {invalid} | {seconds:.1f} |")
    totals = [sum(v[i] for v in stats.values()) for i in range(4)]
    print(f"| total ({len(stats)} properties) | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]:.1f} |")
    print(f"\nwall time {total:.1f} s, pytest exit status {done.returncode}")
    summary = [line for line in out.splitlines() if _SUMMARY.match(line)]
    if summary:
        print("\n" + "\n".join(summary))
    if done.returncode != 0:
        print("\n" + out[-8000:])
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
