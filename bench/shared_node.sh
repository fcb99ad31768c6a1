#!/usr/bin/env bash
# Is the threads model's team (std::jthreads that wait for work between reps) fast and honest on
# a shared node, next to OpenMP? Every case runs under three loads: quiet (nothing else),
# busy-pinned (one busy loop, `sh -c 'while :; do :; done'`, pinned with taskset to the last CPU
# this process may run on) and busy-unpinned (the same loop, left to the scheduler).
#   Cases: sum_squares -n 5e7 and square_map -n 1e7, each as threads 1, threads 2, openmp 1,
#   openmp 2 and openmp 2 with OMP_WAIT_POLICY=passive (`--reps 20 --warmup 3`); plus, quiet
#   only, the lessons' workload: sum_squares -m threads,openmp -t 2 -n 1e7 --reps 5 --warmup 3,
#   whose figure is the sum of the 5 reps (target <= 1.1 ms for threads).
#   Rounds interleave: each round runs every load, and under it every case once (one
#   `parkit run --json --no-output` each), the order reversed every other round, so the VM's
#   drift hits all alike. Each cell is the median over rounds of each run's median rep.
#   Every run must verify. The runs parkit flagged disturbed (its "interference" verdict) are
#   counted per load; "n/a" where parkit does not record it.
# usage: bench/shared_node.sh [--rounds N] [--quick] [--append FILE] [path/to/parkit]
#   --rounds N     rounds (default 7, at least 7 unless --quick)
#   --quick        smoke run: allows fewer rounds, and --reps 5 --warmup 1 (not for the record)
#   --append FILE  also append the report to FILE (e.g. bench/RESULTS.md)
#   Prints a Markdown report on stdout, progress on stderr; ~3 min at 7 rounds on 2 cores.
set -euo pipefail
shopt -s inherit_errexit

usage() { sed -n '2,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "$0"; }
command_line=$(printf '%q ' "$0" "$@")
command_line=${command_line% }
rounds=7 quick=0 append="" parkit=""
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --rounds) (($# >= 2)) || { usage >&2; exit 2; }; rounds=$2; shift 2 ;;
    --rounds=*) rounds=${1#--rounds=}; shift ;;
    --quick) quick=1; shift ;;
    --append) (($# >= 2)) || { usage >&2; exit 2; }; append=$2; shift 2 ;;
    --append=*) append=${1#--append=}; shift ;;
    -*) echo "shared_node: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [[ -z $parkit ]] || { echo "shared_node: one parkit only: $1" >&2; exit 2; }; parkit=$1; shift ;;
  esac
done
parkit=${parkit:-build/release/parkit}
py=/usr/bin/python3
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "shared_node: rounds must be a positive integer: $rounds" >&2; exit 2; }
if ((!quick && rounds < 7)); then
  echo "shared_node: at least 7 rounds for a record (--quick for a smoke run): $rounds" >&2
  exit 2
fi
[[ -x $parkit ]] || { echo "shared_node: no parkit at $parkit (build it: cmake --preset release && cmake --build build/release)" >&2; exit 2; }
if [[ -n $append && ! -d $(dirname -- "$append") ]]; then
  echo "shared_node: no directory for --append $append" >&2
  exit 2
fi
command -v taskset >/dev/null || { echo "shared_node: taskset (util-linux) is needed to pin the busy loop" >&2; exit 2; }

# The CPUs this process may run on: the busy loop needs one of them, parkit's 2 workers two.
read -r ncpus cpus last_cpu < <("$py" -c 'import os; c = sorted(os.sched_getaffinity(0))
print(len(c), ",".join(map(str, c)), c[-1])')
if ((ncpus < 2)); then
  echo "shared_node: this process may run on $ncpus CPU ($cpus); 2 workers beside a busy loop need at least 2" >&2
  exit 2
fi

out=$(mktemp -d)
busy=""
stop_busy() {
  if [[ -n $busy ]]; then
    kill "$busy" 2>/dev/null || true
    wait "$busy" 2>/dev/null || true
    busy=""
  fi
}
trap 'stop_busy; rm -rf "$out"' EXIT
# One binary for the whole run: a rebuild of $parkit in the middle would otherwise mix two.
cp -- "$parkit" "$out/parkit"
parkit=$out/parkit

# parkit reads an environment twin of every run option (as compare.sh does): one left set would
# change what is measured. The wait policies are set case by case below.
for twin in $("$parkit" run --help | grep -o 'Env:PARKIT_[A-Z_]*' | sed 's/^Env://' | sort -u); do
  if [[ -v $twin ]]; then
    echo "shared_node: unsetting $twin=${!twin} (it would change parkit's runs)" >&2
    unset "$twin"
  fi
done

if ((quick)); then reps=5 warmup=1; else reps=20 warmup=3; fi

start_busy() {  # load -> $busy running (none for quiet)
  case $1 in
    quiet) return 0 ;;
    busy-pinned) taskset -c "$last_cpu" sh -c 'while :; do :; done' & ;;
    busy-unpinned) sh -c 'while :; do :; done' & ;;
  esac
  busy=$!
  sleep 0.2
  kill -0 "$busy" 2>/dev/null || { echo "shared_node: the busy loop ($1) did not start" >&2; exit 1; }
}

# One run's JSON -> one line per run in raw.tsv:
#   round load kernel case median_s rep_sum_s verdict disturbed_reps
cat >"$out/parse.py" <<'PY'
import json, sys
path, raw, rnd, load, kernel, label, models, threads = sys.argv[1:9]
doc = json.load(open(path))
runs = doc["runs"]
want = models.split(",")
if doc.get("skipped") or len(runs) != len(want):
    sys.exit(f"shared_node: {label} under {load}: expected {len(want)} run(s), got {len(runs)}, "
             f"skipped {doc.get('skipped')}")
with open(raw, "a") as f:
    for r, model in zip(runs, want):
        if (r["kernel"], r["model"], r["threads"]) != (kernel, model, int(threads)):
            sys.exit(f"shared_node: expected {kernel} {model} {threads}, got "
                     f"{r['kernel']} {r['model']} {r['threads']}")
        if not r["verification"]["verified"]:
            sys.exit(f"shared_node: {kernel} {model} {threads} under {load} did not verify: "
                     f"{r['verification']}")
        inter = r.get("interference")
        if isinstance(inter, dict) and "verdict" in inter:
            verdict = " ".join(str(inter["verdict"]).split())
            disturbed = str(inter.get("disturbed_reps", "n/a"))
        else:
            verdict = disturbed = "n/a"
        name = f"lessons {model} {threads}" if label == "lessons" else label
        f.write("\t".join([rnd, load, kernel, name, repr(r["time"]["median"]),
                           repr(sum(r["rep_seconds"])), verdict, disturbed]) + "\n")
PY

kernels=("sum_squares 5e7" "square_map 1e7")
# label|models|threads|OMP_WAIT_POLICY (unset: neither it nor PARKIT_WAIT is set)
cases=("threads 1|threads|1|unset" "threads 2|threads|2|unset" "openmp 1|openmp|1|unset"
       "openmp 2|openmp|2|unset" "openmp 2 passive|openmp|2|passive")
loads=(quiet busy-pinned busy-unpinned)
# Every (kernel, case) of one load, in the natural order; the lessons' case is quiet only.
plan_for() {  # load -> lines "kernel n label|models|threads|policy|reps|warmup"
  local k c
  for k in "${kernels[@]}"; do
    for c in "${cases[@]}"; do echo "$k $c|$reps|$warmup"; done
  done
  [[ $1 == quiet ]] && echo "sum_squares 1e7 lessons|threads,openmp|2|unset|5|3"
  return 0
}

runs_done=0
loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)  # someone else's build shows here, not as a load
for ((round = 1; round <= rounds; ++round)); do
  order=("${loads[@]}")
  ((round % 2)) || order=(busy-unpinned busy-pinned quiet)
  for load in "${order[@]}"; do
    mapfile -t plan < <(plan_for "$load")
    if ((round % 2 == 0)); then
      mapfile -t plan < <(printf '%s\n' "${plan[@]}" | tac)
    fi
    echo "round $round/$rounds $load (${#plan[@]} runs) ..." >&2
    start_busy "$load"
    for p in "${plan[@]}"; do
      IFS='|' read -r head models threads policy r w <<<"$p"
      read -r kernel n label <<<"$head"
      env=(env -u OMP_WAIT_POLICY -u PARKIT_WAIT)
      [[ $policy == unset ]] || env+=("OMP_WAIT_POLICY=$policy")
      if ! "${env[@]}" "$parkit" run -k "$kernel" -m "$models" -t "$threads" -n "$n" --reps "$r" \
             --warmup "$w" --json --no-output >"$out/run.json" 2>"$out/run.err"; then
        cat "$out/run.err" >&2
        echo "shared_node: failed: parkit run -k $kernel -m $models -t $threads -n $n ($load)" >&2
        exit 1
      fi
      "$py" "$out/parse.py" "$out/run.json" "$out/raw.tsv" "$round" "$load" "$kernel" "$label" \
        "$models" "$threads"
      runs_done=$((runs_done + 1))
    done
    stop_busy
  done
done
echo "done: $runs_done invocations" >&2
loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)

version=$("$parkit" --version | head -n 1)
date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)
"$py" - "$out" "$rounds" "$reps" "$warmup" "$quick" "$command_line" "$version" "$(nproc)" \
  "$cpus" "$last_cpu" "$date_utc" "$loadavg_before" "$loadavg_after" >"$out/report.md" <<'EOF'
import statistics, sys
from collections import defaultdict

(out, rounds, reps, warmup, quick, command, version, nproc, cpus, last_cpu, date, loadavg_before,
 loadavg_after) = sys.argv[1:14]
rounds, quick = int(rounds), quick == "1"
LOADS = ["quiet", "busy-pinned", "busy-unpinned"]
BUSY = LOADS[1:]
KERNELS = [("sum_squares", "5e7"), ("square_map", "1e7")]
CASES = ["threads 1", "threads 2", "openmp 1", "openmp 2", "openmp 2 passive"]
ONE = {"threads 2": "threads 1", "openmp 2": "openmp 1", "openmp 2 passive": "openmp 1"}
# A busy run is inflated by the load when its median is above 1.1 x the quiet median of its case
# and above every quiet run of its case: slower than quiet noise ever made it.
INFLATED = 1.10

value = {}   # (round, load, kernel, case) -> median s (lessons: the sum of the reps)
verdict = {}  # same key -> verdict string
for line in open(f"{out}/raw.tsv"):
    rnd, load, kernel, case, median, rep_sum, v, _ = line.rstrip("\n").split("\t")
    key = (int(rnd), load, kernel, case)
    value[key] = float(rep_sum if case.startswith("lessons") else median)
    verdict[key] = v

def series(load, kernel, case):
    return [value[(r, load, kernel, case)] for r in range(1, rounds + 1)]

def med(load, kernel, case):
    return statistics.median(series(load, kernel, case))

def ratio(load, kernel, a, b):  # ratio of the medians, and the min-max of the per-round ratios
    per_round = [x / y for x, y in zip(series(load, kernel, a), series(load, kernel, b))]
    return med(load, kernel, a) / med(load, kernel, b), min(per_round), max(per_round)

def fmt_ratio(t):
    return f"{t[0]:.2f} [{t[1]:.2f}–{t[2]:.2f}]"

def ms(s):
    return f"{s * 1e3:.3f}"

def flags(keys):  # -> (flagged, recorded, not recorded); recorded None when no run carries one
    vs = [verdict[k] for k in keys]
    # "quiet", "quiet (N of M reps disturbed)" (too few to flag the run), "disturbed: N of M reps"
    known = [v for v in vs if v.startswith("quiet") or v.startswith("disturbed")]
    if not known:  # this parkit records no verdict, or none of these runs had one
        return None, None, len(vs) - sum(v == "n/a" for v in vs)
    return sum(v.startswith("disturbed") for v in known), len(known), len(vs) - len(known)

def fmt_flags(keys):
    k, n, unrecorded = flags(keys)
    if n is None:
        return "n/a" + (f" ({unrecorded} not recorded)" if unrecorded else "")
    return f"{k} of {n}" + (f" ({unrecorded} not recorded)" if unrecorded else "")

def yes(ok):
    return "yes" if ok else "**no**"

print("## Shared node (`bench/shared_node.sh`)\n")
print(f"- Run: {date}, {rounds} rounds{' (quick: a smoke run, not a record)' if quick else ''}; "
      "each round runs every load and under it every case once (one `parkit run` each), "
      "loads and cases in reverse order every other round.")
print(f"- Command: `{command}`")
print(f"- parkit: `{version}`; `nproc`: {nproc}; CPUs allowed: {cpus}; load average (1, 5, "
      f"15 min) {loadavg_before} before, {loadavg_after} after (the busy loop's own included).")
print("- Loads: quiet (nothing else); busy-pinned: `taskset -c "
      f"{last_cpu} sh -c 'while :; do :; done'` (the last CPU allowed), started 0.2 s before "
      "the load's cases and killed after them; busy-unpinned: the same loop, not pinned.")
print(f"- Cases: `parkit run -k KERNEL -m MODEL -t T -n N --reps {reps} --warmup {warmup} --json "
      "--no-output`, OMP_WAIT_POLICY and PARKIT_WAIT unset but for the passive case "
      "(`OMP_WAIT_POLICY=passive`). Every run verified.")
print("- Figures: the median over the rounds of each run's median rep, with the min–max over the "
      "rounds. A ratio is the ratio of the medians shown, with the min–max of the same ratio "
      "round by round in brackets. Flagged: runs whose `interference` verdict says disturbed, "
      "k of the N that recorded one (n/a: this parkit records none).\n")

for kernel, n in KERNELS:
    print(f"### {kernel}, n = {n}\n")
    print("| load | case | median ms | min–max ms | 2 workers ÷ own 1 worker | threads 2 ÷ "
          "openmp 2 (quiet) or openmp 2 passive (busy) | flagged disturbed |")
    print("|---|---|---|---|---|---|---|")
    for load in LOADS:
        for case in CASES:
            s = series(load, kernel, case)
            own = fmt_ratio(ratio(load, kernel, case, ONE[case])) if case in ONE else "–"
            vs = "–"
            if case == "threads 2":
                vs = fmt_ratio(ratio(load, kernel, case,
                                     "openmp 2" if load == "quiet" else "openmp 2 passive"))
            keys = [(r, load, kernel, case) for r in range(1, rounds + 1)]
            print(f"| {load} | {case} | {ms(statistics.median(s))} | {ms(min(s))}–{ms(max(s))} "
                  f"| {own} | {vs} | {fmt_flags(keys)} |")
    print()

print("### The lessons' workload, quiet: 5 reps of sum_squares 1e7 on 2 workers, summed\n")
print("`parkit run -k sum_squares -m threads,openmp -t 2 -n 1e7 --reps 5 --warmup 3`: the figure "
      "is the sum of the 5 rep times.\n")
print("| model | median ms | min–max ms | flagged disturbed |")
print("|---|---|---|---|")
for model in ["threads", "openmp"]:
    case = f"lessons {model} 2"
    s = series("quiet", "sum_squares", case)
    keys = [(r, "quiet", "sum_squares", case) for r in range(1, rounds + 1)]
    print(f"| {model} | {ms(statistics.median(s))} | {ms(min(s))}–{ms(max(s))} | "
          f"{fmt_flags(keys)} |")
print()

# Flagged, per load; a busy run is inflated when its median exceeds 1.1 x its case's quiet median
# and every quiet run of its case.
def quiet_bar(kernel, case):
    s = series("quiet", kernel, case)
    return max(INFLATED * statistics.median(s), max(s))
noise = [key for key in value if key[1] == "quiet"
         and value[key] > INFLATED * med("quiet", key[2], key[3])]
print("### Runs flagged disturbed, per load\n")
print(f"Inflated by the load: a busy run's median rep above {INFLATED:.1f} × its case's quiet "
      "median (over the rounds) and above every quiet run of its case. Quiet noise alone put "
      f"{len(noise)} of the {sum(k[1] == 'quiet' for k in value)} quiet runs above "
      f"{INFLATED:.1f} × their case's median. Every run of the load counts, the lessons' ones "
      "included.\n")
print("| load | runs | flagged disturbed | inflated by the load | inflated and flagged |")
print("|---|---|---|---|---|")
per_load = {}
for load in LOADS:
    keys = sorted(k for k in value if k[1] == load)
    k, nrec, unrec = flags(keys)
    inflated = [] if load == "quiet" else [
        key for key in keys if value[key] > quiet_bar(key[2], key[3])]
    caught = [key for key in inflated if verdict[key].startswith("disturbed")]
    per_load[load] = (keys, k, nrec, inflated, caught)
    flagged = "n/a" if nrec is None else fmt_flags(keys)
    infl = "–" if load == "quiet" else str(len(inflated))
    both = "–" if load == "quiet" else ("n/a" if nrec is None else f"{len(caught)} of {len(inflated)}")
    print(f"| {load} | {len(keys)} | {flagged} | {infl} | {both} |")
print()

print("### Targets\n")
print("| # | target | measured | met |")
print("|---|---|---|---|")
for kernel, n in KERNELS:
    r = ratio("quiet", kernel, "threads 2", "openmp 2")
    print(f"| 1 | quiet, {kernel} {n}: threads 2 within 5 % of openmp 2 (or faster) | "
          f"{ms(med('quiet', kernel, 'threads 2'))} / {ms(med('quiet', kernel, 'openmp 2'))} ms "
          f"= {fmt_ratio(r)} | {yes(r[0] <= 1.05)} |")
lessons = med("quiet", "sum_squares", "lessons threads 2")
print(f"| 2 | quiet, lessons' workload: threads 2, 5 × 1e7 summed ≤ 1.1 ms | {ms(lessons)} ms | "
      f"{yes(lessons <= 1.1e-3)} |")
for load in BUSY:
    for kernel, n in KERNELS:
        r = ratio(load, kernel, "threads 2", "threads 1")
        print(f"| 3 | {load}, {kernel} {n}: threads 2 ≤ 1.1 × threads 1 | "
              f"{ms(med(load, kernel, 'threads 2'))} / {ms(med(load, kernel, 'threads 1'))} ms "
              f"= {fmt_ratio(r)} | {yes(r[0] <= 1.10)} |")
for load in BUSY:
    for kernel, n in KERNELS:
        r = ratio(load, kernel, "threads 2", "openmp 2 passive")
        print(f"| 4 | {load}, {kernel} {n}: threads 2 ≤ openmp 2 passive | "
              f"{ms(med(load, kernel, 'threads 2'))} / "
              f"{ms(med(load, kernel, 'openmp 2 passive'))} ms = {fmt_ratio(r)} | "
              f"{yes(r[0] <= 1.0)} |")
busy_keys = [key for load in BUSY for key in per_load[load][0]]
k, nrec, unrec = flags(busy_keys)
inflated = [key for load in BUSY for key in per_load[load][3]]
caught = [key for load in BUSY for key in per_load[load][4]]
if nrec is None:
    print(f"| 5 | busy loads: every run the load inflated is flagged | no verdict recorded; "
          f"{len(inflated)} of {len(busy_keys)} runs inflated | n/a |")
else:
    missed = sorted({f"{key[1]} {key[2]} {key[3]}" for key in inflated if key not in caught})
    print(f"| 5 | busy loads: every run the load inflated is flagged | {k} of {nrec} flagged; "
          f"{len(caught)} of the {len(inflated)} inflated"
          f"{' (missed: ' + ', '.join(missed) + ')' if missed else ''} | "
          f"{yes(len(caught) == len(inflated))} |")
k, nrec, unrec = flags(per_load["quiet"][0])
if nrec is None:
    print(f"| 5 | quiet: false alarms ≤ 1 in 20 | no verdict recorded "
          f"({len(per_load['quiet'][0])} runs) | n/a |")
else:
    # a false alarm: a quiet run flagged (nothing else was meant to run), slow or not
    quiet_flagged = [key for key in per_load["quiet"][0] if verdict[key].startswith("disturbed")]
    which = sorted({f"{key[2]} {key[3]}" for key in quiet_flagged})
    print(f"| 5 | quiet: false alarms ≤ 1 in 20 (quiet runs flagged) | "
          f"{len(quiet_flagged)} of {nrec}"
          f"{' (' + ', '.join(which) + ')' if which else ''} | "
          f"{yes(len(quiet_flagged) <= 0.05 * nrec)} |")
EOF

cat "$out/report.md"
if [[ -n $append ]]; then
  { [[ -s $append ]] && echo; cat "$out/report.md"; } >>"$append"
  echo "appended to $append" >&2
fi
