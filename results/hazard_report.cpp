// SPDX-License-Identifier: MIT
#include "parkit/results/hazard_report.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace parkit::results {
namespace {

HazardPoint point_of(const HazardRecord& r) {
  HazardPoint p;
  p.job = r.job;
  p.variant = r.variant;
  p.runtime = r.runtime;
  p.expected_safe = r.expected_safe;
  p.anomaly = r.anomaly;
  p.reps = r.reps;
  p.ops_total = r.ops_total;
  p.time = r.time;
  p.ns_per_op = r.ns_per_op;
  p.ops_per_s = r.ops_per_s;
  p.anomalies_total = r.anomalies_total;
  p.anomalies_max = r.anomalies_max;
  p.reps_with_anomalies = static_cast<int>(
      std::count_if(r.anomalies.begin(), r.anomalies.end(), [](std::int64_t a) { return a != 0; }));
  p.correct = r.correct;
  p.failed = hazard_run_failed(r);
  p.verdict = r.verdict;
  p.warnings = r.warnings;
  return p;
}

}  // namespace

bool hazard_run_failed(const HazardRecord& r) { return r.expected_safe && !r.correct; }

std::optional<double> hazard_cost_ratio(double base_ns_per_op, double ns_per_op) {
  if (!(base_ns_per_op > 0) || !(ns_per_op > 0)) return std::nullopt;
  return ns_per_op / base_ns_per_op;
}

std::vector<HazardStudy> analyse_hazards(const std::vector<HazardRecord>& runs) {
  using Key = std::tuple<std::string, int, int, int, int, std::int64_t>;
  std::vector<HazardStudy> studies;
  std::map<Key, std::size_t> index;
  for (const HazardRecord& r : runs) {
    auto [it, fresh] = index.try_emplace(
        Key{r.scenario, r.threads, r.producers, r.consumers, r.capacity, r.ops}, studies.size());
    if (fresh) {
      HazardStudy s;
      s.scenario = r.scenario;
      s.threads = r.threads;
      s.producers = r.producers;
      s.consumers = r.consumers;
      s.capacity = r.capacity;
      s.ops = r.ops;
      studies.push_back(std::move(s));
    }
    studies[it->second].points.push_back(point_of(r));
  }
  for (HazardStudy& s : studies) {
    HazardPoint* fastest = nullptr;
    for (HazardPoint& p : s.points)
      if (p.expected_safe && p.correct && p.ns_per_op > 0 &&
          (fastest == nullptr || p.ns_per_op < fastest->ns_per_op))
        fastest = &p;
    if (fastest == nullptr) continue;
    fastest->fastest_safe = true;
    s.fastest_safe_variant = fastest->variant;
    s.fastest_safe_ns_per_op = fastest->ns_per_op;
    for (HazardPoint& p : s.points)
      p.cost_vs_fastest_safe = hazard_cost_ratio(*s.fastest_safe_ns_per_op, p.ns_per_op);
  }
  return studies;
}

}  // namespace parkit::results
