// SPDX-License-Identifier: MIT
// End-to-end tests of the kernel part of `parkit report` and `merge`, on results files written
// with the results library itself (hand-built runs with a known interference, so no test has to
// make the machine busy): a disturbed point is marked and explained, a quiet one and one without
// interference are not, in HDF5 and in the JSON of --json; merge keeps the interference; and a
// real run's JSON and table carry it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drivers/cli/output.hpp"
#include "parkit/results/results_file.hpp"
#include "support/process.hpp"

namespace {

namespace fs = std::filesystem;
using parkit::measure::Interference;
using parkit::measure::RunRecord;
using parkit::results::ResultsFile;
using parkit::testing::count;
using parkit::testing::lines_of;
using parkit::testing::Result;

Result run(const std::string& args) {
  return parkit::testing::run_command(PARKIT_BINARY " " + args);
}

/// A fresh directory for one test's files, removed with it.
struct TempDir : parkit::testing::TempDir {
  TempDir() : parkit::testing::TempDir("parkit_report_cli") {}
};

/// The line of the point with `threads` threads ("      4            1 x 4 ...").
std::string point_line(const std::string& table, unsigned threads) {
  for (const std::string& line : lines_of(table))
    if (line.find("1 x " + std::to_string(threads) + "  ") != std::string::npos &&
        line.find("yes") != std::string::npos)
      return line;
  return {};
}

constexpr int reps = 5;

/// A verified sum_squares / threads run of n = 1e6 on `threads` threads, median `seconds`, with
/// `disturbed` of its 5 reps disturbed (its first workers waited), or no interference recorded
/// when `disturbed` is negative.
RunRecord kernel_run(unsigned threads, double seconds, int disturbed) {
  RunRecord r;
  r.kernel = "sum_squares";
  r.model = "threads";
  r.scaling = "strong";
  r.n_global = r.n_per_rank = 1'000'000;
  r.threads = threads;
  r.reps = reps;
  r.warmup = 1;
  r.placement = {{"node-a", 0, std::vector<std::string>(threads, "0-1")}};
  r.rank_times.assign(reps, {seconds});
  r.rep_times.assign(reps, seconds);
  r.rep_rank_min = r.rep_rank_mean = r.rep_times;
  r.outliers.assign(reps, false);
  r.time = {seconds, seconds, seconds, seconds, 0, 0};
  r.verified = true;
  r.expected = r.observed = "333332833333500000";
  if (disturbed < 0) return r;
  Interference& in = r.interference;
  in.run_delay.assign(reps, std::vector<double>(threads, 0.0));
  in.involuntary_switches.assign(reps, std::vector<std::int64_t>(threads, 0));
  in.migrations.assign(reps, std::vector<std::int64_t>(threads, -1));
  in.steal.assign(reps, {0.0});
  in.cpu_pressure.assign(reps, {std::numeric_limits<double>::quiet_NaN()});
  in.disturbed.assign(reps, false);
  for (int rep = 0; rep < disturbed; ++rep) {
    const auto i = static_cast<std::size_t>(rep);
    in.run_delay[i][0] = seconds / 2;
    in.involuntary_switches[i][0] = 3;
    in.disturbed[i] = true;
  }
  r.warnings.push_back(in.verdict());
  return r;
}

/// 1 thread: not recorded; 2 threads: quiet; 4 threads: disturbed in 2 of 5 reps.
std::vector<RunRecord> three_runs() {
  return {kernel_run(1, 0.4, -1), kernel_run(2, 0.2, 0), kernel_run(4, 0.125, 2)};
}

std::string kernel_file(const TempDir& dir, const std::string& name) {
  ResultsFile f{"2026-11-22T04:00:00Z", "0.3.0", "abcdef", {{}}, three_runs()};
  f.jobs[0].text = {{"command_line", "parkit sweep -t 1,2,4"}};
  const std::string path = dir.file(name);
  parkit::results::write_results(path, f, false);
  return path;
}

void expect_only_the_disturbed_point_marked(const std::string& table) {
  EXPECT_NE(point_line(table, 4).find("0.125*"), std::string::npos) << table;
  EXPECT_EQ(point_line(table, 2).find('*'), std::string::npos) << table;  // quiet
  EXPECT_EQ(point_line(table, 1).find('*'), std::string::npos) << table;  // not recorded
  EXPECT_FALSE(point_line(table, 1).empty()) << table;
  EXPECT_EQ(count(table, "*"), 2) << table;  // the mark and its footnote
}

TEST(ReportCli, ReportMarksTheDisturbedPointOnlyAndSaysWhereItsInterferenceIs) {
  const TempDir dir;
  const std::string path = kernel_file(dir, "sweep.h5");
  const Result table = run("report " + path);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  expect_only_the_disturbed_point_marked(table.out);
  EXPECT_NE(table.out.find("\n* 4 workers (1 x 4): disturbed: other work had the CPUs in 2 of 5 "
                           "reps (see /runs/run-0002/interference in " +
                           path + ")\n"),
            std::string::npos)
      << table.out;

  const Result json = run("report --format json " + path);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto points = nlohmann::json::parse(json.out)["studies"][0]["points"];
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0]["interference"], "not recorded");
  EXPECT_EQ(points[0]["disturbed_reps"], 0);
  EXPECT_EQ(points[1]["interference"], "quiet");
  EXPECT_EQ(points[2]["interference"], "disturbed: 2 of 5 reps");
  EXPECT_EQ(points[2]["disturbed_reps"], 2);

  const Result csv = run("report --format csv " + path);
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const auto rows = lines_of(csv.out);
  ASSERT_EQ(rows.size(), 4u) << csv.out;
  EXPECT_TRUE(rows[0].ends_with(",invariant_holds,interference")) << csv.out;
  EXPECT_TRUE(rows[1].ends_with(",not recorded")) << csv.out;
  EXPECT_TRUE(rows[2].ends_with(",quiet")) << csv.out;
  EXPECT_TRUE(rows[3].ends_with(",disturbed: 2 of 5 reps")) << csv.out;
}

TEST(ReportCli, ReportMarksTheDisturbedPointInTheJsonOfRunToo) {
  const TempDir dir;
  nlohmann::json runs = nlohmann::json::array();
  for (const RunRecord& r : three_runs()) runs.push_back(parkit::cli::to_json(r));
  const std::string path = dir.file("sweep.json");
  std::ofstream(path) << nlohmann::json{{"parkit", {{"version", "0.3.0"}}}, {"runs", runs}}.dump(2);
  const Result table = run("report " + path);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  expect_only_the_disturbed_point_marked(table.out);
  EXPECT_NE(table.out.find("in 2 of 5 reps (see runs[2].interference in " + path + ")\n"),
            std::string::npos)
      << table.out;
}

TEST(ReportCli, ATwoFileReportPointsAtEachRunsOwnFile) {
  const TempDir dir;
  const std::string a = kernel_file(dir, "a.h5");
  ResultsFile quiet{"2026-11-22T04:00:00Z", "0.3.0", "abcdef", {{}}, {kernel_run(8, 0.1, 0)}};
  const std::string b = dir.file("b.h5");
  parkit::results::write_results(b, quiet, false);
  const Result table = run("report " + b + " " + a);  // b's run comes first
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("(see /runs/run-0002/interference in " + a + ")"), std::string::npos)
      << table.out;
  EXPECT_EQ(point_line(table.out, 8).find('*'), std::string::npos) << table.out;
}

TEST(ReportCli, MergeKeepsEveryRunsInterference) {
  const TempDir dir;
  const std::string a = kernel_file(dir, "a.h5"), study = dir.file("study.h5");
  const Result merged = run("merge " + a + " -o " + study);
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  const ResultsFile read = parkit::results::read_results(study);
  const std::vector<RunRecord> written = three_runs();
  ASSERT_EQ(read.runs.size(), written.size());
  for (std::size_t i = 0; i < written.size(); ++i) {
    SCOPED_TRACE(i);
    const Interference &x = read.runs[i].interference, &y = written[i].interference;
    EXPECT_EQ(x.verdict(), y.verdict());
    EXPECT_EQ(x.disturbed, y.disturbed);
    EXPECT_EQ(x.run_delay, y.run_delay);
    EXPECT_EQ(x.involuntary_switches, y.involuntary_switches);
    EXPECT_EQ(x.migrations, y.migrations);
    EXPECT_EQ(x.steal, y.steal);
    EXPECT_EQ(x.cpu_pressure.size(), y.cpu_pressure.size());
  }
  const Result table = run("report " + study);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  expect_only_the_disturbed_point_marked(table.out);
}

TEST(ReportCli, HtmlWritesThePageAndTheFormatReportStillGoesToStdout) {
  const TempDir dir;
  const std::string path = kernel_file(dir, "sweep.h5"), page = dir.file("report.html");
  const Result plain = run("report " + path);
  const Result html = run("report " + path + " --html " + page);
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_EQ(html.out, plain.out);
  EXPECT_EQ(html.err, "parkit: wrote " + page + " (1 study, 3 runs)\n");
  const std::string text = parkit::testing::slurp(page);
  EXPECT_TRUE(text.starts_with("<!DOCTYPE html>")) << text.substr(0, 200);
  EXPECT_TRUE(text.ends_with("</html>\n"));
  EXPECT_EQ(count(text, "data-study=\"sum_squares / threads (strong)\""), 1);
  EXPECT_EQ(count(text, "<tr data-point"), 3);
  EXPECT_NE(text.find("(see /runs/run-0002/interference in " + path + ")"), std::string::npos);
  EXPECT_NE(text.find("parkit sweep -t 1,2,4"), std::string::npos);  // the job's provenance

  const Result json = run("report --format json " + path + " --html " + dir.file("j.html"));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out)["studies"].size(), 1u);
}

TEST(ReportCli, HtmlRefusesAnExistingFileUnlessForced) {
  const TempDir dir;
  const std::string path = kernel_file(dir, "sweep.h5"), page = dir.file("report.html");
  std::ofstream(page) << "mine";
  const Result refused = run("report " + path + " --html " + page);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.out, "");  // a usage error writes nothing
  EXPECT_EQ(refused.err,
            "parkit report: --html: '" + page + "' exists (add --force to replace it)\n");
  EXPECT_EQ(parkit::testing::slurp(page), "mine");

  const Result forced = run("report " + path + " --html " + page + " --force");
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_TRUE(parkit::testing::slurp(page).starts_with("<!DOCTYPE html>"));
  // nothing left behind next to it (the page is written to a temporary and renamed)
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 2);

  const Result force_alone = run("report " + path + " --force");
  EXPECT_EQ(force_alone.exit_code, 2);
  EXPECT_NE(force_alone.err.find("--force requires --html"), std::string::npos) << force_alone.err;
}

TEST(ReportCli, HtmlThatCannotBeWrittenExits4WithOneLineNamingTheFile) {
  const TempDir dir;
  const std::string path = kernel_file(dir, "sweep.h5");
  const std::string page = dir.file("no-such-directory/report.html");
  const Result failed = run("report " + path + " --html " + page);
  EXPECT_EQ(failed.exit_code, 4);
  EXPECT_EQ(count(failed.err, "\n"), 1) << failed.err;
  EXPECT_TRUE(failed.err.starts_with("parkit: " + page + ": not written: ")) << failed.err;
  EXPECT_NE(failed.out.find("sum_squares / threads"), std::string::npos);  // the table stands
  EXPECT_FALSE(fs::exists(page));
}

TEST(ReportCli, ARealRunCarriesItsInterferenceInJsonAndTheTable) {
  const Result json =
      run("run -k sum_squares -m seq,threads -t 2 -n 1e5 --reps 3 --json "
          "--no-output");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json doc = nlohmann::json::parse(json.out);  // outlives the loop below
  for (const auto& r : doc.at("runs")) {
    SCOPED_TRACE(r["model"].get<std::string>());
    const auto& in = r.at("interference");
    const std::string verdict = in.at("verdict");
    if (verdict == "not recorded") {  // a platform without /proc: nothing more to check
      EXPECT_EQ(in.size(), 2u);
      continue;
    }
    const auto workers = r["ranks"].get<std::size_t>() * r["threads"].get<std::size_t>();
    EXPECT_EQ(in.at("reps"), 3);
    ASSERT_EQ(in.at("disturbed").size(), 3u);
    for (const char* name : {"run_delay", "involuntary_switches", "migrations"}) {
      ASSERT_EQ(in.at(name).size(), 3u) << name;
      for (const auto& row : in.at(name)) EXPECT_EQ(row.size(), workers) << name;
    }
    for (const char* name : {"steal", "cpu_pressure"}) {
      ASSERT_EQ(in.at(name).size(), 3u) << name;
      for (const auto& row : in.at(name)) EXPECT_EQ(row.size(), 1u) << name;
    }
    int flagged = 0;
    for (const auto& d : in.at("disturbed")) flagged += d.get<bool>() ? 1 : 0;
    EXPECT_EQ(in.at("disturbed_reps"), flagged);
    EXPECT_EQ(verdict,
              flagged == 0 ? "quiet" : "disturbed: " + std::to_string(flagged) + " of 3 reps");
  }
  const Result table = run("run -k sum_squares -m threads -t 2 -n 1e5 --no-output");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find(" outliers  disturbed "), std::string::npos) << table.out;
}

}  // namespace
