#!/usr/bin/env bash
# parkit's coroutine driver vs Python asyncio + aiohttp (bench/aiohttp_client.py), both against
# the same `parkit serve`, for 1 000 and 10 000 concurrent GETs of /delay/1000 (keep-alive, no
# concurrency cap, 5 reps each). Prints the medians, the peak RSS and the ratio aiohttp/parkit.
# The two clients take turns going first (parkit first at 1 000, aiohttp first at 10 000).
# usage: bench/io_vs_aiohttp.sh [path/to/parkit] [reps]
set -euo pipefail
shopt -s inherit_errexit  # a failing client inside $(...) stops the bench
parkit=${1:-build/release/parkit}
reps=${2:-5}
delay_ms=1000
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py=/usr/bin/python3  # Debian's python3-aiohttp lives here, not in a python3 earlier on PATH
ulimit -n "$(ulimit -Hn)"  # 10 000 sockets in flight (the server holds as many)

work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$parkit" serve --port 0 --quiet >"$work/serve.out" &
server_pid=$!
url=
for ((i = 0; i < 100; i++)); do  # up to 10 s for the "listening on" line
  url=$(sed -n '1s|^parkit serve: listening on \(http://[^ ]*\).*|\1|p' "$work/serve.out")
  [[ -n $url ]] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "io_vs_aiohttp: parkit serve exited" >&2; exit 1; }
  sleep 0.1
done
[[ -n $url ]] || { echo "io_vs_aiohttp: parkit serve printed no URL" >&2; exit 1; }

ticks=$(getconf CLK_TCK)
# TIME_WAIT entries on this host's loopback: a client that closes its connections first leaves
# one per connection for 60 s, and while they last every connect() searches past them (~5x the
# system time per connect at 10 000). Each client starts with them drained, so neither pays for
# the other's; what each leaves behind is reported.
time_waits() { ss -Htan state time-wait | wc -l; }
drain_time_waits() {
  local i
  for ((i = 0; i < 75 && $(time_waits) > 200; i++)); do sleep 1; done
}
server_cpu() { awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$server_pid/stat"; }

# Runs one client (5 reps in one process) and prints one line:
# "makespan_median_s cpu_median_s peak_rss_bytes all_ok server_cpu_s_per_rep time_waits_after"
run_client() {
  local client=$1 n=$2 out=$work/$1-$2.json s0 s1
  drain_time_waits
  s0=$(server_cpu)
  case $client in
    parkit)
      "$parkit" io --url "$url" -N "$n" --delay-ms "$delay_ms" --driver coroutines \
        --connections keep-alive -r "$reps" --no-output --json >"$out"
      "$py" -c 'import json, sys
r = json.load(open(sys.argv[1]))["io_runs"][0]
ok = r["counts"]["ok"] == r["requests"] * len(r["rep_data"])
print(r["makespan_s"]["median"], r["cpu_s"]["median"], r["peak_rss_bytes"], "yes" if ok else "NO")' "$out" ;;
    aiohttp)
      "$py" "$here/aiohttp_client.py" "$url" --requests "$n" --reps "$reps" --delay-ms "$delay_ms" \
        --connections keep-alive >"$out" || true  # exit 1 when a request failed: shown as "NO"
      "$py" -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(r["makespan_median_s"], r["cpu_median_s"], r["peak_rss_bytes"], "yes" if r["all_ok"] else "NO")' "$out" ;;
  esac | tr '\n' ' '
  s1=$(server_cpu)
  awk -v a="$s0" -v b="$s1" -v r="$reps" -v tw="$(time_waits)" 'BEGIN {print (b - a) / r, tw}'
}

declare -A result
order=(parkit aiohttp)
for n in 1000 10000; do
  for client in "${order[@]}"; do result[$client,$n]=$(run_client "$client" "$n"); done
  order=("${order[1]}" "${order[0]}")
done

echo "server: $url (parkit serve, 1 thread); /delay/$delay_ms, keep-alive, no concurrency cap"
echo "medians of $reps reps; $(nproc) CPUs, Linux $(uname -r)"
echo
echo "| requests | client | makespan median s | client CPU median s | peak RSS MiB | all ok? | server CPU s per rep | TIME_WAIT left |"
echo "|---|---|---|---|---|---|---|---|"
for n in 1000 10000; do
  for client in parkit aiohttp; do
    read -r m c rss ok srv tw <<<"${result[$client,$n]}"
    label=$client
    [[ $client == parkit ]] && label="parkit io (coroutines)"
    [[ $client == aiohttp ]] && label="asyncio + aiohttp"
    printf '| %s | %s | %.3f | %.3f | %.1f | %s | %.3f | %s |\n' "$n" "$label" "$m" "$c" \
      "$(awk -v b="$rss" 'BEGIN {print b / 1048576}')" "$ok" "$srv" "$tw"
  done
done
echo
echo "| requests | makespan aiohttp/parkit | CPU aiohttp/parkit | RSS aiohttp/parkit |"
echo "|---|---|---|---|"
for n in 1000 10000; do
  read -r pm pc pr _ _ _ <<<"${result[parkit,$n]}"
  read -r am ac ar _ _ _ <<<"${result[aiohttp,$n]}"
  awk -v n="$n" -v pm="$pm" -v pc="$pc" -v pr="$pr" -v am="$am" -v ac="$ac" -v ar="$ar" \
    'function q(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
     BEGIN { printf "| %s | %s | %s | %s |\n", n, q(am, pm), q(ac, pc), q(ar, pr) }'
done
