// SPDX-License-Identifier: MIT
// dot: s = sum x[i] * y[i] over two double arrays, x[i] = (i mod 1000) + 1, y[i] = (i mod 7) + 1.
// Traffic: 16 B read, 2 flops per element. Every product is an integer <= 7000, so every partial
// sum is an exact integer below 2^53 for n <= 10^12, whatever the split over threads and ranks.
// Reference: 1000 and 7 are coprime, so each 7000 consecutive i meet every pair (a, b) once:
// a full period adds (1 + ... + 1000)(1 + ... + 7) = 500500 * 28; the rest is summed directly.
#include <parkit/kernel.hpp>
#include <parkit/kernels/arrays.hpp>

namespace dot_example {

using parkit::Buffer;
using parkit::kernels::Index;
using parkit::kernels::KernelInfo;
using parkit::kernels::Range;

struct Dot {
  static constexpr KernelInfo info{.name = "dot",
                                   .summary = "s = sum x[i]*y[i] over two double arrays",
                                   .bytes_per_elem = 16,
                                   .flops_per_elem = 2,
                                   .memory_per_elem = 16,
                                   .bandwidth_bound = true};
  using Result = double;
  struct Data {
    Buffer x, y;
    Index offset = 0;  // global index of x[0], y[0]
  };

  static double x_input(Index i) { return static_cast<double>(i % 1000 + 1); }
  static double y_input(Index i) { return static_cast<double>(i % 7 + 1); }

  static Data allocate(Range local) {
    return {Buffer(local.size()), Buffer(local.size()), local.begin};
  }
  // First touch: each worker writes the block it will later read.
  static void init(Data& d, Range block) {
    for (Index i = block.begin; i < block.end; ++i) {
      d.x[i - d.offset] = x_input(i);
      d.y[i - d.offset] = y_input(i);
    }
  }
  static Result partial(const Data& d, Range block) {
    const double* x = d.x.data() + (block.begin - d.offset);
    const double* y = d.y.data() + (block.begin - d.offset);
    // parkit's vector loop (independent lanes: fine, every partial sum is an exact integer)
    return parkit::kernels::arrays::sum_of(x, block.size(),
                                           [x, y](auto at, auto& sum) { sum += at(x) * at(y); });
  }
  static Result reference(Index n) {
    const Index periods = n / 7000;
    parkit::u128 exact = static_cast<parkit::u128>(periods) * 500500 * 28;
    for (Index i = periods * 7000; i < n; ++i)
      exact += static_cast<parkit::u128>((i % 1000 + 1) * (i % 7 + 1));
    return static_cast<double>(exact);  // exact: below 2^53 for every n up to max_n()
  }
  static constexpr Index max_n() { return 1'000'000'000'000; }
};

[[maybe_unused]] const bool registered = parkit::kernels::register_kernel<Dot>();

}  // namespace dot_example
