// SPDX-License-Identifier: MIT
#include "parkit/exec/team.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>

#include "parkit/exec/affinity.hpp"

namespace parkit::exec {
namespace {

TEST(Team, EveryMemberRunsExactlyOncePerRunOnItsOwnThread) {
  Team team(4, Bind::none);
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

}  // namespace
}  // namespace parkit::exec
