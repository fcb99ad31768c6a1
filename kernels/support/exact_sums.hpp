// SPDX-License-Identifier: MIT
// Exact sums of squares of integers in 128 bits: the closed form (reference) and the summing
// loop (the sum_squares kernel's body, in exact_sums.cpp), kept apart from registration so the
// 64/128-bit boundaries of every vector path can be tested on any range.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "parkit/exec/range.hpp"
#include "parkit/exec/u128.hpp"

namespace parkit::kernels {

/// sum_{i<n} i^2 = n(n-1)(2n-1)/6, or nullopt when it does not fit in 128 bits. Each factor is
/// divided by 2 or 3 first (one of n, n-1 is even; one of n, n-1, 2n-1 is a multiple of 3), so
/// no step overflows before the result does.
constexpr std::optional<u128> exact_sum_squares(exec::Index n) {
  if (n <= 1) return u128{0};
  u128 f[3] = {static_cast<u128>(n), static_cast<u128>(n - 1), 2 * static_cast<u128>(n) - 1};
  for (u128& x : f)
    if (x % 2 == 0) {
      x /= 2;
      break;
    }
  for (u128& x : f)
    if (x % 3 == 0) {
      x /= 3;
      break;
    }
  const auto ab = checked_mul(f[0], f[1]);
  return ab ? checked_mul(*ab, f[2]) : std::nullopt;
}

/// The largest n whose sum_{i<n} i^2 fits in 128 bits (about 1.0e13).
constexpr exec::Index largest_exact_n() {
  exec::Index lo = 1, hi = exec::Index{1} << 50;  // exact_sum_squares(lo) fits, (hi) does not
  while (hi - lo > 1) {
    const exec::Index mid = lo + (hi - lo) / 2;
    (exact_sum_squares(mid) ? lo : hi) = mid;
  }
  return lo;
}

/// How sum_squares_range sums: the vector paths of support/exact_sums.cpp, widest last.
enum class SumSquaresPath { portable, avx2, avx512, avx512_ifma };
[[nodiscard]] std::string_view name_of(SumSquaresPath path);
/// The paths this CPU can run, in order (portable first, always there).
[[nodiscard]] std::vector<SumSquaresPath> sum_squares_paths_here();
/// The path sum_squares_range(r) takes: the widest here, or PARKIT_SUM_SQUARES_PATH when it
/// names one that runs here (for benchmarks and instruction counts).
[[nodiscard]] SumSquaresPath sum_squares_path();

/// sum_{i in r} i^2, exact, element by element: every element is really squared and added, so
/// the cost grows linearly with the range (see exact_sums.cpp for how). Any range below the
/// 128-bit limit.
[[nodiscard]] u128 sum_squares_range(exec::Range r);
/// The same on a given path (which must run here): for tests of every path.
[[nodiscard]] u128 sum_squares_range(exec::Range r, SumSquaresPath path);

}  // namespace parkit::kernels
