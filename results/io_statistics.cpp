// SPDX-License-Identifier: MIT
#include "parkit/results/io_statistics.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace parkit::results {

using measure::summarize;
namespace {

void check_rep(const IoRep& rep, std::size_t index, const IoRecord& record) {
  const std::int64_t requests = record.requests;
  std::string rep_name = "io run (";
  rep_name += record.driver;
  rep_name += "), rep ";
  rep_name += std::to_string(index);
  const auto n = static_cast<std::size_t>(requests);
  if (rep.latency_s.size() != n || rep.outcome.size() != n || rep.http_status.size() != n)
    throw std::invalid_argument(
        rep_name + ": per-request arrays of " + std::to_string(rep.latency_s.size()) +
        " latencies, " + std::to_string(rep.outcome.size()) + " outcomes, " +
        std::to_string(rep.http_status.size()) + " statuses, want " + std::to_string(requests));
  if (rep.counts.total() != requests)
    throw std::invalid_argument(rep_name + ": counts sum to " + std::to_string(rep.counts.total()) +
                                ", want " + std::to_string(requests));
  if (rep.counts != count_outcomes(rep.outcome))
    throw std::invalid_argument(rep_name + ": counts disagree with the outcomes");
}

}  // namespace

IoCounts count_outcomes(std::span<const std::uint8_t> outcomes) {
  IoCounts counts;
  for (const std::uint8_t code : outcomes) {
    if (code >= io_outcome_names.size()) {
      std::string what = "io outcome code ";
      what += std::to_string(code) + " is not an IoOutcome";
      throw std::invalid_argument(what);
    }
    counts.add(static_cast<IoOutcome>(code));
  }
  return counts;
}

double nearest_rank(std::span<const double> sorted, int percent) {
  if (sorted.empty() || percent <= 0 || percent > 100)
    throw std::invalid_argument("nearest_rank: empty values or percent outside (0, 100]");
  // ceil(percent * n / 100) in integers: no rounding can move p90 of 10 values off the 9th
  const std::size_t n = sorted.size();
  const std::size_t rank = (static_cast<std::size_t>(percent) * n + 99) / 100;
  return sorted[rank - 1];
}

LatencySummary summarize_latency(std::span<const double> latencies) {
  LatencySummary s;
  if (latencies.empty()) return s;
  std::vector<double> sorted(latencies.begin(), latencies.end());
  std::sort(sorted.begin(), sorted.end());
  s.count = static_cast<std::int64_t>(sorted.size());
  s.p50 = nearest_rank(sorted, 50);
  s.p90 = nearest_rank(sorted, 90);
  s.p99 = nearest_rank(sorted, 99);
  s.max = sorted.back();
  double sum = 0;
  for (const double v : latencies) sum += v;  // request order: the same sum on every reader
  s.mean = sum / static_cast<double>(sorted.size());
  return s;
}

void finalize(IoRecord& r) {
  std::vector<double> makespans, cpu, answered;
  IoCounts counts;
  std::int64_t max_in_flight = 0;
  for (std::size_t i = 0; i < r.rep_data.size(); ++i) {
    const IoRep& rep = r.rep_data[i];
    check_rep(rep, i, r);
    makespans.push_back(rep.makespan_s);
    cpu.push_back(rep.cpu_user_s + rep.cpu_system_s);
    for (std::size_t k = 0; k < rep.outcome.size(); ++k) {
      const auto outcome = static_cast<IoOutcome>(rep.outcome[k]);
      if (outcome == IoOutcome::ok || outcome == IoOutcome::http_error)
        answered.push_back(rep.latency_s[k]);
    }
    counts.ok += rep.counts.ok;
    counts.http_error += rep.counts.http_error;
    counts.connection_error += rep.counts.connection_error;
    counts.timeout += rep.counts.timeout;
    counts.cancelled += rep.counts.cancelled;
    max_in_flight = std::max(max_in_flight, rep.max_in_flight);
  }
  r.makespan = summarize(makespans);
  r.cpu_seconds = summarize(cpu);
  r.latency = summarize_latency(answered);
  r.counts = counts;
  r.max_in_flight = max_in_flight;
}

}  // namespace parkit::results
