// SPDX-License-Identifier: MIT
// histogram: how many of x[i] = i mod 1000 fall in each of 16 bins (bin = x mod 16): a reduction
// whose result is a struct, not a number. Traffic: 8 B read per element. Reference: a full
// period of 1000 values puts 63 in bins 0-7 and 62 in bins 8-15; the last r < 1000 values put
// r / 16 in every bin and one more in bins below r mod 16.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <parkit/kernel.hpp>
#include <string>

namespace histogram_example {

using parkit::Buffer;
using parkit::kernels::Index;
using parkit::kernels::KernelInfo;
using parkit::kernels::Range;

constexpr std::size_t bins = 16;

/// The result: combined with += (partials in worker order, then ranks), compared with ==, and
/// recorded in the results file by to_string. Trivially copyable: it crosses MPI ranks as bytes.
struct Counts {
  std::array<std::int64_t, bins> in_bin{};

  Counts& operator+=(const Counts& other) {
    for (std::size_t b = 0; b < bins; ++b) in_bin[b] += other.in_bin[b];
    return *this;
  }
  bool operator==(const Counts&) const = default;
};

std::string to_string(const Counts& c) { return fmt::format("[{}]", fmt::join(c.in_bin, " ")); }

struct Histogram {
  static constexpr KernelInfo info{.name = "histogram",
                                   .summary = "counts of x[i] mod 16 over a double array",
                                   .bytes_per_elem = 8,
                                   .flops_per_elem = 1,
                                   .memory_per_elem = 8,
                                   .bandwidth_bound = true};
  using Result = Counts;
  struct Data {
    Buffer x;
    Index offset = 0;
  };

  static Data allocate(Range local) { return {Buffer(local.size()), local.begin}; }
  static void init(Data& d, Range block) {
    for (Index i = block.begin; i < block.end; ++i)
      d.x[i - d.offset] = static_cast<double>(i % 1000);
  }
  static Result partial(const Data& d, Range block) {
    Counts c;
    for (Index i = block.begin; i < block.end; ++i)
      ++c.in_bin[static_cast<std::size_t>(d.x[i - d.offset]) % bins];
    return c;
  }
  static Result reference(Index n) {
    const Index periods = n / 1000, rest = n % 1000;
    Counts c;
    for (std::size_t b = 0; b < bins; ++b) {
      const Index bin = static_cast<Index>(b);
      c.in_bin[b] = periods * (bin < 1000 % 16 ? 63 : 62) + rest / 16 + (bin < rest % 16);
    }
    return c;
  }
};

[[maybe_unused]] const bool registered = parkit::kernels::register_kernel<Histogram>();

}  // namespace histogram_example
