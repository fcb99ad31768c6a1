// SPDX-License-Identifier: MIT
#include "parkit/exec/team.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "parkit/exec/affinity.hpp"

namespace parkit::exec {
namespace {

TEST(Team, PinnedEveryMemberRunsExactlyOncePerRunOnItsOwnThread) {
  Team team(4, Bind::close);
  for (int round = 0; round < 100; ++round) {
    std::atomic<int> calls{0};
    std::vector<std::thread::id> ids(4);
    auto job = [&](unsigned m) {
      ids[m] = std::this_thread::get_id();
      calls.fetch_add(1);
    };
    team.run(job);
    EXPECT_EQ(calls.load(), 4);
    EXPECT_EQ(std::set<std::thread::id>(ids.begin(), ids.end()).size(), 4u);
    EXPECT_EQ(ids[0], std::this_thread::get_id());  // the caller is member 0
  }
}

TEST(Team, UnpinnedEveryBlockRunsExactlyOnceWhoeverRunsIt) {
  // Members sleep between runs (passive) and the jobs are empty, so the caller is often done
  // before a worker wakes, and runs that worker's block itself: each block still runs once.
  Team team(4, Bind::none, WaitPolicy::passive);
  long by_caller = 0;
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::atomic<int>> calls(4);
    std::vector<std::thread::id> ran_on(4);
    auto job = [&](unsigned block) {
      ran_on[block] = std::this_thread::get_id();
      calls[block].fetch_add(1);
    };
    team.run(job);
    for (unsigned block = 0; block < 4; ++block) {
      ASSERT_EQ(calls[block].load(), 1) << "block " << block << " in round " << round;
      if (block > 0 && ran_on[block] == std::this_thread::get_id()) ++by_caller;
    }
    EXPECT_EQ(ran_on[0], std::this_thread::get_id());  // block 0 is always the caller's
  }
  std::cout << "blocks run by the caller for a late worker: " << by_caller << " of 6000\n";
}

TEST(Team, RethrowsAMemberExceptionAfterAllMembersFinish) {
  Team team(3, Bind::none);
  std::atomic<int> finished{0};
  auto job = [&](unsigned m) {
    if (m == 2) throw std::runtime_error("member 2 failed");
    finished.fetch_add(1);
  };
  EXPECT_THROW(team.run(job), std::runtime_error);
  EXPECT_EQ(finished.load(), 2);
  auto fine = [&](unsigned) { finished.fetch_add(1); };
  team.run(fine);  // the team is still usable
  EXPECT_EQ(finished.load(), 5);
}

TEST(Affinity, CloseFillsCpusInOrderAndSpreadSpacesThem) {
  const std::vector<int> cpus = {0, 1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(pick_cpu(cpus, 0, 4, Bind::close), 0);
  EXPECT_EQ(pick_cpu(cpus, 3, 4, Bind::close), 3);
  EXPECT_EQ(pick_cpu(cpus, 1, 4, Bind::spread), 2);
  EXPECT_EQ(pick_cpu(cpus, 3, 4, Bind::spread), 6);
  EXPECT_EQ(pick_cpu(cpus, 9, 12, Bind::close), 1);  // more members than CPUs: wraps
  EXPECT_EQ(pick_cpu(cpus, 2, 4, Bind::none), -1);
  EXPECT_EQ(cpu_list({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
  EXPECT_EQ(parse_bind("spread"), Bind::spread);
  EXPECT_EQ(parse_bind("true"), Bind::close);
  EXPECT_FALSE(parse_bind("sideways"));
}

TEST(Team, CloseBindingPinsEachMemberToOneAllowedCpu) {
  const std::vector<int> allowed = allowed_cpus();
  const std::string before = current_cpu_list();
  {
    Team team(2, Bind::close);
    std::vector<std::string> seen(2);
    auto job = [&](unsigned m) { seen[m] = current_cpu_list(); };
    team.run(job);
    EXPECT_EQ(seen[0], std::to_string(allowed[0]));
    EXPECT_EQ(seen[1], std::to_string(allowed[1 % allowed.size()]));
  }
  EXPECT_EQ(current_cpu_list(), before);  // the caller's affinity is given back
}

// Wakes are never lost: every member runs every job exactly once, over 10^5 cycles in which each
// worker goes to sleep on the futex between jobs (passive: no spin at all, so every cycle is a
// park and a wake). Pinned, so the caller cannot run a late member's block for it: a lost wake
// would hang the run. TSan runs this too (tsan preset): the handoff has no data race.
constexpr int stress_cycles = 100'000;

/// Runs `cycles` jobs on the team; returns how many times each block ran, by block.
std::vector<long> run_cycles(Team& team, int cycles, bool vary_gaps) {
  std::vector<long> runs(team.size(), 0);  // each block's runner writes only its own slot
  auto job = [&](unsigned m) { ++runs[m]; };
  for (int c = 0; c < cycles; ++c) {
    team.run(job);
    // adaptive: now and then a gap longer than any spin, so members also park and wake
    if (vary_gaps && c % 997 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return runs;
}

class TeamWaitStress : public ::testing::TestWithParam<unsigned> {};

TEST_P(TeamWaitStress, NoWakeIsLostWhenEveryIdleMemberSleeps) {
  Team team(GetParam(), Bind::close, WaitPolicy::passive);
  EXPECT_EQ(run_cycles(team, stress_cycles, false), std::vector<long>(GetParam(), stress_cycles));
}

TEST_P(TeamWaitStress, UnpinnedLateMembersFindTheirBlockDoneAndWaitAgain) {
  Team team(GetParam(), Bind::none, WaitPolicy::passive);
  EXPECT_EQ(run_cycles(team, stress_cycles / 10, false),
            std::vector<long>(GetParam(), stress_cycles / 10));
}

TEST_P(TeamWaitStress, NoWakeIsLostWhenMembersSpinThenSleep) {
  Team team(GetParam(), Bind::none, WaitPolicy::adaptive);
  EXPECT_EQ(run_cycles(team, stress_cycles / 10, true),
            std::vector<long>(GetParam(), stress_cycles / 10));
}

INSTANTIATE_TEST_SUITE_P(OneToFourWorkers, TeamWaitStress, ::testing::Values(1u, 2u, 3u, 4u, 5u));

TEST(TeamWait, NoWakeIsLostWithFourMembersOnOneCpu) {
  // Oversubscribed: the caller's affinity (inherited by the workers) is one CPU, so a member
  // that waits holds the only CPU the member it waits for needs.
  const std::vector<int> allowed = allowed_cpus();
  set_current_affinity({allowed.front()});
  for (Bind bind : {Bind::close, Bind::none})
    for (WaitPolicy policy : {WaitPolicy::passive, WaitPolicy::adaptive}) {
      Team team(4, bind, policy);
      EXPECT_TRUE(team.wait_state().own_threads_oversubscribed());
      const int cycles = policy == WaitPolicy::passive ? stress_cycles : stress_cycles / 10;
      EXPECT_EQ(run_cycles(team, cycles, false), std::vector<long>(4, cycles));
    }
  set_current_affinity(allowed);
}

TEST(TeamWait, ASleepingMemberMeasuresWhatAWakeCostsHere) {
  Team team(2, Bind::none, WaitPolicy::adaptive);
  const auto prior = team.wait_state().wake_cost();
  auto job = [](unsigned) {};
  // gaps of 20 ms are longer than any spin the prior allows (10 wake costs): members sleep
  for (int c = 0; c < 8; ++c) {
    team.run(job);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto learnt = team.wait_state().wake_cost();
  EXPECT_NE(learnt, prior);
  EXPECT_GT(learnt.count(), 0);
  EXPECT_LT(learnt, std::chrono::milliseconds(20));
}

TEST(TeamWait, AMemberThatLosesItsCpuStopsSpinning) {
  const std::vector<int> allowed = allowed_cpus();
  if (allowed.size() < 2) GTEST_SKIP() << "needs 2 CPUs: one is shared with a busy thread";
  Team team(2, Bind::close, WaitPolicy::adaptive);  // member 1 on allowed[1]
  std::atomic<bool> stop{false};
  std::thread busy([&] {  // someone else's work on member 1's CPU
    set_current_affinity({allowed[1]});
    while (!stop.load(std::memory_order_relaxed)) {
    }
  });
  auto job = [](unsigned) {};
  bool stopped_spinning = false;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!stopped_spinning && std::chrono::steady_clock::now() < until) {
    team.run(job);
    const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
    stopped_spinning = !team.wait_state().spinning_allowed(now);
  }
  stop = true;
  busy.join();
  EXPECT_TRUE(stopped_spinning) << "the waits never saw the busy thread take member 1's CPU";
}

TEST(TeamWait, PolicyComesFromParkitWaitThenOmpWaitPolicy) {
  EXPECT_EQ(parse_wait_policy("ACTIVE"), WaitPolicy::active);
  EXPECT_EQ(parse_wait_policy("passive"), WaitPolicy::passive);
  EXPECT_EQ(parse_wait_policy("auto"), WaitPolicy::adaptive);
  EXPECT_FALSE(parse_wait_policy("sometimes"));
  ::setenv("OMP_WAIT_POLICY", "passive", 1);
  ::unsetenv("PARKIT_WAIT");
  EXPECT_EQ(wait_policy_from_environment(), WaitPolicy::passive);
  ::setenv("PARKIT_WAIT", "active", 1);  // parkit's own wins
  EXPECT_EQ(wait_policy_from_environment(), WaitPolicy::active);
  ::setenv("PARKIT_WAIT", "sometimes", 1);
  try {
    static_cast<void>(wait_policy_from_environment());
    ADD_FAILURE() << "a bad PARKIT_WAIT was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("active, passive or auto"), std::string::npos);
  }
  ::unsetenv("PARKIT_WAIT");
  ::unsetenv("OMP_WAIT_POLICY");
  EXPECT_EQ(wait_policy_from_environment(), WaitPolicy::adaptive);
}

TEST(Team, RecordsEachMembersKernelThreadId) {
  Team team(3, Bind::close);  // pinned: member m runs block m
  std::vector<int> seen(3, 0);
  auto job = [&](unsigned m) { seen[m] = current_thread_id(); };
  team.run(job);
  EXPECT_EQ(team.member_thread_ids(), seen);
  EXPECT_EQ(seen[0], static_cast<int>(gettid()));
  EXPECT_EQ(std::set<int>(seen.begin(), seen.end()).size(), 3u);
}

}  // namespace
}  // namespace parkit::exec
