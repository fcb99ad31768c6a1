#!/usr/bin/env bash
# parkit against its peers on the same work, in one invocation (issue #8): the Python lessons'
# CPU workload (sequential, threads, Pool), numpy (float, int64 and exact chunked dots, square,
# triad) and parkit (sum_squares, the bandwidth kernels; seq, threads 2, openmp 2).
# Interleaved: every round runs every contender once, in a fixed order, so a slow stretch of
# the machine hits all of them rather than one; the tables are medians over the rounds, with
# the min-max spread. bench/compare_table.py builds them; this script only runs things.
# usage: bench/compare.sh [-h|--help] [path/to/parkit] [rounds]   (default build/release/parkit, 7)
#   PARKIT_COMPARE_QUICK=1   smoke run: tiny sizes (seconds, not minutes); never RESULTS.md
#   PARKIT_COMPARE_OUT=FILE  where the Markdown goes (default bench/RESULTS.md; for a smoke run
#                            or fewer than 7 rounds, /tmp/parkit-compare-smoke.md)
#   PARKIT_COMPARE_RAW=DIR   keep every invocation's JSON there (default: a temporary dir)
set -euo pipefail
shopt -s inherit_errexit

usage() { sed -n '/^# usage:/,/^set -euo/{/^set/d; s/^# \{0,1\}//; p}' "$0"; }
if [[ ${1:-} == -h || ${1:-} == --help ]]; then usage; exit 0; fi
if (($# > 2)) || [[ ${1:-} == -* ]]; then usage >&2; exit 2; fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
parkit=${1:-build/release/parkit}
rounds=${2:-7}
py=/usr/bin/python3  # Debian's python3-numpy lives here, not in a python3 earlier on PATH
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "compare: rounds must be a positive integer: $rounds" >&2; exit 2; }
[[ -x $parkit ]] || { echo "compare: no parkit at $parkit (build it: cmake --workflow --preset release)" >&2; exit 2; }

quick=${PARKIT_COMPARE_QUICK:-0}
if [[ $quick == 1 ]]; then
  lessons_n=1e5 sum_n=1e7 bw_n=1e6
else
  lessons_n=1e7 sum_n=1e9 bw_n=5e7
fi
jobs=5
results_md=$here/RESULTS.md
if [[ $quick == 1 || $rounds -lt 7 ]]; then
  out=${PARKIT_COMPARE_OUT:-/tmp/parkit-compare-smoke.md}
  # RESULTS.md is the record: full sizes and >= 7 rounds only.
  if [[ $(realpath -m "$out") == "$(realpath -m "$results_md")" ]]; then
    echo "compare: a smoke run (PARKIT_COMPARE_QUICK=1 or < 7 rounds) does not write $results_md" >&2
    exit 2
  fi
else
  out=${PARKIT_COMPARE_OUT:-$results_md}
fi

# parkit reads an environment twin of every run option; one left set (PARKIT_SCALING=weak,
# PARKIT_ROOFLINE, ...) would silently change what is measured. The twins are read off
# `parkit run --help`, so the list cannot fall behind parkit's.
for twin in $("$parkit" run --help | grep -o 'Env:PARKIT_[A-Z_]*' | sed 's/^Env://' | sort -u); do
  if [[ -v $twin ]]; then
    echo "compare: unsetting $twin=${!twin} (it would change parkit's runs)" >&2
    unset "$twin"
  fi
done

# The models must all be there before minutes are spent: parkit names what is missing.
"$parkit" run -k sum_squares -m seq,threads,openmp -t 2 -n 1000 --reps 1 --warmup 0 --json \
  --no-output >/dev/null
bw_kernels=triad,square_map,copy,sum_squares_array
if ! "$parkit" list | grep -q '^  copy '; then
  echo "compare: warning: this parkit has no copy kernel yet; sum_squares_array vs copy is not measured" >&2
  bw_kernels=triad,square_map,sum_squares_array
fi

if [[ -n ${PARKIT_COMPARE_RAW:-} ]]; then
  raw=$PARKIT_COMPARE_RAW
  mkdir -p "$raw"
else
  raw=$(mktemp -d)
  trap 'rm -rf "$raw"' EXIT
fi
# Words as a shell reads them back, quoted only where needed (printf %q alone also escapes the
# commas of -k triad,copy).
shell_words() {
  local word words=()
  for word; do
    if [[ $word =~ ^[A-Za-z0-9_./=,:+@%-]+$ ]]; then words+=("$word"); else words+=("$(printf %q "$word")"); fi
  done
  echo "${words[*]}"
}
started_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)
invocation=$(shell_words bench/compare.sh "$@")
for var in PARKIT_COMPARE_QUICK PARKIT_COMPARE_OUT PARKIT_COMPARE_RAW; do
  if [[ -v $var ]]; then invocation="$var=${!var} $invocation"; fi
done
"$parkit" info >"$raw/info.txt"

# The contenders, in the fixed order of every round. parkit: --warmup 3, and reps so one
# invocation stays short; the lessons' workload is 5 reps of n = 10^7 in one process, timed as
# the sum of the 5 rep times (compare_table.py).
names=(py_sequential py_threads py_pool np_dot_exact np_dot_float np_dot_int64 np_square np_triad
       np_copy pk_lessons pk_lessons_par pk_sum_seq pk_sum_par pk_bw_seq pk_bw_par)
lessons=("$py" "$here/peers/lessons_cpu.py")
# numpy on one thread, like parkit seq (Debian's netlib BLAS is single-threaded anyway; this
# keeps it so if libblas.so.3 points at OpenBLAS).
numpy=(env OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 "$py" "$here/peers/numpy_kernels.py")
pk=("$parkit" run --json --no-output --warmup 3)
contender() {  # sets cmd to contender $1's command
  case $1 in
    py_sequential) cmd=("${lessons[@]}" sequential --n "$lessons_n" --jobs "$jobs") ;;
    py_threads) cmd=("${lessons[@]}" threads --n "$lessons_n" --jobs "$jobs") ;;
    py_pool) cmd=("${lessons[@]}" pool --n "$lessons_n" --jobs "$jobs") ;;
    np_dot_exact) cmd=("${numpy[@]}" dot_exact --n "$lessons_n" --jobs "$jobs") ;;
    np_dot_float) cmd=("${numpy[@]}" dot_float --n "$lessons_n" --jobs "$jobs") ;;
    np_dot_int64) cmd=("${numpy[@]}" dot_int64 --n "$lessons_n" --jobs "$jobs") ;;
    np_square) cmd=("${numpy[@]}" square --n "$bw_n") ;;
    np_triad) cmd=("${numpy[@]}" triad --n "$bw_n") ;;
    np_copy) cmd=("${numpy[@]}" copy --n "$bw_n") ;;
    pk_lessons) cmd=("${pk[@]}" -k sum_squares -m seq -n "$lessons_n" --reps "$jobs") ;;
    # the same on both cores, against the Pool that uses both cores too
    pk_lessons_par) cmd=("${pk[@]}" -k sum_squares -m threads,openmp -t 2 -n "$lessons_n" \
                          --reps "$jobs") ;;
    pk_sum_seq) cmd=("${pk[@]}" -k sum_squares -m seq -n "$sum_n" --reps 3) ;;
    pk_sum_par) cmd=("${pk[@]}" -k sum_squares -m "threads,openmp" -t 2 -n "$sum_n" --reps 3) ;;
    pk_bw_seq) cmd=("${pk[@]}" -k "$bw_kernels" -m seq -n "$bw_n" --reps 5) ;;
    pk_bw_par) cmd=("${pk[@]}" -k "$bw_kernels" -m "threads,openmp" -t 2 -n "$bw_n" --reps 5) ;;
  esac
}
for name in "${names[@]}"; do  # written down for RESULTS.md: exactly what ran
  contender "$name"
  printf '%s\t%s\n' "$name" "$(shell_words "${cmd[@]}")"
done >"$raw/commands.tsv"

for ((round = 1; round <= rounds; round++)); do
  dir=$raw/round-$(printf '%02d' "$round")
  mkdir -p "$dir"
  t0=$SECONDS
  echo "round $round/$rounds ..." >&2
  for name in "${names[@]}"; do
    contender "$name"
    # A contender that fails (a wrong parkit or lessons answer, a crash) stops the bench: its
    # numbers would be meaningless. numpy's wrong int64 sum exits 0: it is the finding.
    if ! "${cmd[@]}" >"$dir/$name.json"; then
      echo "compare: round $round/$rounds: $name failed: $(shell_words "${cmd[@]}")" >&2
      exit 1
    fi
  done
  echo "round $round/$rounds done in $((SECONDS - t0)) s" >&2
done

tmp_out=$(mktemp "$(dirname "$out")/.compare.XXXXXX")
"$py" "$here/compare_table.py" "$raw" --command "$invocation" --date "$started_utc" \
  --python "$("$py" -c 'import sys; print(sys.version.split()[0])')" >"$tmp_out" ||
  { rm -f "$tmp_out"; exit 1; }
chmod 644 "$tmp_out"
mv "$tmp_out" "$out"  # whole or not at all
cat "$out"
echo "compare: wrote $out" >&2
