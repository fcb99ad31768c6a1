// SPDX-License-Identifier: MIT
// The exact sum of squares at the boundaries of its 64-bit chunks and of 128 bits.
#include "parkit/kernels/exact_sums.hpp"

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

/// Every range, on every vector path this CPU runs (portable always, AVX2 and AVX-512 where
/// the CPU has them): each must equal the closed form exactly.
void expect_exact_on_every_path(Range r) {
  for (const SumSquaresPath path : sum_squares_paths_here())
    EXPECT_EQ(sum_squares_range(r, path), closed_form_range(r.begin, r.end))
        << name_of(path) << " [" << r.begin << ", " << r.end << ")";
}

TEST(ExactSums, TheDefaultPathIsTheWidestHereAndPortableIsAlwaysThere) {
  const auto here = sum_squares_paths_here();
  ASSERT_FALSE(here.empty());
  EXPECT_EQ(here.front(), SumSquaresPath::portable);
  EXPECT_EQ(sum_squares_path(), here.back());  // PARKIT_SUM_SQUARES_PATH unset in tests
  EXPECT_EQ(sum_squares_range(Range{0, 10'000'000}), *exact_sum_squares(10'000'000));
}

TEST(ExactSums, EveryPathIsExactOnShortAndUnalignedRanges) {
  // shorter than a step of lanes (up to 32), one lane more or less, odd starts
  for (Index begin : {Index{0}, Index{1}, Index{7}, Index{1000}, Index{123'457}})
    for (Index length : {0, 1, 2, 15, 16, 31, 32, 33, 63, 64, 65, 129, 4096 * 32 + 5})
      expect_exact_on_every_path(Range{begin, begin + length});
}

TEST(ExactSums, EveryPathIsExactAroundTheMultiplyAddLimitAndWhereLanesFlushOften) {
  constexpr Index two26 = Index{1} << 26;  // IFMA: i^2 < 2^52 below this
  for (Index begin : {two26 - 100'000, two26 - 33, two26 - 1, two26, two26 + 1})
    for (Index length : {1, 31, 32, 33, 100'000, 300'001})
      expect_exact_on_every_path({begin, begin + length});
  // near 2^32 a lane's sum holds a single square: it must flush after every step
  constexpr Index two32 = Index{1} << 32;
  for (Index begin : {Index{999'999'000}, two32 - 200'000, two32 - 40, two32 - 1})
    for (Index length : {1, 33, 40, 200'000, 200'050})
      expect_exact_on_every_path({begin, begin + length});
}

TEST(ExactSums, LoopMatchesClosedFormAcrossThe64BitBoundary) {
  constexpr Index two32 = Index{1} << 32;
  for (Index begin : {two32 - 4100, two32 - 17, two32 - 1, two32, two32 + 3})
    for (Index length : {1, 2, 17, 4096, 4097, 9000}) {
      expect_exact_on_every_path(Range{begin, begin + length});
    }
}

TEST(ExactSums, LoopMatchesClosedFormWhereChunksShrink) {
  // A lane's sum may take (2^64-1) / last^2 squares: 4096 below ~6.7e7, 18 near 1e9, 1 near 2^32.
  for (Index begin : {Index{0}, Index{67'100'000}, Index{999'999'000}, Index{3'000'000'000}})
    for (Index length : {1, 5, 4095, 4096, 4097, 100'000}) {
      expect_exact_on_every_path(Range{begin, begin + length});
    }
}

TEST(ExactSums, LoopIsExactUpToThe128BitLimit) {
  const Index max_n = largest_exact_n();
  for (Index length : {1, 1000, 100'000}) {
    expect_exact_on_every_path(Range{max_n - length, max_n});
  }
}

}  // namespace
}  // namespace parkit::kernels
