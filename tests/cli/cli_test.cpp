// SPDX-License-Identifier: MIT
// End-to-end tests of the parkit binary: exit codes, one-line usage errors, outputs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <tuple>

#include "support/process.hpp"

namespace {

using parkit::testing::count;
using parkit::testing::Result;

Result run(const std::string& args, const std::string& env = "",
           const std::string& binary = PARKIT_BINARY) {
  return parkit::testing::run_command(binary + " " + args, env);
}

struct BadInput {
  std::string args;
  std::string must_mention;
};
void PrintTo(const BadInput& b, std::ostream* os) { *os << "parkit run " << b.args; }

class UsageErrors : public ::testing::TestWithParam<BadInput> {};

TEST_P(UsageErrors, ExitTwoWithOneLineNamingTheOptionAndNoOutput) {
  const auto& [args, mention] = GetParam();
  const Result r = run("run " + args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(count(r.err, "\n"), 1) << r.err;
  EXPECT_NE(r.err.find(mention), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    Cli, UsageErrors,
    ::testing::Values(
        BadInput{"-n 0", "-n: 0 is not a positive size"},
        BadInput{"-n -5", "-n: -5 is not a positive size"},
        BadInput{"-n abc", "-n: 'abc' is not a size (accepted:"},
        BadInput{"-n 1e30", "-n: 1e30 is too large"},
        BadInput{"-k sum_squares -n 2e13", "verify exactly (largest n: 10069012961345)"},
        BadInput{"-k triad -n 1e15", "needs 21.3 PiB of memory on this node, but only"},
        BadInput{"-k nosuch", "-k: unknown kernel 'nosuch' (known: copy, square_map, sum_squares,"},
        BadInput{"-m nosuch", "-m: unknown model 'nosuch' (known: seq, threads, openmp"},
        BadInput{"--threads 0", "--threads: 0 is out of range (accepted: 1 to"},
        BadInput{"--threads 100000", "--threads: 100000 is out of range (accepted: 1 to"},
        BadInput{"--reps 0", "--reps: 0 is out of range (accepted: 1 to"},
        BadInput{"--warmup -1", "--warmup: -1 is out of range"},
        BadInput{"--bind sideways",
                 "--bind: unknown policy 'sideways' (accepted: none, close, spread)"},
        BadInput{"--no-such-option", "--no-such-option"},
        BadInput{"-o /", "-o: '/' is a directory"},
        BadInput{"-o /no/such/dir/x.h5", "-o: directory '/no/such/dir' does not exist"},
        BadInput{"-o /proc/version", "-o: '/proc/version' exists (add --force to replace it)"},
        BadInput{"--no-output -o x.h5", "-o: conflicts with --no-output"},
        BadInput{"--context novalue", "--context: 'novalue' is not key=value"}),
    [](const ::testing::TestParamInfo<BadInput>& param_info) {
      return "case" + std::to_string(param_info.index);
    });

TEST(Cli, EnvironmentTwinIsValidatedLikeTheOption) {
  const Result r = run("run -k sum_squares", "PARKIT_THREADS=0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--threads: 0 is out of range"), std::string::npos) << r.err;
}

TEST(Cli, CommandLineWinsOverTheEnvironmentTwin) {
  const Result r = run("run -k sum_squares -m seq -n 1000 --json", "PARKIT_SIZE=7");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["runs"][0]["n_global"], 1000);
  const Result from_env = run("run -k sum_squares -m seq --json", "PARKIT_SIZE=7");
  ASSERT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_EQ(nlohmann::json::parse(from_env.out)["runs"][0]["n_global"], 7);
}

TEST(Cli, ModelNotBuiltIsAUsageErrorThatSaysHowToBuildIt) {
  if (PARKIT_HAVE_OPENMP && PARKIT_HAVE_MPI)
    GTEST_SKIP() << "every model is built here; the seq-only preset checks this";
  for (const auto& [model, built, flag] :
       {std::tuple{"openmp", PARKIT_HAVE_OPENMP, "PARKIT_ENABLE_OPENMP=ON"},
        std::tuple{"mpi", PARKIT_HAVE_MPI, "PARKIT_ENABLE_MPI=ON"}}) {
    if (built) continue;
    const Result r = run(std::string("run -m ") + model);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(std::string("-m: model '") + model + "' is not built into this parkit"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(flag), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST(Cli, HelpEverywhere) {
  for (const char* cmd : {"", "run ", "sweep ", "list ", "info "}) {
    const Result r = run(std::string(cmd) + "--help");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("--help"), std::string::npos) << cmd;
  }
}

TEST(Cli, VerificationFailureExitsOne) {
  const Result r =
      run("run -k broken_lazy_square_map -m seq,threads -n 1000", "", PARKIT_BROKEN_BINARY);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(count(r.out, " NO "), 2) << r.out;
  EXPECT_NE(r.out.find("0 of 1000 elements exact"), std::string::npos) << r.out;
  const Result reduction =
      run("run -k broken_forgetful_sum -m seq -n 1000 --json", "", PARKIT_BROKEN_BINARY);
  EXPECT_EQ(reduction.exit_code, 1);
  const auto j = nlohmann::json::parse(reduction.out);
  EXPECT_FALSE(j["runs"][0]["verification"]["verified"].get<bool>());
  EXPECT_EQ(j["runs"][0]["verification"]["expected"], "500500");
}

TEST(Cli, SumSquaresTenMillionIsExactUnderEveryModel) {
  const std::string models = PARKIT_HAVE_OPENMP ? "seq,threads,openmp" : "seq,threads";
  const Result r = run("run -k sum_squares -m " + models + " -n 10000000");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count(r.out, "333333283333335000000"), PARKIT_HAVE_OPENMP ? 3 : 2) << r.out;
  EXPECT_EQ(count(r.out, " yes "), PARKIT_HAVE_OPENMP ? 3 : 2) << r.out;
}

TEST(Cli, ArrayKernelsReportBandwidthAndPercentOfTriadInJson) {
  const Result r = run("run -k square_map,sum_squares_array,triad -m seq,threads -n 2M --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["runs"].size(), 6u);
  EXPECT_EQ(j["runs"][0]["kernel"], "triad");  // runs first: the others need its bandwidth
  for (const auto& run : j["runs"]) {
    EXPECT_TRUE(run["verification"]["verified"].get<bool>()) << run.dump();
    EXPECT_GT(run["rates"]["gbytes_per_s"].get<double>(), 0);
    if (run["kernel"] != "triad") {
      EXPECT_GT(run["rates"]["percent_of_triad"].get<double>(), 0);
    }
    EXPECT_EQ(run["rep_seconds"].size(), 5u);
  }
}

TEST(Cli, RooflineRunsTriadFirstWhenNotAsked) {
  const Result r = run("run -k square_map -m seq -n 1M --roofline --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["kernel"], "triad");
  EXPECT_TRUE(j["runs"][1]["rates"]["percent_of_triad"].is_number());
}

TEST(Cli, SweepPrintsSpeedupAndEfficiencyPerThreadCount) {
  const Result r = run("sweep -k sum_squares -m threads --threads 1,2 -n 1e6");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("sum_squares / threads: strong scaling, n = 1e6"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("speedup"), std::string::npos);
  EXPECT_NE(r.out.find("efficiency"), std::string::npos);
  const Result weak =
      run("sweep -k sum_squares_array -m threads --threads 1,2 -n 1000 --scaling weak --json");
  ASSERT_EQ(weak.exit_code, 0) << weak.err;
  const auto j = nlohmann::json::parse(weak.out);
  EXPECT_EQ(j["runs"][1]["n_global"], 2000);  // weak: n per worker
  EXPECT_TRUE(j["studies"][0]["invariant_holds"].get<bool>());
  EXPECT_EQ(j["studies"][0]["points"].size(), 2u);
}

TEST(Cli, OpenMPRecordsBothTheEnvironmentAndTheThreadsOverride) {
  if (!PARKIT_HAVE_OPENMP) GTEST_SKIP() << "built without OpenMP";
  const Result r = run("run -k sum_squares -m openmp -t 2 -n 1000 --json", "OMP_NUM_THREADS=1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["runs"][0]["threads"], 2);
  EXPECT_EQ(j["runs"][0]["placement"][0]["thread_cpus"].size(), 2u);
  EXPECT_EQ(j["provenance"]["threads_option"], "2");
  EXPECT_EQ(j["provenance"]["environment"]["OMP_NUM_THREADS"], "1");
  EXPECT_EQ(j["provenance"]["openmp_icvs"]["max_threads"], "1");
}

TEST(Cli, OversubscribedOpenMPRunSaysSpinningWaitsHurtUnlessThePolicyIsPassive) {
  if (!PARKIT_HAVE_OPENMP) GTEST_SKIP() << "built without OpenMP";
  const unsigned threads = 2 * std::thread::hardware_concurrency();  // always more than cores
  const std::string args =
      "run -k sum_squares -m openmp,threads -n 1000 --reps 1 --json -t " + std::to_string(threads);
  const std::string advice = "OMP_WAIT_POLICY=passive avoids it";
  for (const std::string policy : {"", "OMP_WAIT_POLICY=active", "OMP_WAIT_POLICY=PASSIVE"}) {
    const Result r = run(args, "env -u OMP_WAIT_POLICY " + policy);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["runs"].size(), 2u);
    for (const auto& run : j["runs"]) {
      const std::string warnings = run["warnings"].dump();
      EXPECT_NE(warnings.find("oversubscribed: "), std::string::npos) << warnings;
      const bool advised = warnings.find(advice) != std::string::npos;
      // only for OpenMP, and not when the policy already is passive (any case, as libgomp reads it)
      EXPECT_EQ(advised, run["model"] == "openmp" && policy.find("PASSIVE") == std::string::npos)
          << run["model"] << " with '" << policy << "': " << warnings;
    }
  }
}

TEST(Cli, APathOverrideThisCpuDoesNotRunIsAUsageErrorNamingTheAcceptedOnes) {
  for (const std::string variable : {"PARKIT_SUM_SQUARES_PATH", "PARKIT_ARRAY_PATH"}) {
    const Result bad = run("run -k sum_squares -m seq -n 1000", variable + "=avx9000");
    EXPECT_EQ(bad.exit_code, 2) << variable;
    EXPECT_NE(bad.err.find(variable + "=avx9000: not a path this CPU runs (accepted here: "),
              std::string::npos)
        << bad.err;
    EXPECT_EQ(count(bad.err, "\n"), 1) << bad.err;  // one line
  }
  // the narrowest paths run everywhere, and the results file records the one taken
  const Result ok = run("run -k sum_squares,sum_squares_array -m seq -n 1000 --json",
                        "PARKIT_SUM_SQUARES_PATH=portable PARKIT_ARRAY_PATH=baseline");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const auto j = nlohmann::json::parse(ok.out);
  for (const auto& r : j["runs"]) EXPECT_TRUE(r["verification"]["verified"].get<bool>());
  EXPECT_EQ(j["provenance"]["kernel_paths"].get<std::string>().find(
                "sum_squares=portable arrays=baseline "),
            0u)
      << j["provenance"];
}

TEST(Cli, ThreadsModelRecordsItsBindingAndOneCpuPerPinnedWorker) {
  const Result r = run("run -k sum_squares -m threads -t 2 --bind close -n 1000 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["runs"][0]["bind"], "close");
  ASSERT_EQ(j["runs"][0]["placement"][0]["thread_cpus"].size(), 2u);
  for (const auto& cpus : j["runs"][0]["placement"][0]["thread_cpus"])
    EXPECT_EQ(cpus.get<std::string>().find_first_of(",-"), std::string::npos) << cpus;
}

TEST(Cli, ListAndInfoDescribeKernelsModelsAndMachine) {
  const Result list = run("list --json");
  ASSERT_EQ(list.exit_code, 0);
  const auto j = nlohmann::json::parse(list.out);
  EXPECT_EQ(j["kernels"].size(), 5u);
  EXPECT_EQ(j["models"][2]["name"], "openmp");
  EXPECT_EQ(j["models"][2]["built"].get<bool>(), PARKIT_HAVE_OPENMP != 0);
  const Result info = run("info");
  ASSERT_EQ(info.exit_code, 0);
  for (const char* key : {"cpu:", "cpus online:", "memory total:", "compiler:", "flags:",
                          "build type:", "kernel paths:", "openmp:", "mpi:", "timer resolution:"})
    EXPECT_NE(info.out.find(key), std::string::npos) << key;
}

}  // namespace
