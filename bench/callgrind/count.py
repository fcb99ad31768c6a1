#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Instructions per element of each kernel's timed body, counted by valgrind's callgrind.

The harness (target parkit_kernel_counts: the kernels built for x86-64-v3) runs one kernel once
under seq. Callgrind collects only inside KernelExperiment<K, Seq>::execute(), the region the
timing protocol times, at n = N1 and at n = N2; (Ir(N2) - Ir(N1)) / (N2 - N1) is the count per
element with every fixed cost (set-up, loop prologues, the reduction's combine) taken out.
sum_squares runs its avx2 path (PARKIT_SUM_SQUARES_PATH=avx2) and the array kernels their
baseline path (PARKIT_ARRAY_PATH=baseline): valgrind has no AVX-512, and naming them keeps it so.

  count.py KERNEL N1 N2   print KERNEL's instructions per element
  count.py --check        every row of budget.txt; every registered kernel must have one (CTest)
  count.py --record       count every registered kernel at SIZE_PAIRS and rewrite budget.txt

--harness defaults to $PARKIT_KERNEL_COUNTS, else build/{ci,release}/bench/parkit_kernel_counts.
"""

import argparse
import concurrent.futures
import datetime
import math
import os
import pathlib
import platform
import re
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_BUDGET = HERE / "budget.txt"
# --record's (n1, n2) pairs: under valgrind 3.19 (a 256 KiB L2 in its CPUID) write_array
# streams from 262144 doubles on, so one pair below that and one above.
SIZE_PAIRS = [(20_000, 200_000), (500_000, 2_000_000)]
BODY = "*KernelExperiment<*>::execute()"  # the timed region, whatever the kernel
MARGIN = 0.10  # --record: ceiling = recorded * (1 + MARGIN), "+ 10 %" in budget.txt


class Failure(Exception):
    """A one-line reason the check fails."""


def shown(path):
    try:
        return str(pathlib.Path(path).resolve().relative_to(pathlib.Path.cwd()))
    except ValueError:
        return str(path)


def default_harness():
    if os.environ.get("PARKIT_KERNEL_COUNTS"):
        return os.environ["PARKIT_KERNEL_COUNTS"]
    for preset in ("ci", "release"):
        candidate = ROOT / "build" / preset / "bench" / "parkit_kernel_counts"
        if candidate.exists():
            return str(candidate)
    return str(ROOT / "build" / "ci" / "bench" / "parkit_kernel_counts")


def harness_output(args, *options):
    done = subprocess.run([args.harness, *options], capture_output=True, text=True)
    if done.returncode != 0:
        raise Failure(f"{args.harness} {' '.join(options)} exited {done.returncode}: "
                      f"{done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def registered(args):
    return harness_output(args, "--list").split()


def body_instructions(args, kernel, n, workdir):
    """Ir inside the timed body of one run of `kernel` at size n."""
    out = pathlib.Path(workdir) / f"callgrind.{kernel}.{n}.out"
    # the paths valgrind runs, named so that a valgrind with AVX-512 would count the same code
    env = dict(os.environ, PARKIT_SUM_SQUARES_PATH="avx2", PARKIT_ARRAY_PATH="baseline")
    command = [args.valgrind, "-q", "--tool=callgrind", "--collect-atstart=no",
               f"--toggle-collect={BODY}", f"--callgrind-out-file={out}", args.harness, kernel,
               str(n)]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        lines = (done.stdout + done.stderr).strip().splitlines()
        own = [line for line in lines if "parkit_kernel_counts:" in line or " seq n=" in line]
        raise Failure(f"{kernel}: the run at n={n} under callgrind exited {done.returncode}: "
                      f"{(own or lines or ['no output'])[0]}")
    text = out.read_text()
    found = re.search(r"^totals:\s*(\d+)", text, re.M) or re.search(r"^summary:\s*(\d+)",
                                                                      text, re.M)
    if not found or int(found.group(1)) == 0:
        raise Failure(f"{kernel}: callgrind collected nothing in {BODY} at n={n}: was the timed "
                      f"body renamed? (bench/callgrind/count.py, BODY)")
    return int(found.group(1))


def per_element(args, kernel, n1, n2):
    with tempfile.TemporaryDirectory(prefix="parkit-callgrind-") as workdir:
        low = body_instructions(args, kernel, n1, workdir)
        high = body_instructions(args, kernel, n2, workdir)
    return (high - low) / (n2 - n1)


def read_budget(path):
    """The harness it was recorded with, and [(kernel, n1, n2, recorded, ceiling)]."""
    try:
        text = pathlib.Path(path).read_text()
    except OSError as error:
        raise Failure(f"no budget: {error}") from None
    harness, rows = "", []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] == "harness":
            harness = " ".join(words[1:])
            continue
        try:
            if len(words) != 5:
                raise ValueError
            kernel, n1, n2, recorded, ceiling = words
            rows.append((kernel, int(n1), int(n2), float(recorded), float(ceiling)))
            if not 0 < rows[-1][1] < rows[-1][2]:
                raise ValueError
        except ValueError:
            raise Failure(f"{shown(path)}:{number}: expected 'KERNEL N1 N2 RECORDED CEILING' "
                          f"with 0 < N1 < N2, not '{line.strip()}'") from None
    return harness, rows


def measure_all(args, runs):
    """Instructions per element for each (kernel, n1, n2), in order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        return list(pool.map(lambda run: per_element(args, *run), runs))


def check(args):
    recorded_with, rows = read_budget(args.budget)
    kernels = registered(args)
    built = harness_output(args, "--about").strip()
    if built != recorded_with:  # another compiler, other flags or models: other code
        print(f"callgrind: note: the budget was recorded with '{recorded_with}', this harness is "
              f"'{built}': its counts may differ")
    budgeted = {row[0] for row in rows}
    problems = [f"callgrind: {k} is registered but has no budget in {shown(args.budget)}: "
                f"give it one with bench/callgrind/count.py --record" for k in kernels
                if k not in budgeted]
    for k in sorted(budgeted - set(kernels)):  # harmless, but say so
        print(f"callgrind: note: {k} has a budget in {shown(args.budget)} but is not registered "
              f"(re-record with bench/callgrind/count.py --record to drop it)")
    rows = [row for row in rows if row[0] in kernels]
    counts = measure_all(args, [row[:3] for row in rows])
    print("instructions per element of the timed body, (Ir(n2) - Ir(n1)) / (n2 - n1):")
    for (kernel, n1, n2, recorded, ceiling), count in zip(rows, counts):
        what = f"{kernel} (n {n1} -> {n2})"
        verdict = "ok"
        if count > ceiling:
            verdict = "ABOVE CEILING"
            problems.append(f"callgrind: {what}: {count:.4f} instructions per element, above "
                            f"its ceiling {ceiling:.4f} (recorded {recorded:.4f}) in "
                            f"{shown(args.budget)}")
        elif count < recorded / 2:
            verdict = "BELOW HALF"
            problems.append(f"callgrind: {what}: {count:.4f} instructions per element, below "
                            f"half its recorded {recorded:.4f} in {shown(args.budget)}: does "
                            f"its loop still do its work? (faster on purpose: re-record with "
                            f"bench/callgrind/count.py --record)")
        print(f"  {what:<40} {count:8.4f}  recorded {recorded:8.4f}  ceiling {ceiling:8.4f}  "
              f"{verdict}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def describe_machine(args):
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    valgrind = subprocess.run([args.valgrind, "--version"], capture_output=True,
                              text=True).stdout.strip()
    return cpu, harness_output(args, "--about").strip(), valgrind


def record(args):
    runs = [(kernel, n1, n2) for kernel in registered(args) for n1, n2 in SIZE_PAIRS]
    counts = measure_all(args, runs)
    cpu, build, valgrind = describe_machine(args)
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Instructions per element of each kernel's timed body (KernelExperiment<K, Seq>::",
        "# execute()) under valgrind --tool=callgrind: (Ir(n2) - Ir(n1)) / (n2 - n1), the kernels",
        "# built for x86-64-v3, sum_squares on its avx2 path, the array kernels on their baseline",
        "# path. `ctest -L callgrind` fails a row above its ceiling or below half its recorded",
        "# count, and a registered kernel without a row.",
        "# Two size pairs per kernel: under valgrind 3.19 sysconf reports a 256 KiB L2 (its own",
        "# CPUID), so write_array streams outputs from 2 MiB (262144 doubles) on: the first pair",
        "# is below that (regular stores), the second above (streaming stores).",
        f"# Recorded {when} by bench/callgrind/count.py --record",
        f"# on {cpu} ({platform.node()}), {valgrind}.",
        "# Ceilings: recorded + 10 %. The models built change GCC's inlining in the kernel files:",
        "# the counts are for the harness named below, the only build CMake adds the test to.",
        "# After changing a kernel on purpose, re-record (and commit this file with the change):",
        "#   bench/callgrind/count.py --record --harness build/ci/bench/parkit_kernel_counts",
        f"harness {build}",
        "# kernel                 n1        n2   recorded   ceiling",
    ]
    for (kernel, n1, n2), count in zip(runs, counts):
        ceiling = math.ceil(round(count * (1 + MARGIN) * 10_000, 6)) / 10_000
        lines.append(f"{kernel:<20} {n1:>8} {n2:>9} {count:10.4f} {ceiling:9.4f}")
        print(f"{kernel:<20} n {n1} -> {n2}: {count:.4f} instructions per element, "
              f"ceiling {ceiling:.4f}")
    pathlib.Path(args.budget).write_text("\n".join(lines) + "\n")
    print(f"wrote {shown(args.budget)}")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kernel", nargs="?", help="print this kernel's count (with N1 N2)")
    parser.add_argument("sizes", nargs="*", type=int, metavar="N", help="N1 N2, N1 < N2")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="check every kernel against --budget")
    mode.add_argument("--record", action="store_true", help="measure and rewrite --budget")
    parser.add_argument("--harness", default=default_harness(), help="parkit_kernel_counts")
    parser.add_argument("--valgrind", default="valgrind")
    parser.add_argument("--budget", default=str(DEFAULT_BUDGET))
    parser.add_argument("--jobs", type=int, default=1, help="kernels counted at once")
    args = parser.parse_args()
    if args.sizes and (len(args.sizes) != 2 or not 0 < args.sizes[0] < args.sizes[1]):
        parser.error("give two sizes N1 N2 with 0 < N1 < N2")
    if not (args.check or args.record) and not (args.kernel and args.sizes):
        parser.error("give KERNEL N1 N2, --check or --record")
    if (args.check or args.record) and (args.kernel or args.sizes):
        parser.error("--check and --record take no kernel or sizes (they count every kernel)")
    if not os.access(args.harness, os.X_OK):
        parser.error(f"no harness at {args.harness} (build target parkit_kernel_counts, or give "
                     f"--harness)")
    try:
        if args.check:
            return check(args)
        if args.record:
            return record(args)
        print(f"{per_element(args, args.kernel, *args.sizes):.4f}")
        return 0
    except Failure as failure:
        print(f"callgrind: {failure}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
