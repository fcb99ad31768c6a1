// SPDX-License-Identifier: MIT
#include "parkit/exec/team.hpp"

#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <utility>

#include "parkit/exec/job.hpp"

namespace parkit::exec {
namespace {

// Spin before sleeping: in this VM a futex wake-up costs ~0.3 ms, which doubled the median of
// 0.2 ms reps (sum_squares n=1e7 on 2 threads: 0.44 ms against OpenMP's 0.17, whose libgomp
// spins ~300 000 pauses). A spin covers the protocol's gap between reps when every thread has
// its own CPU; when the node is oversubscribed a spinning member steals the CPU that a working
// one (of this team or of a sibling rank) needs, so it sleeps almost at once.
// Time-based, not a count of pauses: a pause takes 10 ns on some CPUs and 140 on others.
constexpr auto spin_with_a_cpu_each = std::chrono::milliseconds(2);
constexpr auto spin_oversubscribed = std::chrono::microseconds(20);

template <class Pred>
void spin_then_wait(const std::atomic<std::uint32_t>& a, std::uint32_t old,
                    std::chrono::nanoseconds window, Pred done) {
  const auto until = std::chrono::steady_clock::now() + window;
  for (;;) {
    for (int i = 0; i < 64; ++i) {  // a clock read costs ~20 ns; 64 pauses ~0.7-9 us
      if (done()) return;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    if (std::chrono::steady_clock::now() >= until) break;
  }
  while (!done()) a.wait(old, std::memory_order_acquire);
}

/// How long members spin: long while this team and the node's other ranks have a CPU each, and
/// unless OMP_WAIT_POLICY=passive. The cores may still be shared with another job, which no
/// count shows: then a spinning member holds the CPU the one it waits for needs (5e7 on 2
/// threads beside a busy process: 5 ms per rep against 1.9 on one thread; OpenMP's default
/// spin, 8 ms). The same variable as OpenMP's, because the remedy is the same.
std::chrono::nanoseconds spin_window(unsigned members, std::size_t allowed) {
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  const auto on_node = static_cast<long>(members) * std::max(1, job::node_place().local_ranks);
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  const bool passive = policy != nullptr && strcasecmp(policy, "passive") == 0;
  const bool cpu_each = !passive && members <= allowed && (online <= 0 || on_node <= online);
  return cpu_each ? std::chrono::nanoseconds(spin_with_a_cpu_each)
                  : std::chrono::nanoseconds(spin_oversubscribed);
}

}  // namespace

Team::Team(unsigned size, Bind bind) : size_(size == 0 ? 1 : size) {
  const std::vector<int> allowed = allowed_cpus();
  spin_window_ = spin_window(size_, allowed.size());
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
    spin_then_wait(generation_, seen, spin_window_,
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
    spin_then_wait(pending_, left, spin_window_,
                   [&] { return pending_.load(std::memory_order_acquire) != left; });
  }
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

}  // namespace parkit::exec
