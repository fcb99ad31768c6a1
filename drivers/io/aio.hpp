// SPDX-License-Identifier: MIT
// asyncio's concurrency primitives on Boost.Asio C++20 coroutines (header-only): gather,
// gather_settled, task_group, semaphore, queue and with_timeout, built on Asio's own machinery
// (co_spawn, parallel groups, per-operation cancellation, steady_timer); no event loop of our own.
//
// Threading: like an asyncio event loop, every primitive serves the coroutines of ONE
// single-threaded io_context and takes no lock. On a multi-threaded io_context, run every
// coroutine that shares a primitive on one strand.
// Cancellation: every wait honours Asio per-operation cancellation (a cancelled wait completes
// with operation_aborted and has no effect), so the primitives compose with parallel groups,
// awaitable_operators and with_timeout.
// Lifetime: a primitive must outlive the coroutines that use it, and be destroyed before its
// io_context; destroying it completes its remaining waiters with operation_aborted.
#pragma once

#include <algorithm>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace parkit::aio {

namespace asio = boost::asio;

namespace detail {

inline boost::system::system_error cancelled_error() {
  return boost::system::system_error(make_error_code(asio::error::operation_aborted));
}

/// True if `error` holds Asio's operation_aborted, the mark of a cancelled operation.
inline bool is_cancellation(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const boost::system::system_error& e) {
    return e.code() == asio::error::operation_aborted;
  } catch (...) {
    return false;
  }
}

/// A FIFO of suspended waits. notify_one/notify_all complete them with success, posted (never
/// inline, so a notifier is not re-entered); a wait whose cancellation slot fires is removed and
/// completes with operation_aborted. A wait cancelled after notify_one chose it but before it
/// resumed also completes with operation_aborted, and `pass_on` runs so that what it was woken
/// for (a semaphore permit, a queue item) goes to the next waiter instead of being lost.
class wait_list {
 public:
  explicit wait_list(asio::any_io_executor executor, std::function<void()> pass_on = {})
      : executor_(std::move(executor)), pass_on_(std::move(pass_on)) {}
  ~wait_list() {
    std::list<owned> orphans;
    orphans.swap(waiting_);
    for (owned& w : orphans) {
      w->now = waiter::state::aborted;
      complete(std::move(w));
    }
  }
  wait_list(const wait_list&) = delete;
  wait_list& operator=(const wait_list&) = delete;

  template <class Token>
  auto async_wait(Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler) {
          waiter& added =
              *waiting_.emplace_back(std::make_unique<waiter>(std::move(handler), executor_, this));
          added.position = std::prev(waiting_.end());
          if (added.slot.is_connected())
            added.slot.assign([&added](asio::cancellation_type type) {
              if (type != asio::cancellation_type::none && added.now != waiter::state::aborted)
                added.owner->cancel(added);
            });
        },
        token);
  }

  /// Wakes the oldest waiter; false if there is none.
  bool notify_one() {
    if (waiting_.empty()) return false;
    owned w = std::move(waiting_.front());
    waiting_.pop_front();
    w->now = waiter::state::notified;
    complete(std::move(w));
    return true;
  }
  void notify_all() {
    while (notify_one()) {
    }
  }
  [[nodiscard]] std::size_t size() const noexcept { return waiting_.size(); }
  [[nodiscard]] bool empty() const noexcept { return waiting_.empty(); }

 private:
  struct waiter;
  using owned = std::unique_ptr<waiter>;
  struct waiter {
    enum class state { waiting, notified, aborted };
    // Constructed, never assigned: Asio 1.26's any_completion_handler move-assignment recurses.
    template <class Handler>
    waiter(Handler&& h, const asio::any_io_executor& fallback, wait_list* list)
        : executor(asio::get_associated_executor(h, fallback)),
          slot(asio::get_associated_cancellation_slot(h)),
          handler(std::forward<Handler>(h)),
          owner(list) {}
    asio::any_io_executor executor;  // the handler's own: it runs there, posted
    asio::cancellation_slot slot;
    asio::any_completion_handler<void(boost::system::error_code)> handler;
    wait_list* owner;
    std::list<owned>::iterator position;
    state now = state::waiting;
  };

  // Runs inside the waiter's cancellation handler, so the slot is cleared later, in complete().
  void cancel(waiter& w) {
    if (w.now == waiter::state::notified) {
      w.now = waiter::state::aborted;
      if (pass_on_) pass_on_();
      return;
    }
    w.now = waiter::state::aborted;
    owned self = std::move(*w.position);
    waiting_.erase(w.position);
    complete(std::move(self));
  }

  static void complete(owned w) {
    const asio::any_io_executor executor = w->executor;
    asio::post(executor, [w = std::move(w)]() mutable {
      if (w->slot.is_connected()) w->slot.clear();
      auto handler = std::move(w->handler);
      const bool aborted = w->now == waiter::state::aborted;
      w.reset();
      std::move(handler)(aborted ? make_error_code(asio::error::operation_aborted)
                                 : boost::system::error_code{});
    });
  }

  asio::any_io_executor executor_;
  std::function<void()> pass_on_;
  std::list<owned> waiting_;
};

/// Child coroutines spawned on one executor, each bound to its own cancellation signal.
class nursery {
 public:
  explicit nursery(asio::any_io_executor executor) : executor_(executor), ended_(executor) {}

  /// Spawns `body`; on_end(error) runs when it ends. `owner` keeps the caller's state alive.
  template <class OnEnd>
  void spawn(asio::awaitable<void> body, std::shared_ptr<void> owner, OnEnd on_end) {
    auto signal = signals_.emplace(signals_.end());
    asio::co_spawn(executor_, std::move(body),
                   asio::bind_cancellation_slot(
                       signal->slot(), [this, signal, owner = std::move(owner),
                                        on_end = std::move(on_end)](std::exception_ptr error) {
                         signals_.erase(signal);
                         on_end(error);
                         ended_.notify_all();
                       }));
  }

  /// Makes every running child's pending operation fail with operation_aborted.
  void cancel_all() {
    for (auto& signal : signals_) signal.emit(asio::cancellation_type::terminal);
  }

  [[nodiscard]] std::size_t running() const noexcept { return signals_.size(); }

  /// Waits until done(). If the awaiting coroutine is cancelled meanwhile, calls on_cancel()
  /// (which cancels the children), waits until every child has ended - a cancelled awaiter must
  /// not leave children behind - and returns true.
  template <class Done, class OnCancel>
  asio::awaitable<bool> wait_until(Done done, OnCancel on_cancel) {
    while (!done()) {
      auto [error] = co_await ended_.async_wait(asio::as_tuple(asio::use_awaitable));
      if (!error) continue;
      on_cancel();
      // The coroutine stays marked cancelled: without this, every co_await would throw at once.
      const bool throw_if_cancelled = co_await asio::this_coro::throw_if_cancelled();
      co_await asio::this_coro::throw_if_cancelled(false);
      while (running() > 0) co_await ended_.async_wait(asio::as_tuple(asio::use_awaitable));
      co_await asio::this_coro::throw_if_cancelled(throw_if_cancelled);
      co_return true;
    }
    co_return false;
  }

 private:
  asio::any_io_executor executor_;
  std::list<asio::cancellation_signal> signals_;  // one per running child; stable addresses
  wait_list ended_;                               // notified whenever a child ends
};

template <class T>
using value_or_monostate = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <class T>
struct gather_state {
  gather_state(asio::any_io_executor executor, std::size_t size)
      : children(std::move(executor)), results(size) {}
  nursery children;
  std::vector<std::optional<value_or_monostate<T>>> results;
  std::exception_ptr first_error;
};

template <class T>
asio::awaitable<void> store_into(std::optional<value_or_monostate<T>>& result,
                                 asio::awaitable<T> task) {
  if constexpr (std::is_void_v<T>) {
    co_await std::move(task);
    result.emplace();
  } else {
    result.emplace(co_await std::move(task));
  }
}

// co_spawn needs a default-constructible result; optional<T> lifts that requirement off T.
template <class T>
asio::awaitable<std::optional<T>> as_optional(asio::awaitable<T> operation) {
  std::optional<T> value;
  value.emplace(co_await std::move(operation));
  co_return value;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// gather / gather_settled

template <class T>
using gather_result_t = std::conditional_t<std::is_void_v<T>, void, std::vector<T>>;

/// asyncio.gather(*tasks): runs every task concurrently on `executor`; the results come in input
/// order, whatever order the tasks finish in (void tasks: just waits for all). The first error is
/// rethrown to the awaiter at once; the other tasks are NOT cancelled and keep running detached,
/// as in asyncio (their results and errors are dropped; the io_context still runs them to the
/// end). Cancelling the awaiter cancels every task still running, waits for them, then throws
/// operation_aborted (asyncio: cancelling gather cancels its children). Empty input: completes
/// at once.
template <class T>
asio::awaitable<gather_result_t<T>> gather(asio::any_io_executor executor,
                                           std::vector<asio::awaitable<T>> tasks) {
  auto state = std::make_shared<detail::gather_state<T>>(executor, tasks.size());
  detail::gather_state<T>* s = state.get();  // the children, which may outlive us, hold `state`
  for (std::size_t i = 0; i < tasks.size(); ++i)
    s->children.spawn(detail::store_into<T>(s->results[i], std::move(tasks[i])), state,
                      [s](std::exception_ptr error) {
                        if (error && !s->first_error) s->first_error = error;
                      });
  const bool cancelled =
      co_await s->children.wait_until([s] { return s->first_error || s->children.running() == 0; },
                                      [s] { s->children.cancel_all(); });
  if (cancelled) throw detail::cancelled_error();
  if (s->first_error) std::rethrow_exception(s->first_error);
  if constexpr (std::is_void_v<T>) {
    co_return;
  } else {
    std::vector<T> values;
    values.reserve(s->results.size());
    for (auto& result : s->results) values.push_back(std::move(*result));
    co_return values;
  }
}

/// One task's outcome in gather_settled: its value, or the exception it ended with.
template <class T>
struct Settled {
  std::optional<T> value;
  std::exception_ptr error;
  [[nodiscard]] bool ok() const noexcept { return error == nullptr; }
  T& get() {  ///< the value, or rethrows the error
    if (error) std::rethrow_exception(error);
    return *value;
  }
};
template <>
struct Settled<void> {
  std::exception_ptr error;
  [[nodiscard]] bool ok() const noexcept { return error == nullptr; }
  void get() const {
    if (error) std::rethrow_exception(error);
  }
};

namespace detail {
template <class T>
asio::awaitable<Settled<T>> settle(asio::awaitable<T> task) {
  Settled<T> outcome;
  try {
    if constexpr (std::is_void_v<T>)
      co_await std::move(task);
    else
      outcome.value.emplace(co_await std::move(task));
  } catch (...) {
    outcome.error = std::current_exception();
  }
  co_return outcome;
}
}  // namespace detail

/// asyncio.gather(*tasks, return_exceptions=True): waits for every task and gives each one's
/// value or exception, in input order (a ranged parallel group, wait_for_all). Cancelling the
/// awaiter cancels every task; their outcomes (operation_aborted, mostly) are still returned.
/// Empty input: completes at once.
template <class T>
asio::awaitable<std::vector<Settled<T>>> gather_settled(asio::any_io_executor executor,
                                                        std::vector<asio::awaitable<T>> tasks) {
  if (tasks.empty()) co_return std::vector<Settled<T>>{};  // an empty group would never complete
  using operation = decltype(asio::co_spawn(executor, std::declval<asio::awaitable<Settled<T>>>(),
                                            asio::deferred));
  std::vector<operation> operations;
  operations.reserve(tasks.size());
  for (auto& task : tasks)
    operations.push_back(asio::co_spawn(executor, detail::settle(std::move(task)), asio::deferred));
  auto [order, errors, outcomes] =
      co_await asio::experimental::make_parallel_group(std::move(operations))
          .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (std::size_t i = 0; i < outcomes.size(); ++i)
    if (errors[i]) outcomes[i].error = errors[i];
  co_return std::move(outcomes);
}

// ---------------------------------------------------------------------------------------------
// task_group

/// What task_group::join throws when anything failed: every error, in the order they happened
/// (asyncio: the ExceptionGroup of TaskGroup). what() lists their messages.
class task_group_error : public std::runtime_error {
 public:
  explicit task_group_error(std::vector<std::exception_ptr> errors)
      : std::runtime_error(describe(errors)), errors_(std::move(errors)) {}
  [[nodiscard]] const std::vector<std::exception_ptr>& errors() const noexcept { return errors_; }

 private:
  static std::string describe(const std::vector<std::exception_ptr>& errors) {
    std::string text = "task_group: " + std::to_string(errors.size()) +
                       (errors.size() == 1 ? " error" : " errors");
    for (std::size_t i = 0; i < errors.size(); ++i) {
      text += i == 0 ? ": " : "; ";
      try {
        std::rethrow_exception(errors[i]);
      } catch (const std::exception& e) {
        text += e.what();
      } catch (...) {
        text += "unknown exception";
      }
    }
    return text;
  }
  std::vector<std::exception_ptr> errors_;
};

template <class Body>
asio::awaitable<void> with_task_group(asio::any_io_executor executor, Body body);

/// asyncio.TaskGroup: spawn() children, then co_await join(), which waits for all of them. The
/// first child error cancels every other child (each is spawned with its own cancellation slot,
/// so its pending operation fails with operation_aborted), join waits until they have all ended
/// and throws task_group_error with every error; children that end with operation_aborted after
/// the group cancelled them are not errors. Cancelling join's awaiter cancels the children too,
/// waits for them, then throws (task_group_error if any failed, else operation_aborted). Children
/// may spawn siblings while join waits; spawn throws std::logic_error once join has returned or
/// the group is cancelling. Destroying a group that was not joined cancels its children, which
/// then end detached. Prefer with_task_group, which cannot forget the join.
class task_group {
 public:
  explicit task_group(asio::any_io_executor executor)
      : state_(std::make_shared<state>(std::move(executor))) {}
  ~task_group() { state_->abort(nullptr); }
  task_group(const task_group&) = delete;
  task_group& operator=(const task_group&) = delete;

  void spawn(asio::awaitable<void> task) {
    if (state_->closed || state_->aborting)
      throw std::logic_error("task_group::spawn after join() or while the group is cancelling");
    state* s = state_.get();
    s->children.spawn(std::move(task), state_, [s](std::exception_ptr error) {
      if (error && !(s->aborting && detail::is_cancellation(error))) s->abort(error);
    });
  }

  asio::awaitable<void> join() {
    const std::shared_ptr<state> s = state_;
    const bool cancelled =
        co_await s->children.wait_until([raw = s.get()] { return raw->children.running() == 0; },
                                        [raw = s.get()] { raw->abort(nullptr); });
    s->closed = true;
    if (!s->errors.empty()) throw task_group_error(s->errors);
    if (cancelled) throw detail::cancelled_error();
  }

  /// Cancels every running child (no error of its own: join then throws only children's errors).
  void cancel() { state_->abort(nullptr); }
  [[nodiscard]] std::size_t running() const noexcept { return state_->children.running(); }

 private:
  template <class Body>
  friend asio::awaitable<void> with_task_group(asio::any_io_executor executor, Body body);

  struct state {
    explicit state(asio::any_io_executor executor) : children(std::move(executor)) {}
    void abort(std::exception_ptr error) {
      if (error) errors.push_back(error);
      if (!aborting) {
        aborting = true;
        children.cancel_all();
      }
    }
    detail::nursery children;
    std::vector<std::exception_ptr> errors;
    bool closed = false;
    bool aborting = false;
  };
  std::shared_ptr<state> state_;  // shared with the children, which may outlive an unjoined group
};

/// `async with asyncio.TaskGroup() as group: await body(group)`: runs co_await body(group), then
/// joins. If the body throws, the children are cancelled and waited for; the body's error is
/// reported in the task_group_error with the children's (a cancellation of the body is rethrown
/// as is when no child failed). `body` is kept alive until the group ends.
template <class Body>
asio::awaitable<void> with_task_group(asio::any_io_executor executor, Body body) {
  task_group group(std::move(executor));
  std::exception_ptr body_error;
  try {
    co_await body(group);
  } catch (...) {
    body_error = std::current_exception();
  }
  if (body_error) group.state_->abort(detail::is_cancellation(body_error) ? nullptr : body_error);
  // Even a cancelled body must wait for its children before it unwinds further.
  const bool throw_if_cancelled = co_await asio::this_coro::throw_if_cancelled();
  co_await asio::this_coro::throw_if_cancelled(false);
  std::exception_ptr join_error;
  try {
    co_await group.join();
  } catch (...) {
    join_error = std::current_exception();
  }
  co_await asio::this_coro::throw_if_cancelled(throw_if_cancelled);
  if (join_error) std::rethrow_exception(join_error);
  if (body_error) std::rethrow_exception(body_error);
}

// ---------------------------------------------------------------------------------------------
// semaphore

/// asyncio.Semaphore: at most `permits` holders at once. Waiters are served strictly in arrival
/// order: release() hands its permit straight to the oldest waiter, so no newcomer can barge.
/// Cancellation-safe: a waiter cancelled while waiting consumes nothing and is never woken; a
/// waiter cancelled just after a permit was handed to it passes the permit on.
class semaphore {
 public:
  /// Holds one permit and releases it on destruction (async with semaphore:).
  class guard {
   public:
    explicit guard(semaphore& owner) noexcept : owner_(&owner) {}
    guard(guard&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    guard& operator=(guard&& other) noexcept {
      if (this != &other) {
        reset();
        owner_ = std::exchange(other.owner_, nullptr);
      }
      return *this;
    }
    ~guard() { reset(); }
    void reset() noexcept {  ///< releases the permit now
      if (owner_ != nullptr) std::exchange(owner_, nullptr)->release();
    }

   private:
    semaphore* owner_;
  };

  /// `executor`: where wake-ups run when the waiter has no executor of its own.
  semaphore(asio::any_io_executor executor, std::size_t permits)
      : permits_(permits), waiting_(std::move(executor), [this] { release(); }) {}
  semaphore(const semaphore&) = delete;
  semaphore& operator=(const semaphore&) = delete;

  asio::awaitable<void> acquire() {  ///< await semaphore.acquire()
    if (try_acquire()) co_return;
    co_await waiting_.async_wait(asio::use_awaitable);  // woken holding release()'s permit
  }
  bool try_acquire() noexcept {
    if (permits_ == 0 || !waiting_.empty()) return false;
    --permits_;
    return true;
  }
  void release() {  ///< semaphore.release()
    if (!waiting_.notify_one()) ++permits_;
  }
  asio::awaitable<guard> scoped() {  ///< async with semaphore: (the guard releases)
    co_await acquire();
    co_return guard(*this);
  }
  [[nodiscard]] std::size_t available() const noexcept { return permits_; }
  [[nodiscard]] std::size_t waiters() const noexcept { return waiting_.size(); }

 private:
  std::size_t permits_;
  detail::wait_list waiting_;
};

// ---------------------------------------------------------------------------------------------
// queue

/// asyncio.QueueShutDown: put on a shut-down queue, or get on a shut-down, empty one.
class queue_shut_down : public std::runtime_error {
 public:
  queue_shut_down() : std::runtime_error("queue shut down") {}
};

/// asyncio.Queue (with Python 3.13's shutdown): a FIFO of at most `capacity` items (0: no
/// bound). put() waits while full, get() while empty; each item got should be acknowledged with
/// task_done(), and join() waits until every item put has been. A waiter that is cancelled loses
/// its place (and a put its item); a wake-up it was given goes to the next waiter.
template <class T>
class queue {
 public:
  explicit queue(asio::any_io_executor executor, std::size_t capacity = 0)
      : capacity_(capacity),
        getters_(executor, [this] { wake_getter(); }),
        putters_(executor, [this] { wake_putter(); }),
        joiners_(executor) {}
  queue(const queue&) = delete;
  queue& operator=(const queue&) = delete;

  asio::awaitable<void> put(T item) {  ///< await queue.put(item)
    while (!shut_down_ && full()) co_await putters_.async_wait(asio::use_awaitable);
    if (shut_down_) throw queue_shut_down();
    push(std::move(item));
  }
  asio::awaitable<T> get() {  ///< await queue.get()
    while (items_.empty()) {
      if (shut_down_) throw queue_shut_down();
      co_await getters_.async_wait(asio::use_awaitable);
    }
    co_return pop();
  }
  /// queue.put_nowait(item), false instead of QueueFull (the item is then left untouched).
  template <class U = T>
  bool try_put(U&& item) {
    if (shut_down_) throw queue_shut_down();
    if (full()) return false;
    push(std::forward<U>(item));
    return true;
  }
  /// queue.get_nowait(), nullopt instead of QueueEmpty.
  std::optional<T> try_get() {
    if (items_.empty()) {
      if (shut_down_) throw queue_shut_down();
      return std::nullopt;
    }
    return pop();
  }
  void task_done() {  ///< queue.task_done()
    if (unfinished_ == 0) throw std::logic_error("queue::task_done() called more often than put");
    if (--unfinished_ == 0) joiners_.notify_all();
  }
  asio::awaitable<void> join() {  ///< await queue.join()
    while (unfinished_ > 0) co_await joiners_.async_wait(asio::use_awaitable);
  }
  /// queue.shutdown(immediate): put fails at once from now on; get drains what is left, then
  /// fails. immediate also drops the items left, counting them as done (so join returns once the
  /// items already taken are done), and wakes every blocked get.
  void shutdown(bool immediate = false) {
    shut_down_ = true;
    if (immediate) {
      const std::size_t dropped = std::min(items_.size(), unfinished_);
      items_.clear();
      unfinished_ -= dropped;
      if (unfinished_ == 0) joiners_.notify_all();
    }
    getters_.notify_all();  // each re-checks, and throws queue_shut_down if nothing is left
    putters_.notify_all();
  }

  [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
  [[nodiscard]] bool full() const noexcept { return capacity_ > 0 && items_.size() >= capacity_; }
  [[nodiscard]] std::size_t unfinished() const noexcept { return unfinished_; }
  [[nodiscard]] bool is_shut_down() const noexcept { return shut_down_; }
  [[nodiscard]] std::size_t getters() const noexcept { return getters_.size(); }
  [[nodiscard]] std::size_t putters() const noexcept { return putters_.size(); }

 private:
  template <class U>
  void push(U&& item) {
    items_.push_back(std::forward<U>(item));
    ++unfinished_;
    getters_.notify_one();
  }
  T pop() {
    T item = std::move(items_.front());
    items_.pop_front();
    putters_.notify_one();
    return item;
  }
  void wake_getter() {
    if (!items_.empty()) getters_.notify_one();
  }
  void wake_putter() {
    if (!full()) putters_.notify_one();
  }

  std::size_t capacity_;
  std::deque<T> items_;
  std::size_t unfinished_ = 0;  // put and not yet task_done
  bool shut_down_ = false;
  detail::wait_list getters_;
  detail::wait_list putters_;
  detail::wait_list joiners_;
};

// ---------------------------------------------------------------------------------------------
// with_timeout

/// asyncio.TimeoutError: a system_error with code asio::error::timed_out.
class timeout_error : public boost::system::system_error {
 public:
  timeout_error() : boost::system::system_error(make_error_code(asio::error::timed_out)) {}
};

/// asyncio.wait_for(operation, timeout) / asyncio.timeout: the operation's value or exception,
/// or, when `timeout` expires first, cancels it, WAITS until it has actually finished (whatever
/// it returns then is dropped) and throws timeout_error. If the operation ends first, the timer is
/// cancelled. A parallel group with wait_for_one, not awaitable_operators' `||`: that one waits
/// for the first *success*, so an early error would only surface at the timeout.
template <class T>
asio::awaitable<T> with_timeout(asio::awaitable<T> operation,
                                std::chrono::steady_clock::duration timeout) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, timeout);
  if constexpr (std::is_void_v<T>) {
    auto [order, error, timer_error] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(executor, std::move(operation), asio::deferred),
            timer.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    if (order[0] == 1 && !timer_error) throw timeout_error();
    if (error) std::rethrow_exception(error);
  } else {
    auto [order, error, value, timer_error] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(executor, detail::as_optional(std::move(operation)), asio::deferred),
            timer.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    if (order[0] == 1 && !timer_error) throw timeout_error();
    if (error) std::rethrow_exception(error);
    co_return std::move(*value);
  }
}

}  // namespace parkit::aio
