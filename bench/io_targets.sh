#!/usr/bin/env bash
# The I/O targets of issue #5, each as the command a user types (parkit starts its own server):
#   5 x /delay/1000 under sequential, threads, pool, coroutines   (one invocation, 3 reps)
#   1 000 x /delay/1000 on coroutines                              (one invocation, 3 reps)
#   10 000 x /delay/1000 on coroutines, 5 invocations of one rep each: the median makespan, the
#   largest peak RSS and whether every request was ok in every invocation.
# Prints one markdown table. usage: bench/io_targets.sh [path/to/parkit]
set -euo pipefail
shopt -s inherit_errexit
parkit=${1:-build/release/parkit}
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One table row per driver: median over invocations of each invocation's median makespan.
cat >"$work/summary.py" <<'PY'
import json, statistics, sys
runs = [r for f in sys.argv[1:] for r in json.load(open(f))["io_runs"]]
by_driver = {}
for r in runs:
    by_driver.setdefault(r["driver"], []).append(r)
for driver, rs in by_driver.items():
    medians = [r["makespan_s"]["median"] for r in rs]
    ok = all(r["counts"]["ok"] == r["requests"] * len(r["rep_data"]) for r in rs)
    rss = max(r["peak_rss_bytes"] for r in rs) / 2**20
    print("| %d | %s | %d x %d | %.3f | %.3f | %.3f | %.1f | %s |" % (
        rs[0]["requests"], driver, len(rs), len(rs[0]["rep_data"]), statistics.median(medians),
        min(medians), max(medians), rss, "yes" if ok else "NO"))
PY
# A previous run's TIME_WAIT entries would make every connect slower (see io_vs_aiohttp.sh).
for ((i = 0; i < 75 && $(ss -Htan state time-wait | wc -l) > 200; i++)); do sleep 1; done

"$parkit" io --requests 5 --delay-ms 1000 --driver sequential,threads,pool,coroutines --no-output \
  --json >"$work/five.json"
"$parkit" io --requests 1000 --delay-ms 1000 --driver coroutines --no-output --json \
  >"$work/thousand.json"
for i in 1 2 3 4 5; do
  "$parkit" io --requests 10000 --delay-ms 1000 --driver coroutines --reps 1 --no-output --json \
    >"$work/ten-thousand-$i.json"
done

echo "$("$parkit" --version | head -1); $(nproc) CPUs, Linux $(uname -r)"
echo
echo "| requests | driver | invocations x reps | makespan median s | min s | max s | peak RSS MiB | all ok? |"
echo "|---|---|---|---|---|---|---|---|"
"$py" "$work/summary.py" "$work/five.json"
"$py" "$work/summary.py" "$work/thousand.json"
"$py" "$work/summary.py" "$work"/ten-thousand-*.json
