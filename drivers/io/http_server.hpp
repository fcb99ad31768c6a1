// SPDX-License-Identifier: MIT
// The HTTP/1.1 server of `parkit serve` (Boost.Beast on C++20 coroutines): the far end of the
// I/O drivers' requests, on loopback by default. Endpoints:
//   GET /delay/<ms>    200 after <ms> ms (0..max_delay_ms), blocking nothing else
//   GET /status/<code> answers with that status (200..599), a short text body
//   GET /bytes/<n>     200 with n bytes of body (0..max_body_bytes): byte i is 'a' + i % 26
//   GET /drop          closes the connection without an answer
//   GET /stats         200 with the counters below as JSON (not counted itself)
// Keep-alive is honoured (HTTP/1.1's default; `Connection: close` ends the connection after the
// answer). An unknown path is 404, a method other than GET on a known path 405, a number out of
// range or malformed 400, bytes that are no HTTP request 400 (then the connection closes).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace parkit::io {

inline constexpr std::uint64_t max_delay_ms = 3'600'000;    ///< /delay/<ms> above: 400
inline constexpr std::uint64_t max_body_bytes = 64u << 20;  ///< /bytes/<n> above: 400

struct ServerOptions {
  std::string address = "127.0.0.1";  ///< loopback unless told otherwise
  std::uint16_t port = 0;             ///< 0: the kernel picks a free port
  int threads = 1;                    ///< threads running the server's io_context
};

/// What the server did, counted as it happened (readable at any time, from any thread). An answer
/// is counted as it starts being written (so a client that has read it sees it counted) and moved
/// to `abandoned` if the write fails. Once quiet: requests == answered_2xx + answered_other +
/// dropped + abandoned.
struct ServerCounters {
  std::atomic<std::int64_t> connections_accepted{0};
  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::int64_t> max_connections_open{0};
  std::atomic<std::int64_t> requests{0};  ///< requests read (all routes but /stats; malformed too)
  std::atomic<std::int64_t> answered_2xx{0};    ///< answers written with a 2xx status
  std::atomic<std::int64_t> answered_other{0};  ///< answers written with any other status
  std::atomic<std::int64_t> dropped{0};         ///< /drop: closed without an answer
  std::atomic<std::int64_t> abandoned{0};  ///< client gone (or stop()) before the answer was out
};

/// A running server. Construction binds and listens (so port() is known at once); run() serves
/// until stop(). stop() may be called from any thread or a signal watcher, before or during run():
/// it closes the listener and every connection, cancels pending delays (counted as abandoned) and
/// makes run() return after in-flight handlers have ended. run() is meant to be called once, and
/// the server must outlive it.
class HttpServer {
 public:
  explicit HttpServer(const ServerOptions& options);  // throws std::system_error naming the address
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::string url() const;  ///< "http://127.0.0.1:PORT"
  [[nodiscard]] const ServerCounters& counters() const;

  void run();   ///< blocks until stopped; runs options.threads threads (this one included)
  void stop();  ///< thread-safe, idempotent

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Raises RLIMIT_NOFILE's soft limit to the hard limit and grows the descriptor table to match
/// (up to 64 Ki), so that opening many sockets later never waits for the table to grow. Call it
/// before starting threads. Returns the soft limit now in force.
std::int64_t raise_open_files_limit();

/// `parkit serve`: raises the open-files limit, prints "parkit serve: listening on
/// http://ADDR:PORT" (one line on stdout, flushed, so a parent can read the port), warns on stderr
/// when the limit is below 10 240 (too few for 10 000 connections), serves until SIGINT or SIGTERM,
/// then prints a one-line summary of the counters on stdout (unless quiet). Returns the exit code
/// (0 ok; 3 when the address cannot be bound, after one line on stderr saying why).
int serve_main(const ServerOptions& options, bool quiet);

}  // namespace parkit::io
