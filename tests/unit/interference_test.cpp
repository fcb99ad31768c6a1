// SPDX-License-Identifier: MIT
// Interference: the /proc counters, their per-rep record through the protocol, and the rule that
// calls a rep disturbed.
#include "parkit/measure/interference.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

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

TEST(Interference, AWorkerSharingItsCpuWithABusyProcessIsDisturbed) {
  // The worker and another process's busy loop on one CPU: the scheduler gives each about half
  // of it, so each 40 ms rep waits ~20 ms for its CPU, far past 5 % of the rep, and the other
  // process is running at both ends of every rep.
  const std::vector<int> allowed = exec::allowed_cpus();
  const int cpu = allowed.back();
  exec::set_current_affinity({cpu});
  const pid_t busy = fork();
  ASSERT_GE(busy, 0) << "fork failed";
  if (busy == 0) {  // the child only spins (nothing that is unsafe after fork) until killed
    for (;;) {
    }
  }
  busy_for(std::chrono::milliseconds(20));  // let the child start running
  BusyExperiment e(std::chrono::milliseconds(40));
  const Measurement m = measure(e, {.reps = 3, .warmup = 0});
  kill(busy, SIGKILL);
  waitpid(busy, nullptr, 0);
  exec::set_current_affinity(allowed);
  const Interference& in = m.interference;
  ASSERT_TRUE(in.recorded());
  EXPECT_EQ(in.disturbed_reps(), 3) << in.verdict();
  EXPECT_EQ(in.verdict(), "disturbed: 3 of 3 reps");
  for (std::size_t rep = 0; rep < 3; ++rep) {
    EXPECT_GT(in.run_delay[rep][0], 0.05 * m.rep_times[rep]);
    EXPECT_GE(in.involuntary_switches[rep][0], 1);
    EXPECT_GE(in.others_before[rep][0], 1);
    EXPECT_GE(in.others_after[rep][0], 1);
  }
  EXPECT_EQ(in.host_workers, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(in.host_cpus[0], sysconf(_SC_NPROCESSORS_ONLN));
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
  // what two ranks' probes encode: "host cpus#" then per rep, ';' between,
  // "steal pressure tasks_before own_before tasks_after own_after|delay switches moves|..."
  const std::vector<std::string> by_rank = {
      "a 4#0 nan 3 3 2 1|0.001 2 0|0.002 0 1;0.01 0.5 5 3 4 3|0 0 0|0 0 0",
      "b 8#0.02 0.25 1 1 -1 1|0.003 1 -1|0.004 0 -1;0 0 9 2 2 2|0 0 -1|0 0 -1"};
  const Interference in = combine_interference(by_rank, 2, 2);
  ASSERT_TRUE(in.recorded());
  EXPECT_EQ(in.run_delay[0], (std::vector<double>{0.001, 0.002, 0.003, 0.004}));
  EXPECT_EQ(in.involuntary_switches[0], (std::vector<std::int64_t>{2, 0, 1, 0}));
  EXPECT_EQ(in.migrations[0], (std::vector<std::int64_t>{0, 1, -1, -1}));
  EXPECT_EQ(in.steal[0], (std::vector<double>{0, 0.02}));
  EXPECT_EQ(in.steal[1], (std::vector<double>{0.01, 0}));
  EXPECT_TRUE(std::isnan(in.cpu_pressure[0][0]));
  EXPECT_EQ(in.cpu_pressure[1][0], 0.5);
  // two hosts: each rank's others are its host's tasks less its own running threads
  EXPECT_EQ(in.others_before, (std::vector<std::vector<std::int64_t>>{{0, 0}, {2, 7}}));
  EXPECT_EQ(in.others_after, (std::vector<std::vector<std::int64_t>>{{1, -1}, {1, 0}}));
  EXPECT_EQ(in.host_cpus, (std::vector<std::int64_t>{4, 8}));
  EXPECT_EQ(in.host_workers, (std::vector<std::int64_t>{2, 2}));
  EXPECT_FALSE(combine_interference({by_rank[0], ""}, 2, 2).recorded());
  EXPECT_FALSE(combine_interference({"0 nan 3 3 2 1|0 0 0|0 0 0;0 0 1 1 1 1|0 0 0|0 0 0"}, 2, 2)
                   .recorded());                                 // no host header
  EXPECT_FALSE(combine_interference(by_rank, 3, 2).recorded());  // a rank lost a rep
  EXPECT_FALSE(combine_interference(by_rank, 2, 3).recorded());  // or a worker
}

TEST(Interference, RanksOnOneHostCountEachOthersThreadsAsTheirOwn) {
  // two ranks of one run on host h (2 CPUs, 1 worker each): rank 1 saw 3 tasks running, rank 0
  // saw 2 (they read at different moments); each had 1 thread of its own running. The fewest
  // seen less both ranks' own: 0 others before; after the rep a third process was running.
  const std::vector<std::string> by_rank = {"h 2#0 0 2 1 3 1|0 0 0", "h 2#0 0 3 1 4 1|0 0 0"};
  const Interference in = combine_interference(by_rank, 1, 1);
  ASSERT_TRUE(in.recorded());
  EXPECT_EQ(in.others_before[0], (std::vector<std::int64_t>{0, 0}));
  EXPECT_EQ(in.others_after[0], (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(in.host_workers, (std::vector<std::int64_t>{2, 2}));
}

/// One rep, one rank of 2 workers on a host of `cpus` CPUs, the first worker waited `delay`;
/// other processes' tasks `before` and `after` it.
Interference one_rep(double delay, std::int64_t before, std::int64_t after, std::int64_t cpus) {
  Interference in = two_reps(delay, 0, 0);
  in.run_delay.resize(1);
  in.involuntary_switches.resize(1);
  in.migrations.resize(1);
  in.steal.resize(1);
  in.cpu_pressure.resize(1);
  in.disturbed.resize(1);
  in.others_before = {{before}};
  in.others_after = {{after}};
  in.host_cpus = {cpus};
  in.host_workers = {2};
  return in;
}

TEST(Interference, OnlyOtherProcessesDisturbARep) {
  const std::vector<double> rep = {0.010};  // floor 0.5 ms
  const std::vector<bool> yes = {true}, no = {false};
  // a worker waited, but nothing else was running: it waited on the run's own threads
  EXPECT_EQ(disturbed_rule(one_rep(0.002, 0, 0, 2), rep, 2), no);
  // it waited and another process was seen at one end of the rep
  EXPECT_EQ(disturbed_rule(one_rep(0.002, 0, 1, 2), rep, 2), yes);
  EXPECT_EQ(disturbed_rule(one_rep(0.002, 1, 0, 2), rep, 2), yes);
  // another process ran throughout on a host the run filled (1 + 2 workers > 2 CPUs) and a
  // worker lost its CPU (switched out once, or a wait under the 5 % not charged in full yet)
  Interference switched = one_rep(0, 1, 1, 2);
  switched.involuntary_switches[0][1] = 1;
  EXPECT_EQ(disturbed_rule(switched, rep, 2), yes);
  EXPECT_EQ(disturbed_rule(one_rep(60e-6, 1, 1, 2), rep, 2), yes);
  // ... no worker lost its CPU: the others may be sleepers Linux still counts as runnable
  EXPECT_EQ(disturbed_rule(one_rep(0, 1, 1, 2), rep, 2), no);
  // ... on a host with room for it beside the workers (1 + 2 <= 4 CPUs) it took nothing
  EXPECT_EQ(disturbed_rule(one_rep(60e-6, 1, 1, 4), rep, 2), no);
  EXPECT_EQ(disturbed_rule(one_rep(60e-6, 3, 3, 4), rep, 2), yes);  // 3 + 2 > 4
  EXPECT_EQ(disturbed_rule(one_rep(60e-6, 3, 2, 4), rep, 2), no);   // 2 throughout: 2 + 2 <= 4
  // seen at one end only, and no worker waited: a passing task
  EXPECT_EQ(disturbed_rule(one_rep(0, 1, 0, 2), rep, 2), no);
  // counts not read (-1): the wait alone decides, as for a version 4 record
  EXPECT_EQ(disturbed_rule(one_rep(0.002, -1, 0, 2), rep, 2), yes);
  EXPECT_EQ(disturbed_rule(one_rep(0.0001, -1, 0, 2), rep, 2), no);
}

TEST(Interference, ThisProcessesRunningThreadsAreCounted) {
  const RunningTasks now = read_running_tasks();
  ASSERT_GE(now.host, 1) << "/proc/loadavg not read";
  EXPECT_GE(now.own, 1);  // the reader itself is running
  std::atomic<bool> stop = false;
  std::jthread spinner([&] {
    while (!stop.load(std::memory_order_relaxed)) {
    }
  });
  busy_for(std::chrono::milliseconds(2));
  const RunningTasks busier = read_running_tasks();
  stop = true;
  // the spinner runs or waits for a CPU: either way it counts (on any machine, loaded or not)
  EXPECT_GE(busier.own, 2);
  EXPECT_GE(busier.host, busier.own - 1);  // the two reads are not one instant
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
