// SPDX-License-Identifier: MIT
#include "parkit/exec/range.hpp"

#include <gtest/gtest.h>

namespace parkit::exec {
namespace {

// Blocks of every split are ordered, disjoint, cover the range exactly and differ by <= 1.
TEST(Block, CoversExactlyAndBalancesForManySplits) {
  for (Index begin : {Index{0}, Index{5}, Index{1'000'003}})
    for (Index n : {0, 1, 2, 3, 7, 8, 999, 1000, 1001})
      for (Index parts : {1, 2, 3, 4, 7, 16, 1001}) {
        const Range r{begin, begin + n};
        Index next = r.begin, smallest = n, largest = 0;
        for (Index p = 0; p < parts; ++p) {
          const Range b = block(r, p, parts);
          ASSERT_EQ(b.begin, next) << "n=" << n << " parts=" << parts << " part=" << p;
          ASSERT_GE(b.size(), 0);
          smallest = std::min(smallest, b.size());
          largest = std::max(largest, b.size());
          next = b.end;
        }
        EXPECT_EQ(next, r.end) << "n=" << n << " parts=" << parts;
        EXPECT_LE(largest - smallest, 1) << "n=" << n << " parts=" << parts;
      }
}

TEST(Block, FewerElementsThanPartsGivesOneElementBlocksThenEmptyOnes) {
  const Range r{0, 3};
  EXPECT_EQ(block(r, 0, 5), (Range{0, 1}));
  EXPECT_EQ(block(r, 2, 5), (Range{2, 3}));
  EXPECT_TRUE(block(r, 3, 5).empty());
  EXPECT_TRUE(block(r, 4, 5).empty());
}

TEST(Block, RemainderGoesToTheFirstBlocks) {
  const Range r{10, 20};  // 10 elements over 4 parts: 3, 3, 2, 2
  EXPECT_EQ(block(r, 0, 4), (Range{10, 13}));
  EXPECT_EQ(block(r, 1, 4), (Range{13, 16}));
  EXPECT_EQ(block(r, 2, 4), (Range{16, 18}));
  EXPECT_EQ(block(r, 3, 4), (Range{18, 20}));
}

}  // namespace
}  // namespace parkit::exec
