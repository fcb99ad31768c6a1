// SPDX-License-Identifier: MIT
#include "drivers/io/client.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <fstream>
#include <memory>
#include <span>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <tuple>

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
/// A connection. Its executor is the io_context's own, not the type-erased any_io_executor: that
/// halves the socket (40 bytes, not 88) and every pending operation on it, which matters times
/// ten thousand.
using Socket = asio::basic_stream_socket<tcp, asio::io_context::executor_type>;
// Awaiting a deferred operation: unlike use_awaitable, which wraps every operation in a
// coroutine frame of its own (~250 bytes while the operation is pending), this adds none.
constexpr auto as_tuple_deferred = asio::as_tuple(asio::deferred);

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

/// Closes with a reset instead of a FIN. A graceful close by the client leaves the connection in
/// TIME_WAIT on the client's port for 60 s, and on Linux every later connect() from this host
/// searches past those entries: after 10 000 of them a connect costs ~100 us of system time
/// instead of ~20 us (measured: 0.2 s -> 1.0 s per 10 000 connects), which would slow every
/// following rep and run. Used for connections that are idle (keep-alive, end of a rep) or cut
/// off (timeout, cancellation, error), where nothing is in flight that a reset could lose.
void abort_close(Socket& socket) {
  if (!socket.is_open()) return;
  boost::system::error_code ignored;
  socket.set_option(asio::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

/// A request cut off by cancellation (a stop, or its timeout, which relabels it) or by a failure.
Answer failure(const boost::system::error_code& error) {
  return {
      error == asio::error::operation_aborted ? IoOutcome::cancelled : IoOutcome::connection_error,
      0};
}

/// Beast's HTTP/1.1 response parser, keeping only what a load generator needs: the status and
/// whether the connection stays open. The body is checked for its length and dropped, and no
/// header field is stored, so a request costs no allocation for them.
class AnswerParser final : public http::basic_parser<false> {
 public:
  AnswerParser() {
    body_limit(max_body_bytes);
    eager(true);  // the body in the same put() as the header
  }
  [[nodiscard]] unsigned status() const noexcept { return status_; }

 private:
  void on_request_impl(http::verb, beast::string_view, beast::string_view, int,
                       boost::system::error_code&) override {}
  void on_response_impl(int code, beast::string_view, int, boost::system::error_code&) override {
    status_ = static_cast<unsigned>(code);
  }
  void on_field_impl(http::field, beast::string_view, beast::string_view,
                     boost::system::error_code&) override {}
  void on_header_impl(boost::system::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&,
                         boost::system::error_code&) override {}
  std::size_t on_body_impl(beast::string_view body, boost::system::error_code&) override {
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view,
                            boost::system::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                 boost::system::error_code&) override {
    return body.size();
  }
  void on_finish_impl(boost::system::error_code&) override {}

  unsigned status_ = 0;
};

/// Feeds `input` to the parser; returns the bytes it did not take (a header cut in two waits
/// for the rest). Sets `error` when the bytes are no HTTP answer.
std::string_view feed(AnswerParser& parser, std::string_view input,
                      boost::system::error_code& error) {
  while (!input.empty() && !parser.is_done()) {
    const std::size_t used = parser.put(asio::buffer(input.data(), input.size()), error);
    if (error == http::error::need_more) {
      error = {};
      break;
    }
    if (error) break;
    input.remove_prefix(used);
  }
  return input;
}

/// Connects (when `socket` is not open) and sends the request. A coroutine of its own so that
/// its awaiters live only while it runs, not in the frame of every waiting exchange.
/// `connect_permit`, when given, is a place at the connect gate, held until the connect is done.
asio::awaitable<boost::system::error_code> connect_and_send(
    Socket& socket, const Prepared& prepared, std::string_view request,
    std::optional<aio::semaphore::guard> connect_permit) {
  boost::system::error_code error;
  if (!socket.is_open())
    std::tie(error) = co_await socket.async_connect(prepared.endpoint, as_tuple_deferred);
  connect_permit.reset();
  if (!error)
    std::tie(error, std::ignore) =
        co_await asio::async_write(socket, asio::buffer(request), as_tuple_deferred);
  co_return error;
}

/// After an answer that ends its connection: reads the server's end of stream before closing,
/// so that the TIME_WAIT is the server's and not on this host's client ports (see abort_close).
asio::awaitable<void> close_after_server(Socket& socket) {
  char peeked = 0;
  const auto [error, got] = co_await socket.async_receive(asio::buffer(&peeked, 1),
                                                          Socket::message_peek, as_tuple_deferred);
  boost::system::error_code ignored;
  if (error == asio::error::eof)
    socket.close(ignored);
  else
    abort_close(socket);
}

/// One HTTP exchange on `socket`: connect when it is not open, send the request, read the
/// answer. Expected failures are outcomes, not exceptions. Leaves the socket open only when it
/// can carry the next request.
///
/// Reading holds no buffer while it waits: a one-byte peek waits for data, then what has come is
/// read into `scratch`, which all requests of the thread share (they take turns: nothing waits
/// between the peek and the read). Ten thousand waiting requests so hold ten thousand bytes, not
/// ten thousand read buffers. A peek, unlike a reactor wait, is tried at once, so bytes or an end
/// of stream that came before it are not missed.
asio::awaitable<Answer> exchange(Socket& socket, const Prepared& prepared, std::string_view request,
                                 std::span<char> scratch,
                                 std::optional<aio::semaphore::guard> connect_permit) {
  boost::system::error_code error =
      co_await connect_and_send(socket, prepared, request, std::move(connect_permit));
  AnswerParser parser;
  std::string partial;  // a header cut across reads (rare): what the parser has not taken yet
  char peeked = 0;
  while (!error && !parser.is_done()) {
    std::tie(error, std::ignore) = co_await socket.async_receive(
        asio::buffer(&peeked, 1), Socket::message_peek, as_tuple_deferred);
    if (error == asio::error::eof && parser.got_some()) {
      error = {};
      parser.put_eof(error);  // an answer delimited by the end of the connection
      break;
    }
    if (error) break;
    const std::size_t got = socket.read_some(asio::buffer(scratch.data(), scratch.size()), error);
    if (error) break;
    const std::string_view fresh(scratch.data(), got);
    if (partial.empty()) {
      partial = feed(parser, fresh, error);
    } else {
      partial += fresh;
      partial = std::string(feed(parser, partial, error));
    }
  }
  if (error) {  // refused, reset, /drop (EOF before an answer), bytes that are no HTTP answer
    abort_close(socket);
    co_return failure(error);
  }
  if (!partial.empty())
    abort_close(socket);  // bytes past the answer: nothing more can be trusted on it
  else if (!parser.keep_alive())
    co_await close_after_server(socket);
  const unsigned status = parser.status();
  co_return Answer{status >= 200 && status < 300 ? IoOutcome::ok : IoOutcome::http_error,
                   static_cast<std::int16_t>(status)};
}

/// `exchange` under the per-request timeout: on expiry the exchange is cancelled and has
/// stopped (closing its connection) before the timeout is reported: aio::with_timeout waits.
asio::awaitable<Answer> exchange_within(Socket& socket, const Prepared& prepared,
                                        std::string_view request, std::span<char> scratch,
                                        std::optional<aio::semaphore::guard> connect_permit) {
  try {
    co_return co_await aio::with_timeout(
        exchange(socket, prepared, request, scratch, std::move(connect_permit)), prepared.timeout);
  } catch (const aio::timeout_error&) {
  }
  abort_close(socket);  // cancelled part-way: the exchange may have left it open
  co_return Answer{IoOutcome::timeout, 0};
}

/// The request with or without its timeout; one coroutine frame less when there is none.
asio::awaitable<Answer> exchange_maybe_within(
    Socket& socket, const Prepared& prepared, std::string_view request, std::span<char> scratch,
    std::optional<aio::semaphore::guard> connect_permit = std::nullopt) {
  return prepared.timeout.count() > 0
             ? exchange_within(socket, prepared, request, scratch, std::move(connect_permit))
             : exchange(socket, prepared, request, scratch, std::move(connect_permit));
}

/// Read buffer of one thread's requests (they take turns on it: see exchange).
using Scratch = std::array<char, 16 * 1024>;

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
  ~BlockingClient() { abort_close(socket_); }  // an idle keep-alive connection
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  Answer get(std::string_view request) {
    Answer answer;
    asio::co_spawn(context_, exchange_maybe_within(socket_, prepared_, request, scratch_),
                   [&answer](std::exception_ptr error, Answer result) {
                     if (!error) answer = result;  // an exception: counted as a connection error
                   });
    context_.run();
    context_.restart();
    return answer;
  }

 private:
  const Prepared& prepared_;
  asio::io_context context_{1};
  Socket socket_{context_.get_executor()};  // the kept connection; closed when there is none
  Scratch scratch_;
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
  asio::io_context& context;
  const ClientOptions& options;
  const Prepared& prepared;
  Recorder& recorder;
  const std::atomic<bool>& stop;
  std::optional<aio::semaphore> bound;  ///< --concurrency
  aio::semaphore connect_gate;
  /// Request i's connection while it runs. Here rather than in a coroutine of its own around
  /// the exchange, whose frame would cost more than the socket.
  std::vector<std::optional<Socket>> connection;
  std::vector<Socket> idle;  ///< keep-alive connections between requests
  asio::cancellation_signal cancel_starter;
  bool stopping = false;     ///< set when a stop came: what fails from then on was cancelled
  std::int64_t started = 0;  ///< requests spawned
  std::int64_t ended = 0;
  bool starter_done = false;
  Scratch scratch{};
};

/// Starts the requests one after another, each as soon as it may go: when --concurrency has room
/// for it and, when it needs a new connection, the connect gate has room too. Waiting here rather
/// than in N spawned coroutines keeps the requests that cannot go yet from costing a coroutine
/// each. A request's latency runs from its start. Its end (the record, its connection back to
/// the idle ones) is the completion handler of its exchange.
asio::awaitable<void> start_requests(CoroutineRun& run) {
  for (std::int64_t i = 0; i < run.options.requests && !run.stop.load(); ++i) {
    std::optional<aio::semaphore::guard> in_flight;  // released by the request's end
    if (run.bound) in_flight.emplace(co_await run.bound->scoped());
    const auto started = run.recorder.begin();
    auto& socket = run.connection[static_cast<std::size_t>(i)];
    std::optional<aio::semaphore::guard> connect_permit;
    if (!run.idle.empty()) {
      socket.emplace(std::move(run.idle.back()));
      run.idle.pop_back();
    } else {
      socket.emplace(run.context.get_executor());
      connect_permit.emplace(co_await run.connect_gate.scoped());
    }
    ++run.started;
    asio::co_spawn(
        run.context,
        exchange_maybe_within(*socket, run.prepared, run.prepared.request_bytes(i), run.scratch,
                              std::move(connect_permit)),
        [&run, i, started, in_flight = std::move(in_flight)](std::exception_ptr error,
                                                             Answer answer) mutable {
          if (error) answer = Answer{};  // an exception: counted as a connection error
          if (run.stopping && answer.outcome == IoOutcome::connection_error)
            answer.outcome = IoOutcome::cancelled;  // its connection was closed by the stop
          run.recorder.end(i, started, answer);
          auto& done = run.connection[static_cast<std::size_t>(i)];
          if (done->is_open() && run.options.keep_alive) run.idle.push_back(std::move(*done));
          done.reset();
          in_flight.reset();  // after the connection is back: the next request may take it
          ++run.ended;
        });
  }
}

/// A stop: no request starts any more, and every one still running is cut off by closing its
/// connection (its pending operation then ends with operation_aborted). Closing, rather than a
/// cancellation slot per request, costs no memory per request.
void stop_requests(CoroutineRun& run) {
  run.stopping = true;
  run.cancel_starter.emit(asio::cancellation_type::terminal);
  boost::system::error_code ignored;
  for (auto& connection : run.connection)
    if (connection) connection->close(ignored);
}

void run_coroutines(const ClientOptions& options, const Prepared& prepared, Recorder& recorder,
                    const std::atomic<bool>& stop) {
  asio::io_context context(1);  // one thread: Asio may skip its locking
  CoroutineRun run{context,
                   options,
                   prepared,
                   recorder,
                   stop,
                   std::nullopt,
                   aio::semaphore(context.get_executor(), connects_in_flight),
                   std::vector<std::optional<Socket>>(static_cast<std::size_t>(options.requests)),
                   {},
                   {}};
  if (options.concurrency > 0)
    run.bound.emplace(context.get_executor(), static_cast<std::size_t>(options.concurrency));
  asio::co_spawn(
      context, start_requests(run),
      asio::bind_cancellation_slot(run.cancel_starter.slot(),
                                   [&run](std::exception_ptr) { run.starter_done = true; }));
  // What a stop cuts off, and what never started, is counted as cancelled.
  asio::co_spawn(
      context,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer poll(context);
        while (!run.starter_done || run.ended < run.started) {
          if (stop.load()) {
            stop_requests(run);
            co_return;
          }
          poll.expires_after(std::chrono::milliseconds(20));
          co_await poll.async_wait(as_tuple_deferred);
        }
      },
      asio::detached);
  context.run();
  for (Socket& socket : run.idle) abort_close(socket);
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
