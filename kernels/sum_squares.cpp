// SPDX-License-Identifier: MIT
// sum_squares: s = sum_{i<n} i^2, exact in unsigned 128 bits (the lessons' sum(i*i for i in
// range(n)); n = 10^7 gives 333333283333335000000). Index space: no memory traffic, 2 integer
// ops per element. Reference: n(n-1)(2n-1)/6; an n whose result exceeds 128 bits is refused.
#include "parkit/kernel.hpp"
#include "parkit/kernels/exact_sums.hpp"

namespace parkit::kernels {
namespace {

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
  static Result partial(const Data&, Range block) { return sum_squares_range(block); }
};

static_assert(*exact_sum_squares(10'000'000) == static_cast<u128>(333333283333335ULL) * 1'000'000);
static_assert(exact_sum_squares(SumSquares::max_n()) &&
              !exact_sum_squares(SumSquares::max_n() + 1));

[[maybe_unused]] const bool registered = register_kernel<SumSquares>();

}  // namespace
}  // namespace parkit::kernels
