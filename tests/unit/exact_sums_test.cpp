// SPDX-License-Identifier: MIT
// The exact sum of squares at the boundaries of its 64-bit chunks and of 128 bits.
#include "support/exact_sums.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace parkit::kernels {
namespace {

using exec::Index;
using exec::Range;

u128 closed_form_range(Index begin, Index end) {
  return *exact_sum_squares(end) - *exact_sum_squares(begin);
}

TEST(ExactSums, ClosedFormOfSmallAndLessonValues) {
  EXPECT_EQ(*exact_sum_squares(0), 0u);
  EXPECT_EQ(*exact_sum_squares(1), 0u);
  EXPECT_EQ(*exact_sum_squares(4), 14u);  // 0 + 1 + 4 + 9
  EXPECT_EQ(to_string(*exact_sum_squares(10'000'000)), "333333283333335000000");
  EXPECT_EQ(to_string(*exact_sum_squares(1'000'000'000)), "333333332833333333500000000");
}

TEST(ExactSums, LimitIsWhere128BitsRunOut) {
  const Index max_n = largest_exact_n();
  EXPECT_EQ(max_n, 10'069'012'961'345);
  ASSERT_TRUE(exact_sum_squares(max_n).has_value());
  EXPECT_FALSE(exact_sum_squares(max_n + 1).has_value());
  // n(n-1)(2n-1)/6 ~ n^3/3 ~ 2^128: the limit sits where the cube root says
  EXPECT_NEAR(static_cast<double>(max_n), std::cbrt(3.0 * 0x1p128),
              1e-6 * static_cast<double>(max_n));
}

TEST(ExactSums, LoopMatchesClosedFormAcrossThe64BitBoundary) {
  constexpr Index two32 = Index{1} << 32;
  for (Index begin : {two32 - 4100, two32 - 17, two32 - 1, two32, two32 + 3})
    for (Index length : {1, 2, 17, 4096, 4097, 9000}) {
      const Range r{begin, begin + length};
      EXPECT_EQ(sum_squares_range(r), closed_form_range(r.begin, r.end))
          << "[" << r.begin << ", " << r.end << ")";
    }
}

TEST(ExactSums, LoopMatchesClosedFormWhereChunksShrink) {
  // Chunk length is (2^64-1) / last^2: 4096 below ~6.7e7, 18 near 1e9, 1 near 2^32.
  for (Index begin : {Index{0}, Index{67'100'000}, Index{999'999'000}, Index{3'000'000'000}})
    for (Index length : {1, 5, 4095, 4096, 4097, 100'000}) {
      const Range r{begin, begin + length};
      EXPECT_EQ(sum_squares_range(r), closed_form_range(r.begin, r.end))
          << "[" << r.begin << ", " << r.end << ")";
    }
}

TEST(ExactSums, LoopIsExactUpToThe128BitLimit) {
  const Index max_n = largest_exact_n();
  for (Index length : {1, 1000, 100'000}) {
    const Range r{max_n - length, max_n};
    EXPECT_EQ(sum_squares_range(r), closed_form_range(r.begin, r.end)) << length;
  }
}

}  // namespace
}  // namespace parkit::kernels
