// SPDX-License-Identifier: MIT
// How an idle team member waits for work: spin while that costs nobody anything, yield while the
// team's own threads need the CPU, then sleep on the word (a futex, via std::atomic::wait).
// Hand-written: the spin-then-park waits of Folly and Abseil wrap their own primitives, are not
// packaged for Debian, and do not watch for another process taking the CPU, which is the point.
//
// What is learnt (shared by a team, see WaitState):
//  - the wake cost: the time from a notify to the sleeper running again, measured on every real
//    sleep. Spinning for one wake cost before sleeping is never more than 2x worse than the best
//    choice made knowing the future (the ski-rental bound), so that is the floor of the spin;
//  - the gaps: how long this member's recent waits lasted. The spin covers the recent gaps that
//    are shorter than 10 wake costs (a sleep there would be a large part of the gap), and no more;
//  - whether the CPUs are taken: this thread was switched out against its will (getrusage) twice
//    within 20 ms while no sibling of its team shares its CPU, or once while more tasks were
//    runnable than the node has CPUs (/proc/loadavg) twice in a row. Then it stops spinning at
//    once and does not spin again for 1 ms, doubling on each repeat up to 1 s: a spinning thread
//    beside a busy process holds the CPU the process needs and then, by the scheduler's
//    fairness, loses it when its own team needs it (5 ms per 0.5 ms rep). A sibling on its CPU
//    (the scheduler put both there: in VMs a woken thread often lands beside its waker, and
//    stays there while the other CPU idles) is not a reason to sleep, which would only make the
//    next wake land there again. An unpinned team with a CPU per member has a CPU none of its
//    members is on: the waiter moves itself there (its affinity without the crowded CPUs, then
//    all its CPUs again, so it is not pinned).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace parkit::exec {

enum class WaitPolicy {
  active,    ///< spin until the work comes (OMP_WAIT_POLICY=active)
  passive,   ///< sleep at once (OMP_WAIT_POLICY=passive)
  adaptive,  ///< spin as long as it pays, as learnt here (auto, the default)
};

[[nodiscard]] std::string_view to_string(WaitPolicy p) noexcept;
/// Parses "active", "passive" or "auto" (any case).
[[nodiscard]] std::optional<WaitPolicy> parse_wait_policy(std::string_view s);
/// PARKIT_WAIT, else OMP_WAIT_POLICY, else adaptive. A PARKIT_WAIT that names no policy throws
/// std::invalid_argument naming the accepted values; OpenMP's variable is as lenient as libgomp.
[[nodiscard]] WaitPolicy wait_policy_from_environment();

/// What a team's members learn about waiting here. Thread-safe; one per team.
class WaitState {
 public:
  /// `own_threads_oversubscribed`: this team with the node's other ranks has more threads than
  /// the node has CPUs, so the thread a waiter waits for may need the waiter's CPU.
  WaitState(WaitPolicy policy, bool own_threads_oversubscribed);
  ~WaitState();
  WaitState(const WaitState&) = delete;
  WaitState& operator=(const WaitState&) = delete;

  [[nodiscard]] WaitPolicy policy() const noexcept { return policy_; }
  /// The waker calls this right before it changes the word and notifies.
  void stamp_wake() noexcept;
  /// Learnt so far (for tests and the curious).
  [[nodiscard]] std::chrono::nanoseconds wake_cost() const noexcept;
  [[nodiscard]] bool spinning_allowed(std::int64_t now_ns) const noexcept;
  [[nodiscard]] bool own_threads_oversubscribed() const noexcept { return oversubscribed_; }

 private:
  friend class Waiter;
  void learn_wake(std::int64_t sample_ns) noexcept;
  void note_contention(std::int64_t now_ns) noexcept;
  void note_calm() noexcept;
  /// More tasks runnable than the node has CPUs, right now (false when it cannot tell).
  [[nodiscard]] bool node_overloaded() const noexcept;

  WaitPolicy policy_;
  bool oversubscribed_;
  int loadavg_fd_ = -1;
  long online_cpus_ = 0;
  std::atomic<std::int64_t> wake_cost_ns_;
  std::atomic<std::int64_t> wake_stamp_ns_{0};
  std::atomic<std::int64_t> no_spin_until_ns_{0};
  std::atomic<int> backoff_level_{0};
};

/// One member's waits (not shared: each member owns one).
class Waiter {
 public:
  /// `member_cpus`: where each member of the team last waited (sched_getcpu), written by each
  /// member's own Waiter; `member` is this one's index. A sibling on the same CPU is the team's
  /// own crowding (the scheduler placed both there), which the load balancer undoes if the
  /// waiter yields the CPU to it, and which no other process causes: not a reason to sleep.
  /// `movable_to`: the CPUs an unpinned, not oversubscribed team may run on (empty: never move).
  Waiter(WaitState& shared, std::span<std::atomic<int>> member_cpus, unsigned member,
         std::span<const int> movable_to = {})
      : shared_(&shared), member_cpus_(member_cpus), member_(member), movable_to_(movable_to) {}

  /// Returns once done() holds; `word` is what the waker changes (and notifies) to signal it,
  /// and `old` its value before. done() is checked first: no clock is read when it already holds.
  template <class Done>
  void wait(const std::atomic<std::uint32_t>& word, std::uint32_t old, Done done) {
    if (done()) return;
    wait_slow(
        word, old, [](const void* d) { return (*static_cast<const Done*>(d))(); }, &done);
  }

 private:
  using Check = bool (*)(const void*);
  void wait_slow(const std::atomic<std::uint32_t>& word, std::uint32_t old, Check done,
                 const void* ctx);
  [[nodiscard]] std::int64_t spin_limit_ns(std::int64_t now_ns) const noexcept;
  /// What one spin has seen so far.
  struct SpinWatch {
    bool overload_seen = false;  // the node was overloaded at the last check
    bool lost_cpu = false;       // switched out against its will, not by a sibling
  };
  [[nodiscard]] bool cpu_taken(SpinWatch& watch) noexcept;
  [[nodiscard]] bool sibling_on_my_cpu() const noexcept;
  void move_off_crowded_cpu() noexcept;
  /// Records where this member is; an unpinned one on a sibling's CPU moves off it.
  void note_my_cpu() noexcept;
  [[nodiscard]] bool switched_out_again(std::int64_t now_ns) noexcept;

 public:
  /// Called when a wait returned and the work is about to start: a member woken onto a
  /// sibling's CPU moves off it before it works (adaptive and unpinned only).
  void woken() noexcept;

 private:
  void remember_gap(std::int64_t gap_ns) noexcept;

  WaitState* shared_;
  std::span<std::atomic<int>> member_cpus_;
  unsigned member_;
  std::span<const int> movable_to_;
  int cpu_ = -1;  // where this wait runs
  std::int64_t last_switched_out_ns_ = INT64_MIN / 2;
  std::array<std::int64_t, 8> gaps_ns_{};
  std::size_t gaps_seen_ = 0;
  long involuntary_switches_ = -1;  // this thread's count at its last check
};

}  // namespace parkit::exec
