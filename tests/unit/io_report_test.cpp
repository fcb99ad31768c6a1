// SPDX-License-Identifier: MIT
// `parkit report`'s I/O part on synthetic runs with known answers: which runs form a study, the
// speedup against the study's sequential run, the concurrency bound of each driver, and how the
// table, CSV and JSON show it (milliseconds in fixed notation, "-" without a baseline).
#include "parkit/results/io_report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "drivers/cli/io_output.hpp"

namespace parkit::results {
namespace {

/// A finalized-looking run: `reps` reps of `requests`, every request ok, median makespan
/// `median_s` (min and max a quarter either side). Binary fractions keep every ratio exact.
IoRecord synthetic(std::string driver, double median_s, std::int64_t requests = 8, int reps = 2) {
  IoRecord r;
  r.driver = std::move(driver);
  r.url = "http://127.0.0.1:40000";
  r.server_started = true;
  r.paths = {"/delay/250", "/status/503"};
  r.requests = requests;
  r.timeout_ms = 500;
  r.connections = "keep-alive";
  r.reps = reps;
  r.pool_threads = r.driver == "pool" ? 4 : r.driver == "threads" ? static_cast<int>(requests) : 1;
  r.makespan = {median_s * 0.75, median_s, median_s, median_s * 1.25, 0, 0};
  r.cpu_seconds = {0.25, 0.5, 0.5, 0.75, 0, 0};
  r.latency = {requests * reps, 0.25, 0.25, 0.25, 0.25, 0.25};
  r.counts = {requests * reps / 2, requests * reps / 2, 0, 0, 0};
  r.max_in_flight = 1;
  r.peak_rss_bytes = 3 << 20;
  return r;
}

TEST(IoReport, SpeedupIsTheSequentialMakespanOverEachDriversAndDriversComeInOrder) {
  const auto studies = analyse_io({synthetic("coroutines", 0.25), synthetic("threads", 0.5),
                                   synthetic("sequential", 2.0), synthetic("pool", 1.0)});
  ASSERT_EQ(studies.size(), 1u);
  const IoStudy& s = studies[0];
  ASSERT_EQ(s.points.size(), 4u);
  EXPECT_EQ(s.points[0].driver, "sequential");
  EXPECT_EQ(s.points[1].driver, "threads");
  EXPECT_EQ(s.points[2].driver, "pool");
  EXPECT_EQ(s.points[3].driver, "coroutines");
  ASSERT_TRUE(s.baseline_s.has_value());
  EXPECT_EQ(*s.baseline_s, 2.0);
  EXPECT_EQ(s.points[0].speedup, 1.0);
  EXPECT_EQ(s.points[1].speedup, 4.0);
  EXPECT_EQ(s.points[2].speedup, 2.0);
  EXPECT_EQ(s.points[3].speedup, 8.0);
  EXPECT_TRUE(s.points[0].baseline);
  EXPECT_EQ(std::count_if(s.points.begin(), s.points.end(), [](auto& p) { return p.baseline; }), 1);
  EXPECT_EQ(s.points[3].requests_per_s, 32.0);  // 8 requests in 0.25 s
  EXPECT_EQ(s.points[0].requests_per_s, 4.0);
  EXPECT_EQ(s.points[2].makespan.min, 0.75);
  EXPECT_EQ(s.points[2].cpu_median_s, 0.5);
  EXPECT_EQ(s.points[2].counts.total(), 16);  // requests x reps
}

TEST(IoReport, WithoutASequentialRunThereIsNoSpeedup) {
  const auto studies = analyse_io({synthetic("pool", 1.0), synthetic("coroutines", 0.5)});
  ASSERT_EQ(studies.size(), 1u);
  EXPECT_FALSE(studies[0].baseline_s.has_value());
  for (const IoPoint& p : studies[0].points) {
    EXPECT_FALSE(p.speedup.has_value()) << p.driver;
    EXPECT_FALSE(p.baseline);
  }
}

TEST(IoReport, TheFirstSequentialRunIsTheBaselineOfAMergedStudy) {
  IoRecord first = synthetic("sequential", 2.0), second = synthetic("sequential", 4.0);
  first.job = "job-0000";
  second.job = "job-0001";
  IoRecord threads = synthetic("threads", 0.5);
  threads.job = "job-0001";
  const auto studies = analyse_io({threads, first, second});
  ASSERT_EQ(studies.size(), 1u);
  const auto& p = studies[0].points;
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].job, "job-0000");  // sequential runs keep their order, before threads
  EXPECT_EQ(p[1].job, "job-0001");
  EXPECT_TRUE(p[0].baseline);
  EXPECT_FALSE(p[1].baseline);
  EXPECT_EQ(p[1].speedup, 0.5);
  EXPECT_EQ(p[2].speedup, 4.0);
}

TEST(IoReport, AStudyIsOneWorkloadWhateverTheConcurrencyOrThePortOfParkitsServer) {
  IoRecord base = synthetic("sequential", 2.0);
  IoRecord bounded = synthetic("coroutines", 1.0);
  bounded.concurrency = 2;  // differs per driver: same study
  bounded.url = "http://127.0.0.1:40001";
  bounded.job = "job-0003";
  std::vector<IoRecord> runs = {base, bounded};
  auto other = [&](auto change) {
    IoRecord r = synthetic("sequential", 2.0);
    change(r);
    runs.push_back(r);
  };
  other([](IoRecord& r) { r.paths = {"/delay/250"}; });
  other([](IoRecord& r) { r.requests = 16; });
  other([](IoRecord& r) { r.timeout_ms = 0; });
  other([](IoRecord& r) { r.connections = "per-request"; });
  other([](IoRecord& r) { r.server_started = false; });
  const auto studies = analyse_io(runs);
  ASSERT_EQ(studies.size(), 6u);
  ASSERT_EQ(studies[0].points.size(), 2u);
  EXPECT_EQ(studies[0].points[1].speedup, 2.0);
  EXPECT_EQ(studies[0].url, "http://127.0.0.1:40000");  // the first run's
  EXPECT_EQ(studies[2].requests, 16);
  EXPECT_EQ(studies[3].timeout_ms, 0);
  EXPECT_EQ(studies[4].connections, "per-request");
  EXPECT_FALSE(studies[5].server_started);
  for (std::size_t i = 1; i < studies.size(); ++i) EXPECT_EQ(studies[i].points.size(), 1u);
}

TEST(IoReport, MaxConcurrencyFollowsEachDriversRules) {
  IoRecord r = synthetic("sequential", 1.0, 10);
  EXPECT_EQ(max_concurrency(r), 1);
  r.driver = "threads";
  EXPECT_EQ(max_concurrency(r), 10);
  r.driver = "coroutines";
  EXPECT_EQ(max_concurrency(r), 10);  // unbounded
  r.concurrency = 3;
  EXPECT_EQ(max_concurrency(r), 3);
  r.concurrency = 50;
  EXPECT_EQ(max_concurrency(r), 10);
  r.driver = "pool";
  r.pool_threads = 4;
  EXPECT_EQ(max_concurrency(r), 4);
  r.concurrency = 2;
  EXPECT_EQ(max_concurrency(r), 2);
  r.concurrency = 0;
  r.requests = 3;
  EXPECT_EQ(max_concurrency(r), 3);
}

TEST(IoReport, SpeedupNeedsTwoPositiveTimes) {
  EXPECT_EQ(io_speedup(3.0, 1.5), 2.0);
  EXPECT_FALSE(io_speedup(0.0, 1.0).has_value());
  EXPECT_FALSE(io_speedup(1.0, 0.0).has_value());
  const auto studies = analyse_io({synthetic("sequential", 1.0), synthetic("threads", 0.0)});
  EXPECT_FALSE(studies[0].points[1].speedup.has_value());
  EXPECT_EQ(studies[0].points[1].requests_per_s, 0.0);
}

TEST(IoReportOutput, TableHasAHeadingPerStudyAndOneLinePerRun) {
  const auto studies = analyse_io(
      {synthetic("sequential", 2.0), synthetic("pool", 0.5), synthetic("coroutines", 1.0, 16)});
  const std::string table = cli::io_study_table(studies);
  // per study: a blank line, the heading, the header, the rule and a line per run
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), (4 + 2) + (4 + 1)) << table;
  EXPECT_EQ(table.rfind("\nI/O: 8 requests per rep of /delay/250 /status/503, timeout 500 ms, "
                        "keep-alive, parkit's loopback server\n",
                        0),
            0u)
      << table;
  EXPECT_NE(table.find("\nI/O: 16 requests per rep"), std::string::npos) << table;
  EXPECT_NE(table.find("  4.00  "), std::string::npos) << table;   // pool: 2 / 0.5
  EXPECT_NE(table.find("4 threads"), std::string::npos) << table;  // pool concurrency
  EXPECT_NE(table.find("baseline"), std::string::npos) << table;
  EXPECT_NE(table.find(" 250.0 "), std::string::npos) << table;  // p50 in ms, fixed
  const auto line = table.substr(table.rfind("coroutines"));
  EXPECT_NE(line.find(" - "), std::string::npos) << line;  // its study has no sequential run
}

TEST(IoReportOutput, CsvHasOneRowPerRunAndJsonHasNullWithoutABaseline) {
  IoRecord odd = synthetic("coroutines", 1.0);
  odd.paths = {"/a,b", "/c\"d"};
  const auto studies = analyse_io({synthetic("sequential", 2.0), synthetic("threads", 0.5), odd});
  const std::string csv = cli::io_study_csv(studies);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4) << csv;
  EXPECT_EQ(csv.find("paths,requests,timeout_ms,"), 0u);
  EXPECT_NE(csv.find("\n/delay/250 /status/503,8,500,keep-alive,true,http://127.0.0.1:40000,"
                     "job-0000,threads,2,0,8,8,0.5,0.375,0.625,4,16,"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\n\"/a,b /c\"\"d\",8,"), std::string::npos) << csv;  // quoted
  const nlohmann::json with = cli::to_json(studies[0]), without = cli::to_json(studies[1]);
  EXPECT_EQ(with["baseline_s"], 2.0);
  EXPECT_EQ(with["points"][0]["speedup"], 1.0);
  EXPECT_EQ(with["points"][1]["speedup"], 4.0);
  EXPECT_EQ(with["points"][1]["ok"], 8);
  EXPECT_EQ(with["points"][1]["makespan_median_s"], 0.5);
  EXPECT_TRUE(without["baseline_s"].is_null());
  EXPECT_TRUE(without["points"][0]["speedup"].is_null());
}

TEST(IoReportOutput, IoTableShowsMillisecondsInFixedNotationAndTheReps) {
  IoRecord r = synthetic("sequential", 2.0, 5, 3);
  r.latency = {15, 0.000147, 0.0204, 1.0004, 12.5, 0.5};
  r.counts = {15, 0, 0, 0, 0};
  const std::string table = cli::io_table({r});
  EXPECT_EQ(table.find("e+"), std::string::npos) << table;
  EXPECT_NE(table.find(" 0.147 "), std::string::npos) << table;
  EXPECT_NE(table.find(" 20.4 "), std::string::npos) << table;
  EXPECT_NE(table.find(" 1000.4 "), std::string::npos) << table;
  EXPECT_NE(table.find(" 12500.0 "), std::string::npos) << table;
  // requests per rep, then reps: 5 x 3 = the 15 ok
  EXPECT_NE(table.find("driver      requests  reps"), std::string::npos) << table;
  EXPECT_NE(table.find("sequential         5     3"), std::string::npos) << table;
}

}  // namespace
}  // namespace parkit::results
