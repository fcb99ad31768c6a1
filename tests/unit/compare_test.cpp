// SPDX-License-Identifier: MIT
// parkit compare's statistics and matching. Reference values come from
// tests/unit/compare_reference.py, an independent implementation (exact p-values by enumerating
// every ranking, Moses' interval from the sorted pairwise differences); the tiny cases are
// derived by hand in the comments, and the exact p of scipy's documented example (males vs
// females, U = 17, p = 0.1111) is reproduced.
#include "parkit/results/compare.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "parkit/results/compare_statistics.hpp"

namespace {

using namespace parkit::results;

const std::vector<double> separated_base{1, 2, 3, 4}, separated_new{5, 6, 7, 8};
const std::vector<double> interleaved_base{0.91, 1.02, 0.97, 1.10, 0.99,
                                           1.05, 0.95, 1.01, 1.07, 0.93};
const std::vector<double> interleaved_new{1.03, 0.98, 1.12, 1.08, 0.96, 1.15,
                                          1.04, 1.09, 1.11, 1.00, 1.06, 1.13};

/// 60 values with ties between the samples (1.0 + 0.15 == 1.05 + 0.10 in doubles, as in Python).
std::vector<double> big_base() {
  std::vector<double> v;
  for (int i = 0; i < 60; ++i) v.push_back(1.0 + ((i * 37) % 61) / 100.0);
  return v;
}
std::vector<double> big_new() {
  std::vector<double> v;
  for (int i = 0; i < 60; ++i) v.push_back(1.05 + ((i * 41) % 59) / 100.0);
  return v;
}
std::vector<double> times(const std::vector<double>& v, double factor) {
  std::vector<double> out;
  for (double x : v) out.push_back(factor * x);
  return out;
}

TEST(UDistribution, TwoAgainstTwoByHand) {
  // the 6 rankings of xxyy give U (pairs x above y) 0, 1, 2, 2, 3, 4
  const std::vector<double> p = u_distribution(2, 2);
  ASSERT_EQ(p.size(), 5u);
  const double sixth = 1.0 / 6;
  EXPECT_DOUBLE_EQ(p[0], sixth);
  EXPECT_DOUBLE_EQ(p[1], sixth);
  EXPECT_DOUBLE_EQ(p[2], 2 * sixth);
  EXPECT_DOUBLE_EQ(p[3], sixth);
  EXPECT_DOUBLE_EQ(p[4], sixth);
}

TEST(UDistribution, SumsToOneAndIsSymmetricAtFiftyAgainstFifty) {
  const std::vector<double> p = u_distribution(50, 50);
  ASSERT_EQ(p.size(), 2501u);
  EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0), 1.0, 1e-12);
  for (std::size_t u = 0; u < p.size(); ++u) EXPECT_NEAR(p[u], p[2500 - u], 1e-15) << u;
  EXPECT_NEAR(p[0], 1 / 1.0089134454556418e29, 1e-40);  // 1 / C(100, 50)
}

TEST(SmallestPValue, TwoOverTheNumberOfRankings) {
  EXPECT_DOUBLE_EQ(smallest_p_value(3, 3), 0.1);       // 2 / C(6, 3) = 2 / 20
  EXPECT_DOUBLE_EQ(smallest_p_value(4, 4), 2.0 / 70);  // C(8, 4) = 70
  EXPECT_DOUBLE_EQ(smallest_p_value(2, 5), 2.0 / 21);  // C(7, 2) = 21
  EXPECT_DOUBLE_EQ(smallest_p_value(1, 1), 1.0);       // 2 / 2
  EXPECT_DOUBLE_EQ(smallest_p_value(0, 5), 1.0);       // nothing to test
}

TEST(MannWhitney, ExactForSamplesCompletelyApart) {
  const MannWhitney t = mann_whitney(separated_base, separated_new);
  EXPECT_EQ(t.u, 16);  // every pair has NEW above BASE
  EXPECT_TRUE(t.exact);
  EXPECT_FALSE(t.ties);
  EXPECT_DOUBLE_EQ(t.p, 0.02857142857142857);  // 2 / 70
  // the other way round: U = 0, the same two-sided p
  const MannWhitney back = mann_whitney(separated_new, separated_base);
  EXPECT_EQ(back.u, 0);
  EXPECT_DOUBLE_EQ(back.p, t.p);
}

TEST(MannWhitney, ExactMatchesScipysDocumentedExample) {
  // scipy.stats.mannwhitneyu(males, females) gives U = 17, p = 0.1111111111111111 (exact)
  const MannWhitney t = mann_whitney(std::vector<double>{20, 11, 17, 12},       // females
                                     std::vector<double>{19, 22, 16, 29, 24});  // males
  EXPECT_EQ(t.u, 17);
  EXPECT_TRUE(t.exact);
  EXPECT_NEAR(t.p, 0.1111111111111111, 1e-15);
}

TEST(MannWhitney, ExactForInterleavedSamplesOfTenAndTwelve) {
  const MannWhitney t = mann_whitney(interleaved_base, interleaved_new);
  EXPECT_EQ(t.u, 92);
  EXPECT_TRUE(t.exact);
  EXPECT_NEAR(t.p, 0.03582794914064264, 1e-14);  // enumeration of all C(22, 10) rankings
}

TEST(MannWhitney, NormalApproximationWithTiesUsesTheTieAndContinuityCorrections) {
  const MannWhitney t = mann_whitney(std::vector<double>{1, 2, 2, 3, 3, 3, 4, 5},
                                     std::vector<double>{3, 4, 4, 5, 5, 6, 7, 7});
  EXPECT_EQ(t.u, 56.5);
  EXPECT_TRUE(t.ties);
  EXPECT_FALSE(t.exact);
  EXPECT_NEAR(t.p, 0.010515245935858918, 1e-14);
}

TEST(MannWhitney, NormalApproximationBeyondFiftyReps) {
  const MannWhitney t = mann_whitney(big_base(), big_new());
  EXPECT_EQ(t.u, 2002.5);
  EXPECT_FALSE(t.exact);
  EXPECT_NEAR(t.p, 0.2890028783069005, 1e-14);
}

TEST(MannWhitney, NormalApproximationKeepsTinyPValuesAboveZero) {
  std::vector<double> fast(60), slow(60);  // 60 against 60, completely apart: z = 9.45
  for (std::size_t i = 0; i < 60; ++i) {
    fast[i] = 1.0 + 0.001 * static_cast<double>(i);
    slow[i] = 7.0 + 0.001 * static_cast<double>(i);
  }
  const MannWhitney t = mann_whitney(fast, slow);
  EXPECT_FALSE(t.exact);
  EXPECT_EQ(t.u, 3600);  // every (base, new) pair has new above base
  // erfc(z / sqrt 2) for z = (3600 - 1800 - 0.5) / sqrt(3600 * 121 / 12) (Python's math.erfc);
  // 2 * (1 - cdf(z)) rounds to 0 here
  EXPECT_NEAR(t.p / 3.556570974984777e-21, 1.0, 1e-9);
}

TEST(MannWhitney, AllEqualGivesPOne) {
  const std::vector<double> same(8, 0.5);
  const MannWhitney t = mann_whitney(same, same);
  EXPECT_EQ(t.u, 32);
  EXPECT_EQ(t.p, 1.0);
}

TEST(HodgesLehmann, ASampleScaledByOneAndAHalfGivesOneAndAHalf) {
  std::vector<double> base;
  for (int i = 0; i < 10; ++i) base.push_back(1.0 + 0.01 * i);
  const RatioInterval r = hodges_lehmann_ratio(base, times(base, 1.5), 0.95);
  EXPECT_NEAR(r.estimate, 1.5, 1e-12);
  ASSERT_TRUE(r.low && r.high);
  EXPECT_NEAR(*r.low, 1.457142857142857, 1e-12);
  EXPECT_NEAR(*r.high, 1.5441176470588236, 1e-12);
}

TEST(HodgesLehmann, MosesIntervalOfInterleavedSamples) {
  const RatioInterval r = hodges_lehmann_ratio(interleaved_base, interleaved_new, 0.95);
  EXPECT_NEAR(r.estimate, 1.064258449865429, 1e-12);
  ASSERT_TRUE(r.low && r.high);
  EXPECT_NEAR(*r.low, 1.0093457943925235, 1e-12);
  EXPECT_NEAR(*r.high, 1.1313131313131315, 1e-12);
}

TEST(HodgesLehmann, FourAgainstFourCutsOneDifferenceFromEachEnd) {
  // P(U <= 0) = 1/70 <= 2.5 % < P(U <= 1) = 2/70: k = 1, the smallest and largest ratio
  const RatioInterval r = hodges_lehmann_ratio(separated_base, separated_new, 0.95);
  EXPECT_NEAR(r.estimate, 2.5819888974716108, 1e-12);
  ASSERT_TRUE(r.low && r.high);
  EXPECT_NEAR(*r.low, 5.0 / 4, 1e-12);
  EXPECT_NEAR(*r.high, 8.0 / 1, 1e-12);
}

TEST(HodgesLehmann, ThreeAgainstThreeHasNoNinetyFivePercentInterval) {
  // P(U <= 0) = 1/20 = 5 % > 2.5 %: no pair of differences covers 95 %
  const RatioInterval r =
      hodges_lehmann_ratio(std::vector<double>{1, 2, 3}, std::vector<double>{4, 5, 6}, 0.95);
  EXPECT_NEAR(r.estimate, 2.5, 1e-12);
  EXPECT_FALSE(r.low);
  EXPECT_FALSE(r.high);
  // at 90 % it has one: 1/20 <= 5 %
  EXPECT_TRUE(
      hodges_lehmann_ratio(std::vector<double>{1, 2, 3}, std::vector<double>{4, 5, 6}, 0.9).low);
}

TEST(HodgesLehmann, AnEmptySampleHasNoInterval) {
  const RatioInterval r = hodges_lehmann_ratio({}, interleaved_new, 0.95);
  EXPECT_EQ(r.estimate, 1.0);
  EXPECT_FALSE(r.low);
}

TEST(HodgesLehmann, NormalApproximationBeyondFiftyReps) {
  const RatioInterval r = hodges_lehmann_ratio(big_base(), big_new(), 0.95);
  EXPECT_NEAR(r.estimate, 1.0264029241505381, 1e-12);
  ASSERT_TRUE(r.low && r.high);
  EXPECT_NEAR(*r.low, 0.975, 1e-12);
  EXPECT_NEAR(*r.high, 1.0796460176991152, 1e-12);
  const RatioInterval scaled = hodges_lehmann_ratio(big_base(), times(big_base(), 1.5), 0.95);
  EXPECT_NEAR(scaled.estimate, 1.5, 1e-12);
  EXPECT_NEAR(*scaled.low, 1.4243697478991597, 1e-12);
  EXPECT_NEAR(*scaled.high, 1.579646017699115, 1e-12);
}

TEST(Decide, SignificantNeedsBothPBelowAlphaAndTheRatioBeyondTheThreshold) {
  const double enough = 1e-6;  // smallest p of plenty of reps
  EXPECT_EQ(decide(0.001, 2.0, enough, 0.05, 5), Verdict::slower);
  EXPECT_EQ(decide(0.001, 0.5, enough, 0.05, 5), Verdict::faster);
  EXPECT_EQ(decide(0.2, 2.0, enough, 0.05, 5), Verdict::no_significant_change);     // p too big
  EXPECT_EQ(decide(0.001, 1.01, enough, 0.05, 5), Verdict::no_significant_change);  // too small
}

TEST(Decide, EdgesAreNotBeyond) {
  const double enough = 1e-6;
  // p == alpha is not below it
  EXPECT_EQ(decide(0.05, 2.0, enough, 0.05, 5), Verdict::no_significant_change);
  EXPECT_EQ(decide(0.0499, 2.0, enough, 0.05, 5), Verdict::slower);
  // a change of exactly the threshold is not beyond it (1.0625 and 6.25 % are exact in binary)
  EXPECT_EQ(decide(0.001, 1.0625, enough, 0.05, 6.25), Verdict::no_significant_change);
  EXPECT_EQ(decide(0.001, 1.0625, enough, 0.05, 6.2), Verdict::slower);
  EXPECT_EQ(decide(0.001, 0.9375, enough, 0.05, 6.25), Verdict::no_significant_change);
  EXPECT_EQ(decide(0.001, 0.9375, enough, 0.05, 6.2), Verdict::faster);
  // threshold 0: any significant change counts, but no change is no change
  EXPECT_EQ(decide(0.001, 1.0, enough, 0.05, 0), Verdict::no_significant_change);
  EXPECT_EQ(decide(0.001, 1.001, enough, 0.05, 0), Verdict::slower);
}

TEST(Decide, TooFewRepsWhenNoRankingCouldReachAlpha) {
  EXPECT_EQ(decide(0.1, 3.0, smallest_p_value(3, 3), 0.05, 5), Verdict::too_few_reps);
  // the smallest p equal to alpha cannot be below it
  EXPECT_EQ(decide(0.05, 3.0, 0.05, 0.05, 5), Verdict::too_few_reps);
  // 4 + 4 reps can reach 5 %, 3 + 3 can at alpha 0.2
  EXPECT_EQ(decide(2.0 / 70, 3.0, smallest_p_value(4, 4), 0.05, 5), Verdict::slower);
  EXPECT_EQ(decide(0.1, 3.0, smallest_p_value(3, 3), 0.2, 5), Verdict::slower);
}

TEST(CompareSamples, TwiceAsSlowIsSlowerWithItsRatio) {
  std::vector<double> base;
  for (int i = 0; i < 15; ++i) base.push_back(0.010 + 0.0001 * ((i * 7) % 15));
  const SampleComparison c = compare_samples(base, times(base, 2), 0.05, 5);
  EXPECT_EQ(c.verdict, Verdict::slower);
  EXPECT_DOUBLE_EQ(c.ratio, 2.0);
  EXPECT_DOUBLE_EQ(c.base_median, 0.0107);
  EXPECT_NEAR(c.interval.estimate, 2.0, 1e-12);
  EXPECT_LT(*c.interval.low, 2.0);
  EXPECT_GT(*c.interval.high, 2.0);
  EXPECT_TRUE(c.test.exact);
  EXPECT_DOUBLE_EQ(c.test.p, smallest_p_value(15, 15));  // completely apart
  const SampleComparison back = compare_samples(times(base, 2), base, 0.05, 5);
  EXPECT_EQ(back.verdict, Verdict::faster);
  EXPECT_DOUBLE_EQ(back.ratio, 0.5);
}

TEST(CompareSamples, TheSameSamplesShowNoChange) {
  const SampleComparison c = compare_samples(interleaved_base, interleaved_base, 0.05, 5);
  EXPECT_EQ(c.verdict, Verdict::no_significant_change);
  EXPECT_DOUBLE_EQ(c.ratio, 1.0);
  EXPECT_EQ(c.test.p, 1.0);
}

TEST(CompareSamples, ThreeRepsEachAreTooFewHoweverLargeTheChange) {
  const SampleComparison c =
      compare_samples(std::vector<double>{1, 1.1, 1.2}, std::vector<double>{10, 11, 12}, 0.05, 5);
  EXPECT_EQ(c.verdict, Verdict::too_few_reps);
  EXPECT_DOUBLE_EQ(c.smallest_p, 0.1);
  EXPECT_DOUBLE_EQ(c.ratio, 10.0);
}

TEST(CompareSamples, NoRepTimesOrANonPositiveOneIsNotCompared) {
  const SampleComparison empty = compare_samples({}, interleaved_new, 0.05, 5);
  EXPECT_EQ(empty.verdict, Verdict::not_compared);
  EXPECT_EQ(empty.problem, "no rep times in BASE");
  const SampleComparison zero =
      compare_samples(interleaved_base, std::vector<double>{1, 0, 2, 3}, 0.05, 5);
  EXPECT_EQ(zero.verdict, Verdict::not_compared);
  EXPECT_EQ(zero.problem, "a rep time that is not a positive number");
}

// --- matching ---

parkit::measure::RunRecord kernel_run(const std::string& job, unsigned threads,
                                      std::vector<double> reps, const std::string& bind = "none") {
  parkit::measure::RunRecord r;
  r.job = job;
  r.kernel = "sum_squares";
  r.model = "threads";
  r.n_global = r.n_per_rank = 20'000'000;
  r.threads = threads;
  r.bind = bind;
  r.reps = static_cast<int>(reps.size());
  r.rep_times = std::move(reps);
  r.kernel_build = "GNU 12.2.0, optimised, NDEBUG, avx512f";
  r.placement = {{"node-a", 0, std::vector<std::string>(threads, bind == "none" ? "0-1" : "0")}};
  r.verified = true;
  return r;
}

JobProvenance job(const std::string& id, const std::string& path, const std::string& slurm) {
  JobProvenance j;
  j.id = id;
  j.text = {{"compiler", "GNU 12.2.0"}, {"git_commit", "abc"}, {"command_line", "parkit " + id}};
  j.hosts = {"node-a"};
  j.environment = {{"OMP_NUM_THREADS", "2"}, {"SLURM_JOB_ID", slurm}};
  if (!path.empty()) j.environment.emplace_back("PARKIT_SUM_SQUARES_PATH", path);
  return j;
}

TEST(Compare, PoolsRepeatedRunsListsOneSidedOnesAndNamesWhatDiffers) {
  const std::vector<double> fast{1.0, 1.1, 0.9, 1.05, 0.95}, slow = times(fast, 3);
  ResultsFile base{"", "", "", {job("job-0000", "", "1"), job("job-0001", "", "2")}, {}};
  base.runs = {kernel_run("job-0000", 2, fast), kernel_run("job-0001", 2, fast),
               kernel_run("job-0000", 1, fast)};
  ResultsFile fresh{"", "", "", {job("job-0000", "portable", "3")}, {}};
  fresh.runs = {kernel_run("job-0000", 4, fast), kernel_run("job-0000", 2, slow, "close")};

  const Comparison c = compare(base, fresh, 0.05, 5);
  ASSERT_EQ(c.matches.size(), 1u);
  const Match& m = c.matches[0];
  EXPECT_EQ(m.base.key.fields[3], (std::pair<std::string, std::string>{"threads", "2"}));
  EXPECT_EQ(m.base.runs, 2u);
  EXPECT_EQ(m.base.rep_times.size(), 10u);
  EXPECT_EQ(m.base.jobs, (std::vector<std::string>{"job-0000", "job-0001"}));
  EXPECT_EQ(m.fresh.runs, 1u);
  EXPECT_EQ(m.stats.verdict, Verdict::slower);
  EXPECT_DOUBLE_EQ(m.stats.ratio, 3.0);
  // per run: bind and the CPUs each thread may use
  ASSERT_EQ(m.differences.size(), 2u);
  EXPECT_EQ(m.differences[0].field, "bind");
  EXPECT_EQ(m.differences[0].base, "none");
  EXPECT_EQ(m.differences[0].fresh, "close");
  EXPECT_EQ(m.differences[1].field, "cpus_per_thread");
  EXPECT_EQ(m.differences[1].base, "2");
  EXPECT_EQ(m.differences[1].fresh, "1");
  // one-sided runs are listed, not dropped
  ASSERT_EQ(c.only_in_base.size(), 1u);
  EXPECT_EQ(c.only_in_base[0].key.fields[3].second, "1");
  ASSERT_EQ(c.only_in_new.size(), 1u);
  EXPECT_EQ(c.only_in_new[0].key.fields[3].second, "4");
  // provenance: the variable set on one side only; SLURM_JOB_ID (always different) is not named
  ASSERT_EQ(c.provenance.size(), 1u);
  EXPECT_EQ(c.provenance[0].field, "environment PARKIT_SUM_SQUARES_PATH");
  EXPECT_EQ(c.provenance[0].base, "(unset)");
  EXPECT_EQ(c.provenance[0].fresh, "portable");
  EXPECT_EQ(c.base_jobs, 2u);
}

TEST(Compare, APooledSideWithDifferentValuesShowsThemAll) {
  ResultsFile base{"", "", "", {job("job-0000", "", "1"), job("job-0001", "avx2", "2")}, {}};
  base.runs = {kernel_run("job-0000", 2, {1, 2}), kernel_run("job-0001", 2, {1, 2})};
  base.runs[1].interference.disturbed.assign(2, true);  // a disturbed run is noted
  ResultsFile fresh{"", "", "", {job("job-0000", "avx2", "3")}, {}};
  fresh.runs = {kernel_run("job-0000", 2, {1, 2})};
  const Comparison c = compare(base, fresh, 0.05, 5);
  ASSERT_EQ(c.provenance.size(), 1u);
  EXPECT_EQ(c.provenance[0].base, "(unset) | avx2");
  EXPECT_EQ(c.provenance[0].fresh, "avx2");
  ASSERT_EQ(c.matches.size(), 1u);
  EXPECT_EQ(c.matches[0].base.notes,
            (std::vector<std::string>{"1 of 2 runs disturbed (other work had the CPUs)"}));
  EXPECT_EQ(c.matches[0].stats.verdict, Verdict::too_few_reps);  // 4 against 2: 2 / C(6, 2) > 5 %
}

TEST(Compare, IoRunsCompareMakespansAndHazardRunsTheirRepSeconds) {
  IoRecord io;
  io.driver = "coroutines";
  io.requests = 100;
  io.paths = {"/delay/10"};
  io.server_started = true;
  io.connections = "keep-alive";
  for (double t : {0.011, 0.012, 0.013, 0.0125, 0.0115}) io.rep_data.emplace_back().makespan_s = t;
  IoRecord other_port = io, pool = io;
  other_port.url = "http://127.0.0.1:4242";  // parkit's own server: the port says nothing
  pool.driver = "pool";
  HazardRecord hazard;
  hazard.scenario = "counter";
  hazard.variant = "mutex";
  hazard.runtime = "threads";
  hazard.threads = 2;
  hazard.ops = 1000;
  hazard.rep_seconds = {0.5, 0.6, 0.55, 0.52, 0.58};
  HazardRecord atomic = hazard;
  atomic.variant = "atomic";

  ResultsFile base{"", "", "", {}, {}, {io}, {hazard}};
  ResultsFile fresh{"", "", "", {}, {}, {other_port, pool}, {hazard, atomic}};
  const Comparison c = compare(base, fresh, 0.05, 5);
  ASSERT_EQ(c.matches.size(), 2u);
  EXPECT_EQ(c.matches[0].base.key.kind, RunKind::io);
  EXPECT_EQ(c.matches[0].base.rep_times,
            (std::vector<double>{0.011, 0.012, 0.013, 0.0125, 0.0115}));
  EXPECT_TRUE(c.matches[0].differences.empty());
  EXPECT_EQ(c.matches[0].stats.verdict, Verdict::no_significant_change);
  EXPECT_EQ(c.matches[1].base.key.kind, RunKind::hazard);
  EXPECT_DOUBLE_EQ(c.matches[1].stats.base_median, 0.55);
  ASSERT_EQ(c.only_in_new.size(), 2u);
  EXPECT_EQ(c.only_in_new[0].key.fields[0].second, "pool");
  EXPECT_EQ(c.only_in_new[1].key.fields[1].second, "atomic");
  EXPECT_EQ(c.base_jobs, 0u);  // no provenance to compare
  EXPECT_TRUE(c.provenance.empty());
  EXPECT_EQ(run_count(fresh), 4u);
}

TEST(Compare, ARunWithoutRepTimesIsNotComparedAndCounted) {
  ResultsFile base{
      "", "", "", {}, {kernel_run("job-0000", 2, {}), kernel_run("job-0000", 1, {1, 2})}};
  ResultsFile fresh{"", "", "", {}, {kernel_run("job-0000", 2, {1, 2, 3})}};
  EXPECT_EQ(run_count(base), 2u);
  EXPECT_EQ(runs_with_rep_times(base), 1u);
  const Comparison c = compare(base, fresh, 0.05, 5);
  ASSERT_EQ(c.matches.size(), 1u);
  EXPECT_EQ(c.matches[0].stats.verdict, Verdict::not_compared);
  EXPECT_EQ(c.matches[0].stats.problem, "no rep times in BASE");
}

}  // namespace
