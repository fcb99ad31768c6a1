// SPDX-License-Identifier: MIT
// Scaling math on synthetic runs with known answers.
#include "parkit/results/scaling.hpp"

#include <gtest/gtest.h>

#include "drivers/cli/output.hpp"

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

TEST(Scaling, TheFittedAmdahlCurvePassesThroughExactAmdahlData) {
  std::vector<RunRecord> runs;
  for (unsigned p : {1u, 2u, 4u, 8u})
    runs.push_back(synthetic("openmp", p, 100, 10 * (0.25 + 0.75 / p)));
  const auto s = analyse(runs);
  ASSERT_TRUE(s[0].amdahl_serial_fraction.has_value());
  for (const auto& point : s[0].points)
    EXPECT_NEAR(amdahl_speedup(*s[0].amdahl_serial_fraction, point.workers), point.speedup, 1e-12);
  EXPECT_DOUBLE_EQ(amdahl_speedup(0.0, 16), 16.0);  // no serial part: linear
  EXPECT_DOUBLE_EQ(amdahl_speedup(1.0, 16), 1.0);   // all serial: none
  EXPECT_DOUBLE_EQ(amdahl_speedup(0.1, 10), 1 / 0.19);
}

TEST(Scaling, StudiesAreSplitByKernelModelAndMode) {
  const auto s = analyse({synthetic("threads", 1, 100, 1), synthetic("openmp", 1, 100, 1),
                          synthetic("threads", 2, 100, 1, "weak")});
  EXPECT_EQ(s.size(), 3u);
}

/// `disturbed` reps of 4 flagged (an Interference of one worker), or not recorded when negative.
RunRecord with_interference(RunRecord r, int disturbed) {
  if (disturbed < 0) return r;
  r.interference.run_delay.assign(4, {0.0});
  r.interference.involuntary_switches.assign(4, {0});
  r.interference.migrations.assign(4, {0});
  r.interference.steal.assign(4, {0.0});
  r.interference.cpu_pressure.assign(4, {0.0});
  r.interference.disturbed.assign(4, false);
  for (int i = 0; i < disturbed; ++i) r.interference.disturbed[static_cast<std::size_t>(i)] = true;
  return r;
}

TEST(Scaling, PointsCarryTheirRunsInterference) {
  // given out of order: points are sorted by workers, `run` still names the input's index
  const auto s = analyse({with_interference(synthetic("threads", 4, 100, 0.25), 3),
                          with_interference(synthetic("threads", 1, 100, 1), -1),
                          with_interference(synthetic("threads", 2, 100, 0.5), 0)});
  ASSERT_EQ(s.size(), 1u);
  const auto& p = s[0].points;
  EXPECT_EQ(p[0].run, 1u);
  EXPECT_EQ(p[0].interference, "not recorded");
  EXPECT_EQ(p[0].disturbed_reps, 0);
  EXPECT_EQ(p[1].run, 2u);
  EXPECT_EQ(p[1].interference, "quiet");
  EXPECT_EQ(p[2].run, 0u);
  EXPECT_EQ(p[2].interference, "disturbed: 3 of 4 reps");
  EXPECT_EQ(p[2].disturbed_reps, 3);
  EXPECT_EQ(p[2].interference_reps, 4);
  const auto j = cli::to_json(s[0]);
  EXPECT_EQ(j["points"][2]["interference"], "disturbed: 3 of 4 reps");
  EXPECT_EQ(j["points"][2]["disturbed_reps"], 3);
  EXPECT_EQ(j["points"][0]["interference"], "not recorded");
  const std::string csv = cli::scaling_csv(s);
  EXPECT_NE(csv.find(",invariant_holds,interference\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",true,disturbed: 3 of 4 reps\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",true,quiet\n"), std::string::npos) << csv;
}

TEST(Scaling, TheTableMarksDisturbedPointsOnlyAndSaysWhereToLook) {
  const auto s = analyse({with_interference(synthetic("threads", 1, 100, 1), -1),
                          with_interference(synthetic("threads", 2, 100, 0.5), 0),
                          with_interference(synthetic("threads", 4, 100, 0.25), 3)});
  const std::vector<std::string> where = {"A", "B", "/runs/run-0002/interference in x.h5"};
  const std::string table = cli::scaling_table(s, where);
  std::vector<std::string> lines;
  for (std::size_t start = 0, end; (end = table.find('\n', start)) != std::string::npos;
       start = end + 1)
    lines.push_back(table.substr(start, end - start));
  ASSERT_GE(lines.size(), 8u) << table;  // blank, title, header, rule, 3 points, footnote
  // the time column's last character: "*" for the disturbed point, a space for the others (so
  // the digits stay aligned), each after a digit
  const std::size_t end = lines[2].find("median s") + std::string("median s").size();
  ASSERT_NE(lines[2].find("median s"), std::string::npos) << table;
  EXPECT_EQ(lines[4].substr(end - 3, 3), " 1 ") << table;              // not recorded: no mark
  EXPECT_EQ(lines[5].substr(end - 3, 3), ".5 ") << table;              // quiet: no mark
  EXPECT_EQ(lines[6].substr(end - 3, 3), "25*") << table;              // disturbed
  EXPECT_EQ(std::count(table.begin(), table.end(), '*'), 2) << table;  // the mark, the footnote
  EXPECT_NE(table.find("\n* 4 workers (1 x 4): disturbed: other work had the CPUs in 3 of 4 "
                       "reps (see /runs/run-0002/interference in x.h5)\n"),
            std::string::npos)
      << table;
  // without a location (sweep's own table): the footnote ends at the count
  EXPECT_NE(cli::scaling_table(s).find("in 3 of 4 reps\n"), std::string::npos);
  // a study with nothing disturbed looks as it did before
  const auto quiet = analyse({with_interference(synthetic("threads", 1, 100, 1), 0),
                              with_interference(synthetic("threads", 2, 100, 0.5), -1)});
  const std::string plain = cli::scaling_table(quiet);
  EXPECT_EQ(plain.find('*'), std::string::npos) << plain;
  EXPECT_NE(plain.find("  0.5  "), std::string::npos) << plain;
}

}  // namespace
}  // namespace parkit::results
