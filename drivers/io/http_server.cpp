// SPDX-License-Identifier: MIT
// The HTTP/1.1 server of `parkit serve`: an accept loop and one coroutine per connection, each
// made of one coroutine per protocol step (read a request, sit out a delay, write an answer), as
// in asio's cpp20 examples. With several threads every connection runs on its own strand, so its
// state is still touched by one handler at a time; stop() reaches the connections through a
// mutex-guarded intrusive list and posts their closing to their executors.

#include "drivers/io/http_server.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace parkit::io {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::awaitable;
using asio::ip::tcp;
using boost::system::error_code;

constexpr auto expected_errors = asio::as_tuple(asio::use_awaitable);

// Per-connection memory stays small at 10 000 connections: the read buffer starts empty and
// grows in 512-byte steps; a header larger than header_limit is answered 431.
constexpr std::size_t read_buffer_limit = 16 * 1024;
constexpr std::uint32_t header_limit = 8 * 1024;
constexpr std::uint64_t request_body_limit = 64 * 1024;
// Accepting again too soon after running out of descriptors only spins on the same error.
constexpr auto accept_backoff = std::chrono::milliseconds(10);

// The body of /bytes/<n>: 'a' + i % 26, streamed from this block so no answer needs n bytes of
// heap.
constexpr std::size_t pattern_size = 26 * 2048;
constexpr std::array<char, pattern_size> pattern = [] {
  std::array<char, pattern_size> bytes{};
  for (std::size_t i = 0; i < pattern_size; ++i) bytes[i] = static_cast<char>('a' + i % 26);
  return bytes;
}();

enum class RouteKind { delay, status, bytes, drop, stats, not_found, bad_method, bad_number };

/// A route that takes a number: /<prefix><number>, number in [low, high].
struct NumberedRoute {
  std::string_view prefix;
  RouteKind kind;
  std::uint64_t low;
  std::uint64_t high;
};

struct Route {
  explicit Route(RouteKind k, std::uint64_t n = 0, const NumberedRoute* r = nullptr)
      : kind(k), number(n), rule(r) {}
  RouteKind kind;
  std::uint64_t number;       // the <ms>, <code> or <n>
  const NumberedRoute* rule;  // the one whose number was bad, for the 400's text
};

Route route_of(http::verb method, std::string_view target) {
  target = target.substr(0, target.find('?'));  // a query string changes nothing
  const bool get = method == http::verb::get;
  if (target == "/drop" || target == "/stats") {
    if (!get) return Route(RouteKind::bad_method);
    return Route(target == "/drop" ? RouteKind::drop : RouteKind::stats);
  }
  static constexpr std::array<NumberedRoute, 3> numbered{
      {{"/delay/", RouteKind::delay, 0, max_delay_ms},
       {"/status/", RouteKind::status, 200, 599},
       {"/bytes/", RouteKind::bytes, 0, max_body_bytes}}};
  for (const auto& route : numbered) {
    if (!target.starts_with(route.prefix)) continue;
    if (!get) return Route(RouteKind::bad_method);
    const std::string_view digits = target.substr(route.prefix.size());
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    const bool whole = ec == std::errc{} && end == digits.data() + digits.size();
    if (!whole || value < route.low || value > route.high)
      return Route(RouteKind::bad_number, 0, &route);
    return Route(route.kind, value);
  }
  return Route(RouteKind::not_found);
}

std::string_view reason_of(unsigned code) {
  const http::status known = http::int_to_status(code);
  return known == http::status::unknown ? std::string_view("Unknown")
                                        : std::string_view(http::obsolete_reason(known));
}

/// What to write back: a short text (or JSON) or n pattern bytes.
struct Answer {
  unsigned status = 200;
  std::string_view content_type = "text/plain";
  std::string text;
  std::uint64_t pattern_bytes = 0;
  std::string_view allow;     // the Allow header of a 405
  bool headers_only = false;  // answering HEAD
};

Answer text_answer(unsigned status, std::string_view detail = {}) {
  Answer answer;
  answer.status = status;
  answer.text = detail.empty() ? fmt::format("{} {}\n", status, reason_of(status))
                               : fmt::format("{} {}: {}\n", status, reason_of(status), detail);
  return answer;
}

void count_up_to_max(std::atomic<std::int64_t>& max, std::int64_t value) {
  std::int64_t seen = max.load();
  while (value > seen && !max.compare_exchange_weak(seen, value)) {
  }
}

struct Connection;

/// The server's state (HttpServer::Impl is this; named here so that the connections and the
/// accept loop can reach it).
struct Server {
  explicit Server(const ServerOptions& options);

  void start_session(tcp::socket socket);
  /// A new connection's executor. With several threads each connection gets a strand of its
  /// own; with one, the io_context is that strand already and a strand would only add a
  /// dispatch to every handler.
  asio::any_io_executor session_executor() {
    if (options_.threads > 1) return asio::make_strand(io_context_);
    return io_context_.get_executor();
  }
  void unregister(Connection& connection);
  void stop();

  ServerOptions options_;
  ServerCounters counters_;
  // Declared before io_context_: destroying it destroys pending coroutines, and with them
  // connections that unregister here.
  std::mutex registry_mutex_;
  Connection* registry_head_ = nullptr;  // guarded by registry_mutex_
  bool stopping_ = false;                // guarded by registry_mutex_
  asio::io_context io_context_;
  asio::strand<asio::io_context::executor_type> acceptor_strand_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_backoff_;  // on acceptor_strand_
  std::uint16_t port_ = 0;
  std::string url_;
};

/// One client connection. Owned by its session coroutine (and briefly by stop()'s closing
/// handler); everything but the registry links is touched only on the connection's strand.
struct Connection : std::enable_shared_from_this<Connection> {
  Connection(tcp::socket socket, Server& server)
      : socket_(std::move(socket)),
        delay_timer_(socket_.get_executor()),
        buffer_(read_buffer_limit),
        server_(server) {}
  ~Connection() { server_.unregister(*this); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  ServerCounters& counters() { return server_.counters_; }

  /// stop()'s doing, on the strand: fails the pending read or write, ends a pending delay.
  void close() {
    closed_ = true;
    error_code ignored;
    socket_.close(ignored);
    delay_timer_.cancel();
  }

  /// The session's end: counted closed before the client can see the FIN.
  void finish() {
    --counters().connections_open;
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;  // its executor is the connection's strand
  asio::steady_timer delay_timer_;
  boost::beast::flat_buffer buffer_;
  bool closed_ = false;
  bool hung_up_ = false;  // the client left during a /delay
  char peeked_ = 0;       // where that watch peeks
  Server& server_;
  Connection* previous_ = nullptr;  // registry links, guarded by registry_mutex_
  Connection* next_ = nullptr;
};

struct Request {
  http::verb method = http::verb::unknown;
  std::string target;
  unsigned version = 11;
  bool keep_alive = true;
};

/// A read's outcome: a request, bytes that are no HTTP request (answered `status`), or nothing
/// more to read (the client closed, or stop() did).
struct Incoming {
  enum class Kind { request, malformed, gone } kind = Kind::gone;
  Request request;
  unsigned status = 0;
};

bool is_parse_error(const error_code& ec) {
  return ec.category() == boost::beast::http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

awaitable<Incoming> read_request(Connection& c) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(header_limit);
  parser.body_limit(request_body_limit);
  auto [ec, n] = co_await http::async_read(c.socket_, c.buffer_, parser, expected_errors);
  if (ec) {
    if (!is_parse_error(ec)) co_return Incoming{};
    unsigned status = 400;
    if (ec == http::error::body_limit) status = 413;
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) status = 431;
    co_return Incoming{Incoming::Kind::malformed, {}, status};
  }
  const auto& message = parser.get();
  co_return Incoming{
      Incoming::Kind::request,
      {message.method(), std::string(message.target()), message.version(), message.keep_alive()}};
}

/// Writes the answer; false if the client is gone (then the answer counts as abandoned).
awaitable<bool> write_answer(Connection& c, Answer answer, unsigned version, bool keep_alive,
                             bool counted) {
  http::response<http::buffer_body> response;
  response.version(version);
  response.result(answer.status);
  if (http::int_to_status(answer.status) == http::status::unknown)
    response.reason(reason_of(answer.status));
  response.set(http::field::server, "parkit");
  response.set(http::field::content_type, answer.content_type);
  if (!answer.allow.empty()) response.set(http::field::allow, answer.allow);
  const bool from_pattern = answer.text.empty();
  const std::uint64_t body_size = from_pattern ? answer.pattern_bytes : answer.text.size();
  // 204 and 304 have no body, and a 204 not even a Content-Length (RFC 9110 8.6, 15.3.5).
  const bool bodiless_status = answer.status == 204 || answer.status == 304;
  if (!bodiless_status) response.content_length(body_size);
  std::uint64_t left = bodiless_status || answer.headers_only ? 0 : body_size;
  response.keep_alive(keep_alive);

  // Counted before the write so that a client holding the answer always finds it counted.
  auto& answered =
      answer.status / 100 == 2 ? c.counters().answered_2xx : c.counters().answered_other;
  if (counted) ++answered;
  http::response_serializer<http::buffer_body> serializer{response};
  for (;;) {
    // The serializer only reads through the body's pointer, which is non-const by Beast's design.
    const std::size_t piece =
        static_cast<std::size_t>(std::min<std::uint64_t>(left, from_pattern ? pattern_size : left));
    response.body().data =
        piece == 0 ? nullptr
                   : (from_pattern ? const_cast<char*>(pattern.data()) : answer.text.data());
    response.body().size = piece;
    left -= piece;
    response.body().more = left > 0;
    auto [ec, n] = co_await http::async_write(c.socket_, serializer, expected_errors);
    if (ec == http::error::need_buffer || (!ec && !serializer.is_done())) continue;
    if (!ec) co_return true;
    if (counted) {
      --answered;
      ++c.counters().abandoned;
    }
    co_return false;
  }
}

/// Waits out a /delay; false when the client left meanwhile or stop() came first. The hang-up
/// is watched by a peek with a plain completion handler rather than a second coroutine raced
/// against the timer: that would cost a parallel group and two coroutines per delayed request.
/// A peek rather than async_wait(wait_read): reactor waits are edge-triggered and never
/// speculative, so they miss a hang-up that came before them and wake on edges for bytes Beast's
/// read already took. If the peek finds bytes instead (a pipelined request), only the timer
/// matters.
awaitable<bool> sit_out_delay(Connection& c, std::uint64_t ms) {
  if (c.closed_) co_return false;
  c.delay_timer_.expires_after(std::chrono::milliseconds(ms));
  c.hung_up_ = false;
  c.socket_.async_receive(asio::buffer(&c.peeked_, 1), tcp::socket::message_peek,
                          [owner = c.shared_from_this()](const error_code& ec, std::size_t) {
                            if (!ec || ec == asio::error::operation_aborted) return;
                            owner->hung_up_ = true;  // end of stream, a reset, closed by stop()
                            owner->delay_timer_.cancel();
                          });
  co_await c.delay_timer_.async_wait(expected_errors);  // ends early on a hang-up or stop()
  if (!c.hung_up_) {
    error_code ignored;
    c.socket_.cancel(ignored);  // ends the peek, if it still waits
  }
  co_return !c.hung_up_ && !c.closed_;
}

std::string stats_json(const ServerCounters& counters) {
  return fmt::format(
      R"({{"connections_accepted":{},"connections_open":{},"max_connections_open":{},)"
      R"("requests":{},"answered_2xx":{},"answered_other":{},"dropped":{},"abandoned":{}}})",
      counters.connections_accepted.load(), counters.connections_open.load(),
      counters.max_connections_open.load(), counters.requests.load(), counters.answered_2xx.load(),
      counters.answered_other.load(), counters.dropped.load(), counters.abandoned.load());
}

/// Answers one request; false when the connection ends here.
awaitable<bool> serve_request(Connection& c, Request request) {
  const Route route = route_of(request.method, request.target);
  if (route.kind != RouteKind::stats) ++c.counters().requests;
  Answer answer;
  switch (route.kind) {
    case RouteKind::drop:
      ++c.counters().dropped;
      co_return false;
    case RouteKind::stats:
      answer.content_type = "application/json";
      answer.text = stats_json(c.counters());
      break;
    case RouteKind::delay:
      if (!co_await sit_out_delay(c, route.number)) {
        ++c.counters().abandoned;
        co_return false;
      }
      answer.text = fmt::format("waited {} ms\n", route.number);
      break;
    case RouteKind::status:
      answer = text_answer(static_cast<unsigned>(route.number));
      break;
    case RouteKind::bytes:
      answer.content_type = "application/octet-stream";
      answer.pattern_bytes = route.number;
      break;
    case RouteKind::not_found:
      answer = text_answer(404);
      break;
    case RouteKind::bad_method:
      answer = text_answer(405, "only GET");
      answer.allow = "GET";
      break;
    case RouteKind::bad_number:
      answer = text_answer(400, fmt::format("{}<n> takes a whole number from {} to {}",
                                            route.rule->prefix, route.rule->low, route.rule->high));
      break;
  }
  answer.headers_only = request.method == http::verb::head;
  const bool written = co_await write_answer(c, std::move(answer), request.version,
                                             request.keep_alive, route.kind != RouteKind::stats);
  const bool keep_going = written && request.keep_alive;
  co_return keep_going;
}

awaitable<void> session(std::shared_ptr<Connection> c) {
  for (;;) {
    Incoming incoming = co_await read_request(*c);
    if (incoming.kind == Incoming::Kind::gone) break;
    if (incoming.kind == Incoming::Kind::malformed) {
      ++c->counters().requests;
      co_await write_answer(*c, text_answer(incoming.status), 11, false, true);
      break;
    }
    if (!co_await serve_request(*c, std::move(incoming.request))) break;
  }
  c->finish();
}

void report_escape(std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    fmt::print(stderr, "parkit serve: {}\n", e.what());
  }
}

bool out_of_descriptors(const error_code& ec) {
  return ec == asio::error::no_descriptors ||
         ec == boost::system::errc::too_many_files_open_in_system ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

awaitable<void> accept_loop(Server* server) {
  bool told_about_descriptors = false;
  for (;;) {
    auto [ec, socket] =
        co_await server->acceptor_.async_accept(server->session_executor(), expected_errors);
    if (!ec) {
      server->start_session(std::move(socket));
      continue;
    }
    if (ec == asio::error::operation_aborted || !server->acceptor_.is_open()) co_return;
    if (out_of_descriptors(ec)) {
      // Connections wait in the backlog meanwhile; each one that ends frees a descriptor.
      if (!told_about_descriptors) {
        fmt::print(stderr,
                   "parkit serve: cannot accept more connections now ({}); retrying every {} ms "
                   "(`ulimit -n` raises the limit)\n",
                   ec.message(), accept_backoff.count());
        told_about_descriptors = true;
      }
      server->accept_backoff_.expires_after(accept_backoff);
      co_await server->accept_backoff_.async_wait(expected_errors);
    }
    // Anything else (a connection reset while queued, ...) concerns one client only.
  }
}

std::string host_for_url(const asio::ip::address& address) {
  return address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
}

Server::Server(const ServerOptions& options)
    : options_(options),
      io_context_(std::max(options.threads, 1)),
      acceptor_strand_(asio::make_strand(io_context_)),
      acceptor_(acceptor_strand_),
      accept_backoff_(acceptor_strand_) {
  const std::string where = fmt::format("cannot listen on {}:{}", options.address, options.port);
  error_code ec;
  const auto address = asio::ip::make_address(options.address, ec);
  if (ec) throw std::system_error(ec, where);
  const tcp::endpoint endpoint{address, options.port};
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  // 128 pending connections overflow at once under a burst of 10 000; the kernel caps this.
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::system_error(ec, where);
  port_ = acceptor_.local_endpoint().port();
  url_ = fmt::format("http://{}:{}", host_for_url(address), port_);
  asio::co_spawn(acceptor_strand_, accept_loop(this), report_escape);
}

void Server::start_session(tcp::socket socket) {
  ++counters_.connections_accepted;
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);  // answers are small: send them at once
  auto executor = socket.get_executor();
  auto connection = std::make_shared<Connection>(std::move(socket), *this);
  {
    const std::lock_guard lock(registry_mutex_);
    if (stopping_) return;  // closed as it goes out of scope
    connection->next_ = registry_head_;
    if (registry_head_ != nullptr) registry_head_->previous_ = connection.get();
    registry_head_ = connection.get();
  }
  count_up_to_max(counters_.max_connections_open, ++counters_.connections_open);
  asio::co_spawn(executor, session(std::move(connection)), report_escape);
}

void Server::unregister(Connection& connection) {
  const std::lock_guard lock(registry_mutex_);
  if (connection.previous_ != nullptr) connection.previous_->next_ = connection.next_;
  if (connection.next_ != nullptr) connection.next_->previous_ = connection.previous_;
  if (registry_head_ == &connection) registry_head_ = connection.next_;
}

void Server::stop() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    const std::lock_guard lock(registry_mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (Connection* c = registry_head_; c != nullptr; c = c->next_) {
      // Empty for a connection whose destructor is waiting for this lock.
      if (auto alive = c->weak_from_this().lock()) open.push_back(std::move(alive));
    }
  }
  asio::post(acceptor_strand_, [this] {
    error_code ignored;
    acceptor_.close(ignored);
    accept_backoff_.cancel();
  });
  for (auto& c : open) {
    auto executor = c->socket_.get_executor();
    asio::post(executor, [c = std::move(c)] { c->close(); });
  }
}

}  // namespace

struct HttpServer::Impl : Server {
  using Server::Server;
};

HttpServer::HttpServer(const ServerOptions& options) : impl_(std::make_unique<Impl>(options)) {}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::port() const { return impl_->port_; }

std::string HttpServer::url() const { return impl_->url_; }

const ServerCounters& HttpServer::counters() const { return impl_->counters_; }

void HttpServer::run() {
  std::vector<std::jthread> helpers;
  for (int i = 1; i < impl_->options_.threads; ++i)
    helpers.emplace_back([this] { impl_->io_context_.run(); });
  impl_->io_context_.run();
}

void HttpServer::stop() { impl_->stop(); }

namespace {

/// Grows this process's descriptor table to hold `descriptors` at once, now. The kernel grows it
/// by doubling as descriptors are opened, and in a process with several threads every growth
/// waits for an RCU grace period (synchronize_rcu in expand_fdtable): the server's signal
/// watcher thread made each of the seven growths on the way to 10 000 connections block for
/// several ms, the accept queue (4096) filled meanwhile, and the SYNs it dropped were resent
/// only after 1 s (seen: 64 drops turning a 1.15 s run into 2.15 s, on most fresh servers). The
/// table never shrinks, so one growth to the size needed, before any thread starts, is the last.
void grow_descriptor_table(std::int64_t descriptors) {
  const int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (probe < 0) return;
  const int high = ::fcntl(probe, F_DUPFD_CLOEXEC, static_cast<int>(descriptors - 1));
  if (high >= 0) ::close(high);
  ::close(probe);
}

}  // namespace

std::int64_t raise_open_files_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    // An unlimited hard limit is still capped by fs.nr_open: ask for a million, not infinity.
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  // 64 Ki descriptors (a 512 KiB table) are plenty for 10 000 connections; a larger limit
  // grows the table later, if ever it is needed.
  grow_descriptor_table(std::min<std::int64_t>(static_cast<std::int64_t>(limit.rlim_cur), 1 << 16));
  return static_cast<std::int64_t>(limit.rlim_cur);
}

int serve_main(const ServerOptions& options, bool quiet) {
  constexpr std::int64_t enough_open_files = 10'240;            // 10 000 connections and spare
  constexpr std::int64_t descriptors_besides_connections = 16;  // std streams, epoll, listener...
  const std::int64_t limit = raise_open_files_limit();

  std::unique_ptr<HttpServer> server;
  try {
    server = std::make_unique<HttpServer>(options);
  } catch (const std::system_error& e) {
    fmt::print(stderr, "parkit serve: cannot listen on {}:{}: {}\n", options.address, options.port,
               e.code().message());
    return 3;
  }

  // Watched on a context of their own so that the server's run() ends with its own work. Set up
  // before the listening line: a parent may signal as soon as it has read it.
  asio::io_context signal_context(1);
  asio::signal_set signals(signal_context, SIGINT, SIGTERM);
  signals.async_wait([&server](const error_code& ec, int) {
    if (!ec) server->stop();
  });
  std::jthread signal_watcher([&signal_context] { signal_context.run(); });

  fmt::print("parkit serve: listening on {}\n", server->url());
  std::fflush(stdout);
  if (limit >= 0 && limit < enough_open_files) {
    fmt::print(stderr,
               "parkit serve: warning: the open-files limit is {}, enough for about {} concurrent "
               "connections; raise it with `ulimit -n 10240` (or more) before starting\n",
               limit, std::max<std::int64_t>(limit - descriptors_besides_connections, 0));
  }

  server->run();
  asio::post(signal_context, [&signals] { signals.cancel(); });
  signal_watcher.join();

  if (!quiet) {
    const ServerCounters& c = server->counters();
    fmt::print(
        "parkit serve: {} connections (at most {} open), {} requests: {} answered 2xx, {} other, "
        "{} dropped, {} abandoned\n",
        c.connections_accepted.load(), c.max_connections_open.load(), c.requests.load(),
        c.answered_2xx.load(), c.answered_other.load(), c.dropped.load(), c.abandoned.load());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace parkit::io
