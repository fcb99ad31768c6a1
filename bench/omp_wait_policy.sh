#!/usr/bin/env bash
# How OMP_WAIT_POLICY changes short and long OpenMP runs, next to the threads model (whose team
# spins up to 2 ms, or 20 us when passive or oversubscribed, then sleeps on a futex), with the
# machine otherwise idle and, with --load, beside one busy process (`yes`) that no count shows.
# Rounds interleave the settings, so the VM's drift
# hits them alike; each cell is the median over rounds of each invocation's median rep.
# usage: bench/omp_wait_policy.sh [--load] [path/to/parkit] [rounds]   (prints a Markdown table)
#   Cases: sum_squares at n = 1e7 (0.2 ms per thread: wake-up costs show), 5e7 and 1e9, 2 threads;
#   and the same 1e7 run as 2 MPI ranks x 2 threads (4 threads on 2 cores: oversubscribed,
#   where a spinning team steals the core its sibling rank needs), when mpirun is there.
set -euo pipefail
case ${1:-} in -h | --help) sed -n 2,10p "$0"; exit 0 ;; esac
load=0
[[ ${1:-} == --load ]] && { load=1; shift; }
parkit=${1:-build/release/parkit}
rounds=${2:-7}
py=/usr/bin/python3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_pml=ob1
out=$(mktemp -d)
busy=""
trap 'rm -rf "$out"; [[ -z $busy ]] || kill "$busy"' EXIT
if ((load)); then
  yes >/dev/null &  # one CPU's worth of someone else's work
  busy=$!
fi
settings=(unset passive active)
cases=("openmp 1e7" "openmp 5e7" "openmp 1e9" "threads 1e7" "threads 5e7" "threads 1e9")
command -v mpirun >/dev/null && cases+=("hybrid2x2 1e7" "mpi2+threads2 1e7")

run_case() {  # model size, with the policy in ${policy[@]} -> JSON of the run
  local model=$1 n=$2 reps=30
  [[ $n == 1e9 ]] && reps=5
  case $model in
    hybrid2x2) "${policy[@]}" mpirun -n 2 --bind-to none "$parkit" run -k sum_squares -m hybrid -t 2 -n "$n" \
                 --reps "$reps" --warmup 3 --json --no-output ;;
    mpi2+threads2) "${policy[@]}" mpirun -n 2 --bind-to none "$parkit" run -k sum_squares -m threads -t 2 \
                     -n "$n" --reps "$reps" --warmup 3 --json --no-output ;;
    *) "${policy[@]}" "$parkit" run -k sum_squares -m "$model" -t 2 -n "$n" --reps "$reps" --warmup 3 --json \
         --no-output ;;
  esac
}

for ((round = 1; round <= rounds; ++round)); do
  echo "round $round/$rounds" >&2
  for c in "${cases[@]}"; do
    read -r model n <<<"$c"
    for s in "${settings[@]}"; do
      # the threads team reads OMP_WAIT_POLICY=passive too (it spins 20 us instead of 2 ms)
      [[ $model == threads* || $model == mpi2+threads2 ]] && [[ $s == active ]] && continue
      policy=(env -u OMP_WAIT_POLICY)
      [[ $s != unset ]] && policy=(env "OMP_WAIT_POLICY=$s")
      json=$(run_case "$model" "$n")
      # one JSON document per rank 0; keep the median rep time
      "$py" -c 'import json,sys; r=json.loads(sys.argv[1])["runs"][0]
assert r["verification"]["verified"]; print(r["time"]["median"])' "$json" >>"$out/${model}_${n}_${s}"
    done
  done
done

echo "| case (2 threads per process) | OMP_WAIT_POLICY | median of medians ms | min ms | max ms |"
echo "|---|---|---|---|---|"
for c in "${cases[@]}"; do
  read -r model n <<<"$c"
  for s in "${settings[@]}"; do
    f="$out/${model}_${n}_${s}"
    [[ -f $f ]] || continue
    label=$s
    "$py" -c 'import statistics,sys; v=[float(x)*1e3 for x in open(sys.argv[1])]
print(f"| {sys.argv[2]} n={sys.argv[3]} | {sys.argv[4]} | {statistics.median(v):.4f} | {min(v):.4f} | {max(v):.4f} |")' \
      "$f" "$model" "$n" "$label"
  done
done
