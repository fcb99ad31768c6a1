// SPDX-License-Identifier: MIT
// I/O studies for `parkit report`: the I/O runs of one workload (same paths, requests per rep,
// timeout, connection policy and server origin) under different drivers, each compared with the
// study's sequential run. The one place where the I/O speedup and rates are computed; the CLI
// only formats them (table, CSV, JSON).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parkit/results/io_record.hpp"

namespace parkit::results {

/// One I/O run as a row of its study.
struct IoPoint {
  std::string job;
  std::string driver;
  std::int64_t requests = 0;  ///< per rep
  int reps = 0;
  int concurrency = 0;               ///< as recorded: the semaphore bound, 0 for none
  int pool_threads = 0;              ///< as recorded
  std::int64_t max_concurrency = 0;  ///< by its parameters: max_concurrency()
  measure::Summary makespan;         ///< over reps, seconds
  /// T_seq / T of median makespans; nullopt when the study has no sequential run.
  std::optional<double> speedup{};
  double requests_per_s = 0;  ///< requests / median makespan; 0 when the makespan is 0
  LatencySummary latency;
  std::int64_t max_in_flight = 0;  ///< measured, over reps
  IoCounts counts;                 ///< summed over reps: total() == requests * reps
  double cpu_median_s = 0;
  std::int64_t peak_rss_bytes = 0;
  bool baseline = false;  ///< the sequential run the study's speedups are against
  std::vector<std::string> warnings;
};

/// The runs of one workload; speedups are against its first sequential run.
struct IoStudy {
  std::vector<std::string> paths;
  std::int64_t requests = 0;
  int timeout_ms = 0;
  std::string connections;
  bool server_started = false;
  std::string url;  ///< of the first run (parkit's own server gets a new port every job)
  /// Ordered sequential, threads, pool, coroutines (then any other driver); runs of one driver
  /// keep the order they were read in.
  std::vector<IoPoint> points;
  std::optional<double> baseline_s{};  ///< median makespan of the first sequential run
};

/// Most requests `r`'s driver may have in flight at once, by its parameters: sequential 1,
/// threads N, pool min(N, K threads, concurrency), coroutines min(N, concurrency) (0: no bound).
[[nodiscard]] std::int64_t max_concurrency(const IoRecord& r);

/// T_base / T; nullopt when either is not a positive time.
[[nodiscard]] std::optional<double> io_speedup(double base_s, double time_s);

/// Groups I/O runs into studies (in first-seen order) and fills every point's speedup.
[[nodiscard]] std::vector<IoStudy> analyse_io(const std::vector<IoRecord>& runs);

}  // namespace parkit::results
