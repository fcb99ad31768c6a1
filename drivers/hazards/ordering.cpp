// SPDX-License-Identifier: MIT
// ordering: two threads each take two locks, add 1 to a count both guard, and let go, N times.
//   opposite-order  thread 0 takes a then b, thread 1 b then a, and the two meet (a barrier)
//                   between their first lock and their second: each holds one lock and waits for
//                   the other. A deadlock, every time, by construction rather than by luck.
//   same-order      both take a then b (a lock order): no deadlock can form
//   scoped-lock     thread 0 std::scoped_lock(a, b), thread 1 std::scoped_lock(b, a): opposite
//                   orders, and std::lock's avoidance algorithm still takes both safely
// A watchdog (a third member of the team) watches the count. When it has not moved for
// --watchdog-ms while the lockers still run, the watchdog declares a deadlock; the lockers, which
// wait for their second lock by trying it every 50 us, then give up and release what they hold.
// (try_lock rather than timed_mutex::try_lock_for: GCC 12's ThreadSanitizer does not see the
// pthread_mutex_clocklock under the latter, and reports every unlock after it as a bug.) So a
// deadlock is reported and the run goes on, instead of hanging. In the variants that cannot
// deadlock the watchdog makes no one give up (a stall there is the machine's, not a deadlock).
#include <fmt/format.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <mutex>
#include <thread>

#include "drivers/hazards/scenario.hpp"
#include "parkit/exec/team.hpp"

namespace parkit::hazards {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto watch_every = std::chrono::milliseconds(1);
constexpr auto retry_every = std::chrono::microseconds(50);  // a waiter's try of its second lock
constexpr unsigned watchdog_member = 2;

enum class Order { opposite, same, scoped };

template <Order order>
class Ordering final : public HazardExperiment {
 public:
  explicit Ordering(const Options& o)
      : ops_(o.ops), watchdog_(o.watchdog), team_(3, exec::Bind::none) {}

  void prepare() override {
    count_.store(0);
    lockers_done_.store(0);
    give_up_.store(false);
    deadlocks_.store(0);
  }
  void execute() override {
    auto job = [this](unsigned member) {
      if (member == watchdog_member) {
        watch();
      } else {
        lock_repeatedly(member);
        lockers_done_.fetch_add(1);
      }
    };
    team_.run(job);
  }
  [[nodiscard]] std::int64_t ops_total() const override { return 2 * ops_; }
  void describe(results::HazardRecord& record) const override { record.threads = 2; }
  [[nodiscard]] Outcome outcome() override {
    return {ops_total(), count_.load(), deadlocks_.load()};
  }
  [[nodiscard]] std::string explanation() const override {
    return fmt::format(
        "each thread held one lock and waited for the other; the watchdog saw no progress for "
        "{} ms and made both let go",
        watchdog_.count());
  }

 private:
  static constexpr bool can_deadlock = order == Order::opposite;

  void lock_repeatedly(unsigned member) {
    std::mutex& first = member == 0 || order == Order::same ? a_ : b_;
    std::mutex& second = &first == &a_ ? b_ : a_;
    // Once a deadlock was declared, no one starts another pair: the other locker may be gone
    // (given up), and the one that got its second lock as the other let go must not wait for
    // it at the next meeting.
    for (std::int64_t i = 0; i < ops_ && !give_up_.load(); ++i) {
      if constexpr (order == Order::scoped) {
        const std::scoped_lock both(first, second);  // opposite orders on the two threads
        count_.fetch_add(1, std::memory_order_relaxed);
      } else {
        first.lock();
        if constexpr (can_deadlock) meet_.arrive_and_wait();  // both now hold their first lock
        if (!take_or_give_up(second)) {
          first.unlock();
          return;
        }
        count_.fetch_add(1, std::memory_order_relaxed);
        second.unlock();
        first.unlock();
      }
    }
  }

  /// Takes `lock`, retrying; false when the watchdog declared a deadlock meanwhile.
  bool take_or_give_up(std::mutex& lock) {
    while (!lock.try_lock()) {
      if (give_up_.load()) {
        if (deadlocks_.load() == 0) deadlocks_.store(1);  // one deadlock, however many saw it
        return false;
      }
      std::this_thread::sleep_for(retry_every);
    }
    return true;
  }

  void watch() {
    std::int64_t last = count_.load();
    auto since = Clock::now();
    while (lockers_done_.load() < 2) {
      std::this_thread::sleep_for(watch_every);
      const std::int64_t now = count_.load();
      if (now != last) {
        last = now;
        since = Clock::now();
      } else if (Clock::now() - since > watchdog_) {
        if (can_deadlock) give_up_.store(true);
        since = Clock::now();
      }
    }
  }

  std::int64_t ops_;
  std::chrono::milliseconds watchdog_;
  exec::Team team_;
  std::mutex a_;
  std::mutex b_;
  std::barrier<> meet_{2};
  std::atomic<std::int64_t> count_{0};
  std::atomic<int> lockers_done_{0};
  std::atomic<bool> give_up_{false};
  std::atomic<std::int64_t> deadlocks_{0};
};

template <class V>
std::unique_ptr<HazardExperiment> make(const Options& o) {
  return std::make_unique<V>(o);
}

}  // namespace

Scenario ordering_scenario() {
  return {"ordering",
          "two threads take the same two locks N times: can they deadlock, and what avoids it?",
          "deadlocks",
          "lock pairs per thread",
          100'000,
          {{"opposite-order", "threads", false,
            "a then b on one thread, b then a on the other, meeting between the two: a deadlock, "
            "seen and undone by the watchdog",
            make<Ordering<Order::opposite>>},
           {"same-order", "threads", true, "both threads take a then b: one lock order",
            make<Ordering<Order::same>>},
           {"scoped-lock", "threads", true,
            "std::scoped_lock(a, b) and std::scoped_lock(b, a): std::lock avoids the deadlock",
            make<Ordering<Order::scoped>>}}};
}

}  // namespace parkit::hazards
