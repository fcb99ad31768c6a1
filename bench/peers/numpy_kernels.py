#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""numpy peers of parkit's kernels, for bench/compare.sh. One timed variant per invocation.

usage: /usr/bin/python3 bench/peers/numpy_kernels.py VARIANT [--n N] [--jobs J]

The lessons' workload, J jobs (default 5) of sum_{i<n} i^2 (default n = 10^7), x = arange(n):
  dot_float   x @ x in float64 (BLAS ddot): fast, but the sum passes 2^53 and is rounded;
              the relative error against the exact value is reported
  dot_int64   x @ x in int64: exact until the sum passes 2^63, then silently wraps modulo 2^64
              (at n = 10^7 the sum is ~3.3e20 > 2^63 ~ 9.2e18: the answer is WRONG)
  dot_exact   int64 dots over chunks short enough that no partial sum can overflow, the
              partials added as Python ints: exact
Bandwidth, the inputs of parkit's kernels (default n = 5 x 10^7):
  square      np.square(x, out=y), x[i] = (i mod 1000) + 1, counted as 16 B per element
  triad       a = b + 3 c without temporaries, b[i] = (i mod 1000) + 1, c[i] = (i mod 7) + 1:
              np.multiply(c, 3, out=a); np.add(a, b, out=a), counted as 24 B per element
  copy        np.copyto(y, x): glibc's memcpy, counted as 16 B per element
Arrays are allocated and filled before the clock starts, and one untimed warm-up call runs
first, so page faults are not timed. Every result is checked; prints one JSON line
{"variant", "seconds", "ok", "result", ...}. Use Debian's /usr/bin/python3: its numpy is
python3-numpy.
"""

import argparse
import fractions
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lessons_cpu import closed_form, parse_count  # noqa: E402  (one copy of both)

SUM_VARIANTS = ("dot_float", "dot_int64", "dot_exact")
BANDWIDTH_VARIANTS = ("square", "triad", "copy")
INT64_MAX = 2**63 - 1


def chunk_length(n):
    """Elements per chunk such that no int64 partial sum of i^2 over a chunk can overflow.

    Every element of x = arange(n) is at most n - 1, so a chunk of c elements sums to at most
    c * (n - 1)^2, which fits in int64 when c <= (2^63 - 1) // (n - 1)^2: 92 233 at n = 10^7.
    (A single square must fit too, n - 1 <= 3.03e9.)
    """
    largest_square = (n - 1) ** 2
    if largest_square > INT64_MAX:
        raise ValueError(f"n = {n}: (n-1)^2 does not fit in int64")
    return max(1, min(n, INT64_MAX // max(largest_square, 1)))


def sum_variant(variant, n, jobs):
    """Times `jobs` sums of i^2 over x = arange(n); returns (seconds, results, extra fields)."""
    extra = {}
    if variant == "dot_float":
        x = np.arange(n, dtype=np.float64)
        one = lambda: x @ x  # noqa: E731
    elif variant == "dot_int64":
        x = np.arange(n, dtype=np.int64)
        one = lambda: x @ x  # noqa: E731
    else:
        c = chunk_length(n)
        rows = -(-n // c)
        # Padded with zeros to rows x c, which add nothing: one 2-D array, one dot per row.
        x = np.zeros(rows * c, dtype=np.int64)
        x[:n] = np.arange(n, dtype=np.int64)
        chunks = x.reshape(rows, c)

        def one():
            return sum(int(row @ row) for row in chunks)

        extra = {"chunk_elements": c, "chunks": rows}
    one()  # warm-up: page faults, BLAS and numpy's lazy set-up are not timed
    start = time.perf_counter()
    results = [one() for _ in range(jobs)]
    seconds = time.perf_counter() - start
    return seconds, results, extra


def check_sums(variant, n, results):
    """Verdict and fields for the sums: exact, inexact (float rounding) or WRONG."""
    expected = closed_form(n)
    fields = {}
    if variant == "dot_float":
        exact = [fractions.Fraction(float(r)) for r in results]
        error = max(abs(e - expected) for e in exact) / max(expected, 1)
        fields["rel_error"] = float(error)
        total = sum(exact)
        verdict = "exact" if error == 0 else "inexact"
        result = str(int(total)) if total.denominator == 1 else str(float(total))
    else:
        values = [int(r) for r in results]
        result = str(sum(values))
        verdict = "exact" if all(v == expected for v in values) else "WRONG"
        if variant == "dot_int64" and verdict == "WRONG":
            # Confirms what went wrong: the value is the exact one reduced modulo 2^64.
            fields["wrapped_mod_2_64"] = all((v - expected) % 2**64 == 0 for v in values)
    return verdict, result, str(expected * len(results)), fields


def bandwidth_variant(variant, n):
    """Times one pass of square or triad; returns (seconds, ok, extra fields)."""
    i = np.arange(n, dtype=np.int64)
    if variant == "square":
        x = (i % 1000 + 1).astype(np.float64)
        y = np.empty(n)
        expected = (i % 1000 + 1) ** 2
        np.square(x, out=y)  # warm-up: y's pages are faulted in here
        y.fill(np.nan)  # so a timed call that wrote nothing fails the check
        start = time.perf_counter()
        np.square(x, out=y)
        seconds = time.perf_counter() - start
        ok = bool(np.array_equal(y, expected))
        # numpy stores regularly: each line of y is read before it is written (write-allocate),
        # so 24 B per element really move; 16 B are counted, as for parkit's square_map.
        extra = {"bytes_per_elem": 16, "passes": 1}
    elif variant == "copy":
        x = (i % 1000 + 1).astype(np.float64)
        y = np.empty(n)
        np.copyto(y, x)  # warm-up
        y.fill(np.nan)
        start = time.perf_counter()
        np.copyto(y, x)
        seconds = time.perf_counter() - start
        ok = bool(np.array_equal(y, x))
        # np.copyto is glibc's memcpy (numpy also asks for huge pages for arrays this big).
        # How memcpy stores depends on the CPU and the cache sizes it is told of; on the 2-core
        # VM it beat parkit's streaming copy, so it does not read the lines it writes either.
        extra = {"bytes_per_elem": 16, "passes": 1}
    else:
        b = (i % 1000 + 1).astype(np.float64)
        c = (i % 7 + 1).astype(np.float64)
        a = np.empty(n)
        expected = (i % 1000 + 1) + 3 * (i % 7 + 1)

        def triad():
            # Two passes over memory, not one: a = 3c (read c, write a), then a += b (read a
            # and b, write a): 40 B per element move (56 B with write-allocate), 24 B counted
            # as STREAM counts the triad. That is numpy's price for avoiding a temporary.
            np.multiply(c, 3.0, out=a)
            np.add(a, b, out=a)

        triad()  # warm-up
        a.fill(np.nan)
        start = time.perf_counter()
        triad()
        seconds = time.perf_counter() - start
        ok = bool(np.array_equal(a, expected))
        extra = {"bytes_per_elem": 24, "passes": 2}
    extra["gbytes_per_s"] = extra["bytes_per_elem"] * n / seconds / 1e9
    return seconds, ok, extra


def blas_loaded():
    """The BLAS library this process mapped (x @ x in float64 runs there): Debian's numpy links
    libblas.so.3, which update-alternatives points at netlib (one thread) or OpenBLAS."""
    with open("/proc/self/maps", encoding="ascii", errors="replace") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.rsplit("/", 1)[-1].lower()}
    return ", ".join(sorted(paths)) or "none mapped"


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="numpy peers of parkit's kernels, one timed variant per invocation; prints "
        "one JSON line. Sums (the lessons' workload): " + ", ".join(SUM_VARIANTS)
        + ". Bandwidth: " + ", ".join(BANDWIDTH_VARIANTS) + ".")
    parser.add_argument("variant", choices=SUM_VARIANTS + BANDWIDTH_VARIANTS)
    parser.add_argument("--n", type=parse_count, default=None,
                        help="elements (default 1e7 for the sums, 5e7 for square and triad)")
    parser.add_argument("--jobs", type=parse_count, default=5,
                        help="sums only: jobs of n elements, timed together (default 5)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")

    record = {"variant": args.variant}
    if args.variant in SUM_VARIANTS:
        n = 10**7 if args.n is None else args.n
        try:
            seconds, results, extra = sum_variant(args.variant, n, args.jobs)
        except ValueError as error:
            parser.error(str(error))
        verdict, result, expected, fields = check_sums(args.variant, n, results)
        record.update(seconds=seconds, ok=verdict == "exact", result=result, expected=expected,
                      verdict=verdict, n=n, jobs=args.jobs, **fields, **extra)
    else:
        n = 5 * 10**7 if args.n is None else args.n
        if n < 1:
            parser.error("--n must be at least 1")
        seconds, ok, extra = bandwidth_variant(args.variant, n)
        record.update(seconds=seconds, ok=ok, result="all elements exact" if ok else "mismatch",
                      verdict="exact" if ok else "WRONG", n=n, **extra)
    record["numpy"] = np.__version__
    record["blas"] = blas_loaded()
    print(json.dumps(record))
    # A wrong or inexact answer is the finding here, not a failure of the bench: exit 0 for the
    # sums whatever the verdict, and 1 only when square or triad computed something else.
    return 0 if record["ok"] or args.variant in SUM_VARIANTS else 1


if __name__ == "__main__":
    sys.exit(main())
