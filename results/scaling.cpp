// SPDX-License-Identifier: MIT
#include "parkit/results/scaling.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace parkit::results {

using measure::RunRecord;

ScalingPoint scale(const ScalingPoint& base, ScalingPoint point, bool weak) {
  const double p = static_cast<double>(point.workers) / base.workers;
  point.speedup = point.time > 0 ? base.time / point.time : 0;
  point.efficiency = weak ? point.speedup : point.speedup / p;
  point.serial_fraction.reset();
  if (!weak && p > 1 && point.speedup > 0)
    point.serial_fraction = (1 / point.speedup - 1 / p) / (1 - 1 / p);
  return point;
}

std::optional<double> amdahl_fit(const std::vector<ScalingPoint>& points) {
  if (points.empty()) return std::nullopt;
  const double base = points.front().workers;
  double xy = 0, xx = 0;
  for (const ScalingPoint& p : points) {
    const double ratio = p.workers / base;
    if (ratio <= 1 || p.speedup <= 0) continue;
    const double x = 1 - 1 / ratio, y = 1 / p.speedup - 1 / ratio;
    xy += x * y;
    xx += x * x;
  }
  if (xx == 0) return std::nullopt;
  return xy / xx;
}

double amdahl_speedup(double serial_fraction, double p) {
  return 1 / (serial_fraction + (1 - serial_fraction) / p);
}

std::vector<Study> analyse(const std::vector<RunRecord>& runs) {
  std::vector<Study> studies;
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> index;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const RunRecord& r = runs[i];
    const std::string mode = r.scaling == "weak" ? "weak" : "strong";  // "none": fixed n
    const auto key = std::make_tuple(r.kernel, r.model, mode);
    auto [it, fresh] = index.try_emplace(key, studies.size());
    if (fresh) studies.push_back({r.kernel, r.model, mode, {}, true, {}});
    studies[it->second].points.push_back(
        {.workers = r.workers(),
         .ranks = r.ranks,
         .threads = r.threads,
         .n_global = r.n_global,
         .time = r.time.median,
         .verified = r.verified,
         .oversubscribed = r.oversubscribed,
         .run = i,
         .interference = r.interference.verdict(),
         .disturbed = r.interference.disturbed_run(),
         .disturbed_reps = r.interference.disturbed_reps(),
         .interference_reps = static_cast<int>(r.interference.disturbed.size())});
  }
  for (Study& s : studies) {
    std::stable_sort(s.points.begin(), s.points.end(),
                     [](const auto& a, const auto& b) { return a.workers < b.workers; });
    const bool weak = s.scaling == "weak";
    const ScalingPoint base = s.points.front();
    for (ScalingPoint& p : s.points) {
      p = scale(base, p, weak);
      const bool same = weak ? p.n_global * base.workers == base.n_global * p.workers
                             : p.n_global == base.n_global;
      if (!same && s.invariant_holds) {
        s.invariant_holds = false;
        s.invariant_note = weak ? "weak scaling needs n per worker constant, but it changes at " +
                                      std::to_string(p.workers) + " workers"
                                : "strong scaling needs n global constant, but it is " +
                                      std::to_string(p.n_global) + " at " +
                                      std::to_string(p.workers) + " workers vs " +
                                      std::to_string(base.n_global) + " at the baseline";
      }
    }
  }
  for (Study& s : studies) {
    if (s.scaling == "weak") continue;
    s.amdahl_serial_fraction = amdahl_fit(s.points);
    if (s.amdahl_serial_fraction && *s.amdahl_serial_fraction > 0)
      s.amdahl_limit = 1 / *s.amdahl_serial_fraction;
  }
  return studies;
}

}  // namespace parkit::results
