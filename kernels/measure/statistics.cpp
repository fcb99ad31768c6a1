// SPDX-License-Identifier: MIT
#include "parkit/measure/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace parkit::measure {

double median(std::span<const double> values) {
  if (values.empty()) return 0;
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

Summary summarize(std::span<const double> values) {
  Summary s;
  if (values.empty()) return s;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  s.min = *lo;
  s.max = *hi;
  s.median = median(values);
  const auto count = static_cast<double>(values.size());
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / count;
  if (values.size() > 1) {
    double squares = 0;
    for (double v : values) squares += (v - s.mean) * (v - s.mean);
    s.stddev = std::sqrt(squares / (count - 1));
  }
  s.cv = s.mean > 0 ? s.stddev / s.mean : 0;
  return s;
}

std::vector<bool> mad_outliers(std::span<const double> values, double threshold) {
  std::vector<bool> flags(values.size(), false);
  if (values.size() < 3) return flags;  // no robust centre from fewer than three values
  const double centre = median(values);
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double v : values) deviations.push_back(std::abs(v - centre));
  const double sigma = 1.4826 * median(deviations);
  for (std::size_t i = 0; i < values.size(); ++i)
    flags[i] = sigma > 0 ? deviations[i] > threshold * sigma : deviations[i] > 0;
  return flags;
}

}  // namespace parkit::measure
