#!/usr/bin/env bash
# Does sum_squares really execute n element operations? Its median time on one thread must grow
# linearly with n (a compiler that folded the loop into n(n-1)(2n-1)/6 would give flat times).
# usage: bench/sum_squares_linear.sh [path/to/parkit] [reps]    (prints a Markdown table)
set -euo pipefail
parkit=${1:-build/release/parkit}
reps=${2:-7}
echo "| n | median s | min s | max s | ns per element | time ratio to previous n |"
echo "|---|---|---|---|---|---|"
previous=""
for n in 1e7 1e8 1e9; do
  json=$("$parkit" run -k sum_squares -m seq -n "$n" --reps "$reps" --warmup 1 --json)
  row=$(python3 -c '
import json, sys
run = json.loads(sys.argv[1])["runs"][0]
assert run["verification"]["verified"], "not verified"
t = run["time"]
print(t["median"], t["min"], t["max"], run["rates"]["ns_per_elem"])' "$json")
  read -r median min max ns <<<"$row"
  ratio="-"
  [[ -n $previous ]] && ratio=$(python3 -c "print(f'{$median / $previous:.2f}')")
  printf '| %s | %.4f | %.4f | %.4f | %.3f | %s |\n' "$n" "$median" "$min" "$max" "$ns" "$ratio"
  previous=$median
done
