// SPDX-License-Identifier: MIT
// Write -> read round trip of every field of a results file (the interference of kernel runs
// too, and files without it), the refusal of foreign files, and a kernel run's JSON.
#include "parkit/results/results_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <tuple>

#include "drivers/cli/output.hpp"
#include "parkit/results/atomic_file.hpp"
#include "parkit/results/h5.hpp"

namespace parkit::results {

using measure::Interference;
using measure::RunRecord;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// 3 reps of 2 ranks x 3 threads: rep 1 disturbed (worker 4 waited 0.1 s), migrations the kernel
/// did not give (-1) for rank 1's workers, no PSI on rank 1's host (NaN), and rank 1's host's
/// task count not read in rep 1 (-1).
Interference sample_interference() {
  Interference in;
  in.run_delay = {{0, 1e-6, 0, 0, 2e-6, 0}, {0, 0, 0, 0, 0.1, 0}, {0, 0, 3e-6, 0, 0, 0}};
  in.involuntary_switches = {{0, 1, 0, 0, 0, 0}, {0, 0, 0, 2, 7, 0}, {0, 0, 1, 0, 0, 0}};
  in.migrations = {{0, 0, 1, -1, -1, -1}, {2, 0, 0, -1, -1, -1}, {0, 0, 0, -1, -1, -1}};
  in.steal = {{0, 0}, {0, 0.01}, {0, 0}};
  in.cpu_pressure = {{0.001, nan}, {0.25, nan}, {0, nan}};
  in.others_before = {{0, 0}, {1, -1}, {0, 0}};
  in.others_after = {{0, 2}, {1, -1}, {0, 0}};
  in.host_cpus = {8, 4};
  in.host_workers = {3, 3};
  in.disturbed = {false, true, false};
  return in;
}

/// Bit for bit, NaN equal to NaN.
bool same(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size()) return false;
    for (std::size_t j = 0; j < a[i].size(); ++j)
      if (std::memcmp(&a[i][j], &b[i][j], sizeof(double)) != 0 &&
          !(std::isnan(a[i][j]) && std::isnan(b[i][j])))
        return false;
  }
  return true;
}

void expect_same(const Interference& x, const Interference& y) {
  EXPECT_TRUE(same(x.run_delay, y.run_delay));
  EXPECT_EQ(x.involuntary_switches, y.involuntary_switches);
  EXPECT_EQ(x.migrations, y.migrations);
  EXPECT_TRUE(same(x.steal, y.steal));
  EXPECT_TRUE(same(x.cpu_pressure, y.cpu_pressure));
  EXPECT_EQ(x.others_before, y.others_before);
  EXPECT_EQ(x.others_after, y.others_after);
  EXPECT_EQ(x.host_cpus, y.host_cpus);
  EXPECT_EQ(x.host_workers, y.host_workers);
  EXPECT_EQ(x.disturbed, y.disturbed);
  EXPECT_EQ(x.verdict(), y.verdict());
}

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
  if (i == 0) r.interference = sample_interference();  // run 1: not recorded
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
    expect_same(x.interference, y.interference);
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

ResultsFile written_and_read(const ResultsFile& f, const std::string& name) {
  const std::string path = temp_path(name);
  std::filesystem::remove(path);
  write_results(path, f, /*replace=*/false);
  ResultsFile read = read_results(path);
  std::filesystem::remove(path);
  return read;
}

TEST(ResultsFileInterference, RecordedInterferenceSurvivesTheRoundTripWithNaNAndMinusOne) {
  const ResultsFile read = written_and_read(sample_file(), "interference.h5");
  const Interference& in = read.runs.at(0).interference;
  ASSERT_TRUE(in.recorded());
  expect_same(in, sample_interference());
  // spot checks that the comparison above compares something
  EXPECT_EQ(in.run_delay[1][4], 0.1);
  EXPECT_TRUE(std::isnan(in.cpu_pressure[2][1]));
  EXPECT_EQ(in.cpu_pressure[1][0], 0.25);
  EXPECT_EQ(in.migrations[0][3], -1);
  EXPECT_EQ(in.involuntary_switches[1][4], 7);
  EXPECT_EQ(in.verdict(), "disturbed: 1 of 3 reps");
}

TEST(ResultsFileInterference, NotRecordedReadsBackNotRecorded) {
  ResultsFile f = sample_file();
  f.runs[0].interference = {};
  const ResultsFile read = written_and_read(f, "not_recorded.h5");
  for (const RunRecord& r : read.runs) {
    EXPECT_FALSE(r.interference.recorded());
    EXPECT_EQ(r.interference.verdict(), "not recorded");
  }
}

TEST(ResultsFileInterference, TheFileHasTheSubgroupTheVerdictAndTheTableColumn) {
  const std::string path = temp_path("interference_layout.h5");
  std::filesystem::remove(path);
  write_results(path, sample_file(), false);
  h5::silence_library_errors();
  const h5::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen");
  std::filesystem::remove(path);  // the open handle keeps it readable
  EXPECT_EQ(h5::read_int_attribute(file.get(), "schema_version"), 5);
  const h5::Group recorded = h5::open_group(file.get(), "runs/run-0000");
  EXPECT_EQ(h5::read_string_attribute(recorded.get(), "interference"), "disturbed: 1 of 3 reps");
  const h5::Group g = h5::open_group(recorded.get(), "interference");
  const auto shape_and_units = [&](const char* name) {
    const h5::Dataset d(H5Dopen2(g.get(), name, H5P_DEFAULT), name);
    const h5::Space space(H5Dget_space(d.get()), "H5Dget_space");
    hsize_t dims[2] = {0, 0};
    const int rank = H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    const h5::Type type(H5Dget_type(d.get()), "H5Dget_type");
    return std::make_tuple(rank, dims[0], dims[1], H5Tget_class(type.get()),
                           h5::read_string_attribute(d.get(), "units"));
  };
  using std::make_tuple;
  using namespace std::string_literals;
  const hsize_t reps = 3, workers = 6, ranks = 2;
  EXPECT_EQ(shape_and_units("run_delay"), make_tuple(2, reps, workers, H5T_FLOAT, "s"s));
  EXPECT_EQ(shape_and_units("involuntary_switches"),
            make_tuple(2, reps, workers, H5T_INTEGER, "1"s));
  EXPECT_EQ(shape_and_units("migrations"), make_tuple(2, reps, workers, H5T_INTEGER, "1"s));
  EXPECT_EQ(shape_and_units("steal"), make_tuple(2, reps, ranks, H5T_FLOAT, "s"s));
  EXPECT_EQ(shape_and_units("cpu_pressure"), make_tuple(2, reps, ranks, H5T_FLOAT, "s"s));
  EXPECT_EQ(shape_and_units("others_before"), make_tuple(2, reps, ranks, H5T_INTEGER, "1"s));
  EXPECT_EQ(shape_and_units("others_after"), make_tuple(2, reps, ranks, H5T_INTEGER, "1"s));
  EXPECT_EQ(shape_and_units("host_cpus"), make_tuple(1, ranks, hsize_t{0}, H5T_INTEGER, "1"s));
  EXPECT_EQ(shape_and_units("host_workers"), make_tuple(1, ranks, hsize_t{0}, H5T_INTEGER, "1"s));
  EXPECT_EQ(shape_and_units("disturbed"), make_tuple(1, reps, hsize_t{0}, H5T_ENUM, "1"s));
  {  // the same bool encoding as outliers
    const h5::Dataset a(H5Dopen2(g.get(), "disturbed", H5P_DEFAULT), "disturbed");
    const h5::Dataset b(H5Dopen2(recorded.get(), "outliers", H5P_DEFAULT), "outliers");
    const h5::Type ta(H5Dget_type(a.get()), "H5Dget_type"), tb(H5Dget_type(b.get()), "type");
    EXPECT_GT(H5Tequal(ta.get(), tb.get()), 0);
  }
  const h5::Group unrecorded = h5::open_group(file.get(), "runs/run-0001");
  EXPECT_EQ(h5::read_string_attribute(unrecorded.get(), "interference"), "not recorded");
  EXPECT_FALSE(h5::exists(unrecorded.get(), "interference"));

  // /table's disturbed_reps, read by name as a reader would: -1 when not recorded
  const h5::Dataset table(H5Dopen2(file.get(), "table", H5P_DEFAULT), "H5Dopen2");
  const h5::Type type(H5Tcreate(H5T_COMPOUND, sizeof(std::int32_t)), "H5Tcreate");
  h5::check(H5Tinsert(type.get(), "disturbed_reps", 0, H5T_NATIVE_INT32), "H5Tinsert");
  std::int32_t disturbed[2] = {};
  h5::check(H5Dread(table.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, disturbed), "H5Dread");
  EXPECT_EQ(disturbed[0], 1);
  EXPECT_EQ(disturbed[1], -1);
  const h5::Type stored(H5Dget_type(table.get()), "H5Dget_type");
  const std::vector<std::string> units = h5::read_strings_attribute(table.get(), "units");
  ASSERT_EQ(units.size(), static_cast<std::size_t>(H5Tget_nmembers(stored.get())));
  EXPECT_EQ(units.back(), "reps");
}

TEST(ResultsFileInterference, AVersionThreeFileWithoutItReadsAsNotRecorded) {
  // a version 3 file: the current encoder, with the interference and the version patched out
  const std::string path = temp_path("v3_interference.h5");
  std::filesystem::remove(path);
  write_results(path, sample_file(), false);
  {
    h5::silence_library_errors();
    const h5::File file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "H5Fopen");
    h5::write_attribute(file.get(), "schema_version", std::int64_t{3});
    for (const char* run : {"runs/run-0000", "runs/run-0001"}) {
      const h5::Group g = h5::open_group(file.get(), run);
      h5::check(H5Adelete(g.get(), "interference"), "H5Adelete interference");
      if (h5::exists(g.get(), "interference"))
        h5::check(H5Ldelete(g.get(), "interference", H5P_DEFAULT), "H5Ldelete interference");
    }
  }
  const ResultsFile read = read_results(path);
  std::filesystem::remove(path);
  ASSERT_EQ(read.runs.size(), 2u);
  for (const RunRecord& r : read.runs) EXPECT_EQ(r.interference.verdict(), "not recorded");
  EXPECT_EQ(read.runs[0].rank_times, sample_run(0).rank_times);  // the rest reads as before
}

TEST(ResultsFileInterference, AVersionFourFileReadsWithoutTheOthersCounts) {
  // a version 4 file: the current encoder, with the version 5 datasets and the version patched
  const std::string path = temp_path("v4_interference.h5");
  std::filesystem::remove(path);
  write_results(path, sample_file(), false);
  {
    h5::silence_library_errors();
    const h5::File file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "H5Fopen");
    h5::write_attribute(file.get(), "schema_version", std::int64_t{4});
    const h5::Group g = h5::open_group(file.get(), "runs/run-0000/interference");
    for (const char* name : {"others_before", "others_after", "host_cpus", "host_workers"})
      h5::check(H5Ldelete(g.get(), name, H5P_DEFAULT), name);
  }
  const ResultsFile read = read_results(path);
  std::filesystem::remove(path);
  const Interference& in = read.runs.at(0).interference;
  Interference expected = sample_interference();
  expected.others_before.clear();
  expected.others_after.clear();
  expected.host_cpus.clear();
  expected.host_workers.clear();
  expect_same(in, expected);  // the rest, and the verdict decided then, read as written
  EXPECT_EQ(in.verdict(), "disturbed: 1 of 3 reps");
}

TEST(ResultsFileInterference, PerRepArraysOfDifferentLengthsAreRefusedNamingTheRun) {
  ResultsFile f = sample_file();
  f.runs[0].interference.steal.pop_back();
  try {
    (void)encode(f);
    ADD_FAILURE() << "encoded a ragged interference";
  } catch (const h5::Error& e) {
    EXPECT_NE(std::string(e.what()).find("run-0000: interference: steal"), std::string::npos)
        << e.what();
  }
  f = sample_file();
  f.runs[0].interference.migrations[2].pop_back();
  EXPECT_THROW((void)encode(f), h5::Error);
  f = sample_file();
  f.runs[0].interference.others_after[1].pop_back();
  EXPECT_THROW((void)encode(f), h5::Error);
  f = sample_file();
  f.runs[0].interference.host_cpus.clear();  // the others' counts without their hosts
  EXPECT_THROW((void)encode(f), h5::Error);
}

TEST(RunJson, InterferenceHasEveryFieldWithNaNAsNullAndReadsBack) {
  const RunRecord r = sample_run(0);
  const nlohmann::json j = nlohmann::json::parse(cli::to_json(r).dump());
  const nlohmann::json& in = j.at("interference");
  EXPECT_EQ(in.at("verdict"), "disturbed: 1 of 3 reps");
  EXPECT_EQ(in.at("disturbed_reps"), 1);
  EXPECT_EQ(in.at("reps"), 3);
  EXPECT_EQ(in.at("disturbed"), nlohmann::json({false, true, false}));
  EXPECT_EQ(in.at("run_delay").size(), 3u);
  EXPECT_EQ(in.at("run_delay")[1].size(), 6u);
  EXPECT_EQ(in.at("run_delay")[1][4], 0.1);
  EXPECT_EQ(in.at("involuntary_switches")[1][4], 7);
  EXPECT_EQ(in.at("migrations")[0][3], -1);
  EXPECT_EQ(in.at("steal")[1], nlohmann::json({0.0, 0.01}));
  EXPECT_EQ(in.at("cpu_pressure")[1], nlohmann::json({0.25, nullptr}));
  // report reads the JSON back with the interference
  expect_same(cli::record_from_json(j).interference, r.interference);

  const nlohmann::json none = cli::to_json(sample_run(1)).at("interference");
  EXPECT_EQ(none, nlohmann::json({{"verdict", "not recorded"}, {"disturbed_reps", 0}}));
  EXPECT_FALSE(cli::record_from_json(cli::to_json(sample_run(1))).interference.recorded());
  nlohmann::json old = cli::to_json(sample_run(0));
  old.erase("interference");  // JSON of a parkit from before it
  EXPECT_FALSE(cli::record_from_json(old).interference.recorded());
}

TEST(RunTable, TheDisturbedColumnSaysNoNOfMOrNotRecorded) {
  RunRecord quiet = sample_run(0);
  quiet.interference.disturbed = {false, false, false};
  const std::string table = cli::runs_table({sample_run(0), quiet, sample_run(1)});
  std::vector<std::string> lines;
  for (std::size_t start = 0, end; (end = table.find('\n', start)) != std::string::npos;
       start = end + 1)
    lines.push_back(table.substr(start, end - start));
  ASSERT_EQ(lines.size(), 5u) << table;  // header, rule, 3 runs
  const std::size_t column = lines[0].find("disturbed");
  ASSERT_NE(column, std::string::npos) << table;
  // right-aligned under the header
  const auto cell = [&](const std::string& line) {
    std::string c = line.substr(column, std::string("disturbed").size());
    return c.substr(c.find_first_not_of(' '));
  };
  EXPECT_EQ(cell(lines[2]), "1/3") << table;
  EXPECT_EQ(cell(lines[3]), "no") << table;
  EXPECT_EQ(cell(lines[4]), "-") << table;
}

}  // namespace
}  // namespace parkit::results
