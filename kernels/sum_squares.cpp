// SPDX-License-Identifier: MIT
// sum_squares: s = sum_{i<n} i^2, exact in unsigned 128 bits (the lessons' sum(i*i for i in
// range(n)); n = 10^7 gives 333333283333335000000). Index space: no memory traffic, 2 integer
// ops per element. Reference: n(n-1)(2n-1)/6; an n whose result exceeds 128 bits is refused.
#include <algorithm>
#include <optional>

#include "support/register.hpp"

namespace parkit::kernels {
namespace {

/// sum_{i<n} i^2, or nullopt when it does not fit in 128 bits. Each factor is divided by 2 or 3
/// first (one of n, n-1 is even; one of n, n-1, 2n-1 is a multiple of 3), so no step overflows
/// before the result does.
constexpr std::optional<u128> exact_sum_squares(Index n) {
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

/// The largest n whose exact result fits in 128 bits (about 1.0e13).
constexpr Index largest_exact_n() {
  Index lo = 1, hi = Index{1} << 50;  // exact_sum_squares(lo) fits, (hi) does not
  while (hi - lo > 1) {
    const Index mid = lo + (hi - lo) / 2;
    (exact_sum_squares(mid) ? lo : hi) = mid;
  }
  return lo;
}

struct SumSquares {
  static constexpr KernelInfo info{.name = "sum_squares",
                                   .summary = "exact sum of i^2 for i < n, 128-bit (index space)",
                                   .bytes_per_elem = 0,
                                   .flops_per_elem = 2,
                                   .memory_per_elem = 0};
  using Result = u128;
  struct Data {};  // the index is the input: nothing to allocate or touch

  static Data allocate(Range) { return {}; }
  static void init(Data&, Range) {}
  static constexpr Index max_n() { return largest_exact_n(); }
  static Result reference(Index n) { return *exact_sum_squares(n); }

  // i^2 fits in 64 bits for i < 2^32; a chunk of squares is summed in 64 bits while its sum
  // provably fits (len * last^2 <= 2^64 - 1), then added into 128 bits. Beyond 2^32, 128-bit
  // products throughout. Every element is really squared and added: the cost grows with n.
  static Result partial(const Data&, Range block) {
    constexpr std::uint64_t max_chunk = 4096;
    constexpr std::uint64_t small_limit = std::uint64_t{1} << 32;
    auto i = static_cast<std::uint64_t>(block.begin);
    const auto end = static_cast<std::uint64_t>(block.end);
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
};

static_assert(*exact_sum_squares(10'000'000) ==
              static_cast<u128>(333333283333335ULL) * 1'000'000);
static_assert(exact_sum_squares(SumSquares::max_n()) && !exact_sum_squares(SumSquares::max_n() + 1));

[[maybe_unused]] const bool registered = register_kernel<SumSquares>();

}  // namespace
}  // namespace parkit::kernels
