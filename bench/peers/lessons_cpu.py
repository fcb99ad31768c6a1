#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The CPU half of the classic Python concurrency lessons, as a peer for bench/compare.sh.

usage: /usr/bin/python3 bench/peers/lessons_cpu.py {sequential,threads,pool} [--n N] [--jobs J]

The work is J jobs (default 5) of sum(i * i for i in range(n)) (default n = 10^7), in exact
Python ints, as the lessons write it:
  sequential  a loop over the jobs
  threads     one thread per job (ThreadPoolExecutor): the GIL lets one run at a time
  pool        multiprocessing.Pool(J).map over the jobs: one process per job
Every job's result is checked against the closed form n(n-1)(2n-1)/6. Prints one JSON line:
{"variant", "seconds", "ok", "result", ...}. One timing per invocation: the driver interleaves
invocations, so a slow moment of the machine hits every contender alike.
"""

import argparse
import concurrent.futures
import decimal
import json
import multiprocessing
import sys
import time

VARIANTS = ("sequential", "threads", "pool")


def parse_count(text):
    """A non-negative integer from '10000000', '1e7' or '10_000_000' (exact: no float rounding)."""
    try:
        value = decimal.Decimal(text.replace("_", ""))
    except decimal.InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_finite() or value < 0 or value != value.to_integral_value():
        raise argparse.ArgumentTypeError(f"not a non-negative integer: {text!r}")
    return int(value)


def closed_form(n):
    """sum_{i<n} i^2, exactly."""
    return n * (n - 1) * (2 * n - 1) // 6


def job(n):
    # The lessons' cpu_bound(number): a generator over range(n), one Python int per element.
    return sum(i * i for i in range(n))


def run_sequential(n, jobs):
    return [job(n) for _ in range(jobs)], {}


def run_threads(n, jobs):
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as executor:
        return list(executor.map(job, [n] * jobs)), {"workers": jobs}


def run_pool(n, jobs):
    # Timed from the pool's creation to its workers' exit, as the lesson times its `with Pool`
    # block: starting the processes is part of what this way of going parallel costs. The
    # start-up alone is reported too.
    start = time.perf_counter()
    pool = multiprocessing.Pool(jobs)
    started = time.perf_counter()
    try:
        results = pool.map(job, [n] * jobs)
    finally:
        pool.close()
        pool.join()
    return results, {"workers": jobs, "start_method": multiprocessing.get_start_method(),
                     "pool_start_seconds": started - start}


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="The Python concurrency lessons' CPU workload (J jobs of sum_{i<n} i^2, "
        "exact ints), one timed variant per invocation; prints one JSON line.")
    parser.add_argument("variant", choices=VARIANTS)
    parser.add_argument("--n", type=parse_count, default=10**7,
                        help="elements per job (default 1e7)")
    parser.add_argument("--jobs", type=parse_count, default=5,
                        help="jobs, and threads or processes for threads/pool (default 5)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")

    run = {"sequential": run_sequential, "threads": run_threads, "pool": run_pool}[args.variant]
    start = time.perf_counter()
    results, extra = run(args.n, args.jobs)
    seconds = time.perf_counter() - start

    expected = closed_form(args.n)
    ok = len(results) == args.jobs and all(r == expected for r in results)
    # Ints as strings: the total (about 1.7e21 at the defaults) is beyond any JSON reader's double.
    record = {"variant": args.variant, "seconds": seconds, "ok": ok, "result": str(sum(results)),
              "expected": str(expected * args.jobs), "n": args.n, "jobs": args.jobs,
              "python": sys.version.split()[0], **extra}
    print(json.dumps(record))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
