#!/usr/bin/env bash
# What writing the results file costs: parkit reports the time of its own write
# ("parkit: wrote FILE (N runs, T ms)"); this runs a sweep of many runs R times and prints the
# median write time next to the median wall time of the whole job.
# usage: bench/results_write_cost.sh [path/to/parkit] [repeats]
set -euo pipefail
parkit=${1:-build/release/parkit}
repeats=${2:-5}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
writes=() walls=()
for ((i = 0; i < repeats; i++)); do
  t0=$(date +%s.%N)
  line=$("$parkit" sweep -k sum_squares,sum_squares_array,square_map,triad -m threads,openmp \
    --threads 1,2,3,4 -n 1e6 --reps 5 -o "$dir/s$i.h5" 2>&1 >/dev/null | grep 'parkit: wrote')
  t1=$(date +%s.%N)
  runs=$(sed -E 's/.*\(([0-9]+) runs.*/\1/' <<<"$line")
  writes+=("$(sed -E 's/.*, ([0-9.]+) ms\).*/\1/' <<<"$line")")
  walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print (b - a) * 1000}')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
w=$(median "${writes[@]}") j=$(median "${walls[@]}")
echo "| runs in the file | file size | median write ms | median job wall ms | write share |"
echo "|---|---|---|---|---|"
printf '| %s | %s | %.1f | %.0f | %.2f %% |\n' "$runs" "$(du -h "$dir/s0.h5" | cut -f1)" "$w" "$j" \
  "$(awk -v w="$w" -v j="$j" 'BEGIN {print 100 * w / j}')"
