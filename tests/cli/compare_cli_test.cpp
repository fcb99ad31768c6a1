// SPDX-License-Identifier: MIT
// End-to-end tests of `parkit compare` on files written by `parkit run` and `parkit merge`: a file
// against itself and against the same command run again, a deliberately slower kernel path
// (PARKIT_SUM_SQUARES_PATH=portable, 2-4x slower than the widest path here: the only timed
// assertion, and far beyond what noise does), merged studies with a run on one side only, the
// three formats, --fail-on-regression, and bad inputs (one line, an exit code, nothing printed).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "parkit/results/results_file.hpp"
#include "support/process.hpp"

namespace {

namespace fs = std::filesystem;
using parkit::testing::count;
using parkit::testing::lines_of;
using parkit::testing::Result;
using parkit::testing::TempDir;

Result run(const std::string& args, const std::string& env = "") {
  return parkit::testing::run_command(PARKIT_BINARY " " + args, env);
}

/// One run of sum_squares on seq: 15 reps of n = 5e7 (a few ms each, below the 2^26 where the
/// widest path changes its method), written to `path`.
const char* const sum_squares_run = "run -k sum_squares -m seq -n 5e7 --reps 15 --warmup 2";

/// The fields of one CSV line (quoted fields may hold commas and doubled quotes).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().string());
  std::sort(names.begin(), names.end());
  return names;
}

/// The files the tests compare, each written when a test first asks for it (CTest runs every
/// test in a process of its own): two runs of the same command (base, again), the same with the
/// portable sum_squares path (slow), its JSON (base.json), and two merged studies of two jobs each
/// (sum_squares in every job; triad in study_a's second job only, copy in study_b's).
class CompareCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dir_ = std::make_unique<TempDir>("parkit_compare_cli"); }
  static void TearDownTestSuite() { dir_.reset(); }

  static std::string file(const std::string& name) {
    const std::string path = dir_->file(name);
    if (!fs::exists(path)) make(name, path);
    return path;
  }

 private:
  static void make(const std::string& name, const std::string& path) {
    const std::string small = " -m seq -n 1e6 --reps 6 -o " + path;
    std::string args = std::string(sum_squares_run) + " -o " + path, env;
    if (name == "slow.h5") env = "PARKIT_SUM_SQUARES_PATH=portable";
    if (name == "base.json") args = std::string(sum_squares_run) + " --json --no-output";
    if (name == "job1.h5" || name == "job3.h5") args = "run -k sum_squares" + small;
    if (name == "job2.h5") args = "run -k sum_squares,triad" + small;
    if (name == "job4.h5") args = "run -k sum_squares,copy" + small;
    if (name == "triad.h5") args = "run -k triad" + small;
    if (name == "study_a.h5")
      args = "merge " + file("job1.h5") + " " + file("job2.h5") + " -o " + path;
    if (name == "study_b.h5")
      args = "merge " + file("job3.h5") + " " + file("job4.h5") + " -o " + path;
    const Result r = run(args, env);
    if (r.exit_code != 0) ADD_FAILURE() << "making " << name << ": " << args << "\n" << r.err;
    if (name == "base.json") std::ofstream(path) << r.out;
  }

  static std::unique_ptr<TempDir> dir_;
};
std::unique_ptr<TempDir> CompareCli::dir_;

TEST_F(CompareCli, AFileAgainstItselfIsNoChangeWithPOne) {
  const Result r = run("compare --format json " + file("base.h5") + " " + file("base.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const auto& match = doc.at("comparisons").at(0).at("matches").at(0);
  EXPECT_EQ(match.at("run"), "sum_squares seq 1x1 n=5e7");
  EXPECT_EQ(match.at("verdict"), "no significant change");
  EXPECT_EQ(match.at("ratio"), 1.0);
  EXPECT_EQ(match.at("p_value"), 1.0);
  EXPECT_EQ(match.at("base").at("reps"), 15);
  EXPECT_TRUE(doc.at("comparisons").at(0).at("provenance").at("differences").empty());
  EXPECT_EQ(doc.at("slower"), false);
}

TEST_F(CompareCli, TheSameCommandRunAgainHasTheSameProvenanceAndAVerdict) {
  const Result r = run("compare " + file("base.h5") + " " + file("again.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // the verdict itself is the machine's noise: any of the three is possible, never too few reps
  const auto line = lines_of(r.out).at(4);
  EXPECT_TRUE(line.starts_with("sum_squares seq 1x1 n=5e7")) << r.out;
  EXPECT_TRUE(line.ends_with("  no significant change") || line.ends_with("  slower") ||
              line.ends_with("  faster"))
      << r.out;
  EXPECT_NE(r.out.find("\nprovenance: the same on both sides\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nsummary: "), std::string::npos) << r.out;
  // one run a side: the p-value knows nothing of how runs drift apart, and the output says so
  EXPECT_NE(r.out.find("\ncaution: one run on a side: "), std::string::npos) << r.out;
  const Result json = run("compare --format json " + file("base.h5") + " " + file("again.h5"));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const std::string caution =
      nlohmann::json::parse(json.out).at("comparisons").at(0).at("single_run_caution");
  EXPECT_TRUE(caution.starts_with("caution: one run on a side: ")) << caution;
}

bool only_the_portable_path_here() {
  const Result info = run("info --json");
  const std::string paths = nlohmann::json::parse(info.out).at("kernel paths");
  return paths.find("sum_squares=portable") != std::string::npos;
}

TEST_F(CompareCli, ASlowerKernelPathIsSlowerWithPBelowOnePercentAndTheDifferenceNamed) {
  if (only_the_portable_path_here()) GTEST_SKIP() << "no wider sum_squares path than portable";
  const Result r = run("compare --format json " + file("base.h5") + " " + file("slow.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.err;  // slower, but no --fail-on-regression
  const auto doc = nlohmann::json::parse(r.out);
  const auto& c = doc.at("comparisons").at(0);
  const auto& match = c.at("matches").at(0);
  EXPECT_EQ(match.at("verdict"), "slower") << match.dump(2);
  EXPECT_LT(match.at("p_value").get<double>(), 0.01);
  EXPECT_GT(match.at("ratio").get<double>(), 1.5);  // 2-4x: portable against avx2 or wider
  EXPECT_GT(match.at("ci").at("low").get<double>(), 1.05);
  std::vector<std::string> fields;
  for (const auto& d : c.at("provenance").at("differences")) fields.push_back(d.at("field"));
  EXPECT_EQ(fields,
            (std::vector<std::string>{"kernel_paths", "environment PARKIT_SUM_SQUARES_PATH"}));
  EXPECT_EQ(c.at("provenance").at("differences").at(1).at("new"), "portable");
  EXPECT_EQ(doc.at("slower"), true);

  const Result table = run("compare " + file("base.h5") + " " + file("slow.h5"));
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(lines_of(table.out).at(4).ends_with("  slower")) << table.out;
  EXPECT_NE(table.out.find("\nenvironment PARKIT_SUM_SQUARES_PATH  (unset)"), std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("\nsummary: 1 slower, 0 faster, 0 no significant change"),
            std::string::npos)
      << table.out;

  const Result failing =
      run("compare --fail-on-regression " + file("base.h5") + " " + file("slow.h5"));
  EXPECT_EQ(failing.exit_code, 1) << failing.err;
  EXPECT_TRUE(failing.err.empty()) << failing.err;
  // the other way round it got faster: no regression
  const Result faster =
      run("compare --fail-on-regression --format json " + file("slow.h5") + " " + file("base.h5"));
  EXPECT_EQ(faster.exit_code, 0) << faster.err;
  EXPECT_EQ(nlohmann::json::parse(faster.out)["comparisons"][0]["matches"][0]["verdict"], "faster");
  // a threshold above the change turns it into no significant change (and no regression)
  const Result beyond = run("compare --fail-on-regression --threshold 1000 --format json " +
                            file("base.h5") + " " + file("slow.h5"));
  EXPECT_EQ(beyond.exit_code, 0) << beyond.err;
  EXPECT_EQ(nlohmann::json::parse(beyond.out)["comparisons"][0]["matches"][0]["verdict"],
            "no significant change");
}

TEST_F(CompareCli, SeveralNewFilesAreComparedWithBaseInTurn) {
  if (only_the_portable_path_here()) GTEST_SKIP() << "no wider sum_squares path than portable";
  const Result r = run("compare --format json " + file("base.h5") + " " + file("base.h5") + " " +
                       file("slow.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc.at("comparisons").size(), 2u);
  EXPECT_EQ(doc["comparisons"][0]["new"], file("base.h5"));
  EXPECT_EQ(doc["comparisons"][0]["matches"][0]["verdict"], "no significant change");
  EXPECT_EQ(doc["comparisons"][1]["new"], file("slow.h5"));
  EXPECT_EQ(doc["comparisons"][1]["matches"][0]["verdict"], "slower");
  const Result table =
      run("compare " + file("base.h5") + " " + file("base.h5") + " " + file("slow.h5"));
  EXPECT_EQ(count(table.out, "\nsummary: "), 2) << table.out;
  EXPECT_EQ(count(table.out, "BASE " + file("base.h5") + " vs NEW "), 2) << table.out;
}

TEST_F(CompareCli, MergedStudiesPoolTheirJobsAndListOneSidedRuns) {
  const Result r = run("compare --format json " + file("study_a.h5") + " " + file("study_b.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto c = nlohmann::json::parse(r.out).at("comparisons").at(0);
  ASSERT_EQ(c.at("matches").size(), 1u) << c.dump(2);
  const auto& match = c["matches"][0];
  EXPECT_EQ(match.at("run"), "sum_squares seq 1x1 n=1e6");
  for (const char* side : {"base", "new"}) {
    EXPECT_EQ(match[side]["runs"], 2) << side;
    EXPECT_EQ(match[side]["reps"], 12) << side;
    EXPECT_EQ(match[side]["jobs"], (std::vector<std::string>{"job-0000", "job-0001"})) << side;
  }
  EXPECT_NE(match.at("verdict"), "not compared");
  ASSERT_EQ(c.at("only_in_base").size(), 1u);
  EXPECT_EQ(c["only_in_base"][0]["run"], "triad seq 1x1 n=1e6");
  EXPECT_EQ(c["only_in_base"][0]["reps"], 6);
  ASSERT_EQ(c.at("only_in_new").size(), 1u);
  EXPECT_EQ(c["only_in_new"][0]["run"], "copy seq 1x1 n=1e6");
  EXPECT_TRUE(c.at("single_run_caution").is_null());  // 2 runs a side: no caution

  const Result table = run("compare " + file("study_a.h5") + " " + file("study_b.h5"));
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("sum_squares seq 1x1 n=1e6  12 (2 runs)  12 (2 runs)"),
            std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("\nonly in BASE " + file("study_a.h5") +
                           ":\n  triad seq 1x1 n=1e6 (6 reps)\n"),
            std::string::npos)
      << table.out;
  EXPECT_NE(
      table.out.find("\nonly in NEW " + file("study_b.h5") + ":\n  copy seq 1x1 n=1e6 (6 reps)\n"),
      std::string::npos)
      << table.out;
  EXPECT_EQ(table.out.find("caution:"), std::string::npos) << table.out;
}

TEST_F(CompareCli, CsvHasOneRowPerMatchAndPerOneSidedRunThenTheProvenance) {
  const Result r = run("compare --format csv " + file("study_a.h5") + " " + file("study_b.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_GE(lines.size(), 6u) << r.out;
  const auto header = csv_fields(lines[0]);
  EXPECT_EQ(header.front(), "base_file");
  EXPECT_EQ(header.at(16), "verdict");
  for (std::size_t i = 1; i <= 3; ++i) EXPECT_EQ(csv_fields(lines[i]).size(), header.size()) << i;
  EXPECT_EQ(csv_fields(lines[1])[3], "sum_squares seq 1x1 n=1e6");
  EXPECT_EQ(csv_fields(lines[1])[5], "12");
  EXPECT_EQ(csv_fields(lines[2])[3], "triad seq 1x1 n=1e6");
  EXPECT_EQ(csv_fields(lines[2])[16], "only in base");
  EXPECT_EQ(csv_fields(lines[3])[3], "copy seq 1x1 n=1e6");
  EXPECT_EQ(csv_fields(lines[3])[16], "only in new");
  EXPECT_EQ(lines[4], "");
  EXPECT_EQ(lines[5], "base_file,new_file,field,base,new");
  for (std::size_t i = 6; i < lines.size(); ++i) EXPECT_EQ(csv_fields(lines[i]).size(), 5u) << i;
}

TEST_F(CompareCli, TheJsonOfRunIsReadWithItsProvenance) {
  const Result r = run("compare --format json " + file("base.json") + " " + file("base.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto c = nlohmann::json::parse(r.out).at("comparisons").at(0);
  EXPECT_EQ(c.at("matches").at(0).at("base").at("reps"), 15);
  EXPECT_EQ(c.at("provenance").at("recorded"), true);
  EXPECT_EQ(c.at("provenance").at("base_jobs"), 1);
  // the run's own settings came through the JSON too: nothing differs between the two runs
  EXPECT_TRUE(c.at("matches").at(0).at("differences").empty()) << c.dump(2);
}

/// One line on stderr, nothing on stdout, no file written.
void expect_refused(const Result& r, int code, const std::string& needle,
                    const std::vector<std::string>& files_before, const std::string& dir) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_EQ(count(r.err, "\n"), 1) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(files_in(dir), files_before);
}

TEST_F(CompareCli, BadInputsGetOneLineAndTheirExitCode) {
  const std::string base = file("base.h5");
  const TempDir scratch("parkit_compare_bad");
  const std::string junk = scratch.file("junk.txt");
  std::ofstream(junk) << "not results\n";
  const auto before = files_in(scratch.path());
  const auto in_scratch = [&](const std::string& args) {  // from there: it must stay unwritten
    return parkit::testing::run_command("sh -c 'cd " + scratch.path() +
                                        " && exec " PARKIT_BINARY " " + args + "'");
  };
  expect_refused(in_scratch("compare " + base + " " + junk), 4, junk + ": not a parkit result",
                 before, scratch.path());
  expect_refused(in_scratch("compare " + junk + " " + base), 4, junk + ": not a parkit result",
                 before, scratch.path());
  expect_refused(in_scratch("compare " + base + " " + scratch.file("missing.h5")), 4,
                 "missing.h5: no such file", before, scratch.path());
  expect_refused(in_scratch("compare " + base + " " + file("triad.h5")), 4,
                 "have no runs in common", before, scratch.path());
  // a good NEW file before a bad one: still nothing printed
  expect_refused(in_scratch("compare " + base + " " + base + " " + file("triad.h5")), 4,
                 "have no runs in common", before, scratch.path());
  expect_refused(in_scratch("compare --alpha 0 " + base + " " + base), 2,
                 "--alpha: '0' is not a significance level (accepted: a number in (0, 1)", before,
                 scratch.path());
  expect_refused(in_scratch("compare --alpha 1.5 " + base + " " + base), 2, "--alpha: '1.5'",
                 before, scratch.path());
  expect_refused(in_scratch("compare --alpha five " + base + " " + base), 2, "--alpha: 'five'",
                 before, scratch.path());
  expect_refused(in_scratch("compare --threshold -1 " + base + " " + base), 2,
                 "--threshold: '-1' is not a percentage (accepted: a number >= 0", before,
                 scratch.path());
  expect_refused(in_scratch("compare --format xml " + base + " " + base), 2, "--format", before,
                 scratch.path());
  expect_refused(in_scratch("compare " + base), 2, "new is required", before, scratch.path());
}

TEST_F(CompareCli, AFileWithoutRepTimesIsRefusedByName) {
  const TempDir scratch("parkit_compare_no_reps");
  // as a file from before rep times were kept would be: runs with their parameters only
  parkit::measure::RunRecord r;
  r.kernel = "sum_squares";
  r.model = "seq";
  r.n_global = r.n_per_rank = 50'000'000;
  r.placement = {{"node-a", 0, {"0"}}};
  r.verified = true;
  const parkit::results::ResultsFile old{"2026-11-22T04:00:00Z", "0.0.9", "abcdef", {{}}, {r}};
  const std::string path = scratch.file("old.h5");
  parkit::results::write_results(path, old, false);
  const auto before = files_in(scratch.path());
  for (const std::string& args :
       {"compare " + path + " " + file("base.h5"), "compare " + file("base.h5") + " " + path})
    expect_refused(run(args), 4, path + ": no run has per-rep times (1 run read", before,
                   scratch.path());

  // the JSON of --json with its rep times taken out
  auto doc = nlohmann::json::parse(parkit::testing::slurp(file("base.json")));
  doc["runs"][0]["rep_seconds"] = nlohmann::json::array();
  const std::string json = scratch.file("no_reps.json");
  std::ofstream(json) << doc.dump();
  expect_refused(run("compare " + json + " " + file("base.h5")), 4,
                 json + ": no run has per-rep times", files_in(scratch.path()), scratch.path());
}

}  // namespace
