// SPDX-License-Identifier: MIT
#include "exec/team.hpp"

#include <utility>

namespace parkit::exec {
namespace {

// Spin briefly before sleeping: a futex wake costs tens of microseconds, which would dominate
// short reps; spinning long would steal the core from an oversubscribed sibling.
constexpr int spin_iterations = 4000;

template <class Pred>
void spin_then_wait(const std::atomic<std::uint32_t>& a, std::uint32_t old, Pred done) {
  for (int i = 0; i < spin_iterations; ++i) {
    if (done()) return;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  while (!done()) a.wait(old, std::memory_order_acquire);
}

}  // namespace

Team::Team(unsigned size, Bind bind) : size_(size == 0 ? 1 : size) {
  const std::vector<int> allowed = allowed_cpus();
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
    spin_then_wait(generation_, seen,
                   [&] { return generation_.load(std::memory_order_acquire) != seen; });
    seen = generation_.load(std::memory_order_acquire);
    if (stop.stop_requested()) return;
    execute(member);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

void Team::dispatch(Trampoline fn, void* job) {
  fn_ = fn;
  job_ = job;
  pending_.store(size_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);  // publishes fn_, job_ and pending_
  generation_.notify_all();
  execute(0);
  for (std::uint32_t left = pending_.load(std::memory_order_acquire); left != 0;
       left = pending_.load(std::memory_order_acquire)) {
    spin_then_wait(pending_, left,
                   [&] { return pending_.load(std::memory_order_acquire) != left; });
  }
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

}  // namespace parkit::exec
