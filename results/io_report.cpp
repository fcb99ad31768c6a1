// SPDX-License-Identifier: MIT
#include "parkit/results/io_report.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <string_view>
#include <tuple>

namespace parkit::results {
namespace {

/// Where a driver's rows go in a study: the order of `parkit io --help`, others last.
std::size_t driver_rank(std::string_view driver) {
  constexpr std::array<std::string_view, 4> order{"sequential", "threads", "pool", "coroutines"};
  return static_cast<std::size_t>(std::find(order.begin(), order.end(), driver) - order.begin());
}

IoPoint point_of(const IoRecord& r) {
  IoPoint p;
  p.job = r.job;
  p.driver = r.driver;
  p.requests = r.requests;
  p.reps = r.reps;
  p.concurrency = r.concurrency;
  p.pool_threads = r.pool_threads;
  p.max_concurrency = max_concurrency(r);
  p.makespan = r.makespan;
  p.requests_per_s =
      r.makespan.median > 0 ? static_cast<double>(r.requests) / r.makespan.median : 0;
  p.latency = r.latency;
  p.max_in_flight = r.max_in_flight;
  p.counts = r.counts;
  p.cpu_median_s = r.cpu_seconds.median;
  p.peak_rss_bytes = r.peak_rss_bytes;
  p.warnings = r.warnings;
  return p;
}

}  // namespace

std::int64_t max_concurrency(const IoRecord& r) {
  const std::int64_t n = r.requests;
  const std::int64_t bound = r.concurrency > 0 ? std::min<std::int64_t>(n, r.concurrency) : n;
  if (r.driver == "sequential") return std::min<std::int64_t>(n, 1);
  if (r.driver == "pool") return std::min<std::int64_t>(bound, std::max(r.pool_threads, 1));
  if (r.driver == "coroutines") return bound;
  return n;  // threads: one thread per request
}

std::optional<double> io_speedup(double base_s, double time_s) {
  if (!(base_s > 0) || !(time_s > 0)) return std::nullopt;
  return base_s / time_s;
}

std::vector<IoStudy> analyse_io(const std::vector<IoRecord>& runs) {
  using Key = std::tuple<std::vector<std::string>, std::int64_t, int, std::string, bool>;
  std::vector<IoStudy> studies;
  std::map<Key, std::size_t> index;
  for (const IoRecord& r : runs) {
    auto [it, fresh] = index.try_emplace(
        Key{r.paths, r.requests, r.timeout_ms, r.connections, r.server_started}, studies.size());
    if (fresh) {
      IoStudy s;
      s.paths = r.paths;
      s.requests = r.requests;
      s.timeout_ms = r.timeout_ms;
      s.connections = r.connections;
      s.server_started = r.server_started;
      s.url = r.url;
      studies.push_back(std::move(s));
    }
    studies[it->second].points.push_back(point_of(r));
  }
  for (IoStudy& s : studies) {
    std::stable_sort(s.points.begin(), s.points.end(), [](const IoPoint& a, const IoPoint& b) {
      return driver_rank(a.driver) < driver_rank(b.driver);
    });
    const auto base = std::find_if(s.points.begin(), s.points.end(),
                                   [](const IoPoint& p) { return p.driver == "sequential"; });
    if (base != s.points.end()) {
      base->baseline = true;
      s.baseline_s = base->makespan.median;
    }
    for (IoPoint& p : s.points)
      p.speedup = s.baseline_s ? io_speedup(*s.baseline_s, p.makespan.median) : std::nullopt;
  }
  return studies;
}

}  // namespace parkit::results
