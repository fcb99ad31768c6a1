// SPDX-License-Identifier: MIT
// copy: a[i] = b[i] (STREAM copy), the reference for the reading kernels: sum_squares_array
// reads what copy reads and writes nothing. Traffic: 16 B per element as STREAM counts it (read
// b, write a); large outputs are written with streaming stores (support/arrays.hpp), so no
// write-allocate read happens. b[i] = (i mod 1000) + 1, every a[i] checked; a is reset to NaN
// before each rep.
#include <limits>

#include "parkit/kernel.hpp"
#include "parkit/kernels/arrays.hpp"

namespace parkit::kernels {
namespace {

struct Copy {
  static constexpr KernelInfo info{.name = "copy",
                                   .summary = "a[i] = b[i] (STREAM copy)",
                                   .bytes_per_elem = 16,
                                   .flops_per_elem = 0,
                                   .memory_per_elem = 16,
                                   .bandwidth_bound = true};
  struct Data {
    Buffer a, b;
    Index offset = 0;  // global index of element 0
  };

  static double input(Index i) { return static_cast<double>(i % 1000 + 1); }
  static Data allocate(Range local) {
    return {Buffer(local.size()), Buffer(local.size()), local.begin};
  }
  static void init(Data& d, Range block) {
    for (Index i = block.begin; i < block.end; ++i) d.b[i - d.offset] = input(i);
    reset(d, block);
  }
  static void reset(Data& d, Range block) {
    for (Index i = block.begin; i < block.end; ++i)
      d.a[i - d.offset] = std::numeric_limits<double>::quiet_NaN();
  }
  static void body(Data& d, Range block) {
    const double* __restrict__ b = d.b.data() + (block.begin - d.offset);
    arrays::write_array(d.a.data() + (block.begin - d.offset), block.size(),
                        [b](auto at, auto& result) { result = at(b); });
  }
  static double expected(Index i) { return input(i); }
  static double output(const Data& d, Index i) { return d.a[i - d.offset]; }
};

[[maybe_unused]] const bool registered = register_kernel<Copy>();

}  // namespace
}  // namespace parkit::kernels
