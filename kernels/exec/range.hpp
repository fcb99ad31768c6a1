// SPDX-License-Identifier: MIT
// Index ranges and the one block decomposition every model (threads, OpenMP, later MPI) uses.
#pragma once

#include <cstdint>

namespace parkit::exec {

/// Element index; signed so that differences and OpenMP loops stay well-defined.
using Index = std::int64_t;

/// Half-open range [begin, end) of global element indices.
struct Range {
  Index begin = 0;
  Index end = 0;
  [[nodiscard]] constexpr Index size() const noexcept { return end - begin; }
  [[nodiscard]] constexpr bool empty() const noexcept { return end <= begin; }
  friend constexpr bool operator==(Range, Range) = default;
};

/// Part `part` of `parts` near-equal contiguous blocks of `r`: the first (size % parts) blocks get
/// one extra element, so blocks are disjoint, ordered, cover `r` exactly, and differ by at most one
/// element (some are empty when parts > size).
[[nodiscard]] constexpr Range block(Range r, Index part, Index parts) noexcept {
  const Index n = r.size();
  const Index base = n / parts;
  const Index extra = n % parts;
  const Index begin = r.begin + part * base + (part < extra ? part : extra);
  return {begin, begin + base + (part < extra ? 1 : 0)};
}

}  // namespace parkit::exec
