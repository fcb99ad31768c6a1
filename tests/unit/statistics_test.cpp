// SPDX-License-Identifier: MIT
#include "parkit/measure/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace parkit::measure {
namespace {

TEST(Statistics, SummaryOfKnownValues) {
  const std::vector<double> v = {4, 1, 3, 2, 5};
  const Summary s = summarize(v);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 5);
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(2.5));  // sample variance: 10 / 4
  EXPECT_DOUBLE_EQ(s.cv, std::sqrt(2.5) / 3);
  EXPECT_DOUBLE_EQ(median(std::vector<double>{1, 2, 3, 10}), 2.5);
}

TEST(Statistics, SingleValueHasNoSpread) {
  const Summary s = summarize(std::vector<double>{0.5});
  EXPECT_DOUBLE_EQ(s.median, 0.5);
  EXPECT_DOUBLE_EQ(s.stddev, 0);
}

TEST(Statistics, MadFlagsTheSlowRepAndKeepsTheRest) {
  const std::vector<double> v = {1.00, 1.01, 0.99, 1.02, 0.98, 3.0};
  const auto flags = mad_outliers(v);
  EXPECT_EQ(flags, (std::vector<bool>{false, false, false, false, false, true}));
  EXPECT_EQ(mad_outliers(std::vector<double>{1, 1, 1, 2}),
            (std::vector<bool>{false, false, false, true}));  // MAD = 0: any deviation
  EXPECT_EQ(mad_outliers(std::vector<double>{1, 9}), (std::vector<bool>{false, false}));
}

}  // namespace
}  // namespace parkit::measure
