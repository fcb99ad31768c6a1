// SPDX-License-Identifier: MIT
// queue: P producers put N items each (ids 0 .. P*N-1) into a bounded queue, C consumers take
// them until the producers are done: is every item consumed exactly once? Each consumer logs
// what it got; afterwards (outside the timed region) every id is checked off: missing and
// duplicated ids are the anomalies. Two ways to tell the consumers there is no more:
//   *-sentinel  the last producer puts one end marker per consumer (the lessons' None)
//   *-shutdown  the last producer shuts the queue: gets drain what is left, then end
// on two runtimes: threads (a std::mutex and two condition variables) and coroutines on one
// thread (aio::queue, asyncio.Queue's semantics).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <vector>

#include "drivers/hazards/scenario.hpp"
#include "drivers/io/aio.hpp"
#include "parkit/exec/team.hpp"

namespace parkit::hazards {
namespace {

namespace asio = boost::asio;

constexpr std::int64_t end_marker = -1;  // never an item id

/// A bounded FIFO between threads. Written here because the standard library has no blocking
/// queue (and Boost's lock-free queues do not block: a consumer would spin); the mutex and the
/// two condition variables are the lesson.
class BlockingQueue {
 public:
  explicit BlockingQueue(std::size_t capacity) : capacity_(capacity) {}

  /// Waits while full; false when the queue is shut (the item is not taken).
  bool put(std::int64_t item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return shut_ || items_.size() < capacity_; });
    if (shut_) return false;
    items_.push_back(item);
    lock.unlock();
    not_empty_.notify_one();
    return true;
  }
  /// Waits while empty and open; nullopt once shut and drained.
  std::optional<std::int64_t> get() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return shut_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    const std::int64_t item = items_.front();
    items_.pop_front();
    lock.unlock();
    not_full_.notify_one();
    return item;
  }
  /// No more puts; gets take what is left, then end.
  void shut() {
    {
      const std::lock_guard lock(mutex_);
      shut_ = true;
    }
    not_empty_.notify_all();
    not_full_.notify_all();
  }
  void reopen() {
    const std::lock_guard lock(mutex_);
    shut_ = false;
    items_.clear();
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<std::int64_t> items_;  // guarded by mutex_
  bool shut_ = false;               // guarded by mutex_
};

enum class Ending { sentinel, shutdown };

/// What both runtimes share: the counts, the consumers' logs and the check.
class QueueScenario : public HazardExperiment {
 public:
  explicit QueueScenario(const Options& o)
      : producers_(o.producers),
        consumers_(o.consumers),
        per_producer_(o.ops),
        capacity_(static_cast<std::size_t>(o.capacity)),
        got_(static_cast<std::size_t>(o.consumers)) {
    for (auto& log : got_) log.reserve(static_cast<std::size_t>(items()));
  }

  void prepare() override {
    for (auto& log : got_) log.clear();
  }
  [[nodiscard]] std::int64_t ops_total() const final { return items(); }
  void describe(results::HazardRecord& record) const final {
    record.threads = producers_ + consumers_;
    record.producers = producers_;
    record.consumers = consumers_;
    record.capacity = static_cast<int>(capacity_);
  }
  [[nodiscard]] Outcome outcome() final {
    std::vector<std::uint8_t> seen(static_cast<std::size_t>(items()), 0);
    std::int64_t taken = 0, strays = 0;
    for (const auto& log : got_) {
      taken += static_cast<std::int64_t>(log.size());
      for (const std::int64_t id : log) {
        if (id < 0 || id >= items())
          ++strays;  // an end marker or garbage taken as an item
        else if (seen[static_cast<std::size_t>(id)] < 255)
          ++seen[static_cast<std::size_t>(id)];
      }
    }
    std::int64_t missing = 0, duplicated = 0;
    for (const std::uint8_t times : seen) {
      if (times == 0) ++missing;
      if (times > 1) duplicated += times - 1;
    }
    return {items(), taken, missing + duplicated + strays};
  }

 protected:
  [[nodiscard]] std::int64_t items() const noexcept { return producers_ * per_producer_; }
  [[nodiscard]] std::int64_t item_id(int producer, std::int64_t k) const noexcept {
    return producer * per_producer_ + k;
  }

  int producers_;
  int consumers_;
  std::int64_t per_producer_;
  std::size_t capacity_;
  std::vector<std::vector<std::int64_t>> got_;  ///< per consumer, in the order taken
};

template <Ending ending>
class OnThreads final : public QueueScenario {
 public:
  explicit OnThreads(const Options& o)
      : QueueScenario(o),
        queue_(capacity_),
        team_(static_cast<unsigned>(o.producers + o.consumers), exec::Bind::none) {}

  void prepare() override {
    QueueScenario::prepare();
    queue_.reopen();
    producers_left_.store(producers_);
  }
  void execute() override {
    auto job = [this](unsigned member) {
      const int m = static_cast<int>(member);
      if (m < producers_)
        produce(m);
      else
        consume(got_[static_cast<std::size_t>(m - producers_)]);
    };
    team_.run(job);
  }

 private:
  void produce(int producer) {
    for (std::int64_t k = 0; k < per_producer_; ++k) queue_.put(item_id(producer, k));
    if (producers_left_.fetch_sub(1) != 1) return;  // the last producer ends it
    if constexpr (ending == Ending::sentinel) {
      for (int c = 0; c < consumers_; ++c) queue_.put(end_marker);
    } else {
      queue_.shut();
    }
  }
  void consume(std::vector<std::int64_t>& log) {
    for (;;) {
      const std::optional<std::int64_t> item = queue_.get();
      if (!item || *item == end_marker) return;
      log.push_back(*item);
    }
  }

  BlockingQueue queue_;
  std::atomic<int> producers_left_{0};
  exec::Team team_;
};

template <Ending ending>
class OnCoroutines final : public QueueScenario {
 public:
  explicit OnCoroutines(const Options& o) : QueueScenario(o) {}

  void execute() override {
    aio::queue<std::int64_t> queue(context_.get_executor(), capacity_);
    int producers_left = producers_;
    std::exception_ptr failure;
    const auto keep_first = [&failure](std::exception_ptr e) {
      if (e && !failure) failure = e;
    };
    for (int p = 0; p < producers_; ++p)
      asio::co_spawn(context_, produce(queue, p, producers_left), keep_first);
    for (auto& log : got_) asio::co_spawn(context_, consume(queue, log), keep_first);
    context_.run();
    context_.restart();
    if (failure) std::rethrow_exception(failure);
  }

 private:
  asio::awaitable<void> produce(aio::queue<std::int64_t>& queue, int producer, int& left) {
    for (std::int64_t k = 0; k < per_producer_; ++k) co_await queue.put(item_id(producer, k));
    if (--left != 0) co_return;  // the last producer ends it
    if constexpr (ending == Ending::sentinel) {
      for (int c = 0; c < consumers_; ++c) co_await queue.put(end_marker);
    } else {
      queue.shutdown();  // graceful: what is queued is still got
    }
  }
  static asio::awaitable<void> consume(aio::queue<std::int64_t>& queue,
                                       std::vector<std::int64_t>& log) {
    for (;;) {
      std::int64_t item = end_marker;
      try {
        item = co_await queue.get();
      } catch (const aio::queue_shut_down&) {
        co_return;  // shut down and drained
      }
      if (item == end_marker) co_return;
      log.push_back(item);
    }
  }

  asio::io_context context_{1};
};

template <class V>
std::unique_ptr<HazardExperiment> make(const Options& o) {
  return std::make_unique<V>(o);
}

}  // namespace

Scenario queue_scenario() {
  return {"queue",
          "P producers put N items each, C consumers take them: is every item consumed once?",
          "items missing or duplicated",
          "items per producer",
          200'000,
          {{"threads-sentinel", "threads", true,
            "std::mutex + two condition variables; the last producer puts one end marker per "
            "consumer",
            make<OnThreads<Ending::sentinel>>},
           {"threads-shutdown", "threads", true,
            "std::mutex + two condition variables; the last producer shuts the queue, consumers "
            "drain it",
            make<OnThreads<Ending::shutdown>>},
           {"coroutines-sentinel", "coroutines", true,
            "aio::queue (asyncio.Queue) on one thread; one end marker per consumer",
            make<OnCoroutines<Ending::sentinel>>},
           {"coroutines-shutdown", "coroutines", true,
            "aio::queue on one thread; queue.shutdown(), consumers drain it (Python 3.13's "
            "QueueShutDown)",
            make<OnCoroutines<Ending::shutdown>>}}};
}

}  // namespace parkit::hazards
