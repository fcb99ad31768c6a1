#!/usr/bin/env bash
# How often does `parkit compare` call two identical runs different? Runs N pairs of the same
# `parkit run` command (same binary, same settings, back to back), compares each pair and counts
# the verdicts: at alpha 0.05 about 5 % of identical pairs may come out p < alpha by chance alone,
# and fewer get a verdict once the threshold applies; more means the machine drifts between runs.
# With --runs K each side of a pair is K runs, BASE and NEW alternating, merged per side (the
# protocol the README gives for shared machines). Then one deliberately slower pair (NEW with
# PARKIT_SUM_SQUARES_PATH=portable, 2-4x slower where a wider path exists) that must come out
# slower. Prints a Markdown section.
# usage: bench/compare_pairs.sh [--pairs N] [--runs K] [--append FILE] [--parkit PATH]
#                               [--alpha A] [--threshold PERCENT] [-- RUN OPTIONS...]
#   defaults: 20 pairs, 1 run a side, build/release/parkit, alpha 0.05, threshold 5,
#   run options: -k sum_squares -m threads -t 2 -n 5e7 --reps 20 (keep sum_squares in them: the
#   slower pair changes its path). --append FILE also appends the section to FILE
#   (bench/RESULTS.md).
set -euo pipefail
usage() { sed -n 2,15p "$0"; }
pairs=20 runs=1 append="" parkit=build/release/parkit alpha=0.05 threshold=5
run_options=(-k sum_squares -m threads -t 2 -n 5e7 --reps 20)
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --pairs) pairs=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --append) append=$2; shift 2 ;;
    --parkit) parkit=$2; shift 2 ;;
    --alpha) alpha=$2; shift 2 ;;
    --threshold) threshold=$2; shift 2 ;;
    --) shift; run_options=("$@"); break ;;
    *) echo "compare_pairs.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ $pairs =~ ^[1-9][0-9]*$ ]] || { echo "compare_pairs.sh: --pairs: '$pairs' is not a count >= 1" >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "compare_pairs.sh: --runs: '$runs' is not a count >= 1" >&2; exit 2; }
[[ -x $parkit ]] || { echo "compare_pairs.sh: --parkit: '$parkit' is not an executable" >&2; exit 2; }
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the identical runs get no PARKIT_* twin from the caller's environment: the command line says all
clean=(env)
while IFS='=' read -r name _; do
  [[ $name == PARKIT_* ]] && clean+=(-u "$name")
done < <(env)

measure() {  # output file, then extra environment (NAME=VALUE...)
  local out=$1
  shift
  "${clean[@]}" "$@" "$parkit" run "${run_options[@]}" -o "$out" >/dev/null 2>"$work/run.err" || {
    cat "$work/run.err" >&2
    exit 1
  }
}

measure_pair() {  # base file, new file, then the NEW side's extra environment
  local base=$1 new=$2
  shift 2
  if ((runs == 1)); then
    measure "$base"
    measure "$new" "$@"
    return
  fi
  local j
  for ((j = 1; j <= runs; ++j)); do  # alternate, so both sides see the same drift
    measure "$base.$j"
    measure "$new.$j" "$@"
  done
  "$parkit" merge -o "$base" "$base".* 2>/dev/null
  "$parkit" merge -o "$new" "$new".* 2>/dev/null
}

compare_json() {  # base new -> JSON of the one match
  "$parkit" compare --alpha "$alpha" --threshold "$threshold" --format json "$1" "$2"
}

for ((i = 1; i <= pairs; ++i)); do
  echo "pair $i/$pairs" >&2
  measure_pair "$work/base-$i.h5" "$work/new-$i.h5"
  compare_json "$work/base-$i.h5" "$work/new-$i.h5" >"$work/pair-$i.json"
done

slow_note=""
if "$parkit" info | grep -q 'sum_squares=portable'; then
  slow_note="skipped: sum_squares has no wider path than portable on this CPU"
else
  echo "slower pair" >&2
  measure_pair "$work/slow-base.h5" "$work/slow-new.h5" PARKIT_SUM_SQUARES_PATH=portable
  compare_json "$work/slow-base.h5" "$work/slow-new.h5" >"$work/slow.json"
fi

section=$("$py" - "$work" "$pairs" "$alpha" "$threshold" "$slow_note" "$("$parkit" info)" \
  "${run_options[*]}" "$runs" <<'EOF'
import datetime, json, statistics, sys
work, pairs, alpha, threshold, slow_note, info, options, runs = sys.argv[1:9]
pairs, runs = int(pairs), int(runs)
matches = []
for i in range(1, pairs + 1):
    doc = json.load(open(f"{work}/pair-{i}.json"))
    matches.extend(c["matches"][0] for c in doc["comparisons"])
verdicts = ["no significant change", "slower", "faster", "too few reps", "not compared"]
count = {v: sum(m["verdict"] == v for m in matches) for v in verdicts}
below = sum(m.get("p_value", 1) < float(alpha) for m in matches)
ratios = [m["ratio"] for m in matches if "ratio" in m]
cpu = next((l.split(":", 1)[1].strip() for l in info.splitlines() if l.startswith("cpu:")), "?")
paths = next((l.split(":", 1)[1].strip() for l in info.splitlines()
              if l.startswith("kernel paths:")), "?")
version = next((l.split(":", 1)[1].strip() for l in info.splitlines()
                if l.startswith("parkit:")), "?")
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
design = ("one run a side, back to back" if runs == 1 else
          f"{runs} runs a side, BASE and NEW alternating, each side merged (`parkit merge`)")
out = [f"## compare on identical pairs (`bench/compare_pairs.sh --runs {runs}`)", "",
       f"- Run: {now}, parkit {version}, {cpu}, kernel paths {paths}.",
       f"- {pairs} pairs of `parkit run {options}` (the same binary and settings), {design}; "
       f"each pair compared with `parkit compare --alpha {alpha} --threshold {threshold}`.",
       "", "| verdict on identical pairs | pairs | share |", "|---|---|---|"]
for v in verdicts:
    if v == "not compared" and count[v] == 0:
        continue
    out.append(f"| {v} | {count[v]} | {100 * count[v] / pairs:.0f} % |")
out.append(f"| (p < {alpha}, whatever the ratio) | {below} | {100 * below / pairs:.0f} % |")
if ratios:
    out += ["", f"Ratio NEW/BASE of medians over the identical pairs: median "
            f"{statistics.median(ratios):.3f}, min {min(ratios):.3f}, max {max(ratios):.3f}."]
level = f"{100 * (1 - float(alpha)):g} % CI"
out += ["", f"| deliberately slower pair | ratio | {level} | p | verdict |", "|---|---|---|---|---|"]
if slow_note:
    out.append(f"| NEW with PARKIT_SUM_SQUARES_PATH=portable | - | - | - | {slow_note} |")
else:
    m = json.load(open(f"{work}/slow.json"))["comparisons"][0]["matches"][0]
    ci = m.get("ci", {})
    interval = (f"{ci['low']:.3f}-{ci['high']:.3f}" if ci.get("low") is not None else "-")
    out.append(f"| NEW with PARKIT_SUM_SQUARES_PATH=portable | {m.get('ratio', float('nan')):.3f} "
               f"| {interval} | {m.get('p_value', float('nan')):.2g} | {m['verdict']} |")
print("\n".join(out))
EOF
)
echo "$section"
if [[ -n $append ]]; then
  printf '\n%s\n' "$section" >>"$append"
  echo "appended to $append" >&2
fi
