// SPDX-License-Identifier: MIT
// triad: a[i] = b[i] + s*c[i] (STREAM triad), the machine's bandwidth reference: the other
// array kernels are reported as a percentage of it. Traffic: 24 B per element as STREAM counts
// it (read b and c, write a; write-allocate not counted: large outputs are written with streaming
// stores, support/arrays.hpp, so none happens), 2 flops. b[i] = (i mod 1000) + 1,
// c[i] = (i mod 7) + 1, s = 3: every a[i] is an exact integer, checked element by element.
#include <limits>

#include "parkit/kernel.hpp"
#include "parkit/kernels/arrays.hpp"

namespace parkit::kernels {
namespace {

struct Triad {
  static constexpr KernelInfo info{.name = "triad",
                                   .summary = "a[i] = b[i] + s*c[i] (STREAM triad)",
                                   .bytes_per_elem = 24,
                                   .flops_per_elem = 2,
                                   .memory_per_elem = 24,
                                   .bandwidth_bound = true};
  static constexpr double scalar = 3.0;
  struct Data {
    Buffer a, b, c;
    Index offset = 0;  // global index of element 0
  };

  static double b_input(Index i) { return static_cast<double>(i % 1000 + 1); }
  static double c_input(Index i) { return static_cast<double>(i % 7 + 1); }
  static Data allocate(Range local) {
    return {Buffer(local.size()), Buffer(local.size()), Buffer(local.size()), local.begin};
  }
  static void init(Data& d, Range block) {
    for (Index i = block.begin; i < block.end; ++i) {
      d.b[i - d.offset] = b_input(i);
      d.c[i - d.offset] = c_input(i);
    }
    reset(d, block);
  }
  static void reset(Data& d, Range block) {
    for (Index i = block.begin; i < block.end; ++i)
      d.a[i - d.offset] = std::numeric_limits<double>::quiet_NaN();
  }
  static void body(Data& d, Range block) {
    const Index first = block.begin - d.offset;
    double* __restrict__ a = d.a.data() + first;
    const double* __restrict__ b = d.b.data() + first;
    const double* __restrict__ c = d.c.data() + first;
    arrays::write_array(a, block.size(),
                        [b, c](auto at, auto& result) { result = at(b) + scalar * at(c); });
  }
  static double expected(Index i) { return b_input(i) + scalar * c_input(i); }
  static double output(const Data& d, Index i) { return d.a[i - d.offset]; }
};

[[maybe_unused]] const bool registered = register_kernel<Triad>();

}  // namespace
}  // namespace parkit::kernels
