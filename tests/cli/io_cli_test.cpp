// SPDX-License-Identifier: MIT
// End-to-end tests of `parkit io`, `parkit serve` and the I/O part of `report` and `merge`: the
// real binary against its own loopback server. Delays are a few ms, timeouts 150 ms, so every
// test takes well under 5 s.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "parkit/results/results_file.hpp"
#include "support/process.hpp"

namespace {

namespace fs = std::filesystem;
using parkit::testing::count;
using parkit::testing::Result;

Result run(const std::string& args, const std::string& binary = PARKIT_BINARY) {
  return parkit::testing::run_command(binary + " " + args);
}

/// A fresh directory for one test's files, removed with it.
struct TempDir : parkit::testing::TempDir {
  TempDir() : parkit::testing::TempDir("parkit_io_cli") {}
};

constexpr std::array<const char*, 4> drivers{"sequential", "threads", "pool", "coroutines"};

// Request i asks for fault i % 4: answered in 5 ms, a 500, a dropped connection, and an answer
// 2 s away that the 150 ms timeout cuts off. 40 requests: exactly 10 of each outcome.
const std::string mixed_faults =
    "io --requests 40 --path /delay/5 --path /status/500 --path /drop --path /delay/2000 "
    "--timeout-ms 150 --driver sequential,threads,pool,coroutines --reps 1";
constexpr std::array<std::uint8_t, 4> fault_outcome{0, 1, 2, 3};  // ok, http, connection, timeout
constexpr std::array<std::int16_t, 4> fault_status{200, 500, 0, 0};

/// A cheap io file: 8 requests (5 ms each, or a 503), 2 reps, every driver.
std::string small_io_file(const TempDir& dir, const std::string& name) {
  const std::string path = dir.file(name);
  const Result r = run("io --requests 8 --path /delay/5 --path /status/503 --reps 2 -o " + path);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(path)) << r.err;
  return path;
}

void expect_every_fault_counted(const nlohmann::json& run) {
  const auto& c = run["counts"];
  EXPECT_EQ(c["ok"], 10) << run["driver"];
  EXPECT_EQ(c["http_error"], 10) << run["driver"];
  EXPECT_EQ(c["connection_error"], 10) << run["driver"];
  EXPECT_EQ(c["timeout"], 10) << run["driver"];
  EXPECT_EQ(c["cancelled"], 0) << run["driver"];
}

void expect_every_fault_counted(const parkit::results::IoRecord& r) {
  EXPECT_EQ(r.counts, (parkit::results::IoCounts{10, 10, 10, 10, 0})) << r.driver;
  ASSERT_EQ(r.rep_data.size(), 1u);
  const auto& rep = r.rep_data[0];
  ASSERT_EQ(rep.outcome.size(), 40u);
  for (std::size_t i = 0; i < 40; ++i) {  // each request ended the way its path says
    EXPECT_EQ(rep.outcome[i], fault_outcome[i % 4]) << r.driver << " request " << i;
    EXPECT_EQ(rep.http_status[i], fault_status[i % 4]) << r.driver << " request " << i;
  }
  EXPECT_EQ(r.latency.count, 20) << r.driver;  // the answered: ok and http_error
  EXPECT_LT(r.latency.max, 0.15) << r.driver;
}

// ---- (a) usage errors

struct BadInput {
  std::string args;
  std::string must_mention;
};
void PrintTo(const BadInput& b, std::ostream* os) { *os << "parkit " << b.args; }

class IoUsageErrors : public ::testing::TestWithParam<BadInput> {};

TEST_P(IoUsageErrors, ExitTwoWithOneLineNamingTheOptionAndWriteNothing) {
  const auto& [args, mention] = GetParam();
  const TempDir dir;
  const std::string output = dir.file("never.h5");
  const Result r = run(args + " -o " + output);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(count(r.err, "\n"), 1) << r.err;
  EXPECT_NE(r.err.find(mention), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_FALSE(fs::exists(output));
}

INSTANTIATE_TEST_SUITE_P(
    IoCli, IoUsageErrors,
    ::testing::Values(
        BadInput{"io --driver nosuch",
                 "parkit io: --driver: 'nosuch' is not a driver (accepted: sequential, threads, "
                 "pool, coroutines)"},
        BadInput{"io --driver sequential,bogus",
                 "--driver: 'bogus' is not a driver (accepted: sequential, threads, pool, "
                 "coroutines)"},
        BadInput{"io --connections sometimes",
                 "--connections: 'sometimes' is not a policy (accepted: keep-alive, per-request)"},
        BadInput{"io --requests 0", "--requests: 0 is not a positive size"},
        BadInput{"io --requests junk",
                 "--requests: 'junk' is not a size (accepted: a positive whole number"},
        BadInput{"io --url ftp://example.org", "--url: 'ftp://example.org'"},
        BadInput{"io --url http://127.0.0.1:notaport", "--url: 'http://127.0.0.1:notaport'"},
        BadInput{"io --timeout-ms -1", "--timeout-ms: -1 is out of range (accepted: 0 to"},
        BadInput{"io --path nopath", "--path: 'nopath' does not start with /"}),
    [](const ::testing::TestParamInfo<BadInput>& param_info) {
      return "case" + std::to_string(param_info.index);
    });

TEST(IoCli, ServeUsageErrorsExitTwoBeforeListening) {
  const Result r = run("serve --port 70000");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(count(r.err, "\n"), 1) << r.err;
  EXPECT_NE(r.err.find("--port: 70000 is out of range (accepted: 0 to 65535)"), std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// ---- (b) mixed faults

TEST(IoCli, MixedFaultsAreCountedExactlyUnderEveryDriverAndExitZero) {
  const TempDir dir;
  const std::string path = dir.file("faults.h5");
  const Result r = run(mixed_faults + " --json -o " + path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["io_runs"].size(), 4u) << r.out;
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(j["io_runs"][k]["driver"], drivers[k]);
    expect_every_fault_counted(j["io_runs"][k]);
  }
  // the file says the same, request by request
  const parkit::results::ResultsFile f = parkit::results::read_results(path);
  EXPECT_TRUE(f.runs.empty());
  ASSERT_EQ(f.io_runs.size(), 4u);
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(f.io_runs[k].driver, drivers[k]);
    EXPECT_EQ(f.io_runs[k].timeout_ms, 150);
    EXPECT_TRUE(f.io_runs[k].server_started);
    expect_every_fault_counted(f.io_runs[k]);
  }
}

TEST(IoCli, FailOnErrorExitsOneAndStillWritesTheFile) {
  const TempDir dir;
  const std::string path = dir.file("faults.h5");
  const Result r = run(mixed_faults + " --fail-on-error -o " + path);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  ASSERT_TRUE(fs::exists(path)) << r.err;
  const parkit::results::ResultsFile f = parkit::results::read_results(path);
  ASSERT_EQ(f.io_runs.size(), 4u);
  for (const auto& run : f.io_runs) expect_every_fault_counted(run);
  // the table: requests per rep and reps, so 40 x 1 = the counts' sum
  for (const char* driver : drivers)
    EXPECT_NE(r.out.find(std::string(driver) + std::string(10 - std::string(driver).size(), ' ') +
                         "        40     1"),
              std::string::npos)
        << r.out;
  EXPECT_EQ(r.out.find("e+"), std::string::npos) << r.out;  // milliseconds in fixed notation
}

TEST(IoCli, FailOnErrorExitsZeroWhenEveryRequestIsOk) {
  const Result r =
      run("io --requests 4 --path /delay/1 --driver sequential,coroutines --reps 1 --fail-on-error "
          "--no-output --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["io_runs"].size(), 2u);
  for (const auto& run : j["io_runs"]) EXPECT_EQ(run["counts"]["ok"], 4) << run["driver"];
}

// ---- (c) report and merge

TEST(IoCli, ReportListsEveryDriverOfTheIoStudyAndExitsZero) {
  const TempDir dir;
  const std::string path = small_io_file(dir, "io.h5");
  const Result table = run("report " + path);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("I/O: 8 requests per rep of /delay/5 /status/503, no timeout, "
                            "keep-alive, parkit's loopback server\n",
                            0),
            0u)
      << table.out;
  for (const char* driver : drivers)
    EXPECT_EQ(count(table.out, std::string("\n") + driver + " "), 1) << driver << table.out;
  EXPECT_EQ(count(table.out, "baseline"), 1) << table.out;
  EXPECT_EQ(count(table.out, "\n"), 1 + 2 + 4) << table.out;  // heading, header, rule, runs

  const Result json = run("report --format json " + path);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_TRUE(j["studies"].empty());
  ASSERT_EQ(j["io_studies"].size(), 1u);
  const auto& study = j["io_studies"][0];
  EXPECT_EQ(study["requests"], 8);
  EXPECT_EQ(study["paths"], nlohmann::json({"/delay/5", "/status/503"}));
  ASSERT_EQ(study["points"].size(), 4u);
  const double base = study["baseline_s"].get<double>();
  for (std::size_t k = 0; k < 4; ++k) {
    const auto& p = study["points"][k];
    EXPECT_EQ(p["driver"], drivers[k]);
    EXPECT_EQ(p["reps"], 2);
    EXPECT_EQ(p["ok"], 8) << p;  // 4 per rep x 2 reps
    EXPECT_EQ(p["http_error"], 8) << p;
    EXPECT_DOUBLE_EQ(p["speedup"].get<double>(), base / p["makespan_median_s"].get<double>());
  }
  EXPECT_EQ(study["points"][0]["speedup"].get<double>(), 1.0);
  EXPECT_TRUE(study["points"][0]["baseline"].get<bool>());
  EXPECT_EQ(study["points"][0]["max_concurrency"], 1);
  EXPECT_EQ(study["points"][1]["max_concurrency"], 8);

  const Result csv = run("report --format csv " + path);
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("paths,requests,timeout_ms,", 0), 0u) << csv.out;
  EXPECT_EQ(count(csv.out, "\n"), 5) << csv.out;
  EXPECT_EQ(count(csv.out, "\n/delay/5 /status/503,8,0,keep-alive,true,"), 4) << csv.out;
}

TEST(IoCli, MergeCarriesIoRunsAndRenumbersTheirJobs) {
  const TempDir dir;
  const std::string a = small_io_file(dir, "a.h5"), b = small_io_file(dir, "b.h5");
  const std::string merged = dir.file("study.h5");
  const Result m = run("merge " + a + " " + b + " -o " + merged);
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.err.find("merged 2 files (2 jobs, 0 runs, 8 io runs, 0 hazard runs) into " + merged),
            std::string::npos)
      << m.err;
  const parkit::results::ResultsFile f = parkit::results::read_results(merged);
  ASSERT_EQ(f.jobs.size(), 2u);
  ASSERT_EQ(f.io_runs.size(), 8u);
  for (std::size_t k = 0; k < 8; ++k) {
    EXPECT_EQ(f.io_runs[k].job, k < 4 ? "job-0000" : "job-0001") << k;
    EXPECT_EQ(f.io_runs[k].driver, drivers[k % 4]);
    EXPECT_EQ(f.io_runs[k].counts.total(), 16);
  }

  const Result json = run("report --format json " + merged);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  ASSERT_EQ(j["io_studies"].size(), 1u);  // one workload, measured by two jobs
  const auto& points = j["io_studies"][0]["points"];
  ASSERT_EQ(points.size(), 8u);
  std::set<std::string> jobs;
  int baselines = 0;
  for (const auto& p : points) {
    jobs.insert(p["job"].get<std::string>());
    baselines += p["baseline"].get<bool>() ? 1 : 0;
  }
  EXPECT_EQ(jobs, (std::set<std::string>{"job-0000", "job-0001"}));
  EXPECT_EQ(baselines, 1);
  EXPECT_EQ(points[0]["speedup"].get<double>(), 1.0);

  // the table tells the two jobs apart; reading both files directly gives the same study
  for (const std::string& files : {merged, a + " " + b}) {
    const Result table = run("report " + files);
    ASSERT_EQ(table.exit_code, 0) << table.err;
    for (const char* driver : drivers)
      EXPECT_EQ(count(table.out, std::string("\n") + driver + " "), 2) << driver << table.out;
    EXPECT_EQ(count(table.out, "job-0000"), 4) << table.out;
    EXPECT_EQ(count(table.out, "job-0001"), 4) << table.out;
  }
}

TEST(IoCli, ReportOfKernelAndIoRunsPrintsBothAndKernelFailuresStillExitOne) {
  const TempDir dir;
  const std::string io = small_io_file(dir, "io.h5");
  const std::string kernel = dir.file("kernel.h5");
  Result r = run("run -k sum_squares -m seq -n 1000 -o " + kernel);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string both = dir.file("both.h5");
  r = run("merge " + kernel + " " + io + " -o " + both);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("(2 jobs, 1 runs, 4 io runs, 0 hazard runs)"), std::string::npos) << r.err;

  const Result table = run("report " + both);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("sum_squares / seq: strong scaling, n = 1000\n", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("\n\nI/O: 8 requests per rep"), std::string::npos) << table.out;
  const Result json = run("report --format json " + both);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["studies"].size(), 1u);
  EXPECT_EQ(j["io_studies"].size(), 1u);
  const Result csv = run("report --format csv " + both);
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("kernel,model,scaling,", 0), 0u) << csv.out;
  EXPECT_NE(csv.out.find("\n\npaths,requests,timeout_ms,"), std::string::npos) << csv.out;

  // kernel runs only: no I/O part at all
  const Result kernel_only = run("report --format json " + kernel);
  ASSERT_EQ(kernel_only.exit_code, 0) << kernel_only.err;
  EXPECT_FALSE(nlohmann::json::parse(kernel_only.out).contains("io_studies"));
  EXPECT_EQ(run("report " + kernel).out.find("I/O"), std::string::npos);

  // an unverified kernel run exits 1 whatever the I/O runs did
  const std::string broken = dir.file("broken.h5");
  r = run("run -k broken_lazy_square_map -m seq -n 1000 -o " + broken, PARKIT_BROKEN_BINARY);
  ASSERT_EQ(r.exit_code, 1) << r.err;
  const Result failed = run("report " + broken + " " + io);
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_NE(failed.out.find("I/O: 8 requests per rep"), std::string::npos) << failed.out;
}

TEST(IoCli, ReportOfAFileWithoutAnyRunExitsFour) {
  const TempDir dir;
  const std::string path = dir.file("empty.h5");
  parkit::results::ResultsFile empty{"2026-01-01T00:00:00Z", "0", "none", {{}}, {}};
  parkit::results::write_results(path, empty, false);
  const Result r = run("report " + path);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(r.err, "parkit: no runs in " + path + "\n");
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// ---- (d) parkit serve

/// `parkit serve --port 0` as a child whose stdout is a pipe; killed if the test ends early.
class ServeProcess {
 public:
  ServeProcess() {
    const std::string command =
        "exec " + parkit::testing::without_parkit_environment() + PARKIT_BINARY + " serve --port 0";
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    fd_ = out[0];
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) close(fd_);
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  /// Everything the server printed up to the first line break (or up to EOF when `to_eof`),
  /// within 10 s.
  std::string read_output(bool to_eof) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (!to_eof && text_.find('\n') != std::string::npos) break;
      pollfd ready{fd_, POLLIN, 0};
      if (poll(&ready, 1, 100) <= 0) continue;
      char chunk[512];
      const ssize_t got = read(fd_, chunk, sizeof chunk);
      if (got <= 0) break;
      text_.append(chunk, static_cast<std::size_t>(got));
    }
    return text_;
  }

  /// Sends `signal` and returns the exit status once the server has ended (-1 after 10 s).
  int stop(int signal) {
    kill(pid_, signal);
    for (int waited = 0; waited < 1000; ++waited) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string text_;
};

TEST(IoCli, ServeListensAnswersAndPrintsItsCountsOnSigterm) {
  ServeProcess server;
  const std::string first = server.read_output(false);
  std::smatch match;
  const std::regex listening(R"(^parkit serve: listening on (http://127\.0\.0\.1:([0-9]+))\n$)");
  ASSERT_TRUE(std::regex_match(first, match, listening)) << first;
  const int port = std::stoi(match[2]);
  EXPECT_GT(port, 0);
  EXPECT_LE(port, 65535);

  const Result client = run("io --url " + match[1].str() +
                            " --path /status/204 --requests 3 --driver sequential --reps 1 "
                            "--no-output --json");
  ASSERT_EQ(client.exit_code, 0) << client.err;
  const auto j = nlohmann::json::parse(client.out);
  ASSERT_EQ(j["io_runs"].size(), 1u);
  EXPECT_FALSE(j["io_runs"][0]["server_started"].get<bool>());
  EXPECT_EQ(j["io_runs"][0]["counts"]["ok"], 3);  // 204 is a 2xx
  EXPECT_EQ(j["io_runs"][0]["rep_data"][0]["http_status"], nlohmann::json({204, 204, 204}));

  EXPECT_EQ(server.stop(SIGTERM), 0);
  const std::string all = server.read_output(true);
  const std::string summary = all.substr(first.size());
  EXPECT_EQ(count(summary, "\n"), 1) << summary;
  EXPECT_EQ(summary.rfind("parkit serve: ", 0), 0u) << summary;
  EXPECT_NE(summary.find("3 requests: 3 answered 2xx, 0 other, 0 dropped, 0 abandoned\n"),
            std::string::npos)
      << summary;
}

}  // namespace
