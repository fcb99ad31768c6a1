// SPDX-License-Identifier: MIT
// One I/O run (N requests under one driver) as measured by `parkit io`: what the console, the
// JSON output, the HDF5 file (an `io` run, see SCHEMA.md) and `parkit report` consume.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parkit/measure/statistics.hpp"

namespace parkit::results {

/// What became of one request. Every request ends in exactly one of these, so counts sum to N.
enum class IoOutcome : std::uint8_t {
  ok = 0,                ///< a 2xx answer, body read in full
  http_error = 1,        ///< an answer with any other status
  connection_error = 2,  ///< connect refused, reset, closed without an answer (/drop), bad reply
  timeout = 3,           ///< --timeout-ms passed; the request was cancelled and has stopped
  cancelled = 4,         ///< never finished because the run was stopped (SIGINT, --fail-fast)
};
inline constexpr std::array<std::string_view, 5> io_outcome_names{
    "ok", "http_error", "connection_error", "timeout", "cancelled"};

struct IoCounts {
  std::int64_t ok = 0, http_error = 0, connection_error = 0, timeout = 0, cancelled = 0;
  [[nodiscard]] std::int64_t total() const {
    return ok + http_error + connection_error + timeout + cancelled;
  }
  [[nodiscard]] std::int64_t failed() const { return total() - ok; }
  void add(IoOutcome outcome) {
    switch (outcome) {
      case IoOutcome::ok:
        ++ok;
        break;
      case IoOutcome::http_error:
        ++http_error;
        break;
      case IoOutcome::connection_error:
        ++connection_error;
        break;
      case IoOutcome::timeout:
        ++timeout;
        break;
      case IoOutcome::cancelled:
        ++cancelled;
        break;
    }
  }
  bool operator==(const IoCounts&) const = default;
};

/// Latency distribution of the requests that got an answer (ok or http_error), in seconds.
/// Percentiles are nearest-rank (see io_statistics.hpp), so each is one of the measured
/// latencies; all fields are 0 when count is 0.
struct LatencySummary {
  std::int64_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
  bool operator==(const LatencySummary&) const = default;
};

/// One timed repetition: all N requests, start to last completion.
struct IoRep {
  double makespan_s = 0;
  double cpu_user_s = 0;  ///< the client process's CPU time during the rep (getrusage)
  double cpu_system_s = 0;
  std::int64_t max_in_flight = 0;  ///< most requests started and not yet finished, at any moment
  IoCounts counts;
  // per request, in request order (index i is request i)
  std::vector<double> latency_s;          ///< start to end of request i (whatever its outcome)
  std::vector<std::uint8_t> outcome;      ///< IoOutcome
  std::vector<std::int16_t> http_status;  ///< the answer's status; 0 when there was none
  bool operator==(const IoRep&) const = default;
};

struct IoRecord {
  std::string job = "job-0000";  ///< the job that measured it (as RunRecord::job)
  // parameters
  std::string driver;              ///< sequential | threads | pool | coroutines
  std::string url;                 ///< the server, "http://127.0.0.1:PORT"
  bool server_started = false;     ///< true: parkit started that server itself, on loopback
  std::vector<std::string> paths;  ///< request i asks for paths[i % paths.size()]
  std::int64_t requests = 0;       ///< N per rep
  int concurrency = 0;             ///< semaphore bound (pool, coroutines); 0: unbounded
  int pool_threads = 0;            ///< pool: K threads; threads: N; others: 1
  int timeout_ms = 0;              ///< per request; 0: none
  std::string connections;         ///< per-request | keep-alive
  int reps = 0;
  int warmup = 0;
  // measurements
  std::vector<IoRep> rep_data;      ///< the timed reps (warm-up excluded)
  measure::Summary makespan;        ///< over reps, seconds
  measure::Summary cpu_seconds;     ///< user + system, over reps
  LatencySummary latency;           ///< over every answered request of every rep
  std::int64_t max_in_flight = 0;   ///< over reps
  IoCounts counts;                  ///< over reps (each rep's counts sum to `requests`)
  std::int64_t peak_rss_bytes = 0;  ///< VmHWM of the client process after the last rep
  double timer_resolution = 0;
  std::vector<std::string> warnings;
};

}  // namespace parkit::results
