// SPDX-License-Identifier: MIT
#include "parkit/exec/team.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <latch>
#include <utility>

#include "parkit/exec/job.hpp"

namespace parkit::exec {
namespace {

/// Whether this team and the node's other ranks have more threads than the node has CPUs (or
/// than this process may use): then the thread a member waits for may need the member's CPU.
bool own_threads_oversubscribed(unsigned members, std::size_t allowed) {
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  const auto on_node = static_cast<long>(members) * std::max(1, job::node_place().local_ranks);
  return members > allowed || (online > 0 && on_node > online);
}

}  // namespace

Team::Team(unsigned size, Bind bind, std::optional<WaitPolicy> policy)
    : size_(size == 0 ? 1 : size),
      wait_(policy.value_or(wait_policy_from_environment()),
            own_threads_oversubscribed(size_, allowed_cpus().size())),
      movable_to_(bind == Bind::none && !wait_.own_threads_oversubscribed() ? allowed_cpus()
                                                                            : std::vector<int>{}),
      member_cpus_now_(size_),
      caller_waiter_(wait_, member_cpus_now_, 0, movable_to_),
      helping_(bind == Bind::none),
      claimed_(size_) {
  for (auto& cpu : member_cpus_now_) cpu.store(-1, std::memory_order_relaxed);
  // Where the caller is: a worker the kernel starts on the caller's CPU sees it in its first wait
  // and moves off before the first job, instead of timesharing the caller's CPU until then.
  member_cpus_now_[0].store(sched_getcpu(), std::memory_order_relaxed);
  const std::vector<int> allowed = allowed_cpus();
  thread_ids_.assign(size_, -1);
  thread_ids_[0] = current_thread_id();
  cpus_.reserve(size_);
  for (unsigned m = 0; m < size_; ++m) cpus_.push_back(pick_cpu(allowed, m, size_, bind));
  if (cpus_[0] >= 0) {
    caller_affinity_ = allowed;
    pin_current_thread(cpus_[0]);
  }
  workers_.reserve(size_ - 1);
  std::latch started(size_ - 1);  // each worker's id is known before the team is used
  for (unsigned m = 1; m < size_; ++m)
    workers_.emplace_back([this, m, &started](std::stop_token stop) {
      thread_ids_[m] = current_thread_id();
      started.count_down();
      work(stop, m);
    });
  started.wait();
}

Team::~Team() {
  for (auto& w : workers_) w.request_stop();
  wait_.stamp_wake();
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  workers_.clear();  // joins
  if (!caller_affinity_.empty()) {
    try {
      set_current_affinity(caller_affinity_);
    } catch (...) {  // destructor must not throw; the thread simply stays pinned
    }
  }
}

void Team::execute(unsigned member) noexcept {
  try {
    fn_(job_, member);
  } catch (...) {
    std::lock_guard lock(error_mutex_);
    if (!error_) error_ = std::current_exception();
  }
}

void Team::work(std::stop_token stop, unsigned member) {
  Waiter waiter(wait_, member_cpus_now_, member, movable_to_);
  if (cpus_[member] >= 0) {  // pinned: no helping, so the first run() waits for this member
    try {
      pin_current_thread(cpus_[member]);
    } catch (...) {  // reported by the first run(), never a std::terminate in a worker
      std::lock_guard lock(error_mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }
  std::uint32_t seen = 0;
  for (;;) {
    waiter.wait(generation_, seen,
                [&] { return generation_.load(std::memory_order_acquire) != seen; });
    seen = generation_.load(std::memory_order_acquire);
    if (stop.stop_requested()) return;
    waiter.woken();
    if (claim(member, seen)) run_block(member);  // else the caller ran it: this one woke late
  }
}

bool Team::claim(unsigned block, std::uint32_t generation) noexcept {
  // Every run() has each block taken exactly once, so before run `generation` takes it the
  // block's last taker was run generation - 1 (the counter wraps; equality still holds).
  std::uint32_t previous = generation - 1;
  return claimed_[block].compare_exchange_strong(previous, generation, std::memory_order_acq_rel,
                                                 std::memory_order_relaxed);
}

void Team::run_block(unsigned block) noexcept {
  execute(block);
  if (blocks_left_.load(std::memory_order_relaxed) == 1) wait_.stamp_wake();  // likely the last
  if (blocks_left_.fetch_sub(1, std::memory_order_acq_rel) == 1) blocks_left_.notify_one();
}

void Team::dispatch(Trampoline fn, void* job) {
  fn_ = fn;
  job_ = job;
  const std::uint32_t generation = generation_.load(std::memory_order_relaxed) + 1;
  blocks_left_.store(size_, std::memory_order_relaxed);
  // where the caller works: a member woken onto this CPU knows whose it is (see Waiter)
  member_cpus_now_[0].store(sched_getcpu(), std::memory_order_relaxed);
  wait_.stamp_wake();
  generation_.store(generation, std::memory_order_release);  // publishes fn_, job_, blocks_left_
  generation_.notify_all();
  if (claim(0, generation)) run_block(0);
  if (helping_)
    for (unsigned block = 1; block < size_; ++block)
      if (claim(block, generation)) run_block(block);
  for (std::uint32_t left = blocks_left_.load(std::memory_order_acquire); left != 0;
       left = blocks_left_.load(std::memory_order_acquire)) {
    caller_waiter_.wait(blocks_left_, left,
                        [&] { return blocks_left_.load(std::memory_order_acquire) != left; });
  }
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

}  // namespace parkit::exec
