// SPDX-License-Identifier: MIT
// The array kernels' inner loops (support/arrays.hpp) on every path this CPU runs: streaming or
// not, aligned or not, every element written exactly once and sums exact.
#include "parkit/kernels/arrays.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "parkit/kernels/buffer.hpp"

namespace parkit::kernels::arrays {
namespace {

/// Lengths around one line of doubles and one step of the summing lanes (32), plus one past
/// the streaming threshold so the streaming stores run too.
std::vector<Index> lengths() {
  const auto streamed = static_cast<Index>(streaming_threshold_bytes() / sizeof(double)) + 13;
  return {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, streamed};
}

TEST(Arrays, BaselineIsAlwaysThereAndTheDefaultIsTheWidest) {
  const auto here = paths_here();
  ASSERT_FALSE(here.empty());
  EXPECT_EQ(here.front(), Path::baseline);
  EXPECT_EQ(path(), here.back());  // PARKIT_ARRAY_PATH unset in tests
  EXPECT_GE(streaming_threshold_bytes(), std::size_t{1} << 20);
}

TEST(Arrays, WriteArraySetsEveryElementOnceAtEveryOffsetAndLength) {
  const Index longest = lengths().back() + 8;
  Buffer source(longest);  // source[i] = i, so out[i] = 3 source[i] + 1 says which i was read
  for (Index i = 0; i < longest; ++i) source[i] = static_cast<double>(i);
  for (const Path p : paths_here())
    for (const Index length : lengths()) {
      // offsets 0..7 doubles into a 64-byte aligned buffer: every alignment of the first line
      Buffer out(length + 8 + 8);  // 8 guard elements after the last offset's end
      for (Index offset = 0; offset < 8; ++offset) {
        if (length > 1000 && offset % 3 != 0) continue;  // the big one at 3 alignments is enough
        for (Index i = 0; i < out.size(); ++i) out[i] = std::numeric_limits<double>::quiet_NaN();
        double* first = out.data() + offset;
        const double* from = source.data() + offset;  // unaligned like the output
        write_array(
            first, length, [from](auto at, auto& result) { result = 3.0 * at(from) + 1.0; }, p);
        Index wrong = 0;
        for (Index i = 0; i < length; ++i)
          wrong += first[i] != static_cast<double>(3 * (offset + i) + 1);
        EXPECT_EQ(wrong, 0) << name_of(p) << " length " << length << " offset " << offset;
        for (Index i = 0; i < offset; ++i) EXPECT_TRUE(std::isnan(out[i])) << "before " << i;
        for (Index i = offset + length; i < out.size(); ++i)
          ASSERT_TRUE(std::isnan(out[i])) << name_of(p) << " wrote past the end at " << i;
      }
    }
}

TEST(Arrays, SumOfIsExactOnEveryPathOffsetAndLength) {
  const Index longest = lengths().back() + 8;
  Buffer x(longest);
  for (Index i = 0; i < longest; ++i) x[i] = static_cast<double>(i % 1000 + 1);
  for (const Path p : paths_here())
    for (const Index length : lengths())
      for (Index offset : {0, 1, 5}) {
        // sum_{i<length} ((offset + i) % 1000 + 1)^2, in integers: every partial is below 2^53
        unsigned long long want = 0;
        for (Index i = 0; i < length; ++i) {
          const auto v = static_cast<unsigned long long>((offset + i) % 1000 + 1);
          want += v * v;
        }
        const double* from = x.data() + offset;
        const auto square = [from](auto at, auto& sum) { sum += at(from) * at(from); };
        const double got = sum_of(from, length, square, p);
        EXPECT_EQ(got, static_cast<double>(want))
            << name_of(p) << " length " << length << " offset " << offset;
      }
}

TEST(Arrays, PathsAgreeBitForBitOnAnExactSum) {
  constexpr Index n = 1'234'567;
  Buffer x(n);
  for (Index i = 0; i < n; ++i) x[i] = static_cast<double>(i % 1000 + 1);
  const double* from = x.data();
  const auto square = [from](auto at, auto& sum) { sum += at(from) * at(from); };
  const double baseline = sum_of(from, n, square, Path::baseline);
  EXPECT_EQ(baseline, 1234.0 * 333833500.0 + 567.0 * 568 * 1135 / 6);
  for (const Path p : paths_here()) EXPECT_EQ(sum_of(from, n, square, p), baseline) << name_of(p);
}

}  // namespace
}  // namespace parkit::kernels::arrays
