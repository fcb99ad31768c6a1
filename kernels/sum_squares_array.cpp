// SPDX-License-Identifier: MIT
// sum_squares_array: s = sum x[i]^2 over doubles held in memory, x[i] = (i mod 1000) + 1.
// Traffic: 8 B read, 2 flops per element. Every partial sum is an integer below 2^53, so any
// split over threads and ranks gives the identical double, equal to the closed form
// q*S(1000) + S(r) with n = 1000q + r and S(k) = k(k+1)(2k+1)/6.
#include "parkit/kernel.hpp"
#include "parkit/kernels/arrays.hpp"

namespace parkit::kernels {
namespace {

struct SumSquaresArray {
  static constexpr KernelInfo info{.name = "sum_squares_array",
                                   .summary = "sum of x[i]^2 over a double array",
                                   .bytes_per_elem = 8,
                                   .flops_per_elem = 2,
                                   .memory_per_elem = 8,
                                   .bandwidth_bound = true};
  using Result = double;
  struct Data {
    Buffer x;
    Index offset = 0;  // global index of x[0]
  };

  static double input(Index i) { return static_cast<double>(i % 1000 + 1); }
  static Data allocate(Range local) { return {Buffer(local.size()), local.begin}; }
  static void init(Data& d, Range block) {
    for (Index i = block.begin; i < block.end; ++i) d.x[i - d.offset] = input(i);
  }
  static Result reference(Index n) {
    auto s = [](u128 k) { return k * (k + 1) * (2 * k + 1) / 6; };  // sum_{j=1..k} j^2
    const auto q = static_cast<u128>(n / 1000), r = static_cast<u128>(n % 1000);
    return static_cast<double>(q * s(1000) + s(r));
  }

  static Result partial(const Data& d, Range block) {
    // Summed in independent lanes (support/arrays.hpp): the order of additions changes nothing
    // because every partial is an exact integer.
    const double* x = d.x.data() + (block.begin - d.offset);
    return arrays::sum_of(x, block.size(), [x](auto at, auto& sum) { sum += at(x) * at(x); });
  }
};

[[maybe_unused]] const bool registered = register_kernel<SumSquaresArray>();

}  // namespace
}  // namespace parkit::kernels
