// SPDX-License-Identifier: MIT
// End-to-end tests of the hazard part of `parkit report` and `merge`, on results files written
// with the results library itself (hand-built hazard runs with known numbers, so no scenario has
// to race): the real binary's output, its exit codes (1 only for a safe variant that showed its
// anomaly) and the hazard runs carried through merge.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drivers/cli/hazard_output.hpp"
#include "parkit/results/results_file.hpp"
#include "support/process.hpp"

namespace {

namespace fs = std::filesystem;
using parkit::results::HazardRecord;
using parkit::results::ResultsFile;
using parkit::testing::count;
using parkit::testing::Result;

Result run(const std::string& args) {
  return parkit::testing::run_command(PARKIT_BINARY " " + args);
}

/// A fresh directory for one test's files, removed with it.
struct TempDir : parkit::testing::TempDir {
  TempDir() : parkit::testing::TempDir("parkit_hazard_cli") {}
};

/// A counter variant of 4 threads x 1000 increments, 2 reps, with `ns` ns/op and `lost` lost
/// updates in each rep.
HazardRecord counter(const std::string& variant, bool safe, double ns, std::int64_t lost = 0) {
  HazardRecord r;
  r.scenario = "counter";
  r.variant = variant;
  r.runtime = "threads";
  r.expected_safe = safe;
  r.anomaly = "lost updates";
  r.threads = 4;
  r.ops = 1000;
  r.ops_total = 4000;
  r.reps = 2;
  const double median = ns * 4000 / 1e9;
  r.rep_seconds = {median, median};
  r.expected = {4000, 4000};
  r.observed = {4000 - lost, 4000 - lost};
  r.anomalies = {lost, lost};
  r.time = {median, median, median, median, 0, 0};
  r.ns_per_op = ns;
  r.ops_per_s = 1e9 / ns;
  r.anomalies_total = 2 * lost;
  r.anomalies_max = lost;
  r.correct = lost == 0;
  r.verdict = lost == 0 ? "exact" : "lost " + std::to_string(lost) + " of 4000 updates";
  return r;
}

ResultsFile hazard_file(std::vector<HazardRecord> runs) {
  ResultsFile f{"2026-11-22T04:00:00Z", "0.3.0", "abcdef", {{}}, {}};
  f.jobs[0].text = {{"command_line", "parkit hazards counter"}};
  f.hazard_runs = std::move(runs);
  return f;
}

/// unsynchronized (unsafe, loses updates), mutex 80 ns/op, atomic 20 ns/op: mutex costs 4x.
std::string counter_file(const TempDir& dir, const std::string& name) {
  const std::string path = dir.file(name);
  parkit::results::write_results(
      path,
      hazard_file({counter("unsynchronized", false, 5, 1234), counter("mutex", true, 80),
                   counter("atomic", true, 20)}),
      false);
  return path;
}

TEST(HazardReportCli, ReportShowsEachVariantAndItsCostAndUnsafeAnomaliesExitZero) {
  const TempDir dir;
  const std::string path = counter_file(dir, "counter.h5");
  const Result table = run("report " + path);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("Hazard: counter, 4 workers, 1000 ops per worker\n", 0), 0u)
      << table.out;
  EXPECT_EQ(count(table.out, "\n"), 3 + 3) << table.out;  // heading, header, rule, 3 runs
  EXPECT_NE(table.out.find("4.0x atomic"), std::string::npos) << table.out;   // mutex
  EXPECT_NE(table.out.find("0.25x atomic"), std::string::npos) << table.out;  // unsynchronized
  EXPECT_NE(table.out.find("fastest safe"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("2468 lost updates"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(" unsafe "), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("FAILED"), std::string::npos) << table.out;

  const Result json = run("report --format json " + path);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_TRUE(j["studies"].empty());
  EXPECT_FALSE(j.contains("io_studies"));
  ASSERT_EQ(j["hazard_studies"].size(), 1u);
  const auto& s = j["hazard_studies"][0];
  EXPECT_EQ(s["scenario"], "counter");
  EXPECT_EQ(s["fastest_safe_variant"], "atomic");
  ASSERT_EQ(s["points"].size(), 3u);
  EXPECT_DOUBLE_EQ(s["points"][1]["cost_vs_fastest_safe"].get<double>(), 4.0);
  EXPECT_EQ(s["points"][0]["anomalies_total"], 2468);
  EXPECT_EQ(s["points"][0]["failed"], false);

  const Result csv = run("report --format csv " + path);
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("scenario,threads,producers,consumers,capacity,ops,", 0), 0u) << csv.out;
  EXPECT_EQ(count(csv.out, "\n"), 4) << csv.out;
  EXPECT_EQ(count(csv.out, "\ncounter,4,0,0,0,1000,job-0000,"), 3) << csv.out;
}

TEST(HazardReportCli, ASafeVariantThatShowedItsAnomalyExitsOne) {
  const TempDir dir;
  const std::string path = dir.file("broken.h5");
  parkit::results::write_results(
      path, hazard_file({counter("atomic", true, 20), counter("mutex", true, 80, 3)}), false);
  const Result r = run("report " + path);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("FAILED: lost 3 of 4000 updates"), std::string::npos) << r.out;
  const Result json = run("report --format json " + path);
  EXPECT_EQ(json.exit_code, 1) << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out)["hazard_studies"][0]["points"][1]["failed"], true);
}

TEST(HazardReportCli, KernelRunsOnlyPrintNoHazardPartAndBothTogetherPrintBoth) {
  const TempDir dir;
  const std::string kernel = dir.file("kernel.h5");
  Result r = run("run -k sum_squares -m seq -n 1000 -o " + kernel);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Result kernel_json = run("report --format json " + kernel);
  ASSERT_EQ(kernel_json.exit_code, 0) << kernel_json.err;
  EXPECT_FALSE(nlohmann::json::parse(kernel_json.out).contains("hazard_studies"));
  EXPECT_EQ(run("report " + kernel).out.find("Hazard"), std::string::npos);
  EXPECT_EQ(run("report --format csv " + kernel).out.find("scenario,"), std::string::npos);

  const std::string hazards = counter_file(dir, "hazards.h5");
  const std::string both = dir.file("both.h5");
  r = run("merge " + kernel + " " + hazards + " -o " + both);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("merged 2 files (2 jobs, 1 runs, 0 io runs, 3 hazard runs) into " + both),
            std::string::npos)
      << r.err;
  const Result table = run("report " + both);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("sum_squares / seq: strong scaling, n = 1000\n", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("\n\nHazard: counter, 4 workers"), std::string::npos) << table.out;
  const Result csv = run("report --format csv " + both);
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("kernel,model,scaling,", 0), 0u) << csv.out;
  EXPECT_NE(csv.out.find("\n\nscenario,threads,producers,"), std::string::npos) << csv.out;
}

TEST(HazardReportCli, MergeCarriesHazardRunsAndRenumbersTheirJobs) {
  const TempDir dir;
  const std::string a = counter_file(dir, "a.h5"), b = counter_file(dir, "b.h5");
  const std::string merged = dir.file("study.h5");
  const Result m = run("merge " + a + " " + b + " -o " + merged);
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.err.find("(2 jobs, 0 runs, 0 io runs, 6 hazard runs)"), std::string::npos) << m.err;
  const ResultsFile f = parkit::results::read_results(merged);
  ASSERT_EQ(f.hazard_runs.size(), 6u);
  for (std::size_t k = 0; k < 6; ++k) {
    EXPECT_EQ(f.hazard_runs[k].job, k < 3 ? "job-0000" : "job-0001") << k;
    EXPECT_EQ(f.hazard_runs[k].anomalies, (k % 3 == 0 ? std::vector<std::int64_t>{1234, 1234}
                                                      : std::vector<std::int64_t>{0, 0}));
  }
  // one study measured by two jobs: the table tells them apart
  for (const std::string& files : {merged, a + " " + b}) {
    const Result table = run("report " + files);
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_EQ(count(table.out, "Hazard: "), 1) << table.out;
    EXPECT_EQ(count(table.out, "job-0000"), 3) << table.out;
    EXPECT_EQ(count(table.out, "job-0001"), 3) << table.out;
    EXPECT_EQ(count(table.out, "fastest safe"), 2) << table.out;  // the header and one run
  }
}

/// What `parkit hazards --json` prints: the header, the provenance and the runs as to_json.
std::string hazards_json(const TempDir& dir, const std::string& name,
                         const std::vector<HazardRecord>& runs) {
  nlohmann::json array = nlohmann::json::array();
  for (const HazardRecord& r : runs) array.push_back(parkit::cli::to_json(r));
  const std::string path = dir.file(name);
  std::ofstream(path) << nlohmann::json{
      {"parkit", {{"version", "0.3.0"}}},
      {"provenance", nlohmann::json::object()},
      {"hazard_runs", array}}.dump(2);
  return path;
}

TEST(HazardReportCli, ReportReadsTheJsonOfParkitHazards) {
  const TempDir dir;
  const std::string good =
      hazards_json(dir, "good.json", {counter("mutex", true, 80), counter("atomic", true, 20)});
  const Result r = run("report " + good);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("4.0x atomic"), std::string::npos) << r.out;
  const std::string bad = hazards_json(dir, "bad.json", {counter("atomic", true, 20, 1)});
  EXPECT_EQ(run("report " + bad).exit_code, 1);
  // a JSON of hazards without any run: no runs of any kind, still exit 4
  const std::string empty = hazards_json(dir, "empty.json", {});
  const Result none = run("report " + empty);
  EXPECT_EQ(none.exit_code, 4) << none.err;
  EXPECT_EQ(none.err, "parkit: no runs in " + empty + "\n");
}

TEST(HazardReportCli, ReportHelpMentionsHazards) {
  const Result r = run("report --help");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("hazard studies"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run/sweep/io/hazards/merge"), std::string::npos) << r.out;
}

}  // namespace
