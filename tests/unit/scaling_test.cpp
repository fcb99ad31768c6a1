// SPDX-License-Identifier: MIT
// Scaling math on synthetic runs with known answers.
#include "parkit/results/scaling.hpp"

#include <gtest/gtest.h>

namespace parkit::results {

using measure::RunRecord;

namespace {

RunRecord synthetic(std::string model, unsigned threads, std::int64_t n, double median,
                    std::string scaling = "strong") {
  RunRecord r;
  r.kernel = "sum_squares";
  r.model = std::move(model);
  r.threads = threads;
  r.n_global = n;
  r.time.median = median;
  r.scaling = std::move(scaling);
  r.verified = true;
  return r;
}

TEST(Scaling, StrongScalingSpeedupEfficiencyAndKarpFlatt) {
  // T(1) = 8, T(2) = 5, T(4) = 2: S = 1.6, 4; E = 0.8, 1; e = (1/1.6 - 1/2)/(1 - 1/2) = 0.25
  const auto studies = analyse({synthetic("openmp", 4, 100, 2.0), synthetic("openmp", 1, 100, 8.0),
                                synthetic("openmp", 2, 100, 5.0)});
  ASSERT_EQ(studies.size(), 1u);
  const auto& p = studies[0].points;
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].workers, 1);
  EXPECT_FALSE(p[0].serial_fraction.has_value());
  EXPECT_DOUBLE_EQ(p[1].speedup, 1.6);
  EXPECT_DOUBLE_EQ(p[1].efficiency, 0.8);
  EXPECT_DOUBLE_EQ(*p[1].serial_fraction, 0.25);
  EXPECT_DOUBLE_EQ(p[2].speedup, 4.0);
  EXPECT_DOUBLE_EQ(p[2].efficiency, 1.0);
  EXPECT_NEAR(*p[2].serial_fraction, 0.0, 1e-15);
  EXPECT_TRUE(studies[0].invariant_holds);
}

TEST(Scaling, BaselineIsTheSmallestWorkerCountNotOne) {
  // P_base = 2: at P = 4 with T halved, S = 2 and E = S / (4/2) = 1.
  const auto s = analyse({synthetic("threads", 2, 100, 6.0), synthetic("threads", 4, 100, 3.0)});
  EXPECT_DOUBLE_EQ(s[0].points[1].speedup, 2.0);
  EXPECT_DOUBLE_EQ(s[0].points[1].efficiency, 1.0);
}

TEST(Scaling, WeakScalingEfficiencyIsBaseTimeOverTime) {
  const auto s = analyse(
      {synthetic("threads", 1, 100, 1.0, "weak"), synthetic("threads", 2, 200, 1.25, "weak")});
  EXPECT_DOUBLE_EQ(s[0].points[1].efficiency, 0.8);
  EXPECT_FALSE(s[0].points[1].serial_fraction.has_value());
  EXPECT_TRUE(s[0].invariant_holds);
}

TEST(Scaling, BrokenInvariantsAreReported) {
  const auto strong = analyse({synthetic("threads", 1, 100, 1), synthetic("threads", 2, 300, 1)});
  EXPECT_FALSE(strong[0].invariant_holds);
  EXPECT_NE(strong[0].invariant_note.find("n global"), std::string::npos);
  const auto weak =
      analyse({synthetic("threads", 1, 100, 1, "weak"), synthetic("threads", 2, 100, 1, "weak")});
  EXPECT_FALSE(weak[0].invariant_holds);
  EXPECT_NE(weak[0].invariant_note.find("per worker"), std::string::npos);
}

TEST(Scaling, AmdahlFitRecoversAKnownSerialFraction) {
  // times from Amdahl's law with f = 0.1: T(p) = T1 (f + (1 - f) / p)
  std::vector<RunRecord> runs;
  for (unsigned p : {1u, 2u, 4u, 8u})
    runs.push_back(synthetic("openmp", p, 100, 10 * (0.1 + 0.9 / p)));
  const auto s = analyse(runs);
  ASSERT_TRUE(s[0].amdahl_serial_fraction.has_value());
  EXPECT_NEAR(*s[0].amdahl_serial_fraction, 0.1, 1e-12);
  EXPECT_NEAR(*s[0].amdahl_limit, 10.0, 1e-9);
  for (const auto& point : s[0].points) {
    if (point.serial_fraction) {
      EXPECT_NEAR(*point.serial_fraction, 0.1, 1e-12);  // Karp-Flatt agrees on exact Amdahl data
    }
  }
  // one point: nothing to fit; weak scaling: no Amdahl
  EXPECT_FALSE(analyse({synthetic("openmp", 1, 100, 1)})[0].amdahl_serial_fraction);
  EXPECT_FALSE(analyse({synthetic("t", 1, 100, 1, "weak"), synthetic("t", 2, 200, 1, "weak")})[0]
                   .amdahl_serial_fraction);
}

TEST(Scaling, StudiesAreSplitByKernelModelAndMode) {
  const auto s = analyse({synthetic("threads", 1, 100, 1), synthetic("openmp", 1, 100, 1),
                          synthetic("threads", 2, 100, 1, "weak")});
  EXPECT_EQ(s.size(), 3u);
}

}  // namespace
}  // namespace parkit::results
