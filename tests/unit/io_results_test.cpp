// SPDX-License-Identifier: MIT
// I/O runs in results: the aggregates finalize() computes, the HDF5 round trip of a file holding
// kernel and I/O runs (schema version 2 and later), reading version 1 files, refusing newer ones,
// and the JSON round trip of `parkit io --json`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "drivers/cli/io_output.hpp"
#include "drivers/cli/results_io.hpp"
#include "parkit/results/h5.hpp"
#include "parkit/results/io_statistics.hpp"
#include "parkit/results/results_file.hpp"

namespace parkit::results {

using measure::RunRecord;
using measure::summarize;
using measure::Summary;

namespace {

constexpr auto ok = static_cast<std::uint8_t>(IoOutcome::ok);
constexpr auto http = static_cast<std::uint8_t>(IoOutcome::http_error);
constexpr auto conn = static_cast<std::uint8_t>(IoOutcome::connection_error);
constexpr auto late = static_cast<std::uint8_t>(IoOutcome::timeout);
constexpr auto gone = static_cast<std::uint8_t>(IoOutcome::cancelled);

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "parkit_io_" + std::to_string(getpid()) + "_" + name;
}

/// Two reps of five requests; every value a binary fraction, so sums and means are exact.
IoRecord hand_built() {
  IoRecord r;
  r.driver = "pool";
  r.url = "http://127.0.0.1:8080";
  r.server_started = true;
  r.paths = {"/delay/1000", "/status/503"};
  r.requests = 5;
  r.concurrency = 4;
  r.pool_threads = 3;
  r.timeout_ms = 1500;
  r.connections = "keep-alive";
  r.reps = 2;
  r.warmup = 1;
  IoRep a;
  a.makespan_s = 2.5;
  a.cpu_user_s = 0.5;
  a.cpu_system_s = 0.25;
  a.max_in_flight = 4;
  a.latency_s = {0.5, 0.25, 0.125, 1.0, 2.0};
  a.outcome = {ok, ok, http, late, conn};
  a.http_status = {200, 200, 503, 0, 0};
  a.counts = {2, 1, 1, 1, 0};
  IoRep b;
  b.makespan_s = 3.5;
  b.cpu_user_s = 1.0;
  b.cpu_system_s = 0.5;
  b.max_in_flight = 5;
  b.latency_s = {0.75, 0.375, 3.0, 0.0625, 1.5};
  b.outcome = {ok, gone, ok, ok, http};
  b.http_status = {200, 0, 201, 204, 404};
  b.counts = {3, 1, 0, 0, 1};
  r.rep_data = {a, b};
  r.peak_rss_bytes = 12'345'678;
  r.timer_resolution = 2e-8;
  return r;
}

TEST(IoStatistics, FinalizeGivesTheHandComputedAggregates) {
  IoRecord r = hand_built();
  finalize(r);
  // answered (ok or http_error) latencies, sorted: 0.0625 0.125 0.25 0.5 0.75 1.5 3.0 (n = 7);
  // nearest rank ceil(p/100 * 7): p50 -> 4th, p90 -> 7th (6.3), p99 -> 7th (6.93)
  EXPECT_EQ(r.latency.count, 7);
  EXPECT_EQ(r.latency.p50, 0.5);
  EXPECT_EQ(r.latency.p90, 3.0);
  EXPECT_EQ(r.latency.p99, 3.0);
  EXPECT_EQ(r.latency.max, 3.0);
  EXPECT_EQ(r.latency.mean, 6.1875 / 7);
  EXPECT_EQ(r.counts, (IoCounts{5, 2, 1, 1, 1}));
  EXPECT_EQ(r.counts.total(), 2 * r.requests);
  EXPECT_EQ(r.max_in_flight, 5);
  EXPECT_EQ(r.makespan.min, 2.5);
  EXPECT_EQ(r.makespan.median, 3.0);
  EXPECT_EQ(r.makespan.mean, 3.0);
  EXPECT_EQ(r.makespan.max, 3.5);
  EXPECT_EQ(r.cpu_seconds.min, 0.75);
  EXPECT_EQ(r.cpu_seconds.median, 1.125);
  EXPECT_EQ(r.cpu_seconds.max, 1.5);
}

TEST(IoStatistics, NearestRankPercentilesAreMeasuredValues) {
  std::vector<double> ten{7, 3, 10, 1, 9, 2, 8, 4, 6, 5};  // 1..10, shuffled
  const LatencySummary s = summarize_latency(ten);
  EXPECT_EQ(s.count, 10);
  EXPECT_EQ(s.p50, 5);   // ceil(5.0) = 5th
  EXPECT_EQ(s.p90, 9);   // ceil(9.0) = 9th: no floating-point drift to the 10th
  EXPECT_EQ(s.p99, 10);  // ceil(9.9) = 10th
  EXPECT_EQ(s.max, 10);
  EXPECT_EQ(s.mean, 5.5);
  std::vector<double> hundred(100);
  for (std::size_t i = 0; i < hundred.size(); ++i) hundred[i] = static_cast<double>(i + 1);
  EXPECT_EQ(nearest_rank(hundred, 50), 50);
  EXPECT_EQ(nearest_rank(hundred, 90), 90);
  EXPECT_EQ(nearest_rank(hundred, 99), 99);
  EXPECT_EQ(nearest_rank(std::vector<double>{4.0}, 1), 4.0);
  EXPECT_EQ(summarize_latency({}), LatencySummary{});
  EXPECT_THROW((void)nearest_rank({}, 50), std::invalid_argument);
}

TEST(IoStatistics, NothingAnsweredGivesAZeroLatencySummary) {
  IoRecord r = hand_built();
  for (IoRep& rep : r.rep_data) {
    std::fill(rep.outcome.begin(), rep.outcome.end(), conn);
    rep.counts = {0, 0, 5, 0, 0};
  }
  finalize(r);
  EXPECT_EQ(r.latency, LatencySummary{});
  EXPECT_EQ(r.counts.connection_error, 10);
}

TEST(IoStatistics, CountOutcomesCountsEachCodeAndRefusesOthers) {
  const std::vector<std::uint8_t> codes{ok, ok, http, conn, late, gone, gone};
  EXPECT_EQ(count_outcomes(codes), (IoCounts{2, 1, 1, 1, 2}));
  const std::vector<std::uint8_t> bad{ok, 5};
  EXPECT_THROW((void)count_outcomes(bad), std::invalid_argument);
}

TEST(IoStatistics, FinalizeRefusesRepsWhoseCountsAreNotN) {
  IoRecord lost = hand_built();
  lost.rep_data[1].counts.ok = 2;  // sums to 4 of 5
  EXPECT_THROW(finalize(lost), std::invalid_argument);
  IoRecord extra = hand_built();
  extra.rep_data[0].counts.cancelled = 1;  // sums to 6 of 5
  EXPECT_THROW(finalize(extra), std::invalid_argument);
  IoRecord disagree = hand_built();
  disagree.rep_data[0].counts = {3, 0, 1, 1, 0};  // sums to 5, but outcomes say 2 ok, 1 http
  EXPECT_THROW(finalize(disagree), std::invalid_argument);
  IoRecord short_array = hand_built();
  short_array.rep_data[1].http_status.pop_back();
  EXPECT_THROW(finalize(short_array), std::invalid_argument);
  IoRecord short_latency = hand_built();
  short_latency.rep_data[0].latency_s.push_back(1.0);
  EXPECT_THROW(finalize(short_latency), std::invalid_argument);
}

// ---- files

void expect_same_summary(const Summary& x, const Summary& y) {
  EXPECT_EQ(x.min, y.min);
  EXPECT_EQ(x.median, y.median);
  EXPECT_EQ(x.mean, y.mean);
  EXPECT_EQ(x.max, y.max);
  EXPECT_EQ(x.stddev, y.stddev);
  EXPECT_EQ(x.cv, y.cv);
}

/// Every field, bit-exact (doubles compared with ==).
void expect_same(const IoRecord& x, const IoRecord& y) {
  EXPECT_EQ(x.job, y.job);
  EXPECT_EQ(x.driver, y.driver);
  EXPECT_EQ(x.url, y.url);
  EXPECT_EQ(x.server_started, y.server_started);
  EXPECT_EQ(x.paths, y.paths);
  EXPECT_EQ(x.requests, y.requests);
  EXPECT_EQ(x.concurrency, y.concurrency);
  EXPECT_EQ(x.pool_threads, y.pool_threads);
  EXPECT_EQ(x.timeout_ms, y.timeout_ms);
  EXPECT_EQ(x.connections, y.connections);
  EXPECT_EQ(x.reps, y.reps);
  EXPECT_EQ(x.warmup, y.warmup);
  EXPECT_EQ(x.rep_data, y.rep_data);  // every rep: timings, counts, per-request arrays
  expect_same_summary(x.makespan, y.makespan);
  expect_same_summary(x.cpu_seconds, y.cpu_seconds);
  EXPECT_EQ(x.latency, y.latency);
  EXPECT_EQ(x.max_in_flight, y.max_in_flight);
  EXPECT_EQ(x.counts, y.counts);
  EXPECT_EQ(x.peak_rss_bytes, y.peak_rss_bytes);
  EXPECT_EQ(x.timer_resolution, y.timer_resolution);
  EXPECT_EQ(x.warnings, y.warnings);
}

IoRecord second_io_run() {
  IoRecord r;
  r.job = "job-0001";
  r.driver = "coroutines";
  r.url = "http://example.invalid:80";
  r.paths = {"/délai/ünïcode"};
  r.requests = 3;
  r.connections = "per-request";
  r.reps = 3;
  for (int i = 0; i < 3; ++i) {
    IoRep rep;
    rep.makespan_s = 0.1 * (i + 1);  // not binary fractions: the file must keep every bit
    rep.cpu_user_s = 1.0 / 3;
    rep.cpu_system_s = 1e-7;
    rep.max_in_flight = 3;
    rep.latency_s = {0.1, 0.2 + i, 1.0 / 7};
    rep.outcome = {ok, late, gone};
    rep.http_status = {200, 0, -1};
    rep.counts = count_outcomes(rep.outcome);
    r.rep_data.push_back(rep);
  }
  finalize(r);
  r.warnings = {"interrupted: the last rep was cut short", "second"};
  return r;
}

RunRecord kernel_run(int i) {
  RunRecord r;
  r.kernel = i == 0 ? "sum_squares" : "triad";
  r.model = "threads";
  r.n_global = 1000 + i;
  r.n_per_rank = 1000 + i;
  r.threads = 2;
  r.reps = 2;
  r.placement = {{"node-a", 0, {"0", "1"}}};
  r.rank_times = {{0.5}, {0.25}};
  r.rep_times = {0.5, 0.25};
  r.rep_rank_min = r.rep_times;
  r.rep_rank_mean = r.rep_times;
  r.time = summarize(r.rep_times);
  r.outliers = {false, false};
  r.verified = true;
  r.expected = r.observed = "42";
  return r;
}

ResultsFile mixed_file() {
  ResultsFile f;
  f.created_utc = "2026-11-22T04:00:00Z";
  f.parkit_version = "0.2.0";
  f.git_commit = "abcdef";
  JobProvenance job;
  job.text = {{"command_line", "parkit io -n 5"}};
  job.hosts = {"node-a"};
  JobProvenance job1 = job;
  job1.id = "job-0001";
  f.jobs = {job, job1};
  f.runs = {kernel_run(0), kernel_run(1)};
  IoRecord first = hand_built();
  finalize(first);
  f.io_runs = {first, second_io_run()};
  return f;
}

/// Rewrites the root's schema_version of an existing file (and removes what later versions
/// added: version 3 the hazard runs, version 2 the I/O runs), so that one encoder gives files of
/// every version.
void patch_version(const std::string& path, std::int64_t version) {
  h5::silence_library_errors();
  const h5::File file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "H5Fopen");
  h5::write_attribute(file.get(), "schema_version", version);
  if (version == 1 || version == 2) {
    h5::check(H5Ldelete(file.get(), "hazard_runs", H5P_DEFAULT), "H5Ldelete hazard_runs");
    h5::check(H5Ldelete(file.get(), "hazard_table", H5P_DEFAULT), "H5Ldelete hazard_table");
  }
  if (version == 1) {
    h5::check(H5Ldelete(file.get(), "io_runs", H5P_DEFAULT), "H5Ldelete io_runs");
    h5::check(H5Ldelete(file.get(), "io_table", H5P_DEFAULT), "H5Ldelete io_table");
  }
}

TEST(IoResultsFile, KernelAndIoRunsSurviveTheRoundTripExactly) {
  const ResultsFile written = mixed_file();
  const std::string path = temp_path("mixed.h5");
  std::filesystem::remove(path);
  write_results(path, written, /*replace=*/false);
  const ResultsFile read = read_results(path);
  std::filesystem::remove(path);

  ASSERT_EQ(read.jobs.size(), 2u);
  EXPECT_EQ(read.jobs[1].id, "job-0001");
  ASSERT_EQ(read.runs.size(), 2u);  // kernel runs: results_file_test checks every field
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(read.runs[i].kernel, written.runs[i].kernel);
    EXPECT_EQ(read.runs[i].n_global, written.runs[i].n_global);
    EXPECT_EQ(read.runs[i].rank_times, written.runs[i].rank_times);
    EXPECT_EQ(read.runs[i].time.median, written.runs[i].time.median);
  }
  ASSERT_EQ(read.io_runs.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    expect_same(read.io_runs[i], written.io_runs[i]);
  }
}

TEST(IoResultsFile, IoTableHasOneRowPerIoRunWithUnits) {
  const ResultsFile written = mixed_file();
  const std::string path = temp_path("table.h5");
  std::filesystem::remove(path);
  write_results(path, written, false);
  h5::silence_library_errors();
  const h5::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen");
  EXPECT_EQ(h5::read_int_attribute(file.get(), "schema_version"), schema_version);
  const h5::Dataset table(H5Dopen2(file.get(), "io_table", H5P_DEFAULT), "H5Dopen2");
  // read a few columns by name, as a reader would
  struct Some {
    char driver[16];
    std::int64_t requests, ok, cancelled;
    double latency_p99_s;
  };
  const h5::Type text = [] {
    h5::Type t(H5Tcopy(H5T_C_S1), "H5Tcopy");
    h5::check(H5Tset_size(t.get(), 16), "H5Tset_size");
    return t;
  }();
  const h5::Type type(H5Tcreate(H5T_COMPOUND, sizeof(Some)), "H5Tcreate");
  h5::check(H5Tinsert(type.get(), "driver", offsetof(Some, driver), text.get()), "driver");
  h5::check(H5Tinsert(type.get(), "requests", offsetof(Some, requests), H5T_NATIVE_INT64), "n");
  h5::check(H5Tinsert(type.get(), "ok", offsetof(Some, ok), H5T_NATIVE_INT64), "ok");
  h5::check(H5Tinsert(type.get(), "cancelled", offsetof(Some, cancelled), H5T_NATIVE_INT64), "c");
  h5::check(
      H5Tinsert(type.get(), "latency_p99_s", offsetof(Some, latency_p99_s), H5T_NATIVE_DOUBLE),
      "p99");
  Some rows[2] = {};
  h5::check(H5Dread(table.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows), "H5Dread");
  EXPECT_EQ(std::string(rows[0].driver, 4), "pool");
  EXPECT_EQ(std::string(rows[1].driver, 10), "coroutines");
  EXPECT_EQ(rows[0].requests, 5);
  EXPECT_EQ(rows[0].ok, 5);
  EXPECT_EQ(rows[0].cancelled, 1);
  EXPECT_EQ(rows[0].latency_p99_s, 3.0);
  EXPECT_EQ(rows[1].cancelled, 3);
  const h5::Type stored(H5Dget_type(table.get()), "H5Dget_type");
  const auto columns = static_cast<std::size_t>(H5Tget_nmembers(stored.get()));
  EXPECT_EQ(h5::read_strings_attribute(table.get(), "units").size(), columns);
  // the per-request datasets name what their codes and columns mean
  const h5::Group run(H5Gopen2(file.get(), "io_runs/io-0000", H5P_DEFAULT), "H5Gopen2");
  const h5::Dataset outcome(H5Dopen2(run.get(), "outcome", H5P_DEFAULT), "H5Dopen2");
  const std::vector<std::string> names{"ok", "http_error", "connection_error", "timeout",
                                       "cancelled"};
  EXPECT_EQ(h5::read_strings_attribute(outcome.get(), "names"), names);
  const h5::Dataset counts(H5Dopen2(run.get(), "counts", H5P_DEFAULT), "H5Dopen2");
  EXPECT_EQ(h5::read_strings_attribute(counts.get(), "columns"), names);
  std::filesystem::remove(path);
}

TEST(IoResultsFile, AFileWithoutIoRunsStillHasAnEmptyIoTable) {
  ResultsFile f = mixed_file();
  f.io_runs.clear();
  const std::string path = temp_path("no_io.h5");
  std::filesystem::remove(path);
  write_results(path, f, false);
  {
    h5::silence_library_errors();
    const h5::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen");
    EXPECT_TRUE(h5::exists(file.get(), "io_table"));
    EXPECT_TRUE(h5::members(h5::open_group(file.get(), "io_runs").get()).empty());
  }
  EXPECT_TRUE(read_results(path).io_runs.empty());
  std::filesystem::remove(path);
}

TEST(IoResultsFile, VersionOneFilesStillReadAsFilesWithoutIoRuns) {
  // A v1 file is a v3 file without hazard and I/O runs and tables: the current encoder, patched
  // down (no second, frozen encoder to keep in step).
  const std::string path = temp_path("v1.h5");
  std::filesystem::remove(path);
  write_results(path, mixed_file(), false);
  patch_version(path, 1);
  const ResultsFile read = read_results(path);
  EXPECT_EQ(read.runs.size(), 2u);
  EXPECT_EQ(read.runs[1].kernel, "triad");
  EXPECT_EQ(read.jobs.size(), 2u);
  EXPECT_TRUE(read.io_runs.empty());
  std::filesystem::remove(path);
}

TEST(IoResultsFile, NewerAndOlderVersionsAreFormatErrorsNamingTheFile) {
  for (const std::int64_t version : {schema_version + 1, oldest_schema_version - 1}) {
    const std::string path = temp_path("v" + std::to_string(version) + ".h5");
    std::filesystem::remove(path);
    write_results(path, mixed_file(), false);
    patch_version(path, version);
    try {
      (void)read_results(path);
      ADD_FAILURE() << "read version " << version;
    } catch (const FormatError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(path), std::string::npos) << what;
      EXPECT_NE(what.find("version " + std::to_string(version)), std::string::npos) << what;
    }
    std::filesystem::remove(path);
  }
}

TEST(IoResultsFile, RaggedPerRequestArraysAreRefusedNotPadded) {
  ResultsFile f = mixed_file();
  f.io_runs[0].rep_data[1].outcome.pop_back();
  EXPECT_THROW((void)encode(f), h5::Error);
}

TEST(IoJson, EveryFieldSurvivesTheRoundTrip) {
  for (const IoRecord& written : mixed_file().io_runs) {
    const std::string text = cli::to_json(written).dump();
    const IoRecord read = cli::io_record_from_json(nlohmann::json::parse(text));
    expect_same(read, written);
  }
}

TEST(IoJson, ReportAndMergeReadIoRunsFromTheJsonOfParkitIo) {
  const ResultsFile f = mixed_file();
  nlohmann::json runs = nlohmann::json::array();
  for (const IoRecord& r : f.io_runs) runs.push_back(cli::to_json(r));
  const std::string path = temp_path("io.json");
  {
    std::ofstream out(path);
    out << nlohmann::json{{"parkit", {{"version", "0.2.0"}}}, {"io_runs", runs}}.dump(2);
  }
  const ResultsFile read = cli::read_any_results(path);
  std::filesystem::remove(path);
  EXPECT_TRUE(read.runs.empty());
  ASSERT_EQ(read.io_runs.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) expect_same(read.io_runs[i], f.io_runs[i]);
}

TEST(IoJson, TableShowsOneLinePerRun) {
  const std::string table = cli::io_table(mixed_file().io_runs);
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 4);  // header, rule, two runs
  EXPECT_NE(table.find("coroutines"), std::string::npos);
  EXPECT_NE(table.find("3.000 [2.500-3.500]"), std::string::npos) << table;
  EXPECT_NE(cli::io_notes(mixed_file().io_runs).find("coroutines x 3: second"), std::string::npos);
}

}  // namespace
}  // namespace parkit::results
