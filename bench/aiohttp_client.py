#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""N concurrent GETs of URL/delay/D with Python asyncio + aiohttp: the reference that
bench/io_vs_aiohttp.sh sets beside `parkit io --driver coroutines`.

usage: /usr/bin/python3 bench/aiohttp_client.py URL --requests N --reps R [--delay-ms D]
                                                  [--connections per-request|keep-alive]

Each rep opens one ClientSession, gathers N GETs, reads every body and closes the session (so
keep-alive connections live for one rep, as parkit's idle list does). Prints JSON on stdout:
per-rep makespan and client CPU, their medians, the ok / error counts and the peak RSS.

Run it with Debian's /usr/bin/python3 (python3-aiohttp 3.8 is installed there). Plain asyncio
on purpose: uvloop would be faster but is not in a default Debian install, and the question is
what the stock Python stack costs.
"""

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time

import aiohttp


def peak_rss_bytes():
    # VmHWM, not ru_maxrss: ru_maxrss survives exec, so it may carry the peak of the process
    # that started this one (the bench's shell or parkit), while VmHWM is this image's own.
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # "VmHWM:   12345 kB"
    return 0


def raise_open_files_limit():
    # 10 000 requests in flight hold 10 000 sockets: take the hard limit, as parkit does.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


async def one_request(session, url):
    """(ok, status): ok is a 2xx with its body read in full; status 0 when there was no answer."""
    try:
        async with session.get(url) as response:
            await response.read()
            return 200 <= response.status < 300, response.status
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError):
        return False, 0


async def one_rep(url, requests, keep_alive):
    user0, sys0 = cpu_seconds()
    start = time.perf_counter()
    # limit=0: no cap on connections (aiohttp's default is 100), so all N requests are in flight
    # at once, like parkit's coroutines without --concurrency. force_close: a new connection per
    # request (parkit's --connections per-request). No timeout, as parkit's default --timeout-ms 0
    # (aiohttp's default total timeout is 5 minutes).
    connector = aiohttp.TCPConnector(limit=0, force_close=not keep_alive)
    timeout = aiohttp.ClientTimeout(total=None)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        results = await asyncio.gather(*(one_request(session, url) for _ in range(requests)))
    makespan = time.perf_counter() - start
    user1, sys1 = cpu_seconds()
    ok = sum(1 for good, _ in results if good)
    statuses = {}
    for good, status in results:
        if not good:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "makespan_s": makespan,
        "cpu_user_s": user1 - user0,
        "cpu_system_s": sys1 - sys0,
        "ok": ok,
        "errors": requests - ok,
        "error_statuses": statuses,  # status -> count of the requests that did not end ok
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the server, http://HOST:PORT")
    parser.add_argument("--requests", "-N", type=int, required=True, help="requests per rep")
    parser.add_argument("--reps", "-r", type=int, required=True, help="timed reps")
    parser.add_argument("--delay-ms", type=int, default=1000, help="each request asks /delay/D")
    parser.add_argument("--connections", choices=("per-request", "keep-alive"),
                        default="keep-alive", help="as parkit io --connections")
    args = parser.parse_args()
    if args.requests < 1 or args.reps < 1:
        parser.error("--requests and --reps must be at least 1")

    open_files = raise_open_files_limit()
    if open_files != resource.RLIM_INFINITY and open_files < args.requests + 64:
        print(f"aiohttp_client: warning: {args.requests} requests in flight but only "
              f"{open_files} open files allowed (ulimit -n)", file=sys.stderr)

    url = f"{args.url.rstrip('/')}/delay/{args.delay_ms}"
    keep_alive = args.connections == "keep-alive"
    reps = []
    loop = asyncio.new_event_loop()  # one loop for every rep; a session per rep
    try:
        for _ in range(args.reps):
            reps.append(loop.run_until_complete(one_rep(url, args.requests, keep_alive)))
    finally:
        loop.close()

    ok = sum(r["ok"] for r in reps)
    errors = sum(r["errors"] for r in reps)
    if errors:
        print(f"aiohttp_client: {errors} of {args.requests * args.reps} requests did not end "
              f"ok: {[r['error_statuses'] for r in reps]}", file=sys.stderr)
    json.dump({
        "client": "python-asyncio-aiohttp",
        "python": sys.version.split()[0],
        "aiohttp": aiohttp.__version__,
        "event_loop": "asyncio default (no uvloop)",
        "url": url,
        "requests": args.requests,
        "connections": args.connections,
        "reps": args.reps,
        "rep_data": reps,
        "makespan_median_s": statistics.median(r["makespan_s"] for r in reps),
        "cpu_median_s": statistics.median(r["cpu_user_s"] + r["cpu_system_s"] for r in reps),
        "ok": ok,
        "errors": errors,
        "all_ok": errors == 0,
        "peak_rss_bytes": peak_rss_bytes(),
    }, sys.stdout, indent=2)
    print()
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
