// SPDX-License-Identifier: MIT
#include "drivers/io/client.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "drivers/io/aio.hpp"
#include "drivers/io/http_server.hpp"

namespace parkit::io {

std::optional<Driver> find_driver(std::string_view name) {
  for (std::size_t i = 0; i < driver_names.size(); ++i)
    if (driver_names[i] == name) return static_cast<Driver>(i);
  return std::nullopt;
}

std::string_view name_of(Driver driver) {
  return driver_names.at(static_cast<std::size_t>(driver));
}

ServerAddress parse_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme))
    throw std::invalid_argument("'" + std::string(url) + "' is not an http:// URL");
  std::string_view rest = url.substr(scheme.size());
  rest = rest.substr(0, rest.find('/'));
  const auto colon = rest.rfind(':');
  if (rest.empty() || colon == 0)
    throw std::invalid_argument("'" + std::string(url) + "' has no host");
  if (colon == std::string_view::npos) return {std::string(rest), "80"};
  const std::string_view port = rest.substr(colon + 1);
  unsigned number = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (error != std::errc() || end != port.data() + port.size() || number == 0 || number > 65535)
    throw std::invalid_argument("'" + std::string(url) + "' has a bad port '" + std::string(port) +
                                "' (1..65535)");
  return {std::string(rest.substr(0, colon)), std::string(port)};
}

std::int64_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmHWM:")) return std::stoll(line.substr(6)) * 1024;  // "  1234 kB"
  return 0;
}

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using results::IoOutcome;
constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t max_body_bytes = 64ull << 20;  // the server's own /bytes cap

/// The end of one request as the client saw it.
struct Answer {
  IoOutcome outcome = IoOutcome::connection_error;
  std::int16_t status = 0;
};

/// What every request of a rep shares: where to go and what to send (resolved and serialized
/// once, not per request).
struct Prepared {
  tcp::endpoint endpoint;
  std::vector<std::string> wire;  ///< one serialized GET per path
  std::chrono::milliseconds timeout{0};

  std::string_view request_bytes(std::int64_t i) const {
    return wire[static_cast<std::size_t>(i) % wire.size()];
  }
};

Prepared prepare(const ClientOptions& options) {
  Prepared prepared;
  asio::io_context context;
  tcp::resolver resolver(context);
  boost::system::error_code error;
  const auto endpoints = resolver.resolve(options.server.host, options.server.port, error);
  if (error || endpoints.empty())
    throw std::runtime_error("cannot resolve " + options.server.host + ":" + options.server.port +
                             ": " + error.message());
  prepared.endpoint = endpoints.begin()->endpoint();
  for (const auto& path : options.paths) {
    http::request<http::empty_body> request{http::verb::get, path, 11};
    request.set(http::field::host, options.server.host + ":" + options.server.port);
    request.set(http::field::user_agent, "parkit");
    request.keep_alive(options.keep_alive);
    std::ostringstream serialized;
    serialized << request;
    prepared.wire.push_back(serialized.str());
  }
  prepared.timeout = std::chrono::milliseconds(options.timeout_ms);
  return prepared;
}

/// Closes without throwing: the socket may already be closed or reset by the peer.
void discard(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.close(ignored);
}

/// A request cut off by cancellation (a stop, or its timeout, which relabels it) or by a failure.
Answer failure(const boost::system::error_code& error) {
  return {
      error == asio::error::operation_aborted ? IoOutcome::cancelled : IoOutcome::connection_error,
      0};
}

/// One HTTP exchange: connect (when `socket` is not open), write the request, read the answer.
/// Expected failures are outcomes, not exceptions. `connect_gate` (may be null) admits a few
/// connects at a time. The socket stays open only when it can carry the next request.
asio::awaitable<Answer> exchange(tcp::socket& socket, const Prepared& prepared,
                                 std::string_view request, aio::semaphore* connect_gate) {
  if (!socket.is_open()) {
    std::optional<aio::semaphore::guard> admitted;
    if (connect_gate != nullptr) admitted.emplace(co_await connect_gate->scoped());
    const auto [error] = co_await socket.async_connect(prepared.endpoint, as_tuple_awaitable);
    if (error) {
      discard(socket);
      co_return failure(error);
    }
  }
  if (const auto [error, written] =
          co_await asio::async_write(socket, asio::buffer(request), as_tuple_awaitable);
      error) {
    discard(socket);
    co_return failure(error);
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_body_bytes);
  if (const auto [error, read] =
          co_await http::async_read(socket, buffer, parser, as_tuple_awaitable);
      error) {
    discard(socket);  // reset, /drop (EOF before an answer), a reply Beast cannot parse
    co_return failure(error);
  }
  const auto& response = parser.get();
  if (!response.keep_alive()) discard(socket);
  const unsigned status = response.result_int();
  co_return Answer{status >= 200 && status < 300 ? IoOutcome::ok : IoOutcome::http_error,
                   static_cast<std::int16_t>(status)};
}

/// `exchange` under the per-request timeout: on expiry the exchange is cancelled and has
/// stopped before the timeout is reported (aio::with_timeout waits for it).
asio::awaitable<Answer> exchange_within(tcp::socket& socket, const Prepared& prepared,
                                        std::string_view request, aio::semaphore* connect_gate) {
  if (prepared.timeout.count() <= 0)
    co_return co_await exchange(socket, prepared, request, connect_gate);
  try {
    co_return co_await aio::with_timeout(exchange(socket, prepared, request, connect_gate),
                                         prepared.timeout);
  } catch (const aio::timeout_error&) {
  }
  discard(socket);  // cut off part-way: what is left on the connection is unknown
  co_return Answer{IoOutcome::timeout, 0};
}

/// Per-request results of one rep, written by whichever thread ran request i (each index by one
/// thread only), plus the in-flight high-water mark.
class Recorder {
 public:
  explicit Recorder(std::int64_t requests)
      : latency_(static_cast<std::size_t>(requests), 0.0),
        outcome_(static_cast<std::size_t>(requests),
                 static_cast<std::uint8_t>(IoOutcome::cancelled)),
        status_(static_cast<std::size_t>(requests), 0),
        ends_(static_cast<std::size_t>(requests), Clock::time_point{}) {}

  /// Request i starts; returns its start time.
  Clock::time_point begin() {
    const std::int64_t now_in_flight = in_flight_.fetch_add(1, std::memory_order_relaxed) + 1;
    std::int64_t seen = max_in_flight_.load(std::memory_order_relaxed);
    while (now_in_flight > seen &&
           !max_in_flight_.compare_exchange_weak(seen, now_in_flight, std::memory_order_relaxed)) {
    }
    return Clock::now();
  }
  void end(std::int64_t i, Clock::time_point started, Answer answer) {
    const auto now = Clock::now();
    const auto index = static_cast<std::size_t>(i);
    latency_[index] = std::chrono::duration<double>(now - started).count();
    outcome_[index] = static_cast<std::uint8_t>(answer.outcome);
    status_[index] = answer.status;
    ends_[index] = now;
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
  }

  /// The rep as measured from `rep_start`; call once every request has ended or been abandoned.
  results::IoRep finish(Clock::time_point rep_start) && {
    results::IoRep rep;
    Clock::time_point last = rep_start;
    for (const auto end : ends_) last = std::max(last, end);
    rep.makespan_s = std::chrono::duration<double>(last - rep_start).count();
    rep.max_in_flight = max_in_flight_.load();
    for (const auto outcome : outcome_) rep.counts.add(static_cast<IoOutcome>(outcome));
    rep.latency_s = std::move(latency_);
    rep.outcome = std::move(outcome_);
    rep.http_status = std::move(status_);
    return rep;
  }

 private:
  std::vector<double> latency_;
  std::vector<std::uint8_t> outcome_;  // cancelled until the request ends otherwise
  std::vector<std::int16_t> status_;
  std::vector<Clock::time_point> ends_;
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::int64_t> max_in_flight_{0};
};

/// A thread's own event loop, run until its one request is done: to the thread this is a
/// blocking call. Keeps its connection for the next request when keep-alive allows.
class BlockingClient {
 public:
  explicit BlockingClient(const Prepared& prepared) : prepared_(prepared) {}

  Answer get(std::string_view request) {
    Answer answer;
    asio::co_spawn(context_, exchange_within(socket_, prepared_, request, nullptr),
                   [&answer](std::exception_ptr error, Answer result) {
                     if (!error) answer = result;  // an exception: a connection error
                   });
    context_.run();
    context_.restart();
    return answer;
  }

 private:
  const Prepared& prepared_;
  asio::io_context context_{1};
  tcp::socket socket_{context_};
};

void run_one(BlockingClient& client, const Prepared& prepared, Recorder& recorder, std::int64_t i) {
  const auto started = recorder.begin();
  recorder.end(i, started, client.get(prepared.request_bytes(i)));
}

void run_sequential(const ClientOptions& options, const Prepared& prepared, Recorder& recorder,
                    const std::atomic<bool>& stop) {
  BlockingClient client(prepared);
  for (std::int64_t i = 0; i < options.requests && !stop.load(); ++i)
    run_one(client, prepared, recorder, i);
}

/// `count` threads each taking the next request until none is left.
void run_on_threads(int count, const ClientOptions& options, const Prepared& prepared,
                    Recorder& recorder, const std::atomic<bool>& stop) {
  std::atomic<std::int64_t> next{0};
  std::vector<std::jthread> workers;
  workers.reserve(static_cast<std::size_t>(count));
  for (int t = 0; t < count; ++t)
    workers.emplace_back([&] {
      BlockingClient client(prepared);
      for (std::int64_t i = next++; i < options.requests && !stop.load(); i = next++)
        run_one(client, prepared, recorder, i);
    });
}

/// One std::thread per request. When the system refuses another thread, the request waits for
/// the oldest running one to finish (and the run says so) instead of failing.
void run_thread_per_request(const ClientOptions& options, const Prepared& prepared,
                            Recorder& recorder, const std::atomic<bool>& stop,
                            std::vector<std::string>& warnings) {
  std::vector<std::jthread> threads;
  threads.reserve(static_cast<std::size_t>(options.requests));
  std::size_t oldest_running = 0;
  std::int64_t most_at_once = 0;
  std::string refusal;
  for (std::int64_t i = 0; i < options.requests && !stop.load(); ++i) {
    for (;;) {
      try {
        threads.emplace_back([&prepared, &recorder, i] {
          BlockingClient client(prepared);
          run_one(client, prepared, recorder, i);
        });
        break;
      } catch (const std::system_error& e) {
        if (oldest_running == threads.size()) throw;  // not even one thread: nothing to wait for
        if (refusal.empty()) {
          refusal = e.what();
          most_at_once = static_cast<std::int64_t>(threads.size() - oldest_running);
        }
        threads[oldest_running++].join();
      }
    }
  }
  if (!refusal.empty())
    warnings.push_back("threads: the system refused more than " + std::to_string(most_at_once) +
                       " threads at once (" + refusal +
                       "); the remaining requests each waited for a running thread to end");
}

/// What the coroutines of one rep share on their single thread.
struct CoroutineRun {
  const Prepared& prepared;
  Recorder& recorder;
  aio::semaphore* bound;  ///< --concurrency, or null
  aio::semaphore connect_gate;
  std::vector<tcp::socket> idle;  ///< keep-alive connections between requests
  bool keep_alive;
};

asio::awaitable<void> coroutine_request(CoroutineRun& run, std::int64_t i) {
  std::optional<aio::semaphore::guard> permit;
  if (run.bound != nullptr) permit.emplace(co_await run.bound->scoped());
  const auto started = run.recorder.begin();
  tcp::socket socket(co_await asio::this_coro::executor);
  if (!run.idle.empty()) {
    socket = std::move(run.idle.back());
    run.idle.pop_back();
  }
  const Answer answer = co_await exchange_within(socket, run.prepared,
                                                 run.prepared.request_bytes(i), &run.connect_gate);
  if (run.keep_alive && socket.is_open()) run.idle.push_back(std::move(socket));
  run.recorder.end(i, started, answer);
}

void run_coroutines(const ClientOptions& options, const Prepared& prepared, Recorder& recorder,
                    const std::atomic<bool>& stop) {
  asio::io_context context(1);  // one thread: Asio may skip its locking
  std::optional<aio::semaphore> bound;
  if (options.concurrency > 0)
    bound.emplace(context.get_executor(), static_cast<std::size_t>(options.concurrency));
  CoroutineRun run{
      prepared,
      recorder,
      bound ? &*bound : nullptr,
      aio::semaphore(context.get_executor(), static_cast<std::size_t>(connects_in_flight)),
      {},
      options.keep_alive};
  // One cancellation signal per request, so a stop (SIGINT) cancels every one still running.
  std::vector<asio::cancellation_signal> cancel(static_cast<std::size_t>(options.requests));
  std::int64_t remaining = options.requests;
  for (std::int64_t i = 0; i < options.requests; ++i)
    asio::co_spawn(context, coroutine_request(run, i),
                   asio::bind_cancellation_slot(cancel[static_cast<std::size_t>(i)].slot(),
                                                [&remaining](std::exception_ptr) { --remaining; }));
  asio::co_spawn(
      context,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer poll(context);
        while (remaining > 0) {
          if (stop.load()) {
            for (auto& signal : cancel) signal.emit(asio::cancellation_type::terminal);
            co_return;
          }
          poll.expires_after(std::chrono::milliseconds(20));
          co_await poll.async_wait(as_tuple_awaitable);
        }
      },
      asio::detached);
  context.run();
}

double seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
}

}  // namespace

std::optional<std::int64_t> concurrent_request_limit(Driver driver) {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) return std::nullopt;
  constexpr std::int64_t reserved_files = 64;  // stdio, the results file, libraries' own
  // a thread's event loop holds an epoll, an eventfd and a timerfd beside its socket
  const std::int64_t files_per_request = driver == Driver::coroutines ? 1 : 4;
  std::int64_t limit =
      (static_cast<std::int64_t>(files.rlim_cur) - reserved_files) / files_per_request;
  if (driver == Driver::threads) {
    rlimit processes{};
    if (getrlimit(RLIMIT_NPROC, &processes) == 0 && processes.rlim_cur != RLIM_INFINITY)
      limit = std::min(limit, static_cast<std::int64_t>(processes.rlim_cur));
  }
  return std::max<std::int64_t>(limit, 1);
}

results::IoRep run_requests(Driver driver, const ClientOptions& options,
                            const std::atomic<bool>& stop, std::vector<std::string>& warnings) {
  if (options.paths.empty()) throw std::invalid_argument("no request paths");
  const Prepared prepared = prepare(options);
  Recorder recorder(options.requests);
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  const auto rep_start = Clock::now();
  switch (driver) {
    case Driver::sequential:
      run_sequential(options, prepared, recorder, stop);
      break;
    case Driver::threads:
      run_thread_per_request(options, prepared, recorder, stop, warnings);
      break;
    case Driver::pool: {
      const int bound = options.concurrency > 0
                            ? std::min(options.concurrency, options.pool_threads)
                            : options.pool_threads;
      run_on_threads(bound, options, prepared, recorder, stop);
      break;
    }
    case Driver::coroutines:
      run_coroutines(options, prepared, recorder, stop);
      break;
  }
  getrusage(RUSAGE_SELF, &after);
  results::IoRep rep = std::move(recorder).finish(rep_start);
  rep.cpu_user_s = seconds(after.ru_utime) - seconds(before.ru_utime);
  rep.cpu_system_s = seconds(after.ru_stime) - seconds(before.ru_stime);
  return rep;
}

}  // namespace parkit::io
