// SPDX-License-Identifier: MIT
// A fixed fork-join team of std::jthreads for the `threads` model. Hand-written because the
// standard library has no fork-join team, and a task pool (asio::thread_pool) gives no stable
// member -> CPU mapping, which first touch and pinning need: pinned, member t always runs block t.
// Unpinned, the caller also runs the blocks of members that have not started theirs when it has
// finished its own (a member woken late, or whose CPU another process holds): the job's blocks
// are the same and each runs once, so results do not change, only who waits for whom.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "parkit/exec/affinity.hpp"
#include "parkit/exec/wait.hpp"

namespace parkit::exec {

class Team {
 public:
  /// Starts size-1 workers; the calling thread is member 0 and takes part in every run(). Idle
  /// members wait as `policy` says (default: PARKIT_WAIT, else OMP_WAIT_POLICY, else adaptive).
  Team(unsigned size, Bind bind, std::optional<WaitPolicy> policy = std::nullopt);
  ~Team();
  Team(const Team&) = delete;
  Team& operator=(const Team&) = delete;

  [[nodiscard]] unsigned size() const noexcept { return size_; }
  /// CPU each member is pinned to (-1: not pinned), by member.
  [[nodiscard]] const std::vector<int>& member_cpus() const noexcept { return cpus_; }
  /// Each member's kernel thread id (for /proc/self/task/<id>), by member.
  [[nodiscard]] const std::vector<int>& member_thread_ids() const noexcept { return thread_ids_; }
  [[nodiscard]] const WaitState& wait_state() const noexcept { return wait_; }

  /// Runs job(member) on every member at once and returns when all have finished. The first
  /// exception thrown by any member is rethrown here, after all members are done.
  template <class F>
  void run(F& job) {
    dispatch(&invoke<F>, &job);
  }

 private:
  using Trampoline = void (*)(void*, unsigned);
  template <class F>
  static void invoke(void* job, unsigned member) {
    (*static_cast<F*>(job))(member);
  }
  void dispatch(Trampoline fn, void* job);
  void work(std::stop_token stop, unsigned member);
  void execute(unsigned member) noexcept;
  /// Takes block `block` of run `generation` for the calling thread; false if someone has.
  bool claim(unsigned block, std::uint32_t generation) noexcept;
  void run_block(unsigned block) noexcept;

  unsigned size_;
  WaitState wait_;
  std::vector<int> movable_to_;  // unpinned, a CPU each: where a crowded member may move
  std::vector<std::atomic<int>> member_cpus_now_;  // where each member last waited
  Waiter caller_waiter_;                           // member 0's: the thread that calls run()
  bool helping_;  // unpinned: the caller runs the blocks not yet started when its own is done
  std::vector<int> cpus_;
  std::vector<int> thread_ids_;
  std::vector<int> caller_affinity_;
  Trampoline fn_ = nullptr;
  void* job_ = nullptr;
  std::atomic<std::uint32_t> generation_{0};         // bumped once per run(); workers wait on it
  std::atomic<std::uint32_t> blocks_left_{0};        // blocks of the current run() not yet finished
  std::vector<std::atomic<std::uint32_t>> claimed_;  // by block: the last run() that took it
  std::mutex error_mutex_;
  std::exception_ptr error_;
  std::vector<std::jthread> workers_;  // last member: joined before the state above dies
};

}  // namespace parkit::exec
