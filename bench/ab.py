#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Two parkit binaries on the built-in kernels, interleaved: did a change move their numbers?

    bench/ab.py BASE NEW [--rounds 7] [--quick]

Each round runs the same `parkit run --json` commands with both binaries, in alternating order
(A B, then B A, ...), so a slow stretch of the machine hits both. Printed per (kernel, model,
threads): the median over rounds of each binary's median rep time, and NEW/BASE with the min-max
of the per-round ratios. Every run must verify. Nothing is written; speed is never asserted.
"""
import argparse
import json
import statistics
import subprocess
import sys

COMMANDS = [  # what bench/compare.sh measures of parkit
    ["-k", "sum_squares", "-m", "seq", "-n", "1e9", "--reps", "5"],
    ["-k", "sum_squares", "-m", "threads,openmp", "-t", "2", "-n", "1e9", "--reps", "5"],
    ["-k", "triad,square_map,copy,sum_squares_array", "-m", "seq", "-n", "5e7", "--reps", "5"],
    ["-k", "triad,square_map,copy,sum_squares_array", "-m", "threads,openmp", "-t", "2",
     "-n", "5e7", "--reps", "5"],
]
QUICK_SIZES = {"1e9": "1e7", "5e7": "1e6"}


def medians(binary, args):
    out = subprocess.run([binary, "run", "--json", "--no-output", "--warmup", "3", *args],
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    if out.returncode != 0:
        sys.exit(f"ab: {binary} {' '.join(args)} exited {out.returncode}:\n{out.stderr}")
    runs = json.loads(out.stdout)["runs"]
    for r in runs:
        if not r["verification"]["verified"]:
            sys.exit(f"ab: {binary}: {r['kernel']} {r['model']} failed verification")
    return {(r["kernel"], r["model"], r["threads"]): r["time"]["median"] for r in runs}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    args = ap.parse_args()
    commands = [[QUICK_SIZES.get(a, a) for a in c] if args.quick else c for c in COMMANDS]
    times = {}  # (binary index, key) -> [median per round]
    for rnd in range(args.rounds):
        order = (0, 1) if rnd % 2 == 0 else (1, 0)
        for command in commands:
            for which in order:
                for key, t in medians((args.base, args.new)[which], command).items():
                    times.setdefault((which, key), []).append(t)
        print(f"round {rnd + 1}/{args.rounds} done", file=sys.stderr)
    keys = sorted({key for _, key in times})
    print(f"{'kernel':18} {'model':8} {'thr':>3} {'base median':>12} {'new median':>12} "
          f"{'new/base':>8}  per-round min-max")
    for key in keys:
        base, new = times[(0, key)], times[(1, key)]
        ratios = [n / b for b, n in zip(base, new)]
        print(f"{key[0]:18} {key[1]:8} {key[2]:>3} {statistics.median(base):12.6f} "
              f"{statistics.median(new):12.6f} {statistics.median(new) / statistics.median(base):8.3f}"
              f"  {min(ratios):.3f}-{max(ratios):.3f}")


if __name__ == "__main__":
    main()
