// SPDX-License-Identifier: MIT
// The lessons' thread hazards as measured scenarios (`parkit hazards`): each scenario has
// variants that go wrong (a counter raced by two threads, a check-then-act that oversells, two
// locks taken in opposite orders) and variants that cannot (a mutex, an atomic, a compare-and-
// swap, per-thread partials, std::scoped_lock), and every variant is run under the one timing
// protocol (measure::measure) with what went wrong counted after every execution. Workers are
// the threads model's team (exec::Team), or coroutines on one io_context.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "parkit/exec/group.hpp"
#include "parkit/measure/protocol.hpp"
#include "parkit/results/hazard_record.hpp"

namespace parkit::hazards {

struct Options {
  int threads = 2;       ///< workers (counter, booking, ordering)
  std::int64_t ops = 0;  ///< per worker (booking: the stock); 0: the scenario's default
  int producers = 2;     ///< queue
  int consumers = 2;     ///< queue
  int capacity = 64;     ///< queue: its bound
  std::chrono::milliseconds watchdog{200};  ///< ordering: no progress this long is a deadlock
  int reps = 5;
  int warmup = 1;
};

/// What one execution of a variant ended with.
struct Outcome {
  std::int64_t expected = 0;   ///< what a correct execution ends with
  std::int64_t observed = 0;   ///< what this one ended with
  std::int64_t anomalies = 0;  ///< how many went wrong (lost updates, tickets oversold, ...)
};

/// One variant of a scenario, set up (its workers started) and ready to be timed. After every
/// execution verify() asks the variant what it ended with and keeps it, so that every rep's
/// anomalies are recorded, not just whether there were any.
class HazardExperiment : public measure::Experiment {
 public:
  /// Operations one execution performs, all workers together (the denominator of ns/op).
  [[nodiscard]] virtual std::int64_t ops_total() const = 0;
  /// What the last execution ended with (called once after each, outside the timed region).
  [[nodiscard]] virtual Outcome outcome() = 0;
  /// A sentence on what happened when there were anomalies, e.g. how a deadlock was seen.
  [[nodiscard]] virtual std::string explanation() const { return {}; }
  /// Fills the record's shape: threads (the workers this variant really runs), and for the
  /// queue its producers, consumers and capacity.
  virtual void describe(results::HazardRecord& record) const = 0;

  measure::Verification verify() final;
  exec::Group& group() final { return group_; }
  /// Every execution's outcome, warm-up first.
  [[nodiscard]] const std::vector<Outcome>& history() const noexcept { return history_; }

 private:
  exec::SelfGroup group_;
  std::vector<Outcome> history_;
};

/// Makes a team's members start their loops together. The team wakes its members one after
/// another (a sleeping one takes tens of microseconds to wake), and a loop of 10 million
/// relaxed increments takes a few milliseconds here: without this the threads of a race often
/// do not even overlap. Members spin (they are about to run anyway), yielding now and then so
/// that an oversubscribed member still gets to arrive. Reusable: the count resets each round.
class StartLine {
 public:
  explicit StartLine(int members) : members_(members) {}
  void arrive_and_wait() {
    const int round = round_.load();
    if (arrived_.fetch_add(1) + 1 == members_) {
      arrived_.store(0);
      round_.fetch_add(1);  // everyone may go
      return;
    }
    for (int spins = 0; round_.load() == round; ++spins)
      if (spins % 1024 == 1023) std::this_thread::yield();
  }

 private:
  int members_;
  std::atomic<int> arrived_{0};
  std::atomic<int> round_{0};
};

struct Variant {
  std::string_view name;
  std::string_view runtime;  ///< threads | coroutines
  bool expected_safe;        ///< false: the variant is there to show the hazard
  std::string_view summary;  ///< what it does, in a line
  std::unique_ptr<HazardExperiment> (*make)(const Options&);
};

struct Scenario {
  std::string_view name;
  std::string_view summary;
  std::string_view anomaly;      ///< what is counted, plural: "lost updates"
  std::string_view ops_meaning;  ///< what --ops counts: "increments per thread"
  std::int64_t default_ops;
  std::vector<Variant> variants;
};

// One file each (counter.cpp, booking.cpp, queue.cpp, ordering.cpp).
[[nodiscard]] Scenario counter_scenario();
[[nodiscard]] Scenario booking_scenario();
[[nodiscard]] Scenario queue_scenario();
[[nodiscard]] Scenario ordering_scenario();

/// Every scenario, in the order `parkit list` shows them.
[[nodiscard]] const std::vector<Scenario>& scenarios();
[[nodiscard]] const Scenario* find_scenario(std::string_view name);
[[nodiscard]] const Variant* find_variant(const Scenario& scenario, std::string_view name);

/// `options` with the scenario's default ops filled in when none were given.
[[nodiscard]] Options resolved(const Scenario& scenario, Options options);

/// Runs one variant under the timing protocol (warm-up, reps, each execution's outcome kept)
/// and records it: times, ns/op, every rep's expected/observed/anomalies, a verdict.
[[nodiscard]] results::HazardRecord run_variant(const Scenario& scenario, const Variant& variant,
                                                const Options& options,
                                                const measure::RepDone& on_rep = {});

}  // namespace parkit::hazards
