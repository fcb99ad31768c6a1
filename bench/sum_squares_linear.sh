#!/usr/bin/env bash
# Does sum_squares really execute n element operations, on every vector path? Its median time on
# one thread must grow linearly with n (a compiler that folded the loop into n(n-1)(2n-1)/6
# would give flat times). One table row per path and n; the paths are those this CPU runs
# (PARKIT_SUM_SQUARES_PATH picks each; parkit uses the widest by default).
# usage: bench/sum_squares_linear.sh [path/to/parkit] [reps]    (prints a Markdown table)
set -euo pipefail
parkit=${1:-build/release/parkit}
reps=${2:-7}
py=/usr/bin/python3
paths=(portable)
grep -qw avx2 /proc/cpuinfo && paths+=(avx2)
grep -qw avx512f /proc/cpuinfo && paths+=(avx512)
grep -qw avx512ifma /proc/cpuinfo && paths+=(avx512-ifma)
echo "| path | n | median s | min s | max s | ns per element | time ratio to previous n |"
echo "|---|---|---|---|---|---|---|"
for path in "${paths[@]}"; do
  previous=""
  for n in 1e7 1e8 1e9; do
    json=$(PARKIT_SUM_SQUARES_PATH=$path "$parkit" run -k sum_squares -m seq -n "$n" \
      --reps "$reps" --warmup 3 --json --no-output)
    row=$("$py" -c '
import json, sys
run = json.loads(sys.argv[1])["runs"][0]
assert run["verification"]["verified"], "not verified"
t = run["time"]
print(t["median"], t["min"], t["max"], run["rates"]["ns_per_elem"])' "$json")
    read -r median min max ns <<<"$row"
    ratio="-"
    [[ -n $previous ]] && ratio=$("$py" -c "print(f'{$median / $previous:.2f}')")
    printf '| %s | %s | %.5f | %.5f | %.5f | %.4f | %s |\n' "$path" "$n" "$median" "$min" "$max" \
      "$ns" "$ratio"
    previous=$median
  done
done
