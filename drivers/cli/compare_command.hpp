// SPDX-License-Identifier: MIT
// `parkit compare BASE NEW...`: did it get faster? Options, validation, reading the files and
// printing the comparison (results/compare.hpp) as a table, CSV or JSON.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace parkit::cli {

/// `parkit compare` as typed; alpha and threshold as text, so a bad value gets our message.
struct CompareOptions {
  std::string base;
  std::vector<std::string> news;
  std::string alpha = "0.05";
  std::string threshold = "5";
  std::string format = "table";
  bool fail_on_regression = false;
};

void add_compare_options(CLI::App& command, CompareOptions& options);
/// Validates --alpha (in (0, 1)) and --threshold (a percentage >= 0); throws UsageError naming
/// the option and what it accepts.
[[nodiscard]] nlohmann::json compare_decision(const CompareOptions& options);
/// Reads BASE and every NEW, compares BASE with each NEW in turn and prints the result. Throws
/// IoError (exit 4), before printing anything, for a file that is missing, damaged, not
/// parkit's, without runs or rep times, or with no run in common with BASE. Returns 1 with
/// --fail-on-regression when some match is significantly slower, else 0.
int compare_command(const nlohmann::json& decision);

}  // namespace parkit::cli
