// SPDX-License-Identifier: MIT
// Hazard runs in results: the HDF5 round trip of a file holding kernel, I/O and hazard runs
// (schema version 3) and its /hazard_table, reading version 2 files as files without hazard
// runs, the JSON round trip of `parkit hazards --json` (NaN included), and `parkit report`'s
// hazard part: which runs form a study, the cost against the fastest safe variant computed by
// hand, which runs fail the report, and how the tables, CSV and JSON show it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>

#include "drivers/cli/hazard_output.hpp"
#include "drivers/cli/results_io.hpp"
#include "parkit/results/h5.hpp"
#include "parkit/results/hazard_report.hpp"
#include "parkit/results/io_statistics.hpp"
#include "parkit/results/results_file.hpp"

namespace parkit::results {

using measure::RunRecord;
using measure::summarize;

namespace {

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "parkit_hazard_" + std::to_string(getpid()) + "_" + name;
}

/// A counter variant of 4 threads x 1000 increments, 3 reps. `lost` is each rep's lost updates;
/// the median rep time is `median_s` (so ns/op = median_s / 4000 * 1e9).
HazardRecord counter(std::string variant, bool safe, double median_s,
                     std::vector<std::int64_t> lost = {0, 0, 0}) {
  HazardRecord r;
  r.scenario = "counter";
  r.variant = std::move(variant);
  r.runtime = "threads";
  r.expected_safe = safe;
  r.anomaly = "lost updates";
  r.threads = 4;
  r.ops = 1000;
  r.ops_total = 4000;
  r.reps = 3;
  r.warmup = 1;
  r.rep_seconds = {median_s * 1.25, median_s, median_s * 0.75};
  for (const std::int64_t l : lost) {
    r.expected.push_back(4000);
    r.observed.push_back(4000 - l);
    r.anomalies.push_back(l);
    r.anomalies_total += l;
    r.anomalies_max = std::max(r.anomalies_max, l);
  }
  r.time = summarize(r.rep_seconds);
  r.ns_per_op = median_s / 4000 * 1e9;
  r.ops_per_s = 4000 / median_s;
  r.correct = r.anomalies_total == 0;
  r.verdict = r.correct ? "exact: 4000 of 4000"
                        : "lost " + std::to_string(r.anomalies_max) + " of 4000 updates";
  r.timer_resolution = 1e-9;
  return r;
}

/// The queue on coroutines: 2 producers + 3 consumers, capacity 8, 500 items per producer.
HazardRecord queue_run() {
  HazardRecord r;
  r.job = "job-0001";
  r.scenario = "queue";
  r.variant = "bounded";
  r.runtime = "coroutines";
  r.anomaly = "lost items";
  r.threads = 5;
  r.producers = 2;
  r.consumers = 3;
  r.capacity = 8;
  r.ops = 500;
  r.ops_total = 1000;
  r.reps = 2;
  r.warmup = 0;
  r.rep_seconds = {0.1, 1.0 / 3};  // not binary fractions: the file must keep every bit
  r.expected = {1000, 1000};
  r.observed = {1000, 1000};
  r.anomalies = {0, 0};
  r.time = summarize(r.rep_seconds);
  r.ns_per_op = r.time.median / 1000 * 1e9;
  r.ops_per_s = 1000 / r.time.median;
  // UTF-8 beyond ASCII (narrow no-break spaces as thousands separators), in attributes
  r.verdict = "every item consumed once: 1\u202f000 of 1\u202f000";
  r.timer_resolution = 2e-8;
  r.warnings = {"oversubscribed: 5 workers on 2 cores", "second"};
  return r;
}

/// Two locks in opposite orders: the watchdog saw a deadlock in every rep.
HazardRecord ordering_run() {
  HazardRecord r;
  r.scenario = "ordering";
  r.variant = "opposite-order";
  r.runtime = "threads";
  r.expected_safe = false;
  r.anomaly = "deadlocks";
  r.threads = 2;
  r.ops = 100000;
  r.ops_total = 200000;
  r.reps = 2;
  r.rep_seconds = {0.25, 0.5};
  r.expected = {0, 0};
  r.observed = {1, 1};
  r.anomalies = {1, 1};
  r.time = summarize(r.rep_seconds);
  r.ns_per_op = 1875;
  r.ops_per_s = 200000 / 0.375;
  r.anomalies_total = 2;
  r.anomalies_max = 1;
  r.correct = false;
  r.verdict = "deadlocked in 2 of 2 reps (watchdog: no progress for 200 ms)";
  return r;
}

RunRecord kernel_run() {
  RunRecord r;
  r.kernel = "sum_squares";
  r.model = "threads";
  r.n_global = r.n_per_rank = 1000;
  r.threads = 2;
  r.reps = 2;
  r.placement = {{"node-a", 0, {"0", "1"}}};
  r.rank_times = {{0.5}, {0.25}};
  r.rep_times = {0.5, 0.25};
  r.rep_rank_min = r.rep_rank_mean = r.rep_times;
  r.time = summarize(r.rep_times);
  r.outliers = {false, false};
  r.verified = true;
  r.expected = r.observed = "332833500";
  return r;
}

IoRecord io_run() {
  IoRecord r;
  r.driver = "coroutines";
  r.url = "http://127.0.0.1:8080";
  r.paths = {"/delay/5"};
  r.requests = 2;
  r.connections = "keep-alive";
  r.reps = 1;
  IoRep rep;
  rep.makespan_s = 0.125;
  rep.latency_s = {0.0625, 0.125};
  rep.outcome = {0, 0};
  rep.http_status = {200, 200};
  rep.counts = count_outcomes(rep.outcome);
  r.rep_data = {rep};
  finalize(r);
  return r;
}

ResultsFile mixed_file() {
  ResultsFile f;
  f.created_utc = "2026-11-22T04:00:00Z";
  f.parkit_version = "0.3.0";
  f.git_commit = "abcdef";
  JobProvenance job;
  job.text = {{"command_line", "parkit hazards counter"}};
  job.hosts = {"node-a"};
  JobProvenance job1 = job;
  job1.id = "job-0001";
  f.jobs = {job, job1};
  f.runs = {kernel_run()};
  f.io_runs = {io_run()};
  f.hazard_runs = {counter("unsynchronized", false, 0.002, {7, 0, 3}), counter("mutex", true, 0.08),
                   queue_run(), ordering_run()};
  return f;
}

/// Rewrites the root's schema_version of an existing file and removes what came after that
/// version, so that one encoder gives files of every version.
void patch_version(const std::string& path, std::int64_t version) {
  h5::silence_library_errors();
  const h5::File file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "H5Fopen");
  h5::write_attribute(file.get(), "schema_version", version);
  if (version <= 2) {
    h5::check(H5Ldelete(file.get(), "hazard_runs", H5P_DEFAULT), "H5Ldelete hazard_runs");
    h5::check(H5Ldelete(file.get(), "hazard_table", H5P_DEFAULT), "H5Ldelete hazard_table");
  }
  if (version <= 1) {
    h5::check(H5Ldelete(file.get(), "io_runs", H5P_DEFAULT), "H5Ldelete io_runs");
    h5::check(H5Ldelete(file.get(), "io_table", H5P_DEFAULT), "H5Ldelete io_table");
  }
}

ResultsFile written_and_read(const ResultsFile& f, const std::string& name) {
  const std::string path = temp_path(name);
  std::filesystem::remove(path);
  write_results(path, f, /*replace=*/false);
  ResultsFile read = read_results(path);
  std::filesystem::remove(path);
  return read;
}

// ---- HDF5

TEST(HazardResultsFile, KernelIoAndHazardRunsSurviveTheRoundTripExactly) {
  const ResultsFile written = mixed_file();
  const ResultsFile read = written_and_read(written, "mixed.h5");
  ASSERT_EQ(read.jobs.size(), 2u);
  ASSERT_EQ(read.runs.size(), 1u);
  EXPECT_EQ(read.runs[0].kernel, "sum_squares");
  EXPECT_EQ(read.runs[0].rank_times, written.runs[0].rank_times);
  ASSERT_EQ(read.io_runs.size(), 1u);
  EXPECT_EQ(read.io_runs[0].rep_data, written.io_runs[0].rep_data);
  EXPECT_EQ(read.io_runs[0].latency, written.io_runs[0].latency);
  ASSERT_EQ(read.hazard_runs.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(read.hazard_runs[i], written.hazard_runs[i]);  // every field, doubles bit for bit
  }
  // spot checks that the comparison above compares something
  EXPECT_EQ(read.hazard_runs[0].anomalies, (std::vector<std::int64_t>{7, 0, 3}));
  EXPECT_EQ(read.hazard_runs[0].observed, (std::vector<std::int64_t>{3993, 4000, 3997}));
  EXPECT_FALSE(read.hazard_runs[0].expected_safe);
  EXPECT_EQ(read.hazard_runs[2].job, "job-0001");
  EXPECT_EQ(read.hazard_runs[2].rep_seconds[1], 1.0 / 3);
  EXPECT_EQ(read.hazard_runs[2].verdict, "every item consumed once: 1\u202f000 of 1\u202f000");
  EXPECT_EQ(read.hazard_runs[2].consumers, 3);
  EXPECT_EQ(read.hazard_runs[3].anomaly, "deadlocks");
}

TEST(HazardResultsFile, NaNSummariesAndEmptyRepArraysSurvive) {
  ResultsFile f = mixed_file();
  HazardRecord& r = f.hazard_runs[1];
  r.rep_seconds.clear();
  r.expected.clear();
  r.observed.clear();
  r.anomalies.clear();
  r.reps = 0;
  r.ns_per_op = std::numeric_limits<double>::quiet_NaN();
  r.time.cv = std::numeric_limits<double>::quiet_NaN();
  const ResultsFile read = written_and_read(f, "nan.h5");
  const HazardRecord& back = read.hazard_runs.at(1);
  EXPECT_TRUE(back.rep_seconds.empty());
  EXPECT_TRUE(back.anomalies.empty());
  EXPECT_TRUE(std::isnan(back.ns_per_op));
  EXPECT_TRUE(std::isnan(back.time.cv));
  EXPECT_EQ(back.time.median, r.time.median);
  EXPECT_EQ(back.verdict, r.verdict);
}

TEST(HazardResultsFile, RaggedPerRepArraysAreRefusedNotPadded) {
  ResultsFile f = mixed_file();
  f.hazard_runs[0].observed.pop_back();
  try {
    (void)encode(f);
    ADD_FAILURE() << "encoded a ragged hazard run";
  } catch (const h5::Error& e) {
    EXPECT_NE(std::string(e.what()).find("hz-0000"), std::string::npos) << e.what();
  }
}

TEST(HazardResultsFile, HazardRunsAreGroupsWithUnitsAndTheTableHasOneRowPerRun) {
  const std::string path = temp_path("table.h5");
  std::filesystem::remove(path);
  write_results(path, mixed_file(), false);
  h5::silence_library_errors();
  const h5::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen");
  std::filesystem::remove(path);  // the open handle keeps it readable
  EXPECT_EQ(h5::read_int_attribute(file.get(), "schema_version"), schema_version);
  const h5::Group runs = h5::open_group(file.get(), "hazard_runs");
  EXPECT_EQ(h5::members(runs.get()),
            (std::vector<std::string>{"hz-0000", "hz-0001", "hz-0002", "hz-0003"}));
  const h5::Group run = h5::open_group(runs.get(), "hz-0000");
  EXPECT_EQ(h5::read_string_attribute(run.get(), "scenario"), "counter");
  EXPECT_EQ(h5::read_string_attribute(run.get(), "anomaly"), "lost updates");
  EXPECT_EQ(h5::read_int_attribute(run.get(), "anomalies_total"), 10);
  EXPECT_EQ(h5::read_int_attribute(run.get(), "threads"), 4);
  EXPECT_FALSE(h5::read_bool_attribute(run.get(), "expected_safe"));
  EXPECT_FALSE(h5::read_bool_attribute(run.get(), "correct"));
  EXPECT_EQ(h5::read_double_attribute(run.get(), "time_median_s"), 0.002);
  for (const char* name : {"rep_seconds", "expected", "observed", "anomalies"}) {
    const h5::Dataset d(H5Dopen2(run.get(), name, H5P_DEFAULT), name);
    EXPECT_EQ(h5::read_string_attribute(d.get(), "units"),
              std::string(name) == "rep_seconds" ? "s" : "1")
        << name;
  }
  EXPECT_EQ(h5::read_ints(run.get(), "anomalies"), (std::vector<std::int64_t>{7, 0, 3}));

  const h5::Dataset table(H5Dopen2(file.get(), "hazard_table", H5P_DEFAULT), "H5Dopen2");
  const h5::Type stored(H5Dget_type(table.get()), "H5Dget_type");
  const int columns = H5Tget_nmembers(stored.get());
  const std::vector<std::string> units = h5::read_strings_attribute(table.get(), "units");
  ASSERT_EQ(units.size(), static_cast<std::size_t>(columns));
  std::map<std::string, std::string> unit_of;
  for (int c = 0; c < columns; ++c) {
    char* name = H5Tget_member_name(stored.get(), static_cast<unsigned>(c));
    unit_of[name] = units[static_cast<std::size_t>(c)];
    H5free_memory(name);
  }
  EXPECT_EQ(unit_of.at("median_s"), "s");
  EXPECT_EQ(unit_of.at("ns_per_op"), "ns");
  EXPECT_EQ(unit_of.at("ops_per_s"), "ops/s");
  EXPECT_EQ(unit_of.at("ops"), "ops");
  EXPECT_EQ(unit_of.at("variant"), "1");
  EXPECT_EQ(unit_of.at("anomalies_total"), "1");

  // a few columns by name, as a reader would
  struct Some {
    char variant[32];
    char scenario[16];
    std::int64_t anomalies_total, ops_total;
    std::int32_t producers;
    double ns_per_op;
    std::int8_t expected_safe, correct;
  };
  const auto text = [](std::size_t size) {
    h5::Type t(H5Tcopy(H5T_C_S1), "H5Tcopy");
    h5::check(H5Tset_size(t.get(), size), "H5Tset_size");
    return t;
  };
  const h5::Type boolean = h5::bool_type();
  const h5::Type type(H5Tcreate(H5T_COMPOUND, sizeof(Some)), "H5Tcreate");
  h5::check(H5Tinsert(type.get(), "variant", offsetof(Some, variant), text(32).get()), "v");
  h5::check(H5Tinsert(type.get(), "scenario", offsetof(Some, scenario), text(16).get()), "s");
  h5::check(
      H5Tinsert(type.get(), "anomalies_total", offsetof(Some, anomalies_total), H5T_NATIVE_INT64),
      "a");
  h5::check(H5Tinsert(type.get(), "ops_total", offsetof(Some, ops_total), H5T_NATIVE_INT64), "o");
  h5::check(H5Tinsert(type.get(), "producers", offsetof(Some, producers), H5T_NATIVE_INT32), "p");
  h5::check(H5Tinsert(type.get(), "ns_per_op", offsetof(Some, ns_per_op), H5T_NATIVE_DOUBLE), "n");
  h5::check(H5Tinsert(type.get(), "expected_safe", offsetof(Some, expected_safe), boolean.get()),
            "e");
  h5::check(H5Tinsert(type.get(), "correct", offsetof(Some, correct), boolean.get()), "c");
  const h5::Space space(H5Dget_space(table.get()), "H5Dget_space");
  ASSERT_EQ(H5Sget_simple_extent_npoints(space.get()), 4);
  Some rows[4] = {};
  h5::check(H5Dread(table.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows), "H5Dread");
  EXPECT_EQ(std::string(rows[0].variant), "unsynchronized");
  EXPECT_EQ(std::string(rows[1].variant), "mutex");
  EXPECT_EQ(std::string(rows[2].scenario), "queue");
  EXPECT_EQ(std::string(rows[3].variant), "opposite-order");
  EXPECT_EQ(rows[0].anomalies_total, 10);
  EXPECT_EQ(rows[1].anomalies_total, 0);
  EXPECT_EQ(rows[3].anomalies_total, 2);
  EXPECT_EQ(rows[2].ops_total, 1000);
  EXPECT_EQ(rows[2].producers, 2);
  EXPECT_EQ(rows[0].ns_per_op, 500.0);  // 0.002 s / 4000 ops
  EXPECT_EQ(rows[1].ns_per_op, 20000.0);
  EXPECT_EQ(rows[0].expected_safe, 0);
  EXPECT_EQ(rows[1].expected_safe, 1);
  EXPECT_EQ(rows[0].correct, 0);
  EXPECT_EQ(rows[2].correct, 1);
}

TEST(HazardResultsFile, AFileWithoutHazardRunsHasEmptyHazardRunsAndTable) {
  ResultsFile f = mixed_file();
  f.hazard_runs.clear();
  const std::string path = temp_path("no_hazards.h5");
  std::filesystem::remove(path);
  write_results(path, f, false);
  {
    h5::silence_library_errors();
    const h5::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen");
    EXPECT_TRUE(h5::members(h5::open_group(file.get(), "hazard_runs").get()).empty());
    const h5::Dataset table(H5Dopen2(file.get(), "hazard_table", H5P_DEFAULT), "H5Dopen2");
    const h5::Space space(H5Dget_space(table.get()), "H5Dget_space");
    EXPECT_EQ(H5Sget_simple_extent_npoints(space.get()), 0);
    const h5::Type stored(H5Dget_type(table.get()), "H5Dget_type");
    EXPECT_EQ(h5::read_strings_attribute(table.get(), "units").size(),
              static_cast<std::size_t>(H5Tget_nmembers(stored.get())));
  }
  const ResultsFile read = read_results(path);
  std::filesystem::remove(path);
  EXPECT_TRUE(read.hazard_runs.empty());
  EXPECT_EQ(read.io_runs.size(), 1u);
}

TEST(HazardResultsFile, VersionTwoAndOneFilesReadAsFilesWithoutHazardRuns) {
  for (const std::int64_t version : {std::int64_t{2}, std::int64_t{1}}) {
    SCOPED_TRACE(version);
    const std::string path = temp_path("v" + std::to_string(version) + ".h5");
    std::filesystem::remove(path);
    write_results(path, mixed_file(), false);
    patch_version(path, version);
    const ResultsFile read = read_results(path);
    std::filesystem::remove(path);
    EXPECT_EQ(read.jobs.size(), 2u);
    ASSERT_EQ(read.runs.size(), 1u);
    EXPECT_EQ(read.runs[0].kernel, "sum_squares");
    EXPECT_EQ(read.io_runs.size(), version == 2 ? 1u : 0u);
    EXPECT_TRUE(read.hazard_runs.empty());
  }
}

TEST(HazardResultsFile, TheNextVersionIsAFormatErrorNamingTheFile) {
  const std::string path = temp_path("next_version.h5");
  std::filesystem::remove(path);
  write_results(path, mixed_file(), false);
  patch_version(path, schema_version + 1);
  try {
    (void)read_results(path);
    ADD_FAILURE() << "read version " << schema_version + 1;
  } catch (const FormatError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find("version " + std::to_string(schema_version + 1) +
                        ", this parkit reads versions 1 to " + std::to_string(schema_version)),
              std::string::npos)
        << what;
  }
  std::filesystem::remove(path);
}

// ---- JSON

TEST(HazardJson, EveryFieldSurvivesTheRoundTrip) {
  for (const HazardRecord& written : mixed_file().hazard_runs) {
    SCOPED_TRACE(written.variant);
    const std::string text = cli::to_json(written).dump();
    EXPECT_EQ(cli::hazard_record_from_json(nlohmann::json::parse(text)), written);
  }
}

TEST(HazardJson, NaNComesBackAsNaN) {
  HazardRecord r = counter("atomic", true, 0.01);
  r.ns_per_op = std::numeric_limits<double>::quiet_NaN();
  r.rep_seconds[1] = std::numeric_limits<double>::quiet_NaN();
  r.time.stddev = std::numeric_limits<double>::quiet_NaN();
  const std::string text = cli::to_json(r).dump();
  EXPECT_NE(text.find("\"ns_per_op\":null"), std::string::npos) << text;
  const HazardRecord back = cli::hazard_record_from_json(nlohmann::json::parse(text));
  EXPECT_TRUE(std::isnan(back.ns_per_op));
  EXPECT_TRUE(std::isnan(back.rep_seconds[1]));
  EXPECT_TRUE(std::isnan(back.time.stddev));
  EXPECT_EQ(back.rep_seconds[0], r.rep_seconds[0]);
  EXPECT_EQ(back.time.median, r.time.median);
  EXPECT_EQ(back.anomalies, r.anomalies);
}

TEST(HazardJson, AMissingFieldThrows) {
  nlohmann::json j = cli::to_json(queue_run());
  j.erase("anomalies");
  EXPECT_THROW((void)cli::hazard_record_from_json(j), nlohmann::json::exception);
}

TEST(HazardJson, ReportAndMergeReadHazardRunsFromTheJsonOfParkitHazards) {
  const ResultsFile f = mixed_file();
  nlohmann::json runs = nlohmann::json::array();
  for (const HazardRecord& r : f.hazard_runs) runs.push_back(cli::to_json(r));
  const std::string path = temp_path("hazards.json");
  {
    std::ofstream out(path);
    out << nlohmann::json{
        {"parkit", {{"version", "0.3.0"}}},
        {"provenance", {{"user", "someone"}}},
        {"hazard_runs",
         runs}}.dump(2);
  }
  const ResultsFile read = cli::read_any_results(path);
  std::filesystem::remove(path);
  EXPECT_TRUE(read.runs.empty());
  EXPECT_TRUE(read.io_runs.empty());
  ASSERT_EQ(read.hazard_runs.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(read.hazard_runs[i], f.hazard_runs[i]) << i;
}

TEST(HazardJson, TableShowsTheWorstRepAndTheAnomalyName) {
  const std::string table = cli::hazard_table(mixed_file().hazard_runs);
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 6) << table;  // header, rule, 4 runs
  // unsynchronized: reps lost 7, 0, 3; the worst rep ended at 3993 of 4000
  EXPECT_NE(table.find(" 4000      3993  7 lost updates "), std::string::npos) << table;
  EXPECT_NE(table.find("0.002 [0.002-0.003]"), std::string::npos) << table;  // 1.25 x 0.002
  EXPECT_NE(table.find("2+3"), std::string::npos) << table;  // queue: producers + consumers
  EXPECT_NE(table.find("1 deadlocks"), std::string::npos) << table;
  EXPECT_NE(table.find(" 500 "), std::string::npos) << table;    // ns/op of unsynchronized
  EXPECT_NE(table.find(" 20000 "), std::string::npos) << table;  // ns/op of mutex
  EXPECT_NE(table.find(" 2.00 "), std::string::npos) << table;   // 2 Mops/s
  EXPECT_NE(table.find("lost 7 of 4000 updates"), std::string::npos) << table;
  const std::string notes = cli::hazard_notes(mixed_file().hazard_runs);
  EXPECT_EQ(notes,
            "note: queue bounded: oversubscribed: 5 workers on 2 cores\n"
            "note: queue bounded: second\n");
}

// ---- report

/// The counter at 4 x 1000 with all four variants (ns/op 50, 2000, 500, 125: binary-exact
/// ratios), a second counter study at 8 threads, a booking and the queue.
std::vector<HazardRecord> report_runs() {
  HazardRecord eight = counter("atomic", true, 0.004);
  eight.threads = 8;
  HazardRecord booking = counter("cas", true, 0.001);
  booking.scenario = "booking";
  booking.anomaly = "oversold";
  return {counter("unsynchronized", false, 0.0002, {900, 1200, 0}),
          counter("mutex", true, 0.008),
          eight,
          counter("atomic", true, 0.002),
          booking,
          counter("partials", true, 0.0005),
          queue_run()};
}

TEST(HazardReport, StudiesAreScenarioAndParametersAndCostsAreAgainstTheFastestSafeVariant) {
  const auto studies = analyse_hazards(report_runs());
  ASSERT_EQ(studies.size(), 4u);  // counter x4, counter x8, booking, queue: first-seen order
  const HazardStudy& s = studies[0];
  EXPECT_EQ(s.scenario, "counter");
  EXPECT_EQ(s.threads, 4);
  EXPECT_EQ(s.ops, 1000);
  ASSERT_EQ(s.points.size(), 4u);
  EXPECT_EQ(s.points[0].variant, "unsynchronized");  // read order kept
  EXPECT_EQ(s.points[1].variant, "mutex");
  EXPECT_EQ(s.points[2].variant, "atomic");
  EXPECT_EQ(s.points[3].variant, "partials");
  // ns/op by hand: 0.0002 s, 0.008 s, 0.002 s, 0.0005 s over 4000 ops
  EXPECT_DOUBLE_EQ(s.points[0].ns_per_op, 50.0);
  EXPECT_DOUBLE_EQ(s.points[1].ns_per_op, 2000.0);
  EXPECT_DOUBLE_EQ(s.points[2].ns_per_op, 500.0);
  EXPECT_DOUBLE_EQ(s.points[3].ns_per_op, 125.0);
  // the unsafe variant is faster, but it is not a baseline: partials is the fastest safe one
  ASSERT_TRUE(s.fastest_safe_variant.has_value());
  EXPECT_EQ(*s.fastest_safe_variant, "partials");
  EXPECT_DOUBLE_EQ(*s.fastest_safe_ns_per_op, 125.0);
  EXPECT_TRUE(s.points[3].fastest_safe);
  EXPECT_EQ(std::count_if(s.points.begin(), s.points.end(), [](auto& p) { return p.fastest_safe; }),
            1);
  EXPECT_DOUBLE_EQ(*s.points[0].cost_vs_fastest_safe, 0.4);   // 50 / 125
  EXPECT_DOUBLE_EQ(*s.points[1].cost_vs_fastest_safe, 16.0);  // 2000 / 125
  EXPECT_DOUBLE_EQ(*s.points[2].cost_vs_fastest_safe, 4.0);   // 500 / 125
  EXPECT_DOUBLE_EQ(*s.points[3].cost_vs_fastest_safe, 1.0);
  EXPECT_EQ(s.points[0].anomalies_total, 2100);
  EXPECT_EQ(s.points[0].anomalies_max, 1200);
  EXPECT_EQ(s.points[0].reps_with_anomalies, 2);
  EXPECT_FALSE(s.points[0].failed);  // unsafe: its anomalies are the demonstration
  EXPECT_EQ(studies[1].threads, 8);
  ASSERT_EQ(studies[1].points.size(), 1u);
  EXPECT_DOUBLE_EQ(*studies[1].points[0].cost_vs_fastest_safe, 1.0);
  EXPECT_EQ(studies[2].scenario, "booking");
  EXPECT_EQ(studies[3].scenario, "queue");
  EXPECT_EQ(studies[3].producers, 2);
  EXPECT_EQ(studies[3].capacity, 8);
}

TEST(HazardReport, ASafeVariantWithAnomaliesFailsAndIsNeverTheBaseline) {
  std::vector<HazardRecord> runs = report_runs();
  runs[5] = counter("partials", true, 0.0005, {0, 1, 0});  // broken: lost one update
  EXPECT_TRUE(hazard_run_failed(runs[5]));
  EXPECT_FALSE(hazard_run_failed(runs[0]));  // unsafe with anomalies: not a failure
  EXPECT_FALSE(hazard_run_failed(runs[1]));  // safe and correct
  const auto studies = analyse_hazards(runs);
  const HazardStudy& s = studies[0];
  EXPECT_TRUE(s.points[3].failed);
  EXPECT_FALSE(s.points[3].fastest_safe);
  EXPECT_EQ(*s.fastest_safe_variant, "atomic");
  EXPECT_DOUBLE_EQ(*s.points[1].cost_vs_fastest_safe, 4.0);   // mutex: 2000 / 500
  EXPECT_DOUBLE_EQ(*s.points[3].cost_vs_fastest_safe, 0.25);  // partials: 125 / 500
  const std::string table = cli::hazard_study_table(studies);
  EXPECT_NE(table.find("FAILED: lost 1 of 4000 updates"), std::string::npos) << table;
  EXPECT_EQ(cli::to_json(s)["points"][3]["failed"], true);
}

TEST(HazardReport, WithoutASafeCorrectVariantThereIsNoCost) {
  const auto studies = analyse_hazards({ordering_run()});
  ASSERT_EQ(studies.size(), 1u);
  EXPECT_FALSE(studies[0].fastest_safe_variant.has_value());
  EXPECT_FALSE(studies[0].points[0].cost_vs_fastest_safe.has_value());
  const nlohmann::json j = cli::to_json(studies[0]);
  EXPECT_TRUE(j["fastest_safe_variant"].is_null());
  EXPECT_TRUE(j["points"][0]["cost_vs_fastest_safe"].is_null());
  const std::string csv = cli::hazard_study_csv(studies);
  EXPECT_NE(csv.find(",1875,533333.333,2,1,2,false,false,,false,"), std::string::npos) << csv;
}

TEST(HazardReport, TableHasAHeadingPerStudyAndTheCostColumn) {
  const std::string table = cli::hazard_study_table(analyse_hazards(report_runs()));
  EXPECT_EQ(table.rfind("\nHazard: counter, 4 workers, 1000 ops per worker\n", 0), 0u) << table;
  EXPECT_NE(table.find("\nHazard: counter, 8 workers, 1000 ops per worker\n"), std::string::npos);
  EXPECT_NE(table.find("\nHazard: booking, 4 workers, 1000 tickets\n"), std::string::npos);
  EXPECT_NE(table.find("\nHazard: queue, 2 producers + 3 consumers, capacity 8, 500 ops per "
                       "producer\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("cost vs fastest safe"), std::string::npos);
  EXPECT_NE(table.find(" 16.0x partials "), std::string::npos) << table;  // mutex
  EXPECT_NE(table.find(" 4.0x partials "), std::string::npos) << table;   // atomic
  EXPECT_NE(table.find(" 0.40x partials "), std::string::npos) << table;  // unsynchronized
  // per study: a blank line, the heading, the header, the rule; then the 7 runs
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 4 * 4 + 7);
  EXPECT_NE(table.find("unsynchronized  threads  unsafe"), std::string::npos) << table;
  EXPECT_NE(table.find(" 2100 lost updates "), std::string::npos) << table;  // over 3 reps
  EXPECT_NE(table.find(" 2/3 "), std::string::npos) << table;  // reps with lost updates
  EXPECT_NE(table.find("fastest safe"), std::string::npos);
  EXPECT_NE(table.find("(2 warnings)"), std::string::npos) << table;  // the queue's
  EXPECT_EQ(table.find("FAILED"), std::string::npos) << table;
  EXPECT_EQ(table.find("job-"), std::string::npos) << table;  // one job per study: no job column
}

TEST(HazardReport, CsvAndJsonCarryEveryRowAndTheRatio) {
  const auto studies = analyse_hazards(report_runs());
  const std::string csv = cli::hazard_study_csv(studies);
  EXPECT_EQ(csv.rfind("scenario,threads,producers,consumers,capacity,ops,job,variant,", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 7) << csv;
  EXPECT_NE(csv.find("\ncounter,4,0,0,0,1000,job-0000,mutex,threads,true,lost updates,3,4000,"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find(",2000,500000,0,0,0,true,false,16,false,exact: 4000 of 4000\n"),
            std::string::npos)
      << csv;
  const nlohmann::json j = cli::to_json(studies[0]);
  EXPECT_EQ(j["scenario"], "counter");
  EXPECT_EQ(j["threads"], 4);
  EXPECT_EQ(j["fastest_safe_variant"], "partials");
  EXPECT_EQ(j["fastest_safe_ns_per_op"].get<double>(), 125.0);
  ASSERT_EQ(j["points"].size(), 4u);
  EXPECT_EQ(j["points"][1]["variant"], "mutex");
  EXPECT_DOUBLE_EQ(j["points"][1]["cost_vs_fastest_safe"].get<double>(), 16.0);
  EXPECT_EQ(j["points"][0]["expected_safe"], false);
  EXPECT_EQ(j["points"][0]["anomalies_total"], 2100);
  EXPECT_EQ(j["points"][0]["reps_with_anomalies"], 2);
  EXPECT_EQ(j["points"][3]["fastest_safe"], true);
}

TEST(HazardReport, RunsOfSeveralJobsInOneStudyShowTheirJob) {
  std::vector<HazardRecord> runs{counter("mutex", true, 0.008), counter("mutex", true, 0.004)};
  runs[1].job = "job-0001";
  const auto studies = analyse_hazards(runs);
  ASSERT_EQ(studies.size(), 1u);
  EXPECT_TRUE(studies[0].points[1].fastest_safe);
  EXPECT_DOUBLE_EQ(*studies[0].points[0].cost_vs_fastest_safe, 2.0);
  const std::string table = cli::hazard_study_table(studies);
  EXPECT_NE(table.find("mutex    threads  job-0000"), std::string::npos) << table;
  EXPECT_NE(table.find("2.0x mutex"), std::string::npos) << table;
}

}  // namespace
}  // namespace parkit::results
