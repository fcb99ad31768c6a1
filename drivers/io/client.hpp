// SPDX-License-Identifier: MIT
// The client side of `parkit io`: N HTTP GETs, each of which waits on the server, scheduled four
// ways. There is one definition of a request (connect, write, read, with its timeout); the
// drivers differ only in how requests are put on threads:
//   sequential  one thread, one request at a time (the lessons' `for url in urls: get(url)`)
//   threads     one std::thread per request (threading.Thread per request)
//   pool        K threads taking requests in turn (concurrent.futures.ThreadPoolExecutor)
//   coroutines  one thread, one io_context, N coroutines (asyncio.gather)
// A thread of the first three blocks in its own io_context until its request is done, which is
// what a blocking call is; it also gives every driver the same timeout and error handling.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parkit/results/io_record.hpp"

namespace parkit::io {

enum class Driver { sequential, threads, pool, coroutines };
inline constexpr std::array<std::string_view, 4> driver_names{"sequential", "threads", "pool",
                                                              "coroutines"};
[[nodiscard]] std::optional<Driver> find_driver(std::string_view name);
[[nodiscard]] std::string_view name_of(Driver driver);

/// "http://HOST:PORT" (a trailing path is ignored: --path says what to ask for).
struct ServerAddress {
  std::string host;
  std::string port;
};
/// Throws std::invalid_argument naming what is wrong (only plain http:// is spoken).
[[nodiscard]] ServerAddress parse_url(std::string_view url);

struct ClientOptions {
  ServerAddress server;
  std::vector<std::string> paths;  ///< request i asks for paths[i % paths.size()]
  std::int64_t requests = 0;
  int concurrency = 0;     ///< most requests in flight (pool, coroutines); 0: no bound
  int pool_threads = 1;    ///< pool: threads in the pool
  int timeout_ms = 0;      ///< per request, connect to last byte; 0: none
  bool keep_alive = true;  ///< reuse a connection for the next request on it (else one each)
};

/// Connections in flight at once while connecting (coroutines). On loopback both halves of the
/// TCP handshake are charged to the connecting CPU; starting 10 000 connects before any request
/// goes out only delays every request, so connects are admitted this many at a time.
inline constexpr int connects_in_flight = 64;

/// Runs all requests once under `driver`. Setting `stop` cancels what has not finished: those
/// requests count as `cancelled`. Fills latency, outcome, status, counts, makespan, CPU time and
/// the maximum in flight; `warnings` gets a line for anything the system refused (threads).
[[nodiscard]] results::IoRep run_requests(Driver driver, const ClientOptions& options,
                                          const std::atomic<bool>& stop,
                                          std::vector<std::string>& warnings);

/// Requests the system can have in flight at once with this driver (open files, threads);
/// nullopt when there is no known bound. Used to refuse or warn before a run.
[[nodiscard]] std::optional<std::int64_t> concurrent_request_limit(Driver driver);

/// Peak resident set of this process (VmHWM), bytes; 0 when /proc is not there.
[[nodiscard]] std::int64_t peak_rss_bytes();

}  // namespace parkit::io
