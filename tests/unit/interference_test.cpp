// SPDX-License-Identifier: MIT
// Interference: the /proc counters, their per-rep record through the protocol, and the rule that
// calls a rep disturbed.
#include "parkit/measure/interference.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

#include "parkit/exec/affinity.hpp"
#include "parkit/exec/group.hpp"
#include "parkit/measure/protocol.hpp"

namespace parkit::measure {
namespace {

void busy_for(std::chrono::milliseconds how_long) {
  const auto until = std::chrono::steady_clock::now() + how_long;
  while (std::chrono::steady_clock::now() < until) {
  }
}

TEST(Interference, ThisThreadsCountersAreReadAndGrowOnlyForward) {
  const auto before = read_thread_counters(exec::current_thread_id());
  ASSERT_TRUE(before) << "/proc/self/task/<id>/schedstat is not readable here";
  busy_for(std::chrono::milliseconds(5));
  const auto after = read_thread_counters(exec::current_thread_id());
  ASSERT_TRUE(after);
  EXPECT_GE(after->run_delay, before->run_delay);
  EXPECT_GE(after->involuntary_switches, before->involuntary_switches);
  EXPECT_GE(before->run_delay, 0);
  EXPECT_FALSE(read_thread_counters(0));
  EXPECT_FALSE(read_thread_counters(-1));
  const HostCounters host = read_host_counters();
  EXPECT_GE(host.steal, 0);
  if (host.has_pressure) {
    EXPECT_GE(host.cpu_pressure, 0);
  }
}

// One rep of `work` per call, watched on the calling thread: the protocol's experiment shape.
class BusyExperiment final : public Experiment {
 public:
  explicit BusyExperiment(std::chrono::milliseconds work) : work_(work) {}
  void prepare() override {}
  void execute() override { busy_for(work_); }
  Verification verify() override { return {true, "done", "done"}; }
  exec::Group& group() override { return group_; }
  std::vector<int> worker_thread_ids() override { return {exec::current_thread_id()}; }

 private:
  std::chrono::milliseconds work_;
  exec::SelfGroup group_;
};

TEST(Interference, TheProtocolRecordsEveryRepForEveryWorker) {
  BusyExperiment e(std::chrono::milliseconds(1));
  const Measurement m = measure(e, {.reps = 4, .warmup = 1});
  const Interference& in = m.interference;
  ASSERT_TRUE(in.recorded());
  ASSERT_EQ(in.run_delay.size(), 4u);
  ASSERT_EQ(in.involuntary_switches.size(), 4u);
  ASSERT_EQ(in.migrations.size(), 4u);
  ASSERT_EQ(in.steal.size(), 4u);
  ASSERT_EQ(in.cpu_pressure.size(), 4u);
  ASSERT_EQ(in.disturbed.size(), 4u);
  for (std::size_t rep = 0; rep < 4; ++rep) {
    ASSERT_EQ(in.run_delay[rep].size(), 1u);
    EXPECT_GE(in.run_delay[rep][0], 0);
    EXPECT_GE(in.involuntary_switches[rep][0], 0);
    EXPECT_GE(in.migrations[rep][0], -1);
    ASSERT_EQ(in.steal[rep].size(), 1u);
    EXPECT_GE(in.steal[rep][0], 0);
  }
  EXPECT_EQ(in.verdict() == "quiet", in.disturbed_reps() == 0);
}

TEST(Interference, AWorkerSharingItsCpuWithABusyThreadIsDisturbed) {
  // The worker and a busy thread on one CPU: the scheduler gives each about half of it, so each
  // 40 ms rep waits ~20 ms for its CPU, far past 5 % of the rep.
  const std::vector<int> allowed = exec::allowed_cpus();
  const int cpu = allowed.back();
  exec::set_current_affinity({cpu});
  std::atomic<bool> stop{false};
  std::thread busy([&] {
    exec::set_current_affinity({cpu});
    while (!stop.load(std::memory_order_relaxed)) {
    }
  });
  BusyExperiment e(std::chrono::milliseconds(40));
  const Measurement m = measure(e, {.reps = 3, .warmup = 0});
  stop = true;
  busy.join();
  exec::set_current_affinity(allowed);
  const Interference& in = m.interference;
  ASSERT_TRUE(in.recorded());
  EXPECT_EQ(in.disturbed_reps(), 3) << in.verdict();
  EXPECT_EQ(in.verdict(), "disturbed: 3 of 3 reps");
  for (std::size_t rep = 0; rep < 3; ++rep) {
    EXPECT_GT(in.run_delay[rep][0], 0.05 * m.rep_times[rep]);
    EXPECT_GE(in.involuntary_switches[rep][0], 1);
  }
}

TEST(Interference, AnExperimentWithoutWorkersRecordsNothing) {
  class NoWorkers final : public Experiment {
   public:
    void prepare() override {}
    void execute() override {}
    Verification verify() override { return {true, "", ""}; }
    exec::Group& group() override { return group_; }

   private:
    exec::SelfGroup group_;
  } e;
  const Measurement m = measure(e, {.reps = 2, .warmup = 0});
  EXPECT_FALSE(m.interference.recorded());
  EXPECT_EQ(m.interference.verdict(), "not recorded");
  EXPECT_EQ(m.interference.disturbed_reps(), 0);
}

Interference two_reps(double delay0, double delay1, double steal) {
  Interference in;
  in.run_delay = {{delay0, 0.0}, {delay1, 0.0}};  // 2 workers
  in.involuntary_switches = {{0, 0}, {0, 0}};
  in.migrations = {{0, 0}, {0, 0}};
  in.steal = {{steal}, {0.0}};
  in.cpu_pressure = {{0.0}, {0.0}};
  in.disturbed = {false, false};
  return in;
}

TEST(Interference, ARepIsDisturbedWhenAWorkerWaitedFivePercentOfIt) {
  const std::vector<double> reps = {0.010, 0.010};  // 10 ms reps: 5 % is 0.5 ms
  EXPECT_EQ(disturbed_rule(two_reps(0.0006, 0.0004, 0), reps, 2), (std::vector<bool>{true, false}));
  // under 50 us is the kernel's own housekeeping, even in a short rep
  EXPECT_EQ(disturbed_rule(two_reps(49e-6, 51e-6, 0), {0.0001, 0.0001}, 2),
            (std::vector<bool>{false, true}));
  // steal is over the host's CPUs, of which the rank's 2 workers used 2: 2 x 0.5 ms
  EXPECT_EQ(disturbed_rule(two_reps(0, 0, 0.0009), reps, 2), (std::vector<bool>{false, false}));
  EXPECT_EQ(disturbed_rule(two_reps(0, 0, 0.01), reps, 2), (std::vector<bool>{true, false}));
  Interference in = two_reps(0.0006, 0.0004, 0);
  in.disturbed = disturbed_rule(in, reps, 2);
  EXPECT_EQ(in.disturbed_reps(), 1);
  EXPECT_EQ(in.verdict(), "disturbed: 1 of 2 reps");
}

TEST(Interference, ARunIsDisturbedWhenATenthOfItsRepsAre) {
  Interference in;
  in.disturbed.assign(20, false);
  EXPECT_EQ(in.verdict(), "quiet");
  in.disturbed[3] = true;  // one odd rep in 20: noted, the run stays quiet
  EXPECT_FALSE(in.disturbed_run());
  EXPECT_EQ(in.verdict(), "quiet (1 of 20 reps disturbed)");
  in.disturbed[7] = true;
  EXPECT_TRUE(in.disturbed_run());
  EXPECT_EQ(in.verdict(), "disturbed: 2 of 20 reps");
  in.disturbed.assign(5, false);
  in.disturbed[0] = true;  // with the default 5 reps, one is a fifth
  EXPECT_EQ(in.verdict(), "disturbed: 1 of 5 reps");
}

TEST(Interference, RanksAreJoinedInRankOrderAndAMissingRankMeansNotRecorded) {
  // what two ranks' probes encode: "steal pressure|delay switches moves|..." per rep, ';' between
  const std::vector<std::string> by_rank = {"0 nan|0.001 2 0|0.002 0 1;0.01 0.5|0 0 0|0 0 0",
                                            "0.02 0.25|0.003 1 -1|0.004 0 -1;0 0|0 0 -1|0 0 -1"};
  const Interference in = combine_interference(by_rank, 2, 2);
  ASSERT_TRUE(in.recorded());
  EXPECT_EQ(in.run_delay[0], (std::vector<double>{0.001, 0.002, 0.003, 0.004}));
  EXPECT_EQ(in.involuntary_switches[0], (std::vector<std::int64_t>{2, 0, 1, 0}));
  EXPECT_EQ(in.migrations[0], (std::vector<std::int64_t>{0, 1, -1, -1}));
  EXPECT_EQ(in.steal[0], (std::vector<double>{0, 0.02}));
  EXPECT_EQ(in.steal[1], (std::vector<double>{0.01, 0}));
  EXPECT_TRUE(std::isnan(in.cpu_pressure[0][0]));
  EXPECT_EQ(in.cpu_pressure[1][0], 0.5);
  EXPECT_FALSE(combine_interference({by_rank[0], ""}, 2, 2).recorded());
  EXPECT_FALSE(combine_interference(by_rank, 3, 2).recorded());  // a rank lost a rep
  EXPECT_FALSE(combine_interference(by_rank, 2, 3).recorded());  // or a worker
}

TEST(Interference, AProbeEncodesWhatCombineReads) {
  InterferenceProbe probe({exec::current_thread_id()});
  for (int rep = 0; rep < 3; ++rep) {
    probe.before();
    busy_for(std::chrono::milliseconds(1));
    probe.after();
  }
  const Interference in = combine_interference({probe.encode()}, 3, 1);
  ASSERT_TRUE(in.recorded());
  EXPECT_EQ(in.run_delay.size(), 3u);
  EXPECT_TRUE(InterferenceProbe({-1}).encode().empty());
}

}  // namespace
}  // namespace parkit::measure
