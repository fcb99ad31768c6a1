// SPDX-License-Identifier: MIT
// parkit::aio, asyncio's primitives on Asio coroutines. Every test drives its own io_context by
// hand and asserts orderings and counts, never durations: timers are a few ms from one common
// start (so their order is fixed), and a duration bound appears only as a generous sanity check.
#include "drivers/io/aio.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"  // inside Asio's executors: see aio.hpp
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic ignored "-Wtsan"
#endif
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/io_context.hpp>
#pragma GCC diagnostic pop
#include <chrono>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace aio = parkit::aio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// --- helpers -------------------------------------------------------------------------------

asio::awaitable<void> sleep_until(Clock::time_point when) {
  asio::steady_timer timer(co_await asio::this_coro::executor, when);
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<void> sleep_for(Clock::duration duration) {
  co_await sleep_until(Clock::now() + duration);
}

/// Lets every other ready handler run once.
asio::awaitable<void> yield_once() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
}

/// Runs `context` until it has no work left. Fails instead of hanging if work is still pending
/// after a bound far beyond any test's needs.
void run_to_completion(asio::io_context& context) {
  context.restart();
  context.run_for(30s);
  EXPECT_TRUE(context.stopped()) << "work still pending: a coroutine never finished";
}

/// What a co_spawned coroutine ended with, captured by its completion handler.
template <class T>
struct Outcome {
  bool done = false;
  std::exception_ptr error;
  std::optional<T> value;
};
template <>
struct Outcome<void> {
  bool done = false;
  std::exception_ptr error;
};

template <class T>
void start(asio::io_context& context, asio::awaitable<T> task, Outcome<T>& outcome) {
  if constexpr (std::is_void_v<T>) {
    asio::co_spawn(context, std::move(task), [&outcome](std::exception_ptr error) {
      outcome.done = true;
      outcome.error = error;
    });
  } else {
    asio::co_spawn(context, std::move(task), [&outcome](std::exception_ptr error, T value) {
      outcome.done = true;
      outcome.error = error;
      if (!error) outcome.value = std::move(value);
    });
  }
}

std::string message_of(const std::exception_ptr& error) {
  if (!error) return "";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

bool is_cancellation(const boost::system::system_error& e) {
  return e.code() == asio::error::operation_aborted;
}

asio::awaitable<int> value_at(Clock::time_point when, int value, std::vector<int>* finished) {
  co_await sleep_until(when);
  finished->push_back(value);
  co_return value;
}

asio::awaitable<int> fail_at(Clock::time_point when, std::string what) {
  co_await sleep_until(when);
  throw std::runtime_error(what);
}

asio::awaitable<void> fail_void_at(Clock::time_point when, std::string what) {
  co_await sleep_until(when);
  throw std::runtime_error(what);
}

/// Sleeps for `duration` then sets *finished, unless cancelled first: then counts the abort.
asio::awaitable<void> sleeper(Clock::duration duration, bool* finished, int* aborts) {
  try {
    co_await sleep_for(duration);
    *finished = true;
  } catch (const boost::system::system_error& e) {
    if (is_cancellation(e)) ++*aborts;
    throw;
  }
}

// --- gather ----------------------------------------------------------------------------------

asio::awaitable<std::vector<int>> gather_reverse_finishers(std::vector<int>* finished) {
  const auto begin = Clock::now();
  std::vector<asio::awaitable<int>> tasks;
  tasks.push_back(value_at(begin + 3ms, 1, finished));
  tasks.push_back(value_at(begin + 2ms, 2, finished));
  tasks.push_back(value_at(begin + 1ms, 3, finished));
  co_return co_await aio::gather(co_await asio::this_coro::executor, std::move(tasks));
}

TEST(Gather, ResultsComeInInputOrderWhateverOrderTasksFinish) {
  asio::io_context context;
  std::vector<int> finished;
  Outcome<std::vector<int>> outcome;
  start(context, gather_reverse_finishers(&finished), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  ASSERT_FALSE(outcome.error) << message_of(outcome.error);
  EXPECT_EQ(*outcome.value, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(finished, (std::vector<int>{3, 2, 1}));
}

/// Finishes once `gate` lets it through: only the gather's awaiter opens it, after the error.
asio::awaitable<int> gated_value(aio::semaphore* gate, int value, std::vector<std::string>* log) {
  co_await gate->acquire();
  log->push_back("sibling " + std::to_string(value) + " done");
  co_return value;
}

asio::awaitable<int> fail_soon(std::string what) {
  co_await yield_once();
  throw std::runtime_error(what);
}

asio::awaitable<void> gather_with_failure(aio::semaphore* gate, std::vector<std::string>* log) {
  std::vector<asio::awaitable<int>> tasks;
  tasks.push_back(gated_value(gate, 1, log));
  tasks.push_back(fail_soon("child 2 failed"));
  tasks.push_back(gated_value(gate, 3, log));
  try {
    co_await aio::gather(co_await asio::this_coro::executor, std::move(tasks));
    log->push_back("gather returned");
  } catch (const std::runtime_error& e) {
    log->push_back(std::string("gather threw: ") + e.what());
  }
  gate->release();  // the siblings were not cancelled: they can still finish
  gate->release();
}

TEST(Gather, FirstErrorReachesTheAwaiterAtOnceWhileSiblingsKeepRunning) {
  asio::io_context context;
  aio::semaphore gate(context.get_executor(), 0);
  std::vector<std::string> log;
  Outcome<void> outcome;
  start(context, gather_with_failure(&gate, &log), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  EXPECT_FALSE(outcome.error) << message_of(outcome.error);
  EXPECT_EQ(log, (std::vector<std::string>{"gather threw: child 2 failed", "sibling 1 done",
                                           "sibling 3 done"}));
}

asio::awaitable<void> count_at(Clock::time_point when, int* count) {
  co_await sleep_until(when);
  ++*count;
}

asio::awaitable<int> gather_void_tasks(int* count) {
  const auto begin = Clock::now();
  std::vector<asio::awaitable<void>> tasks;
  for (int i = 3; i > 0; --i) tasks.push_back(count_at(begin + i * 1ms, count));
  co_await aio::gather(co_await asio::this_coro::executor, std::move(tasks));
  co_return *count;  // seen by the awaiter the moment gather returns
}

TEST(Gather, OfVoidTasksWaitsForEveryOne) {
  asio::io_context context;
  int count = 0;
  Outcome<int> outcome;
  start(context, gather_void_tasks(&count), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  ASSERT_FALSE(outcome.error) << message_of(outcome.error);
  EXPECT_EQ(*outcome.value, 3);
}

asio::awaitable<void> gather_under_timeout(bool* finished, int* aborts) {
  std::vector<asio::awaitable<void>> tasks;
  for (int i = 0; i < 3; ++i) tasks.push_back(sleeper(10s, finished, aborts));
  co_await aio::with_timeout(aio::gather(co_await asio::this_coro::executor, std::move(tasks)),
                             2ms);
}

TEST(Gather, CancellingTheAwaiterCancelsAndAwaitsEveryTask) {
  asio::io_context context;
  bool finished = false;
  int aborts = 0;
  Outcome<void> outcome;
  const auto begin = Clock::now();
  start(context, gather_under_timeout(&finished, &aborts), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  EXPECT_THROW(std::rethrow_exception(outcome.error), aio::timeout_error);
  EXPECT_EQ(aborts, 3);
  EXPECT_FALSE(finished);
  EXPECT_LT(Clock::now() - begin, 5s);  // sanity: the 10 s timers were cancelled
}

// --- gather_settled --------------------------------------------------------------------------

struct SettledResults {
  std::vector<aio::Settled<int>> values;
  std::vector<aio::Settled<void>> voids;
};

asio::awaitable<SettledResults> settle_mixed() {
  const auto executor = co_await asio::this_coro::executor;
  const auto begin = Clock::now();
  std::vector<int> finished;
  std::vector<asio::awaitable<int>> tasks;
  tasks.push_back(value_at(begin + 2ms, 1, &finished));
  tasks.push_back(fail_at(begin + 1ms, "two"));
  tasks.push_back(value_at(begin, 3, &finished));
  SettledResults results;
  results.values = co_await aio::gather_settled(executor, std::move(tasks));
  std::vector<asio::awaitable<void>> void_tasks;
  void_tasks.push_back(fail_void_at(begin, "void failed"));
  void_tasks.push_back(sleep_until(begin));
  results.voids = co_await aio::gather_settled(executor, std::move(void_tasks));
  co_return results;
}

TEST(GatherSettled, GivesEveryValueAndErrorInInputOrder) {
  asio::io_context context;
  Outcome<SettledResults> outcome;
  start(context, settle_mixed(), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  ASSERT_FALSE(outcome.error) << message_of(outcome.error);
  auto& values = outcome.value->values;
  ASSERT_EQ(values.size(), 3u);
  ASSERT_TRUE(values[0].ok());
  EXPECT_EQ(values[0].get(), 1);
  EXPECT_FALSE(values[1].ok());
  EXPECT_EQ(message_of(values[1].error), "two");
  EXPECT_THROW(values[1].get(), std::runtime_error);
  ASSERT_TRUE(values[2].ok());
  EXPECT_EQ(values[2].get(), 3);
  auto& voids = outcome.value->voids;
  ASSERT_EQ(voids.size(), 2u);
  EXPECT_EQ(message_of(voids[0].error), "void failed");
  EXPECT_TRUE(voids[1].ok());
}

// --- empty inputs ----------------------------------------------------------------------------

asio::awaitable<std::size_t> run_empty_inputs() {
  const auto executor = co_await asio::this_coro::executor;
  const auto values = co_await aio::gather(executor, std::vector<asio::awaitable<int>>{});
  co_await aio::gather(executor, std::vector<asio::awaitable<void>>{});
  const auto outcomes = co_await aio::gather_settled(executor, std::vector<asio::awaitable<int>>{});
  aio::task_group group(executor);
  co_await group.join();
  co_return values.size() + outcomes.size() + 1;
}

TEST(EmptyInputs, GatherGatherSettledAndTaskGroupCompleteAtOnce) {
  asio::io_context context;
  Outcome<std::size_t> outcome;
  start(context, run_empty_inputs(), outcome);
  context.poll();  // ready handlers only: nothing may wait for a timer or another task
  ASSERT_TRUE(outcome.done);
  ASSERT_FALSE(outcome.error) << message_of(outcome.error);
  EXPECT_EQ(*outcome.value, 1u);
}

// --- task_group ------------------------------------------------------------------------------

struct GroupLog {
  bool slow_finished = false;
  int slow_aborts = 0;
  int successes = 0;
};

asio::awaitable<void> quick_success(GroupLog* log) {
  co_await yield_once();
  ++log->successes;
}

asio::awaitable<void> fail_after(Clock::duration duration, std::string what) {
  co_await sleep_for(duration);
  throw std::runtime_error(what);
}

asio::awaitable<void> fail_when_cancelled() {
  try {
    co_await sleep_for(10s);
  } catch (const boost::system::system_error&) {
    throw std::runtime_error("cleanup failed");
  }
}

asio::awaitable<void> group_with_failure(GroupLog* log) {
  aio::task_group group(co_await asio::this_coro::executor);
  group.spawn(quick_success(log));
  group.spawn(sleeper(10s, &log->slow_finished, &log->slow_aborts));
  group.spawn(fail_after(1ms, "first failure"));
  group.spawn(fail_when_cancelled());
  co_await group.join();
}

TEST(TaskGroup, FirstErrorCancelsTheOthersAndJoinReportsEveryError) {
  asio::io_context context;
  GroupLog log;
  Outcome<void> outcome;
  const auto begin = Clock::now();
  start(context, group_with_failure(&log), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  try {
    std::rethrow_exception(outcome.error);
  } catch (const aio::task_group_error& e) {
    ASSERT_EQ(e.errors().size(), 2u) << e.what();
    EXPECT_EQ(message_of(e.errors()[0]), "first failure");
    EXPECT_EQ(message_of(e.errors()[1]), "cleanup failed");
    EXPECT_NE(std::string(e.what()).find("first failure"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cleanup failed"), std::string::npos) << e.what();
  } catch (...) {
    ADD_FAILURE() << "expected task_group_error, got: " << message_of(outcome.error);
  }
  EXPECT_EQ(log.successes, 1);
  EXPECT_EQ(log.slow_aborts, 1);    // the sibling saw operation_aborted...
  EXPECT_FALSE(log.slow_finished);  // ...and really stopped: its flag is never set
  EXPECT_LT(Clock::now() - begin, 5s);
}

asio::awaitable<void> count_after(Clock::duration duration, int* count) {
  co_await sleep_for(duration);
  ++*count;
}

asio::awaitable<void> spawn_sibling_later(aio::task_group* group, int* count) {
  co_await sleep_for(2ms);
  group->spawn(count_after(1ms, count));  // while the group is being joined
  ++*count;
}

struct JoinReport {
  int count_at_join = 0;
  bool late_spawn_refused = false;
};

asio::awaitable<JoinReport> group_all_succeed(int* count) {
  aio::task_group group(co_await asio::this_coro::executor);
  for (int i = 1; i <= 3; ++i) group.spawn(count_after(i * 1ms, count));
  group.spawn(spawn_sibling_later(&group, count));
  co_await group.join();
  JoinReport report{*count, false};
  try {
    group.spawn(count_after(0ms, count));
  } catch (const std::logic_error&) {
    report.late_spawn_refused = true;
  }
  co_return report;
}

TEST(TaskGroup, JoinWaitsForEveryChildIncludingLateSpawnsThenRefusesSpawn) {
  asio::io_context context;
  int count = 0;
  Outcome<JoinReport> outcome;
  start(context, group_all_succeed(&count), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  ASSERT_FALSE(outcome.error) << message_of(outcome.error);
  EXPECT_EQ(outcome.value->count_at_join, 5);
  EXPECT_TRUE(outcome.value->late_spawn_refused);
  EXPECT_EQ(count, 5);
}

asio::awaitable<void> failing_body_scope(GroupLog* log) {
  co_await aio::with_task_group(co_await asio::this_coro::executor,
                                [log](aio::task_group& group) -> asio::awaitable<void> {
                                  group.spawn(sleeper(10s, &log->slow_finished, &log->slow_aborts));
                                  co_await sleep_for(1ms);
                                  throw std::runtime_error("body failed");
                                });
}

TEST(TaskGroup, ScopeHelperCancelsChildrenWhenItsBodyFails) {
  asio::io_context context;
  GroupLog log;
  Outcome<void> outcome;
  start(context, failing_body_scope(&log), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  try {
    std::rethrow_exception(outcome.error);
  } catch (const aio::task_group_error& e) {
    ASSERT_EQ(e.errors().size(), 1u) << e.what();
    EXPECT_EQ(message_of(e.errors()[0]), "body failed");
  } catch (...) {
    ADD_FAILURE() << "expected task_group_error, got: " << message_of(outcome.error);
  }
  EXPECT_EQ(log.slow_aborts, 1);
  EXPECT_FALSE(log.slow_finished);
}

// --- semaphore -------------------------------------------------------------------------------

struct Gauge {
  int in_flight = 0;
  int peak = 0;
  int completed = 0;
};

asio::awaitable<void> bounded_worker(aio::semaphore* semaphore, Gauge* gauge, int i) {
  const auto permit = co_await semaphore->scoped();
  gauge->peak = std::max(gauge->peak, ++gauge->in_flight);
  if (i % 2 == 0)
    co_await sleep_for(1ms);
  else
    co_await yield_once();
  --gauge->in_flight;
  ++gauge->completed;
}

asio::awaitable<void> fifty_workers(aio::semaphore* semaphore, Gauge* gauge) {
  std::vector<asio::awaitable<void>> tasks;
  for (int i = 0; i < 50; ++i) tasks.push_back(bounded_worker(semaphore, gauge, i));
  co_await aio::gather(co_await asio::this_coro::executor, std::move(tasks));
}

TEST(Semaphore, InFlightNeverExceedsTheBound) {
  asio::io_context context;
  aio::semaphore semaphore(context.get_executor(), 3);
  Gauge gauge;
  Outcome<void> outcome;
  start(context, fifty_workers(&semaphore, &gauge), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  ASSERT_FALSE(outcome.error) << message_of(outcome.error);
  EXPECT_EQ(gauge.peak, 3);
  EXPECT_EQ(gauge.completed, 50);
  EXPECT_EQ(semaphore.available(), 3u);
  EXPECT_EQ(semaphore.waiters(), 0u);
}

asio::awaitable<void> arrive_and_acquire(aio::semaphore* semaphore, Clock::time_point arrival,
                                         int id, std::vector<int>* order) {
  co_await sleep_until(arrival);
  co_await semaphore->acquire();
  order->push_back(id);
  co_await yield_once();
  semaphore->release();
}

asio::awaitable<void> fifo_controller(aio::semaphore* semaphore, std::vector<int>* order) {
  aio::task_group group(co_await asio::this_coro::executor);
  co_await semaphore->acquire();
  const auto begin = Clock::now();
  for (int id = 0; id < 5; ++id)  // spawned 0..4, arriving 4..0
    group.spawn(arrive_and_acquire(semaphore, begin + (5 - id) * 1ms, id, order));
  for (int i = 0; i < 1000 && semaphore->waiters() < 5; ++i) co_await sleep_for(1ms);
  semaphore->release();
  co_await group.join();
}

TEST(Semaphore, WakesWaitersInArrivalOrder) {
  asio::io_context context;
  aio::semaphore semaphore(context.get_executor(), 1);
  std::vector<int> order;
  Outcome<void> outcome;
  start(context, fifo_controller(&semaphore, &order), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  ASSERT_FALSE(outcome.error) << message_of(outcome.error);
  EXPECT_EQ(order, (std::vector<int>{4, 3, 2, 1, 0}));
  EXPECT_EQ(semaphore.available(), 1u);
}

struct Waiter {
  bool acquired = false;
  bool aborted = false;
  bool ended = false;
};

asio::awaitable<void> wait_for_permit(aio::semaphore* semaphore, Waiter* waiter) {
  try {
    co_await semaphore->acquire();
    waiter->acquired = true;
    co_await yield_once();
    semaphore->release();
  } catch (const boost::system::system_error& e) {
    waiter->aborted = is_cancellation(e);
  }
}

void spawn_waiter(asio::io_context& context, aio::semaphore& semaphore, Waiter& waiter,
                  asio::cancellation_signal& signal) {
  asio::co_spawn(context, wait_for_permit(&semaphore, &waiter),
                 asio::bind_cancellation_slot(
                     signal.slot(), [&waiter](std::exception_ptr) { waiter.ended = true; }));
}

/// Holds the only permit while `cancelled` and `next` queue up; `release_first` chooses whether
/// the permit is released just before `cancelled` is cancelled (handed to it at the same time),
/// or after.
asio::awaitable<std::size_t> cancel_a_waiter(aio::semaphore* semaphore,
                                             asio::cancellation_signal* cancel, bool release_first,
                                             Waiter* cancelled, Waiter* next) {
  co_await semaphore->acquire();
  for (int i = 0; i < 100 && semaphore->waiters() < 2; ++i) co_await yield_once();
  if (release_first) semaphore->release();          // the permit goes to the first waiter...
  cancel->emit(asio::cancellation_type::terminal);  // ...cancelled before it could resume
  const std::size_t waiting_after_cancel = semaphore->waiters();
  if (!release_first) semaphore->release();
  while (!cancelled->ended || !next->ended) co_await yield_once();
  co_return waiting_after_cancel;
}

void check_cancelled_waiter(bool release_first) {
  asio::io_context context;
  aio::semaphore semaphore(context.get_executor(), 1);
  Waiter cancelled, next;
  asio::cancellation_signal cancel, never;
  Outcome<std::size_t> outcome;
  start(context, cancel_a_waiter(&semaphore, &cancel, release_first, &cancelled, &next), outcome);
  spawn_waiter(context, semaphore, cancelled, cancel);
  spawn_waiter(context, semaphore, next, never);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  ASSERT_FALSE(outcome.error) << message_of(outcome.error);
  // Cancelled while waiting: only `next` still waits. Handed the permit: `next` already has it.
  EXPECT_EQ(*outcome.value, release_first ? 0u : 1u);
  EXPECT_TRUE(cancelled.aborted);
  EXPECT_FALSE(cancelled.acquired);
  EXPECT_TRUE(next.acquired);            // the permit went on to the next waiter
  EXPECT_EQ(semaphore.available(), 1u);  // and came back: none leaked, none invented
  EXPECT_EQ(semaphore.waiters(), 0u);
}

TEST(Semaphore, WaiterCancelledWhileWaitingLeaksNoPermit) { check_cancelled_waiter(false); }

TEST(Semaphore, PermitHandedToAWaiterCancelledAtTheSameTimeIsPassedOn) {
  check_cancelled_waiter(true);
}

// --- queue -----------------------------------------------------------------------------------

struct Tally {
  std::vector<int> consumed;
  int task_done = 0;
  int consumers_ended = 0;
  std::size_t peak_size = 0;
  std::size_t unfinished_before_join = 0;
  int task_done_at_join = -1;
};

asio::awaitable<void> produce(aio::queue<int>* queue, int first, int count, Tally* tally) {
  for (int i = 0; i < count; ++i) {
    co_await queue->put(first + i);
    tally->peak_size = std::max(tally->peak_size, queue->size());
  }
}

/// The last item is held until `gate` opens, so join() provably has something to wait for.
asio::awaitable<void> consume(aio::queue<int>* queue, aio::semaphore* gate, int last_item,
                              Tally* tally) {
  for (;;) {
    int item = 0;
    try {
      item = co_await queue->get();
    } catch (const aio::queue_shut_down&) {
      ++tally->consumers_ended;
      break;
    }
    tally->consumed.push_back(item);
    if (item == last_item) co_await gate->acquire();
    if (item % 3 == 0) co_await yield_once();
    ++tally->task_done;
    queue->task_done();
  }
}

asio::awaitable<void> pipeline(aio::queue<int>* queue, Tally* tally) {
  const auto executor = co_await asio::this_coro::executor;
  aio::semaphore gate(executor, 0);
  aio::task_group consumers(executor);
  for (int c = 0; c < 4; ++c) consumers.spawn(consume(queue, &gate, 219, tally));
  std::vector<asio::awaitable<void>> producers;
  for (int p = 0; p < 3; ++p) producers.push_back(produce(queue, p * 100, 20, tally));
  co_await aio::gather(executor, std::move(producers));
  tally->unfinished_before_join = queue->unfinished();
  gate.release();
  co_await queue->join();
  tally->task_done_at_join = tally->task_done;
  queue->shutdown();
  co_await consumers.join();
}

TEST(Queue, ManyProducersAndConsumersEveryItemOnceJoinAfterEveryTaskDone) {
  asio::io_context context;
  aio::queue<int> queue(context.get_executor(), 2);
  Tally tally;
  Outcome<void> outcome;
  start(context, pipeline(&queue, &tally), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  ASSERT_FALSE(outcome.error) << message_of(outcome.error);
  std::vector<int> expected;
  for (int p = 0; p < 3; ++p)
    for (int i = 0; i < 20; ++i) expected.push_back(p * 100 + i);
  std::sort(tally.consumed.begin(), tally.consumed.end());
  EXPECT_EQ(tally.consumed, expected);  // every item, exactly once
  EXPECT_GE(tally.unfinished_before_join, 1u);
  EXPECT_EQ(tally.task_done_at_join, 60);
  EXPECT_EQ(tally.consumers_ended, 4);
  EXPECT_LE(tally.peak_size, 2u);
  EXPECT_EQ(queue.unfinished(), 0u);
}

asio::awaitable<void> log_consumer(aio::queue<int>* queue, std::vector<std::string>* log) {
  for (;;) {
    try {
      const int item = co_await queue->get();
      log->push_back("got " + std::to_string(item));
      queue->task_done();
    } catch (const aio::queue_shut_down&) {
      log->push_back("consumer: shut down");
      break;
    }
  }
}

asio::awaitable<void> graceful_shutdown(aio::queue<int>* queue, std::vector<std::string>* log) {
  aio::task_group group(co_await asio::this_coro::executor);
  group.spawn(log_consumer(queue, log));
  for (int item = 1; item <= 3; ++item) co_await queue->put(item);
  queue->shutdown();
  try {
    co_await queue->put(4);
  } catch (const aio::queue_shut_down&) {
    log->push_back("put refused");
  }
  try {
    queue->try_put(5);
  } catch (const aio::queue_shut_down&) {
    log->push_back("try_put refused");
  }
  co_await queue->join();
  log->push_back("joined");
  co_await group.join();
}

TEST(Queue, GracefulShutdownRefusesPutsDrainsTheRestThenEndsConsumers) {
  asio::io_context context;
  aio::queue<int> queue(context.get_executor());
  std::vector<std::string> log;
  Outcome<void> outcome;
  start(context, graceful_shutdown(&queue, &log), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  ASSERT_FALSE(outcome.error) << message_of(outcome.error);
  EXPECT_EQ(log, (std::vector<std::string>{"put refused", "try_put refused", "got 1", "got 2",
                                           "got 3", "consumer: shut down", "joined"}));
}

asio::awaitable<void> blocked_get(aio::queue<int>* queue, std::string name,
                                  std::vector<std::string>* log) {
  try {
    const int item = co_await queue->get();
    log->push_back(name + " got " + std::to_string(item));
  } catch (const aio::queue_shut_down&) {
    log->push_back(name + ": shut down");
  }
}

asio::awaitable<void> blocked_put(aio::queue<int>* queue, std::string name,
                                  std::vector<std::string>* log) {
  try {
    co_await queue->put(8);
    log->push_back(name + " put");
  } catch (const aio::queue_shut_down&) {
    log->push_back(name + ": shut down");
  }
}

asio::awaitable<void> blocked_join(aio::queue<int>* queue, std::vector<std::string>* log) {
  co_await queue->join();
  log->push_back("join released");
}

struct ImmediateReport {
  std::size_t size_after = 0;
  std::size_t unfinished_after = 0;
};

asio::awaitable<ImmediateReport> immediate_shutdown(std::vector<std::string>* log) {
  const auto executor = co_await asio::this_coro::executor;
  aio::queue<int> empty_queue(executor);
  aio::queue<int> full_queue(executor, 1);
  co_await full_queue.put(7);
  aio::task_group group(executor);
  group.spawn(blocked_get(&empty_queue, "getter 1", log));
  group.spawn(blocked_get(&empty_queue, "getter 2", log));
  group.spawn(blocked_put(&full_queue, "putter", log));
  group.spawn(blocked_join(&full_queue, log));
  for (int i = 0; i < 100 && (empty_queue.getters() < 2 || full_queue.putters() < 1); ++i)
    co_await yield_once();
  empty_queue.shutdown(true);
  full_queue.shutdown(true);
  const ImmediateReport report{full_queue.size(), full_queue.unfinished()};
  co_await group.join();
  co_return report;
}

TEST(Queue, ImmediateShutdownDropsItemsWakesBlockedGettersPuttersAndJoin) {
  asio::io_context context;
  std::vector<std::string> log;
  Outcome<ImmediateReport> outcome;
  start(context, immediate_shutdown(&log), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  ASSERT_FALSE(outcome.error) << message_of(outcome.error);
  EXPECT_EQ(outcome.value->size_after, 0u);
  EXPECT_EQ(outcome.value->unfinished_after, 0u);
  std::sort(log.begin(), log.end());
  EXPECT_EQ(log, (std::vector<std::string>{"getter 1: shut down", "getter 2: shut down",
                                           "join released", "putter: shut down"}));
}

// --- with_timeout ----------------------------------------------------------------------------

/// Would set *late_effect after 10 s; when cancelled it cleans up, which itself takes an
/// asynchronous step, before it ends.
asio::awaitable<int> slow_operation(std::vector<std::string>* log, bool* late_effect) {
  try {
    co_await sleep_for(10s);
    *late_effect = true;
    co_return 1;
  } catch (const boost::system::system_error& e) {
    log->push_back(is_cancellation(e) ? "operation cancelled" : e.what());
  }
  co_await asio::this_coro::reset_cancellation_state();
  co_await sleep_for(2ms);
  log->push_back("operation finished");
  throw boost::system::system_error(make_error_code(asio::error::operation_aborted));
}

asio::awaitable<void> time_out(std::vector<std::string>* log, bool* late_effect) {
  try {
    const int value = co_await aio::with_timeout(slow_operation(log, late_effect), 2ms);
    log->push_back("value " + std::to_string(value));
  } catch (const aio::timeout_error& e) {
    log->push_back(e.code() == asio::error::timed_out ? "timeout reported" : "wrong code");
  }
}

TEST(WithTimeout, CancelsTheOperationAndReportsOnlyAfterItFinished) {
  asio::io_context context;
  std::vector<std::string> log;
  bool late_effect = false;
  Outcome<void> outcome;
  const auto begin = Clock::now();
  start(context, time_out(&log, &late_effect), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  ASSERT_FALSE(outcome.error) << message_of(outcome.error);
  EXPECT_EQ(log, (std::vector<std::string>{"operation cancelled", "operation finished",
                                           "timeout reported"}));
  run_to_completion(context);  // nothing of the operation is left to run
  EXPECT_FALSE(late_effect);
  EXPECT_LT(Clock::now() - begin, 5s);
}

asio::awaitable<int> fast_operations() {
  std::vector<int> finished;
  const int value = co_await aio::with_timeout(value_at(Clock::now() + 1ms, 42, &finished), 10s);
  co_await aio::with_timeout(sleep_for(1ms), 10s);
  co_return value;
}

TEST(WithTimeout, ReturnsTheValueWhenTheOperationIsFast) {
  asio::io_context context;
  Outcome<int> outcome;
  const auto begin = Clock::now();
  start(context, fast_operations(), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  ASSERT_FALSE(outcome.error) << message_of(outcome.error);
  EXPECT_EQ(*outcome.value, 42);
  EXPECT_LT(Clock::now() - begin, 5s);  // sanity: the 10 s timers were cancelled
}

asio::awaitable<int> failing_operation_in_time() {
  co_return co_await aio::with_timeout(fail_at(Clock::now() + 1ms, "boom"), 10s);
}

TEST(WithTimeout, AnErrorOfTheOperationPassesThroughAtOnce) {
  asio::io_context context;
  Outcome<int> outcome;
  const auto begin = Clock::now();
  start(context, failing_operation_in_time(), outcome);
  run_to_completion(context);
  ASSERT_TRUE(outcome.done);
  EXPECT_EQ(message_of(outcome.error), "boom");
  EXPECT_LT(Clock::now() - begin, 5s);  // not held back until the timeout
}

}  // namespace
