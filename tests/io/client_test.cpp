// SPDX-License-Identifier: MIT
// The four client drivers against a real parkit server on 127.0.0.1:0, with errors, drops and
// timeouts mixed in: every request ends in exactly one outcome, the counts sum to N and match
// what the server says it did.
#include "drivers/io/client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "drivers/io/http_server.hpp"

namespace parkit::io {
namespace {

using results::IoOutcome;

/// A server on its own thread for the life of a test.
class RunningServer {
 public:
  RunningServer() : server_(ServerOptions{}), thread_([this] { server_.run(); }) {}
  ~RunningServer() { stop(); }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  void stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] const ServerCounters& counters() const { return server_.counters(); }
  [[nodiscard]] ClientOptions client(std::vector<std::string> paths, std::int64_t requests) const {
    ClientOptions options;
    options.server = parse_url(server_.url());
    options.paths = std::move(paths);
    options.requests = requests;
    options.pool_threads = 4;
    return options;
  }

 private:
  HttpServer server_;
  std::jthread thread_;
};

constexpr Driver all_drivers[] = {Driver::sequential, Driver::threads, Driver::pool,
                                  Driver::coroutines};

IoOutcome outcome_of(const results::IoRep& rep, std::size_t i) {
  return static_cast<IoOutcome>(rep.outcome.at(i));
}

TEST(ClientUrl, ParsesHostAndPortAndRefusesWhatItCannotSpeak) {
  const ServerAddress a = parse_url("http://127.0.0.1:8080/delay/1");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, "8080");
  EXPECT_EQ(parse_url("http://localhost").port, "80");
  EXPECT_THROW((void)parse_url("https://example.org"), std::invalid_argument);
  EXPECT_THROW((void)parse_url("http://host:0"), std::invalid_argument);
  EXPECT_THROW((void)parse_url("http://host:99999"), std::invalid_argument);
  EXPECT_THROW((void)parse_url("http://:80"), std::invalid_argument);
}

TEST(ClientDrivers, NamesRoundTrip) {
  for (const Driver d : all_drivers) EXPECT_EQ(find_driver(name_of(d)), d);
  EXPECT_FALSE(find_driver("asyncio").has_value());
}

// Six kinds of request, cycled: each kind is N/6 of the requests, so the expected counts are
// known exactly. The timeout (150 ms) is far from both the fast paths and the slow one (3 s).
TEST(ClientDrivers, MixedFaultsAreCountedExactlyAndMatchTheServer) {
  const std::vector<std::string> paths = {"/delay/5",    "/status/500", "/drop",
                                          "/delay/3000", "/bytes/1000", "/status/404"};
  constexpr std::int64_t requests = 24;
  for (const Driver driver : all_drivers) {
    SCOPED_TRACE(std::string(name_of(driver)));
    RunningServer server;
    ClientOptions options = server.client(paths, requests);
    options.timeout_ms = 150;
    const std::atomic<bool> stop{false};
    std::vector<std::string> warnings;
    const results::IoRep rep = run_requests(driver, options, stop, warnings);
    ASSERT_EQ(rep.outcome.size(), static_cast<std::size_t>(requests));
    EXPECT_EQ(rep.counts.total(), requests);
    EXPECT_EQ(rep.counts.ok, 8);
    EXPECT_EQ(rep.counts.http_error, 8);
    EXPECT_EQ(rep.counts.connection_error, 4);
    EXPECT_EQ(rep.counts.timeout, 4);
    EXPECT_EQ(rep.counts.cancelled, 0);
    for (std::size_t i = 0; i < rep.outcome.size(); ++i) {
      SCOPED_TRACE(paths[i % paths.size()]);
      switch (i % paths.size()) {
        case 0:
        case 4:
          EXPECT_EQ(outcome_of(rep, i), IoOutcome::ok);
          EXPECT_EQ(rep.http_status[i], 200);
          break;
        case 1:
          EXPECT_EQ(outcome_of(rep, i), IoOutcome::http_error);
          EXPECT_EQ(rep.http_status[i], 500);
          break;
        case 2:
          EXPECT_EQ(outcome_of(rep, i), IoOutcome::connection_error);
          break;
        case 3:
          EXPECT_EQ(outcome_of(rep, i), IoOutcome::timeout);
          EXPECT_GE(rep.latency_s[i], 0.150);
          EXPECT_LT(rep.latency_s[i], 2.9);  // cut off, not waited out
          break;
        case 5:
          EXPECT_EQ(outcome_of(rep, i), IoOutcome::http_error);
          break;
      }
      if (i % paths.size() == 0) {
        EXPECT_GE(rep.latency_s[i], 0.005);
      }
    }
    EXPECT_TRUE(warnings.empty());
    server.stop();  // ends the server's pending 3 s delays, so its counters are final
    const ServerCounters& did = server.counters();
    EXPECT_EQ(did.requests.load(), requests);
    EXPECT_EQ(did.answered_other.load(), rep.counts.http_error);
    EXPECT_EQ(did.dropped.load(), rep.counts.connection_error);
    // a timed-out request's answer was abandoned (or written into a closed connection)
    EXPECT_EQ(did.answered_2xx.load() + did.abandoned.load(), rep.counts.ok + rep.counts.timeout);
    EXPECT_GE(did.answered_2xx.load(), rep.counts.ok);
  }
}

TEST(ClientDrivers, InFlightFollowsTheDriver) {
  RunningServer server;
  const std::atomic<bool> stop{false};
  std::vector<std::string> warnings;
  ClientOptions options = server.client({"/delay/20"}, 12);

  EXPECT_EQ(run_requests(Driver::sequential, options, stop, warnings).max_in_flight, 1);
  EXPECT_EQ(run_requests(Driver::pool, options, stop, warnings).max_in_flight, 4);  // 4 threads
  // all 12 coroutines start before the first 20 ms answer can come back
  EXPECT_EQ(run_requests(Driver::coroutines, options, stop, warnings).max_in_flight, 12);
  options.concurrency = 3;  // the semaphore
  EXPECT_EQ(run_requests(Driver::coroutines, options, stop, warnings).max_in_flight, 3);
  EXPECT_EQ(run_requests(Driver::pool, options, stop, warnings).max_in_flight, 3);
  const results::IoRep threads = run_requests(Driver::threads, options, stop, warnings);
  EXPECT_LE(threads.max_in_flight, 12);  // one thread each; how many overlap is the OS's call
  EXPECT_EQ(threads.counts.ok, 12);
  EXPECT_TRUE(warnings.empty());
}

TEST(ClientDrivers, KeepAliveReusesConnectionsAndPerRequestDoesNot) {
  for (const bool keep_alive : {true, false}) {
    SCOPED_TRACE(keep_alive ? "keep-alive" : "per-request");
    RunningServer server;
    ClientOptions options = server.client({"/delay/1"}, 10);
    options.keep_alive = keep_alive;
    const std::atomic<bool> stop{false};
    std::vector<std::string> warnings;
    EXPECT_EQ(run_requests(Driver::sequential, options, stop, warnings).counts.ok, 10);
    EXPECT_EQ(server.counters().connections_accepted.load(), keep_alive ? 1 : 10);
    // coroutines one at a time (concurrency 1) reuse the one free connection too
    options.concurrency = 1;
    EXPECT_EQ(run_requests(Driver::coroutines, options, stop, warnings).counts.ok, 10);
    EXPECT_EQ(server.counters().connections_accepted.load(), keep_alive ? 2 : 20);
  }
}

TEST(ClientDrivers, AStopBeforehandCancelsEveryRequest) {
  RunningServer server;
  const std::atomic<bool> stop{true};
  std::vector<std::string> warnings;
  for (const Driver driver : all_drivers) {
    SCOPED_TRACE(std::string(name_of(driver)));
    const results::IoRep rep = run_requests(driver, server.client({"/delay/1"}, 6), stop, warnings);
    EXPECT_EQ(rep.counts.cancelled, 6);
    EXPECT_EQ(rep.counts.total(), 6);
  }
}

TEST(ClientDrivers, AStopDuringTheRunCancelsWhatIsStillWaiting) {
  RunningServer server;
  std::atomic<bool> stop{false};
  std::vector<std::string> warnings;
  // half the requests answer at once, half would wait 10 s; the stop comes after 300 ms
  std::jthread stopper([&stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop.store(true);
  });
  const results::IoRep rep = run_requests(
      Driver::coroutines, server.client({"/delay/1", "/delay/10000"}, 20), stop, warnings);
  EXPECT_EQ(rep.counts.ok, 10);
  EXPECT_EQ(rep.counts.cancelled, 10);
  EXPECT_LT(rep.makespan_s, 5.0);  // did not wait the 10 s out
}

TEST(ClientDrivers, ConnectionRefusedIsAConnectionError) {
  std::uint16_t closed_port = 0;
  {
    HttpServer gone{ServerOptions{}};  // a port that was free a moment ago, now closed
    closed_port = gone.port();
  }
  ClientOptions options;
  options.server = {"127.0.0.1", std::to_string(closed_port)};
  options.paths = {"/delay/1"};
  options.requests = 3;
  const std::atomic<bool> stop{false};
  std::vector<std::string> warnings;
  for (const Driver driver : all_drivers) {
    SCOPED_TRACE(std::string(name_of(driver)));
    EXPECT_EQ(run_requests(driver, options, stop, warnings).counts.connection_error, 3);
  }
}

TEST(ClientDrivers, ManyCoroutinesOnOneThreadOverlapTheirWaits) {
  RunningServer server;
  const std::atomic<bool> stop{false};
  std::vector<std::string> warnings;
  const results::IoRep rep =
      run_requests(Driver::coroutines, server.client({"/delay/200"}, 1000), stop, warnings);
  EXPECT_EQ(rep.counts.ok, 1000);
  EXPECT_EQ(rep.max_in_flight, 1000);
  EXPECT_LT(rep.makespan_s, 20.0);  // one after another would be 200 s
}

TEST(ClientDrivers, PeakRssIsRead) { EXPECT_GT(peak_rss_bytes(), 1 << 20); }

}  // namespace
}  // namespace parkit::io
