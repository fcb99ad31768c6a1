// SPDX-License-Identifier: MIT
// Write -> read round trip of every field of a results file, and the refusal of foreign files.
#include "parkit/results/results_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "parkit/results/atomic_file.hpp"
#include "parkit/results/h5.hpp"

namespace parkit::results {

using measure::RunRecord;

namespace {

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "parkit_" + std::to_string(getpid()) + "_" + name;
}

RunRecord sample_run(int i) {
  RunRecord r;
  r.job = "job-0000";
  r.kernel = i == 0 ? "sum_squares" : "triad";
  r.model = i == 0 ? "hybrid" : "threads";
  r.scaling = "strong";
  r.n_global = 1'000'000'007 + i;
  r.n_per_rank = 500'000'004;
  r.ranks = 2;
  r.threads = 3;
  r.bind = "close";
  r.reps = 3;
  r.warmup = 1;
  r.placement = {{"node-a", 0, {"0", "1", "2"}}, {"node-b", 1, {"4-5", "6", "7"}}};
  r.oversubscribed = i == 1;
  r.bytes_per_elem = 24;
  r.flops_per_elem = 2;
  r.bandwidth_bound = i == 1;
  r.rank_times = {{0.25, 0.5}, {0.125, 0.375}, {1.0 / 3, 0.75}};
  r.rep_times = {0.5, 0.375, 0.75};
  r.rep_rank_min = {0.25, 0.125, 1.0 / 3};
  r.rep_rank_mean = {0.375, 0.25, 0.5416};
  r.imbalance = 0.4;
  r.time = {0.375, 0.5, 0.541, 0.75, 0.19, 0.35};
  r.outliers = {false, false, true};
  r.timer_resolution = 2e-8;
  r.verified = i == 0;
  r.failed_reps = i == 0 ? 0 : 4;
  r.expected = "333333332833333333500000000";
  r.observed = i == 0 ? "333333332833333333500000000" : "12 of 1000 elements exact";
  r.kernel_build = i == 0 ? "GNU 12.2.0, optimised, NDEBUG, avx512f" : "";
  r.gbytes_per_s = 12.5;
  r.gflops_per_s = 0.75;
  r.ns_per_elem = 0.5;
  if (i == 1) r.percent_of_triad = 97.5;
  r.warnings =
      i == 0 ? std::vector<std::string>{} : std::vector<std::string>{"ünïcode note", "2nd"};
  return r;
}

ResultsFile sample_file() {
  ResultsFile f;
  f.created_utc = "2026-11-22T04:00:00Z";
  f.parkit_version = "0.1.0";
  f.git_commit = "abcdef123456";
  JobProvenance job;
  job.text = {
      {"command_line", "parkit sweep -n 1e9"}, {"user", "root"}, {"compiler", "GNU 12.2.0"}};
  job.numbers = {{"cores", 2}, {"ranks", 2}, {"timer_resolution_s", 2e-8}};
  job.hosts = {"node-a", "node-b"};
  job.environment = {{"OMP_NUM_THREADS", "3"}, {"SLURM_JOB_ID", "42"}};
  job.openmp_icvs = {{"dynamic", "false"}, {"max_threads", "3"}};
  job.context = {{"purpose", "round trip"}, {"site", "vm"}};
  f.jobs = {job};
  f.runs = {sample_run(0), sample_run(1)};
  return f;
}

template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(ResultsFile, EveryFieldSurvivesTheRoundTrip) {
  const ResultsFile written = sample_file();
  const std::string path = temp_path("roundtrip.h5");
  std::filesystem::remove(path);
  write_results(path, written, /*replace=*/false);
  const ResultsFile read = read_results(path);

  EXPECT_EQ(read.created_utc, written.created_utc);
  EXPECT_EQ(read.parkit_version, written.parkit_version);
  EXPECT_EQ(read.git_commit, written.git_commit);
  ASSERT_EQ(read.jobs.size(), 1u);
  const JobProvenance &a = read.jobs[0], &b = written.jobs[0];
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(sorted(a.text), sorted(b.text));
  EXPECT_EQ(sorted(a.numbers), sorted(b.numbers));
  EXPECT_EQ(a.hosts, b.hosts);
  EXPECT_EQ(sorted(a.environment), sorted(b.environment));
  EXPECT_EQ(sorted(a.openmp_icvs), sorted(b.openmp_icvs));
  EXPECT_EQ(sorted(a.context), sorted(b.context));

  ASSERT_EQ(read.runs.size(), written.runs.size());
  for (std::size_t i = 0; i < read.runs.size(); ++i) {
    const RunRecord &x = read.runs[i], &y = written.runs[i];
    EXPECT_EQ(x.job, y.job);
    EXPECT_EQ(x.kernel, y.kernel);
    EXPECT_EQ(x.model, y.model);
    EXPECT_EQ(x.scaling, y.scaling);
    EXPECT_EQ(x.n_global, y.n_global);
    EXPECT_EQ(x.n_per_rank, y.n_per_rank);
    EXPECT_EQ(x.ranks, y.ranks);
    EXPECT_EQ(x.threads, y.threads);
    EXPECT_EQ(x.bind, y.bind);
    EXPECT_EQ(x.reps, y.reps);
    EXPECT_EQ(x.warmup, y.warmup);
    ASSERT_EQ(x.placement.size(), y.placement.size());
    for (std::size_t p = 0; p < x.placement.size(); ++p) {
      EXPECT_EQ(x.placement[p].host, y.placement[p].host);
      EXPECT_EQ(x.placement[p].local_rank, y.placement[p].local_rank);
      EXPECT_EQ(x.placement[p].thread_cpus, y.placement[p].thread_cpus);
    }
    EXPECT_EQ(x.oversubscribed, y.oversubscribed);
    EXPECT_EQ(x.bytes_per_elem, y.bytes_per_elem);
    EXPECT_EQ(x.flops_per_elem, y.flops_per_elem);
    EXPECT_EQ(x.bandwidth_bound, y.bandwidth_bound);
    EXPECT_EQ(x.rank_times, y.rank_times);  // bit-exact doubles
    EXPECT_EQ(x.rep_times, y.rep_times);
    EXPECT_EQ(x.rep_rank_min, y.rep_rank_min);
    EXPECT_EQ(x.rep_rank_mean, y.rep_rank_mean);
    EXPECT_EQ(x.imbalance, y.imbalance);
    EXPECT_EQ(x.time.min, y.time.min);
    EXPECT_EQ(x.time.median, y.time.median);
    EXPECT_EQ(x.time.mean, y.time.mean);
    EXPECT_EQ(x.time.max, y.time.max);
    EXPECT_EQ(x.time.stddev, y.time.stddev);
    EXPECT_EQ(x.time.cv, y.time.cv);
    EXPECT_EQ(x.outliers, y.outliers);
    EXPECT_EQ(x.timer_resolution, y.timer_resolution);
    EXPECT_EQ(x.verified, y.verified);
    EXPECT_EQ(x.failed_reps, y.failed_reps);
    EXPECT_EQ(x.expected, y.expected);
    EXPECT_EQ(x.observed, y.observed);
    EXPECT_EQ(x.kernel_build, y.kernel_build);
    EXPECT_EQ(x.gbytes_per_s, y.gbytes_per_s);
    EXPECT_EQ(x.gflops_per_s, y.gflops_per_s);
    EXPECT_EQ(x.ns_per_elem, y.ns_per_elem);
    EXPECT_EQ(x.percent_of_triad, y.percent_of_triad);
    EXPECT_EQ(x.warnings, y.warnings);
  }
  std::filesystem::remove(path);
}

TEST(ResultsFile, NeverOverwritesUnlessAskedAndLeavesNoTemporary) {
  const std::string dir = temp_path("publish");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directory(dir);
  const std::string path = dir + "/a.h5";
  write_results(path, sample_file(), false);
  const auto size = std::filesystem::file_size(path);
  ResultsFile other = sample_file();
  other.runs.pop_back();
  EXPECT_THROW(write_results(path, other, false), FileExists);
  EXPECT_EQ(std::filesystem::file_size(path), size);
  EXPECT_EQ(read_results(path).runs.size(), 2u);
  write_results(path, other, /*replace=*/true);
  EXPECT_EQ(read_results(path).runs.size(), 1u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);  // no temporaries
  std::filesystem::remove_all(dir);
}

TEST(ResultsFile, AWriteRemovesTheTemporariesOfKilledWritersOfTheSameFileOnly) {
  const std::string dir = temp_path("stale");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directory(dir);
  const std::string path = dir + "/a.h5";
  // what a kill -9 between naming and renaming leaves: a writer that no longer runs (a pid above
  // pid_max), one that still runs (this process), and another file's
  const std::string dead = dir + "/.a.h5.tmp-999999999-1",
                    alive = dir + "/.a.h5.tmp-" + std::to_string(getpid()) + "-2",
                    other = dir + "/.b.h5.tmp-999999999-3";
  for (const std::string& name : {dead, alive, other}) std::ofstream(name) << "partial";
  write_results(path, sample_file(), /*replace=*/true);
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_TRUE(std::filesystem::exists(alive));
  EXPECT_TRUE(std::filesystem::exists(other));
  EXPECT_EQ(read_results(path).runs.size(), 2u);
  std::filesystem::remove_all(dir);
}

TEST(ResultsFile, ForeignAndDamagedFilesAreFormatErrorsNamingTheFile) {
  const std::string random = temp_path("random.h5"), truncated = temp_path("truncated.h5"),
                    foreign = temp_path("foreign.h5");
  {
    std::ofstream out(random, std::ios::binary);
    for (int i = 0; i < 4096; ++i) out.put(static_cast<char>((i * 7919) % 251));
  }
  const std::vector<unsigned char> image = encode(sample_file());
  {
    std::ofstream out(truncated, std::ios::binary);
    out.write(reinterpret_cast<const char*>(image.data()), static_cast<long>(image.size() / 2));
  }
  {
    h5::silence_library_errors();
    const h5::File f(H5Fcreate(foreign.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "create");
    h5::write_attribute(f.get(), "title", "someone else's data");
  }
  for (const std::string& path : {random, truncated, foreign}) {
    try {
      (void)read_results(path);
      ADD_FAILURE() << "read " << path;
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    std::filesystem::remove(path);
  }
}

}  // namespace
}  // namespace parkit::results
