#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The tables of bench/compare.sh, from the JSON its invocations printed.

usage: /usr/bin/python3 bench/compare_table.py RAW_DIR --command CMD --date UTC [--python VER]

RAW_DIR holds info.txt (`parkit info`), commands.tsv (name TAB command) and round-NN/NAME.json,
one file per contender and round. Prints Markdown on stdout: the machine, then (1) the lessons'
workload, (2) sum_squares on 1 and 2 threads, (3) bandwidth, (4) the targets.

Every figure is a median over the rounds, its spread the min-max over the rounds. A ratio is
the ratio of the medians shown beside it, so it can be checked from the tables; its spread is
the min-max of the same ratio taken round by round.
"""

import argparse
import json
import pathlib
import statistics
import sys
from dataclasses import dataclass

MODELS = ("seq", "threads", "openmp")
PARALLEL_MODELS = ("threads", "openmp")
BANDWIDTH_KERNELS = ("triad", "square_map", "copy", "sum_squares_array")
# The sizes the targets are stated for; a smoke run's smaller sizes are shown, not judged.
TARGET_LESSONS_N, TARGET_JOBS, TARGET_SUM_N, TARGET_BW_N = 10**7, 5, 10**9, 5 * 10**7


# ---------------------------------------------------------------------------------------------
# One quantity over the rounds.

class Series:
    """One value per round (rounds where it does not apply are left out)."""

    def __init__(self, values):
        self.values = [v for v in values if v is not None]

    def __bool__(self):
        return bool(self.values)

    @property
    def median(self):
        return statistics.median(self.values)

    @property
    def lo(self):
        return min(self.values)

    @property
    def hi(self):
        return max(self.values)


@dataclass
class Ratio:
    value: float | None  # scale x median(numerator) / median(denominator)
    rounds: Series  # the same ratio, round by round: its spread


def field(name, key):
    """Getter of a peer's JSON field in one round's documents."""
    return lambda docs: docs[name].get(key) if name in docs else None


def parkit_run(doc, kernel, model):
    """The run of kernel under model in one `parkit run --json` document, or None."""
    for run in (doc or {}).get("runs", []):
        if run["kernel"] == kernel and run["model"] == model:
            if not run["verification"]["verified"]:
                sys.exit(f"compare_table: parkit {kernel}/{model} was not verified")
            return run
    return None


def parkit_value(name, kernel, model, value):
    """Getter of value(run) for kernel/model in contender name's parkit document."""
    def get(docs):
        run = parkit_run(docs.get(name), kernel, model)
        return None if run is None else value(run)
    return get


def median_time(run):
    return run["time"]["median"]


def gbytes_per_s(run):
    return run["rates"]["gbytes_per_s"]


class Rounds:
    def __init__(self, raw):
        directories = sorted(raw.glob("round-*"))
        if not directories:
            sys.exit(f"compare_table: no round-* directories in {raw}")
        self.docs = [self._load(d) for d in directories]
        self.first = self.docs[0]

    @staticmethod
    def _load(directory):
        docs = {}
        for path in sorted(directory.glob("*.json")):
            try:
                docs[path.stem] = json.loads(path.read_text())
            except json.JSONDecodeError as error:
                sys.exit(f"compare_table: {path}: not JSON ({error})")
        return docs

    def __len__(self):
        return len(self.docs)

    def series(self, get):
        return Series(get(docs) for docs in self.docs)

    def ratio(self, numerator, denominator, scale=1.0):
        a, b = self.series(numerator), self.series(denominator)
        value = scale * a.median / b.median if a and b and b.median else None

        def per_round(docs):
            x, y = numerator(docs), denominator(docs)
            return None if x is None or not y else scale * x / y
        return Ratio(value, self.series(per_round))


# ---------------------------------------------------------------------------------------------
# Formatting.

def fmt_time(series):
    """('4.12 s', '4.05–4.31 s'): median and spread, in the median's unit."""
    if not series:
        return "n/a", "n/a"
    scale, unit = (1, "s") if series.median >= 1 else (1e3, "ms") if series.median >= 1e-3 \
        else (1e6, "µs")
    digits = 2 if series.median * scale < 100 else 0
    one = lambda v: f"{v * scale:.{digits}f}"  # noqa: E731
    return f"{one(series.median)} {unit}", f"{one(series.lo)}–{one(series.hi)} {unit}"


def fmt_number(value, digits=1):
    return f"{value:,.{digits}f}".replace(",", " ")


def fmt_with_spread(series, digits=1):
    if not series:
        return "n/a"
    return (f"{fmt_number(series.median, digits)} "
            f"({fmt_number(series.lo, digits)}–{fmt_number(series.hi, digits)})")


def fmt_ratio(ratio, digits=3, suffix=""):
    if ratio.value is None:
        return "n/a"
    return (f"{ratio.value:.{digits}f}{suffix} "
            f"({ratio.rounds.lo:.{digits}f}–{ratio.rounds.hi:.{digits}f})")


def fmt_factor(value):
    return "n/a" if value is None else f"{fmt_number(value, 0 if value >= 100 else 1)}×"


def fmt_n(n):
    """10^7 as '1e7', 5 x 10^7 as '5e7': as the command lines give them."""
    if n < 1000:
        return str(n)
    exponent = len(str(n)) - 1
    return f"{n / 10**exponent:g}e{exponent}"


# ---------------------------------------------------------------------------------------------
# The sections. Each prints its table and returns what the targets table needs.

def lessons_section(rounds, emit):
    first = rounds.first
    n, jobs = first["py_sequential"]["n"], first["py_sequential"]["jobs"]
    reps = len(parkit_run(first["pk_lessons"], "sum_squares", "seq")["rep_seconds"])
    # The lessons loop over 5 jobs; parkit does the 5 as 5 reps of one invocation, and its time
    # for them is the sum of the 5 rep times (5 x the median rep is given beside it).
    parkit = rounds.series(parkit_value("pk_lessons", "sum_squares", "seq",
                                        lambda r: sum(r["rep_seconds"])))
    parkit_5_medians = rounds.series(parkit_value("pk_lessons", "sum_squares", "seq",
                                                  lambda r: len(r["rep_seconds"]) * median_time(r)))
    for name in ("py_sequential", "py_threads", "py_pool"):
        if not all(docs[name]["ok"] for docs in rounds.docs):
            sys.exit(f"compare_table: {name} gave a wrong answer")

    def numpy_answer(name):
        docs = [d[name] for d in rounds.docs]
        if all(d["verdict"] == "exact" for d in docs):
            return "exact"
        if name == "np_dot_float":
            return f"inexact (rel. error up to {max(d['rel_error'] for d in docs):.1e})"
        wrapped = all(d.get("wrapped_mod_2_64") for d in docs)
        return "**WRONG**" + (" (the exact sum modulo 2^64)" if wrapped else "")

    pool_start = fmt_time(rounds.series(field("py_pool", "pool_start_seconds")))[0]
    chunk = fmt_number(first["np_dot_exact"]["chunk_elements"], 0)
    rows = [  # label, how, contender, answer
        ("Python sequential", "a loop over the jobs", "py_sequential", "exact"),
        ("Python threads", f"{jobs} threads (ThreadPoolExecutor): the GIL runs one at a time",
         "py_threads", "exact"),
        ("Python Pool", f"multiprocessing.Pool({jobs}).map, its start-up ({pool_start}) included",
         "py_pool", "exact"),
        ("numpy exact chunked", f"int64 dots over chunks of {chunk} elements (no partial sum can "
         "overflow), partials added as Python ints", "np_dot_exact", numpy_answer("np_dot_exact")),
        ("numpy float64 dot", "x @ x in float64 (BLAS ddot)", "np_dot_float",
         numpy_answer("np_dot_float")),
        ("numpy int64 dot", "x @ x in int64", "np_dot_int64", numpy_answer("np_dot_int64")),
    ]
    emit(f"## 1. The lessons' workload: {jobs} × sum of i² for i < {fmt_n(n)}, exact integers")
    emit("")
    emit("| contender | how | time | spread | answer | parkit seq is N× faster |")
    emit("|---|---|---|---|---|---|")
    python = {}
    for label, how, name, answer in rows:
        series = rounds.series(field(name, "seconds"))
        if name.startswith("py_"):
            python[label] = series.median
        median, spread = fmt_time(series)
        factor = series.median / parkit.median
        emit(f"| {label} | {how} | {median} | {spread} | {answer} | {fmt_factor(factor)} |")
    median, spread = fmt_time(parkit)
    emit(f"| **parkit sum_squares seq** | {reps} reps of n = {fmt_n(n)} in one process after 3 "
         f"warm-ups; the sum of the {reps} rep times | {median} | {spread} | exact (128-bit) | 1× |")
    parallel = {}
    for m in PARALLEL_MODELS:
        run = parkit_run(first["pk_lessons_par"], "sum_squares", m)
        parallel[m] = rounds.series(parkit_value("pk_lessons_par", "sum_squares", m,
                                                 lambda r: sum(r["rep_seconds"])))
        median, spread = fmt_time(parallel[m])
        speedup = parkit.median / parallel[m].median
        emit(f"| **parkit sum_squares {m}** | the same on {run['threads']} threads ({speedup:.2f}× "
             f"seq) | {median} | {spread} | exact (128-bit) | – |")
    emit("")
    emit(f"Python is timed inside each process: the interpreter's start-up is not counted. "
         f"{reps} × parkit's median rep is {fmt_time(parkit_5_medians)[0]}. numpy's arrays are "
         "allocated and one untimed warm-up call made before its clock starts, so numpy is not "
         "charged for building x = arange(n); parkit's sum_squares needs no array (it squares "
         "the index).")
    if any(d["np_dot_int64"]["verdict"] != "exact" for d in rounds.docs):
        exact = n * (n - 1) * (2 * n - 1) // 6
        emit(f"The int64 dot's sum, {exact:.2e} per job, is past 2^63 ≈ 9.22e18: numpy wraps "
             "modulo 2^64 without a word.")
    emit("")
    fastest = min(python, key=python.get)
    fastest_parkit = min(parallel, key=lambda m: parallel[m].median)
    return {"n": n, "jobs": jobs, "parkit": parkit, "fastest_python": fastest,
            "vs_python": python[fastest] / parkit.median,
            "vs_python_sequential": python["Python sequential"] / parkit.median,
            "fastest_parkit": fastest_parkit,
            "best_vs_best": python[fastest] / parallel[fastest_parkit].median}


def sum_squares_section(rounds, emit):
    first = rounds.first
    n = parkit_run(first["pk_sum_seq"], "sum_squares", "seq")["n_global"]
    seq = parkit_value("pk_sum_seq", "sum_squares", "seq", median_time)
    par = {m: parkit_value("pk_sum_par", "sum_squares", m, median_time) for m in PARALLEL_MODELS}
    workers = {m: parkit_run(first["pk_sum_par"], "sum_squares", m)["threads"]
               for m in PARALLEL_MODELS}
    speedup = {m: rounds.ratio(seq, par[m]) for m in PARALLEL_MODELS}
    efficiency = {m: rounds.ratio(seq, par[m], 1 / workers[m]) for m in PARALLEL_MODELS}
    threads_vs_openmp = rounds.ratio(par["threads"], par["openmp"])
    reps = parkit_run(first["pk_sum_seq"], "sum_squares", "seq")["reps"]

    emit(f"## 2. sum_squares, n = {fmt_n(n)} (exact 128-bit), median of {reps} reps per "
         "invocation")
    emit("")
    emit("| model | threads T | time | spread | speedup | efficiency t_seq / (T t_T) |")
    emit("|---|---|---|---|---|---|")
    t_seq = rounds.series(seq)
    emit(f"| seq | 1 | {' | '.join(fmt_time(t_seq))} | 1 | 1 |")
    for m in PARALLEL_MODELS:
        emit(f"| {m} | {workers[m]} | {' | '.join(fmt_time(rounds.series(par[m])))} | "
             f"{fmt_ratio(speedup[m], 2)} | {fmt_ratio(efficiency[m])} |")
    emit("")
    emit(f"threads / openmp time: {fmt_ratio(threads_vs_openmp)}.")
    emit("")
    return {"n": n, "t_seq": t_seq, "efficiency": efficiency, "threads_vs_openmp": threads_vs_openmp}


def bandwidth_section(rounds, emit):
    first = rounds.first
    n = first["np_square"]["n"]

    def gb(kernel, model):
        return parkit_value("pk_bw_seq" if model == "seq" else "pk_bw_par", kernel, model,
                            gbytes_per_s)

    workers = {m: 1 if m == "seq" else parkit_run(first["pk_bw_par"], "triad", m)["threads"]
               for m in MODELS}
    have_copy = parkit_run(first["pk_bw_seq"], "copy", "seq") is not None
    numpy = {"triad": ("np_triad", "np.multiply + np.add: 2 passes"),
             "square_map": ("np_square", "np.square(x, out=y)"),
             "copy": ("np_copy", "np.copyto(y, x): glibc memcpy")}
    reps = parkit_run(first["pk_bw_seq"], "triad", "seq")["reps"]

    emit(f"## 3. Bandwidth, n = {fmt_n(n)} doubles, GB/s (median of {reps} reps per invocation)")
    emit("")
    header = " | ".join(f"{m} ({workers[m]} thread{'s' if workers[m] > 1 else ''})"
                        for m in MODELS)
    emit(f"| kernel | B/element counted | {header} | numpy (1 thread) |")
    emit("|---|---|---|---|---|---|")
    for kernel in BANDWIDTH_KERNELS:
        run = parkit_run(first["pk_bw_seq"], kernel, "seq")
        if run is None:
            emit(f"| {kernel} | | not in this parkit: skipped | | | |")
            continue
        cells = " | ".join(fmt_with_spread(rounds.series(gb(kernel, m))) for m in MODELS)
        peer = "–"
        if kernel in numpy:
            name, how = numpy[kernel]
            peer = f"{fmt_with_spread(rounds.series(field(name, 'gbytes_per_s')))}: {how}"
        emit(f"| {kernel} | {run['rates']['bytes_per_elem']:g} | {cells} | {peer} |")
    emit("")

    shares = {
        ("square_map", "triad"): {m: rounds.ratio(gb("square_map", m), gb("triad", m), 100)
                                  for m in MODELS},
        ("sum_squares_array", "copy"): {m: rounds.ratio(gb("sum_squares_array", m),
                                                        gb("copy", m), 100) for m in MODELS},
    }
    numpy_share = rounds.ratio(field("np_square", "gbytes_per_s"),
                               field("np_triad", "gbytes_per_s"), 100)
    # another copy on one thread: numpy's, which is glibc's memcpy
    ssa_vs_regular_copy = rounds.ratio(gb("sum_squares_array", "seq"),
                                       field("np_copy", "gbytes_per_s"), 100)
    emit("| GB/s as % of | " + " | ".join(MODELS) + " | numpy | target |")
    emit("|---|---|---|---|---|---|")
    for (kernel, reference), target in (((("square_map", "triad")), "≥ 95 %"),
                                        ((("sum_squares_array", "copy")), "≥ 90 %")):
        cells = " | ".join(fmt_ratio(shares[(kernel, reference)][m], 1, " %") for m in MODELS)
        peer = fmt_ratio(numpy_share, 1, " %") if kernel == "square_map" else "–"
        emit(f"| {kernel} / {reference} | {cells} | {peer} | {target} |")
    emit(f"| sum_squares_array / numpy's copy (memcpy) | "
         f"{fmt_ratio(ssa_vs_regular_copy, 1, ' %')} | | | | |")
    emit("")
    emit("Counted bytes are STREAM's: reads + writes, no write-allocate. parkit writes large "
         "outputs with streaming stores, so what it counts is what moves. numpy stores "
         "regularly, so each output line is read before it is written: np.square moves 24 B per "
         "element (16 counted); numpy's triad without temporaries is two passes, a = 3c then "
         "a += b, which move 40 B per element, 56 with write-allocate (24 counted). The threads "
         "and openmp runs share one invocation, seq has its own.")
    emit("")
    threads_vs_openmp = {k: rounds.ratio(gb(k, "threads"), gb(k, "openmp"))
                         for k in BANDWIDTH_KERNELS}
    return {"n": n, "shares": shares, "threads_vs_openmp": threads_vs_openmp,
            "have_copy": have_copy, "ssa_vs_regular_copy": ssa_vs_regular_copy}


def targets_section(lessons, sums, bandwidth, emit):
    full_size = {"lessons": (lessons["n"], lessons["jobs"]) == (TARGET_LESSONS_N, TARGET_JOBS),
                 "sum": sums["n"] == TARGET_SUM_N, "bw": bandwidth["n"] == TARGET_BW_N}

    def met(ok, size):
        if not full_size[size]:
            return "not judged (smaller n)"
        if ok is None:
            return "not measured"
        return "yes" if ok else "**no**"

    def ratio_row(what, goal, ratio, size, test, suffix=""):
        value = ratio.value
        measured = "n/a" if value is None else f"{value:.{1 if suffix else 3}f}{suffix}"
        return (what, goal, measured, met(None if value is None else test(value), size))

    rows = [
        (f"{lessons['jobs']} × n = {fmt_n(lessons['n'])} sum_squares, parkit seq", "≤ 2 ms",
         fmt_time(lessons["parkit"])[0], met(lessons["parkit"].median <= 2e-3, "lessons")),
        ("parkit seq vs Python sequential (one core each)", "≥ 1000×",
         fmt_factor(lessons["vs_python_sequential"]),
         met(lessons["vs_python_sequential"] >= 1000, "lessons")),
        (f"parkit seq vs the lessons' fastest Python ({lessons['fastest_python']})",
         "≥ 1000×", fmt_factor(lessons["vs_python"]), met(lessons["vs_python"] >= 1000, "lessons")),
        (f"parkit {lessons['fastest_parkit']} 2 threads vs {lessons['fastest_python']} (both "
         "cores each)", "≥ 1000×", fmt_factor(lessons["best_vs_best"]),
         met(lessons["best_vs_best"] >= 1000, "lessons")),
        (f"n = {fmt_n(sums['n'])} sum_squares, one thread", "≤ 50 ms", fmt_time(sums["t_seq"])[0],
         met(sums["t_seq"].median <= 50e-3, "sum")),
    ]
    for (kernel, reference), goal in ((("square_map", "triad"), 95),
                                      (("sum_squares_array", "copy"), 90)):
        for m in MODELS:
            rows.append(ratio_row(f"{kernel} GB/s / {reference} GB/s, {m}", f"≥ {goal} %",
                                  bandwidth["shares"][(kernel, reference)][m], "bw",
                                  lambda v, goal=goal: v >= goal, " %"))
    rows.append(ratio_row("sum_squares_array GB/s / numpy's copy (memcpy), seq",
                          "≥ 90 %", bandwidth["ssa_vs_regular_copy"], "bw", lambda v: v >= 90,
                          " %"))
    for m in PARALLEL_MODELS:
        rows.append(ratio_row(f"2-thread efficiency, sum_squares {fmt_n(sums['n'])}, {m}",
                              "≥ 0.9", sums["efficiency"][m], "sum", lambda v: v >= 0.9))
    within = lambda v: abs(v - 1) <= 0.05  # noqa: E731
    rows.append(ratio_row(f"threads / openmp time, sum_squares {fmt_n(sums['n'])}",
                          "within 5 %", sums["threads_vs_openmp"], "sum", within))
    for kernel in BANDWIDTH_KERNELS:
        ratio = bandwidth["threads_vs_openmp"][kernel]
        if ratio.value is not None:
            rows.append(ratio_row(f"threads / openmp GB/s, {kernel}", "within 5 %", ratio, "bw",
                                  within))
    emit("## 4. Targets")
    emit("")
    emit("| target | goal | measured | met |")
    emit("|---|---|---|---|")
    for row in rows:
        emit("| " + " | ".join(row) + " |")
    emit("")
    if not bandwidth["have_copy"]:
        emit("This parkit has no `copy` kernel yet: sum_squares_array / copy is not measured.")
        emit("")
    missed = [row[0] for row in rows if row[3] == "**no**"]
    reasons = [(prefix, why) for prefix, why in WHY_MISSED if any(m.startswith(prefix)
                                                                  for m in missed)]
    if reasons:
        emit("### Why the missed targets are missed")
        emit("")
        for prefix, why in reasons:
            emit(f"- **{prefix}**: {why}")
        emit("")


# What a missed target means, measured while making the kernels (bench/README.md has the
# numbers); printed under the targets table for each kind of row that was missed.
WHY_MISSED = [
    ("parkit seq vs Python sequential",
     "sum_squares runs at the machine's limit for an element-by-element exact sum: below 2^26 "
     "one AVX-512 IFMA multiply-add squares 8 elements, at ~0.037 ns per element. The ratio "
     "then rests on this machine's Python, faster here (1.65-1.77 s) than the issue's reference "
     "(1.7-2.2 s, against which the same parkit time is 880-1140x). Folding a block of squares "
     "into a formula would be faster and would no longer sum the elements."),
    ("parkit seq vs the lessons' fastest Python",
     "the Pool uses both cores, parkit seq one: the like-for-like row is the 2-thread one."),
    ("parkit openmp 2 threads vs", "as for one core: parkit is at its per-core limit on both "
     "cores (efficiency ~0.96), and the Pool's 5 processes use the 2 cores well."),
    ("parkit threads 2 threads vs", "as for one core: parkit is at its per-core limit on both "
     "cores, and the Pool's 5 processes use the 2 cores well."),
    ("n = 1e9 sum_squares, one thread",
     "the VM's speed drifts by ~10 % over an hour (the lessons' Python moved with it); the same "
     "code gave 47.6-49.8 ms in the quieter hours of the same day. Above 2^26 the IFMA path "
     "cannot square exactly in 52 bits, so 93 % of 10^9 runs the AVX-512 add-only recurrence."),
    ("sum_squares_array GB/s / copy GB/s",
     "one core streaming reads alone gets ~15 GB/s here however it prefetches (with huge pages, "
     "software prefetch 4 KiB ahead: 15.8 standalone); copy's streamed writes add to its reads "
     "instead of sharing them (8 B read + 8 B written per element, ~20 GB/s counted). Against "
     "a copy that reads each line before it writes it (regular stores: 13.6 GB/s standalone) "
     "the same kernel is ~110 %. On two threads the share is the same, so it is the memory "
     "system's, not the loop's."),
    ("sum_squares_array GB/s / numpy's copy",
     "glibc's memcpy does not read the lines it writes either (it is faster than parkit's "
     "streaming copy here), so the same reason holds."),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Markdown tables of bench/compare.sh's rounds")
    parser.add_argument("raw", type=pathlib.Path, help="the directory compare.sh filled")
    parser.add_argument("--command", required=True, help="the compare.sh command line")
    parser.add_argument("--date", required=True, help="when the run started (UTC)")
    parser.add_argument("--python", default="?", help="the peers' Python version")
    args = parser.parse_args(argv)

    rounds = Rounds(args.raw)
    info = (args.raw / "info.txt").read_text().rstrip()
    commands = [line.split("\t", 1)
                for line in (args.raw / "commands.tsv").read_text().splitlines()]

    lines = []
    emit = lines.append
    emit("# parkit and its peers on the same work (`bench/compare.sh`)")
    emit("")
    plural = "s" if len(rounds) > 1 else ""
    emit(f"- Run: {args.date}, {len(rounds)} round{plural}, interleaved: each round runs every "
         "contender once, in a fixed order (Python lessons, numpy, parkit), one invocation each.")
    emit(f"- Command: `{args.command}`")
    emit("- Every figure is the median over the rounds, with the min–max over the rounds as its "
         "spread. A ratio is the ratio of the medians shown; its spread (in brackets) is the "
         "min–max of the same ratio round by round.")
    emit("")
    body = []
    lessons = lessons_section(rounds, body.append)
    sums = sum_squares_section(rounds, body.append)
    bandwidth = bandwidth_section(rounds, body.append)
    targets_section(lessons, sums, bandwidth, body.append)
    full = (lessons["n"], sums["n"], bandwidth["n"]) == (TARGET_LESSONS_N, TARGET_SUM_N,
                                                          TARGET_BW_N)
    if not full or len(rounds) < 7:
        emit("**Smoke run** (smaller n or fewer than 7 rounds): it shows that the script works, "
             "not how fast anything is; targets are judged only at their stated sizes.")
        emit("")
    emit("## Machine (`parkit info`)")
    emit("")
    emit("```")
    emit(info)
    emit("```")
    emit("")
    peer = rounds.first["np_dot_float"]
    emit(f"Peers: Debian's `/usr/bin/python3` {args.python}, numpy {peer['numpy']}, BLAS "
         f"`{peer['blas']}`. numpy runs with `OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "
         "MKL_NUM_THREADS=1`: one thread, like parkit seq.")
    emit("")
    lines += body
    emit("## Commands (each round, in this order)")
    emit("")
    emit("```")
    for name, command in commands:
        emit(f"{name:14} {command}")
    emit("```")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
