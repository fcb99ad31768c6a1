// SPDX-License-Identifier: MIT
// Written by hand: Debian 12 packages no C++ library with the Mann-Whitney test or the
// Hodges-Lehmann/Moses interval (GSL, Boost.Math and Eigen have neither), and the few hundred
// lines below are checked against independent reference values (tests/unit/compare_test.cpp).
#include "parkit/results/compare_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "parkit/measure/statistics.hpp"

namespace parkit::results {
namespace {

/// A probability compared with a level: the exact distribution is summed in doubles, so a tail
/// that equals the level in exact arithmetic must not fall on the wrong side by a rounding.
constexpr double rounding_slack = 1e-12;

/// P(Z <= z) of the standard normal distribution.
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

bool use_exact(std::size_t m, std::size_t n) { return m <= exact_max_reps && n <= exact_max_reps; }

}  // namespace

std::vector<double> u_distribution(std::size_t m, std::size_t n) {
  // ways[j][u]: rankings of j values of x among j + k values (k of y, k growing to n) in which
  // U = u, U counting the pairs with the x value above the y value (the same distribution as the
  // pairs the other way round, by symmetry). The largest of the j + k values is either an x (above
  // all k y values: ways(j - 1, k) shifted by k) or a y (adding nothing: ways(j, k - 1)). Row j
  // still holds k - 1 when it is updated, row j - 1 already holds k. Counts reach C(100, 50) ~
  // 1e29 at 50 + 50 values: doubles, summed from positive terms only.
  const std::size_t top = m * n;
  std::vector<std::vector<double>> ways(m + 1, std::vector<double>(top + 1, 0.0));
  for (auto& row : ways) row[0] = 1;  // k = 0: one ranking, U = 0
  for (std::size_t k = 1; k <= n; ++k)
    for (std::size_t j = 1; j <= m; ++j)
      for (std::size_t u = j * k; u >= k; --u) ways[j][u] += ways[j - 1][u - k];
  std::vector<double> p = std::move(ways[m]);
  double total = 0;
  for (double w : p) total += w;  // C(m + n, m)
  for (double& w : p) w /= total;
  return p;
}

double smallest_p_value(std::size_t m, std::size_t n) {
  if (m == 0 || n == 0) return 1;
  double rankings = 1;  // C(m + n, m), built up as C(n + i, i)
  for (std::size_t i = 1; i <= m; ++i)
    rankings = rankings * static_cast<double>(n + i) / static_cast<double>(i);
  return std::min(1.0, 2 / rankings);
}

MannWhitney mann_whitney(std::span<const double> base, std::span<const double> fresh) {
  MannWhitney result;
  const std::size_t m = base.size(), n = fresh.size();
  if (m == 0 || n == 0) return result;
  std::vector<std::pair<double, bool>> pooled;  // value, from NEW
  pooled.reserve(m + n);
  for (double x : base) pooled.emplace_back(x, false);
  for (double y : fresh) pooled.emplace_back(y, true);
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  // rank sum of NEW with mid-ranks for ties; tie_term = sum of t^3 - t over groups of t equal
  double new_rank_sum = 0, tie_term = 0;
  for (std::size_t start = 0; start < pooled.size();) {
    std::size_t end = start + 1;
    while (end < pooled.size() && pooled[end].first == pooled[start].first) ++end;
    const double t = static_cast<double>(end - start);
    const double mid_rank = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2;
    for (std::size_t i = start; i < end; ++i)
      if (pooled[i].second) new_rank_sum += mid_rank;
    tie_term += t * t * t - t;
    start = end;
  }
  const double dm = static_cast<double>(m), dn = static_cast<double>(n), pairs = dm * dn;
  result.u = new_rank_sum - dn * (dn + 1) / 2;
  result.ties = tie_term > 0;
  const double far = std::max(result.u, pairs - result.u);  // the farther tail from pairs / 2
  if (use_exact(m, n) && !result.ties) {
    result.exact = true;
    const std::vector<double> p = u_distribution(m, n);
    double upper = 0;  // P(U >= far)
    for (auto u = static_cast<std::size_t>(far); u < p.size(); ++u) upper += p[u];
    result.p = std::min(1.0, 2 * upper);
    return result;
  }
  const double total = dm + dn;
  const double variance = pairs / 12 * ((total + 1) - tie_term / (total * (total - 1)));
  if (variance <= 0) return result;  // every value equal: no evidence either way, p = 1
  const double z = (far - pairs / 2 - 0.5) / std::sqrt(variance);
  // the upper tail straight from erfc: 1 - cdf(z) cancels to 0 beyond z ~ 8 (p ~ 1e-15)
  result.p = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return result;
}

RatioInterval hodges_lehmann_ratio(std::span<const double> base, std::span<const double> fresh,
                                   double confidence) {
  const std::size_t m = base.size(), n = fresh.size(), pairs = m * n;
  if (pairs == 0) return {};        // nothing to estimate: ratio 1, no interval
  std::vector<double> differences;  // log(new / base) of every pair
  differences.reserve(pairs);
  for (double x : base)
    for (double y : fresh) differences.push_back(std::log(y) - std::log(x));
  std::sort(differences.begin(), differences.end());
  RatioInterval result;
  result.estimate =
      std::exp((differences[(pairs - 1) / 2] + differences[pairs / 2]) / 2);  // the median
  // k: the largest count of differences cut from each end with P(U <= k - 1) <= tail
  const double tail = (1 - confidence) / 2 * (1 + rounding_slack);
  std::size_t k = 0;
  if (use_exact(m, n)) {
    const std::vector<double> p = u_distribution(m, n);
    double below = p[0];  // P(U <= k)
    while (below <= tail && k < pairs / 2) below += p[++k];
  } else {  // P(U <= k - 1) by the normal approximation with continuity correction
    const double sigma =
        std::sqrt(static_cast<double>(pairs) * static_cast<double>(m + n + 1) / 12);
    const auto below = [&](std::size_t cut) {
      return normal_cdf((static_cast<double>(cut) - 0.5 - static_cast<double>(pairs) / 2) / sigma);
    };
    std::size_t lo = 0, hi = pairs / 2;  // below(lo) <= tail or lo == 0; search the last such
    while (lo < hi) {
      const std::size_t mid = (lo + hi + 1) / 2;
      if (below(mid) <= tail)
        lo = mid;
      else
        hi = mid - 1;
    }
    k = lo;
  }
  if (k == 0) return result;  // no interval at this confidence with so few reps
  result.low = std::exp(differences[k - 1]);
  result.high = std::exp(differences[pairs - k]);
  return result;
}

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::faster:
      return "faster";
    case Verdict::slower:
      return "slower";
    case Verdict::no_significant_change:
      return "no significant change";
    case Verdict::too_few_reps:
      return "too few reps";
    case Verdict::not_compared:
      return "not compared";
  }
  return "not compared";
}

Verdict decide(double p, double ratio, double smallest_p, double alpha, double threshold_percent) {
  if (!(smallest_p < alpha)) return Verdict::too_few_reps;
  if (p < alpha && std::abs(ratio - 1) > threshold_percent / 100)
    return ratio > 1 ? Verdict::slower : Verdict::faster;
  return Verdict::no_significant_change;
}

SampleComparison compare_samples(std::span<const double> base, std::span<const double> fresh,
                                 double alpha, double threshold_percent) {
  SampleComparison c;
  c.base_reps = base.size();
  c.new_reps = fresh.size();
  if (base.empty() || fresh.empty()) {
    c.problem = base.empty() ? "no rep times in BASE" : "no rep times in NEW";
    return c;
  }
  const auto positive = [](double t) { return std::isfinite(t) && t > 0; };
  if (!std::all_of(base.begin(), base.end(), positive) ||
      !std::all_of(fresh.begin(), fresh.end(), positive)) {
    c.problem = "a rep time that is not a positive number";  // a ratio needs logs
    return c;
  }
  c.base_median = measure::median(base);
  c.new_median = measure::median(fresh);
  c.ratio = c.new_median / c.base_median;
  c.test = mann_whitney(base, fresh);
  c.interval = hodges_lehmann_ratio(base, fresh, 1 - alpha);
  c.smallest_p = smallest_p_value(base.size(), fresh.size());
  c.verdict = decide(c.test.p, c.ratio, c.smallest_p, alpha, threshold_percent);
  return c;
}

}  // namespace parkit::results
