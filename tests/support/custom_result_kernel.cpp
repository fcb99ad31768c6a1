// SPDX-License-Identifier: MIT
// A kernel whose result is a struct (the public API's ReductionResult, as a user's kernel would
// have it), registered into the unit and MPI test binaries, so every model's reduction and the
// MPI byte-wise combine are tested with it in every preset.
// test_extremes: min, max and sum of x[i] = (i * 7) mod 1000 (a permutation of 0..999 per
// 1000 elements). Reference: with n >= 1000 every value occurs, min 0, max 999; below that,
// the values are (7i mod 1000) for i < n: computed directly (n < 1000 elements).
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "parkit/kernel.hpp"

namespace parkit::testing {
namespace {

using kernels::Index;
using kernels::Range;

struct Extremes {
  std::int64_t min = std::numeric_limits<std::int64_t>::max();  // the identity of +=
  std::int64_t max = std::numeric_limits<std::int64_t>::min();
  std::int64_t sum = 0;
  Extremes& operator+=(const Extremes& o) {
    min = std::min(min, o.min);
    max = std::max(max, o.max);
    sum += o.sum;
    return *this;
  }
  bool operator==(const Extremes&) const = default;
};

std::string to_string(const Extremes& e) {
  return fmt::format("min {} max {} sum {}", e.min, e.max, e.sum);
}

struct ExtremesKernel {
  static constexpr kernels::KernelInfo info{.name = "test_extremes",
                                            .summary = "TEST ONLY: a struct result",
                                            .bytes_per_elem = 8,
                                            .flops_per_elem = 3,
                                            .memory_per_elem = 8};
  using Result = Extremes;
  struct Data {
    Buffer x;
    Index offset = 0;
  };
  static std::int64_t value(Index i) { return (i * 7) % 1000; }
  static Data allocate(Range local) { return {Buffer(local.size()), local.begin}; }
  static void init(Data& d, Range b) {
    for (Index i = b.begin; i < b.end; ++i) d.x[i - d.offset] = static_cast<double>(value(i));
  }
  static Result partial(const Data& d, Range b) {
    Extremes e;
    for (Index i = b.begin; i < b.end; ++i) {
      const auto v = static_cast<std::int64_t>(d.x[i - d.offset]);
      e += Extremes{v, v, v};
    }
    return e;
  }
  static Result reference(Index n) {
    // sum: 7i mod 1000 runs over 0..999 once per 1000 i (7 and 1000 are coprime)
    Extremes e;
    const Index periods = n / 1000;
    if (periods > 0) e = Extremes{0, 999, 0};
    e.sum = periods * 499'500;
    for (Index i = periods * 1000; i < n; ++i) {
      const std::int64_t v = value(i);
      e.min = std::min(e.min, v);
      e.max = std::max(e.max, v);
      e.sum += v;
    }
    return e;
  }
};

[[maybe_unused]] const bool registered = kernels::register_kernel<ExtremesKernel>();

}  // namespace
}  // namespace parkit::testing
