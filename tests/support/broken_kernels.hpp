// SPDX-License-Identifier: MIT
// Kernels that are wrong on purpose. Verification must fail for each of them.
#pragma once

#include <limits>
#include <stdexcept>

#include "parkit/kernel.hpp"

namespace parkit::testing {

using kernels::Index;
using kernels::KernelInfo;
using kernels::Range;

/// square_map whose body writes nothing: only the NaN sentinel can catch it.
struct LazySquareMap {
  static constexpr KernelInfo info{.name = "broken_lazy_square_map",
                                   .summary = "TEST ONLY: writes nothing",
                                   .bytes_per_elem = 16,
                                   .memory_per_elem = 16};
  struct Data {
    Buffer y;
    Index offset = 0;
  };
  static Data allocate(Range local) { return {Buffer(local.size()), local.begin}; }
  static void init(Data& d, Range b) { reset(d, b); }
  static void reset(Data& d, Range b) {
    for (Index i = b.begin; i < b.end; ++i)
      d.y[i - d.offset] = std::numeric_limits<double>::quiet_NaN();
  }
  static void body(Data&, Range) {}
  static double expected(Index i) { return static_cast<double>(i) * static_cast<double>(i); }
  static double output(const Data& d, Index i) { return d.y[i - d.offset]; }
};

/// A map that skips the last element of every block: the per-element check must notice.
struct SkippingSquareMap : LazySquareMap {
  static constexpr KernelInfo info{.name = "broken_skipping_square_map",
                                   .summary = "TEST ONLY: skips one element per block",
                                   .bytes_per_elem = 16,
                                   .memory_per_elem = 16};
  static void body(Data& d, Range b) {
    for (Index i = b.begin; i + 1 < b.end; ++i) d.y[i - d.offset] = expected(i);
  }
};

/// A reduction that forgets the first element of every block (sum of i over the index space).
struct ForgetfulSum {
  static constexpr KernelInfo info{.name = "broken_forgetful_sum",
                                   .summary = "TEST ONLY: drops one element per block",
                                   .flops_per_elem = 1};
  using Result = u128;
  struct Data {};
  static Data allocate(Range) { return {}; }
  static void init(Data&, Range) {}
  static Result partial(const Data&, Range b) {
    u128 s = 0;
    for (Index i = b.begin + 1; i < b.end; ++i) s += static_cast<u128>(i) + 1;
    return s;
  }
  static Result reference(Index n) { return static_cast<u128>(n) * static_cast<u128>(n + 1) / 2; }
};

/// A map that is right on the rank owning element 0 and wrong on every other rank (under mpi,
/// only rank 0's block starts at 0): verification must fail on all ranks alike.
struct WrongOffRank0 : LazySquareMap {
  static constexpr KernelInfo info{.name = "broken_wrong_off_rank0",
                                   .summary = "TEST ONLY: wrong on ranks other than 0",
                                   .bytes_per_elem = 16,
                                   .memory_per_elem = 16};
  static void body(Data& d, Range b) {
    for (Index i = b.begin; i < b.end; ++i) d.y[i - d.offset] = expected(i) + (d.offset > 0);
  }
};

/// Throws while setting up on every rank but the one owning element 0, while that rank goes on
/// into the protocol's collectives: the job must end (MPI_Abort), not hang.
struct ThrowsOffRank0 : ForgetfulSum {
  static constexpr KernelInfo info{.name = "broken_throws_off_rank0",
                                   .summary = "TEST ONLY: throws on ranks other than 0",
                                   .flops_per_elem = 1};
  static Data allocate(Range local) {
    if (local.begin > 0) throw std::runtime_error("injected failure for a test");
    return {};
  }
};

}  // namespace parkit::testing
