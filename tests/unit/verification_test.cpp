// SPDX-License-Identifier: MIT
// Verification catches kernels that skip work, under every model.
#include <gtest/gtest.h>

#include "parkit/exec/models.hpp"
#include "support/broken_kernels.hpp"

namespace parkit::testing {
namespace {

template <class K, class M>
measure::Measurement measure_broken(Index n, unsigned threads) {
  M model(exec::ModelConfig{threads, exec::Bind::none});
  kernels::KernelExperiment<K, M> experiment(model, n);
  return measure::measure(experiment, {3, 1});
}

template <class M>
class BrokenKernels : public ::testing::Test {};

using BuiltModelTypes = ::testing::Types<exec::Seq, exec::Threads
#if PARKIT_HAVE_OPENMP
                                         ,
                                         exec::OpenMP
#endif
                                         >;
TYPED_TEST_SUITE(BrokenKernels, BuiltModelTypes);

TYPED_TEST(BrokenKernels, NaNSentinelCatchesAMapThatWritesNothing) {
  const auto m = measure_broken<LazySquareMap, TypeParam>(1000, 3);
  EXPECT_EQ(m.failed_reps, 4);  // warm-up + 3 reps, every one caught
  EXPECT_FALSE(m.verification.ok);
  EXPECT_EQ(m.verification.observed.rfind("0 of 1000 elements exact", 0), 0u)
      << m.verification.observed;
}

TYPED_TEST(BrokenKernels, PerElementCheckCatchesOneSkippedElementPerBlock) {
  const auto m = measure_broken<SkippingSquareMap, TypeParam>(1000, 2);
  EXPECT_EQ(m.failed_reps, 4);
  EXPECT_NE(m.verification.observed.find("elements exact (first wrong:"), std::string::npos)
      << m.verification.observed;
}

TYPED_TEST(BrokenKernels, ReferenceCatchesAReductionThatDropsElements) {
  const auto m = measure_broken<ForgetfulSum, TypeParam>(1000, 2);
  EXPECT_EQ(m.failed_reps, 4);
  EXPECT_EQ(m.verification.expected, "500500");
  EXPECT_NE(m.verification.observed, "500500");
}

}  // namespace
}  // namespace parkit::testing
