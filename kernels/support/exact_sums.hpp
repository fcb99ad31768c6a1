// SPDX-License-Identifier: MIT
// Exact sums of squares of integers in 128 bits: the closed form (reference) and the summing
// loop (the sum_squares kernel's body), kept apart from registration so the 64/128-bit
// boundaries of the loop can be tested on any range.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

#include "exec/range.hpp"
#include "support/u128.hpp"

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

/// sum_{i in r} i^2, element by element. i^2 fits in 64 bits for i < 2^32: a chunk of squares is
/// summed in 64 bits while its sum provably fits (len * last^2 <= 2^64 - 1), then added into
/// 128 bits. From 2^32 on, 128-bit products. Every element is really squared and added, so the
/// cost grows linearly with the range. Kept out of line: inlined into each model's lambda, GCC 12
/// compiled this loop 1.6x slower in some call sites than in others, which would have compared
/// inlining luck instead of models; one compiled body serves them all.
[[gnu::noinline]] inline u128 sum_squares_range(exec::Range r) {
  constexpr std::uint64_t max_chunk = 4096;
  constexpr std::uint64_t small_limit = std::uint64_t{1} << 32;
  auto i = static_cast<std::uint64_t>(r.begin);
  const auto end = static_cast<std::uint64_t>(r.end);
  u128 total = 0;
  while (i < end && i < small_limit) {
    const std::uint64_t cap = std::min({end, small_limit, i + max_chunk});
    const std::uint64_t last = cap - 1;
    const std::uint64_t fits = last == 0 ? max_chunk : UINT64_MAX / (last * last);
    const std::uint64_t stop = std::min(cap, i + std::max<std::uint64_t>(fits, 1));
    std::uint64_t chunk = 0;
    for (std::uint64_t j = i; j < stop; ++j) chunk += j * j;
    total += chunk;
    i = stop;
  }
  for (; i < end; ++i) total += static_cast<u128>(i) * i;
  return total;
}

}  // namespace parkit::kernels
