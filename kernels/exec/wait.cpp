// SPDX-License-Identifier: MIT
#include "parkit/exec/wait.hpp"

#include <fcntl.h>
#include <sched.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace parkit::exec {
namespace {

using std::chrono::nanoseconds;

// Until a sleeper has measured one: between a futex wake-up on bare metal (10-50 us) and in a VM
// (100 us to a scheduler slice, when the woken thread lands on its waker's busy CPU).
constexpr std::int64_t wake_cost_prior_ns = 200'000;
// A measured wake outside this is not a wake-up (a stale stamp, a stopped process).
constexpr std::int64_t wake_cost_max_ns = 20'000'000;
// How often a spinning waiter looks whether its CPU is wanted: a getrusage and a pread of
// /proc/loadavg cost ~2 us, 4 % of the spin they guard.
constexpr std::int64_t contention_check_ns = 50'000;
// The spin covers recent gaps up to this many wake costs; a longer gap sleeps (it costs a wake,
// which is then under a tenth of the gap).
constexpr std::int64_t gap_cover_in_wake_costs = 10;
// Two involuntary switches this close are someone else's work on the CPU, not a kernel thread's
// turn (a busy process takes the CPU every scheduler slice, a few ms).
constexpr std::int64_t repeat_switch_window_ns = 20'000'000;
// After contention: no spin for 1 ms << level, up to 1 s, then one probe.
constexpr int max_backoff_level = 10;
// Yields (oversubscribed by the team's own threads) before sleeping: each lets a sibling run.
constexpr int yields_before_sleep = 4;

std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

long involuntary_switches_of_this_thread() noexcept {
  rusage usage{};
  if (getrusage(RUSAGE_THREAD, &usage) != 0) return -1;
  return usage.ru_nivcsw;
}

}  // namespace

std::string_view to_string(WaitPolicy p) noexcept {
  switch (p) {
    case WaitPolicy::active:
      return "active";
    case WaitPolicy::passive:
      return "passive";
    case WaitPolicy::adaptive:
      break;
  }
  return "auto";
}

std::optional<WaitPolicy> parse_wait_policy(std::string_view s) {
  const std::string v(s);
  if (strcasecmp(v.c_str(), "active") == 0) return WaitPolicy::active;
  if (strcasecmp(v.c_str(), "passive") == 0) return WaitPolicy::passive;
  if (strcasecmp(v.c_str(), "auto") == 0) return WaitPolicy::adaptive;
  return std::nullopt;
}

WaitPolicy wait_policy_from_environment() {
  if (const char* own = std::getenv("PARKIT_WAIT"); own != nullptr && *own != '\0') {
    if (auto p = parse_wait_policy(own)) return *p;
    throw std::invalid_argument(std::string("PARKIT_WAIT='") + own +
                                "' names no wait policy: use active, passive or auto");
  }
  if (const char* omp = std::getenv("OMP_WAIT_POLICY"))
    return parse_wait_policy(omp).value_or(WaitPolicy::adaptive);
  return WaitPolicy::adaptive;
}

WaitState::WaitState(WaitPolicy policy, bool own_threads_oversubscribed)
    : policy_(policy),
      oversubscribed_(own_threads_oversubscribed),
      online_cpus_(sysconf(_SC_NPROCESSORS_ONLN)),
      wake_cost_ns_(wake_cost_prior_ns) {
  if (policy_ == WaitPolicy::adaptive) loadavg_fd_ = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
}

WaitState::~WaitState() {
  if (loadavg_fd_ >= 0) close(loadavg_fd_);
}

void WaitState::stamp_wake() noexcept { wake_stamp_ns_.store(now_ns(), std::memory_order_relaxed); }

nanoseconds WaitState::wake_cost() const noexcept {
  return nanoseconds(wake_cost_ns_.load(std::memory_order_relaxed));
}

bool WaitState::spinning_allowed(std::int64_t now) const noexcept {
  return !oversubscribed_ && now >= no_spin_until_ns_.load(std::memory_order_relaxed);
}

void WaitState::learn_wake(std::int64_t sample) noexcept {
  if (sample <= 0 || sample > wake_cost_max_ns) return;
  // A moving average that rises fast (half way to a dearer wake: each one it misses costs a
  // slow rep) and falls slowly (over ~8 wakes). Members race here; a lost update loses one
  // sample, never corrupts the estimate.
  const std::int64_t old = wake_cost_ns_.load(std::memory_order_relaxed);
  wake_cost_ns_.store(old + (sample - old) / (sample > old ? 2 : 8), std::memory_order_relaxed);
}

void WaitState::note_contention(std::int64_t now) noexcept {
  const int level = std::min(backoff_level_.load(std::memory_order_relaxed) + 1, max_backoff_level);
  backoff_level_.store(level, std::memory_order_relaxed);
  no_spin_until_ns_.store(now + (std::int64_t{1'000'000} << (level - 1)),
                          std::memory_order_relaxed);
}

void WaitState::note_calm() noexcept {
  if (backoff_level_.load(std::memory_order_relaxed) > 0)
    backoff_level_.fetch_sub(1, std::memory_order_relaxed);
}

bool WaitState::node_overloaded() const noexcept {
  // /proc/loadavg: "0.39 1.64 1.96 3/86 20622": the 4th field's first number is the tasks
  // running or runnable right now, the reader included.
  if (loadavg_fd_ < 0 || online_cpus_ <= 0) return false;
  char text[128];
  const ssize_t got = pread(loadavg_fd_, text, sizeof text - 1, 0);
  if (got <= 0) return false;
  const std::string_view line(text, static_cast<std::size_t>(got));
  std::size_t field = 0;
  for (int spaces = 0; spaces < 3 && field != std::string_view::npos; ++spaces)
    field = line.find(' ', field == 0 ? 0 : field + 1);
  if (field == std::string_view::npos) return false;
  long runnable = 0;
  const auto [end, ec] =
      std::from_chars(line.data() + field + 1, line.data() + line.size(), runnable);
  return ec == std::errc() && runnable > online_cpus_;
}

bool Waiter::sibling_on_my_cpu() const noexcept {
  if (cpu_ < 0) return false;
  for (std::size_t m = 0; m < member_cpus_.size(); ++m)
    if (m != member_ && member_cpus_[m].load(std::memory_order_relaxed) == cpu_) return true;
  return false;
}

void Waiter::move_off_crowded_cpu() noexcept {
  cpu_set_t elsewhere;
  CPU_ZERO(&elsewhere);
  cpu_set_t all;
  CPU_ZERO(&all);
  int free_cpus = 0;
  for (int cpu : movable_to_) {
    CPU_SET(static_cast<std::size_t>(cpu), &all);
    bool taken = cpu == cpu_;
    for (const auto& member_cpu : member_cpus_)
      taken = taken || member_cpu.load(std::memory_order_relaxed) == cpu;
    if (!taken) {
      CPU_SET(static_cast<std::size_t>(cpu), &elsewhere);
      ++free_cpus;
    }
  }
  if (free_cpus == 0) return;
  // The kernel moves a thread off a CPU its affinity no longer has at once; given all its CPUs
  // back, it stays where it is until the scheduler has a reason to move it.
  if (sched_setaffinity(0, sizeof elsewhere, &elsewhere) != 0) return;
  static_cast<void>(sched_setaffinity(0, sizeof all, &all));
  cpu_ = sched_getcpu();
  member_cpus_[member_].store(cpu_, std::memory_order_relaxed);
  // The move itself switches this thread out (the migration thread takes the CPU): that switch
  // is this waiter's own doing, not another process wanting the CPU.
  if (involuntary_switches_ >= 0) involuntary_switches_ = involuntary_switches_of_this_thread();
}

bool Waiter::switched_out_again(std::int64_t now) noexcept {
  // One switch is a kernel thread's turn; a process that shares the CPU takes it every slice.
  const bool again = now - last_switched_out_ns_ <= repeat_switch_window_ns;
  last_switched_out_ns_ = now;
  return again;
}

void Waiter::note_my_cpu() noexcept {
  cpu_ = sched_getcpu();
  if (member_ < member_cpus_.size()) member_cpus_[member_].store(cpu_, std::memory_order_relaxed);
  if (!movable_to_.empty() && sibling_on_my_cpu()) move_off_crowded_cpu();
}

void Waiter::woken() noexcept {
  if (shared_->policy() == WaitPolicy::adaptive && !movable_to_.empty()) note_my_cpu();
}

bool Waiter::cpu_taken(SpinWatch& watch) noexcept {
  const long switches = involuntary_switches_of_this_thread();
  const bool lost_cpu =
      involuntary_switches_ >= 0 && switches > involuntary_switches_ && !sibling_on_my_cpu();
  const bool switched_out = lost_cpu && switched_out_again(now_ns());
  involuntary_switches_ = switches;
  watch.lost_cpu = watch.lost_cpu || lost_cpu;
  // /proc/loadavg alone is not evidence: on recent kernels (6.x, EEVDF's delayed dequeue) it
  // counts 1-2 phantom runnable tasks for milliseconds on a quiet node, which made a waiter
  // stop spinning and then be woken onto its waker's busy CPU. Overloaded twice in a row counts
  // only once this spin has also lost its CPU to someone.
  const bool overloaded = shared_->node_overloaded();
  const bool taken = switched_out || (overloaded && watch.overload_seen && watch.lost_cpu);
  watch.overload_seen = overloaded;
  return taken;
}

void Waiter::remember_gap(std::int64_t gap) noexcept {
  gaps_ns_[gaps_seen_++ % gaps_ns_.size()] = gap;
}

std::int64_t Waiter::spin_limit_ns(std::int64_t now) const noexcept {
  switch (shared_->policy()) {
    case WaitPolicy::active:
      return INT64_MAX;
    case WaitPolicy::passive:
      return 0;
    case WaitPolicy::adaptive:
      break;
  }
  if (!shared_->spinning_allowed(now)) return 0;
  const std::int64_t wake = shared_->wake_cost_ns_.load(std::memory_order_relaxed);
  const std::int64_t cover = gap_cover_in_wake_costs * wake;
  if (gaps_seen_ == 0) return cover;  // the first wait: the first job is usually close behind
  std::int64_t longest_covered = 0;
  const std::size_t known = std::min(gaps_seen_, gaps_ns_.size());
  for (std::size_t i = 0; i < known; ++i)
    if (gaps_ns_[i] <= cover) longest_covered = std::max(longest_covered, gaps_ns_[i]);
  return std::clamp(longest_covered + longest_covered / 2, wake, cover);
}

void Waiter::wait_slow(const std::atomic<std::uint32_t>& word, std::uint32_t old, Check done,
                       const void* ctx) {
  const std::int64_t start = now_ns();
  const bool adaptive = shared_->policy() == WaitPolicy::adaptive;
  if (adaptive) note_my_cpu();
  if (adaptive && involuntary_switches_ >= 0) {
    // Switched out against its will since the last wait (while working), and not by a sibling:
    // another process wants this CPU.
    const long switches = involuntary_switches_of_this_thread();
    if (switches > involuntary_switches_ && !sibling_on_my_cpu() && switched_out_again(start))
      shared_->note_contention(start);
    involuntary_switches_ = switches;
  }
  const std::int64_t limit = spin_limit_ns(start);
  if (limit > 0) {
    const std::int64_t until = limit == INT64_MAX ? INT64_MAX : start + limit;
    std::int64_t next_check = start + contention_check_ns;
    SpinWatch watch;
    for (;;) {
      for (int i = 0; i < 64; ++i) {  // a clock read costs ~20 ns; 64 pauses ~0.7-9 us
        if (done(ctx)) {
          if (adaptive) shared_->note_calm();
          return remember_gap(now_ns() - start);
        }
        cpu_relax();
      }
      const std::int64_t now = now_ns();
      if (now >= until) break;
      if (adaptive && now >= next_check) {
        if (cpu_taken(watch)) {
          shared_->note_contention(now);
          break;
        }
        note_my_cpu();  // the load balancer may have moved this thread
        next_check = now + contention_check_ns;
      }
    }
  }
  if (adaptive && shared_->own_threads_oversubscribed()) {
    for (int i = 0; i < yields_before_sleep; ++i) {
      if (done(ctx)) return remember_gap(now_ns() - start);
      sched_yield();
    }
  }
  const std::int64_t sleep_start = now_ns();
  bool slept = false;
  while (!done(ctx)) {
    word.wait(old, std::memory_order_acquire);
    slept = true;
  }
  const std::int64_t end = now_ns();
  if (slept && adaptive) {
    const std::int64_t stamp = shared_->wake_stamp_ns_.load(std::memory_order_relaxed);
    if (stamp >= sleep_start) shared_->learn_wake(end - stamp);
  }
  if (adaptive && involuntary_switches_ < 0)
    involuntary_switches_ = involuntary_switches_of_this_thread();
  remember_gap(end - start);
}

}  // namespace parkit::exec
