// SPDX-License-Identifier: MIT
// counter: T threads each add 1 to a shared count N times; a correct count is T x N (the
// lessons' counter raced by two threads). Lost updates = T x N - the count.
//   unsynchronized  load, add, store (relaxed std::atomic: a real race on the value, and no
//                   undefined behaviour, so the program stays correct C++ and TSan-clean)
//   mutex           std::mutex around ++count
//   atomic          fetch_add
//   partials        the unsynchronized instructions, each thread on its own cache line, the
//                   partial counts added at the end: what no sharing costs
#include <atomic>
#include <mutex>
#include <vector>

#include "drivers/hazards/scenario.hpp"
#include "parkit/exec/team.hpp"

namespace parkit::hazards {
namespace {

constexpr std::size_t cache_line = 64;

/// A count on a cache line of its own.
struct alignas(cache_line) Slot {
  std::atomic<std::int64_t> value{0};
};

/// The part every counter variant shares: T workers, N increments each, the count checked.
class Counter : public HazardExperiment {
 public:
  explicit Counter(const Options& o)
      : threads_(o.threads),
        ops_(o.ops),
        team_(static_cast<unsigned>(o.threads), exec::Bind::none) {}

  void execute() final {
    auto job = [this](unsigned member) { increment(member, ops_); };
    team_.run(job);
  }
  [[nodiscard]] std::int64_t ops_total() const final { return threads_ * ops_; }
  void describe(results::HazardRecord& record) const final { record.threads = threads_; }
  [[nodiscard]] Outcome outcome() final {
    const std::int64_t counted = count();
    return {ops_total(), counted, ops_total() - counted};
  }

 protected:
  /// Member `member` adds 1, `times` times.
  virtual void increment(unsigned member, std::int64_t times) = 0;
  [[nodiscard]] virtual std::int64_t count() = 0;

 private:
  int threads_;
  std::int64_t ops_;
  exec::Team team_;
};

class Unsynchronized final : public Counter {
 public:
  using Counter::Counter;
  void prepare() override { shared_.value.store(0); }

 private:
  void increment(unsigned, std::int64_t times) override {
    for (std::int64_t i = 0; i < times; ++i)  // another thread's store between these two is lost
      shared_.value.store(shared_.value.load(std::memory_order_relaxed) + 1,
                          std::memory_order_relaxed);
  }
  std::int64_t count() override { return shared_.value.load(); }
  Slot shared_;
};

class Locked final : public Counter {
 public:
  using Counter::Counter;
  void prepare() override { value_ = 0; }

 private:
  void increment(unsigned, std::int64_t times) override {
    for (std::int64_t i = 0; i < times; ++i) {
      const std::lock_guard lock(mutex_);
      ++value_;
    }
  }
  std::int64_t count() override { return value_; }
  std::mutex mutex_;
  std::int64_t value_ = 0;  // guarded by mutex_
};

class Atomic final : public Counter {
 public:
  using Counter::Counter;
  void prepare() override { shared_.value.store(0); }

 private:
  void increment(unsigned, std::int64_t times) override {
    for (std::int64_t i = 0; i < times; ++i) shared_.value.fetch_add(1, std::memory_order_relaxed);
  }
  std::int64_t count() override { return shared_.value.load(); }
  Slot shared_;
};

class Partials final : public Counter {
 public:
  explicit Partials(const Options& o) : Counter(o), partial_(static_cast<std::size_t>(o.threads)) {}
  void prepare() override {
    for (auto& p : partial_) p.value.store(0);
  }

 private:
  void increment(unsigned member, std::int64_t times) override {
    Slot& mine = partial_[member];
    for (std::int64_t i = 0; i < times; ++i)  // the same instructions as unsynchronized
      mine.value.store(mine.value.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  std::int64_t count() override {
    std::int64_t total = 0;
    for (const auto& p : partial_) total += p.value.load();
    return total;
  }
  std::vector<Slot> partial_;
};

template <class V>
std::unique_ptr<HazardExperiment> make(const Options& o) {
  return std::make_unique<V>(o);
}

}  // namespace

Scenario counter_scenario() {
  return {"counter",
          "T threads each add 1 to one count N times: are T x N counted?",
          "lost updates",
          "increments per thread",
          10'000'000,
          {{"unsynchronized", "threads", false,
            "load, add 1, store: two threads that load the same value lose an update",
            make<Unsynchronized>},
           {"mutex", "threads", true, "std::mutex around ++count", make<Locked>},
           {"atomic", "threads", true, "fetch_add on one std::atomic", make<Atomic>},
           {"partials", "threads", true,
            "each thread counts on its own cache line; the partial counts are added at the end",
            make<Partials>}}};
}

}  // namespace parkit::hazards
