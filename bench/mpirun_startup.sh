#!/usr/bin/env bash
# Wall time of a trivial `mpirun -n 2 parkit run` (start-up + MPI_Init + finalize), with Open
# MPI's default transport selection and with --mca pml ob1. Median of N runs, interleaved.
# usage: bench/mpirun_startup.sh [path/to/parkit] [runs]
set -euo pipefail
parkit=${1:-build/release/parkit}
runs=${2:-11}
if [[ $(id -u) -eq 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
work=(run -k sum_squares -m mpi -n 1000 --reps 1 --warmup 0 --no-output)
declare -A times
for ((i = 0; i < runs; i++)); do
  for variant in default ob1 singleton; do
    case $variant in
      default) cmd=(mpirun -n 2 "$parkit" "${work[@]}") ;;
      ob1) cmd=(mpirun -n 2 --mca pml ob1 "$parkit" "${work[@]}") ;;
      singleton) cmd=("$parkit" "${work[@]}") ;;
    esac
    t0=$(date +%s.%N)
    "${cmd[@]}" >/dev/null
    t1=$(date +%s.%N)
    times[$variant]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}') "
  done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| launch | median wall s ($runs runs, interleaved) |"
echo "|---|---|"
for variant in default ob1 singleton; do
  label=$variant
  [[ $variant == default ]] && label="mpirun -n 2"
  [[ $variant == ob1 ]] && label="mpirun -n 2 --mca pml ob1"
  [[ $variant == singleton ]] && label="no mpirun (singleton, 1 rank)"
  printf '| %s | %.3f |\n' "$label" "$(echo "${times[$variant]}" | median)"
done
