// SPDX-License-Identifier: MIT
// From raw options to a validated list of runs. Everything is checked here, before any work:
// a bad value is a UsageError naming the option and what it accepts.
#pragma once

#include <string>
#include <vector>

#include "support/registry.hpp"

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
  std::string scaling = "strong";  ///< sweep only
  bool roofline = false;
  bool json = false;
};

struct Skipped {
  std::string what;
  std::string reason;
};

struct Plan {
  std::vector<kernels::RunRequest> runs;
  std::vector<Skipped> skipped;
};

enum class Command { run, sweep };

/// The most threads per process accepted: far beyond any node, short of what breaks a system.
[[nodiscard]] unsigned max_threads();

[[nodiscard]] Plan make_plan(const RunOptions& options, Command command);

}  // namespace parkit::cli
