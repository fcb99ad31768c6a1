// SPDX-License-Identifier: MIT
#include "drivers/cli/io_command.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "drivers/cli/errors.hpp"
#include "drivers/cli/io_output.hpp"
#include "drivers/cli/job_output.hpp"
#include "drivers/cli/machine.hpp"
#include "drivers/cli/progress.hpp"
#include "drivers/cli/results_io.hpp"
#include "drivers/cli/sizes.hpp"
#include "drivers/io/client.hpp"
#include "drivers/io/http_server.hpp"
#include "parkit/exec/timer.hpp"
#include "parkit/results/io_statistics.hpp"

namespace parkit::cli {
namespace {

/// Set by SIGINT/SIGTERM during `parkit io`: running requests are cancelled, what was measured
/// is still printed and written.
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void on_interrupt(int) { interrupted.store(true); }

/// Catches SIGINT and SIGTERM while alive; restores the previous handlers after.
class InterruptScope {
 public:
  InterruptScope() {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
  }
  ~InterruptScope() {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
  }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

/// `parkit serve --port 0` in a child process, so the client's CPU time and peak RSS are the
/// client's alone. The child dies with us (PR_SET_PDEATHSIG), even after a kill -9.
class ServerProcess {
 public:
  explicit ServerProcess(int threads) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw EnvironmentError("cannot start the server: no pipe");
    const pid_t parent = getpid();
    const std::string thread_count = std::to_string(threads);
    pid_ = fork();
    if (pid_ < 0) throw EnvironmentError("cannot start the server: fork failed");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(1);  // the parent ended before prctl took effect
      dup2(out[1], STDOUT_FILENO);
      const char* argv[] = {"parkit",  "serve", "--port", "0", "--threads", thread_count.c_str(),
                            "--quiet", nullptr};
      execv("/proc/self/exe", const_cast<char* const*>(argv));
      _exit(127);
    }
    close(out[1]);
    url_ = read_url(out[0]);
    close(out[0]);
    if (url_.empty()) {
      stop();
      throw EnvironmentError("the loopback server did not start (try: parkit serve --port 0)");
    }
  }
  ~ServerProcess() { stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  /// The "listening on URL" line, within 10 s; empty when the child failed.
  static std::string read_url(int fd) {
    std::string text;
    for (;;) {
      pollfd ready{fd, POLLIN, 0};
      if (poll(&ready, 1, 10'000) <= 0) return {};
      char chunk[256];
      const ssize_t got = read(fd, chunk, sizeof chunk);
      if (got <= 0) return {};
      text.append(chunk, static_cast<std::size_t>(got));
      if (const auto newline = text.find('\n'); newline != std::string::npos) {
        const auto at = text.find("http://");
        return at < newline ? text.substr(at, newline - at) : std::string();
      }
    }
  }
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  pid_t pid_ = -1;
  std::string url_;
};

/// Starts the peak-RSS count afresh (Linux ≥ 4.0), so each driver's peak is its own.
bool reset_peak_rss() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  clear_refs << "5";
  clear_refs.flush();
  return static_cast<bool>(clear_refs);
}

int default_pool_threads() {
  return static_cast<int>(std::min(32u, std::max(1u, std::thread::hardware_concurrency()) + 4));
}

/// Requests this driver would have in flight at once.
std::int64_t in_flight_wanted(io::Driver driver, std::int64_t requests, int concurrency,
                              int pool_threads) {
  switch (driver) {
    case io::Driver::sequential:
      return 1;
    case io::Driver::threads:
      return requests;
    case io::Driver::pool:
      return std::min<std::int64_t>(
          requests, concurrency > 0 ? std::min(concurrency, pool_threads) : pool_threads);
    case io::Driver::coroutines:
      return concurrency > 0 ? std::min<std::int64_t>(requests, concurrency) : requests;
  }
  return requests;
}

}  // namespace

void add_io_options(CLI::App& cmd, IoOptions& o) {
  cmd.add_option("-N,--requests", o.requests, "Requests per rep: 5, 1000, 10k, 1e4")
      ->capture_default_str()
      ->envname("PARKIT_REQUESTS");
  cmd.add_option("--delay-ms", o.delay_ms, "Each request asks the server to wait this long")
      ->capture_default_str()
      ->envname("PARKIT_DELAY_MS");
  cmd.add_option("--path", o.paths,
                 "Path to request instead of /delay/<ms> (repeatable; request i takes path i mod "
                 "count): /delay/<ms>, /status/<code>, /bytes/<n>, /drop")
      ->envname("PARKIT_PATH");
  cmd.add_option("--url", o.url,
                 "Server to ask, http://HOST:PORT (default: parkit starts its own on 127.0.0.1)")
      ->envname("PARKIT_URL");
  cmd.add_option("-d,--driver", o.drivers,
                 "Drivers, comma separated: sequential, threads, pool, coroutines")
      ->capture_default_str()
      ->envname("PARKIT_DRIVER");
  cmd.add_option("-c,--concurrency", o.concurrency,
                 "Most requests in flight for pool and coroutines (a semaphore); 0: no bound")
      ->capture_default_str()
      ->envname("PARKIT_CONCURRENCY");
  cmd.add_option("--pool-threads", o.pool_threads,
                 "Threads of the pool driver (default: min(32, CPUs + 4), as Python's "
                 "ThreadPoolExecutor)")
      ->envname("PARKIT_POOL_THREADS");
  cmd.add_option("--timeout-ms", o.timeout_ms,
                 "Per request, connect to last byte; a request past it is cancelled; 0: none")
      ->capture_default_str()
      ->envname("PARKIT_TIMEOUT_MS");
  cmd.add_option("--connections", o.connections,
                 "keep-alive (reuse a free connection) or per-request (a new one each)")
      ->capture_default_str()
      ->envname("PARKIT_CONNECTIONS");
  cmd.add_option("-r,--reps", o.reps, "Timed reps per driver")
      ->capture_default_str()
      ->envname("PARKIT_REPS");
  cmd.add_option("-w,--warmup", o.warmup, "Untimed warm-up reps per driver")
      ->capture_default_str()
      ->envname("PARKIT_WARMUP");
  cmd.add_option("--server-threads", o.server_threads, "Threads of the server parkit starts")
      ->capture_default_str()
      ->envname("PARKIT_SERVER_THREADS");
  cmd.add_flag("--fail-on-error", o.fail_on_error,
               "Exit 1 when any request did not end ok (default: failures are only counted)")
      ->envname("PARKIT_FAIL_ON_ERROR");
  add_output_options(cmd, o.output);
}

nlohmann::json io_decision(const IoOptions& o, const std::string& command_line) {
  const std::int64_t requests = parse_size(o.requests, "--requests");
  if (requests > 10'000'000)
    throw UsageError(fmt::format("--requests: {} is more than 10M per rep", requests));
  const auto delay_ms = parse_count(o.delay_ms, "--delay-ms", 0, 3'600'000);
  std::vector<std::string> paths = o.paths;
  for (const auto& path : paths)
    if (path.empty() || path.front() != '/')
      throw UsageError(fmt::format("--path: '{}' does not start with /", path));
  if (paths.empty()) paths.push_back(fmt::format("/delay/{}", delay_ms));

  std::vector<std::string> drivers;
  for (const auto& name : split_list(o.drivers)) {
    if (!io::find_driver(name))
      throw UsageError(fmt::format(
          "--driver: '{}' is not a driver (accepted: sequential, threads, pool, coroutines)",
          name));
    drivers.push_back(name);
  }
  if (drivers.empty())
    throw UsageError("--driver: none given (accepted: sequential, threads, pool, coroutines)");
  const auto concurrency =
      static_cast<int>(parse_count(o.concurrency, "--concurrency", 0, 1 << 20));
  const auto pool_threads =
      o.pool_threads.empty()
          ? default_pool_threads()
          : static_cast<int>(parse_count(o.pool_threads, "--pool-threads", 1, 100'000));
  const auto timeout_ms =
      static_cast<int>(parse_count(o.timeout_ms, "--timeout-ms", 0, 86'400'000));
  if (o.connections != "keep-alive" && o.connections != "per-request")
    throw UsageError(fmt::format(
        "--connections: '{}' is not a policy (accepted: keep-alive, per-request)", o.connections));
  const auto reps = static_cast<int>(parse_count(o.reps, "--reps", 1, 1000));
  const auto warmup = static_cast<int>(parse_count(o.warmup, "--warmup", 0, 1000));
  const auto server_threads =
      static_cast<int>(parse_count(o.server_threads, "--server-threads", 1, 1024));
  if (!o.url.empty()) {
    try {
      (void)io::parse_url(o.url);
    } catch (const std::invalid_argument& e) {
      throw UsageError(fmt::format("--url: {}", e.what()));
    }
  }

  // Refuse before any work what this process cannot have in flight (open files, threads).
  io::raise_open_files_limit();
  for (const auto& name : drivers) {
    const io::Driver driver = *io::find_driver(name);
    const std::int64_t wanted = in_flight_wanted(driver, requests, concurrency, pool_threads);
    const auto limit = io::concurrent_request_limit(driver);
    if (limit && wanted > *limit)
      throw EnvironmentError(fmt::format(
          "--driver {}: {} requests in flight need more open files{} than this process may have "
          "(room for {}; see ulimit -n){}",
          name, wanted, driver == io::Driver::coroutines ? "" : " and threads", *limit,
          driver == io::Driver::threads ? "; use pool or coroutines"
                                        : "; bound it with --concurrency"));
  }

  return {{"command", "io"},
          {"command_line", command_line},
          {"threads_option", nullptr},
          {"context", o.output.context},
          {"json", o.output.json},
          {"output", output_json(o.output)},
          {"requests", requests},
          {"paths", paths},
          {"url", o.url},
          {"drivers", drivers},
          {"concurrency", concurrency},
          {"pool_threads", pool_threads},
          {"timeout_ms", timeout_ms},
          {"connections", o.connections},
          {"reps", reps},
          {"warmup", warmup},
          {"server_threads", server_threads},
          {"fail_on_error", o.fail_on_error}};
}

int io_command(const nlohmann::json& decision) {
  const InterruptScope interrupt_scope;
  interrupted.store(false);
  std::optional<ServerProcess> server;
  std::string url = decision.at("url").get<std::string>();
  if (url.empty()) {
    server.emplace(decision.at("server_threads").get<int>());
    url = server->url();
  }

  io::ClientOptions client;
  client.server = io::parse_url(url);
  client.paths = decision.at("paths").get<std::vector<std::string>>();
  client.requests = decision.at("requests").get<std::int64_t>();
  client.concurrency = decision.at("concurrency").get<int>();
  client.pool_threads = decision.at("pool_threads").get<int>();
  client.timeout_ms = decision.at("timeout_ms").get<int>();
  client.keep_alive = decision.at("connections").get<std::string>() == "keep-alive";
  const int reps = decision.at("reps").get<int>();
  const int warmup = decision.at("warmup").get<int>();
  const auto drivers = decision.at("drivers").get<std::vector<std::string>>();

  std::vector<results::IoRecord> records;
  Progress progress(drivers.size(), true);
  for (const auto& name : drivers) {
    if (interrupted.load()) break;
    const io::Driver driver = *io::find_driver(name);
    results::IoRecord record;
    record.driver = name;
    record.url = url;
    record.server_started = server.has_value();
    record.paths = client.paths;
    record.requests = client.requests;
    record.concurrency =
        driver == io::Driver::pool || driver == io::Driver::coroutines ? client.concurrency : 0;
    record.pool_threads = driver == io::Driver::pool      ? client.pool_threads
                          : driver == io::Driver::threads ? static_cast<int>(client.requests)
                                                          : 1;
    record.timeout_ms = client.timeout_ms;
    record.connections = decision.at("connections").get<std::string>();
    record.reps = reps;
    record.warmup = warmup;
    record.timer_resolution = exec::timer_resolution();
    if (!reset_peak_rss())
      record.warnings.push_back("peak RSS could not be reset: it may include earlier drivers");
    progress.start_run(fmt::format("io {} x{}", name, client.requests));
    for (int rep = 0; rep < warmup + reps && !interrupted.load(); ++rep) {
      results::IoRep measured = io::run_requests(driver, client, interrupted, record.warnings);
      if (rep >= warmup) record.rep_data.push_back(std::move(measured));
      progress.rep_done(rep + 1, warmup + reps);
    }
    record.peak_rss_bytes = io::peak_rss_bytes();
    if (record.rep_data.empty()) break;  // interrupted during warm-up: nothing measured
    if (interrupted.load()) record.warnings.push_back("interrupted: the last rep was cut short");
    results::finalize(record);
    records.push_back(std::move(record));
  }
  progress.finish();

  const results::JobProvenance provenance = job_provenance(decision, {machine_info().host});
  if (decision.at("json").get<bool>()) {
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& r : records) runs.push_back(to_json(r));
    std::cout << nlohmann::json{{"parkit", header_json()},
                                {"provenance", provenance_json(provenance)},
                                {"io_runs", runs}}
                     .dump(2)
              << '\n';
  } else {
    std::cout << io_table(records) << io_notes(records);
  }
  std::cout.flush();

  const BuildInfo b = build_info();
  results::ResultsFile file{utc_now(), b.version, b.git_commit, {provenance}, {}};
  file.io_runs = records;
  int code = save_job_results(decision, file, fmt::format("{} io runs", records.size()));
  if (interrupted.load()) {
    std::fprintf(stderr, "parkit io: interrupted; what was measured is above%s\n",
                 code == exit_ok ? " and in the results file" : "");
    return 128 + SIGINT;
  }
  const bool any_failed = std::any_of(records.begin(), records.end(),
                                      [](const auto& r) { return r.counts.failed() > 0; });
  if (code == exit_ok && any_failed && decision.at("fail_on_error").get<bool>())
    code = exit_verification_failed;
  return code;
}

void add_serve_options(CLI::App& cmd, ServeCliOptions& o) {
  cmd.add_option("--bind", o.bind, "Address to listen on (127.0.0.1: this machine only)")
      ->capture_default_str()
      ->envname("PARKIT_SERVE_BIND");
  cmd.add_option("--port", o.port, "Port; 0 picks a free one (printed)")
      ->capture_default_str()
      ->envname("PARKIT_SERVE_PORT");
  cmd.add_option("--threads", o.threads, "Threads running the server")
      ->capture_default_str()
      ->envname("PARKIT_SERVE_THREADS");
  cmd.add_flag("--quiet", o.quiet, "No summary line at shutdown");
}

nlohmann::json serve_decision(const ServeCliOptions& o) {
  const auto port = parse_count(o.port, "--port", 0, 65535);
  const auto threads = parse_count(o.threads, "--threads", 1, 1024);
  if (o.bind.empty()) throw UsageError("--bind: empty (accepted: an IPv4 or IPv6 address)");
  return {{"command", "serve"},
          {"bind", o.bind},
          {"port", port},
          {"threads", threads},
          {"quiet", o.quiet}};
}

int serve_command(const nlohmann::json& decision) {
  io::ServerOptions options;
  options.address = decision.at("bind").get<std::string>();
  options.port = decision.at("port").get<std::uint16_t>();
  options.threads = decision.at("threads").get<int>();
  return io::serve_main(options, decision.at("quiet").get<bool>());
}

}  // namespace parkit::cli
