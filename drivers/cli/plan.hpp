// SPDX-License-Identifier: MIT
// From raw options to a validated list of runs. Everything is checked here, before any work:
// a bad value is a UsageError naming the option and what it accepts.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "parkit/kernels/registry.hpp"

namespace parkit::cli {

/// Options as typed (strings), shared by `run` and `sweep`.
struct RunOptions {
  std::string kernels;  ///< comma list; empty: all
  std::string models;   ///< comma list; empty: command's default
  std::string size = "10M";
  std::string threads;  ///< run: one count; sweep: a list. Empty: the models' default
  std::string bind;     ///< empty: from OMP_PROC_BIND, else none
  std::string reps = "5";
  std::string warmup = "1";
  std::string scaling = "none";  ///< none | strong | weak (weak: -n is per worker)
  bool roofline = false;
  bool json = false;
  bool strict = false;  ///< refuse (exit 3) instead of warning when cores are oversubscribed
  std::string output;   ///< results file; empty: a default name in PARKIT_RESULTS_DIR or .
  bool no_output = false;
  bool force = false;                ///< replace an existing output file
  std::vector<std::string> context;  ///< key=value pairs recorded in the provenance
};

struct Skipped {
  std::string what;
  std::string reason;
};

struct Plan {
  std::vector<kernels::RunRequest> runs;
  std::vector<Skipped> skipped;
};

/// The job the plan is made for: sizes and memory are checked against it.
struct JobShape {
  int ranks = 1;          ///< MPI ranks (1 without mpirun)
  int ranks_on_node = 1;  ///< ranks sharing rank 0's node (and its memory)
};

enum class Command { run, sweep };

/// The most threads per process accepted: far beyond any node, short of what breaks a system.
[[nodiscard]] unsigned max_threads();

[[nodiscard]] Plan make_plan(const RunOptions& options, Command command, const JobShape& job = {});

/// Plans travel from rank 0 to the other ranks as JSON.
[[nodiscard]] nlohmann::json to_json(const Plan& plan);
[[nodiscard]] Plan plan_from_json(const nlohmann::json& j);

}  // namespace parkit::cli
