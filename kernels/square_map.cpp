// SPDX-License-Identifier: MIT
// square_map: y[i] = x[i]^2 over doubles (the lessons' Pool.map(square, numbers)), with
// x[i] = (i mod 1000) + 1. Traffic: 16 B (read x, write y), 1 flop per element: large outputs are
// written with streaming stores (support/arrays.hpp), so 16 B is what really moves; below the
// streaming threshold a regular store also reads the line first (24 B moved, 16 B counted).
// Every element is checked against its exact square; y is reset to NaN before each rep.
#include <limits>

#include "parkit/kernel.hpp"
#include "parkit/kernels/arrays.hpp"

namespace parkit::kernels {
namespace {

struct SquareMap {
  static constexpr KernelInfo info{.name = "square_map",
                                   .summary = "y[i] = x[i]^2 over a double array",
                                   .bytes_per_elem = 16,
                                   .flops_per_elem = 1,
                                   .memory_per_elem = 16,
                                   .bandwidth_bound = true};
  struct Data {
    Buffer x, y;
    Index offset = 0;  // global index of x[0], y[0]
  };

  static double input(Index i) { return static_cast<double>(i % 1000 + 1); }
  static Data allocate(Range local) {
    return {Buffer(local.size()), Buffer(local.size()), local.begin};
  }
  static void init(Data& d, Range block) {
    for (Index i = block.begin; i < block.end; ++i) d.x[i - d.offset] = input(i);
    reset(d, block);
  }
  static void reset(Data& d, Range block) {
    for (Index i = block.begin; i < block.end; ++i)
      d.y[i - d.offset] = std::numeric_limits<double>::quiet_NaN();
  }
  static void body(Data& d, Range block) {
    const double* __restrict__ x = d.x.data() + (block.begin - d.offset);
    double* __restrict__ y = d.y.data() + (block.begin - d.offset);
    arrays::write_array(y, block.size(), [x](auto at, auto& result) { result = at(x) * at(x); });
  }
  static double expected(Index i) { return input(i) * input(i); }
  static double output(const Data& d, Index i) { return d.y[i - d.offset]; }
};

[[maybe_unused]] const bool registered = register_kernel<SquareMap>();

}  // namespace
}  // namespace parkit::kernels
