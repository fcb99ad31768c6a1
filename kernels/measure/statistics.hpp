// SPDX-License-Identifier: MIT
// Summary statistics of rep times. Outliers are flagged (median absolute deviation), never dropped.
#pragma once

#include <span>
#include <vector>

namespace parkit::measure {

struct Summary {
  double min = 0, median = 0, mean = 0, max = 0;
  double stddev = 0;  ///< sample standard deviation (n-1); 0 for a single value
  double cv = 0;      ///< stddev / mean
  bool operator==(const Summary&) const = default;
};

[[nodiscard]] Summary summarize(std::span<const double> values);
[[nodiscard]] double median(std::span<const double> values);

/// Flags values farther than `threshold` scaled MADs (1.4826 * MAD, a robust sigma) from the
/// median. With MAD = 0 (most values equal), any value off the median is flagged.
[[nodiscard]] std::vector<bool> mad_outliers(std::span<const double> values,
                                             double threshold = 3.5);

}  // namespace parkit::measure
