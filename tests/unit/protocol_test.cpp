// SPDX-License-Identifier: MIT
// The timing protocol's order of operations, with an experiment that records what happens.
#include "parkit/measure/protocol.hpp"

#include <gtest/gtest.h>

#include <string>

namespace parkit::measure {
namespace {

class Recorder final : public Experiment {
 public:
  explicit Recorder(int fail_on = -1) : fail_on_(fail_on) {}
  void prepare() override { log += 'p'; }
  void execute() override {
    log += 'x';
    ++executions;
  }
  Verification verify() override {
    log += 'v';
    return {executions != fail_on_, "42", executions == fail_on_ ? "41" : "42"};
  }
  exec::Group& group() override { return group_; }
  std::string log;
  int executions = 0;

 private:
  int fail_on_;
  exec::SelfGroup group_;
};

TEST(Protocol, WarmupThenRepsEachPreparedTimedAndVerified) {
  Recorder e;
  int progress_calls = 0;
  const Measurement m = measure(e, {.reps = 3, .warmup = 2}, [&](int rep, int reps) {
    EXPECT_EQ(reps, 3);
    EXPECT_EQ(rep, ++progress_calls);
  });
  EXPECT_EQ(e.log, "pxvpxvpxvpxvpxv");  // 2 warm-up + 3 timed, each prepare -> execute -> verify
  EXPECT_EQ(m.rep_times.size(), 3u);
  ASSERT_EQ(m.rank_times.size(), 3u);
  for (const auto& per_rank : m.rank_times) EXPECT_EQ(per_rank.size(), 1u);
  EXPECT_EQ(m.failed_reps, 0);
  EXPECT_TRUE(m.verification.ok);
  EXPECT_GT(m.timer_resolution, 0);
  EXPECT_EQ(progress_calls, 3);
}

TEST(Protocol, AFailureInAnyExecutionIsCountedAndKept) {
  Recorder e(/*fail_on=*/2);  // the first timed rep after one warm-up
  const Measurement m = measure(e, {.reps = 3, .warmup = 1});
  EXPECT_EQ(m.failed_reps, 1);
  EXPECT_FALSE(m.verification.ok);
  EXPECT_EQ(m.verification.observed, "41");
  const auto record = make_record({.kernel = "k", .model = "seq"}, {3, 1}, m, 1);
  EXPECT_FALSE(record.verified);
  EXPECT_EQ(record.failed_reps, 1);
}

TEST(Protocol, RecordDerivesStatisticsAndWarnsAboutShortReps) {
  Measurement m;
  m.rep_times = {1e-8, 2e-8, 3e-8};
  m.rank_times = {{1e-8}, {2e-8}, {3e-8}};
  m.timer_resolution = 1e-8;
  m.verification = {true, "x", "x"};
  const auto r = make_record({.kernel = "k", .model = "seq", .n_global = 10, .bytes_per_elem = 8},
                             {3, 0}, m, 1);
  EXPECT_DOUBLE_EQ(r.time.median, 2e-8);
  EXPECT_DOUBLE_EQ(r.gbytes_per_s, 8.0 * 10 / 2e-8 / 1e9);
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings.front().find("ticks"), std::string::npos);
}

}  // namespace
}  // namespace parkit::measure
