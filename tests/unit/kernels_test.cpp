// SPDX-License-Identifier: MIT
// Every registered (kernel, model) pair, generated from the registry (nothing listed by hand),
// verified for several sizes and thread counts, plus cross-model agreement.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "parkit/exec/models.hpp"
#include "parkit/kernels/arrays.hpp"
#include "parkit/kernels/registry.hpp"

namespace parkit::kernels {
namespace {

measure::RunRecord run_small(const std::string& kernel, const std::string& model, Index n,
                             unsigned threads, int reps = 2) {
  RunRequest r;
  r.kernel = kernel;
  r.model = model;
  r.n = n;
  r.threads = threads;
  r.protocol = {reps, 1};
  return run(r);
}

struct Cell {
  std::string kernel, model;
};
void PrintTo(const Cell& c, std::ostream* os) { *os << c.kernel << " x " << c.model; }

std::vector<Cell> all_cells() {
  std::vector<Cell> cells;
  for (const KernelEntry* k : registry().kernels())
    for (const auto& [model, runner] : k->runners)
      cells.push_back({std::string(k->info.name), model});
  return cells;
}

// n = 1 and 3 are smaller than some thread counts; 7, 1001 and 1'000'003 leave remainders.
constexpr Index sizes[] = {1, 3, 7, 1000, 1001, 1'000'000, 1'000'003};
constexpr unsigned thread_counts[] = {1, 3, 4};

class EveryCell : public ::testing::TestWithParam<Cell> {};

TEST_P(EveryCell, VerifiesAndCoversEveryElementForEverySizeAndThreadCount) {
  const Cell& cell = GetParam();
  const bool threaded = exec::model_entry(cell.model).threaded;
  for (Index n : sizes)
    for (unsigned threads : thread_counts) {
      if (!threaded && threads > 1) continue;  // one worker per process: --threads is moot
      SCOPED_TRACE("n = " + std::to_string(n) + ", threads = " + std::to_string(threads));
      const measure::RunRecord r = run_small(cell.kernel, cell.model, n, threads);
      EXPECT_TRUE(r.verified) << r.observed << " want " << r.expected;
      EXPECT_EQ(r.failed_reps, 0);
      EXPECT_EQ(r.expected, r.observed);  // reductions: the exact value; maps: "n of n exact"
      EXPECT_EQ(r.n_global, n);
      EXPECT_EQ(r.n_per_rank, n);
#ifdef __OPTIMIZE__  // the kernel's file was compiled as this test's (same flags)
      EXPECT_NE(r.kernel_build.find(", optimised"), std::string::npos) << r.kernel_build;
#else
      EXPECT_NE(r.kernel_build.find(", not optimised"), std::string::npos) << r.kernel_build;
#endif
      EXPECT_EQ(r.ranks, 1);
      EXPECT_EQ(r.rep_times.size(), 2u);
      EXPECT_EQ(r.threads, threaded ? threads : 1u);
      ASSERT_EQ(r.placement.size(), 1u);
      EXPECT_EQ(r.placement[0].thread_cpus.size(), r.threads);
      for (double t : r.rep_times) EXPECT_GE(t, 0.0);
    }
}

std::string cell_name(const ::testing::TestParamInfo<Cell>& param_info) {
  return param_info.param.kernel + "_" + param_info.param.model;
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryCell, ::testing::ValuesIn(all_cells()), cell_name);

TEST(Registry, HoldsTheBuiltInKernelsAndTheTestKernelEachUnderEveryBuiltModel) {
  // the built-in kernels, and the test binary's kernel with a struct result
  const std::vector<std::string> expected = {
      "copy", "square_map", "sum_squares", "sum_squares_array", "test_extremes", "triad"};
  EXPECT_EQ(registry().names(), expected);
  std::set<std::string> built;
  for (const auto& m : exec::model_catalog)
    if (m.built) built.insert(std::string(m.name));
  for (const KernelEntry* k : registry().kernels()) {
    std::set<std::string> models;
    for (const auto& [name, runner] : k->runners) models.insert(name);
    EXPECT_EQ(models, built) << k->info.name;
  }
  EXPECT_TRUE(built.count("seq") && built.count("threads"));
  EXPECT_EQ(built.count("openmp"), PARKIT_HAVE_OPENMP ? 1u : 0u);
}

TEST(SumSquares, TenMillionIsExactUnderEveryModel) {
  for (const auto& [model, runner] : registry().find("sum_squares")->runners) {
    const auto r = run_small("sum_squares", model, 10'000'000, 2);
    EXPECT_TRUE(r.verified) << model;
    EXPECT_EQ(r.observed, "333333283333335000000") << model;
  }
}

TEST(SumSquaresArray, BitwiseEqualAcrossModelsAndThreadCounts) {
  constexpr Index n = 1'234'567;
  std::set<std::string> observed;
  for (const auto& [model, runner] : registry().find("sum_squares_array")->runners)
    for (unsigned threads = 1; threads <= 4; ++threads) {
      const auto r = run_small("sum_squares_array", model, n, threads);
      EXPECT_TRUE(r.verified) << model << " x " << threads;
      observed.insert(r.observed);  // printed with 17 digits: equal strings = equal doubles
    }
  ASSERT_EQ(observed.size(), 1u);
  // q = 1234 full periods of sum_{j=1..1000} j^2 = 333833500, plus sum_{j=1..567} j^2
  EXPECT_EQ(*observed.begin(), std::to_string(1234ULL * 333833500ULL + 567ULL * 568 * 1135 / 6));
}

TEST(MapKernels, AreExactWhenTheirOutputIsWrittenWithStreamingStores) {
  // above arrays::streaming_threshold_bytes() per block, under one and two workers
  const auto n = static_cast<Index>(arrays::streaming_threshold_bytes() / sizeof(double)) * 2 + 77;
  for (const std::string kernel : {"copy", "square_map", "triad"})
    for (unsigned threads : {1u, 2u}) {
      const auto r = run_small(kernel, "threads", n, threads);
      EXPECT_TRUE(r.verified) << kernel << " x " << threads << ": " << r.observed;
      EXPECT_EQ(r.observed, std::to_string(n) + " of " + std::to_string(n) + " elements exact");
    }
}

TEST(Rates, ComeFromTheDeclaredCountsAndTheMedian) {
  const auto r = run_small("triad", "seq", 1'000'000, 1, 3);
  ASSERT_GT(r.time.median, 0);
  EXPECT_DOUBLE_EQ(r.gbytes_per_s, 24.0 * 1e6 / r.time.median / 1e9);
  EXPECT_DOUBLE_EQ(r.gflops_per_s, 2.0 * 1e6 / r.time.median / 1e9);
}

}  // namespace
}  // namespace parkit::kernels
