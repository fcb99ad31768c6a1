// SPDX-License-Identifier: MIT
// Run by CTest under mpiexec -n 1, 2 and 4. Every test makes the same collective calls on every
// rank (EXPECT, never an early return between collectives), so a failure cannot hang the job.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>

#include "parkit/exec/job.hpp"
#include "parkit/exec/models.hpp"
#include "parkit/exec/mpi_env.hpp"
#include "parkit/kernels/exact_sums.hpp"
#include "parkit/kernels/registry.hpp"
#include "support/broken_kernels.hpp"

namespace parkit {
namespace {

using exec::Index;
using exec::Range;

int rank() { return exec::job::rank(); }
int ranks() { return exec::job::size(); }

TEST(MpiDecomposition, LocalRangesAreDisjointAndCoverTheGlobalRange) {
  exec::Mpi<exec::Seq> model;
  for (Index n : {Index{0}, Index{1}, Index{3}, Index{7}, Index{1000}, Index{1'000'003}}) {
    const Range mine = model.local_range({0, n});
    const auto begins = model.group().all_gather(static_cast<double>(mine.begin));
    const auto ends = model.group().all_gather(static_cast<double>(mine.end));
    Index next = 0;
    for (std::size_t r = 0; r < begins.size(); ++r) {
      EXPECT_EQ(static_cast<Index>(begins[r]), next) << "n=" << n << " rank " << r;
      EXPECT_LE(begins[r], ends[r]);
      next = static_cast<Index>(ends[r]);
    }
    EXPECT_EQ(next, n) << "n=" << n;
  }
}

TEST(MpiReduce, ExactSumOf128BitValuesPastTheTop64Bits) {
  // every rank adds (2^64 - 1) * (rank + 1): the total overflows 64 bits, never 128
  const u128 mine = static_cast<u128>(UINT64_MAX) * static_cast<u128>(rank() + 1);
  const u128 total = mpi::all_reduce_sum(MPI_COMM_WORLD, mine);
  const u128 p = static_cast<u128>(ranks());
  EXPECT_EQ(to_string(total), to_string(static_cast<u128>(UINT64_MAX) * (p * (p + 1) / 2)));
}

/// An affine map x -> a*x + b, where `f += g` makes "f, then g": associative, not commutative, so
/// only a combine in rank order gives the expected map. A kernel's own Result type has no MPI
/// op: all_reduce_sum sends it as bytes and folds it in rank order on every rank.
struct Affine {
  std::int64_t a = 1, b = 0;
  Affine& operator+=(const Affine& then) {
    b = then.a * b + then.b;
    a = then.a * a;
    return *this;
  }
  bool operator==(const Affine&) const = default;
};

TEST(MpiReduce, AResultTypeWithoutAnMpiOpIsCombinedInRankOrderOnEveryRank) {
  const Affine mine{rank() + 2, rank() * rank() + 3};
  Affine expected;  // the identity, then rank 0's map, rank 1's, ...
  for (int r = 0; r < ranks(); ++r) expected += Affine{r + 2, r * r + 3};
  const Affine total = mpi::all_reduce_sum(MPI_COMM_WORLD, mine);
  EXPECT_EQ(total.a, expected.a);
  EXPECT_EQ(total.b, expected.b);
  if (ranks() > 1) {  // and the reverse order would differ: the test can tell
    Affine reversed;
    for (int r = ranks() - 1; r >= 0; --r) reversed += Affine{r + 2, r * r + 3};
    EXPECT_NE(total, reversed);
  }
}

kernels::RunRequest request(const std::string& kernel, const std::string& model, Index n,
                            unsigned threads) {
  kernels::RunRequest r;
  r.kernel = kernel;
  r.model = model;
  r.n = n;
  r.threads = threads;
  r.protocol = {2, 1};
  return r;
}

std::vector<std::string> spanning_models() {
  std::vector<std::string> names;
  for (const auto& m : exec::model_catalog)
    if (m.built && m.spans_ranks) names.emplace_back(m.name);
  return names;
}

// With mpiexec -n 1, 2, 4 and 1 or 2 threads per rank, this covers the decompositions
// 1x1, 1x2, 2x1, 2x2, 4x1 (and 4x2): every one must give the closed form, bit for bit.
TEST(MpiKernels, ExactAndBitwiseEqualForEveryDecomposition) {
  for (const std::string& model : spanning_models())
    for (unsigned threads : {1u, 2u}) {
      const auto squares = kernels::run(request("sum_squares", model, 10'000'000, threads));
      EXPECT_TRUE(squares.verified) << model << " x " << threads;
      EXPECT_EQ(squares.observed, "333333283333335000000") << model << " x " << threads;
      const auto array = kernels::run(request("sum_squares_array", model, 1'234'567, threads));
      EXPECT_TRUE(array.verified) << model << " x " << threads;
      EXPECT_EQ(array.observed, std::to_string(1234ULL * 333833500ULL + 567ULL * 568 * 1135 / 6));
    }
}

TEST(MpiKernels, RegistryHoldsOnlyKernelsThatVerify) {
  // a broken kernel registered here would throw on some ranks and hang the collectives
  EXPECT_EQ(kernels::registry().names(),
            (std::vector<std::string>{"copy", "square_map", "sum_squares", "sum_squares_array",
                                      "test_extremes", "triad"}));
}

TEST(MpiKernels, EveryKernelVerifiesOnEveryRankEvenWithFewerElementsThanRanks) {
  for (const std::string& model : spanning_models())
    for (const auto* k : kernels::registry().kernels())
      for (Index n : {Index{1}, Index{3}, Index{1001}, Index{100'003}}) {
        const auto r = kernels::run(request(std::string(k->info.name), model, n, 1));
        EXPECT_TRUE(r.verified) << k->info.name << " " << model << " n=" << n << ": " << r.observed;
        EXPECT_EQ(r.ranks, ranks());
        EXPECT_EQ(r.n_global, n);
        EXPECT_EQ(r.rank_times.size(), 2u);
        for (const auto& per_rank : r.rank_times) EXPECT_EQ(per_rank.size(), std::size_t(ranks()));
        ASSERT_EQ(r.placement.size(), std::size_t(ranks()));
        for (const auto& p : r.placement) EXPECT_FALSE(p.host.empty());
      }
}

TEST(MpiKernels, RepTimeIsTheMaxOverRanks) {
  const auto r = kernels::run(request("triad", "mpi", 1'000'000, 1));
  for (std::size_t rep = 0; rep < r.rep_times.size(); ++rep) {
    double slowest = 0;
    for (double t : r.rank_times[rep]) slowest = std::max(slowest, t);
    EXPECT_EQ(r.rep_times[rep], slowest);
    EXPECT_LE(r.rep_rank_min[rep], r.rep_rank_mean[rep]);
    EXPECT_LE(r.rep_rank_mean[rep], slowest);
  }
  EXPECT_GE(r.imbalance, 0);
}

TEST(MpiKernels, WeakScalingMultipliesNByRanksTimesThreads) {
  auto r = request("sum_squares_array", "mpi", 1000, 1);
  r.scaling = "weak";
  const auto record = kernels::run(r);
  EXPECT_EQ(record.n_global, 1000 * ranks());
  EXPECT_TRUE(record.verified);
}

TEST(MpiKernels, AWrongResultOnOneRankFailsVerificationOnAllRanks) {
  exec::Mpi<exec::Seq> model;
  kernels::KernelExperiment<testing::WrongOffRank0, exec::Mpi<exec::Seq>> experiment(model, 1000);
  const auto m = measure::measure(experiment, {2, 0});
  EXPECT_EQ(m.failed_reps, ranks() > 1 ? 2 : 0);  // with one rank, rank 0 owns everything
}

}  // namespace
}  // namespace parkit
