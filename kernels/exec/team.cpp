// SPDX-License-Identifier: MIT
#include "parkit/exec/team.hpp"

#include <unistd.h>

#include <algorithm>
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
            own_threads_oversubscribed(size_, allowed_cpus().size())) {
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
  for (unsigned m = 1; m < size_; ++m)
    workers_.emplace_back([this, m](std::stop_token stop) { work(stop, m); });
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
  thread_ids_[member] = current_thread_id();  // read by run()'s caller after the first run()
  Waiter waiter(wait_);
  if (cpus_[member] >= 0) {
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
    execute(member);
    if (pending_.load(std::memory_order_relaxed) == 1) wait_.stamp_wake();  // likely the last
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

void Team::dispatch(Trampoline fn, void* job) {
  fn_ = fn;
  job_ = job;
  pending_.store(size_ - 1, std::memory_order_relaxed);
  wait_.stamp_wake();
  generation_.fetch_add(1, std::memory_order_release);  // publishes fn_, job_ and pending_
  generation_.notify_all();
  execute(0);
  for (std::uint32_t left = pending_.load(std::memory_order_acquire); left != 0;
       left = pending_.load(std::memory_order_acquire)) {
    caller_waiter_.wait(pending_, left,
                        [&] { return pending_.load(std::memory_order_acquire) != left; });
  }
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

}  // namespace parkit::exec
